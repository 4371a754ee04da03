"""Data-pipeline throughput for pikachu training (figures from this run only).

Two pipelines, each with 0 and 2 worker processes:

* ``ImageDetIter`` with the straight-dope notebook's augmentation (shuffle, ``rand_crop=1``,
  ``min_object_covered=0.95``, ``max_attempts=200``, ``mean=True``), 256x256 batches of 32;
* ``DataLoader`` over ``RecordFileDetection`` with GluonCV's ``SSDDefaultTrainTransform(256, 256)`` and
  ``Tuple(Stack(), Pad(-1))`` batches of 32.

The pipeline must keep up with training: ToySSD trains at ~10-15 images/s on this machine, so the target is
>= 40 images/s (about 3x). Also reports the per-sample cost of the stages of the notebook's augmentation.

Run: ``python benchmarks/bench_data.py [--root datasets/pikachu] [--images 400] [--epochs 2]``
(the synthetic set is generated under ``--root`` when missing).
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import ssdkit as mx  # noqa: E402
from ssdkit.datagen import ensure_pikachu  # noqa: E402
from ssdkit.detection.data import RecordFileDetection  # noqa: E402
from ssdkit.detection.data.transforms import SSDDefaultTrainTransform  # noqa: E402
from ssdkit.gluon.data import DataLoader, batchify  # noqa: E402

TARGET_IMAGES_PER_SECOND = 40.0
TOYSSD_IMAGES_PER_SECOND = 12.5   # middle of the ~10-15 images/s ToySSD training figure
BATCH_SIZE, EDGE = 32, 256


def notebook_iter(root, num_workers):
    return mx.image.ImageDetIter(batch_size=BATCH_SIZE, data_shape=(3, EDGE, EDGE),
                                 path_imgrec=os.path.join(root, "train.rec"),
                                 path_imgidx=os.path.join(root, "train.idx"), shuffle=True, mean=True,
                                 rand_crop=1, min_object_covered=0.95, max_attempts=200, num_workers=num_workers)


def ssd_loader(root, num_workers):
    dataset = RecordFileDetection(os.path.join(root, "train.rec")).transform(SSDDefaultTrainTransform(EDGE, EDGE))
    return DataLoader(dataset, batch_size=BATCH_SIZE, shuffle=True, last_batch="rollover", num_workers=num_workers,
                      batchify_fn=batchify.Tuple(batchify.Stack(), batchify.Pad(pad_val=-1)))


def time_iter(it, epochs):
    """Images per second over ``epochs`` epochs of an ImageDetIter (padding excluded)."""
    images, start = 0, time.perf_counter()
    for _ in range(epochs):
        it.reset()
        images += sum(BATCH_SIZE - batch.pad for batch in it)
    return images / (time.perf_counter() - start)


def time_loader(loader, epochs):
    """Images per second over ``epochs`` epochs of a DataLoader."""
    images, start = 0, time.perf_counter()
    for _ in range(epochs):
        images += sum(x.shape[0] for x, _ in loader)
    return images / (time.perf_counter() - start)


def stage_costs(root, count=100):
    """Milliseconds per sample of each stage of the notebook's augmentation, run inline."""
    it = notebook_iter(root, 0)
    raws = []
    for _ in range(count):
        label, raw, where = it._read_raw()
        raws.append((label, raw, where))
    timings = {"decode": 0.0, **{type(a).__name__ if not hasattr(a, "augmenter") else
                                 type(a.augmenter).__name__: 0.0 for a in it.auglist}}
    for label, raw, where in raws:
        start = time.perf_counter()
        img = it.imdecode(raw, where)
        timings["decode"] += time.perf_counter() - start
        objects = it._parse_label(label, where)
        for aug in it.auglist:
            name = type(aug.augmenter).__name__ if hasattr(aug, "augmenter") else type(aug).__name__
            start = time.perf_counter()
            img, objects = aug(img, objects)
            timings[name] += time.perf_counter() - start
    return {k: 1e3 * v / count for k, v in timings.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=os.path.join("datasets", "pikachu"))
    parser.add_argument("--images", type=int, default=1000, help="training images (generated when missing)")
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args(argv)
    ensure_pikachu(args.root, num_train=args.images, num_val=100, size=EDGE, progress=False)
    print(f"pikachu set: {args.root} ({args.images} training images {EDGE}x{EDGE}), batch {BATCH_SIZE}, "
          f"{args.epochs} epochs, {os.cpu_count()} CPUs")
    print("notebook augmentation, ms per sample: "
          + ", ".join(f"{k} {v:.2f}" for k, v in stage_costs(args.root).items()))
    rows = []
    for name, make, timer in (("ImageDetIter (notebook augmentation)", notebook_iter, time_iter),
                              ("DataLoader + SSDDefaultTrainTransform", ssd_loader, time_loader)):
        for workers in (0, 2):
            mx.random.seed(0)
            pipeline = make(args.root, workers)
            rate = timer(pipeline, args.epochs)
            pipeline.close()
            rows.append((name, workers, rate))
    print(f"{'pipeline':40s} {'workers':>7s} {'images/s':>9s} {'x target':>9s} {'x ToySSD':>9s}")
    for name, workers, rate in rows:
        print(f"{name:40s} {workers:7d} {rate:9.1f} {rate / TARGET_IMAGES_PER_SECOND:9.2f} "
              f"{rate / TOYSSD_IMAGES_PER_SECOND:9.2f}")
    return rows


if __name__ == "__main__":
    main()
