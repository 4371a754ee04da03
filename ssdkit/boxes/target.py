"""SSD training targets, equal to MXNet 1.9.1 ``contrib.MultiBoxTarget`` on CPU.

Per image: valid ground truths are the label rows before the first row whose class is ``-1``;
anchors are matched by :func:`ssdkit.boxes.matcher.match_anchors`; positives get class ``gt + 1``
and encoded box targets; negatives get class 0 — all non-positive anchors, or with hard-negative
mining the ``min(int(num_pos * ratio), N - num_pos)`` candidates (best IoU ``< negative_mining_thresh``)
with the lowest background softmax probability; every other anchor gets ``ignore_label``.
An image without valid ground truth is left entirely at ``ignore_label`` (MXNet does the same).

``minimum_negative_samples`` is accepted for API parity but, exactly as MXNet's CPU kernel, unused
(only MXNet's GPU kernel raises the negative count to it).

Examples
--------
>>> anchor = np.array([[[0., 0., .5, .5], [.5, .5, 1., 1.]]], np.float32)
>>> label = np.array([[[2., 0., 0., .5, .6]]], np.float32)
>>> box_t, box_m, cls_t = multibox_target(anchor, label, np.zeros((1, 4, 2), np.float32))
>>> cls_t
array([[3., 0.]], dtype=float32)
>>> box_m
array([[1., 1., 1., 1., 0., 0., 0., 0.]], dtype=float32)
"""
import numpy as np

from ..base import DTYPE, MXNetError, ShapeError
from .coder import DEFAULT_VARIANCES, encode_boxes
from .geometry import box_columns, iou_columns
from .matcher import UNMATCHED, match_anchors

__all__ = ["PADDING", "BACKGROUND", "valid_label_counts", "background_prob", "hard_negatives",
           "multibox_target"]

PADDING = -1.0     # class id of padding label rows
BACKGROUND = 0     # class target of negative anchors
MIN_LABEL_WIDTH = 5  # [class, xmin, ymin, xmax, ymax, ...]


def _check_inputs(anchor, label, cls_pred):
    op = "MultiBoxTarget"
    anchor, label, cls_pred = (np.asarray(x, DTYPE) for x in (anchor, label, cls_pred))
    if anchor.ndim != 3 or anchor.shape[0] != 1 or anchor.shape[2] != 4:
        raise ShapeError(f"{op}: anchor must have shape (1, N, 4), got {anchor.shape}")
    if label.ndim != 3 or label.shape[2] < MIN_LABEL_WIDTH:
        raise ShapeError(f"{op}: label must have shape (B, M, >=5), got {label.shape}")
    if cls_pred.ndim != 3 or cls_pred.shape[0] != label.shape[0] or cls_pred.shape[2] != anchor.shape[1]:
        raise ShapeError(f"{op}: cls_pred must have shape (B, C + 1, N) = ({label.shape[0]}, C + 1, "
                         f"{anchor.shape[1]}) for label {label.shape} and anchor {anchor.shape}, "
                         f"got {cls_pred.shape}")
    return anchor[0], label, cls_pred


def valid_label_counts(label):
    """Number of leading non-padding rows of each image's label (MXNet stops at the first class ``-1``).

    Parameters
    ----------
    label : numpy.ndarray, shape (B, M, >=5)

    Returns
    -------
    numpy.ndarray, shape (B,), int64

    Raises
    ------
    MXNetError
        If that first padding row has a coordinate other than ``-1`` (MXNet's CHECK).

    Examples
    --------
    >>> valid_label_counts(np.array([[[0, .1, .1, .2, .2], [-1, -1, -1, -1, -1]]], np.float32))
    array([1])
    """
    label = np.asarray(label, DTYPE)
    is_pad = label[..., 0] == PADDING
    count = np.where(is_pad.any(axis=1), np.argmax(is_pad, axis=1), label.shape[1]).astype(np.int64)
    padded = np.flatnonzero(count < label.shape[1])
    first_pad = label[padded, count[padded], 1:MIN_LABEL_WIDTH]
    bad = ~np.all(first_pad == PADDING, axis=1)
    if bad.any():
        b = int(padded[np.argmax(bad)])
        raise MXNetError(f"MultiBoxTarget: label row {int(count[b])} of image {b} has class -1 (padding) but "
                         f"coordinates {first_pad[np.argmax(bad)].tolist()}; padding rows must be all -1")
    return count


def background_prob(cls_pred):
    """Softmax probability of class 0 along axis 1, in float32 as MXNet's mining computes it.

    Parameters
    ----------
    cls_pred : numpy.ndarray, shape (B, C + 1, N)
        Class logits.

    Returns
    -------
    numpy.ndarray, shape (B, N), float32

    Examples
    --------
    >>> background_prob(np.zeros((1, 2, 3), np.float32))
    array([[0.5, 0.5, 0.5]], dtype=float32)
    """
    cls_pred = np.asarray(cls_pred, DTYPE)
    shifted = cls_pred - cls_pred.max(axis=1, keepdims=True)
    np.exp(shifted, out=shifted)
    return shifted[:, 0] / shifted.sum(axis=1)


