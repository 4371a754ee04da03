"""mx.np functions that are one registry op for arrays and graph nodes (ssdkit/numpy/_dispatch.py): F.np in
hybridized blocks against the imperative call, mx.sym.np offering every shared function, rot90's true gradient.
The element-moving ops' gradients against central differences: tests/test_op_gradients.py. Values and MXNet's gradients: tests/test_numpy.py
(oracle cases flipud ... append, g_roll ... g_moveaxis)."""
import numpy as onp
import pytest

import ssdkit as mx
from ssdkit import np, autograd, gluon
from ssdkit.numpy import _dispatch

X = onp.random.RandomState(0).uniform(-1, 1, (3, 4))


def test_rot90_gradient_is_the_true_one():
    # MXNet 1.9.1 rotates the head gradient the wrong way for odd k; ssdkit gives the vector-Jacobian product
    x = np.array(X.astype(onp.float32))
    x.attach_grad()
    head = onp.arange(12, dtype=onp.float32).reshape(4, 3)
    with autograd.record():
        y = np.rot90(x)
    y.backward(np.array(head))
    onp.testing.assert_allclose(x.grad.asnumpy(), onp.rot90(head, -1))


class _Apply(gluon.HybridBlock):
    def __init__(self, name, kwargs, **rest):
        super().__init__(**rest)
        self._name, self._kwargs = name, kwargs

    def hybrid_forward(self, F, *xs):
        result = getattr(F.np, self._name)(*xs, **self._kwargs)
        return list(result) if isinstance(result, (list, tuple)) else result


A = onp.arange(12, dtype=onp.float32).reshape(3, 4) / 5
HYBRID_CASES = [
    ("roll", [A], {"shift": 5}), ("flip", [A], {}), ("flipud", [A], {}), ("fliplr", [A], {}),
    ("rot90", [A], {"k": 2}), ("moveaxis", [A], {"source": 0, "destination": 1}), ("diag", [A], {"k": 1}),
    ("diagonal", [A], {"offset": -1}), ("diagflat", [A[0]], {}), ("tril", [A], {"k": -1}), ("trace", [A], {}),
    ("resize", [A], {"new_shape": (2, 7)}), ("atleast_3d", [A], {}), ("pad", [A], {"pad_width": ((1, 1), (0, 2))}),
    ("hstack", [[A, A]], {}), ("vstack", [[A, A]], {}), ("dstack", [[A, A]], {}), ("column_stack", [[A, A]], {}),
    ("array_split", [A], {"indices_or_sections": 3, "axis": 1}), ("hsplit", [A], {"indices_or_sections": [1]}),
    ("vsplit", [A], {"indices_or_sections": 3}), ("broadcast_arrays", [A, A[:1]], {}),
    ("delete", [A], {"obj": 1, "axis": 0}), ("insert", [A], {"obj": 2, "values": 7.0, "axis": 1}),
    ("append", [A, A], {"axis": 1}),
]


class _ListInput(_Apply):
    def hybrid_forward(self, F, *xs):
        return getattr(F.np, self._name)(list(xs), **self._kwargs)


@pytest.mark.parametrize("name, inputs, kwargs", HYBRID_CASES, ids=[c[0] for c in HYBRID_CASES])
def test_hybridized_block_matches_imperative(name, inputs, kwargs):
    listed = isinstance(inputs[0], list)
    arrays = inputs[0] if listed else inputs
    results = []
    for hybridize in (False, True):
        block = (_ListInput if listed else _Apply)(name, kwargs)
        if hybridize:
            block.hybridize()
        xs = [np.array(a) for a in arrays]
        for x in xs:
            x.attach_grad()
        with autograd.record():
            out = block(*xs)
            outs = out if isinstance(out, list) else [out]
            head = sum(((o * (k + 1)).sum() for k, o in enumerate(outs)), np.zeros(()))
        head.backward()
        results.append(([o.asnumpy() for o in outs], [x.grad.asnumpy() for x in xs]))
    (eager_out, eager_grad), (hybrid_out, hybrid_grad) = results
    for a, b in zip(eager_out + eager_grad, hybrid_out + hybrid_grad):
        onp.testing.assert_allclose(a, b, rtol=1e-6)


def test_sym_np_offers_every_shared_function():
    for name, function in _dispatch.SHARED.items():
        if "." not in name and not name.startswith("test."):
            assert getattr(mx.sym.np, name).__wrapped__ is function, name


def test_sym_np_random_makes_nodes_without_array_inputs():
    node = mx.sym.np.random.normal(size=(2, 3))
    assert isinstance(node, mx.sym.Symbol) and node.infer_shape()[1] == [(2, 3)]
    assert mx.sym.npx.random.bernoulli.__wrapped__ is mx.npx.random.bernoulli


def test_graph_node_infers_split_shapes():
    parts = mx.sym.np.array_split(mx.sym.var("x"), 3, axis=1)
    _, shapes, _ = mx.sym.Group(parts).infer_shape(x=(2, 7))
    assert shapes == [(2, 3), (2, 2), (2, 2)]


class _Forward(gluon.HybridBlock):
    """``F.np`` (or ``F.np.random``) function ``name`` on the inputs, without gradients."""

    def __init__(self, name, kwargs, **rest):
        super().__init__(**rest)
        self._name, self._kwargs = name, kwargs

    def hybrid_forward(self, F, *xs):
        namespace = F.np.random if self._name.startswith("random.") else F.np
        return getattr(namespace, self._name.split(".")[-1])(*xs, **self._kwargs)


