"""mx.test_utils: MXNet's test helpers over ssdkit (tolerances, symbolic checks, environment, download)."""
import os

import numpy as np
import pytest

import ssdkit as mx
from ssdkit import test_utils as tu


def test_assert_almost_equal_defaults_and_signature():
    tu.assert_almost_equal(np.float32([1.0]), np.float32([1.0005]))            # float32 atol 1e-3
    with pytest.raises(AssertionError, match="Location of maximum error: \\(1,\\), x=2.00000000, y=3.00000000"):
        tu.assert_almost_equal(mx.nd.array([1, 2]), np.array([1.0, 3.0]), names=("x", "y"))
    tu.assert_almost_equal(np.array([np.nan, 1]), np.array([np.nan, 1]), equal_nan=True)
    with pytest.raises(AssertionError):
        tu.assert_almost_equal(np.array([np.nan]), np.array([np.nan]))
    tu.assert_almost_equal(np.array([1.0]), np.array([1.5]), rtol=0.5, atol=0)
    tu.assert_almost_equal(np.array([1.0]), np.array([1.5]), atol={np.dtype(np.float64): 1.0})
    assert tu.almost_equal(np.ones(3), np.ones(3)) and not tu.almost_equal(np.ones(3), np.zeros(3))
    assert tu.same(mx.nd.ones((2,)), np.ones(2))
    tu.assert_exception(mx.nd.array([1]).reshape, mx.MXNetError, (5,))


@pytest.mark.parametrize("equal_nan", [False, True])
def test_blocked_allclose_equals_numpy_allclose(monkeypatch, equal_nan):
    from ssdkit.testing import compare
    monkeypatch.setattr(compare, "ALLCLOSE_BLOCK", 7)
    rng = np.random.default_rng(3)
    a = rng.standard_normal((5, 9)).astype(np.float32)
    for where, value in [(None, None), ((4, 8), np.nan), ((0, 0), 1.0), ((4, 8), 1e-5), ((2, 3), np.inf)]:
        b = a.copy()
        if where is not None:
            b[where] += value
        expected = bool(np.allclose(a, b, rtol=1e-5, atol=1e-6, equal_nan=equal_nan))
        assert compare.blocked_allclose(a, b, 1e-5, 1e-6, equal_nan) is expected
        c = a.copy(); c[4, 8] = np.nan; d = b.copy(); d[4, 8] = np.nan  # NaN in both, in the last block
        assert compare.blocked_allclose(c, d, 1e-5, 1e-6, equal_nan) is bool(
            np.allclose(c, d, rtol=1e-5, atol=1e-6, equal_nan=equal_nan))
    assert compare.blocked_allclose(a, a[0], 1e-5, 1e-6) is bool(np.allclose(a, a[0], 1e-5, 1e-6))  # broadcast


def test_random_helpers():
    np.random.seed(1)
    assert tu.rand_ndarray((3, 2)).shape == (3, 2)
    assert all(1 <= d <= 10 for d in tu.rand_shape_2d() + tu.rand_shape_3d() + tu.rand_shape_nd(4))
    a, b = tu.random_arrays((2,), (3, 1))
    assert a.dtype == np.float32 and b.shape == (3, 1)
    with pytest.raises(mx.MXNetError, match="csr"):
        tu.rand_ndarray((2, 2), stype="csr")
    assert tu.default_context() == mx.cpu()


def test_set_default_context():
    try:
        tu.set_default_context(mx.cpu(1))
        assert mx.current_context() == mx.cpu(1) == tu.default_context()
    finally:
        tu.set_default_context(None)
    assert mx.current_context() == mx.cpu(0)


