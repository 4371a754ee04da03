"""The SSD training objective: anchor targets (:class:`SSDTargetGenerator`) and the multibox loss with
hard-negative mining (:class:`SSDMultiBoxLoss`), with GluonCV's semantics on ssdkit's conventions (corner
anchors and boxes normalized to [0, 1], labels ``[cls, xmin, ymin, xmax, ymax]`` padded with ``-1``).

Examples
--------
>>> import ssdkit as mx
>>> anchors = mx.nd.array([[[0., 0., .5, .5], [.5, .5, 1., 1.]]])
>>> labels = mx.nd.array([[[0, 0., 0., .5, .5]]])
>>> cls_t, box_t, mask = SSDTargetGenerator()(anchors, labels)
>>> cls_t.asnumpy().tolist()
[[1.0, 0.0]]
>>> cls_pred = mx.nd.zeros((1, 2, 2)); box_pred = mx.nd.zeros((1, 2, 4))
>>> total, cls_l, box_l = SSDMultiBoxLoss()(cls_pred, box_pred, cls_t, box_t)
>>> round(float(cls_l[0].asscalar()), 4), float(box_l[0].asscalar())
(1.3863, 0.0)
"""
import numpy as np

from .. import ndarray as nd
from ..base import MXNetError
from ..boxes import DEFAULT_VARIANCES, multibox_target
from ..gluon import Block
from ..gluon.loss import Loss

__all__ = ["SSDMultiBoxLoss", "SSDTargetGenerator", "SmoothL1Loss", "LABEL_WIDTH"]

#: ``[cls, xmin, ymin, xmax, ymax]``: the label row every SSD helper here reads.
LABEL_WIDTH = 5
BACKGROUND = 0


