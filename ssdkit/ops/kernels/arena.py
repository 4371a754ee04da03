"""Large work arrays reused across calls of a graph: the allocation side of hybridize's memory plan.

A fresh multi-megabyte numpy array costs its page faults and the kernel's zeroing of every page at first
touch, on every call: measured on this 2-core box, allocating and filling a 128 MiB array takes 50-90 ms
against 10-20 ms for filling one that is already mapped. A training step of ToySSD at batch 32 makes about
two gigabytes of such arrays (each layer's outputs, their gradients, BatchNorm's and pooling's buffers).

The graph executor (:mod:`ssdkit.symbol.executor`) owns one :class:`Arena` and makes it *current* while it
runs; kernels allocate their outputs with :func:`empty`, which takes a buffer from the current arena, or is
plain ``np.empty`` when there is none (imperative calls). A buffer is handed out again only when nothing but
the arena refers to it or to any view of it (its reference count), so a value still saved for a backward,
returned to the caller or kept by anyone is never overwritten: reuse changes speed, never results. After
the first step the next step's arrays come from the previous step's dead ones: MXNet's ``static_alloc``.

Examples
--------
>>> import numpy as np
>>> arena = Arena()
>>> with current(arena):
...     a = empty((512, 1024), np.float32)
...     address = a.ctypes.data
...     still_used = empty((512, 1024), np.float32)      # ``a`` is alive: a second buffer
...     del a
...     b = empty((1024, 512), np.float32)               # same size, ``a`` dead: its memory again
>>> b.ctypes.data == address, np.shares_memory(b, still_used)
(True, False)
>>> empty((2, 2), np.float32).shape                    # no current arena: a plain np.empty
(2, 2)
"""
import contextlib
import math
import sys
import threading

import numpy as np

__all__ = ["Arena", "current", "empty", "MIN_BYTES", "BUFFERS_PER_SIZE"]

#: Smaller arrays come from numpy / malloc directly: their allocation is cheap and reuse would only pin memory.
MIN_BYTES = 1 << 20
#: At most this many buffers of one size are kept (a training step keeps about four 128 MiB arrays of the
#: largest layer alive at once); beyond, arrays are allocated and forgotten as without an arena.
BUFFERS_PER_SIZE = 8

_local = threading.local()


class Arena:
    """Buffers by (byte size, dtype), each handed out again once nothing else refers to it.

    Parameters
    ----------
    per_size : int
        Buffers kept per (size, dtype); see :data:`BUFFERS_PER_SIZE`.

    Examples
    --------
    >>> arena = Arena()
    >>> x = arena.empty((256, 1024), np.float32)
    >>> arena.held_bytes()
    1048576
    """

    def __init__(self, per_size=BUFFERS_PER_SIZE):
        self.per_size = per_size
        self._buffers = {}

    def empty(self, shape, dtype):
        """An uninitialised array of ``shape`` and ``dtype``, from a dead buffer of the same size if any."""
        dtype = np.dtype(dtype)
        count = math.prod(shape)
        pool = self._buffers.setdefault((count, dtype.str), [])
        for buf in pool:
            if sys.getrefcount(buf) <= _FREE_REFS:       # only this list (and this loop) hold it
                return buf.reshape(shape)
        buf = np.empty(count, dtype)
        if len(pool) < self.per_size:
            pool.append(buf)
        return buf.reshape(shape)

    def held_bytes(self):
        """Bytes of all buffers the arena keeps (alive or free)."""
        return sum(buf.nbytes for pool in self._buffers.values() for buf in pool)

    def clear(self):
        """Forget every buffer (those still in use stay valid for their holders)."""
        self._buffers = {}


def _free_refs():
    """The reference count :meth:`Arena.empty` sees for a buffer nobody else holds (measured, not assumed)."""
    seen = []
    for buf in [np.empty(1)]:
        seen.append(sys.getrefcount(buf))
    return seen[0]


_FREE_REFS = _free_refs()


@contextlib.contextmanager
def current(arena):
    """Within the block :func:`empty` on this thread takes buffers from ``arena`` (None: plain numpy).

    Examples
    --------
    >>> with current(Arena()):
    ...     empty((4,), np.float32).dtype
    dtype('float32')
    """
    previous = getattr(_local, "arena", None)
    _local.arena = arena
    try:
        yield arena
    finally:
        _local.arena = previous


def empty(shape, dtype):
    """``np.empty(shape, dtype)``, from the current :class:`Arena` when one is set and the array is large.

    Examples
    --------
    >>> empty((2, 3), np.float64).shape
    (2, 3)
    """
    arena = getattr(_local, "arena", None)
    dtype = np.dtype(dtype)
    if arena is None or math.prod(shape) * dtype.itemsize < MIN_BYTES:
        return np.empty(shape, dtype)
    return arena.empty(shape, dtype)
