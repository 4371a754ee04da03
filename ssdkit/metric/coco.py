"""COCO box detection metrics equal to pycocotools' ``COCOeval(gt, dt, 'bbox').stats`` (no pycocotools needed).

``coco_eval`` = parse (:mod:`.coco_data`) -> greedy matching at 10 IoU thresholds and 4 area ranges
(:mod:`.coco_match`) -> precision at 101 recall points with the monotone envelope and recall, per
category, area and max-detections setting (:func:`coco_accumulate`) -> the 12 summary numbers
(:func:`coco_summarize`). Every default of ``COCOeval.Params`` for boxes is reproduced, including -1
for settings without any non-ignored ground truth.

Examples
--------
>>> gt = {"images": [{"id": 1}], "categories": [{"id": 1}], "annotations": [
...     {"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], "area": 100, "iscrowd": 0}]}
>>> dt = [{"image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], "score": 0.9}]
>>> coco_eval(gt, dt)
[1.0, 1.0, 1.0, 1.0, -1.0, -1.0, 1.0, 1.0, 1.0, 1.0, -1.0, -1.0]
"""
import numpy as np

from .coco_data import load_coco, MAX_DETS_PER_PAIR
from .coco_match import match_detections

__all__ = ["coco_eval", "coco_accumulate", "coco_summarize", "COCO_STAT_NAMES",
           "IOU_THRESHOLDS", "RECALL_THRESHOLDS", "MAX_DETS", "AREA_RANGES", "AREA_LABELS"]

# pycocotools' Params.setDetParams, built the same way so that float comparisons agree bit for bit
IOU_THRESHOLDS = np.linspace(.5, 0.95, int(np.round((0.95 - .5) / .05)) + 1, endpoint=True)
RECALL_THRESHOLDS = np.linspace(.0, 1.00, int(np.round((1.00 - .0) / .01)) + 1, endpoint=True)
MAX_DETS = (1, 10, MAX_DETS_PER_PAIR)
AREA_RANGES = np.array([[0 ** 2, 1e5 ** 2], [0 ** 2, 32 ** 2], [32 ** 2, 96 ** 2], [96 ** 2, 1e5 ** 2]])
AREA_LABELS = ("all", "small", "medium", "large")
#: Value of a precision/recall entry (and of a summary) with no ground truth to measure against.
UNDEFINED = -1.0

#: Names of the 12 numbers of :func:`coco_eval`, in ``COCOeval.stats`` order.
COCO_STAT_NAMES = ("AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl")
# (is_precision, iou threshold or None for all, area label, maxDets) of each summary number
_SUMMARIES = ((True, None, "all", 100), (True, .5, "all", 100), (True, .75, "all", 100),
              (True, None, "small", 100), (True, None, "medium", 100), (True, None, "large", 100),
              (False, None, "all", 1), (False, None, "all", 10), (False, None, "all", 100),
              (False, None, "small", 100), (False, None, "medium", 100), (False, None, "large", 100))


def _precision_at_recalls(tp_sum, fp_sum, num_pos):
    """Per threshold row: envelope precision at each recall threshold (0 past the last recall)."""
    recall = tp_sum / num_pos
    precision = tp_sum / (fp_sum + tp_sum + np.spacing(1))
    # the envelope: precision at rank i is the best precision at any rank >= i
    precision = np.maximum.accumulate(precision[:, ::-1], axis=1)[:, ::-1]
    count = tp_sum.shape[1]
    out = np.zeros((tp_sum.shape[0], len(RECALL_THRESHOLDS)))
    for t in range(tp_sum.shape[0]):
        idx = np.searchsorted(recall[t], RECALL_THRESHOLDS, side="left")
        reached = idx < count
        out[t, reached] = precision[t, idx[reached]]
    return out, (recall[:, -1] if count else np.zeros(tp_sum.shape[0]))


