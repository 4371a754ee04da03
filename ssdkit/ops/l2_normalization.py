"""L2Normalization (MXNet 1.9.1): ``x / sqrt(sum(x**2) + eps)`` per instance (all axes but 0), per channel
vector (axis 1, at each position) or per spatial map (axes 2.., per channel). GluonCV's VGG16-atrous SSD
normalizes its conv4_3 features with it (``mode='channel'``).

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("L2Normalization")
>>> (y,), _ = op.forward(op.parse_params({}), [np.array([[3.0, 4.0]], np.float32)], False)
>>> y
array([[0.6, 0.8]], dtype=float32)
"""
import numpy as np

from ..base import ShapeError
from .registry import Op, Param, register

__all__ = ["L2Normalization"]

MODES = ("instance", "channel", "spatial")


def _reduced_axes(mode, ndim):
    if mode == "instance":
        return tuple(range(1, ndim))
    return (1,) if mode == "channel" else tuple(range(2, ndim))


@register
class L2Normalization(Op):
    """Divide by the L2 norm over the mode's axes (``instance``: all but 0; ``channel``: axis 1; ``spatial``:
    axes 2..); ``eps`` is added to the sum of squares."""
    params = {"eps": Param("float", 1e-10), "mode": Param("str", "instance", choices=MODES)}
    hidden_outputs = 1  # MXNet keeps the norm as a second, invisible output

    def infer_shape(self, p, shapes):
        data = shapes[0]
        if data is not None and p.mode != "instance" and len(data) < 3:
            raise ShapeError(f"L2Normalization: mode {p.mode!r} needs data of at least 3 dimensions, "
                             f"got shape {tuple(data)}")
        return shapes, [data]

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        self.infer_shape(p, [x.shape])
        axes = _reduced_axes(p.mode, x.ndim)
        norm = np.sqrt(np.sum(np.square(x), axis=axes, keepdims=True) + x.dtype.type(p.eps)).astype(x.dtype)
        y = x / norm
        return [y], (y, norm, axes)

    def backward(self, p, saved, out_grads):
        y, norm, axes = saved
        g = out_grads[0]
        return [(g - y * np.sum(g * y, axis=axes, keepdims=True)) / norm]
