"""Speed of mx.metric: coco_eval stages, VOC mAP updates, accuracy updates (figures from this run only).

Run: ``python benchmarks/bench_metric.py [num_images] [--dump PATH]``. ``--dump`` writes the COCO case as
JSON ({"gt", "dt"}) so that the same data can be timed with pycocotools elsewhere.
"""
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from ssdkit.metric import Accuracy, VOCMApMetric, coco_eval  # noqa: E402
from ssdkit.metric.coco import coco_accumulate, IOU_THRESHOLDS, AREA_RANGES  # noqa: E402
from ssdkit.metric.coco_data import load_coco  # noqa: E402
from ssdkit.metric.coco_match import match_detections  # noqa: E402


def _timed(fn, repeat=1):
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def synthetic_coco(num_images=500, num_classes=5, dets_per_pair=20, seed=0):
    """Random COCO ground truth (0-4 boxes per image and class, 5% crowd) and ``dets_per_pair`` detections
    per (image, class): jittered copies of the ground truth plus random boxes, scores rounded to 0.01.

    Returns
    -------
    (dict, list)
    """
    rng = np.random.default_rng(seed)
    anns, dets = [], []
    for image in range(1, num_images + 1):
        for cat in range(1, num_classes + 1):
            count = int(rng.integers(0, 5))
            side = rng.choice([16.0, 60.0, 150.0], count) * rng.uniform(0.7, 1.3, count)
            boxes = np.round(np.stack([rng.uniform(0, 400, count), rng.uniform(0, 400, count), side,
                                       side * rng.uniform(0.6, 1.6, count)], 1), 2)
            for box in boxes:
                anns.append({"id": len(anns) + 1, "image_id": image, "category_id": cat, "bbox": box.tolist(),
                             "area": float(box[2] * box[3]), "iscrowd": int(rng.random() < 0.05)})
            src = boxes[np.arange(dets_per_pair) % max(count, 1)] if count else np.zeros((dets_per_pair, 4))
            jitter = src + rng.normal(0, 0.08, src.shape) * src[:, [2, 3, 2, 3]]  # moves relative to size
            rand = np.stack([rng.uniform(0, 400, dets_per_pair), rng.uniform(0, 400, dets_per_pair),
                             rng.uniform(20, 100, dets_per_pair), rng.uniform(20, 100, dets_per_pair)], 1)
            use_jitter = (np.arange(dets_per_pair) < 2 * count)[:, None]
            chosen = np.round(np.where(use_jitter, jitter, rand), 2)
            for box, score in zip(chosen, np.round(rng.random(dets_per_pair), 2)):
                dets.append({"image_id": image, "category_id": cat, "bbox": box.tolist(), "score": float(score)})
    gt = {"images": [{"id": i} for i in range(1, num_images + 1)],
          "categories": [{"id": c} for c in range(1, num_classes + 1)], "annotations": anns}
    return gt, dets


def bench_metric(num_images=500, dump=None):
    """Print coco_eval timings (total and per stage), VOC and accuracy update rates.

    Returns
    -------
    dict
        The measured figures.
    """
    gt, dets = synthetic_coco(num_images)
    if dump:
        with open(dump, "w", encoding="utf-8") as handle:
            json.dump({"gt": gt, "dt": dets}, handle)
    figures = {}
    figures["coco_total_s"], stats = _timed(lambda: coco_eval(gt, dets), repeat=3)
    figures["coco_load_s"], data = _timed(lambda: load_coco(gt, dets))
    figures["coco_match_s"], matched = _timed(lambda: match_detections(data, IOU_THRESHOLDS, AREA_RANGES))
    figures["coco_accumulate_s"], _ = _timed(lambda: coco_accumulate(data, *matched))
    print(f"coco_eval: {num_images} images, {len(gt['annotations'])} gt, {len(dets)} detections: "
          f"{figures['coco_total_s']:.3f} s (load {figures['coco_load_s']:.3f}, match {figures['coco_match_s']:.3f}, "
          f"accumulate {figures['coco_accumulate_s']:.3f}); AP={stats[0]:.4f} AP50={stats[1]:.4f}")

    rng = np.random.default_rng(1)
    batch, num_det, num_gt, num_cls = 16, 100, 10, 20
    xy = rng.uniform(0, 250, (batch, num_gt, 2)).astype(np.float32)
    gt_boxes = np.concatenate([xy, xy + rng.uniform(10, 150, xy.shape).astype(np.float32)], -1)
    gt_labels = rng.integers(0, num_cls, (batch, num_gt)).astype(np.float32)
    pick = rng.integers(0, num_gt, (batch, num_det))
    noise = rng.normal(0, 8, (batch, num_det, 4)).astype(np.float32)
    det_boxes = np.take_along_axis(gt_boxes, pick[..., None], 1) + noise
    det_labels = np.take_along_axis(gt_labels, pick, 1)
    det_scores = rng.random((batch, num_det)).astype(np.float32)
    voc = VOCMApMetric()
    updates = 20
    figures["voc_update_s"], _ = _timed(lambda: [voc.update(det_boxes, det_labels, det_scores, gt_boxes, gt_labels)
                                                 for _ in range(updates)])
    figures["voc_get_s"], (_, mean_ap) = _timed(voc.get)
    figures["voc_images_per_s"] = updates * batch / figures["voc_update_s"]
    print(f"VOCMApMetric: {figures['voc_images_per_s']:.0f} images/s ({num_det} detections, {num_gt} gt, "
          f"{num_cls} classes per image); get() after {updates * batch} images {figures['voc_get_s'] * 1e3:.1f} ms; "
          f"mAP={mean_ap:.4f}")

    labels = rng.integers(0, 1000, 256)
    scores = rng.random((256, 1000)).astype(np.float32)
    acc = Accuracy()
    figures["accuracy_update_s"], _ = _timed(lambda: acc.update([labels], [scores]), repeat=20)
    print(f"Accuracy.update (256 x 1000 scores): {figures['accuracy_update_s'] * 1e3:.2f} ms")
    return figures


if __name__ == "__main__":
    args = sys.argv[1:]
    dump_path = None
    if "--dump" in args:
        dump_path = args[args.index("--dump") + 1]
        del args[args.index("--dump"):args.index("--dump") + 2]
    bench_metric(int(args[0]) if args else 500, dump=dump_path)
