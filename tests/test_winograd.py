"""Winograd F(2x2, 3x3) convolution (ssdkit.ops.kernels.winograd) against a float64 direct convolution,
and the dispatch in ssdkit.ops.kernels.conv: every path (forward, data gradient, weight gradient; the
Winograd ones and the im2col ones) on many shapes: odd and even sizes, pad 0, 1 and 2, batch 1, single
pixel maps, several blocks and multi-image blocks. No timings here (benchmarks/bench_conv.py measures).
"""
import numpy as np
import pytest

from ssdkit.ops import kernels as K
from ssdkit.ops.kernels import winograd as W
from ssdkit.ops.kernels.conv import flipped

#: Relative error bound (max |err| / max |reference|) for float32 results. Measured worst over SHAPES and
#: ToySSD-like layers up to 128 channels: Winograd 4.8e-7 forward, 5.6e-7 data and 6.2e-7 weight
#: gradient; the im2col path 6.5e-7, 6.7e-7, 6.0e-7 on the same operands.
F32_TOL = 2e-6

# (N, C, F, H, W, pad)
SHAPES = [(1, 1, 1, 4, 4, 0), (2, 3, 5, 7, 9, 1), (1, 4, 6, 5, 5, 0), (3, 8, 4, 10, 11, 1),
          (1, 2, 3, 3, 3, 1), (2, 5, 7, 6, 4, 2), (1, 3, 2, 2, 2, 1), (1, 3, 3, 1, 1, 1),
          (4, 16, 16, 33, 17, 1), (1, 32, 40, 16, 16, 1), (2, 6, 3, 3, 8, 0), (5, 7, 9, 9, 2, 2)]


def _direct(x, w, pad):
    """float64 stride-1 3x3 convolution, tap by tap over an explicitly padded input."""
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (pad[0],) * 2, (pad[1],) * 2))
    oh, ow = xp.shape[2] - 2, xp.shape[3] - 2
    y = np.zeros((x.shape[0], w.shape[0], oh, ow))
    for kh in range(3):
        for kw in range(3):
            y += np.einsum("nchw,fc->nfhw", xp[:, :, kh:kh + oh, kw:kw + ow], w[:, :, kh, kw])
    return y


def _direct_grads(x, w, dy, pad):
    """float64 data and weight gradients of :func:`_direct`, tap by tap."""
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (pad[0],) * 2, (pad[1],) * 2))
    oh, ow = dy.shape[2:]
    dxp, dw = np.zeros(xp.shape), np.zeros(w.shape)
    for kh in range(3):
        for kw in range(3):
            dxp[:, :, kh:kh + oh, kw:kw + ow] += np.einsum("nfhw,fc->nchw", dy, w[:, :, kh, kw])
            dw[:, :, kh, kw] = np.einsum("nfhw,nchw->fc", dy, xp[:, :, kh:kh + oh, kw:kw + ow])
    return dxp[:, :, pad[0]:pad[0] + x.shape[2], pad[1]:pad[1] + x.shape[3]], dw


def _rel(actual, expected):
    return np.abs(actual - expected).max() / max(np.abs(expected).max(), 1e-30)


def _operands(shape, seed=0):
    n, c, f, h, w, pad = shape
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c, h, w)).astype(np.float32)
    wt = rng.standard_normal((f, c, 3, 3)).astype(np.float32)
    dy = rng.standard_normal((n, f, h + 2 * pad - 2, w + 2 * pad - 2)).astype(np.float32)
    return x, wt, dy, (pad, pad)


