"""``SequenceMask``: entries past each sequence's length along the time axis are set to ``value``.

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("SequenceMask")
>>> p = op.parse_params({"use_sequence_length": True})
>>> op.forward(p, [np.ones((3, 2), np.float32), np.array([1., 3.], np.float32)], False)[0][0]
array([[1., 1.],
       [0., 1.],
       [0., 1.]], dtype=float32)
"""
import numpy as np

from ..base import ShapeError
from .registry import Op, Param, register

__all__ = []


@register(aliases=("_npx_sequence_mask",))
class SequenceMask(Op):
    """``data`` is (time, batch, ...) for ``axis=0`` or (batch, time, ...) for ``axis=1``; ``sequence_length``
    (batch,) is used only when ``use_sequence_length``."""
    inputs = ("data", "sequence_length")
    params = {"use_sequence_length": Param("bool", False), "value": Param("float", 0.0), "axis": Param("int", 0)}

    def input_names(self, p):
        return ["data", "sequence_length"] if p.use_sequence_length else ["data"]

    def infer_shape(self, p, shapes):
        return shapes, [shapes[0]]

    def _keep(self, p, x, lengths):
        if p.axis not in (0, 1):
            raise ShapeError(f"SequenceMask: axis must be 0 or 1, got {p.axis}")
        time, batch = (x.shape[0], x.shape[1]) if p.axis == 0 else (x.shape[1], x.shape[0])
        if lengths.shape != (batch,):
            raise ShapeError(f"SequenceMask: sequence_length expected shape ({batch},), got {lengths.shape} "
                             f"(data shape {x.shape}, axis={p.axis})")
        keep = np.arange(time)[:, None] < lengths.astype(np.int64)[None, :]  # (time, batch)
        keep = keep if p.axis == 0 else keep.T
        return keep.reshape(keep.shape + (1,) * (x.ndim - 2))

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        if not p.use_sequence_length:
            return [x.copy()], None
        keep = self._keep(p, x, inputs[1])
        return [np.where(keep, x, x.dtype.type(p.value))], (keep, inputs[1])

    def backward(self, p, saved, out_grads):
        if saved is None:
            return [out_grads[0]]
        keep, lengths = saved
        return [np.where(keep, out_grads[0], 0).astype(out_grads[0].dtype), np.zeros_like(lengths)]
