"""``KVStoreBase`` and ``create``: the key-value store interface of MXNet 1.9.1 and its registry.

A key-value store holds one array per key. Workers ``push`` values (summed over the devices, and over the
processes of a ``dist_*`` store) and ``pull`` the stored value back; with an optimizer set, a push updates the
stored weight instead of replacing it. ``create(name)`` looks the name up in the registry of custom stores
first (``@KVStoreBase.register``), then builds ssdkit's own :class:`~ssdkit.kvstore.kvstore.KVStore`.

Examples
--------
>>> import ssdkit as mx
>>> kv = mx.kv.create('local')
>>> kv.init(3, mx.nd.zeros((2,)))
>>> kv.push(3, [mx.nd.ones((2,)), mx.nd.ones((2,))])   # two devices' values are summed
>>> out = mx.nd.empty((2,)); kv.pull(3, out=out); out.asnumpy()
array([2., 2.], dtype=float32)
"""
import os

import numpy as np

from ..base import MXNetError

__all__ = ["KVStoreBase", "TestStore", "UnsupportedByStore", "create", "select_kvstore"]

#: MXNet's ``local`` store stops updating on the store when a parameter has more elements than this.
BIG_PARAMETER = 1024 * 1024 * 16


class UnsupportedByStore(MXNetError, NotImplementedError):
    """A store type does not implement this method (MXNet raises NotImplementedError; this is both).

    Examples
    --------
    >>> issubclass(UnsupportedByStore, NotImplementedError)
    True
    """


class KVStoreBase:
    """The interface every key-value store implements; subclasses registered with
    ``@KVStoreBase.register`` are made by :func:`create` under their lower-cased class name.

    Examples
    --------
    >>> @KVStoreBase.register
    ... class Echo(KVStoreBase):
    ...     pass
    >>> type(create('echo')).__name__
    'Echo'
    >>> del KVStoreBase.kv_registry['echo']
    """

    kv_registry = {}
    OPTIMIZER = "optimizer"

    def _unsupported(self, what):
        return UnsupportedByStore(f"kvstore '{self.type}' ({type(self).__name__}) does not implement {what}")

    def broadcast(self, key, value, out, priority=0):
        """Set ``key`` to ``value`` and copy it into ``out`` (an NDArray or a list, one per device)."""
        raise self._unsupported("broadcast")

    def pushpull(self, key, value, out=None, priority=0):
        """Push ``value`` and pull the result into ``out`` (``value`` itself when ``out`` is None)."""
        raise self._unsupported("pushpull")

    def set_optimizer(self, optimizer):
        """Apply ``optimizer`` to stored values on every push."""
        raise self._unsupported("set_optimizer")

    def is_capable(self, capability):
        """Whether this store supports ``capability`` (``KVStoreBase.OPTIMIZER``)."""
        raise self._unsupported("is_capable")

    def save_optimizer_states(self, fname, dump_optimizer=False):
        """Write the optimizer's states to ``fname``."""
        raise self._unsupported("save_optimizer_states")

    def load_optimizer_states(self, fname):
        """Read optimizer states written by :meth:`save_optimizer_states`."""
        raise self._unsupported("load_optimizer_states")

    @property
    def type(self):
        """The store's type name."""
        return type(self).__name__.lower()

    @property
    def rank(self):
        """This worker's rank (0 in one process)."""
        return 0

    @property
    def num_workers(self):
        """How many workers share the store (1 in one process)."""
        return 1

    @staticmethod
    def register(klass):
        """Class decorator: make ``klass`` available as ``create(klass.__name__.lower())``."""
        name = klass.__name__.lower()
        if name in KVStoreBase.kv_registry:
            import warnings
            warnings.warn(f"KVStore {name} is already registered; it is replaced by {klass}")
        KVStoreBase.kv_registry[name] = klass
        return klass


