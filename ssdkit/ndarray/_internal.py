"""``mx.nd._internal``: the registry's private ops (``_plus_scalar``, ``_zeros``, ...), as MXNet exposes them.

Examples
--------
>>> import ssdkit as mx
>>> mx.nd._internal._plus_scalar(mx.nd.ones((1,)), scalar=2).asnumpy()
array([3.], dtype=float32)
"""
from .register import populate

_namespaces = {"": {}, "contrib": {}, "internal": globals()}
populate(_namespaces)
