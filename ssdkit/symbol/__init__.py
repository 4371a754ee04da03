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
from . import contrib, _internal, image


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
