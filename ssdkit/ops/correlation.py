"""``Correlation`` (FlowNet's correlation layer) as MXNet 1.9.1 computes it on the CPU.

For every output position and every displacement ``(dy, dx)`` (multiples of ``stride2`` up to
``max_displacement``) it compares a ``kernel_size`` x ``kernel_size`` patch of ``data1`` with the patch of
``data2`` shifted by the displacement: the mean over the patch and the channels of their product
(``is_multiply``) or of their absolute difference. Output ``(N, D * D, top_h, top_w)`` with
``D = 2 * (max_displacement // stride2) + 1``; displacement index ``(dy_index) * D + dx_index``.
A Python loop runs over the displacements and kernel taps, never over pixels.

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("Correlation")
>>> x = np.ones((1, 2, 3, 3), np.float32)
>>> y = op.forward(op.parse_params({"max_displacement": 1, "pad_size": 1}), [x, x], False)[0][0]
>>> y.shape, float(y[0, 4, 1, 1])
((1, 9, 3, 3), 1.0)
"""
import numpy as np

from ..base import MXNetError, ShapeError
from .registry import Op, Param, register

__all__ = []


@register
class Correlation(Op):
    """Correlation of two NCHW feature maps over a grid of displacements (FlowNet)."""
    inputs = ("data1", "data2")
    hidden_outputs = 2   # MXNet's padded copies tmp1, tmp2
    params = {"kernel_size": Param("int", 1), "max_displacement": Param("int", 1), "stride1": Param("int", 1),
              "stride2": Param("int", 1), "pad_size": Param("int", 0), "is_multiply": Param("bool", True)}

    def _geometry(self, p, shape):
        if len(shape) != 4:
            raise ShapeError(f"Correlation: data1 and data2 must be 4-D (N, C, H, W), got shape {tuple(shape)}")
        if p.kernel_size < 1 or p.kernel_size % 2 == 0:
            raise MXNetError(f"Correlation: kernel_size must be odd and positive, got {p.kernel_size}")
        if min(p.stride1, p.stride2) < 1 or p.max_displacement < 0 or p.pad_size < 0:
            raise MXNetError(f"Correlation: strides must be positive and max_displacement, pad_size non-negative, "
                             f"got {dict(p)}")
        border = p.max_displacement + (p.kernel_size - 1) // 2
        padded = (shape[2] + 2 * p.pad_size, shape[3] + 2 * p.pad_size)
        top = tuple(int(np.ceil((d - 2 * border) / p.stride1)) for d in padded)
        if min(top) < 1:
            raise ShapeError(f"Correlation: data of shape {tuple(shape)} padded by {p.pad_size} is too small for "
                             f"max_displacement {p.max_displacement} and kernel_size {p.kernel_size}")
        radius = p.max_displacement // p.stride2
        return top, radius

    def infer_shape(self, p, shapes):
        data1, data2 = shapes
        known = data1 if data1 is not None else data2
        if known is None:
            return shapes, [None]
        if data1 is not None and data2 is not None and tuple(data1) != tuple(data2):
            raise ShapeError(f"Correlation: data1 {tuple(data1)} and data2 {tuple(data2)} must have the same shape")
        top, radius = self._geometry(p, known)
        return [known, known], [(known[0], (2 * radius + 1) ** 2) + top]

    def _windows(self, p, top, radius):
        """Per displacement (output channel order): the row/column slices of data1's and data2's padded
        copies covering every kernel window, and per kernel tap the strided slice of that region."""
        span = [(t - 1) * p.stride1 + p.kernel_size for t in top]
        md = p.max_displacement
        for dy in range(-radius, radius + 1):
            for dx in range(-radius, radius + 1):
                oy, ox = dy * p.stride2, dx * p.stride2
                first = (slice(md, md + span[0]), slice(md, md + span[1]))
                second = (slice(md + oy, md + oy + span[0]), slice(md + ox, md + ox + span[1]))
                yield first, second

    def _taps(self, p, top):
        for h in range(p.kernel_size):
            for w in range(p.kernel_size):
                yield (slice(h, h + (top[0] - 1) * p.stride1 + 1, p.stride1),
                       slice(w, w + (top[1] - 1) * p.stride1 + 1, p.stride1))

    def forward(self, p, inputs, is_train):
        a, b = inputs
        _, (out_shape,) = self.infer_shape(p, [a.shape, b.shape])
        top, radius = self._geometry(p, a.shape)
        pads = [(0, 0), (0, 0), (p.pad_size,) * 2, (p.pad_size,) * 2]
        pa, pb = np.pad(a, pads), np.pad(b, pads)
        count = p.kernel_size ** 2 * a.shape[1]
        y = np.zeros(out_shape, np.float64)
        for d, (first, second) in enumerate(self._windows(p, top, radius)):
            wa, wb = pa[(slice(None), slice(None)) + first], pb[(slice(None), slice(None)) + second]
            score = (wa * wb if p.is_multiply else np.abs(wa - wb)).sum(axis=1, dtype=np.float64)
            for tap in self._taps(p, top):
                y[:, d] += score[(slice(None),) + tap]
        return [(y / count).astype(a.dtype)], (pa, pb, a.shape, top, radius)

    def backward(self, p, saved, out_grads):
        pa, pb, shape, top, radius = saved
        g = out_grads[0].astype(np.float64) / (p.kernel_size ** 2 * shape[1])
        da, db = np.zeros(pa.shape), np.zeros(pb.shape)
        span = [(t - 1) * p.stride1 + p.kernel_size for t in top]
        for d, (first, second) in enumerate(self._windows(p, top, radius)):
            spread = np.zeros((g.shape[0],) + tuple(span))   # each window's gradient on its pixels
            for tap in self._taps(p, top):
                spread[(slice(None),) + tap] += g[:, d]
            spread = spread[:, None]
            wa, wb = pa[(slice(None), slice(None)) + first], pb[(slice(None), slice(None)) + second]
            if p.is_multiply:
                da[(slice(None), slice(None)) + first] += spread * wb
                db[(slice(None), slice(None)) + second] += spread * wa
            else:
                sign = np.where(wa >= wb, 1.0, -1.0)
                da[(slice(None), slice(None)) + first] += spread * sign
                db[(slice(None), slice(None)) + second] -= spread * sign
        crop = (slice(None), slice(None), slice(p.pad_size, p.pad_size + shape[2]),
                slice(p.pad_size, p.pad_size + shape[3]))
        dtype = out_grads[0].dtype
        return [da[crop].astype(dtype), db[crop].astype(dtype)]
