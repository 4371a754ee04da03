"""Reductions (sum, mean, max, min, prod, norm, argmax, argmin), sorting (sort, argsort, topk) and products
(dot, batch_dot).

Examples
--------
>>> reduce_axes(3, (1,), exclude=True)
(0, 2)
"""
import numpy as np

from ..base import ShapeError
from .registry import Op, Param, register, PROBE
from .shape import normalize_axis

__all__ = ["reduce_axes"]


def reduce_axes(ndim, axis, exclude=False):
    """MXNet's axis argument (None or () = all; ``exclude`` = every other axis) as a tuple of axes.

    Examples
    --------
    >>> reduce_axes(4, None)
    (0, 1, 2, 3)
    """
    if axis is None or axis == ():
        return tuple(range(ndim))
    axes = tuple(sorted(a % ndim for a in ((axis,) if np.isscalar(axis) else axis)))
    if any(not -ndim <= a < ndim for a in ((axis,) if np.isscalar(axis) else axis)):
        raise ShapeError(f"reduce: axis {axis} out of range for a {ndim}-D input")
    return tuple(a for a in range(ndim) if a not in axes) if exclude else axes


_REDUCE_PARAMS = {"axis": Param("shape", None), "keepdims": Param("bool", False), "exclude": Param("bool", False)}


class _Reduce(Op):
    params = dict(_REDUCE_PARAMS)
    reducer = None
    full_shape = (1,)  # a reduction over every axis gives (1,) in MXNet's nd; numpy's rules give ()

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        axes = reduce_axes(x.ndim, p.axis, p.exclude)
        y = self.reducer(x, axis=axes, keepdims=True)
        out = y if p.keepdims else y.reshape([d for i, d in enumerate(y.shape) if i not in axes] or self.full_shape)
        return [np.asarray(out, dtype=x.dtype)], (x, y)

    def backward(self, p, saved, out_grads):
        x, y = saved
        g = out_grads[0].reshape(y.shape)
        return [np.broadcast_to(self.local_grad(x, y, g), x.shape).astype(x.dtype, copy=False)]


@register
class sum(_Reduce):
    reducer = staticmethod(np.sum)

    def local_grad(self, x, y, g):
        return g


@register
class mean(_Reduce):
    reducer = staticmethod(np.mean)

    def local_grad(self, x, y, g):
        return g * (y.size / x.size)


@register
class prod(_Reduce):
    reducer = staticmethod(np.prod)

    def local_grad(self, x, y, g):
        return g * y / x


@register
class max(_Reduce):
    reducer = staticmethod(np.max)

    def local_grad(self, x, y, g):
        return g * (x == y)  # MXNet sends the gradient to every tied maximum


@register
class min(_Reduce):
    reducer = staticmethod(np.min)

    def local_grad(self, x, y, g):
        return g * (x == y)


@register
class norm(Op):
    params = {"ord": Param("int", 2), "axis": Param("shape", None), "keepdims": Param("bool", False)}

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        axes = reduce_axes(x.ndim, p.axis)
        y = (np.sqrt(np.sum(np.square(x), axis=axes, keepdims=True)) if p.ord == 2
             else np.sum(np.abs(x), axis=axes, keepdims=True))
        out = y if p.keepdims else y.reshape([d for i, d in enumerate(y.shape) if i not in axes] or [1])
        return [out.astype(x.dtype, copy=False)], (x, y)

    def backward(self, p, saved, out_grads):
        x, y = saved
        g = out_grads[0].reshape(y.shape)
        local = x / np.where(y == 0, 1, y) if p.ord == 2 else np.sign(x)
        return [(g * local).astype(x.dtype, copy=False)]


class _ArgReduce(Op):
    params = {"axis": Param("any", None), "keepdims": Param("bool", False)}
    differentiable = False
    finder = None
    full_shape = (1,)   # the result over the flattened array: (1,) in nd, () with NumPy's rules
    index_dtype = None  # nd returns indices as floats of the input dtype; NumPy's rules give int64

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        dtype = self.index_dtype or x.dtype
        if p.axis is None:
            y = np.asarray(self.finder(x.reshape(-1)))
            return [y.reshape((1,) * x.ndim if p.keepdims else self.full_shape).astype(dtype)], x
        y = self.finder(x, axis=int(p.axis))
        y = np.expand_dims(y, int(p.axis)) if p.keepdims else y
        return [y.astype(dtype)], x

    def backward(self, p, saved, out_grads):
        return [np.zeros_like(saved)]

    def infer_type(self, p, dtypes):
        if self.index_dtype is None:
            return super().infer_type(p, dtypes)
        return dtypes, [np.dtype(self.index_dtype)]


@register
class argmax(_ArgReduce):
    finder = staticmethod(np.argmax)


@register
class argmin(_ArgReduce):
    finder = staticmethod(np.argmin)


def _sorted_indices(x, axis, is_ascend):
    idx = np.argsort(x, axis=axis, kind="stable") if is_ascend else np.argsort(-x, axis=axis, kind="stable")
    return idx


