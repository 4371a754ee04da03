"""Array creation of ``mx.np``: ``array, zeros, ones, full, empty, arange, linspace, eye, identity`` and the
``*_like`` functions, with MXNet np's float32 default. The values come from the registry's creation ops.

Examples
--------
>>> array([1, 2, 3])
array([1., 2., 3.])
>>> arange(3), zeros((2,), dtype='int32')
(array([0., 1., 2.]), array([0, 0], dtype=int32))
"""
import numpy as onp

from ..base import MXNetError
from ..context import check_cpu
from ..ndarray.ndarray import NDArray, invoke
from . import _dtypes
from .multiarray import ndarray

__all__ = ["array", "zeros", "ones", "full", "empty", "arange", "linspace", "eye", "identity",
           "zeros_like", "ones_like", "full_like", "empty_like", "copy", "logspace"]


def _shape(shape, name):
    dims = (shape,) if isinstance(shape, (int, onp.integer)) else tuple(shape)
    if not all(isinstance(d, (int, onp.integer)) and d >= 0 for d in dims):
        raise MXNetError(f"{name}: shape must be non-negative integers, got {shape!r}")
    return tuple(int(d) for d in dims)


def _dtype(dtype, name, default=_dtypes.DEFAULT_FLOAT):
    try:
        return onp.dtype(default if dtype is None else dtype)
    except TypeError:
        raise MXNetError(f"{name}: unknown dtype {dtype!r}") from None


def _created(op_name, ctx, **params):
    check_cpu(ctx)
    return invoke(op_name, [], **params).as_np_ndarray()


def array(object, dtype=None, ctx=None):  # noqa: A002 - numpy's argument name
    """An ``mx.np.ndarray`` from a list, number, numpy array or array: float32 unless ``dtype`` is given or
    the source is an array (whose dtype it keeps).

    Examples
    --------
    >>> array(3), array([True, False]).dtype
    (array(3.), dtype('float32'))
    >>> array(onp.array([1, 2], dtype=onp.int64))
    array([1, 2], dtype=int64)
    """
    check_cpu(ctx)
    dtype = _dtypes.creation_dtype(object, dtype)
    source = object._data if isinstance(object, NDArray) else object
    try:
        data = onp.array(source, dtype=dtype)
    except (TypeError, ValueError) as err:
        raise MXNetError(f"array: cannot convert {type(object).__name__} to an array of {dtype}: {err}") from None
    return ndarray(data)


def zeros(shape, dtype=None, order="C", ctx=None):
    """Zeros of ``shape`` (float32 by default; ``()`` gives a 0-d array).

    Examples
    --------
    >>> zeros(())
    array(0.)
    """
    return _created("_zeros", ctx, shape=_shape(shape, "zeros"), dtype=_dtype(dtype, "zeros").name)


def ones(shape, dtype=None, order="C", ctx=None):
    """Ones of ``shape`` (float32 by default).

    Examples
    --------
    >>> ones((1, 2))
    array([[1., 1.]])
    """
    return _created("_ones", ctx, shape=_shape(shape, "ones"), dtype=_dtype(dtype, "ones").name)


def full(shape, fill_value, dtype=None, order="C", ctx=None, out=None):
    """``shape`` filled with ``fill_value`` (a number, or an array broadcast to ``shape``).

    Examples
    --------
    >>> full((2,), 3)
    array([3., 3.])
    """
    if isinstance(fill_value, NDArray):
        from .manipulation import broadcast_to
        result = broadcast_to(fill_value.as_np_ndarray(), _shape(shape, "full"))
        result = result if dtype is None else result.astype(dtype)
    else:
        result = _created("_full", ctx, shape=_shape(shape, "full"), value=float(fill_value),
                          dtype=_dtype(dtype, "full").name)
    if out is not None:
        out._data[...] = result._data
        return out
    return result


