"""What ``hybridize()`` buys: the one tracer and the one cache of hybridized blocks.

``trace(block, args)`` runs ``block.forward`` on Symbol variables (``data``, or ``data0, data1, ...`` for
several inputs; ``None`` inputs stay ``None``) and returns a :class:`Trace`. ``call_cached(block, *args)`` is
the whole hybridized forward: its cache (``block._cached_graphs``) is keyed on the input shapes and dtypes
**and the training flag**, so a block whose ``hybrid_forward`` branches on ``autograd.is_training()`` runs its
training branch under ``autograd.record()`` and its predict branch outside it, whatever ran first. The first
call with a new key traces, resolves deferred parameter shapes by inference and builds a :class:`CachedGraph`.
Under ``autograd.record()`` the whole graph is **one** tape node whose backward runs the graph's backward —
as MXNet's CachedOp (``autograd.get_symbol`` shows it as one ``_CachedOp`` node) — unless it has at most
``hybridize(inline_limit=...)`` operators (2 by default): such a graph is inlined, its operators recorded one
by one as MXNet records them. ``predict_graph(block)`` is the predict-mode graph that ``export`` writes.

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
from collections import namedtuple

import numpy as np

from .. import autograd
from ..base import MXNetError
from ..ndarray import NDArray
from ..ndarray.ndarray import _result_class, invoke_op
from ..numpy.multiarray import ndarray as np_ndarray
from ..ops import get_op
from ..ops.registry import Params
from ..symbol import Symbol, var, Group
from ..symbol.executor import GraphExecutor
from ..symbol.control_flow import Subgraph
from ..symbol.common_expr import optimize_bound_graph
from .nesting import flatten, regroup

__all__ = ["Trace", "CachedGraph", "CachedOp", "trace", "call_cached", "predict_graph"]

Trace = namedtuple("Trace", "inputs symbol in_format out_format out_np")
Trace.__doc__ = """A traced block: input variables (one per non-None input), the grouped output Symbol, the
nested formats of its inputs and outputs (:func:`ssdkit.gluon.nesting.flatten`), and the outputs' symbol kind
(:attr:`ssdkit.symbol.Symbol._np`: True gives mx.np arrays, False NDArrays, None the inputs' class)."""


def _hashable(fmt):
    return tuple(_hashable(f) for f in fmt) if isinstance(fmt, list) else fmt


def trace(block, args):
    """Trace ``block`` with one Symbol variable per non-None leaf of ``args`` (NDArrays or anything not None).

    Parameters
    ----------
    block : HybridBlock
    args : tuple
        The call's positional arguments (nested lists allowed); only their structure is used.

    Examples
    --------
    >>> import ssdkit as mx
    >>> t = trace(mx.gluon.nn.Dense(2, prefix='fc_'), (mx.nd.ones((1, 3)),))
    >>> [v.name for v in t.inputs], t.symbol.list_outputs()
    (['data'], ['fc_fwd_output'])
    """
    flat, in_format = flatten(list(args), "input")
    real = sum(a is not None for a in flat)
    if real == 0:
        raise MXNetError(f"All args are None and we do not support such a case. Received args={args}")
    inputs, flat_vars = [], []
    for arg in flat:
        if arg is None:
            flat_vars.append(None)
            continue
        variable = var("data" if real == 1 else f"data{len(inputs)}")
        if isinstance(arg, np_ndarray):  # as MXNet: an mx.np array comes in as a NumPy-interface symbol
            variable = variable.as_np_ndarray()
        inputs.append(variable)
        flat_vars.append(variable)
    out = block.forward(*regroup(flat_vars, in_format))
    outputs, out_format = flatten(out, "output")
    if not all(isinstance(s, Symbol) for s in outputs):
        raise MXNetError(f"{type(block).__name__}.hybrid_forward must return Symbols when traced; got "
                         f"{[type(s).__name__ for s in outputs]}")
    return Trace(inputs, Group(outputs), in_format, out_format, _output_kind(outputs))


def _output_kind(outputs):
    """The one symbol kind of the outputs; TypeError when NumPy-interface and legacy symbols are mixed."""
    kinds = {s._np for s in outputs}
    if True in kinds and False in kinds:
        raise TypeError("Found both classic symbol (mx.sym.Symbol) and numpy symbol (mx.sym.np._Symbol) in "
                        "outputs. This will prevent you from building a computation graph by grouping them since "
                        "different types of symbols are not allowed to be grouped in Gluon to form a computation "
                        "graph. You will need to convert them to the same type of symbols, either classic or "
                        "numpy following this rule: if you want numpy ndarray output(s) from the computation "
                        "graph, please convert all the classic symbols in the list to numpy symbols by calling "
                        "`as_np_ndarray()` on each of them; if you want classic ndarray output(s) from the "
                        "computation graph, please convert all the numpy symbols in the list to classic symbols "
                        "by calling `as_nd_ndarray()` on each of them.")
    return True if True in kinds else False if False in kinds else None


class CachedGraph:
    """A traced graph with its inputs in call order: data names, then parameter names.

    Parameters
    ----------
    symbol : Symbol
    data_names : list of str
    param_names : list of str
        Graph variables fed from parameters (arguments and auxiliary states).
    out_format, in_format : nested list or int
        How the flat outputs (inputs) regroup into the block's output (input) structure.
    inline_limit : int
        Under ``autograd.record()``, a graph of at most this many operators is *inlined*: its operators are
        recorded one by one, as if the block ran imperatively (MXNet's CachedOp rule, ``hybridize(inline_limit=2)``
        by default); a larger graph is recorded as one ``_CachedOp`` node. -1 never inlines (``static_alloc``).
        While an op hook is installed the graph always runs as one piece, so the hook sees every op.
    """

    def __init__(self, symbol, data_names, param_names, out_format=0, in_format=None, out_np=None,
                 inline_limit=-1):
        self.symbol, self.data_names, self.param_names = symbol, data_names, param_names
        self.out_np = out_np
        self.out_format, self.in_format = out_format, in_format
        self.input_names = data_names + param_names
        run = optimize_bound_graph(symbol)   # MXNet's CachedOp runs the same passes
        self.executor = GraphExecutor(run)
        # the runner of the _CachedOp node that stands for a recorded call (autograd.get_symbol shows it)
        self._node_params = Params({"subgraph": Subgraph(run, [], [], self.input_names, self.executor),
                                    "num_args": len(self.input_names), "num_outputs": len(run.list_outputs())})
        self._inline = run if sum(not n.is_variable for n in run._nodes()) <= inline_limit else None

    def __call__(self, arrays, op_hook=None):
        """Run on NDArrays ordered as ``input_names``; returns output NDArrays (recorded as one tape node,
        or op by op when inlined).

        ``op_hook`` is ``(callback, monitor_all)`` of :meth:`HybridBlock.register_op_hook`, or None.
        """
        recording = autograd.is_recording() and any(
            a._entry is not None or (a._grad is not None and a._grad_req != "null") for a in arrays)
        if recording and self._inline is not None and op_hook is None:
            outputs = _run_inlined(self._inline, dict(zip(self.input_names, arrays)))
            if self.out_np is None:
                return outputs
            return [o.as_np_ndarray() if self.out_np else o.as_nd_ndarray() for o in outputs]
        feed = {n: a._data for n, a in zip(self.input_names, arrays)}
        heads, state = self.executor.forward(feed, autograd.is_training(), for_backward=recording,
                                             monitor=op_hook)
        make = np_ndarray if self.out_np else NDArray if self.out_np is False else _result_class(arrays)
        outputs = [make(h) for h in heads]  # by the outputs' symbol kind, else mx.np.ndarray in, mx.np.ndarray out
        if recording:
            names = self.input_names
            wanted = [n for n, need in zip(names, autograd.gradient_needs(arrays)) if need]

            def backward(out_grads):
                steps, saved, meta = state
                if autograd.retaining_graph():  # the executor frees what it used: keep ours for the next pass
                    saved = list(saved)
                grads = self.executor.backward((steps, saved, meta), out_grads, wanted=wanted)
                return [grads.get(n) for n in names]

            autograd.record_node(backward, arrays, outputs, "CachedOp", op=_CACHED_OP, params=self._node_params)
        return outputs


#: MXNet's CachedOp default: a hybridized graph of at most this many operators is recorded op by op.
DEFAULT_INLINE_LIMIT = 2
_CACHED_OP = get_op("_CachedOp")
_COPY = get_op("_copy")


def _run_inlined(symbol, feed):
    """Run ``symbol``'s operators one by one on the NDArrays ``feed`` (name -> array), each recorded on the tape
    as an imperative call records it. An output that is an input comes back as a (recorded) copy."""
    values = {}
    for node in symbol._nodes():
        if node.is_variable:
            values[id(node)] = [feed[node.name]]
        else:
            values[id(node)] = invoke_op(node.op, [values[id(n)][i] for n, i in node.inputs], node.params)
    outputs = []
    for node, i in symbol._outputs:
        out = values[id(node)][i]
        outputs.append(invoke_op(_COPY, [out], _COPY.parse_params({}))[0] if node.is_variable else out)
    return outputs


def _build(block, args, trace_result):
    inputs, symbol = trace_result.inputs, trace_result.symbol
    data_names = [v.name for v in inputs]
    params = {p.name: p for p in block.collect_params().values()}
    graph_inputs = symbol.list_inputs()
    for name in data_names:
        if name not in graph_inputs:
            warnings.warn(f"The {name} input to HybridBlock is not used by any computation. Is this intended?",
                          stacklevel=5)
    for name in params:
        if name not in graph_inputs:
            warnings.warn(f"Parameter {name} is not used by any computation. Is this intended?", stacklevel=5)
    unknown = [n for n in graph_inputs if n not in params and n not in data_names]
    if unknown:
        raise MXNetError(f"{type(block).__name__}: the traced graph reads {unknown}, which are neither inputs "
                         f"nor parameters of the block")
    data_shapes = dict(zip(data_names, [a.shape for a in args]))
    _finish_deferred(block, symbol, params, data_shapes)
    param_names = [n for n in graph_inputs if n in params]
    # check every op's shapes once per signature: the plan then runs kernels without per-call checks
    symbol._infer_shape_raw((), {**data_shapes, **{n: params[n].shape for n in param_names}})
    flags = getattr(block, "_flags", {})
    inline_limit = -1 if flags.get("static_alloc") else flags.get("inline_limit", DEFAULT_INLINE_LIMIT)
    graph = CachedGraph(symbol, data_names, param_names, trace_result.out_format, trace_result.in_format,
                        trace_result.out_np, inline_limit)
    return graph, [params[n] for n in param_names]


def _finish_deferred(block, symbol, params, data_shapes):
    pending = [p for p in params.values() if getattr(p, "_deferred_init", None)]
    if not pending:
        return
    arg_shapes, _, aux_shapes = symbol._infer_shape_raw((), data_shapes)
    inferred = dict(zip(symbol.list_arguments(), arg_shapes))
    inferred.update(zip(symbol.list_auxiliary_states(), aux_shapes))
    for p in pending:
        shape = inferred.get(p.name)
        if shape is None or 0 in shape:
            raise MXNetError(f"{type(block).__name__}: cannot infer the shape of parameter {p.name} from inputs "
                             f"{data_shapes}")
        p.shape = shape
        p._finish_deferred_init()


def _flat_ndarrays(block, args):
    flat, in_format = flatten(list(args), "input")
    real = [a for a in flat if a is not None]
    if not all(isinstance(a, NDArray) for a in real):
        kinds = sorted({type(a).__name__ for a in real})
        raise ValueError(f"{type(block).__name__}: hybridized blocks take NDArrays (or all Symbols); got {kinds}. "
                         f"Mixing NDArray and Symbol inputs is not allowed")
    return flat, real, in_format


def _match_stored_format(block, args):
    """Check the call's argument structure against the one the cache was built with (MXNet's rule).

    The first hybridized call fixes which arguments are None; later calls must have the same structure, except
    that trailing None arguments may be left out or added (a ``hybrid_forward`` default of ``None``). Returns
    the arguments laid out as the stored structure."""
    fmt = flatten(list(args), "input")[1]
    stored = block.__dict__.setdefault("_cached_in_format", fmt)
    if fmt == stored:
        return args
    short, long_ = (fmt, stored) if len(fmt) < len(stored) else (stored, fmt)
    if len(short) == len(long_) or long_[:len(short)] != short or any(f != -1 for f in long_[len(short):]):
        raise ValueError(f"{type(block).__name__}: the argument structure of this call, {fmt}, does not match "
                         f"the one its hybridized cache was built with, {stored} (-1 marks a None argument); "
                         "call hybridize() again to rebuild the cache for another structure")
    return tuple(args[:len(stored)]) + (None,) * (len(stored) - len(args))


def call_cached(block, *args):
    """The hybridized forward of ``block`` on NDArray ``args`` (see the module docstring).

    Examples
    --------
    >>> import ssdkit as mx
    >>> fc = mx.gluon.nn.Dense(2, in_units=3); fc.initialize()
    >>> call_cached(fc, mx.nd.ones((4, 3))).shape
    (4, 2)
    """
    args = _match_stored_format(block, args)
    flat, real, in_format = _flat_ndarrays(block, args)
    training = autograd.is_training()
    key = (tuple(None if a is None else (a.shape, np.dtype(a.dtype).str) for a in flat), _hashable(in_format),
           training)
    cache = block.__dict__.setdefault("_cached_graphs", {})
    if key not in cache:
        cache[key] = _build(block, real, trace(block, args))
    graph, params = cache[key]
    outputs = graph(real + [p.data() for p in params], getattr(block, "_op_hook", None))
    return regroup(outputs, graph.out_format)


def predict_graph(block):
    """The predict-mode (``autograd.is_training()`` False) graph of a block that has run hybridized.

    Returns ``(symbol, traced_in_training)``: the grouped output Symbol, and whether the block had only
    run in training mode and its predict trace differs from that (it branches on the mode).

    Examples
    --------
    >>> import ssdkit as mx
    >>> fc = mx.gluon.nn.Dense(2, in_units=3, prefix='fc_'); fc.initialize(); fc.hybridize()
    >>> _ = fc(mx.nd.ones((1, 3))); predict_graph(fc)[0].list_outputs()
    ['fc_fwd_output']
    """
    graphs = block.__dict__.get("_cached_graphs")
    if not graphs:
        raise MXNetError("Please first call block.hybridize() and then run forward with this block at least once "
                         "before calling export (export writes the predict-mode graph of that input signature).")
    for (_, _, training), (graph, _) in graphs.items():
        if not training:
            return graph.symbol, False
    (signature, _, _), (graph, _) = next(iter(graphs.items()))
    zeros = [None if s is None else NDArray(np.broadcast_to(np.zeros((), s[1]), s[0])) for s in signature]
    with autograd.predict_mode():
        symbol = trace(block, regroup(zeros, graph.in_format)).symbol
    return symbol, symbol.tojson() != graph.symbol.tojson()


class CachedOp:
    """MXNet's ``mx.nd.CachedOp``: a symbol compiled once and called on NDArrays fed in ``sym.list_inputs()``
    order; calls inside ``autograd.record()`` are one tape node, as a hybridized block's are (or, for at most
    ``inline_limit`` operators, given in ``flags`` as ``("inline_limit", 2)`` pairs, one per operator).

    Examples
    --------
    >>> import ssdkit as mx
    >>> op = CachedOp(mx.sym.var("a") * 2 + mx.sym.var("b"))
    >>> op(mx.nd.ones(2), mx.nd.ones(2)).asnumpy()
    array([3., 3.], dtype=float32)
    """

    def __init__(self, sym, flags=()):
        self.flags = tuple(flags)
        options = {key: str(value).lower() for key, value in self.flags}   # (key, value) pairs, as MXNet's
        limit = -1 if options.get("static_alloc") in ("true", "1") else int(
            options.get("inline_limit", DEFAULT_INLINE_LIMIT))
        self._graph = CachedGraph(sym, sym.list_inputs(), [], inline_limit=limit)

    def __call__(self, *args, out=None, default_ctx=None):
        """Run the graph; one NDArray for a one-output symbol, else a list (written into ``out`` if given)."""
        names = self._graph.input_names
        if len(args) != len(names):
            raise MXNetError(f"CachedOp: {len(args)} arguments for the symbol's {len(names)} inputs {names}")
        outputs = self._graph(list(args))
        if out is not None:
            targets = out if isinstance(out, (list, tuple)) else [out]
            for dst, src in zip(targets, outputs):
                dst[:] = src
            return out
        return outputs[0] if len(outputs) == 1 else outputs
