"""gluon.contrib.estimator: the fit loop, default handlers, stopping, metrics, validation, logging, early
stopping and checkpoints (pickle-free .params/.states files, resume)."""
import io
import logging
import os
import warnings

import numpy as np
import pytest

import ssdkit as mx
from ssdkit.gluon import nn
from ssdkit.gluon.contrib.estimator import (Estimator, BatchEnd, EpochEnd, CheckpointHandler, EarlyStoppingHandler,
                                            LoggingHandler, ValidationHandler, MetricHandler)
from ssdkit.gluon.contrib.estimator.event_handler import GradientUpdateHandler, StoppingHandler


def _data(n=16, batch_size=4):
    x = mx.nd.array(np.random.RandomState(0).uniform(size=(n, 6)))
    y = mx.nd.array(np.arange(n) % 3)
    return mx.gluon.data.DataLoader(mx.gluon.data.ArrayDataset(x, y), batch_size=batch_size)


def _estimator(net=None, **kwargs):
    net = nn.Dense(3, in_units=6) if net is None else net
    net.initialize(mx.init.Xavier(), force_reinit=True)
    trainer = mx.gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    est = Estimator(net, mx.gluon.loss.SoftmaxCrossEntropyLoss(), trainer=trainer, **kwargs)
    est.logger.setLevel(logging.WARNING)
    return est


class Counter(BatchEnd, EpochEnd):
    def __init__(self):
        self.batches = self.epochs = 0

    def batch_end(self, estimator, *args, **kwargs):
        self.batches += 1

    def epoch_end(self, estimator, *args, **kwargs):
        self.epochs += 1


def test_fit_by_epochs_and_by_batches():
    est, counter = _estimator(), Counter()
    est.fit(_data(), epochs=2, event_handlers=[counter])
    assert (counter.batches, counter.epochs) == (8, 2)
    counter = Counter()
    est.fit(_data(), batches=6, event_handlers=[counter])
    assert (counter.batches, counter.epochs) == (6, 2)    # stops inside the second epoch
    with pytest.raises(ValueError, match="exactly one type of iteration"):
        est.fit(_data(), epochs=1, batches=1)
    with pytest.raises(ValueError, match="only support input as Gluon DataLoader"):
        est.fit([1, 2], epochs=1)


def test_default_metrics_names_and_handlers():
    est = _estimator()
    assert [m.name for m in est.train_metrics] == ["training accuracy", "training softmaxcrossentropyloss"]
    assert [m.name for m in est.val_metrics] == ["validation accuracy", "validation softmaxcrossentropyloss"]
    est.max_epoch, est.max_batch = 1, None
    handlers = est._prepare_default_handlers(_data(), None)
    kinds = [type(h) for h in handlers]
    assert kinds == [GradientUpdateHandler, MetricHandler, ValidationHandler, StoppingHandler, LoggingHandler]
    foreign = MetricHandler([mx.metric.Accuracy()])
    with pytest.raises(ValueError, match="outside of the known training and validation metrics"):
        est._prepare_default_handlers(None, [foreign, LoggingHandler(metrics=est.train_metrics)])


def test_training_reduces_the_loss_and_validation_runs():
    est = _estimator()
    est.fit(_data(), val_data=_data(), epochs=5)
    loss_metric = est.train_metrics[1]
    first = loss_metric.get()[1]
    est.fit(_data(), epochs=20)
    assert loss_metric.get()[1] < first
    assert not np.isnan(est.val_metrics[0].get()[1])


def test_gradient_update_uses_the_number_of_samples():
    net = nn.Dense(1, in_units=2)
    net.initialize(mx.init.Zero())
    trainer = mx.gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    est = Estimator(net, mx.gluon.loss.L2Loss(), trainer=trainer)
    est.logger.setLevel(logging.WARNING)
    data = mx.gluon.data.DataLoader(mx.gluon.data.ArrayDataset(mx.nd.ones((4, 2)), mx.nd.ones((4, 1))),
                                    batch_size=4)
    est.fit(data, epochs=1)
    # mean gradient of 0.5 (w x - 1)^2 at w = 0 is -1 per weight: w = 0.1 after one step of lr 0.1
    np.testing.assert_allclose(net.weight.data().asnumpy(), [[0.1, 0.1]], rtol=1e-6)


