"""Convolutions with few filters over many channels (SSD's class and box predictors), by multiplying the
input as it lies and shifting the small products ("kn2row"), instead of gathering patches.

The im2col GEMM of a 3x3 layer gathers ``9*C`` rows per output pixel, then multiplies them by only ``F``
filters: with 16 filters over 512 channels the gathering copies more bytes than the GEMM multiplies per
byte, and a 16-row GEMM runs far below the machine's rate. Here, per image (stride 1, one group):

* forward  ``Z (KH*KW*F, H*W) = W_taps (KH*KW*F, C) @ x[n] (C, H*W)``, then ``y[n]`` is the sum over the
  kernel taps of ``Z``'s tap rows shifted by the tap's offset (shapes clipped at the borders: padding reads
  nothing). The shifts move ``KH*KW*F`` rows, not ``KH*KW*C``.
* weight grad  ``D (KH*KW*F, H*W)`` holds ``dy[n]`` shifted back by each tap (zero where the tap reads
  padding), and ``dW_taps (KH*KW*F, C) += D @ x[n].T``: again the input multiplied as it lies. The input
  channels are split over the cores, each adding its own columns in place (:func:`.blas.gemm`), so the
  result does not depend on which core ran what.

The data gradient is the forward of the flipped kernel, whose filters are the many channels: it stays on
the im2col path (its gathering copies ``dy``'s few channels).

Examples
--------
>>> import numpy as np
>>> from .im2col import Plan
>>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
>>> plan = Plan(x.shape, (3, 3), (1, 1), (1, 1), (1, 1), 1, (4, 4), 1)
>>> kn2row_forward(x, np.ones((1, 1, 3, 3), np.float32), plan)[0, 0, 0]
array([10., 18., 24., 18.], dtype=float32)
"""
import numpy as np

from .arena import empty
from .blas import gemm
from .gemm import finish
from .parallel import WORKERS, parallel_for
from .scratch import scratch

__all__ = ["kn2row_applies", "kn2row_forward", "kn2row_weight_grad"]

#: Runs here when the taps' filters are at most this share of the channels (``KH*KW*F <= C * ...``: the
#: products ``Z`` are then smaller than the patches im2col gathers) ...
MAX_TAP_FILTERS_PER_CHANNEL = 3
#: ... and each image has this many pixels (the per-image GEMM's columns) or more.
MIN_PIXELS = 256
#: Use this path where it applies (tests switch it off to compare).
KN2ROW = True


def kn2row_applies(plan, filters):
    """Whether the convolution ``plan`` with ``filters`` output channels runs here: stride 1, one group,
    a kernel larger than 1x1, few filters for its channels and large enough maps.

    Examples
    --------
    >>> from .im2col import Plan
    >>> kn2row_applies(Plan((8, 1024, 19, 19), (3, 3), (1, 1), (1, 1), (1, 1), 1, (19, 19), 24), 24)
    True
    >>> kn2row_applies(Plan((8, 256, 19, 19), (3, 3), (1, 1), (1, 1), (1, 1), 1, (19, 19), 256), 256)
    False
    """
    kh, kw = plan.kernel
    return (KN2ROW and plan.stride == (1, 1) and plan.groups == 1 and kh * kw > 1 and min(plan.pad) >= 0
            and kh * kw * filters <= MAX_TAP_FILTERS_PER_CHANNEL * plan.c and plan.h * plan.w >= MIN_PIXELS)


def _taps(plan):
    """``[(tap index, out_rows, out_cols, in_rows, in_cols)]`` of every tap that reads inside the input."""
    kw_n = plan.kernel[1]
    return [(kh * kw_n + kw, orows, ocols, irows, icols)
            for kh, kw, orows, ocols, irows, icols in plan.taps(0, plan.oh)
            if orows.start < orows.stop and ocols.start < ocols.stop]


def kn2row_forward(src, w, plan, bias=None, dtype=None, relu=False, scale=None):
    """``dst = conv(src, w) * scale + bias``, then ``max(dst, 0)`` when ``relu`` (see the module docstring).

    Parameters
    ----------
    src : ndarray (N, C, H, W)
    w : ndarray (F, C, KH, KW)
    plan : Plan
        Stride 1, one group (:func:`kn2row_applies`).
    bias, scale : ndarray (F,) or None
    dtype : numpy dtype or None
        Result dtype (default ``src.dtype``).
    relu : bool

    Returns
    -------
    ndarray (N, F, OH, OW)

    Examples
    --------
    >>> from .im2col import Plan
    >>> plan = Plan((1, 2, 3, 3), (3, 3), (1, 1), (1, 1), (1, 1), 1, (3, 3), 1)
    >>> kn2row_forward(np.ones((1, 2, 3, 3)), np.ones((1, 2, 3, 3)), plan, relu=True)[0, 0, 1]
    array([12., 18., 12.])
    """
    dtype = np.dtype(src.dtype if dtype is None else dtype)
    f, c, kh, kw = w.shape
    taps = np.ascontiguousarray(w.transpose(2, 3, 0, 1), dtype=dtype).reshape(kh * kw * f, c)
    x = np.ascontiguousarray(src, dtype=dtype)
    dst = empty((plan.n, f, plan.oh, plan.ow), dtype)
    shifts = _taps(plan)

    def run(_, n):
        z = scratch("kn2row_z", (kh * kw * f, plan.h * plan.w), dtype)
        np.matmul(taps, x[n].reshape(c, -1), out=z)
        z = z.reshape(kh * kw, f, plan.h, plan.w)
        out = dst[n]
        out[...] = 0
        for tap, orows, ocols, irows, icols in shifts:
            target = out[:, orows, ocols]
            np.add(target, z[tap, :, irows, icols], out=target)
        finish(out, scale, bias, relu)

    parallel_for(list(range(plan.n)), run)
    return dst


def kn2row_weight_grad(src, dy, plan, w_shape):
    """Gradient w.r.t. the weight ``w_shape = (F, C, KH, KW)`` of ``dy = conv(src, w)`` (see the module
    docstring), in ``dy.dtype``.

    Examples
    --------
    >>> from .im2col import Plan
    >>> plan = Plan((1, 1, 3, 3), (3, 3), (1, 1), (1, 1), (1, 1), 1, (3, 3), 1)
    >>> kn2row_weight_grad(np.ones((1, 1, 3, 3)), np.ones((1, 1, 3, 3)), plan, (1, 1, 3, 3))[0, 0]
    array([[4., 6., 4.],
           [6., 9., 6.],
           [4., 6., 4.]])
    """
    f, c, kh, kw = w_shape
    dtype = dy.dtype
    x = np.ascontiguousarray(src, dtype=dtype)
    grads = np.zeros((kh * kw * f, c), dtype)
    shifts = _taps(plan)
    parts = [(i * c // WORKERS, (i + 1) * c // WORKERS) for i in range(WORKERS)]

    def run(_, part):
        c0, c1 = part
        d = scratch("kn2row_d", (kh * kw, f, plan.h, plan.w), dtype)
        for n in range(plan.n):
            d[...] = 0
            for tap, orows, ocols, irows, icols in shifts:
                d[tap, :, irows, icols] = dy[n, :, orows, ocols]
            gemm(d.reshape(kh * kw * f, -1), x[n, c0:c1].reshape(c1 - c0, -1).T, grads[:, c0:c1], accumulate=True)

    parallel_for([part for part in parts if part[0] < part[1]], run)
    return np.ascontiguousarray(grads.reshape(kh, kw, f, c).transpose(2, 3, 0, 1))
