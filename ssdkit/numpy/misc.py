"""Smaller ``mx.np`` functions: ``diff, ediff1d, nan_to_num, polyval, bincount, hanning, hamming, blackman,
indices, diag_indices_from, unravel_index, shares_memory, may_share_memory``. Array-valued ones are registry
ops (:mod:`ssdkit.ops.numpy_misc`) shared with ``F.np``; the index helpers work on concrete arrays.

Examples
--------
>>> import ssdkit as mx
>>> diff(mx.np.array([1., 4., 9., 16.]), n=2)
array([2., 2.])
>>> unravel_index(mx.np.array([5], dtype='int64'), (2, 3))
(array([1], dtype=int64), array([2], dtype=int64))
"""
import numpy as onp

from ..base import MXNetError
from ..context import check_cpu
from ._dispatch import call, call_list, shared, as_input, is_symbolic
from ..ndarray.ndarray import NDArray
from .multiarray import ndarray

__all__ = ["diff", "ediff1d", "nan_to_num", "polyval", "bincount", "hanning", "hamming", "blackman", "indices",
           "diag_indices_from", "unravel_index", "shares_memory", "may_share_memory", "histogram", "percentile",
           "quantile"]


@shared
def diff(a, n=1, axis=-1, prepend=None, append=None):
    """The ``n``-th discrete difference along ``axis`` (``prepend``/``append`` are refused, as in MXNet, which
    ignores a falsy one such as 0).

    Examples
    --------
    >>> import ssdkit as mx
    >>> diff(mx.np.array([1., 2., 4.]))
    array([1., 2.])
    """
    if (prepend is not None and bool(onp.any(getattr(prepend, "_data", prepend)))) or \
            (append is not None and bool(onp.any(getattr(append, "_data", append)))):
        raise NotImplementedError("diff: prepend and append are not supported (MXNet 1.9.1 raises the same)")
    return call("_npi_diff", [a], n=int(n), axis=int(axis))


def _values(v):
    if v is None:
        return None
    return tuple(float(x) for x in onp.ravel(onp.asarray(getattr(v, "_data", v))))


@shared
def ediff1d(ary, to_end=None, to_begin=None):
    """Differences of the flattened ``ary``, with ``to_begin`` before and ``to_end`` after them.

    Examples
    --------
    >>> import ssdkit as mx
    >>> ediff1d(mx.np.array([1., 2., 4.]), to_end=9)
    array([1., 2., 9.])
    """
    arrays = {k: v for k, v in (("to_begin", to_begin), ("to_end", to_end)) if isinstance(v, NDArray) or is_symbolic(v)}
    return call("_npi_ediff1d", [ary] + list(arrays.values()), to_begin_arr_given="to_begin" in arrays,
                to_end_arr_given="to_end" in arrays, to_begin=None if "to_begin" in arrays else _values(to_begin),
                to_end=None if "to_end" in arrays else _values(to_end))


@shared
def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None, **kwargs):
    """``x`` with NaN, +inf and -inf replaced (by 0 and the dtype's largest finite values by default); with
    ``copy=False`` in place.

    Examples
    --------
    >>> import ssdkit as mx
    >>> nan_to_num(mx.np.array([float('nan'), 1.]))
    array([0., 1.])
    """
    out = None if copy else x
    return call("_npi_nan_to_num", [x], out, copy=copy, nan=float(nan),
                posinf=None if posinf is None else float(posinf), neginf=None if neginf is None else float(neginf))


@shared
def polyval(p, x):
    """The polynomial with coefficients ``p`` (highest power first) at ``x``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> polyval(mx.np.array([1., 2., 3.]), mx.np.array([2.]))
    array([11.])
    """
    return call("_npi_polyval", [as_input(p), as_input(x)])


