"""The compiled BatchNorm-ReLU-pool and max-pool loops (ops/kernels/norm_pool_jit.py) against the numpy kernels.

Each case runs the same op on the numpy path (SSDKIT_JIT=0) and on the compiled one: outputs must be identical
bits, input gradients equal to float32 rounding of the reductions (numpy sums in float32, the loops in float64).
CI runs this file with numba (the test extra) and again with SSDKIT_JIT=0, where the compiled cases skip and
the rest checks the numpy path alone.
"""
import numpy as np
import pytest

from ssdkit.ops import batchnorm, get_op
from ssdkit.ops.kernels import jit, norm_pool_jit

#: Whether this run may take the compiled path at all (numba installed and SSDKIT_JIT not 0 when it started).
COMPILED = jit.jit_available()
SHAPES = [(2, 3, 8, 8), (3, 4, 7, 9), (1, 1, 2, 2), (4, 16, 32, 32)]
BN_PARAMS = [{"fix_gamma": False}, {"fix_gamma": True}, {"fix_gamma": False, "use_global_stats": True}]
POOL_PARAMS = [{"kernel": (2, 2), "stride": (2, 2)}, {"kernel": (3, 3), "stride": (3, 3)},
               {"kernel": (2, 2), "stride": (2, 2), "pooling_convention": "full"},
               {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1)}]


def _run(monkeypatch, path, name, params, inputs):
    monkeypatch.setenv(jit.ENV_VAR, "0" if path == "numpy" else "1")
    monkeypatch.setattr(batchnorm, "COMPILED_MIN_ELEMENTS", 0)      # tiny arrays take the compiled path too
    op = get_op(name)
    p = op.parse_params(params)
    inputs = [a.copy() for a in inputs]
    outs, saved = op.forward(p, inputs, True)
    dy = np.random.default_rng(1).standard_normal(outs[0].shape).astype(outs[0].dtype)
    return outs, op.backward(p, saved, [dy]), inputs


def _compiled_or_skip():
    if not COMPILED:
        pytest.skip("compiled path unavailable (numba missing or SSDKIT_JIT=0): the numpy path is tested alone")


def _bn_inputs(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    c = shape[1]
    x = (rng.standard_normal(shape) * 2 + 0.5).astype(dtype)
    return [x, (rng.random(c) + 0.5).astype(dtype), rng.standard_normal(c).astype(dtype), np.zeros(c, dtype),
            np.ones(c, dtype)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("params", BN_PARAMS)
@pytest.mark.parametrize("name", ["_fused_bn_relu_pool", "_fused_bn_relu"])
def test_fused_bn_relu_ops_compiled_equal_numpy(monkeypatch, name, params, shape, dtype):
    inputs = _bn_inputs(shape, dtype)
    want_outs, want_grads, want_aux = _run(monkeypatch, "numpy", name, params, inputs)
    _compiled_or_skip()
    outs, grads, aux = _run(monkeypatch, "jit", name, params, inputs)
    for got, want in zip(outs, want_outs):
        np.testing.assert_array_equal(got, want)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    for got, want in zip(grads, want_grads):
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol * np.abs(want).max())
    for got, want in zip(aux, want_aux):      # the running statistics moved the same way
        np.testing.assert_allclose(got, want, rtol=tol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("params", POOL_PARAMS)
def test_max_pooling_compiled_equals_numpy_bit_for_bit(monkeypatch, params, shape, dtype):
    if shape[2] < params["kernel"][0] or shape[3] < params["kernel"][1]:
        pytest.skip("kernel larger than the image")
    x = np.random.default_rng(0).integers(-3, 4, shape).astype(dtype)    # many ties: the first tap must win
    x.flat[::7] = np.nan                                                   # a NaN never wins
    want_outs, want_grads, _ = _run(monkeypatch, "numpy", "Pooling", params, [x])
    _compiled_or_skip()
    outs, grads, _ = _run(monkeypatch, "jit", "Pooling", params, [x])
    np.testing.assert_array_equal(outs[0], want_outs[0])
    np.testing.assert_array_equal(grads[0], want_grads[0])


def test_fused_pool_ties_and_negatives_route_like_pooling(monkeypatch):
    """A window whose ReLU'd values tie (all negative: all 0) passes no gradient; a positive tie goes to the first."""
    x = np.array([[[[-1, -2, 3, 3], [-3, -4, 1, 2]]]], np.float32)
    inputs = [x, np.ones(1, np.float32), np.zeros(1, np.float32), np.zeros(1, np.float32), np.ones(1, np.float32)]
    params = {"fix_gamma": False, "use_global_stats": True, "eps": 0.0}
    for path in ["numpy"] + (["jit"] if COMPILED else []):
        outs, grads, _ = _run(monkeypatch, path, "_fused_bn_relu_pool", params, inputs)
        np.testing.assert_array_equal(outs[0], [[[[0, 3]]]])
        dx = grads[0][0, 0]
        assert (dx[:, :2] == 0).all() and dx[0, 2] != 0 and (dx.ravel()[[3, 6, 7]] == 0).all()


def test_kernels_run_without_numba_too(monkeypatch):
    """The loop functions are plain Python when numba is off (slow; tiny arrays): same numbers."""
    monkeypatch.setenv(jit.ENV_VAR, "0")
    planes = np.random.default_rng(0).standard_normal((2, 4, 6)).astype(np.float32)
    out = np.empty((2, 2, 3), np.float32)
    norm_pool_jit.max_pool_planes(planes, out, 2, 2)
    np.testing.assert_array_equal(out, planes.reshape(2, 2, 2, 3, 2).max(axis=(2, 4)))
