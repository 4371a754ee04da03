"""``IntervalSampler``: indices of ``[0, length)`` taken ``interval`` apart, as MXNet 1.9.1's.

Examples
--------
>>> list(IntervalSampler(7, 3, rollover=False))
[0, 3, 6]
"""
from ...data.sampler import Sampler

__all__ = ["IntervalSampler"]


class IntervalSampler(Sampler):
    """Samples ``0, interval, 2 * interval, ...`` below ``length``; with ``rollover`` it then starts again
    from 1, 2, ... until every index has come once, else it stops after the first pass.

    ``len()`` is ``length`` either way, as in MXNet.

    Parameters
    ----------
    length : int
        Length of the sequence.
    interval : int
        Step between two samples; at most ``length``.
    rollover : bool, default True
        Whether to come back for the skipped indices.

    Examples
    --------
    >>> list(IntervalSampler(13, interval=3))
    [0, 3, 6, 9, 12, 1, 4, 7, 10, 2, 5, 8, 11]
    >>> list(IntervalSampler(13, interval=3, rollover=False))
    [0, 3, 6, 9, 12]
    """

    def __init__(self, length, interval, rollover=True):
        if interval > length:   # MXNet asserts this
            raise AssertionError(f"Interval {interval} must be smaller than or equal to length {length}")
        self._length = length
        self._interval = interval
        self._rollover = rollover

    def __iter__(self):
        for start in range(self._interval if self._rollover else 1):
            yield from range(start, self._length, self._interval)

    def __len__(self):
        return self._length
