"""Comparing arrays as MXNet's ``test_utils`` does: per-dtype default tolerances, ``almost_equal``,
``assert_almost_equal`` (reporting the worst element), ``same``, ``same_array``, ``np_reduce``.

Examples
--------
>>> import numpy as np
>>> assert_almost_equal(np.float32([1, 2]), np.float32([1, 2.0001]))   # float32: rtol 1e-4, atol 1e-3
>>> almost_equal(np.array([1.0]), np.array([1.1]))
False
"""
import numbers

import numpy as np

__all__ = ["default_rtols", "default_atols", "default_numeric_eps", "get_tolerance", "get_tols", "get_rtol",
           "get_atol", "get_etol", "same", "almost_equal", "assert_almost_equal", "assert_allclose",
           "assert_almost_equal_ignore_nan", "assert_almost_equal_with_err", "same_array", "np_reduce",
           "assert_exception", "find_max_violation"]

_EXACT = (np.bool_, np.int8, np.uint8, np.int32, np.uint32, np.int64, np.uint64)


def default_rtols():
    """Relative tolerance per dtype (float16 1e-2, float32 1e-4, float64 1e-5, integers 0).

    Examples
    --------
    >>> default_rtols()[np.dtype(np.float32)]
    0.0001
    """
    table = {np.dtype(t): 0 for t in _EXACT}
    table.update({np.dtype(np.float16): 1e-2, np.dtype(np.float32): 1e-4, np.dtype(np.float64): 1e-5})
    return table


def default_atols():
    """Absolute tolerance per dtype (float16 1e-1, float32 1e-3, float64 1e-20, integers 0).

    Examples
    --------
    >>> default_atols()[np.dtype(np.float64)]
    1e-20
    """
    table = {np.dtype(t): 0 for t in _EXACT}
    table.update({np.dtype(np.float16): 1e-1, np.dtype(np.float32): 1e-3, np.dtype(np.float64): 1e-20})
    return table


def default_numeric_eps():
    """Finite-difference step per dtype (powers of two: float32 2**-9).

    Examples
    --------
    >>> default_numeric_eps()[np.dtype(np.float32)]
    0.001953125
    """
    return {np.dtype(np.float16): 1.0 / 2 ** 6, np.dtype(np.float32): 1.0 / 2 ** 9,
            np.dtype(np.float64): 1.0 / 2 ** 14}


def get_tolerance(dat, tol, default_tol):
    """``tol`` if a number, else its (or the default table's) entry for ``dat``'s dtype.

    Examples
    --------
    >>> get_tolerance(np.zeros(1, np.float16), None, default_rtols())
    0.01
    """
    if isinstance(tol, numbers.Number):
        return tol
    dtype = np.dtype(dat.dtype)
    return (tol or {}).get(dtype, default_tol[dtype])


def get_tols(x, y, rtol, atol):
    """The (rtol, atol) to compare ``x`` with ``y``: the looser default of their two dtypes unless given.

    Examples
    --------
    >>> get_tols(np.zeros(1, np.float32), np.zeros(1, np.float64), None, None)
    (0.0001, 0.001)
    """
    x = np.array(x) if isinstance(x, numbers.Number) else x
    y = np.array(y) if isinstance(y, numbers.Number) else y
    return (max(get_tolerance(x, rtol, default_rtols()), get_tolerance(y, rtol, default_rtols())),
            max(get_tolerance(x, atol, default_atols()), get_tolerance(y, atol, default_atols())))


def get_rtol(rtol=None, dtype=np.dtype(np.float64)):
    """``rtol`` or the default for ``dtype`` (float64 unless given).

    Examples
    --------
    >>> get_rtol(), get_rtol(0.5)
    (1e-05, 0.5)
    """
    return default_rtols()[np.dtype(dtype)] if rtol is None else rtol


def get_atol(atol=None, dtype=np.dtype(np.float64)):
    """``atol`` or the default for ``dtype`` (float64 unless given).

    Examples
    --------
    >>> get_atol()
    1e-20
    """
    return default_atols()[np.dtype(dtype)] if atol is None else atol


def get_etol(etol=None):
    """The tolerated fraction of mismatching elements (0 unless given).

    Examples
    --------
    >>> get_etol(), get_etol(0.1)
    (0, 0.1)
    """
    return 0 if etol is None else etol


def _numpy(a):
    return a.asnumpy() if hasattr(a, "asnumpy") else a


