"""Convolution / Deconvolution / Pooling kernels (ssdkit.ops.kernels) against MXNet 1.9.1 and float64
central differences.

MXNet vectors: every conv*/pool* case of ../shared/reference/mxnet_golden.{npz,json}, plus
tests/data/kernels/mxnet_kernels.{npz,json} (groups, dilation, non-square, 'full' windows past the padding,
count_include_pad=False, ties, Deconvolution; regenerate with tests/data/kernels/make_vectors.py).
"""
import json
from pathlib import Path

import numpy as np
import pytest

from ssdkit.base import MXNetError, ShapeError
from ssdkit.ops import kernels as K
from ssdkit.ops.kernels import conv, im2col, pool

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"
LOCAL = Path(__file__).resolve().parent / "data" / "kernels"
OUT_TOL, GRAD_TOL = 1e-4, 2e-3


def _load(folder, stem):
    if not (folder / f"{stem}.npz").exists():
        pytest.skip(f"reference vectors {folder / stem}.npz absent")
    meta = json.loads((folder / f"{stem}.json").read_text())
    return meta, np.load(folder / f"{stem}.npz", allow_pickle=False)


def _cases(folder, stem, prefixes):
    try:
        meta = json.loads((folder / f"{stem}.json").read_text())
    except FileNotFoundError:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{folder / stem} absent"))]
    return sorted(name for name in meta if name.startswith(prefixes))


def _conv_args(params):
    return dict(stride=params.get("stride", 1), pad=params.get("pad", 0), dilate=params.get("dilate", 1),
                groups=params.get("num_group", 1))


def _check_case(folder, stem, name):
    meta, store = _load(folder, stem)
    params, get = dict(meta[name]), (lambda key: store[f"{name}/{key}"])
    bias = get("in_bias") if f"{name}/in_bias" in store.files else None
    if name.startswith("pool"):
        y, saved = K.pool2d_forward(get("in_data"), **params)
        grads = {"grad_data": K.pool2d_backward(saved, get("head_grad"))}
    elif name.startswith("conv"):
        y, saved = K.conv2d_forward(get("in_data"), get("in_weight"), bias, **_conv_args(params))
        grads = dict(zip(("grad_data", "grad_weight", "grad_bias"), K.conv2d_backward(saved, get("head_grad"))))
    else:
        y, saved = K.conv2d_transpose_forward(get("in_data"), get("in_weight"), bias,
                                              adj=params.get("adj", 0), **_conv_args(params))
        grads = dict(zip(("grad_data", "grad_weight", "grad_bias"),
                         K.conv2d_transpose_backward(saved, get("head_grad"))))
    assert y.dtype == np.float32 and y.shape == get("out").shape
    np.testing.assert_allclose(y, get("out"), rtol=OUT_TOL, atol=OUT_TOL)
    checked = 0
    for key, grad in grads.items():
        if f"{name}/{key}" in store.files:
            assert grad.dtype == np.float32
            np.testing.assert_allclose(grad, get(key), rtol=GRAD_TOL, atol=GRAD_TOL, err_msg=key)
            checked += 1
    assert checked == (1 if name.startswith("pool") else 2 + (bias is not None))


@pytest.mark.parametrize("name", _cases(REFERENCE, "mxnet_golden", ("conv", "pool")))
def test_shared_mxnet_golden(name):
    _check_case(REFERENCE, "mxnet_golden", name)


@pytest.mark.parametrize("name", _cases(LOCAL, "mxnet_kernels", ("conv", "deconv", "pool")))
def test_extra_mxnet_vectors(name):
    _check_case(LOCAL, "mxnet_kernels", name)


@pytest.mark.parametrize("rows_gathering, stacking", [(True, True), (True, False), (False, False)])
@pytest.mark.parametrize("chunk, min_rows", [(64, 16), (3000, 1), (3000, 16), (1 << 20, 1)])
def test_gatherings_and_blockings_agree(monkeypatch, rows_gathering, stacking, chunk, min_rows):
    """Stacked rows vs rows vs per-tap gathering; one-row bands, multi-row bands (direct and via the
    padded band) and multi-image blocks: all reproduce MXNet."""
    monkeypatch.setattr(im2col, "CHUNK_ELEMS", chunk)
    monkeypatch.setattr(im2col, "ROWS_GATHERING", rows_gathering)
    monkeypatch.setattr(im2col, "STACKING", stacking)
    monkeypatch.setattr(im2col, "STACK_MIN_ROWS_PER_HALO", min_rows)
    monkeypatch.setattr(im2col, "STACK_MIN_GATHER_ROWS", 1)
    for name in ("conv_groups_grid", "conv_grid_nobias", "conv_depthwise", "deconv_s1_dilate", "conv_1x1_s2"):
        _check_case(LOCAL, "mxnet_kernels", name)
    x = np.random.default_rng(8).standard_normal((3, 4, 6, 5))       # 1x1 and (1, 3)-kernel rows cases
    for w_shape, pad in (((2, 4, 1, 1), (0, 0)), ((2, 4, 1, 3), (2, 1)), ((2, 4, 3, 3), (1, 1))):
        w = np.random.default_rng(9).standard_normal(w_shape)
        expected = _reference_conv(x, w, pad)
        np.testing.assert_allclose(K.conv2d_forward(x, w, None, pad=pad)[0], expected, rtol=1e-12)


