"""Box coding with variances: MXNet MultiBoxTarget/MultiBoxDetection conventions and GluonCV-style coders.

MXNet encodes a ground truth ``g`` against an anchor ``a`` (both corner boxes) in center form::

    [(gx - ax) / aw / v0, (gy - ay) / ah / v1, log(gw / aw) / v2, log(gh / ah) / v3]

and decodes a prediction ``p`` back to a corner box centred at ``(p0 v0 aw + ax, p1 v1 ah + ay)`` with
size ``(exp(p2 v2) aw, exp(p3 v3) ah)``. The GluonCV pair additionally subtracts ``means``.

Examples
--------
>>> a = np.array([[0., 0., 1., 1.]], np.float32)
>>> g = np.array([[0.25, 0., 1.25, 2.]], np.float32)
>>> t = encode_boxes(a, g)
>>> t
array([[2.5     , 5.      , 0.      , 3.465736]], dtype=float32)
>>> np.allclose(decode_boxes(a, t, clip=False), g)
True
"""
import numpy as np

from ..base import DTYPE, MXNetError, ShapeError
from .geometry import as_boxes, corner_to_center

__all__ = ["DEFAULT_VARIANCES", "encode_boxes", "decode_boxes", "normalized_center_encode",
           "normalized_center_decode", "multiclass_encode", "multiclass_decode"]

#: MXNet's default box-regression variances (x, y, w, h); GluonCV calls them ``stds``.
DEFAULT_VARIANCES = (0.1, 0.1, 0.2, 0.2)
POSITIVE, IGNORED, NEGATIVE = 1, 0, -1  # GluonCV sampler marks per anchor


def _variances(op, variances):
    v = tuple(float(x) for x in variances)
    if len(v) != 4:
        raise MXNetError(f"{op}: variances must have 4 values, got {v}")
    return np.array(v, DTYPE)


def _check_broadcast(op, names, lhs, rhs):
    """Raise ShapeError unless the box arrays ``lhs`` and ``rhs`` broadcast (numpy would fail mid-formula)."""
    try:
        np.broadcast_shapes(lhs.shape, rhs.shape)
    except ValueError:
        raise ShapeError(f"{op}: {names[0]} shape {lhs.shape} and {names[1]} shape {rhs.shape} do not "
                         f"broadcast") from None


def _center(boxes):
    """``(x, y, w, h)`` columns of corner boxes (MXNet's arithmetic: ``(l + r) / 2``, ``r - l``)."""
    return np.moveaxis(corner_to_center(boxes), -1, 0)


def encode_boxes(anchors, gt_boxes, variances=DEFAULT_VARIANCES):
    """Regression targets of corner ``gt_boxes`` relative to corner ``anchors`` (MXNet MultiBoxTarget).

    Parameters
    ----------
    anchors : array_like, shape (..., 4)
        Corner anchors.
    gt_boxes : array_like, shape (..., 4)
        Corner ground-truth boxes, broadcastable against ``anchors``.
    variances : (float, float, float, float)

    Returns
    -------
    numpy.ndarray, broadcast shape (..., 4), float32

    Examples
    --------
    >>> encode_boxes([0., 0., 2., 2.], [0., 0., 2., 2.])
    array([0., 0., 0., 0.], dtype=float32)
    """
    v = _variances("encode_boxes", variances)
    anchors, gt_boxes = as_boxes("encode_boxes", "anchors", anchors), as_boxes("encode_boxes", "gt_boxes", gt_boxes)
    _check_broadcast("encode_boxes", ("anchors", "gt_boxes"), anchors, gt_boxes)
    ax, ay, aw, ah = _center(anchors)
    gx, gy, gw, gh = _center(gt_boxes)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.stack([(gx - ax) / aw / v[0], (gy - ay) / ah / v[1],
                         np.log(gw / aw) / v[2], np.log(gh / ah) / v[3]], axis=-1)


