"""mx.optimizer and mx.lr_scheduler against MXNet 1.9.1 (tests/data/gluon_oracle: several updates of each
optimizer on fixed weights/gradients, learning-rate schedules for update counts 0..25)."""
import json
from pathlib import Path

import numpy as np
import pytest

import ssdkit as mx
from ssdkit import nd
from ssdkit.base import MXNetError

HERE = Path(__file__).resolve().parent / "data" / "gluon_oracle"
META = json.loads((HERE / "gluon_oracle.json").read_text())
ARR = np.load(HERE / "gluon_oracle.npz")
OPT = META["optimizers"]


def _run(opt, case_key=None):
    """Drive an Updater exactly as the generator did: both weights per call, OPT['steps'] calls."""
    upd = mx.optimizer.get_updater(opt)
    weights = [nd.array(ARR[f"opt/w0_{i}"]) for i in range(len(OPT["shapes"]))]
    results = []
    for t in range(OPT["steps"]):
        grads = [nd.array(ARR[f"opt/grad{t}_{i}"]) for i in range(len(weights))]
        upd(list(range(len(weights))), grads, weights)
        results.append([w.asnumpy() for w in weights])
    return results, upd


@pytest.mark.parametrize("case", sorted(OPT["cases"]))
def test_optimizer_steps_match_mxnet(case):
    spec = OPT["cases"][case]
    opt = mx.optimizer.create(spec["name"], **spec["kwargs"])
    results, _ = _run(opt)
    for t, weights in enumerate(results):
        for i, w in enumerate(weights):
            np.testing.assert_allclose(w, ARR[f"opt/{case}/step{t}_{i}"], rtol=1e-5, atol=1e-6,
                                       err_msg=f"{case} step {t} weight {i}")
    assert opt.num_update == spec["num_update"]


def test_optimizer_with_factor_scheduler_matches_mxnet():
    sched = mx.lr_scheduler.FactorScheduler(step=2, factor=0.5, base_lr=0.1)
    opt = mx.optimizer.create("sgd", learning_rate=0.1, momentum=0.5, lr_scheduler=sched)
    upd = mx.optimizer.get_updater(opt)
    weights = [nd.array(ARR[f"opt/w0_{i}"]) for i in range(2)]
    lrs = []
    for t in range(OPT["steps"]):
        upd([0, 1], [nd.array(ARR[f"opt/grad{t}_{i}"]) for i in range(2)], weights)
        lrs.append(opt.learning_rate)
        for i, w in enumerate(weights):
            np.testing.assert_allclose(w.asnumpy(), ARR[f"opt/sgd_factor_sched/step{t}_{i}"], rtol=1e-5, atol=1e-6)
    assert lrs == pytest.approx(OPT["sgd_factor_sched_lrs"])


@pytest.mark.parametrize("name", sorted(META["schedulers"]))
def test_lr_schedules_match_mxnet(name):
    spec = META["schedulers"][name]
    sched = getattr(mx.lr_scheduler, spec["class"])(**spec["kwargs"])
    assert [sched(n) for n in range(len(spec["lrs"]))] == pytest.approx(spec["lrs"], rel=1e-12, abs=1e-15)


def test_lr_scheduler_argument_errors():
    with pytest.raises(MXNetError, match="increasing"):
        mx.lr_scheduler.MultiFactorScheduler(step=[5, 3])
    with pytest.raises(MXNetError, match="warmup_begin_lr"):
        mx.lr_scheduler.FactorScheduler(step=2, base_lr=0.01, warmup_begin_lr=0.1)
    with pytest.raises(MXNetError, match="linear and constant"):
        mx.lr_scheduler.CosineScheduler(10, warmup_mode="cubic")


def test_per_parameter_multipliers_and_registry():
    w = mx.gluon.Parameter("w", shape=(2,), lr_mult=0.5, wd_mult=0.0)
    w.initialize(mx.init.One())
    opt = mx.optimizer.create("sgd", learning_rate=1.0, wd=0.1, param_dict={0: w})
    opt.update(0, w.data(), nd.ones((2,)), None)
    assert w.data().asnumpy() == pytest.approx([0.5, 0.5])   # lr 1*0.5, no weight decay
    with pytest.raises(MXNetError, match="Cannot find optimizer"):
        mx.optimizer.create("no_such_optimizer")

    @mx.optimizer.register
    class HalfStep(mx.optimizer.Optimizer):
        def update(self, index, weight, grad, state):
            self._update_count(index)
            weight._data -= 0.5 * grad._data
    x = nd.ones((1,))
    mx.optimizer.get_updater(mx.optimizer.create("halfstep"))(0, nd.ones((1,)), x)
    assert x.asnumpy().tolist() == [0.5]


def test_set_learning_rate_rules():
    opt = mx.optimizer.create("sgd", learning_rate=0.1)
    opt.set_learning_rate(0.2)
    assert opt.learning_rate == 0.2
    sched = mx.optimizer.create("sgd", lr_scheduler=mx.lr_scheduler.FactorScheduler(step=1))
    with pytest.raises(UserWarning, match="LRScheduler of the optimizer has already been defined"):
        sched.set_learning_rate(0.5)


@pytest.mark.parametrize("case", ["sgd_mom_wd", "adam_wd_clip", "rmsprop_centered", "adadelta"])
def test_updater_states_round_trip_without_pickle(case):
    spec = OPT["cases"][case]
    first, upd = _run(mx.optimizer.create(spec["name"], **spec["kwargs"]))
    blob = upd.get_states(dump_optimizer=True)
    assert b"pickle" not in blob and blob[:8] == (0x112).to_bytes(8, "little")   # MXNet NDArray-file layout
    restored = mx.optimizer.get_updater(mx.optimizer.create(spec["name"]))
    restored.set_states(blob)
    assert restored.optimizer.num_update == upd.optimizer.num_update
    assert restored.optimizer._index_update_count == upd.optimizer._index_update_count
    assert type(restored.states[0]) is type(upd.states[0])
    # one more identical step on both gives identical weights
    w_a = [nd.array(w) for w in first[-1]]
    w_b = [nd.array(w) for w in first[-1]]
    grads = [nd.array(ARR[f"opt/grad0_{i}"]) for i in range(2)]
    upd([0, 1], grads, w_a)
    restored([0, 1], grads, w_b)
    for a, b in zip(w_a, w_b):
        np.testing.assert_array_equal(a.asnumpy(), b.asnumpy())


def test_scheduler_state_survives_states_round_trip():
    opt = mx.optimizer.create("sgd", learning_rate=1.0,
                              lr_scheduler=mx.lr_scheduler.MultiFactorScheduler([1, 2], factor=0.5, base_lr=1.0))
    upd = mx.optimizer.get_updater(opt)
    w = nd.ones((1,))
    for _ in range(3):
        upd(0, nd.ones((1,)), w)
    other = mx.optimizer.get_updater(mx.optimizer.create("sgd"))
    other.set_states(upd.get_states(dump_optimizer=True))
    assert type(other.optimizer.lr_scheduler).__name__ == "MultiFactorScheduler"
    assert other.optimizer.learning_rate == opt.learning_rate == 0.25
    with pytest.raises(MXNetError, match="saved by SGD"):
        mx.optimizer.get_updater(mx.optimizer.create("adam")).set_states(upd.get_states(dump_optimizer=True))
