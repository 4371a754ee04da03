"""Pascal VOC mean average precision with GluonCV's ``VOCMApMetric`` / ``VOC07MApMetric`` semantics.

Boxes are corner coordinates ``(xmin, ymin, xmax, ymax)`` in pixels; as VOC's devkit (and GluonCV)
they are treated as inclusive integer boxes, so widths are ``xmax - xmin + 1``. A detection is a
true positive when its best-overlapping ground truth of the same class (IoU >= ``iou_thresh``) was
not claimed by a higher-scoring detection; matching a *difficult* ground truth makes it neither true
nor false positive, and difficult boxes do not count as positives.

Examples
--------
>>> import numpy as np
>>> m = VOCMApMetric(iou_thresh=0.5, class_names=["cat"])
>>> gt = np.array([[[0, 0, 9, 9]]], dtype=np.float32)
>>> m.update(gt, np.array([[0]]), np.array([[0.9]]), gt, np.array([[0]]))
>>> m.get()
(['cat', 'mAP'], [1.0, 1.0])
"""
import numpy as np

from ..base import MXNetError, ShapeError
from .core import EvalMetric, to_numpy

__all__ = ["VOCMApMetric", "VOC07MApMetric", "voc_iou", "voc_ap", "voc07_ap"]

#: Labels below this value are padding (GluonCV batches pad boxes with -1 rows).
MIN_VALID_LABEL = 0
#: VOC's integer-pixel convention: a box covers xmin..xmax inclusive.
PIXEL_OFFSET = 1
#: Match flags kept per detection (GluonCV's encoding).
TRUE_POSITIVE, FALSE_POSITIVE, IGNORED = 1, 0, -1
#: Recall levels of the VOC2007 11-point metric (numpy's arange values, as GluonCV iterates them).
VOC07_RECALLS = np.arange(0.0, 1.1, 0.1)


def voc_iou(boxes_a, boxes_b):
    """IoU of every pair of inclusive-pixel boxes (areas ``(x2 - x1 + 1) * (y2 - y1 + 1)``).

    Computed in the boxes' dtype with GluonCV's operation order, so thresholds compare identically.

    Parameters
    ----------
    boxes_a : numpy.ndarray, shape (N, 4)
    boxes_b : numpy.ndarray, shape (M, 4)

    Returns
    -------
    numpy.ndarray, shape (N, M)

    Examples
    --------
    >>> voc_iou(np.array([[0., 0., 9., 9.]]), np.array([[5., 0., 14., 9.]]))
    array([[0.33333333]])
    """
    a = boxes_a.copy()
    b = boxes_b.copy()
    a[:, 2:] += PIXEL_OFFSET
    b[:, 2:] += PIXEL_OFFSET
    top_left = np.maximum(a[:, None, :2], b[:, :2])
    bottom_right = np.minimum(a[:, None, 2:4], b[:, 2:4])
    inter = np.prod(bottom_right - top_left, axis=2) * (top_left < bottom_right).all(axis=2)
    area_a = np.prod(a[:, 2:4] - a[:, :2], axis=1)
    area_b = np.prod(b[:, 2:4] - b[:, :2], axis=1)
    return inter / (area_a[:, None] + area_b - inter)


def voc_ap(recall, precision):
    """Area under the precision envelope (VOC2010+ "all points" AP).

    Parameters
    ----------
    recall, precision : numpy.ndarray, shape (K,)
        Cumulative values in score order; NaN precision counts as 0.

    Returns
    -------
    float

    Examples
    --------
    >>> voc_ap(np.array([0.5, 0.5, 1.0]), np.array([1.0, 0.5, 2 / 3]))
    0.8333333333333333
    """
    mrec = np.concatenate(([0.0], recall, [1.0]))
    mpre = np.concatenate(([0.0], np.nan_to_num(precision), [0.0]))
    mpre = np.maximum.accumulate(mpre[::-1])[::-1]
    steps = np.flatnonzero(mrec[1:] != mrec[:-1])
    return float(np.sum((mrec[steps + 1] - mrec[steps]) * mpre[steps + 1]))


def voc07_ap(recall, precision):
    """VOC2007 11-point AP: mean over recall levels 0, 0.1, ..., 1 of the best precision at >= that recall.

    Parameters
    ----------
    recall, precision : numpy.ndarray, shape (K,)

    Returns
    -------
    float

    Examples
    --------
    >>> round(voc07_ap(np.array([0.5, 0.5, 1.0]), np.array([1.0, 0.5, 2 / 3])), 6)
    0.848485
    """
    precision = np.nan_to_num(precision)
    reached = recall[None, :] >= VOC07_RECALLS[:, None]
    best = np.where(reached, precision[None, :], -np.inf).max(axis=1, initial=-np.inf)
    # summed in recall order like GluonCV's loop (np.sum's pairwise order could differ in the last bit)
    return float(sum(np.where(np.isfinite(best), best, 0.0) / 11.0))


