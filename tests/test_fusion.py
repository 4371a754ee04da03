"""Plan-only fusions of the graph executor: ``BatchNorm -> relu -> MaxPool2D(2)`` as ``_fused_bn_relu_pool``.

The fused plan must give the numbers of the unfused chain exactly (outputs, input and parameter gradients,
running statistics), apply only to the pooling it performs, and leave the exported graph as written.
"""
import json

import numpy as np
import pytest

import ssdkit as mx
from ssdkit.gluon import nn
from ssdkit.ops import batchnorm, get_op
from ssdkit.symbol import executor, rewrite

CHAIN = ("Convolution", "BatchNorm", "Activation", "Pooling")


def _net(pool):
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(nn.Conv2D(5, 3, padding=1), nn.BatchNorm(), nn.Activation("relu"), pool)
    return net


def _step(net, x, head):
    """One recorded training step: outputs, input grad, parameter grads, and every parameter after it."""
    x = x.copy()
    x.attach_grad()
    with mx.autograd.record():
        y = net(x)
    y.backward(head)
    params = {k.split("_", 1)[1]: p for k, p in net.collect_params().items()}   # without the net's prefix
    grads = {k: p.grad().asnumpy() for k, p in params.items() if p.grad_req != "null"}
    after = {k: p.data().asnumpy() for k, p in params.items()}  # running stats moved in backward
    return y.asnumpy(), x.grad.asnumpy(), grads, after


def _plan(net):
    ((graph, _),) = net._cached_graphs.values()
    return [s.op.name for s in graph.executor.plan(is_train=True, for_backward=True)]


def _run(mode, pool, shape, monkeypatch, seed=0):
    """A fresh net (same weights for every mode) run imperatively or hybridized with some fusions off."""
    rng = np.random.default_rng(seed)
    mx.random.seed(seed)
    net = _net(pool())
    net.initialize(mx.init.Xavier())
    x = mx.nd.array(rng.standard_normal(shape) * 2 + 0.5)
    y = net(x)
    with monkeypatch.context() as m:
        if mode == "no_fusion":
            m.setattr(executor, "fuse_steps", lambda steps, heads, fold, make_step: list(steps))
        elif mode == "no_pool_fusion":
            m.setattr(rewrite, "_is_fused_pool", lambda step: False)
        if mode != "imperative":
            net.hybridize()
        head = mx.nd.array(rng.standard_normal(y.shape))
        results = _step(net, x, head)
        plan = _plan(net) if mode != "imperative" else None
    return results, plan


def _assert_same(a, b):
    """Bit-equal: every plan reduces the same rows in the same order (BatchNorm's per-row sums and dots)."""
    check = np.testing.assert_array_equal
    (y0, dx0, g0, p0), (y1, dx1, g1, p1) = a, b
    check(y1, y0, err_msg="output")
    check(dx1, dx0, err_msg="input gradient")
    for k in g0:
        check(g1[k], g0[k], err_msg=k)
    for k in p0:
        check(p1[k], p0[k], err_msg=k)


@pytest.fixture(params=["one chunk", "many chunks on every core"])
def chunking(request, monkeypatch):
    if request.param != "one chunk":
        monkeypatch.setattr(batchnorm, "CHUNK_ELEMENTS", 3 * 64)       # runs of 3 rows of 8x8, or 1 of 15x15
        monkeypatch.setattr(batchnorm, "PARALLEL_MIN_ELEMENTS", 1)
        # the compiled passes too (with numba; kernels/norm_pool_jit.py), in runs as small
        monkeypatch.setattr(batchnorm, "COMPILED_MIN_ELEMENTS", 0)
        monkeypatch.setattr(batchnorm, "COMPILED_CHUNK_ELEMENTS", 3 * 64)
    return request.param


@pytest.mark.parametrize("shape", [(4, 3, 8, 8), (3, 2, 15, 15), (2, 3, 9, 6)],
                         ids=["even", "odd: last row and column dropped", "odd height"])
def test_fused_plan_equals_relu_fusion_unfused_plan_and_imperative(shape, chunking, monkeypatch):
    pool = nn.MaxPool2D
    fused, plan = _run("fused", pool, shape, monkeypatch)
    assert plan == ["Convolution", "_fused_bn_relu_pool"]
    relu_only, plan = _run("no_pool_fusion", pool, shape, monkeypatch)
    assert plan == ["Convolution", "_fused_bn_relu", "Pooling"]
    _assert_same(relu_only, fused)
    unfused, plan = _run("no_fusion", pool, shape, monkeypatch)
    assert plan == list(CHAIN)
    _assert_same(unfused, fused)
    _assert_same(_run("imperative", pool, shape, monkeypatch)[0], fused)


