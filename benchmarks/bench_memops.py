"""The memory-bound passes of a ToySSD training step, op by op: BatchNorm (+ReLU, +2x2 max-pool) forward and backward
as hybridize fuses them, and the plain BatchNorm / Activation / Pooling ops imperative code calls, at ToySSD's shapes.

Run from the repository root (time it with the machine to yourself, e.g. ``/work/bin/quietbench`` here)::

    python benchmarks/bench_memops.py                     # both paths, interleaved: numpy and compiled (numba)
    python benchmarks/bench_memops.py --paths numpy --batch 8 --reps 3

Each row is the minimum over ``--reps`` runs of the op's forward and of its backward, in ms, for each path
(``SSDKIT_JIT`` switched per call, so the two paths alternate within one process and share the machine's load),
and the GB/s that figure means for the bytes the op must at least move (inputs read once, outputs written once).
Outputs come from a graph arena, as in a hybridized step, so page faults are not timed. The first call of a
compiled kernel compiles it (or loads it from numba's cache): warm-up calls run before timing.
"""
import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ssdkit.ops import get_op  # noqa: E402
from ssdkit.ops.kernels import arena  # noqa: E402
from ssdkit.ops.kernels import jit  # noqa: E402

#: ToySSD's BatchNorm layers at 256x256 input: (channels, spatial size); each appears twice per down-sample block,
#: the second followed by the 2x2 max-pool.
TOYSSD_BN = [(16, 256), (32, 128), (64, 64), (128, 32), (128, 16), (128, 8)]


def _cases(batch, rng):
    """(label, op name, params, inputs, bytes moved by forward, by backward) per op and shape."""
    for c, s in TOYSSD_BN:
        x = rng.standard_normal((batch, c, s, s)).astype(np.float32)
        vec = [np.ones(c, np.float32), np.zeros(c, np.float32), np.zeros(c, np.float32), np.ones(c, np.float32)]
        full, quarter = x.nbytes, x.nbytes // 4
        bn = {"fix_gamma": False}
        yield f"{c}@{s}", "_fused_bn_relu", bn, [x] + vec, 2 * full, 3 * full
        yield f"{c}@{s}", "_fused_bn_relu_pool", bn, [x] + vec, full + 1.25 * quarter, 2 * full + 2.25 * quarter
        yield f"{c}@{s}", "BatchNorm", bn, [x] + vec, 2 * full, 3 * full
        yield f"{c}@{s}", "Activation", {"act_type": "relu"}, [x], 2 * full, 3 * full
        yield f"{c}@{s}", "Pooling", {"kernel": (2, 2), "stride": (2, 2), "pool_type": "max"}, [x], \
            full + quarter, 2 * full + 2 * quarter


def _run(op, p, inputs):
    """(forward seconds, backward seconds) of one call."""
    start = time.perf_counter()
    outs, saved = op.forward(p, inputs, True)
    middle = time.perf_counter()
    op.backward(p, saved, [np.ones_like(outs[0])])
    return middle - start, time.perf_counter() - middle


def _with_path(path, fn):
    previous = os.environ.get(jit.ENV_VAR)
    os.environ[jit.ENV_VAR] = "0" if path == "numpy" else "1"
    try:
        return fn()
    finally:
        if previous is None:
            del os.environ[jit.ENV_VAR]
        else:
            os.environ[jit.ENV_VAR] = previous


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--paths", nargs="+", default=["numpy", "jit"], choices=("numpy", "jit"))
    parser.add_argument("--ops", nargs="+", default=None, help="only these ops (e.g. _fused_bn_relu_pool Pooling)")
    args = parser.parse_args(argv)
    paths = [p for p in args.paths if p == "numpy" or jit.jit_available()]
    if paths != args.paths:
        print("numba unavailable: the compiled path is left out")
    rng = np.random.default_rng(0)
    graph_arena = arena.Arena()
    print(f"batch {args.batch}; ms fwd / bwd (GB/s of the least traffic), min of {args.reps}; paths {paths}")
    totals = {path: [0.0, 0.0] for path in paths}
    for label, name, params, inputs, fwd_bytes, bwd_bytes in _cases(args.batch, rng):
        if args.ops and name not in args.ops:
            continue
        op = get_op(name)
        p = op.parse_params(params)
        best = {path: [float("inf"), float("inf")] for path in paths}
        with arena.current(graph_arena):
            for rep in range(args.reps + 1):               # the first round warms up (compiles, maps buffers)
                for path in paths:
                    fwd, bwd = _with_path(path, lambda: _run(op, p, inputs))
                    if rep:
                        best[path] = [min(best[path][0], fwd), min(best[path][1], bwd)]
        cells = []
        for path in paths:
            fwd, bwd = best[path]
            totals[path][0] += fwd
            totals[path][1] += bwd
            cells.append(f"{path} {1e3 * fwd:7.1f} / {1e3 * bwd:7.1f} ({fwd_bytes / fwd / 1e9:4.1f} / "
                         f"{bwd_bytes / bwd / 1e9:4.1f})")
        print(f"{name:20s} {label:7s} " + " | ".join(cells), flush=True)
    for path in paths:
        fwd, bwd = totals[path]
        print(f"total {path}: forward {1e3 * fwd:.0f} ms, backward {1e3 * bwd:.0f} ms")


if __name__ == "__main__":
    main()
