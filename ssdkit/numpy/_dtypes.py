"""MXNet 1.9.1's dtype rules for ``mx.np`` (they differ from NumPy's in places; each rule below was read off
real MXNet, see tests/data/numpy_oracle).

* creation from Python numbers or lists gives float32 (ints and bools too); from a numpy array or an
  ``mx.np.ndarray`` it keeps that array's dtype;
* array (op) array: the same dtype stays; a float and an int/bool give the float; two floats or two ints
  give the wider one (NumPy's promotion);
* array (op) Python scalar keeps the array's dtype, the scalar is cast to it (``int32 * 1.5`` is int32);
  a bool array with a scalar becomes int64;
* true division of ints (or bools) gives float32; comparisons give bool;
* unary math keeps the input dtype (``np.exp`` of int32 is int32), ``mean``/``std``/``var`` of ints are float32.
"""
import numpy as onp

DEFAULT_FLOAT = onp.dtype(onp.float32)
INDEX_DTYPE = onp.dtype(onp.int64)


def is_float(dtype):
    """Whether ``dtype`` is a floating-point type.

    Examples
    --------
    >>> is_float(onp.dtype('float16')), is_float(onp.dtype('int32'))
    (True, False)
    """
    return onp.dtype(dtype).kind == "f"


def promote(a, b):
    """The result dtype of a binary op on two arrays of dtypes ``a`` and ``b``.

    Examples
    --------
    >>> promote(onp.dtype('int32'), onp.dtype('float32'))
    dtype('float32')
    >>> promote(onp.dtype('int32'), onp.dtype('int64'))
    dtype('int64')
    """
    a, b = onp.dtype(a), onp.dtype(b)
    if a == b:
        return a
    if is_float(a) != is_float(b):
        return a if is_float(a) else b
    return onp.result_type(a, b)


def true_divide_type(dtype):
    """Ints and bools divide into float32; floats keep their type.

    Examples
    --------
    >>> true_divide_type(onp.dtype('int32'))
    dtype('float32')
    """
    return onp.dtype(dtype) if is_float(dtype) else DEFAULT_FLOAT


def creation_dtype(source, dtype=None):
    """The dtype ``np.array(source)`` gets: ``dtype`` if given, an array's own dtype, else float32.

    Examples
    --------
    >>> creation_dtype([1, 2]), creation_dtype(onp.arange(2))
    (dtype('float32'), dtype('int64'))
    """
    if dtype is not None:
        return onp.dtype(dtype)
    if isinstance(source, onp.ndarray) or (isinstance(source, onp.generic) and not isinstance(source, onp.bool_)):
        return source.dtype if isinstance(source, onp.ndarray) else onp.dtype(type(source))
    got = getattr(source, "_data", None)
    if isinstance(got, onp.ndarray):
        return got.dtype
    return DEFAULT_FLOAT
