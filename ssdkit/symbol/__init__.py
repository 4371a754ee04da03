"""Layer 4: ``mx.sym`` — Symbol graphs from the same op registry as ``mx.nd``, MXNet JSON files and the
graph executor behind ``hybridize()``.

Examples
--------
>>> import ssdkit as mx
>>> x = mx.sym.var('data')
>>> y = mx.sym.Activation(mx.sym.FullyConnected(x, num_hidden=8, name='fc'), act_type='relu', name='act')
>>> y.list_outputs(), y.infer_shape(data=(4, 16))[1]
(['act_output'], [(4, 8)])
"""
from .symbol import Symbol, var, Variable, Group, compose
from .serialization import load, load_json, save, SymbolFileError
from .naming import NameManager, Prefix
from .register import make_function as _make_function
from ..ndarray.register import populate as _populate, install_methods as _install_methods
from . import contrib, _internal, image, linalg, sparse, random
from .tape import symbol_from_tape as _symbol_from_tape
from .. import autograd as _autograd

_autograd.SYMBOL_FROM_TAPE = _symbol_from_tape


def Custom(*args, name=None, attr=None, **kwargs):
    """``sym.Custom(*inputs, op_type=..., **params)``: a node running a registered Python custom operator
    (``mx.operator.register``); missing inputs become variables named ``<name>_<argument>``.

    Examples
    --------
    >>> from ssdkit import operator
    >>> @operator.register("doc_sym_identity")
    ... class P(operator.CustomOpProp):
    ...     pass
    >>> Custom(var("x"), op_type="doc_sym_identity", name="c").list_outputs()
    ['c_output']
    """
    from ..ndarray.custom_op import split_custom_arguments
    from .register import call
    inputs, params = split_custom_arguments(args, kwargs, lambda a: isinstance(a, Symbol))
    return call("Custom", inputs, params, name, attr=attr)


_populate({"": globals(), "contrib": {}, "internal": {}}, factory=_make_function)
_install_methods(Symbol, _make_function)


def zeros(shape, dtype=None, **kwargs):
    """A symbol of zeros of a fixed ``shape``.

    Examples
    --------
    >>> zeros((2, 3)).infer_shape()[1]
    [(2, 3)]
    """
    return _internal._zeros(shape=shape, dtype=dtype or "float32", **kwargs)


def ones(shape, dtype=None, **kwargs):
    """A symbol of ones of a fixed ``shape``.

    Examples
    --------
    >>> ones((2,)).infer_shape()[1]
    [(2,)]
    """
    return _internal._ones(shape=shape, dtype=dtype or "float32", **kwargs)


def full(shape, val, dtype=None, **kwargs):
    """A symbol filled with ``val``."""
    return _internal._full(shape=shape, value=val, dtype=dtype or "float32", **kwargs)


def arange(start, stop=None, step=1.0, repeat=1, dtype=None, **kwargs):
    """A symbol of evenly spaced values."""
    return _internal._arange(start=start, stop=stop, step=step, repeat=repeat, dtype=dtype or "float32", **kwargs)


def split_v2(ary, indices_or_sections, axis=0, squeeze_axis=False):
    """Split ``ary`` along ``axis`` into equal sections (an int) or at the cut points of a tuple of indices.

    Examples
    --------
    >>> split_v2(var("x"), (1, 3), axis=1).infer_shape(x=(2, 6))[1]
    [(2, 1), (2, 2), (2, 3)]
    """
    return ary.split_v2(indices_or_sections, axis, squeeze_axis)


def maximum(lhs, rhs, **kwargs):
    """Elementwise maximum of two symbols or a symbol and a scalar."""
    if isinstance(lhs, Symbol) and isinstance(rhs, Symbol):
        return broadcast_maximum(lhs, rhs, **kwargs)  # noqa: F821 (generated)
    sym, scalar = (lhs, rhs) if isinstance(lhs, Symbol) else (rhs, lhs)
    return _internal._maximum_scalar(sym, scalar=scalar, **kwargs)


def minimum(lhs, rhs, **kwargs):
    """Elementwise minimum of two symbols or a symbol and a scalar."""
    if isinstance(lhs, Symbol) and isinstance(rhs, Symbol):
        return broadcast_minimum(lhs, rhs, **kwargs)  # noqa: F821 (generated)
    sym, scalar = (lhs, rhs) if isinstance(lhs, Symbol) else (rhs, lhs)
    return _internal._minimum_scalar(sym, scalar=scalar, **kwargs)


def __getattr__(name):
    # ``F.np`` / ``F.npx`` inside hybrid_forward with F = mx.sym (the NumPy interface as graph nodes)
    if name in ("np", "npx"):
        from . import numpy as _numpy_interface
        return getattr(_numpy_interface, name)
    raise AttributeError(f"module 'ssdkit.symbol' has no attribute {name!r}")


def _sym_apply(lhs, rhs, array_fn, scalar_name, reflected_name, python_op, kwargs):
    if isinstance(lhs, Symbol) and isinstance(rhs, Symbol):
        return array_fn(lhs, rhs, **kwargs)
    if isinstance(lhs, Symbol):
        return getattr(_internal, scalar_name)(lhs, scalar=float(rhs), **kwargs)
    if isinstance(rhs, Symbol):
        return getattr(_internal, reflected_name)(rhs, scalar=float(lhs), **kwargs)
    return python_op(lhs, rhs)


def power(base, exp, **kwargs):
    """``base ** exp`` for Symbols and numbers (``broadcast_power`` / ``_power_scalar`` / ``_rpower_scalar``).

    Examples
    --------
    >>> power(var("x"), 2).infer_shape(x=(3,))[1]
    [(3,)]
    """
    return _sym_apply(base, exp, broadcast_power, "_power_scalar", "_rpower_scalar",  # noqa: F821 (generated)
                      lambda a, b: a ** b, kwargs)


pow = power  # noqa: A001  (MXNet's sym.pow)


def hypot(left, right, **kwargs):
    """``sqrt(left**2 + right**2)`` for Symbols and numbers.

    Examples
    --------
    >>> hypot(var("a"), var("b")).list_arguments()
    ['a', 'b']
    """
    return _sym_apply(left, right, broadcast_hypot, "_hypot_scalar", "_hypot_scalar",  # noqa: F821 (generated)
                      lambda a, b: (a * a + b * b) ** 0.5, kwargs)


def eye(N, M=0, k=0, dtype=None, **kwargs):
    """A symbol of an ``N x M`` matrix with ones on diagonal ``k``.

    Examples
    --------
    >>> eye(2).infer_shape()[1]
    [(2, 2)]
    """
    return _internal._eye(N=N, M=M, k=k, dtype=dtype or "float32", **kwargs)


def linspace(start, stop, num, endpoint=True, name=None, dtype=None, **kwargs):
    """A symbol of ``num`` evenly spaced values from ``start`` to ``stop``.

    Examples
    --------
    >>> linspace(0, 1, 5).infer_shape()[1]
    [(5,)]
    """
    return _internal._linspace(start=start, stop=stop, num=num, endpoint=endpoint, name=name,
                               dtype=dtype or "float32", **kwargs)
