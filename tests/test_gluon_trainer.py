"""gluon.Trainer: MXNet 1.9.1's update sequence (lr_mult / wd_mult / batch rescaling), training a small CNN with
SGD+momentum and Adam, pickle-free save/load of optimizer states, and the stale-gradient error."""
import json
from pathlib import Path

import numpy as np
import pytest

import ssdkit as mx
from ssdkit import autograd, gluon, nd
from ssdkit.base import MXNetError
from ssdkit.gluon import nn

HERE = Path(__file__).resolve().parent / "data" / "gluon_oracle"
META = json.loads((HERE / "gluon_oracle.json").read_text())["trainer"]
ARR = np.load(HERE / "gluon_oracle.npz")


def _params():
    w = gluon.Parameter("net_weight", shape=(2, 3), lr_mult=0.5)
    b = gluon.Parameter("net_bias", shape=(3,), wd_mult=0.0)
    w.initialize(mx.init.Constant(nd.array(ARR["trainer/w0"])))
    b.initialize(mx.init.Constant(nd.array(ARR["trainer/b0"])))
    return w, b


def _loss_step(w, b, t):
    with autograd.record():
        loss = (w.data() * nd.array(ARR[f"trainer/xw{t}"])).sum() + (b.data() * nd.array(ARR[f"trainer/xb{t}"])).sum()
    loss.backward()


