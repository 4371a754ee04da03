"""Symbolic control flow, ``mx.sym.contrib.foreach / while_loop / cond``: the Python body is traced once on
placeholder variables into a subgraph, which a ``_foreach`` / ``_while_loop`` / ``_cond`` node runs with
the graph executor (so ``F.contrib.foreach`` inside a hybridized block works).

Variables the body reads from outside (parameters, outer inputs) become inputs of the node, shared with
the outer graph, so their gradients flow. Outputs and states are nested as the body returns them, as in
MXNet 1.9.1. Such graphs save to and load from MXNet's JSON layout (:mod:`.control_flow_json`).

Examples
--------
>>> import numpy as np, ssdkit as mx
>>> data, s0 = mx.sym.var("data"), mx.sym.var("s0")
>>> outs, states = foreach(lambda x, s: (x + s[0], [x + s[0]]), data, [s0])
>>> ex = mx.sym.Group([outs, states[0]]).bind(mx.cpu(), {"data": mx.nd.array([[1], [2], [3]]),
...                                                        "s0": mx.nd.zeros(1)})
>>> [o.asnumpy().ravel().tolist() for o in ex.forward()]
[[1.0, 3.0, 6.0], [6.0]]
"""
from ..attribute import AttrScope, unique_subgraph_name
from ..base import MXNetError
from ..ndarray.control_flow import _flatten, regroup_nested
from .executor import GraphExecutor
from .naming import NameManager, current as _current_names
from .register import call as _call
from .symbol import Symbol, Group, var

__all__ = ["Subgraph", "foreach", "while_loop", "cond"]


def _is_symbol(x):
    return isinstance(x, Symbol)


def _flat(args, what):
    return _flatten(args, what, _is_symbol)


class Subgraph:
    """A traced body: its graph executor and which of its variables are the loop's data, states and the
    outer graph's free inputs (``free_names``, in the node's input order; a body may read only some).

    Examples
    --------
    >>> import numpy as np
    >>> x = var("x")
    >>> sub = Subgraph(Group([x * 2]), ["x"], [], [])
    >>> sub.forward(sub.feed([np.ones(1)], [], []), False)[0]
    [array([2.])]
    """

    def __init__(self, symbol, data_names, state_names, free_names, executor=None):
        self.symbol = symbol
        self.executor = GraphExecutor(symbol) if executor is None else executor   # given: one already built
        self.data_names, self.state_names, self.free_names = list(data_names), list(state_names), list(free_names)
        self._used = set(self.executor.variables)

    def feed(self, data, states, free):
        """The executor's feed: data and states by their placeholder names, free inputs by their own."""
        feed = dict(zip(self.data_names, data))
        feed.update(zip(self.state_names, states))
        feed.update((n, v) for n, v in zip(self.free_names, free) if n in self._used)
        return {k: v for k, v in feed.items() if k in self._used}

    def infer_shapes(self, data, states, free):
        """Shapes from the (partial: None or 0 dims unknown) shapes of data, states and free inputs:
        ``(outputs, data, states, free)``, each completed as far as the body's shape rules allow (a body's
        layer infers its deferred weight's shape from the data slice, as in MXNet)."""
        known = {k: tuple(v) for k, v in self.feed(data, states, free).items() if v is not None}
        args, outs, aux = self.symbol._infer_shape_raw((), known)
        found = dict(zip(self.symbol.list_arguments(), args))
        found.update(zip(self.symbol.list_auxiliary_states(), aux))
        fill = lambda names, shapes: [found.get(n) or s for n, s in zip(names, shapes)]  # noqa: E731
        return (list(outs), fill(self.data_names, data), fill(self.state_names, states),
                fill(self.free_names, free))

    def forward(self, feed, is_train):
        """``(outputs, state for backward)``."""
        return self.executor.forward(feed, is_train, for_backward=True)

    def backward(self, state, head_grads):
        """``{variable name: gradient or None}`` for every variable of the body (``state`` stays usable for
        another backward, as ``retain_graph`` needs)."""
        steps, saved, meta = state
        return self.executor.backward((steps, list(saved), meta), head_grads)

    def __repr__(self):
        return f"<Subgraph of {len(self.symbol.list_outputs())} outputs>"


def _placeholders(prefix, count):
    return [var(f"{prefix}{i}") for i in range(count)]


def _free_inputs(symbols, placeholder_names):
    """Variables the traced graphs read besides the placeholders, each once, as Symbols of the very nodes."""
    seen, free = set(placeholder_names), []
    for sym in symbols:
        for node in sym._nodes():
            if node.is_variable and node.name not in seen:
                seen.add(node.name)
                free.append(Symbol([(node, 0)]))
    return free


def _node_name(name, hint):
    return _current_names().get(name, hint)


def call(op_name, inputs, params, node_name):
    """Add the node under ``node_name`` as already prefixed by the current name manager."""
    with NameManager():
        return _call(op_name, inputs, params, node_name)