def decode_boxes(anchors, loc_pred, variances=DEFAULT_VARIANCES, clip=True):
    """Corner boxes from regression outputs ``loc_pred`` relative to corner ``anchors`` (MXNet MultiBoxDetection).

    Parameters
    ----------
    anchors : array_like, shape (..., 4)
        Corner anchors.
    loc_pred : array_like, shape (..., 4)
        Encoded offsets, broadcastable against ``anchors``.
    variances : (float, float, float, float)
    clip : bool
        Clip each coordinate into ``[0, 1]``.

    Returns
    -------
    numpy.ndarray, broadcast shape (..., 4), float32

    Examples
    --------
    >>> decode_boxes([0.25, 0., 0.75, 0.5], [0., 0., 0., 0.])
    array([0.25, 0.  , 0.75, 0.5 ], dtype=float32)
    """
    v = _variances("decode_boxes", variances)
    anchors, p = as_boxes("decode_boxes", "anchors", anchors), as_boxes("decode_boxes", "loc_pred", loc_pred)
    _check_broadcast("decode_boxes", ("anchors", "loc_pred"), anchors, p)
    ax, ay, aw, ah = _center(anchors)
    ox = p[..., 0] * v[0] * aw + ax
    oy = p[..., 1] * v[1] * ah + ay
    ow = np.exp(p[..., 2] * v[2]) * aw / 2
    oh = np.exp(p[..., 3] * v[3]) * ah / 2
    out = np.stack([ox - ow, oy - oh, ox + ow, oy + oh], axis=-1)
    if clip:
        np.clip(out, 0, 1, out=out)
    return out


def _gather_refs(op, matches, refs, width):
    """``refs[b, matches[b, n]]`` for every anchor; unmatched (-1) anchors read row 0 (masked later)."""
    matches = np.asarray(matches)
    refs = np.asarray(refs, DTYPE)
    if matches.ndim != 2 or refs.ndim != 3 or refs.shape[0] != matches.shape[0] or refs.shape[2] != width:
        raise ShapeError(f"{op}: expected matches (B, N) and refs (B, M, {width}), "
                         f"got matches {matches.shape} and refs {refs.shape}")
    if refs.shape[1] == 0:
        return np.zeros(matches.shape + (width,), DTYPE)
    idx = np.clip(matches.astype(np.int64), 0, refs.shape[1] - 1)
    return np.take_along_axis(refs, idx[..., None], axis=1)


def normalized_center_encode(samples, matches, anchors, refs, stds=DEFAULT_VARIANCES, means=(0., 0., 0., 0.)):
    """GluonCV ``NormalizedBoxCenterEncoder``: box targets and masks for positive samples.

    Parameters
    ----------
    samples : array_like, shape (B, N)
        ``1`` positive, ``-1`` negative, ``0`` ignored (only ``> 0.5`` matters here).
    matches : array_like, shape (B, N)
        Index of the matched ground truth per anchor, ``-1`` when unmatched.
    anchors : array_like, shape (B or 1, N, 4)
        Corner anchors.
    refs : array_like, shape (B, M, 4)
        Corner ground-truth boxes.
    stds, means : (float, float, float, float)

    Returns
    -------
    targets : numpy.ndarray, shape (B, N, 4), float32
        Zero where the sample is not positive.
    masks : numpy.ndarray, shape (B, N, 4), float32
        One where the sample is positive.

    Examples
    --------
    >>> anchors = np.array([[[0., 0., 1., 1.], [1., 1., 2., 2.]]], np.float32)
    >>> refs = np.array([[[0., 0., 1., 1.]]], np.float32)
    >>> t, m = normalized_center_encode([[1, -1]], [[0, -1]], anchors, refs)
    >>> t.tolist(), m.tolist()
    ([[[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]]], [[[1.0, 1.0, 1.0, 1.0], [0.0, 0.0, 0.0, 0.0]]])
    """
    op = "normalized_center_encode"
    std, mean = _variances(op, stds), _variances(op, means)
    gt = _gather_refs(op, matches, refs, 4)
    anchors = as_boxes(op, "anchors", anchors, min_ndim=3)
    ax, ay, aw, ah = _center(anchors)
    gx, gy, gw, gh = _center(gt)
    with np.errstate(divide="ignore", invalid="ignore"):
        codes = np.stack([((gx - ax) / aw - mean[0]) / std[0], ((gy - ay) / ah - mean[1]) / std[1],
                          (np.log(gw / aw) - mean[2]) / std[2], (np.log(gh / ah) - mean[3]) / std[3]], -1)
    positive = (np.asarray(samples, DTYPE) > 0.5)[..., None]
    masks = np.broadcast_to(positive, codes.shape).astype(DTYPE)
    return np.where(positive, codes, DTYPE(0)), masks


