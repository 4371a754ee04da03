"""Scaling of data-parallel training with ssdkit.distributed on this machine (figures from this run only).

Run: ``python benchmarks/bench_distributed.py [--steps N] [--batch B]``. Needs mpirun and mpi4py.

One training step of a small conv net (3 conv layers, 32x32 inputs, SGD+momentum) is timed in three
set-ups, each rank keeping the same per-rank batch (weak scaling, the usual Horovod measure):

1. one process using both cores (numpy's BLAS and ssdkit's conv kernels are multi-threaded),
2. one MPI rank pinned to one core with one BLAS thread,
3. two MPI ranks, each pinned to its own core with one BLAS thread.

Scaling efficiency = images/s of (3) / (2 x images/s of (2)): what the gradient exchange and the sharing of
the machine cost. The speed-up of (3) over (1) is what a user of this 2-core box gains, and it is bounded
well below 2 because (1) already uses both cores: going distributed here only replaces thread-level
parallelism by process-level parallelism (which parallelizes the Python and copy parts too).

``--worker`` runs one rank (used by the driver through mpirun).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WARMUP_STEPS = 2
IMAGE_SHAPE = (3, 32, 32)
NUM_CLASSES = 10
MPI_TIMEOUT_S = 600
BARE_REPEATS = 50
BLOCKS = 3          # timed blocks of --steps steps per run; the fastest is reported
ROUNDS = 3          # runs of each set-up; the fastest is reported
LOAD_SAMPLE_S = 2.0


def _net():
    from ssdkit.gluon import nn
    net = nn.HybridSequential(prefix="bench_")
    with net.name_scope():
        net.add(nn.Conv2D(16, 3, padding=1, activation="relu"), nn.MaxPool2D(2),
                nn.Conv2D(32, 3, padding=1, activation="relu"), nn.MaxPool2D(2),
                nn.Conv2D(64, 3, padding=1, activation="relu"), nn.GlobalAvgPool2D(), nn.Dense(NUM_CLASSES))
    net.hybridize()
    return net


def worker(steps, batch):
    """Time ``steps`` training steps on this rank; rank 0 prints one JSON line of figures."""
    sys.path.insert(0, ROOT)
    import numpy as np
    import ssdkit as mx
    from ssdkit import autograd, gluon, nd
    from ssdkit import distributed as dist

    dist.init()
    mx.random.seed(dist.rank())
    net = _net()
    net.initialize(mx.init.Xavier())
    trainer = dist.prepare_trainer(net.collect_params(), "sgd", {"learning_rate": 0.01, "momentum": 0.9})
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    rng = np.random.default_rng(dist.rank())
    x = nd.array(rng.standard_normal((batch,) + IMAGE_SHAPE).astype(np.float32))
    y = nd.array(rng.integers(0, NUM_CLASSES, batch))

    def one_step():
        with autograd.record():
            loss = loss_fn(net(x), y)
        loss.backward()
        t0 = time.perf_counter()
        trainer.allreduce_grads()
        waited = time.perf_counter() - t0
        trainer.update(batch)
        return waited

    for _ in range(WARMUP_STEPS):
        one_step()
    blocks = []                     # (elapsed, exchange) of each block; the best block resists noise
    for _ in range(BLOCKS):
        dist.barrier()
        start = time.perf_counter()
        exchange = sum(one_step() for _ in range(steps))
        dist.barrier()
        blocks.append((time.perf_counter() - start, exchange))
    elapsed, exchange = min(blocks)
    # inside a step the exchange also waits for the slower rank; time it alone after a barrier
    dist.barrier()
    t0 = time.perf_counter()
    for _ in range(BARE_REPEATS):
        trainer.allreduce_grads()
    bare = (time.perf_counter() - t0) / BARE_REPEATS
    if dist.rank() == 0:
        print(json.dumps({"ranks": dist.size(), "images_per_s": steps * batch * dist.size() / elapsed,
                          "step_ms": 1e3 * elapsed / steps, "allreduce_ms": 1e3 * exchange / steps,
                          "bare_allreduce_ms": 1e3 * bare, "allreduce_bytes": trainer.fused_bytes}))


def _busy_cores(seconds=LOAD_SAMPLE_S):
    """Cores kept busy by other programs while this one sleeps (from /proc/stat; None elsewhere)."""
    def sample():
        with open("/proc/stat") as stat:
            ticks = [int(v) for v in stat.readline().split()[1:]]
        return sum(ticks), ticks[3] + ticks[4]          # total, idle + iowait
    try:
        total0, idle0 = sample()
        time.sleep(seconds)
        total1, idle1 = sample()
    except OSError:
        return None
    return (os.cpu_count() or 1) * (1 - (idle1 - idle0) / max(total1 - total0, 1))


def _run(cmd, env):
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=MPI_TIMEOUT_S)
    if done.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_distributed(steps=10, batch=16):
    """Run the three set-ups and print images/s, exchange cost and scaling efficiency."""
    launcher = shutil.which("mpirun")
    if launcher is None:
        raise SystemExit("bench_distributed needs mpirun (apt-get install openmpi-bin libopenmpi-dev) and mpi4py")
    me = [sys.executable, os.path.abspath(__file__), "--worker", "--steps", str(steps), "--batch", str(batch)]
    base_env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    one_thread = dict(base_env, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    mpirun = [launcher, "--bind-to", "core", "--map-by", "core"]   # one core per rank: sched_getaffinity sees 1
    background = _busy_cores()
    setups = {"both_cores": (me, base_env), "one": (mpirun + ["-np", "1"] + me, one_thread),
              "two": (mpirun + ["-np", "2"] + me, one_thread)}
    best = {}
    for _ in range(ROUNDS):                 # alternate the set-ups so that load from elsewhere hits all alike
        for key, (cmd, env) in setups.items():
            fig = _run(cmd, env)
            if key not in best or fig["images_per_s"] > best[key]["images_per_s"]:
                best[key] = fig
    both_cores, one, two = best["both_cores"], best["one"], best["two"]
    print(f"small conv net, {IMAGE_SHAPE} inputs, batch {batch} per rank, best of {ROUNDS} runs x {BLOCKS} blocks x "
          f"{steps} steps, "
          f"{two['allreduce_bytes'] / 1e3:.1f} kB of gradients per exchange")
    for label, fig in (("1 process, both cores", both_cores), ("1 rank, 1 core", one),
                       ("2 ranks, 1 core each", two)):
        print(f"  {label:24s} {fig['images_per_s']:8.1f} images/s   step {fig['step_ms']:7.1f} ms   "
              f"exchange in step {fig['allreduce_ms']:6.2f} ms   exchange alone {fig['bare_allreduce_ms']:6.3f} ms")
    if background is not None:
        print(f"other programs kept {background:.2f} of {os.cpu_count()} cores busy just before the runs "
              "(a 2-rank job runs at the pace of its slowest rank, so it suffers most from such load)")
    print(f"scaling efficiency at 2 ranks: {two['images_per_s'] / (2 * one['images_per_s']):.2f} "
          f"(2-rank images/s / (2 x 1-rank images/s))")
    print(f"speed-up of 2 ranks over 1 process on both cores: {two['images_per_s'] / both_cores['images_per_s']:.2f}x")
    return {"both_cores": both_cores, "one_rank": one, "two_ranks": two}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--batch", type=int, default=16, help="images per rank and step")
    args = parser.parse_args()
    if args.worker:
        worker(args.steps, args.batch)
    else:
        bench_distributed(args.steps, args.batch)
