"""Checking a Symbol as MXNet's ``test_utils`` does: ``simple_forward``, ``check_symbolic_forward``,
``check_symbolic_backward`` and ``check_numeric_gradient``, run by ssdkit's graph executor.

``check_numeric_gradient`` is the one gradient checker (:func:`.gradient.check_directional`) applied to a
whole graph: float64 central differences of ``<w, outputs>`` along a random direction against the graph's
backward, instead of MXNet's element-by-element differences (same verdict, one pass per check).

Examples
--------
>>> import ssdkit as mx
>>> x = mx.sym.var("x")
>>> check_symbolic_forward(x * 2, [np.array([1.0, 2.0])], [np.array([2.0, 4.0])])[0].asnumpy()
array([2., 4.], dtype=float32)
>>> _ = check_symbolic_backward(x * x, [np.array([3.0])], [np.array([1.0])], [np.array([6.0])])
>>> check_numeric_gradient(mx.sym.tanh(x), [np.array([0.1, -0.4])])
"""
import numpy as np

from ..ndarray import NDArray
from ..symbol.executor import GraphExecutor
from .arrays import default_dtype
from .compare import assert_almost_equal
from .gradient import check_directional

__all__ = ["simple_forward", "check_symbolic_forward", "check_symbolic_backward", "check_numeric_gradient"]


def _numpy(value, dtype):
    value = value.asnumpy() if isinstance(value, NDArray) else np.asarray(value)
    return value if dtype == "asnumpy" else value.astype(dtype)


def _named(names, values, what, dtype):
    """A dict name -> numpy array from a list in ``names`` order or a dict with exactly those names."""
    if values is None:
        return {}
    if isinstance(values, dict):
        if set(values) != set(names):
            raise ValueError(f"Symbol {what} and the given keys do not match: symbol has {sorted(names)}, "
                             f"given {sorted(values)}")
        return {k: _numpy(values[k], dtype) for k in names}
    if len(values) != len(names):
        raise ValueError(f"Symbol has {len(names)} {what} {names}, {len(values)} values were given")
    return {k: _numpy(v, dtype) for k, v in zip(names, values)}


def _feed(sym, location, aux_states, dtype):
    feed = _named(sym.list_arguments(), location, "arguments", dtype)
    feed.update(_named(sym.list_auxiliary_states(), aux_states, "auxiliary states", dtype))
    return feed


def simple_forward(sym, ctx=None, is_train=False, **inputs):
    """Run ``sym`` once on numpy ``inputs`` given by name; numpy result (a list for several outputs).

    Examples
    --------
    >>> import ssdkit as mx
    >>> simple_forward(mx.sym.var("a") + 1, a=np.array([1.0]))
    array([2.], dtype=float32)
    """
    feed = {k: _numpy(v, default_dtype()) for k, v in inputs.items()}
    outputs, _ = GraphExecutor(sym).forward(feed, is_train=is_train, for_backward=False)
    outputs = [np.asarray(o) for o in outputs]
    return outputs[0] if len(outputs) == 1 else outputs


def check_symbolic_forward(sym, location, expected, rtol=None, atol=None, aux_states=None, ctx=None,
                           equal_nan=False, dtype=default_dtype()):
    """Run ``sym`` in inference mode on ``location`` (list in ``list_arguments()`` order, or dict) and compare
    each output with ``expected`` (list, or dict by output name); returns the outputs as NDArrays.

    Examples
    --------
    >>> import ssdkit as mx
    >>> _ = check_symbolic_forward(mx.sym.relu(mx.sym.var("d")), {"d": np.array([-1.0, 1.0])}, [np.array([0, 1.0])])
    """
    feed = _feed(sym, location, aux_states, dtype)
    if isinstance(expected, dict):
        expected = [expected[k] for k in sym.list_outputs()]
    outputs, _ = GraphExecutor(sym).forward(feed, is_train=False, for_backward=False)
    for name, want, got in zip(sym.list_outputs(), expected, outputs):
        assert_almost_equal(want, got, rtol, atol, (f"EXPECTED_{name}", f"FORWARD_{name}"), equal_nan=equal_nan)
    return [NDArray(np.asarray(o)) for o in outputs]


