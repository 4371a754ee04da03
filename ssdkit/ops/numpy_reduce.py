"""Reductions with MXNet np's rules (``_np_sum``, ``_npi_mean``, ``_np_prod``, ``_np_max``, ``_np_min``, ``_np_any``,
``_np_all``): ``axis`` None reduces everything to a 0-d result, ``axis=()`` reduces nothing, ``dtype`` sets the
result type, and the result dtype follows MXNet (bool sums give int64, int means give float32).

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("_np_sum")
>>> op.forward(op.parse_params({"axis": ()}), [np.ones((2, 3), np.float32)], False)[0][0].shape
(2, 3)
>>> op.forward(op.parse_params({}), [np.ones(3, np.bool_)], False)[0][0]
array(3)
"""
import numpy as np

from ..base import MXNetError, ShapeError
from .elemwise import unbroadcast
from .registry import Op, Param, register

__all__ = ["np_reduce_axes", "NumpyReduce"]


def np_reduce_axes(ndim, axis, name="reduce"):
    """NumPy's ``axis``: None is every axis, an int or tuple those axes (negative allowed), ``()`` none.

    Examples
    --------
    >>> np_reduce_axes(3, None), np_reduce_axes(3, (-1, 0)), np_reduce_axes(3, ())
    ((0, 1, 2), (0, 2), ())
    """
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if np.isscalar(axis) else tuple(axis)
    if any(not -ndim <= a < ndim for a in axes):
        raise ShapeError(f"{name}: axis {axis} is out of bounds for an array of dimension {ndim}")
    normalized = tuple(sorted(a % ndim for a in axes))
    if len(set(normalized)) != len(normalized):
        raise ShapeError(f"{name}: duplicate value in axis {axis}")
    return normalized


def _kept_shape(shape, axes, keepdims):
    return tuple(1 if i in axes else d for i, d in enumerate(shape)) if keepdims else \
        tuple(d for i, d in enumerate(shape) if i not in axes)


class NumpyReduce(Op):
    """A NumPy reduction: ``reducer`` over ``axis`` in the accumulation type, cast to the result dtype."""
    params = {"axis": Param("shape", None), "dtype": Param("dtype", None), "keepdims": Param("bool", False),
              "initial": Param("float", None)}
    reducer = None
    empty_ok = True       # max/min of an empty axis have no identity
    takes_dtype = True

    def result_dtype(self, p, dtype):
        """The result dtype for an input of ``dtype``: ``p.dtype`` if given, int64 for bools, else the input's."""
        if p.get("dtype"):
            return np.dtype(p.dtype)
        return np.dtype(np.int64) if dtype == np.bool_ else np.dtype(dtype)

    def infer_type(self, p, dtypes):
        return dtypes, [self.result_dtype(p, dtypes[0] if dtypes[0] is not None else np.float32)]

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        if p.get("initial") is not None:
            raise MXNetError(f"{self.name}: initial is not supported yet (MXNet 1.9.1 refuses it too)")
        axes = np_reduce_axes(x.ndim, p.axis, self.name)
        if not self.empty_ok and any(x.shape[a] == 0 for a in axes):
            raise MXNetError(f"{self.name}: cannot reduce over a zero-size axis of an array of shape {x.shape} "
                             f"(no identity)")
        dtype = self.result_dtype(p, x.dtype)
        y = self.reduce(x, axes, dtype) if axes else x.astype(dtype)
        return [np.asarray(y if p.keepdims or not axes else y.reshape(_kept_shape(x.shape, axes, False)),
                           dtype)], (x, y, axes, dtype)

    def reduce(self, x, axes, dtype):
        """``reducer`` over ``axes`` (kept as size-1 axes) in a wide accumulator, as ``dtype``."""
        acc = np.float64 if dtype.kind == "f" or x.dtype.kind == "f" else np.int64
        return self.reducer(x, axis=axes, keepdims=True, dtype=acc).astype(dtype)

    def backward(self, p, saved, out_grads):
        x, y, axes, _ = saved
        # in the input's (float) type: a float16 result's head gradient must not round the 1/N of a mean
        g = np.asarray(out_grads[0]).astype(x.dtype if x.dtype.kind == "f" else np.float64, copy=False)
        g = g.reshape(_kept_shape(x.shape, axes, True))
        return [np.broadcast_to(self.local_grad(x, y, g, axes), x.shape).astype(x.dtype)]


def _reduction(name, doc, **attrs):
    cls = type(name, (NumpyReduce,), dict(attrs, name=name, __doc__=doc))
    register(cls)
    return cls


_reduction("_np_sum", "``np.sum``: the sum over ``axis`` (bool sums are int64).", reducer=staticmethod(np.sum),
           local_grad=lambda self, x, y, g, axes: g)


def _mean_dtype(self, p, dtype):
    if p.get("dtype"):
        return np.dtype(p.dtype)
    return np.dtype(dtype) if np.dtype(dtype).kind == "f" else np.dtype(np.float32)


def _mean(self, x, axes, dtype):
    # ints with a requested dtype accumulate in that dtype (as NumPy and MXNet: int8 may overflow)
    acc = dtype if x.dtype.kind in "iub" and dtype.kind in "iu" else np.float64
    return np.mean(x, axis=axes, keepdims=True, dtype=acc).astype(dtype)


