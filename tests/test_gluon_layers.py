"""Gluon layers against MXNet 1.9.1 reference vectors (../shared/reference): outputs and gradients of Dense,
Conv2D, pooling and BatchNorm layers, imperative and hybridized; shape inference and layer behaviour."""
import json
from pathlib import Path

import numpy as np
import pytest

import ssdkit as mx
from ssdkit import autograd, gluon, nd
from ssdkit.base import MXNetError
from ssdkit.gluon import nn

REF = Path(__file__).resolve().parents[2] / "shared" / "reference"
OUT_TOL, GRAD_TOL = 1e-4, 2e-3


@pytest.fixture(scope="module")
def golden():
    if not (REF / "mxnet_golden.npz").exists():
        pytest.skip("reference vectors not available")
    return np.load(REF / "mxnet_golden.npz"), json.loads((REF / "mxnet_golden.json").read_text())


def _run(block, x, head, hybridize, train=True):
    """Forward + backward of ``block`` on ``x``; returns output and input gradient."""
    if hybridize:
        block.hybridize()
    x = nd.array(x)
    x.attach_grad()
    with autograd.record(train_mode=train):
        y = block(x)
    y.backward(nd.array(head))
    return y.asnumpy(), x.grad.asnumpy()


def _close(actual, expected, tol):
    np.testing.assert_allclose(actual, expected, rtol=tol, atol=tol)


@pytest.mark.parametrize("hybridize", [False, True])
def test_dense_matches_reference(golden, hybridize):
    z, _ = golden
    dense = nn.Dense(5, prefix="dense_")
    dense.initialize()
    assert dense.weight.shape == (5, 0)     # in_units deferred until the first forward
    with autograd.pause():
        dense(nd.array(z["dense0/in_data"]))
    dense.weight.set_data(nd.array(z["dense0/in_weight"]))
    dense.bias.set_data(nd.array(z["dense0/in_bias"]))
    y, gx = _run(dense, z["dense0/in_data"], z["dense0/head_grad"], hybridize)
    _close(y, z["dense0/out"], OUT_TOL)
    _close(gx, z["dense0/grad_data"], GRAD_TOL)
    _close(dense.weight.grad().asnumpy(), z["dense0/grad_weight"], GRAD_TOL)
    _close(dense.bias.grad().asnumpy(), z["dense0/grad_bias"], GRAD_TOL)


CONV_LAYERS = {"conv0": dict(channels=4, kernel_size=3, padding=1), "conv1": dict(channels=5, kernel_size=3, strides=2),
               "conv2": dict(channels=4, kernel_size=3, padding=2, dilation=2),
               "conv3": dict(channels=6, kernel_size=1, groups=3)}


@pytest.mark.parametrize("case", sorted(CONV_LAYERS))
@pytest.mark.parametrize("hybridize", [False, True])
def test_conv2d_matches_reference(golden, case, hybridize):
    z, meta = golden
    conv = nn.Conv2D(prefix="conv_", **CONV_LAYERS[case])
    conv.initialize()
    with autograd.pause():
        conv(nd.array(z[f"{case}/in_data"]))          # resolves the deferred weight shape
    assert conv.weight.shape == z[f"{case}/in_weight"].shape
    conv.weight.set_data(nd.array(z[f"{case}/in_weight"]))
    conv.bias.set_data(nd.array(z[f"{case}/in_bias"]))
    y, gx = _run(conv, z[f"{case}/in_data"], z[f"{case}/head_grad"], hybridize)
    _close(y, z[f"{case}/out"], OUT_TOL)
    _close(gx, z[f"{case}/grad_data"], GRAD_TOL)
    _close(conv.weight.grad().asnumpy(), z[f"{case}/grad_weight"], GRAD_TOL)
    _close(conv.bias.grad().asnumpy(), z[f"{case}/grad_bias"], GRAD_TOL)


POOL_LAYERS = {"pool0": lambda: nn.MaxPool2D(2, 2), "pool1": lambda: nn.MaxPool2D(3, 2, ceil_mode=True),
               "pool2": lambda: nn.AvgPool2D(3, 1, 1), "pool3": lambda: nn.GlobalMaxPool2D(),
               "pool4": lambda: nn.AvgPool2D(3, 2, ceil_mode=True, count_include_pad=False)}


