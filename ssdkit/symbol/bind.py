"""``Symbol.bind`` / ``Symbol.simple_bind`` and MXNet 1.x's ``Executor``: a graph bound to argument, gradient
and auxiliary-state arrays, run with ``forward(is_train)`` / ``backward(out_grads)``.

The Executor is a thin holder of NDArrays around the one graph executor (:class:`.executor.GraphExecutor`)
that ``hybridize()`` also uses: forward feeds the bound arrays to it, backward writes the gradients into the
bound gradient arrays by each argument's ``grad_req`` (``'write'``, ``'add'`` or ``'null'``). Auxiliary states
(BatchNorm's moving statistics) are fed by reference, so a training pass updates them in place, as in MXNet.

Examples
--------
>>> import ssdkit as mx
>>> x, w = mx.sym.var('x'), mx.sym.var('w')
>>> ex = (x * w).simple_bind(mx.cpu(), x=(2,), w=(2,))
>>> ex.arg_dict['x'][:] = 3; ex.arg_dict['w'][:] = 2
>>> ex.forward(is_train=True)[0].asnumpy()
array([6., 6.], dtype=float32)
>>> ex.backward(mx.nd.ones((2,))); ex.grad_dict['w'].asnumpy()
array([3., 3.], dtype=float32)
"""
from collections import OrderedDict

import numpy as np

from ..base import MXNetError
from ..ndarray import NDArray, zeros

__all__ = ["Executor", "bind", "simple_bind", "group_contexts"]

GRAD_REQS = ("write", "add", "null")


def _by_name(names, given, what, required=True):
    """A list or dict of arrays given by the caller -> {name: array} in ``names`` order."""
    if given is None:
        if required and names:
            raise MXNetError(f"bind: {what} are required for {names}")
        return {}
    if isinstance(given, dict):
        missing = [n for n in names if n not in given]
        if missing and required:
            raise MXNetError(f"bind: {what} lack {missing} (the graph's {what} are {names})")
        return {n: given[n] for n in names if n in given}
    given = list(given)
    if len(given) != len(names):
        raise MXNetError(f"bind: {len(given)} {what} given for the graph's {len(names)} {names}")
    return dict(zip(names, given))


def _grad_reqs(names, grad_req):
    if isinstance(grad_req, str):
        reqs = dict.fromkeys(names, grad_req)
    elif isinstance(grad_req, dict):
        reqs = {n: grad_req.get(n, "null") for n in names}
    else:
        grad_req = list(grad_req)
        if len(grad_req) != len(names):
            raise MXNetError(f"bind: {len(grad_req)} grad_req entries for {len(names)} arguments {names}")
        reqs = dict(zip(names, grad_req))
    bad = {n: r for n, r in reqs.items() if r not in GRAD_REQS}
    if bad:
        raise MXNetError(f"bind: grad_req must be one of {GRAD_REQS}, got {bad}")
    return reqs


def _numpy(value, dtype=None):
    array = value.asnumpy() if isinstance(value, NDArray) else np.asarray(value)
    return array if dtype is None else array.astype(dtype, copy=False)


