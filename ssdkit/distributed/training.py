"""Helpers that make a training script data-parallel in a few lines (see README "Distributed training")::

    job = dist.setup(global_batch_size=32, seed=1)                       # init, per-rank batch and RNG
    it = mx.image.ImageDetIter(job.batch_size, ..., **job.iter_shard)    # or a DistributedSampler
    net.initialize()
    trainer = dist.prepare_trainer(net.collect_params(), "sgd", {...})   # broadcast + DistributedTrainer
    ...; trainer.step(job.batch_size)
    if job.is_root: log / validate / save

Examples
--------
>>> job = setup(global_batch_size=8, backend="local"); job.batch_size, job.is_root, job.iter_shard
(8, True, {'num_parts': 1, 'part_index': 0})
>>> from ssdkit.distributed import comm; comm.shutdown()
"""
from dataclasses import dataclass

from ..base import MXNetError
from ..random import seed as _seed_mx_random
from . import comm
from .params import broadcast_parameters
from .trainer import DistributedTrainer

__all__ = ["Job", "setup", "local_batch_size", "is_root", "prepare_trainer"]


@dataclass(frozen=True)
class Job:
    """Where this process stands in the job.

    Attributes
    ----------
    rank, size, local_rank : int
    batch_size : int
        This rank's batch (the global batch divided by ``size``); pass it to ``trainer.step``.
    is_root : bool
        Rank 0: the one process that logs, validates and saves.

    Examples
    --------
    >>> Job(rank=1, size=2, local_rank=1, batch_size=4).iter_shard
    {'num_parts': 2, 'part_index': 1}
    """

    rank: int
    size: int
    local_rank: int
    batch_size: int

    @property
    def is_root(self):
        """True on rank 0, the one process that logs, validates and saves."""
        return self.rank == 0

    @property
    def iter_shard(self):
        """Keyword arguments selecting this rank's part in ``ImageIter``/``ImageDetIter``."""
        return {"num_parts": self.size, "part_index": self.rank}


def local_batch_size(global_batch_size):
    """The per-rank batch: ``global_batch_size / size()``, which must divide evenly.

    Examples
    --------
    >>> comm.init(backend="local"); local_batch_size(32); comm.shutdown()
    32
    """
    world = comm.size()
    if int(global_batch_size) != global_batch_size or global_batch_size < 1 or global_batch_size % world:
        raise MXNetError(f"distributed: the global batch size {global_batch_size!r} must be a positive multiple "
                         f"of the number of processes ({world})")
    return int(global_batch_size) // world


def is_root():
    """Whether this is rank 0.

    Examples
    --------
    >>> comm.init(backend="local"); is_root(); comm.shutdown()
    True
    """
    return comm.rank() == 0


def setup(global_batch_size, seed=None, backend="auto"):
    """:func:`~ssdkit.distributed.init`, the per-rank batch size, and per-rank random streams.

    Parameters
    ----------
    global_batch_size : int
        Samples per step over all ranks.
    seed : int, optional
        Seeds ``mx.random`` with ``seed + rank`` so augmentation and dropout differ between ranks (initial
        weights are made equal by :func:`prepare_trainer`'s broadcast).
    backend : {'auto', 'mpi', 'local'}

    Returns
    -------
    Job

    Examples
    --------
    >>> setup(16, seed=0, backend="local").batch_size; comm.shutdown()
    16
    """
    comm.init(backend=backend)
    if seed is not None:
        _seed_mx_random(int(seed) + comm.rank())
    return Job(rank=comm.rank(), size=comm.size(), local_rank=comm.local_rank(),
               batch_size=local_batch_size(global_batch_size))


def prepare_trainer(params, optimizer, optimizer_params=None, root_rank=0):
    """Broadcast ``params`` from ``root_rank`` (deferred ones at their first forward), then build a
    :class:`DistributedTrainer` over them.

    Parameters
    ----------
    params : ParameterDict
        ``net.collect_params()`` after ``net.initialize()`` on every rank.
    optimizer : str or Optimizer
    optimizer_params : dict, optional
    root_rank : int

    Returns
    -------
    DistributedTrainer

    Examples
    --------
    >>> import ssdkit as mx
    >>> comm.init(backend="local"); net = mx.gluon.nn.Dense(1, in_units=2); net.initialize()
    >>> type(prepare_trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})).__name__; comm.shutdown()
    'DistributedTrainer'
    """
    broadcast_parameters(params, root_rank)
    return DistributedTrainer(params, optimizer, optimizer_params)