@pytest.mark.parametrize("rows_gathering, stacking", [(True, True), (True, False), (False, False)])
def test_fused_relu_equals_relu_after_the_convolution(monkeypatch, rows_gathering, stacking):
    monkeypatch.setattr(im2col, "CHUNK_ELEMS", 3000)          # several blocks, multi-image ones too
    monkeypatch.setattr(im2col, "ROWS_GATHERING", rows_gathering)
    monkeypatch.setattr(im2col, "STACKING", stacking)
    monkeypatch.setattr(im2col, "STACK_MIN_ROWS_PER_HALO", 1)
    monkeypatch.setattr(im2col, "STACK_MIN_GATHER_ROWS", 1)
    rng = np.random.default_rng(10)
    x, w, b = rng.standard_normal((3, 4, 12, 9)), rng.standard_normal((5, 4, 3, 3)), rng.standard_normal(5)
    for stride in ((1, 1), (2, 1)):
        plain = K.conv2d_forward(x, w, b, stride=stride, pad=(1, 1))[0]
        fused = K.conv2d_forward(x, w, b, stride=stride, pad=(1, 1), relu=True)[0]
        np.testing.assert_array_equal(fused, np.maximum(plain, 0))


@pytest.mark.parametrize("rows_gathering, stacking, split", [(True, True, False), (True, False, False),
                                                           (False, False, False), (True, False, True)])
def test_output_scale_equals_scaling_after_the_convolution(monkeypatch, rows_gathering, stacking, split):
    """``scale`` (a folded BatchNorm's gamma/std) multiplies each output channel before the bias, in every
    gathering and in the filter-split forward."""
    from ssdkit.ops.kernels import gemm
    monkeypatch.setattr(im2col, "CHUNK_ELEMS", 3000)
    monkeypatch.setattr(im2col, "ROWS_GATHERING", rows_gathering)
    monkeypatch.setattr(im2col, "STACKING", stacking)
    monkeypatch.setattr(im2col, "STACK_MIN_ROWS_PER_HALO", 1)
    monkeypatch.setattr(im2col, "STACK_MIN_GATHER_ROWS", 1)
    if split:
        monkeypatch.setattr(gemm, "SPLIT_FORWARD_COLS_PER_FILTER", 1 << 30)
        monkeypatch.setattr(gemm, "SPLIT_FORWARD_MAX_COLS", 1 << 30)
        monkeypatch.setattr(gemm, "SPLIT_MIN_FILTERS", 1)
    rng = np.random.default_rng(13)
    x, w, b = rng.standard_normal((3, 4, 12, 9)), rng.standard_normal((5, 4, 3, 3)), rng.standard_normal(5)
    scale = rng.uniform(-2, 2, 5)
    for stride in ((1, 1), (2, 1)):
        plain = K.conv2d_forward(x, w, None, stride=stride, pad=(1, 1))[0]
        scaled = K.conv2d_forward(x, w, b, stride=stride, pad=(1, 1), relu=True, scale=scale)[0]
        expected = np.maximum(plain * scale[:, None, None] + b[:, None, None], 0)
        np.testing.assert_allclose(scaled, expected, rtol=1e-12, atol=1e-12)
    with pytest.raises(ShapeError, match=r"scale expected shape \(5,\), got \(4,\)"):
        K.conv2d_forward(x, w, b, scale=scale[:4])


def _reference_conv(x, w, pad):
    """Stride-1 convolution as an obvious einsum over an explicitly padded input."""
    kh, kw = w.shape[2:]
    padded = np.pad(x, ((0, 0), (0, 0), (pad[0], pad[0]), (pad[1], pad[1])))
    oh, ow = padded.shape[2] - kh + 1, padded.shape[3] - kw + 1
    windows = np.lib.stride_tricks.sliding_window_view(padded, (kh, kw), axis=(2, 3))[:, :, :oh, :ow]
    return np.einsum("nchwij,fcij->nfhw", windows, w)


def test_one_image_judges_stacking_by_the_blocks_it_is_cut_into(monkeypatch):
    """One image's blocks are cut for the cores, so stacking is judged on their rows: a 64x64 map of 64
    channels stacks on one core (40-row blocks) but not on two (14-row blocks, 2 halo rows each)."""
    geometry = ((1, 64, 64, 64), (3, 3), (1, 1), (1, 1), (1, 1), 1, (64, 64), 64)
    monkeypatch.setattr(im2col, "WORKERS", 1)
    assert im2col.Plan(*geometry).stacked
    monkeypatch.setattr(im2col, "WORKERS", 2)
    plan = im2col.Plan(*geometry)
    assert not plan.stacked and len(plan.blocks(2)) == 5
    assert im2col.Plan((2,) + geometry[0][1:], *geometry[1:]).stacked     # batches keep the old rule


