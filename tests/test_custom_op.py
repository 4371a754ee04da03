"""mx.operator custom ops: nd.Custom under autograd, sym.Custom in graphs and hybridized blocks, equal to
MXNet 1.9.1 (tests/data/custom_op, made by make_custom_oracle.py with MXNet's own run of the same op)."""
import json
from pathlib import Path

import numpy as np
import pytest

import ssdkit as mx
from ssdkit import gluon

DATA = Path(__file__).parent / "data" / "custom_op"
ORACLE = np.load(DATA / "custom_oracle.npz")
META = json.loads((DATA / "custom_oracle.json").read_text())


class ScaledMix(mx.operator.CustomOp):
    def __init__(self, scale):
        super().__init__()
        self.scale = scale

    def forward(self, is_train, req, in_data, out_data, aux):
        a, b = in_data
        self.assign(out_data[0], req[0], self.scale * a * b)
        self.assign(out_data[1], req[1], mx.nd.sum(a, axis=1))

    def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
        a, b = in_data
        g0, g1 = out_grad
        self.assign(in_grad[0], req[0], self.scale * g0 * b + g1.reshape((-1, 1)))
        self.assign(in_grad[1], req[1], self.scale * g0 * a)


@mx.operator.register("scaled_mix")
class ScaledMixProp(mx.operator.CustomOpProp):
    def __init__(self, scale="1.0"):
        super().__init__(need_top_grad=True)
        assert isinstance(scale, str)          # MXNet hands every parameter over as a string
        self.scale = float(scale)

    def list_arguments(self):
        return ["lhs", "rhs"]

    def list_outputs(self):
        return ["prod", "rowsum"]

    def infer_shape(self, in_shape):
        return in_shape, [in_shape[0], [in_shape[0][0]]], []

    def create_operator(self, ctx, shapes, dtypes):
        return ScaledMix(self.scale)


class SoftmaxLoss(mx.operator.CustomOp):
    """A loss layer in the style of MXNet's custom-op tutorial: backward ignores the output gradient."""

    def forward(self, is_train, req, in_data, out_data, aux):
        x = in_data[0].asnumpy()
        e = np.exp(x - x.max(axis=1, keepdims=True))
        self.assign(out_data[0], req[0], mx.nd.array(e / e.sum(axis=1, keepdims=True)))

    def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
        label = in_data[1].asnumpy().astype(int)
        y = out_data[0].asnumpy().copy()
        y[np.arange(label.shape[0]), label] -= 1.0
        self.assign(in_grad[0], req[0], mx.nd.array(y))


@mx.operator.register("softmax_loss")
class SoftmaxLossProp(mx.operator.CustomOpProp):
    def __init__(self):
        super().__init__(need_top_grad=False)

    def list_arguments(self):
        return ["data", "label"]

    def infer_shape(self, in_shape):
        return in_shape, [in_shape[0]], []

    def create_operator(self, ctx, shapes, dtypes):
        return SoftmaxLoss()


def test_imperative_with_autograd_equals_mxnet():
    x, y = mx.nd.array(ORACLE["a"]), mx.nd.array(ORACLE["b"])
    x.attach_grad()
    y.attach_grad()
    with mx.autograd.record():
        p, r = mx.nd.Custom(x, y, op_type="scaled_mix", scale=2.5)
    mx.autograd.backward([p, r], [mx.nd.array(ORACLE["g0"]), mx.nd.array(ORACLE["g1"])])
    for got, key in [(p, "prod"), (r, "rowsum"), (x.grad, "grad_a"), (y.grad, "grad_b")]:
        np.testing.assert_allclose(got.asnumpy(), ORACLE[key], rtol=1e-6, atol=1e-6)
    by_name = mx.nd.Custom(lhs=x, rhs=y, op_type="scaled_mix", scale=2.5)
    np.testing.assert_allclose(by_name[0].asnumpy(), ORACLE["prod"], rtol=1e-6)


def test_symbol_names_shapes_json_equal_mxnet():
    s = mx.sym.Custom(mx.sym.var("a"), mx.sym.var("b"), op_type="scaled_mix", scale=2.5, name="mix")
    assert s.list_outputs() == META["list_outputs"] and s.list_arguments() == META["list_arguments"]
    assert [list(t) for t in s.infer_shape(a=(3, 4), b=(3, 4))[1]] == META["out_shapes"]
    node = json.loads(s.tojson())["nodes"][-1]
    assert (node["op"], node["name"], node["attrs"]) == (META["node"]["op"], "mix", META["node"]["attrs"])
    loaded = mx.sym.load_json(s.tojson())
    outs = loaded.eval(a=mx.nd.array(ORACLE["a"]), b=mx.nd.array(ORACLE["b"]))
    np.testing.assert_allclose(outs[1].asnumpy(), ORACLE["rowsum"], rtol=1e-6)
    auto = mx.sym.Custom(op_type="scaled_mix", name="m2")            # missing inputs become variables
    assert auto.list_arguments() == ["m2_lhs", "m2_rhs"]


class MixBlock(gluon.HybridBlock):
    def hybrid_forward(self, F, a, b):
        prod, rowsum = F.Custom(a, b, op_type="scaled_mix", scale=2.5)
        return prod + 1, rowsum


@pytest.mark.parametrize("hybridize", [False, True])
def test_hybridized_block_same_outputs_and_gradients(hybridize):
    net = MixBlock()
    if hybridize:
        net.hybridize()
    x, y = mx.nd.array(ORACLE["a"]), mx.nd.array(ORACLE["b"])
    x.attach_grad()
    y.attach_grad()
    with mx.autograd.record():
        p, r = net(x, y)
    mx.autograd.backward([p, r], [mx.nd.array(ORACLE["g0"]), mx.nd.array(ORACLE["g1"])])
    np.testing.assert_allclose(p.asnumpy(), ORACLE["prod"] + 1, rtol=1e-6)
    np.testing.assert_allclose(x.grad.asnumpy(), ORACLE["grad_a"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(y.grad.asnumpy(), ORACLE["grad_b"], rtol=1e-5, atol=1e-6)


def test_loss_layer_without_top_grad():
    data = mx.nd.array([[1.0, 2.0, 0.5], [0.1, 0.1, 3.0]])
    label = mx.nd.array([1, 2])
    data.attach_grad()
    with mx.autograd.record():
        prob = mx.nd.Custom(data, label, op_type="softmax_loss")
    prob.backward()
    e = np.exp(data.asnumpy() - data.asnumpy().max(1, keepdims=True))
    p = e / e.sum(1, keepdims=True)
    np.testing.assert_allclose(prob.asnumpy(), p, rtol=1e-6)
    p[[0, 1], [1, 2]] -= 1
    np.testing.assert_allclose(data.grad.asnumpy(), p, rtol=1e-6)


def test_errors_name_the_op_type():
    with pytest.raises(mx.MXNetError, match="no custom operator registered as op_type='nope'"):
        mx.nd.Custom(mx.nd.ones((1,)), op_type="nope")
    with pytest.raises(mx.MXNetError, match="expects inputs \\['lhs', 'rhs'\\]"):
        mx.nd.Custom(mx.nd.ones((1,)), op_type="scaled_mix")
    with pytest.raises(mx.MXNetError, match="op_type is missing"):
        mx.nd.Custom(mx.nd.ones((1,)))
