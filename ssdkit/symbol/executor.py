"""The graph executor behind ``hybridize()``: a fixed plan of registry ops over numbered value slots.

The plan is built once per graph and mode: topological steps, each reading and writing slots, with fused
chains substituted (:mod:`.rewrite`: BatchNorm+ReLU[+MaxPool2D(2)] always, Convolution+BatchNorm folded for
inference).
The last reader of every value is known, so values are dropped as soon as they are dead; ops keep in
their ``saved`` state only what their backward needs. Backward walks the steps in reverse with each op's
own ``backward``. Large arrays the ops allocate come from the executor's :attr:`~GraphExecutor.arena`, so a
training step reuses the buffers of the previous step's dead values instead of faulting in fresh memory
(MXNet's ``static_alloc``; :mod:`ssdkit.ops.kernels.arena`).

Examples
--------
>>> import numpy as np, ssdkit as mx
>>> y = mx.sym.relu(mx.sym.var('x') * 2, name='r')
>>> ex = GraphExecutor(y)
>>> outs, state = ex.forward({'x': np.array([-1., 3.], np.float32)}, is_train=False, for_backward=True)
>>> outs[0]
array([0., 6.], dtype=float32)
>>> ex.backward(state, [np.ones(2, np.float32)])['x']
array([0., 2.], dtype=float32)
"""
import numpy as np

from ..base import MXNetError
from ..ops.kernels.arena import Arena, current as _current_arena
from ..profiler import recorder as _profiler
from .symbol import topological_nodes
from .rewrite import fuse_steps
from .monitor import value_names, report

__all__ = ["GraphExecutor", "evaluate"]


class _Step:
    __slots__ = ("op", "params", "ins", "outs", "name", "frees", "node")

    def __init__(self, op, params, ins, outs, name, node=None):
        self.op, self.params, self.ins, self.outs, self.name = op, params, ins, outs, name
        self.frees = ()
        self.node = node   # the graph node this step runs (None for a fused step)


