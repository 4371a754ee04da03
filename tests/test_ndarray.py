"""NDArray API, MXNet reshape codes, repr, creation, and .params files against MXNet's own bytes."""
import json
from pathlib import Path

import numpy as np
import pytest

import ssdkit as mx

DATA = Path(__file__).resolve().parent / "data" / "mxnet"


def test_repr_matches_mxnet():
    assert repr(mx.nd.array([[1, 2, 3], [4, 5, 6]])) == "\n[[1. 2. 3.]\n [4. 5. 6.]]\n<NDArray 2x3 @cpu(0)>"


def test_defaults_and_properties():
    a = mx.nd.array([[1, 2], [3, 4]])
    assert a.dtype == np.float32 and a.context == mx.cpu() and a.size == 4 and a.ndim == 2
    assert a.T.asnumpy().tolist() == [[1, 3], [2, 4]]
    assert mx.nd.array(mx.nd.array([1], dtype="int32")).dtype == np.int32  # an NDArray source keeps its dtype
    assert a.astype("float64").dtype == np.float64 and a.asnumpy().dtype == np.float32


@pytest.mark.parametrize("src,code,want", [
    ((2, 3, 4), (4, 0, 2), (4, 3, 2)), ((2, 3, 4), (2, 0, 0), (2, 3, 4)), ((2, 3, 4), (6, 1, -1), (6, 1, 4)),
    ((2, 3, 4), (3, -1, 8), (3, 1, 8)), ((2, 3, 4), (-1,), (24,)), ((2, 3, 4), (-2,), (2, 3, 4)),
    ((2, 3, 4), (2, -2), (2, 3, 4)), ((2, 3, 4), (-2, 1, 1), (2, 3, 4, 1, 1)), ((2, 3, 4), (-3, 4), (6, 4)),
    ((2, 3, 4, 5), (-3, -3), (6, 20)), ((2, 3, 4), (0, -3), (2, 12)), ((2, 3, 4), (-3, -2), (6, 4)),
    ((2, 3, 4), (-4, 1, 2, -2), (1, 2, 3, 4)), ((2, 3, 4), (2, -4, -1, 3, -2), (2, 1, 3, 4)),
])
def test_reshape_special_codes(src, code, want):
    # the table of MXNet's Reshape documentation
    assert mx.nd.zeros(src).reshape(code).shape == want


def test_reshape_reverse_and_errors():
    assert mx.nd.zeros((10, 5, 4)).reshape((-1, 0), reverse=True).shape == (50, 4)
    with pytest.raises(mx.base.ShapeError, match=r"cannot reshape input of shape \(2, 3\) into shape \(4, -1, 5\)"):
        mx.nd.zeros((2, 3)).reshape((4, -1, 5))


def test_arithmetic_broadcast_scalars_inplace():
    a = mx.nd.array([[1, 2, 3]])
    b = mx.nd.array([[10], [20]])
    assert (a + b).shape == (2, 3)
    assert (2 - a).asnumpy().tolist() == [[1, 0, -1]]
    assert (1 / mx.nd.array([2, 4])).asnumpy().tolist() == [0.5, 0.25]
    assert (a > 1).asnumpy().tolist() == [[0, 1, 1]] and (a ** 2).dtype == np.float32
    c = a.copy()
    c += 1
    c *= 2
    assert c.asnumpy().tolist() == [[4, 6, 8]] and a.asnumpy().tolist() == [[1, 2, 3]]


def test_indexing_get_and_set():
    a = mx.nd.arange(12).reshape((3, 4))
    assert a[1].asnumpy().tolist() == [4, 5, 6, 7]
    assert a[1:, 2].asnumpy().tolist() == [6, 10]
    a[0, :] = 0
    a[2] = mx.nd.ones(4)
    assert a.sum().asscalar() == 4 + 5 + 6 + 7 + 4
    with pytest.raises(mx.base.ShapeError, match="cannot assign a value of shape"):
        a[0] = mx.nd.ones(3)


def test_reductions_and_shape_methods():
    a = mx.nd.arange(24).reshape((2, 3, 4))
    assert a.sum(axis=1).shape == (2, 4)
    assert a.mean(axis=(0, 2), keepdims=True).shape == (1, 3, 1)
    assert a.max(axis=1, exclude=True).shape == (3,)
    assert a.argmax(axis=2).asnumpy().tolist() == [[3, 3, 3], [3, 3, 3]]
    assert a.flatten().shape == (2, 12) and a.expand_dims(0).shape == (1, 2, 3, 4)
    assert a.swapaxes(0, 2).shape == (4, 3, 2) and a.transpose(axes=(1, 0, 2)).shape == (3, 2, 4)
    assert mx.nd.zeros((2, 1, 3)).squeeze().shape == (2, 3)


def test_namespace_functions():
    nd = mx.nd
    x = nd.array([[1, 5, 3], [4, 2, 6]])
    assert nd.topk(x, k=2, ret_typ="value").asnumpy().tolist() == [[5, 3], [6, 4]]
    assert nd.pick(x, nd.array([1, 2]), axis=1).asnumpy().tolist() == [5, 6]
    assert nd.one_hot(nd.array([0, 2]), 3).asnumpy().tolist() == [[1, 0, 0], [0, 0, 1]]
    assert nd.where(nd.array([1, 0]), nd.array([1, 2]), nd.array([3, 4])).asnumpy().tolist() == [1, 4]
    assert [p.shape for p in nd.split(x, 3, axis=1)] == [(2, 1)] * 3
    assert nd.stack(x, x, axis=0).shape == (2, 2, 3)
    assert nd.slice_axis(x, axis=1, begin=1, end=None).shape == (2, 2)
    assert nd.slice_like(x, nd.zeros((1, 2))).shape == (1, 2)
    assert nd.take(x, nd.array([1, 0])).asnumpy().tolist() == [[4, 2, 6], [1, 5, 3]]
    assert nd.batch_dot(nd.ones((2, 3, 4)), nd.ones((2, 4, 5))).shape == (2, 3, 5)
    assert nd.dot(nd.ones((2, 3)), nd.ones((3, 4))).shape == (2, 4)
    assert np.allclose(nd.softmax(x).sum(axis=1).asnumpy(), 1)
    assert np.allclose(nd.SoftmaxActivation(nd.ones((1, 4, 2, 2)), mode="channel").asnumpy(), 0.25)
    assert nd.norm(nd.array([3, 4])).asscalar() == 5
    assert nd.linspace(0, 1, 5).shape == (5,) and nd.eye(3).sum().asscalar() == 3
    assert nd.full((2,), 3).asnumpy().tolist() == [3, 3]


