"""``mx.np`` functions that move elements around (``roll, flip, rot90, diagonal, tril, pad, insert, hstack,
array_split, broadcast_arrays, ...``): each is one registry op from :mod:`ssdkit.ops.numpy_rearrange`, so it
has a gradient and works the same in a hybridized block (``F.np.roll``).

Examples
--------
>>> import ssdkit as mx
>>> x = mx.np.arange(6).reshape(2, 3)
>>> roll(x, 1, axis=1)
array([[2., 0., 1.],
       [5., 3., 4.]])
>>> [p.shape for p in array_split(x, 2, axis=1)], hstack([x, x]).shape, tril(x, -1)[1, 0]
([(2, 2), (2, 1)], (2, 6), array(3.))
"""
import numpy as onp

from ..base import MXNetError
from ._dispatch import call, call_list, shared, as_input

__all__ = ["roll", "flip", "flipud", "fliplr", "rot90", "moveaxis", "diag", "diagonal", "diagflat", "tril",
           "trace", "resize", "atleast_1d", "atleast_2d", "atleast_3d", "pad", "hstack", "vstack", "dstack",
           "column_stack", "array_split", "hsplit", "vsplit", "dsplit", "broadcast_arrays", "delete", "insert",
           "append"]


def _tuple(value):
    if value is None:
        return None
    return (int(value),) if isinstance(value, (int, onp.integer)) else tuple(int(v) for v in value)


@shared
def roll(a, shift, axis=None):
    """Shift elements cyclically by ``shift`` along ``axis`` (of the flattened array when None).

    Examples
    --------
    >>> import ssdkit as mx
    >>> roll(mx.np.arange(4), 1)
    array([3., 0., 1., 2.])
    """
    return call("_np_roll", [a], shift=_tuple(shift), axis=_tuple(axis))


@shared
def flip(m, axis=None, out=None):
    """Reverse the order of elements along ``axis`` (all axes by default).

    Examples
    --------
    >>> import ssdkit as mx
    >>> flip(mx.np.array([1, 2, 3]))
    array([3., 2., 1.])
    """
    return call("_npi_flip", [m], out, axis=_tuple(axis))


@shared
def flipud(m):
    """Reverse the order of rows (axis 0).

    Examples
    --------
    >>> import ssdkit as mx
    >>> flipud(mx.np.array([[1, 2], [3, 4]]))[0]
    array([3., 4.])
    """
    return call("_npi_flip", [m], axis=(0,))


@shared
def fliplr(m):
    """Reverse the order of columns (axis 1).

    Examples
    --------
    >>> import ssdkit as mx
    >>> fliplr(mx.np.array([[1, 2], [3, 4]]))[0]
    array([2., 1.])
    """
    return call("_npi_flip", [m], axis=(1,))


@shared
def rot90(m, k=1, axes=(0, 1)):
    """Rotate by 90 degrees ``k`` times, from the first towards the second of ``axes``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> rot90(mx.np.array([[1, 2], [3, 4]]))
    array([[2., 4.],
           [1., 3.]])
    """
    return call("_npi_rot90", [m], k=int(k), axes=_tuple(axes))


@shared
def moveaxis(a, source, destination):
    """Move the axes ``source`` to the positions ``destination`` (ints or sequences).

    Examples
    --------
    >>> import ssdkit as mx
    >>> moveaxis(mx.np.ones((2, 3, 4)), 0, -1).shape
    (3, 4, 2)
    """
    return call("_np_moveaxis", [a], source=_tuple(source), destination=_tuple(destination))


@shared
def diag(array, k=0):
    """The ``k``-th diagonal of a 2-D ``array``, or a 2-D array with the 1-D ``array`` on its ``k``-th diagonal.

    Examples
    --------
    >>> import ssdkit as mx
    >>> diag(mx.np.array([1, 2]), 1)
    array([[0., 1., 0.],
           [0., 0., 2.],
           [0., 0., 0.]])
    """
    return call("_np_diag", [array], k=int(k))


@shared
def diagonal(a, offset=0, axis1=0, axis2=1):
    """The ``offset`` diagonal over ``axis1`` and ``axis2``, as the last axis of the result.

    Examples
    --------
    >>> import ssdkit as mx
    >>> diagonal(mx.np.arange(4).reshape(2, 2))
    array([0., 3.])
    """
    return call("_np_diagonal", [a], offset=int(offset), axis1=int(axis1), axis2=int(axis2))


@shared
def diagflat(array, k=0):
    """A 2-D array with the flattened ``array`` on its ``k``-th diagonal.

    Examples
    --------
    >>> import ssdkit as mx
    >>> diagflat(mx.np.array([[1, 2]])).shape
    (2, 2)
    """
    return call("_np_diagflat", [array], k=int(k))


@shared
def tril(m, k=0):
    """``m`` with the elements above the ``k``-th diagonal set to 0.

    Examples
    --------
    >>> import ssdkit as mx
    >>> tril(mx.np.ones((2, 2)))
    array([[1., 0.],
           [1., 1.]])
    """
    return call("_npi_tril", [m], k=int(k))


