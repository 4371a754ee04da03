"""The ``dist_sync`` key-value stores (``dist_sync``, ``dist_device_sync``, ``dist_sync_device``): MXNet's
:class:`~ssdkit.kvstore.KVStore` with the values of all processes exchanged over MPI (:mod:`.comm`).

``init`` takes rank 0's value, every ``push`` adds the pushes of all processes (one allreduce), and each process
applies the same optimizer update to its own copy — MXNet's server-side update of the summed pushes, run
Horovod-style. Importing :mod:`ssdkit.distributed` registers the three names, so ``mx.kv.create('dist_sync')``
works; the process-local store itself lives below gluon (:mod:`ssdkit.kvstore`) so a Trainer can use it.

Examples
--------
>>> import ssdkit as mx
>>> from ssdkit import distributed
>>> kv = mx.kv.create('dist_sync'); (kv.type, kv.rank, kv.num_workers)
('dist_sync', 0, 1)
>>> distributed.shutdown()
"""
import functools

from ..kvstore import KVStore, KVStoreBase
from ..kvstore.kvstore import DIST_TYPES
from . import comm

__all__ = ["DistKVStore"]


class DistKVStore(KVStore):
    """A ``dist_*`` store: :class:`~ssdkit.kvstore.KVStore` over every process of the MPI job (joins the job,
    as one process of size 1 outside an MPI launcher).

    Examples
    --------
    >>> import ssdkit as mx
    >>> kv = DistKVStore('dist_sync'); kv.init(0, mx.nd.ones((2,))); kv.push(0, [mx.nd.ones((2,))] * 3)
    >>> out = mx.nd.zeros((2,)); kv.pull(0, out=out); out.asnumpy()
    array([3., 3.], dtype=float32)
    >>> comm.shutdown()
    """
    is_distributed = True

    def __init__(self, name="dist_sync"):
        super().__init__(name)
        if not comm.is_initialized():
            comm.init()

    def _broadcast(self, data, key):
        return comm.broadcast(data, root_rank=0, name=f"kvstore init {key}")

    def _allreduce(self, merged, key):
        return comm.allreduce(merged, average=False, name=f"kvstore push {key}")

    @property
    def rank(self):
        """This process's rank in the MPI job."""
        return comm.rank()

    @property
    def num_workers(self):
        """Number of processes in the MPI job."""
        return comm.size()

    def _barrier(self):
        comm.barrier()


for _name in DIST_TYPES:
    KVStoreBase.kv_registry[_name] = functools.partial(DistKVStore, _name)
