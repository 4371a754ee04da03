"""``autograd.get_symbol``: the computation recorded on the autograd tape as a Symbol.

Recorded op applications become op nodes named ``node_0, node_1, ...`` and the arrays they started from
become variables ``var0, var1, ...``, both numbered in graph order, as MXNet names them. The symbol layer
registers :func:`symbol_from_tape` with autograd when it loads.

Examples
--------
>>> import ssdkit as mx
>>> x = mx.nd.ones((1,)); x.attach_grad()
>>> with mx.autograd.record():
...     y = x * x + 1
>>> s = mx.autograd.get_symbol(y)
>>> s.list_arguments(), s.list_outputs()
(['var0'], ['node_1_output'])
"""
from ..base import MXNetError
from ..ops.aliases import mxnet_name
from .symbol import Symbol, Node

__all__ = ["symbol_from_tape"]


def symbol_from_tape(array):
    """The recorded history of ``array`` (an NDArray computed inside ``autograd.record()``) as a Symbol."""
    if array._entry is None:
        raise MXNetError("get_symbol: the array was not computed inside autograd.record() from an array with "
                         "attach_grad(), so no history was recorded")
    made, counts = {}, {"var": 0, "node": 0}

    def leaf(x):
        if id(x) not in made:
            made[id(x)] = Node(None, "null", f"var{counts['var']}", None, [], {})
            counts["var"] += 1
        return made[id(x)], 0

    stack = [(array._entry[0], False)]
    while stack:  # post-order over the tape: inputs before the node that used them
        tape_node, expanded = stack.pop()
        if id(tape_node) in made:
            continue
        if not expanded:
            stack.append((tape_node, True))
            stack.extend((x._entry[0], False) for x in reversed(tape_node.inputs)
                         if x._entry is not None and id(x._entry[0]) not in made)
            continue
        if tape_node.op is None:
            raise MXNetError(f"get_symbol: the history holds {tape_node.name}, which is not a registry operator "
                             "(an autograd.Function); it has no symbol form")
        inputs = [(made[id(x._entry[0])], x._entry[1]) if x._entry is not None else leaf(x)
                  for x in tape_node.inputs]
        made[id(tape_node)] = Node(tape_node.op, mxnet_name(tape_node.op.name), f"node_{counts['node']}",
                                   tape_node.params, inputs, {})
        counts["node"] += 1
    return Symbol([(made[id(array._entry[0])], array._entry[1])])
