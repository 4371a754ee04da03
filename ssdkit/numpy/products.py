"""Products of ``mx.np``: ``dot, matmul, tensordot, einsum, inner, outer, vdot`` (NumPy's definitions).

Examples
--------
>>> import ssdkit as mx
>>> a, b = mx.np.ones((2, 3)), mx.np.ones((3, 4))
>>> dot(a, b).shape, matmul(mx.np.ones((5, 2, 3)), b).shape, tensordot(a, b, axes=1).shape
((2, 4), (5, 2, 4), (2, 4))
>>> einsum('ij,jk->ik', a, b)[0, 0]
array(3.)
"""
import numpy as onp

from ..ndarray.ndarray import NDArray
from . import _dtypes
from ._dispatch import call, shared, is_symbolic
from ._ufunc import cast

__all__ = ["dot", "matmul", "tensordot", "einsum", "inner", "outer", "vdot"]


def _pair(a, b):
    if is_symbolic(a, b):  # a graph node carries no dtype: the op sees the runtime dtypes
        return a, b
    if not isinstance(a, NDArray):
        a = b._wrap(onp.asarray(a, b.dtype))
    if not isinstance(b, NDArray):
        b = a._wrap(onp.asarray(b, a.dtype))
    dtype = _dtypes.promote(a.dtype, b.dtype)
    return cast(a, dtype), cast(b, dtype)


@shared
def dot(a, b, out=None):
    """NumPy's dot: inner product of vectors, matrix product, or the sum over the last axis of ``a`` and the
    second-to-last of ``b``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> dot(mx.np.array([1, 2]), mx.np.array([3, 4]))
    array(11.)
    """
    return call("_np_dot", list(_pair(a, b)), out)


@shared
def matmul(a, b, out=None):
    """Matrix product with broadcast batch dimensions (the ``@`` operator).

    Examples
    --------
    >>> import ssdkit as mx
    >>> matmul(mx.np.ones((2, 3)), mx.np.ones(3))
    array([3., 3.])
    """
    return call("_npi_matmul", list(_pair(a, b)), out)


@shared
def tensordot(a, b, axes=2):
    """Sum of products over ``axes`` (an int: the last ``axes`` of a with the first of b; or two sequences).

    Examples
    --------
    >>> import ssdkit as mx
    >>> tensordot(mx.np.ones((2, 3, 4)), mx.np.ones((3, 4, 5))).shape
    (2, 5)
    """
    if isinstance(axes, (int, onp.integer)):  # negative axes need no rank: the same for graph nodes
        a_axes, b_axes = tuple(range(-int(axes), 0)), tuple(range(int(axes)))
    else:
        a_axes, b_axes = axes
        a_axes = (a_axes,) if isinstance(a_axes, (int, onp.integer)) else tuple(a_axes)
        b_axes = (b_axes,) if isinstance(b_axes, (int, onp.integer)) else tuple(b_axes)
    return call("_npi_tensordot", list(_pair(a, b)), a_axes_summed=a_axes, b_axes_summed=b_axes)


@shared
def einsum(*operands, **kwargs):
    """Einstein summation: ``einsum('ij,jk->ik', a, b)`` (explicit or implicit output; no ``...``).

    Examples
    --------
    >>> import ssdkit as mx
    >>> einsum('ii', mx.np.eye(3))
    array(3.)
    """
    subscripts, arrays = operands[0], list(operands[1:])
    out = kwargs.pop("out", None)
    return call("_npi_einsum", arrays, out, subscripts=subscripts, num_args=len(arrays),
                optimize=int(bool(kwargs.pop("optimize", False))))


@shared
def inner(a, b):
    """Sum of products over the last axes.

    Examples
    --------
    >>> import ssdkit as mx
    >>> inner(mx.np.array([1, 2]), mx.np.array([3, 4]))
    array(11.)
    """
    return tensordot(a, b, ((-1,), (-1,)))


@shared
def outer(a, b):
    """Outer product of the flattened arrays.

    Examples
    --------
    >>> import ssdkit as mx
    >>> outer(mx.np.array([1, 2]), mx.np.array([1, 2, 3])).shape
    (2, 3)
    """
    return tensordot(call("_np_reshape", [a], newshape=(-1,)), call("_np_reshape", [b], newshape=(-1,)), 0)


@shared
def vdot(a, b):
    """Dot product of the flattened arrays.

    Examples
    --------
    >>> import ssdkit as mx
    >>> vdot(mx.np.ones((2, 2)), mx.np.ones((2, 2)))
    array(4.)
    """
    return tensordot(call("_np_reshape", [a], newshape=(-1,)), call("_np_reshape", [b], newshape=(-1,)), 1)
