"""Samplers: which dataset indices to read, in which order, and how to group them into batches.

Random order comes from ``mx.random``'s generator (:func:`ssdkit.base.get_rng`), so ``mx.random.seed``
makes shuffling reproducible.

Examples
--------
>>> list(BatchSampler(SequentialSampler(5), 2, "keep"))
[[0, 1], [2, 3], [4]]
"""
from ...base import MXNetError, get_rng

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "FilterSampler", "BatchSampler", "IntervalSampler"]

LAST_BATCH_MODES = ("keep", "discard", "rollover")


def _length(name, length):
    if int(length) != length or length < 0:
        raise MXNetError(f"{name}: length must be a non-negative integer, got {length!r}")
    return int(length)


class Sampler:
    """Base class: subclasses define ``__iter__`` (indices) and ``__len__``.

    Examples
    --------
    >>> class Evens(Sampler):
    ...     def __iter__(self): return iter(range(0, 6, 2))
    ...     def __len__(self): return 3
    >>> list(Evens())
    [0, 2, 4]
    """

    def __iter__(self):
        raise MXNetError(f"{type(self).__name__} must define __iter__")

    def __len__(self):
        raise MXNetError(f"{type(self).__name__} must define __len__")


class SequentialSampler(Sampler):
    """Indices ``start, start + 1, ..., start + length - 1``.

    Parameters
    ----------
    length : int
    start : int, default 0

    Examples
    --------
    >>> list(SequentialSampler(3, start=2))
    [2, 3, 4]
    """

    def __init__(self, length, start=0):
        self._length = _length("SequentialSampler", length)
        self._start = int(start)

    def __iter__(self):
        return iter(range(self._start, self._start + self._length))

    def __len__(self):
        return self._length


class RandomSampler(Sampler):
    """A fresh random permutation of ``range(length)`` on every pass (drawn from ``mx.random``).

    Parameters
    ----------
    length : int

    Examples
    --------
    >>> import ssdkit as mx
    >>> mx.random.seed(0); a = list(RandomSampler(5)); mx.random.seed(0); a == list(RandomSampler(5))
    True
    >>> sorted(a)
    [0, 1, 2, 3, 4]
    """

    def __init__(self, length):
        self._length = _length("RandomSampler", length)

    def __iter__(self):
        return iter(get_rng().permutation(self._length).tolist())

    def __len__(self):
        return self._length


class FilterSampler(Sampler):
    """Indices of the samples of ``dataset`` for which ``fn(sample)`` is true (evaluated once, eagerly).

    Parameters
    ----------
    fn : callable
    dataset : Dataset

    Examples
    --------
    >>> list(FilterSampler(lambda x: x % 2 == 0, [5, 6, 7, 8]))
    [1, 3]
    """

    def __init__(self, fn, dataset):
        self._indices = [i for i in range(len(dataset)) if fn(dataset[i])]

    def __iter__(self):
        return iter(self._indices)

    def __len__(self):
        return len(self._indices)


class BatchSampler(Sampler):
    """Group the indices of ``sampler`` into lists of ``batch_size``.

    Parameters
    ----------
    sampler : Sampler or iterable of int
    batch_size : int
    last_batch : {'keep', 'discard', 'rollover'}
        A final short batch is returned (``keep``), dropped (``discard``), or carried over to the start of
        the next pass (``rollover``).

    Examples
    --------
    >>> b = BatchSampler(SequentialSampler(5), 2, "rollover")
    >>> list(b), list(b)
    ([[0, 1], [2, 3]], [[4, 0], [1, 2], [3, 4]])
    >>> len(BatchSampler(SequentialSampler(5), 2, "discard"))
    2
    """

    def __init__(self, sampler, batch_size, last_batch="keep"):
        if int(batch_size) != batch_size or batch_size < 1:
            raise MXNetError(f"BatchSampler: batch_size must be a positive integer, got {batch_size!r}")
        if last_batch not in LAST_BATCH_MODES:
            raise MXNetError(f"BatchSampler: last_batch must be one of {LAST_BATCH_MODES}, got {last_batch!r}")
        self._sampler = sampler
        self._batch_size = int(batch_size)
        self._last_batch = last_batch
        self._prev = []

    def __iter__(self):
        batch, self._prev = self._prev, []
        for index in self._sampler:
            batch.append(index)
            if len(batch) == self._batch_size:
                yield batch
                batch = []
        if batch:
            if self._last_batch == "keep":
                yield batch
            elif self._last_batch == "rollover":
                self._prev = batch

    def __len__(self):
        total = len(self._sampler)
        if self._last_batch == "keep":
            return (total + self._batch_size - 1) // self._batch_size
        if self._last_batch == "discard":
            return total // self._batch_size
        return (len(self._prev) + total) // self._batch_size


class IntervalSampler(Sampler):
    """Indices ``0, k, 2k, ..., 1, 1 + k, ...``: every ``interval``-th index, then the next offset.

    Parameters
    ----------
    length : int
    interval : int
    rollover : bool, default True
        Continue with offsets ``1 .. interval - 1`` after offset 0 (else stop after offset 0).

    Examples
    --------
    >>> list(IntervalSampler(7, 3)), list(IntervalSampler(7, 3, rollover=False))
    ([0, 3, 6, 1, 4, 2, 5], [0, 3, 6])
    """

    def __init__(self, length, interval, rollover=True):
        self._length = _length("IntervalSampler", length)
        if int(interval) != interval or not 0 < interval <= max(self._length, 1):
            raise MXNetError(f"IntervalSampler: interval must be an integer in [1, length={self._length}], "
                             f"got {interval!r}")
        self._interval = int(interval)
        self._rollover = rollover

    def __iter__(self):
        offsets = range(self._interval) if self._rollover else range(1)
        for offset in offsets:
            yield from range(offset, self._length, self._interval)

    def __len__(self):
        if self._rollover:
            return self._length
        return len(range(0, self._length, self._interval))
