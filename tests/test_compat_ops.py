"""Ops added for MXNet-era code, equal to MXNet 1.9.1 (tests/data/compat_ops, make_compat_oracle.py):
contrib.bipartite_matching, contrib.SyncBatchNorm (one process), NDArray integer-indexing shapes."""
import json
import threading
from pathlib import Path

import numpy as np
import pytest

import ssdkit as mx

DATA = Path(__file__).parent / "data" / "compat_ops"
ORACLE = np.load(DATA / "compat_ops_oracle.npz")
META = json.loads((DATA / "compat_ops_oracle.json").read_text())


@pytest.mark.parametrize("case", sorted(META["bipartite_params"]))
def test_bipartite_matching_equals_mxnet(case):
    rows, cols = mx.nd.contrib.bipartite_matching(mx.nd.array(ORACLE[f"bm_{case}_data"]),
                                                  **META["bipartite_params"][case])
    np.testing.assert_array_equal(rows.asnumpy(), ORACLE[f"bm_{case}_rows"])
    np.testing.assert_array_equal(cols.asnumpy(), ORACLE[f"bm_{case}_cols"])


def test_bipartite_matching_symbol_and_empty():
    s = mx.sym.contrib.bipartite_matching(mx.sym.var("d"), threshold=0.1, name="bm")
    assert s.infer_shape(d=(2, 7, 5))[1] == [(2, 7), (2, 5)]
    rows, cols = mx.nd.contrib.bipartite_matching(mx.nd.zeros((0, 3)), threshold=0.1)
    assert rows.shape == (0,) and cols.asnumpy().tolist() == [-1, -1, -1]


@pytest.mark.parametrize("train", [True, False])
def test_sync_batchnorm_one_process_equals_mxnet(train):
    tag = "train" if train else "predict"
    x, g, b = (mx.nd.array(ORACLE[f"sbn_{k}"]) for k in ("x", "gamma", "beta"))
    mm, mv = mx.nd.array(ORACLE["sbn_mean0"]), mx.nd.array(ORACLE["sbn_var0"])
    for a in (x, g, b):
        a.attach_grad()
    with mx.autograd.record(train_mode=train):
        y, m, v = mx.nd.contrib.SyncBatchNorm(x, g, b, mm, mv, fix_gamma=False, eps=1e-4, momentum=0.8,
                                              output_mean_var=True, key="sbn0")
    y.backward(mx.nd.array(ORACLE["sbn_dy"]))
    got = {"y": y, "dbeta": b.grad}
    if train:  # in predict mode MXNet's backward reads its never-written mean/var outputs: NaN/garbage there
        got.update(mean=m, var=v, dx=x.grad, dgamma=g.grad, moving_mean=mm, moving_var=mv)
    for k, val in got.items():
        np.testing.assert_allclose(val.asnumpy(), ORACLE[f"sbn_{tag}_{k}"], rtol=1e-5, atol=2e-6, err_msg=k)