def test_random_is_seeded():
    mx.random.seed(123)
    a = mx.nd.random.normal(shape=(3,)).asnumpy()
    mx.random.seed(123)
    assert np.array_equal(a, mx.nd.random.normal(shape=(3,)).asnumpy())
    assert mx.nd.random.uniform(-1, 1, shape=(2, 2)).dtype == np.float32


def test_gpu_context_is_refused_clearly():
    with pytest.raises(mx.MXNetError, match="CPU only"):
        mx.nd.zeros((1,), ctx=mx.gpu(0))
    assert mx.context.num_gpus() == 0


def test_nd_load_reads_mxnet_files_and_save_writes_identical_bytes():
    z = np.load(DATA / "nd_save_expected.npz")
    loaded = mx.nd.load(str(DATA / "nd_save_dict.params"))
    for key, arr in loaded.items():
        np.testing.assert_array_equal(arr.asnumpy(), z[f"dict/{key}"])
        assert arr.asnumpy().dtype == z[f"dict/{key}"].dtype
    for name in ("nd_save_dict", "nd_save_list", "nd_save_single"):
        raw = (DATA / f"{name}.params").read_bytes()
        assert mx.nd.save_tobytes(mx.nd.load_frombuffer(raw)) == raw, name
    with mx.np_shape():  # saved under np shape semantics: MXNet 1.9.1 loads it only under them
        np_shape = mx.nd.load(str(DATA / "nd_save_np_shape.params"))
    assert np_shape["empty_3d"].shape == (2, 0, 3) and float(np_shape["scalar_f32"].asnumpy()) == 3.5
    with pytest.raises(mx.nd.ParamFileError, match="np shape semantics"):
        mx.nd.load(str(DATA / "nd_save_np_shape.params"))


def test_bad_params_files_are_refused_with_the_file_name(tmp_path):
    good = mx.nd.save_tobytes({"w": mx.nd.ones((2, 2))})
    cases = {"truncated": good[:-3], "magic": b"\x00" * 8 + good[8:], "trailing": good + b"x"}
    for label, raw in cases.items():
        path = tmp_path / f"{label}.params"
        path.write_bytes(raw)
        with pytest.raises(mx.nd.ParamFileError, match=str(path.name)):
            mx.nd.load(str(path))
    pickled = tmp_path / "pickle.params"
    pickled.write_bytes(b"\x80\x04\x95" + b"\x00" * 40)  # a pickle header is just a wrong magic here
    with pytest.raises(mx.nd.ParamFileError):
        mx.nd.load(str(pickled))


def test_relu_on_large_arrays_runs_in_chunks_and_equals_the_plain_formula(monkeypatch):
    from ssdkit.ops import elemwise
    monkeypatch.setattr(elemwise, "RELU_PARALLEL_MIN_ELEMENTS", 64)
    monkeypatch.setattr(elemwise, "RELU_CHUNK_ELEMENTS", 100)          # many runs, uneven last one
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 5, 7, 11)).astype(np.float32)
    dy = rng.standard_normal((3, 11, 7, 5)).astype(np.float32).transpose(0, 3, 2, 1)   # not contiguous
    a = mx.nd.array(x)
    a.attach_grad()
    with mx.autograd.record():
        y = mx.nd.Activation(a, act_type="relu")
    y.backward(mx.nd.array(dy))
    np.testing.assert_array_equal(y.asnumpy(), np.maximum(x, 0))
    np.testing.assert_array_equal(a.grad.asnumpy(), dy * (x > 0))
    assert y.dtype == np.float32 and a.grad.dtype == np.float32


def test_relu_gradient_passes_nan_as_mxnet():
    x = mx.nd.array([np.nan, -1.0, 2.0, np.inf, -np.inf])
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.relu(x)
    y.backward()
    np.testing.assert_array_equal(x.grad.asnumpy(), [np.nan, 0, 1, 1, 0])
    np.testing.assert_array_equal(mx.nd.maximum(x, mx.nd.zeros(5)).asnumpy(), np.maximum(x.asnumpy(), 0))


def test_setstate_reads_mxnet_raw_bytes_never_pickle():
    import struct
    import pickle
    # what MXNet 1.9.1's mx.nd.arange(1, ctx=mx.gpu()).__getstate__() holds: one float32 0.0 saved on gpu(0)
    raw = struct.pack("<Iiiqiii", 0xF993FAC9, 0, 1, 1, 2, 0, 0) + bytes(4)
    a = mx.nd.arange(3)
    a.__setstate__({"handle": bytearray(raw)})
    assert a.shape == (1,) and a.context == mx.cpu() and a.asnumpy()[0] == 0
    with pytest.raises(mx.base.MXNetError, match="trailing"):
        a.__setstate__({"handle": raw + b"x"})
    with pytest.raises(mx.base.MXNetError, match="refuses pickling"):
        pickle.dumps(a)
