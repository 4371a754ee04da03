"""Non-maximum suppression: MXNet 1.9.1 ``contrib.box_nms`` and ``contrib.MultiBoxDetection`` (CPU).

Both sort candidates by score (stable, descending) and run greedy NMS: a box is dropped when a kept,
higher-ranked box of the same class (any class with ``force_suppress``) overlaps it by more than
the threshold — ``IoU > overlap_thresh`` for box_nms, ``IoU >= nms_threshold`` for MultiBoxDetection.

Examples
--------
>>> data = np.array([[0, .5, .1, .1, .2, .2], [1, .4, .1, .1, .2, .2],
...                  [0, .3, .1, .1, .14, .14], [2, .6, .5, .5, .7, .8]], np.float32)
>>> box_nms(data, overlap_thresh=0.1, id_index=0, force_suppress=True)
array([[ 2. ,  0.6,  0.5,  0.5,  0.7,  0.8],
       [ 0. ,  0.5,  0.1,  0.1,  0.2,  0.2],
       [-1. , -1. , -1. , -1. , -1. , -1. ],
       [-1. , -1. , -1. , -1. , -1. , -1. ]], dtype=float32)
"""
import numpy as np

from ..base import DTYPE, MXNetError, ShapeError
from ..ops.kernels.jit import kernel
from .coder import DEFAULT_VARIANCES, decode_boxes
from .geometry import BOX_FORMATS, as_boxes, box_columns, iou_columns, corner_to_center, center_to_corner

__all__ = ["FILL", "greedy_nms", "box_nms", "multibox_detection"]

FILL = -1.0        # value of suppressed / empty output rows
NMS_BLOCK = 64     # boxes resolved together per step of the greedy loop (speculatively, see greedy_nms)
DET_WIDTH = 6      # MultiBoxDetection rows: [id, score, xmin, ymin, xmax, ymax]


def _suppression(cols, ids, a, b, threshold, inclusive):
    """Bool matrix: box ``a[i]`` overlaps box ``b[j]`` beyond the threshold (and has the same class)."""
    iou = iou_columns(cols.take(a).column(), cols.take(b))
    hit = iou >= threshold if inclusive else iou > threshold
    if threshold < 0:  # MXNet divides 0 by 0 for two empty boxes: NaN, which never suppresses
        hit &= (cols.area[a, None] + cols.area[b]) > 0
    if ids is not None:
        hit &= ids[a, None] == ids[b]
    return hit


def _resolve_block(hit):
    """Greedy outcome inside one block: ``hit[i, j]`` (i < j) means i suppresses j if i is kept."""
    hit = np.triu(hit, 1)
    kept = np.zeros(len(hit), bool)
    undecided = np.ones(len(hit), bool)
    while undecided.any():
        by_kept = hit[kept].any(axis=0)
        by_open = hit[undecided].any(axis=0)
        newly_kept = undecided & ~by_kept & ~by_open  # every possible suppressor was itself suppressed
        kept |= newly_kept
        undecided &= ~(by_kept | newly_kept)
    return kept


@kernel(error_model="numpy")       # IEEE division: no ZeroDivisionError check inside the IoU loop
def _greedy_loop(x1, y1, x2, y2, area, ids, threshold, inclusive, keep):
    """The one-box-at-a-time greedy loop, compiled (numba): ``keep[i]`` for boxes in rank order.

    Only for a positive float32 ``threshold`` and positive areas (see :func:`greedy_nms`): every union is
    then positive, so the IoU below -- the float32 operations of :func:`~.geometry.iou_columns` -- equals
    the numpy path's for every pair, and the kept set too. Each kept box's IoUs with the undecided boxes
    after it are computed in one branch-free loop, then the undecided list drops the boxes it suppresses.
    """
    zero = np.float32(0)
    undecided = np.arange(x1.shape[0])
    iou = np.empty(x1.shape[0], np.float32)
    count, first = x1.shape[0], 0
    while first < count:
        i = undecided[first]
        keep[i] = True
        x1i, y1i, x2i, y2i, ai, idi = x1[i], y1[i], x2[i], y2[i], area[i], ids[i]
        for k in range(first + 1, count):
            j = undecided[k]
            iw = max(min(x2i, x2[j]) - max(x1i, x1[j]), zero)
            ih = max(min(y2i, y2[j]) - max(y1i, y1[j]), zero)
            inter = iw * ih
            iou[k] = inter / (ai + area[j] - inter)
        first += 1
        kept = first
        for k in range(first, count):
            j = undecided[k]
            hit = iou[k] >= threshold if inclusive else iou[k] > threshold
            if not (hit and ids[j] == idi):
                undecided[kept] = j
                kept += 1
        count = kept


