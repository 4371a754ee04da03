"""Array creation: ``array, zeros, ones, full, empty, arange, linspace, eye, zeros_like, ones_like``,
plus ``concat``/``stack`` conveniences, ``waitall`` and ``NDArray`` conversion helpers.

Examples
--------
>>> zeros((2, 3)).shape
(2, 3)
>>> arange(0, 6, 2).asnumpy()
array([0., 2., 4.], dtype=float32)
"""
import numpy as np

from ..base import DTYPE, MXNetError
from ..context import check_cpu
from .ndarray import NDArray, check_dense

__all__ = ["array", "zeros", "ones", "full", "empty", "arange", "linspace", "eye", "waitall", "from_numpy"]


def _make(data, ctx):
    return NDArray(data, check_cpu(ctx))


def _into(result, out):
    """``result``, or ``out`` with result's values written into it (MXNet's ``out=``)."""
    if out is None:
        return result
    out._data[...] = result._data
    return out


def _filled(name, shape, fill, dtype):
    """``np.full`` with MXNet's dtype default and an error naming the call for a bad shape or dtype."""
    dims = (shape,) if np.isscalar(shape) else tuple(shape)
    if not all(isinstance(d, (int, np.integer)) and d >= 0 for d in dims):
        raise MXNetError(f"{name}: shape must be non-negative integers, got {shape!r}")
    try:
        dtype = np.dtype(DTYPE if dtype is None else dtype)
    except TypeError:
        raise MXNetError(f"{name}: unknown dtype {dtype!r}") from None
    return np.full(dims, fill, dtype)


def array(source_array, ctx=None, dtype=None):
    """An NDArray from a list, numpy array or NDArray; float32 unless ``dtype`` or an NDArray source says otherwise.

    Examples
    --------
    >>> array([[1, 2], [3, 4]]).dtype
    <class 'numpy.float32'>
    >>> array(np.array([1, 2], dtype=np.int32), dtype='int32').dtype
    <class 'numpy.int32'>
    """
    if isinstance(source_array, NDArray):
        dtype = source_array.dtype if dtype is None else dtype
        source_array = source_array._data
    dtype = np.dtype(DTYPE if dtype is None else dtype)
    try:
        data = np.array(source_array, dtype=dtype)
    except (TypeError, ValueError) as err:
        raise MXNetError(f"array: cannot convert {type(source_array).__name__} to an array of {dtype}: {err}") from None
    return _make(data, ctx)


def from_numpy(ndarray, zero_copy=True):
    """Wrap a numpy array (sharing memory when ``zero_copy``).

    Examples
    --------
    >>> a = np.ones(2, np.float32); b = from_numpy(a); b[0] = 5; a, a.flags.writeable
    (array([5., 1.], dtype=float32), False)
    """
    if not zero_copy:
        return NDArray(ndarray.copy())
    if not ndarray.flags["C_CONTIGUOUS"]:
        raise ValueError("Only c-contiguous arrays are supported for zero-copy")
    ndarray.flags["WRITEABLE"] = False  # numpy's side becomes read-only; the NDArray still writes, as in MXNet
    return NDArray(_writable_alias(ndarray))


def _writable_alias(array):
    """A writable array over the memory of the C-contiguous ``array`` (which it keeps alive)."""
    if array.nbytes == 0:
        return np.empty(array.shape, array.dtype)
    import ctypes
    buffer = (ctypes.c_char * array.nbytes).from_address(array.ctypes.data)
    buffer.owner = array  # the memory lives as long as the alias does
    return np.frombuffer(buffer, dtype=array.dtype).reshape(array.shape)


def zeros(shape, ctx=None, dtype=None, stype=None, **kwargs):
    """Zeros of ``shape`` (float32 by default); a sparse ``stype`` raises MXNetError (dense arrays only).

    Examples
    --------
    >>> zeros(2).asnumpy()
    array([0., 0.], dtype=float32)
    """
    check_dense("zeros", stype)
    return _into(_make(_filled("zeros", shape, 0, dtype), ctx), kwargs.get("out"))


def ones(shape, ctx=None, dtype=None, **kwargs):
    """Ones of ``shape``.

    Examples
    --------
    >>> ones((1, 2)).asnumpy()
    array([[1., 1.]], dtype=float32)
    """
    return _into(_make(_filled("ones", shape, 1, dtype), ctx), kwargs.get("out"))


def full(shape, val, ctx=None, dtype=None, out=None):
    """An array of ``shape`` filled with ``val``.

    Examples
    --------
    >>> full((2,), 7).asnumpy()
    array([7., 7.], dtype=float32)
    """
    result = _make(_filled("full", shape, val, dtype), ctx)
    if out is not None:
        out._data[...] = result._data
        return out
    return result


def empty(shape, ctx=None, dtype=None):
    """An uninitialised array of ``shape`` (zero-filled here, so results never depend on stale memory).

    Examples
    --------
    >>> empty((2, 2)).shape
    (2, 2)
    """
    return zeros(shape, ctx, dtype)


def arange(start, stop=None, step=1.0, repeat=1, infer_range=False, ctx=None, dtype=None):
    """Evenly spaced values in ``[start, stop)``, each repeated ``repeat`` times.

    Examples
    --------
    >>> arange(3, repeat=2).asnumpy()
    array([0., 0., 1., 1., 2., 2.], dtype=float32)
    """
    values = np.arange(start, stop, step, dtype=np.float64).astype(DTYPE if dtype is None else dtype)
    return _make(np.repeat(values, repeat) if repeat > 1 else values, ctx)


def linspace(start, stop, num, endpoint=True, ctx=None, dtype=None):
    """``num`` evenly spaced values from ``start`` to ``stop``.

    Examples
    --------
    >>> linspace(0, 1, 3).asnumpy()
    array([0. , 0.5, 1. ], dtype=float32)
    """
    return _make(np.linspace(start, stop, num, endpoint=endpoint).astype(DTYPE if dtype is None else dtype), ctx)


def eye(N, M=0, k=0, ctx=None, dtype=None):
    """An identity-like 2-D array.

    Examples
    --------
    >>> eye(2).asnumpy()
    array([[1., 0.],
           [0., 1.]], dtype=float32)
    """
    return _make(np.eye(N, M or None, k, dtype=DTYPE if dtype is None else dtype), ctx)


def waitall():
    """Wait for all pending computation: ssdkit computes synchronously, so this returns at once.

    Examples
    --------
    >>> waitall()
    """
