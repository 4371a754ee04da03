"""Shape and selection functions of ``mx.np`` with NumPy's arguments: reshape, transpose, swapaxes,
expand_dims, squeeze, ravel, concatenate, stack, split, repeat, tile, meshgrid, broadcast_to, clip, where, sort,
argsort, take, nonzero, unique (functions that only move elements are in :mod:`.rearrange`). Each is a registry op (or a composition of them).

Examples
--------
>>> import ssdkit as mx
>>> x = mx.np.arange(6).reshape(2, 3)
>>> transpose(x).shape, concatenate([x, x], axis=1).shape, [p.shape for p in split(x, 3, axis=1)]
((3, 2), (2, 6), [(2, 1), (2, 1), (2, 1)])
"""
import numpy as onp

from ..base import MXNetError
from ..ndarray.ndarray import NDArray, invoke
from . import _dtypes
from ._ufunc import cast
from .multiarray import ndarray
from ._dispatch import call, call_list, shared, as_input

__all__ = ["reshape", "transpose", "swapaxes", "expand_dims", "squeeze", "ravel", "concatenate", "stack", "split",
           "repeat", "tile", "meshgrid", "broadcast_to", "clip", "where", "sort", "argsort", "take", "nonzero",
           "unique"]


def _ints(values):
    if len(values) == 1 and isinstance(values[0], (tuple, list)):
        values = values[0]
    return tuple(int(v) for v in values)


def reshape(a, newshape, order="C", out=None):
    """``a`` with a new shape (NumPy's rule: one -1 is inferred; no MXNet special codes — see npx.reshape).

    Examples
    --------
    >>> import ssdkit as mx
    >>> reshape(mx.np.ones((2, 3)), (3, -1)).shape
    (3, 2)
    """
    newshape = (newshape,) if isinstance(newshape, (int, onp.integer)) else tuple(newshape)
    return invoke("_np_reshape", [a], out=out, newshape=newshape, order=order)


@shared
def transpose(a, axes=None):
    """Permute the axes (reverse them by default).

    Examples
    --------
    >>> import ssdkit as mx
    >>> transpose(mx.np.ones((2, 3, 4)), (2, 0, 1)).shape
    (4, 2, 3)
    """
    if axes is not None and not isinstance(axes, (tuple, list)):
        axes = (axes,)
    if axes is None or tuple(axes) in ((), (None,)):
        axes = ()
    return call("transpose", [a], axes=tuple(int(v) for v in axes))


def swapaxes(a, axis1, axis2):
    """Exchange two axes.

    Examples
    --------
    >>> import ssdkit as mx
    >>> swapaxes(mx.np.ones((2, 3)), 0, 1).shape
    (3, 2)
    """
    return invoke("swapaxes", [a], dim1=axis1, dim2=axis2)



def expand_dims(a, axis):
    """Insert an axis of length 1 at ``axis``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> expand_dims(mx.np.ones((2, 3)), 1).shape
    (2, 1, 3)
    """
    return invoke("expand_dims", [a], axis=axis)


@shared
def squeeze(a, axis=None, out=None):
    """Drop axes of length 1 (all of them by default; the result may be 0-d).

    Examples
    --------
    >>> import ssdkit as mx
    >>> squeeze(mx.np.ones((1, 1)))
    array(1.)
    """
    return call("_np_squeeze", [a], out, axis=axis)


def ravel(x, order="C"):
    """The elements as a 1-D array.

    Examples
    --------
    >>> import ssdkit as mx
    >>> ravel(mx.np.ones((2, 2))).shape
    (4,)
    """
    return reshape(x, (-1,))




def concatenate(seq, axis=0, out=None):
    """Join arrays along an existing axis (``axis=None`` joins them flattened).

    Examples
    --------
    >>> import ssdkit as mx
    >>> concatenate([mx.np.ones(2), mx.np.zeros(3)], axis=None)
    array([1., 1., 0., 0., 0.])
    """
    seq = list(seq)
    if axis is None:
        seq, axis = [ravel(a) for a in seq], 0
    dtype = seq[0].dtype
    for a in seq[1:]:
        dtype = _dtypes.promote(dtype, a.dtype)
    result = invoke("concat", [cast(a, dtype) for a in seq], dim=axis, num_args=len(seq))
    return _store(result, out)


