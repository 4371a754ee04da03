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
from ._dispatch import call, shared, is_symbolic

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


def _created(op_name, ctx, out=None, **params):
    check_cpu(ctx)
    return call(op_name, [], out, **params)


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
        try:
            data = onp.array(source, dtype=dtype)
        except OverflowError:  # a Python int beyond the dtype wraps around as a C cast (MXNet under NumPy 1)
            data = onp.array(source).astype(dtype)
    except (TypeError, ValueError, OverflowError) as err:
        raise MXNetError(f"array: cannot convert {type(object).__name__} to an array of {dtype}: {err}") from None
    return ndarray(data)


@shared
def zeros(shape, dtype=None, order="C", ctx=None):
    """Zeros of ``shape`` (float32 by default; ``()`` gives a 0-d array).

    Examples
    --------
    >>> zeros(())
    array(0.)
    """
    _c_order(order, "zeros")
    return _created("_zeros", ctx, shape=_shape(shape, "zeros"), dtype=_dtype(dtype, "zeros").name)


@shared
def ones(shape, dtype=None, order="C", ctx=None):
    """Ones of ``shape`` (float32 by default).

    Examples
    --------
    >>> ones((1, 2))
    array([[1., 1.]])
    """
    _c_order(order, "ones")
    return _created("_ones", ctx, shape=_shape(shape, "ones"), dtype=_dtype(dtype, "ones").name)


@shared
def full(shape, fill_value, dtype=None, order="C", ctx=None, out=None):
    """``shape`` filled with ``fill_value`` (a number, or an array broadcast to ``shape``).

    Examples
    --------
    >>> full((2,), 3)
    array([3., 3.])
    """
    _c_order(order, "full")
    if isinstance(fill_value, NDArray) or is_symbolic(fill_value):
        from .manipulation import broadcast_to
        result = broadcast_to(fill_value, _shape(shape, "full"))
        return result if dtype is None else call("Cast", [result], out, dtype=onp.dtype(dtype).name)
    return _created("_full", ctx, out, shape=_shape(shape, "full"), value=float(fill_value),
                    dtype=_dtype(dtype, "full").name)


def empty(shape, dtype=None, order="C", ctx=None):
    """An array of ``shape`` whose values are not set (zero-filled here, so results never depend on stale memory).

    Examples
    --------
    >>> empty((2,)).shape
    (2,)
    """
    _c_order(order, "empty")
    return zeros(shape, dtype, order, ctx)


@shared
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


@shared
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


@shared
def eye(N, M=None, k=0, dtype=None, ctx=None, **kwargs):
    """A 2-D array with ones on diagonal ``k``.

    Examples
    --------
    >>> eye(2)
    array([[1., 0.],
           [0., 1.]])
    """
    if M == 0:  # NumPy's zero columns (the op reads M=0 as "square", MXNet's nd convention)
        return _created("_zeros", ctx, shape=(int(N), 0), dtype=_dtype(dtype, "eye").name)
    return _created("_eye", ctx, N=N, M=M or 0, k=k, dtype=_dtype(dtype, "eye").name)


@shared
def identity(n, dtype=None, ctx=None):
    """The ``n`` x ``n`` identity.

    Examples
    --------
    >>> identity(1)
    array([[1.]])
    """
    return eye(n, dtype=dtype, ctx=ctx)


def _c_order(order, name):
    if order != "C":
        raise NotImplementedError(f"{name}: only supports order='C' (MXNet 1.9.1 too), got order={order!r}")


@shared
def full_like(a, fill_value, dtype=None, order="C", ctx=None, out=None):
    """An array shaped as ``a`` filled with ``fill_value`` (``a``'s dtype unless ``dtype``; no gradient to ``a``).

    Examples
    --------
    >>> full_like(array([1, 2], dtype='int32'), 2.5)
    array([2, 2], dtype=int32)
    """
    _c_order(order, "full_like")
    check_cpu(ctx)
    return call("_npi_full_like", [a], out, fill_value=float(fill_value),
                dtype=None if dtype is None else onp.dtype(dtype).name)


@shared
def zeros_like(a, dtype=None, order="C", ctx=None, out=None):
    """Zeros shaped as ``a`` (``a``'s dtype unless ``dtype``).

    Examples
    --------
    >>> zeros_like(array([1, 2]))
    array([0., 0.])
    """
    return full_like(a, 0, dtype, order, ctx, out)


@shared
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
    _c_order(order, "empty_like")
    if subok:
        raise NotImplementedError("empty_like: subok=True is not supported (MXNet 1.9.1 neither)")
    return zeros(prototype.shape if shape is None else shape, prototype.dtype if dtype is None else dtype)


def copy(a):
    """A copy of ``a`` (recorded under autograd).

    Examples
    --------
    >>> copy(array([1.]))
    array([1.])
    """
    return a.copy()


@shared
def logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0, ctx=None):
    """``base ** linspace(start, stop, num)`` (float32 by default).

    Examples
    --------
    >>> logspace(0, 2, 3)
    array([  1.,  10., 100.])
    """
    exponents = linspace(start, stop, num, endpoint=endpoint, axis=axis, ctx=ctx)
    result = call("_rpower_scalar", [exponents], scalar=float(base))
    return result if dtype is None else call("Cast", [result], dtype=onp.dtype(dtype).name)
