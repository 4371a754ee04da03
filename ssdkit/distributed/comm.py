"""The process group and its collectives: ``init``, ``rank``/``size``, ``allreduce``, ``broadcast``, ``barrier``.

Backend choice (``init(backend="auto")``): MPI through ``mpi4py`` when the process was started by an MPI
launcher (``mpirun``/``mpiexec``/``srun`` leave their variables in the environment), otherwise one process
of size 1 that imports nothing extra. Started by a launcher with several processes but without mpi4py is
an error: silently training N unrelated copies of the model would waste the run.

Every collective works on numpy buffers in place (mpi4py's upper-case ``Allreduce``/``Bcast``: no pickling).
The public ones first agree on the operand's shape and dtype across ranks (one small extra collective), so
a mismatch raises :class:`~ssdkit.base.MXNetError` on every rank instead of corrupting memory or hanging;
the fused gradient path in :mod:`ssdkit.distributed.fused` checks its layout once instead.

Examples
--------
>>> import numpy as np
>>> init(backend="local"); size(), rank(), local_rank()
(1, 0, 0)
>>> allreduce(np.array([1.0, 2.0], np.float32))
array([1., 2.], dtype=float32)
>>> shutdown()
"""
import os
import zlib

import numpy as np

from ..base import MXNetError
from ..ops import batchnorm as _sync_batchnorm
from ..ndarray import NDArray

__all__ = ["init", "shutdown", "is_initialized", "rank", "size", "local_rank", "local_size", "barrier",
           "allreduce", "allreduce_", "broadcast", "broadcast_", "BACKENDS", "SUPPORTED_DTYPES",
           "check_dtype", "layout_signature", "agree"]

#: ``init`` backends: choose by environment, force MPI, or force one local process.
BACKENDS = ("auto", "mpi", "local")

#: Variables MPI launchers set in every process they start: (variable holding the world size or None).
#: Open MPI's mpirun, MPICH/Intel MPI hydra, PMIx launchers (srun --mpi=pmix, prterun).
_LAUNCHER_SIZE_VARS = ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE")
_LAUNCHER_ANY_VARS = _LAUNCHER_SIZE_VARS + ("PMIX_RANK", "PMI_RANK", "MPI_LOCALNRANKS")

#: dtypes the collectives accept (MPI has standard types for these; float16 has none).
SUPPORTED_DTYPES = tuple(np.dtype(t) for t in ("float32", "float64", "int32", "int64", "uint8"))