@register
class sort(Op):
    params = {"axis": Param("int", -1), "is_ascend": Param("bool", True)}

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        idx = _sorted_indices(x, p.axis, p.is_ascend)
        return [np.take_along_axis(x, idx, axis=p.axis)], (x.shape, idx)

    def backward(self, p, saved, out_grads):
        shape, idx = saved
        dx = np.zeros(shape, out_grads[0].dtype)
        np.put_along_axis(dx, idx, out_grads[0], axis=p.axis)
        return [dx]


@register
class argsort(Op):
    params = {"axis": Param("int", -1), "is_ascend": Param("bool", True), "dtype": Param("dtype", "float32")}
    differentiable = False

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        return [_sorted_indices(x, p.axis, p.is_ascend).astype(p.dtype)], x

    def backward(self, p, saved, out_grads):
        return [np.zeros_like(saved)]


@register
class topk(Op):
    params = {"axis": Param("any", -1), "k": Param("int", 1), "ret_typ": Param(
        "str", "indices", ("value", "indices", "mask", "both")), "is_ascend": Param("bool", False),
        "dtype": Param("dtype", "float32")}

    def output_count(self, p):
        return 2 if p.ret_typ == "both" else 1

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        if p.axis is None:  # MXNet ranks over the flattened array
            outs, saved = self.forward(type(p)(dict(p, axis=0)), [x.reshape(-1)], is_train)
            if p.ret_typ == "mask":  # the mask has the input's shape
                outs = [outs[0].reshape(x.shape)]
            return outs, saved + (x.shape,)
        if x.ndim == 0:
            raise ShapeError("topk: data must have at least one dimension, got a 0-d array")
        axis = normalize_axis(int(p.axis), x.ndim, "topk")
        k = p.k if p.k > 0 else x.shape[axis]
        idx = np.take(_sorted_indices(x, axis, p.is_ascend), np.arange(k), axis=axis)
        values = np.take_along_axis(x, idx, axis=axis)
        if p.ret_typ == "mask":
            mask = np.zeros_like(x)
            np.put_along_axis(mask, idx, 1, axis=axis)
            outs = [mask]
        else:
            outs = {"value": [values], "indices": [idx.astype(p.dtype)],
                    "both": [values, idx.astype(p.dtype)]}[p.ret_typ]
        return outs, (x.shape, x.dtype, idx, axis)

    def backward(self, p, saved, out_grads):
        shape, dtype, idx, axis = saved[:4]
        dx = np.zeros(shape, dtype)
        if p.ret_typ in ("value", "both"):
            np.put_along_axis(dx, idx, out_grads[0], axis=axis)
        return [dx.reshape(saved[4]) if len(saved) > 4 else dx]


@register
class dot(Op):
    partial_shapes = PROBE  # MXNet infers from partial shapes
    inputs = ("lhs", "rhs")
    params = {"transpose_a": Param("bool", False), "transpose_b": Param("bool", False),
              "forward_stype": Param("any", None)}

    def forward(self, p, inputs, is_train):
        a, b = inputs
        a2 = a.reshape(a.shape[0], -1).T if p.transpose_a else a.reshape(-1, a.shape[-1])
        b2 = b.reshape(-1, b.shape[-1]).T if p.transpose_b else b.reshape(b.shape[0], -1)
        if a2.shape[1] != b2.shape[0]:
            raise ShapeError(f"dot: lhs {a.shape} and rhs {b.shape} do not share an inner dimension "
                             f"(transpose_a={p.transpose_a}, transpose_b={p.transpose_b})")
        out_shape = ((a.shape[1:] if p.transpose_a else a.shape[:-1])
                     + (b.shape[:-1] if p.transpose_b else b.shape[1:]))
        return [(a2 @ b2).reshape(out_shape)], (a, b, a2, b2)

    def backward(self, p, saved, out_grads):
        a, b, a2, b2 = saved
        g = out_grads[0].reshape(a2.shape[0], b2.shape[1])
        da2, db2 = g @ b2.T, a2.T @ g
        da = da2.T.reshape(a.shape) if p.transpose_a else da2.reshape(a.shape)
        db = db2.T.reshape(b.shape) if p.transpose_b else db2.reshape(b.shape)
        return [da, db]


@register
class batch_dot(Op):
    partial_shapes = PROBE  # MXNet infers from partial shapes
    inputs = ("lhs", "rhs")
    params = {"transpose_a": Param("bool", False), "transpose_b": Param("bool", False),
              "forward_stype": Param("any", None)}

    def forward(self, p, inputs, is_train):
        a, b = inputs
        a2 = np.swapaxes(a, -1, -2) if p.transpose_a else a
        b2 = np.swapaxes(b, -1, -2) if p.transpose_b else b
        if a2.shape[0] != b2.shape[0] or a2.shape[-1] != b2.shape[-2]:
            raise ShapeError(f"batch_dot: lhs {a.shape} and rhs {b.shape} do not match "
                             f"(transpose_a={p.transpose_a}, transpose_b={p.transpose_b})")
        return [np.matmul(a2, b2)], (a2, b2)

    def backward(self, p, saved, out_grads):
        a2, b2 = saved
        g = out_grads[0]
        da2, db2 = np.matmul(g, np.swapaxes(b2, -1, -2)), np.matmul(np.swapaxes(a2, -1, -2), g)
        return [np.swapaxes(da2, -1, -2) if p.transpose_a else da2,
                np.swapaxes(db2, -1, -2) if p.transpose_b else db2]
