"""Variable-length sequence ops: ``SequenceMask`` (entries past each sequence's length along the time axis are set
to ``value``), ``SequenceLast`` and ``SequenceReverse`` (MXNet's semantics). The recurrent cells'
``unroll(valid_length=...)`` is built on these three.

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


_PARAMS = {"use_sequence_length": Param("bool", False), "axis": Param("int", 0, (0, 1))}


def _lengths(name, p, inputs, data):
    """Valid lengths as int64 ``(batch,)``; the full length when ``use_sequence_length`` is off."""
    T, N = data.shape[p.axis], data.shape[1 - p.axis]
    if not p.use_sequence_length:
        return np.full(N, T, np.int64)
    lengths = np.asarray(inputs[1]).astype(np.int64).reshape(-1)
    if lengths.shape != (N,):
        raise ShapeError(f"{name}: sequence_length must have shape ({N},), "
                         f"got {np.shape(inputs[1])}")
    return lengths


class _SequenceOp(Op):
    inputs = ("data", "sequence_length")

    def input_names(self, p):
        return ["data", "sequence_length"] if p.use_sequence_length else ["data"]

    def _check(self, data):
        if data.ndim < 2:
            raise ShapeError(f"{self.name}: data must have a time and a batch axis, got shape {data.shape}")


@register
class SequenceLast(_SequenceOp):
    """The last valid step of every sequence (at its length - 1) along the time axis: padded batch
    of sequences to one step per sequence."""

    params = dict(_PARAMS)

    def forward(self, p, inputs, is_train):
        data = inputs[0]
        self._check(data)
        last = np.clip(_lengths(self.name, p, inputs, data) - 1, 0, data.shape[p.axis] - 1)
        batch = np.arange(data.shape[1 - p.axis])
        out = data[last, batch] if p.axis == 0 else data[batch, last]
        return [out], (data.shape, data.dtype, last, batch)

    def backward(self, p, saved, out_grads):
        shape, dtype, last, batch = saved
        grad = np.zeros(shape, dtype)
        if p.axis == 0:
            grad[last, batch] = out_grads[0]
        else:
            grad[batch, last] = out_grads[0]
        return [grad, None] if p.use_sequence_length else [grad]


@register
class SequenceReverse(_SequenceOp):
    """Reverse variable-length sequences in time (axis 0): each sequence's first ``length`` steps turn
    round, its padding stays in place."""

    params = {"use_sequence_length": Param("bool", False), "axis": Param("int", 0, (0,))}

    def _index(self, p, inputs, data):
        """Source time index of every output step: the first ``length`` steps reversed, padding in place."""
        T = data.shape[0]
        lengths = _lengths(self.name, p, inputs, data)
        t = np.arange(T)[:, None]
        return np.where(t < lengths[None, :], lengths[None, :] - 1 - t, t)   # (T, N)

    def forward(self, p, inputs, is_train):
        data = inputs[0]
        self._check(data)
        index = self._index(p, inputs, data)
        batch = np.arange(data.shape[1])[None, :]
        return [data[index, batch]], (index, batch)

    def backward(self, p, saved, out_grads):
        index, batch = saved
        grad = np.zeros_like(out_grads[0])
        grad[index, batch] = out_grads[0]   # a permutation per sequence: no index repeats
        return [grad, None] if p.use_sequence_length else [grad]
