"""ssdkit.distributed over real MPI: ``mpirun -np 2 python tests/test_distributed_mpi.py <outdir>``.

The 2-rank job trains a small CNN (no BatchNorm) for a few SGD+momentum steps, each rank on half of every
global batch, with rank-specific initial weights that ``broadcast_parameters`` replaces by rank 0's at the
first forward (deferred initialization). One process training the same network on the whole batches must
end with the same parameters up to float32 rounding: the summed gradients of the two halves equal the
gradient of the whole batch, and ``rescale_grad = 1 / (2 * 4)`` equals ``1 / 8``.

BatchNorm would break the equality by design: in training it normalizes with the mean and
variance of the batch it sees, which is each rank's half, not the global batch (and its running statistics
are per-rank). Synchronized BN would need another collective inside the forward pass.

Skipped when mpirun or mpi4py is missing. The file is also the worker script (see ``__main__``).
"""
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
RANKS = 2
STEPS = 3
GLOBAL_BATCH = 8
SEED = 100
OPTIMIZER = {"learning_rate": 0.1, "momentum": 0.9, "wd": 1e-3}
SAMPLER_EPOCHS = 3
SAMPLER_LENGTH = 11
MPI_TIMEOUT_S = 180


def _launcher():
    return shutil.which("mpirun") or shutil.which("mpiexec")


def mpirun_command(launcher, ranks, argv):
    """Command line starting ``argv`` on ``ranks`` processes (Open MPI needs --oversubscribe past the cores)."""
    version = subprocess.run([launcher, "--version"], capture_output=True, text=True).stdout
    extra = ["--oversubscribe"] if "Open MPI" in version else []
    return [launcher, "-np", str(ranks), *extra, *argv]


def mpi_env(threads=1):
    """Environment for MPI ranks: root allowed (Open MPI refuses it otherwise), one BLAS thread each."""
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def _batches():
    rng = np.random.default_rng(7)
    xs = rng.standard_normal((STEPS, GLOBAL_BATCH, 3, 8, 8)).astype(np.float32)
    ys = rng.integers(0, 5, (STEPS, GLOBAL_BATCH)).astype(np.float32)
    return xs, ys


def _net(hybridize):
    from ssdkit.gluon import nn
    net = nn.HybridSequential(prefix="net_")
    with net.name_scope():          # in_channels / in_units unknown: every weight is deferred
        net.add(nn.Conv2D(4, 3, padding=1, activation="relu"), nn.MaxPool2D(2),
                nn.Conv2D(6, 3, activation="relu"), nn.Flatten(), nn.Dense(5))
    if hybridize:
        net.hybridize()
    return net


def _train(net, trainer, rows):
    from ssdkit import autograd, gluon, nd
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    xs, ys = _batches()
    for x, y in zip(xs[:, rows], ys[:, rows]):
        with autograd.record():
            loss = loss_fn(net(nd.array(x)), nd.array(y))
        loss.backward()
        trainer.step(len(x))
    return {name: p.data().asnumpy() for name, p in net.collect_params().items()}


def _worker_training(dist):
    import ssdkit as mx
    rank, size = dist.rank(), dist.size()
    per_rank = GLOBAL_BATCH // size
    out = {}
    for hybridize in (False, True):
        mx.random.seed(SEED + rank)                 # different initial weights on purpose
        net = _net(hybridize)
        net.initialize(mx.init.Xavier())
        dist.broadcast_parameters(net.collect_params(), root_rank=0)
        trainer = dist.DistributedTrainer(net.collect_params(), "sgd", dict(OPTIMIZER))
        params = _train(net, trainer, slice(rank * per_rank, (rank + 1) * per_rank))
        out.update({f"train{int(hybridize)}/{k}": v for k, v in params.items()})
        out[f"rescale{int(hybridize)}"] = np.float64(trainer.optimizer.rescale_grad)
        out[f"fused_bytes{int(hybridize)}"] = np.int64(trainer.fused_bytes)
    return out


def _worker_collectives(dist):
    from ssdkit import nd
    from ssdkit.base import MXNetError
    rank, size = dist.rank(), dist.size()
    out = {"world": np.array([rank, size, dist.local_rank(), dist.local_size()])}
    mine = np.full((2, 3), rank + 1, np.float32)
    out["avg"] = dist.allreduce(mine)
    out["sum_int"] = dist.allreduce(np.array([rank + 1, 10], np.int64), average=False)
    out["nd_avg"] = dist.allreduce(nd.array(mine)).asnumpy()
    strided = np.arange(12, dtype=np.float64).reshape(3, 4) * (rank + 1)
    dist.allreduce_(strided[:, ::2], average=False)         # non-contiguous view, written back
    out["strided"] = strided
    out["bcast"] = dist.broadcast(np.array([rank, rank * 2], np.float32), root_rank=1)
    state = {"b": np.full(2, rank, np.float32), "a": nd.array([rank, rank])}
    dist.broadcast_parameters(state, root_rank=1)
    out["bcast_dict"] = np.concatenate([state["a"].asnumpy(), state["b"]])
    try:
        dist.allreduce(np.zeros(rank + 1, np.float32), name="ragged")
        out["mismatch_error"] = np.array("")
    except MXNetError as err:
        out["mismatch_error"] = np.array(str(err))
    out["trainer_mismatch_error"] = np.array(_trainer_mismatch(dist))
    sampler = dist.DistributedSampler(SAMPLER_LENGTH, shuffle=True, seed=5)
    out["shards"] = np.stack([np.array(list(sampler)) for _ in range(SAMPLER_EPOCHS)])
    dist.barrier()
    return out


