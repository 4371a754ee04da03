"""Throughput of the synthetic pikachu generator (1 vs 2 worker processes) and of reading its RecordIO.

Run: ``python benchmarks/bench_pikachu.py [num_images]``. Prints figures measured in this run only.
"""
import os
import random
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from ssdkit.datagen import generate_pikachu  # noqa: E402
from ssdkit.recordio import MXIndexedRecordIO, MXRecordIO, unpack_img  # noqa: E402


def _timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def bench_pikachu(num_images=400, size=256):
    """Print images/s of ``generate_pikachu`` with 1 and 2 workers, and RecordIO read/decode rates.

    Returns
    -------
    dict
        The measured figures.
    """
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        for workers in (1, 2):
            root = os.path.join(tmp, f"w{workers}")
            seconds, _ = _timed(lambda: generate_pikachu(root, num_images, 0, size=size, num_workers=workers,
                                                          progress=False))
            figures[f"generate_w{workers}"] = num_images / seconds
            print(f"generate_pikachu, {workers} worker(s): {num_images / seconds:7.1f} images/s "
                  f"({seconds:.2f} s for {num_images} images of {size}x{size})")
        print(f"speed-up 2 vs 1 worker: {figures['generate_w2'] / figures['generate_w1']:.2f}x; "
              f"1000 images take ~{1000 / figures['generate_w2']:.1f} s with 2 workers")
        rec_path, idx_path = os.path.join(tmp, "w2", "train.rec"), os.path.join(tmp, "w2", "train.idx")
        megabytes = os.path.getsize(rec_path) / 2**20

        def sequential():
            with MXRecordIO(rec_path, "r") as rec:
                return sum(1 for _ in iter(rec.read, None))

        seconds, count = _timed(sequential)
        figures["read_seq_mb_s"] = megabytes / seconds
        print(f"MXRecordIO.read sequential: {count / seconds:9.0f} records/s, {megabytes / seconds:7.0f} MB/s")
        rec = MXIndexedRecordIO(idx_path, rec_path, "r")
        keys = list(rec.keys)
        random.Random(0).shuffle(keys)
        seconds, payloads = _timed(lambda: [rec.read_idx(k) for k in keys])
        figures["read_idx_records_s"] = len(keys) / seconds
        print(f"read_idx random order:      {len(keys) / seconds:9.0f} records/s")
        seconds, _ = _timed(lambda: [unpack_img(p) for p in payloads])
        figures["unpack_img_s"] = len(keys) / seconds
        print(f"unpack_img (JPEG decode):   {len(keys) / seconds:9.0f} images/s")
        rec.close()
    return figures


if __name__ == "__main__":
    bench_pikachu(int(sys.argv[1]) if len(sys.argv) > 1 else 400)
