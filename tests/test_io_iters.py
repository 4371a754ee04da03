"""mx.io file iterators (CSVIter, MNISTIter, ImageRecordIter) batch for batch against MXNet 1.9.1
(tests/data/io_oracle, made by make_io_oracle.py), PrefetchingIter, LibSVMIter's refusal."""
import json
import os

import numpy as np
import pytest

import ssdkit as mx

HERE = os.path.join(os.path.dirname(__file__), "data", "io_oracle")
ORACLE = np.load(os.path.join(HERE, "io_oracle.npz"))
META = json.load(open(os.path.join(HERE, "io_oracle.json")))["cases"]
P = lambda name: os.path.join(HERE, name)  # noqa: E731

MAKERS = {
    "csv_round": lambda: mx.io.CSVIter(data_csv=P("data.csv"), data_shape=(2, 3), label_csv=P("label.csv"),
                                       label_shape=(2,), batch_size=3),
    "csv_noround": lambda: mx.io.CSVIter(data_csv=P("data.csv"), data_shape=(6,), batch_size=3, round_batch=False),
    "csv_int": lambda: mx.io.CSVIter(data_csv=P("data.csv"), data_shape=(6,), batch_size=4, dtype="int32"),
    "mnist": lambda: mx.io.MNISTIter(image=P("tiny-images-idx3-ubyte"), label=P("tiny-labels-idx1-ubyte"),
                                     batch_size=4, shuffle=False),
    "mnist_flat": lambda: mx.io.MNISTIter(image=P("tiny-images-idx3-ubyte"), label=P("tiny-labels-idx1-ubyte"),
                                          batch_size=5, shuffle=False, flat=True),
    "rec_plain": lambda: mx.io.ImageRecordIter(path_imgrec=P("tiny.rec"), data_shape=(3, 8, 8), batch_size=2,
                                               label_width=2),
    "rec_norm": lambda: mx.io.ImageRecordIter(path_imgrec=P("tiny.rec"), data_shape=(3, 8, 8), batch_size=3,
                                              mean_r=120, mean_g=110, mean_b=100, std_r=50, std_g=60, std_b=70,
                                              label_width=2, preprocess_threads=2),
    "rec_resize": lambda: mx.io.ImageRecordIter(path_imgrec=P("tiny.rec"), data_shape=(3, 6, 6), batch_size=5,
                                                resize=7, round_batch=False, label_width=2),
}

# ssdkit resizes with Pillow's bilinear filter, MXNet with OpenCV's INTER_LINEAR: on these noise images the
# resized pixels differ (up to ~90 grey levels), so with ``resize`` only shapes, labels and padding are compared.
RESAMPLED = ("rec_resize",)


@pytest.mark.parametrize("key", sorted(MAKERS))
def test_batches_equal_mxnet(key):
    case, it = META[key], MAKERS[key]()
    assert [[d.name, list(d.shape)] for d in it.provide_data] == case["provide_data"]
    assert [[d.name, list(d.shape)] for d in it.provide_label] == case["provide_label"]
    got = []
    for epoch in range(1 + max(e for e, _, _ in case["batches"])):
        if epoch:
            it.reset()
        for n, batch in enumerate(it):
            got.append([epoch, n, int(batch.pad or 0)])
            want = ORACLE[f"{key}/e{epoch}/b{n}/data"]
            assert batch.data[0].dtype == want.dtype
            if key in RESAMPLED:   # shapes only: see RESAMPLED
                assert batch.data[0].shape == want.shape
            else:
                np.testing.assert_allclose(batch.data[0].asnumpy(), want, rtol=1e-5, atol=1e-5,
                                           err_msg=f"{key} epoch {epoch} batch {n}")
            np.testing.assert_array_equal(batch.label[0].asnumpy(), ORACLE[f"{key}/e{epoch}/b{n}/label"])
    assert got == case["batches"]


def test_iterators_name_their_problems(tmp_path):
    with pytest.raises(mx.MXNetError, match="label_width is 1"):
        next(mx.io.ImageRecordIter(path_imgrec=P("tiny.rec"), data_shape=(3, 8, 8), batch_size=2))
    with pytest.raises(mx.MXNetError, match="sparse"):
        mx.io.LibSVMIter(data_libsvm="x", data_shape=(3,), batch_size=1)
    with pytest.raises(mx.MXNetError, match="needs 5"):
        mx.io.CSVIter(data_csv=P("data.csv"), data_shape=(5,), batch_size=2)
    with pytest.raises(mx.MXNetError, match="magic number 2049, expected 2051"):
        mx.io.MNISTIter(image=P("tiny-labels-idx1-ubyte"), label=P("tiny-labels-idx1-ubyte"))
    with pytest.raises(mx.MXNetError, match="not supported"):
        mx.io.ImageRecordIter(path_imgrec=P("tiny.rec"), data_shape=(3, 8, 8), batch_size=2, max_rotate_angle=10)


def test_prefetching_iter_joins_and_renames_batches():
    a = mx.io.NDArrayIter(np.arange(12).reshape(6, 2), np.arange(6), batch_size=2)
    b = mx.io.NDArrayIter(np.ones((6, 3)), np.zeros(6), batch_size=2)
    it = mx.io.PrefetchingIter([a, b], rename_data=[{"data": "a"}, {"data": "b"}])
    assert [d.name for d in it.provide_data] == ["a", "b"]
    for epoch in range(2):
        batches = list(it)
        assert len(batches) == 3
        assert batches[1].data[0].asnumpy().tolist() == [[4, 5], [6, 7]] and batches[1].data[1].shape == (2, 3)
        it.reset()


def test_module_fits_from_csv_iter():
    it = mx.io.CSVIter(data_csv=P("data.csv"), data_shape=(6,), batch_size=7)
    net = mx.sym.LinearRegressionOutput(mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=1, name="fc"),
                                        mx.sym.var("softmax_label"), name="lro")
    mod = mx.mod.Module(net)
    mod.fit(it, num_epoch=1, eval_metric="mse", initializer=mx.init.Zero())
    assert mod.get_params()[0]["fc_weight"].shape == (1, 6)


def test_ndarray_iter_reads_only_the_first_examples_of_longer_labels():
    # MXNet counts examples from the first data array; longer label arrays are read up to that count
    it = mx.io.NDArrayIter(np.arange(4).reshape(4, 1), {"label": np.arange(8), "w": np.arange(8) * 10}, batch_size=2)
    batches = list(it)
    assert len(batches) == 2 and [d.name for d in it.provide_label] == ["label", "w"]
    assert batches[1].label[0].asnumpy().tolist() == [2, 3] and batches[1].label[1].asnumpy().tolist() == [20, 30]
    with pytest.raises(mx.MXNetError, match="fewer than the 4 of data"):
        mx.io.NDArrayIter(np.zeros((4, 1)), np.zeros(3), batch_size=2)
