"""``mx.sym.sparse``: MXNet's symbol operators for sparse storage (``csr``, ``row_sparse``). ssdkit's arrays are
dense only, so each of MXNet 1.9.1's ``sym.sparse`` operator names raises an MXNetError that names the storage
feature and the dense operator to use instead (``mx.sym.<name>``); any other name is an AttributeError.

Examples
--------
>>> import ssdkit as mx
>>> mx.sym.sparse.dot
Traceback (most recent call last):
...
ssdkit.base.MXNetError: sym.sparse.dot: sparse storage (csr, row_sparse) is not supported by ssdkit (arrays are dense); use mx.sym.dot on dense inputs
"""
from ..base import MXNetError

__all__ = ["SPARSE_OPS"]

#: The operator names of MXNet 1.9.1's ``mx.sym.sparse`` namespace.
SPARSE_OPS = frozenset("""
ElementWiseSum Embedding FullyConnected LinearRegressionOutput LogisticRegressionOutput MAERegressionOutput abs
adagrad_update adam_update add_n arccos arccosh arcsin arcsinh arctan arctanh broadcast_add broadcast_div
broadcast_minus broadcast_mul broadcast_plus broadcast_sub cast_storage cbrt ceil clip concat cos cosh degrees dot
elemwise_add elemwise_div elemwise_mul elemwise_sub exp expm1 fix floor ftrl_update gamma gammaln log log10 log1p
log2 make_loss mean negative norm radians relu retain rint round rsqrt sgd_mom_update sgd_update sigmoid sign sin
sinh slice sqrt square stop_gradient sum tan tanh trunc where zeros_like""".split())


def __getattr__(name):
    if name in SPARSE_OPS:
        raise MXNetError(f"sym.sparse.{name}: sparse storage (csr, row_sparse) is not supported by ssdkit "
                         f"(arrays are dense); use mx.sym.{name} on dense inputs")
    raise AttributeError(f"module 'ssdkit.symbol.sparse' has no attribute {name!r}")
