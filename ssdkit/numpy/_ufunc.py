"""Elementwise dispatch of ``mx.np``: the binary operators and functions (``+``, ``np.add``, ``np.less``, ...)
and the unary math functions, each a registry op reached with MXNet np's dtype rules (:mod:`._dtypes`).

Examples
--------
>>> import ssdkit as mx
>>> i = mx.np.array([1, 2], dtype='int32')
>>> (i / 2).dtype, (i * 1.5).dtype, (i > 1).dtype
(dtype('float32'), dtype('int32'), dtype('bool'))
"""
import numpy as onp

from ..base import numeric_types
from ..ndarray.ndarray import NDArray, invoke
from ..ops import get_op
from . import _dtypes

__all__ = ["BINARY", "UNARY", "binary", "unary", "cast", "binary_function", "unary_function", "check_ufunc_kwargs"]

# NumPy's ufunc keywords MXNet 1.9.1 accepts at their defaults only
_UFUNC_DEFAULTS = {"where": True, "casting": "same_kind", "order": "K", "dtype": None, "subok": True}
_LEGAL_DTYPES = {"int8", "uint8", "int32", "int64", "float16", "float32", "float64"}


def _legal(key, value):
    if key == "where":
        return True
    if key == "casting":
        return value in ("no", "equiv", "safe", "same_kind", "unsafe")
    if key == "order":
        return isinstance(value, str)
    if key == "dtype":
        return (value if isinstance(value, str) else getattr(value, "__name__", None)) in _LEGAL_DTYPES
    return key == "subok" and isinstance(value, bool)


def check_ufunc_kwargs(name, kwargs):
    """MXNet's rule for NumPy's ufunc keywords: an unknown keyword or a value NumPy rejects is a TypeError, a
    legal value other than the default is a NotImplementedError.

    Examples
    --------
    >>> check_ufunc_kwargs("exp", {"casting": "same_kind"})
    >>> check_ufunc_kwargs("exp", {"order": "C"})
    Traceback (most recent call last):
    ...
    NotImplementedError: order=C is not implemented yet for operator exp
    """
    for key, value in kwargs.items():
        if key not in _UFUNC_DEFAULTS:
            raise TypeError(f"{key} is an invalid keyword to function '{name}'")
        if value is not _UFUNC_DEFAULTS[key] and value != _UFUNC_DEFAULTS[key]:
            if _legal(key, value):
                raise NotImplementedError(f"{key}={value} is not implemented yet for operator {name}")
            raise TypeError(f"{key}={value} not understood for operator {name}")

# np name: (array-array op, array-scalar op, scalar-array op, kind); None = through a 0-d array of the array's
# dtype. kind "same": no promotion, the op takes operands of one dtype (MXNet's lcm, bitwise_*, copysign, ldexp)
BINARY = {
    "add": ("broadcast_add", "_plus_scalar", "_plus_scalar", "arith"),
    "subtract": ("broadcast_sub", "_minus_scalar", "_rminus_scalar", "arith"),
    "multiply": ("broadcast_mul", "_mul_scalar", "_mul_scalar", "arith"),
    "true_divide": ("broadcast_div", "_div_scalar", "_rdiv_scalar", "divide"),
    "mod": ("broadcast_mod", "_mod_scalar", "_rmod_scalar", "arith"),
    "power": ("broadcast_power", "_power_scalar", "_rpower_scalar", "arith"),
    "maximum": ("broadcast_maximum", "_maximum_scalar", "_maximum_scalar", "arith"),
    "minimum": ("broadcast_minimum", "_minimum_scalar", "_minimum_scalar", "arith"),
    "hypot": ("broadcast_hypot", None, None, "arith"),
    "arctan2": ("broadcast_arctan2", None, None, "arith"),
    "equal": ("broadcast_equal", "_equal_scalar", "_equal_scalar", "compare"),
    "not_equal": ("broadcast_not_equal", "_not_equal_scalar", "_not_equal_scalar", "compare"),
    "greater": ("broadcast_greater", "_greater_scalar", "_lesser_scalar", "compare"),
    "greater_equal": ("broadcast_greater_equal", "_greater_equal_scalar", "_lesser_equal_scalar", "compare"),
    "less": ("broadcast_lesser", "_lesser_scalar", "_greater_scalar", "compare"),
    "less_equal": ("broadcast_lesser_equal", "_lesser_equal_scalar", "_greater_equal_scalar", "compare"),
    "logical_and": ("broadcast_logical_and", None, None, "compare"),
    "logical_or": ("broadcast_logical_or", None, None, "compare"),
    "logical_xor": ("broadcast_logical_xor", None, None, "compare"),
    "lcm": ("_npi_lcm", None, None, "same"),
    "bitwise_and": ("_npi_bitwise_and", None, None, "same"),
    "bitwise_or": ("_npi_bitwise_or", None, None, "same"),
    "bitwise_xor": ("_npi_bitwise_xor", None, None, "same"),
    "copysign": ("_npi_copysign", None, None, "same"),
    "ldexp": ("_npi_ldexp", None, None, "same"),
}
BINARY_ALIASES = {"divide": "true_divide", "remainder": "mod", "fmod": "mod"}

# np name: registry op (the same forward and gradient nd uses)
UNARY = {name: name for name in (
    "exp", "expm1", "log", "log1p", "log2", "log10", "sqrt", "square", "abs", "sign", "negative", "reciprocal",
    "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh",
    "floor", "ceil", "trunc", "rint", "fix", "cbrt", "degrees", "radians", "logical_not")}