@pytest.fixture(params=["default", "tiny", "filter-split"], ids=["default-blocks", "tiny-blocks", "filter-split"])
def block_elems(request, monkeypatch):
    """Default blocking; blocks of one tile row (several per image) / several images per block (the
    minimum of tiles per block switched off so the tiny blocks stay tiny); and the forward's filters
    split over the cores, over blocks of one tile."""
    if request.param == "tiny":
        monkeypatch.setattr(W, "BLOCK_ELEMS", 600)
        monkeypatch.setattr(W, "MIN_BLOCK_TILES", 0)
    if request.param == "filter-split":
        monkeypatch.setattr(W, "SPLIT_MIN_FILTERS", 1)
        monkeypatch.setattr(W, "MIN_BLOCK_TILES_CHANNELS", 1)
        monkeypatch.setattr(W, "MIN_BLOCK_TILES", 1 << 30)
        monkeypatch.setattr(W, "SPLIT_FORWARD_TILES", 1)
        monkeypatch.setattr(W, "BLOCK_ELEMS", 1)
    return request.param


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_winograd_kernels_match_float64_direct(shape, block_elems):
    x, w, dy, pad = _operands(shape)
    expected = _direct(x, w, pad)
    y = W.winograd_forward(x, w, pad)
    assert y.dtype == np.float32 and y.shape == expected.shape
    assert _rel(y, expected) < F32_TOL
    dx_ref, dw_ref = _direct_grads(x, w, dy.astype(np.float64), pad)
    dw = W.winograd_weight_grad(x, dy, pad)
    assert dw.dtype == np.float32 and _rel(dw, dw_ref) < F32_TOL
    dx = W.winograd_forward(dy, flipped(w, 1), (2 - pad[0], 2 - pad[1]))
    assert dx.shape == x.shape and _rel(dx, dx_ref) < F32_TOL


def test_float64_in_float64_out_to_rounding():
    x, w, dy, pad = _operands((2, 5, 4, 9, 8, 1), seed=3)
    x, w, dy = x.astype(np.float64), w.astype(np.float64), dy.astype(np.float64)
    y = W.winograd_forward(x, w, pad)
    assert y.dtype == np.float64 and _rel(y, _direct(x, w, pad)) < 1e-14
    assert _rel(W.winograd_weight_grad(x, dy, pad), _direct_grads(x, w, dy, pad)[1]) < 1e-14


