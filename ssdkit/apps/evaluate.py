"""Detections of a zoo model on batches, and the detection metrics over a validation set (VOC07 and VOC
area mAP at IoU 0.5, and the 12 COCO box numbers).

Boxes are normalized corners in the models; the metrics see them in pixels — of the original images when
the source knows their (common) size (``batches.image_size``, e.g. 256 for the pikachu set), else of the
network input (``data_shape``) — because the VOC metrics count inclusive pixels (GluonCV adds 1 to
``xmax``/``ymax``, which would swamp boxes in [0, 1]) and COCO's area ranges are in pixels.

Examples
--------
>>> import ssdkit as mx
>>> from ssdkit.model_zoo import get_model
>>> net = get_model('toyssd'); net.initialize()
>>> ids, scores, boxes = predict(net, mx.nd.zeros((2, 3, 64, 64)), post_nms=5)
>>> ids.shape, scores.shape, boxes.shape
((2, 5), (2, 5), (2, 5, 4))
"""
import numpy as np

from .. import autograd
from ..base import MXNetError
from ..metric import COCO_STAT_NAMES, VOC07MApMetric, VOCMApMetric, coco_eval
from ..model_zoo import toyssd_detect

__all__ = ["predict", "evaluate", "format_table", "dropped_note", "DEFAULT_NMS"]

#: GluonCV's SSD inference defaults: NMS IoU, boxes entering NMS, boxes kept per image.
DEFAULT_NMS = {"nms_thresh": 0.45, "nms_topk": 400, "post_nms": 100}
_LABEL_ID, _LABEL_BOX, _LABEL_DIFFICULT = 0, slice(1, 5), 5


def predict(net, data, nms_thresh=0.45, nms_topk=400, post_nms=100):
    """Run ``net`` in predict mode on a batch and return its detections, best first.

    Parameters
    ----------
    net : Block
        A ToySSD-like model (outputs anchors, class scores, box offsets, decoded here with MultiBoxDetection)
        or an SSD-like one (outputs ids, scores, boxes in predict mode) — including their exported SymbolBlocks.
    data : NDArray, (B, 3, H, W)
    nms_thresh, nms_topk, post_nms
        As :meth:`ssdkit.model_zoo.SSD.set_nms`.

    Returns
    -------
    ids : numpy.ndarray, (B, K) float32
        Class ids, ``-1`` for empty rows.
    scores : numpy.ndarray, (B, K) float32
    boxes : numpy.ndarray, (B, K, 4) float32
        Normalized corners.

    Examples
    --------
    >>> import ssdkit as mx
    >>> from ssdkit.model_zoo import get_model
    >>> net = get_model('ssd_256_tinyvgg_pikachu'); net.initialize()
    >>> [a.shape for a in predict(net, mx.nd.zeros((1, 3, 64, 64)), post_nms=3)]
    [(1, 3), (1, 3), (1, 3, 4)]
    """
    # an untrained net may predict huge offsets: their boxes overflow to inf and simply never match
    with autograd.predict_mode(), np.errstate(over="ignore", invalid="ignore"):
        if hasattr(net, "set_nms"):
            net.set_nms(nms_thresh=nms_thresh, nms_topk=nms_topk, post_nms=post_nms)
        outputs = net(data)
        if len(outputs) != 3:
            raise MXNetError(f"predict: expected a detector with 3 outputs, got {len(outputs)}")
        if outputs[1].ndim == 3 and outputs[1].shape[-1] == 1:   # (ids, scores, boxes): decoded in the model
            ids, scores, boxes = (o.asnumpy() for o in outputs)
            return ids[..., 0], scores[..., 0], boxes
        rows = toyssd_detect(*outputs, nms_thresh=nms_thresh, nms_topk=nms_topk).asnumpy()
        rows = rows[:, :post_nms] if post_nms > 0 else rows
        return rows[..., 0], rows[..., 1], rows[..., 2:6]


def _coco_documents(records, num_classes):
    """COCO ground-truth dict and result list from per-image (gt rows, gt pixel boxes, ids, scores, pixel boxes)."""
    def xywh(box):
        x0, y0, x1, y1 = (float(v) for v in box)
        return [x0, y0, x1 - x0, y1 - y0]
    images, annotations, results = [], [], []
    for image_id, (gt, gt_boxes, ids, scores, boxes) in enumerate(records):
        images.append({"id": image_id})
        for row, box in zip(gt, gt_boxes):
            bbox = xywh(box)
            crowd = int(row[_LABEL_DIFFICULT] > 0) if len(row) > _LABEL_DIFFICULT else 0
            annotations.append({"id": len(annotations) + 1, "image_id": image_id, "category_id": int(row[0]),
                                "bbox": bbox, "area": bbox[2] * bbox[3], "iscrowd": crowd})
        for cls, score, box in zip(ids, scores, boxes):
            if cls >= 0:
                results.append({"image_id": image_id, "category_id": int(cls), "bbox": xywh(box),
                                "score": float(score)})
    categories = [{"id": c} for c in range(num_classes)]
    return {"images": images, "annotations": annotations, "categories": categories}, results