INT_INDICES = onp.array([[3, 5], [1, 11]], dtype=onp.int32)
GRAPH_CASES = [  # a graph gives one node with a row per axis where the imperative call gives a tuple of rows
    ("diag_indices_from", [onp.ones((3, 3, 3), onp.float16)], {}),
    ("unravel_index", [INT_INDICES], {"shape": (3, 4)}), ("unravel_index", [INT_INDICES[0]], {"shape": 12}),
    ("bincount", [onp.array([0, 4, 1, 4], onp.int8)], {"minlength": 2}),
    ("bincount", [onp.array([0, 4, 1], onp.uint8), onp.array([0.5, 2.0, 1.0], onp.float32)], {}),
    ("clip", [A], {"a_min": None, "a_max": 1.1}),
]


@pytest.mark.parametrize("name, inputs, kwargs", GRAPH_CASES, ids=[c[0] for c in GRAPH_CASES])
def test_graph_functions_match_imperative(name, inputs, kwargs):
    eager = getattr(np, name)(*[np.array(a, dtype=a.dtype) for a in inputs], **kwargs)
    block = _Forward(name, kwargs)
    block.hybridize()
    graph = block(*[np.array(a, dtype=a.dtype) for a in inputs])
    expected = onp.stack([e.asnumpy() for e in eager]) if isinstance(eager, tuple) else eager.asnumpy()
    assert graph.dtype == expected.dtype
    onp.testing.assert_array_equal(graph.asnumpy(), expected)


@pytest.mark.parametrize("hybridize", [False, True])
def test_graph_samplers_shapes_and_dtypes(hybridize):
    choice = _Forward("random.choice", {"size": (2, 3), "replace": False})
    mvn = _Forward("random.multivariate_normal", {"size": (4,)})
    if hybridize:
        choice.hybridize()
        mvn.hybridize()
    picked = choice(np.arange(10, dtype="int32"))
    assert (picked.shape, picked.dtype) == ((2, 3), onp.dtype("int32"))
    assert len(set(picked.asnumpy().ravel().tolist())) == 6  # without replacement
    drawn = mvn(np.zeros((3, 2), dtype="float64"), np.array(onp.eye(2)))
    assert (drawn.shape, drawn.dtype) == ((4, 3, 2), onp.dtype("float64"))


def test_dot_fills_a_deferred_weight_from_the_data():
    class Linear(gluon.HybridBlock):
        def __init__(self):
            super().__init__()
            with self.name_scope():
                self.w = self.params.get("w", shape=(0, 5), allow_deferred_init=True)

        def hybrid_forward(self, F, x, w):
            return x.dot(w)

    mx.npx.set_np()
    try:
        net = Linear()
        net.initialize()
        net.hybridize()
        assert net(np.ones((2, 7))).shape == (2, 5)
        assert net.w.shape == (7, 5)
    finally:
        mx.npx.reset_np()


def test_numpy_functions_and_ufuncs_dispatch_to_mx_np():
    import ssdkit.numpy_dispatch_protocol  # noqa: F401  (registered with mx.np already)
    x = np.array([[1.0, 4.0], [9.0, 16.0]])
    for result in (onp.sqrt(x), onp.concatenate([x, x]), onp.float64(2.0) * x, onp.sum(x, axis=0)):
        assert isinstance(result, np.ndarray)
    onp.testing.assert_array_equal(onp.sqrt(x).asnumpy(), [[1.0, 2.0], [3.0, 4.0]])
    fallback = onp.median(x, axis=0)  # no mx.np.median: NumPy on a copy, an mx.np array back
    assert isinstance(fallback, np.ndarray) and fallback.tolist() == [5.0, 10.0]
    assert onp.shares_memory(x[0], x[0, 1:]) and not onp.may_share_memory(x[0], x[1])
    x.attach_grad()
    with autograd.record(), pytest.raises(ValueError, match="autograd"):
        onp.median(x)


def test_array_creation_wraps_out_of_range_ints_as_a_c_cast():
    assert np.array([1621, -1], dtype="uint8").tolist() == [85, 255]


class _ClassicOutputs(gluon.HybridBlock):
    def hybrid_forward(self, F, x):
        return x.as_nd_ndarray() + x.as_nd_ndarray(), x.as_nd_ndarray() * 2


@mx.util.use_np
class _NumpyOutputs(gluon.HybridBlock):
    def hybrid_forward(self, F, x):
        return F.np.add(x, x), x * 2


@mx.util.use_np
class _MixedOutputs(gluon.HybridBlock):
    def hybrid_forward(self, F, x):
        return x.as_nd_ndarray() + x.as_nd_ndarray(), F.np.multiply(x, x)


@pytest.mark.parametrize("hybridize", [False, True])
def test_output_class_follows_the_symbol_kind(hybridize):
    for block, kind in ((_ClassicOutputs(), mx.nd.NDArray), (_NumpyOutputs(), np.ndarray)):
        if hybridize:
            block.hybridize()
        assert [type(o) for o in block(np.ones((2, 3)))] == [kind, kind]
    mixed = _MixedOutputs()
    if hybridize:
        mixed.hybridize()
    with pytest.raises(TypeError):  # MXNet: legacy and NumPy outputs cannot come from one (np-mode) block
        mixed(np.ones((2, 3)))


def test_unique_in_a_graph_matches_imperative():
    x = onp.array([[3.0, 1.0], [3.0, 2.0]], onp.float32)
    block = _Forward("unique", {"return_index": True, "return_inverse": True, "return_counts": True})
    block.hybridize()
    graph = block(np.array(x))
    eager = np.unique(np.array(x), True, True, True)
    assert len(graph) == len(eager) == 4
    for g, e in zip(graph, eager):
        assert g.dtype == e.dtype
        onp.testing.assert_array_equal(g.asnumpy(), e.asnumpy())
    assert eager[2].shape == (4,)  # MXNet's flat inverse for axis=None