@pytest.mark.parametrize("stacking", [True, False])
def test_one_image_split_over_the_cores_equals_the_reference(monkeypatch, stacking):
    monkeypatch.setattr(im2col, "SERIAL_MAX_MACS", 1)               # split even this small work
    monkeypatch.setattr(im2col, "CHUNK_ELEMS", 4000)
    monkeypatch.setattr(im2col, "STACKING", stacking)
    monkeypatch.setattr(im2col, "STACK_MIN_ROWS_PER_HALO", 1)
    rng = np.random.default_rng(21)
    x, w = rng.standard_normal((1, 12, 23, 17)), rng.standard_normal((7, 12, 3, 3))
    plan = im2col.Plan(x.shape, (3, 3), (1, 1), (1, 1), (1, 1), 1, (23, 17), 7)
    assert plan.stacked == stacking and len(plan.blocks(2)) > 2
    np.testing.assert_allclose(K.conv2d_forward(x, w, None, pad=(1, 1))[0], _reference_conv(x, w, (1, 1)),
                               rtol=1e-12)


# ---- float64 central differences ------------------------------------------------------------------
def _numeric_check(forward, backward, inputs, seed=0, eps=1e-6):
    """Compare backward's VJP with central differences of <head, forward> along a random direction."""
    rng = np.random.default_rng(seed)
    y, saved = forward(*inputs)
    head = rng.standard_normal(y.shape)
    grads = backward(saved, head)
    for i, (x, g) in enumerate(zip(inputs, grads)):
        if x is None:
            continue
        direction = rng.standard_normal(x.shape)
        plus = [v if j != i else v + eps * direction for j, v in enumerate(inputs)]
        minus = [v if j != i else v - eps * direction for j, v in enumerate(inputs)]
        numeric = (np.vdot(head, forward(*plus)[0]) - np.vdot(head, forward(*minus)[0])) / (2 * eps)
        assert g.dtype == np.float64
        np.testing.assert_allclose(np.vdot(g, direction), numeric, rtol=1e-6, atol=1e-8,
                                   err_msg=f"input {i}")


CONV_GEOMETRIES = [  # (x shape, F, kernel, stride, pad, dilate, groups)
    ((2, 3, 6, 7), 4, (3, 3), (1, 1), (1, 1), (1, 1), 1),
    ((2, 4, 7, 5), 6, (3, 2), (2, 1), (1, 0), (1, 2), 2),
    ((1, 2, 8, 9), 3, (1, 1), (2, 3), (0, 0), (1, 1), 1),
    ((2, 3, 18, 17), 2, (3, 3), (1, 1), (2, 1), (2, 1), 1),      # rows gathering, dilated
    ((1, 4, 5, 6), 4, (2, 3), (1, 2), (2, 3), (1, 1), 4),        # depthwise, pad beyond the kernel
    ((1, 2, 4, 4), 3, (3, 3), (1, 1), (6, 6), (6, 6), 1),        # dilation wider than the map (SSD fc6)
    ((2, 3, 6, 7), 4, (5, 6), (1, 1), (1, 2), (1, 1), 1),        # fewer output pixels than taps: positions
    ((1, 4, 9, 9), 2, (4, 4), (2, 3), (1, 0), (2, 2), 2),        # ... strided, dilated, grouped
    ((2, 2, 7, 7), 3, (7, 7), (1, 1), (0, 0), (1, 1), 1),        # kernel = image: data grad by col2im
]


