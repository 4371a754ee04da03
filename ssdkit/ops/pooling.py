"""MXNet's ``Pooling`` op: max / avg / sum / lp pooling with 1-D, 2-D and 3-D kernels, channel-first (NCW, NCHW,
NCDHW) or channel-last (NWC, NHWC, NDHWC) layout.

2-D pooling runs the kernels of :mod:`ssdkit.ops.kernels.pool`; 1-D pooling runs them too, on the data seen
as 2-D with a height of 1; 3-D pooling, lp pooling and the 1-D 'same' convention run
:mod:`ssdkit.ops.kernels.pool_nd`. Channel-last data is moved
to channel-first, pooled, and moved back.

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("Pooling")
>>> p = op.parse_params({"kernel": (2,), "stride": (2,), "layout": "NWC"})
>>> op.forward(p, [np.arange(8, dtype=np.float32).reshape(1, 4, 2)], False)[0][0].tolist()
[[[2.0, 3.0], [6.0, 7.0]]]
"""
import numpy as np

from ..base import MXNetError, as_tuple
from .registry import Op, Param, register, PROBE
from . import kernels
from .kernels.geometry import pool_out_shape
from .nn import _CHANNEL_LAST, _check_layout

__all__ = []


@register
class Pooling(Op):
    partial_shapes = PROBE  # MXNet infers from partial shapes
    hidden_outputs = 1  # MXNet's (MKL-DNN) pooling keeps a workspace output
    params = {"kernel": Param("shape", ()), "stride": Param("shape", ()), "pad": Param("shape", ()),
              "pool_type": Param("str", "max", ("max", "avg", "sum", "lp")),
              "pooling_convention": Param("str", "valid", ("valid", "full", "same")),
              "global_pool": Param("bool", False), "count_include_pad": Param("any", None),
              "cudnn_off": Param("bool", False), "layout": Param("any", None), "p_value": Param("any", None)}

    def _dims(self, p, data):
        """Spatial axes pooled: the kernel's, or (global pooling without a kernel) the data's."""
        return len(p.kernel) if p.kernel else len(data) - 2

    def _geometry(self, p, n=2):
        """Kernel, stride and pad for ``n`` spatial axes; like MXNet, extra trailing stride/pad values
        (``pad=(0, 0, 0)`` with a 1-D kernel) are ignored."""
        kernel = p.kernel or (1,) * n
        return kernel, as_tuple((p.stride or (1,) * n)[:n], n), as_tuple((p.pad or (0,) * n)[:n], n)

    def infer_shape(self, p, shapes):
        data = shapes[0]
        if data is None:
            return shapes, [None]
        n = self._dims(p, data)
        _check_layout("Pooling", n, p, data, channel_last=True)
        if p.pooling_convention == "same" and (n != 1 or any(p.pad or ())):
            raise MXNetError(f"Pooling: pooling_convention 'same' supports 1-D pooling without pad (MXNet), "
                             f"got kernel {p.kernel} and pad {p.pad}")
        last = p.layout in _CHANNEL_LAST.values()
        if last:   # channel-last data is pooled as channel-first
            data = (data[0], data[-1]) + tuple(data[1:-1])
        kernel, stride, pad = self._geometry(p, n)
        out = pool_out_shape(data, kernel, stride, pad, p.pooling_convention, p.global_pool)
        return shapes, [(out[0],) + out[2:] + (out[1],) if last else out]

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        n = self._dims(p, x.shape)
        self.infer_shape(p, [x.shape])
        last = p.layout in _CHANNEL_LAST.values()
        if last:
            x = np.ascontiguousarray(np.moveaxis(x, -1, 1))
        kernel, stride, pad = self._geometry(p, n)
        include = True if p.count_include_pad is None else bool(p.count_include_pad)
        if n == 3 or p.pooling_convention == "same" or p.pool_type == "lp":
            p_value = None if p.p_value is None else int(p.p_value)
            y, saved = kernels.pool_nd_forward(x, kernel, stride, pad, p.pool_type, p.pooling_convention,
                                               include, p.global_pool, p_value)
        else:
            if n == 1:   # as 2-D with a height of 1
                x, kernel, stride, pad = x[:, :, None], (1,) + kernel, (1,) + stride, (0,) + pad
            y, saved = kernels.pool2d_forward(x, kernel, stride, pad, p.pool_type, p.pooling_convention,
                                              include, p.global_pool)
            y = y[:, :, 0] if n == 1 else y
        return [np.moveaxis(y, 1, -1) if last else y], (n, last, saved)

    def backward(self, p, saved, out_grads):
        n, last, saved = saved
        g = np.ascontiguousarray(np.moveaxis(out_grads[0], -1, 1)) if last else out_grads[0]
        if n == 3 or p.pooling_convention == "same" or p.pool_type == "lp":
            dx = kernels.pool_nd_backward(saved, g)
        elif n == 1:
            dx = kernels.pool2d_backward(saved, g[:, :, None])[:, :, 0]
        else:
            dx = kernels.pool2d_backward(saved, g)
        return [np.moveaxis(dx, 1, -1) if last else dx]