class Executor:
    """A Symbol bound to arrays (made by :meth:`Symbol.bind` / :meth:`Symbol.simple_bind`).

    Attributes: ``arg_arrays``, ``grad_arrays`` (None where ``grad_req`` is ``'null'``), ``aux_arrays``,
    ``outputs`` and the dicts ``arg_dict``, ``grad_dict``, ``aux_dict``, ``output_dict``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> ex = mx.sym.relu(mx.sym.var('x'), name='r').bind(mx.cpu(), {'x': mx.nd.array([-1, 2])})
    >>> ex.forward()[0].asnumpy(), list(ex.output_dict)
    (array([0., 2.], dtype=float32), ['r_output'])
    """

    def __init__(self, symbol, ctx, args, args_grad, grad_req, aux_states):
        from .executor import GraphExecutor
        from .common_expr import optimize_bound_graph
        self._symbol = symbol
        self._ctx = ctx
        self._optimized = optimize_bound_graph(symbol)   # as MXNet's bind: common subexpressions merged
        self._graph = GraphExecutor(self._optimized)
        arg_names, aux_names = symbol.list_arguments(), symbol.list_auxiliary_states()
        self.arg_dict = OrderedDict(_by_name(arg_names, args, "arguments").items())
        self.aux_dict = OrderedDict(_by_name(aux_names, aux_states, "auxiliary states").items())
        for name, array in list(self.arg_dict.items()) + list(self.aux_dict.items()):
            if not isinstance(array, NDArray):
                raise MXNetError(f"bind: {name} must be an NDArray, got {type(array).__name__}")
        self._grad_req = _grad_reqs(arg_names, grad_req)
        grads = _by_name(arg_names, args_grad, "gradient arrays", required=False)
        self.grad_dict = OrderedDict((n, grads[n]) for n in arg_names
                                     if self._grad_req[n] != "null" and grads.get(n) is not None)
        for name in arg_names:  # an argument without a gradient array gets no gradient, as in MXNet
            if name not in self.grad_dict:
                self._grad_req[name] = "null"
        _check_gradients_exist(symbol, self._grad_req)
        self.outputs = _output_buffers(symbol, self.arg_dict, ctx)
        self._state = None
        self._monitor = None

    # ------------------------------------------------------------------ the arrays, in graph order
    @property
    def arg_arrays(self):
        """Argument arrays in ``list_arguments()`` order."""
        return list(self.arg_dict.values())

    @property
    def grad_arrays(self):
        """Gradient arrays in ``list_arguments()`` order (None for ``grad_req='null'``)."""
        return [self.grad_dict.get(n) for n in self.arg_dict]

    @property
    def aux_arrays(self):
        """Auxiliary-state arrays in ``list_auxiliary_states()`` order."""
        return list(self.aux_dict.values())

    @property
    def output_dict(self):
        """``{output name: NDArray}`` of the last forward."""
        return OrderedDict(zip(self._symbol.list_outputs(), self.outputs))

    # ------------------------------------------------------------------ running
    def forward(self, is_train=False, **kwargs):
        """Run the graph; keyword arrays are first copied into the bound arguments. Returns ``outputs``.

        Examples
        --------
        >>> import ssdkit as mx
        >>> ex = (mx.sym.var('a') + 1).simple_bind(mx.cpu(), a=(1,))
        >>> ex.forward(a=mx.nd.array([41]))[0].asnumpy()
        array([42.], dtype=float32)
        """
        for name, value in kwargs.items():
            if name not in self.arg_dict:
                raise MXNetError(f"forward: unknown argument {name!r}; the graph's arguments are "
                                 f"{list(self.arg_dict)}")
            target, source = self.arg_dict[name], _numpy(value)
            if source.shape != target.shape:
                raise MXNetError(f"forward: {name} is bound with shape {target.shape}, got {source.shape}")
            target._data[...] = source
        feed = {n: a._data for n, a in self.arg_dict.items()}
        feed.update({n: a._data for n, a in self.aux_dict.items()})
        # MXNet allows backward after forward(is_train=False): keep what backward needs whenever it can be asked
        wants_grad = any(r != "null" for r in self._grad_req.values())
        if self._monitor is not None and self._monitor[1]:  # as MXNet: with monitor_all, the variables too
            for name in self._symbol.list_inputs():
                array = self.arg_dict.get(name, self.aux_dict.get(name))
                self._monitor[0](name.encode(), b"null", array)
        heads, self._state = self._graph.forward(feed, is_train=is_train, for_backward=is_train or wants_grad,
                                                 monitor=self._monitor)
        for k, h in enumerate(heads):  # outputs are fixed buffers, written in place as MXNet's are
            h = np.asarray(h)
            if k < len(self.outputs) and self.outputs[k].shape == h.shape and self.outputs[k].dtype == h.dtype:
                self.outputs[k]._data[...] = h
            elif k < len(self.outputs):
                self.outputs[k] = NDArray(h, self._ctx)
            else:
                self.outputs.append(NDArray(h, self._ctx))
        return self.outputs

    def backward(self, out_grads=None, is_train=True):
        """Gradients of the outputs (weighted by ``out_grads``; ones where not given) into the gradient
        arrays, by ``grad_req``. Needs a ``forward(is_train=True)`` first.

        Examples
        --------
        >>> import ssdkit as mx
        >>> ex = (mx.sym.var('a') * 3).simple_bind(mx.cpu(), a=(2,), grad_req='add')
        >>> for _ in range(2):
        ...     _ = ex.forward(is_train=True); ex.backward(mx.nd.ones((2,)))
        >>> ex.grad_dict['a'].asnumpy()
        array([6., 6.], dtype=float32)
        """
        if self._state is None or self._state[1] is None:
            raise MXNetError("backward: run forward first (this executor was bound without gradient arrays, "
                             "or backward already ran for that forward)")
        if out_grads is None:
            out_grads = [None] * len(self.outputs)
        elif isinstance(out_grads, NDArray):
            out_grads = [out_grads]
        if len(out_grads) != len(self.outputs):
            raise MXNetError(f"backward: {len(out_grads)} out_grads for {len(self.outputs)} outputs")
        heads = [np.ones(o.shape, o.dtype) if g is None else _numpy(g, o.dtype)
                 for o, g in zip(self.outputs, out_grads)]
        wanted = [n for n, r in self._grad_req.items() if r != "null"]
        grads = self._graph.backward(self._state, heads, wanted=wanted, monitor=self._monitor)
        self._state = None
        for name in wanted:
            target, g = self.grad_dict[name], grads.get(name)
            if g is None:
                if self._grad_req[name] == "write":
                    target._data[...] = 0
            elif self._grad_req[name] == "add":
                target._data += np.asarray(g).reshape(target.shape)
            else:
                target._data[...] = np.asarray(g).reshape(target.shape)

    # ------------------------------------------------------------------ helpers of MXNet's API
    def get_optimized_symbol(self):
        """The graph this executor runs: the bound Symbol after MXNet's graph passes (common subexpressions
        eliminated unless ``MXNET_ELIMINATE_COMMON_EXPR=0``, see :mod:`.common_expr`).

        Examples
        --------
        >>> import ssdkit as mx
        >>> a = mx.sym.var('a')
        >>> ex = (mx.sym.exp(a) + mx.sym.exp(a)).simple_bind(mx.cpu(), a=(2,))
        >>> len(ex.get_optimized_symbol().get_internals())
        3
        """
        return self._optimized

    def copy_params_from(self, arg_params, aux_params=None, allow_extra_params=False):
        """Copy values of ``arg_params`` / ``aux_params`` (name -> NDArray) into the bound arrays.

        Examples
        --------
        >>> import ssdkit as mx
        >>> ex = (mx.sym.var('w') * 1).simple_bind(mx.cpu(), w=(2,))
        >>> ex.copy_params_from({'w': mx.nd.array([1, 2])}); ex.arg_dict['w'].asnumpy()
        array([1., 2.], dtype=float32)
        """
        for params, bound, what in ((arg_params, self.arg_dict, "argument"),
                                    (aux_params or {}, self.aux_dict, "auxiliary state")):
            for name, value in params.items():
                if name not in bound:
                    if allow_extra_params:
                        continue
                    raise MXNetError(f"copy_params_from: {name} is not an {what} of this graph "
                                     "(pass allow_extra_params=True to ignore it)")
                if tuple(value.shape) != bound[name].shape:
                    raise MXNetError(f"copy_params_from: {name} has shape {tuple(value.shape)}, the bound array "
                                     f"has {bound[name].shape}")
                bound[name]._data[...] = _numpy(value)

    def reshape(self, partial_shaping=False, allow_up_sizing=False, **kwargs):
        """A new Executor for new input shapes, sharing the arrays whose shape is unchanged.

        Examples
        --------
        >>> import ssdkit as mx
        >>> fc = mx.sym.FullyConnected(mx.sym.var('data'), num_hidden=2, name='fc')
        >>> ex = fc.simple_bind(mx.cpu(), data=(4, 3))
        >>> ex.reshape(data=(1, 3)).arg_dict['fc_weight'] is ex.arg_dict['fc_weight']
        True
        """
        arg_shapes, _, aux_shapes = self._symbol.infer_shape(**kwargs)
        if arg_shapes is None:
            raise MXNetError(f"reshape: shapes {kwargs} do not determine every shape of the graph")
        args, grads, aux = {}, {}, {}
        for (name, old), shape in zip(self.arg_dict.items(), arg_shapes):
            shape = tuple(shape)
            if old.shape != shape:
                if name not in kwargs and not partial_shaping:
                    raise MXNetError(f"reshape: {name} would change shape {old.shape} -> {shape}; pass "
                                     "partial_shaping=True to allow it")
                if int(np.prod(shape)) > old.size and not allow_up_sizing:
                    raise MXNetError(f"reshape: {name} would grow {old.shape} -> {shape}; pass "
                                     "allow_up_sizing=True to allow it")
            args[name] = _shared(old, shape, self._ctx)
            if name in self.grad_dict:
                grads[name] = _shared(self.grad_dict[name], shape, self._ctx)
        for (name, old), shape in zip(self.aux_dict.items(), aux_shapes):
            aux[name] = _shared(old, tuple(shape), self._ctx)
        new = Executor(self._symbol, self._ctx, args, grads, dict(self._grad_req), aux)
        new.outputs = [_shared(old, out.shape, self._ctx) if old.dtype == out.dtype else out
                       for old, out in zip(self.outputs, new.outputs)]
        return new

    def set_monitor_callback(self, callback, monitor_all=False):
        """Call ``callback(name, array)`` for every op output (inputs too with ``monitor_all``) in forward.

        Examples
        --------
        >>> import ssdkit as mx
        >>> ex = mx.sym.relu(mx.sym.var('x'), name='r').simple_bind(mx.cpu(), x=(1,)); seen = []
        >>> ex.set_monitor_callback(lambda name, arr: seen.append(name)); _ = ex.forward(); seen
        [b'r_output']
        """
        self._monitor = (lambda name, _op, array: callback(name, array), monitor_all, _executor_value_names)

    def debug_str(self):
        """A text listing of the bound graph's nodes and, as MXNet's last line, the memory the bound graph
        needs beyond its bound arrays: ``Total N MB allocated`` (op outputs, plus the gradients of op outputs
        that backward computes for arguments with a ``grad_req`` other than ``'null'``).

        Examples
        --------
        >>> import ssdkit as mx
        >>> print(mx.sym.relu(mx.sym.var('x'), name='r').simple_bind(mx.cpu(), x=(1,)).debug_str())
        Symbol Outputs: ['r_output']
        Variable, Name=x
        Op:relu, Name=r
        Total 0 MB allocated
        """
        lines = [f"Symbol Outputs: {self._optimized.list_outputs()}"]
        for node in self._optimized._nodes():
            lines.append(f"Variable, Name={node.name}" if node.is_variable else f"Op:{node.op_name}, Name={node.name}")
        lines.append(f"Total {_planned_bytes(self._optimized, self.arg_dict, self._grad_req) >> 20} MB allocated")
        return "\n".join(lines)


