"""``mx.nd.linalg``: MXNet's matrix operators (gemm, potrf, trsm, syevd, det, ...) on NDArrays, generated
from the registry's ``_linalg_*`` ops.

Examples
--------
>>> import ssdkit as mx
>>> mx.nd.linalg.gemm2(mx.nd.ones((2, 3)), mx.nd.ones((3, 4))).shape
(2, 4)
"""
from .register import populate

populate({"": {}, "linalg": globals(), "internal": {}})
