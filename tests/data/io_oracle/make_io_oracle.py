"""Oracle data for ssdkit's mx.io iterators (CSVIter, MNISTIter, ImageRecordIter), made with MXNet 1.9.1.

Run with /work/mxvenv/bin/python in this folder. Writes the small inputs it reads (data.csv, label.csv,
tiny-images-idx3-ubyte, tiny-labels-idx1-ubyte, tiny.rec/.idx with PNG images so decoding is exact) and
io_oracle.npz + io_oracle.json with every batch (data, label, pad) MXNet's iterators give.
"""
import io
import json
import struct

import mxnet as mx
import numpy as np
from PIL import Image

rng = np.random.RandomState(0)
arrays, meta = {}, {}


def record(key, it, epochs=2):
    batches = []
    for epoch in range(epochs):   # a fresh iterator, then reset() between epochs, as fit() does
        if epoch:
            it.reset()
        for n, batch in enumerate(it):
            arrays[f"{key}/e{epoch}/b{n}/data"] = batch.data[0].asnumpy()
            if batch.label:
                arrays[f"{key}/e{epoch}/b{n}/label"] = batch.label[0].asnumpy()
            batches.append([epoch, n, int(batch.pad or 0)])
    meta[key] = {"batches": batches, "provide_data": [[d.name, list(d.shape)] for d in it.provide_data],
                 "provide_label": [[d.name, list(d.shape)] for d in it.provide_label]}


# ---------------------------------------------------------------- CSVIter
data = rng.randint(-50, 50, (7, 6)).astype(np.float32) / 4
label = rng.randint(0, 3, (7, 2)).astype(np.float32)
np.savetxt("data.csv", data, delimiter=",", fmt="%g")
np.savetxt("label.csv", label, delimiter=",", fmt="%g")
record("csv_round", mx.io.CSVIter(data_csv="data.csv", data_shape=(2, 3), label_csv="label.csv",
                                  label_shape=(2,), batch_size=3))
record("csv_noround", mx.io.CSVIter(data_csv="data.csv", data_shape=(6,), batch_size=3, round_batch=False))
record("csv_int", mx.io.CSVIter(data_csv="data.csv", data_shape=(6,), batch_size=4, dtype="int32"), epochs=1)

# ---------------------------------------------------------------- MNISTIter over tiny idx files
images = rng.randint(0, 256, (10, 28, 28)).astype(np.uint8)
labels = rng.randint(0, 10, 10).astype(np.uint8)
with open("tiny-images-idx3-ubyte", "wb") as f:
    f.write(struct.pack(">IIII", 2051, 10, 28, 28) + images.tobytes())
with open("tiny-labels-idx1-ubyte", "wb") as f:
    f.write(struct.pack(">II", 2049, 10) + labels.tobytes())
record("mnist", mx.io.MNISTIter(image="tiny-images-idx3-ubyte", label="tiny-labels-idx1-ubyte", batch_size=4,
                                shuffle=False))
record("mnist_flat", mx.io.MNISTIter(image="tiny-images-idx3-ubyte", label="tiny-labels-idx1-ubyte",
                                     batch_size=5, shuffle=False, flat=True), epochs=1)

# ---------------------------------------------------------------- ImageRecordIter over a tiny PNG .rec
writer = mx.recordio.MXIndexedRecordIO("tiny.idx", "tiny.rec", "w")
for i in range(5):
    img = rng.randint(0, 256, (10 + i, 12, 3)).astype(np.uint8)   # HWC, RGB order after decoding
    header = mx.recordio.IRHeader(0, [float(i % 3), float(i)], i, 0)
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="PNG")
    writer.write_idx(i, mx.recordio.pack(header, buf.getvalue()))
writer.close()
record("rec_plain", mx.io.ImageRecordIter(path_imgrec="tiny.rec", data_shape=(3, 8, 8), batch_size=2,
                                         label_width=2))
record("rec_norm", mx.io.ImageRecordIter(path_imgrec="tiny.rec", data_shape=(3, 8, 8), batch_size=3,
                                         mean_r=120, mean_g=110, mean_b=100, std_r=50, std_g=60, std_b=70,
                                         label_width=2, preprocess_threads=2))
record("rec_resize", mx.io.ImageRecordIter(path_imgrec="tiny.rec", data_shape=(3, 6, 6), batch_size=5,
                                           resize=7, round_batch=False, label_width=2), epochs=1)

np.savez_compressed("io_oracle.npz", **arrays)
with open("io_oracle.json", "w") as f:
    json.dump({"mxnet": mx.__version__, "cases": meta}, f, indent=1, sort_keys=True)
print(len(arrays), "arrays")