@shared
def trace(a, offset=0, axis1=0, axis2=1, out=None):
    """Sum along the ``offset`` diagonal over ``axis1``/``axis2`` (the other axes stay).

    Examples
    --------
    >>> import ssdkit as mx
    >>> trace(mx.np.eye(3) * 2)
    array(6.)
    """
    return call("_np_sum", [diagonal(a, offset, axis1, axis2)], out, axis=(-1,))


@shared
def resize(a, new_shape):
    """The flattened ``a`` repeated (or cut) to fill ``new_shape``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> resize(mx.np.array([1, 2, 3]), (2, 2))
    array([[1., 2.],
           [3., 1.]])
    """
    return call("_np_resize", [a], new_shape=_tuple(new_shape))


def _at_least(op_name, arys):
    res = call_list(op_name, list(arys), num_args=len(arys))
    return res[0] if len(res) == 1 else res


@shared
def atleast_1d(*arys):
    """Each array with at least one dimension (a list for several).

    Examples
    --------
    >>> import ssdkit as mx
    >>> atleast_1d(mx.np.array(1.)).shape
    (1,)
    """
    return _at_least("_np_atleast_1d", arys)


@shared
def atleast_2d(*arys):
    """Each array with at least two dimensions (1-D becomes a row).

    Examples
    --------
    >>> import ssdkit as mx
    >>> atleast_2d(mx.np.ones(3)).shape
    (1, 3)
    """
    return _at_least("_np_atleast_2d", arys)


@shared
def atleast_3d(*arys):
    """Each array with at least three dimensions (NumPy's placement of the new axes).

    Examples
    --------
    >>> import ssdkit as mx
    >>> atleast_3d(mx.np.ones((2, 3))).shape
    (2, 3, 1)
    """
    return _at_least("_np_atleast_3d", arys)


_PAD_KWARGS = {"constant": ("constant_values",), "edge": (), "reflect": ("reflect_type",),
               "symmetric": ("reflect_type",), "maximum": ("stat_length",), "minimum": ("stat_length",)}


@shared
def pad(x, pad_width, mode="constant", **kwargs):
    """``x`` with ``pad_width`` (a tuple: ``((before, after),)`` per axis, or one pair for all) elements added
    around each axis, filled by ``mode``: 'constant', 'edge', 'reflect', 'symmetric', 'maximum', 'minimum'.

    As in MXNet 1.9.1, mode 'constant' pads with 0 whatever ``constant_values`` says (its ``np.pad`` drops the
    value), and only mode 'constant' has a gradient there (ssdkit gives every mode one).

    Examples
    --------
    >>> import ssdkit as mx
    >>> pad(mx.np.array([1, 2]), ((1, 2),))
    array([0., 1., 2., 0., 0.])
    >>> pad(mx.np.array([[1, 2]]), ((0, 0), (2, 1)), mode='reflect')
    array([[1., 2., 1., 2., 1.]])
    """
    if onp.asarray(pad_width).dtype.kind != "i":
        raise TypeError("`pad_width` must be of integral type.")
    if not isinstance(pad_width, tuple):
        raise TypeError("`pad_width` must be tuple.")
    if not isinstance(mode, str) or mode not in _PAD_KWARGS:
        raise ValueError(f"mode {{{mode if isinstance(mode, str) else '<function>'!r}}} is not supported.")
    for key in kwargs:
        if key not in _PAD_KWARGS[mode]:
            raise ValueError(f"{key} keyword not in allowed keywords {list(_PAD_KWARGS[mode])}")
    if mode == "constant" and isinstance(kwargs.get("constant_values"), tuple):
        raise TypeError("unsupported constant_values type: {'tuple'}.")
    if kwargs.get("reflect_type", "even") not in ("even", None):
        raise ValueError(f"unsupported reflect_type '{kwargs['reflect_type']}'")
    if kwargs.get("stat_length") is not None:
        raise ValueError(f"unsupported stat_length '{kwargs['stat_length']}'")
    width = [int(v) for v in onp.ravel(onp.asarray(pad_width, onp.int64))]
    width = width * 2 if len(width) == 1 else width
    return call("_npi_pad", [x], pad_width=tuple(width), mode=mode)


def _stacked(op_name, tup, out):
    tup = list(tup)
    return call(op_name, tup, out, num_args=len(tup))


@shared
def hstack(tup, out=None):
    """Stack arrays column-wise (1-D arrays are joined end to end).

    Examples
    --------
    >>> import ssdkit as mx
    >>> hstack([mx.np.ones(2), mx.np.zeros(2)]).shape
    (4,)
    """
    return _stacked("_npi_hstack", tup, out)


@shared
def vstack(tup, out=None):
    """Stack arrays as rows (1-D arrays become rows).

    Examples
    --------
    >>> import ssdkit as mx
    >>> vstack([mx.np.ones(2), mx.np.zeros(2)]).shape
    (2, 2)
    """
    return _stacked("_npi_vstack", tup, out)


