"""Layer 2: the autograd tape — ``record``/``pause``/``train_mode``/``predict_mode`` and ``backward``.

Arrays are duck-typed here (the NDArray class lives a layer up): an array has ``_data`` (numpy),
``_entry`` (``(node, output_index)`` when a recorded op produced it) and, when it is a variable,
``_grad`` (an array of the same shape) and ``_grad_req`` (``'write'``, ``'add'`` or ``'null'``).

A :class:`Node` is one recorded application: an op from the registry, or a whole hybridized graph
(the way MXNet's CachedOp appears to autograd), or a user :class:`Function`.

Examples
--------
>>> import ssdkit as mx
>>> x = mx.nd.array([1.0, 2.0]); x.attach_grad()
>>> with mx.autograd.record():
...     y = (x * x).sum()
>>> y.backward(); x.grad
<BLANKLINE>
[2. 4.]
<NDArray 2 @cpu(0)>
"""
import threading

import numpy as np

from .base import MXNetError

__all__ = ["record", "pause", "train_mode", "predict_mode", "is_recording", "is_training", "get_symbol",
           "set_recording", "set_training", "mark_variables", "backward", "grad", "Function", "Node", "record_node",
           "gradient_needs", "retaining_graph"]


class _State(threading.local):
    recording = False
    training = False
    retaining_graph = False  # inside a backward pass that keeps the graph for another one


_STATE = _State()


class _Scope:
    def __init__(self, recording, training):
        self._new = (recording, training)

    def __enter__(self):
        self._old = (_STATE.recording, _STATE.training)
        rec, train = self._new
        _STATE.recording = _STATE.recording if rec is None else rec
        _STATE.training = _STATE.training if train is None else train
        return self

    def __exit__(self, *exc):
        _STATE.recording, _STATE.training = self._old


def record(train_mode=True):
    """Record ops for differentiation inside a ``with`` block (training mode by default).

    Examples
    --------
    >>> with record():
    ...     print(is_recording(), is_training())
    True True
    """
    return _Scope(True, train_mode)


def pause(train_mode=False):
    """Stop recording inside a ``with`` block (e.g. to compute metrics in a training loop).

    Examples
    --------
    >>> with record():
    ...     with pause():
    ...         print(is_recording())
    False
    """
    return _Scope(False, train_mode)


def train_mode():
    """Training behaviour (dropout on, batch statistics) without changing recording.

    Examples
    --------
    >>> with train_mode():
    ...     print(is_training())
    True
    """
    return _Scope(None, True)


def predict_mode():
    """Inference behaviour (dropout off, moving statistics) without changing recording.

    Examples
    --------
    >>> with record():
    ...     with predict_mode():
    ...         print(is_recording(), is_training())
    True False
    """
    return _Scope(None, False)


def is_recording():
    """Whether ops are being recorded.

    Examples
    --------
    >>> is_recording()
    False
    """
    return _STATE.recording


def is_training():
    """Whether ops run in training mode.

    Examples
    --------
    >>> is_training()
    False
    """
    return _STATE.training


def set_recording(is_recording):
    """Set the recording flag; returns the previous value.

    Examples
    --------
    >>> prev = set_recording(False); prev
    False
    """
    old, _STATE.recording = _STATE.recording, bool(is_recording)
    return old


def set_training(train_mode):
    """Set the training flag; returns the previous value.

    Examples
    --------
    >>> set_training(False)
    False
    """
    old, _STATE.training = _STATE.training, bool(train_mode)
    return old


class Node:
    """One recorded computation: ``backward_fn(out_grads) -> in_grads`` over ``inputs`` (arrays).

    ``out_meta`` holds each output's (shape, dtype) so a missing output gradient can be zero-filled.

    Examples
    --------
    >>> n = Node(lambda gs: gs, [], [((2,), np.float32)], "identity")
    >>> n.name
    'identity'
    """
    __slots__ = ("backward_fn", "inputs", "out_meta", "name", "graph_backward", "op", "params")

    def __init__(self, backward_fn, inputs, out_meta, name, graph_backward=None, op=None, params=None):
        self.backward_fn, self.inputs, self.out_meta, self.name = backward_fn, inputs, out_meta, name
        # graph_backward(node, out_grads as arrays) -> input gradients recorded as computations (create_graph);
        # op and params: the registry op this node applied (get_symbol rebuilds the graph from them)
        self.graph_backward, self.op, self.params = graph_backward, op, params


