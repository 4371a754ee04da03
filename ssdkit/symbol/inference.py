"""Shape and dtype inference over a node list, using each op's own rules from the registry.

Shapes may be partial, as in MXNet: a dimension of 0 is unknown, a missing shape (None) is unknown
altogether. Like MXNet's InferShape pass, inference sweeps the graph forward and then backward and repeats
while a sweep still fills something in, so known dimensions travel both ways (``FullyConnected``'s weight
from its data; a batch size from a later ``elemwise_add`` back to the data).

Per op, in order:

* ops declared ``same_shape`` (unary maths, ``Activation``...) and MXNet's strict ``elemwise_*`` ops
  unify every input and output shape;
* the op's forward rule ``infer_shape``: called directly when the input shapes are complete (or the op
  declares ``partial_shapes = True``); otherwise first with the partial inputs given as unknown (the rule
  may fill them, as Convolution fills a weight ``(8, 0, 3, 3)`` from the data) and, for ops declaring
  ``partial_shapes = PROBE``, twice more with the unknown dims replaced by two probe sizes: a dimension
  that comes out the same both times is known (``dot``, ``transpose``, ``Concat``... keep their known
  dims this way, as MXNet's own rules do; other ops wait for complete inputs, as most of MXNet's do);
* the op's backward rule ``infer_input_shapes`` (opt-in per op: the default learns nothing).

Examples
--------
>>> import ssdkit as mx
>>> y = mx.sym.FullyConnected(mx.sym.var('x'), num_hidden=3, name='fc')
>>> shapes = infer_shapes(y._nodes(), {'x': (5, 2)})
>>> shapes[('var', 'fc_weight')]
(3, 2)
>>> a = mx.sym.var('a', shape=(0, 10)); b = mx.sym.var('b', shape=(12, 0))
>>> shapes = infer_shapes((a + b)._nodes(), {})
>>> shapes[('var', 'a')], shapes[('var', 'b')]
((12, 10), (12, 10))
"""
import numpy as np

from ..base import MXNetError, ShapeError
from ..ops.registry import Op, PROBE
from .symbol import _shape_of, dtype_of_flag

__all__ = ["infer_shapes", "infer_types", "PROBE_SIZES", "STRICT_ELEMWISE"]

#: Sizes put in place of unknown dims when an op's forward rule has no partial form; a dim of the result
#: that differs between the two runs depends on an unknown and stays unknown.
PROBE_SIZES = (12, 30)

#: MXNet ops whose inputs and output all have one shape (ssdkit runs them with the broadcasting ops, so the
#: node's MXNet name tells them apart).
STRICT_ELEMWISE = frozenset(["elemwise_add", "elemwise_sub", "elemwise_mul", "elemwise_div"])


def _known(shape):
    return shape is not None and 0 not in shape


def _merge(operand, node_name, old, new):
    """Combine a partial shape (0 = unknown) with an inferred one, refusing contradictions."""
    if old is None:
        return None if new is None else tuple(new)
    if new is None:
        return old
    new = tuple(new)
    if len(old) != len(new) or any(a and b and a != b for a, b in zip(old, new)):
        raise ShapeError(f"infer_shape: error in operator {node_name}: shape inconsistent for {operand}, "
                         f"provided {tuple(old)}, inferred {new} [in node {node_name}]")
    return tuple(a or b for a, b in zip(old, new))


def _unify(node_name, names, shapes):
    """One shape that every given shape agrees with (0 dims filled from the others), or None."""
    found = None
    for name, shape in zip(names, shapes):
        if shape is not None:
            found = _merge(name, node_name, found, shape)
    return found


def _agree(a, b):
    if a is None or b is None or len(a) != len(b):
        return None
    return tuple(int(x) if x == y else 0 for x, y in zip(a, b))


def _probe(op, params, shapes):
    """``op.infer_shape`` on partial shapes: unknown dims become each probe size in turn."""
    runs = []
    for size in PROBE_SIZES:
        given = [None if s is None else tuple(d or size for d in s) for s in shapes]
        try:
            filled, outs = op.infer_shape(params, given)
        except Exception:  # noqa: BLE001  a probe size the op refuses: nothing is learnt from this op yet
            return shapes, [None] * op.output_count(params)
        runs.append((list(filled), list(outs)))
    (fa, oa), (fb, ob) = runs
    return ([_agree(x, y) for x, y in zip(fa, fb)],
            [_agree(None if x is None else tuple(x), None if y is None else tuple(y)) for x, y in zip(oa, ob)])


