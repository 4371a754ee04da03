"""Anchor-to-ground-truth matching exactly as MXNet 1.9.1's MultiBoxTarget (CPU).

Matching runs on one image's IoU matrix ``iou[gt, anchor]`` of shape ``(M, N)`` (torchvision's
layout) in two stages:

1. **Bipartite**: repeatedly take the globally best remaining (anchor, gt) pair with IoU above
   ``BIPARTITE_MIN_IOU`` — ties to the lowest anchor, then the lowest gt, as MXNet scans anchors
   then gts — and remove its anchor and gt from the pool. Every gt overlapping a free anchor gets one.
2. **Threshold**: every other anchor takes its best gt (first maximum) and is positive when that IoU
   is strictly greater than ``overlap_threshold``; a threshold ``<= 0`` disables this stage.

Rows with negative IoU (e.g. padding gts filled with -1) never match.

Examples
--------
>>> iou = np.array([[0.6, 0.7, 0.2], [0.1, 0.0, 0.55]], np.float32)
>>> bipartite_match(iou)
array([-1,  0,  1])
>>> matches, best_iou = match_anchors(iou, 0.5)
>>> matches
array([0, 0, 1])
"""
import numpy as np

from ..base import DTYPE, ShapeError

__all__ = ["UNMATCHED", "BIPARTITE_MIN_IOU", "bipartite_match", "match_anchors"]

UNMATCHED = -1
#: MXNet starts the bipartite search at this IoU, so pairs that barely touch are never matched.
BIPARTITE_MIN_IOU = 1e-6
_TAKEN = DTYPE(-1)  # below any IoU: hides anchors already matched


def _check_iou(op, iou):
    iou = np.asarray(iou, DTYPE)
    if iou.ndim != 2:
        raise ShapeError(f"{op}: iou must be 2-D (num_gt, num_anchors), got shape {iou.shape}")
    return iou


def bipartite_match(iou):
    """Greedy global-best bipartite matching, MXNet MultiBoxTarget's first stage.

    Keeps each gt's best free anchor and only rescans the gts whose best anchor was just taken,
    which gives the same pairs as MXNet's full rescan.

    Parameters
    ----------
    iou : array_like, shape (M, N)
        IoU of M ground truths with N anchors.

    Returns
    -------
    numpy.ndarray, shape (N,), int64
        The gt matched to each anchor, or ``UNMATCHED`` (-1).

    Examples
    --------
    >>> bipartite_match(np.array([[0.5, 0.5], [0.5, 0.2]], np.float32))
    array([0, 1])
    >>> bipartite_match(np.zeros((3, 0), np.float32))
    array([], dtype=int64)
    """
    iou = _check_iou("bipartite_match", iou)
    num_gt, num_anchors = iou.shape
    match = np.full(num_anchors, UNMATCHED, np.int64)
    if num_anchors == 0 or num_gt == 0:
        return match
    best = iou.max(axis=1)
    best_anchor = iou.argmax(axis=1)
    good = best > BIPARTITE_MIN_IOU
    wanted = np.sort(best_anchor[good])
    if not (wanted[1:] == wanted[:-1]).any():
        # no two gts want the same anchor: the greedy order cannot change any pair
        match[best_anchor[good]] = np.flatnonzero(good)
        return match
    open_gt = np.ones(num_gt, bool)
    taken = []
    for _ in range(min(num_gt, num_anchors)):
        scores = np.where(open_gt, best, -np.inf)
        top = scores.max()
        if not top > BIPARTITE_MIN_IOU:
            break
        tied = np.flatnonzero(scores == top)
        gt = tied[np.argmin(best_anchor[tied])]  # lowest anchor, then lowest gt
        anchor = best_anchor[gt]
        match[anchor] = gt
        open_gt[gt] = False
        taken.append(anchor)
        stale = np.flatnonzero(open_gt & (best_anchor == anchor))
        if stale.size:
            rows = iou[stale]
            rows[:, taken] = _TAKEN
            best[stale], best_anchor[stale] = rows.max(axis=1), rows.argmax(axis=1)
    return match


def match_anchors(iou, overlap_threshold=0.5):
    """Both MultiBoxTarget matching stages for one image.

    Parameters
    ----------
    iou : array_like, shape (M, N)
        IoU of M ground truths with N anchors.
    overlap_threshold : float
        Threshold of the second stage; ``<= 0`` disables it as in MXNet.

    Returns
    -------
    matches : numpy.ndarray, shape (N,), int64
        The gt each positive anchor is assigned to, ``UNMATCHED`` (-1) for the others.
    best_iou : numpy.ndarray, shape (N,), float32
        Largest IoU of each anchor over all gts (``-1`` when ``M == 0``); hard-negative mining reads it.

    Examples
    --------
    >>> match_anchors(np.array([[0.3, 0.2, 0.6]], np.float32), 0.25)
    (array([ 0, -1,  0]), array([0.3, 0.2, 0.6], dtype=float32))
    >>> match_anchors(np.zeros((0, 2), np.float32))
    (array([-1, -1]), array([-1., -1.], dtype=float32))
    """
    iou = _check_iou("match_anchors", iou)
    num_gt, num_anchors = iou.shape
    if num_gt == 0:
        return np.full(num_anchors, UNMATCHED, np.int64), np.full(num_anchors, -1, DTYPE)
    matches = bipartite_match(iou)
    best_iou = iou.max(axis=0)
    if overlap_threshold > 0:
        extra = np.flatnonzero((matches == UNMATCHED) & (best_iou > DTYPE(overlap_threshold)))
        matches[extra] = iou[:, extra].argmax(axis=0)  # first maximum, as MXNet's strict '>' scan
    return matches, best_iou