def _requires_grad(array):
    if array._entry is not None and array._entry[0].backward_fn is None:
        array._entry = None  # its graph was freed by backward: a constant from now on, as in MXNet
    return array._entry is not None or (array._grad is not None and array._grad_req != "null")


def gradient_needs(inputs):
    """Which of ``inputs`` a backward pass through a computation recorded now must give a gradient.

    True for arrays with an attached gradient (``grad_req`` not ``'null'``) and for results of recorded
    computations; False for plain data, so an op's backward can skip work nobody uses.

    Examples
    --------
    >>> import ssdkit as mx
    >>> w, x = mx.nd.ones((2,)), mx.nd.ones((2,))
    >>> w.attach_grad()
    >>> gradient_needs([x, w])
    (False, True)
    """
    return tuple(_requires_grad(x) for x in inputs)


def record_node(backward_fn, inputs, outputs, name, graph_backward=None, op=None, params=None):
    """Put one computation on the tape when recording and some input needs a gradient.

    Returns True when recorded. Called by the ndarray layer for every op (with ``graph_backward``, ``op``
    and ``params``, see :class:`Node`) and by hybridized blocks.

    Examples
    --------
    >>> record_node(None, [], [], "noop")
    False
    """
    if not _STATE.recording or not any([_requires_grad(x) for x in inputs]):  # every input: drops freed entries
        return False
    node = Node(backward_fn, list(inputs), [(o._data.shape, o._data.dtype) for o in outputs], name,
                graph_backward, op, params)
    for i, out in enumerate(outputs):
        out._entry = (node, i)
    return True


def mark_variables(variables, gradients, grad_reqs="write"):
    """Mark arrays as variables whose gradients are written into ``gradients`` (MXNet's low-level API).

    Examples
    --------
    >>> import ssdkit as mx
    >>> x, g = mx.nd.ones((2,)), mx.nd.zeros((2,))
    >>> mark_variables([x], [g])
    >>> x.grad is g
    True
    """
    if isinstance(grad_reqs, str):
        grad_reqs = [grad_reqs] * len(variables)
    for var, g, req in zip(variables, gradients, grad_reqs):
        var._grad, var._grad_req, var._entry = g, req, None


def _topological(heads):
    order, seen, stack = [], set(), [(h._entry[0], False) for h in heads if h._entry is not None]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        stack.extend((x._entry[0], False) for x in node.inputs if x._entry is not None and id(x._entry[0]) not in seen)
    return order  # producers before consumers


def _accumulate(table, key, value):
    table[key] = value if key not in table else table[key] + value


def retaining_graph():
    """Whether the backward pass running now keeps the graph for another one (``retain_graph=True``): a node's
    backward may then free nothing it saved; otherwise it may release each saved array as soon as it is used.

    Examples
    --------
    >>> retaining_graph()
    False
    """
    return _STATE.retaining_graph


def _run_backward(heads, head_grads, retain_graph, variables=None, create_graph=False):
    """Propagate head gradients; return {id(var): (var, grad)} for variables reached.

    Gradients are numpy arrays, or with ``create_graph`` arrays recorded as computations (each node's
    ``graph_backward`` runs while recording)."""
    previous, _STATE.retaining_graph = _STATE.retaining_graph, bool(retain_graph)
    try:
        return _walk_backward(heads, head_grads, retain_graph, variables, create_graph)
    finally:
        _STATE.retaining_graph = previous


