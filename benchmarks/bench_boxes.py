"""Speed of the SSD box operators on ToySSD's 5444 anchors (32x32, 16x16, 8x8, 4x4, 1x1 maps, 4 anchors each).

Run: ``python benchmarks/bench_boxes.py [repeats]``. Prints figures measured in this run only: the best and
the median wall time over ``repeats`` calls, and the ratio to the targets (MultiBoxTarget <= 20 ms for
32 images x 10 ground truths, MultiBoxDetection <= 10 ms for 1 image x 2 classes). The machine may be
shared with other jobs, so the best time is the figure to compare with the target.
"""
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from ssdkit.boxes import multibox_prior, multibox_target, multibox_detection  # noqa: E402

TOYSSD_FEATURES = (32, 16, 8, 4, 1)
TOYSSD_SIZES = ((0.2, 0.272), (0.37, 0.447), (0.54, 0.619), (0.71, 0.79), (0.88, 0.961))
TOYSSD_RATIOS = (1, 2, 0.5)
TARGET_MS = {"MultiBoxTarget": 20.0, "MultiBoxDetection": 10.0}


def toyssd_anchors():
    """The (1, 5444, 4) anchors of the straight-dope ToySSD."""
    return np.concatenate([multibox_prior(f, f, s, TOYSSD_RATIOS) for f, s in zip(TOYSSD_FEATURES, TOYSSD_SIZES)],
                          axis=1)


def random_labels(rng, batch, num_gt):
    """(batch, num_gt, 5) labels ``[cls, xmin, ymin, xmax, ymax]`` with boxes of 5-35 % of the image side."""
    xy = rng.random((batch, num_gt, 2)) * 0.65
    wh = rng.random((batch, num_gt, 2)) * 0.3 + 0.05
    cls = rng.integers(0, 2, (batch, num_gt, 1))
    return np.concatenate([cls, xy, xy + wh], axis=-1).astype(np.float32)


def softmax(logits):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


def _time(fn, repeats):
    """Best and median wall time and best CPU time of this process (ms); CPU time ignores waiting for a core."""
    fn()  # warm-up
    wall, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return 1e3 * min(wall), 1e3 * float(np.median(wall)), 1e3 * min(cpu)


def _report(label, op, timing, extra=""):
    best, median, cpu = timing
    print(f"{label}\n    wall best {best:6.2f} ms, median {median:6.2f} ms; CPU best {cpu:6.2f} ms  "
          f"(target {TARGET_MS[op]:.0f} ms: {best / TARGET_MS[op]:.2f}x){extra}")


def bench_boxes(repeats=30, seed=0):
    """Print MultiBoxTarget and MultiBoxDetection timings on ToySSD anchors; return the figures (ms)."""
    rng = np.random.default_rng(seed)
    anchors = toyssd_anchors()
    num = anchors.shape[1]
    figures = {}

    labels = random_labels(rng, 32, 10)
    cls_pred = rng.normal(size=(32, 3, num)).astype(np.float32)
    for mining in (-1.0, 3.0):
        timing = _time(lambda: multibox_target(anchors, labels, cls_pred, negative_mining_ratio=mining), repeats)
        figures[f"target_mining{mining:g}"] = timing[0]
        _report(f"MultiBoxTarget 32 x {num} anchors x 10 GT, negative_mining_ratio={mining:g}", "MultiBoxTarget",
                timing)

    loc = (rng.normal(size=(1, 4 * num)) * 0.5).astype(np.float32)
    untrained = softmax(rng.normal(size=(1, 2, num)).astype(np.float32))
    logits = np.stack([np.full(num, 4.0), rng.normal(-2.0, 1.5, num)])[None]
    trained = softmax(logits.astype(np.float32))  # mostly confident background
    for label, prob in (("untrained net: every anchor above 0.01", untrained),
                        ("trained-like: confident background", trained)):
        valid = int((prob[0, 1] >= 0.01).sum())
        timing = _time(lambda: multibox_detection(prob, loc, anchors), repeats)
        kept = int((multibox_detection(prob, loc, anchors)[0, :, 0] >= 0).sum())
        figures[f"detection_{label.split(':')[0]}"] = timing[0]
        _report(f"MultiBoxDetection 1 x {num} anchors x 2 classes, {label} ({valid} candidates, {kept} kept)",
                "MultiBoxDetection", timing)
    return figures


if __name__ == "__main__":
    bench_boxes(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
