"""``mx.nd._internal``: the registry's private ops (``_plus_scalar``, ``_zeros``, ...), as MXNet exposes them.

Examples
--------
>>> import ssdkit as mx
>>> mx.nd._internal._plus_scalar(mx.nd.ones((1,)), scalar=2).asnumpy()
array([3.], dtype=float32)
"""
from .register import populate
from .sparse import internal_getattr

_namespaces = {"": {}, "contrib": {}, "internal": globals()}
populate(_namespaces)


def __getattr__(name):  # MXNet's sparse-only ops are refused by name (ssdkit's arrays are dense)
    return internal_getattr("nd._internal", name)
