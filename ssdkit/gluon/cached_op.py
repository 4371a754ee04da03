"""What ``hybridize()`` buys: a block traced once per input signature into a Symbol, run by the graph executor.

``call_cached(block, *args)`` is the whole hybridized forward. The first call with a new signature (input
shapes and dtypes) traces ``hybrid_forward`` with Symbols, resolves deferred parameter shapes by inference,
and builds a :class:`CachedGraph`. Every call runs the plan on numpy buffers; under ``autograd.record()`` the
whole graph is **one** tape node whose backward runs the graph's backward — as MXNet's CachedOp.

Examples
--------
>>> import ssdkit as mx
>>> from ssdkit.gluon import nn
>>> net = nn.HybridSequential(prefix='net_')
>>> with net.name_scope():
...     net.add(nn.Dense(4, activation='relu'), nn.Dense(2))
>>> net.initialize(); x = mx.nd.ones((3, 5))
>>> eager = net(x); net.hybridize()
>>> bool(abs(net(x) - eager).max().asscalar() < 1e-6)
True
"""
import warnings

import numpy as np

from .. import autograd
from ..base import MXNetError
from ..ndarray import NDArray
from ..symbol import Symbol, var, Group
from ..symbol.executor import GraphExecutor

__all__ = ["CachedGraph", "call_cached", "trace", "flatten_outputs", "regroup_outputs"]


def flatten_outputs(out):
    """Flatten nested lists/tuples of Symbols or NDArrays into (flat list, structure)."""
    if isinstance(out, (list, tuple)):
        flat, fmt = [], []
        for item in out:
            f, s = flatten_outputs(item)
            flat.extend(f)
            fmt.append(s)
        return flat, (type(out), fmt)
    return [out], None


def regroup_outputs(flat, fmt):
    """Inverse of :func:`flatten_outputs`."""
    def build(it, f):
        if f is None:
            return next(it)
        kind, parts = f
        return kind(build(it, p) for p in parts)
    return build(iter(flat), fmt)


def _input_names(count):
    return ["data"] if count == 1 else [f"data{i}" for i in range(count)]


def trace(block, num_inputs):
    """Trace ``block`` with symbol inputs (``data`` or ``data0..``); returns (grouped Symbol, structure, names)."""
    names = _input_names(num_inputs)
    out = block(*[var(n) for n in names])
    flat, fmt = flatten_outputs(out)
    if not all(isinstance(s, Symbol) for s in flat):
        raise MXNetError(f"{type(block).__name__}.hybrid_forward must return Symbols when traced; got "
                         f"{[type(s).__name__ for s in flat]}")
    return Group(flat), fmt, names


class CachedGraph:
    """A traced graph with its inputs in call order: data names, then parameter names.

    Parameters
    ----------
    symbol : Symbol
    data_names : list of str
    param_names : list of str
        Graph variables fed from parameters (arguments and auxiliary states).
    """

    def __init__(self, symbol, data_names, param_names, fmt=None):
        self.symbol, self.data_names, self.param_names, self.fmt = symbol, data_names, param_names, fmt
        self.executor = GraphExecutor(symbol)
        self.input_names = data_names + param_names

    def __call__(self, arrays):
        """Run on NDArrays ordered as ``input_names``; returns output NDArrays (recorded as one tape node)."""
        feed = {n: a._data for n, a in zip(self.input_names, arrays)}
        recording = autograd.is_recording() and any(
            a._entry is not None or (a._grad is not None and a._grad_req != "null") for a in arrays)
        heads, state = self.executor.forward(feed, autograd.is_training(), for_backward=recording)
        outputs = [NDArray(h) for h in heads]
        if recording:
            names = self.input_names
            wanted = [n for n, need in zip(names, autograd.gradient_needs(arrays)) if need]

            def backward(out_grads):
                grads = self.executor.backward(state, out_grads, wanted=wanted)
                return [grads.get(n) for n in names]

            autograd.record_node(backward, arrays, outputs, "CachedOp")
        return outputs


def _check_inputs(block, args):
    if not all(isinstance(a, NDArray) for a in args):
        kinds = sorted({type(a).__name__ for a in args})
        raise ValueError(f"{type(block).__name__}: hybridized blocks take NDArrays (or all Symbols); got {kinds}. "
                         f"Mixing NDArray and Symbol inputs is not allowed")


def _build(block, args):
    symbol, fmt, data_names = trace(block, len(args))
    params = {p.name: p for p in block.collect_params().values()}
    graph_inputs = symbol.list_inputs()
    for name in data_names:
        if name not in graph_inputs:
            warnings.warn(f"The {name} input to HybridBlock is not used by any computation. Is this intended?",
                          stacklevel=4)
    for name in params:
        if name not in graph_inputs:
            warnings.warn(f"Parameter {name} is not used by any computation. Is this intended?", stacklevel=4)
    unknown = [n for n in graph_inputs if n not in params and n not in data_names]
    if unknown:
        raise MXNetError(f"{type(block).__name__}: the traced graph reads {unknown}, which are neither inputs "
                         f"nor parameters of the block")
    data_shapes = dict(zip(data_names, [a.shape for a in args]))
    _finish_deferred(block, symbol, params, data_shapes)
    param_names = [n for n in graph_inputs if n in params]
    # check every op's shapes once per signature: the plan then runs kernels without per-call checks
    symbol.infer_shape_partial(**data_shapes, **{n: params[n].shape for n in param_names})
    return CachedGraph(symbol, data_names, param_names, fmt), [params[n] for n in param_names]


def _finish_deferred(block, symbol, params, data_shapes):
    pending = [p for p in params.values() if getattr(p, "_deferred_init", None)]
    if not pending:
        return
    arg_shapes, _, aux_shapes = symbol.infer_shape_partial(**data_shapes)
    inferred = dict(zip(symbol.list_arguments(), arg_shapes))
    inferred.update(zip(symbol.list_auxiliary_states(), aux_shapes))
    for p in pending:
        shape = inferred.get(p.name)
        if shape is None or 0 in shape:
            raise MXNetError(f"{type(block).__name__}: cannot infer the shape of parameter {p.name} from inputs "
                             f"{data_shapes}")
        p.shape = shape
        p._finish_deferred_init()


def call_cached(block, *args):
    """The hybridized forward of ``block`` on NDArray ``args`` (see the module docstring)."""
    _check_inputs(block, args)
    key = tuple((a.shape, np.dtype(a.dtype).str) for a in args)
    cache = block.__dict__.setdefault("_cached_graphs", {})
    if key not in cache:
        cache[key] = _build(block, args)
    graph, params = cache[key]
    outputs = graph(list(args) + [p.data() for p in params])
    return regroup_outputs(outputs, graph.fmt) if graph.fmt is not None else outputs[0]
