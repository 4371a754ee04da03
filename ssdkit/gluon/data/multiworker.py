"""MXNet's ``gluon.data.dataloader._MultiWorkerIter``: the iterator that hands batches of indices to a worker
pool and yields the batches in order, with MXNet's constructor and the ``_push_next`` / ``_data_buffer`` /
``_sent_idx`` / ``_rcvd_idx`` protocol that subclasses (GluonCV's ``_RandomTransformMultiWorkerIter``) override.

ssdkit's own ``DataLoader`` has its own pickle-free workers; this class serves code written against MXNet's
internals. Results must arrive as objects: a thread pool passes them as they are, a process pool must return
picklable values (numpy arrays, not NDArrays, which refuse pickling). A result that is ``bytes`` (MXNet's
workers pickle their batches) is refused with an error: ssdkit never unpickles data.

Examples
--------
>>> from multiprocessing.pool import ThreadPool
>>> import numpy as np
>>> with ThreadPool(2) as pool:
...     it = _MultiWorkerIter(pool, lambda xs: np.stack(xs), [[0, 1], [2]], dataset=np.arange(3.0), prefetch=2)
...     [b.tolist() for b in it]
[[0.0, 1.0], [2.0]]
"""
from ...base import MXNetError

__all__ = ["worker_batch"]


def worker_batch(samples, batchify_fn, dataset=None):
    """The default worker function: ``batchify_fn`` of the dataset's samples at the indices ``samples``.

    Examples
    --------
    >>> worker_batch([1, 2], list, dataset=["a", "b", "c"])
    ['b', 'c']
    """
    return batchify_fn([dataset[i] for i in samples])


class _MultiWorkerIter:
    """Yields ``worker_fn(indices, batchify_fn, dataset)`` for each batch of ``batch_sampler``, computed on
    ``worker_pool`` (anything with ``apply_async``), ``prefetch`` batches ahead, in order."""

    def __init__(self, worker_pool, batchify_fn, batch_sampler, pin_memory=False, pin_device_id=0,
                 worker_fn=worker_batch, prefetch=0, dataset=None, data_loader=None, timeout=120):
        self._worker_pool = worker_pool
        self._batchify_fn = batchify_fn
        self._batch_sampler = batch_sampler
        self._data_buffer = {}
        self._rcvd_idx = 0
        self._sent_idx = 0
        self._iter = iter(self._batch_sampler)
        self._worker_fn = worker_fn
        self._pin_memory = pin_memory
        self._pin_device_id = pin_device_id
        self._dataset = dataset
        self._data_loader = data_loader  # keeps the loader (and its pool) alive while iterating
        self._timeout = timeout
        for _ in range(prefetch):
            self._push_next()

    def __len__(self):
        return len(self._batch_sampler)

    def _push_next(self):
        """Send the next batch of indices to the pool."""
        indices = next(self._iter, None)
        if indices is None:
            return
        self._data_buffer[self._sent_idx] = self._worker_pool.apply_async(
            self._worker_fn, (indices, self._batchify_fn, self._dataset))
        self._sent_idx += 1

    def __next__(self):
        self._push_next()
        if self._rcvd_idx == self._sent_idx:
            if self._data_buffer:
                raise MXNetError("_MultiWorkerIter: batches are left in the buffer at the end of the data")
            raise StopIteration
        pending = self._data_buffer.pop(self._rcvd_idx)
        try:
            batch = pending.get(self._timeout)
        except Exception as err:  # noqa: BLE001 - the pool re-raises the worker's error; name it
            if type(err).__name__ == "TimeoutError":
                raise MXNetError(f"_MultiWorkerIter: no batch from the workers within {self._timeout} s") from err
            raise
        self._rcvd_idx += 1
        if isinstance(batch, (bytes, bytearray)):
            raise MXNetError("_MultiWorkerIter: a worker returned pickled bytes (MXNet's worker protocol); ssdkit "
                             "never unpickles data: return arrays from the worker function, or use "
                             "gluon.data.DataLoader(num_workers=...)")
        return batch

    def next(self):
        """``next(it)`` under MXNet's Python 2 name."""
        return self.__next__()

    def __iter__(self):
        return self
