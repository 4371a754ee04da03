"""Pooling over any number of spatial axes (MXNet ``Pooling`` with 3-D kernels, NCDHW), forward and backward.

The same rules as the 2-D kernels of :mod:`.pool` (MXNet 1.9.1's src/operator/nn/pool.h):

* max: the maximum over the window's positions inside the data, starting from the lowest finite value
  (a NaN never wins); the gradient goes to the first position in row-major window order holding it.
* avg: the window sum over the count MXNet divides by -- with ``count_include_pad`` the window clipped to
  the padded data, without it the window clipped to the data itself.
* sum: the window sum.
* lp: ``root_p(sum of x ** p)`` over the window (``p_value`` 1, 2 or 3; odd powers keep their sign, as
  MXNet); the gradient is ``dy * (x / y) ** (p - 1)``.

A Python loop runs over the kernel taps, each a strided slice of the padded data; never over pixels.
1-D pooling runs through the 2-D kernels (height 1) instead.

Examples
--------
>>> x = np.arange(8, dtype=np.float32).reshape(1, 1, 2, 2, 2)
>>> y, saved = pool_nd_forward(x, kernel=(2, 2, 2), stride=(2, 2, 2))
>>> y.ravel().tolist(), pool_nd_backward(saved, np.ones_like(y)).ravel().tolist()
([7.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0])
"""
import itertools

import numpy as np

from ...base import MXNetError, as_tuple
from .geometry import pool_out_shape

__all__ = ["pool_nd_forward", "pool_nd_backward"]


def _divisor(spatial, kernel, stride, pad, out, include_pad):
    """Per output position, the count avg pooling divides by (an outer product of per-axis counts)."""
    counts = []
    for size, k, s, p, o in zip(spatial, kernel, stride, pad, out):
        start = np.arange(o) * s - p
        if include_pad:
            counts.append(np.minimum(start + k, size + p) - start)
        else:
            counts.append(np.minimum(start + k, size) - np.maximum(start, 0))
    total = counts[0]
    for c in counts[1:]:
        total = np.multiply.outer(total, c)
    return total


def pool_nd_forward(x, kernel, stride=1, pad=0, pool_type="max", pooling_convention="valid",
                    count_include_pad=True, global_pool=False, p_value=None):
    """Pool ``x (N, C, *spatial)``: ``(y, saved)`` (see the module docstring for the rules).

    Examples
    --------
    >>> pool_nd_forward(np.ones((1, 1, 3, 3, 3), np.float32), (2, 2, 2), 2, pad=1, pool_type="avg",
    ...                 count_include_pad=False)[0].shape
    (1, 1, 2, 2, 2)
    """
    n = x.ndim - 2
    if global_pool:
        kernel, stride, pad = x.shape[2:], (1,) * n, (0,) * n
    kernel, stride, pad = as_tuple(kernel, n, "kernel"), as_tuple(stride, n, "stride"), as_tuple(pad, n, "pad")
    out = pool_out_shape(x.shape, kernel, stride, pad, pooling_convention)[2:]
    # the 'full' convention's last window may hang past the padding: pad the far side further
    far = [p + max(0, (o - 1) * s + k - (size + 2 * p)) for size, k, s, p, o in zip(x.shape[2:], kernel, stride,
                                                                                      pad, out)]
    lowest = np.finfo(x.dtype).min if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    fill = lowest if pool_type == "max" else 0
    padded = np.pad(x, [(0, 0), (0, 0)] + list(zip(pad, far)), constant_values=fill)
    taps = list(itertools.product(*(range(k) for k in kernel)))
    slices = [(slice(None), slice(None)) + tuple(slice(t, t + s * (o - 1) + 1, s)
                                                 for t, s, o in zip(tap, stride, out)) for tap in taps]
    if pool_type == "max":
        y = np.full(x.shape[:2] + out, lowest, x.dtype)
        arg = np.full(y.shape, -1, np.int32)
        for t, where in enumerate(slices):
            window = padded[where]
            wins = window > y
            y = np.where(wins, window, y)
            arg[wins] = t
        divisor = None
    elif pool_type == "lp":
        if p_value not in (1, 2, 3):
            raise MXNetError(f"Pooling: pool_type 'lp' needs p_value 1, 2 or 3, got {p_value}")
        total = np.zeros(x.shape[:2] + out, np.float64)
        for where in slices:
            total += padded[where].astype(np.float64) ** p_value
        y = np.cbrt(total) if p_value == 3 else total ** (1.0 / p_value)
        y = y.astype(x.dtype)
        return y, (x.shape, padded.shape, pad, slices, None, ("lp", p_value, padded, y))
    else:
        y = np.zeros(x.shape[:2] + out, np.float64 if x.dtype == np.float64 else np.float32)
        for where in slices:
            y += padded[where]
        divisor = _divisor(x.shape[2:], kernel, stride, pad, out, count_include_pad) if pool_type == "avg" else 1
        y = (y / divisor).astype(x.dtype)
        arg = None
    return y, (x.shape, padded.shape, pad, slices, arg, divisor)


def pool_nd_backward(saved, dy):
    """Gradient w.r.t. the input of :func:`pool_nd_forward` for the output gradient ``dy``.

    Examples
    --------
    >>> y, saved = pool_nd_forward(np.ones((1, 1, 2, 2, 2), np.float32), (2, 2, 2), pool_type="avg")
    >>> pool_nd_backward(saved, np.ones_like(y)).ravel().tolist()
    [0.125, 0.125, 0.125, 0.125, 0.125, 0.125, 0.125, 0.125]
    """
    shape, padded_shape, pad, slices, arg, divisor = saved
    grad = np.zeros(padded_shape, dy.dtype)
    if isinstance(divisor, tuple):   # lp pooling
        _, p_value, padded, y = divisor
        for where in slices:
            grad[where] += dy if p_value == 1 else dy * (padded[where] / y) ** (p_value - 1)
    elif arg is not None:
        for t, where in enumerate(slices):
            grad[where] += np.where(arg == t, dy, 0)
    else:
        share = (dy / divisor).astype(dy.dtype)
        for where in slices:
            grad[where] += share
    crop = tuple(slice(p, p + s) for p, s in zip(pad, shape[2:]))
    return grad[(slice(None), slice(None)) + crop]
