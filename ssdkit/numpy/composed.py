"""``mx.np`` functions built from other ``mx.np`` functions (so from registry ops, with their gradients):
``array_split, hsplit, vsplit, roll, logspace, diag, trace, tril``.

Examples
--------
>>> import ssdkit as mx
>>> x = mx.np.arange(9).reshape(3, 3)
>>> trace(x), tril(x)[0, 1], [p.shape for p in array_split(mx.np.arange(5), 2)]
(array(12.), array(0.), [(3,), (2,)])
"""
import numpy as onp

from ..base import MXNetError
from .creation import linspace, eye, array
from .manipulation import split, take, reshape, where, ravel
from .reductions import sum as _sum
from ._ufunc import binary

__all__ = ["array_split", "hsplit", "vsplit", "roll", "logspace", "diag", "trace", "tril"]


def array_split(ary, indices_or_sections, axis=0):
    """Split into ``indices_or_sections`` parts along ``axis`` (the first ``n % sections`` one element longer), or
    at the given indices.

    Examples
    --------
    >>> import ssdkit as mx
    >>> [p.tolist() for p in array_split(mx.np.arange(5), 3)]
    [[0.0, 1.0], [2.0, 3.0], [4.0]]
    """
    if not isinstance(indices_or_sections, (int, onp.integer)):
        return split(ary, indices_or_sections, axis)
    sections, length = int(indices_or_sections), ary.shape[axis]
    if sections <= 0:
        raise MXNetError(f"array_split: number sections must be larger than 0, got {sections}")
    size, extra = divmod(length, sections)
    bounds = onp.cumsum([size + 1] * extra + [size] * (sections - extra))[:-1]
    return split(ary, [int(b) for b in bounds], axis)


def hsplit(ary, indices_or_sections):
    """Split along axis 1 (axis 0 for 1-D arrays).

    Examples
    --------
    >>> import ssdkit as mx
    >>> [p.shape for p in hsplit(mx.np.ones((2, 4)), 2)]
    [(2, 2), (2, 2)]
    """
    return split(ary, indices_or_sections, 1 if ary.ndim > 1 else 0)


def vsplit(ary, indices_or_sections):
    """Split along axis 0 (the array needs at least 2 dimensions).

    Examples
    --------
    >>> import ssdkit as mx
    >>> [p.shape for p in vsplit(mx.np.ones((4, 2)), [1])]
    [(1, 2), (3, 2)]
    """
    if ary.ndim < 2:
        raise MXNetError(f"vsplit only works on arrays of 2 or more dimensions, got shape {ary.shape}")
    return split(ary, indices_or_sections, 0)


def roll(a, shift, axis=None):
    """Shift elements cyclically by ``shift`` along ``axis`` (of the flattened array when None).

    Examples
    --------
    >>> import ssdkit as mx
    >>> roll(mx.np.arange(4), 1)
    array([3., 0., 1., 2.])
    """
    if axis is None:
        return reshape(roll(ravel(a), shift, 0), a.shape)
    shifts = (shift,) if isinstance(shift, (int, onp.integer)) else tuple(shift)
    axes = (axis,) if isinstance(axis, (int, onp.integer)) else tuple(axis)
    if len(shifts) == 1 and len(axes) > 1:
        shifts = shifts * len(axes)
    for s, ax in zip(shifts, axes):
        n = a.shape[ax]
        a = take(a, array((onp.arange(n) - int(s)) % n if n else onp.arange(0), dtype="int64"), axis=ax)
    return a


def logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0, ctx=None):
    """``base ** linspace(start, stop, num)`` (float32 by default).

    Examples
    --------
    >>> logspace(0, 2, 3)
    array([  1.,  10., 100.])
    """
    exponents = linspace(start, stop, num, endpoint=endpoint, axis=axis, ctx=ctx)
    result = binary("power", float(base), exponents)
    return result if dtype is None else result.astype(dtype)


def _diag_index(rows, cols, k):
    i = onp.arange(max(0, -k), min(rows, cols - k))
    return i * cols + i + k


def diag(v, k=0):
    """The ``k``-th diagonal of a 2-D array, or a 2-D array with the 1-D ``v`` on its ``k``-th diagonal.

    Examples
    --------
    >>> import ssdkit as mx
    >>> diag(mx.np.array([1, 2]), 1)
    array([[0., 1., 0.],
           [0., 0., 2.],
           [0., 0., 0.]])
    """
    if v.ndim == 2:
        return take(ravel(v), array(_diag_index(v.shape[0], v.shape[1], k), dtype="int64"))
    if v.ndim != 1:
        raise MXNetError(f"diag: input must be 1-D or 2-D, got shape {v.shape}")
    n = v.shape[0] + abs(k)
    place = eye(n, n, k, dtype=v.dtype)
    cols = take(v, array(onp.clip(onp.arange(n) - max(k, 0), 0, max(v.shape[0] - 1, 0)), dtype="int64"))
    rows = take(v, array(onp.clip(onp.arange(n) + min(k, 0), 0, max(v.shape[0] - 1, 0)), dtype="int64"))
    spread = reshape(rows, (n, 1)) if k < 0 else reshape(cols, (1, n))
    return place * spread


def trace(a, offset=0, axis1=0, axis2=1, out=None):
    """Sum of the ``offset`` diagonal of a 2-D array.

    Examples
    --------
    >>> import ssdkit as mx
    >>> trace(mx.np.eye(3) * 2)
    array(6.)
    """
    if a.ndim != 2 or (axis1, axis2) not in ((0, 1), (1, 0)):
        raise MXNetError(f"trace: ssdkit takes 2-D arrays over axes (0, 1), got shape {a.shape}, "
                         f"axes ({axis1}, {axis2})")
    a = a if (axis1, axis2) == (0, 1) else a.T
    return _sum(diag(a, offset), out=out)


def tril(m, k=0):
    """``m`` with the elements above the ``k``-th diagonal set to 0.

    Examples
    --------
    >>> import ssdkit as mx
    >>> tril(mx.np.ones((2, 2)))
    array([[1., 0.],
           [1., 1.]])
    """
    mask = onp.tri(m.shape[-2], m.shape[-1], k, dtype=bool)
    return where(m._wrap(mask), m, m._wrap(onp.zeros((), m.dtype)))