def test_logging_interval_lines():
    out = io.StringIO()
    est = _estimator()
    est.logger.handlers[0].setStream(out)
    est.logger.setLevel(logging.INFO)
    est.fit(_data(n=20), epochs=1, event_handlers=[LoggingHandler(metrics=est.train_metrics, log_interval=2)])
    lines = [line for line in out.getvalue().splitlines() if line.startswith("[Epoch 0][Batch")]
    assert len(lines) == 3                                     # batches 0, 2, 4 of 5
    assert "[Samples 4] time/interval:" in lines[0] and "training accuracy:" in lines[0]


def test_early_stopping_min_mode():
    est = _estimator()
    acc = est.train_metrics[0]
    stopper = EarlyStoppingHandler(monitor=acc, patience=0, mode="min")
    est.fit(_data(), epochs=6, event_handlers=[stopper])
    assert stopper.stop_training and stopper.current_epoch < 6
    with pytest.raises(ValueError, match="CompositeEvalMetric is not supported"):
        EarlyStoppingHandler(mx.metric.CompositeEvalMetric())


def test_checkpoints_are_pickle_free_and_rotate(tmp_path):
    net = nn.HybridSequential()
    net.add(nn.Dense(3, in_units=6))
    net.hybridize()
    est = _estimator(net=net)
    est.trainer = mx.gluon.Trainer(est.net.collect_params(), "sgd", {"learning_rate": 0.1, "momentum": 0.9})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        handler = CheckpointHandler(str(tmp_path), model_prefix="m", monitor=est.train_metrics[0], save_best=True,
                                    epoch_period=None, batch_period=2, max_checkpoints=2)
    est.fit(_data(), batches=8, event_handlers=[handler])
    names = sorted(os.listdir(tmp_path))
    assert names == ["m-best.params", "m-best.states", "m-epoch1batch5.params", "m-epoch1batch5.states",
                     "m-epoch1batch7.params", "m-epoch1batch7.states", "m-symbol.json"]
    for name in names:
        assert b"pickle" not in (tmp_path / name).read_bytes()[:64] and not (tmp_path / name).read_bytes().startswith(b"\x80")
    fresh = nn.HybridSequential()
    fresh.add(nn.Dense(3, in_units=6))
    fresh.load_parameters(str(tmp_path / "m-epoch1batch7.params"))
    np.testing.assert_array_equal(fresh[0].weight.data().asnumpy(), est.net[0].weight.data().asnumpy())
    trainer = mx.gluon.Trainer(fresh.collect_params(), "sgd", {"learning_rate": 0.1, "momentum": 0.9})
    trainer.load_states(str(tmp_path / "m-epoch1batch7.states"))
    assert trainer.optimizer.num_update == 8


def test_resume_from_checkpoint_continues_the_budget(tmp_path):
    est = _estimator()
    est.fit(_data(), epochs=2, event_handlers=[CheckpointHandler(str(tmp_path), model_prefix="r")])
    weight = est.net.weight.data().asnumpy().copy()
    est.net.initialize(force_reinit=True)
    resume = CheckpointHandler(str(tmp_path), model_prefix="r", resume_from_checkpoint=True)
    counter = Counter()
    est.fit(_data(), epochs=4, event_handlers=[resume, counter])
    assert est.max_epoch == 2 and counter.epochs == 2
    assert (tmp_path / "r-epoch3batch16.states").exists()
    assert not np.allclose(est.net.weight.data().asnumpy(), weight)   # trained on from the loaded weights


def test_validation_handler_passes_handlers_to_evaluate():
    seen = []

    class Mark(EpochEnd):
        def epoch_end(self, estimator, *args, **kwargs):
            seen.append(True)

    est = _estimator()
    handler = ValidationHandler(val_data=_data(), eval_fn=est.evaluate, event_handlers=Mark())
    est.fit(_data(), val_data=_data(), epochs=2, event_handlers=[handler])
    assert len(seen) == 2