def normalized_center_decode(x, anchors, stds=DEFAULT_VARIANCES, means=(0., 0., 0., 0.)):
    """GluonCV ``NormalizedBoxCenterDecoder``: corner boxes from encoded ``x`` and **center-form** anchors.

    Parameters
    ----------
    x : array_like, shape (..., 4)
        Encoded offsets.
    anchors : array_like, shape (..., 4)
        Anchors as ``[x, y, w, h]``, broadcastable against ``x``.
    stds, means : (float, float, float, float)

    Returns
    -------
    numpy.ndarray, broadcast shape (..., 4), float32

    Examples
    --------
    >>> normalized_center_decode([0., 0., 0., 0.], [1., 1., 2., 2.])
    array([0., 0., 2., 2.], dtype=float32)
    """
    op = "normalized_center_decode"
    std, mean = _variances(op, stds), _variances(op, means)
    p = as_boxes(op, "x", x)
    a = as_boxes(op, "anchors", anchors)
    ox = (p[..., 0] * std[0] + mean[0]) * a[..., 2] + a[..., 0]
    oy = (p[..., 1] * std[1] + mean[1]) * a[..., 3] + a[..., 1]
    # GluonCV adds the mean after the exponential; kept for parity
    ow = (np.exp(p[..., 2] * std[2]) + mean[2]) * a[..., 2] / 2
    oh = (np.exp(p[..., 3] * std[3]) + mean[3]) * a[..., 3] / 2
    return np.stack([ox - ow, oy - oh, ox + ow, oy + oh], axis=-1)


def multiclass_encode(samples, matches, refs, ignore_label=-1):
    """GluonCV ``MultiClassEncoder``: class targets ``gt + 1`` for positives, 0 for negatives, else ``ignore_label``.

    Parameters
    ----------
    samples : array_like, shape (B, N)
        ``1`` positive, ``-1`` negative, ``0`` ignored.
    matches : array_like, shape (B, N)
        Matched ground-truth index per anchor (``-1`` unmatched).
    refs : array_like, shape (B, M)
        Ground-truth class ids.
    ignore_label : float

    Returns
    -------
    numpy.ndarray, shape (B, N), float32

    Examples
    --------
    >>> multiclass_encode([[1, -1, 0]], [[0, -1, -1]], [[2.]])
    array([[ 3.,  0., -1.]], dtype=float32)
    """
    refs = np.asarray(refs, DTYPE)
    ids = _gather_refs("multiclass_encode", matches, refs[..., None], 1)[..., 0] + 1
    samples = np.asarray(samples, DTYPE)
    out = np.where(samples > 0.5, ids, DTYPE(ignore_label))
    return np.where(samples < -0.5, DTYPE(0), out).astype(DTYPE)


def multiclass_decode(x, thresh=0.01):
    """GluonCV ``MultiClassDecoder``: best foreground class and score per anchor from softmax output.

    Parameters
    ----------
    x : array_like, shape (..., C + 1)
        Class probabilities, background first.
    thresh : float
        Scores ``<= thresh`` give class id ``-1`` and score 0.

    Returns
    -------
    cls_id : numpy.ndarray, shape (...), float32
    scores : numpy.ndarray, shape (...), float32

    Examples
    --------
    >>> multiclass_decode([[0.5, 0.1, 0.4], [0.995, 0.004, 0.001]])
    (array([ 1., -1.], dtype=float32), array([0.4, 0. ], dtype=float32))
    """
    x = np.asarray(x, DTYPE)
    if x.ndim == 0 or x.shape[-1] < 2:
        raise ShapeError(f"multiclass_decode: x must have shape (..., C + 1) with C >= 1, got {x.shape}")
    fg = x[..., 1:]
    cls_id = np.argmax(fg, axis=-1)
    scores = np.take_along_axis(fg, cls_id[..., None], axis=-1)[..., 0]
    keep = scores > thresh
    return np.where(keep, cls_id, -1).astype(DTYPE), np.where(keep, scores, DTYPE(0))