def foreach(body, data, init_states, name="foreach"):
    """Run ``body(slice, states) -> (outputs, new_states)`` over axis 0 of ``data`` (a Symbol or a list).

    Returns the outputs stacked over the steps and the final states, nested as ``body`` gives them.

    Examples
    --------
    >>> outs, states = foreach(lambda x, s: (x * 2, s), var("d"), [var("s")])
    >>> outs.infer_shape(d=(3, 2), s=(2,))[1]
    [(3, 2)]
    """
    flat_data, _ = _flat(data, "foreach input")
    flat_states, state_fmt = _flat(init_states, "foreach states")
    node_name = _node_name(unique_subgraph_name(name), "foreach")
    with AttrScope(__subgraph_name__=node_name):  # nodes the body creates carry the subgraph's name
        data_vars = _placeholders(f"{node_name}_data", len(flat_data))
        state_vars = _placeholders(f"{node_name}_state", len(flat_states))
        outs, new_states = body(data_vars[0] if _is_symbol(data) else data_vars,
                                regroup_nested(state_vars, state_fmt))
    flat_outs, out_fmt = _flat(outs, "foreach output")
    flat_new, _ = _flat(new_states, "foreach states")
    if len(flat_new) != len(flat_states):
        raise MXNetError(f"foreach: body returned {len(flat_new)} states for {len(flat_states)} initial states")
    graph = Group(flat_outs + flat_new)
    names = [v.name for v in data_vars + state_vars]
    used = set(graph.list_inputs())
    for kind, group in (("data", data_vars), ("state", state_vars)):
        if any(v.name not in used for v in group):  # MXNet's subgraph needs every loop input (same error)
            raise AssertionError(f"the {kind} arrays have to be used in the loop body")
    free = _free_inputs([graph], names)
    sub = Subgraph(graph, names[:len(data_vars)], names[len(data_vars):], [f.name for f in free])
    inputs = flat_data + flat_states + free
    node = call("_foreach", inputs, {"body": sub, "num_args": len(inputs), "num_data": len(flat_data),
                                     "num_states": len(flat_states), "num_out_data": len(flat_outs),
                                     "num_outputs": len(flat_outs) + len(flat_states)}, node_name)
    results = [node[i] for i in range(len(node))]
    return (regroup_nested(results[:len(flat_outs)], out_fmt),
            regroup_nested(results[len(flat_outs):], state_fmt))


def while_loop(cond, func, loop_vars, max_iterations=None, name="while_loop"):
    """Run ``func(*vars) -> (step_output, new_vars)`` while ``cond(*vars)`` holds, at most ``max_iterations``
    times; returns the step outputs stacked and padded to ``max_iterations`` rows, and the final variables.

    Examples
    --------
    >>> outs, final = while_loop(lambda i: i < 3, lambda i: (i * 2, i + 1), [var("i")], max_iterations=5)
    >>> outs[0].infer_shape(i=(1,))[1]
    [(5, 1)]
    """
    if max_iterations is None:
        raise ValueError("max_iterations should be specified")
    max_iterations = int(max_iterations)
    flat_vars, var_fmt = _flat(loop_vars, "while_loop vars")
    if not flat_vars:
        raise ValueError("loop_vars should contain at least one element")
    node_name = _node_name(name, "while_loop")
    placeholders = _placeholders(f"{node_name}_var", len(flat_vars))
    args = regroup_nested(placeholders, var_fmt)
    args = [args] if _is_symbol(args) else list(args)
    with AttrScope(__subgraph_name__=unique_subgraph_name(f"{name}_cond")):
        flag = cond(*args)
    with AttrScope(__subgraph_name__=unique_subgraph_name(f"{name}_func")):
        step_output, new_vars = func(*args)
    step_output = [] if step_output is None else step_output
    new_vars = [] if new_vars is None else new_vars
    flat_outs, out_fmt = _flat(step_output, "while_loop output")
    flat_new, _ = _flat(new_vars, "while_loop vars")
    if len(flat_new) != len(flat_vars):
        raise ValueError("The length of loop_vars should be consistent during the loop")
    cond_graph, func_graph = Group([flag]), Group(flat_outs + flat_new)
    names = [v.name for v in placeholders]
    free = _free_inputs([cond_graph, func_graph], names)
    free_names = [f.name for f in free]
    inputs = flat_vars + free
    node = call("_while_loop", inputs, {
        "cond": Subgraph(cond_graph, [], names, free_names), "func": Subgraph(func_graph, [], names, free_names),
        "num_args": len(inputs), "num_vars": len(flat_vars), "num_out_data": len(flat_outs),
        "num_outputs": len(flat_outs) + len(flat_vars), "max_iterations": max_iterations}, node_name)
    results = [node[i] for i in range(len(node))]
    outputs = regroup_nested(results[:len(flat_outs)], out_fmt) if flat_outs else []
    return outputs, regroup_nested(results[len(flat_outs):], var_fmt)


def cond(pred, then_func, else_func, name="cond"):
    """``then_func()`` where the one-element ``pred`` is nonzero, else ``else_func()``; both branches must
    return the same structure.

    Examples
    --------
    >>> a = var("a")
    >>> out = cond(a.sum() > 0, lambda: a * 2, lambda: a - 1)
    >>> out.list_arguments()
    ['a']
    """
    node_name = _node_name(name, "cond")
    unique_subgraph_name(f"{name}_pred")  # the condition's subgraph is named as MXNet names it
    with AttrScope(__subgraph_name__=unique_subgraph_name(f"{name}_then")):
        then_out = then_func()
    with AttrScope(__subgraph_name__=unique_subgraph_name(f"{name}_else")):
        else_out = else_func()
    flat_then, fmt = _flat(then_out, "cond then branch output")
    flat_else, _ = _flat(else_out, "cond else branch output")
    if len(flat_then) != len(flat_else):
        raise MXNetError(f"cond: the branches return {len(flat_then)} and {len(flat_else)} outputs")
    graphs = [Group([pred]), Group(flat_then), Group(flat_else)]
    free = _free_inputs(graphs, [])
    free_names = [f.name for f in free]
    pred_sub, then_sub, else_sub = (Subgraph(g, [], [], free_names) for g in graphs)
    node = call("_cond", free, {"pred": pred_sub, "then_branch": then_sub, "else_branch": else_sub,
                                "num_args": len(free), "num_outputs": len(flat_then)}, node_name)
    results = [node[i] for i in range(len(node))]
    return regroup_nested(results, fmt)