_reduction("_npi_mean", "``np.mean``: the mean over ``axis`` (ints and bools give float32).",
           reduce=_mean, result_dtype=_mean_dtype,
           local_grad=lambda self, x, y, g, axes: g / max(int(np.prod([x.shape[a] for a in axes])), 1))


def _prod_grad(self, x, y, g, axes):
    # the product of the other elements, without dividing by x (exact where x has zeros)
    if not axes:
        return g
    rest = [a for a in range(x.ndim) if a not in axes]
    moved = np.transpose(x, rest + list(axes)).astype(np.float64)
    flat = moved.reshape(moved.shape[:len(rest)] + (-1,))
    ones = np.ones(flat.shape[:-1] + (1,))
    before = np.cumprod(np.concatenate([ones, flat[..., :-1]], -1), -1)
    after = np.flip(np.cumprod(np.concatenate([ones, np.flip(flat, -1)[..., :-1]], -1), -1), -1)
    others = np.transpose((before * after).reshape(moved.shape), np.argsort(rest + list(axes)))
    return g * others


_reduction("_np_prod", "``np.prod``: the product over ``axis`` (bool products are int64).",
           reducer=staticmethod(np.prod), local_grad=_prod_grad)


def _extreme(reducer):
    def reduce(self, x, axes, dtype):
        return reducer(x, axis=axes, keepdims=True).astype(dtype)
    return reduce


_EXTREME = {"axis": Param("shape", None), "keepdims": Param("bool", False), "initial": Param("float", None)}
_reduction("_np_max", "``np.max``: the largest value over ``axis`` (every tied maximum gets the gradient).",
           params=_EXTREME, reduce=_extreme(np.max), empty_ok=False, result_dtype=lambda self, p, d: np.dtype(d),
           local_grad=lambda self, x, y, g, axes: g * (x == y))
_reduction("_np_min", "``np.min``: the smallest value over ``axis`` (every tied minimum gets the gradient).",
           params=_EXTREME, reduce=_extreme(np.min), empty_ok=False, result_dtype=lambda self, p, d: np.dtype(d),
           local_grad=lambda self, x, y, g, axes: g * (x == y))


def _truth(reducer):
    def reduce(self, x, axes, dtype):
        return reducer(x != 0, axis=axes, keepdims=True)
    return reduce


_TRUTH = {"axis": Param("shape", None), "keepdims": Param("bool", False)}
for _name, _reducer in (("_np_any", np.any), ("_np_all", np.all)):
    _reduction(_name, f"``np.{_name[4:]}``: whether {'some' if _name == '_np_any' else 'every'} element along "
               f"``axis`` is non-zero (bool, no gradient).", params=_TRUTH, reduce=_truth(_reducer),
               differentiable=False, result_dtype=lambda self, p, dtype: np.dtype(np.bool_),
               local_grad=lambda self, x, y, g, axes: np.zeros_like(x))


@register
class _npi_average(Op):
    """``np.average`` with ``weights`` (shaped as ``a`` or 1-D along ``axis``; all ones unless ``weighted``);
    ``returned`` adds the sum of the weights as a second output."""
    inputs = ("a", "weights")
    params = {"axis": Param("shape", None), "returned": Param("bool", False), "weighted": Param("bool", True)}

    def input_names(self, p):
        return ["a", "weights"] if p.weighted else ["a"]

    def output_count(self, p):
        return 2 if p.returned else 1

    def forward(self, p, inputs, is_train):
        a = inputs[0]
        w = inputs[1] if p.weighted else np.ones(a.shape, a.dtype)
        axes = np_reduce_axes(a.ndim, p.axis, "average")
        if w.shape != a.shape:
            if len(axes) != 1 or w.ndim != 1 or w.shape[0] != a.shape[axes[0]]:
                raise ShapeError(f"average: weights of shape {w.shape} do not match a of shape {a.shape} along "
                                 f"axis {p.axis}")
            w = w.reshape([-1 if i == axes[0] else 1 for i in range(a.ndim)])
        wb = np.broadcast_to(w, a.shape)
        total = wb.sum(axis=axes)
        with np.errstate(divide="ignore", invalid="ignore"):  # weights summing to 0 give nan, as in MXNet
            avg = (a * wb).sum(axis=axes) / total
        # MXNet returns the weights' own sum when they are 1-D along the axis (not broadcast to avg's shape)
        returned = total if w.shape == a.shape else np.asarray(w.sum())
        outs = [np.asarray(avg, a.dtype)] + ([np.asarray(returned, a.dtype)] if p.returned else [])
        return outs, (a, inputs[1] if p.weighted else None, w, wb, axes, avg, total)

    def backward(self, p, saved, out_grads):
        a, w_in, w, wb, axes, avg, total = saved
        keep = _kept_shape(a.shape, axes, True)
        g = np.asarray(out_grads[0]).reshape(keep)
        ga = g * wb / total.reshape(keep)
        gw = g * (a - avg.reshape(keep)) / total.reshape(keep)
        gw = unbroadcast(np.broadcast_to(gw, a.shape), w.shape)
        if p.returned and out_grads[1] is not None:
            g2 = np.asarray(out_grads[1])
            gw = gw + (np.broadcast_to(g2.reshape(keep), a.shape) if w.shape == a.shape and g2.ndim else g2)
        if w_in is None:
            return [ga.astype(a.dtype)]
        return [ga.astype(a.dtype), np.reshape(gw, w_in.shape).astype(w.dtype)]
