"""MXNet 1.9.1's deprecated ``Convolution_v1``, ``Pooling_v1`` and ``BatchNorm_v1``: the math of the current
ops, run by their kernels, with the legacy parameter sets and the legacy behaviour where it differs.

What differs from the current ops (``src/operator/*_v1-inl.h``):

* ``Convolution_v1``: 2-D kernels in NCHW only (MXNet's 3-D path stops with "Volume convolution is not
  implmented in mshadow"); otherwise the same numbers as ``Convolution``.
* ``Pooling_v1``: 2-D kernels on NCHW data; ``pad`` adds zeros that max pooling sees (a window of negative
  numbers over the border gives 0); ``avg`` always divides by the whole kernel size, also for windows that
  ``full`` lets hang past the data; max pooling's gradient goes to every element equal to the window's
  maximum (ties share it, each getting the whole output gradient); no ``count_include_pad``, ``layout``,
  ``p_value``.
* ``BatchNorm_v1``: axis 1 of 2-D or 4-D data; ``output_mean_var`` returns the batch mean and (biased)
  variance, not the inverse standard deviation, and in predict mode (or ``use_global_stats``) the moving
  statistics themselves; the moving statistics move in the backward pass, as in MXNet (whose backward after a
  predict-mode forward uses the batch-statistics formula with the moving statistics in their place, like
  the current BatchNorm).

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("Pooling_v1")
>>> p = op.parse_params({"kernel": (2, 2), "pad": (1, 1), "stride": (2, 2)})
>>> op.forward(p, [-np.ones((1, 1, 2, 2), np.float32)], False)[0][0][0, 0]
array([[0., 0.],
       [0., 0.]], dtype=float32)
"""
import numpy as np

from ..base import MXNetError, ShapeError
from .registry import Op, Param, Params, register
from . import kernels
from .kernels.geometry import pool_out_shape
from .nn import Convolution
from .batchnorm import BatchNorm, batchnorm_forward, batchnorm_backward

__all__ = []


@register
class Convolution_v1(Convolution):
    """The legacy 2-D convolution (NCHW); same numbers as ``Convolution``."""
    params = {"kernel": Param("shape"), "stride": Param("shape", ()), "dilate": Param("shape", ()),
              "pad": Param("shape", ()), "num_filter": Param("int"), "num_group": Param("int", 1),
              "workspace": Param("int", 1024), "no_bias": Param("bool", False), "cudnn_tune": Param("any", None),
              "cudnn_off": Param("bool", False), "layout": Param("any", None)}

    def infer_shape(self, p, shapes):
        if len(p.kernel) != 2:
            raise MXNetError(f"Convolution_v1: only 2-D kernels run (MXNet 1.9.1 stops a {len(p.kernel)}-D one: "
                             f"'Volume convolution is not implmented in mshadow'), got kernel={p.kernel}")
        if p.layout not in (None, "NCHW"):
            raise MXNetError(f"Convolution_v1: only the NCHW layout is supported (as MXNet), got {p.layout!r}")
        return super().infer_shape(p, shapes)


def _pool_geometry(p, shape):
    """Kernel, stride and pad of a 2-D v1 pooling on data of ``shape``; global pooling takes the whole map."""
    if p.global_pool:
        return tuple(shape[2:4]), (1, 1), (0, 0)
    if len(p.kernel) != 2:
        raise MXNetError(f"Pooling_v1: only 2-D kernels run (MXNet 1.9.1: '3D kernel not implemented'), "
                         f"got kernel={p.kernel}")
    stride, pad = p.stride or (1, 1), p.pad or (0, 0)
    if len(stride) != 2 or len(pad) != 2:
        raise MXNetError(f"Pooling_v1: stride and pad need 2 values for a 2-D kernel, got stride={p.stride}, "
                         f"pad={p.pad}")
    return tuple(p.kernel), tuple(stride), tuple(pad)


@register
class Pooling_v1(Op):
    """The legacy 2-D pooling (NCHW): max / avg / sum with zero padding; ``valid`` or ``full`` convention."""
    params = {"kernel": Param("shape", ()), "pool_type": Param("str", "max", ("max", "avg", "sum")),
              "global_pool": Param("bool", False),
              "pooling_convention": Param("str", "valid", ("valid", "full")),
              "stride": Param("shape", ()), "pad": Param("shape", ())}

    def infer_shape(self, p, shapes):
        data = shapes[0]
        if data is None:
            return shapes, [None]
        if len(data) != 4:
            raise ShapeError(f"Pooling_v1: data must be 4-D (batch, channel, y, x), got shape {data}")
        kernel, stride, pad = _pool_geometry(p, data)
        return shapes, [pool_out_shape(data, kernel, stride, pad, p.pooling_convention, p.global_pool)]

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        self.infer_shape(p, [x.shape])
        kernel, stride, (ph, pw) = _pool_geometry(p, x.shape)
        xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw))) if ph or pw else x   # zeros every type sees
        kind = "max" if p.pool_type == "max" else "sum"
        y, saved = kernels.pool2d_forward(xp, kernel, stride, 0, kind, p.pooling_convention)
        if p.pool_type == "avg":   # MXNet multiplies by the reciprocal of the whole kernel size
            y = y * x.dtype.type(1.0 / (kernel[0] * kernel[1]))
        return [y], (saved, xp, y, kernel, stride, (ph, pw), x.shape)

    def backward(self, p, saved, out_grads):
        saved, xp, y, kernel, stride, (ph, pw), shape = saved
        g = out_grads[0]
        if p.pool_type == "max":
            dxp = _max_ties_backward(xp, y, g, kernel, stride)
        else:
            if p.pool_type == "avg":
                g = g * g.dtype.type(1.0 / (kernel[0] * kernel[1]))
            dxp = kernels.pool2d_backward(saved, g)
        return [dxp[:, :, ph:ph + shape[2], pw:pw + shape[3]]]


