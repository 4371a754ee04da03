"""``KVStore``: MXNet's built-in key-value store for one process (``local``, ``device``, ...) and for data
parallelism across processes (``dist_sync``), with MXNet's semantics:

* ``init(key, value)`` stores a copy; keys are all ints or all strings (the first ``init`` decides).
* ``push(key, value)`` sums the values given for a key (one per device); in a ``dist_*`` store the sums of all
  processes are added too (one MPI allreduce). Without an optimizer the sum replaces the stored value; with one
  (``set_optimizer``) it is the gradient of an update of the stored weight.
* ``pull(key, out)`` copies the stored value into ``out`` (one array per device).
* ``set_gradient_compression({'type': '2bit', 'threshold': t})`` quantizes each pushed value to {-t, 0, t}
  keeping the remainder per key and device for the next push, where MXNet compresses: between devices of
  ``device``-type stores and from every worker of a ``dist`` store.

The ``dist_*`` types are :class:`ssdkit.distributed.kvstore.DistKVStore`, this store with the values exchanged
over MPI; they run Horovod-style: every process applies the same update to its own copy after the allreduce,
which equals MXNet's server-side update of the summed pushes (MXNet sends the optimizer to its servers).

Examples
--------
>>> import ssdkit as mx
>>> kv = mx.kv.create('local')
>>> w = mx.nd.zeros((2,)); kv.init('w', w)
>>> kv.set_optimizer(mx.optimizer.SGD(learning_rate=0.1))
>>> kv.push('w', mx.nd.ones((2,))); kv.pull('w', out=w); w.asnumpy()
array([-0.1, -0.1], dtype=float32)
"""
import numpy as np

from .. import optimizer as opt
from ..base import MXNetError, atomic_write
from ..ndarray import NDArray
from .base import KVStoreBase

__all__ = ["KVStore"]

LOCAL_TYPES = ("local", "device", "local_allreduce_cpu", "local_allreduce_device", "local_update_cpu")
DIST_TYPES = ("dist_sync", "dist_device_sync", "dist_sync_device")
REFUSED_TYPES = {
    "nccl": "needs NVIDIA GPUs (NCCL), which ssdkit does not run on; use 'device' or 'local'",
    "dist_async": "runs asynchronous parameter servers, which ssdkit does not have; 'dist_sync' trains "
                  "synchronously over MPI (ssdkit.distributed)",
    "horovod": "needs the horovod package; ssdkit's own MPI data parallelism is 'dist_sync' (ssdkit.distributed)",
    "byteps": "needs the byteps package; ssdkit's own MPI data parallelism is 'dist_sync' (ssdkit.distributed)",
}