def coco_accumulate(data, tp, fp, gt_ignored):
    """Precision (T, R, K, A, M) and recall (T, K, A, M) arrays as ``COCOeval.accumulate`` builds them.

    Parameters
    ----------
    data : CocoArrays
    tp, fp : numpy.ndarray of bool, shape (A, T, D)
        From :func:`~ssdkit.metric.coco_match.match_detections`.
    gt_ignored : numpy.ndarray of bool, shape (A, G)

    Returns
    -------
    precision : numpy.ndarray, shape (10, 101, K, 4, 3)
    recall : numpy.ndarray, shape (10, K, 4, 3)
        -1 where the category has no non-ignored ground truth in that area range.

    Examples
    --------
    >>> from ssdkit.metric.coco_data import load_coco
    >>> from ssdkit.metric.coco_match import match_detections
    >>> gt = {"images": [{"id": 1}], "categories": [{"id": 1}], "annotations": [
    ...     {"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], "area": 100, "iscrowd": 0}]}
    >>> data = load_coco(gt, [])
    >>> precision, recall = coco_accumulate(data, *match_detections(data, IOU_THRESHOLDS, AREA_RANGES))
    >>> precision.shape, recall[0, 0].tolist()
    ((10, 101, 1, 4, 3), [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [-1.0, -1.0, -1.0], [-1.0, -1.0, -1.0]])
    """
    num_t, num_r, num_k = len(IOU_THRESHOLDS), len(RECALL_THRESHOLDS), len(data.cat_ids)
    num_a, num_m = len(AREA_RANGES), len(MAX_DETS)
    precision = np.full((num_t, num_r, num_k, num_a, num_m), UNDEFINED)
    recall = np.full((num_t, num_k, num_a, num_m), UNDEFINED)
    num_img = len(data.img_ids)
    gt_cat = data.gt_pair // num_img
    # non-ignored ground truths per (area range, category): the recall denominator
    num_pos = np.stack([np.bincount(gt_cat[~ig], minlength=num_k) for ig in gt_ignored])
    # all detections of a category in one list: highest score first, ties by image then rank, which is
    # where pycocotools' stable sort leaves them after concatenating the images in id order
    dt_cat, dt_img = data.dt_pair // num_img, data.dt_pair % num_img
    order = np.lexsort((data.dt_rank, dt_img, -data.dt_score, dt_cat))
    bounds = np.searchsorted(dt_cat[order], np.arange(num_k + 1))
    for k in range(num_k):
        dets = order[bounds[k]:bounds[k + 1]]
        for m, max_det in enumerate(MAX_DETS):
            sel = dets[data.dt_rank[dets] < max_det]
            for a in range(num_a):
                if num_pos[a, k] == 0:
                    continue
                tp_sum = np.cumsum(tp[a][:, sel], axis=1, dtype=np.float64)
                fp_sum = np.cumsum(fp[a][:, sel], axis=1, dtype=np.float64)
                precision[:, :, k, a, m], recall[:, k, a, m] = _precision_at_recalls(tp_sum, fp_sum,
                                                                                     num_pos[a, k])
    return precision, recall


def coco_summarize(precision, recall):
    """The 12 ``COCOeval.summarize`` numbers from accumulated precision and recall.

    Parameters
    ----------
    precision : numpy.ndarray, shape (10, 101, K, 4, 3)
    recall : numpy.ndarray, shape (10, K, 4, 3)

    Returns
    -------
    list of 12 float
        Mean over the defined (> -1) entries of each setting, -1 when none is defined.

    Examples
    --------
    >>> coco_summarize(np.full((10, 101, 2, 4, 3), -1.0), np.full((10, 2, 4, 3), -1.0))[:2]
    [-1.0, -1.0]
    """
    stats = []
    for is_precision, iou, area, max_det in _SUMMARIES:
        values = precision if is_precision else recall
        if iou is not None:
            values = values[np.where(iou == IOU_THRESHOLDS)[0]]
        a, m = AREA_LABELS.index(area), MAX_DETS.index(max_det)
        values = values[..., a, m]
        defined = values[values > UNDEFINED]
        stats.append(float(np.mean(defined)) if defined.size else UNDEFINED)
    return stats


def coco_eval(gt, dt):
    """COCO box AP/AR: the 12 numbers of pycocotools' ``COCOeval(..., 'bbox').stats``.

    Parameters
    ----------
    gt : dict or path
        COCO annotation dict or JSON file: ``images`` (ids), ``categories`` (ids), ``annotations``
        with ``id``, ``image_id``, ``category_id``, ``bbox`` ``[x, y, w, h]``, ``area``, ``iscrowd``.
    dt : list or path
        Results ``[{"image_id", "category_id", "bbox": [x, y, w, h], "score"}]`` or a JSON file.
        Every ``image_id`` must be one of the ground truth's images.

    Returns
    -------
    list of 12 float
        AP@[.5:.95], AP50, AP75, AP small/medium/large, AR@1, AR@10, AR@100, AR small/medium/large
        (names in :data:`COCO_STAT_NAMES`); -1 where no ground truth defines the value.

    Notes
    -----
    Matches pycocotools except where it fails: empty results give 0 AP (pycocotools raises), and
    a missing ``area`` / ``iscrowd`` defaults to ``w * h`` / 0 (pycocotools raises KeyError).
    Duplicate annotation ids are evaluated as given (pycocotools keeps only the last one).

    Examples
    --------
    >>> gt = {"images": [{"id": 1}], "categories": [{"id": 1}], "annotations": [
    ...     {"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], "area": 100, "iscrowd": 0}]}
    >>> dt = [{"image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 8], "score": 0.9},
    ...       {"image_id": 1, "category_id": 1, "bbox": [50, 50, 10, 10], "score": 0.95}]
    >>> [round(v, 3) for v in coco_eval(gt, dt)]
    [0.35, 0.5, 0.5, 0.35, -1.0, -1.0, 0.0, 0.7, 0.7, 0.7, -1.0, -1.0]
    """
    data = load_coco(gt, dt)
    tp, fp, gt_ignored = match_detections(data, IOU_THRESHOLDS, AREA_RANGES)
    return coco_summarize(*coco_accumulate(data, tp, fp, gt_ignored))
