"""VOC mAP: hand-computed cases and GluonCV 0.10.5 outputs (tests/data/metric/voc_gluoncv.json, from GluonCV
itself running on MXNet 1.9.1)."""
import json
import math
from pathlib import Path

import numpy as np
import pytest

import ssdkit as mx
from ssdkit.base import ShapeError
from ssdkit.metric import VOCMApMetric, VOC07MApMetric, voc_iou, voc_ap, voc07_ap

DATA = Path(__file__).resolve().parent / "data" / "metric" / "voc_gluoncv.json"
F32 = np.float32


def _batch(*rows):
    """One-image batch from (boxes, labels[, scores]) lists."""
    return [np.array([r], F32) for r in rows]


def _gluoncv_runs():
    for c, case in enumerate(json.loads(DATA.read_text())["cases"]):
        for label, result in case["results"].items():
            yield pytest.param(case["batches"], result, label.startswith("voc07"), id=f"case{c}-{label}")


@pytest.mark.parametrize("batches, result, is07", list(_gluoncv_runs()))
def test_matches_gluoncv(batches, result, is07):
    m = (VOC07MApMetric if is07 else VOCMApMetric)(**result["kwargs"])
    for pred, pred_lab, score, gt, gt_lab, diff in batches:
        m.update(np.array(pred, F32), np.array(pred_lab, F32), np.array(score, F32), np.array(gt, F32),
                 np.array(gt_lab, F32), np.array(diff, F32) if result["use_difficult"] else None)
    names, values = m.get()
    assert names == result["names"]
    np.testing.assert_allclose(np.atleast_1d(values), result["values"], rtol=0, atol=1e-10)


def test_iou_uses_inclusive_pixels():
    # 10x10-pixel boxes overlapping in 5 columns: 50 / (100 + 100 - 50)
    assert voc_iou(np.array([[0, 0, 9, 9]], F32), np.array([[5, 0, 14, 9]], F32))[0, 0] == pytest.approx(1 / 3)
    assert voc_iou(np.array([[0, 0, 9, 9]], F32), np.array([[10, 0, 19, 9]], F32))[0, 0] == 0
    assert voc_iou(np.zeros((0, 4), F32), np.zeros((3, 4), F32)).shape == (0, 3)


def test_iou_exactly_at_threshold_matches():
    # 100 px inside a 200 px detection: IoU exactly 0.5 -> true positive at iou_thresh=0.5, not above it
    gt, gt_lab = _batch([[0, 0, 9, 9]], [0])
    det, det_lab, score = _batch([[0, 0, 9, 19]], [0], [0.9])
    at = VOCMApMetric(iou_thresh=0.5)
    at.update(det, det_lab, score, gt, gt_lab)
    above = VOCMApMetric(iou_thresh=0.51)
    above.update(det, det_lab, score, gt, gt_lab)
    assert (at.get()[1], above.get()[1]) == (1.0, 0.0)


def test_duplicates_and_false_positives_by_hand():
    # gt: A, B. detections by score: on A (TP), on A again (FP), nowhere (FP), on B (TP)
    gt, gt_lab = _batch([[0, 0, 9, 9], [50, 50, 59, 59]], [1, 1])
    det, det_lab, score = _batch([[0, 0, 9, 9], [1, 0, 9, 9], [90, 90, 99, 99], [50, 50, 59, 59]],
                                 [1, 1, 1, 1], [0.9, 0.8, 0.7, 0.6])
    m = VOCMApMetric(class_names=["bg", "obj"])
    m.update(det, det_lab, score, gt, gt_lab)
    # recall 0.5 at precision 1, then 1.0 at precision 2/4: AP = 0.5 * 1 + 0.5 * 0.5
    assert m.get() == (["bg", "obj", "mAP"], [pytest.approx(np.nan, nan_ok=True), 0.75, 0.75])
    m07 = VOC07MApMetric()
    m07.update(det, det_lab, score, gt, gt_lab)
    # recall points 0..0.5 see precision 1 (6 of them), 0.6..1.0 see 0.5 (5 of them)
    assert m07.get()[1] == pytest.approx((6 * 1 + 5 * 0.5) / 11)


