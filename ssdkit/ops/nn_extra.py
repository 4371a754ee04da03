"""Smaller neural-network ops of MXNet 1.9.1: ``hard_sigmoid``, ``softmin``, ``SVMOutput`` and the patch ops
``im2col`` / ``col2im`` (any number of spatial axes, on :mod:`ssdkit.ops.kernels.im2col_nd`).

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("hard_sigmoid")
>>> op.forward(op.parse_params({}), [np.array([-3., 0., 1., 3.], np.float32)], False)[0][0].tolist()
[0.0, 0.5, 0.699999988079071, 1.0]
"""
import numpy as np

from ..base import ShapeError, as_tuple
from .kernels.geometry import conv_out_shape
from .kernels.im2col_nd import col2im_nd, im2col_nd
from .registry import Op, Param, register

__all__ = []


@register
class hard_sigmoid(Op):
    """``max(0, min(1, alpha * x + beta))``; the gradient is ``alpha`` where the line is strictly inside (0, 1)."""
    params = {"alpha": Param("float", 0.2), "beta": Param("float", 0.5)}

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        line = x * x.dtype.type(p.alpha) + x.dtype.type(p.beta)
        return [np.clip(line, 0, 1).astype(x.dtype, copy=False)], line

    def backward(self, p, saved, out_grads):
        g = out_grads[0]
        return [np.where((saved > 0) & (saved < 1), g * g.dtype.type(p.alpha), 0).astype(g.dtype)]


@register
class softmin(Op):
    """Softmax of ``-data / temperature`` along ``axis``: large entries get small weights."""
    params = {"axis": Param("int", -1), "temperature": Param("any", None), "dtype": Param("any", None),
              "use_length": Param("bool", False)}

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        from scipy.special import softmax   # imported on first use: scipy.special is slow to import
        y = softmax(-x / x.dtype.type(p.temperature or 1.0), axis=p.axis).astype(x.dtype, copy=False)
        return [y], y

    def backward(self, p, saved, out_grads):
        y, g = saved, out_grads[0]
        return [-(y * (g - (g * y).sum(axis=p.axis, keepdims=True))) / y.dtype.type(p.temperature or 1.0)]


@register
class SVMOutput(Op):
    """Support-vector-machine output head: identity forward; backward the gradient of the L2-SVM loss (or the
    L1-SVM with ``use_linear``) for integer labels, ignoring the incoming gradient (a Module-era loss head)."""
    inputs = ("data", "label")
    params = {"margin": Param("float", 1.0), "regularization_coefficient": Param("float", 1.0),
              "use_linear": Param("bool", False)}

    def infer_shape(self, p, shapes):
        data = shapes[0]
        if data is None:
            return shapes, [None]
        if len(data) < 1:
            raise ShapeError(f"SVMOutput: data must be (N, ...) with a batch axis, got shape {tuple(data)}")
        label = (data[0],)
        if shapes[1] is not None and tuple(shapes[1]) != label:
            raise ShapeError(f"SVMOutput: label expected shape {label} for data {tuple(data)}, got {tuple(shapes[1])}")
        return [data, label], [data]

    def forward(self, p, inputs, is_train):
        x, label = inputs
        self.infer_shape(p, [x.shape, label.shape])
        return [x.copy()], (x, label)

    def backward(self, p, saved, out_grads):
        x, label = saved
        src = x.reshape(x.shape[0], -1)
        dtype = x.dtype.type
        margin, reg = dtype(p.margin), dtype(p.regularization_coefficient)
        is_label = np.arange(src.shape[1])[None, :] == label.astype(np.int64)[:, None]
        if p.use_linear:
            grad = np.where(is_label, -(margin > src).astype(x.dtype), (margin > -src).astype(x.dtype)) * reg
        else:
            grad = np.where(is_label, np.where(margin > src, 2 * (margin - src), 0),
                            np.where(margin > -src, -2 * (margin + src), 0)) * -reg
        return [grad.astype(x.dtype).reshape(x.shape), np.zeros_like(label)]


def _patch_geometry(op, p, spatial):
    n = len(p.kernel)
    if len(spatial) != n:
        raise ShapeError(f"{op}: a {n}-D kernel {p.kernel} needs {n} spatial axes, got {len(spatial)}")
    return (p.kernel, as_tuple(p.stride or 1, n), as_tuple(p.pad or 0, n), as_tuple(p.dilate or 1, n))


_PATCH_PARAMS = {"kernel": Param("shape"), "stride": Param("shape", ()), "dilate": Param("shape", ()),
                 "pad": Param("shape", ())}


@register
class im2col(Op):
    """Patches of ``data (N, C, *spatial)`` as columns: ``(N, C * prod(kernel), L)``, one column per position."""
    params = dict(_PATCH_PARAMS)

    def infer_shape(self, p, shapes):
        data = shapes[0]
        if data is None:
            return shapes, [None]
        kernel, stride, pad, dilate = _patch_geometry("im2col", p, data[2:])
        out = conv_out_shape(data, 1, kernel, stride, pad, dilate)[2:]
        return shapes, [(data[0], data[1] * int(np.prod(kernel)), int(np.prod(out)))]

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        self.infer_shape(p, [x.shape])
        kernel, stride, pad, dilate = _patch_geometry("im2col", p, x.shape[2:])
        return [im2col_nd(x, kernel, stride, pad, dilate)], x.shape

    def backward(self, p, saved, out_grads):
        kernel, stride, pad, dilate = _patch_geometry("im2col", p, saved[2:])
        return [col2im_nd(out_grads[0], saved, kernel, stride, pad, dilate)]


@register
class col2im(Op):
    """Sum columns ``(N, C * prod(kernel), L)`` back into an image of ``output_size`` (im2col's adjoint)."""
    params = dict(_PATCH_PARAMS, output_size=Param("shape"))

    def _image_shape(self, p, cols):
        k = int(np.prod(p.kernel))
        if len(cols) != 3 or cols[1] % k:
            raise ShapeError(f"col2im: data must be (N, C * {k}, L) for kernel {p.kernel}, got shape {tuple(cols)}")
        shape = (cols[0], cols[1] // k) + tuple(p.output_size)
        kernel, stride, pad, dilate = _patch_geometry("col2im", p, shape[2:])
        positions = int(np.prod(conv_out_shape(shape, 1, kernel, stride, pad, dilate)[2:]))
        if positions != cols[2]:
            raise ShapeError(f"col2im: output_size {p.output_size} gives {positions} patch positions, data has "
                             f"{cols[2]} (data shape {tuple(cols)})")
        return shape

    def infer_shape(self, p, shapes):
        if shapes[0] is None:
            return shapes, [None]
        return shapes, [self._image_shape(p, shapes[0])]

    def forward(self, p, inputs, is_train):
        shape = self._image_shape(p, inputs[0].shape)
        kernel, stride, pad, dilate = _patch_geometry("col2im", p, shape[2:])
        return [col2im_nd(inputs[0], shape, kernel, stride, pad, dilate)], shape

    def backward(self, p, saved, out_grads):
        kernel, stride, pad, dilate = _patch_geometry("col2im", p, saved[2:])
        return [im2col_nd(out_grads[0], kernel, stride, pad, dilate)]
