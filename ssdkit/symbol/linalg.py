"""``mx.sym.linalg``: MXNet's matrix operators (gemm, potrf, trsm, syevd, det, ...) as symbol functions,
generated from the registry's ``_linalg_*`` ops.

Examples
--------
>>> import ssdkit as mx
>>> mx.sym.linalg.gemm2(mx.sym.var("a"), mx.sym.var("b")).list_arguments()
['a', 'b']
"""
from ..ndarray.register import populate
from .register import make_function

populate({"": {}, "linalg": globals(), "internal": {}}, factory=make_function)
