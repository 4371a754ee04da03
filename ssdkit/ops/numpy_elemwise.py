"""NumPy's integer and sign/exponent binary functions as MXNet 1.9.1's ops: ``_npi_lcm``, ``_npi_bitwise_and``,
``_npi_bitwise_or``, ``_npi_bitwise_xor`` (integers only, zero gradient), ``_npi_copysign`` and ``_npi_ldexp``
(``a * 2 ** b``). Both operands have one dtype, which the result keeps (integer ``ldexp`` truncates toward
zero, as MXNet's C cast does); ``mx.np`` turns a Python scalar operand into a 0-d array of the array's dtype.

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("_npi_ldexp")
>>> a, b = np.array([5, -7, 3], np.int32), np.array([2, 3, -2], np.int32)
>>> op.forward(op.parse_params({}), [a, b], False)[0][0]
array([ 20, -56,   0], dtype=int32)
"""
import numpy as np

from ..base import MXNetError
from .elemwise import _make_binary

__all__ = ["NUMPY_BINARY"]


def _same_dtype(name, a, b, kinds=None):
    if a.dtype != b.dtype:
        raise MXNetError(f"{name}: both operands must have one dtype, got {a.dtype} and {b.dtype}")
    if kinds is not None and a.dtype.kind not in kinds:
        raise MXNetError(f"{name}: operands must be integers, got {a.dtype}")


def _integer(name, function, kinds="iu"):
    def forward(a, b):
        _same_dtype(name, a, b, kinds)
        return function(a, b).astype(a.dtype, copy=False)
    return forward


def _copysign(a, b):
    _same_dtype("copysign", a, b)
    return np.copysign(a, b).astype(a.dtype, copy=False)


def _ldexp(a, b):
    _same_dtype("ldexp", a, b)
    with np.errstate(over="ignore"):
        return (a * np.power(2.0, b)).astype(a.dtype, copy=False)


def _sign_match(a, b):
    return np.where(a * b >= 0, 1, -1).astype(a.dtype)


# op name: (forward f(a, b), gradient (da, db) given (a, b, y, dy), None = zero gradient)
NUMPY_BINARY = {
    "_npi_lcm": (_integer("lcm", np.lcm), None),
    "_npi_bitwise_and": (_integer("bitwise_and", np.bitwise_and, "iub"), None),
    "_npi_bitwise_or": (_integer("bitwise_or", np.bitwise_or, "iub"), None),
    "_npi_bitwise_xor": (_integer("bitwise_xor", np.bitwise_xor, "iub"), None),
    "_npi_copysign": (_copysign, lambda a, b, y, dy: (dy * _sign_match(a, b), np.zeros_like(dy))),
    "_npi_ldexp": (_ldexp, lambda a, b, y, dy: (dy * np.power(2.0, b), dy * a * np.power(2.0, b) * np.log(2.0))),
}

for _name, (_f, _g) in NUMPY_BINARY.items():
    _make_binary(_name[len("_npi_"):], _f, _g, op_name=_name)