def _computable(x):
    """float16 as float32 for comparing: MXNet's allclose kernel compares halves against a float tolerance,
    and numpy's emulated float16 arithmetic is ~20x slower than float32's."""
    return x.astype(np.float32) if isinstance(x, np.ndarray) and x.dtype == np.float16 else x


#: Elements compared per step by :func:`blocked_allclose`: ``np.isclose`` makes several temporaries of its inputs'
#: size; a block keeps them in cache (a 134M-element gradient otherwise allocates gigabytes per comparison).
ALLCLOSE_BLOCK = 1 << 20


def blocked_allclose(a, b, rtol, atol, equal_nan=False):
    """``np.allclose(a, b, ...)``, a block of elements at a time when ``a`` and ``b`` have one shape.

    Examples
    --------
    >>> blocked_allclose(np.zeros(5), np.array([0, 0, 0, 0, 1e-9]), rtol=0, atol=1e-8)
    True
    """
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.size <= ALLCLOSE_BLOCK:
        return bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))
    flat_a, flat_b = a.reshape(-1), b.reshape(-1)
    return all(np.allclose(flat_a[i:i + ALLCLOSE_BLOCK], flat_b[i:i + ALLCLOSE_BLOCK], rtol=rtol, atol=atol,
                           equal_nan=equal_nan) for i in range(0, a.size, ALLCLOSE_BLOCK))


def same(a, b):
    """True when the two arrays are exactly equal (same shape, same values).

    Examples
    --------
    >>> same(np.zeros(2), np.zeros(2)), same(np.zeros(2), np.zeros(3))
    (True, False)
    """
    return bool(np.array_equal(_numpy(a), _numpy(b)))


def almost_equal(a, b, rtol=None, atol=None, equal_nan=False, use_broadcast=True):
    """``np.allclose`` with MXNet's float64 defaults (rtol 1e-5, atol 1e-20); shapes must match unless
    ``use_broadcast``.

    Examples
    --------
    >>> almost_equal(np.ones(2), np.ones(2) + 1e-7)
    True
    """
    a, b = _numpy(a), _numpy(b)
    if not use_broadcast and np.shape(a) != np.shape(b):
        raise AssertionError(f"a.shape = {np.shape(a)} and b.shape = {np.shape(b)} are not equal")
    return blocked_allclose(a, b, get_rtol(rtol), get_atol(atol), equal_nan)


def find_max_violation(a, b, rtol, atol):
    """(index, ratio) of the element where ``|a - b| / (atol + rtol |b|)`` is largest (inf == inf counts equal).

    Examples
    --------
    >>> find_max_violation(np.array([1.0, 2.0]), np.array([1.0, 3.0]), 0.0, 0.5)
    ((1,), 2.0)
    """
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    with np.errstate(invalid="ignore"):
        diff = np.where(np.equal(a, b), 0, np.abs(a - b))
    violation = diff / (atol + rtol * np.abs(b) + 1e-20)
    if violation.size == 0:
        return (), 0.0
    idx = np.unravel_index(np.nanargmax(violation) if not np.isnan(violation).all() else 0, violation.shape)
    return tuple(int(i) for i in idx), float(violation[idx])


def assert_almost_equal(a, b, rtol=None, atol=None, names=("a", "b"), equal_nan=False, use_broadcast=True,
                        mismatches=(10, 10)):
    """Raise AssertionError unless ``a`` and ``b`` (NDArrays, numpy arrays or numbers) are close.

    Tolerances default per dtype (:func:`default_rtols`, :func:`default_atols`; the looser of the two
    operands' dtypes) and may be numbers or dicts dtype -> number. The message names the worst element
    and how many elements violate. Boolean arrays must be equal.

    Examples
    --------
    >>> assert_almost_equal(np.ones(2), np.ones(2) + 1e-9)
    >>> assert_almost_equal(np.array([1.0, 2.0]), np.array([1.0, 2.5]), names=("ours", "mxnet"))
    Traceback (most recent call last):
    ...
    AssertionError: Error 20000.000000 exceeds tolerance rtol=1.000000e-05, atol=1.000000e-20 (mismatch 50.000000%).
    Location of maximum error: (1,), ours=2.00000000, mxnet=2.50000000
    """
    if not use_broadcast and np.shape(_numpy(a)) != np.shape(_numpy(b)):
        raise AssertionError(f"{names[0]}.shape = {np.shape(_numpy(a))} and {names[1]}.shape = "
                             f"{np.shape(_numpy(b))} are not equal")
    a, b = _numpy(a), _numpy(b)
    rtol, atol = get_tols(a, b, rtol, atol)
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype == np.bool_ and b.dtype == np.bool_:
        np.testing.assert_equal(a, b)
        return
    a, b = _computable(a), _computable(b)
    if blocked_allclose(a, b, rtol, atol, equal_nan):
        return
    a, b = np.broadcast_arrays(a, b)
    with np.errstate(invalid="ignore"):
        bad = ~np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)
    index, ratio = find_max_violation(a, b, rtol, atol)
    where = (f"Location of maximum error: {index}, {names[0]}={float(a[index]):.8f}, "
             f"{names[1]}={float(b[index]):.8f}") if index != () else ""
    raise AssertionError(f"Error {ratio:f} exceeds tolerance rtol={rtol:e}, atol={atol:e} "
                         f"(mismatch {100.0 * bad.sum() / max(bad.size, 1):f}%).\n{where}".rstrip())