def test_bias_and_fused_relu():
    x, w, _, pad = _operands((2, 4, 6, 7, 6, 1), seed=4)
    b = np.linspace(-1, 1, 6).astype(np.float32)
    plain = W.winograd_forward(x, w, pad, bias=b)
    np.testing.assert_allclose(plain, _direct(x, w, pad) + b[:, None, None], rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(W.winograd_forward(x, w, pad, bias=b, relu=True), np.maximum(plain, 0))


def test_output_scale_folds_into_the_transformed_weights():
    """``scale`` (a folded BatchNorm's gamma/std) multiplies each filter's output before the bias."""
    x, w, _, pad = _operands((2, 4, 6, 7, 6, 1), seed=5)
    b, scale = np.linspace(-1, 1, 6).astype(np.float32), np.linspace(-2, 3, 6).astype(np.float32)
    y = W.winograd_forward(x, w, pad, bias=b, relu=True, scale=scale)
    expected = np.maximum(_direct(x, w, pad) * scale[:, None, None] + b[:, None, None], 0)
    assert _rel(y, expected) < F32_TOL


def test_non_contiguous_input():
    x, w, _, pad = _operands((2, 4, 3, 9, 10, 1), seed=5)
    view = np.asfortranarray(x)[:, :, ::-1]
    assert _rel(W.winograd_forward(view, w, pad), _direct(np.ascontiguousarray(view), w, pad)) < F32_TOL


@pytest.mark.parametrize("winograd", [True, False], ids=["winograd", "im2col"])
@pytest.mark.parametrize("shape", [(2, 3, 5, 7, 9, 1), (1, 6, 4, 6, 5, 0), (2, 4, 4, 5, 6, 2)], ids=str)
def test_public_conv2d_dispatch_both_paths(monkeypatch, winograd, shape):
    """conv2d_forward / conv2d_backward give the direct convolution's results on both paths."""
    monkeypatch.setattr(W, "WINOGRAD", winograd)
    monkeypatch.setattr(W, "MIN_CHANNELS", 1)
    monkeypatch.setattr(W, "MIN_WIDTH", 1)
    monkeypatch.setattr(W, "MIN_BATCH", 1)
    monkeypatch.setattr(W, "MIN_TILE_USE", 0)
    x, w, dy, pad = _operands(shape, seed=6)
    assert W.winograd_wins(x.shape, w.shape, (1, 1), pad, (1, 1), 1) is winograd
    b = np.arange(w.shape[0], dtype=np.float32)
    y, saved = K.conv2d_forward(x, w, b, pad=pad)
    assert _rel(y, _direct(x, w, pad) + b[:, None, None]) < F32_TOL
    dx, dw, db = K.conv2d_backward(saved, dy)
    dx_ref, dw_ref = _direct_grads(x, w, dy.astype(np.float64), pad)
    assert _rel(dx, dx_ref) < F32_TOL and _rel(dw, dw_ref) < F32_TOL
    np.testing.assert_allclose(db, dy.sum(axis=(0, 2, 3)), rtol=1e-5)


def test_dispatch_keeps_im2col_where_winograd_does_not_apply():
    assert not W.winograd_wins((1, 64, 32, 32), (64, 64, 3, 3), (2, 2), (1, 1), (1, 1), 1)   # stride
    assert not W.winograd_wins((1, 64, 32, 32), (64, 64, 3, 3), (1, 1), (1, 1), (2, 2), 1)   # dilation
    assert not W.winograd_wins((1, 64, 32, 32), (64, 32, 3, 3), (1, 1), (1, 1), (1, 1), 2)   # groups
    assert not W.winograd_wins((1, 64, 32, 32), (64, 64, 1, 1), (1, 1), (0, 0), (1, 1), 1)   # kernel
    assert not W.winograd_wins((1, 64, 32, 32), (64, 64, 3, 3), (1, 1), (-1, 0), (1, 1), 1)  # cropping
    assert not W.winograd_wins((8, 3, 256, 256), (16, 3, 3, 3), (1, 1), (1, 1), (1, 1), 1)   # thin
    assert not W.winograd_wins((1, 128, 32, 32), (128, 128, 3, 3), (1, 1), (1, 1), (1, 1), 1)  # one image
    assert not W.winograd_wins((8, 64, 32, 32), (64, 128, 3, 3), (1, 1), (1, 1), (1, 1), 1)   # 64 channels
    assert W.winograd_wins((8, 128, 32, 32), (128, 128, 3, 3), (1, 1), (1, 1), (1, 1), 1)


def test_weight_gradient_is_deterministic(monkeypatch):
    """Blocks are summed in fixed runs: whichever thread takes which run, the bits are the same."""
    monkeypatch.setattr(W, "BLOCK_ELEMS", 2000)
    monkeypatch.setattr(W, "MIN_BLOCK_TILES", 0)
    x, _, dy, pad = _operands((3, 4, 5, 12, 11, 1), seed=7)
    first = W.winograd_weight_grad(x, dy, pad)
    for _ in range(3):
        np.testing.assert_array_equal(W.winograd_weight_grad(x, dy, pad), first)


@pytest.mark.parametrize("batch", [1, 3], ids=["one-image-blocks", "multi-image-blocks"])
def test_im2col_small_gemms_run_in_column_pieces(monkeypatch, batch):
    """The im2col forward and weight gradient of a thin layer (3 input channels) in GEMMs of 7 columns."""
    from ssdkit.ops.kernels import gemm
    monkeypatch.setattr(W, "WINOGRAD", False)
    monkeypatch.setattr(gemm, "CHUNK_COLS", 7)
    x, w, dy, pad = _operands((batch, 3, 4, 9, 10, 1), seed=8)
    y, saved = K.conv2d_forward(x, w, None, pad=pad)
    assert _rel(y, _direct(x, w, pad)) < F32_TOL
    dw = K.conv2d_backward(saved, dy, need_dx=False)[1]
    assert _rel(dw, _direct_grads(x, w, dy.astype(np.float64), pad)[1]) < F32_TOL


@pytest.mark.parametrize("pad", [0, 1, 2])
def test_deconvolution_forward_through_the_winograd_data_gradient(monkeypatch, pad):
    """A stride-1 3x3 Deconvolution is a convolution data gradient: same result on both paths."""
    monkeypatch.setattr(W, "MIN_CHANNELS", 1)
    monkeypatch.setattr(W, "MIN_WIDTH", 1)
    monkeypatch.setattr(W, "MIN_BATCH", 1)
    monkeypatch.setattr(W, "MIN_TILE_USE", 0)
    rng = np.random.default_rng(9)
    x = rng.standard_normal((2, 5, 7, 6)).astype(np.float32)
    w = rng.standard_normal((5, 4, 3, 3)).astype(np.float32)
    b = rng.standard_normal(4).astype(np.float32)
    fast = K.conv2d_transpose_forward(x, w, b, pad=pad)[0]
    monkeypatch.setattr(W, "WINOGRAD", False)
    np.testing.assert_allclose(fast, K.conv2d_transpose_forward(x, w, b, pad=pad)[0], rtol=1e-5, atol=1e-5)


def test_half_precision_stays_on_im2col(monkeypatch):
    monkeypatch.setattr(W, "MIN_CHANNELS", 1)
    monkeypatch.setattr(W, "MIN_WIDTH", 1)
    monkeypatch.setattr(W, "MIN_BATCH", 1)
    monkeypatch.setattr(W, "MIN_TILE_USE", 0)
    assert W.winograd_wins((1, 4, 8, 8), (4, 4, 3, 3), (1, 1), (1, 1), (1, 1), 1, np.float64)
    assert not W.winograd_wins((1, 4, 8, 8), (4, 4, 3, 3), (1, 1), (1, 1), (1, 1), 1, np.float16)
    x, w, _, pad = _operands((1, 4, 4, 8, 8, 1), seed=10)
    y = K.conv2d_forward(x.astype(np.float16), w.astype(np.float16), None, pad=pad)[0]
    assert y.dtype == np.float16 and _rel(y, _direct(x, w, pad)) < 1e-2


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_weight_gradient_split_by_filters(monkeypatch, shape):
    """The large-gradient path (filters split over the units, products added in place) on every shape,
    tiny blocks included: the direct convolution's gradient, and the same bits every time."""
    monkeypatch.setattr(W, "SPLIT_GRAD_ELEMS", 1)
    monkeypatch.setattr(W, "SPLIT_MIN_FILTERS", 1)
    monkeypatch.setattr(W, "SPLIT_BLOCK_TILES", 1)
    monkeypatch.setattr(W, "BLOCK_ELEMS", 600)
    x, w, dy, pad = _operands(shape, seed=12)
    if shape[2] < W.WORKERS:
        pytest.skip("fewer filters than cores: the gradient is summed in runs")
    dw = W.winograd_weight_grad(x, dy, pad)
    assert dw.dtype == np.float32
    assert _rel(dw, _direct_grads(x, w, dy.astype(np.float64), pad)[1]) < F32_TOL
    np.testing.assert_array_equal(W.winograd_weight_grad(x, dy, pad), dw)


def test_odd_maps_keep_the_forward_on_im2col_and_the_weight_gradient_on_winograd():
    """A 17x17 map computes 18x20 tile outputs (0.80 of them used): the forward and data gradient go to
    im2col, the weight gradient stays on Winograd; an even map of the same size class stays on Winograd."""
    odd, even, w = (8, 128, 17, 17), (8, 128, 18, 18), (128, 128, 3, 3)
    args = ((1, 1), (1, 1), (1, 1), 1)
    assert not W.winograd_wins(odd, w, *args) and W.winograd_wins(odd, w, *args, weight_grad=True)
    assert W.winograd_wins(even, w, *args) and W.winograd_wins(even, w, *args, weight_grad=True)


def test_small_batches_run_winograd_only_with_enough_tiles():
    """From batch 2, Winograd takes layers with MIN_TILES tiles (SSD-300's 512->512@38 at batch 2: 760),
    not fewer (its 512->512@19: 220); one image stays on im2col (batch-1 inference)."""
    w, args = (512, 512, 3, 3), ((1, 1), (1, 1), (1, 1), 1)
    assert W.winograd_wins((2, 512, 38, 38), w, *args) and W.winograd_wins((2, 512, 38, 38), w, *args, weight_grad=True)
    assert not W.winograd_wins((2, 512, 19, 19), w, *args)
    assert not W.winograd_wins((1, 512, 64, 64), w, *args)
    assert W.winograd_wins((8, 512, 19, 19), w, *args)