#: Ops MXNet runs in place on their one input (no new buffer, no gradient buffer of their own).
IN_PLACE_OPS = frozenset(["BlockGrad", "stop_gradient", "_copy", "identity", "Reshape", "Flatten", "expand_dims"])


def _planned_bytes(symbol, args, grad_req):
    """Bytes of the op outputs of ``symbol`` and of the output gradients its backward computes."""
    from .inference import infer_shapes, infer_types
    nodes = symbol._nodes()
    shapes = infer_shapes(nodes, {n: a.shape for n, a in args.items()})
    types = infer_types(nodes, {n: np.dtype(a.dtype).name for n, a in args.items()})
    key = lambda node, i: ("var", node.name) if node.is_variable else (id(node), i)  # noqa: E731
    backward = _backward_nodes(nodes, symbol._outputs, grad_req)
    total = 0
    for node in nodes:
        if node.is_variable or node.op_name in IN_PLACE_OPS:
            continue
        for i in range(node.num_outputs()):
            shape, dtype = shapes.get(key(node, i)), types.get(key(node, i))
            size = int(np.prod(shape)) * np.dtype(dtype or np.float32).itemsize if shape else 0
            total += size * (2 if id(node) in backward else 1)
    return total


def _backward_nodes(nodes, heads, grad_req):
    """Ids of the op nodes whose gradient backward computes: computed from an argument that wants a
    gradient, and reached from the heads through differentiable ops."""
    leads = {id(n) for n in nodes if n.is_variable and grad_req.get(n.name, "null") != "null"}
    for node in nodes:
        if not node.is_variable and any(id(src) in leads for src, _ in node.inputs):
            leads.add(id(node))
    reached = {id(n) for n, _ in heads}
    for node in reversed(nodes):
        if id(node) in reached and not node.is_variable and node.op.differentiable:
            reached.update(id(src) for src, _ in node.inputs)
    return {id(n) for n in nodes if not n.is_variable and id(n) in leads and id(n) in reached}


