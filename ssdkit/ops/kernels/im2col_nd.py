"""Patch matrices for any number of spatial axes (MXNet's ``im2col`` / ``col2im`` layout), and the 3-D
convolution and transposed convolution built on them.

``im2col_nd`` turns ``x (N, C, *S)`` into ``cols (N, C * prod(kernel), L)``: row ``c * K + t`` holds channel
``c`` seen through kernel tap ``t`` (taps in row-major order over the kernel), column ``l`` one output
position (row-major over the output). ``col2im_nd`` is its adjoint: every column entry is added back to the
pixel it was read from. A Python loop runs over the kernel taps only, each a strided slice.

The 2-D paths of Convolution and Deconvolution (and the 1-D ones, run as 2-D with a height of 1) use the
tuned GEMM kernels of :mod:`.conv`; these functions serve 3-D kernels and the ``im2col`` / ``col2im`` ops.

Examples
--------
>>> x = np.arange(4, dtype=np.float32).reshape(1, 1, 4)
>>> im2col_nd(x, (2,))[0]
array([[0., 1., 2.],
       [1., 2., 3.]], dtype=float32)
>>> col2im_nd(np.ones((1, 2, 3), np.float32), (1, 1, 4), (2,))[0]
array([[1., 2., 2., 1.]], dtype=float32)
"""
import itertools

import numpy as np

from ...base import as_tuple
from .geometry import conv_out_shape, conv_transpose_out_shape, deconv2d_infer_pad

__all__ = ["im2col_nd", "col2im_nd", "conv_nd_forward", "conv_nd_backward", "conv_transpose_nd_forward",
           "conv_transpose_nd_backward"]


def _geometry(spatial, kernel, stride, pad, dilate):
    n = len(spatial)
    kernel = as_tuple(kernel, n, "kernel")
    stride, pad, dilate = (as_tuple(v, n, name) for v, name in ((stride, "stride"), (pad, "pad"),
                                                                 (dilate, "dilate")))
    out = tuple((s + 2 * p - (1 + (k - 1) * d)) // st + 1
                for s, k, st, p, d in zip(spatial, kernel, stride, pad, dilate))
    return kernel, stride, pad, dilate, out


def _tap_slices(kernel, stride, dilate, out):
    """Per kernel tap (row-major), the strided slices of the padded input it reads."""
    for tap in itertools.product(*(range(k) for k in kernel)):
        yield tuple(slice(t * d, t * d + s * (o - 1) + 1, s) for t, d, s, o in zip(tap, dilate, stride, out))


def im2col_nd(x, kernel, stride=1, pad=0, dilate=1):
    """Patch matrix ``(N, C * prod(kernel), L)`` of ``x (N, C, *spatial)`` (see the module docstring).

    Examples
    --------
    >>> im2col_nd(np.ones((2, 3, 4, 4, 4), np.float32), (2, 2, 2), stride=2).shape
    (2, 24, 8)
    """
    kernel, stride, pad, dilate, out = _geometry(x.shape[2:], kernel, stride, pad, dilate)
    if any(pad):
        x = np.pad(x, [(0, 0), (0, 0)] + [(p, p) for p in pad])
    taps = int(np.prod(kernel))
    cols = np.empty(x.shape[:2] + (taps,) + out, x.dtype)
    for t, where in enumerate(_tap_slices(kernel, stride, dilate, out)):
        cols[:, :, t] = x[(slice(None), slice(None)) + where]
    return cols.reshape(x.shape[0], x.shape[1] * taps, -1)


def col2im_nd(cols, shape, kernel, stride=1, pad=0, dilate=1):
    """Sum a patch matrix ``(N, C * prod(kernel), L)`` back into an array of ``shape (N, C, *spatial)``.

    Examples
    --------
    >>> col2im_nd(np.ones((1, 4, 4), np.float32), (1, 1, 3, 3), (2, 2))[0, 0]
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]], dtype=float32)
    """
    kernel, stride, pad, dilate, out = _geometry(shape[2:], kernel, stride, pad, dilate)
    taps = int(np.prod(kernel))
    cols = cols.reshape(tuple(shape[:2]) + (taps,) + out)
    padded = np.zeros(tuple(shape[:2]) + tuple(s + 2 * p for s, p in zip(shape[2:], pad)), cols.dtype)
    for t, where in enumerate(_tap_slices(kernel, stride, dilate, out)):
        padded[(slice(None), slice(None)) + where] += cols[:, :, t]
    crop = tuple(slice(p, p + s) for p, s in zip(pad, shape[2:]))
    return padded[(slice(None), slice(None)) + crop]


def _grouped(mat, groups):
    """``(N, G * R, L)`` -> ``(N, G, R, L)``."""
    return mat.reshape(mat.shape[0], groups, -1, mat.shape[-1])