@KVStoreBase.register
class TestStore(KVStoreBase):
    """MXNet's stateless store for tests (``create('teststore')``): ``broadcast`` copies, ``pushpull`` sums
    the given values into ``out`` (or into the values themselves); no optimizer.

    Examples
    --------
    >>> import ssdkit as mx
    >>> kv = create('teststore'); outs = [mx.nd.zeros((1,)), mx.nd.zeros((1,))]
    >>> kv.pushpull(1, [mx.nd.ones((1,)), mx.nd.ones((1,))], out=outs); outs[1].asnumpy()
    array([2.], dtype=float32)
    """

    def broadcast(self, key, value, out, priority=0):
        for o in (out if isinstance(out, list) else [out]):
            o[:] = value

    def pushpull(self, key, value, out=None, priority=0):
        if not isinstance(value, (list, tuple)):
            targets = [] if out is None else (out if isinstance(out, list) else [out])
            for o in targets:
                o[:] = value
            return
        total = value[0].copy()
        for v in value[1:]:
            total += v
        for o in (value if out is None else (out if isinstance(out, list) else [out])):
            o[:] = total

    @staticmethod
    def is_capable(capability):
        if capability.lower() == KVStoreBase.OPTIMIZER:
            return False
        raise ValueError(f"Unknown capability: {capability}")


def create(name="local"):
    """A new key-value store of type ``name``.

    Parameters
    ----------
    name : str
        ``'local'``, ``'device'``, ``'local_allreduce_cpu'``, ``'local_allreduce_device'``,
        ``'local_update_cpu'`` (one process: all the same here, values live on the CPU), ``'dist_sync'``,
        ``'dist_device_sync'``, ``'dist_sync_device'`` (over :mod:`ssdkit.distributed`: values are summed
        across processes with MPI), or a name registered with ``@KVStoreBase.register``.

    Returns
    -------
    KVStoreBase

    Examples
    --------
    >>> import ssdkit as mx
    >>> mx.kv.create('device').type
    'device'
    >>> mx.kv.create('nccl')
    Traceback (most recent call last):
    ...
    ssdkit.base.MXNetError: kvstore 'nccl' needs NVIDIA GPUs (NCCL), which ssdkit does not run on; ...
    """
    if not isinstance(name, str):
        raise TypeError("name must be a string")
    name = name.lower()
    if name in KVStoreBase.kv_registry:
        return KVStoreBase.kv_registry[name]()
    from .kvstore import KVStore, DIST_TYPES
    if name in DIST_TYPES:
        # the MPI transport is a higher layer (ssdkit.distributed), which registers these names when imported
        raise MXNetError(f"kvstore '{name}' exchanges values between processes with ssdkit.distributed: "
                         f"import ssdkit.distributed (mx.kv does) before creating it")
    return KVStore(name)


def select_kvstore(kvstore, num_device, shapes):
    """MXNet's choice of store for a Trainer or Module: ``(store or None, update_on_kvstore)``.

    One device with a local store name needs no store; ``'local'`` stops updating on the store when a parameter
    has more than 16M elements; a store that cannot run an optimizer never updates. ``MXNET_UPDATE_ON_KVSTORE``
    (default 1) is the starting preference.

    Parameters
    ----------
    kvstore : str, KVStoreBase or None
    num_device : int
    shapes : list of tuple
        The parameters' shapes.

    Examples
    --------
    >>> select_kvstore('device', 1, [(2,)])
    (None, False)
    >>> kv, on_kv = select_kvstore('device', 2, [(2,)]); kv.type, on_kv
    ('device', True)
    """
    update_on_kvstore = bool(int(os.getenv("MXNET_UPDATE_ON_KVSTORE", "1")))
    if kvstore is None:
        kv = None
    elif isinstance(kvstore, KVStoreBase):
        kv = kvstore
    elif isinstance(kvstore, str):
        if num_device == 1 and "dist" not in kvstore:
            kv = None
        else:
            kv = create(kvstore)
            if kvstore == "local" and max((int(np.prod(s)) for s in shapes), default=0) > BIG_PARAMETER:
                update_on_kvstore = False
    else:
        raise TypeError("kvstore must be KVStore, str or None")
    if kv is None:
        return None, False
    return kv, update_on_kvstore and kv.is_capable(KVStoreBase.OPTIMIZER)