def _check_gradients_exist(symbol, grad_req):
    """As MXNet's bind: refuse a graph whose backward needs the gradient of an op that has none."""
    nodes = symbol._nodes()
    backward = _backward_nodes(nodes, symbol._outputs, grad_req)
    for node in nodes:
        if id(node) in backward and node.op.no_gradient:
            raise MXNetError(f"Operator {node.op_name} is non-differentiable because it didn't register FGradient "
                             f"attribute (node {node.name}); bind its inputs with grad_req='null' or put "
                             "stop_gradient after it")


def _output_buffers(symbol, args, ctx):
    """Zero output arrays of the shapes the bound arguments give (empty when they cannot be inferred)."""
    _, out_shapes, _ = symbol.infer_shape(**{n: a.shape for n, a in args.items()})
    _, out_types, _ = symbol.infer_type_partial(**{n: a.dtype for n, a in args.items()})
    if out_shapes is None:
        return []
    return [zeros(s, ctx, dtype=np.float32 if t is None else t) for s, t in zip(out_shapes, out_types)]


def _shared(old, shape, ctx):
    """``old`` itself for an unchanged shape, a view of its memory when smaller (MXNet's reshape shares
    memory), a new zero array when larger."""
    if old.shape == shape:
        return old
    size = int(np.prod(shape))
    if size <= old.size:
        return NDArray(old._data.reshape(-1)[:size].reshape(shape), ctx)
    return zeros(shape, ctx, dtype=old.dtype)