@pytest.mark.parametrize("case", sorted(POOL_LAYERS))
@pytest.mark.parametrize("hybridize", [False, True])
def test_pooling_matches_reference(golden, case, hybridize):
    z, _ = golden
    y, gx = _run(POOL_LAYERS[case](), z[f"{case}/in_data"], z[f"{case}/head_grad"], hybridize)
    _close(y, z[f"{case}/out"], OUT_TOL)
    _close(gx, z[f"{case}/grad_data"], GRAD_TOL)


@pytest.mark.parametrize("hybridize", [False, True])
def test_batchnorm_training_matches_reference(golden, hybridize):
    z, meta = golden
    bn = nn.BatchNorm(epsilon=meta["bn_train"]["eps"], prefix="bn_")
    bn.initialize()
    with autograd.pause():
        bn(nd.array(z["bn_train/in_data"]))
    bn.gamma.set_data(nd.array(z["bn_train/in_gamma"]))
    bn.beta.set_data(nd.array(z["bn_train/in_beta"]))
    bn.running_mean.set_data(nd.zeros((3,)))
    bn.running_var.set_data(nd.ones((3,)))
    x = z["bn_train/in_data"]
    y, gx = _run(bn, x, z["bn_train/head_grad"], hybridize)
    _close(y, z["bn_train/out"], OUT_TOL)
    _close(gx, z["bn_train/grad_data"], GRAD_TOL)
    _close(bn.gamma.grad().asnumpy(), z["bn_train/grad_gamma"], GRAD_TOL)
    _close(bn.beta.grad().asnumpy(), z["bn_train/grad_beta"], GRAD_TOL)
    # running statistics moved by momentum 0.9 towards the batch statistics (auxiliary state, no gradient)
    _close(bn.running_mean.data().asnumpy(), 0.1 * x.mean(axis=(0, 2, 3)), 1e-5)
    _close(bn.running_var.data().asnumpy(), 0.9 + 0.1 * x.var(axis=(0, 2, 3)), 1e-5)


@pytest.mark.parametrize("hybridize", [False, True])
def test_batchnorm_inference_matches_reference(golden, hybridize):
    z, meta = golden
    bn = nn.BatchNorm(epsilon=meta["bn_infer"]["eps"], use_global_stats=True, in_channels=3, prefix="bn_")
    bn.initialize()
    for name, key in (("gamma", "gamma"), ("beta", "beta"), ("running_mean", "moving_mean"),
                      ("running_var", "moving_var")):
        getattr(bn, name).set_data(nd.array(z[f"bn_infer/{key}"]))
    if hybridize:
        bn.hybridize()
    _close(bn(nd.array(z["bn_infer/in_data"])).asnumpy(), z["bn_infer/out"], OUT_TOL)


def test_dense_shape_rules_and_errors():
    dense = nn.Dense(3, flatten=False, prefix="d_")
    dense.initialize()
    assert dense(nd.ones((2, 4, 6))).shape == (2, 4, 3) and dense.weight.shape == (3, 6)
    fixed = nn.Dense(3, in_units=5, prefix="f_")
    fixed.initialize()
    with pytest.raises(MXNetError, match="FullyConnected"):
        fixed(nd.ones((2, 4)))
    with pytest.raises(MXNetError, match="has not been initialized"):
        nn.Dense(2, in_units=2, prefix="u_")(nd.ones((1, 2)))


def test_deferred_init_data_access_error_text():
    texts = json.loads((Path(__file__).resolve().parent / "data" / "gluon_oracle" /
                        "gluon_oracle.json").read_text())["texts"]
    q = gluon.Parameter("deferred", shape=(3, 0), allow_deferred_init=True)
    q.initialize()
    with pytest.raises(mx.base.DeferredInitializationError) as err:
        q.data()
    assert str(err.value) == texts["param_deferred"]


def test_conv_transpose_embedding_activations():
    up = nn.Conv2DTranspose(2, 4, strides=2, padding=1, prefix="up_")
    up.initialize(mx.init.One())
    y = up(nd.ones((1, 3, 5, 5)))
    assert y.shape == (1, 2, 10, 10) and up.weight.shape == (3, 2, 4, 4)
    emb = nn.Embedding(4, 2, prefix="e_")
    emb.initialize()
    emb.weight.set_data(nd.array(np.arange(8).reshape(4, 2)))
    assert emb(nd.array([[3, 0]])).asnumpy().tolist() == [[[6, 7], [0, 1]]]
    x = nd.array([-2.0, 0.5])
    assert nn.LeakyReLU(0.1)(x).asnumpy() == pytest.approx([-0.2, 0.5])
    assert nn.ELU(alpha=2.0)(x).asnumpy() == pytest.approx([2 * (np.exp(-2) - 1), 0.5], rel=1e-6)
    assert nn.Swish()(x).asnumpy() == pytest.approx(x.asnumpy() / (1 + np.exp(-x.asnumpy())), rel=1e-6)
    prelu = nn.PReLU(in_channels=2, prefix="p_")
    prelu.initialize()
    assert prelu(nd.array([[-4.0, -8.0]])).asnumpy().tolist() == [[-1.0, -2.0]]
    assert nn.HybridLambda("relu")(x).asnumpy().tolist() == [0.0, 0.5]
    assert nn.Identity()(x) is x


