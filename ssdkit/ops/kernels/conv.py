"""2-D convolution (MXNet ``Convolution``) forward and backward on NCHW arrays, by cache-blocked GEMM.

3x3 stride-1 layers with enough channels run as Winograd F(2x2, 3x3) instead (:mod:`.winograd`: 2.25
times fewer multiplies); thin 3x3 pad-1 layers on large maps as a compiled direct convolution when numba
is available (:mod:`.direct`); the rest, and every layer below the measured crossovers, as follows. Layers
whose padding rows hold a large share of the work (large dilations) run band by band (:func:`zones`); layers
with few filters over many channels (SSD's predictors) multiply the input as it lies (:mod:`.kn2row`).
All three directions are GEMMs over patch matrices built block by block (:mod:`.im2col` gathers,
:mod:`.gemm` multiplies; stride-1 'same' layers use the stacked kernel-row variant described there):

* forward        ``y = W (F, C*KH*KW) @ cols``
* weight grad    ``dW = dy @ cols.T``, accumulated over blocks (the input is kept, not the patches)
* data grad      stride 1: the convolution of ``dy`` with the flipped, transposed kernel (one more
                 forward pass, no scatter); other strides, and kernels nearly as large as the input
                 (few output pixels): ``W.T @ dy`` scattered back by col2im.

Examples
--------
>>> import numpy as np
>>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
>>> w = np.ones((1, 1, 2, 2), np.float32)
>>> y, saved = conv2d_forward(x, w, None, stride=2)
>>> y[0, 0]
array([[10., 18.],
       [42., 50.]], dtype=float32)
>>> dx, dw, db = conv2d_backward(saved, np.ones_like(y))
>>> dx[0, 0, 0], dw.ravel(), db
(array([1., 1., 1., 1.], dtype=float32), array([20., 24., 36., 40.], dtype=float32), None)
"""
import numpy as np

from ...base import ShapeError, as_tuple, check_ndim
from .geometry import conv2d_out_shape
from .direct import direct_forward, direct_weight_grad, direct_wins
from .gemm import conv_col2im, conv_forward, conv_weight_grad, finish
from .im2col import Plan
from .kn2row import kn2row_applies, kn2row_forward, kn2row_weight_grad
from .winograd import winograd_forward, winograd_weight_grad, winograd_wins

__all__ = ["conv2d_forward", "conv2d_backward", "ConvSaved"]

#: The flipped-kernel data gradient computes one GEMM column per INPUT pixel, col2im one per OUTPUT pixel:
#: when the input has this many times more pixels than the output (a kernel nearly as large as the
#: image), col2im does far less work (a 224x224 kernel over a 224x224 image: 50176 times less).
FLIP_MAX_SHRINK = 4
#: A convolution whose kernel taps read padding in at least this share of their multiply-adds runs as one
#: convolution per output *zone* (a band of output rows whose kernel rows inside the input are the same),
#: so the padding rows are never multiplied: SSD-300's 3x3 convolution with dilation and padding 6 on a
#: 19x19 map reads padding rows in 21 % of its multiply-adds (3x3 pad-1 layers: 4 % at 19x19, 10 % at
#: 7x7, left alone).
ZONE_MIN_WASTE = 0.15
#: ... when every zone has this many output columns (images x pixels) or more: narrower zones' GEMMs lose
#: more than the padding rows cost (measured on that layer: batch 8, 912 columns per zone, forward and data
#: gradient 1.2x faster; batch 2, 228 columns, data gradient 1.45x slower; its weight gradient, summed
#: over the zones, gained nothing at batch 8 and stays whole).
ZONE_MIN_COLS = 512


