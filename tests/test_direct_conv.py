"""The direct 3x3 pad-1 convolution for thin layers (ssdkit.ops.kernels.direct) against a float64 tap-by-tap
convolution, compiled (numba) or, with SSDKIT_JIT=0 or without numba, as the plain loops (tiny shapes:
slow but the same numbers); and its dispatch in ssdkit.ops.kernels.conv. No timings here
(benchmarks/bench_conv.py measures).
"""
import numpy as np
import pytest

from ssdkit.ops import kernels as K
from ssdkit.ops.kernels import direct as D
from ssdkit.ops.kernels.conv import flipped
from ssdkit.ops.kernels.jit import jit_available
from test_winograd import F32_TOL, _direct, _direct_grads, _rel

# (N, C, F, H, W): odd and even sizes and filter counts, one pixel, one row, more images than units
SHAPES = [(2, 3, 16, 17, 20), (1, 5, 3, 9, 8), (2, 16, 16, 12, 33), (1, 1, 1, 1, 1), (2, 2, 5, 3, 2),
          (9, 4, 2, 4, 5), (1, 3, 4, 1, 7)]


def _operands(shape, seed=0, dtype=np.float32):
    n, c, f, h, w = shape
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((n, c, h, w)).astype(dtype), rng.standard_normal((f, c, 3, 3)).astype(dtype),
            rng.standard_normal((n, f, h, w)).astype(dtype))


@pytest.fixture(params=["default-bands", "tiny-bands"])
def bands(request, monkeypatch):
    """Default bands (one per image here), and bands of two rows, several per work unit."""
    if request.param == "tiny-bands":
        monkeypatch.setattr(D, "BAND_ELEMS", 1)
        monkeypatch.setattr(D, "MIN_BAND_ROWS", 2)
    return request.param


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_direct_kernels_match_float64_convolution(shape, bands):
    x, w, dy = _operands(shape)
    y = D.direct_forward(x, w)
    assert y.dtype == np.float32 and _rel(y, _direct(x, w, (1, 1))) < F32_TOL
    dx_ref, dw_ref = _direct_grads(x, w, dy.astype(np.float64), (1, 1))
    dx = D.direct_forward(dy, flipped(w, 1))                 # the data gradient, as conv.data_grad runs it
    assert dx.shape == x.shape and _rel(dx, dx_ref) < F32_TOL
    dw = D.direct_weight_grad(x, dy)
    assert dw.dtype == np.float32 and dw.shape == w.shape and _rel(dw, dw_ref) < F32_TOL


def test_float64_in_float64_out_to_rounding():
    x, w, dy = _operands((2, 3, 4, 6, 5), seed=1, dtype=np.float64)
    y = D.direct_forward(x, w)
    assert y.dtype == np.float64 and _rel(y, _direct(x, w, (1, 1))) < 1e-14
    dw = D.direct_weight_grad(x, dy)
    assert dw.dtype == np.float64 and _rel(dw, _direct_grads(x, w, dy, (1, 1))[1]) < 1e-14


def test_scale_bias_and_relu_in_the_order_of_the_gemm_path():
    x, w, _ = _operands((2, 4, 5, 6, 7), seed=2)
    b, scale = np.linspace(-1, 1, 5).astype(np.float32), np.linspace(-2, 3, 5).astype(np.float32)
    plain = D.direct_forward(x, w, bias=b)
    assert _rel(plain, _direct(x, w, (1, 1)) + b[:, None, None]) < F32_TOL
    np.testing.assert_array_equal(D.direct_forward(x, w, bias=b, relu=True), np.maximum(plain, 0))
    y = D.direct_forward(x, w, bias=b, relu=True, scale=scale)
    assert _rel(y, np.maximum(_direct(x, w, (1, 1)) * scale[:, None, None] + b[:, None, None], 0)) < F32_TOL


def test_non_contiguous_operands_and_nan_kept():
    x, w, dy = _operands((2, 3, 4, 5, 6), seed=3)
    view = np.asfortranarray(x)[:, :, ::-1]
    assert _rel(D.direct_forward(view, w), _direct(np.ascontiguousarray(view), w, (1, 1))) < F32_TOL
    assert _rel(D.direct_weight_grad(view, dy[:, :, ::-1]),
                _direct_grads(np.ascontiguousarray(view), w, dy[:, :, ::-1].astype(np.float64), (1, 1))[1]) < F32_TOL
    x[0, 0, 2, 3] = np.nan
    y = D.direct_forward(x, w, relu=True)
    assert np.isnan(y[0, :, 1:4, 2:5]).all() and not np.isnan(y[1]).any()


def test_weight_gradient_is_deterministic():
    x, w, dy = _operands((5, 3, 4, 8, 9), seed=4)
    first = D.direct_weight_grad(x, dy)
    for _ in range(3):
        np.testing.assert_array_equal(D.direct_weight_grad(x, dy), first)


def test_dispatch_only_for_thin_float32_3x3_pad1_on_large_maps(monkeypatch):
    one = (1, 1)
    thin = ((2, 16, 256, 256), (16, 16, 3, 3), one, one, one, 1, np.float32)
    assert D.direct_wins(*thin) is jit_available()
    assert D.direct_wins((8, 64, 64, 64), (64, 64, 3, 3), one, one, one, 1, np.float32) is jit_available()
    monkeypatch.setattr(D, "DIRECT", False)
    assert not D.direct_wins(*thin)
    monkeypatch.setattr(D, "DIRECT", True)
    for changed in ({1: (16, 16, 1, 1)}, {2: (2, 2)}, {3: (2, 2)}, {4: (2, 2)}, {5: 2}, {6: np.float64},
                    {0: (2, 96, 256, 256)}, {1: (96, 16, 3, 3)}, {0: (2, 16, 32, 64)}):
        args = list(thin)
        for index, value in changed.items():
            args[index] = value
        assert not D.direct_wins(*args), changed


@pytest.mark.skipif(not jit_available(), reason="the direct kernels are dispatched only when compiled")
def test_public_conv2d_takes_the_direct_path_and_matches(monkeypatch):
    """conv2d_forward / conv2d_backward on a (shrunk) thin layer: the direct path, the direct results."""
    monkeypatch.setattr(D, "MIN_PIXELS", 1)
    calls = []
    for name in ("direct_forward", "direct_weight_grad"):
        original = getattr(K.conv, name)
        monkeypatch.setattr(K.conv, name, lambda *a, _f=original, _n=name, **k: calls.append(_n) or _f(*a, **k))
    x, w, dy = _operands((3, 3, 8, 10, 11), seed=5)
    b = np.arange(8, dtype=np.float32)
    y, saved = K.conv2d_forward(x, w, b, pad=1)
    assert _rel(y, _direct(x, w, (1, 1)) + b[:, None, None]) < F32_TOL
    dx, dw, db = K.conv2d_backward(saved, dy)
    dx_ref, dw_ref = _direct_grads(x, w, dy.astype(np.float64), (1, 1))
    assert _rel(dx, dx_ref) < F32_TOL and _rel(dw, dw_ref) < F32_TOL
    np.testing.assert_allclose(db, dy.sum(axis=(0, 2, 3)), rtol=1e-5)
    assert calls == ["direct_forward", "direct_forward", "direct_weight_grad"]
