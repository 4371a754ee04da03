"""Large work arrays reused across calls of a graph: the allocation side of hybridize's memory plan.

A fresh multi-megabyte numpy array costs its page faults and the kernel's zeroing of every page at first
touch, on every call: measured on this 2-core box, allocating and filling a 128 MiB array takes 50-90 ms
against 10-20 ms for filling one that is already mapped. A training step of ToySSD at batch 32 makes about
two gigabytes of such arrays (each layer's outputs, their gradients, BatchNorm's and pooling's buffers).

The graph executor (:mod:`ssdkit.symbol.executor`) owns one :class:`Arena` and makes it *current* while it
runs; kernels allocate their outputs with :func:`empty`, which takes a buffer from the current arena. Imperative
calls (no graph running) take theirs from one process-wide arena, :data:`IMPERATIVE`, which holds at most
:data:`IMPERATIVE_MAX_BYTES`: in a virtual machine memory new to the process can cost far more than its page
faults (measured on this box, a Firecracker VM: 150-350 ms to first fill 128 MiB the process had not used,
against 5-10 ms to refill it; one ReLU gradient of ToySSD's first layer took 120-170 ms of an imperative
step instead of 18). A buffer is handed out again only when nothing but
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
>>> empty((2, 2), np.float32).base is None             # small arrays: always a plain np.empty
True
"""
import contextlib
import math
import os
import sys
import threading

import numpy as np

__all__ = ["Arena", "current", "empty", "MIN_BYTES", "BUFFERS_PER_SIZE", "IMPERATIVE", "IMPERATIVE_MAX_BYTES"]

#: Smaller arrays come from numpy / malloc directly: their allocation is cheap and reuse would only pin memory.
MIN_BYTES = 1 << 20
#: At most this many buffers of one size are kept (a training step keeps about four 128 MiB arrays of the
#: largest layer alive at once); beyond, arrays are allocated and forgotten as without an arena.
BUFFERS_PER_SIZE = 8

_local = threading.local()


def _physical_bytes(default=8 << 30):
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):      # not a POSIX system
        return default


#: Bytes the process-wide :data:`IMPERATIVE` arena keeps at most (alive or free): a quarter of the physical
#: memory. ToySSD's imperative training step at batch 32 reuses 2.0 GB of large arrays.
IMPERATIVE_MAX_BYTES = _physical_bytes() // 4


class Arena:
    """Buffers by (byte size, dtype), each handed out again once nothing else refers to it.

    Parameters
    ----------
    per_size : int
        Buffers kept per (size, dtype); see :data:`BUFFERS_PER_SIZE`.
    max_bytes : int or None
        At most this many bytes of buffers are kept (alive or free): to keep a new one, free buffers of other
        sizes are forgotten first; when that is not enough, the new array is handed out and not kept.

    Examples
    --------
    >>> arena = Arena()
    >>> x = arena.empty((256, 1024), np.float32)
    >>> arena.held_bytes()
    1048576
    """

    def __init__(self, per_size=BUFFERS_PER_SIZE, max_bytes=None):
        self.per_size, self.max_bytes = per_size, max_bytes
        self._buffers = {}
        self._lock = threading.Lock()    # the process-wide arena serves every thread

    def empty(self, shape, dtype):
        """An uninitialised array of ``shape`` and ``dtype``, from a dead buffer of the same size if any."""
        dtype = np.dtype(dtype)
        count = math.prod(shape)
        with self._lock:
            pool = self._buffers.setdefault((count, dtype.str), [])
            for buf in pool:
                if sys.getrefcount(buf) <= _FREE_REFS:       # only this list (and this loop) hold it
                    return buf.reshape(shape)
            buf = np.empty(count, dtype)
            if len(pool) < self.per_size and self._make_room(buf.nbytes):
                pool.append(buf)
            return buf.reshape(shape)

    def _make_room(self, nbytes):
        """Whether ``nbytes`` more fit under :attr:`max_bytes`, after forgetting free buffers if needed."""
        if self.max_bytes is None:
            return True
        held = self.held_bytes()
        for pool in list(self._buffers.values()):
            i = 0
            while held + nbytes > self.max_bytes and i < len(pool):
                buf = pool[i]
                if sys.getrefcount(buf) <= _FREE_REFS:       # as in empty(): the list and this name only
                    held -= buf.nbytes
                    del pool[i]
                else:
                    i += 1
                del buf
        return held + nbytes <= self.max_bytes

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
_NOT_SET = object()              # no current() on this thread: the process-wide arena serves
#: The arena of imperative calls: :func:`empty` takes from it when no :func:`current` block is active.
IMPERATIVE = Arena(max_bytes=IMPERATIVE_MAX_BYTES)


@contextlib.contextmanager
def current(arena):
    """Within the block :func:`empty` on this thread takes buffers from ``arena`` (None: plain ``np.empty``).

    Examples
    --------
    >>> with current(Arena()):
    ...     empty((4,), np.float32).dtype
    dtype('float32')
    """
    previous = getattr(_local, "arena", _NOT_SET)
    _local.arena = arena
    try:
        yield arena
    finally:
        _local.arena = previous


def empty(shape, dtype):
    """``np.empty(shape, dtype)``; a large array comes from the current :class:`Arena` (:func:`current`), or
    outside any ``current`` block from the process-wide :data:`IMPERATIVE` one.

    Examples
    --------
    >>> empty((2, 3), np.float64).shape
    (2, 3)
    """
    arena = getattr(_local, "arena", _NOT_SET)
    if arena is _NOT_SET:
        arena = IMPERATIVE
    dtype = np.dtype(dtype)
    if arena is None or math.prod(shape) * dtype.itemsize < MIN_BYTES:
        return np.empty(shape, dtype)
    return arena.empty(shape, dtype)
