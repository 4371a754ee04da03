"""Shape and dtype inference over a node list, using each op's own rules from the registry.

Unknown dimensions are 0 (MXNet's convention for deferred shapes) or a missing shape. Inference runs
forward through the graph and repeats while it still fills something in.

Examples
--------
>>> import ssdkit as mx
>>> y = mx.sym.FullyConnected(mx.sym.var('x'), num_hidden=3, name='fc')
>>> shapes = infer_shapes(y._nodes(), {'x': (5, 2)})
>>> shapes[('var', 'fc_weight')]
(3, 2)
"""
import numpy as np

from ..base import ShapeError
from .symbol import _shape_of, dtype_of_flag

__all__ = ["infer_shapes", "infer_types"]


def _known(shape):
    return shape is not None and 0 not in shape


def _merge(node_name, old, new):
    """Combine a partial shape (0 = unknown) with an inferred one, refusing contradictions."""
    if old is None:
        return new
    if new is None:
        return old
    if len(old) != len(new) or any(a and b and a != b for a, b in zip(old, new)):
        raise ShapeError(f"infer_shape: {node_name} has shape {tuple(old)} but the graph needs {tuple(new)}")
    return tuple(a or b for a, b in zip(old, new))


def infer_shapes(nodes, known):
    """Map ``('var', name)`` and ``(id(node), index)`` to shapes (None when unknown)."""
    shapes = {}
    for node in nodes:
        if node.is_variable:
            given = known.get(node.name)
            shapes[("var", node.name)] = _merge(node.name, _shape_of(node), tuple(given) if given else None)
    changed = True
    while changed:
        changed = False
        for node in nodes:
            if node.is_variable:
                continue
            keys = [("var", src.name) if src.is_variable else (id(src), i) for src, i in node.inputs]
            in_shapes = [shapes.get(k) for k in keys]
            try:
                given = in_shapes if node.op.partial_shapes else [s if _known(s) else None for s in in_shapes]
                filled, outs = node.op.infer_shape(node.params, given)
            except ShapeError as err:
                raise ShapeError(f"{err} [in node {node.name}]") from None
            for key, old, new in zip(keys, in_shapes, filled):
                merged = _merge(key[1] if key[0] == "var" else node.name, old, new)
                if merged != old:
                    shapes[key], changed = merged, True
            for i, out in enumerate(outs):
                old = shapes.get((id(node), i))
                merged = old if out is None else _merge(node.name, old, tuple(out))
                if merged != old:  # an op's 0 dims (sym.zeros((0, 3))) keep what consumers filled in
                    shapes[(id(node), i)], changed = merged, True
            partial = [shapes.get(k) for k in keys]
            if any(not _known(s) for s in partial):  # outputs may tell unknown inputs (MXNet's backward inference)
                outs_now = [shapes.get((id(node), i)) for i in range(len(outs))]
                for key, old, new in zip(keys, partial, node.op.infer_input_shapes(node.params, partial, outs_now)):
                    merged = _merge(key[1] if key[0] == "var" else node.name, old, new)
                    if merged != old:
                        shapes[key], changed = merged, True
    return shapes


def infer_types(nodes, known):
    """Map ``('var', name)`` and ``(id(node), index)`` to numpy dtypes (float32 where nothing says otherwise)."""
    types = {}
    for node in nodes:
        if node.is_variable:
            given = known.get(node.name) or node.attrs.get("__dtype__")
            types[("var", node.name)] = None if given is None else dtype_of_flag(given)
    for node in nodes:
        if node.is_variable:
            continue
        keys = [("var", src.name) if src.is_variable else (id(src), i) for src, i in node.inputs]
        filled, outs = node.op.infer_type(node.params, [types.get(k) for k in keys])
        for key, dtype in zip(keys, filled):
            if types.get(key) is None:
                types[key] = dtype
        for i, dtype in enumerate(outs):
            types[(id(node), i)] = dtype
    return types