def _forward_rule(op, params, in_shapes):
    if op.partial_shapes is True or all(s is None or 0 not in s for s in in_shapes):
        return op.infer_shape(params, in_shapes)
    # first as if the partial inputs were unknown (the rule may fill them: a weight (8, 0, 3, 3) from the data)
    filled, outs = op.infer_shape(params, [s if _known(s) else None for s in in_shapes])
    filled = [s if _known(s) or new is None else new for s, new in zip(in_shapes, filled)]
    if all(o is not None for o in outs) or op.partial_shapes != PROBE:
        return filled, outs
    probed, probed_outs = _probe(op, params, [new if new is not None and len(new) == len(s or new) else s
                                              for s, new in zip(in_shapes, filled)])
    return ([a if b is None else b for a, b in zip(filled, probed)],
            [a if a is not None else b for a, b in zip(outs, probed_outs)])


class _Table:
    """The shapes of every graph entry, with MXNet's merge-and-check on every update."""

    def __init__(self, nodes, known):
        self.shapes, self.changed = {}, False
        for node in nodes:
            if node.is_variable:  # a shape given at inference time overrides the variable's __shape__
                given = known.get(node.name)
                self.shapes[("var", node.name)] = tuple(int(d) for d in given) if given is not None \
                    else _shape_of(node)

    def update(self, key, node_name, value):
        old = self.shapes.get(key)
        merged = _merge(key[1] if key[0] == "var" else node_name, node_name, old, value)
        if merged != old:
            self.shapes[key], self.changed = merged, True


def _step(node, table, seen):
    op, params = node.op, node.params
    keys = [("var", src.name) if src.is_variable else (id(src), i) for src, i in node.inputs]
    n_out = op.output_count(params)
    out_keys = [(id(node), i) for i in range(n_out)]
    state = tuple(table.shapes.get(k) for k in keys + out_keys)
    if seen.get(id(node)) == state:
        return
    if getattr(op, "same_shape", False) or (node.op_name in STRICT_ELEMWISE and len(
            {len(s) for s in state if s is not None}) <= 1):
        names = [k[1] if k[0] == "var" else node.name for k in keys] + [node.name] * n_out
        shared = _unify(node.name, names, state)
        for key in keys + out_keys:
            table.update(key, node.name, shared)
    in_shapes = [table.shapes.get(k) for k in keys]
    try:
        filled, outs = _forward_rule(op, params, in_shapes)
    except ShapeError as err:
        raise ShapeError(f"{err} [in node {node.name}]") from None
    for key, new in zip(keys, filled):
        table.update(key, node.name, new)
    for key, out in zip(out_keys, outs):
        table.update(key, node.name, None if out is None else tuple(out))
    partial = [table.shapes.get(k) for k in keys]
    if any(not _known(s) for s in partial):  # outputs may tell unknown inputs (MXNet's backward inference)
        outs_now = [table.shapes.get(k) for k in out_keys]
        for key, new in zip(keys, op.infer_input_shapes(params, partial, outs_now)):
            table.update(key, node.name, new)
    seen[id(node)] = tuple(table.shapes.get(k) for k in keys + out_keys)


def infer_shapes(nodes, known):
    """Map ``('var', name)`` and ``(id(node), index)`` to shapes: tuples with 0 for unknown dims, None when
    nothing is known. ``known`` gives input shapes by variable name (they override ``__shape__``)."""
    table = _Table(nodes, known)
    ops = [n for n in nodes if not n.is_variable]
    seen = {}
    table.changed = True
    while table.changed:
        table.changed = False
        for node in ops:
            _step(node, table, seen)
        for node in reversed(ops):
            _step(node, table, seen)
    for node in nodes:  # MXNet re-reads a __shape__ attribute at every sweep while the shape is incomplete
        key = ("var", node.name)
        if node.is_variable and node.name not in known and "__shape__" in node.attrs and not _known(
                table.shapes.get(key)):
            table.shapes[key] = _shape_of(node)
    return table.shapes


def infer_types(nodes, known):
    """Map ``('var', name)`` and ``(id(node), index)`` to numpy dtypes; None where nothing decides.

    An op's rule is asked once some input dtype is known (or when it has no inputs, or its own rule fixes
    the output, as ``Cast`` does); ops with the default rule give unknown outputs from unknown inputs.
    """
    types = {}
    for node in nodes:
        if node.is_variable:
            given = known.get(node.name)
            given = node.attrs.get("__dtype__") if given is None else given
            types[("var", node.name)] = None if given is None else dtype_of_flag(given)
    for node in nodes:
        if node.is_variable:
            continue
        keys = [("var", src.name) if src.is_variable else (id(src), i) for src, i in node.inputs]
        given = [types.get(k) for k in keys]
        if keys and all(t is None for t in given) and type(node.op).infer_type is Op.infer_type:
            continue
        try:
            filled, outs = node.op.infer_type(node.params, given)
        except MXNetError as err:
            raise MXNetError(f"{err} [in node {node.name}]") from None
        for key, dtype in zip(keys, filled):
            if types.get(key) is None and dtype is not None:
                types[key] = np.dtype(dtype)
        for i, dtype in enumerate(outs):
            types[(id(node), i)] = None if dtype is None else np.dtype(dtype)
    return types