@pytest.mark.parametrize("size", [1, 2, 4, 5])
def test_dilation_wider_than_the_map_equals_the_dilated_kernel(size):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, size, size)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    dilated = np.zeros((4, 3, 13, 13), np.float32)
    dilated[:, :, ::6, ::6] = w                     # a 3x3 kernel at dilation 6 is a sparse 13x13 one
    y, _ = K.conv2d_forward(x, w, None, pad=6, dilate=6)
    np.testing.assert_allclose(y, _reference_conv(x, dilated, (6, 6)), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("geometry", CONV_GEOMETRIES)
def test_conv_gradients_numeric(geometry):
    shape, filters, kernel, stride, pad, dilate, groups = geometry
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape)
    w = rng.standard_normal((filters, shape[1] // groups) + kernel)
    b = rng.standard_normal(filters)
    _numeric_check(lambda x, w, b: K.conv2d_forward(x, w, b, stride, pad, dilate, groups),
                   K.conv2d_backward, [x, w, b])


DECONV_GEOMETRIES = [  # (x shape, F, kernel, stride, pad, adj, dilate, groups)
    ((2, 3, 4, 5), 2, (3, 3), (2, 2), (1, 1), (1, 0), (1, 1), 1),
    ((1, 4, 3, 3), 6, (4, 2), (1, 2), (1, 0), (0, 1), (2, 1), 2),
    ((1, 2, 5, 17), 3, (3, 3), (1, 1), (1, 1), (0, 0), (1, 1), 1),
]


@pytest.mark.parametrize("geometry", DECONV_GEOMETRIES)
def test_deconv_gradients_numeric(geometry):
    shape, filters, kernel, stride, pad, adj, dilate, groups = geometry
    rng = np.random.default_rng(2)
    x = rng.standard_normal(shape)
    w = rng.standard_normal((shape[1], filters // groups) + kernel)
    b = rng.standard_normal(filters)
    _numeric_check(lambda x, w, b: K.conv2d_transpose_forward(x, w, b, stride, pad, adj, dilate, groups),
                   K.conv2d_transpose_backward, [x, w, b])


POOL_GEOMETRIES = [  # (kernel, stride, pad, pool_type, convention, count_include_pad, global_pool)
    ((2, 2), (2, 2), (0, 0), "max", "valid", True, False),
    ((3, 3), (2, 2), (1, 1), "max", "full", True, False),
    ((3, 2), (1, 2), (1, 0), "avg", "full", True, False),
    ((3, 3), (2, 2), (1, 1), "avg", "full", False, False),
    ((2, 3), (2, 1), (1, 1), "sum", "valid", True, False),
    ((1, 1), (1, 1), (0, 0), "avg", "valid", True, True),
    ((1, 1), (1, 1), (0, 0), "max", "valid", True, True),
]


@pytest.mark.parametrize("geometry", POOL_GEOMETRIES)
def test_pool_gradients_numeric(geometry):
    kernel, stride, pad, pool_type, convention, include, global_pool = geometry
    x = np.random.default_rng(3).permutation(2 * 3 * 7 * 9).reshape(2, 3, 7, 9) * 0.01   # no ties
    _numeric_check(lambda x: K.pool2d_forward(x, kernel, stride, pad, pool_type, convention, include,
                                              global_pool),
                   lambda saved, head: [K.pool2d_backward(saved, head)], [x])


# ---- semantics pinned by hand -----------------------------------------------------------------------
def test_deconv_is_adjoint_of_conv():
    """<conv(a), b> == <a, deconv(b)> with the same weight: Deconvolution is the transposed operator."""
    rng = np.random.default_rng(4)
    a, w = rng.standard_normal((2, 4, 9, 8)), rng.standard_normal((6, 2, 3, 3))
    args = dict(stride=(2, 1), pad=(1, 1), dilate=(1, 2), groups=2)
    conv_a, _ = K.conv2d_forward(a, w, None, **args)
    b = rng.standard_normal(conv_a.shape)
    adj = tuple(size - K.conv2d_transpose_out_shape(b.shape, 4, (3, 3), pad=args["pad"], stride=args["stride"],
                                                    dilate=args["dilate"], groups=2)[i + 2]
                for i, size in enumerate(a.shape[2:]))
    deconv_b, _ = K.conv2d_transpose_forward(b, w, None, adj=adj, **args)
    np.testing.assert_allclose(np.vdot(conv_a, b), np.vdot(a, deconv_b), rtol=1e-10)


def test_deconv_target_shape_equals_explicit_pad_adj():
    # MXNet's InferPad: full = s*(H-1) + k = 11 -> pad (11-10+1)//2 = 1, adj (11-10)%2 = 1 on H; 1, 0 on W
    assert K.deconv2d_infer_pad((1, 2, 5, 5), (3, 3), (2, 2), target_shape=(10, 9)) == ((1, 1), (1, 0))
    rng = np.random.default_rng(5)
    x, w = rng.standard_normal((1, 2, 5, 5)).astype(np.float32), rng.standard_normal((2, 3, 3, 3)).astype(np.float32)
    y, _ = K.conv2d_transpose_forward(x, w, None, stride=2, target_shape=(10, 9))
    expected, _ = K.conv2d_transpose_forward(x, w, None, stride=2, pad=1, adj=(1, 0))
    assert y.shape == (1, 3, 10, 9)
    np.testing.assert_array_equal(y, expected)


def test_max_pool_nan_and_empty_windows_follow_mxnet():
    """MXNet scans with `>` from the lowest finite value: NaN never wins; an all-padding window yields it."""
    lowest = np.finfo(np.float32).min
    x = np.array([[[[np.nan, 1.0], [-2.0, np.nan]]]], np.float32)
    y, _ = K.pool2d_forward(x, kernel=2)
    assert y.item() == 1.0
    # H=6, k=1, s=3, 'full': windows start at rows 0, 3, 6 -- the last lies entirely past the image
    y, saved = K.pool2d_forward(np.ones((1, 1, 6, 6), np.float32), 1, 3, 0, "max", "full")
    assert y.shape == (1, 1, 3, 3) and y[0, 0, 2, 0] == lowest and y[0, 0, 0, 0] == 1
    dx = K.pool2d_backward(saved, np.ones_like(y))
    assert dx.sum() == 4          # only the four windows that touch the image pass a gradient


def test_out_shape_helpers_match_kernels():
    assert K.conv2d_out_shape((2, 3, 7, 8), 4, (3, 3), (2, 2), (1, 1)) == (2, 4, 4, 4)
    assert K.conv2d_weight_shape(4, 6, (3, 2), 2) == (6, 2, 3, 2)
    assert K.conv2d_transpose_weight_shape(4, 6, (3, 2), 2) == (4, 3, 3, 2)
    assert K.pool2d_out_shape((1, 1, 9, 9), (3, 3), (2, 2), pooling_convention="full") == (1, 1, 4, 4)
    assert K.pool2d_out_shape((1, 1, 10, 10), (3, 3), (2, 2), pooling_convention="full") == (1, 1, 5, 5)
    assert K.pool2d_out_shape((1, 1, 10, 10), (3, 3), (2, 2)) == (1, 1, 4, 4)
    assert K.pool2d_out_shape((2, 5, 10, 7), global_pool=True) == (2, 5, 1, 1)
    x = np.zeros((1, 1, 10, 10), np.float32)
    assert K.pool2d_forward(x, 3, 2, 0, "avg", "full")[0].shape == (1, 1, 5, 5)


@pytest.mark.parametrize("call, message", [
    (lambda: K.conv2d_forward(np.zeros((1, 3, 5, 5), np.float32), np.zeros((2, 4, 3, 3), np.float32)),
     "weight has 4 input channels"),
    (lambda: K.conv2d_forward(np.zeros((1, 3, 5, 5), np.float32), np.zeros((2, 3, 3, 3), np.float32),
                              np.zeros(3, np.float32)), "bias expected shape (2,)"),
    (lambda: K.conv2d_forward(np.zeros((1, 3, 2, 2), np.float32), np.zeros((2, 3, 3, 3), np.float32)),
     "exceeds padded data"),
    (lambda: K.conv2d_forward(np.zeros((3, 5, 5), np.float32), np.zeros((2, 3, 3, 3), np.float32)),
     "data must be 4-D"),
    (lambda: K.conv2d_forward(np.zeros((1, 4, 5, 5), np.float32), np.zeros((3, 2, 1, 1), np.float32),
                              groups=2), "not divisible by num_group"),
    (lambda: K.conv2d_transpose_forward(np.zeros((1, 2, 3, 3), np.float32), np.zeros((2, 1, 3, 3), np.float32),
                                        stride=2, adj=2), "adj (2, 2) must be smaller than stride"),
    (lambda: K.pool2d_forward(np.zeros((1, 1, 2, 2), np.float32), 3), "kernel 3 exceeds data"),
    (lambda: K.pool2d_forward(np.zeros((1, 1, 4, 4), np.float32), 2, pool_type="lp"), "pool_type"),
    (lambda: K.pool2d_forward(np.zeros((1, 1, 4, 4), np.float32), 2, pooling_convention="same"),
     "pooling_convention"),
])
def test_errors_name_operand_expected_and_actual(call, message):
    with pytest.raises(MXNetError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call()


def test_backward_rejects_wrong_gradient_shape():
    y, saved = K.conv2d_forward(np.zeros((1, 1, 4, 4), np.float32), np.zeros((1, 1, 3, 3), np.float32))
    with pytest.raises(ShapeError, match="expected shape"):
        K.conv2d_backward(saved, np.zeros((1, 1, 4, 4), np.float32))
    y, saved = K.pool2d_forward(np.zeros((1, 1, 4, 4), np.float32), 2, 2)
    with pytest.raises(ShapeError, match="expected shape"):
        K.pool2d_backward(saved, np.zeros((1, 1, 3, 3), np.float32))


def test_need_flags_skip_gradients():
    y, saved = K.conv2d_forward(np.ones((1, 2, 4, 4), np.float32), np.ones((3, 2, 3, 3), np.float32),
                                np.zeros(3, np.float32), pad=1)
    dx, dw, db = K.conv2d_backward(saved, np.ones_like(y), need_dx=False, need_dw=False)
    assert dx is None and dw is None and db.tolist() == [16.0] * 3
    y, saved = K.conv2d_forward(np.ones((1, 2, 4, 4), np.float32), np.ones((3, 2, 3, 3), np.float32))
    assert K.conv2d_backward(saved, np.ones_like(y))[2] is None       # no bias in the forward


def test_inputs_not_modified_and_float32_kept():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 3, 20, 20)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    x0, w0 = x.copy(), w.copy()
    y, saved = K.conv2d_forward(x, w, None, pad=1)
    grads = K.conv2d_backward(saved, np.ones_like(y))
    p, psaved = K.pool2d_forward(x, 2, 2)
    dx = K.pool2d_backward(psaved, np.ones_like(p))
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(w, w0)
    assert all(a.dtype == np.float32 for a in (y, grads[0], grads[1], p, dx))


def test_large_kernel_window_path_matches_tap_loop(monkeypatch):
    rng = np.random.default_rng(7)
    x = rng.integers(0, 4, (2, 3, 12, 12)).astype(np.float32)       # ties
    results = []
    for limit in (10 ** 6, 0):
        monkeypatch.setattr(pool, "TAP_LOOP_MAX", limit)
        for pool_type in ("max", "avg"):
            y, saved = K.pool2d_forward(x, (4, 4), (4, 4), (1, 1), pool_type, "full")
            results.append((y, K.pool2d_backward(saved, np.arange(y.size, dtype=np.float32).reshape(y.shape))))
    for (y_tap, dx_tap), (y_win, dx_win) in zip(results[:2], results[2:]):
        np.testing.assert_array_equal(y_tap, y_win)
        np.testing.assert_allclose(dx_tap, dx_win, rtol=1e-6)


@pytest.mark.parametrize("geometry", [g for g in CONV_GEOMETRIES if g[2][0] * g[2][1] > 1])
def test_positions_gathering_equals_the_tap_loop(monkeypatch, geometry):
    """Few output pixels under a large kernel gather window by window; the same numbers as tap by tap."""
    shape, filters, kernel, stride, pad, dilate, groups = geometry
    rng = np.random.default_rng(11)
    x = rng.standard_normal(shape).astype(np.float32)
    w = rng.standard_normal((filters, shape[1] // groups) + kernel).astype(np.float32)
    results = []
    for positions in (True, False):
        monkeypatch.setattr(im2col, "POSITIONS_GATHERING", positions)
        y, saved = K.conv2d_forward(x, w, None, stride, pad, dilate, groups)
        results.append((y,) + tuple(K.conv2d_backward(saved, np.cos(y))[:2]))
    for by_positions, by_taps in zip(*results):
        np.testing.assert_allclose(by_positions, by_taps, rtol=1e-5, atol=1e-5)


def test_global_pooling_reduces_one_window_and_matches_the_tap_loop(monkeypatch):
    """Global pooling has stride 1 but a single window: it is reduced as one window view, not tap by tap."""
    rng = np.random.default_rng(12)
    x = rng.integers(0, 3, (2, 3, 9, 11)).astype(np.float32)      # ties: the first maximum takes the gradient
    x[0, 0, 4, 5] = np.nan                                          # a NaN never wins
    dy = rng.standard_normal((2, 3, 1, 1)).astype(np.float32)
    results = {}
    for limit in (10 ** 6, 0):
        monkeypatch.setattr(pool, "TAP_LOOP_MAX", limit)
        for pool_type in ("max", "avg", "sum"):
            y, saved = K.pool2d_forward(x, pool_type=pool_type, global_pool=True)
            results[limit, pool_type] = y, K.pool2d_backward(saved, dy)
    for pool_type in ("max", "avg", "sum"):
        for by_taps, by_window in zip(results[10 ** 6, pool_type], results[0, pool_type]):
            np.testing.assert_allclose(by_taps, by_window, rtol=1e-6)
    y, dx = results[0, "max"]
    np.testing.assert_array_equal(y[..., 0, 0], np.nanmax(x, axis=(2, 3)))
    first = np.argmax(x.reshape(6, -1) == y.reshape(6, 1), axis=1)
    expected = np.zeros((6, 99), np.float32)
    expected[np.arange(6), first] = dy.ravel()
    np.testing.assert_array_equal(dx.reshape(6, -1), expected)


def test_weight_gradient_is_deterministic():
    """Threads take blocks in any order, yet the float32 weight gradient comes out bit-identical."""
    rng = np.random.default_rng(11)
    x = rng.standard_normal((8, 16, 48, 48)).astype(np.float32)
    w = rng.standard_normal((16, 16, 3, 3)).astype(np.float32)
    y, saved = K.conv2d_forward(x, w, None, pad=1)
    dy = rng.standard_normal(y.shape).astype(np.float32)
    first = K.conv2d_backward(saved, dy, need_dx=False)[1]
    for _ in range(5):
        np.testing.assert_array_equal(K.conv2d_backward(saved, dy, need_dx=False)[1], first)


SPLIT_GEOMETRIES = [dict(kernel=(3, 3), pad=(1, 1)), dict(kernel=(1, 1), stride=(2, 2)),
                    dict(kernel=(3, 3), pad=(2, 2), dilate=(2, 2)), dict(kernel=(3, 2), stride=(2, 1))]
SPLIT_IDS = ["3x3", "1x1-s2", "dilated", "3x2-s21"]


def _check_split_weight_gradient(monkeypatch, geometry, filters, channels, switch_on, seed):
    """The weight gradient after ``switch_on`` (constants sending it down a split path) equals the
    summed-runs path's, with BLAS and through numpy, and has the same bits every time."""
    from ssdkit.ops.kernels import blas, gemm
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((3, channels, 9, 8)).astype(np.float32)
    w = rng.standard_normal((filters, channels) + geometry["kernel"]).astype(np.float32)
    args = {key: value for key, value in geometry.items() if key != "kernel"}
    y, saved = K.conv2d_forward(x, w, None, **args)
    dy = rng.standard_normal(y.shape).astype(np.float32)
    summed = K.conv2d_backward(saved, dy, need_dx=False)[1]
    for name, value in switch_on.items():
        monkeypatch.setattr(gemm, name, value)
    for use_blas in (True, False):
        monkeypatch.setattr(blas, "USE_BLAS", use_blas)
        split = K.conv2d_backward(saved, dy, need_dx=False)[1]
        np.testing.assert_allclose(split, summed, rtol=1e-5, atol=1e-5 * np.abs(summed).max())
        np.testing.assert_array_equal(K.conv2d_backward(saved, dy, need_dx=False)[1], split)


@pytest.mark.parametrize("geometry", SPLIT_GEOMETRIES, ids=SPLIT_IDS)
@pytest.mark.parametrize("chunk", [1 << 19, 300], ids=["default-blocks", "tiny-blocks"])
def test_weight_gradient_split_by_filters(monkeypatch, geometry, chunk):
    """The large-gradient path (filters split over the units, each block's product added in place)."""
    from ssdkit.ops.kernels import gemm
    monkeypatch.setattr(im2col, "CHUNK_ELEMS", chunk)
    monkeypatch.setattr(gemm, "SPLIT_BLOCK_COLS", 1)
    _check_split_weight_gradient(monkeypatch, geometry, 6, 5, {"SPLIT_GRAD_ELEMS": 1, "SPLIT_MIN_FILTERS": 1}, 12)


@pytest.mark.parametrize("geometry", SPLIT_GEOMETRIES, ids=SPLIT_IDS)
@pytest.mark.parametrize("stacking", [True, False], ids=["stacked", "unstacked"])
def test_weight_gradient_split_by_channels(monkeypatch, geometry, stacking):
    """The few-filters path (input channels split over the cores, each block's product added in place
    into its own columns), stacked or not."""
    from ssdkit.ops.kernels import gemm
    monkeypatch.setattr(im2col, "CHUNK_ELEMS", 3000)
    monkeypatch.setattr(im2col, "STACKING", stacking)
    monkeypatch.setattr(im2col, "STACK_MIN_ROWS_PER_HALO", 1)
    monkeypatch.setattr(im2col, "STACK_MIN_GATHER_ROWS", 1)
    monkeypatch.setattr(gemm, "SPLIT_BLOCK_COLS", 7)
    _check_split_weight_gradient(monkeypatch, geometry, 3, 4 * gemm.WORKERS,
                                 {"SPLIT_CHANNELS_MIN": 1, "SPLIT_CHANNELS_MIN_ELEMS": 1}, 14)


def test_wide_forward_blocks_give_the_same_result(monkeypatch):
    """Column blocks widened for large weights (WIDE_BLOCK_COLS) compute the same convolution."""
    from ssdkit.ops.kernels import gemm
    rng = np.random.default_rng(15)
    x = rng.standard_normal((3, 6, 11, 10)).astype(np.float32)
    w = rng.standard_normal((5, 6, 3, 3)).astype(np.float32)
    monkeypatch.setattr(im2col, "CHUNK_ELEMS", 300)
    narrow = [K.conv2d_forward(x, w, None, stride=s, pad=1)[0] for s in (1, 2)]
    monkeypatch.setattr(gemm, "WIDE_MIN_WEIGHT", 1)
    monkeypatch.setattr(gemm, "WIDE_BLOCK_COLS", 37)
    for stride, expected in zip((1, 2), narrow):
        np.testing.assert_allclose(K.conv2d_forward(x, w, None, stride=stride, pad=1)[0], expected,
                                   rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("geometry", [dict(kernel=(3, 3), pad=(6, 6), dilate=(6, 6)), dict(kernel=(3, 3), pad=(5, 1)),
                                      dict(kernel=(5, 3), pad=(4, 1), dilate=(2, 1), stride=(2, 1))],
                         ids=["dilated", "pad-beyond-kernel", "strided"])
def test_zones_give_the_whole_convolution(monkeypatch, geometry):
    """Bands of output rows, each without the kernel rows that read padding (all of them for some bands),
    give the whole convolution's forward, fused scale/bias/ReLU and gradients."""
    rng = np.random.default_rng(16)
    geometry = dict(geometry)
    x, w = rng.standard_normal((2, 4, 9, 8)), rng.standard_normal((5, 4) + geometry.pop("kernel"))
    b, scale = rng.standard_normal(5), rng.uniform(-2, 2, 5)
    results = []
    for waste in (2, 0.01):
        monkeypatch.setattr(conv, "ZONE_MIN_WASTE", waste)
        monkeypatch.setattr(conv, "ZONE_MIN_COLS", 1)
        y, saved = K.conv2d_forward(x, w, b, **geometry)
        assert (conv.zones(saved.plan) is not None) == (waste < 1)
        fused = K.conv2d_forward(x, w, b, relu=True, scale=scale, **geometry)[0]
        results.append((y, fused) + K.conv2d_backward(saved, np.cos(y)))
    for whole, banded in zip(*results):
        np.testing.assert_allclose(banded, whole, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("geometry", [dict(kernel=(3, 3), pad=(1, 1)), dict(kernel=(3, 3), pad=(0, 0)),
                                      dict(kernel=(5, 3), pad=(2, 1), dilate=(2, 1)), dict(kernel=(3, 3), pad=(4, 4))],
                         ids=["3x3", "valid", "dilated-5x3", "pad-beyond-kernel"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kn2row_gives_the_im2col_convolution(monkeypatch, geometry, dtype):
    """Few filters over many channels (input multiplied as it lies, products shifted): the im2col path's
    forward, fused scale/bias/ReLU and gradients."""
    from ssdkit.ops.kernels import kn2row
    monkeypatch.setattr(kn2row, "MIN_PIXELS", 1)
    rng = np.random.default_rng(17)
    geometry = dict(geometry)
    x, w = rng.standard_normal((3, 40, 9, 8)).astype(dtype), rng.standard_normal((4, 40) + geometry.pop("kernel"))
    w = w.astype(dtype)
    b, scale = rng.standard_normal(4).astype(dtype), rng.uniform(-2, 2, 4).astype(dtype)
    results = []
    for on in (False, True):
        monkeypatch.setattr(kn2row, "KN2ROW", on)
        y, saved = K.conv2d_forward(x, w, b, **geometry)
        assert kn2row.kn2row_applies(saved.plan, 4) == on
        fused = K.conv2d_forward(x, w, b, relu=True, scale=scale, **geometry)[0]
        results.append((y, fused) + K.conv2d_backward(saved, np.cos(y)))
    tol = 1e-4 if dtype == np.float32 else 1e-12
    for im2col_result, kn2row_result in zip(*results):
        assert kn2row_result.dtype == dtype
        np.testing.assert_allclose(kn2row_result, im2col_result, rtol=tol, atol=tol * np.abs(im2col_result).max())


def _conv_in_child(x, w, queue):
    queue.put(K.conv2d_forward(x, w, None, pad=1)[0])


@pytest.mark.parametrize("shape", [(1, 3, 8, 6), (1, 2, 7, 9), (1, 40, 64, 64), (1, 1100, 64, 64)])
def test_compiled_max_pool2_of_one_image_equals_the_numpy_path(monkeypatch, shape):
    """MaxPool2D(2) of one image runs as one compiled pass when numba is there: the numpy path's values
    (odd sizes drop the last row/column; NaN never wins; all-NaN windows give finfo.min; ties)."""
    from ssdkit.ops.kernels import maxpool2
    rng = np.random.default_rng(14)
    x = rng.integers(-3, 3, shape).astype(np.float32)          # many ties
    x[0, 0, :2, :2] = np.nan
    x[0, 1, :2, :4] = [[np.nan, 1, -np.inf, np.nan], [np.nan, np.nan, np.nan, -np.inf]]
    y, saved = K.pool2d_forward(x, kernel=2, stride=2)
    monkeypatch.setattr(maxpool2, "MAXPOOL2", False)
    expected, _ = K.pool2d_forward(x, kernel=2, stride=2)
    np.testing.assert_array_equal(y, expected)
    assert y[0, 0, 0, 0] == np.finfo(np.float32).min and y[0, 1, 0, 0] == 1
    np.testing.assert_array_equal(K.pool2d_backward(saved, np.ones_like(y)),
                                  K.pool2d_backward(K.pool2d_forward(x, kernel=2, stride=2)[1], np.ones_like(y)))


def test_parallel_for_raises_a_helpers_error_and_stays_usable():
    """An exception in a unit (whichever thread ran it) reaches the caller after every thread finished;
    the next region runs normally."""
    from ssdkit.ops.kernels import parallel

    def unit(_, i):
        if i == 3:
            raise ValueError("unit 3 failed")
    for _ in range(3):
        with pytest.raises(ValueError, match="unit 3 failed"):
            parallel.parallel_for(list(range(8)), unit)
    states = parallel.parallel_for(list(range(8)), lambda total, i: total.append(i), list)
    assert sorted(sum(states, [])) == list(range(8))


def test_parallel_regions_survive_threads_and_fork():
    """Kernels called from two threads at once, and in a forked child after the worker pool exists."""
    import multiprocessing
    import threading
    rng = np.random.default_rng(10)
    x = rng.standard_normal((4, 16, 40, 40)).astype(np.float32)
    w = rng.standard_normal((8, 16, 3, 3)).astype(np.float32)
    expected = K.conv2d_forward(x, w, None, pad=1)[0]
    results = [None] * 3

    def call(i):
        results[i] = K.conv2d_forward(x, w, None, pad=1)[0]
    threads = [threading.Thread(target=call, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for got in results:
        np.testing.assert_array_equal(got, expected)
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork start method on this platform")
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_conv_in_child, args=(x, w, queue))
    child.start()
    np.testing.assert_array_equal(queue.get(timeout=60), expected)
    child.join(timeout=60)


def test_parallel_for_nested_in_a_unit_runs_inline():
    """A unit that itself calls parallel_for (on a helper or on the region's own thread) gets its result."""
    from ssdkit.ops.kernels.parallel import parallel_for
    states = parallel_for([0, 1, 2, 3], lambda found, _: found.append(
        sorted(sum(parallel_for([1, 2], lambda inner, j: inner.append(j), list), []))), list)
    assert sum(states, []) == [[1, 2]] * 4