def greedy_nms(boxes, threshold, ids=None, inclusive=False, fmt="corner"):
    """Greedy NMS over boxes already sorted by descending score.

    The loop takes the next ``NMS_BLOCK`` undecided boxes, settles them among themselves, then removes
    every later box one of the kept ones suppresses — the same result as the one-box-at-a-time loop,
    with far fewer numpy calls. With numba (:mod:`ssdkit.ops.kernels.jit`), a positive threshold and
    boxes of positive area, the one-box-at-a-time loop runs compiled instead (ToySSD's 5444 anchors at
    256x256, all above the score threshold: 9 ms -> 3 ms).

    Parameters
    ----------
    boxes : numpy.ndarray, shape (K, 4), float32
        Boxes in rank order.
    threshold : float
        Overlap threshold.
    ids : numpy.ndarray, shape (K,), optional
        Class ids; boxes of different classes never suppress each other. ``None`` suppresses across classes.
    inclusive : bool
        Suppress at ``IoU >= threshold`` (MultiBoxDetection) instead of ``IoU > threshold`` (box_nms).
    fmt : {'corner', 'center'}

    Returns
    -------
    numpy.ndarray, shape (K,), bool
        Which boxes are kept.

    Examples
    --------
    >>> b = np.array([[0, 0, 2, 2], [0, 0, 2, 1], [1, 1, 3, 3]], np.float32)
    >>> greedy_nms(b, 0.5)
    array([ True,  True,  True])
    >>> greedy_nms(b, 0.5, inclusive=True)
    array([ True, False,  True])
    """
    boxes = as_boxes("greedy_nms", "boxes", boxes, min_ndim=2)
    if boxes.ndim != 2:
        raise ShapeError(f"greedy_nms: boxes must have shape (K, 4), got {boxes.shape}")
    if ids is not None and np.shape(ids) != boxes.shape[:1]:
        raise ShapeError(f"greedy_nms: ids must have shape ({len(boxes)},) like boxes {boxes.shape}, "
                         f"got {np.shape(ids)}")
    cols = box_columns(boxes, fmt)
    keep = np.zeros(len(boxes), bool)
    loop = _greedy_loop.compiled() if threshold > 0 and len(boxes) > 1 else None
    if loop is not None and cols.area.min() > 0:
        # positive areas: every union is positive, so both IoU formulas of iou_columns agree
        same = np.zeros(len(boxes), np.int64) if ids is None else np.ascontiguousarray(ids)
        loop(*cols, same, DTYPE(threshold), inclusive, keep)
        return keep
    alive = np.arange(len(boxes))
    while alive.size:
        head, rest = alive[:NMS_BLOCK], alive[NMS_BLOCK:]
        kept = head[_resolve_block(_suppression(cols, ids, head, head, threshold, inclusive))]
        keep[kept] = True
        if rest.size == 0:
            break
        alive = rest[~_suppression(cols, ids, kept, rest, threshold, inclusive).any(axis=0)]
    return keep


def _check_nms_layout(shape, coord_start, score_index, id_index):
    op = "box_nms"
    if len(shape) < 2:
        raise ShapeError(f"{op}: data must have shape (..., num_box, box_width), got {shape}")
    width = shape[-1]
    need = 5 + (id_index >= 0)
    if width < need:
        raise ShapeError(f"{op}: data's last axis must hold at least {need} values (score, 4 coordinates"
                         f"{', id' if id_index >= 0 else ''}), got shape {shape}")
    coords = range(coord_start, coord_start + 4)
    if coord_start < 0 or coord_start + 3 >= width:
        raise MXNetError(f"{op}: coordinates {coord_start}..{coord_start + 3} out of range for box width {width}")
    if not 0 <= score_index < width or score_index in coords:
        raise MXNetError(f"{op}: score_index {score_index} out of range or inside the coordinates "
                         f"{coord_start}..{coord_start + 3} (box width {width})")
    if id_index >= 0 and (id_index >= width or id_index in coords or id_index == score_index):
        raise MXNetError(f"{op}: id_index {id_index} out of range or conflicting with score_index "
                         f"{score_index} / coordinates {coord_start}..{coord_start + 3} (box width {width})")