def test_dropout_in_training_only():
    drop = nn.Dropout(0.5)
    x = nd.ones((1000,))
    assert (drop(x).asnumpy() == 1).all()
    mx.random.seed(3)
    with autograd.record():
        y = drop(x).asnumpy()
    assert set(np.unique(y).tolist()) <= {0.0, 2.0} and 0.4 < (y == 0).mean() < 0.6


def test_hybridized_matches_imperative_after_training_steps():
    net = nn.HybridSequential(prefix="h_")
    with net.name_scope():
        net.add(nn.Conv2D(4, 3, padding=1), nn.BatchNorm(), nn.Activation("relu"), nn.MaxPool2D(),
                nn.Flatten(), nn.Dense(3))
    net.initialize(mx.init.Xavier())
    x = nd.array(np.random.RandomState(0).uniform(-1, 1, (2, 3, 6, 6)))
    eager = net(x).asnumpy()
    net.hybridize()
    _close(net(x).asnumpy(), eager, 1e-5)
    net.hybridize(active=False)
    _close(net(x).asnumpy(), eager, 1e-6)


def test_block_hooks_apply_and_cast():
    net = nn.HybridSequential(prefix="n_")
    with net.name_scope():
        net.add(nn.Dense(2, in_units=2), nn.Dense(1, in_units=2))
    net.initialize()
    calls = []
    pre = net.register_forward_pre_hook(lambda b, inputs: calls.append(("pre", b.name)))
    post = net[0].register_forward_hook(lambda b, inputs, out: calls.append(("post", b.name, out.shape)))
    net(nd.ones((3, 2)))
    pre.detach()
    with post:
        pass
    net(nd.ones((3, 2)))
    assert calls == [("pre", "n"), ("post", "n_dense0", (3, 2))]
    names = []
    net.apply(lambda b: names.append(b.name))
    assert names == ["n_dense0", "n_dense1", "n"]
    net.cast("float64")
    assert net[0].weight.data().dtype == np.float64 and net[0].weight.grad().dtype == np.float64


class _Custom(gluon.HybridBlock):
    """A block without an explicit shape rule: deferred shapes come from tracing its symbol graph."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.w = self.params.get("w", shape=(4, 0), allow_deferred_init=True)
            self.inner = nn.Dense(3)

    def hybrid_forward(self, F, x, w):
        return self.inner(F.FullyConnected(x, w, num_hidden=4, no_bias=True, name="proj"))


def test_custom_block_deferred_init_by_symbolic_inference():
    block = _Custom(prefix="custom_")
    block.initialize()
    assert block(nd.ones((2, 7))).shape == (2, 3)
    assert (block.w.shape, block.inner.weight.shape) == ((4, 7), (3, 4))
    inputs, out = block._get_graph(nd.ones((2, 7)))
    assert [v.name for v in inputs] == ["data"]
    assert out.list_arguments() == ["data", "custom_w", "custom_dense0_weight", "custom_dense0_bias"]
    assert out.list_outputs() == ["custom_dense0_fwd_output"]
    hybrid = _Custom(prefix="hybrid_")
    hybrid.initialize()
    hybrid.hybridize()
    assert hybrid(nd.ones((2, 5))).shape == (2, 3) and hybrid.w.shape == (4, 5)


def test_unresolvable_deferred_shape_is_a_clear_error():
    class Scale(gluon.HybridBlock):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.s = self.params.get("s", shape=(0,), allow_deferred_init=True)

        def hybrid_forward(self, F, x, s):
            return F.broadcast_mul(x, s)
    block = Scale(prefix="scale_")
    block.initialize()
    with pytest.raises(MXNetError, match="Deferred initialization failed because shape cannot be inferred"):
        block(nd.ones((2, 3)))
    with pytest.raises(MXNetError, match="without a forward"):
        gluon.Block(prefix="b_")(nd.ones((1,)))