def _batch(value, what):
    """GluonCV's ``as_numpy``: a list of batches is concatenated along the batch axis."""
    if isinstance(value, (list, tuple)):
        parts = [to_numpy(v) for v in value]
        try:
            return np.concatenate(parts, axis=0)
        except ValueError:  # batches padded to different lengths: iterate their images one by one
            return [image for part in parts for image in part]
    if value is None:
        raise MXNetError(f"VOCMApMetric.update: {what} is None")
    return to_numpy(value)


class VOCMApMetric(EvalMetric):
    """Mean average precision over classes for Pascal VOC (area under the full precision envelope).

    Parameters
    ----------
    iou_thresh : float, default 0.5
        IoU at or above which a detection can match a ground truth.
    class_names : list of str, optional
        When given, :meth:`get` returns per-class APs then ``'mAP'``; else ``('VOCMeanAP', mAP)``.

    Examples
    --------
    >>> m = VOCMApMetric()
    >>> gt = np.array([[[0, 0, 9, 9], [20, 20, 29, 29]]], dtype=np.float32)
    >>> det = np.array([[[0, 0, 9, 9], [50, 50, 60, 60]]], dtype=np.float32)
    >>> m.update(det, np.array([[0, 0]]), np.array([[0.9, 0.8]]), gt, np.array([[0, 0]]))
    >>> m.get()
    ('VOCMeanAP', 0.5)
    """

    def __init__(self, iou_thresh=0.5, class_names=None):
        super().__init__("VOCMeanAP")
        if class_names is None:
            self.num = None
        else:
            if not isinstance(class_names, (list, tuple)) or not all(isinstance(n, str) for n in class_names):
                raise MXNetError(f"{type(self).__name__}: class_names must be a list of str, got {class_names!r}")
            self.name = list(class_names) + ["mAP"]
            self.num = len(class_names) + 1
        self.reset()
        self.iou_thresh = iou_thresh
        self.class_names = class_names

    def reset(self):
        """Forget every update.

        Examples
        --------
        >>> m = VOCMApMetric(); m.reset(); m.get()
        ('VOCMeanAP', nan)
        """
        if getattr(self, "num", None) is None:
            self.num_inst, self.sum_metric = 0, 0.0
        else:
            self.num_inst, self.sum_metric = [0] * self.num, [0.0] * self.num
        self._n_pos = {}    # class -> number of non-difficult ground truths
        self._scores = {}   # class -> list of score arrays (one per image with that class)
        self._matches = {}  # class -> list of match-flag arrays aligned with _scores

    def update(self, pred_bboxes, pred_labels, pred_scores, gt_bboxes, gt_labels, gt_difficults=None):
        """Match one batch of detections to its ground truth, class by class and image by image.

        Parameters
        ----------
        pred_bboxes : array, shape (B, N, 4)
        pred_labels : array, shape (B, N)
            Class ids; entries < 0 are padding.
        pred_scores : array, shape (B, N)
        gt_bboxes : array, shape (B, M, 4)
        gt_labels : array, shape (B, M)
            Class ids; entries < 0 are padding.
        gt_difficults : array, shape (B, M), optional
            Non-zero marks a difficult ground truth.

        Examples
        --------
        >>> m = VOCMApMetric(); box = np.array([[[0, 0, 4, 4]]], dtype=np.float32)
        >>> m.update(box, [[0]], [[0.5]], box, [[0]], gt_difficults=[[1]]); m.get()
        ('VOCMeanAP', nan)
        """
        arrays = [_batch(v, name) for v, name in ((pred_bboxes, "pred_bboxes"), (pred_labels, "pred_labels"),
                                                  (pred_scores, "pred_scores"), (gt_bboxes, "gt_bboxes"),
                                                  (gt_labels, "gt_labels"))]
        sizes = {len(a) for a in arrays}
        if len(sizes) != 1:
            raise ShapeError(f"{type(self).__name__}.update: batch sizes differ across inputs: "
                             f"{[len(a) for a in arrays]} (pred_bboxes, pred_labels, pred_scores, gt_bboxes, "
                             f"gt_labels)")
        difficults = [None] * len(arrays[0]) if gt_difficults is None else _batch(gt_difficults, "gt_difficults")
        if len(difficults) != len(arrays[0]):
            raise ShapeError(f"{type(self).__name__}.update: gt_difficults has {len(difficults)} images, "
                             f"the other inputs {len(arrays[0])}")
        for image in zip(*arrays, difficults):
            self._update_image(*image)

    def _update_image(self, pred_bbox, pred_label, pred_score, gt_bbox, gt_label, gt_difficult):
        pred_bbox, gt_bbox = _boxes(pred_bbox, "pred_bboxes"), _boxes(gt_bbox, "gt_bboxes")
        keep = np.flatnonzero(pred_label.ravel() >= MIN_VALID_LABEL)
        pred_bbox, pred_label = pred_bbox[keep], pred_label.ravel()[keep].astype(int)
        pred_score = pred_score.ravel()[keep]
        keep = np.flatnonzero(gt_label.ravel() >= MIN_VALID_LABEL)
        gt_bbox, gt_label = gt_bbox[keep], gt_label.ravel()[keep].astype(int)
        gt_difficult = (np.zeros(len(keep), bool) if gt_difficult is None
                        else np.asarray(gt_difficult).ravel()[keep].astype(bool))
        for label in np.unique(np.concatenate((pred_label, gt_label))):
            in_pred, in_gt = pred_label == label, gt_label == label
            # GluonCV: descending score via argsort()[::-1]; stable so ties are reproducible
            order = np.argsort(pred_score[in_pred], kind="stable")[::-1]
            boxes, scores = pred_bbox[in_pred][order], pred_score[in_pred][order]
            difficult = gt_difficult[in_gt]
            self._n_pos[label] = self._n_pos.get(label, 0) + int(np.count_nonzero(~difficult))
            self._scores.setdefault(label, []).append(scores)
            self._matches.setdefault(label, []).append(
                _match(boxes, gt_bbox[in_gt], difficult, self.iou_thresh))

    def get(self):
        """AP per class (when class names were given) and their NaN-ignoring mean.

        Returns
        -------
        (str, float) or (list of str, list of float)
            ``('VOCMeanAP', mAP)``, or ``(class_names + ['mAP'], APs + [mAP])``. A class with no
            non-difficult ground truth has AP NaN; listed classes never seen are NaN.

        Examples
        --------
        >>> VOCMApMetric(class_names=["a", "b"]).get()
        (['a', 'b', 'mAP'], [nan, nan, nan])
        """
        self._update()
        if self.num is None:
            return (self.name, float("nan") if self.num_inst == 0 else self.sum_metric / self.num_inst)
        values = [s / n if n != 0 else float("nan") for s, n in zip(self.sum_metric, self.num_inst)]
        return (list(self.name), values)

    def _update(self):
        """Fold the stored matches into ``sum_metric`` / ``num_inst`` (GluonCV does this in ``get``)."""
        if not self._n_pos:  # nothing seen: GluonCV fails here, ssdkit reports NaN
            return
        aps = [self._class_ap(label) for label in range(max(self._n_pos) + 1)]
        with np.errstate(all="ignore"):
            mean_ap = float(np.nanmean(aps)) if not np.all(np.isnan(aps)) else float("nan")
        if self.num is None:
            self.num_inst, self.sum_metric = 1, mean_ap
            return
        for label, ap in enumerate(aps[:self.num - 1]):
            self.sum_metric[label], self.num_inst[label] = ap, 1
        self.sum_metric[-1], self.num_inst[-1] = mean_ap, 1

    def _class_ap(self, label):
        n_pos = self._n_pos.get(label, 0)
        if n_pos == 0:
            return float("nan")
        scores = np.concatenate(self._scores[label])
        matches = np.concatenate(self._matches[label])[np.argsort(scores, kind="stable")[::-1]]
        tp = np.cumsum(matches == TRUE_POSITIVE)
        fp = np.cumsum(matches == FALSE_POSITIVE)
        with np.errstate(divide="ignore", invalid="ignore"):
            precision = tp / (fp + tp)
        return self._average_precision(tp / n_pos, precision)

    def _average_precision(self, recall, precision):
        return voc_ap(recall, precision)


