"""ssdkit.distributed in one process: the size-1 fallback, argument errors, the sampler, and a
DistributedTrainer that matches gluon.Trainer exactly when alone. (Multi-rank: test_distributed_mpi.py.)"""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import ssdkit as mx
from ssdkit import autograd, gluon, nd
from ssdkit import distributed as dist
from ssdkit.base import MXNetError
from ssdkit.gluon import nn

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def local():
    dist.init(backend="local")
    yield
    dist.shutdown()


def test_queries_before_init_name_the_fix():
    dist.shutdown()
    for query in (dist.rank, dist.size, dist.local_rank, dist.barrier):
        with pytest.raises(MXNetError, match=r"call ssdkit.distributed.init\(\) first"):
            query()
    with pytest.raises(MXNetError, match="not initialized"):
        dist.DistributedTrainer([], "sgd")


def test_local_world(local):
    assert dist.is_initialized()
    assert (dist.rank(), dist.size(), dist.local_rank(), dist.local_size()) == (0, 1, 0, 1)
    dist.barrier()


def test_auto_without_launcher_stays_local_and_does_not_import_mpi():
    # a fresh interpreter: with no launcher variables, init() must not load mpi4py (MPI_Init is not free)
    code = ("import os, sys\n"
            "for v in ('OMPI_COMM_WORLD_SIZE', 'PMI_SIZE', 'PMIX_SIZE', 'PMIX_RANK', 'PMI_RANK', 'MPI_LOCALNRANKS'):\n"
            "    os.environ.pop(v, None)\n"
            "import ssdkit.distributed as d; d.init(); print(d.size(), 'mpi4py' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["1", "False"], done.stderr


def test_launcher_without_mpi4py_is_an_error_not_n_silent_copies(monkeypatch):
    monkeypatch.setenv("OMPI_COMM_WORLD_SIZE", "4")
    monkeypatch.setitem(sys.modules, "mpi4py", None)          # import fails as if not installed
    with pytest.raises(MXNetError, match=r"started 4 processes but mpi4py cannot be imported .*pip install ssdkit\[mpi\]"):
        dist.init()
    assert not dist.is_initialized()
    monkeypatch.setenv("OMPI_COMM_WORLD_SIZE", "1")            # `mpirun -np 1` alone is just one process
    dist.init()
    assert dist.size() == 1
    dist.shutdown()
    with pytest.raises(MXNetError, match="backend='mpi' was requested but mpi4py cannot be imported"):
        dist.init(backend="mpi")
    with pytest.raises(MXNetError, match="backend must be one of"):
        dist.init(backend="nccl")


def test_allreduce_and_broadcast_keep_type_and_values(local):
    a = nd.array([[1, 2], [3, 4]])
    out = dist.allreduce(a, name="a")
    assert isinstance(out, nd.NDArray) and out is not a
    np.testing.assert_array_equal(out.asnumpy(), a.asnumpy())
    b = np.arange(4, dtype=np.int64)
    assert dist.allreduce_(b, average=False) is b
    assert dist.allreduce([1.5, 2.5]).dtype == np.float64    # array-likes become numpy
    assert dist.broadcast_(a, 0) is a
    c = dist.broadcast(b, root_rank=0)
    assert c is not b and c.tolist() == [0, 1, 2, 3]


def test_collective_argument_errors(local):
    with pytest.raises(MXNetError, match=r"allreduce \(counts\): average=True needs a floating dtype, got int32"):
        dist.allreduce(np.ones(2, np.int32), name="counts")
    with pytest.raises(MXNetError, match="dtype float16 is not supported"):
        dist.allreduce_(np.ones(2, np.float16))
    with pytest.raises(MXNetError, match="expected an NDArray or numpy.ndarray, got list"):
        dist.allreduce_([1.0])
    frozen = np.ones(2, np.float32)
    frozen.flags.writeable = False
    with pytest.raises(MXNetError, match=r"broadcast_ \(w\): the array is read-only; use broadcast\(\)"):
        dist.broadcast_(frozen, 0, name="w")
    assert dist.broadcast(frozen, 0).flags.writeable
    with pytest.raises(MXNetError, match=r"root_rank must be an integer in \[0, 1\), got 1"):
        dist.broadcast(np.ones(2), root_rank=1)


def test_broadcast_parameters_accepts_dicts_and_deferred_params(local):
    net = nn.Dense(3, prefix="d_")
    net.initialize()                                          # weight shape (3, 0): deferred
    dist.broadcast_parameters(net.collect_params())
    assert net(nd.ones((2, 4))).shape == (2, 3)
    state = {"m": np.ones(2, np.float32)}
    dist.broadcast_parameters(state)
    assert state["m"].tolist() == [1, 1]
    with pytest.raises(MXNetError, match="Parameter 'p' is not initialized"):
        dist.broadcast_parameters({"p": gluon.Parameter("p", shape=(2,))})
    with pytest.raises(MXNetError, match="'x' is a str"):
        dist.broadcast_parameters({"x": "weights"})
    with pytest.raises(MXNetError, match="must be a ParameterDict or a dict"):
        dist.broadcast_parameters([gluon.Parameter("p", shape=(2,))])


def _cnn():
    net = nn.HybridSequential(prefix="cnn_")
    with net.name_scope():
        net.add(nn.Conv2D(3, 3, activation="relu"), nn.Flatten(), nn.Dense(4))
    return net


def _run(trainer_cls, steps=3):
    mx.random.seed(3)
    net = _cnn()
    net.initialize(mx.init.Xavier())
    net(nd.zeros((1, 2, 5, 5)))
    trainer = trainer_cls(net.collect_params(), "sgd", {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01})
    rng = np.random.default_rng(0)
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    for _ in range(steps):
        x = nd.array(rng.standard_normal((4, 2, 5, 5)))
        y = nd.array(rng.integers(0, 4, 4))
        with autograd.record():
            loss = loss_fn(net(x), y)
        loss.backward()
        trainer.step(4)
    return trainer, {k: p.data().asnumpy() for k, p in net.collect_params().items()}


def test_size_one_trainer_equals_gluon_trainer(local):
    trainer, got = _run(dist.DistributedTrainer)
    _, expected = _run(gluon.Trainer)
    for name in expected:
        np.testing.assert_array_equal(got[name], expected[name])
    assert trainer.optimizer.rescale_grad == 0.25 and trainer.fused_bytes == 0
    assert isinstance(trainer, gluon.Trainer)


def test_trainer_refuses_several_contexts_per_process(local):
    p = gluon.Parameter("w", shape=(2,))
    p.initialize(ctx=[mx.cpu(0), mx.cpu(1)])
    with pytest.raises(MXNetError, match=r"'w' lives on \[cpu\(0\), cpu\(1\)\]; use one context per process"):
        dist.DistributedTrainer([p], "sgd")


def test_shards_are_disjoint_equal_and_reproducible():
    n, shards = 10, 4
    parts = [dist.shard_indices(n, shards, r, seed=9, epoch=2) for r in range(shards)]
    assert {len(p) for p in parts} == {dist.shard_size(n, shards)} == {3}
    flat = np.concatenate(parts)
    assert set(flat.tolist()) == set(range(n)) and len(flat) == 12          # 2 padded repeats
    again = [dist.shard_indices(n, shards, r, seed=9, epoch=2) for r in range(shards)]
    assert all(np.array_equal(a, b) for a, b in zip(parts, again))
    dropped = np.concatenate([dist.shard_indices(n, shards, r, seed=9, drop_remainder=True)
                              for r in range(shards)])
    assert len(dropped) == len(set(dropped.tolist())) == 8
    assert dist.shard_indices(0, 2, 1).shape == (0,)
    assert len(dist.shard_indices(1, 3, 2)) == 1                            # fewer samples than ranks


def test_sampler_advances_epochs_and_feeds_a_dataloader():
    sampler = dist.DistributedSampler(7, seed=1, num_shards=2, shard=0)
    first, second = list(sampler), list(sampler)
    assert len(first) == len(sampler) == 4 and first != second
    sampler.set_epoch(0)
    assert list(sampler) == first
    loader = gluon.data.DataLoader(gluon.data.ArrayDataset(np.arange(7)), batch_size=2,
                                   sampler=dist.DistributedSampler(7, shuffle=False, num_shards=2, shard=1))
    assert [b.asnumpy().tolist() for b in loader] == [[1, 3], [5, 0]]


def test_sampler_errors_and_runtime_defaults(local):
    assert len(dist.DistributedSampler(5)) == 5                              # size 1: everything
    with pytest.raises(MXNetError, match=r"shard must be an integer in \[0, num_shards=2\), got 2"):
        dist.DistributedSampler(5, num_shards=2, shard=2)
    with pytest.raises(MXNetError, match="seed must be a non-negative integer, got -1"):
        dist.shard_indices(5, 1, 0, seed=-1)


def test_setup_and_prepare_trainer(local):
    job = dist.setup(global_batch_size=12, seed=4, backend="local")
    assert (job.rank, job.size, job.batch_size, job.is_root) == (0, 1, 12, True)
    assert job.iter_shard == {"num_parts": 1, "part_index": 0}
    assert dist.is_root() and dist.local_batch_size(6) == 6
    with pytest.raises(MXNetError, match="global batch size 0 must be a positive multiple"):
        dist.local_batch_size(0)
    net = nn.Dense(2)
    net.initialize()
    trainer = dist.prepare_trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    assert isinstance(trainer, dist.DistributedTrainer)
