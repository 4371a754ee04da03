"""``DataLoader``: batches from a dataset, in the main process or in worker processes.

Reproducibility: the loader draws a base seed from ``mx.random`` when it is built; batch ``k`` of epoch
``e`` is produced under the seed ``(base seed, e, k)`` (see :func:`._workers.seeded`), so a run after
``mx.random.seed(s)`` repeats exactly, with any ``num_workers``. (``thread_pool=True`` shares one
generator between threads and is reproducible only for transforms that draw no random numbers.)

Examples
--------
>>> import numpy as np
>>> from ssdkit.gluon.data import ArrayDataset
>>> loader = DataLoader(ArrayDataset(np.arange(10, dtype=np.float32), np.arange(10)), batch_size=4,
...                     last_batch="discard")
>>> [(x.shape, y.asnumpy().tolist()) for x, y in loader]
[((4,), [0, 1, 2, 3]), ((4,), [4, 5, 6, 7])]
"""
from collections import deque
from concurrent.futures import ThreadPoolExecutor

from ...base import MXNetError, get_rng
from ...context import cpu_pinned
from ...ndarray import NDArray
from ._workers import WorkerPool, seeded, task_seed
from .batchify import default_batchify_fn, as_mode_batch
from ...util import is_np_array
from .sampler import BatchSampler, RandomSampler, SequentialSampler

from .multiworker import _MultiWorkerIter  # noqa: F401  (MXNet internals GluonCV subclasses)

__all__ = ["DataLoader", "default_batchify_fn", "default_mp_batchify_fn"]

#: Batches in flight per worker when ``prefetch`` is not given (MXNet's default).
PREFETCH_PER_WORKER = 2
_SEED_RANGE = 2 ** 62

#: MXNet batches in shared memory for workers; here workers send numpy buffers, so one function serves both.
default_mp_batchify_fn = default_batchify_fn


def _load_batch(payload, indices):
    """Worker task: read the samples of one batch and batchify them."""
    dataset, batchify_fn = payload
    return batchify_fn([dataset[i] for i in indices])