def _max_ties_backward(xp, y, g, kernel, stride):
    """Max pooling's gradient as MXNet's legacy ``unpool``: every element equal to its window's maximum gets
    that window's output gradient (one numpy step per kernel tap, no loop over pixels)."""
    (kh, kw), (sh, sw), (oh, ow) = kernel, stride, y.shape[2:]
    need_h, need_w = (oh - 1) * sh + kh, (ow - 1) * sw + kw   # 'full' windows may hang past the data
    n, c, h, w = xp.shape
    canvas = np.full((n, c, max(h, need_h), max(w, need_w)), -np.inf, xp.dtype)
    canvas[:, :, :h, :w] = xp
    grad = np.zeros(canvas.shape, g.dtype)
    for i in range(kh):
        for j in range(kw):
            tap = (slice(None), slice(None), slice(i, i + (oh - 1) * sh + 1, sh), slice(j, j + (ow - 1) * sw + 1, sw))
            grad[tap] += np.where(canvas[tap] == y, g, 0)
    return grad[:, :, :h, :w]


@register
class BatchNorm_v1(BatchNorm):
    """The legacy batch normalization over axis 1 of 2-D or 4-D data; see the module docstring."""
    params = {"eps": Param("float", 1e-3), "momentum": Param("float", 0.9), "fix_gamma": Param("bool", True),
              "use_global_stats": Param("bool", False), "output_mean_var": Param("bool", False)}

    def hidden_values(self, p, saved, is_train):
        return [] if p.output_mean_var else [("mean", saved[1]), ("var", saved[2])]

    def infer_shape(self, p, shapes):
        if shapes[0] is not None and len(shapes[0]) not in (2, 4):
            raise ShapeError(f"BatchNorm_v1: data must be 2-D or 4-D (MXNet's legacy kernel), got shape {shapes[0]}")
        return super().infer_shape(Params({**self._current(p), "output_mean_var": p.output_mean_var}), shapes)

    @staticmethod
    def _current(p):
        """The current BatchNorm's parameters doing this call's work."""
        return Params({"eps": p.eps, "momentum": p.momentum, "fix_gamma": p.fix_gamma, "axis": 1,
                       "use_global_stats": p.use_global_stats, "output_mean_var": False})

    def forward(self, p, inputs, is_train):
        x, dtype = inputs[0], inputs[0].dtype
        self.infer_shape(p, [a.shape for a in inputs])
        q = self._current(p)
        outs, saved = batchnorm_forward(q, inputs, is_train)
        update = saved[6]
        if update is None:   # moving statistics used: MXNet reports them as the mean and var
            mean, var = inputs[3].astype(dtype), inputs[4].astype(dtype)
        else:
            mean, var = update[2].astype(dtype), update[3].astype(dtype)
        extra = [mean, var] if p.output_mean_var else []
        off_batch = not is_train and not p.use_global_stats   # normalised by statistics not of this batch
        return outs + extra, (saved, mean, var, q, x if off_batch else None)

    def backward(self, p, saved, out_grads):
        saved, _, _, q, x = saved
        grads = batchnorm_backward(q, saved, out_grads[:1])
        if x is not None:
            grads[0] += _off_batch_term(x, out_grads[0], saved[2], saved[3], saved[4])
        return grads


def _off_batch_term(x, g, mean, inv_std, gamma):
    """What MXNet's legacy backward adds when the mean it normalised by is not the batch's (a predict-mode
    forward): its mean-gradient keeps the term ``sum(x - mean)``, zero only for the batch mean, giving
    ``gamma inv_std^3 sum(g (x - mean)) sum(x - mean) / n^2`` per channel."""
    shape = (1, -1) + (1,) * (x.ndim - 2)
    centred = x.astype(np.float64) - mean.reshape(shape)
    axes = (0,) + tuple(range(2, x.ndim))
    n = x.size // x.shape[1]
    term = gamma * inv_std ** 3 * (g * centred).sum(axis=axes) * centred.sum(axis=axes) / (n * n)
    return term.reshape(shape).astype(g.dtype)