def conv_nd_forward(x, w, b=None, stride=1, pad=0, dilate=1, groups=1):
    """Convolution of ``x (N, C, *S)`` with ``w (F, C // groups, *K)`` (+ ``b (F,)``): ``(y, saved)``.

    Examples
    --------
    >>> y, _ = conv_nd_forward(np.ones((1, 2, 3, 3, 3), np.float32), np.ones((4, 2, 2, 2, 2), np.float32))
    >>> y.shape, float(y[0, 0, 0, 0, 0])
    ((1, 4, 2, 2, 2), 16.0)
    """
    kernel = w.shape[2:]
    out_shape = conv_out_shape(x.shape, w.shape[0], kernel, stride, pad, dilate, groups)
    cols = _grouped(im2col_nd(x, kernel, stride, pad, dilate), groups)          # (N, G, Cg*K, L)
    wg = w.reshape(groups, w.shape[0] // groups, -1)                           # (G, Fg, Cg*K)
    y = np.matmul(wg[None], cols).reshape(out_shape)
    if b is not None:
        y += b.reshape((1, -1) + (1,) * (x.ndim - 2))
    return y.astype(x.dtype, copy=False), (x.shape, w, cols, stride, pad, dilate, groups)


def conv_nd_backward(saved, dy, need_dx=True, need_dw=True, need_db=True):
    """Gradients ``(dx, dw, db)`` of :func:`conv_nd_forward` for the output gradient ``dy``.

    Examples
    --------
    >>> x, w = np.ones((1, 1, 2, 2, 2), np.float32), np.ones((1, 1, 2, 2, 2), np.float32)
    >>> y, saved = conv_nd_forward(x, w)
    >>> [g.shape for g in conv_nd_backward(saved, np.ones_like(y))]
    [(1, 1, 2, 2, 2), (1, 1, 2, 2, 2), (1,)]
    """
    x_shape, w, cols, stride, pad, dilate, groups = saved
    dyg = _grouped(dy.reshape(dy.shape[0], dy.shape[1], -1), groups)           # (N, G, Fg, L)
    wg = w.reshape(groups, w.shape[0] // groups, -1)
    dx = dw = db = None
    if need_dx:
        dcols = np.matmul(wg.transpose(0, 2, 1)[None], dyg)                     # (N, G, Cg*K, L)
        dx = col2im_nd(dcols.reshape(dy.shape[0], -1, dcols.shape[-1]), x_shape, w.shape[2:], stride, pad,
                       dilate).astype(dy.dtype, copy=False)
    if need_dw:
        dw = np.einsum("ngfl,ngkl->gfk", dyg, cols).reshape(w.shape).astype(w.dtype, copy=False)
    if need_db:
        db = dy.sum(axis=(0,) + tuple(range(2, dy.ndim))).astype(dy.dtype, copy=False)
    return dx, dw, db


def conv_transpose_nd_forward(x, w, b=None, stride=1, pad=0, adj=0, dilate=1, groups=1, target_shape=None):
    """Transposed convolution of ``x (N, C, *S)`` with ``w (C, F // groups, *K)``: ``(y, saved)``.

    Examples
    --------
    >>> y, _ = conv_transpose_nd_forward(np.ones((1, 1, 2, 2, 2), np.float32), np.ones((1, 3, 2, 2, 2), np.float32),
    ...                                  stride=2)
    >>> y.shape
    (1, 3, 4, 4, 4)
    """
    kernel, n = w.shape[2:], x.ndim - 2
    num_filter = w.shape[1] * groups
    out_shape = conv_transpose_out_shape(x.shape, num_filter, kernel, stride, pad, adj, dilate, groups,
                                         target_shape)
    pad, _ = deconv2d_infer_pad(x.shape, kernel, as_tuple(stride, n), as_tuple(pad, n), as_tuple(adj, n),
                                as_tuple(dilate, n), target_shape)
    xg = _grouped(x.reshape(x.shape[0], x.shape[1], -1), groups)               # (N, G, Cg, L)
    wg = w.reshape(groups, w.shape[0] // groups, -1)                           # (G, Cg, Fg*K)
    cols = np.matmul(wg.transpose(0, 2, 1)[None], xg)                           # (N, G, Fg*K, L)
    y = col2im_nd(cols.reshape(x.shape[0], -1, cols.shape[-1]), out_shape, kernel, stride, pad, dilate)
    if b is not None:
        y = y + b.reshape((1, -1) + (1,) * n)
    return y.astype(x.dtype, copy=False), (x, w, stride, pad, dilate, groups)


def conv_transpose_nd_backward(saved, dy, need_dx=True, need_dw=True, need_db=True):
    """Gradients ``(dx, dw, db)`` of :func:`conv_transpose_nd_forward` for the output gradient ``dy``.

    Examples
    --------
    >>> x, w = np.ones((1, 1, 2, 2, 2), np.float32), np.ones((1, 1, 2, 2, 2), np.float32)
    >>> y, saved = conv_transpose_nd_forward(x, w)
    >>> [g.shape for g in conv_transpose_nd_backward(saved, np.ones_like(y))]
    [(1, 1, 2, 2, 2), (1, 1, 2, 2, 2), (1,)]
    """
    x, w, stride, pad, dilate, groups = saved
    cols = _grouped(im2col_nd(dy, w.shape[2:], stride, pad, dilate), groups)   # (N, G, Fg*K, L)
    wg = w.reshape(groups, w.shape[0] // groups, -1)                           # (G, Cg, Fg*K)
    xg = _grouped(x.reshape(x.shape[0], x.shape[1], -1), groups)               # (N, G, Cg, L)
    dx = dw = db = None
    if need_dx:
        dx = np.matmul(wg[None], cols).reshape(x.shape).astype(dy.dtype, copy=False)
    if need_dw:
        dw = np.einsum("ngcl,ngkl->gck", xg, cols).reshape(w.shape).astype(w.dtype, copy=False)
    if need_db:
        db = dy.sum(axis=(0,) + tuple(range(2, dy.ndim))).astype(dy.dtype, copy=False)
    return dx, dw, db