def _convert_rows(rows, coord_start, out_format):
    """MXNet's in-place format change of output rows; rows whose first coordinate is < 0 are left as is."""
    c = rows[:, coord_start:coord_start + 4]
    todo = c[:, 0] >= 0
    c[todo] = corner_to_center(c[todo]) if out_format == "center" else center_to_corner(c[todo])


def box_nms(data, overlap_thresh=0.5, valid_thresh=0.0, topk=-1, coord_start=2, score_index=1, id_index=-1,
            background_id=-1, force_suppress=False, in_format="corner", out_format="corner",
            return_indices=False):
    """Non-maximum suppression of MXNet ``contrib.box_nms`` over any leading batch dimensions.

    Boxes with ``score > valid_thresh`` (and, with ``id_index >= 0``, ``id != background_id``) are
    sorted by descending score; the first ``topk`` go through greedy NMS (``IoU > overlap_thresh``,
    same class unless ``force_suppress``; ids compared after truncation to int). Kept rows are
    written in score order at the top of each batch, all other rows are ``-1``.

    Parameters
    ----------
    data : array_like, shape (..., n, k)
        Rows holding a score, 4 coordinates and optionally a class id.
    overlap_thresh, valid_thresh : float
    topk : int
        Only the ``topk`` best valid boxes take part (``-1``: all).
    coord_start, score_index, id_index : int
        Column layout; ``id_index=-1`` means no class column.
    background_id : int
        Class id filtered out before NMS (only when ``id_index >= 0``).
    force_suppress : bool
        Suppress across classes.
    in_format, out_format : {'corner', 'center'}
    return_indices : bool
        Also return, per output row, the input row it came from (``-1`` for filler rows).

    Returns
    -------
    out : numpy.ndarray, shape (..., n, k), float32
    indices : numpy.ndarray, shape (..., n), int64
        Only with ``return_indices``.

    Examples
    --------
    >>> box_nms(np.zeros((0, 6), np.float32)).shape
    (0, 6)
    """
    for name, fmt in (("in_format", in_format), ("out_format", out_format)):
        if fmt not in BOX_FORMATS:
            raise MXNetError(f"box_nms: {name} must be one of {BOX_FORMATS}, got {fmt!r}")
    data = np.asarray(data, DTYPE)
    _check_nms_layout(data.shape, coord_start, score_index, id_index)
    num_elem, width = data.shape[-2:]
    flat = data.reshape(int(np.prod(data.shape[:-2])), num_elem, width)
    k = num_elem if topk < 0 else min(num_elem, topk)
    if k < 1:  # MXNet copies the input through unchanged
        idx = np.broadcast_to(np.arange(num_elem), flat.shape[:2])
        return (data.copy(), idx.reshape(data.shape[:-1]).copy()) if return_indices else data.copy()
    out = np.full_like(flat, FILL)
    indices = np.full(flat.shape[:2], -1, np.int64)
    use_ids = id_index >= 0
    for b, rows in enumerate(flat):
        scores = rows[:, score_index]
        valid = scores > DTYPE(valid_thresh)
        if use_ids:
            valid &= rows[:, id_index] != DTYPE(background_id)
        cand = np.flatnonzero(valid)
        cand = cand[np.argsort(-scores[cand], kind="stable")][:k]
        ids = rows[cand, id_index].astype(np.int64) if use_ids and not force_suppress else None
        keep = cand[greedy_nms(rows[cand, coord_start:coord_start + 4], overlap_thresh, ids, False, in_format)]
        out[b, :keep.size] = rows[keep]
        indices[b, :keep.size] = keep
        if in_format != out_format:
            _convert_rows(out[b], coord_start, out_format)
    out = out.reshape(data.shape)
    return (out, indices.reshape(data.shape[:-1])) if return_indices else out


def _check_detection(cls_prob, loc_pred, anchor):
    op = "MultiBoxDetection"
    if cls_prob.ndim != 3:
        raise ShapeError(f"{op}: cls_prob must have shape (B, C + 1, N), got {cls_prob.shape}")
    batch, _, num = cls_prob.shape
    if anchor.ndim != 3 or anchor.shape[0] < 1 or anchor.shape[1] != num or anchor.shape[2] != 4:
        raise ShapeError(f"{op}: anchor must have shape (1, N, 4) = (1, {num}, 4) for cls_prob "
                         f"{cls_prob.shape}, got {anchor.shape}")
    if loc_pred.shape != (batch, 4 * num):
        raise ShapeError(f"{op}: loc_pred must have shape (B, 4 * N) = ({batch}, {4 * num}) for cls_prob "
                         f"{cls_prob.shape}, got {loc_pred.shape}")