UNARY.update(absolute="abs", fabs="abs", rad2deg="degrees", deg2rad="radians", bitwise_not="_npi_bitwise_not",
             invert="_npi_bitwise_not")
BOOL_RESULT = {"logical_not", "isnan", "isinf", "isfinite", "isposinf", "isneginf"}
UNARY.update({name: f"_npi_{name}" for name in ("isnan", "isinf", "isfinite", "isposinf", "isneginf")})


def cast(x, dtype):
    """``x`` as ``dtype`` through the recorded Cast op (``x`` itself when it already has that dtype).

    Examples
    --------
    >>> import ssdkit as mx
    >>> cast(mx.np.array([1.5]), 'int32').dtype
    dtype('int32')
    """
    dtype = onp.dtype(dtype)
    return x if x._data.dtype == dtype else invoke("Cast", [x], dtype=dtype.name)


def _scalar_like(x, value, dtype=None):
    return x._wrap(onp.asarray(value, dtype or x._data.dtype))


def _check_operand(value, name):
    if isinstance(value, (NDArray,) + numeric_types):
        return
    raise TypeError(f"type {type(value)} not supported")


def binary(name, lhs, rhs, out=None):
    """``name`` (a key of :data:`BINARY`) on two arrays, or an array and a scalar, with MXNet np's dtypes.

    Examples
    --------
    >>> import ssdkit as mx
    >>> binary("add", mx.np.array([1, 2], dtype='int32'), mx.np.array([0.5, 0.5])).dtype
    dtype('float32')
    """
    op, scalar_op, rscalar_op, kind = BINARY[BINARY_ALIASES.get(name, name)]
    _check_operand(lhs, name)
    _check_operand(rhs, name)
    if not isinstance(lhs, NDArray) and not isinstance(rhs, NDArray):
        return getattr(onp, name)(lhs, rhs)
    if not isinstance(lhs, NDArray) or not isinstance(rhs, NDArray):
        array, scalar, swapped = (lhs, rhs, False) if isinstance(lhs, NDArray) else (rhs, lhs, True)
        if array._data.dtype == onp.bool_ and kind != "compare":
            array = cast(array, _dtypes.INDEX_DTYPE)
        if kind == "divide":
            array = cast(array, _dtypes.true_divide_type(array._data.dtype))
        use = rscalar_op if swapped else scalar_op
        if use is None:
            other = _scalar_like(array, scalar)
            lhs, rhs = (other, array) if swapped else (array, other)
        else:
            result = invoke(use, [array], out=None, scalar=float(scalar))
            return _finish(result, kind, out)
    if kind == "same":
        return _finish(invoke(op, [lhs, rhs]), kind, out)
    dtype = _dtypes.promote(lhs._data.dtype, rhs._data.dtype)
    if kind == "divide":
        dtype = _dtypes.true_divide_type(dtype)
    result = invoke(op, [cast(lhs, dtype), cast(rhs, dtype)])
    return _finish(result, kind, out)


def _finish(result, kind, out):
    if kind == "compare":
        result = cast(result, onp.bool_)
    if out is not None:
        out._data[...] = result._data
        return out
    return result


def unary(name, x, out=None):
    """The registry op behind ``np.<name>`` on an array (numpy's function on a plain scalar).

    Examples
    --------
    >>> import ssdkit as mx
    >>> unary("exp", mx.np.array([0.0]))
    array([1.])
    """
    if not isinstance(x, NDArray):
        return getattr(onp, name)(x)
    if name in BOOL_RESULT and out is not None and out.dtype != onp.bool_:
        raise TypeError(f"{name}: the output is bool, out has dtype {out.dtype}")
    result = invoke(UNARY[name], [x])
    if name in BOOL_RESULT:
        result = cast(result, onp.bool_)
    if out is not None:
        out._data[...] = result._data
        return out
    return result


def binary_function(name):
    """``np.<name>(x1, x2, out=None)`` for a key of :data:`BINARY` (or an alias such as ``divide``).

    Examples
    --------
    >>> import ssdkit as mx
    >>> binary_function("maximum")(mx.np.array([1., 5.]), 2)
    array([2., 5.])
    """
    def function(x1, x2, out=None, **kwargs):
        check_ufunc_kwargs(name, kwargs)
        return binary(name, x1, x2, out)
    function.__name__ = function.__qualname__ = name
    op = get_op(BINARY[BINARY_ALIASES.get(name, name)][0]).name
    function.__doc__ = (f"``{name}(x1, x2)`` elementwise with broadcasting: the registry op ``{op}`` with "
                        f"MXNet np's dtype rules. A Python scalar operand keeps the array's dtype.")
    return function


def unary_function(name):
    """``np.<name>(x, out=None)`` for a key of :data:`UNARY`.

    Examples
    --------
    >>> import ssdkit as mx
    >>> unary_function("sqrt")(mx.np.array([4.0]))
    array([2.])
    """
    def function(x, out=None, **kwargs):
        check_ufunc_kwargs(name, kwargs)
        return unary(name, x, out)
    function.__name__ = function.__qualname__ = name
    function.__doc__ = (f"``{name}(x)`` elementwise: the registry op ``{UNARY[name]}``; the result keeps the "
                        f"input's dtype{' (bool for this test)' if name in BOOL_RESULT else ''}.")
    return function