def _trainer_mismatch(dist):
    """Ranks whose networks differ must get an error from the first step, not a hang or garbage."""
    from ssdkit import autograd, gluon
    from ssdkit.base import MXNetError
    w = gluon.Parameter("w", shape=(2 + dist.rank(),))
    w.initialize()
    trainer = dist.DistributedTrainer([w], "sgd")
    with autograd.record():
        loss = (w.data() * 2).sum()
    loss.backward()
    try:
        trainer.step(1)
    except MXNetError as err:
        return str(err)
    return ""


def _worker(outdir):
    from ssdkit import distributed as dist
    dist.init()
    result = _worker_collectives(dist)
    result.update(_worker_training(dist))
    np.savez(Path(outdir) / f"rank{dist.rank()}.npz", **result)


# ------------------------------------------------------------------------------------------- tests
@pytest.fixture(scope="module")
def ranks(tmp_path_factory):
    launcher = _launcher()
    if launcher is None or importlib.util.find_spec("mpi4py") is None:
        pytest.skip("needs mpirun and mpi4py (apt-get install openmpi-bin libopenmpi-dev; pip install mpi4py)")
    outdir = tmp_path_factory.mktemp("mpi")
    cmd = mpirun_command(launcher, RANKS, [sys.executable, __file__, str(outdir)])
    done = subprocess.run(cmd, env=mpi_env(), cwd=ROOT, capture_output=True, text=True, timeout=MPI_TIMEOUT_S)
    assert done.returncode == 0, f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}"
    return [dict(np.load(outdir / f"rank{r}.npz", allow_pickle=False)) for r in range(RANKS)]


def test_world_and_local_ranks(ranks):
    assert [r["world"].tolist() for r in ranks] == [[0, 2, 0, 2], [1, 2, 1, 2]]


def test_allreduce_and_broadcast_values(ranks):
    for r in ranks:
        np.testing.assert_array_equal(r["avg"], np.full((2, 3), 1.5, np.float32))
        assert r["avg"].dtype == np.float32
        np.testing.assert_array_equal(r["sum_int"], [3, 20])
        np.testing.assert_array_equal(r["nd_avg"], r["avg"])
        np.testing.assert_array_equal(r["bcast"], [1, 2])
        np.testing.assert_array_equal(r["bcast_dict"], [1, 1, 1, 1])
        expect = np.arange(12, dtype=np.float64).reshape(3, 4)
        expect[:, ::2] *= 3                     # summed over ranks (1x + 2x)
        expect[:, 1::2] *= r["world"][0] + 1    # untouched columns stay this rank's
        np.testing.assert_array_equal(r["strided"], expect)


def test_mismatched_shapes_raise_on_every_rank(ranks):
    for r in ranks:
        message = str(r["mismatch_error"])
        assert "distributed.allreduce (ragged): the ranks disagree" in message, message


def test_trainer_with_different_networks_raises_on_every_rank(ranks):
    for r in ranks:
        message = str(r["trainer_mismatch_error"])
        assert message.startswith("DistributedTrainer.allreduce_grads: the ranks disagree"), message


def test_sampler_shards_are_disjoint_equal_and_cover_each_epoch(ranks):
    shards = np.stack([r["shards"] for r in ranks])          # (rank, epoch, index)
    per_rank = -(-SAMPLER_LENGTH // RANKS)
    assert shards.shape == (RANKS, SAMPLER_EPOCHS, per_rank)
    for epoch in range(SAMPLER_EPOCHS):
        seen = shards[:, epoch].ravel()
        assert set(seen.tolist()) == set(range(SAMPLER_LENGTH))
        assert len(seen) - len(set(seen.tolist())) == per_rank * RANKS - SAMPLER_LENGTH   # only the pad repeats
    assert not np.array_equal(shards[0, 0], shards[0, 1])      # a new permutation each epoch


@pytest.mark.parametrize("hybrid", [0, 1], ids=["imperative", "hybridized"])
def test_two_half_batches_equal_one_full_batch(ranks, hybrid):
    import ssdkit as mx
    mx.random.seed(SEED)                         # rank 0's initial weights, which the broadcast spread
    net = _net(bool(hybrid))
    net.initialize(mx.init.Xavier())
    trainer = mx.gluon.Trainer(net.collect_params(), "sgd", dict(OPTIMIZER))
    reference = _train(net, trainer, slice(0, GLOBAL_BATCH))
    prefix = f"train{hybrid}/"
    for r in ranks:
        got = {k[len(prefix):]: v for k, v in r.items() if k.startswith(prefix)}
        assert sorted(got) == sorted(reference)
        for name, value in reference.items():
            np.testing.assert_allclose(got[name], value, rtol=1e-5, atol=1e-6, err_msg=name)
        assert float(r[f"rescale{hybrid}"]) == pytest.approx(1 / GLOBAL_BATCH)
        assert int(r[f"fused_bytes{hybrid}"]) == 4 * sum(v.size for v in reference.values())
    for name in reference:                       # the replicas are identical, bit for bit
        np.testing.assert_array_equal(ranks[0][prefix + name], ranks[1][prefix + name])


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    _worker(sys.argv[1])
