"""``mx.nd.np._internal`` (``F.np._internal`` in an imperative block): every ``_npi_*`` registry op as a function
named without the prefix, taking arrays then parameters as MXNet's generated functions do.

Examples
--------
>>> import ssdkit as mx
>>> x = mx.np.zeros(3)
>>> boolean_mask_assign_scalar(x, mx.np.array([1, 0, 1], dtype='bool'), 5.0, out=x)
array([5., 0., 5.])
"""
from ..ndarray.register import make_function as _make_function
from ..ops import list_ops as _list_ops

_PREFIX = "_npi_"

for _op_name in _list_ops(include_aliases=True):
    if _op_name.startswith(_PREFIX):
        globals()[_op_name[len(_PREFIX):]] = _make_function(_op_name, _op_name[len(_PREFIX):])
