"""Reused per-thread work buffers for the kernels' inner loops.

A fresh multi-megabyte numpy array pays its page faults on first touch, every call; kernels instead take
named buffers from here and never hand them to callers. Buffers are per thread, so the parallel block
workers (see :mod:`.parallel`) never share one.

Examples
--------
>>> import numpy as np
>>> a = scratch("doc", (2, 3), np.dtype(np.float32))
>>> b = scratch("doc", (3, 2), np.dtype(np.float32))
>>> a.shape, b.shape, np.shares_memory(a, b)
((2, 3), (3, 2), True)
"""
import math
import threading

import numpy as np

__all__ = ["scratch"]

_local = threading.local()


def scratch(name, shape, dtype):
    """A reused buffer of ``shape`` (contents undefined) private to the calling thread.

    Parameters
    ----------
    name : str
        Buffer identity; two buffers alive at once need two names.
    shape : tuple of int
    dtype : numpy dtype

    Returns
    -------
    ndarray of ``shape``, C-contiguous.

    Examples
    --------
    >>> scratch("doc", (4,), np.dtype(np.float64)).dtype
    dtype('float64')
    """
    cache = getattr(_local, "buffers", None)
    if cache is None:
        cache = _local.buffers = {}
    size = math.prod(shape)
    buf = cache.get((name, dtype))
    if buf is None or buf.size < size:
        buf = cache[(name, dtype)] = np.empty(max(size, 1), dtype)
    return buf[:size].reshape(shape)