def test_sync_batchnorm_sums_statistics_over_processes(monkeypatch):
    """Two ranks (threads here), each with half of a batch, normalize and back-propagate exactly as one process
    with the whole batch."""
    from ssdkit.ops import batchnorm
    x = np.random.default_rng(0).normal(size=(4, 3, 2)).astype(np.float64)
    dy = np.random.default_rng(1).normal(size=x.shape)
    params = dict(fix_gamma=False, key="k")
    ones, zeros = mx.nd.ones(3, dtype="float64"), mx.nd.zeros(3, dtype="float64")

    def run(part, grad):
        data = mx.nd.array(part, dtype="float64")
        data.attach_grad()
        with mx.autograd.record():
            y = mx.nd.contrib.SyncBatchNorm(data, ones, zeros, zeros.copy(), ones.copy(), **params)
        y.backward(mx.nd.array(grad, dtype="float64"))
        return y.asnumpy(), data.grad.asnumpy()

    whole_y, whole_dx = run(x, dy)
    slots, barrier = {}, threading.Barrier(2)

    def sum_over_two_ranks(vector):  # what distributed's MPI Allreduce does, between two threads
        slots[threading.get_ident()] = vector
        barrier.wait()
        total = sum(slots.values())
        barrier.wait()
        return total

    monkeypatch.setitem(batchnorm.CROSS_PROCESS, "sum", sum_over_two_ranks)
    results = [None, None]

    def rank(i):
        results[i] = run(x[2 * i:2 * i + 2], dy[2 * i:2 * i + 2])
    threads = [threading.Thread(target=rank, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    np.testing.assert_allclose(np.concatenate([r[0] for r in results]), whole_y, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(np.concatenate([r[1] for r in results]), whole_dx, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", sorted(META["indexing"]))
def test_integer_indexing_shapes_equal_mxnet(case):
    arrays = {"1d": mx.nd.arange(5), "2d": mx.nd.arange(12).reshape((3, 4)), "3d": mx.nd.arange(24).reshape((2, 3, 4))}
    value = eval(case.replace(case.split("[")[0], "arrays['%s']" % case.split("[")[0], 1))  # noqa: S307
    assert list(value.shape) == META["indexing"][case]["shape"]
    assert value.asnumpy().tolist() == META["indexing"][case]["value"]


GLUON = META["gluon_contrib"]


def test_pixel_shuffle_equals_mxnet():
    from ssdkit.gluon.contrib import nn as cnn
    cases = {"ps1": (cnn.PixelShuffle1D(2), (1, 8, 3)), "ps2": (cnn.PixelShuffle2D((2, 3)), (1, 12, 3, 5)),
             "ps3": (cnn.PixelShuffle3D((2, 1, 2)), (1, 8, 2, 3, 2))}
    for key, (block, shape) in cases.items():
        x = mx.nd.arange(int(np.prod(shape))).reshape(shape)
        np.testing.assert_array_equal(block(x).asnumpy(), ORACLE[f"gluon_{key}"])
        block.hybridize()
        np.testing.assert_array_equal(block(x).asnumpy(), ORACLE[f"gluon_{key}"])


@pytest.mark.parametrize("hybridize", [False, True])
def test_hybrid_concurrent_names_shapes_and_gradients(hybridize):
    from ssdkit.gluon import nn
    from ssdkit.gluon.contrib import nn as cnn
    net = cnn.HybridConcurrent(axis=1, prefix="cat_")
    with net.name_scope():
        net.add(nn.Dense(3), nn.Dense(2), cnn.Identity())
    net.initialize(mx.init.One())
    assert sorted(net.collect_params().keys()) == GLUON["concurrent_params"]
    if hybridize:
        net.hybridize()
    x = mx.nd.arange(8).reshape((2, 4))
    x.attach_grad()
    with mx.autograd.record():
        y = net(x)
    y.backward()
    assert list(y.shape) == GLUON["concurrent_shape"]
    assert x.grad.asnumpy().tolist() == [[6.0] * 4] * 2          # 3 + 2 dense units of ones, plus identity
    plain = cnn.Concurrent(axis=1)
    plain.add(nn.Dense(2, in_units=4), cnn.Identity())
    plain.initialize()
    assert plain(x).shape == (2, 6)


def test_sync_batchnorm_block_names_json_and_values():
    from ssdkit.gluon import nn
    from ssdkit.gluon.contrib import nn as cnn
    sbn = cnn.SyncBatchNorm(in_channels=3, prefix="sbn_")
    assert sorted(sbn.collect_params().keys()) == GLUON["syncbn_params"]
    node = json.loads(sbn(mx.sym.var("data")).tojson())["nodes"][-1]
    assert {"op": node["op"], "name": node["name"], "attrs": node["attrs"]} == GLUON["syncbn_node"]
    bn = nn.BatchNorm(in_channels=3)
    for block in (sbn, bn):
        block.initialize()
    x = mx.nd.array(np.random.default_rng(0).normal(size=(4, 3, 5)))
    with mx.autograd.record():
        a, b = sbn(x), bn(x)
    np.testing.assert_allclose(a.asnumpy(), b.asnumpy(), rtol=1e-6, atol=1e-6)
    assert mx.sym.contrib.SyncBatchNorm(mx.sym.var("x"), name="s").list_auxiliary_states() == \
        ["s_moving_mean", "s_moving_var"]


def test_broadcast_like_axes_equal_mxnet():
    lhs, rhs = mx.nd.array(ORACLE["bl_lhs"]), mx.nd.array(ORACLE["bl_rhs"])
    out = mx.nd.broadcast_like(lhs, rhs, lhs_axes=(1,), rhs_axes=(1,))
    np.testing.assert_array_equal(out.asnumpy(), ORACLE["bl_out"])
    out2 = mx.nd.broadcast_like(mx.nd.array(ORACLE["bl_rhs"][:1, :1, :3]), rhs, lhs_axes=(0, 1), rhs_axes=(2, 0))
    np.testing.assert_array_equal(out2.asnumpy(), ORACLE["bl_out2"])


@pytest.mark.parametrize("mode", ["instance", "channel", "spatial"])
def test_l2_normalization_equals_mxnet(mode):
    x = mx.nd.array(ORACLE["l2n_x"])
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.L2Normalization(x, mode=mode, eps=1e-6)
    y.backward(mx.nd.array(ORACLE["l2n_dy"]))
    np.testing.assert_allclose(y.asnumpy(), ORACLE[f"l2n_{mode}_y"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(x.grad.asnumpy(), ORACLE[f"l2n_{mode}_dx"], rtol=1e-5, atol=1e-6)
    s = mx.sym.L2Normalization(mx.sym.var("x"), mode=mode, name="l2")
    assert s.list_outputs() == ["l2_output"] and s.infer_shape(x=(2, 3, 4, 2))[1] == [(2, 3, 4, 2)]


def test_loss_heads_and_add_n_equal_mxnet():
    """Values read from MXNet 1.9.1: loss heads ignore the output gradient."""
    x = mx.nd.array([[0.5, -1, 2], [3, 0, -2]])
    x.attach_grad()
    for kwargs, want in [({}, 1.0), ({"normalization": "batch", "grad_scale": 2.0}, 1.0),
                         ({"normalization": "valid", "valid_thresh": 0.4}, 1 / 3)]:
        with mx.autograd.record():
            y = mx.nd.MakeLoss(x, **kwargs)
        y.backward(mx.nd.ones_like(x) * 7)
        np.testing.assert_allclose(x.grad.asnumpy(), np.full((2, 3), want), rtol=1e-6)
    with mx.autograd.record():
        y = mx.nd.make_loss(x)
    y.backward(mx.nd.ones_like(x) * 7)
    assert (x.grad.asnumpy() == 1).all()
    a, b = mx.sym.var("a"), mx.sym.var("b")
    assert mx.sym.make_loss(a).list_outputs() == ["make_loss0_loss"]
    assert mx.sym.MakeLoss(a).list_outputs() == ["makeloss0_output"]
    assert mx.sym.add_n(a, b).list_outputs() == ["add_n0_output"]
    assert mx.sym.ElementWiseSum(a, b).list_outputs() == ["elementwisesum0_output"]
    assert mx.nd.add_n(x, x, x).asnumpy().tolist() == (3 * x).asnumpy().tolist()
    np.testing.assert_allclose(mx.nd._internal._hypot_scalar(x, scalar=2).asnumpy(),
                               [[2.0615528, 2.236068, 2.828427], [3.6055512, 2.0, 2.828427]], rtol=1e-6)
    assert mx.nd._internal._logical_xor_scalar(x, scalar=0).asnumpy().tolist() == [[1, 1, 1], [1, 0, 1]]


def test_python_side_nd_functions_equal_mxnet():
    """Values read from MXNet 1.9.1 for its Python-side nd functions."""
    a = mx.nd.array([[1, -2, 3], [0, 5, -6]])
    assert mx.nd.greater(2, a).asnumpy().tolist() == [[1, 1, 0], [1, 0, 1]]
    assert mx.nd.lesser_equal(a, 0).asnumpy().tolist() == [[0, 1, 0], [1, 0, 1]]
    assert mx.nd.modulo(7, mx.nd.array([2, 4, -3])).asnumpy().tolist() == [1, 3, -2]
    assert mx.nd.modulo(mx.nd.array([-7, 7]), 3).asnumpy().tolist() == [2, 1]
    assert mx.nd.logical_xor(a, 0).asnumpy().tolist() == [[1, 1, 1], [0, 1, 1]]
    assert mx.nd.true_divide(1, mx.nd.array([4.0])).asnumpy().tolist() == [0.25]
    assert mx.nd.moveaxis(mx.nd.zeros((2, 3, 4, 5)), [0, 1], [-1, 0]).shape == (3, 4, 5, 2)
    assert mx.nd.greater(3, 2) == 1 and mx.nd.concatenate([a, a], axis=1).shape == (2, 6)
    out = mx.nd.zeros((3, 4))
    mx.nd.onehot_encode(mx.nd.array([3, 0, 1]), out)
    assert out.asnumpy().tolist() == [[0, 0, 0, 1], [1, 0, 0, 0], [0, 1, 0, 0]]
