"""Write MXNet 1.9.1 oracles for the data-pipeline tests (tests/test_image*.py, tests/test_data_io.py).

Run with the MXNet virtual environment (never imported by ssdkit):
    /work/venv-mxnet/bin/python tests/data/image_oracle/make_image_oracle.py

Outputs (next to this file): det.rec/det.idx (tiny PNG detection records written by MXNet's recordio),
cls.rec/cls.idx (classification records), oracle.json (augmenter rule checks, iterator batches as lists)
and oracle.npz (decoded images and iterator data arrays).
"""
import json
import os

import cv2
import mxnet as mx
import numpy as np
from mxnet.image.detection import DetRandomCropAug, DetRandomPadAug

HERE = os.path.dirname(os.path.abspath(__file__))
SIZE = 16


def random_label(rng):
    k = rng.randint(1, 4)
    x1, y1 = rng.uniform(0, 0.8, k), rng.uniform(0, 0.8, k)
    x2 = np.minimum(x1 + rng.uniform(0.01, 0.6, k), 1)
    y2 = np.minimum(y1 + rng.uniform(0.01, 0.6, k), 1)
    return np.stack([rng.randint(0, 3, k), x1, y1, x2, y2], axis=1).astype(np.float32)


def crop_rules(rng, count=400):
    cases = []
    for _ in range(count):
        label = random_label(rng)
        width, height = (int(v) for v in rng.randint(20, 300, 2))
        cw, ch = int(rng.randint(1, width + 1)), int(rng.randint(1, height + 1))
        x, y = int(rng.randint(0, width - cw + 1)), int(rng.randint(0, height - ch + 1))
        moc, mec = float(rng.choice([0.0, 0.1, 0.5, 0.9, 0.95])), float(rng.choice([0.0, 0.3, 0.7]))
        aug = DetRandomCropAug(min_object_covered=moc, min_eject_coverage=mec)
        ok = bool(aug._check_satisfy_constraints(label, x, y, x + cw, y + ch, width, height))
        updated = aug._update_labels(label, (x, y, cw, ch), height, width)
        cases.append({"label": label.tolist(), "width": width, "height": height, "crop": [x, y, cw, ch],
                      "min_object_covered": moc, "min_eject_coverage": mec, "ok": ok,
                      "updated": None if updated is None else updated.tolist()})
    return cases


def pad_rules(rng, count=50):
    cases = []
    for _ in range(count):
        label = random_label(rng)
        width, height = (int(v) for v in rng.randint(20, 100, 2))
        w, h = width + int(rng.randint(2, 60)), height + int(rng.randint(2, 60))
        x, y = int(rng.randint(0, w - width + 1)), int(rng.randint(0, h - height + 1))
        updated = DetRandomPadAug()._update_labels(label, (x, y, w, h), height, width)
        cases.append({"label": label.tolist(), "width": width, "height": height, "pad": [x, y, w, h],
                      "updated": updated.tolist()})
    return cases


def ndarray_iter_runs():
    runs = []
    for num, batch in ((10, 3), (10, 4), (4, 10), (9, 3)):
        for mode in ("pad", "discard", "roll_over"):
            if mode == "roll_over" and batch > num:
                continue   # MXNet itself fails slicing here
            it = mx.io.NDArrayIter(np.arange(num, dtype=np.float32).reshape(num, 1), np.arange(num), batch,
                                   last_batch_handle=mode)
            epochs = []
            for _ in range(3):
                epochs.append([[b.data[0].asnumpy().ravel().tolist(), b.label[0].asnumpy().tolist(), b.pad]
                               for b in it])
                it.reset()
            runs.append({"num": num, "batch": batch, "mode": mode, "epochs": epochs})
    return runs


def write_records(name, items):
    rec = mx.recordio.MXIndexedRecordIO(os.path.join(HERE, name + ".idx"), os.path.join(HERE, name + ".rec"), "w")
    for i, (label, image) in enumerate(items):
        rec.write_idx(i, mx.recordio.pack_img(mx.recordio.IRHeader(0, label, i, 0), image, img_fmt=".png"))
    rec.close()


def det_items(rng):
    """7 images; headers A=2 or A=4 (with extras), objects of width 6, one invalid box to drop."""
    items = []
    for i in range(7):
        image = rng.randint(0, 256, (SIZE, SIZE, 3)).astype(np.uint8)   # BGR, as cv2 writes it
        objs = random_label(rng)
        objs = np.concatenate([objs, np.full((len(objs), 1), 0.25 * i, np.float32)], axis=1)   # B = 6
        if i == 3:
            objs = np.concatenate([objs, [[1, 0.6, 0.1, 0.6, 0.4, 0.0]]], axis=0)   # xmax == xmin: dropped
        header = [2, 6] if i % 2 else [4, 6, 7.0, 8.0]
        items.append((np.concatenate([header, objs.ravel()]).astype(np.float32), image))
    return items


