"""``mx.np.linalg``: ``norm, inv, det, slogdet, cholesky, solve, svd, pinv, eigh, eigvalsh, eig, eigvals,
tensorinv, tensorsolve`` — registry ops with their gradients (:mod:`ssdkit.ops.numpy_linalg`), shared with
``F.np.linalg`` in hybridized blocks. Integer inputs are computed as float32.

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

from . import _dtypes
from ..ndarray.ndarray import NDArray
from ._dispatch import call, call_list, shared, is_symbolic, as_input

__all__ = ["norm", "inv", "det", "slogdet", "cholesky", "solve", "svd", "pinv", "eigh", "eigvalsh", "eig",
           "eigvals", "tensorinv", "tensorsolve"]


def _float(a):
    if is_symbolic(a) or _dtypes.is_float(a.dtype):
        return a
    return call("Cast", [a], dtype=_dtypes.DEFAULT_FLOAT.name)


def _shared(function):
    return shared(function, "linalg." + function.__name__)


@_shared
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
    return call("_npi_norm", [_float(x)], ord=ord, axis=axis, keepdims=keepdims)


@_shared
def inv(a):
    """Inverse of a square matrix (or a stack of them).

    Examples
    --------
    >>> import ssdkit as mx
    >>> inv(mx.np.array([[1., 0.], [0., 2.]]))[1, 1]
    array(0.5)
    """
    return call("_npi_inv", [_float(a)])


@_shared
def det(a):
    """Determinant of a square matrix (or a stack of them).

    Examples
    --------
    >>> import ssdkit as mx
    >>> det(mx.np.array([[2., 0.], [0., 3.]]))
    array(6.)
    """
    return call("_npi_det", [_float(a)])


@_shared
def slogdet(a):
    """``[sign, log|det|]`` of a square matrix, a list as MXNet returns it (``log|det|`` has a gradient).

    Examples
    --------
    >>> import ssdkit as mx
    >>> slogdet(mx.np.array([[2., 0.], [0., 3.]]))[1]
    array(1.7917595)
    """
    return call_list("_npi_slogdet", [_float(a)])


@_shared
def cholesky(a):
    """The lower Cholesky factor ``L`` of a symmetric positive-definite ``a = L @ L.T``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> cholesky(mx.np.array([[4., 2.], [2., 5.]]))
    array([[2., 0.],
           [1., 2.]])
    """
    return call("_npi_cholesky", [_float(a)])


@_shared
def solve(a, b):
    """``x`` with ``a @ x = b`` (``b`` a stack of vectors when it has one axis less than ``a``).

    Examples
    --------
    >>> import ssdkit as mx
    >>> solve(mx.np.array([[2., 0.], [0., 4.]]), mx.np.array([2., 2.]))
    array([1. , 0.5])
    """
    return call("_npi_solve", [_float(a), _float(b)])


@_shared
def svd(a):
    """MXNet's SVD ``(ut, l, v)`` of ``a`` (``(..., M, N)``, ``M <= N``): ``a = ut @ diag(l) @ v``, ``l``
    descending.

    Examples
    --------
    >>> import ssdkit as mx
    >>> ut, l, v = svd(mx.np.array([[3., 0.], [0., 2.]]))
    >>> l
    array([3., 2.])
    """
    return tuple(call_list("_npi_svd", [_float(a)]))


@_shared
def pinv(a, rcond=1e-15, hermitian=False):
    """The Moore-Penrose pseudo-inverse (``rcond`` cuts small singular values).

    Examples
    --------
    >>> import ssdkit as mx
    >>> pinv(mx.np.array([[2., 0.], [0., 0.]]))
    array([[0.5, 0. ],
           [0. , 0. ]])
    """
    if isinstance(rcond, NDArray) or is_symbolic(rcond) or onp.ndim(rcond):  # one cutoff per matrix of the batch
        return call("_npi_pinv", [_float(a), as_input(rcond)], hermitian=hermitian)
    return call("_npi_pinv_scalar_rcond", [_float(a)], rcond=float(rcond), hermitian=hermitian)


@_shared
def eigh(a, UPLO="L"):  # noqa: N803 - numpy's argument name
    """Eigenvalues (ascending) and eigenvectors of a symmetric matrix read from the ``UPLO`` triangle.

    Examples
    --------
    >>> import ssdkit as mx
    >>> eigh(mx.np.array([[2., 0.], [0., 1.]]))[0]
    array([1., 2.])
    """
    return tuple(call_list("_npi_eigh", [_float(a)], UPLO=UPLO))


@_shared
def eigvalsh(a, UPLO="L"):  # noqa: N803
    """Eigenvalues (ascending) of a symmetric matrix read from the ``UPLO`` triangle.

    Examples
    --------
    >>> import ssdkit as mx
    >>> eigvalsh(mx.np.array([[2., 1.], [1., 2.]]))
    array([1., 3.])
    """
    return call("_npi_eigvalsh", [_float(a)], UPLO=UPLO)


@_shared
def eig(a):
    """Eigenvalues and eigenvectors of a real matrix with real eigenvalues (no gradient).

    Examples
    --------
    >>> import ssdkit as mx
    >>> eig(mx.np.array([[2., 0.], [0., 3.]]))[0]
    array([2., 3.])
    """
    return tuple(call_list("_npi_eig", [_float(a)]))


@_shared
def eigvals(a):
    """Eigenvalues of a real matrix with real eigenvalues (no gradient).

    Examples
    --------
    >>> import ssdkit as mx
    >>> eigvals(mx.np.array([[2., 0.], [0., 3.]]))
    array([2., 3.])
    """
    return call("_npi_eigvals", [_float(a)])


@_shared
def tensorinv(a, ind=2):
    """The inverse of ``a`` seen as a matrix of its first ``ind`` axes by the others.

    Examples
    --------
    >>> import ssdkit as mx
    >>> tensorinv(mx.np.eye(4).reshape(4, 2, 2), ind=1).shape
    (2, 2, 4)
    """
    return call("_npi_tensorinv", [_float(a)], ind=int(ind))


@_shared
def tensorsolve(a, b, axes=None):
    """``x`` with ``tensordot(a, x, axes=x.ndim) == b`` (the ``axes`` of ``a`` moved to the end first).

    Examples
    --------
    >>> import ssdkit as mx
    >>> tensorsolve(mx.np.eye(4).reshape(2, 2, 4), mx.np.ones((2, 2))).shape
    (4,)
    """
    axes = None if axes is None else tuple(int(v) for v in onp.atleast_1d(axes))
    return call("_npi_tensorsolve", [_float(a), _float(b)], a_axes=axes)