class ConvSaved:
    """What :func:`conv2d_backward` needs: the input, the weight and the geometry (no patch matrix).

    Keeping ``x`` rather than the patch matrix costs one extra patch gathering in the weight gradient
    but keeps memory at the size of the input (the batch's patch matrix can exceed a gigabyte).

    Examples
    --------
    >>> ConvSaved(None, None, False, None).has_bias
    False
    """

    __slots__ = ("x", "w", "has_bias", "plan")

    def __init__(self, x, w, has_bias, plan):
        self.x, self.w, self.has_bias, self.plan = x, w, has_bias, plan


def flipped(w, groups):
    """The kernel rotated by 180 degrees with in/out channels swapped within each group.

    Convolving ``dy`` with it (stride 1, pad ``dilated_k - 1 - pad``) gives the data gradient.

    Parameters
    ----------
    w : ndarray (F, Cg, KH, KW)
    groups : int

    Returns
    -------
    ndarray (groups*Cg, F/groups, KH, KW)

    Examples
    --------
    >>> w = np.arange(4, dtype=np.float32).reshape(1, 1, 2, 2)
    >>> flipped(w, 1)[0, 0]
    array([[3., 2.],
           [1., 0.]], dtype=float32)
    """
    f, cg, kh, kw = w.shape
    by_group = w.reshape(groups, f // groups, cg, kh, kw).transpose(0, 2, 1, 3, 4)[..., ::-1, ::-1]
    return np.ascontiguousarray(by_group).reshape(groups * cg, f // groups, kh, kw)


def _wins(plan, w_shape, dtype, weight_grad=False):
    """Whether the convolution ``plan`` with weight shape ``w_shape``, computed in ``dtype``, runs as
    Winograd (its weight gradient when ``weight_grad``)."""
    return winograd_wins((plan.n, plan.c, plan.h, plan.w), w_shape, plan.stride, plan.pad, plan.dilate,
                         plan.groups, dtype, weight_grad)


def _axis_zones(out, size, k, s, p, d):
    """``[(o0, o1, a, b), ...]``: consecutive output ranges ``o0:o1`` along one axis whose kernel taps
    ``a:b`` (and only those) read inside the input of ``size``."""
    zones = []
    for o in range(out):
        first = o * s - p                       # input index of tap 0
        a = -(first // d) if first < 0 else 0   # ceil(-first / d)
        b = max(a, min(k, (size - 1 - first) // d + 1))
        if zones and zones[-1][2:] == [a, b]:
            zones[-1][1] = o + 1
        else:
            zones.append([o, o + 1, a, b])
    return zones


def zones(plan):
    """The output zones of ``plan`` as ``(out_rows, out_cols, kernel_rows, kernel_cols, in_rows, in_cols, pad)``:
    slices, and the zone's own padding; or None when the taps reading padding do less than
    :data:`ZONE_MIN_WASTE` of the work.

    Zones are bands of whole output rows (the rows gathering then still applies to each): the kernel
    rows of a band all read inside the input, so only the columns' padding is multiplied.

    Examples
    --------
    >>> from .im2col import Plan
    >>> plan = Plan((8, 1, 19, 19), (3, 3), (1, 1), (6, 6), (6, 6), 1, (19, 19))
    >>> len(zones(plan)), zones(plan)[0][2], zones(plan)[0][6]
    (3, slice(1, 3, None), (0, 6))
    >>> zones(Plan((8, 1, 19, 19), (3, 3), (1, 1), (1, 1), (1, 1), 1, (19, 19))) is None
    True
    """
    if plan.pad[0] <= 0:
        return None
    bands = _axis_zones(plan.oh, plan.h, plan.kernel[0], plan.stride[0], plan.pad[0], plan.dilate[0])
    used = sum((o1 - o0) * (b - a) for o0, o1, a, b in bands)
    if (used > (1 - ZONE_MIN_WASTE) * plan.oh * plan.kernel[0]
            or plan.n * plan.ow * min(o1 - o0 for o0, o1, _, _ in bands) < ZONE_MIN_COLS):
        return None
    found = []
    s, p, d = plan.stride[0], plan.pad[0], plan.dilate[0]
    for o0, o1, a, b in bands:
        first = o0 * s - p + a * d
        found.append((slice(o0, o1), slice(0, plan.ow), slice(a, b), slice(0, plan.kernel[1]),
                      slice(first, first + (o1 - o0 - 1) * s + max(b - a - 1, 0) * d + 1), slice(0, plan.w),
                      (0, plan.pad[1])))
    return found


def _zone_plan(plan, zone, src_shape):
    """The plan computing ``zone`` of ``plan`` from the input slice the zone reads."""
    out_rows, out_cols, k_rows, k_cols, _, _, pad = zone
    kernel = (k_rows.stop - k_rows.start, k_cols.stop - k_cols.start)
    return Plan(src_shape, kernel, plan.stride, pad, plan.dilate, plan.groups,
                (out_rows.stop - out_rows.start, out_cols.stop - out_cols.start), plan.fg * plan.groups)


def _direct(plan, w_shape, dtype):
    """Whether the convolution ``plan`` with weight shape ``w_shape`` runs by the direct kernels."""
    return direct_wins((plan.n, plan.c, plan.h, plan.w), w_shape, plan.stride, plan.pad, plan.dilate,
                       plan.groups, dtype)


def forward(src, w, plan, bias=None, dtype=None, relu=False, scale=None):
    """:func:`.gemm.conv_forward`, or the direct or Winograd kernels where they win, or one of them per band
    of output rows when padding rows cost enough (:func:`zones`) (same arguments and result).

    Examples
    --------
    >>> plan = Plan((1, 1, 2, 2), (1, 1), (1, 1), (0, 0), (1, 1), 1, (2, 2))
    >>> forward(np.ones((1, 1, 2, 2), np.float32), np.full((1, 1, 1, 1), 2, np.float32), plan)[0, 0]
    array([[2., 2.],
           [2., 2.]], dtype=float32)
    """
    dtype = np.result_type(src.dtype if dtype is None else dtype)
    if src.dtype == dtype and _direct(plan, w.shape, dtype):
        return direct_forward(src, w, bias, relu, scale, dtype)
    if _wins(plan, w.shape, dtype):
        return winograd_forward(src, w, plan.pad, bias, relu, dtype, scale)
    if kn2row_applies(plan, w.shape[0]):
        return kn2row_forward(src, w, plan, bias, dtype, relu, scale)
    by_zone = zones(plan)
    if by_zone is None:
        return conv_forward(src, w, plan, bias, dtype, relu, scale)
    dst = np.empty((plan.n, w.shape[0], plan.oh, plan.ow), dtype)
    for zone in by_zone:
        out_rows, out_cols, k_rows, k_cols, in_rows, in_cols, _ = zone
        if k_rows.start == k_rows.stop or k_cols.start == k_cols.stop:    # every tap reads padding
            dst[:, :, out_rows, out_cols] = 0
            finish(dst[:, :, out_rows, out_cols], scale, bias, relu)
            continue
        part = src[:, :, in_rows, in_cols]
        dst[:, :, out_rows, out_cols] = forward(part, w[:, :, k_rows, k_cols], _zone_plan(plan, zone, part.shape),
                                                bias, dtype, relu, scale)
    return dst


def weight_grad(src, dy, plan, w_shape):
    """:func:`.gemm.conv_weight_grad`, or the direct or Winograd kernels where they win (same arguments and
    result).

    Examples
    --------
    >>> plan = Plan((1, 1, 2, 2), (1, 1), (1, 1), (0, 0), (1, 1), 1, (2, 2))
    >>> weight_grad(np.ones((1, 1, 2, 2), np.float32), np.ones((1, 1, 2, 2), np.float32), plan,
    ...             (1, 1, 1, 1)).ravel()
    array([4.], dtype=float32)
    """
    if src.dtype == dy.dtype and _direct(plan, w_shape, dy.dtype):
        return direct_weight_grad(src, dy)
    if _wins(plan, w_shape, dy.dtype, weight_grad=True):
        return winograd_weight_grad(src, dy, plan.pad)
    if kn2row_applies(plan, w_shape[0]):
        return kn2row_weight_grad(src, dy, plan, w_shape)
    return conv_weight_grad(src, dy, plan, w_shape)


def data_grad(dy, w, plan):
    """Gradient w.r.t. the input of the convolution ``plan`` with weight ``w (F, Cg, KH, KW)``.

    Parameters
    ----------
    dy : ndarray (N, F, OH, OW)
    w : ndarray (F, Cg, KH, KW)
    plan : Plan
        Forward geometry ``(N, C, H, W) -> (N, F, OH, OW)``.

    Returns
    -------
    ndarray (N, C, H, W)

    Examples
    --------
    >>> plan = Plan((1, 1, 2, 2), (1, 1), (1, 1), (0, 0), (1, 1), 1, (2, 2))
    >>> data_grad(np.ones((1, 1, 2, 2), np.float32), np.full((1, 1, 1, 1), 3, np.float32), plan)[0, 0]
    array([[3., 3.],
           [3., 3.]], dtype=float32)
    """
    if plan.stride != (1, 1) or plan.oh * plan.ow * FLIP_MAX_SHRINK < plan.h * plan.w:
        return conv_col2im(dy, w, plan)
    # stride 1: dx is a "full" correlation of dy with the flipped kernel; pad may come out negative
    flip_pad = tuple((k - 1) * d - p for k, d, p in zip(plan.kernel, plan.dilate, plan.pad))
    flip = Plan(dy.shape, plan.kernel, (1, 1), flip_pad, plan.dilate, plan.groups, (plan.h, plan.w),
                plan.c)
    return forward(dy, flipped(w, plan.groups), flip)


def bias_grad(dy):
    """Sum of ``dy (N, F, OH, OW)`` over everything but the channel axis, in ``dy.dtype``.

    Examples
    --------
    >>> bias_grad(np.ones((2, 3, 4, 5), np.float32))
    array([40., 40., 40.], dtype=float32)
    """
    return dy.reshape(dy.shape[0], dy.shape[1], -1).sum(axis=2).sum(axis=0)


def check_operands(op, x, w, b, groups, w_in_axis):
    """Validate data/weight/bias of ``op``; ``w_in_axis`` is the weight axis matching data channels.

    Examples
    --------
    >>> check_operands("Convolution", np.zeros((1, 3, 4, 4)), np.zeros((2, 4, 3, 3)), None, 1, 1)
    Traceback (most recent call last):
    ...
    ssdkit.base.ShapeError: Convolution: weight has 4 input channels per group, data has 3 channels in 1 group(s) (data shape (1, 3, 4, 4), weight shape (2, 4, 3, 3))
    """
    check_ndim(op, "data", x.shape, 4)
    check_ndim(op, "weight", w.shape, 4)
    per_group = w.shape[w_in_axis] * (groups if w_in_axis == 1 else 1)
    if per_group != x.shape[1] or (w_in_axis == 0 and x.shape[1] % groups):
        raise ShapeError(f"{op}: weight has {w.shape[w_in_axis]} input channels"
                         f"{' per group' if w_in_axis == 1 else ''}, data has {x.shape[1]} channels "
                         f"in {groups} group(s) (data shape {x.shape}, weight shape {w.shape})")
    out_channels = w.shape[0] if w_in_axis == 1 else w.shape[1] * groups
    if w_in_axis == 1 and out_channels % groups:
        raise ShapeError(f"{op}: weight has {out_channels} filters, not divisible by num_group {groups}")
    if b is not None and b.shape != (out_channels,):
        raise ShapeError(f"{op}: bias expected shape ({out_channels},), got {b.shape}")
    return out_channels


def conv2d_forward(x, w, b=None, stride=(1, 1), pad=(0, 0), dilate=(1, 1), groups=1, relu=False, scale=None):
    """MXNet ``Convolution`` forward: ``y[n, f] = b[f] + sum_c,kh,kw w[f, c, kh, kw] * x[n, c, ...]``.

    Parameters
    ----------
    x : ndarray (N, C, H, W)
        float32 (float64 works too, for gradient checks).
    w : ndarray (F, C/groups, KH, KW)
    b : ndarray (F,) or None
    stride, pad, dilate : int or tuple of 2 int
    groups : int
        ``num_group``.
    relu : bool
        Apply ``max(y, 0)`` to each output block while it is in cache (inference-time fusion; the saved
        state is then not meant for :func:`conv2d_backward`).
    scale : ndarray (F,) or None
        Multiply output channel ``f`` by ``scale[f]`` before the bias, in cache like the ReLU (a folded
        BatchNorm's ``gamma / std``; inference-time fusion too).

    Returns
    -------
    y : ndarray (N, F, OH, OW)
        ``OH = (H + 2*pad - dilate*(KH-1) - 1) // stride + 1``, likewise ``OW``.
    saved : ConvSaved
        Pass to :func:`conv2d_backward`. It references ``x`` and ``w``: do not modify them in place.

    Examples
    --------
    >>> y, _ = conv2d_forward(np.ones((1, 2, 3, 3), np.float32), np.ones((4, 1, 3, 3), np.float32),
    ...                       np.arange(4, dtype=np.float32), pad=1, groups=2)
    >>> y.shape, y[0, :, 1, 1]
    ((1, 4, 3, 3), array([ 9., 10., 11., 12.], dtype=float32))
    """
    stride, pad = as_tuple(stride, 2, "stride"), as_tuple(pad, 2, "pad")
    dilate = as_tuple(dilate, 2, "dilate")
    check_operands("Convolution", x, w, b, groups, 1)
    out_shape = conv2d_out_shape(x.shape, w.shape[0], w.shape[2:], stride, pad, dilate, groups)
    plan = Plan(x.shape, w.shape[2:], stride, pad, dilate, groups, out_shape[2:], w.shape[0])
    if scale is not None and scale.shape != (w.shape[0],):
        raise ShapeError(f"Convolution: scale expected shape ({w.shape[0]},), got {scale.shape}")
    y = forward(x, w, plan, b, np.result_type(x, w), relu, scale)
    return y, ConvSaved(x, w, b is not None, plan)


def conv2d_backward(saved, dy, need_dx=True, need_dw=True, need_db=True):
    """MXNet ``Convolution`` backward (vector-Jacobian product).

    Parameters
    ----------
    saved : ConvSaved
        From :func:`conv2d_forward`.
    dy : ndarray (N, F, OH, OW)
        Gradient of the output.
    need_dx, need_dw, need_db : bool
        Which gradients to compute (``db`` is None anyway when the forward had no bias).

    Returns
    -------
    dx : ndarray (N, C, H, W) or None
    dw : ndarray (F, C/groups, KH, KW) or None
    db : ndarray (F,) or None

    Examples
    --------
    >>> y, saved = conv2d_forward(np.ones((1, 1, 3, 3), np.float32), np.ones((1, 1, 3, 3), np.float32),
    ...                           np.zeros(1, np.float32), pad=1)
    >>> dx, dw, db = conv2d_backward(saved, np.ones_like(y), need_dx=False)
    >>> dx, dw[0, 0, 0], db
    (None, array([4., 6., 4.], dtype=float32), array([9.], dtype=float32))
    """
    plan = saved.plan
    expected = (plan.n, saved.w.shape[0], plan.oh, plan.ow)
    if dy.shape != expected:
        raise ShapeError(f"Convolution backward: output gradient expected shape {expected}, got {dy.shape}")
    dx = data_grad(dy, saved.w, plan) if need_dx else None
    dw = weight_grad(saved.x, dy, plan, saved.w.shape) if need_dw else None
    db = bias_grad(dy) if need_db and saved.has_bias else None
    return dx, dw, db
