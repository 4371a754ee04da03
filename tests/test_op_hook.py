"""register_op_hook: one callback per op output (inputs too with monitor_all), with MXNet 1.9.1's arguments
and names, in hybridized and exported blocks (oracle: tests/data/hybrid_oracle, written by real MXNet)."""
import json
from pathlib import Path

import numpy as np
import pytest

import ssdkit as mx
from ssdkit import nd
from ssdkit.gluon import nn, SymbolBlock

ORACLE = json.loads((Path(__file__).resolve().parent / "data" / "hybrid_oracle" / "hybrid_oracle.json").read_text())
HOOKS = ORACLE["op_hooks"]


class Ops(mx.gluon.HybridBlock):
    def hybrid_forward(self, F, x, y):
        a = F.broadcast_add(x, y)
        b = x + y
        c = a * 2.0
        d = F.concat(b, c, dim=1)
        e = F.transpose(d, axes=(0, 2, 3, 1))
        f = F.flatten(e)
        g = F.reshape(f, shape=(0, -1, 4))
        h = F.softmax(g, axis=-1)
        i = F.slice_axis(h, axis=1, begin=0, end=2)
        j = F.contrib.MultiBoxPrior(x, sizes=[0.5], ratios=[1, 2])
        k = F.relu(i) + F.sigmoid(i) - F.exp(-i)
        m = F.sum(k, axis=1)
        n = F.Dropout(m, p=0.0)
        o = F.LeakyReLU(n, act_type="leaky", slope=0.1)
        p = F.elemwise_mul(o, o)
        q = F.mean(p) + F.max(j)
        return q


class MoreOps(mx.gluon.HybridBlock):
    def hybrid_forward(self, F, x, idx):
        a = F.one_hot(idx, depth=4)
        b = F.repeat(x, repeats=2, axis=1)
        c = F.tile(x, reps=(1, 2))
        d = F.squeeze(F.expand_dims(x, axis=1), axis=1)
        e = F.log_softmax(x, axis=-1) + F.where(x > 0, x, -x)
        f = F.broadcast_add(F.take(x, idx), F.pick(x, idx, axis=1).expand_dims(1))
        g = F.stack(x, x, axis=0)
        h0, h1 = F.split(x, num_outputs=2, axis=1)
        i = F.SwapAxis(g, dim1=0, dim2=1)
        j = F.broadcast_add(F.batch_dot(g, F.swapaxes(g, 1, 2)), F.dot(x, x, transpose_b=True))
        k = F.broadcast_like(F.slice_axis(h0, axis=1, begin=0, end=1), x) + F.slice_like(b, x) + F.slice_like(
            F.reshape_like(c, b), x)
        m = F.SoftmaxActivation(F.clip(x, -1, 1)) + F.Embedding(idx, F.ones_like(x), input_dim=4, output_dim=4)
        a0 = F.abs(h0)   # one node: MXNet's CachedOp would merge two identical abs nodes
        boxes = F.concat(a0, a0 + 1, dim=1)
        n = F.broadcast_add(F.contrib.box_iou(boxes, boxes),
                            F.contrib.box_nms(F.concat(x, boxes, dim=1).expand_dims(0)).sum())
        o = F.broadcast_maximum(x, F.zeros_like(x)) - F.broadcast_div(x, x + 5) * F.square(x)
        return [a, b, c, d, e, f, g, h1, i, j, k, m, n, o]


def _seq():
    with mx.name.NameManager():
        seq = nn.HybridSequential(prefix="net_")
        with seq.name_scope():
            seq.add(nn.Conv2D(4, 3, padding=1), nn.BatchNorm(), nn.Activation("relu"), nn.MaxPool2D(),
                    nn.Flatten(), nn.Dense(3), nn.Dropout(0.5))
    seq.initialize(mx.init.Xavier())
    seq.hybridize()
    return seq


def _calls(block, inputs, monitor_all, train=False):
    calls = []
    block.register_op_hook(lambda name, op, arr: calls.append((name, op, arr)), monitor_all)
    if train:
        with mx.autograd.record():
            block(*inputs)
    else:
        block(*inputs)
    return calls


def _names(calls):
    return [[type(n).__name__, n.decode(), op.decode()] for n, op, _ in calls]


# MXNet's MKLDNN max pooling also reports a "workspace" output in training (an MKLDNN buffer): ssdkit has none.
_HIDDEN = ("_fwd_workspace",)


@pytest.mark.parametrize("monitor_all", [False, True])
@pytest.mark.parametrize("train", [False, True])
def test_hybridized_sequential_calls_back_with_mxnets_names(monitor_all, train):
    x = nd.array(np.random.default_rng(0).standard_normal((2, 3, 8, 8)))
    want = [c for c in HOOKS[f"seq/monitor_all={monitor_all}/train={train}"] if not c[1].endswith(_HIDDEN)]
    assert _names(_calls(_seq(), [x], monitor_all, train)) == want