class GraphExecutor:
    """Runs a Symbol's graph on numpy arrays: ``forward(values, is_train, for_backward)`` and ``backward``.

    Parameters
    ----------
    symbol : Symbol
        The graph; its variables are fed by name.
    """

    def __init__(self, symbol):
        nodes = topological_nodes(symbol._outputs)
        self.variables = [n.name for n in nodes if n.is_variable]
        if len(set(self.variables)) != len(self.variables):
            dup = sorted({v for v in self.variables if self.variables.count(v) > 1})
            raise MXNetError(f"graph has several variables named {dup}")
        slot_of, self.steps, count = {}, [], 0
        for node in nodes:
            if node.is_variable:
                slot_of[(id(node), 0)] = count
                count += 1
        self.num_vars = count
        for node in nodes:
            if node.is_variable:
                continue
            outs = list(range(count, count + node.num_outputs()))
            count += len(outs)
            for i, s in enumerate(outs):
                slot_of[(id(node), i)] = s
            ins = [slot_of[(id(src), i)] for src, i in node.inputs]
            self.steps.append(_Step(node.op, node.params, ins, outs, node.name, node))
        self.num_slots = count
        self.heads = [slot_of[(id(n), i)] for n, i in symbol._outputs]
        # creation ops with unknown (0) dims, e.g. sym.zeros((L, 0, H)) begin states, take inferred shapes
        self._nodes = nodes
        self._open_creations = {step.outs[0]: (id(step.node), 0) for step in self.steps
                                if not step.ins and isinstance(step.params.get("shape"), tuple)
                                and 0 in step.params["shape"]}
        self._creation_shapes = {}
        self._plans = {}
        self._needs = {}
        self.arena = Arena()   # large outputs reuse the dead buffers of earlier calls (static_alloc)

    def plan(self, is_train, for_backward, fuse=True):
        """The steps run in this mode (fusions applied unless ``fuse`` is False, frees planned), cached."""
        key = (not is_train and not for_backward) if fuse else "unfused"
        if key not in self._plans:
            steps = fuse_steps(self.steps, self.heads, key, _Step) if fuse else self.steps
            self._plans[key] = self._plan_frees(steps)
        return self._plans[key]

    def _plan_frees(self, steps):
        """Copies of ``steps`` knowing after which of them each intermediate value is dead."""
        last_use = {}
        for k, step in enumerate(steps):
            for s in step.ins:
                last_use[s] = k
        keep = set(self.heads) | set(range(self.num_vars))
        frees = [[] for _ in steps]
        for slot, k in last_use.items():
            if slot not in keep:
                frees[k].append(slot)
        planned = []
        for step, f in zip(steps, frees):
            copy = _Step(step.op, step.params, step.ins, step.outs, step.name, step.node)
            copy.frees = tuple(f)
            planned.append(copy)
        return planned

    def _completed(self, params, slot, feed):
        """``params`` of a creation step with its 0 dims filled by shape inference from the fed shapes."""
        from .inference import infer_shapes
        signature = tuple((n, np.shape(feed[n])) for n in self.variables)
        if signature not in self._creation_shapes:
            shapes = infer_shapes(self._nodes, dict(signature))
            self._creation_shapes = {signature: {s: shapes.get(key) for s, key in self._open_creations.items()}}
        shape = self._creation_shapes[signature][slot]
        if shape is None or 0 in shape:
            return params
        return type(params)(dict(params, shape=tuple(shape)), params.given)

    def forward(self, feed, is_train, for_backward, monitor=None):
        """Run every step; ``feed`` maps variable names to numpy arrays. Returns (head values, state).

        ``monitor`` is ``(callback, monitor_all[, naming])``: the graph then runs op by op (no fused steps) and
        ``callback(name, op_name, array)`` sees every op's outputs (and first its inputs with ``monitor_all``),
        named as MXNet's cached graph names them (:mod:`.monitor`) or by ``naming(node) -> (inputs, outputs)``.
        Large arrays the ops allocate come from :attr:`arena` (:mod:`ssdkit.ops.kernels.arena`).
        """
        with _current_arena(self.arena):
            return self._forward(feed, is_train, for_backward, monitor)

    def _forward(self, feed, is_train, for_backward, monitor):
        values = [None] * self.num_slots
        for i, name in enumerate(self.variables):
            try:
                values[i] = feed[name]
            except KeyError:
                raise MXNetError(f"graph input {name!r} was not given; inputs are {self.variables}") from None
        steps = self.plan(is_train, for_backward, fuse=monitor is None)
        saved = [None] * len(steps) if for_backward else None
        meta = {} if for_backward else None
        if monitor is not None and for_backward:  # a monitored backward reports zero gradients of inputs too
            meta.update({i: (np.shape(v), np.asarray(v).dtype) for i, v in enumerate(values[:len(self.variables)])})
        profile = _profiler.symbolic_on
        for k, step in enumerate(steps):
            if monitor is not None:
                in_names, out_names = (monitor[2] if len(monitor) > 2 else value_names)(step.node)
                if monitor[1]:
                    report(monitor[0], in_names, step.node.op_name, [values[i] for i in step.ins])
            try:
                params = step.params
                if not step.ins and step.outs[0] in self._open_creations:
                    params = self._completed(params, step.outs[0], feed)
                args = (params, [values[i] for i in step.ins], is_train)
                outputs, s = (_profiler.run_op(step.op.name, step.op.forward, args, step.name) if profile
                              else step.op.forward(*args))
            except MXNetError as err:
                raise type(err)(f"{err} [in node {step.name}]") from None
            for slot, out in zip(step.outs, outputs):
                values[slot] = out
                if for_backward:
                    meta[slot] = (out.shape, out.dtype)
            if for_backward:
                saved[k] = s
            if monitor is not None:
                hidden = step.op.hidden_values(step.params, s, is_train)
                report(monitor[0], out_names + [f"{step.name}_{n}" for n, _ in hidden], step.node.op_name,
                       list(outputs) + [v for _, v in hidden])
            for slot in step.frees:  # dead values go at once; ops keep what their backward needs in ``s``
                values[slot] = None
        heads = [values[s] for s in self.heads]
        return heads, (steps, saved, meta)

    def backward(self, state, head_grads, wanted=None, monitor=None):
        """Gradients of the heads (weighted by ``head_grads``) for every variable, or those in ``wanted``.

        ``monitor`` (as for :meth:`forward`, after a monitored forward) also sees each op's input gradients,
        named ``<node>_backward_output`` (``..._output0``, ``1``... for several inputs) as MXNet names them."""
        with _current_arena(self.arena):
            return self._backward(state, head_grads, wanted, monitor)

    def _backward(self, state, head_grads, wanted, monitor=None):
        steps, saved, meta = state
        if saved is None:
            raise MXNetError("backward needs a forward pass run with for_backward=True")
        names = self.variables if wanted is None else wanted
        needs = self._gradient_needs(steps, names)
        grads = {}
        for slot, g in zip(self.heads, head_grads):
            if g is not None:
                grads[slot] = g if slot not in grads else grads[slot] + g
        profile = _profiler.symbolic_on
        for k in range(len(steps) - 1, -1, -1):
            step = steps[k]
            out_grads = [grads.pop(s, None) for s in step.outs]
            if all(g is None for g in out_grads) or saved[k] is None and not step.op.differentiable:
                saved[k] = None
                continue
            out_grads = [np.zeros(*meta[s]) if g is None else g for s, g in zip(step.outs, out_grads)]
            args = (step.params, saved[k], out_grads, [needs[s] or monitor is not None for s in step.ins])
            in_grads = (_profiler.run_op(_profiler.backward_name(step.op.name), step.op.backward_some, args,
                                         step.name) if profile else step.op.backward_some(*args))
            saved[k] = args = None  # free what backward needed as soon as it ran
            if monitor is not None and step.node is not None:
                n = len(in_grads)
                report(monitor[0], [f"{step.node.name}_backward_output{i if n > 1 else ''}" for i in range(n)],
                       f"_backward_{step.node.op_name}",  # an input without gradient (a label) reports zeros
                       [np.zeros(*meta[s]) if g is None and s in meta else g for s, g in zip(step.ins, in_grads)])
            for slot, g in zip(step.ins, in_grads):
                if g is not None:
                    grads[slot] = g if slot not in grads else grads[slot] + g
        return {n: grads.get(self.variables.index(n)) for n in names}

    def _gradient_needs(self, steps, names):
        """Per value slot: does it lead back to a variable in ``names`` (so its gradient is used)?"""
        key = (id(steps), tuple(names))
        if key not in self._needs:
            needs = [False] * self.num_slots
            for name in names:
                needs[self.variables.index(name)] = True
            for step in steps:
                if any(needs[s] for s in step.ins):
                    for s in step.outs:
                        needs[s] = True
            self._needs[key] = needs
        return self._needs[key]


def evaluate(symbol, inputs):
    """Run ``symbol`` once in inference mode with NDArray ``inputs`` by name; returns output NDArrays."""
    from ..ndarray import NDArray
    executor = GraphExecutor(symbol)
    feed = {k: v._data if isinstance(v, NDArray) else np.asarray(v) for k, v in inputs.items()}
    outs, _ = executor.forward(feed, is_train=False, for_backward=False)
    return [NDArray(o) for o in outs]