@shared
def bincount(x, weights=None, minlength=0):
    """Occurrences of each non-negative int in ``x`` (or the sums of ``weights`` there), at least ``minlength``
    bins.

    Examples
    --------
    >>> import ssdkit as mx
    >>> bincount(mx.np.array([0, 1, 1, 3], dtype='int64'))
    array([1, 2, 0, 1], dtype=int64)
    """
    arrays = [x] if weights is None else [x, weights]
    return call("_npi_bincount", arrays, minlength=int(minlength), has_weights=weights is not None)


@shared
def histogram(a, bins=10, range=None, normed=None, weights=None, density=None):  # noqa: A002 - numpy's name
    """``[counts, bin_edges]``: int64 counts of ``a`` in ``bins`` equal bins over ``range`` (a number of bins
    needs a range, as in MXNet 1.9.1) or in the bins with the edges of the array ``bins``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> histogram(mx.np.array([0.5, 2.2, 2.7, 9.9]), bins=2, range=(0.0, 10.0))
    [array([3, 1], dtype=int64), array([ 0.,  5., 10.])]
    """
    for name, value in (("normed", normed), ("weights", weights), ("density", density)):
        if value is not None and value is not False:
            raise NotImplementedError(f"histogram: {name} is not supported (MXNet 1.9.1 raises the same)")
    if isinstance(bins, (int, onp.integer)):
        if range is None:
            raise NotImplementedError("histogram: a number of bins needs range= (MXNet 1.9.1 has no automatic range)")
        return call_list("_npi_histogram", [a], bin_cnt=int(bins), range=tuple(float(r) for r in range))
    if isinstance(bins, NDArray) or is_symbolic(bins):
        return call_list("_npi_histogram", [a, bins])
    raise NotImplementedError(f"histogram: bins of type {type(bins).__name__} are not supported (nor in MXNet 1.9.1) "
                              "(give a number of bins with a range, or an array of edges)")


def _percentile(a, q, axis, out, overwrite_input, interpolation, keepdims):
    if overwrite_input is not None:
        raise NotImplementedError("percentile: overwrite_input is not supported (MXNet 1.9.1 raises the same)")
    axis = None if axis is None else (int(axis),) if isinstance(axis, (int, onp.integer)) else tuple(axis)
    if isinstance(q, (int, float, onp.integer, onp.floating)):
        return call("_npi_percentile", [a], out, axis=axis, interpolation=interpolation, keepdims=keepdims,
                    q_scalar=float(q))
    return call("_npi_percentile", [a, as_input(q)], out, axis=axis, interpolation=interpolation,
                keepdims=keepdims)


@shared
def percentile(a, q, axis=None, out=None, overwrite_input=None, interpolation="linear", keepdims=False):
    """The ``q``-th percentiles (0..100; a number or an array) of ``a`` over ``axis`` with MXNet's
    ``interpolation`` rules (``nearest`` rounds halves up); float64 data gives float64, other data float32.

    Examples
    --------
    >>> import ssdkit as mx
    >>> percentile(mx.np.array([[10., 7, 4], [3, 2, 1]]), 50, axis=1)
    array([7., 2.])
    """
    return _percentile(a, q, axis, out, overwrite_input, interpolation, keepdims)


@shared
def quantile(a, q, axis=None, out=None, overwrite_input=None, interpolation="linear", keepdims=False):
    """The ``q``-th quantiles (0..1) of ``a``: :func:`percentile` at ``q * 100``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> quantile(mx.np.array([[10., 7, 4], [3, 2, 1]]), 0.5, axis=0)
    array([6.5, 4.5, 2.5])
    """
    scaled = q * 100 if isinstance(q, (int, float, onp.integer, onp.floating)) else as_input(q) * 100
    return _percentile(a, scaled, axis, out, overwrite_input, interpolation, keepdims)


def _window(op_name, M, dtype, ctx):
    check_cpu(ctx)
    return call(op_name, [], M=int(M), dtype=onp.dtype(dtype or "float32").name)


