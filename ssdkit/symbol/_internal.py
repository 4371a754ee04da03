"""``mx.sym._internal``: the registry's private ops (``_plus_scalar``, ``_zeros``, ...) as symbol functions.

Examples
--------
>>> import ssdkit as mx
>>> mx.sym._internal._plus_scalar(mx.sym.var('x'), scalar=1).list_arguments()
['x']
"""
from ..ndarray.register import populate
from ..ndarray.sparse import internal_getattr
from .register import make_function

populate({"": {}, "contrib": {}, "internal": globals()}, factory=make_function)


def __getattr__(name):  # MXNet's sparse-only ops are refused by name (ssdkit's arrays are dense)
    return internal_getattr("sym._internal", name)
