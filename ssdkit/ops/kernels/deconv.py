"""2-D transposed convolution (MXNet ``Deconvolution``) forward and backward on NCHW arrays.

A Deconvolution with weight ``w (C, F/groups, KH, KW)`` is the data-gradient of the Convolution that maps
its *output* shape ``(N, F, OH, OW)`` back to its input shape ``(N, C, H, W)`` with the same weight. So:

* forward   = that convolution's data gradient (stride 1: a flipped forward GEMM; else GEMM + col2im),
* data grad = that convolution's forward,
* weight grad = that convolution's weight gradient with the roles of input and output swapped.

Examples
--------
>>> import numpy as np
>>> x = np.ones((1, 1, 2, 2), np.float32)
>>> y, saved = conv2d_transpose_forward(x, np.ones((1, 1, 2, 2), np.float32), None, stride=2)
>>> y[0, 0]
array([[1., 1., 1., 1.],
       [1., 1., 1., 1.],
       [1., 1., 1., 1.],
       [1., 1., 1., 1.]], dtype=float32)
>>> [g if g is None else g.shape for g in conv2d_transpose_backward(saved, np.ones_like(y))]
[(1, 1, 2, 2), (1, 1, 2, 2), None]
"""
import numpy as np

from ...base import ShapeError, as_tuple
from .conv import bias_grad, check_operands, data_grad
from .gemm import conv_forward, conv_weight_grad
from .geometry import conv2d_transpose_out_shape, deconv2d_infer_pad
from .im2col import Plan

__all__ = ["conv2d_transpose_forward", "conv2d_transpose_backward", "DeconvSaved"]


class DeconvSaved:
    """What :func:`conv2d_transpose_backward` needs: input, weight and the equivalent convolution's plan.

    Examples
    --------
    >>> DeconvSaved(None, None, True, None).has_bias
    True
    """

    __slots__ = ("x", "w", "has_bias", "plan")

    def __init__(self, x, w, has_bias, plan):
        self.x, self.w, self.has_bias, self.plan = x, w, has_bias, plan


def conv2d_transpose_forward(x, w, b=None, stride=(1, 1), pad=(0, 0), adj=(0, 0), dilate=(1, 1),
                             groups=1, target_shape=None):
    """MXNet ``Deconvolution`` forward.

    Parameters
    ----------
    x : ndarray (N, C, H, W)
    w : ndarray (C, F/groups, KH, KW)
    b : ndarray (F,) or None
    stride, pad, adj, dilate : int or tuple of 2 int
        ``adj`` adds rows/columns at the bottom/right and must be smaller than ``stride``.
    groups : int
    target_shape : tuple of 2 int or None
        Wanted ``(OH, OW)``; when given (non-zero) it overrides ``pad`` and ``adj`` as in MXNet.

    Returns
    -------
    y : ndarray (N, F, OH, OW)
        ``OH = stride*(H-1) + dilate*(KH-1) + 1 - 2*pad + adj``.
    saved : DeconvSaved

    Examples
    --------
    >>> y, _ = conv2d_transpose_forward(np.ones((1, 2, 3, 3), np.float32),
    ...                                 np.ones((2, 1, 3, 3), np.float32), None, stride=2, pad=1, adj=1)
    >>> y.shape
    (1, 1, 6, 6)
    """
    stride, dilate = as_tuple(stride, 2, "stride"), as_tuple(dilate, 2, "dilate")
    kernel = tuple(w.shape[2:])
    out_channels = check_operands("Deconvolution", x, w, b, groups, 0)
    pad, adj = deconv2d_infer_pad(x.shape, kernel, stride, as_tuple(pad, 2, "pad"),
                                  as_tuple(adj, 2, "adj"), dilate, target_shape)
    out_shape = conv2d_transpose_out_shape(x.shape, out_channels, kernel, stride, pad, adj, dilate,
                                           groups)
    plan = Plan(out_shape, kernel, stride, pad, dilate, groups, x.shape[2:], x.shape[1])
    y = data_grad(x, w, plan)
    if b is not None:
        y += b[None, :, None, None]
    return y, DeconvSaved(x, w, b is not None, plan)


def conv2d_transpose_backward(saved, dy, need_dx=True, need_dw=True, need_db=True):
    """MXNet ``Deconvolution`` backward.

    Parameters
    ----------
    saved : DeconvSaved
    dy : ndarray (N, F, OH, OW)
    need_dx, need_dw, need_db : bool

    Returns
    -------
    dx : ndarray (N, C, H, W) or None
    dw : ndarray (C, F/groups, KH, KW) or None
    db : ndarray (F,) or None
        None when not needed or the forward had no bias.

    Examples
    --------
    >>> x = np.ones((1, 1, 2, 2), np.float32)
    >>> y, saved = conv2d_transpose_forward(x, np.full((1, 1, 1, 1), 2., np.float32), np.zeros(1, np.float32))
    >>> dx, dw, db = conv2d_transpose_backward(saved, np.ones_like(y))
    >>> dx[0, 0, 0], dw.ravel(), db
    (array([2., 2.], dtype=float32), array([4.], dtype=float32), array([4.], dtype=float32))
    """
    plan = saved.plan
    expected = (plan.n, plan.c, plan.h, plan.w)
    if dy.shape != expected:
        raise ShapeError(f"Deconvolution backward: output gradient expected shape {expected}, "
                         f"got {dy.shape}")
    dx = conv_forward(dy, saved.w, plan) if need_dx else None
    dw = conv_weight_grad(dy, saved.x, plan, saved.w.shape) if need_dw else None
    db = bias_grad(dy) if need_db and saved.has_bias else None
    return dx, dw, db