def _walk_backward(heads, head_grads, retain_graph, variables, create_graph):
    wrap = heads[0]._wrap
    if create_graph:
        seed = lambda h, g: wrap(np.ones_like(h._data)) if g is None else (  # noqa: E731
            g if hasattr(g, "_data") else wrap(np.asarray(g)))
        zeros = lambda s, d: wrap(np.zeros(s, d))  # noqa: E731
    else:
        seed = lambda h, g: np.ones_like(h._data) if g is None else np.asarray(  # noqa: E731
            g._data if hasattr(g, "_data") else g, h._data.dtype)
        zeros = np.zeros
    entry_grads, var_grads = {}, {}

    def deliver(x, g):
        if x._entry is not None:
            _accumulate(entry_grads, (id(x._entry[0]), x._entry[1]), g)
        elif (x._grad is not None and x._grad_req != "null") or variables is not None:
            _accumulate(var_grads, id(x), g)
            var_grads.setdefault(("obj", id(x)), x)
    for h, g in zip(heads, head_grads):
        deliver(h, seed(h, g))
    for node in reversed(_topological(heads)):
        if node.backward_fn is None:
            raise MXNetError("backward: the graph was already freed by an earlier backward pass; "
                             "call backward(retain_graph=True) the first time to run backward twice")
        out_grads = [entry_grads.pop((id(node), i), None) for i in range(len(node.out_meta))]
        if all(g is None for g in out_grads):
            continue
        out_grads = [zeros(s, d) if g is None else g for g, (s, d) in zip(out_grads, node.out_meta)]
        if not create_graph:
            in_grads = node.backward_fn(out_grads)
        else:
            in_grads = None if node.graph_backward is None else node.graph_backward(node, out_grads)
            if in_grads is None:
                in_grads = _untraced_gradients(node, out_grads, wrap)
        for x, g in zip(node.inputs, in_grads):
            if x._entry is None and x._grad_req == "null" and variables is None:
                x._grad = None  # as MXNet: a variable with grad_req 'null' that backward reaches has no grad
            if g is not None:
                deliver(x, g)
        if not retain_graph:
            node.backward_fn = node.graph_backward = None
    return {k: (var_grads[("obj", k)], g) for k, g in var_grads.items() if not isinstance(k, tuple)}


def _untraced_gradients(node, out_grads, wrap):
    """Gradients of a node whose backward cannot be recorded: computed once, recorded as values whose own
    gradient raises MXNetError (zero gradients of non-differentiable ops are plain constants)."""
    raw = node.backward_fn([g._data for g in out_grads])
    grads = [None if g is None else wrap(np.asarray(g)) for g in raw]
    if node.op is not None and not node.op.differentiable:
        return grads

    def refuse(_):
        raise MXNetError(f"autograd: the gradient of {node.name}'s gradient (a higher-order gradient) is not "
                         "available in ssdkit: its backward cannot be recorded as operations")
    for g in grads:
        if g is not None:
            record_node(refuse, list(node.inputs) + list(out_grads), [g], f"_backward_{node.name}")
    return grads


def backward(heads, head_grads=None, retain_graph=False, train_mode=True):
    """Compute gradients of ``heads`` and write them into the variables' ``grad`` per ``grad_req``.

    Parameters
    ----------
    heads : array or list of arrays
    head_grads : array or list (None = ones)
    retain_graph : bool
        Keep the tape so a second backward can run.

    Examples
    --------
    >>> import ssdkit as mx
    >>> x = mx.nd.array([3.0]); x.attach_grad()
    >>> with record():
    ...     y = 2 * x
    >>> backward([y]); x.grad.asnumpy()
    array([2.], dtype=float32)
    """
    heads = heads if isinstance(heads, (list, tuple)) else [heads]
    if head_grads is None:
        head_grads = [None] * len(heads)
    elif not isinstance(head_grads, (list, tuple)):
        head_grads = [head_grads]
    if not any(h._entry is not None or h._grad is not None for h in heads):
        raise MXNetError("backward: the heads were not computed inside autograd.record() from any variable "
                         "with attach_grad(); nothing to differentiate")
    with _Scope(False, train_mode):
        results = _run_backward(heads, head_grads, retain_graph)
    for var, g in results.values():
        if var._grad is None or var._grad_req == "null":
            continue
        g = g.reshape(var._grad._data.shape).astype(var._grad._data.dtype, copy=False)
        if var._grad_req == "add":
            var._grad._data += g
        else:
            var._grad._data[...] = g
        var._fresh_grad = True


