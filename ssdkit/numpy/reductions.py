"""Reductions of ``mx.np``: ``sum, mean, max, min, prod, argmax, argmin, std, var, cumsum, all, any`` with
NumPy's arguments (``axis`` int/tuple/None, ``keepdims``, ``dtype``); a full reduction is 0-d.

Examples
--------
>>> import ssdkit as mx
>>> x = mx.np.array([[1, 2], [3, 5]])
>>> sum(x), mean(x, axis=0), argmax(x)
(array(11.), array([2. , 3.5]), array(3, dtype=int64))
>>> std(x, axis=1, keepdims=True)
array([[0.5],
       [1. ]])
"""
import numpy as onp

from ..base import MXNetError
from ..ndarray.ndarray import invoke
from . import _dtypes
from ._ufunc import cast

__all__ = ["sum", "mean", "max", "min", "amax", "amin", "prod", "argmax", "argmin", "std", "var", "cumsum",
           "all", "any"]


def _axis(axis):
    if axis is None:
        return None
    return (int(axis),) if isinstance(axis, (int, onp.integer)) else tuple(int(a) for a in axis)


def _store(result, out):
    if out is None:
        return result
    out._data[...] = result._data
    return out


def _reduce(op_name, a, axis, keepdims, out, dtype=None, float_ints=False):
    if dtype is not None:
        a = cast(a, dtype)
    elif a.dtype == onp.bool_ or (float_ints and not _dtypes.is_float(a.dtype)):
        a = cast(a, _dtypes.DEFAULT_FLOAT if float_ints else _dtypes.INDEX_DTYPE)
    axes = _axis(axis)
    if axes == ():
        return _store(a.copy(), out)
    return _store(invoke(op_name, [a], axis=axes, keepdims=keepdims), out)


def sum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None):  # noqa: A001 - numpy's name
    """Sum over ``axis`` (all by default); ints stay ints. ``initial`` is refused, as in MXNet 1.9.1.

    Examples
    --------
    >>> import ssdkit as mx
    >>> sum(mx.np.array([1, 2], dtype='int32'))
    array(3, dtype=int32)
    """
    if initial is not None:
        raise MXNetError("sum: initial is not supported yet (MXNet 1.9.1 refuses it too)")
    return _reduce("_np_sum", a, axis, keepdims, out, dtype)


def mean(a, axis=None, dtype=None, out=None, keepdims=False):
    """Arithmetic mean over ``axis``; ints give float32.

    Examples
    --------
    >>> import ssdkit as mx
    >>> mean(mx.np.array([1, 2], dtype='int32'))
    array(1.5)
    """
    return _reduce("_npi_mean", a, axis, keepdims, out, dtype, float_ints=True)


def max(a, axis=None, out=None, keepdims=False):  # noqa: A001
    """Largest value over ``axis``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> max(mx.np.array([[1, 5], [3, 2]]), axis=1)
    array([5., 3.])
    """
    return _reduce("_np_max", a, axis, keepdims, out)


def min(a, axis=None, out=None, keepdims=False):  # noqa: A001
    """Smallest value over ``axis``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> min(mx.np.array([[1, 5], [3, 2]]))
    array(1.)
    """
    return _reduce("_np_min", a, axis, keepdims, out)


amax, amin = max, min


def prod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None):
    """Product over ``axis``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> prod(mx.np.array([1, 2, 3, 4]))
    array(24.)
    """
    if initial is not None:
        raise MXNetError("prod: initial is not supported yet (MXNet 1.9.1 refuses it too)")
    return _reduce("_np_prod", a, axis, keepdims, out, dtype)


def argmax(a, axis=None, out=None):
    """Index of the largest value (int64; over the flattened array when ``axis`` is None).

    Examples
    --------
    >>> import ssdkit as mx
    >>> argmax(mx.np.array([[1, 5], [3, 4]]), axis=0)
    array([1, 0], dtype=int64)
    """
    return _store(invoke("_npi_argmax", [a], axis=axis), out)


def argmin(a, axis=None, out=None):
    """Index of the smallest value (int64).

    Examples
    --------
    >>> import ssdkit as mx
    >>> argmin(mx.np.array([3., 1., 2.]))
    array(1, dtype=int64)
    """
    return _store(invoke("_npi_argmin", [a], axis=axis), out)


def _moment(op_name, a, axis, dtype, out, ddof, keepdims):
    # computed in floats; the result has ``dtype`` or the input's dtype (an int input gives a truncated int)
    result_dtype = onp.dtype(dtype) if dtype is not None else a.dtype
    a = a if _dtypes.is_float(a.dtype) else cast(a, _dtypes.DEFAULT_FLOAT)
    result = invoke(op_name, [a], axis=_axis(axis), ddof=ddof, keepdims=keepdims)
    return _store(cast(result, result_dtype), out)


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    """Standard deviation over ``axis`` (divisor ``N - ddof``).

    Examples
    --------
    >>> import ssdkit as mx
    >>> std(mx.np.array([1., 2., 3., 4.]))
    array(1.118034)
    """
    return _moment("_npi_std", a, axis, dtype, out, ddof, keepdims)


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    """Variance over ``axis`` (divisor ``N - ddof``).

    Examples
    --------
    >>> import ssdkit as mx
    >>> var(mx.np.array([1., 2., 3., 4.]))
    array(1.25)
    """
    return _moment("_npi_var", a, axis, dtype, out, ddof, keepdims)


def cumsum(a, axis=None, dtype=None, out=None):
    """Cumulative sum along ``axis`` (of the flattened array when None).

    Examples
    --------
    >>> import ssdkit as mx
    >>> cumsum(mx.np.array([1, 2, 3]))
    array([1., 3., 6.])
    """
    params = {} if dtype is None else {"dtype": onp.dtype(dtype).name}
    return _store(invoke("_np_cumsum", [a], axis=axis, **params), out)


def _truth(op_name, a, axis, out, keepdims):
    nonzero = cast(cast(a, onp.bool_), _dtypes.DEFAULT_FLOAT)
    return _store(cast(_reduce(op_name, nonzero, axis, keepdims, None), onp.bool_), out)


def all(a, axis=None, out=None, keepdims=False):  # noqa: A001
    """Whether every element along ``axis`` is non-zero (bool).

    Examples
    --------
    >>> import ssdkit as mx
    >>> all(mx.np.array([1, 0]))
    array(False)
    """
    return _truth("_np_min", a, axis, out, keepdims)


def any(a, axis=None, out=None, keepdims=False):  # noqa: A001
    """Whether some element along ``axis`` is non-zero (bool).

    Examples
    --------
    >>> import ssdkit as mx
    >>> any(mx.np.array([1, 0]))
    array(True)
    """
    return _truth("_np_max", a, axis, out, keepdims)

