"""``mx.np.linalg`` basics: ``norm``, ``inv``, ``det``, ``slogdet`` (registry ops with their gradients).

Examples
--------
>>> import ssdkit as mx
>>> norm(mx.np.array([3., 4.]))
array(5.)
>>> inv(mx.np.array([[2., 0.], [0., 4.]]))
array([[0.5 , 0.  ],
       [0.  , 0.25]])
"""
import numpy as onp

from ..ndarray.ndarray import invoke
from . import _dtypes
from ._ufunc import cast

__all__ = ["norm", "inv", "det", "slogdet"]


def _float(a):
    return a if _dtypes.is_float(a.dtype) else cast(a, _dtypes.DEFAULT_FLOAT)


def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002 - numpy's argument name
    """Vector or matrix norm: ``ord`` None/'fro' is the 2-norm of the elements over ``axis``; other orders as
    numpy's (their gradient is defined for None/'fro').

    Examples
    --------
    >>> import ssdkit as mx
    >>> norm(mx.np.ones((2, 3)), axis=1)
    array([1.7320508, 1.7320508])
    """
    axis = None if axis is None else (int(axis),) if isinstance(axis, (int, onp.integer)) else tuple(axis)
    return invoke("_npi_norm", [_float(x)], ord=ord, axis=axis, keepdims=keepdims)


def inv(a):
    """Inverse of a square matrix (or a stack of them).

    Examples
    --------
    >>> import ssdkit as mx
    >>> inv(mx.np.array([[1., 0.], [0., 2.]]))[1, 1]
    array(0.5)
    """
    return invoke("_npi_inv", [_float(a)])


def det(a):
    """Determinant of a square matrix (or a stack of them).

    Examples
    --------
    >>> import ssdkit as mx
    >>> det(mx.np.array([[2., 0.], [0., 3.]]))
    array(6.)
    """
    return invoke("_npi_det", [_float(a)])


def slogdet(a):
    """``[sign, log|det|]`` of a square matrix, a list as MXNet returns it (not differentiable here).

    Examples
    --------
    >>> import ssdkit as mx
    >>> slogdet(mx.np.array([[2., 0.], [0., 3.]]))[1]
    array(1.7917595)
    """
    a = _float(a)
    sign, logdet = onp.linalg.slogdet(a._data)
    return [a._wrap(onp.asarray(sign, a.dtype)), a._wrap(onp.asarray(logdet, a.dtype))]
