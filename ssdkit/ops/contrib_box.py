"""MXNet's SSD contrib operators, thin registry wrappers over :mod:`ssdkit.boxes` (one implementation).

``_contrib_MultiBoxPrior``, ``_contrib_MultiBoxTarget``, ``_contrib_MultiBoxDetection`` and
``_contrib_box_iou`` pass zero gradients back, as MXNet 1.9.1 does; ``_contrib_box_nms`` routes each
output row's gradient to the input row it came from (MXNet's ``_backward_contrib_box_nms``).

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("_contrib_MultiBoxPrior")
>>> p = op.parse_params({"sizes": "(0.5,)", "ratios": "(1, 2)"})
>>> op.infer_shape(p, [(1, 3, 2, 2)])[1]
[(1, 8, 4)]
>>> (anchors,), _ = op.forward(p, [np.zeros((1, 3, 2, 2), np.float32)], False)
>>> anchors[0, 0].tolist()
[0.0, 0.0, 0.5, 0.5]
"""
import functools

import numpy as np

from .. import boxes
from ..base import ShapeError
from .registry import Op, Param, register

__all__ = []

_VARIANCES = Param("floats", boxes.DEFAULT_VARIANCES)
_FORMAT = Param("str", "corner", boxes.BOX_FORMATS)


def _zero_grads(saved):
    """Zero gradients for inputs of the given shapes/dtypes (MXNet's answer for these ops)."""
    return [np.zeros(shape, dtype) for shape, dtype in saved]


def _input_specs(inputs):
    return [(x.shape, x.dtype) for x in inputs]


def _need_ndim(op, operand, shape, ndim, layout):
    if len(shape) != ndim:
        raise ShapeError(f"{op}: {operand} must have shape {layout}, got {tuple(shape)}")


#: Anchor sets kept by MultiBoxPrior (a copy is handed out per call: one image's inference no longer
#: recomputes ToySSD's five sets, 0.3 ms of 25).
PRIOR_CACHE_SIZE = 64


@functools.lru_cache(maxsize=PRIOR_CACHE_SIZE)
def _prior(height, width, sizes, ratios, clip, steps, offsets, dtype):
    """The anchors of one map size and parameter set (they depend on nothing else), made once; callers copy."""
    return boxes.multibox_prior(height, width, sizes, ratios, clip, steps, offsets).astype(dtype)


@register(aliases=("_npx_multibox_prior",))
class _contrib_MultiBoxPrior(Op):
    """Anchor boxes of a feature map: see :func:`ssdkit.boxes.multibox_prior`."""
    name = "_contrib_MultiBoxPrior"
    hint = "multiboxprior"
    differentiable = False
    params = {"sizes": Param("floats", (1.0,)), "ratios": Param("floats", (1.0,)), "clip": Param("bool", False),
              "steps": Param("floats", (-1.0, -1.0)), "offsets": Param("floats", (0.5, 0.5))}

    def infer_shape(self, p, shapes):
        data = shapes[0]
        if data is None:
            return shapes, [None]
        if len(data) < 4:
            raise ShapeError(f"MultiBoxPrior: data must be (batch, channel, height, width), got {tuple(data)}")
        return shapes, [(1, data[2] * data[3] * (len(p.sizes) + len(p.ratios) - 1), 4)]

    def forward(self, p, inputs, is_train):
        data = inputs[0]
        anchors = _prior(data.shape[2], data.shape[3], tuple(p.sizes), tuple(p.ratios), p.clip, tuple(p.steps),
                         tuple(p.offsets), data.dtype)
        return [anchors.copy()], _input_specs(inputs)      # a copy: callers may write to their output

    def backward(self, p, saved, out_grads):
        return _zero_grads(saved)


@register(aliases=("_npx_multibox_target",))
class _contrib_MultiBoxTarget(Op):
    """SSD training targets: see :func:`ssdkit.boxes.multibox_target`."""
    name = "_contrib_MultiBoxTarget"
    hint = "multiboxtarget"
    differentiable = False
    inputs = ("anchor", "label", "cls_pred")
    num_outputs = 3
    params = {"overlap_threshold": Param("float", 0.5), "ignore_label": Param("float", -1.0),
              "negative_mining_ratio": Param("float", -1.0), "negative_mining_thresh": Param("float", 0.5),
              "minimum_negative_samples": Param("int", 0), "variances": _VARIANCES}

    def output_names(self, p):
        return ["loc_target", "loc_mask", "cls_target"]

    def infer_shape(self, p, shapes):
        anchor, label, cls_pred = shapes
        if anchor is None or label is None:
            return shapes, [None] * 3
        op = "MultiBoxTarget"
        _need_ndim(op, "anchor", anchor, 3, "(1, N, 4)")
        _need_ndim(op, "label", label, 3, "(B, M, >=5)")
        if anchor[0] != 1 or anchor[2] != 4:
            raise ShapeError(f"{op}: anchor must have shape (1, N, 4), got {tuple(anchor)}")
        if label[2] < 5:
            raise ShapeError(f"{op}: label must have shape (B, M, >=5), got {tuple(label)}")
        if cls_pred is not None and (len(cls_pred) != 3 or cls_pred[2] != anchor[1]):
            raise ShapeError(f"{op}: cls_pred must have shape (B, C + 1, N) with N = {anchor[1]} anchors, "
                             f"got {tuple(cls_pred)}")
        loc = (label[0], anchor[1] * 4)
        return shapes, [loc, loc, (label[0], anchor[1])]

    def forward(self, p, inputs, is_train):
        outs = boxes.multibox_target(*inputs, p.overlap_threshold, p.ignore_label, p.negative_mining_ratio,
                                     p.negative_mining_thresh, p.minimum_negative_samples, p.variances)
        return [o.astype(inputs[0].dtype, copy=False) for o in outs], _input_specs(inputs)

    def backward(self, p, saved, out_grads):
        return _zero_grads(saved)


