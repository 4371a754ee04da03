"""coco_eval against pycocotools 2.0 (tests/data/coco/*.json: inputs + COCOeval stats and recall, generated with
pycocotools in a separate environment) and hand-computed cases."""
import json
from pathlib import Path

import numpy as np
import pytest

from ssdkit.base import MXNetError
from ssdkit.metric import coco_eval, COCO_STAT_NAMES
from ssdkit.metric.coco import coco_accumulate, IOU_THRESHOLDS, AREA_RANGES
from ssdkit.metric.coco_data import load_coco
from ssdkit.metric.coco_match import box_iou_xywh, match_detections

DATA = Path(__file__).resolve().parent / "data" / "coco"
CASES = sorted(DATA.glob("*.json"))
TOL = 1e-4


def _gt(anns, images=(1,), cats=(1,)):
    full = [{"id": i + 1, "image_id": 1, "category_id": 1, "area": a["bbox"][2] * a["bbox"][3], "iscrowd": 0, **a}
            for i, a in enumerate(anns)]
    return {"images": [{"id": i} for i in images], "categories": [{"id": c} for c in cats], "annotations": full}


def _dt(*boxes_scores, image=1, cat=1):
    return [{"image_id": image, "category_id": cat, "bbox": b, "score": s} for b, s in boxes_scores]


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_matches_pycocotools(path):
    case = json.loads(path.read_text())
    stats = coco_eval(case["gt"], case["dt"])
    assert len(stats) == len(COCO_STAT_NAMES) == 12
    np.testing.assert_allclose(stats, case["stats"], rtol=0, atol=TOL)
    data = load_coco(case["gt"], case["dt"])
    _, recall = coco_accumulate(data, *match_detections(data, IOU_THRESHOLDS, AREA_RANGES))
    np.testing.assert_allclose(recall, case["recall"], rtol=0, atol=TOL)


def test_oracle_files_cover_the_tricky_parts():
    cases = {p.stem: json.loads(p.read_text()) for p in CASES}
    assert len(cases) >= 6 and sum(p.stat().st_size for p in CASES) < 300_000
    anns = [a for c in cases.values() for a in c["gt"]["annotations"]]
    assert any(a["iscrowd"] for a in anns) and any(a["id"] == 0 for a in anns)
    areas = np.array([a["area"] for a in anns])
    assert (areas < 32 ** 2).any() and ((areas >= 32 ** 2) & (areas <= 96 ** 2)).any() and (areas > 96 ** 2).any()
    per_pair = {}
    for c in cases.values():
        for d in c["dt"]:
            key = (id(c), d["image_id"], d["category_id"])
            per_pair[key] = per_pair.get(key, 0) + 1
    assert max(per_pair.values()) > 100
    scores = [d["score"] for d in cases["score_ties"]["dt"]]
    assert len(set(scores)) < len(scores) / 4


def test_files_and_dicts_agree(tmp_path):
    case = json.loads(CASES[0].read_text())
    (tmp_path / "gt.json").write_text(json.dumps(case["gt"]))
    (tmp_path / "dt.json").write_text(json.dumps(case["dt"]))
    assert coco_eval(tmp_path / "gt.json", str(tmp_path / "dt.json")) == coco_eval(case["gt"], case["dt"])


def test_iou_by_hand():
    dt = np.array([[0.0, 0.0, 10.0, 10.0], [20.0, 0.0, 5.0, 5.0]])
    gt = np.array([[5.0, 0.0, 10.0, 10.0], [0.0, 0.0, 20.0, 20.0]])
    iou = box_iou_xywh(dt, gt, np.array([False, True]))
    # 50 / 150 with a regular box; against a crowd the union is the detection alone: 100 / 100
    np.testing.assert_allclose(iou, [[1 / 3, 1.0], [0.0, 0.0]])


def test_perfect_and_empty_detections():
    gt = _gt([{"bbox": [0, 0, 10, 10]}, {"bbox": [50, 50, 60, 60]}])  # one small, one medium
    perfect = coco_eval(gt, _dt(([0, 0, 10, 10], 0.9), ([50, 50, 60, 60], 0.8)))
    np.testing.assert_allclose(perfect, [1, 1, 1, 1, 1, -1, 0.5, 1, 1, 1, 1, -1], atol=1e-12)
    # pycocotools fails on an empty result list; ssdkit scores it 0 where ground truth exists
    assert coco_eval(gt, []) == [0.0] * 5 + [-1.0] + [0.0] * 5 + [-1.0]


def test_crowd_absorbs_detections():
    gt = _gt([{"bbox": [0, 0, 10, 10]}, {"bbox": [100, 0, 100, 100], "iscrowd": 1}])
    dets = _dt(([0, 0, 10, 10], 0.5), ([110, 10, 20, 20], 0.9), ([120, 10, 20, 20], 0.8))
    # both detections inside the crowd are ignored, not false positives
    assert coco_eval(gt, dets)[1] == pytest.approx(1.0)


def test_max_detections_cut_per_image():
    gt = _gt([{"bbox": [0, 0, 50, 50]}])
    misses = [([200 + i, 200, 10, 10], 0.9) for i in range(100)]
    stats = coco_eval(gt, _dt(*misses, ([0, 0, 50, 50], 0.1)))  # the hit is the 101st by score
    assert stats[1] == 0 and stats[8] == 0
    stats = coco_eval(gt, _dt(*misses[:99], ([0, 0, 50, 50], 0.1)))  # now the 100th: found at maxDets=100
    assert stats[8] == 1 and stats[7] == 0 and stats[1] == pytest.approx(0.01)


def test_unknown_categories_and_images_are_dropped_or_refused():
    gt = _gt([{"bbox": [0, 0, 10, 10]}, {"bbox": [0, 0, 10, 10], "image_id": 5}, {"bbox": [0, 0, 10, 10],
                                                                                    "category_id": 9}])
    stats = coco_eval(gt, _dt(([0, 0, 10, 10], 0.9)) + _dt(([0, 0, 10, 10], 0.99), cat=9))
    assert stats[0] == pytest.approx(1.0)  # image 5 and category 9 are not evaluated
    with pytest.raises(MXNetError, match=r"images not in the ground truth: \['3'\]"):
        coco_eval(gt, _dt(([0, 0, 1, 1], 0.5), image=3))


@pytest.mark.parametrize("gt, dt, message", [
    ({"annotations": []}, [], "must be a dict with 'images' and 'categories'"),
    (_gt([]), {"image_id": 1}, "results must be a list"),
    (_gt([]), [{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1], "score": 1}], r"bbox must be \[x, y, w, h\]"),
    (_gt([]), [{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1]}], "entry 0 has no 'score'"),
    ("/nonexistent/gt.json", [], "cannot read ground truth file"),
])
def test_errors(gt, dt, message):
    with pytest.raises(MXNetError, match=message):
        coco_eval(gt, dt)