@shared
def hanning(M, dtype=None, ctx=None):
    """The Hann window of ``M`` points (float32 by default).

    Examples
    --------
    >>> hanning(3)
    array([0., 1., 0.])
    """
    return _window("_npi_hanning", M, dtype, ctx)


@shared
def hamming(M, dtype=None, ctx=None):
    """The Hamming window of ``M`` points (float32 by default).

    Examples
    --------
    >>> hamming(3)
    array([0.08, 1.  , 0.08])
    """
    return _window("_npi_hamming", M, dtype, ctx)


@shared
def blackman(M, dtype=None, ctx=None):
    """The Blackman window of ``M`` points (float32 by default).

    Examples
    --------
    >>> blackman(3).shape
    (3,)
    """
    return _window("_npi_blackman", M, dtype, ctx)


@shared
def indices(dimensions, dtype=None, ctx=None):
    """The index grids of an array of shape ``dimensions``, stacked along a first axis (int32 by default).

    Examples
    --------
    >>> indices((2, 2))[1]
    array([[0, 1],
           [0, 1]], dtype=int32)
    """
    check_cpu(ctx)
    if not isinstance(dimensions, (tuple, list)):
        raise TypeError(f"indices: dimensions must be a tuple or list, got {type(dimensions).__name__}")
    return call("_npi_indices", [], dimensions=tuple(int(d) for d in dimensions),
                dtype=onp.dtype(dtype or "int32").name)


def _rows(result):
    """A graph node as it is; an array as the tuple of its rows (MXNet's tuple of per-axis index arrays)."""
    return result if is_symbolic(result) else tuple(result[i] for i in range(result.shape[0]))


@shared
def diag_indices_from(arr):
    """The indices of the main diagonal of a square ``arr`` (one int64 array per axis; in a graph one node
    with a row per axis, as MXNet's symbol).

    Examples
    --------
    >>> import ssdkit as mx
    >>> diag_indices_from(mx.np.ones((2, 2)))
    (array([0, 1], dtype=int64), array([0, 1], dtype=int64))
    """
    return _rows(call("_npi_diag_indices_from", [arr]))


@shared
def unravel_index(indices, shape, order="C"):
    """The coordinates in an array of ``shape`` of the flat ``indices``: one array per axis, in the dtype of
    ``indices`` (Python ints for an int; in a graph one node with a row per axis, as MXNet's symbol).

    Examples
    --------
    >>> import ssdkit as mx
    >>> unravel_index(mx.np.array([22, 41], dtype='int64'), (7, 6))
    (array([3, 6], dtype=int64), array([4, 5], dtype=int64))
    >>> [int(c) for c in unravel_index(7, (3, 4))]
    [1, 3]
    """
    if order != "C":
        raise NotImplementedError("unravel_index: only order='C' is supported (MXNet 1.9.1 too)")
    if isinstance(indices, (int, onp.integer)):
        return onp.unravel_index(indices, shape)  # NumPy's own result (numpy int64s), as MXNet
    return _rows(call("_npi_unravel_index_fallback", [as_input(indices)], shape=shape))


def shares_memory(a, b, max_work=None):
    """Whether ``a`` and ``b`` share memory (exactly, as NumPy's).

    Examples
    --------
    >>> import ssdkit as mx
    >>> x = mx.np.ones(4)
    >>> shares_memory(x, x[1:]), shares_memory(x, mx.np.ones(4))
    (True, False)
    """
    return bool(onp.shares_memory(a._data, b._data, max_work))


def may_share_memory(a, b, max_work=None):
    """Whether ``a`` and ``b`` share memory; exact, as MXNet's (the same as :func:`shares_memory`).

    Examples
    --------
    >>> import ssdkit as mx
    >>> x = mx.np.ones(4)
    >>> may_share_memory(x, x[1:3]), may_share_memory(x, x[::2]), may_share_memory(x[:2], x[2:])
    (True, False, False)
    """
    return bool(onp.shares_memory(a._data, b._data, max_work))