def test_ties_route_the_gradient_like_pooling(monkeypatch):
    """Integer-valued activations make equal window maxima (and all-zero windows after the ReLU) common."""
    sym = mx.sym.Pooling(mx.sym.relu(mx.sym.BatchNorm(mx.sym.var("x"), fix_gamma=False, name="bn")),
                         kernel=(2, 2), stride=(2, 2), pool_type="max")
    rng = np.random.default_rng(1)
    feed = {"x": rng.integers(-2, 3, (2, 3, 6, 6)).astype(np.float32), "bn_gamma": np.ones(3, np.float32),
            "bn_beta": np.zeros(3, np.float32), "bn_moving_mean": np.zeros(3, np.float32),
            "bn_moving_var": np.ones(3, np.float32)}
    head = rng.standard_normal((2, 3, 3, 3)).astype(np.float32)
    results = []
    for disable in (False, True):
        with monkeypatch.context() as m:
            if disable:
                m.setattr(rewrite, "_is_fused_pool", lambda step: False)
            ex = executor.GraphExecutor(sym)
            assert ("_fused_bn_relu_pool" in [s.op.name for s in ex.plan(True, True)]) is not disable
            run = {k: v.copy() for k, v in feed.items()}
            outs, state = ex.forward(run, is_train=True, for_backward=True)
            results.append((outs[0], ex.backward(state, [head]), run))
    (y0, g0, r0), (y1, g1, r1) = results
    np.testing.assert_array_equal(y0, y1)
    for k in g0:
        np.testing.assert_array_equal(g0[k], g1[k], err_msg=k)
    for k in ("bn_moving_mean", "bn_moving_var"):
        np.testing.assert_array_equal(r0[k], r1[k], err_msg=k)


@pytest.mark.parametrize("pool", [
    lambda: nn.MaxPool2D(2, strides=1), lambda: nn.AvgPool2D(), lambda: nn.MaxPool2D(2, padding=1),
    lambda: nn.MaxPool2D(3), lambda: nn.MaxPool2D(ceil_mode=True), lambda: nn.GlobalMaxPool2D()],
    ids=["stride 1", "avg", "padded", "3x3", "full convention", "global"])
def test_other_poolings_are_not_fused(pool, monkeypatch):
    _, plan = _run("fused", pool, (2, 3, 8, 8), monkeypatch)
    assert plan == ["Convolution", "_fused_bn_relu", "Pooling"]


def test_relu_output_read_twice_or_returned_is_not_fused():
    y = mx.sym.relu(mx.sym.BatchNorm(mx.sym.var("x"), name="bn"), name="r")
    pooled = mx.sym.Pooling(y, kernel=(2, 2), stride=(2, 2), pool_type="max", name="p")
    read_twice = pooled + mx.sym.Pooling(y, kernel=(2, 2), stride=(2, 2), pool_type="max", name="q")
    for sym in (read_twice, mx.sym.Group([pooled, y])):
        names = [s.op.name for s in executor.GraphExecutor(sym).plan(is_train=True, for_backward=True)]
        assert "_fused_bn_relu_pool" not in names and "_fused_bn_relu" in names


def test_export_keeps_the_users_graph(tmp_path):
    net = _net(nn.MaxPool2D())
    net.initialize()
    net.hybridize()
    with mx.autograd.record():
        net(mx.nd.ones((1, 3, 4, 4)))
    assert _plan(net) == ["Convolution", "_fused_bn_relu_pool"]
    sym_file, _ = net.export(str(tmp_path / "m"))
    ops = [n["op"] for n in json.loads(open(sym_file).read())["nodes"] if n["op"] != "null"]
    assert ops == ["Convolution", "BatchNorm", "Activation", "Pooling"]


def test_wrong_data_is_refused_by_name():
    op = get_op("_fused_bn_relu_pool")
    ones = np.ones(3, np.float32)
    with pytest.raises(mx.base.ShapeError, match="_fused_bn_relu_pool: data must be 4-D"):
        op.forward(op.parse_params({}), [np.ones((2, 3, 4), np.float32), ones, ones, ones, ones], True)


@pytest.mark.parametrize("path", ["im2col", "filter-split", "winograd", "groups", "no-bias-fix-gamma"])
def test_folded_conv_bn_inference_equals_the_unfused_chain(monkeypatch, path):
    """Inference folds BatchNorm (and the ReLU) into the convolution as a per-channel scale and bias applied
    in its block loop: the imperative Conv2D -> BatchNorm -> relu's numbers on every kernel path."""
    from ssdkit.ops.kernels import gemm, winograd
    if path == "filter-split":
        monkeypatch.setattr(gemm, "SPLIT_FORWARD_COLS_PER_FILTER", 1 << 30)
        monkeypatch.setattr(gemm, "SPLIT_FORWARD_MAX_COLS", 1 << 30)
        monkeypatch.setattr(gemm, "SPLIT_MIN_FILTERS", 1)
    monkeypatch.setattr(winograd, "WINOGRAD", path == "winograd")
    for name in ("MIN_CHANNELS", "MIN_WIDTH", "MIN_BATCH"):
        monkeypatch.setattr(winograd, name, 1)
    monkeypatch.setattr(winograd, "MIN_TILE_USE", 0)
    rng = np.random.default_rng(3)
    mx.random.seed(3)
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(nn.Conv2D(6, 3, padding=1, groups=2 if path == "groups" else 1, use_bias=path != "no-bias-fix-gamma"),
                nn.BatchNorm(scale=path != "no-bias-fix-gamma"), nn.Activation("relu"))
    net.initialize(mx.init.Xavier())
    x = mx.nd.array(rng.standard_normal((2, 4, 7, 9)))
    net(x)
    for param in net.collect_params().values():     # running statistics and affine far from 0 / 1
        shape = param.shape
        values = rng.uniform(0.5, 2.0, shape) if "var" in param.name else rng.standard_normal(shape)
        param.set_data(mx.nd.array(values))
    expected = net(x).asnumpy()
    net.hybridize()
    folded = net(x).asnumpy()
    ((graph, _),) = net._cached_graphs.values()
    assert [s.op.name for s in graph.executor.plan(is_train=False, for_backward=False)] == ["_fused_conv_bn"]
    np.testing.assert_allclose(folded, expected, rtol=1e-5, atol=1e-5 * np.abs(expected).max())
    assert (folded == 0).any() and (folded > 0).any()
