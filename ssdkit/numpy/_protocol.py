"""NumPy's dispatch protocols on ``mx.np.ndarray``, as MXNet 1.9.1 has them: a NumPy function or ufunc applied
to mx.np arrays (``onp.concatenate([x, y])``, ``onp.exp(x)``, ``onp_array * x``) runs mx.np's function of that
name (:data:`ARRAY_FUNCTIONS`, :data:`ARRAY_UFUNCS`, filled by :mod:`ssdkit.numpy_dispatch_protocol`); any other
NumPy function runs on NumPy copies of the arrays and gives mx.np arrays back (refused while autograd records).

Examples
--------
>>> import numpy as onp
>>> import ssdkit as mx
>>> x = mx.np.array([1.0, 4.0])
>>> type(onp.sqrt(x)).__name__, onp.sqrt(x)
('ndarray', array([1., 2.]))
>>> float(onp.median(x))  # no mx.np.median: NumPy's, on a copy
2.5
"""
import numpy as onp

from .. import autograd
from ..base import numeric_types

__all__ = ["ARRAY_FUNCTIONS", "ARRAY_UFUNCS", "array_function", "array_ufunc", "as_mx_np_array"]

#: NumPy function -> the mx.np function that implements it for mx.np arrays
ARRAY_FUNCTIONS = {}
#: NumPy ufunc name -> the mx.np function that implements it
ARRAY_UFUNCS = {}


def _refuse_while_recording(name):
    if autograd.is_recording():
        raise ValueError(f"Falling back to NumPy operator {name} with autograd active is not supported. Please "
                         "consider moving the operator to the outside of the autograd scope.")


def _as_onp(value):
    from .multiarray import ndarray
    if isinstance(value, ndarray):
        return value.asnumpy()
    if isinstance(value, (list, tuple)):
        return type(value)(_as_onp(v) for v in value)
    return value


def as_mx_np_array(value):
    """NumPy results as mx.np arrays (lists and tuples item by item; Python and NumPy numbers stay).

    Examples
    --------
    >>> as_mx_np_array((onp.ones(2, onp.float32), 3))
    (array([1., 1.]), 3)
    """
    from .multiarray import ndarray
    if isinstance(value, onp.ndarray):
        return ndarray(onp.ascontiguousarray(value))
    if isinstance(value, (list, tuple)):
        return type(value)(as_mx_np_array(v) for v in value)
    if isinstance(value, numeric_types) or isinstance(value, onp.generic):
        return value
    raise TypeError(f"Does not support converting {type(value)} to mx.np.ndarray.")


def array_ufunc(ufunc, method, inputs, kwargs):
    """``ndarray.__array_ufunc__``: the mx.np function of the ufunc's name, else NumPy on copies; ufunc methods
    other than a call (``reduce``, ``outer``, ...) are not implemented (NumPy then raises TypeError)."""
    if "out" in kwargs:
        out = kwargs["out"]
        if len(out) != 1:
            raise ValueError("The `out` parameter must have exactly one ndarray")
        kwargs["out"] = out[0]
    if method != "__call__":
        return NotImplemented
    function = ARRAY_UFUNCS.get(ufunc.__name__)
    if function is not None:
        return function(*inputs, **kwargs)
    _refuse_while_recording(ufunc.__name__)
    return as_mx_np_array(getattr(onp, ufunc.__name__)(*_as_onp(inputs), **kwargs))


def array_function(func, types, args, kwargs):
    """``ndarray.__array_function__``: the registered mx.np function (when every dispatching argument is an
    mx.np array), else NumPy's ``func`` on copies with mx.np arrays out."""
    from .multiarray import ndarray
    function = ARRAY_FUNCTIONS.get(func)
    if function is None:
        _refuse_while_recording(getattr(func, "__name__", func))
        kwargs = {k: v.asnumpy() if isinstance(v, ndarray) else v for k, v in kwargs.items()}
        return as_mx_np_array(func(*_as_onp(args), **kwargs))
    if not all(issubclass(t, ndarray) for t in types):
        return NotImplemented
    return function(*args, **kwargs)