def test_difficult_ground_truth_is_ignored():
    gt, gt_lab, diff = _batch([[0, 0, 9, 9], [50, 50, 59, 59]], [0, 0], [0, 1])
    det, det_lab, score = _batch([[50, 50, 59, 59], [0, 0, 9, 9]], [0, 0], [0.9, 0.8])
    m = VOCMApMetric()
    m.update(det, det_lab, score, gt, gt_lab, diff)
    assert m.get()[1] == 1.0  # the hit on the difficult box is neither TP nor FP; only 1 positive
    m.reset()
    m.update(det, det_lab, score, gt, gt_lab)  # without difficult flags: TP, TP
    assert m.get()[1] == 1.0
    m.reset()
    m.update(det[:, :1], det_lab[:, :1], score[:, :1], gt, gt_lab, diff)  # only the difficult hit
    assert m.get()[1] == 0.0


def test_padding_classes_and_nan():
    gt = np.array([[[0, 0, 9, 9], [-1, -1, -1, -1]], [[-1] * 4, [-1] * 4]], F32)
    gt_lab = np.array([[[2], [-1]], [[-1], [-1]]], F32)  # (B, M, 1) labels as SSD iterators give
    det = np.array([[[0, 0, 9, 9], [5, 5, 20, 20]], [[0, 0, 5, 5], [-1] * 4]], F32)
    det_lab = np.array([[2, 0], [1, -1]], F32)  # classes 0 and 1 have no ground truth -> NaN AP
    score = np.array([[0.9, 0.5], [0.4, -1]], F32)
    m = VOCMApMetric(class_names=["a", "b", "c", "d"])
    m.update(det, det_lab, score, gt, gt_lab)
    names, values = m.get()
    assert names == ["a", "b", "c", "d", "mAP"]
    assert np.isnan(values[:2]).all() and values[2] == 1.0 and np.isnan(values[3]) and values[4] == 1.0


def test_inputs_ndarray_lists_and_ragged_batches():
    rng = np.random.default_rng(0)
    boxes = np.sort(rng.uniform(0, 50, (4, 3, 4)).astype(F32).reshape(4, 3, 2, 2), axis=2).reshape(4, 3, 4)
    labels = rng.integers(0, 2, (4, 3)).astype(F32)
    scores = rng.permutation(12).reshape(4, 3).astype(F32) / 12
    noisy = boxes + rng.normal(0, 2, boxes.shape).astype(F32)
    ref = VOCMApMetric()
    ref.update(noisy, labels, scores, boxes, labels)
    nd = VOCMApMetric()
    nd.update(*[mx.nd.array(a) for a in (noisy, labels, scores, boxes, labels)])
    split = VOCMApMetric()  # two "devices", the second batch padded to a different length
    pad = lambda a, fill: np.concatenate([a, np.full(a[:, :1].shape, fill, F32)], axis=1)  # noqa: E731
    split.update([noisy[:2], pad(noisy[2:], -1)], [labels[:2], pad(labels[2:], -1)],
                 [scores[:2], pad(scores[2:], -1)], [boxes[:2], boxes[2:]], [labels[:2], labels[2:]])
    assert nd.get() == ref.get() == split.get()
    assert 0 < ref.get()[1] <= 1


def test_ap_helpers():
    assert voc_ap(np.array([0.5, 0.5, 1.0]), np.array([1.0, 0.5, 2 / 3])) == pytest.approx(0.5 + 0.5 * 2 / 3)
    assert voc07_ap(np.array([1.0]), np.array([1.0])) == pytest.approx(1.0)
    assert voc07_ap(np.array([0.0]), np.array([np.nan])) == 0.0


def test_empty_and_errors():
    m = VOCMApMetric()
    assert math.isnan(m.get()[1])  # GluonCV raises on get() before any update
    with pytest.raises(ShapeError, match="batch sizes differ"):
        m.update(np.zeros((2, 1, 4)), np.zeros((2, 1)), np.zeros((2, 1)), np.zeros((1, 1, 4)), np.zeros((1, 1)))
    with pytest.raises(ShapeError, match=r"pred_bboxes of one image must be \(N, 4\)"):
        m.update(np.zeros((1, 3)), np.zeros((1, 3)), np.zeros((1, 3)), np.zeros((1, 1, 4)), np.zeros((1, 1)))
