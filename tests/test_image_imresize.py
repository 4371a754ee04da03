"""mx.image.imresize / resize_short give MXNet 1.9.1's (OpenCV's) pixels; oracle in tests/data/imresize_oracle."""
import os

import numpy as np
import pytest

import ssdkit as mx

ORACLE = np.load(os.path.join(os.path.dirname(__file__), "data", "imresize_oracle", "imresize_oracle.npz"))
CASES = sorted(k[3:] for k in ORACLE.files if k.startswith("in_"))


@pytest.mark.parametrize("case", CASES)
def test_imresize_equals_mxnet(case):
    src, want = ORACLE["in_" + case], ORACLE["out_" + case]
    if case.startswith("resize_short"):
        got = mx.image.resize_short(mx.nd.array(src, dtype=src.dtype), 6)
    else:
        w, h = (int(v) for v in case.rsplit("_", 1)[1].split("x"))
        interp = int(case.split("_i")[1].split("_")[0])
        got = mx.image.imresize(mx.nd.array(src, dtype=src.dtype), w, h, interp)
    assert got.dtype == want.dtype and got.shape == want.shape
    if want.dtype == np.uint8:
        np.testing.assert_array_equal(got.asnumpy(), want)
    else:
        np.testing.assert_allclose(got.asnumpy(), want, rtol=1e-5, atol=1e-4)


def test_imresize_matches_the_resize_op_and_transform():
    src = mx.nd.array(np.random.RandomState(3).randint(0, 256, (30, 20, 3)), dtype="uint8")
    want = mx.image.imresize(src, 20, 20, 1).asnumpy()
    np.testing.assert_array_equal(mx.gluon.data.vision.transforms.Resize(20)(src).asnumpy(), want)
    np.testing.assert_array_equal(mx.nd.image.resize(src, (20, 20), False, 1).asnumpy(), want)
