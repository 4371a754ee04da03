"""``mx.kv`` / ``mx.kvstore``: MXNet's key-value store for gradient aggregation and parameter updates.

Layer 5 beside gluon and optimizer, so a ``gluon.Trainer`` can make one; the ``dist_*`` store types exchange
values between processes and come with :mod:`ssdkit.distributed` (layer 6), which registers them.

Examples
--------
>>> import ssdkit as mx
>>> kv = mx.kv.create('local'); kv.type
'local'
"""
from .base import KVStoreBase, TestStore, UnsupportedByStore, create, select_kvstore
from .kvstore import KVStore

__all__ = ["KVStoreBase", "KVStore", "TestStore", "UnsupportedByStore", "create", "select_kvstore"]
