"""Gradients that are themselves recorded (``autograd.grad(..., create_graph=True)``): higher-order gradients.

An op's backward is written with numpy (``dy * np.cos(x)``). To record it, the backward runs once more on
:class:`Traced` values instead of numpy arrays: each wraps an NDArray and turns the numpy functions and
operators the backward applies into the registry ops of the same maths, called through the ndarray layer
while autograd records. The forward's saved inputs and outputs are handed over as the recorded NDArrays
themselves, so the recorded gradient depends on them as MXNet's ``_backward_*`` nodes do, and a gradient
of the gradient follows. A backward using anything else (a kernel, an in-place write) cannot be traced:
its gradient is then recorded as a value whose own gradient MXNet has but ssdkit does not, and asking for
that raises MXNetError naming the op.

Examples
--------
>>> import ssdkit as mx
>>> x = mx.nd.array([0.5]); x.attach_grad()
>>> with mx.autograd.record():
...     dy, = mx.autograd.grad(mx.nd.sin(x), [x], create_graph=True)   # cos(x)
...     d2y, = mx.autograd.grad(dy, [x], create_graph=True)           # -sin(x)
>>> round(float(d2y.asscalar()), 6) == round(float(-np.sin(np.float32(0.5))), 6)
True
"""
import numpy as np

from ..base import MXNetError

__all__ = ["Traced", "traced_backward"]

#: numpy ufunc name -> registry op for one operand
UNARY_UFUNCS = {"negative": "negative", "exp": "exp", "log": "log", "sin": "sin", "cos": "cos", "tan": "tan",
                "sinh": "sinh", "cosh": "cosh", "tanh": "tanh", "sqrt": "sqrt", "square": "square",
                "absolute": "abs", "sign": "sign", "reciprocal": "reciprocal", "arctan": "arctan",
                "arcsin": "arcsin", "arccos": "arccos", "expit": "sigmoid", "log1p": "log1p", "expm1": "expm1",
                "cbrt": "cbrt", "floor": "floor", "ceil": "ceil", "logical_not": "logical_not", "erf": "erf"}
#: numpy ufunc name -> broadcasting registry op for two operands
BINARY_UFUNCS = {"add": "broadcast_add", "subtract": "broadcast_sub", "multiply": "broadcast_mul",
                 "true_divide": "broadcast_div", "divide": "broadcast_div", "power": "broadcast_power",
                 "maximum": "broadcast_maximum", "minimum": "broadcast_minimum", "greater": "broadcast_greater",
                 "greater_equal": "broadcast_greater_equal", "less": "broadcast_lesser",
                 "less_equal": "broadcast_lesser_equal", "equal": "broadcast_equal",
                 "not_equal": "broadcast_not_equal", "logical_and": "broadcast_logical_and",
                 "bitwise_and": "broadcast_logical_and", "logical_or": "broadcast_logical_or",
                 "bitwise_or": "broadcast_logical_or", "hypot": "broadcast_hypot", "arctan2": "broadcast_arctan2"}


class NotTraceable(MXNetError):
    """A backward used something :class:`Traced` cannot record."""