def empty(shape, dtype=None, order="C", ctx=None):
    """An array of ``shape`` whose values are not set (zero-filled here, so results never depend on stale memory).

    Examples
    --------
    >>> empty((2,)).shape
    (2,)
    """
    return zeros(shape, dtype, order, ctx)


def arange(start, stop=None, step=1, dtype=None, ctx=None):
    """Evenly spaced values in ``[start, stop)`` (float32 by default, as MXNet np).

    Examples
    --------
    >>> arange(2, 10, 3)
    array([2., 5., 8.])
    """
    if stop is None:
        start, stop = 0, start
    return _created("_arange", ctx, start=start, stop=stop, step=step, dtype=_dtype(dtype, "arange").name)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, ctx=None):
    """``num`` evenly spaced values from ``start`` to ``stop``; with ``retstep`` also the spacing.

    Examples
    --------
    >>> linspace(0, 1, 5)
    array([0.  , 0.25, 0.5 , 0.75, 1.  ])
    """
    if axis != 0:
        raise MXNetError(f"linspace: only axis=0 is supported, got axis={axis}")
    result = _created("_linspace", ctx, start=start, stop=stop, num=num, endpoint=endpoint,
                      dtype=_dtype(dtype, "linspace").name)
    if retstep:
        return result, (stop - start) / (num - 1 if endpoint else num) if num > int(endpoint) else float("nan")
    return result


def eye(N, M=None, k=0, dtype=None, ctx=None, **kwargs):
    """A 2-D array with ones on diagonal ``k``.

    Examples
    --------
    >>> eye(2)
    array([[1., 0.],
           [0., 1.]])
    """
    return _created("_eye", ctx, N=N, M=M or 0, k=k, dtype=_dtype(dtype, "eye").name)


def identity(n, dtype=None, ctx=None):
    """The ``n`` x ``n`` identity.

    Examples
    --------
    >>> identity(1)
    array([[1.]])
    """
    return eye(n, dtype=dtype, ctx=ctx)


def full_like(a, fill_value, dtype=None, order="C", ctx=None, out=None):
    """An array shaped as ``a`` filled with ``fill_value`` (``a``'s dtype unless ``dtype``).

    Examples
    --------
    >>> full_like(array([1, 2], dtype='int32'), 2.5)
    array([2, 2], dtype=int32)
    """
    dtype = a.dtype if dtype is None else dtype
    return full(a.shape, onp.asarray(fill_value).astype(dtype).item(), dtype, order, ctx, out)


def zeros_like(a, dtype=None, order="C", ctx=None, out=None):
    """Zeros shaped as ``a`` (``a``'s dtype unless ``dtype``).

    Examples
    --------
    >>> zeros_like(array([1, 2]))
    array([0., 0.])
    """
    return full_like(a, 0, dtype, order, ctx, out)


def ones_like(a, dtype=None, order="C", ctx=None, out=None):
    """Ones shaped as ``a`` (``a``'s dtype unless ``dtype``).

    Examples
    --------
    >>> ones_like(array([1, 2], dtype='int32'))
    array([1, 1], dtype=int32)
    """
    return full_like(a, 1, dtype, order, ctx, out)


def empty_like(prototype, dtype=None, order="C", subok=False, shape=None):
    """An array shaped as ``prototype`` (zero-filled here).

    Examples
    --------
    >>> empty_like(array([1., 2.])).shape
    (2,)
    """
    return zeros(prototype.shape if shape is None else shape, prototype.dtype if dtype is None else dtype)


def copy(a):
    """A copy of ``a`` (recorded under autograd).

    Examples
    --------
    >>> copy(array([1.]))
    array([1.])
    """
    return a.copy()


def logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0, ctx=None):
    """``base ** linspace(start, stop, num)`` (float32 by default).

    Examples
    --------
    >>> logspace(0, 2, 3)
    array([  1.,  10., 100.])
    """
    exponents = linspace(start, stop, num, endpoint=endpoint, axis=axis, ctx=ctx)
    from ._ufunc import binary
    result = binary("power", float(base), exponents)
    return result if dtype is None else result.astype(dtype)
