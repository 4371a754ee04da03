"""pycocotools' box IoU and greedy matching, run for many (image, category) pairs at once.

``COCOeval.evaluateImg`` walks the detections of one pair in score order; each takes, among the
ground truths still free (crowds never become taken), the one with the highest IoU >= threshold,
preferring non-ignored ground truths and, among equal IoUs, the later one. That walk is sequential
in the detections, so this module loops over the detection *rank* only and handles every pair,
every IoU threshold and every area range of that rank in one array operation.

Examples
--------
>>> import numpy as np
>>> box_iou_xywh(np.array([[0., 0., 2., 2.]]), np.array([[1., 0., 2., 2.]]), np.array([False]))
array([[0.33333333]])
"""
import numpy as np

from .coco_data import COCO_FLOAT

__all__ = ["box_iou_xywh", "match_detections"]

#: Keep one rank step's (areas x pairs x thresholds x ground truths) arrays around this many elements.
ELEMENT_BUDGET = 1 << 22
#: IoU of padding entries: below every threshold, so padded boxes never match.
NO_BOX = -1.0
#: pycocotools caps each threshold at 1 - 1e-10 so that IoU = 1 can still match at threshold 1.
MAX_IOU_THRESHOLD = 1 - 1e-10


def box_iou_xywh(dt, gt, crowd):
    """IoU of ``[x, y, w, h]`` boxes as pycocotools' ``bbIou``; a crowd's union is the detection's area.

    Parameters
    ----------
    dt : numpy.ndarray, shape (..., D, 4)
    gt : numpy.ndarray, shape (..., G, 4)
    crowd : numpy.ndarray of bool, shape (..., G)

    Returns
    -------
    numpy.ndarray, shape (..., D, G), float64

    Examples
    --------
    >>> box_iou_xywh(np.array([[0., 0., 2., 2.]]), np.array([[0., 0., 4., 4.]]), np.array([True]))
    array([[1.]])
    """
    d = dt[..., :, None, :]
    g = gt[..., None, :, :]
    # fmin/fmax as the C code (they drop a NaN operand, np.minimum would propagate it)
    w = np.fmin(d[..., 2] + d[..., 0], g[..., 2] + g[..., 0]) - np.fmax(d[..., 0], g[..., 0])
    h = np.fmin(d[..., 3] + d[..., 1], g[..., 3] + g[..., 1]) - np.fmax(d[..., 1], g[..., 1])
    inter = w * h
    d_area = d[..., 2] * d[..., 3]
    union = np.where(crowd[..., None, :], d_area, d_area + g[..., 2] * g[..., 3] - inter)
    with np.errstate(divide="ignore", invalid="ignore"):
        iou = inter / union
    return np.where((w > 0) & (h > 0), iou, 0.0)


def _pow2(n):
    return np.where(n > 0, 1 << np.ceil(np.log2(np.maximum(n, 1))).astype(np.int64), 0)


def _padded_index(start, count, width):
    """(P, width) indices ``start + j`` and the mask ``j < count``."""
    j = np.arange(width)
    valid = j[None, :] < count[:, None]
    return np.where(valid, start[:, None] + j[None, :], 0), valid


def _match_chunk(iou, crowd, ignored, thresholds):
    """Greedy matching of one chunk of pairs; returns matched flags and matched ground-truth columns.

    iou (P, D, G) with padding at NO_BOX; crowd (P, G); ignored (A, P, G); thresholds (T,).
    Returns hit (A, P, T, D) bool and column (A, P, T, D) int64.
    """
    num_p, num_d, num_g = iou.shape
    num_a, num_t = ignored.shape[0], thresholds.shape[0]
    taken = np.zeros((num_a, num_p, num_t, num_g), bool)
    hit = np.zeros((num_a, num_p, num_t, num_d), bool)
    column = np.zeros((num_a, num_p, num_t, num_d), np.int64)
    regular = ~ignored[:, :, None, :]
    reusable = crowd[None, :, None, :]
    columns = np.arange(num_g)
    for d in range(num_d):
        iou_d = iou[:, d, :][None, :, None, :]
        candidate = (iou_d >= thresholds[None, None, :, None]) & (~taken | reusable)
        preferred = candidate & regular
        has_regular = preferred.any(axis=-1, keepdims=True)
        # a regular ground truth, once available, shadows every ignored one (pycocotools' "break")
        group = np.where(has_regular, preferred, candidate)
        found = group.any(axis=-1)
        score = np.where(group, iou_d, NO_BOX)
        # the last column holding the maximum: pycocotools replaces its best on ">=" while scanning
        best = num_g - 1 - np.argmax(score[..., ::-1], axis=-1)
        taken |= (columns == best[..., None]) & found[..., None]
        hit[..., d] = found
        column[..., d] = best
    return hit, column