@shared
def dstack(tup):
    """Stack arrays along the third axis (1-D and 2-D arrays get axes first).

    Examples
    --------
    >>> import ssdkit as mx
    >>> dstack([mx.np.ones((2, 2)), mx.np.zeros((2, 2))]).shape
    (2, 2, 2)
    """
    return _stacked("_npi_dstack", tup, None)


@shared
def column_stack(tup):
    """Stack 1-D arrays as columns of a 2-D array (2-D arrays as they are).

    Examples
    --------
    >>> import ssdkit as mx
    >>> column_stack([mx.np.ones(3), mx.np.zeros(3)]).shape
    (3, 2)
    """
    return _stacked("_npi_column_stack", tup, None)


def _split(kind, ary, indices_or_sections, axis):
    if isinstance(indices_or_sections, (int, onp.integer)):
        if int(indices_or_sections) <= 0:
            raise ValueError(f"{kind}: number sections must be larger than 0, got {indices_or_sections}")
        return call_list("_npi_array_split", [ary], sections=int(indices_or_sections), axis=axis, kind=kind)
    return call_list("_npi_array_split", [ary], indices=_tuple(indices_or_sections), axis=axis, kind=kind)


@shared
def array_split(ary, indices_or_sections, axis=0):
    """Split into ``indices_or_sections`` parts along ``axis`` (the first ``n % sections`` one element longer),
    or at the given indices.

    Examples
    --------
    >>> import ssdkit as mx
    >>> [p.tolist() for p in array_split(mx.np.arange(5), 3)]
    [[0.0, 1.0], [2.0, 3.0], [4.0]]
    """
    return _split("array_split", ary, indices_or_sections, axis)


@shared
def hsplit(ary, indices_or_sections):
    """Split along axis 1 (axis 0 for 1-D arrays) into equal sections or at indices.

    Examples
    --------
    >>> import ssdkit as mx
    >>> [p.shape for p in hsplit(mx.np.ones((2, 4)), 2)]
    [(2, 2), (2, 2)]
    """
    return _split("hsplit", ary, indices_or_sections, 1)


@shared
def vsplit(ary, indices_or_sections):
    """Split along axis 0 (the array needs at least 2 dimensions).

    Examples
    --------
    >>> import ssdkit as mx
    >>> [p.shape for p in vsplit(mx.np.ones((4, 2)), [1])]
    [(1, 2), (3, 2)]
    """
    return _split("vsplit", ary, indices_or_sections, 0)


@shared
def dsplit(ary, indices_or_sections):
    """Split along axis 2 (the array needs at least 3 dimensions).

    Examples
    --------
    >>> import ssdkit as mx
    >>> [p.shape for p in dsplit(mx.np.ones((1, 1, 4)), 2)]
    [(1, 1, 2), (1, 1, 2)]
    """
    return _split("dsplit", ary, indices_or_sections, 2)


@shared
def broadcast_arrays(*args):
    """The arrays broadcast to their common shape (a list).

    Examples
    --------
    >>> import ssdkit as mx
    >>> [a.shape for a in broadcast_arrays(mx.np.ones((2, 1)), mx.np.ones(3))]
    [(2, 3), (2, 3)]
    """
    return call_list("_npi_broadcast_arrays", list(args), num_args=len(args))


def _obj(obj):
    if isinstance(obj, slice):
        return ("slice", obj.start, obj.stop, obj.step)
    if isinstance(obj, (int, onp.integer)):
        return int(obj)
    data = getattr(obj, "_data", obj)
    data = onp.asarray(data)
    if data.dtype.kind == "f":  # MXNet truncates float indices
        data = data.astype(onp.int64)
    return int(data) if data.ndim == 0 else tuple(int(v) for v in data.ravel())


@shared
def delete(arr, obj, axis=None):
    """``arr`` without the elements at ``obj`` (an int, a slice or indices) along ``axis`` (flattened when None).

    Examples
    --------
    >>> import ssdkit as mx
    >>> delete(mx.np.array([1, 2, 3, 4]), slice(0, 4, 2))
    array([2., 4.])
    """
    return call("_npi_delete", [arr], obj=_obj(obj), axis=axis)


@shared
def insert(arr, obj, values, axis=None):
    """``values`` inserted before ``obj`` (an int, a slice or indices) along ``axis`` (flattened when None);
    they take ``arr``'s dtype.

    Examples
    --------
    >>> import ssdkit as mx
    >>> insert(mx.np.array([1, 2, 3]), 1, 9)
    array([1., 9., 2., 3.])
    """
    values = as_input(values)
    return call("_npi_insert", [arr, values], obj=_obj(obj), axis=axis)


@shared
def append(arr, values, axis=None):
    """``values`` joined after ``arr`` along ``axis`` (both flattened when None).

    Examples
    --------
    >>> import ssdkit as mx
    >>> append(mx.np.array([1, 2]), mx.np.array([[3, 4]]))
    array([1., 2., 3., 4.])
    """
    if axis is None:
        arr, values = (call("_np_reshape", [v], newshape=(-1,)) for v in (arr, values))
        axis = 0
    return call("concat", [arr, values], dim=int(axis), num_args=2)