def stack(arrays, axis=0, out=None):
    """Join arrays of one shape along a new axis.

    Examples
    --------
    >>> import ssdkit as mx
    >>> stack([mx.np.ones(2), mx.np.zeros(2)], axis=1).shape
    (2, 2)
    """
    arrays = list(arrays)
    return _store(invoke("stack", arrays, axis=axis, num_args=len(arrays)), out)




def split(ary, indices_or_sections, axis=0):
    """Split into equal ``sections`` or at the given ``indices`` along ``axis``; returns a list.

    Examples
    --------
    >>> import ssdkit as mx
    >>> [p.shape for p in split(mx.np.arange(6), [2, 3])]
    [(2,), (1,), (3,)]
    """
    if isinstance(indices_or_sections, (int, onp.integer)):
        result = invoke("_npi_split", [ary], sections=int(indices_or_sections), axis=axis)
    else:
        result = invoke("_npi_split", [ary], indices=tuple(int(i) for i in indices_or_sections), axis=axis)
    return result if isinstance(result, list) else [result]


def repeat(a, repeats, axis=None):
    """Repeat each element ``repeats`` times (of the flattened array when ``axis`` is None).

    Examples
    --------
    >>> import ssdkit as mx
    >>> repeat(mx.np.array([1, 2]), 2)
    array([1., 1., 2., 2.])
    """
    return invoke("repeat", [a], repeats=int(repeats), axis=axis)


def tile(A, reps):
    """Repeat the whole array ``reps`` times along each axis.

    Examples
    --------
    >>> import ssdkit as mx
    >>> tile(mx.np.array([1, 2]), (2, 2)).shape
    (2, 4)
    """
    reps = (int(reps),) if isinstance(reps, (int, onp.integer)) else tuple(int(r) for r in reps)
    return invoke("tile", [A], reps=reps)


@shared
def broadcast_to(array, shape):
    """``array`` broadcast to ``shape`` (NumPy's rule: leading axes may be added).

    Examples
    --------
    >>> import ssdkit as mx
    >>> broadcast_to(mx.np.array([1, 2]), (3, 2)).shape
    (3, 2)
    """
    shape = (int(shape),) if isinstance(shape, (int, onp.integer)) else tuple(int(s) for s in shape)
    return call("_np_broadcast_to", [as_input(array)], shape=shape)


def meshgrid(*xi, **kwargs):
    """Coordinate matrices from 1-D coordinate arrays (``indexing='xy'`` or ``'ij'``).

    Examples
    --------
    >>> import ssdkit as mx
    >>> [g.shape for g in meshgrid(mx.np.arange(2), mx.np.arange(3))]
    [(3, 2), (3, 2)]
    """
    indexing = kwargs.pop("indexing", "xy")
    if indexing not in ("xy", "ij"):
        raise MXNetError(f"meshgrid: indexing must be 'xy' or 'ij', got {indexing!r}")
    n = len(xi)
    sizes = [x.size for x in xi]
    if indexing == "xy" and n > 1:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    grids = []
    for i, x in enumerate(xi):
        axis = (1 if i == 0 else 0 if i == 1 else i) if indexing == "xy" and n > 1 else i
        shape = [1] * n
        shape[axis] = x.size
        grids.append(broadcast_to(reshape(x, tuple(shape)), tuple(sizes)))
    return grids



@shared
@shared
def clip(a, a_min, a_max, out=None):
    """Limit values to ``[a_min, a_max]`` (either bound may be None; the gradient passes inside the range).

    Examples
    --------
    >>> import ssdkit as mx
    >>> clip(mx.np.array([1, 5, 9]), None, 4)
    array([1., 4., 4.])
    """
    if a_min is None and a_max is None:
        raise MXNetError("clip: a_min and a_max cannot both be None")
    bound = lambda v: None if v is None else float(getattr(v, "_data", v))  # noqa: E731
    return call("_npi_clip", [as_input(a)], out, a_min=bound(a_min), a_max=bound(a_max))


