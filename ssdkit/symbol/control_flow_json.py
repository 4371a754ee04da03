"""Control-flow nodes in MXNet's JSON layout: a ``_foreach`` / ``_while_loop`` / ``_cond`` record holds its
subgraphs under ``"subgraphs"`` and says with ``*_locs`` attributes which node input feeds which subgraph
input, as MXNet 1.9.1 writes them (so files move between MXNet and ssdkit both ways).

Examples
--------
>>> import ssdkit as mx
>>> outs, _ = mx.sym.contrib.foreach(lambda x, s: (x * 2, s), mx.sym.var("d"), [mx.sym.var("s")])
>>> attrs, graphs = subgraph_record(outs._outputs[0][0])
>>> attrs["in_data_locs"], attrs["in_state_locs"], len(graphs)
('[0]', '[1]', 1)
"""
from ..base import MXNetError
from .control_flow import Subgraph

__all__ = ["CONTROL_FLOW_OPS", "subgraph_record", "subgraph_params"]

CONTROL_FLOW_OPS = ("_foreach", "_while_loop", "_cond")


def _locs(values):
    return "[" + ", ".join(str(v) for v in values) + "]"


def _index(names, name, what):
    if name not in names:
        raise MXNetError(f"cannot save: {what} {name!r} is not used by its subgraph (MXNet's layout needs it)")
    return names.index(name)


def subgraph_record(node):
    """``(attributes, [subgraph Symbol, ...])`` of a control-flow node, in MXNet's layout.

    The node's inputs are ordered data, states, free inputs (foreach) or loop variables, free inputs
    (while_loop) or free inputs (cond); the ``*_locs`` attributes index subgraph inputs accordingly.
    """
    p, op = node.params, node.op.name
    n = len(node.inputs)
    if op == "_foreach":
        body = p.body
        inputs = body.symbol.list_inputs()
        attrs = {"in_data_locs": _locs(_index(inputs, x, "data") for x in body.data_names),
                 "in_state_locs": _locs(_index(inputs, x, "state") for x in body.state_names),
                 "remain_locs": _locs(_index(inputs, x, "input") for x in body.free_names),
                 "num_out_data": str(p.num_out_data), "num_outputs": str(p.num_outputs), "num_args": str(n + 1)}
        return attrs, [body.symbol]
    if op == "_while_loop":
        outer = p.func.state_names + p.func.free_names  # the node's inputs, by the names the subgraphs use
        func_inputs = p.func.symbol.list_inputs()
        attrs = {"cond_input_locs": _locs(outer.index(x) for x in p.cond.symbol.list_inputs()),
                 "func_input_locs": _locs(outer.index(x) for x in func_inputs),
                 "func_var_locs": _locs(func_inputs.index(x) if x in func_inputs else -1
                                        for x in p.func.state_names),
                 "max_iterations": str(p.max_iterations), "num_out_data": str(p.num_out_data),
                 "num_outputs": str(p.num_outputs), "num_args": str(n + 2)}
        return attrs, [p.cond.symbol, p.func.symbol]
    branches = (p.pred, p.then_branch, p.else_branch)
    attrs = {f"{k}_input_locs": _locs(b.free_names.index(x) for x in b.symbol.list_inputs())
             for k, b in zip(("cond", "then", "else"), branches)}
    attrs.update(num_outputs=str(p.num_outputs), num_args=str(n + 3))
    return attrs, [b.symbol for b in branches]


def _read_locs(attrs, key, source, node_name):
    from .serialization import SymbolFileError
    text = str(attrs.get(key, "")).strip()
    try:
        values = [int(v) for v in text.strip("[]()").replace(",", " ").split()]
    except ValueError:
        raise SymbolFileError(f"{source}: node {node_name}: attribute {key}={text!r} is not a list of ints") from None
    return values


def subgraph_params(op_name, attrs, graphs, num_inputs, source, node_name):
    """``(op parameters, order)`` for a control-flow record read from JSON: ``order`` lists which record
    input becomes each input of the ssdkit node (loop variables first for ``_while_loop``)."""
    from .serialization import SymbolFileError
    locs = lambda key: _read_locs(attrs, key, source, node_name)  # noqa: E731
    expected = {"_foreach": 1, "_while_loop": 2, "_cond": 3}[op_name]
    if len(graphs) != expected:
        raise SymbolFileError(f"{source}: node {node_name} ({op_name}) has {len(graphs)} subgraphs, "
                              f"expected {expected}")
    try:
        num_outputs, num_out_data = int(attrs["num_outputs"]), int(attrs.get("num_out_data", 0))
    except (KeyError, ValueError):
        raise SymbolFileError(f"{source}: node {node_name} ({op_name}) needs num_outputs and num_out_data") from None
    if op_name == "_foreach":
        g = graphs[0]
        names = g.list_inputs()
        pick = lambda key: [names[i] for i in locs(key)]  # noqa: E731
        data, states, free = pick("in_data_locs"), pick("in_state_locs"), pick("remain_locs")
        if len(data) + len(states) + len(free) != num_inputs:
            raise SymbolFileError(f"{source}: node {node_name} has {num_inputs} inputs, its locs name "
                                  f"{len(data) + len(states) + len(free)}")
        params = {"body": Subgraph(g, data, states, free), "num_args": num_inputs, "num_data": len(data),
                  "num_states": len(states), "num_out_data": num_out_data, "num_outputs": num_outputs}
        return params, list(range(num_inputs))
    if op_name == "_while_loop":
        cond_g, func_g = graphs
        func_locs = locs("func_input_locs")
        var_inputs = [func_locs[k] for k in locs("func_var_locs")]
        order = var_inputs + [u for u in range(num_inputs) if u not in var_inputs]
        subs = [_by_outer(g, locs(key), order, len(var_inputs))
                for g, key in ((cond_g, "cond_input_locs"), (func_g, "func_input_locs"))]
        params = {"cond": subs[0], "func": subs[1], "num_args": num_inputs, "num_vars": len(var_inputs),
                  "num_out_data": num_out_data, "num_outputs": num_outputs,
                  "max_iterations": int(attrs["max_iterations"])}
        return params, order
    order = list(range(num_inputs))
    subs = [_by_outer(g, locs(f"{k}_input_locs"), order, 0) for g, k in zip(graphs, ("cond", "then", "else"))]
    params = {"pred": subs[0], "then_branch": subs[1], "else_branch": subs[2], "num_args": num_inputs,
              "num_outputs": num_outputs}
    return params, order


def _by_outer(graph, input_locs, order, num_states):
    """A Subgraph whose states and free inputs follow ``order`` (record input indices); a record input the
    graph does not read gets a name no variable of the graph has."""
    names = graph.list_inputs()
    name_of = {u: names[k] for k, u in enumerate(input_locs)}
    outer = [name_of.get(u, f"__unused_input{u}__") for u in order]
    return Subgraph(graph, [], outer[:num_states], outer[num_states:])