def check_symbolic_backward(sym, location, out_grads, expected, rtol=None, atol=None, aux_states=None,
                            grad_req="write", ctx=None, grad_stypes=None, equal_nan=False, dtype=default_dtype()):
    """Run forward (training mode) and backward with ``out_grads``; compare each argument's gradient with
    ``expected`` (list in ``list_arguments()`` order, or dict). ``grad_req`` per argument: ``'write'``,
    ``'add'`` (added to a random initial gradient) or ``'null'`` (left untouched). Returns the gradients.

    Examples
    --------
    >>> import ssdkit as mx
    >>> a, b = mx.sym.var("a"), mx.sym.var("b")
    >>> g = check_symbolic_backward(a * b, [np.array([2.0]), np.array([5.0])], [np.array([1.0])],
    ...                             {"a": np.array([5.0]), "b": np.array([2.0])}, grad_req="add")
    """
    names = sym.list_arguments()
    feed = _feed(sym, location, aux_states, dtype)
    if isinstance(expected, (list, tuple)):
        expected = dict(zip(names, expected))
    if isinstance(grad_req, str):
        grad_req = {k: grad_req for k in names}
    elif isinstance(grad_req, (list, tuple)):
        grad_req = dict(zip(names, grad_req))
    initial = {k: np.random.normal(size=np.shape(v)) for k, v in sorted(expected.items())}
    executor = GraphExecutor(sym)
    outputs, state = executor.forward(feed, is_train=True, for_backward=True)
    if isinstance(out_grads, dict):
        out_grads = [out_grads[k] for k in sym.list_outputs()]
    heads = [np.ones_like(o) if out_grads is None else _numpy(g, o.dtype) for o, g in
             zip(outputs, out_grads if out_grads is not None else outputs)]
    computed = executor.backward(state, heads, wanted=[k for k in names if grad_req.get(k, "write") != "null"])
    grads = {}
    for name in expected:
        req = grad_req.get(name, "write")
        out_dtype = feed[name].dtype
        start = initial[name].astype(out_dtype)
        g = computed.get(name)
        g = np.zeros_like(feed[name]) if g is None and req != "null" else g
        if req == "write":
            grads[name] = np.asarray(g, out_dtype)
            assert_almost_equal(expected[name], grads[name], rtol, atol, (f"EXPECTED_{name}", f"BACKWARD_{name}"),
                                equal_nan=equal_nan)
        elif req == "add":
            grads[name] = start + np.asarray(g, out_dtype)
            assert_almost_equal(expected[name], grads[name] - start, rtol, atol,
                                (f"EXPECTED_{name}", f"BACKWARD_{name}"), equal_nan=equal_nan)
        elif req == "null":
            grads[name] = start
        else:
            raise ValueError(f"Invalid grad_req {req!r} for argument {name}")
    return {k: NDArray(v) for k, v in grads.items()}


def check_numeric_gradient(sym, location, aux_states=None, numeric_eps=None, rtol=None, atol=None,
                           grad_nodes=None, use_forward_train=True, ctx=None, grad_stype_dict=None,
                           dtype=np.float64):
    """Raise AssertionError unless the graph's backward matches float64 central differences.

    ``location`` gives every argument (list or dict); ``grad_nodes`` names the arguments to differentiate
    (default all). Random output weights and a random input direction (from ``np.random``) are checked
    along one line, as :func:`ssdkit.testing.check_op_gradient` does for one op.

    Examples
    --------
    >>> import ssdkit as mx
    >>> fc = mx.sym.FullyConnected(mx.sym.var("x"), num_hidden=2, name="fc")
    >>> check_numeric_gradient(fc, {"x": np.ones((1, 3)), "fc_weight": np.ones((2, 3)), "fc_bias": np.zeros(2)})
    """
    names = sym.list_arguments()
    feed = _feed(sym, location, aux_states, np.float64)
    if isinstance(grad_nodes, dict):   # {name: grad_req}: 'null' ones get no gradient to check
        wrt_names = [k for k, req in grad_nodes.items() if req != "null"]
    else:
        wrt_names = list(grad_nodes or names)
    order = names + [k for k in feed if k not in names]
    inputs = [feed[k] for k in order]
    wrt = [order.index(k) for k in wrt_names]
    executor = GraphExecutor(sym)

    def run(values):
        return executor.forward(dict(zip(order, values)), is_train=use_forward_train, for_backward=False)[0]
    outputs, state = executor.forward(dict(zip(order, inputs)), is_train=use_forward_train, for_backward=True)
    weights = [np.random.normal(size=np.shape(o)) for o in outputs]
    direction = [np.random.normal(size=np.shape(x)) for x in inputs]
    grads = executor.backward(state, [w.astype(np.asarray(o).dtype) for w, o in zip(weights, outputs)],
                              wanted=wrt_names)
    eps = 1e-4 if numeric_eps is None else numeric_eps
    # MXNet moves one element by +-eps/2 at a time: a unit direction moved +-eps/2 perturbs as little
    norm = np.sqrt(sum(float((direction[i] ** 2).sum()) for i in wrt)) or 1.0
    direction = [d / norm for d in direction]
    eps = eps / 2
    check_directional(run, [grads.get(k) for k in order], inputs, direction, weights, eps, wrt,
                      1e-2 if rtol is None else rtol, 1e-4 if atol is None else atol, f"symbol {sym.name}")
