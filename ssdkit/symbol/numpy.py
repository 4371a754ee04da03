"""``F.np`` and ``F.npx`` when ``F`` is ``mx.sym``: the NumPy-interface functions as graph nodes, so a
HybridBlock written with ``F.np.*`` / ``F.npx.*`` hybridizes. Each adds the same registry op that ``mx.np`` /
``mx.npx`` runs imperatively.

A symbol carries no dtype or shape while the graph is traced, so the dtype rules of ``mx.np`` that depend on
them (promotion of mixed int/float operands, int / int giving float32) are not applied here: graphs are
traced for float arrays. Functions that need a shape to decide (``atleast_2d``, ``meshgrid``) are not offered.

Examples
--------
>>> import ssdkit as mx
>>> x = mx.sym.var('x')
>>> y = mx.sym.np.sum(mx.sym.np.exp(x) * 2, axis=1)
>>> y.infer_shape(x=(2, 3))[1]
[(2,)]
>>> mx.sym.npx.reshape(x, (-1,)).infer_shape(x=(2, 3))[1]
[(6,)]
"""
import types

import numpy as onp

from ..base import MXNetError
from ..numpy import _ufunc, _dispatch
from ..numpy_extension import OPS as _NPX_OPS
from ..ops import list_ops
from .register import call, make_function
from .symbol import Symbol

__all__ = ["np", "npx"]


def _node(op_name, inputs, **params):
    node = call(op_name, list(inputs), params, None)
    node._np = True  # F.np results are NumPy-interface symbols
    return node


def _scalar(value):
    return _node("_full", [], shape=(), value=float(value), dtype="float32")


def _bool(sym):
    return _node("Cast", [sym], dtype="bool")


def _binary(name):
    op, scalar_op, rscalar_op, kind = _ufunc.BINARY[_ufunc.BINARY_ALIASES.get(name, name)]

    def function(x1, x2, out=None, **kwargs):
        if isinstance(x1, Symbol) and isinstance(x2, Symbol):
            result = _node(op, [x1, x2])
        elif isinstance(x1, Symbol) or isinstance(x2, Symbol):
            swapped = not isinstance(x1, Symbol)
            array, scalar = (x2, x1) if swapped else (x1, x2)
            use = rscalar_op if swapped else scalar_op
            if use is None:
                result = _node(op, [_scalar(scalar), array] if swapped else [array, _scalar(scalar)])
            else:
                result = _node(use, [array], scalar=float(scalar))
        else:
            return getattr(onp, name)(x1, x2)
        return _bool(result) if kind == "compare" else result
    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"``np.{name}`` as a graph node (the registry op ``{op}``)."
    return function


def _unary(name):
    def function(x, out=None, **kwargs):
        result = _node(_ufunc.UNARY[name], [x])
        return _bool(result) if name in _ufunc.BOOL_RESULT else result
    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"``np.{name}`` as a graph node (the registry op ``{_ufunc.UNARY[name]}``)."
    return function


def _axes(axis):
    return None if axis is None else (int(axis),) if isinstance(axis, (int, onp.integer)) else tuple(axis)