def _as_list(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


class SSDTargetGenerator:
    """Training targets of every anchor: match ground truths (bipartite, then IoU above ``iou_thresh``) and
    encode the matched boxes as center offsets divided by ``stds``. Unmatched anchors are background;
    hard-negative selection is left to :class:`SSDMultiBoxLoss` (GluonCV's split of the work).

    The matching and encoding are ``ssdkit.boxes.multibox_target``, the function behind
    ``nd.contrib.MultiBoxTarget``.

    Parameters
    ----------
    iou_thresh : float, default 0.5
    stds : 4 floats, default (0.1, 0.1, 0.2, 0.2)

    Call Parameters
    ---------------
    anchors : NDArray or numpy array, shape (1, N, 4)
        Corner anchors normalized to [0, 1].
    labels : NDArray or numpy array, shape (B, M, 5+)
        ``[cls, xmin, ymin, xmax, ymax]`` rows (normalized corners), padding rows have ``cls = -1``.

    Returns
    -------
    cls_targets : NDArray, shape (B, N)
        ``cls + 1`` for positive anchors, 0 for background.
    box_targets : NDArray, shape (B, N, 4)
        Encoded offsets, zero for background anchors.
    box_masks : NDArray, shape (B, N, 4)
        1 for positive anchors.

    Examples
    --------
    >>> gen = SSDTargetGenerator()
    >>> anchors = np.array([[[0., 0., .5, .5], [0., 0., .6, .5]]], np.float32)
    >>> c, b, m = gen(anchors, np.array([[[2, 0., 0., .5, .5], [-1, -1, -1, -1, -1]]], np.float32))
    >>> c.asnumpy().tolist(), m.asnumpy()[0, :, 0].tolist()
    ([[3.0, 3.0]], [1.0, 1.0])
    """

    def __init__(self, iou_thresh=0.5, stds=DEFAULT_VARIANCES):
        if len(tuple(stds)) != 4:
            raise MXNetError(f"SSDTargetGenerator: stds must have 4 values, got {stds!r}")
        self._iou_thresh = float(iou_thresh)
        self._stds = tuple(float(s) for s in stds)

    def __call__(self, anchors, labels):
        anchors = anchors.asnumpy() if hasattr(anchors, "asnumpy") else np.asarray(anchors, np.float32)
        labels = labels.asnumpy() if hasattr(labels, "asnumpy") else np.asarray(labels, np.float32)
        if labels.ndim != 3 or labels.shape[2] < LABEL_WIDTH:
            raise MXNetError(f"SSDTargetGenerator: labels must be (B, M, 5+) [cls, xmin, ymin, xmax, ymax], "
                             f"got shape {labels.shape}")
        batch, num_anchors = labels.shape[0], anchors.shape[-2] if anchors.ndim >= 2 else 0
        # class scores only matter for MultiBoxTarget's own mining, which stays off here
        dummy_scores = np.zeros((batch, 2, num_anchors), np.float32)
        box_t, box_m, cls_t = multibox_target(anchors, labels, dummy_scores, overlap_threshold=self._iou_thresh,
                                              negative_mining_ratio=-1, variances=self._stds)
        shape = (batch, num_anchors, 4)
        return nd.array(cls_t), nd.array(box_t.reshape(shape)), nd.array(box_m.reshape(shape))


class SSDMultiBoxLoss(Block):
    r"""SSD loss: softmax cross-entropy on positives and the hardest negatives, smooth-L1 on positive boxes,
    both divided by the number of positives in the whole batch (all devices).

    Per image, non-positive anchors are ranked by their cross-entropy; the top
    ``negative_mining_ratio * num_positive`` of them count as negatives. The box loss is the smooth-L1
    (Huber) with transition ``rho``: ``|d| - rho / 2`` above ``rho``, ``d**2 / (2 rho)`` below.
    ``sum_loss = cls_loss + lambd * box_loss``.

    Parameters
    ----------
    negative_mining_ratio : float, default 3
    rho : float, default 1.0
    lambd : float, default 1.0

    Call Parameters
    ---------------
    cls_pred : NDArray or list of NDArray (one per device), shape (B, N, C + 1)
        Class logits.
    box_pred : NDArray or list, shape (B, N, 4) (or any shape with ``B * N * 4`` elements per batch)
    cls_target : NDArray or list, shape (B, N)
        0 background, ``> 0`` positive (class + 1), ``< 0`` ignored.
    box_target : NDArray or list, shape (B, N, 4)

    Returns
    -------
    sum_loss, cls_loss, box_loss : lists of NDArray, one per device, each of shape (B,)
        When the batch has no positive anchor: per device a zero of shape (1,) computed from the
        predictions (``sum(pred * 0)``), so ``backward`` still runs and gives zero gradients.

    Examples
    --------
    >>> import ssdkit as mx
    >>> loss = SSDMultiBoxLoss(negative_mining_ratio=1)
    >>> cls_pred = mx.nd.array([[[0., 2.], [0., 1.], [0., 3.]]])     # anchor 2: the hardest negative
    >>> total, c, b = loss(cls_pred, mx.nd.zeros((1, 3, 4)), mx.nd.array([[1, 0, 0]]), mx.nd.zeros((1, 3, 4)))
    >>> round(float(c[0].asscalar()), 4)       # -log softmax(2)[1] - log softmax(3)[0]
    3.1755
    """

    def __init__(self, negative_mining_ratio=3, rho=1.0, lambd=1.0, **kwargs):
        super().__init__(**kwargs)
        self._negative_mining_ratio = max(0.0, float(negative_mining_ratio))
        if rho <= 0:
            raise MXNetError(f"SSDMultiBoxLoss: rho must be > 0, got {rho}")
        self._rho = float(rho)
        self._lambd = float(lambd)

    def forward(self, cls_pred, box_pred, cls_target, box_target):
        cls_pred, box_pred, cls_target, box_target = (_as_list(x) for x in (cls_pred, box_pred, cls_target,
                                                                              box_target))
        if not len(cls_pred) == len(box_pred) == len(cls_target) == len(box_target):
            raise MXNetError(f"SSDMultiBoxLoss: expected one array per device in every input, got "
                             f"{len(cls_pred)}, {len(box_pred)}, {len(cls_target)}, {len(box_target)}")
        for cp, ct in zip(cls_pred, cls_target):
            if cp.ndim != 3 or tuple(ct.shape) != tuple(cp.shape[:2]):
                raise MXNetError(f"SSDMultiBoxLoss: cls_pred must be (B, N, C+1) and cls_target (B, N), got "
                                 f"{cp.shape} and {ct.shape}")
        # the normalizer counts positives over every device, like GluonCV's cross-device reduction
        num_pos_all = sum(float((ct > BACKGROUND).sum().asscalar()) for ct in cls_target)
        if num_pos_all < 1:
            # zeros computed from the predictions (GluonCV's dummy losses), so that backward reaches the
            # network and a background-only batch trains instead of failing "heads were not computed"
            cls_losses = [nd.sum(cp * 0) for cp in cls_pred]
            box_losses = [nd.sum(bp * 0) for bp in box_pred]
            sum_losses = [c + b for c, b in zip(cls_losses, box_losses)]
            return sum_losses, cls_losses, box_losses
        sum_losses, cls_losses, box_losses = [], [], []
        for cp, bp, ct, bt in zip(cls_pred, box_pred, cls_target, box_target):
            pos = ct > BACKGROUND
            ce = -nd.pick(nd.log_softmax(cp, axis=-1), ct, axis=-1, keepdims=False)
            # rank the non-positive anchors by loss (largest first); positives get key 0 and rank behind them
            rank = (ce * (pos - 1)).argsort(axis=1).argsort(axis=1)
            num_neg = (pos.sum(axis=1) * self._negative_mining_ratio).expand_dims(-1)
            hard_negative = rank < num_neg
            keep = ((pos + hard_negative) > 0) * (ct >= BACKGROUND)
            cls_loss = nd.where(keep, ce, nd.zeros_like(ce))
            cls_losses.append(nd.sum(cls_loss, axis=0, exclude=True) / num_pos_all)

            diff = nd.abs(bp.reshape(bt.shape) - bt)
            box_loss = nd.where(diff > self._rho, diff - 0.5 * self._rho, (0.5 / self._rho) * nd.square(diff))
            box_loss = box_loss * pos.expand_dims(axis=-1)
            box_losses.append(nd.sum(box_loss, axis=0, exclude=True) / num_pos_all)
            sum_losses.append(cls_losses[-1] + self._lambd * box_losses[-1])
        return sum_losses, cls_losses, box_losses


class SmoothL1Loss(Loss):
    """The straight-dope notebook's masked box loss: ``smooth_l1((pred - target) * mask, scalar=1)`` averaged
    over every axis but the batch axis.

    Parameters
    ----------
    batch_axis : int, default 0

    Call Parameters
    ---------------
    output, label, mask : NDArray, same shape, e.g. (B, 4 * N)

    Returns
    -------
    NDArray, shape (B,)

    Examples
    --------
    >>> import ssdkit as mx
    >>> SmoothL1Loss()
    SmoothL1Loss(batch_axis=0, w=None)
    >>> SmoothL1Loss()(mx.nd.array([[0.5, 3.0]]), mx.nd.zeros((1, 2)), mx.nd.array([[1, 1]])).asnumpy()
    array([1.3125], dtype=float32)
    """

    def __init__(self, batch_axis=0, **kwargs):
        super().__init__(None, batch_axis, **kwargs)

    def hybrid_forward(self, F, output, label, mask):
        loss = F.smooth_l1((output - label) * mask, scalar=1.0)
        return F.mean(loss, axis=self._batch_axis, exclude=True)
