"""Control-flow ops with subgraphs: ``_foreach``, ``_while_loop`` and ``_cond``, as built by
``mx.sym.contrib.foreach / while_loop / cond`` (and so by hybridized blocks calling ``F.contrib.*``).

The subgraphs are given by the symbol layer as *runners*: objects with ``forward(feed, is_train)`` returning
``(outputs, state)`` and ``backward(state, head_grads)`` returning ``{input name: gradient}``, plus the
input names the op feeds (``ssdkit.symbol.control_flow.Subgraph``). This layer only loops: forward steps
keep each iteration's state and backward walks the iterations in reverse, carrying the loop-state gradients,
summing the gradients of inputs every iteration reads.

Examples
--------
>>> from ssdkit.ops import get_op
>>> get_op("_foreach").inputs
()
"""
import numpy as np

from ..base import MXNetError
from .registry import Op, Param, register

__all__ = ["ControlFlowOp"]


def _zeros_like_or(g, like):
    return np.zeros(like.shape, like.dtype) if g is None else g


class ControlFlowOp(Op):
    """Base of the subgraph ops: ``num_args`` inputs (the layout is the runners' business), ``num_outputs``."""
    inputs = ()
    key_var_num_args = "num_args"
    hint = None
    partial_shapes = True  # shapes may have unknown (0) dims: the subgraphs' rules complete what they can

    def output_count(self, p):
        return p.num_outputs


def _add(total, g):
    return g if total is None else total + g


@register
class _foreach(ControlFlowOp):
    """Run the ``body`` subgraph over axis 0 of the data inputs, threading the loop states.

    Inputs: data (``num_data``), initial states (``num_states``), then the subgraph's free inputs.
    Outputs: each body output stacked over the steps, then the final states.
    """
    params = {"body": Param("any"), "num_args": Param("int"), "num_outputs": Param("int"),
              "num_data": Param("int"), "num_states": Param("int"), "num_out_data": Param("int")}

    def infer_shape(self, p, shapes):
        data, states = shapes[:p.num_data], shapes[p.num_data:p.num_data + p.num_states]
        free = shapes[p.num_data + p.num_states:]
        outs, slices, states, free = p.body.infer_shapes([None if s is None else tuple(s[1:]) for s in data],
                                                         states, free)
        steps = next((s[0] for s in data if s is not None), 0)
        stacked = [None if s is None else (steps,) + tuple(s) for s in outs[:p.num_out_data]]
        data = [d if d is not None or s is None else (0,) + tuple(s) for d, s in zip(data, slices)]
        return list(data) + list(states) + list(free), stacked + [
            s if s is not None else o for s, o in zip(states, outs[p.num_out_data:])]

    def forward(self, p, inputs, is_train):
        body = p.body
        data, states = inputs[:p.num_data], list(inputs[p.num_data:p.num_data + p.num_states])
        free = inputs[p.num_data + p.num_states:]
        steps = data[0].shape[0] if data else 0
        if any(d.shape[0] != steps for d in data):
            raise MXNetError(f"foreach: the data inputs differ in length along axis 0: {[d.shape for d in data]}")
        per_step, saved = [], []
        for t in range(steps):
            outs, state = body.forward(body.feed([d[t] for d in data], states, free), is_train)
            per_step.append(outs[:p.num_out_data])
            states = list(outs[p.num_out_data:])
            saved.append(state)
        if not steps:
            raise MXNetError("foreach: the data inputs have no elements along axis 0")
        stacked = [np.stack(items, axis=0) for items in zip(*per_step)]
        return stacked + states, (saved, [x.shape for x in data], [x.dtype for x in data], states, free)

    def backward(self, p, saved, out_grads):
        body = p.body
        steps_state, data_shapes, data_dtypes, last_states, free = saved
        out_data_grads = out_grads[:p.num_out_data]
        carry = [_zeros_like_or(g, s) for g, s in zip(out_grads[p.num_out_data:], last_states)]
        data_grads = [np.zeros(s, d) for s, d in zip(data_shapes, data_dtypes)]
        free_grads = [None] * len(free)
        for t in range(len(steps_state) - 1, -1, -1):
            heads = [None if g is None else g[t] for g in out_data_grads] + carry
            grads = body.backward(steps_state[t], heads)
            for j in range(p.num_data):
                g = grads.get(body.data_names[j])
                if g is not None:
                    data_grads[j][t] = g
            carry = [_zeros_like_or(grads.get(n), c) for n, c in zip(body.state_names, carry)]
            for j, n in enumerate(body.free_names):
                if grads.get(n) is not None:
                    free_grads[j] = _add(free_grads[j], grads[n])
        free_grads = [_zeros_like_or(g, x) for g, x in zip(free_grads, free)]
        return data_grads + carry + free_grads