def test_trainer_updates_match_mxnet():
    w, b = _params()
    trainer = gluon.Trainer([w, b], "sgd", {"learning_rate": 0.2, "momentum": 0.9, "wd": 0.05})
    for t in range(3):
        _loss_step(w, b, t)
        trainer.step(META["batch_size"])
        np.testing.assert_allclose(w.data().asnumpy(), ARR[f"trainer/w{t + 1}"], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(b.data().asnumpy(), ARR[f"trainer/b{t + 1}"], rtol=1e-5, atol=1e-6)
    trainer.set_learning_rate(0.05)
    assert trainer.learning_rate == META["learning_rate_after_set"]
    assert trainer.optimizer.rescale_grad == pytest.approx(1 / META["batch_size"])


def test_allreduce_then_update_equals_step():
    w1, b1 = _params()
    w2, b2 = _params()
    t1 = gluon.Trainer([w1, b1], "sgd", {"learning_rate": 0.2, "momentum": 0.9})
    t2 = gluon.Trainer([w2, b2], "sgd", {"learning_rate": 0.2, "momentum": 0.9})
    for t in range(2):
        _loss_step(w1, b1, t)
        t1.step(2)
        _loss_step(w2, b2, t)
        t2.allreduce_grads()
        t2.update(2)
    np.testing.assert_array_equal(w1.data().asnumpy(), w2.data().asnumpy())


def test_stale_gradient_error_text():
    w, b = _params()
    trainer = gluon.Trainer([w, b], "sgd", {"learning_rate": 0.1})
    _loss_step(w, b, 0)
    trainer.step(1)
    with autograd.record():
        loss = (w.data() * 2).sum()
    loss.backward()
    with pytest.raises(UserWarning) as err:
        trainer.step(1)
    # MXNet's text first, then ssdkit's list of stale parameters and the two ways out (tests/test_gluon_usage.py)
    assert str(err.value).startswith(META["stale_grad_message"] + "\n")
    assert "net_bias" in str(err.value).split("\n", 1)[1]
    before = b.data().asnumpy()
    trainer.step(1, ignore_stale_grad=True)
    np.testing.assert_array_equal(b.data().asnumpy(), before)


def test_trainer_argument_errors():
    w, _ = _params()
    with pytest.raises(MXNetError, match="list or dict of Parameters"):
        gluon.Trainer([w, 3], "sgd")
    with pytest.raises(MXNetError, match="optimizer_params must be None"):
        gluon.Trainer([w], mx.optimizer.SGD(), {"learning_rate": 0.1})
    with pytest.raises(MXNetError, match="has not been initialized"):
        gluon.Trainer([gluon.Parameter("fresh", shape=(1,))], "sgd")


def _toy_data(n=64, seed=0):
    """Two classes of 8x8 images: a bright vertical or a bright horizontal bar, plus noise."""
    rs = np.random.RandomState(seed)
    labels = rs.randint(0, 2, n)
    x = rs.normal(0, 0.3, (n, 1, 8, 8)).astype(np.float32)
    pos = rs.randint(1, 7, n)
    for i in range(n):
        if labels[i]:
            x[i, 0, pos[i], :] += 1.5
        else:
            x[i, 0, :, pos[i]] += 1.5
    return nd.array(x), nd.array(labels)


def _cnn():
    net = nn.HybridSequential(prefix="cnn_")
    with net.name_scope():
        net.add(nn.Conv2D(8, 3, padding=1, activation="relu"), nn.BatchNorm(), nn.MaxPool2D(),
                nn.Flatten(), nn.Dense(16, activation="relu"), nn.Dense(2))
    return net


@pytest.mark.parametrize("optimizer,params,hybridize", [
    ("sgd", {"learning_rate": 0.1, "momentum": 0.9, "wd": 1e-4}, False),
    ("adam", {"learning_rate": 0.01}, True),
])
def test_small_cnn_trains(optimizer, params, hybridize):
    mx.random.seed(1)
    x, y = _toy_data()
    net = _cnn()
    net.initialize(mx.init.Xavier())
    if hybridize:
        net.hybridize()
    trainer = gluon.Trainer(net.collect_params(), optimizer, params)
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    losses = []
    for epoch in range(6):
        for batch in range(4):
            xb, yb = x[batch * 16:(batch + 1) * 16], y[batch * 16:(batch + 1) * 16]
            with autograd.record():
                loss = loss_fn(net(xb), yb)
            loss.backward()
            trainer.step(16)
            losses.append(float(loss.mean().asscalar()))
    assert np.mean(losses[-4:]) < 0.3 * np.mean(losses[:4])
    accuracy = (net(x).argmax(axis=1) == y).mean().asscalar()
    assert accuracy > 0.9


def test_trainer_states_round_trip(tmp_path):
    mx.random.seed(2)
    x, y = _toy_data(16)
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()

    def one_step(net, trainer):
        with autograd.record():
            loss = loss_fn(net(x), y)
        loss.backward()
        trainer.step(16)

    net = _cnn()
    net.initialize(mx.init.Xavier())
    trainer = gluon.Trainer(net.collect_params(), "adam", {"learning_rate": 0.01})
    one_step(net, trainer)
    one_step(net, trainer)
    net.save_parameters(str(tmp_path / "net.params"))
    trainer.save_states(str(tmp_path / "trainer.states"))
    assert b"pickle" not in (tmp_path / "trainer.states").read_bytes()

    clone = _cnn()
    clone.load_parameters(str(tmp_path / "net.params"))
    clone_trainer = gluon.Trainer(clone.collect_params(), "adam", {"learning_rate": 0.01})
    clone_trainer.load_states(str(tmp_path / "trainer.states"))
    assert clone_trainer.optimizer.num_update == trainer.optimizer.num_update == 2
    one_step(net, trainer)
    one_step(clone, clone_trainer)
    for a, b in zip(net.collect_params().values(), clone.collect_params().values()):
        np.testing.assert_allclose(a.data().asnumpy(), b.data().asnumpy(), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("kvstore, expected", [("device", [-7.5, -7.5]), (None, [-2.5, -5.0])])
def test_multi_context_gradients_summed_over_devices(kvstore, expected):
    # values from MXNet 1.9.1: the 'device' store sums the per-device gradients; kvstore=None keeps them apart
    x = mx.gluon.Parameter("x", shape=(3,))
    x.initialize(ctx=[mx.cpu(0), mx.cpu(1)], init="zeros")
    trainer = mx.gluon.Trainer([x], "sgd", {"learning_rate": 1.0, "momentum": 0.5}, kvstore=kvstore)
    for _ in range(2):
        with mx.autograd.record():
            for i, w in enumerate(x.list_data()):
                ((i + 1) * w + 1).backward()
        trainer.step(1)
    assert [float(d.asnumpy()[0]) for d in x.list_data()] == expected


def test_optimizer_states_deepcopy():
    import copy
    x = mx.gluon.Parameter("x", shape=(2,)); x.initialize(init="ones")
    trainer = mx.gluon.Trainer([x], "sgd", {"learning_rate": 1.0, "momentum": 0.5})
    with mx.autograd.record():
        y = x.data() * 2
    y.backward(); trainer.step(1)
    states = copy.deepcopy(trainer._updaters[0].states)
    trainer._updaters[0].states[0][:] = 7
    np.testing.assert_array_equal(states[0].asnumpy(), [-2.0, -2.0])
