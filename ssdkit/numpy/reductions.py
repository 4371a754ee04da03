"""Reductions of ``mx.np``: ``sum, mean, max, min, prod, argmax, argmin, std, var, cumsum, all, any, average``
with NumPy's arguments (``axis`` int/tuple/None, ``keepdims``, ``dtype``); a full reduction is 0-d. Each is one
registry op (:mod:`ssdkit.ops.numpy_reduce`), shared with ``F.np`` in hybridized blocks.

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
from ._dispatch import call, call_list, shared

__all__ = ["sum", "mean", "max", "min", "amax", "amin", "prod", "argmax", "argmin", "std", "var", "cumsum",
           "all", "any", "average"]


def _axis(axis):
    if axis is None:
        return None
    return (int(axis),) if isinstance(axis, (int, onp.integer)) else tuple(int(a) for a in axis)


def _dtype(dtype):
    return None if dtype is None else onp.dtype(dtype).name


@shared
def sum(a, axis=None, dtype=None, keepdims=False, initial=None, out=None):  # noqa: A001 - numpy's name
    """Sum over ``axis`` (all by default, none for ``()``); ints stay ints, bools give int64. ``initial`` is
    refused, as in MXNet 1.9.1.

    Examples
    --------
    >>> import ssdkit as mx
    >>> sum(mx.np.array([1, 2], dtype='int32')), sum(mx.np.array([True, True], dtype='bool'))
    (array(3, dtype=int32), array(2, dtype=int64))
    """
    if initial is not None:
        raise MXNetError("sum: initial is not supported yet (MXNet 1.9.1 refuses it too)")
    return call("_np_sum", [a], out, axis=_axis(axis), dtype=_dtype(dtype), keepdims=keepdims)


@shared
def mean(a, axis=None, dtype=None, out=None, keepdims=False):
    """Arithmetic mean over ``axis``; ints and bools give float32.

    Examples
    --------
    >>> import ssdkit as mx
    >>> mean(mx.np.array([1, 2], dtype='int32'))
    array(1.5)
    """
    return call("_npi_mean", [a], out, axis=_axis(axis), dtype=_dtype(dtype), keepdims=keepdims)


@shared
def max(a, axis=None, keepdims=False, out=None):  # noqa: A001
    """Largest value over ``axis`` (an error over a zero-size axis).

    Examples
    --------
    >>> import ssdkit as mx
    >>> max(mx.np.array([[1, 5], [3, 2]]), axis=1)
    array([5., 3.])
    """
    return call("_np_max", [a], out, axis=_axis(axis), keepdims=keepdims)


@shared
def min(a, axis=None, keepdims=False, out=None):  # noqa: A001
    """Smallest value over ``axis``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> min(mx.np.array([[1, 5], [3, 2]]))
    array(1.)
    """
    return call("_np_min", [a], out, axis=_axis(axis), keepdims=keepdims)


amax, amin = max, min
shared(amax, "amax")
shared(amin, "amin")


@shared
def prod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None):  # initial: refused, as MXNet
    """Product over ``axis`` (bools give int64).

    Examples
    --------
    >>> import ssdkit as mx
    >>> prod(mx.np.array([1, 2, 3, 4]))
    array(24.)
    """
    if initial is not None:
        raise MXNetError("prod: initial is not supported yet (MXNet 1.9.1 refuses it too)")
    return call("_np_prod", [a], out, axis=_axis(axis), dtype=_dtype(dtype), keepdims=keepdims)


@shared
def all(a, axis=None, keepdims=False, out=None):  # noqa: A001
    """Whether every element along ``axis`` is non-zero (bool).

    Examples
    --------
    >>> import ssdkit as mx
    >>> all(mx.np.array([1, 0]))
    array(False)
    """
    return call("_np_all", [a], out, axis=_axis(axis), keepdims=keepdims)


@shared
def any(a, axis=None, keepdims=False, out=None):  # noqa: A001
    """Whether some element along ``axis`` is non-zero (bool).

    Examples
    --------
    >>> import ssdkit as mx
    >>> any(mx.np.array([1, 0]))
    array(True)
    """
    return call("_np_any", [a], out, axis=_axis(axis), keepdims=keepdims)


@shared
def average(a, axis=None, weights=None, returned=False, out=None):
    """The weighted average over ``axis`` (``weights`` shaped as ``a`` or 1-D along one axis); with
    ``returned`` also the sum of the weights.

    Examples
    --------
    >>> import ssdkit as mx
    >>> average(mx.np.array([1., 2., 4.]), weights=mx.np.array([1., 1., 2.]))
    array(2.75)
    """
    arrays = [a] if weights is None else [a, weights]
    results = call_list("_npi_average", arrays, out, axis=_axis(axis), returned=returned,
                        weighted=weights is not None)
    return list(results) if returned else results[0]


@shared
def argmax(a, axis=None, out=None):
    """Index of the largest value (int64; over the flattened array when ``axis`` is None).

    Examples
    --------
    >>> import ssdkit as mx
    >>> argmax(mx.np.array([[1, 5], [3, 4]]), axis=0)
    array([1, 0], dtype=int64)
    """
    return call("_npi_argmax", [a], out, axis=axis)


@shared
def argmin(a, axis=None, out=None):
    """Index of the smallest value (int64).

    Examples
    --------
    >>> import ssdkit as mx
    >>> argmin(mx.np.array([3., 1., 2.]))
    array(1, dtype=int64)
    """
    return call("_npi_argmin", [a], out, axis=axis)


def _moment(op_name, a, axis, dtype, out, ddof, keepdims):
    # computed in floats; the result has ``dtype`` or the input's dtype (an int input gives a truncated int)
    return call(op_name, [a], out, axis=_axis(axis), ddof=ddof, keepdims=keepdims, dtype=_dtype(dtype))


@shared
def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    """Standard deviation over ``axis`` (divisor ``N - ddof``).

    Examples
    --------
    >>> import ssdkit as mx
    >>> std(mx.np.array([1., 2., 3., 4.]))
    array(1.118034)
    """
    return _moment("_npi_std", a, axis, dtype, out, ddof, keepdims)


@shared
def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    """Variance over ``axis`` (divisor ``N - ddof``).

    Examples
    --------
    >>> import ssdkit as mx
    >>> var(mx.np.array([1., 2., 3., 4.]))
    array(1.25)
    """
    return _moment("_npi_var", a, axis, dtype, out, ddof, keepdims)


@shared
def cumsum(a, axis=None, dtype=None, out=None):
    """Cumulative sum along ``axis`` (of the flattened array when None).

    Examples
    --------
    >>> import ssdkit as mx
    >>> cumsum(mx.np.array([1, 2, 3]))
    array([1., 3., 6.])
    """
    return call("_np_cumsum", [a], out, axis=axis, dtype=_dtype(dtype))