@register
class _while_loop(ControlFlowOp):
    """Run ``func`` while ``cond`` holds (at most ``max_iterations`` times) on the loop variables.

    Inputs: loop variables (``num_vars``), then the subgraphs' free inputs. Outputs: each step output stacked
    and zero-padded to ``max_iterations`` rows, then the final loop variables.
    """
    params = {"cond": Param("any"), "func": Param("any"), "num_args": Param("int"), "num_outputs": Param("int"),
              "num_vars": Param("int"), "num_out_data": Param("int"), "max_iterations": Param("int")}

    def infer_shape(self, p, shapes):
        outs, _, variables, free = p.func.infer_shapes([], shapes[:p.num_vars], shapes[p.num_vars:])
        stacked = [None if s is None else (p.max_iterations,) + tuple(s) for s in outs[:p.num_out_data]]
        return list(variables) + list(free), stacked + [
            s if s is not None else o for s, o in zip(variables, outs[p.num_out_data:])]

    def forward(self, p, inputs, is_train):
        variables, free = list(inputs[:p.num_vars]), inputs[p.num_vars:]
        per_step, saved = [], []
        while len(per_step) < p.max_iterations:
            (flag,), _ = p.cond.forward(p.cond.feed([], variables, free), False)
            if not np.asarray(flag).reshape(-1)[0]:
                break
            outs, state = p.func.forward(p.func.feed([], variables, free), is_train)
            per_step.append(outs[:p.num_out_data])
            variables = list(outs[p.num_out_data:])
            saved.append(state)
        if per_step:
            shapes, dtypes = [o.shape for o in per_step[0]], [o.dtype for o in per_step[0]]
        else:  # no step ran: the outputs' shapes come from the body's shape rules
            shapes = p.func.infer_shapes([], [x.shape for x in inputs[:p.num_vars]], [x.shape for x in free])[0]
            shapes = shapes[:p.num_out_data]
            if any(s is None or 0 in s for s in shapes):
                raise MXNetError(f"while_loop: no step ran and the step outputs' shapes cannot be inferred: {shapes}")
            dtypes = [inputs[0].dtype] * p.num_out_data
        stacked = []
        for k, (shape, dtype) in enumerate(zip(shapes, dtypes)):
            rows = np.zeros((p.max_iterations,) + tuple(shape), dtype)  # rows after the last step: zeros
            if per_step:
                rows[:len(per_step)] = np.stack([step[k] for step in per_step], axis=0)
            stacked.append(rows)
        return stacked + variables, (saved, variables, [x.shape for x in inputs[:p.num_vars]], free)

    def backward(self, p, saved, out_grads):
        steps_state, last_vars, var_shapes, free = saved
        out_data_grads = out_grads[:p.num_out_data]
        carry = [_zeros_like_or(g, v) for g, v in zip(out_grads[p.num_out_data:], last_vars)]
        free_grads = [None] * len(free)
        for t in range(len(steps_state) - 1, -1, -1):
            heads = [None if g is None else g[t] for g in out_data_grads] + carry
            grads = p.func.backward(steps_state[t], heads)
            carry = [_zeros_like_or(grads.get(n), c) for n, c in zip(p.func.state_names, carry)]
            for j, n in enumerate(p.func.free_names):
                if grads.get(n) is not None:
                    free_grads[j] = _add(free_grads[j], grads[n])
        carry = [c.reshape(s) for c, s in zip(carry, var_shapes)]
        return carry + [_zeros_like_or(g, x) for g, x in zip(free_grads, free)]


@register
class _cond(ControlFlowOp):
    """``then_branch`` if the ``pred`` subgraph gives nonzero, else ``else_branch``; all inputs are the
    subgraphs' free inputs (``pred`` gets no gradient)."""
    params = {"pred": Param("any"), "then_branch": Param("any"), "else_branch": Param("any"),
              "num_args": Param("int"), "num_outputs": Param("int")}

    def infer_shape(self, p, shapes):
        outs, _, _, free = p.then_branch.infer_shapes([], [], shapes)
        return free, outs

    def forward(self, p, inputs, is_train):
        (flag,), _ = p.pred.forward(p.pred.feed([], [], inputs), False)
        branch = p.then_branch if np.asarray(flag).reshape(-1)[0] else p.else_branch
        outs, state = branch.forward(branch.feed([], [], inputs), is_train)
        return list(outs), (branch, state, inputs)

    def backward(self, p, saved, out_grads):
        branch, state, inputs = saved
        grads = branch.backward(state, list(out_grads))
        return [_zeros_like_or(grads.get(n), x) for n, x in zip(branch.free_names, inputs)]


@register
class _CachedOp(ControlFlowOp):
    """A hybridized block's whole graph as one node, as ``autograd.get_symbol`` shows a hybridized call.

    ``subgraph`` is the runner of the block's graph (``ssdkit.symbol.control_flow.Subgraph``); the node's
    inputs are its free inputs (the block's data, then its parameters), its outputs the graph's outputs,
    named ``<node>_<graph output>`` as MXNet names them.
    """
    params = {"subgraph": Param("any"), "num_args": Param("int"), "num_outputs": Param("int")}

    def output_names(self, p):
        return p.subgraph.symbol.list_outputs()

    def infer_shape(self, p, shapes):
        outs, _, _, free = p.subgraph.infer_shapes([], [], shapes)
        return free, outs

    def forward(self, p, inputs, is_train):
        outs, state = p.subgraph.forward(p.subgraph.feed([], [], inputs), is_train)
        return list(outs), (state, inputs)

    def backward(self, p, saved, out_grads):
        state, inputs = saved
        grads = p.subgraph.backward(state, list(out_grads))
        return [grads.get(n) for n in p.subgraph.free_names]
