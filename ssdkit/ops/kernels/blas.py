"""GEMM straight into a given output, optionally adding to it: ``out = a @ b`` or ``out += a @ b``.

numpy's matmul writes into ``out=`` but cannot add to it, so summing products means a temporary and one
more pass over it. The weight gradients sum one product per block: for a layer with many channels that
temporary is as large as the gradient (16 MB for a 512x512 Winograd gradient) and the extra pass cost as
much as the GEMM itself. BLAS ``?gemm`` with ``beta = 1`` adds in place.

The BLAS called is numpy's own OpenBLAS (the library whose thread count :mod:`.parallel` controls), found
through ctypes by its exported cblas symbol, whose integer width the symbol name tells. Operands may be
strided views with one unit stride (the other stride becomes the leading dimension, a unit row stride a
transposed operand). Anything else -- no such library, other dtypes, other strides, empty or one-wide
matrices -- goes through numpy, with the same result up to rounding.

Examples
--------
>>> import numpy as np
>>> a, b = np.ones((2, 3), np.float32), np.full((3, 4), 2, np.float32)
>>> out = np.ones((2, 4), np.float32)
>>> gemm(a, b, out, accumulate=True)[0]
array([7., 7., 7., 7.], dtype=float32)
>>> gemm(a, b.T.copy().T, out)[1]          # overwritten, b given as a transposed layout
array([6., 6., 6., 6.], dtype=float32)
"""
import ctypes

import numpy as np

from .parallel import openblas_paths

__all__ = ["gemm", "BLAS_FOUND", "USE_BLAS"]

_ROW_MAJOR, _NO_TRANS, _TRANS = 101, 111, 112
# cblas symbols by name and the integer width of their size arguments (the "64_" builds are ILP64)
_SYMBOLS = (("scipy_cblas_{}gemm64_", ctypes.c_int64), ("cblas_{}gemm64_", ctypes.c_int64),
            ("scipy_cblas_{}gemm", ctypes.c_int32), ("cblas_{}gemm", ctypes.c_int32))


def _bind(lib, prefix, int_t):
    """The ``?gemm`` functions (float32, float64) of ``lib`` for symbol pattern ``prefix``, or None."""
    names = [prefix.format(letter) for letter in "sd"]
    if not all(hasattr(lib, name) for name in names):
        return None
    funcs = {}
    for name, dtype, real in zip(names, (np.float32, np.float64), (ctypes.c_float, ctypes.c_double)):
        fn = getattr(lib, name)
        fn.restype = None
        fn.argtypes = ([ctypes.c_int] * 3 + [int_t] * 3 + [real, ctypes.c_void_p, int_t, ctypes.c_void_p, int_t,
                                                            real, ctypes.c_void_p, int_t])
        funcs[np.dtype(dtype)] = fn
    return funcs


def _self_test(funcs):
    """Whether the bound functions compute a small product right (guards against a wrong integer width)."""
    rng = np.random.default_rng(0)
    for dtype in funcs:
        a, b = rng.random((3, 5)).astype(dtype), rng.random((5, 4)).astype(dtype)
        out = np.zeros((3, 4), dtype)
        funcs[dtype](_ROW_MAJOR, _NO_TRANS, _NO_TRANS, 3, 4, 5, 1.0, a.ctypes.data, 5, b.ctypes.data, 4,
                     0.0, out.ctypes.data, 4)
        if not np.allclose(out, a @ b, rtol=1e-5):
            return False
    return True


def _find_gemm():
    for path in openblas_paths():
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, int_t in _SYMBOLS:
            funcs = _bind(lib, prefix, int_t)
            if funcs is not None:
                return funcs if _self_test(funcs) else None
    return None


_gemm = _find_gemm()
#: Whether numpy's OpenBLAS ``?gemm`` was found (else every call goes through numpy).
BLAS_FOUND = _gemm is not None
#: Call BLAS where it applies (tests switch it off to check the numpy path gives the same).
USE_BLAS = True


def _layout(m):
    """``(transpose flag, leading dimension)`` of the 2-D operand ``m`` seen as row-major, or None."""
    item = m.itemsize
    (s0, s1), (rows, cols) = m.strides, m.shape
    if s1 == item and s0 % item == 0 and s0 // item >= cols:
        return _NO_TRANS, s0 // item
    if s0 == item and s1 % item == 0 and s1 // item >= rows:
        return _TRANS, s1 // item
    return None


def gemm(a, b, out, accumulate=False):
    """``out[...] = a @ b``, or ``out += a @ b`` when ``accumulate``; returns ``out``.

    Parameters
    ----------
    a : ndarray (M, K)
    b : ndarray (K, N)
    out : ndarray (M, N)
        Written in place; must not overlap ``a`` or ``b``.
    accumulate : bool

    Returns
    -------
    ndarray
        ``out``.

    Examples
    --------
    >>> out = np.zeros((1, 1))
    >>> gemm(np.array([[1., 2.]]), np.array([[3.], [4.]]), out, accumulate=True)
    array([[11.]])
    """
    (m, k), (k2, n) = a.shape, b.shape
    if k != k2 or out.shape != (m, n):
        raise ValueError(f"gemm: shapes {a.shape} @ {b.shape} -> {out.shape} do not chain")
    fn = _gemm.get(out.dtype) if USE_BLAS and _gemm is not None else None
    if fn is not None and a.dtype == b.dtype == out.dtype and min(m, n, k) > 1 and out.dtype.isnative:
        la, lb, lo = _layout(a), _layout(b), _layout(out)
        if la is not None and lb is not None and lo is not None:
            if lo[0] == _TRANS:                        # out.T is row-major: out.T = b.T @ a.T
                gemm(b.T, a.T, out.T, accumulate)
                return out
            fn(_ROW_MAJOR, la[0], lb[0], m, n, k, 1.0, a.ctypes.data, la[1], b.ctypes.data, lb[1],
               1.0 if accumulate else 0.0, out.ctypes.data, lo[1])
            return out
    if accumulate:
        out += a @ b
    else:
        np.matmul(a, b, out=out)
    return out
