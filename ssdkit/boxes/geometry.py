"""Box geometry: corner <-> center conversion, area and pairwise IoU with MXNet 1.9.1 semantics.

Boxes are float32 arrays whose last axis holds four numbers, either ``corner`` ``[xmin, ymin, xmax, ymax]``
or ``center`` ``[x, y, width, height]``. Every function accepts any leading shape.

Examples
--------
>>> import numpy as np
>>> a = np.array([[0., 0., 2., 2.]], np.float32)
>>> box_iou(a, np.array([[1., 1., 3., 3.]], np.float32))
array([[0.14285715]], dtype=float32)
"""
from typing import NamedTuple

import numpy as np

from ..base import DTYPE, ShapeError, MXNetError

__all__ = ["BOX_FORMATS", "as_boxes", "corner_to_center", "center_to_corner", "box_area", "box_iou",
           "BoxColumns", "box_columns", "iou_columns", "iou_matrix"]

#: The two box encodings MXNet's box operators accept.
BOX_FORMATS = ("corner", "center")
BOX_WIDTH = 4  # numbers per box


def as_boxes(op, operand, boxes, min_ndim=1):
    """Return ``boxes`` as a float32 array after checking its last axis holds 4 numbers.

    Parameters
    ----------
    op : str
        Name of the calling operation, used in the error message.
    operand : str
        Name of the argument, used in the error message.
    boxes : array_like, shape (..., 4)
        The boxes.
    min_ndim : int
        Smallest accepted number of dimensions.

    Returns
    -------
    numpy.ndarray, shape (..., 4), float32

    Examples
    --------
    >>> as_boxes("box_iou", "lhs", [[0, 0, 1, 1]]).dtype
    dtype('float32')
    >>> as_boxes("box_iou", "lhs", [[0, 0, 1]])
    Traceback (most recent call last):
    ...
    ssdkit.base.ShapeError: box_iou: lhs must have shape (..., 4), got (1, 3)
    """
    arr = np.asarray(boxes, dtype=DTYPE)
    if arr.ndim < min_ndim or arr.ndim == 0 or arr.shape[-1] != BOX_WIDTH:
        need = "(" + ", ".join(["n"] * (min_ndim - 1) + ["4"]) + ")" if min_ndim > 1 else "(..., 4)"
        raise ShapeError(f"{op}: {operand} must have shape {need}, got {arr.shape}")
    return arr


def _check_format(op, name, fmt):
    if fmt not in BOX_FORMATS:
        raise MXNetError(f"{op}: {name} must be one of {BOX_FORMATS}, got {fmt!r}")


def corner_to_center(boxes):
    """Convert ``[xmin, ymin, xmax, ymax]`` boxes to ``[x, y, width, height]``.

    Parameters
    ----------
    boxes : array_like, shape (..., 4)

    Returns
    -------
    numpy.ndarray, shape (..., 4), float32

    Examples
    --------
    >>> corner_to_center(np.array([0., 0., 2., 4.], np.float32))
    array([1., 2., 2., 4.], dtype=float32)
    """
    b = as_boxes("corner_to_center", "boxes", boxes)
    xmin, ymin, xmax, ymax = np.moveaxis(b, -1, 0)
    return np.stack([(xmin + xmax) / 2, (ymin + ymax) / 2, xmax - xmin, ymax - ymin], axis=-1)


def center_to_corner(boxes):
    """Convert ``[x, y, width, height]`` boxes to ``[xmin, ymin, xmax, ymax]``.

    Parameters
    ----------
    boxes : array_like, shape (..., 4)

    Returns
    -------
    numpy.ndarray, shape (..., 4), float32

    Examples
    --------
    >>> center_to_corner(np.array([1., 2., 2., 4.], np.float32))
    array([0., 0., 2., 4.], dtype=float32)
    """
    return np.stack(_extent(as_boxes("center_to_corner", "boxes", boxes), "center"), axis=-1)