def _executor_value_names(node):
    """MXNet's Executor names an op's outputs as ``list_outputs`` does (``r_output``), inputs as the graph
    monitor does (``r_input0``, ``fc_weight``)."""
    from .monitor import value_names
    return value_names(node)[0], node.output_names()


def _from_buffer(buffer, name, fresh):
    """``buffer[name]`` viewed as ``fresh``'s shape when it is large enough and of its dtype (the two then
    share memory, as MXNet's ``shared_buffer``), else ``fresh``, which then goes into ``buffer``."""
    held = buffer.get(name)
    if held is not None and held.dtype == fresh.dtype and held.size >= fresh.size:
        view = held._data.reshape(-1)[:fresh.size].reshape(fresh.shape)
        return held if held.shape == fresh.shape else type(held)(view, held.context)
    buffer[name] = fresh
    return fresh


def group_contexts(symbol, group2ctx):
    """``{variable name: context}`` for the variables whose ``ctx_group`` attribute ``group2ctx`` maps (MXNet's
    model-parallel placement: their arrays and gradients live on that context; the rest on the bind context).

    Examples
    --------
    >>> import ssdkit as mx
    >>> with mx.AttrScope(ctx_group='dev1'):
    ...     a = mx.sym.var('a')
    >>> group_contexts(a + mx.sym.var('b'), {'dev1': mx.cpu(1)})
    {'a': cpu(1)}
    """
    if not group2ctx:
        return {}
    return {node.name: group2ctx[node.attrs["__ctx_group__"]] for node in symbol._nodes()
            if node.is_variable and node.attrs.get("__ctx_group__") in group2ctx}


def bind(symbol, ctx, args, args_grad=None, grad_req="write", aux_states=None, group2ctx=None, shared_exec=None):
    """Bind ``symbol`` to given arrays (lists in ``list_arguments()`` order, or dicts by name).

    Examples
    --------
    >>> import ssdkit as mx
    >>> bind(mx.sym.var('x') * 2, mx.cpu(), [mx.nd.ones((1,))]).forward()[0].asnumpy()
    array([2.], dtype=float32)
    """
    return Executor(symbol, ctx, args, args_grad, grad_req, aux_states)


def simple_bind(symbol, ctx, grad_req="write", type_dict=None, stype_dict=None, group2ctx=None,
                shared_arg_names=None, shared_exec=None, shared_buffer=None, **kwargs):
    """Bind ``symbol`` to new zero arrays whose shapes are inferred from the input shapes in ``kwargs``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> ex = simple_bind(mx.sym.var('x') * 2, mx.cpu(), x=(3,)); ex.arg_dict['x'].shape, ex.grad_dict['x'].shape
    ((3,), (3,))
    """
    arg_shapes, _, aux_shapes = symbol.infer_shape(**kwargs)
    if arg_shapes is None:
        partial, _, _ = symbol._infer_shape_raw((), kwargs)
        unknown = [n for n, s in zip(symbol.list_arguments(), partial) if s is None or 0 in s]
        raise MXNetError(f"simple_bind: the shapes of {unknown} cannot be inferred from {kwargs}")
    arg_types, _, aux_types = symbol.infer_type_partial(**(type_dict or {}))
    arg_names, aux_names = symbol.list_arguments(), symbol.list_auxiliary_states()
    reqs = _grad_reqs(arg_names, grad_req)
    placed = group_contexts(symbol, group2ctx)

    def new(shapes, types, names, keep=lambda n: True):
        return {n: zeros(s, placed.get(n, ctx), dtype=np.float32 if t is None else t)
                for n, s, t in zip(names, shapes, types) if keep(n)}
    args = new(arg_shapes, arg_types, arg_names)
    if shared_buffer is not None:  # MXNet's memory sharing of the inputs that are not shared parameters
        for name in arg_names:
            if name not in (shared_arg_names or ()):
                args[name] = _from_buffer(shared_buffer, name, args[name])
    return Executor(symbol, ctx, args,
                    new(arg_shapes, arg_types, arg_names, keep=lambda n: reqs[n] != "null"), reqs,
                    new(aux_shapes, aux_types, aux_names))