def _boxes(boxes, what):
    boxes = np.asarray(boxes)
    if boxes.ndim != 2 or boxes.shape[1] < 4:
        raise ShapeError(f"VOCMApMetric.update: {what} of one image must be (N, 4), got shape {boxes.shape}")
    return boxes[:, :4]


def _match(pred, gt, difficult, iou_thresh):
    """Match flags (1 TP, 0 FP, -1 ignored) of score-sorted detections against one class's ground truth."""
    if len(pred) == 0 or len(gt) == 0:
        return np.full(len(pred), FALSE_POSITIVE, np.int32)
    iou = voc_iou(pred, gt)
    best = iou.argmax(axis=1)
    hit = ~(iou.max(axis=1) < iou_thresh)  # written as GluonCV's "< thresh -> no match" (NaN IoU: match)
    flags = np.full(len(pred), FALSE_POSITIVE, np.int32)
    # the first (highest-scoring) detection landing on a ground truth claims it; later ones are FP
    first = np.zeros(len(pred), bool)
    hit_idx = np.flatnonzero(hit)
    _, first_pos = np.unique(best[hit_idx], return_index=True)
    first[hit_idx[first_pos]] = True
    flags[hit & first] = TRUE_POSITIVE
    flags[hit & difficult[best]] = IGNORED
    return flags


class VOC07MApMetric(VOCMApMetric):
    """VOC2007 mean average precision with the 11-point interpolated AP.

    Parameters
    ----------
    iou_thresh : float, default 0.5
    class_names : list of str, optional

    Examples
    --------
    >>> m = VOC07MApMetric()
    >>> gt = np.array([[[0, 0, 9, 9], [20, 20, 29, 29]]], dtype=np.float32)
    >>> det = np.array([[[0, 0, 9, 9], [50, 50, 60, 60]]], dtype=np.float32)
    >>> m.update(det, np.array([[0, 0]]), np.array([[0.9, 0.8]]), gt, np.array([[0, 0]]))
    >>> round(m.get()[1], 6)
    0.545455
    """

    def _average_precision(self, recall, precision):
        return voc07_ap(recall, precision)
