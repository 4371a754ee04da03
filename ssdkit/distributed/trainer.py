"""``DistributedTrainer``: a ``gluon.Trainer`` that sums gradients over all ranks before every update.

Semantics are Horovod's: each rank calls ``step(local_batch_size)``; the trainer's gradient scale carries
``1 / size()`` (so ``optimizer.rescale_grad == 1 / (size() * local_batch_size)`` after ``step``) and the
exchange is a plain sum. The update therefore uses the gradient averaged over the global batch, exactly as
one process stepping with the whole batch would (see tests/test_distributed_mpi.py). After
``allreduce_grads()`` each ``param.grad()`` holds the **sum** over ranks: scale a gradient-clipping
threshold by ``size()`` when clipping between ``allreduce_grads()`` and ``update()``.

All gradients travel in one ``Allreduce`` per dtype over a flat buffer (:class:`FusedBuffers`), not one
call per parameter.

Examples
--------
>>> import ssdkit as mx
>>> from ssdkit.distributed import comm
>>> comm.init(backend="local")
>>> w = mx.gluon.Parameter("w", shape=(1,)); w.initialize(mx.init.One())
>>> trainer = DistributedTrainer([w], "sgd", {"learning_rate": 0.5})
>>> with mx.autograd.record():
...     y = w.data() * 3
>>> y.backward(); trainer.step(1); w.data().asnumpy()
array([-0.5], dtype=float32)
>>> comm.shutdown()
"""
from ..base import MXNetError
from ..gluon import Trainer
from . import comm
from .fused import FusedBuffers

__all__ = ["DistributedTrainer"]


class DistributedTrainer(Trainer):
    """Data-parallel Trainer: gradients are summed over ranks, the update averages them.

    Parameters
    ----------
    params : ParameterDict, dict or list of Parameter
        Each Parameter on exactly one context (one process per device, as Horovod).
    optimizer : str or Optimizer
    optimizer_params : dict, optional

    Examples
    --------
    >>> import ssdkit as mx
    >>> comm.init(backend="local")
    >>> net = mx.gluon.nn.Dense(2, in_units=3); net.initialize()
    >>> t = DistributedTrainer(net.collect_params(), "sgd", {"learning_rate": 0.1, "momentum": 0.9})
    >>> with mx.autograd.record():
    ...     loss = net(mx.nd.ones((4, 3))).sum()
    >>> loss.backward(); t.step(4); t.optimizer.rescale_grad     # 1 / (size() * local batch)
    0.25
    >>> comm.shutdown()
    """

    def __init__(self, params, optimizer, optimizer_params=None):
        world_size = comm.size()          # raises a clear error before init()
        super().__init__(params, optimizer, optimizer_params, kvstore=None)
        for param in self._params:
            contexts = param.list_ctx()
            if len(contexts) != 1:
                raise MXNetError(f"DistributedTrainer: Parameter '{param.name}' lives on {contexts}; use one "
                                 "context per process (start one process per device)")
        # Horovod folds the averaging into the rescale factor: the exchange itself is a plain sum
        self._scale /= world_size
        self._fused = None

    def _allreduce_grads(self):
        if comm.size() == 1:
            return
        params = [param for param in self._params if param.grad_req != "null"]
        grads = [param.list_grad()[0]._data for param in params]
        if not grads:
            return
        if self._fused is None or not self._fused.matches(grads):
            self._fused = FusedBuffers(grads, "DistributedTrainer.allreduce_grads", [p.name for p in params])
        self._fused.run(grads, comm._sum_)

    @property
    def fused_bytes(self):
        """Bytes of gradients exchanged per step (0 before the first exchange or in one process).

        Examples
        --------
        >>> comm.init(backend="local"); import ssdkit as mx
        >>> w = mx.gluon.Parameter("w", shape=(2,)); w.initialize()
        >>> DistributedTrainer([w], "sgd").fused_bytes; comm.shutdown()
        0
        """
        return 0 if self._fused is None else self._fused.nbytes