def _as_list(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _check_dense(arrays, op):
    for a in arrays:
        if not isinstance(a, NDArray):
            raise MXNetError(f"KVStore.{op}: values must be NDArrays, got {type(a).__name__}")


class KVStore(KVStoreBase):
    """MXNet's built-in store; make it with ``mx.kv.create(name)``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> kv = mx.kv.create('device'); kv.init([1, 2], [mx.nd.ones((1,)), mx.nd.zeros((1,))])
    >>> outs = [mx.nd.empty((1,)), mx.nd.empty((1,))]; kv.pull([1, 2], out=outs)
    >>> [o.asnumpy().tolist() for o in outs], kv.rank, kv.num_workers
    ([[1.0], [0.0]], 0, 1)
    """

    def __init__(self, name="local"):
        if name in DIST_TYPES and not self.is_distributed:
            raise MXNetError(f"kvstore '{name}' is made by create('{name}') once ssdkit.distributed is imported")
        if name in REFUSED_TYPES:
            raise MXNetError(f"kvstore '{name}' {REFUSED_TYPES[name]}")
        if name not in LOCAL_TYPES + DIST_TYPES:
            raise MXNetError(f"unknown kvstore type '{name}'; ssdkit has {', '.join(LOCAL_TYPES + DIST_TYPES)}")
        self._type = name
        self._store = {}
        self._key_type = None
        self._updater = None
        self._compression = None
        self._residuals = {}

    # ------------------------------------------------------------------ keys and values
    def _key(self, key, op):
        if not isinstance(key, (int, np.integer, str)):
            raise MXNetError(f"KVStore.{op}: keys must be int or str, got {type(key).__name__} {key!r}")
        kind = str if isinstance(key, str) else int
        if self._key_type is None:
            self._key_type = kind
        elif kind is not self._key_type:
            raise MXNetError(f"KVStore.{op}: this store uses {self._key_type.__name__} keys; key {key!r} is a "
                             f"{kind.__name__} (a store accepts either int or str keys, not both)")
        return key if kind is str else int(key)

    def _pairs(self, key, value, op):
        """[(key, [arrays...])] from MXNet's single-or-list forms of keys and values."""
        if isinstance(key, (list, tuple)):
            values = _as_list(value)
            if len(values) != len(key):
                raise MXNetError(f"KVStore.{op}: {len(key)} keys but {len(values)} values")
            pairs = [(self._key(k, op), _as_list(v)) for k, v in zip(key, values)]
        else:
            pairs = [(self._key(key, op), _as_list(value))]
        for _, arrays in pairs:
            _check_dense(arrays, op)
        return pairs

    def _stored(self, key, op):
        if key not in self._store:
            raise MXNetError(f"KVStore.{op}: key {key!r} has not been initialized (call init first)")
        return self._store[key]

    # ------------------------------------------------------------------ the interface
    def init(self, key, value):
        """Store a copy of ``value`` under ``key`` (lists: one value per key). Every process must call it with
        the same keys; a ``dist`` store takes rank 0's values.

        Examples
        --------
        >>> import ssdkit as mx
        >>> kv = mx.kv.create(); kv.init('a', mx.nd.ones((2, 2)) * 4)
        >>> a = mx.nd.zeros((2, 2)); kv.pull('a', out=a); a.asnumpy()[0]
        array([4., 4.], dtype=float32)
        """
        for k, arrays in self._pairs(key, value, "init"):
            if k in self._store:
                raise MXNetError(f"KVStore.init: key {k!r} is already initialized")
            self._store[k] = NDArray(self._broadcast(np.array(arrays[0].asnumpy(), copy=True), k))

    def push(self, key, value, priority=0):
        """Sum the values of each key (one per device, and over processes in ``dist`` stores); store the sum,
        or apply the optimizer to the stored value with the sum as gradient.

        Examples
        --------
        >>> import ssdkit as mx
        >>> kv = mx.kv.create(); kv.init(5, mx.nd.zeros((3,)))
        >>> kv.push(5, [mx.nd.ones((3,))] * 4); out = mx.nd.zeros((3,)); kv.pull(5, out); out.asnumpy()
        array([4., 4., 4.], dtype=float32)
        """
        for k, arrays in self._pairs(key, value, "push"):
            stored = self._stored(k, "push")
            for a in arrays:
                if a.shape != stored.shape:
                    raise MXNetError(f"KVStore.push: key {k!r} holds shape {stored.shape}, pushed value has shape "
                                     f"{a.shape}")
            merged = self._merge(k, arrays)
            if self._updater is not None:
                self._updater(k, NDArray(merged), stored)
            else:
                stored._data[...] = merged

    def _merge(self, key, arrays):
        parts = [a.asnumpy().astype(self._store[key].dtype, copy=False) for a in arrays]
        if self._compression is not None and (len(parts) > 1 or self.is_distributed):
            parts = [self._quantize(key, i, p) for i, p in enumerate(parts)]
        merged = parts[0].copy() if len(parts) == 1 else np.sum(parts, axis=0, dtype=parts[0].dtype)
        return self._allreduce(merged, key)

    # ------------------------------------------------------------------ what a multi-process store overrides
    is_distributed = False   # values are exchanged with other processes (ssdkit.distributed's stores)

    def _broadcast(self, data, key):
        """The value every process stores for a new ``key`` (this process's own in one process)."""
        return data

    def _allreduce(self, merged, key):
        """The sum over processes of this process's merged push (the push itself in one process)."""
        return merged

    def _quantize(self, key, device, grad):
        threshold = self._compression
        residual = self._residuals.setdefault((key, device), np.zeros_like(grad))
        residual += grad
        quantized = np.where(residual >= threshold, threshold,
                             np.where(residual <= -threshold, -threshold, 0)).astype(grad.dtype)
        residual -= quantized
        return quantized

    def pull(self, key, out=None, priority=0, ignore_sparse=True):
        """Copy each key's stored value into ``out`` (one array per device).

        Examples
        --------
        >>> import ssdkit as mx
        >>> kv = mx.kv.create(); kv.init(0, mx.nd.full((2,), 7))
        >>> outs = [mx.nd.zeros((2,)), mx.nd.zeros((2,))]; kv.pull(0, out=outs); outs[1].asnumpy()
        array([7., 7.], dtype=float32)
        """
        if out is None:
            raise MXNetError("KVStore.pull: give out= (the arrays to copy the stored values into)")
        for k, arrays in self._pairs(key, out, "pull"):
            stored = self._stored(k, "pull")
            for a in arrays:
                if a.shape != stored.shape:
                    raise MXNetError(f"KVStore.pull: key {k!r} holds shape {stored.shape}, out has shape {a.shape}")
                a._data[...] = stored._data

    def pushpull(self, key, value, out=None, priority=0):
        """``push(key, value)`` then ``pull(key, out)``; ``out`` defaults to ``value`` (updated in place).

        Examples
        --------
        >>> import ssdkit as mx
        >>> kv = mx.kv.create(); kv.init(1, mx.nd.zeros((2,)))
        >>> v = [mx.nd.ones((2,)), mx.nd.ones((2,)) * 2]; kv.pushpull(1, v); v[0].asnumpy()
        array([3., 3.], dtype=float32)
        """
        self.push(key, value, priority)
        self.pull(key, value if out is None else out, priority)

    def broadcast(self, key, value, out, priority=0):
        """``init(key, value)`` then ``pull(key, out)``.

        Examples
        --------
        >>> import ssdkit as mx
        >>> kv = mx.kv.create(); out = [mx.nd.zeros((1,))] * 2
        >>> kv.broadcast('x', mx.nd.ones((1,)) * 5, out=out); out[0].asnumpy()
        array([5.], dtype=float32)
        """
        self.init(key, value)
        self.pull(key, out=out, priority=priority)

    def row_sparse_pull(self, key, out=None, priority=0, row_ids=None):
        """Pull selected rows of a row-sparse value: ssdkit stores dense arrays only, so this raises.

        Examples
        --------
        >>> import ssdkit as mx
        >>> mx.kv.create().row_sparse_pull('a', out=mx.nd.zeros((2,)), row_ids=mx.nd.array([0]))
        Traceback (most recent call last):
        ...
        ssdkit.base.MXNetError: KVStore.row_sparse_pull: row_sparse storage is not supported by ssdkit ...
        """
        raise MXNetError("KVStore.row_sparse_pull: row_sparse storage is not supported by ssdkit (arrays are "
                         "dense); use pull")

    def set_gradient_compression(self, compression_params):
        """2-bit gradient compression (``{'type': '2bit', 'threshold': 0.5}``) for ``device`` and ``dist``
        stores, as MXNet; other store types refuse it.

        Examples
        --------
        >>> import ssdkit as mx
        >>> kv = mx.kv.create('device'); kv.set_gradient_compression({'type': '2bit', 'threshold': 0.5})
        >>> kv.init(0, mx.nd.zeros((3,)))
        >>> kv.push(0, [mx.nd.array([0.7, -0.2, -0.6])] * 2); out = mx.nd.zeros((3,)); kv.pull(0, out)
        >>> out.asnumpy()
        array([ 1.,  0., -1.], dtype=float32)
        """
        if "device" not in self._type and "dist" not in self._type:
            raise MXNetError(f"Gradient compression is not supported for this type of kvstore ({self._type})")
        params = dict(compression_params)
        if params.get("type") != "2bit":
            raise MXNetError(f"set_gradient_compression: unknown type {params.get('type')!r}; MXNet has '2bit'")
        threshold = float(params.get("threshold", 0.5))
        if threshold <= 0:
            raise MXNetError(f"set_gradient_compression: threshold must be positive, got {threshold}")
        self._compression = threshold
        self._residuals = {}

    def set_optimizer(self, optimizer):
        """Update stored values with ``optimizer`` on every push (the pushed sum is the gradient).

        Examples
        --------
        >>> import ssdkit as mx
        >>> kv = mx.kv.create(); kv.init(3, mx.nd.zeros((2, 2))); kv.set_optimizer(mx.optimizer.SGD())
        >>> kv.push(3, mx.nd.ones((2, 2))); w = mx.nd.zeros((2, 2)); kv.pull(3, out=w); w.asnumpy()[0]
        array([-0.01, -0.01], dtype=float32)
        """
        if not isinstance(optimizer, opt.Optimizer):
            raise MXNetError(f"KVStore.set_optimizer: expected an mx.optimizer.Optimizer, got "
                             f"{type(optimizer).__name__}")
        self._set_updater(opt.get_updater(optimizer))

    def _set_updater(self, updater):
        """Call ``updater(key, pushed_sum, stored)`` on every push instead of storing the sum."""
        self._updater = updater

    def is_capable(self, capability):
        """``KVStoreBase.OPTIMIZER`` is supported by every built-in store.

        Examples
        --------
        >>> import ssdkit as mx
        >>> mx.kv.create().is_capable(mx.kv.KVStoreBase.OPTIMIZER)
        True
        """
        if capability.lower() == KVStoreBase.OPTIMIZER:
            return True
        raise ValueError(f"Unknown capability: {capability}")

    def save_optimizer_states(self, fname, dump_optimizer=False):
        """Write the optimizer's states (MXNet's array layout + a JSON header; no pickle) to ``fname``."""
        if self._updater is None or not hasattr(self._updater, "get_states"):
            raise MXNetError("KVStore.save_optimizer_states: no optimizer is set (call set_optimizer first)")
        atomic_write(fname, self._updater.get_states(dump_optimizer), "save_optimizer_states")

    def load_optimizer_states(self, fname):
        """Read states written by :meth:`save_optimizer_states` into the optimizer."""
        if self._updater is None or not hasattr(self._updater, "set_states"):
            raise MXNetError("KVStore.load_optimizer_states: no optimizer is set (call set_optimizer first)")
        try:
            with open(fname, "rb") as f:
                payload = f.read()
        except OSError as err:
            raise MXNetError(f"load_optimizer_states: cannot read {fname}: {err.strerror or err}") from err
        self._updater.set_states(payload, source=fname)

    @property
    def type(self):
        """The type name given to ``create``."""
        return self._type

    @property
    def rank(self):
        """This process's rank (0 unless a ``dist`` store runs under mpirun)."""
        return 0

    @property
    def num_workers(self):
        """Number of processes sharing the store."""
        return 1

    def _barrier(self):
        """Wait for every process (a no-op in one process)."""