@register(aliases=("_npx_multibox_detection",))
class _contrib_MultiBoxDetection(Op):
    """Detections from SSD outputs: see :func:`ssdkit.boxes.multibox_detection`."""
    name = "_contrib_MultiBoxDetection"
    hint = "multiboxdetection"
    differentiable = False
    inputs = ("cls_prob", "loc_pred", "anchor")
    params = {"clip": Param("bool", True), "threshold": Param("float", 0.01), "background_id": Param("int", 0),
              "nms_threshold": Param("float", 0.5), "force_suppress": Param("bool", False),
              "variances": _VARIANCES, "nms_topk": Param("int", -1)}

    def infer_shape(self, p, shapes):
        cls_prob, loc_pred, anchor = shapes
        if cls_prob is None:
            return shapes, [None]
        op = "MultiBoxDetection"
        _need_ndim(op, "cls_prob", cls_prob, 3, "(B, C + 1, N)")
        num = cls_prob[2]
        if anchor is not None and (len(anchor) != 3 or anchor[1] != num or anchor[2] != 4):
            raise ShapeError(f"{op}: anchor must have shape (1, N, 4) with N = {num} (cls_prob {tuple(cls_prob)}), "
                             f"got {tuple(anchor)}")
        if loc_pred is not None and (len(loc_pred) != 2 or loc_pred[1] != 4 * num):
            raise ShapeError(f"{op}: loc_pred must have shape (B, 4 * N) = (B, {4 * num}) for cls_prob "
                             f"{tuple(cls_prob)}, got {tuple(loc_pred)}")
        return shapes, [(cls_prob[0], num, 6)]

    def forward(self, p, inputs, is_train):
        out = boxes.multibox_detection(*inputs, p.clip, p.threshold, p.background_id, p.nms_threshold,
                                       p.force_suppress, p.variances, p.nms_topk)
        return [out.astype(inputs[0].dtype, copy=False)], _input_specs(inputs)

    def backward(self, p, saved, out_grads):
        return _zero_grads(saved)


@register
class _contrib_box_nms(Op):
    """Non-maximum suppression: see :func:`ssdkit.boxes.box_nms`; the gradient follows the kept rows."""
    name = "_contrib_box_nms"
    hint = "box_nms"
    hidden_outputs = 1  # MXNet's index record used by the backward pass
    params = {"overlap_thresh": Param("float", 0.5), "valid_thresh": Param("float", 0.0),
              "topk": Param("int", -1), "coord_start": Param("int", 2), "score_index": Param("int", 1),
              "id_index": Param("int", -1), "background_id": Param("int", -1),
              "force_suppress": Param("bool", False), "in_format": _FORMAT, "out_format": _FORMAT}

    def infer_shape(self, p, shapes):
        data = shapes[0]
        if data is None:
            return shapes, [None]
        if len(data) < 2:
            raise ShapeError(f"box_nms: data must have shape (..., num_box, box_width), got {tuple(data)}")
        return shapes, [tuple(data)]

    def forward(self, p, inputs, is_train):
        data = inputs[0]
        out, rows = boxes.box_nms(data, p.overlap_thresh, p.valid_thresh, p.topk, p.coord_start, p.score_index,
                                  p.id_index, p.background_id, p.force_suppress, p.in_format, p.out_format,
                                  return_indices=True)
        return [out.astype(data.dtype, copy=False)], (rows, data.dtype)

    def backward(self, p, saved, out_grads):
        rows, dtype = saved
        width = out_grads[0].shape[-1]
        grad_out = out_grads[0].reshape(-1, rows.shape[-1], width)
        flat_rows = rows.reshape(-1, rows.shape[-1])
        grad = np.zeros_like(grad_out, dtype=dtype)
        image, slot = np.nonzero(flat_rows >= 0)
        grad[image, flat_rows[image, slot]] = grad_out[image, slot]
        return [grad.reshape(out_grads[0].shape)]


@register(aliases=("_npx_box_iou",))
class _contrib_box_iou(Op):
    """Pairwise IoU: see :func:`ssdkit.boxes.box_iou`."""
    name = "_contrib_box_iou"
    hint = "box_iou"
    differentiable = False
    inputs = ("lhs", "rhs")
    params = {"format": _FORMAT}

    def infer_shape(self, p, shapes):
        lhs, rhs = shapes
        if lhs is None or rhs is None:
            return shapes, [None]
        for operand, shape in (("lhs", lhs), ("rhs", rhs)):
            if len(shape) < 2 or shape[-1] != 4:
                raise ShapeError(f"box_iou: {operand} must have shape (..., 4) with at least 2 dimensions, "
                                 f"got {tuple(shape)}")
        return shapes, [tuple(lhs[:-1]) + tuple(rhs[:-1])]

    def forward(self, p, inputs, is_train):
        out = boxes.box_iou(inputs[0], inputs[1], p.format)
        return [out.astype(inputs[0].dtype, copy=False)], _input_specs(inputs)

    def backward(self, p, saved, out_grads):
        return _zero_grads(saved)