def where(condition, x=None, y=None):
    """Elements of ``x`` where ``condition`` holds, else of ``y`` (all three broadcast; scalars allowed);
    with only ``condition``, :func:`nonzero`.

    Examples
    --------
    >>> import ssdkit as mx
    >>> where(mx.np.array([1, 0]) > 0, mx.np.array([1, 2]), 0)
    array([1., 0.])
    """
    if x is None and y is None:
        return nonzero(condition)
    like = next(v for v in (x, y, condition) if isinstance(v, NDArray))
    arrays = [v if isinstance(v, NDArray) else like._wrap(onp.asarray(v, _dtypes.DEFAULT_FLOAT)) for v in (x, y)]
    dtype = _dtypes.promote(arrays[0].dtype, arrays[1].dtype)
    if not isinstance(condition, NDArray):
        condition = like._wrap(onp.asarray(condition))
    return invoke("_npi_where", [condition] + [cast(v, dtype) for v in arrays])


@shared
def sort(a, axis=-1, kind=None, order=None):
    """Sorted copy along ``axis`` (ascending; of the flattened array when None).

    Examples
    --------
    >>> import ssdkit as mx
    >>> sort(mx.np.array([3, 1, 2]))
    array([1., 2., 3.])
    """
    if order is not None:
        raise NotImplementedError("sort: order is not supported (MXNet 1.9.1 neither)")
    if axis is None:
        a, axis = call("_np_reshape", [a], newshape=(-1,)), 0
    return call("sort", [a], axis=axis, is_ascend=True)


@shared
def argsort(a, axis=-1, kind=None, order=None):
    """Indices (int64) that sort ``a`` along ``axis`` (of the flattened array when None).

    Examples
    --------
    >>> import ssdkit as mx
    >>> argsort(mx.np.array([3, 1, 2]))
    array([1, 2, 0], dtype=int64)
    """
    if order is not None:
        raise NotImplementedError("argsort: order is not supported (MXNet 1.9.1 neither)")
    if axis is None:
        a, axis = call("_np_reshape", [a], newshape=(-1,)), 0
    return call("argsort", [a], axis=axis, is_ascend=True, dtype="int64")


@shared
def take(a, indices, axis=None, mode="raise", out=None):
    """Elements of ``a`` at ``indices`` along ``axis`` (of the flattened array when None); ``mode`` 'raise'
    clips out-of-range indices as MXNet does, 'wrap' wraps them.

    Examples
    --------
    >>> import ssdkit as mx
    >>> take(mx.np.array([[1, 2], [3, 4]]), mx.np.array([1]), axis=1)
    array([[2.],
           [4.]])
    """
    if axis is None:
        a, axis = call("_np_reshape", [a], newshape=(-1,)), 0
    indices = as_input(indices, dtype="int64")
    mode = "clip" if mode == "raise" else mode  # MXNet np clips out-of-range indices for mode='raise' too
    return call("take", [a, indices], out, axis=axis, mode=mode)


def nonzero(a):
    """Indices of the non-zero elements, one int64 array per axis (not differentiable).

    Examples
    --------
    >>> import ssdkit as mx
    >>> nonzero(mx.np.array([0, 1, 2]))
    (array([1, 2], dtype=int64),)
    """
    return tuple(ndarray(i.astype(onp.int64)) for i in onp.nonzero(onp.atleast_1d(a._data)))


@shared
def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None):
    """The sorted unique elements (and, when asked, indices, inverse and counts as int64 arrays); the registry
    op ``_npi_unique``, so ``F.np.unique`` works in a graph too.

    Examples
    --------
    >>> import ssdkit as mx
    >>> unique(mx.np.array([3, 1, 3]))
    array([1., 3.])
    """
    found = call_list("_npi_unique", [ar], return_index=return_index, return_inverse=return_inverse,
                      return_counts=return_counts, axis=axis)
    return found[0] if len(found) == 1 else tuple(found)


def _store(result, out):
    if out is None:
        return result
    out._data[...] = result._data
    return out
