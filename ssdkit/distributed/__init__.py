"""``mx.distributed`` (layer 6): data-parallel training over processes and machines with MPI, Horovod-style.

One process per core group / machine, started by ``mpirun``; each trains on its shard of the data with
its part of the global batch, gradients are summed with one fused ``Allreduce`` per step and every rank
applies the same update, so all replicas stay identical. Without ``mpi4py`` (the optional ``mpi`` extra),
or outside an MPI launcher, everything runs as one process of size 1.

=========================================  ====================================================
``init / shutdown / is_initialized``       join or leave the process group (:mod:`.comm`)
``rank / size / local_rank / local_size``  where this process stands
``allreduce(_) / broadcast(_) / barrier``  collectives on NDArray or numpy (``_``: in place)
``broadcast_parameters``                   root's weights to every rank (deferred-init aware)
``DistributedTrainer``                     ``gluon.Trainer`` with the gradient exchange
``DistributedSampler / shard_indices``     disjoint equal-size data shards per epoch
``setup / prepare_trainer / Job``          the few lines a training script needs
=========================================  ====================================================

Launch: ``mpirun -np 2 python train.py`` (as root add ``--allow-run-as-root``; more processes than cores
needs ``--oversubscribe``; with one BLAS thread per process set ``-x OMP_NUM_THREADS=1``).

Examples
--------
>>> import ssdkit as mx
>>> from ssdkit import distributed as dist
>>> dist.init(backend="local"); dist.size()
1
>>> dist.allreduce(mx.nd.array([1, 2])).asnumpy()
array([1., 2.], dtype=float32)
>>> dist.shutdown()
"""
from .comm import (init, shutdown, is_initialized, rank, size, local_rank, local_size, barrier, allreduce,
                   allreduce_, broadcast, broadcast_)
from .params import broadcast_parameters
from .trainer import DistributedTrainer
from .sampler import DistributedSampler, shard_indices, shard_size
from .training import Job, setup, local_batch_size, is_root, prepare_trainer
from . import kvstore  # noqa: F401  (registers the dist_sync store types with mx.kv.create)

__all__ = ["init", "shutdown", "is_initialized", "rank", "size", "local_rank", "local_size", "barrier",
           "allreduce", "allreduce_", "broadcast", "broadcast_", "broadcast_parameters",
           "DistributedTrainer", "DistributedSampler", "shard_indices", "shard_size", "Job", "setup",
           "local_batch_size", "is_root", "prepare_trainer"]