def _extent(boxes, fmt):
    """Per-axis low/high edges ``(x1, y1, x2, y2)`` of boxes in either format (float32)."""
    a, b, c, d = np.moveaxis(boxes, -1, 0)
    if fmt == "corner":
        return a, b, c, d
    half_w, half_h = c / 2, d / 2
    return a - half_w, b - half_h, a + half_w, b + half_h


def box_area(boxes, format="corner"):  # noqa: A002 - MXNet's parameter name
    """Area of each box; boxes with a negative width or height have area 0 (as MXNet's ``BoxArea``).

    Parameters
    ----------
    boxes : array_like, shape (..., 4)
    format : {'corner', 'center'}

    Returns
    -------
    numpy.ndarray, shape (...), float32

    Examples
    --------
    >>> box_area(np.array([[0., 0., 2., 3.], [2., 2., 1., 5.]], np.float32))
    array([6., 0.], dtype=float32)
    """
    _check_format("box_area", "format", format)
    return _area(as_boxes("box_area", "boxes", boxes), format)


def box_iou(lhs, rhs, format="corner"):  # noqa: A002 - MXNet's parameter name
    """Pairwise intersection-over-union, MXNet ``contrib.box_iou``: output shape ``lhs[:-1] + rhs[:-1]``.

    Pairs that do not intersect have IoU 0. The union uses :func:`box_area`, so for any pair of
    boxes with a positive intersection this equals the IoU used by MultiBoxTarget, MultiBoxDetection
    and box_nms.

    Parameters
    ----------
    lhs : array_like, shape (a_1, ..., a_n, 4)
    rhs : array_like, shape (b_1, ..., b_m, 4)
    format : {'corner', 'center'}

    Returns
    -------
    numpy.ndarray, shape (a_1, ..., a_n, b_1, ..., b_m), float32

    Examples
    --------
    >>> x = np.array([[0.5, 0.5, 1.0, 1.0], [0.0, 0.0, 0.5, 0.5]], np.float32)
    >>> box_iou(x, np.array([[0.25, 0.25, 0.75, 0.75]], np.float32))
    array([[0.14285715],
           [0.14285715]], dtype=float32)
    >>> box_iou(np.zeros((0, 4), np.float32), x).shape
    (0, 2)
    """
    _check_format("box_iou", "format", format)
    lb = as_boxes("box_iou", "lhs", lhs, min_ndim=2)
    rb = as_boxes("box_iou", "rhs", rhs, min_ndim=2)
    out_shape = lb.shape[:-1] + rb.shape[:-1]
    lb, rb = lb.reshape(-1, 1, BOX_WIDTH), rb.reshape(1, -1, BOX_WIDTH)
    return iou_matrix(lb, rb, format).reshape(out_shape)


class BoxColumns(NamedTuple):
    """Boxes split into contiguous float32 columns plus MXNet's area, prepared once for repeated IoU.

    Examples
    --------
    >>> cols = box_columns(np.array([[0., 0., 2., 1.]], np.float32))
    >>> cols.x2, cols.area
    (array([2.], dtype=float32), array([2.], dtype=float32))
    """
    x1: np.ndarray
    y1: np.ndarray
    x2: np.ndarray
    y2: np.ndarray
    area: np.ndarray

    def take(self, index):
        """The boxes at ``index``, e.g. ``cols.take(idx).column()`` to pair them with another set.

        Parameters
        ----------
        index : numpy index (int, slice, array or tuple of them)

        Returns
        -------
        BoxColumns

        Examples
        --------
        >>> box_columns(np.eye(4, dtype=np.float32)).take([1]).y1
        array([1.], dtype=float32)
        """
        return BoxColumns(*(c[index] for c in self))

    def column(self):
        """Add a trailing axis so these boxes broadcast against another set (pairwise IoU).

        Returns
        -------
        BoxColumns
            Every column with shape ``(..., 1)``.

        Examples
        --------
        >>> box_columns(np.zeros((3, 4), np.float32)).column().x1.shape
        (3, 1)
        """
        return BoxColumns(*(c[..., None] for c in self))


