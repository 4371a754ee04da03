"""Run independent convolution blocks on every core: one Python thread per core, each calling a
single-threaded BLAS.

Why: a convolution block is a patch gathering (a numpy copy: one core) followed by a GEMM. Left to
OpenBLAS's own threads, the GEMM uses both cores but the copy only one, and the skinny GEMMs of
16-channel layers scale poorly across threads. Giving each core whole blocks keeps both busy all the time.
numpy releases the GIL in copies and in matmul, so plain threads suffice.

OpenBLAS's thread count is process-wide; it is set to 1 only while a parallel region runs, and restored
after. Where the BLAS is not an OpenBLAS whose controls can be found (through ctypes, as threadpoolctl
does), or the machine has one core, everything runs sequentially with the BLAS's own threading.

Examples
--------
>>> parallel_map(lambda part: sum(part), [[1, 2], [3], [4, 5]])
[3, 3, 9]
"""
import ctypes
import os
import threading
from concurrent.futures import ThreadPoolExecutor, wait

__all__ = ["parallel_map", "WORKERS", "split"]


def _core_count():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:                       # not Linux
        return os.cpu_count() or 1


#: Threads a parallel region uses: one per available core.
WORKERS = _core_count()

# (getter, setter) names exported by the OpenBLAS builds numpy ships or links against
_BLAS_SYMBOLS = (("scipy_openblas_get_num_threads64_", "scipy_openblas_set_num_threads64_"),
                 ("scipy_openblas_get_num_threads", "scipy_openblas_set_num_threads"),
                 ("openblas_get_num_threads64_", "openblas_set_num_threads64_"),
                 ("openblas_get_num_threads", "openblas_set_num_threads"))


def _find_blas_threads():
    """``(get, set)`` for the loaded OpenBLAS's thread count, or None when it cannot be found."""
    try:
        import numpy                                      # noqa: F401  (loads its BLAS)
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    except OSError:
        return None
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for get_name, set_name in _BLAS_SYMBOLS:
            if hasattr(lib, get_name) and hasattr(lib, set_name):
                getter, setter = getattr(lib, get_name), getattr(lib, set_name)
                getter.restype, setter.restype = ctypes.c_int, None
                setter.argtypes = [ctypes.c_int]
                return getter, setter
    return None


_blas = _find_blas_threads() if WORKERS > 1 else None
_pool = None
_region = threading.Lock()          # one parallel region at a time; a nested or concurrent one runs inline


def split(items, parts):
    """Deal ``items`` round-robin into at most ``parts`` non-empty lists.

    Examples
    --------
    >>> split([1, 2, 3, 4, 5], 2)
    [[1, 3, 5], [2, 4]]
    """
    return [items[i::parts] for i in range(min(parts, len(items)))]


def parallel_map(fn, parts):
    """``[fn(part) for part in parts]``, the parts running concurrently with a one-thread BLAS if possible.

    ``fn`` must be safe to run concurrently on different parts (kernels use per-thread scratch buffers
    and write disjoint outputs or return partial results).

    Parameters
    ----------
    fn : callable
    parts : list

    Returns
    -------
    list
        Results in the order of ``parts``.

    Examples
    --------
    >>> parallel_map(len, [[0], [0, 0]])
    [1, 2]
    """
    global _pool
    if len(parts) < 2 or _blas is None or not _region.acquire(blocking=False):
        return [fn(part) for part in parts]
    try:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=WORKERS - 1, thread_name_prefix="ssdkit-kernels")
        getter, setter = _blas
        previous = getter()
        setter(1)
        try:
            futures = [_pool.submit(fn, part) for part in parts[1:]]
            try:
                first = fn(parts[0])
            finally:
                wait(futures)        # never restore the BLAS threads while a part still runs
            return [first] + [future.result() for future in futures]
        finally:
            setter(previous)
    finally:
        _region.release()
