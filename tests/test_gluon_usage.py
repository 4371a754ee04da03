"""Blocks that forward never calls, blocks called twice, parameters with no gradient (issue #16): the report
(gluon/usage.py), Block.summary's extra section, the Trainer's stale-gradient error and autograd.grad's
unreachable-variable error."""
import numpy as np
import pytest

import ssdkit as mx
from ssdkit import autograd, gluon
from ssdkit.base import MXNetError
from ssdkit.gluon import nn
from ssdkit.symbol.naming import NameManager


class Toy(gluon.Block):
    """The issue's example: forward calls heads[0] and heads[2], never heads[1]."""

    def __init__(self, deferred=False, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.heads = nn.Sequential()
            with self.heads.name_scope():
                self.heads.add(nn.Dense(2, in_units=4), nn.Dense(3) if deferred else nn.Dense(3, in_units=4),
                               nn.Dense(2))

    def forward(self, x):
        return self.heads[0](x) + self.heads[2](x)


class HybridToy(gluon.HybridBlock):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.heads = nn.HybridSequential()
            with self.heads.name_scope():
                self.heads.add(nn.Dense(2, in_units=4), nn.Dense(3, in_units=4), nn.Dense(2, in_units=4))
            self.shared = nn.Dense(4, in_units=4)

    def hybrid_forward(self, F, x):
        x = self.shared(self.shared(x))
        return self.heads[0](x) + self.heads[2](x)


def _toy(cls=Toy):
    with NameManager():
        net = cls()
    net.initialize(mx.init.Xavier())
    return net


X = mx.nd.array(np.arange(8, dtype=np.float32).reshape(2, 4) / 8)


def test_report_never_called_and_no_gradient():
    net = _toy()
    report = net.usage(X)
    assert [(p, type(b).__name__) for p, b in report.never_called] == [("heads.1", "Dense")]
    assert report.called_twice == []
    assert sorted(p.name for p in report.no_gradient) == ["toy0_sequential0_dense1_bias",
                                                          "toy0_sequential0_dense1_weight"]
    text = str(report)
    assert "heads.1 (Dense)" in text and "15 parameters" in text and "never gets a gradient" in text


@pytest.mark.parametrize("hybridize", [False, True])
def test_report_hybrid_called_twice(hybridize):
    net = _toy(HybridToy)
    if hybridize:
        net.hybridize()
        net(X)
    report = net.usage(X)
    assert [p for p, _ in report.never_called] == ["heads.1"]
    assert [(p, n) for p, _, n in report.called_twice] == [("shared", 2)]
    assert "called 2 times" in str(report)
    assert net.heads[1]._active is hybridize  # the hybridized state is restored


def test_report_leaves_model_unchanged():
    with NameManager():
        net = nn.HybridSequential()
        net.add(nn.Dense(3, in_units=4), nn.BatchNorm(in_channels=3))
    net.initialize()
    before = {k: v.data().asnumpy().copy() for k, v in net.collect_params().items()}
    grads_before = {k: v.grad().asnumpy().copy() for k, v in net.collect_params().items() if v.grad_req != "null"}
    report = net.usage(X)
    assert report.never_called == [] and report.no_gradient == []
    for k, v in net.collect_params().items():
        np.testing.assert_array_equal(v.data().asnumpy(), before[k])  # running statistics did not move
    for k, g in grads_before.items():
        np.testing.assert_array_equal(net.collect_params()[k].grad().asnumpy(), g)


def test_report_output_not_reaching_result():
    class Dead(gluon.HybridBlock):
        def __init__(self):
            super().__init__(prefix="dead_")
            with self.name_scope():
                self.a = nn.Dense(2, in_units=4)
                self.b = nn.Dense(2, in_units=4)

        def hybrid_forward(self, F, x):
            self.b(x)  # called, output dropped
            return self.a(x)

    net = Dead()
    net.initialize()
    report = net.usage(X)
    assert report.never_called == []
    assert sorted(p.name for p in report.no_gradient) == ["dead_dense1_bias", "dead_dense1_weight"]
    assert net.usage(X, gradients=False).no_gradient is None


def test_report_symbol_block():
    data = mx.sym.var("data")
    fc = mx.sym.FullyConnected(data, num_hidden=2, name="fc")
    block = gluon.SymbolBlock(fc, [data])
    block.initialize()
    report = block.usage(X)
    assert report.never_called == [] and report.no_gradient == []


def test_summary_lists_never_called_and_deferred(capsys):
    with NameManager():
        net = Toy(deferred=True)  # heads.1 stays deferred: the forward never reaches it
    net.initialize()
    net.summary(X)
    out = capsys.readouterr().out
    table, section = out.split("Registered children never called", 1)
    assert "Total params: 20" in table  # MXNet's table counts only what forward ran
    assert "heads.1 (Dense)" in section and "3 parameters + 1 still deferred" in section


def test_summary_unchanged_when_every_child_is_called(capsys):
    with NameManager():
        net = nn.Sequential()
        net.add(nn.Dense(2, in_units=4))
    net.initialize()
    net.summary(X)
    out = capsys.readouterr().out
    assert "never called" not in out and out.rstrip().endswith("-" * 80)


def test_trainer_stale_error_names_block_path():
    net = _toy()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    with autograd.record():
        loss = net(X).sum()
    loss.backward()
    with pytest.raises(UserWarning) as err:
        trainer.step(2)
    text = str(err.value)
    assert "heads.1 (Dense): toy0_sequential0_dense1_bias, toy0_sequential0_dense1_weight" in text
    assert "heads.0" not in text and "heads.2" not in text
    assert "ignore_stale_grad=True" in text and "do not register" in text
    # the failed step changed nothing: the used parameters are still fresh and update with ignore_stale_grad
    w0 = net.heads[0].weight.data().asnumpy().copy()
    w1 = net.heads[1].weight.data().asnumpy().copy()
    trainer.step(2, ignore_stale_grad=True)
    assert not np.array_equal(net.heads[0].weight.data().asnumpy(), w0)
    np.testing.assert_array_equal(net.heads[1].weight.data().asnumpy(), w1)


def test_autograd_grad_unreachable_variable():
    x, y = mx.nd.ones((2,)), mx.nd.ones((3,))
    x.attach_grad()
    y.attach_grad()
    with autograd.record():
        z = x * 2
    with pytest.raises(MXNetError, match=r"variable #1 \(shape \(3,\)\).*never reached"):
        autograd.grad(z, [x, y])


def test_viz_summary_without_shapes_says_what_it_did_not_count(capsys):
    data = mx.sym.var("data")
    net = mx.sym.FullyConnected(mx.sym.Convolution(data, kernel=(3, 3), num_filter=8, name="c"), num_hidden=4,
                                name="f")
    mx.viz.print_summary(net)
    out = capsys.readouterr().out
    assert "+ the weights of 2 layer(s) whose size needs the input shape" in out
    mx.viz.print_summary(net, shape={"data": (1, 3, 8, 8)})
    out = capsys.readouterr().out
    assert "Total params: 260" in out  # MXNet counts FullyConnected by input channels and "needs the input shape" not in out


def test_trainer_never_called_deferred_layer_is_stale_not_a_crash():
    with NameManager():
        net = Toy(deferred=True)
    net.initialize()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    with autograd.record():
        loss = net(X).sum()
    loss.backward()
    with pytest.raises(UserWarning, match=r"heads\.1 \(Dense\): toy0_sequential0_dense1_bias, "
                                          r"toy0_sequential0_dense1_weight"):
        trainer.step(2)
    trainer.step(2, ignore_stale_grad=True)  # MXNet 1.9.1 raises DeferredInitializationError here


def test_summary_refuses_a_hybridized_block_with_an_assertion():
    net = nn.Dense(2, in_units=4)
    net.initialize()
    net.hybridize()
    with pytest.raises(AssertionError, match="must not be hybridized"):
        net.summary(X)