def test_symbolic_checks_and_numeric_gradient():
    data = mx.sym.var("data")
    fc = mx.sym.FullyConnected(data, num_hidden=3, name="fc")
    out = mx.sym.Activation(fc, act_type="tanh")
    x, w, b = np.random.randn(2, 4), np.random.randn(3, 4), np.random.randn(3)
    y = np.tanh(x @ w.T + b)
    tu.check_symbolic_forward(out, [x, w, b], [y], rtol=1e-5, atol=1e-5)
    dy = np.random.randn(2, 3)
    dz = dy * (1 - y ** 2)
    grads = tu.check_symbolic_backward(out, {"data": x, "fc_weight": w, "fc_bias": b}, [dy],
                                       {"data": dz @ w, "fc_weight": dz.T @ x, "fc_bias": dz.sum(0)},
                                       rtol=1e-4, atol=1e-4, grad_req={"data": "null", "fc_weight": "add",
                                                                       "fc_bias": "write"})
    assert set(grads) == {"data", "fc_weight", "fc_bias"}
    tu.check_numeric_gradient(out, [x, w, b])
    with pytest.raises(AssertionError):   # a wrong backward is caught: BlockGrad hides the gradient
        tu.check_numeric_gradient(mx.sym.BlockGrad(data) * 2, [np.ones(3)])
    with pytest.raises(AssertionError):
        tu.check_symbolic_forward(out, [x, w, b], [y + 1])


def test_environment_and_download(tmp_path):
    os.environ["SSDKIT_TU_KEEP"] = "old"
    with tu.environment({"SSDKIT_TU_KEEP": "new", "SSDKIT_TU_NEW": "1"}):
        assert os.environ["SSDKIT_TU_KEEP"] == "new" and os.environ["SSDKIT_TU_NEW"] == "1"
    assert os.environ.pop("SSDKIT_TU_KEEP") == "old" and "SSDKIT_TU_NEW" not in os.environ
    with pytest.raises(tu.OfflineDownloadError, match="put it at"):
        tu.download("http://data.mxnet.io/a.rec", dirname=str(tmp_path))
    (tmp_path / "a.rec").write_bytes(b"x")
    assert tu.download("http://data.mxnet.io/a.rec", dirname=str(tmp_path)) == str(tmp_path / "a.rec")


def test_check_consistency_compares_dtypes_and_catches_a_difference():
    x = mx.sym.var("x")
    sym = mx.sym.FullyConnected(mx.sym.tanh(x), num_hidden=2, name="fc")
    ctx = [{"ctx": mx.cpu(), "x": (3, 4), "type_dict": {"x": np.float64, "fc_weight": np.float64, "fc_bias": np.float64}},
           {"ctx": mx.cpu(), "x": (3, 4), "type_dict": {"x": np.float32, "fc_weight": np.float32, "fc_bias": np.float32}}]
    gt = tu.check_consistency(sym, ctx)
    assert gt["fc_output"].dtype == np.float64 and set(gt) == {"fc_output", "x", "fc_weight", "fc_bias"}
    same_args = [mx.sym.FullyConnected(mx.sym.tanh(x), num_hidden=2, name="fc"),
                 mx.sym.FullyConnected(mx.sym.sigmoid(x), num_hidden=2, name="fc")]
    with pytest.raises(AssertionError):
        tu.check_consistency(same_args, [dict(ctx[0]), dict(ctx[0])])
    twice = [mx.sym.identity(x * 2, name="o"), mx.sym.identity(x + x, name="o")]
    grads = tu.check_consistency(twice, [{"ctx": mx.cpu(), "x": (2,)}] * 2, grad_req="add",
                                 arg_params={"x": np.array([1.0, 2.0])})
    np.testing.assert_array_equal(grads["x"].asnumpy(), [4, 8])   # backward is fed the outputs (2x): 2 * 2x


def test_symbol_fluent_methods_are_the_ops():
    x, r = mx.sym.var("x"), mx.sym.var("r")
    assert x.reshape_like(r).infer_shape(x=(6,), r=(2, 3))[1] == [(2, 3)]
    assert x.depth_to_space(2).infer_shape(x=(1, 8, 2, 2))[1] == [(1, 2, 4, 4)]
    assert x.space_to_depth(2).infer_shape(x=(1, 2, 4, 4))[1] == [(1, 8, 2, 2)]
    assert mx.sym.split_v2(x, (1, 3), axis=1).infer_shape(x=(2, 6))[1] == [(2, 1), (2, 2), (2, 3)]
    assert x.split_v2(3, axis=1, squeeze_axis=False).infer_shape(x=(2, 6))[1] == [(2, 2)] * 3
    nd = mx.nd.arange(16).reshape((1, 4, 2, 2))
    np.testing.assert_array_equal(nd.depth_to_space(2).space_to_depth(2).asnumpy(), nd.asnumpy())