def _namespace():
    ns = {}
    for name in list(_ufunc.BINARY) + list(_ufunc.BINARY_ALIASES):
        if not name.startswith("logical_"):
            ns[name] = _binary(name)
    for name in _ufunc.UNARY:
        ns[name] = _unary(name)
    ns.update(
        reshape=lambda a, newshape, order="C": _node(
            "_np_reshape", [a], newshape=(newshape,) if isinstance(newshape, int) else tuple(newshape)),
        ravel=lambda x, order="C": _node("_np_reshape", [x], newshape=(-1,)),
        transpose=lambda a, axes=None: _node("transpose", [a], axes=() if axes is None else tuple(axes)),
        swapaxes=lambda a, axis1, axis2: _node("swapaxes", [a], dim1=axis1, dim2=axis2),
        expand_dims=lambda a, axis: _node("expand_dims", [a], axis=axis),
        squeeze=lambda a, axis=None: _node("_np_squeeze", [a], axis=_axes(axis)),
        concatenate=_concatenate,
        stack=lambda arrays, axis=0, out=None: _node("stack", list(arrays), axis=axis, num_args=len(arrays)),
        split=_split,
        repeat=lambda a, repeats, axis=None: _node("repeat", [a], repeats=int(repeats), axis=axis),
        tile=lambda A, reps: _node("tile", [A], reps=(reps,) if isinstance(reps, int) else tuple(reps)),
        where=_where,
    )
    for name, function in ns.items():
        if function.__name__ == "<lambda>":
            function.__name__ = function.__qualname__ = name
            function.__doc__ = f"``np.{name}`` as a graph node (the same registry op as ``mx.np.{name}``)."
    ns.update(_shared(""))
    ns["_Symbol"] = Symbol  # MXNet's numpy symbol class; one Symbol class serves both interfaces here
    ns["linalg"] = types.SimpleNamespace(**_shared("linalg."))
    ns["_internal"] = types.SimpleNamespace(**{name[len("_npi_"):]: make_function(name, name[len("_npi_"):])
                                               for name in list_ops(include_aliases=True) if name.startswith("_npi_")})
    ns["random"] = types.SimpleNamespace(**_shared("random."))
    return ns


def _shared(prefix):
    """The shared functions filed under ``prefix`` (``random.``, ``linalg.``, ``npx.random.``), by short name."""
    return {name[len(prefix):]: _dispatch.as_graph_function(f) for name, f in _dispatch.SHARED.items()
            if name.startswith(prefix) and "." not in name[len(prefix):]}


def _concatenate(seq, axis=0, out=None):
    seq = list(seq)
    if axis is None:
        seq, axis = [_node("_np_reshape", [a], newshape=(-1,)) for a in seq], 0
    return _node("concat", seq, dim=axis, num_args=len(seq))


def _split(ary, indices_or_sections, axis=0):
    if isinstance(indices_or_sections, (int, onp.integer)):
        group = _node("_npi_split", [ary], sections=int(indices_or_sections), axis=axis)
    else:
        group = _node("_npi_split", [ary], indices=tuple(int(i) for i in indices_or_sections), axis=axis)
    return [Symbol([entry])._of_kind(True) for entry in group._outputs]  # output selection, not value indexing


def _where(condition, x, y):
    x, y = (v if isinstance(v, Symbol) else _scalar(v) for v in (x, y))
    return _node("_npi_where", [condition, x, y])


def _npx_namespace():
    ns = {name: make_function(op_name, name) for name, op_name in _NPX_OPS.items()}
    ns["reshape"] = lambda a, newshape, reverse=False, order="C": _node(
        "_npx_reshape", [a], newshape=(newshape,) if isinstance(newshape, int) else tuple(newshape), reverse=reverse)
    ns["reshape"].__doc__ = "``npx.reshape`` as a graph node (MXNet's special codes)."
    ns.update(_shared("npx."))
    ns["random"] = types.SimpleNamespace(**_shared("npx.random."))
    return ns


def _symbolic_call(op_name, inputs, params):
    """Graph nodes for :func:`ssdkit.numpy._dispatch.call`: the op's outputs as one-output Symbols."""
    group = call(op_name, [x if isinstance(x, Symbol) else _constant(x) for x in inputs], params, None)
    return [Symbol([entry])._of_kind(True) for entry in group._outputs]


def _constant(value):
    data = getattr(value, "_data", value)
    data = onp.asarray(data)
    if data.ndim:
        raise MXNetError(f"an array of shape {data.shape} cannot be mixed with Symbols in F.np (pass it as an input "
                         f"or parameter of the block)")
    return _node("_full", [], shape=(), value=float(data), dtype=data.dtype.name)


_dispatch.register_symbolic(Symbol, _symbolic_call)

#: ``mx.sym.np``
np = types.SimpleNamespace(**_namespace())
#: ``mx.sym.npx``
npx = types.SimpleNamespace(**_npx_namespace())
