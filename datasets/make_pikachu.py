#!/usr/bin/env python
"""Generate the synthetic pikachu detection set (MXNet RecordIO) with ssdkit.datagen.

Example::

    python datasets/make_pikachu.py --root datasets/pikachu --num-train 1000 --num-val 100 --seed 0 --workers 2

Writes ``train.rec/.idx``, ``val.rec/.idx`` and ``meta.json``; readable by ``ImageDetIter`` like MXNet's
downloaded pikachu set. ``--if-missing`` keeps a complete set with the same settings. The generator writes
only into an empty folder or one it made before (its ``meta.json`` says so); it refuses any other.
"""
import argparse
import os
import sys
import time

try:
    import ssdkit  # noqa: F401
except ImportError:   # run from a checkout without installing: the repo root is this file's parent
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from ssdkit.base import MXNetError  # noqa: E402
from ssdkit.datagen import CLASS_NAMES, ensure_pikachu, generate_pikachu  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=os.path.join("datasets", "pikachu"), help="output directory")
    parser.add_argument("--num-train", type=int, default=1000, help="training images")
    parser.add_argument("--num-val", type=int, default=100, help="validation images")
    parser.add_argument("--size", type=int, default=256, help="image side in pixels")
    parser.add_argument("--seed", type=int, default=0, help="base seed (image i uses seed, split, i)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (output is identical)")
    parser.add_argument("--objects-per-image", type=int, default=1, help="objects drawn per image")
    parser.add_argument("--num-classes", type=int, default=1, choices=range(1, len(CLASS_NAMES) + 1),
                        help=f"labeled classes, in order {', '.join(CLASS_NAMES)}")
    parser.add_argument("--prefix", default="", help="file-name prefix, e.g. 'pikachu_'")
    parser.add_argument("--if-missing", action="store_true",
                        help="do nothing when a complete set with these settings exists")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    make = ensure_pikachu if args.if_missing else generate_pikachu
    start = time.perf_counter()
    try:
        meta = make(args.root, num_train=args.num_train, num_val=args.num_val, size=args.size, seed=args.seed,
                    num_workers=args.workers, objects_per_image=args.objects_per_image,
                    progress=not args.quiet, num_classes=args.num_classes, prefix=args.prefix)
    except MXNetError as err:   # e.g. a folder holding files the generator did not make
        print(f"make_pikachu: error: {err}", file=sys.stderr)
        return 2
    sizes = ", ".join(f"{name}: {value}" for name, value in meta["files"].items())
    print(f"pikachu set in {args.root} ({sizes}) after {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
