"""Region proposals of a Faster R-CNN RPN: ``_contrib_Proposal`` (one image) and ``_contrib_MultiProposal``
(a batch), as MXNet 1.9.1 computes them on the CPU.

Per image: anchors of ``len(ratios) * len(scales)`` shapes (ratios outer, scales inner) around each cell of a
``feature_stride`` grid; the foreground scores are the second half of ``cls_prob``'s channels; each anchor is
moved by its ``bbox_pred`` deltas (centre/size deltas, or corner offsets with ``iou_loss``) and clipped to
the image ``im_info = [height, width, scale]``. Cells beyond the image (``cell >= int(size / stride)``) and
boxes narrower or shorter than ``rpn_min_size * scale`` get score -1 (the small ones are also widened by
half that size on each side, as MXNet does). The ``rpn_pre_nms_top_n`` best (stable sort) go through greedy
NMS (``+1`` pixel areas, IoU ``> threshold`` suppresses) until ``rpn_post_nms_top_n`` are kept. When fewer
survive, the output repeats the kept boxes in order (row ``i`` is kept box ``i % kept``) — MXNet's padding.

Output: rois ``(N * post, 5)`` ``[batch_index, x1, y1, x2, y2]`` and, with ``output_score``, the scores
``(N * post, 1)``. MXNet computes these in float32 only. No gradient flows: MXNet's backward writes zeros
to every input, and so does ssdkit's (autograd and the executor both get zero gradients).

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("_contrib_Proposal")
>>> p = op.parse_params({"scales": (1,), "ratios": (1,), "feature_stride": 4, "rpn_min_size": 1,
...                      "rpn_post_nms_top_n": 3})
>>> cls_prob = np.array([0.9, 0.8, 0.1, 0.2], np.float32).reshape(1, 2, 1, 2)
>>> rois, = op.forward(p, [cls_prob, np.zeros((1, 4, 1, 2), np.float32),
...                        np.array([[4, 8, 1]], np.float32)], False)[0]
>>> rois.tolist()
[[0.0, 4.0, 0.0, 7.0, 3.0], [0.0, 0.0, 0.0, 3.0, 3.0], [0.0, 4.0, 0.0, 7.0, 3.0]]
"""
import numpy as np

from ..base import MXNetError, ShapeError
from .registry import Op, Param, check_shape, register

__all__ = ["rpn_anchors", "greedy_nms"]

F32 = np.float32
PADDED = F32(-1.0)   # score of a box off the image or below the minimum size


def rpn_anchors(feature_stride, scales, ratios):
    """The ``(len(ratios) * len(scales), 4)`` base anchors ``[x1, y1, x2, y2]`` of the cell at (0, 0),
    centred on the ``feature_stride`` square, ratios outer and scales inner (MXNet's rounding).

    Examples
    --------
    >>> rpn_anchors(16, (8,), (0.5, 1, 2)).tolist()
    [[-84.0, -40.0, 99.0, 55.0], [-56.0, -56.0, 71.0, 71.0], [-36.0, -80.0, 51.0, 95.0]]
    """
    side = F32(feature_stride - 1.0) + F32(1)      # the base anchor is [0, 0, stride - 1, stride - 1]
    centre = F32(0.5 * (np.float64(side) - 1.0))
    ratio = np.repeat(np.asarray(ratios, F32), len(scales))
    scale = np.tile(np.asarray(scales, F32), len(ratios))
    size_ratios = np.floor(side * side / ratio).astype(F32)
    new_w = (np.floor(np.sqrt(size_ratios) + F32(0.5)) * scale).astype(F32)
    new_h = (np.floor(new_w / scale * ratio + F32(0.5)) * scale).astype(F32)
    half_w, half_h = F32(0.5) * (new_w - F32(1)), F32(0.5) * (new_h - F32(1))
    return np.stack([centre - half_w, centre - half_h, centre + half_w, centre + half_h], axis=1).astype(F32)


def _overlaps(boxes, area, a, b):
    """IoU matrix ``(len(a), len(b))`` of the boxes indexed by ``a`` and ``b``, MXNet's float32 formula
    (in place: this is the hot loop of the proposals)."""
    (ax1, ay1, ax2, ay2), (bx1, by1, bx2, by2) = boxes[a].T[:, :, None], boxes[b].T[:, None, :]
    inter = np.minimum(ax2, bx2)
    inter -= np.maximum(ax1, bx1)
    inter += F32(1)
    np.maximum(inter, F32(0), out=inter)
    h = np.minimum(ay2, by2)
    h -= np.maximum(ay1, by1)
    h += F32(1)
    np.maximum(h, F32(0), out=h)
    inter *= h
    union = np.add(area[a][:, None], area[b][None, :])
    union -= inter
    return np.divide(inter, union, out=inter)