def det_iter_runs():
    runs = {}
    arrays = {}
    for mode in ("pad", "discard", "roll_over"):
        for indexed in (True, False):
            kwargs = {"path_imgidx": os.path.join(HERE, "det.idx")} if indexed else {}
            it = mx.image.ImageDetIter(3, (3, SIZE, SIZE), path_imgrec=os.path.join(HERE, "det.rec"),
                                       last_batch_handle=mode, mean=True, std=True, **kwargs)
            key = f"det_{mode}_{'idx' if indexed else 'seq'}"
            batches = []
            for epoch in range(2):
                for j, b in enumerate(it):
                    arrays[f"{key}_e{epoch}_b{j}_data"] = b.data[0].asnumpy()
                    batches.append({"epoch": epoch, "label": b.label[0].asnumpy().tolist(), "pad": b.pad})
                it.reset()
            runs[key] = {"label_shape": list(it.label_shape), "batches": batches}
    return runs, arrays


def cls_iter_runs(rng):
    items = [(float(i), rng.randint(0, 256, (SIZE, SIZE, 3)).astype(np.uint8)) for i in range(7)]
    write_records("cls", items)
    runs = {}
    for mode in ("pad", "discard", "roll_over"):
        it = mx.image.ImageIter(3, (3, SIZE, SIZE), path_imgrec=os.path.join(HERE, "cls.rec"),
                                path_imgidx=os.path.join(HERE, "cls.idx"), last_batch_handle=mode)
        out = []
        for epoch in range(2):
            out += [{"epoch": epoch, "label": b.label[0].asnumpy().tolist(), "pad": b.pad} for b in it]
            it.reset()
        runs[mode] = out
    return runs


def decoding():
    rng = np.random.RandomState(5)
    grey = rng.randint(0, 256, (5, 7)).astype(np.uint8)
    bgra = rng.randint(0, 256, (5, 7, 4)).astype(np.uint8)
    arrays = {}
    for name, image in (("grey", grey), ("bgra", bgra)):
        png = cv2.imencode(".png", image)[1].tobytes()
        arrays[f"png_{name}"] = np.frombuffer(png, np.uint8)
        arrays[f"decoded_{name}_rgb"] = mx.image.imdecode(png).asnumpy()
        arrays[f"decoded_{name}_grey"] = mx.image.imdecode(png, flag=0).asnumpy()
        arrays[f"decoded_{name}_bgr"] = mx.image.imdecode(png, to_rgb=False).asnumpy()
    return arrays


def geometry():
    img = mx.nd.zeros((37, 53, 3), dtype="uint8")
    out = {"scale_down": [[list(s), list(c), list(mx.image.scale_down(s, c))]
                          for s, c in (((640, 480), (720, 120)), ((100, 50), (30, 80)), ((20, 20), (10, 10)))],
           "center_crop": [[list(c), list(mx.image.center_crop(img, c)[1])] for c in ((10, 10), (60, 20), (53, 37))],
           "resize_short": [[s, list(mx.image.resize_short(img, s).shape)] for s in (10, 37, 64)]}
    augs = mx.image.CreateDetAugmenter((3, 256, 256), mean=True, rand_crop=1, min_object_covered=0.95,
                                       max_attempts=200, rand_pad=0.5, rand_mirror=True, brightness=0.1,
                                       hue=0.1, pca_noise=0.1, rand_gray=0.1)
    out["det_augmenters"] = [json.dumps(a.dumps()) if not isinstance(a.dumps(), str) else a.dumps() for a in augs]
    return out


def main():
    rng = np.random.RandomState(0)
    write_records("det", det_items(rng))
    det_runs, det_arrays = det_iter_runs()
    doc = {"crop_rules": crop_rules(rng), "pad_rules": pad_rules(rng), "ndarray_iter": ndarray_iter_runs(),
           "det_iter": det_runs, "cls_iter": cls_iter_runs(rng), "geometry": geometry()}
    with open(os.path.join(HERE, "oracle.json"), "w") as handle:
        json.dump(doc, handle)
    np.savez_compressed(os.path.join(HERE, "oracle.npz"), **det_arrays, **decoding())


if __name__ == "__main__":
    main()