def hard_negatives(prob, candidate, count):
    """The ``count`` candidates with the lowest ``prob``, ties to the lower index (MXNet's stable sort).

    Parameters
    ----------
    prob : numpy.ndarray, shape (N,), float32
        Background probability per anchor.
    candidate : numpy.ndarray, shape (N,), bool
    count : int

    Returns
    -------
    numpy.ndarray, shape (N,), bool

    Raises
    ------
    MXNetError
        If fewer than ``count`` candidates exist (MXNet fails the same check).

    Examples
    --------
    >>> hard_negatives(np.array([.3, .1, .3, .2], np.float32), np.array([1, 0, 1, 1], bool), 2)
    array([ True, False, False,  True])
    """
    num_cand = int(candidate.sum())
    if num_cand < count:
        raise MXNetError(f"MultiBoxTarget: hard-negative mining needs {count} negatives but only {num_cand} "
                         "anchors have IoU below negative_mining_thresh")
    if count >= num_cand:
        return candidate.copy()
    masked = np.where(candidate, prob, DTYPE(np.inf))
    cut = np.partition(masked, count - 1)[count - 1]
    chosen = masked < cut
    ties = np.flatnonzero(masked == cut)[:count - int(chosen.sum())]
    chosen[ties] = True
    return chosen


def multibox_target(anchor, label, cls_pred, overlap_threshold=0.5, ignore_label=-1.0,
                    negative_mining_ratio=-1.0, negative_mining_thresh=0.5, minimum_negative_samples=0,
                    variances=DEFAULT_VARIANCES):
    """Box regression targets, their mask and class targets for SSD training (MXNet ``MultiBoxTarget``).

    Parameters
    ----------
    anchor : array_like, shape (1, N, 4)
        Corner anchors shared by the batch.
    label : array_like, shape (B, M, W), W >= 5
        Rows ``[class, xmin, ymin, xmax, ymax, ...]``, padded with rows of ``-1``.
    cls_pred : array_like, shape (B, C + 1, N)
        Class logits; only read by hard-negative mining.
    overlap_threshold : float
        IoU above which an anchor is positive (besides its bipartite match).
    ignore_label : float
        Class target of anchors that are neither positive nor negative.
    negative_mining_ratio : float
        Negatives per positive; ``<= 0`` disables mining (all non-positives are negatives).
    negative_mining_thresh : float
        Only anchors whose best IoU is below this can be mined as negatives.
    minimum_negative_samples : int
        Unused, as in MXNet's CPU implementation.
    variances : (float, float, float, float)

    Returns
    -------
    box_target : numpy.ndarray, shape (B, 4 * N), float32
    box_mask : numpy.ndarray, shape (B, 4 * N), float32
    cls_target : numpy.ndarray, shape (B, N), float32

    Examples
    --------
    >>> anchor = np.array([[[0., 0., .5, .5], [.5, .5, 1., 1.]]], np.float32)
    >>> padding_only = -np.ones((1, 2, 5), np.float32)
    >>> multibox_target(anchor, padding_only, np.zeros((1, 2, 2), np.float32))[2]
    array([[-1., -1.]], dtype=float32)
    """
    del minimum_negative_samples  # MXNet's CPU kernel ignores it too (see module docstring)
    anchors, label, cls_pred = _check_inputs(anchor, label, cls_pred)
    if len(tuple(variances)) != 4:
        raise MXNetError(f"MultiBoxTarget: variances must have 4 values, got {tuple(variances)}")
    mining = negative_mining_ratio > 0
    if mining and negative_mining_thresh <= 0:
        raise MXNetError(f"MultiBoxTarget: negative_mining_thresh must be > 0, got {negative_mining_thresh}")
    batch, num_anchors = label.shape[0], anchors.shape[0]
    box_target = np.zeros((batch, num_anchors, 4), DTYPE)
    cls_target = np.full((batch, num_anchors), ignore_label, DTYPE)
    matched = np.full((batch, num_anchors), UNMATCHED, np.int64)
    negative = np.zeros((batch, num_anchors), bool)
    counts = valid_label_counts(label)
    gt_boxes = label[:, :, 1:MIN_LABEL_WIDTH]
    gt_cols, anchor_cols = box_columns(gt_boxes), box_columns(anchors)
    iou_buf = np.empty((int(counts.max(initial=0)), num_anchors), DTYPE)
    images = np.flatnonzero(counts) if num_anchors else []  # images without ground truth stay ignored
    for b in images:
        iou = iou_columns(gt_cols.take((b, slice(0, counts[b]))).column(), anchor_cols, out=iou_buf[:counts[b]])
        matches, best_iou = match_anchors(iou, overlap_threshold)
        matched[b] = matches
        if mining:
            negative[b] = _mined_negatives(matches, best_iou, cls_pred[b], negative_mining_ratio,
                                           negative_mining_thresh)
        else:
            negative[b] = matches == UNMATCHED
    positive = matched >= 0
    pb, pa = np.nonzero(positive)
    pg = matched[pb, pa]
    cls_target[negative] = BACKGROUND
    cls_target[pb, pa] = label[pb, pg, 0] + 1
    box_target[pb, pa] = encode_boxes(anchors[pa], gt_boxes[pb, pg], variances)
    box_mask = np.zeros((batch, num_anchors, 4), DTYPE)
    box_mask[positive] = 1
    return box_target.reshape(batch, -1), box_mask.reshape(batch, -1), cls_target


def _mined_negatives(matches, best_iou, logits, ratio, thresh):
    """Hard negatives of one image: ``min(int(num_pos * ratio), N - num_pos)`` of the candidates."""
    num_anchors = matches.size
    num_pos = int(np.count_nonzero(matches >= 0))
    # C++ multiplies int by float in float32 and truncates
    num_neg = min(int(np.float32(num_pos) * np.float32(ratio)), num_anchors - num_pos)
    if num_neg <= 0:
        return np.zeros(num_anchors, bool)
    candidate = (matches == UNMATCHED) & (best_iou < DTYPE(thresh))
    return hard_negatives(background_prob(logits[None])[0], candidate, num_neg)