def greedy_nms(boxes, threshold, limit, block=256):
    """Indices kept by MXNet's RPN NMS over ``boxes`` ``(n, 4)`` already sorted by score: a box is dropped
    when its IoU (``+1`` pixel areas, float32) with a kept one exceeds ``threshold``; stops at ``limit`` kept.

    Boxes go in blocks of ``block``: one matrix drops those a box kept earlier overlaps, then a short loop
    over the block's own overlap matrix keeps them in order (same result as the box-by-box loop).

    Examples
    --------
    >>> greedy_nms(np.array([[0, 0, 9, 9], [1, 1, 9, 9], [20, 20, 29, 29]], np.float32), 0.7, 10).tolist()
    [0, 2]
    """
    boxes = np.ascontiguousarray(boxes, F32)
    area = (boxes[:, 2] - boxes[:, 0] + F32(1)) * (boxes[:, 3] - boxes[:, 1] + F32(1))
    thresh = F32(threshold)
    keep = []
    for start in range(0, len(boxes), block):
        if len(keep) >= limit:
            break
        chunk = np.arange(start, min(start + block, len(boxes)))
        alive = np.ones(len(chunk), bool)
        if keep:
            alive &= ~(_overlaps(boxes, area, np.asarray(keep), chunk) > thresh).any(axis=0)
        over = _overlaps(boxes, area, chunk, chunk) > thresh
        for i in range(len(chunk)):
            if alive[i]:
                keep.append(int(chunk[i]))
                if len(keep) >= limit:
                    break
                alive[i + 1:] &= ~over[i, i + 1:]
    return np.asarray(keep, np.int64)


def _decode(p, anchors, deltas, info):
    """Shifted anchors moved by ``deltas`` (both ``(H, W, A, 4)``) and clipped to the image, float32."""
    dx, dy, dw, dh = (deltas[..., k] for k in range(4))
    if p.iou_loss:
        pred = [anchors[..., k] + deltas[..., k] for k in range(4)]
    else:
        f64 = np.float64
        width = (anchors[..., 2] - anchors[..., 0]).astype(f64) + 1.0
        height = (anchors[..., 3] - anchors[..., 1]).astype(f64) + 1.0
        ctr_x = (anchors[..., 0] + 0.5 * (width - 1.0)).astype(F32)
        ctr_y = (anchors[..., 1] + 0.5 * (height - 1.0)).astype(F32)
        width, height = width.astype(F32), height.astype(F32)
        pred_x, pred_y = dx * width + ctr_x, dy * height + ctr_y
        half_w = 0.5 * ((np.exp(dw) * width).astype(f64) - 1.0)
        half_h = 0.5 * ((np.exp(dh) * height).astype(f64) - 1.0)
        pred = [pred_x - half_w, pred_y - half_h, pred_x + half_w, pred_y + half_h]
    limits = (info[1] - F32(1), info[0] - F32(1)) * 2
    return np.stack([np.clip(v.astype(F32), None, lim).clip(F32(0)) for v, lim in zip(pred, limits)], axis=-1)


def _one_image(op_name, p, anchors, scores, deltas, info):
    """Rows ``[x1, y1, x2, y2, score]`` of the ``rpn_post_nms_top_n`` proposals of one image."""
    num_anchors, height, width = scores.shape
    stride = p.feature_stride
    real_h, real_w = int(info[0] / F32(stride)), int(info[1] / F32(stride))
    if real_h > height or real_w > width:
        raise MXNetError(f"{op_name}: im_info {info.tolist()} with feature_stride {stride} needs a "
                         f"{real_h}x{real_w} score map, cls_prob has {height}x{width}")
    shift_y, shift_x = np.meshgrid(np.arange(height) * stride, np.arange(width) * stride, indexing="ij")
    shifts = np.stack([shift_x, shift_y, shift_x, shift_y], axis=-1)[:, :, None, :]
    shifted = (anchors + shifts).astype(F32)                                       # (H, W, A, 4)
    boxes = _decode(p, shifted, deltas.reshape(num_anchors, 4, height, width).transpose(2, 3, 0, 1), info)
    score = scores.transpose(1, 2, 0).copy()
    score[real_h:] = PADDED
    score[:, real_w:] = PADDED
    boxes, score = boxes.reshape(-1, 4), score.reshape(-1)
    min_size = F32(F32(p.rpn_min_size) * info[2])
    small = ((boxes[:, 2] - boxes[:, 0] + F32(1)) < min_size) | ((boxes[:, 3] - boxes[:, 1] + F32(1)) < min_size)
    grow = np.where(small, min_size / F32(2), F32(0))[:, None] * np.array([-1, -1, 1, 1], F32)
    boxes = (boxes + grow).astype(F32)
    score[small] = PADDED
    count = len(score)
    pre = min(p.rpn_pre_nms_top_n if p.rpn_pre_nms_top_n > 0 else count, count)
    order = np.argsort(-score, kind="stable")[:pre]
    dets = np.concatenate([boxes[order], score[order, None]], axis=1)
    keep = greedy_nms(dets[:, :4], p.threshold, min(p.rpn_post_nms_top_n, pre))
    if p.rpn_post_nms_top_n == 0:
        return dets[:0]
    return dets[keep[np.arange(p.rpn_post_nms_top_n) % len(keep)]]


