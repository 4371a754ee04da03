"""``np.percentile`` / ``np.quantile`` as MXNet 1.9.1's ``_npi_percentile``: the ``q`` percentiles (an array input,
or the number ``q_scalar``) of ``a`` over ``axis`` with the ``interpolation`` rules of MXNet's kernel (the
fractional index ``q * (n - 1) / 100`` in float32; ``nearest`` rounds halves away from zero, unlike NumPy's
half to even). The result is float64 for float64 data, else float32, shaped ``q.shape`` + the kept axes.

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("_npi_percentile")
>>> p = op.parse_params({"q_scalar": 50.0, "axis": (0,), "interpolation": "nearest"})
>>> op.forward(p, [np.array([[1., 5, 2], [8, 3, 4]])], False)[0][0]
array([8., 5., 4.])
"""
import numpy as np

from ..base import MXNetError
from .registry import Op, Param, register

__all__ = []

INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _reduced_axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    axes = tuple(sorted(a % ndim for a in axis)) if ndim else ()
    if len(set(axes)) != len(axes):
        raise MXNetError(f"percentile: repeated axis in {axis}")
    return axes


@register
class _npi_percentile(Op):
    """The ``q`` percentiles of ``a`` over ``axis`` (see the module docstring); no gradient."""
    inputs = ("a", "q")
    params = {"axis": Param("shape", None), "interpolation": Param("str", "linear", INTERPOLATIONS),
              "keepdims": Param("bool", False), "q_scalar": Param("float", None)}
    differentiable = False

    def input_names(self, p):
        return ["a"] if p.q_scalar is not None else ["a", "q"]

    def infer_shape(self, p, shapes):
        a = shapes[0]
        q = () if p.q_scalar is not None else shapes[1]
        if a is None or q is None:
            return shapes, [None]
        if len(q) > 1:
            raise MXNetError(f"percentile: q must be a number or a 1-D array, got shape {tuple(q)} (as MXNet 1.9.1)")
        axes = _reduced_axes(p.axis, len(a))
        kept = tuple(1 if i in axes else d for i, d in enumerate(a)) if p.keepdims else \
            tuple(d for i, d in enumerate(a) if i not in axes)
        return shapes, [tuple(q) + kept]

    def infer_type(self, p, dtypes):
        out = np.dtype(np.float64) if dtypes[0] == np.float64 else np.dtype(np.float32)
        return dtypes, [out]

    def forward(self, p, inputs, is_train):
        a = inputs[0]
        q = np.asarray(p.q_scalar, np.float64) if p.q_scalar is not None else inputs[1]
        if np.any((q < 0) | (q > 100)):
            raise MXNetError(f"percentile: q must be in [0, 100], got {q}")
        out_dtype = np.float64 if a.dtype == np.float64 else np.float32
        axes = _reduced_axes(p.axis, a.ndim)
        kept = [i for i in range(a.ndim) if i not in axes]
        rows = np.sort(np.transpose(a, kept + list(axes)).reshape([a.shape[i] for i in kept] + [-1]), axis=-1)
        n = rows.shape[-1]
        if n == 0:
            raise MXNetError(f"percentile: cannot take a percentile over zero elements (shape {a.shape}, axis "
                             f"{p.axis})")
        idx = ((q * (n - 1)).astype(np.float64) / 100.0).astype(np.float32)  # MXNet's float index
        if p.interpolation in ("lower", "higher", "nearest"):
            pick = {"lower": np.floor, "higher": np.ceil, "nearest": lambda i: np.floor(i + np.float32(0.5))}
            values = np.take(rows, pick[p.interpolation](idx).astype(np.int64), axis=-1)
        else:
            if p.interpolation == "midpoint":
                idx = ((np.floor(idx) + np.ceil(idx)) / 2).astype(np.float32)
            below = np.floor(idx).astype(np.int64)
            above = np.minimum(below + 1, n - 1)
            weight = (idx - below).astype(np.float32)
            # each weighted term is rounded to the data's dtype when that is float16 (MXNet's half arithmetic)
            term_dtype = np.float16 if a.dtype == np.float16 else out_dtype
            low = (np.take(rows, below, axis=-1) * (np.float32(1) - weight)).astype(term_dtype).astype(out_dtype)
            high = (np.take(rows, above, axis=-1) * weight).astype(term_dtype).astype(out_dtype)
            values = low + high
        values = np.moveaxis(values, list(range(values.ndim - q.ndim, values.ndim)), list(range(q.ndim)))
        if p.keepdims:
            values = values.reshape(q.shape + tuple(1 if i in axes else d for i, d in enumerate(a.shape)))
        return [np.asarray(values, out_dtype)], None