class _World:
    """The communicator state: ``comm`` is an mpi4py communicator, or None for one local process."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.comm, self.mpi = None, None
        self.rank, self.size, self.local_rank, self.local_size = 0, 1, 0, 1
        self.initialized = False


_WORLD = _World()


def _launcher_size():
    """World size announced by an MPI launcher, 0 when no launcher variable is set (None: size unknown)."""
    for var in _LAUNCHER_SIZE_VARS:
        if os.environ.get(var, "").isdigit():
            return int(os.environ[var])
    return None if any(v in os.environ for v in _LAUNCHER_ANY_VARS) else 0


def init(comm=None, backend="auto"):
    """Join the process group (call once per process, before any other function here).

    Parameters
    ----------
    comm : mpi4py communicator, optional
        Train over this communicator instead of ``MPI.COMM_WORLD`` (implies the MPI backend).
    backend : {'auto', 'mpi', 'local'}
        ``auto``: MPI when started by an MPI launcher, else one local process; ``mpi``: MPI always
        (``mpi4py`` required); ``local``: one process of size 1 whatever the environment.

    Examples
    --------
    >>> init(backend="local"); is_initialized(), size()
    (True, 1)
    >>> shutdown()
    """
    if backend not in BACKENDS:
        raise MXNetError(f"distributed.init: backend must be one of {BACKENDS}, got {backend!r}")
    if _WORLD.initialized and comm is None and backend == "auto":
        return
    _WORLD.reset()
    announced = _launcher_size()
    use_mpi = comm is not None or backend == "mpi" or (backend == "auto" and announced != 0)
    if use_mpi:
        try:
            from mpi4py import MPI
        except (ImportError, RuntimeError, OSError) as err:   # not installed, or no MPI library to load
            if backend == "auto" and comm is None and announced == 1:
                use_mpi = False        # a one-process mpirun without mpi4py is still one process
            else:
                why = ("backend='mpi' was requested" if backend == "mpi" or comm is not None else
                       f"an MPI launcher started {announced or 'several'} processes")
                raise MXNetError(f"distributed.init: {why} but mpi4py cannot be imported ({err}); install it with "
                                 "`pip install ssdkit[mpi]` (needs an MPI library such as Debian's "
                                 "libopenmpi-dev)") from None
    if use_mpi:
        comm = MPI.COMM_WORLD if comm is None else comm
        local = comm.Split_type(MPI.COMM_TYPE_SHARED, key=comm.Get_rank())
        _WORLD.comm, _WORLD.mpi = comm, MPI
        _WORLD.rank, _WORLD.size = comm.Get_rank(), comm.Get_size()
        _WORLD.local_rank, _WORLD.local_size = local.Get_rank(), local.Get_size()
        local.Free()
    _WORLD.initialized = True
    if _WORLD.size > 1:  # SyncBatchNorm sums its statistics over the ranks through this hook
        _sync_batchnorm.CROSS_PROCESS["sum"] = _summed_copy


def shutdown():
    """Leave the process group; :func:`init` may be called again (MPI itself is finalized at exit).

    Examples
    --------
    >>> init(backend="local"); shutdown(); is_initialized()
    False
    """
    _WORLD.reset()
    _sync_batchnorm.CROSS_PROCESS["sum"] = None


def _summed_copy(vector):
    """A float64 copy of ``vector`` summed over all ranks (SyncBatchNorm's statistics)."""
    buf = np.ascontiguousarray(vector, dtype=np.float64).copy()
    _sum_(buf)
    return buf


def is_initialized():
    """Whether :func:`init` was called (and not undone by :func:`shutdown`).

    Examples
    --------
    >>> is_initialized()
    False
    """
    return _WORLD.initialized


def _require(op):
    if not _WORLD.initialized:
        raise MXNetError(f"distributed.{op}: the process group is not initialized; call "
                         "ssdkit.distributed.init() first")
    return _WORLD


def _query(attr, meaning, single_process_value):
    """Make the public accessor ``attr()`` of the initialized world (its docstring runs as a doctest)."""
    def query():
        return getattr(_require(attr), attr)
    query.__name__ = query.__qualname__ = attr
    query.__doc__ = f"""{meaning}

    Returns
    -------
    int

    Examples
    --------
    >>> init(backend="local"); {attr}(); shutdown()
    {single_process_value}
    """
    return query


rank = _query("rank", "This process's index in ``[0, size())``.", 0)
size = _query("size", "Number of processes training together.", 1)
local_rank = _query("local_rank", "This process's index among the processes on its machine (to pick a device "
                    "or a core).", 0)
local_size = _query("local_size", "Number of processes on this machine.", 1)


def barrier():
    """Wait until every process reaches this call.

    Examples
    --------
    >>> init(backend="local"); barrier(); shutdown()
    """
    world = _require("barrier")
    if world.comm is not None:
        world.comm.Barrier()


# ----------------------------------------------------------------------------------------- buffers
def _numpy_of(array, op, name, in_place=False):
    """The numpy buffer behind ``array`` (an NDArray's ``_data`` or the ndarray itself)."""
    data = array._data if isinstance(array, NDArray) else array
    if not isinstance(data, np.ndarray):
        raise MXNetError(f"distributed.{op}{_label(name)}: expected an NDArray or numpy.ndarray, "
                         f"got {type(array).__name__}")
    if in_place and not data.flags.writeable:
        raise MXNetError(f"distributed.{op}_{_label(name)}: the array is read-only; use {op}() for a new array")
    return check_dtype(data, op, name)


def check_dtype(data, op, name=None):
    """``data`` if MPI can reduce its dtype (see ``SUPPORTED_DTYPES``), else MXNetError naming ``op``.

    Examples
    --------
    >>> check_dtype(np.zeros(2, np.float16), "allreduce", "w")
    Traceback (most recent call last):
    ...
    ssdkit.base.MXNetError: distributed.allreduce (w): dtype float16 is not supported; ...
    """
    if data.dtype not in SUPPORTED_DTYPES:
        raise MXNetError(f"{_qualified(op)}{_label(name)}: dtype {data.dtype} is not supported; expected one of "
                         f"{[str(d) for d in SUPPORTED_DTYPES]}")
    return data


def _qualified(op):
    return op if "." in op else f"distributed.{op}"


def _label(name):
    return f" ({name})" if name else ""


def layout_signature(shapes_and_dtypes):
    """A fixed-size int64 fingerprint of a list of ``(shape, dtype)``: ``[crc32, total elements]``.

    Parameters
    ----------
    shapes_and_dtypes : list of (tuple of int, numpy dtype)

    Returns
    -------
    numpy.ndarray of shape (2,), int64

    Examples
    --------
    >>> int(layout_signature([((2, 3), np.float32)])[1])
    6
    """
    text = ";".join(f"{tuple(int(s) for s in shape)}:{np.dtype(dtype).str}" for shape, dtype in shapes_and_dtypes)
    total = sum(int(np.prod(shape, dtype=np.int64)) for shape, _ in shapes_and_dtypes)
    return np.array([zlib.crc32(text.encode()), total], np.int64)


def agree(signature, what):
    """Raise MXNetError on every rank unless all ranks pass the same int64 ``signature``.

    One Allreduce(MAX) over ``[s, -s]`` yields both the maximum and the minimum of each entry.

    Parameters
    ----------
    signature : numpy.ndarray, int64, same length on every rank
    what : str
        Names the operation and operand in the error.

    Examples
    --------
    >>> init(backend="local"); agree(np.array([7, 3], np.int64), "allreduce"); shutdown()
    """
    world = _require("agree")
    if world.comm is None:
        return
    both = np.concatenate([signature, -signature]).astype(np.int64)
    world.comm.Allreduce(world.mpi.IN_PLACE, both, op=world.mpi.MAX)
    high, low = both[:len(signature)], -both[len(signature):]
    if not np.array_equal(high, low):
        raise MXNetError(f"{what}: the ranks disagree on the operand (rank {world.rank} has total size "
                         f"{int(signature[-1])}; sizes across ranks range {int(low[-1])}..{int(high[-1])}); "
                         "every rank must pass arrays of the same shape and dtype in the same order")


def _in_place(array, op, name, collective):
    """Run ``collective(contiguous numpy buffer)`` on ``array``'s data and write the result back."""
    data = _numpy_of(array, op, name)
    agree(layout_signature([(data.shape, data.dtype)]), f"distributed.{op}{_label(name)}")
    buf = data if data.flags.c_contiguous else np.ascontiguousarray(data)
    collective(buf)
    if buf is not data:
        data[...] = buf
    return array


def _sum_(buf):
    """MPI sum of a contiguous numpy buffer over all ranks, in place (no checks: callers agree first)."""
    _WORLD.comm.Allreduce(_WORLD.mpi.IN_PLACE, buf, op=_WORLD.mpi.SUM)


def _bcast_(buf, root):
    """MPI broadcast of a contiguous numpy buffer from ``root``, in place (no checks)."""
    _WORLD.comm.Bcast(buf, root=root)


def _copy(array):
    if isinstance(array, NDArray):
        return NDArray(array._data.copy(), array.context)
    return np.array(array, copy=True)


# ----------------------------------------------------------------------------------------- collectives
def allreduce_(array, average=True, name=None):
    """Sum (or average) ``array`` over all ranks, in place.

    Parameters
    ----------
    array : NDArray or numpy.ndarray
        Same shape and dtype on every rank.
    average : bool
        Divide the sum by :func:`size` (needs a floating dtype).
    name : str, optional
        Shown in error messages.

    Returns
    -------
    The same ``array`` object, now holding the reduced values.

    Examples
    --------
    >>> init(backend="local"); a = np.ones(3, np.float32); allreduce_(a) is a; shutdown()
    True
    """
    world = _require("allreduce_")
    data = _numpy_of(array, "allreduce", name, in_place=True)
    if average and data.dtype.kind != "f":
        raise MXNetError(f"distributed.allreduce{_label(name)}: average=True needs a floating dtype, got "
                         f"{data.dtype}; pass average=False to sum integers")
    if world.comm is None:
        return array

    def reduce(buf):
        _sum_(buf)
        if average:
            buf *= buf.dtype.type(1.0 / world.size)

    return _in_place(array, "allreduce", name, reduce)


def allreduce(array, average=True, name=None):
    """Sum (or average) over all ranks into a new array of the same type as ``array``.

    Parameters
    ----------
    array : NDArray, numpy.ndarray or array-like
    average : bool
    name : str, optional

    Returns
    -------
    NDArray or numpy.ndarray of ``array``'s shape

    Examples
    --------
    >>> import ssdkit as mx
    >>> init(backend="local"); allreduce(mx.nd.array([2, 4])).asnumpy(); shutdown()
    array([2., 4.], dtype=float32)
    """
    if not isinstance(array, (NDArray, np.ndarray)):
        array = np.asarray(array)
    return allreduce_(_copy(array), average, name)


def _check_root(op, root_rank, world_size):
    if int(root_rank) != root_rank or not 0 <= root_rank < world_size:
        raise MXNetError(f"distributed.{op}: root_rank must be an integer in [0, {world_size}), got {root_rank!r}")
    return int(root_rank)


def broadcast_(array, root_rank=0, name=None):
    """Overwrite ``array`` on every rank with its value on ``root_rank``, in place.

    Parameters
    ----------
    array : NDArray or numpy.ndarray
    root_rank : int
    name : str, optional

    Returns
    -------
    The same ``array`` object.

    Examples
    --------
    >>> init(backend="local"); broadcast_(np.arange(3), 0); shutdown()
    array([0, 1, 2])
    """
    world = _require("broadcast_")
    root = _check_root("broadcast", root_rank, world.size)
    _numpy_of(array, "broadcast", name, in_place=True)
    if world.comm is None:
        return array
    return _in_place(array, "broadcast", name, lambda buf: _bcast_(buf, root))


def broadcast(array, root_rank=0, name=None):
    """``root_rank``'s value of ``array`` as a new array on every rank.

    Parameters
    ----------
    array : NDArray or numpy.ndarray
    root_rank : int
    name : str, optional

    Returns
    -------
    NDArray or numpy.ndarray of ``array``'s shape

    Examples
    --------
    >>> init(backend="local"); b = np.ones(2); broadcast(b, 0) is b; shutdown()
    False
    """
    _require("broadcast")
    _numpy_of(array, "broadcast", name)
    return broadcast_(_copy(array), root_rank, name)