class _ProposalBase(Op):
    differentiable = False
    inputs = ("cls_prob", "bbox_pred", "im_info")
    hidden_outputs = 1
    params = {"rpn_pre_nms_top_n": Param("int", 6000), "rpn_post_nms_top_n": Param("int", 300),
              "threshold": Param("float", 0.7), "rpn_min_size": Param("int", 16),
              "scales": Param("floats", (4.0, 8.0, 16.0, 32.0)), "ratios": Param("floats", (0.5, 1.0, 2.0)),
              "feature_stride": Param("int", 16), "output_score": Param("bool", False),
              "iou_loss": Param("bool", False)}
    batched = True

    def output_count(self, p):
        return 2 if p.output_score else 1

    def hidden_count(self, p):
        return 2 - self.output_count(p)

    def output_names(self, p):
        return ["output", "score"][:self.output_count(p)]

    def infer_shape(self, p, shapes):
        cls_prob = shapes[0]
        if cls_prob is None:
            return shapes, [None] * self.output_count(p)
        if len(cls_prob) != 4:
            raise ShapeError(f"{self.name}: cls_prob must be (N, 2 * num_anchors, H, W), got {tuple(cls_prob)}")
        n, channels, height, width = cls_prob
        full = [cls_prob, (n, 2 * channels, height, width), (n, 3)]
        for name, want, got in zip(self.inputs[1:], full[1:], shapes[1:]):
            if got is not None:
                check_shape(self.name, name, want, got, f" (cls_prob {tuple(cls_prob)})")
        rows = n * p.rpn_post_nms_top_n if self.batched else p.rpn_post_nms_top_n   # MXNet's shape rules
        return full, [(rows, 5), (rows, 1)][:self.output_count(p)]

    def forward(self, p, inputs, is_train):
        cls_prob, bbox_pred, im_info = inputs
        self.infer_shape(p, [a.shape for a in inputs])
        anchors = len(p.scales) * len(p.ratios)
        if cls_prob.shape[1] != 2 * anchors:   # MXNet checks this when it runs, not in shape inference
            raise ShapeError(f"{self.name}: cls_prob has {cls_prob.shape[1]} channels, expected 2 * len(scales) * "
                             f"len(ratios) = {2 * anchors} (scales={p.scales}, ratios={p.ratios})")
        if not self.batched and len(cls_prob) != 1:
            raise MXNetError(f"{self.name}: cls_prob batch must be 1 (as MXNet; MultiProposal takes batches), "
                             f"got shape {cls_prob.shape}")
        for name, a in zip(self.inputs, inputs):
            if a.dtype != F32:
                raise MXNetError(f"{self.name}: {name} must be float32 (MXNet computes proposals in float32 "
                                 f"only), got {a.dtype}")
        anchors = rpn_anchors(p.feature_stride, p.scales, p.ratios)
        num_anchors = len(anchors)
        rows = []
        for b in range(len(cls_prob)):
            dets = _one_image(self.name, p, anchors, cls_prob[b, num_anchors:], bbox_pred[b], im_info[b])
            rows.append(np.concatenate([np.full((len(dets), 1), b, F32), dets], axis=1))
        out = np.concatenate(rows).astype(F32) if rows else np.zeros((0, 6), F32)
        return [out[:, :5], out[:, 5:]][:self.output_count(p)], [a.shape for a in inputs]

    def backward(self, p, saved, out_grads):
        return [np.zeros(s, F32) for s in saved]


@register
class _contrib_Proposal(_ProposalBase):
    """RPN proposals of one image (``cls_prob`` batch 1): rois ``(rpn_post_nms_top_n, 5)`` and, with
    ``output_score``, scores ``(rpn_post_nms_top_n, 1)``; see :mod:`ssdkit.ops.proposal`."""
    name = "_contrib_Proposal"
    hint = "proposal"
    batched = False


@register
class _contrib_MultiProposal(_ProposalBase):
    """RPN proposals of a batch: rois ``(N * rpn_post_nms_top_n, 5)`` with the image index in column 0, and
    with ``output_score`` their scores; see :mod:`ssdkit.ops.proposal`."""
    name = "_contrib_MultiProposal"
    hint = "multiproposal"