def assert_allclose(a, b, rtol=1e-07, atol=0, equal_nan=True):
    """:func:`assert_almost_equal` with numpy's ``assert_allclose`` defaults.

    Examples
    --------
    >>> assert_allclose(np.zeros(3), np.zeros(3))
    """
    assert_almost_equal(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)


def assert_almost_equal_ignore_nan(a, b, rtol=None, atol=None, names=("a", "b")):
    """:func:`assert_almost_equal` after zeroing every element that is NaN in either array.

    Examples
    --------
    >>> assert_almost_equal_ignore_nan(np.array([np.nan, 1.0]), np.array([5.0, 1.0]))
    """
    a, b = np.array(_numpy(a), copy=True), np.array(_numpy(b), copy=True)
    nan = np.logical_or(np.isnan(a), np.isnan(b))
    a[nan] = 0
    b[nan] = 0
    assert_almost_equal(a, b, rtol, atol, names)


def assert_almost_equal_with_err(a, b, rtol=None, atol=None, etol=None, names=("a", "b"), equal_nan=False,
                                 mismatches=(10, 10)):
    """Like :func:`assert_almost_equal`, but a fraction ``etol`` of mismatching elements is tolerated.

    Examples
    --------
    >>> assert_almost_equal_with_err(np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 2.0, 3.0, 9.0]), etol=0.3)
    """
    a, b = np.asarray(_numpy(a)), np.asarray(_numpy(b))
    rtol, atol = get_tols(a, b, rtol, atol)
    bad = ~np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)
    fraction = float(bad.mean()) if bad.size else 0.0
    if fraction > get_etol(etol):
        index, ratio = find_max_violation(a, b, rtol, atol)
        raise AssertionError(f"{100 * bad.mean():.2f}% of elements differ (tolerated {100 * get_etol(etol):.2f}%); "
                             f"worst at {index}: {names[0]}={a[index]}, {names[1]}={b[index]}")


def same_array(array1, array2):
    """True when two NDArrays share memory (a change through one shows in the other).

    Examples
    --------
    >>> import ssdkit as mx
    >>> x = mx.nd.zeros((2,))
    >>> same_array(x, x), same_array(x, x.copy())
    (True, False)
    """
    array1[:] += 1
    shared = same(array1.asnumpy(), array2.asnumpy())
    array1[:] -= 1
    return shared and same(array1.asnumpy(), array2.asnumpy())


def np_reduce(dat, axis, keepdims, numpy_reduce_func):
    """Reduce ``dat`` over ``axis`` (int, list or None) one axis at a time with ``numpy_reduce_func``.

    Examples
    --------
    >>> np_reduce(np.ones((2, 3)), [0, 1], True, np.sum)
    array([[6.]])
    """
    axis = [axis] if isinstance(axis, int) else list(axis) if axis is not None else list(range(dat.ndim))
    out = dat
    for i in sorted(axis, reverse=True):
        out = numpy_reduce_func(out, axis=i)
    if keepdims:
        shape = list(dat.shape)
        for i in axis:
            shape[i] = 1
        out = out.reshape(shape)
    return out


def assert_exception(f, exception_type, *args, **kwargs):
    """Raise AssertionError unless ``f(*args, **kwargs)`` raises ``exception_type``.

    Examples
    --------
    >>> assert_exception(int, ValueError, "x")
    """
    try:
        f(*args, **kwargs)
    except exception_type:
        return
    raise AssertionError(f"{getattr(f, '__name__', f)} did not raise {exception_type.__name__}")
