"""Run independent kernel work units on every core: one Python thread per core, each pulling units from
a shared queue and calling a single-threaded BLAS.

Why: a convolution block is a patch gathering (a numpy copy: one core) followed by a GEMM. Left to
OpenBLAS's own threads, the GEMM uses both cores but the copy only one, and the skinny GEMMs of
16-channel layers scale poorly across threads. Giving each core whole blocks keeps both busy; pulling
blocks from a queue (rather than dealing them out in advance) keeps both busy even when another process
takes part of a core. numpy releases the GIL in copies and in matmul, so plain threads suffice.

OpenBLAS's thread count is process-wide; it is set to 1 while a parallel region runs and restored after.
Where the BLAS is not an OpenBLAS whose controls can be found (through ctypes, as threadpoolctl does), or
the machine has one core, units run one after another with the BLAS's own threading.

Examples
--------
>>> states = parallel_for([1, 2, 3, 4], lambda total, unit: total.append(unit), list)
>>> sorted(sum(states, []))
[1, 2, 3, 4]
"""
import contextlib
import ctypes
import os
import threading

__all__ = ["parallel_for", "each_chunk", "single_thread_blas", "openblas_paths", "WORKERS"]


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


def openblas_paths():
    """Paths of the OpenBLAS libraries loaded in this process (numpy's first), empty where they cannot
    be listed.

    Examples
    --------
    >>> isinstance(openblas_paths(), list)
    True
    """
    try:
        import numpy                                      # noqa: F401  (loads its BLAS)
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    except OSError:
        return []
    return sorted(paths, key=lambda path: ("numpy" not in path, path))


def _find_blas_threads():
    """``[(get, set), ...]`` for the thread count of every loaded OpenBLAS (numpy's, and scipy's own
    when scipy is loaded), or None when none can be found."""
    found = []
    for path in openblas_paths():
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for get_name, set_name in _BLAS_SYMBOLS:
            if hasattr(lib, get_name) and hasattr(lib, set_name):
                getter, setter = getattr(lib, get_name), getattr(lib, set_name)
                getter.restype, setter.restype = ctypes.c_int, None
                setter.argtypes = [ctypes.c_int]
                found.append((getter, setter))
                break
    return found or None


@contextlib.contextmanager
def single_thread_blas():
    """Within the block every OpenBLAS found runs on one thread; the previous counts come back after.

    Examples
    --------
    >>> with single_thread_blas():
    ...     pass
    """
    previous = [getter() for getter, _ in _blas or ()]
    for _, setter in _blas or ():
        setter(1)
    try:
        yield
    finally:
        for (_, setter), count in zip(_blas or (), previous):
            setter(count)


_blas = _find_blas_threads() if WORKERS > 1 else None
_pool = None
_WORKER_PREFIX = "ssdkit-kernels"
# one parallel region at a time: concurrent callers wait (each then gets every core, and the BLAS thread
# count is the same for all), a nested call from the region's own thread runs inline
_region = threading.RLock()
_in_region = threading.local()      # .active: this thread runs units of a region (nested calls run inline)


class _Helper:
    """One persistent helper thread, handed each job through a pair of locks.

    A lock handoff wakes a sleeping thread in about a third of the time of a ThreadPoolExecutor's
    submit-and-wait (quiet box, real-time priority: 38 against 84-130 us per parallel region), and ToySSD's
    inference of one image opens some 35 regions.
    """

    def __init__(self, index):
        self._go, self._done = threading.Lock(), threading.Lock()
        self._go.acquire()
        self._done.acquire()
        self._job = self._result = None
        threading.Thread(target=self._serve, name=f"{_WORKER_PREFIX}-{index}", daemon=True).start()

    def _serve(self):
        _in_region.active = True                 # a helper only ever runs units: its nested calls run inline
        while True:
            self._go.acquire()
            try:
                self._result = (True, _drain(*self._job))
            except BaseException as err:         # re-raised in the caller's thread by result()
                self._result = (False, err)
            self._job = None
            self._done.release()

    def start(self, *job):
        """Run ``_drain(*job)`` on the helper thread; :meth:`result` waits for it."""
        self._job = job
        self._go.release()

    def result(self):
        """The state the job returned (its exception is raised here)."""
        self._done.acquire()
        ok, value = self._result
        self._result = None
        if not ok:
            raise value
        return value


