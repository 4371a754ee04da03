"""``mx.sym.contrib``: the registry's ``_contrib_*`` ops as symbol functions.

Examples
--------
>>> import ssdkit as mx
>>> callable(mx.sym.contrib.MultiBoxPrior)
True
"""
from ..ndarray.register import populate
from .register import make_function

populate({"": {}, "contrib": globals(), "internal": {}}, factory=make_function)
