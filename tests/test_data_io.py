"""mx.io: DataDesc/DataBatch and NDArrayIter's last-batch modes against MXNet 1.9.1 (tests/data/image_oracle)."""
import json
from pathlib import Path

import numpy as np
import pytest

import ssdkit as mx
from ssdkit.base import MXNetError
from ssdkit.io import DataBatch, DataDesc, NDArrayIter, ResizeIter

ORACLE = Path(__file__).resolve().parent / "data" / "image_oracle" / "oracle.json"


def _runs():
    if not ORACLE.exists():
        return []
    return json.loads(ORACLE.read_text())["ndarray_iter"]


@pytest.mark.parametrize("run", _runs(), ids=lambda r: f"{r['num']}-{r['batch']}-{r['mode']}")
def test_ndarray_iter_matches_mxnet(run):
    num, batch = run["num"], run["batch"]
    it = NDArrayIter(np.arange(num, dtype=np.float32).reshape(num, 1), np.arange(num), batch,
                     last_batch_handle=run["mode"])
    for expected in run["epochs"]:
        got = [[b.data[0].asnumpy().ravel().tolist(), b.label[0].asnumpy().tolist(), b.pad] for b in it]
        assert got == expected
        it.reset()


def test_ndarray_iter_descriptions_and_names():
    it = NDArrayIter({"b": np.zeros((6, 2)), "a": np.ones((6, 3))}, [np.zeros(6), np.ones(6)], batch_size=4)
    assert [d.name for d in it.provide_data] == ["a", "b"]
    assert [d.name for d in it.provide_label] == ["_0_softmax_label", "_1_softmax_label"]
    assert it.provide_data[0] == ("a", (4, 3)) and it.provide_data[0].dtype == np.float32


def test_ndarray_iter_shuffle_is_seeded_and_keeps_pairs():
    data = np.arange(12, dtype=np.float32).reshape(12, 1)
    runs = []
    for _ in range(2):
        mx.random.seed(5)
        it = NDArrayIter(data, np.arange(12) * 10, batch_size=4, shuffle=True)
        runs.append([(b.data[0].asnumpy().ravel(), b.label[0].asnumpy()) for b in it])
    for (x1, y1), (x2, y2) in zip(*runs):
        np.testing.assert_array_equal(x1, x2)
        np.testing.assert_array_equal(y1, x1 * 10)
    assert sorted(np.concatenate([x for x, _ in runs[0]]).tolist()) == list(range(12))


def test_ndarray_iter_errors():
    with pytest.raises(MXNetError, match="last_batch_handle"):
        NDArrayIter(np.zeros(3), last_batch_handle="wrap")
    with pytest.raises(MXNetError, match="examples"):   # fewer labels than data (more are allowed, as MXNet)
        NDArrayIter(np.zeros(4), np.zeros(3))


def test_data_desc_and_batch():
    desc = DataDesc("data", (2, 3), np.int32, "NTC")
    assert desc == ("data", (2, 3)) and desc.dtype == np.int32 and DataDesc.get_batch_axis(desc.layout) == 0
    assert repr(DataDesc("x", (1,))) == "DataDesc[x,(1,),<class 'numpy.float32'>,NCHW]"
    batch = DataBatch([mx.nd.zeros((2, 3))], [mx.nd.zeros((2,))], pad=1)
    assert str(batch) == "DataBatch: data shapes: [(2, 3)] label shapes: [(2,)]" and batch.pad == 1
    with pytest.raises(MXNetError, match="list"):
        DataBatch(mx.nd.zeros((1,)))


def test_resize_iter_restarts_inner_iterator():
    it = ResizeIter(NDArrayIter(np.arange(4), batch_size=2), 5)
    firsts = [b.data[0].asnumpy()[0] for b in it]
    assert firsts == [0, 2, 0, 2, 0]