def multibox_detection(cls_prob, loc_pred, anchor, clip=True, threshold=0.01, background_id=0,
                       nms_threshold=0.5, force_suppress=False, variances=DEFAULT_VARIANCES, nms_topk=-1):
    """Decode SSD predictions into detections, equal to MXNet ``contrib.MultiBoxDetection`` (CPU).

    Per anchor the best foreground class (first maximum over classes ``1..C``) and its probability are
    taken; anchors scoring below ``threshold`` are dropped. Valid rows are compacted in anchor order,
    then (when ``0 < nms_threshold <= 1``) stable-sorted by score and greedy NMS at
    ``IoU >= nms_threshold`` sets the id of suppressed rows to ``-1``. With ``nms_topk`` only the top
    rows are sorted and suppressed; the rows after them keep their unsorted content with id ``-1``.

    Parameters
    ----------
    cls_prob : array_like, shape (B, C + 1, N)
        Class probabilities, background (class 0) first.
    loc_pred : array_like, shape (B, 4 * N)
        Encoded box offsets.
    anchor : array_like, shape (1, N, 4)
        Corner anchors.
    clip : bool
        Clip decoded boxes into ``[0, 1]``.
    threshold : float
        Minimum score of a detection.
    background_id : int
        Accepted for parity; MXNet's CPU kernel always treats class 0 as background.
    nms_threshold : float
    force_suppress : bool
        Suppress across classes.
    variances : (float, float, float, float)
    nms_topk : int
        Keep at most this many detections before NMS (``-1``: no limit).

    Returns
    -------
    numpy.ndarray, shape (B, N, 6), float32
        Rows ``[id, score, xmin, ymin, xmax, ymax]``; ``id`` is the 0-based foreground class or ``-1``.

    Examples
    --------
    >>> anchor = np.array([[[0., 0., .5, .5], [0., 0., .5, .6], [.5, .5, 1., 1.]]], np.float32)
    >>> prob = np.array([[[.2, .1, .9], [.8, .9, .1]]], np.float32)
    >>> multibox_detection(prob, np.zeros((1, 12), np.float32), anchor)[0]
    array([[ 0. ,  0.9,  0. ,  0. ,  0.5,  0.6],
           [-1. ,  0.8,  0. ,  0. ,  0.5,  0.5],
           [ 0. ,  0.1,  0.5,  0.5,  1. ,  1. ]], dtype=float32)
    """
    del background_id  # MXNet's CPU kernel ignores it too
    cls_prob, loc_pred, anchor = (np.asarray(x, DTYPE) for x in (cls_prob, loc_pred, anchor))
    _check_detection(cls_prob, loc_pred, anchor)
    batch, num_classes, num = cls_prob.shape
    out = np.full((batch, num, DET_WIDTH), FILL, DTYPE)
    if num_classes < 2 or num == 0:
        return out
    fg = cls_prob[:, 1:, :]
    best = np.argmax(fg, axis=1)
    score = np.take_along_axis(fg, best[:, None, :], axis=1)[:, 0]
    # MXNet starts from (id 0, score -1) and keeps it unless a class beats it
    has_class = score > -1
    score = np.where(has_class, score, DTYPE(-1))
    valid = has_class & ~(score < DTYPE(threshold))
    rows = np.empty((batch, num, DET_WIDTH), DTYPE)
    rows[..., 0] = best
    rows[..., 1] = score
    rows[..., 2:] = decode_boxes(anchor[0], loc_pred.reshape(batch, num, 4), variances, clip)
    run_nms = 0 < nms_threshold <= 1
    for b in range(batch):
        found = rows[b, valid[b]]
        count = len(found)
        out[b, :count] = found
        if count == 0 or not run_nms:
            continue
        order = np.argsort(-found[:, 1], kind="stable")
        nkeep = nms_topk if 0 < nms_topk < count else count
        out[b, nkeep:count, 0] = FILL
        top = found[order[:nkeep]]
        ids = None if force_suppress else top[:, 0]
        top[~greedy_nms(top[:, 2:], nms_threshold, ids, inclusive=True), 0] = FILL
        out[b, :nkeep] = top
    return out