def match_detections(data, iou_thresholds, area_ranges):
    """Match every kept detection of :class:`~ssdkit.metric.coco_data.CocoArrays` at every threshold and area.

    Parameters
    ----------
    data : CocoArrays
    iou_thresholds : numpy.ndarray, shape (T,)
    area_ranges : numpy.ndarray, shape (A, 2)
        Inclusive ``[low, high]`` areas; ground truths outside are ignored, unmatched detections
        outside are ignored.

    Returns
    -------
    tp, fp : numpy.ndarray of bool, shape (A, T, D)
        Per detection: true positive, false positive (neither = ignored).
    gt_ignored : numpy.ndarray of bool, shape (A, G)

    Examples
    --------
    >>> from ssdkit.metric.coco_data import load_coco
    >>> gt = {"images": [{"id": 1}], "categories": [{"id": 1}], "annotations": [
    ...     {"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], "area": 100, "iscrowd": 0}]}
    >>> dt = [{"image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 8], "score": 0.9}]
    >>> tp, fp, _ = match_detections(load_coco(gt, dt), np.array([0.5, 0.9]), np.array([[0, 1e10]]))
    >>> tp[0, :, 0].tolist(), fp[0, :, 0].tolist()
    ([True, False], [False, True])
    """
    thresholds = np.minimum(np.asarray(iou_thresholds, COCO_FLOAT), MAX_IOU_THRESHOLD)
    low, high = area_ranges[:, 0:1], area_ranges[:, 1:2]
    gt_ignored = data.gt_crowd[None, :] | (data.gt_area[None, :] < low) | (data.gt_area[None, :] > high)
    dt_outside = (data.dt_area[None, :] < low) | (data.dt_area[None, :] > high)
    num_a, num_t, num_dt = len(area_ranges), len(thresholds), len(data.dt_pair)
    hit_ignored = np.zeros((num_a, num_t, num_dt), bool)
    hit_counts = np.zeros((num_a, num_t, num_dt), bool)  # matched a ground truth whose id is not 0

    pairs = np.union1d(data.gt_pair, data.dt_pair)
    gt_start = np.searchsorted(data.gt_pair, pairs)
    gt_count = np.searchsorted(data.gt_pair, pairs, side="right") - gt_start
    dt_start = np.searchsorted(data.dt_pair, pairs)
    dt_count = np.searchsorted(data.dt_pair, pairs, side="right") - dt_start
    both = (gt_count > 0) & (dt_count > 0)
    buckets = np.stack([_pow2(gt_count), _pow2(dt_count)], axis=1)
    for g_pad, d_pad in np.unique(buckets[both], axis=0):
        members = np.flatnonzero(both & (buckets[:, 0] == g_pad) & (buckets[:, 1] == d_pad))
        per_chunk = max(1, ELEMENT_BUDGET // (num_a * num_t * g_pad))
        for chunk in np.array_split(members, -(-len(members) // per_chunk)):
            gi, g_valid = _padded_index(gt_start[chunk], gt_count[chunk], gt_count[chunk].max())
            di, d_valid = _padded_index(dt_start[chunk], dt_count[chunk], dt_count[chunk].max())
            iou = box_iou_xywh(data.dt_box[di], data.gt_box[gi], data.gt_crowd[gi])
            iou = np.where(d_valid[:, :, None] & g_valid[:, None, :], iou, NO_BOX)
            chunk_hit, column = _match_chunk(iou, data.gt_crowd[gi], gt_ignored[:, gi], thresholds)
            matched_gt = np.take_along_axis(gi[None, :, None, :], column, axis=-1)  # (A, P, T, D)
            # (A, P, T, D) -> (A, T, kept detections of the chunk)
            chunk_hit = chunk_hit.transpose(0, 2, 1, 3)[:, :, d_valid]
            matched_gt = matched_gt.transpose(0, 2, 1, 3)[:, :, d_valid]
            target = di[d_valid]
            hit_ignored[:, :, target] = chunk_hit & gt_ignored[np.arange(num_a)[:, None, None], matched_gt]
            hit_counts[:, :, target] = chunk_hit & data.gt_id_nonzero[matched_gt]
    # pycocotools stores the matched gt *id* and tests it for truth: a match to id 0 counts as none
    ignored = hit_ignored | (~hit_counts & dt_outside[:, None, :])
    return hit_counts & ~ignored, ~hit_counts & ~ignored, gt_ignored