def _after_fork_in_child():
    """A forked child (e.g. a DataLoader worker) inherits the helper objects but not their threads."""
    global _pool, _region
    _pool, _region = None, threading.RLock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _drain(units, fn, state, queue):
    """Run ``fn(state, unit)`` for units taken from the shared ``queue`` (a locked position) until none."""
    lock, position = queue
    while True:
        with lock:
            index = position[0]
            position[0] += 1
        if index >= len(units):
            return state
        fn(state, units[index])


def parallel_for(units, fn, make_state=lambda: None):
    """Call ``fn(state, unit)`` for every unit, on all cores, each core with a one-thread BLAS.

    Each participating thread gets its own ``state = make_state()`` (e.g. a gradient accumulator).
    ``fn`` must be safe to run concurrently on different units: kernels use per-thread scratch buffers
    and write disjoint parts of their outputs or accumulate into their state.

    The BLAS stays at one thread even when only one thread works: a multi-threaded OpenBLAS call leaves
    its worker threads spinning for a while afterwards, and a spinning worker halves the speed of the
    next parallel region (measured: 86 -> 50 GFLOPS on a 64-channel layer).

    Parameters
    ----------
    units : list
    fn : callable ``(state, unit) -> None``
    make_state : callable ``() -> state``

    Returns
    -------
    list
        The states of the threads that ran (one when running inline).

    Examples
    --------
    >>> out = [0] * 3
    >>> _ = parallel_for([0, 1, 2], lambda state, i: out.__setitem__(i, i * i))
    >>> out
    [0, 1, 4]
    """
    queue = (threading.Lock(), [0])
    if _blas is None or getattr(_in_region, "active", False):
        # nested in a unit (on a helper or on the region's own thread): the helpers are busy, run inline
        return [_drain(units, fn, make_state(), queue)]
    with _region, single_thread_blas():
        _in_region.active = True
        try:
            return _run_region(units, fn, make_state, queue)
        finally:
            _in_region.active = False


def _run_region(units, fn, make_state, queue):
    """The body of :func:`parallel_for` once the region is held: the helpers and this thread drain."""
    global _pool
    helpers = min(WORKERS, len(units)) - 1
    if helpers <= 0:
        return [_drain(units, fn, make_state(), queue)]
    if _pool is None:
        _pool = [_Helper(i) for i in range(WORKERS - 1)]
    for helper in _pool[:helpers]:
        helper.start(units, fn, make_state(), queue)
    try:
        mine = _drain(units, fn, make_state(), queue)
    finally:
        # never restore the BLAS threads while a unit still runs: wait for every helper first
        results, error = [], None
        for helper in _pool[:helpers]:
            try:
                results.append(helper.result())
            except BaseException as err:
                error = err
    if error is not None:
        raise error
    return [mine] + results


def each_chunk(count, length, fn, chunk_elements, parallel_min_elements):
    """Call ``fn(r0, r1)`` on consecutive runs of ``count`` rows of ``length`` elements, each run about
    ``chunk_elements`` (at least one row), on every core when there are ``parallel_min_elements`` or more.

    Memory-bound passes use it: every numpy step ``fn`` applies to a cache-sized run after the first reads the
    cache, and both cores pull on the memory bus.

    Examples
    --------
    >>> runs = []
    >>> each_chunk(10, 1, lambda a, b: runs.append((a, b)), chunk_elements=4, parallel_min_elements=1)
    >>> sorted(runs)
    [(0, 4), (4, 8), (8, 10)]
    """
    step = max(1, chunk_elements // max(length, 1))
    chunks = [(r, min(count, r + step)) for r in range(0, count, step)]
    if count * length < parallel_min_elements or WORKERS < 2 or len(chunks) < 2:
        for chunk in chunks:
            fn(*chunk)
    else:
        parallel_for(chunks, lambda _, chunk: fn(*chunk))