class DataLoader:
    """Load mini-batches from ``dataset``.

    Parameters
    ----------
    dataset : Dataset
        Or anything with ``len()`` and ``[]``.
    batch_size : int
        Required unless ``batch_sampler`` is given.
    shuffle : bool
        Random order each epoch (from ``mx.random``); exclusive with ``sampler``.
    sampler : Sampler
        Order of the sample indices.
    last_batch : {'keep', 'discard', 'rollover'}, default 'keep'
        What to do with a final short batch (see :class:`BatchSampler`).
    batch_sampler : Sampler
        Yields lists of indices; exclusive with batch_size, shuffle, sampler and last_batch.
    batchify_fn : callable
        ``list of samples -> batch``; default :func:`default_batchify_fn`.
    num_workers : int, default 0
        Worker processes (0 loads in the calling process). Batches come back as numpy buffers and are
        rebuilt as NDArrays where the batchify function made NDArrays.
    pin_memory, pin_device_id
        With ``pin_memory``, batches report the context ``cpu_pinned(pin_device_id)`` as MXNet's do
        (ssdkit's memory is ordinary CPU memory either way).
    prefetch : int, optional
        Batches in flight with workers (default ``2 * num_workers``, at least ``num_workers``).
    thread_pool : bool, default False
        Use threads instead of processes.
    timeout : float, default 120
        Seconds to wait for one batch from a worker.
    auto_reload : bool
        Accepted for compatibility; work starts when iteration starts.

    Examples
    --------
    >>> from ssdkit.gluon.data import SimpleDataset, batchify
    >>> import numpy as np
    >>> ds = SimpleDataset([np.ones((i + 1, 5)) for i in range(3)])
    >>> [b.shape for b in DataLoader(ds, batch_size=2, batchify_fn=batchify.Pad())]
    [(2, 2, 5), (1, 3, 5)]
    """

    def __init__(self, dataset, batch_size=None, shuffle=False, sampler=None, last_batch=None,
                 batch_sampler=None, batchify_fn=None, num_workers=0, pin_memory=False, pin_device_id=0,
                 prefetch=None, thread_pool=False, timeout=120, auto_reload=False):
        self._dataset = dataset
        if batch_sampler is None:
            if batch_size is None:
                raise MXNetError("DataLoader: batch_size must be given unless batch_sampler is")
            if sampler is None:
                sampler = RandomSampler(len(dataset)) if shuffle else SequentialSampler(len(dataset))
            elif shuffle:
                raise MXNetError("DataLoader: give either shuffle=True or a sampler, not both")
            batch_sampler = BatchSampler(sampler, batch_size, last_batch or "keep")
        elif batch_size is not None or shuffle or sampler is not None or last_batch is not None:
            raise MXNetError("DataLoader: batch_size, shuffle, sampler and last_batch must not be given "
                             "together with batch_sampler")
        if timeout <= 0:
            raise MXNetError(f"DataLoader: timeout must be positive, got {timeout}")
        self._batch_sampler = batch_sampler
        self._batchify_fn = batchify_fn or default_batchify_fn
        self._num_workers = max(0, int(num_workers))
        self._prefetch = max(int(prefetch) if prefetch is not None else PREFETCH_PER_WORKER * self._num_workers,
                             self._num_workers)
        self._thread_pool = thread_pool
        self._pinned = cpu_pinned(pin_device_id) if pin_memory else None
        self._timeout = timeout
        self._base_seed = int(get_rng().integers(_SEED_RANGE))
        self._epoch = 0
        self._pool = None

    def __len__(self):
        return len(self._batch_sampler)

    def __iter__(self):
        epoch, self._epoch = self._epoch, self._epoch + 1
        batches = enumerate(self._batch_sampler)
        if self._num_workers == 0:
            loaded = self._same_process(batches, epoch)
        elif self._thread_pool:
            loaded = self._threads(batches)
        else:
            loaded = self._processes(batches, epoch)
        if self._pinned is not None:
            loaded = (_in_context(batch, self._pinned) for batch in loaded)
        return map(as_mode_batch, loaded) if is_np_array() else loaded

    def _same_process(self, batches, epoch):
        for k, indices in batches:
            with seeded(task_seed(self._base_seed, epoch, k)):
                batch = self._batchify_fn([self._dataset[i] for i in indices])
            yield batch

    def _threads(self, batches):
        with ThreadPoolExecutor(self._num_workers) as pool:
            pending = deque()
            for _, indices in batches:
                pending.append(pool.submit(_load_batch, (self._dataset, self._batchify_fn), list(indices)))
                if len(pending) > self._prefetch:
                    yield pending.popleft().result(self._timeout)
            while pending:
                yield pending.popleft().result(self._timeout)

    def _processes(self, batches, epoch):
        if self._pool is None or self._pool.closed:
            self._pool = WorkerPool(self._num_workers, _load_batch, (self._dataset, self._batchify_fn),
                                    self._base_seed, self._timeout, name="DataLoader")
        pool, tickets = self._pool, deque()
        for k, indices in batches:
            tickets.append(pool.submit([int(i) for i in indices], task_seed(self._base_seed, epoch, k)))
            if len(tickets) > self._prefetch:
                yield pool.result(tickets.popleft())
        while tickets:
            yield pool.result(tickets.popleft())

    def close(self):
        """Stop the worker processes (they restart on the next iteration).

        Examples
        --------
        >>> DataLoader([1, 2], batch_size=1, num_workers=1).close()
        """
        if getattr(self, "_pool", None) is not None:   # __init__ may have failed before creating it
            self._pool.close()
            self._pool = None

    def __del__(self):
        self.close()


def _in_context(batch, ctx):
    """``batch`` (an NDArray or nested lists/tuples of them) labelled with context ``ctx``, memory shared."""
    if isinstance(batch, NDArray):
        return NDArray(batch._data, ctx)
    if isinstance(batch, (list, tuple)):
        return type(batch)(_in_context(b, ctx) for b in batch)
    return batch