def box_columns(boxes, fmt="corner"):
    """Prepare float32 boxes of shape (..., 4) for :func:`iou_columns`.

    Parameters
    ----------
    boxes : numpy.ndarray, shape (..., 4), float32
    fmt : {'corner', 'center'}

    Returns
    -------
    BoxColumns
        Edges ``x1, y1, x2, y2`` and ``area``, each of shape (...).

    Examples
    --------
    >>> box_columns(np.array([1., 1., 2., 2.], np.float32), "center").x1
    array(0., dtype=float32)
    """
    return BoxColumns(*(np.asarray(c, order="C") for c in _extent(boxes, fmt)), _area(boxes, fmt))


def iou_columns(lhs, rhs, out=None):
    """IoU of two broadcastable :class:`BoxColumns` (the hot-path kernel, no checks).

    Parameters
    ----------
    lhs, rhs : BoxColumns
    out : numpy.ndarray, optional
        float32 array of the broadcast shape to write into.

    Returns
    -------
    numpy.ndarray, broadcast shape, float32
        0 for pairs without intersection.

    Examples
    --------
    >>> a = box_columns(np.array([[0., 0., 1., 1.]], np.float32))
    >>> iou_columns(a.column(), box_columns(np.array([[0., 0., 1., 2.]], np.float32)))
    array([[0.5]], dtype=float32)
    """
    shape = np.broadcast_shapes(lhs.x1.shape, rhs.x1.shape)
    if out is None:
        out = np.empty(shape, DTYPE)
    if shape and rhs.x1.shape[-1:] != shape[-1:]:
        lhs, rhs = rhs, lhs  # IoU is symmetric; the side broadcast along the last axis goes first
    tmp, tmp2 = np.empty(shape, DTYPE), np.empty(shape, DTYPE)
    zero = np.zeros(shape[-1:], DTYPE)
    # Copy the first operand into the buffer, then combine in place with the second: numpy's SIMD loops
    # need contiguous last axes, and broadcasting a column (stride 0) would make every op ~3x slower.
    out[...] = lhs.x2
    np.minimum(out, rhs.x2, out=out)
    tmp[...] = lhs.x1
    out -= np.maximum(tmp, rhs.x1, out=tmp)
    np.maximum(out, zero, out=out)
    tmp[...] = lhs.y2
    np.minimum(tmp, rhs.y2, out=tmp)
    tmp2[...] = lhs.y1
    tmp -= np.maximum(tmp2, rhs.y1, out=tmp2)
    np.maximum(tmp, zero, out=tmp)
    out *= tmp  # intersection
    tmp[...] = lhs.area
    tmp += rhs.area
    tmp -= out  # union
    if (lhs.area.size and lhs.area.min() > 0) or (rhs.area.size and rhs.area.min() > 0):
        return np.divide(out, tmp, out=out)  # union > 0 everywhere; 0 / union stays 0
    # MXNet returns 0 for pairs without intersection (no 0 / 0)
    return np.divide(out, tmp, out=out, where=out > 0)


def iou_matrix(lhs, rhs, fmt="corner", out=None):
    """IoU of broadcastable float32 box arrays without shape checks.

    Parameters
    ----------
    lhs, rhs : numpy.ndarray, broadcastable shapes (..., 4), float32
    fmt : {'corner', 'center'}
    out : numpy.ndarray, optional
        float32 array of the broadcast shape (without the last axis) to write into.

    Returns
    -------
    numpy.ndarray, broadcast shape without the last axis, float32

    Examples
    --------
    >>> iou_matrix(np.array([0., 0., 1., 1.], np.float32), np.array([0., 0., 1., 2.], np.float32))
    array(0.5, dtype=float32)
    """
    return iou_columns(box_columns(lhs, fmt), box_columns(rhs, fmt), out)


def _area(boxes, fmt):
    """MXNet's ``BoxArea``: width * height, 0 when either is negative; center boxes store w, h directly."""
    if fmt == "center":
        w, h = boxes[..., 2], boxes[..., 3]
    else:
        w, h = boxes[..., 2] - boxes[..., 0], boxes[..., 3] - boxes[..., 1]
    return np.where((w < 0) | (h < 0), DTYPE(0), w * h)
