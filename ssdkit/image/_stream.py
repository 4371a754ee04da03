"""An ordered stream of processed samples for the image iterators, computed inline or in worker processes.

Sample ``p`` of epoch ``e`` is processed under the seed ``(base seed, e, p)``, so its augmentation is the
same whether it ran in this process or in a worker, and whichever worker ran it.

Examples
--------
>>> items = iter([1, 2, 3])
>>> stream = SampleStream(lambda owner, item: ("ok", item * 10), None, num_workers=0, base_seed=0)
>>> stream.restart(0, lambda: next(items))
>>> [stream.next() for _ in range(3)]
[('ok', 10), ('ok', 20), ('ok', 30)]
"""
from collections import deque

from ..base import MXNetError
from ..gluon.data._workers import WorkerPool, seeded, task_seed

__all__ = ["SampleStream"]


def _run_chunk(payload, task):
    """Worker task: process consecutive samples, each under its own seed."""
    process, owner = payload
    base_seed, epoch, first, items = task
    out = []
    for offset, item in enumerate(items):
        with seeded(task_seed(base_seed, epoch, first + offset)):
            out.append(process(owner, item))
    return out


class SampleStream:
    """Read raw items with ``reader()`` and yield ``process(owner, item)`` in reading order.

    Parameters
    ----------
    process : callable
        ``process(owner, item) -> outcome``; a module-level function (workers inherit it).
    owner : object
        Passed to ``process`` (the iterator, with its augmenters).
    num_workers : int
        0 processes inline; otherwise worker processes read ahead ``window`` items.
    base_seed : int
    chunk : int
        Items per worker task.
    window : int
        Items in flight with workers.
    timeout : float
        Seconds to wait for one chunk.
    name : str
        Names the owner in worker errors.

    Examples
    --------
    >>> items = iter(range(5))
    >>> stream = SampleStream(lambda owner, item: ("ok", item + owner), 100, num_workers=1, base_seed=0, chunk=2)
    >>> stream.restart(0, lambda: next(items))
    >>> [stream.next()[1] for _ in range(5)]
    [100, 101, 102, 103, 104]
    >>> stream.close()
    """

    def __init__(self, process, owner, num_workers, base_seed, chunk=8, window=64, timeout=120, name="ImageIter"):
        self._process, self._owner = process, owner
        self.num_workers = int(num_workers)
        self._base_seed = int(base_seed)
        self._chunk, self._window = max(1, int(chunk)), max(1, int(window))
        self._timeout, self._name = timeout, name
        self._pool = None
        self.restart(0, None)

    def restart(self, epoch, reader):
        """Start epoch ``epoch`` reading from ``reader`` (a callable raising StopIteration at the end).

        Items still in flight from the previous epoch are dropped.

        Examples
        --------
        >>> stream = SampleStream(lambda owner, item: item, None, num_workers=0, base_seed=0)
        >>> stream.restart(1, lambda: "x"); stream.next()
        'x'
        """
        self._epoch, self._reader = int(epoch), reader
        self._position = 0
        self._ready, self._tickets, self._in_flight = deque(), deque(), deque()
        self._exhausted = False

    def next(self):
        """The next outcome; ``StopIteration`` when the reader ran out (reading may resume afterwards).

        Examples
        --------
        >>> stream = SampleStream(lambda owner, item: item, None, num_workers=0, base_seed=0)
        >>> stream.restart(0, iter([]).__next__); stream.next()
        Traceback (most recent call last):
        ...
        StopIteration
        """
        if self.num_workers == 0:
            item = self._reader()
            with seeded(task_seed(self._base_seed, self._epoch, self._position)):
                self._position += 1
                return self._process(self._owner, item)
        if self._ready:
            return self._ready.popleft()
        self._fill()
        if not self._tickets:
            self._exhausted = False   # the reader may start over (padding the last batch)
            raise StopIteration
        self._ready.extend(self._pool_result())
        self._fill()
        return self._ready.popleft()

    def _pool_result(self):
        ticket = self._tickets.popleft()
        self._in_flight.popleft()
        return self._pool.result(ticket)

    def _fill(self):
        while not self._exhausted and sum(self._in_flight) < self._window:
            items = []
            while len(items) < self._chunk:
                try:
                    items.append(self._reader())
                except StopIteration:
                    self._exhausted = True
                    break
            if not items:
                return
            task = (self._base_seed, self._epoch, self._position, items)
            self._tickets.append(self._get_pool().submit(task, task_seed(self._base_seed, self._epoch,
                                                                         self._position)))
            self._in_flight.append(len(items))
            self._position += len(items)

    def _get_pool(self):
        if self._pool is None or self._pool.closed:
            if self.num_workers < 1:
                raise MXNetError(f"{self._name}: no worker pool with num_workers=0")
            self._pool = WorkerPool(self.num_workers, _run_chunk, (self._process, self._owner), self._base_seed,
                                    self._timeout, name=self._name)
        return self._pool

    def close(self):
        """Stop the worker processes (they restart when needed).

        Examples
        --------
        >>> SampleStream(lambda owner, item: item, None, num_workers=1, base_seed=0).close()
        """
        if self._pool is not None:
            self._pool.close()
            self._pool = None