def test_the_arrays_are_the_values_mxnet_reports():
    seq = _seq()   # its weights differ from the oracle's (initializers draw differently): compare names, then values
    x = nd.array(np.random.default_rng(0).standard_normal((2, 3, 8, 8)))
    calls = {n.decode(): arr for n, _, arr in _calls(seq, [x], True)}
    assert sorted(calls) == sorted(HOOKS["seq/values"])
    assert all(isinstance(a, nd.NDArray) for a in calls.values())
    np.testing.assert_array_equal(calls["net_conv0_fwd_data"].asnumpy(), x.asnumpy())
    np.testing.assert_array_equal(calls["net_conv0_fwd_weight"].asnumpy(), seq[0].weight.data().asnumpy())
    np.testing.assert_array_equal(calls["net_relu0_fwd_output"].asnumpy(),
                                  np.maximum(calls["net_relu0_fwd_input0"].asnumpy(), 0))
    with mx.autograd.pause():
        np.testing.assert_allclose(calls["net_dropout0_fwd_output"].asnumpy(), seq(x).asnumpy(), rtol=1e-6)


def test_training_reports_batchnorm_mean_var_and_the_dropout_mask_as_mxnet():
    want = HOOKS["bn_train/values"]
    with mx.name.NameManager():
        net = nn.HybridSequential(prefix="bn_")
        with net.name_scope():
            net.add(nn.BatchNorm(), nn.Dropout(0.5))
    net.initialize()
    net.hybridize()
    x = nd.array(np.random.default_rng(3).standard_normal((4, 3, 5, 5)).astype(np.float32))
    calls = _calls(net, [x], False, train=True)
    got = {n.decode(): a.asnumpy() for n, _, a in calls}
    assert sorted(got) == sorted(want)
    for name in ("bn_batchnorm0_fwd_mean", "bn_batchnorm0_fwd_var", "bn_batchnorm0_fwd_output"):
        np.testing.assert_allclose(got[name].ravel()[:12], want[name], rtol=1e-5, atol=1e-6, err_msg=name)
    assert sorted(set(np.round(got["bn_dropout0_fwd_mask"].ravel(), 6).tolist())) == want["bn_dropout0_fwd_mask"]
    predict = [name for _, name, _ in _names(_calls(net, [x], False))]   # predict mode: visible outputs only
    assert predict == ["bn_batchnorm0_fwd_output", "bn_dropout0_fwd_output"]


@pytest.mark.parametrize("monitor_all", [False, True])
def test_every_op_kind_is_named_as_mxnet_names_it(monitor_all):
    with mx.name.NameManager():
        ops = Ops(prefix="ops_")
    ops.initialize()
    ops.hybridize()
    rng = np.random.default_rng(0)
    x, y = (nd.array(rng.standard_normal((2, 4, 4, 4))) for _ in range(2))
    assert _names(_calls(ops, [x, y], monitor_all)) == HOOKS[f"ops/monitor_all={monitor_all}"]


def test_registered_input_and_output_names_of_more_ops():
    with mx.name.NameManager():
        more = MoreOps(prefix="more_")
    more.initialize()
    more.hybridize()
    x = nd.array(np.random.default_rng(0).standard_normal((4, 4)))
    idx = nd.array([0, 2, 1, 3])
    assert _names(_calls(more, [x, idx], True)) == HOOKS["more/monitor_all=True"]


def test_exported_block_calls_back_too(tmp_path):
    seq = _seq()
    x = nd.array(np.random.default_rng(0).standard_normal((2, 3, 8, 8)))
    seq(x)
    seq.export(str(tmp_path / "seq"))
    back = SymbolBlock.imports(str(tmp_path / "seq-symbol.json"), ["data"], str(tmp_path / "seq-0000.params"))
    assert _names(_calls(back, [x], False)) == HOOKS["imported/monitor_all=False"]


def test_hook_sees_every_op_despite_fusion_and_results_do_not_change():
    seq = _seq()
    x = nd.array(np.random.default_rng(0).standard_normal((2, 3, 8, 8)))
    with mx.autograd.pause():
        plain = seq(x).asnumpy()
    calls = _calls(seq, [x], False)
    np.testing.assert_allclose(seq(x).asnumpy(), plain, rtol=1e-5, atol=1e-6)   # BN+relu unfused under the hook
    assert [op.decode() for _, op, _ in calls][:3] == ["Convolution", "BatchNorm", "Activation"]
    seq.register_op_hook(None)     # removes the hook from the block and its children
    count = len(calls)
    seq(x)
    assert len(calls) == count and all(child._op_hook is None for child in seq._children.values())


def test_nan_hunt_names_the_first_op_that_made_a_nan():
    class Log(mx.gluon.HybridBlock):
        def hybrid_forward(self, F, x):
            return F.relu(F.log(x) * 2)

    block = Log(prefix="log_")
    block.hybridize()
    first = []

    def find_nan(name, op_name, arr):
        if not first and np.isnan(arr.asnumpy()).any():
            first.append((name.decode(), op_name.decode()))

    block.register_op_hook(find_nan)
    with np.errstate(invalid="ignore"):
        block(nd.array([1.0, -1.0]))
    assert first == [("log_log0_0", "log")]