class Traced:
    """An NDArray inside a traced backward: numpy functions and operators on it call registry ops.

    Examples
    --------
    >>> import ssdkit as mx
    >>> t = Traced(mx.nd.array([1.0, 4.0]))
    >>> (np.sqrt(t) * 2).array.asnumpy()
    array([2., 4.], dtype=float32)
    """
    __array_priority__ = 1000.0

    def __init__(self, array):
        self.array = array

    # -- what backward code reads
    shape = property(lambda self: self.array.shape, doc="The shape of the wrapped NDArray.")
    ndim = property(lambda self: self.array.ndim, doc="The number of dimensions of the wrapped NDArray.")
    size = property(lambda self: self.array.size, doc="The number of elements of the wrapped NDArray.")
    dtype = property(lambda self: self.array.dtype, doc="The dtype of the wrapped NDArray.")

    def __array__(self, *args, **kwargs):
        raise NotTraceable("the backward reads raw values")

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method != "__call__" or kwargs.get("out") is not None:
            raise NotTraceable(f"numpy {ufunc.__name__}.{method}")
        if len(inputs) == 1 and ufunc.__name__ in UNARY_UFUNCS:
            return _call(UNARY_UFUNCS[ufunc.__name__], [self._operand(inputs[0])])
        if len(inputs) == 2 and ufunc.__name__ in BINARY_UFUNCS:
            return _call(BINARY_UFUNCS[ufunc.__name__], [self._operand(v) for v in inputs])
        raise NotTraceable(f"numpy {ufunc.__name__}")

    def _operand(self, value):
        if isinstance(value, Traced):
            return value.array
        return self.array._wrap(np.asarray(value, self.array.dtype))   # a constant: no gradient

    def __add__(self, o): return np.add(self, o)
    def __radd__(self, o): return np.add(o, self)
    def __sub__(self, o): return np.subtract(self, o)
    def __rsub__(self, o): return np.subtract(o, self)
    def __mul__(self, o): return np.multiply(self, o)
    def __rmul__(self, o): return np.multiply(o, self)
    def __truediv__(self, o): return np.true_divide(self, o)
    def __rtruediv__(self, o): return np.true_divide(o, self)
    def __pow__(self, o): return np.power(self, o)
    def __rpow__(self, o): return np.power(o, self)
    def __neg__(self): return np.negative(self)
    def __gt__(self, o): return np.greater(self, o)
    def __ge__(self, o): return np.greater_equal(self, o)
    def __lt__(self, o): return np.less(self, o)
    def __le__(self, o): return np.less_equal(self, o)
    def __and__(self, o): return np.logical_and(self, o)
    def __rand__(self, o): return np.logical_and(o, self)
    def __or__(self, o): return np.logical_or(self, o)
    def __ror__(self, o): return np.logical_or(o, self)

    def __matmul__(self, o): return _call("dot", [self.array, self._operand(o)])
    def __rmatmul__(self, o): return _call("dot", [self._operand(o), self.array])

    @property
    def T(self):  # noqa: N802  (numpy's name)
        """The transpose (``transpose`` op)."""
        return _call("transpose", [self.array])

    def astype(self, dtype, copy=True):
        """Cast (``Cast`` op) unless already ``dtype``."""
        if np.dtype(dtype) == np.dtype(self.dtype):
            return self
        return _call("Cast", [self.array], dtype=np.dtype(dtype).name)

    def reshape(self, *shape):
        """``Reshape`` to a plain shape."""
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        return _call("Reshape", [self.array], shape=tuple(shape))

    def sum(self, axis=None, keepdims=False):
        """``sum`` over ``axis``."""
        kwargs = {"keepdims": keepdims}
        if axis is not None:
            kwargs["axis"] = axis
        return _call("sum", [self.array], **kwargs)


def _call(op_name, arrays, **params):
    from .ndarray import invoke
    return Traced(invoke(op_name, arrays, **params))


def _swap(value, by_id):
    """``saved`` with the forward's arrays replaced by their Traced NDArrays (tuples and lists walked); a
    reshaped view of one (FullyConnected keeps its data as a matrix) becomes a traced reshape."""
    if isinstance(value, np.ndarray):
        if id(value) in by_id:
            return by_id[id(value)]
        if value.base is not None and value.flags.c_contiguous:
            for traced in by_id.values():
                data = traced.array._data
                if (data.size == value.size and data.flags.c_contiguous and data.dtype == value.dtype
                        and data.__array_interface__["data"][0] == value.__array_interface__["data"][0]):
                    return traced.reshape(value.shape)
        return value
    if isinstance(value, tuple):
        return tuple(_swap(v, by_id) for v in value)
    if isinstance(value, list):
        return [_swap(v, by_id) for v in value]
    return value


def traced_backward(op, params, saved, inputs, outputs, out_data, out_grads):
    """The input gradients of one recorded op application as recorded NDArrays, or None when its backward
    cannot be traced.

    ``inputs`` are the forward's input NDArrays, ``outputs`` NDArrays standing for its outputs (recorded
    entries), ``out_data`` their numpy data as ``saved`` holds it, ``out_grads`` NDArrays.
    """
    by_id = {id(x._data): Traced(x) for x in inputs}
    by_id.update({id(d): Traced(o) for d, o in zip(out_data, outputs)})
    try:
        grads = op.backward(params, _swap(saved, by_id), [Traced(g) for g in out_grads])
    except (NotTraceable, TypeError, AttributeError, ValueError, IndexError):
        return None
    if any(g is not None and not isinstance(g, Traced) for g in grads):
        return None
    return [None if g is None else linked(g.array, inputs) for g in grads]


def linked(grad, inputs):
    """``grad`` recorded as depending on the forward's ``inputs`` with zero derivative, as MXNet's
    ``_backward_*`` nodes take them as inputs: a gradient of it with respect to them is zero, not an error."""
    from .. import autograd
    out = grad._wrap(grad._data)
    others = [x for x in inputs if x is not grad]

    def backward(out_grads):
        return [out_grads[0]] + [np.zeros_like(x._data) for x in others]

    def graph_backward(node, out_grads):
        return [out_grads[0]] + [linked(x._wrap(np.zeros_like(x._data)), [x]) for x in others]
    if autograd.record_node(backward, [grad] + others, [out], "_backward_link", graph_backward):
        return out
    return grad
