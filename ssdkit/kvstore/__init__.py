"""``mx.kv`` / ``mx.kvstore``: MXNet's key-value store for gradient aggregation and parameter updates.

Examples
--------
>>> import ssdkit as mx
>>> kv = mx.kv.create('local'); kv.type
'local'
"""
from .base import KVStoreBase, TestStore, UnsupportedByStore, create
from .kvstore import KVStore

__all__ = ["KVStoreBase", "KVStore", "TestStore", "UnsupportedByStore", "create"]