def evaluate(net, batches, classes, data_shape, coco=False, progress=None, **nms):
    """VOC07 (11-point) and VOC (area) mAP at IoU 0.5, optionally the 12 COCO numbers, over ``batches``.

    Parameters
    ----------
    net : Block
        As :func:`predict`.
    batches : RecordBatches or DatasetBatches
        A validation source (its ``epoch(0)`` yields every image once; ``pad`` images are dropped).
    classes : list of str
    data_shape : int
        Input side in pixels: the scale of the boxes the metrics compare, unless ``batches.image_size`` is set.
    coco : bool
        Also compute the COCO numbers.
    progress : callable, optional
        Wraps the batch iterator (e.g. a tqdm factory).
    **nms
        ``nms_thresh``, ``nms_topk``, ``post_nms`` (default :data:`DEFAULT_NMS`).

    Returns
    -------
    dict
        ``voc07_map``, ``voc_map``, per-class ``voc07_ap`` dict, ``num_images`` (images scored),
        ``num_dropped`` (images of the source that were not scored: ``batches.num_images`` minus
        ``num_images``, when the source knows its size), ``dropped_reasons`` (why, from ``batches.skipped``,
        e.g. ``'no valid object'`` for images whose every box is empty) and, with ``coco``, ``coco``
        (name -> value, names in ``COCO_STAT_NAMES``).

    Examples
    --------
    >>> import ssdkit as mx
    >>> from ssdkit.model_zoo import get_model
    >>> class OneBatch:       # a validation source: one image whose object is exactly predicted below
    ...     def epoch(self, epoch):
    ...         yield 0, mx.nd.zeros((1, 3, 32, 32)), mx.nd.array([[[0, .25, .25, .75, .75]]]), 0
    >>> class Oracle(mx.gluon.Block):
    ...     def forward(self, x):
    ...         return mx.nd.array([[[0]]]), mx.nd.array([[[0.9]]]), mx.nd.array([[[.25, .25, .75, .75]]])
    >>> result = evaluate(Oracle(), OneBatch(), ['pikachu'], 32, coco=True)
    >>> result['voc07_map'], result['coco']['AP50']
    (1.0, 1.0)
    """
    nms = dict(DEFAULT_NMS, **nms)
    scale = getattr(batches, "image_size", None) or data_shape
    voc07, voc = VOC07MApMetric(0.5, list(classes)), VOCMApMetric(0.5, list(classes))
    records, count = [], 0
    iterator = batches.epoch(0)
    for _, data, label, pad in (progress(iterator) if progress else iterator):
        ids, scores, boxes = predict(net, data, **nms)
        label = label.asnumpy()
        keep = len(label) - pad
        ids, scores, label = ids[:keep], scores[:keep], label[:keep]
        boxes, gt_boxes = boxes[:keep] * scale, label[..., _LABEL_BOX] * scale
        difficult = label[..., _LABEL_DIFFICULT] if label.shape[-1] > _LABEL_DIFFICULT else None
        for metric in (voc07, voc):
            metric.update(boxes, ids, scores, gt_boxes, label[..., _LABEL_ID], difficult)
        if coco:
            records.extend((lab[lab[:, 0] >= 0], g[lab[:, 0] >= 0], i, s, b)
                           for lab, g, i, s, b in zip(label, gt_boxes, ids, scores, boxes))
        count += keep
    names07, values07 = voc07.get()
    result = {"voc07_map": float(values07[-1]), "voc_map": float(voc.get()[1][-1]), "num_images": count,
              "voc07_ap": {n: float(v) for n, v in zip(names07[:-1], values07[:-1])},
              "num_dropped": max(int(getattr(batches, "num_images", count)) - count, 0),
              "dropped_reasons": sorted(getattr(batches, "skipped", None) or {})}
    if coco:
        gt, dt = _coco_documents(records, len(classes))
        result["coco"] = dict(zip(COCO_STAT_NAMES, (float(v) for v in coco_eval(gt, dt))))
    return result


def dropped_note(result):
    """A sentence on the images :func:`evaluate` left out, or None when every image was scored.

    Examples
    --------
    >>> dropped_note({"num_images": 3, "num_dropped": 1, "dropped_reasons": ["no valid object"]})
    'dropped 1 of 4 images (no valid object): they are not in the metrics'
    """
    total = result.get("num_dropped") or 0
    if not total:
        return None
    reasons = ", ".join(result.get("dropped_reasons") or []) or "unreadable or without a valid object"
    return f"dropped {total} of {result['num_images'] + total} images ({reasons}): they are not in the metrics"


def format_table(result):
    """The metrics of :func:`evaluate` as an aligned two-column text table.

    Examples
    --------
    >>> print(format_table({"voc07_map": 0.5, "voc_map": 0.25, "num_images": 3, "voc07_ap": {"a": 0.5}}))
    metric          value
    VOC07 mAP@0.5  0.5000
    VOC mAP@0.5    0.2500
      AP07 a       0.5000
    images              3
    """
    rows = [("VOC07 mAP@0.5", f"{result['voc07_map']:.4f}"), ("VOC mAP@0.5", f"{result['voc_map']:.4f}")]
    rows += [(f"  AP07 {name}", f"{value:.4f}") for name, value in result["voc07_ap"].items()]
    rows += [(f"COCO {name}", f"{value:.4f}") for name, value in result.get("coco", {}).items()]
    rows.append(("images", str(result["num_images"])))
    if result.get("num_dropped"):
        rows.append(("images dropped", str(result["num_dropped"])))
    width = max(len(name) for name, _ in rows) + 1
    lines = [f"{'metric':<{width}}{'value':>6}"] + [f"{name:<{width}}{value:>6}" for name, value in rows]
    return "\n".join(lines)