def grad(heads, variables, head_grads=None, retain_graph=None, create_graph=False, train_mode=True):
    """Return the gradients of ``heads`` with respect to ``variables`` without touching their ``grad``.

    With ``create_graph=True`` the gradients are recorded as computations (when recording), so they can be
    differentiated again: higher-order gradients (see :mod:`ssdkit.ndarray.higher_order`).
    ``retain_graph`` defaults to ``create_graph``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> x = mx.nd.array([1.0, 2.0]); x.attach_grad()
    >>> with record():
    ...     y = (x * x * x).sum()
    >>> grad(y, x)[0].asnumpy()
    array([ 3., 12.], dtype=float32)
    """
    heads = heads if isinstance(heads, (list, tuple)) else [heads]
    single = not isinstance(variables, (list, tuple))
    variables = [variables] if single else list(variables)
    if head_grads is None:
        head_grads = [None] * len(heads)
    elif not isinstance(head_grads, (list, tuple)):
        head_grads = [head_grads]
    if retain_graph is None:
        retain_graph = create_graph
    with _Scope(bool(create_graph), train_mode):
        results = _run_backward(heads, head_grads, bool(retain_graph), variables, create_graph)
    out = []
    for i, v in enumerate(variables):
        if id(v) not in results:
            raise MXNetError(
                f"autograd.grad: cannot differentiate with respect to variable #{i} (shape {v.shape}): the recording "
                "never reached it from the heads, so it was not used to compute them inside autograd.record(). "
                "Leave it out of `variables`, or use it in the computation of the heads.")
        g = results[id(v)][1]
        if create_graph:
            out.append(g if g.shape == v.shape and g.dtype == v.dtype else g.astype(v.dtype).reshape(v.shape))
        else:
            out.append(v._wrap(np.asarray(g, v._data.dtype).reshape(v._data.shape)))
    return out


#: Builds a Symbol from the tape; the symbol layer (L4) sets it when it loads (ssdkit/symbol/tape.py).
SYMBOL_FROM_TAPE = None


def get_symbol(x):
    """The computation recorded for ``x`` (an array computed inside :func:`record`) as a Symbol.

    Examples
    --------
    >>> import ssdkit as mx
    >>> x = mx.nd.ones((1,)); z = mx.nd.ones((1,))
    >>> x.attach_grad(); z.attach_grad()
    >>> with record():
    ...     y = x * x + 2 * z - 1
    >>> get_symbol(y).list_arguments()
    ['var0', 'var1']
    """
    if SYMBOL_FROM_TAPE is None:
        import ssdkit
        ssdkit.sym  # noqa: B018  loading the symbol layer registers its builder here
    return SYMBOL_FROM_TAPE(x)


class Function:
    """A user-defined differentiable function, as ``mx.autograd.Function``: override ``forward`` and
    ``backward`` (both take and return NDArrays); ``save_for_backward`` keeps arrays for backward.

    Examples
    --------
    >>> import ssdkit as mx
    >>> class Square(Function):
    ...     def forward(self, x):
    ...         self.save_for_backward(x)
    ...         return x * x
    ...     def backward(self, dy):
    ...         x, = self.saved_tensors
    ...         return 2 * x * dy
    >>> x = mx.nd.array([3.0]); x.attach_grad()
    >>> with record():
    ...     y = Square()(x)
    >>> y.backward(); x.grad.asnumpy()
    array([6.], dtype=float32)
    """

    def save_for_backward(self, *args):
        """Keep arrays for :meth:`backward` as ``self.saved_tensors``."""
        self.saved_tensors = args

    def forward(self, *inputs):
        """Compute the outputs from NDArray inputs (runs with recording paused)."""
        raise MXNetError(f"{type(self).__name__}: define forward(self, *inputs)")

    def backward(self, *output_grads):
        """Return the input gradients (NDArrays, or None) from the output gradients."""
        raise MXNetError(f"{type(self).__name__}: define backward(self, *output_grads)")

    def __call__(self, *inputs):
        with pause(train_mode=is_training()):
            outputs = self.forward(*inputs)
        single = not isinstance(outputs, (list, tuple))
        outs = [outputs] if single else list(outputs)
        wrap = inputs[0]._wrap

        def backward_fn(out_grads):
            grads = self.backward(*[wrap(g) for g in out_grads])
            grads = [grads] if not isinstance(grads, (list, tuple)) else grads
            return [None if g is None else g._data for g in grads]

        record_node(backward_fn, inputs, outs, type(self).__name__)
        return outputs
