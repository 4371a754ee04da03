"""The estimator's event handlers, as MXNet 1.9.1 has them: ``StoppingHandler`` (epoch / batch budget),
``GradientUpdateHandler`` (``trainer.step``), ``MetricHandler``, ``ValidationHandler``, ``LoggingHandler``,
``CheckpointHandler`` (:mod:`.checkpoint`) and ``EarlyStoppingHandler``. Handlers run in ascending ``priority``
(gradient update -2000, metrics and validation -1000, logging last).

Examples
--------
>>> stop = StoppingHandler(max_batch=2)
>>> stop.batch_end(None), stop.batch_end(None)
(False, True)
"""
import time
import warnings

import numpy as np

from ....metric import CompositeEvalMetric, EvalMetric
from ....metric import Loss as LossMetric
from .checkpoint import CheckpointHandler, monitor_comparison
from .events import TrainBegin, TrainEnd, EpochBegin, EpochEnd, BatchBegin, BatchEnd, EventHandler
from .events import check_event_handlers
from .utils import check_metrics

__all__ = ["TrainBegin", "TrainEnd", "EpochBegin", "EpochEnd", "BatchBegin", "BatchEnd", "StoppingHandler",
           "MetricHandler", "ValidationHandler", "LoggingHandler", "CheckpointHandler", "EarlyStoppingHandler",
           "GradientUpdateHandler", "EventHandler"]

_check_event_handlers = check_event_handlers   # MXNet's private name, imported by code written for it


class StoppingHandler(TrainBegin, BatchEnd, EpochEnd):
    """Stop training after ``max_epoch`` epochs or ``max_batch`` batches (the estimator's ``fit`` budget).

    Examples
    --------
    >>> stop = StoppingHandler(max_epoch=1)
    >>> stop.epoch_end(None)
    True
    """

    def __init__(self, max_epoch=None, max_batch=None):
        self.max_epoch = max_epoch
        self.max_batch = max_batch
        self.current_batch = 0
        self.current_epoch = 0
        self.stop_training = False

    def train_begin(self, estimator, *args, **kwargs):
        self.max_epoch = estimator.max_epoch
        self.max_batch = estimator.max_batch
        self.current_batch = 0
        self.current_epoch = 0

    def batch_end(self, estimator, *args, **kwargs):
        self.current_batch += 1
        if self.current_batch == self.max_batch:
            self.stop_training = True
        return self.stop_training

    def epoch_end(self, estimator, *args, **kwargs):
        self.current_epoch += 1
        if self.current_epoch == self.max_epoch:
            self.stop_training = True
        return self.stop_training


class MetricHandler(EpochBegin, BatchEnd):
    """Reset ``metrics`` every epoch and update them after every batch (a ``metric.Loss`` from the losses, the
    others from labels and predictions).

    Examples
    --------
    >>> import ssdkit as mx
    >>> acc = mx.metric.Accuracy(); handler = MetricHandler(acc)
    >>> handler.batch_end(None, pred=[mx.nd.array([[0.1, 0.9]])], label=[mx.nd.array([1])], loss=[mx.nd.zeros(1)])
    >>> acc.get()
    ('accuracy', 1.0)
    """

    def __init__(self, metrics, priority=-1000):
        self.metrics = check_metrics(metrics)
        self.priority = priority   # before the handlers that read the metrics

    def epoch_begin(self, estimator, *args, **kwargs):
        for metric in self.metrics:
            metric.reset()

    def batch_end(self, estimator, *args, **kwargs):
        pred, label, loss = kwargs["pred"], kwargs["label"], kwargs["loss"]
        for metric in self.metrics:
            if isinstance(metric, LossMetric):
                metric.update(0, loss)
            else:
                metric.update(label, pred)


class ValidationHandler(TrainBegin, BatchEnd, EpochEnd):
    """Run ``eval_fn`` (usually ``estimator.evaluate``) on ``val_data`` every ``epoch_period`` epochs and/or
    every ``batch_period`` batches, passing ``event_handlers`` on.

    Examples
    --------
    >>> runs = []
    >>> class Est:
    ...     batch_axis = 0
    >>> handler = ValidationHandler([], lambda **kw: runs.append(kw["val_data"]), batch_period=2)
    >>> for _ in range(4):
    ...     _ = handler.batch_end(Est())
    >>> len(runs)
    2
    """

    def __init__(self, val_data, eval_fn, epoch_period=1, batch_period=None, priority=-1000, event_handlers=None):
        self.val_data = val_data
        self.eval_fn = eval_fn
        self.epoch_period = epoch_period
        self.batch_period = batch_period
        self.current_batch = 0
        self.current_epoch = 0
        self.priority = priority   # validation metrics are ready before later handlers read them
        self.event_handlers = event_handlers

    def train_begin(self, estimator, *args, **kwargs):
        self.current_batch = 0
        self.current_epoch = 0

    def _evaluate(self, estimator):
        self.eval_fn(val_data=self.val_data, batch_axis=estimator.batch_axis, event_handlers=self.event_handlers)

    def batch_end(self, estimator, *args, **kwargs):
        self.current_batch += 1
        if self.batch_period and self.current_batch % self.batch_period == 0:
            self._evaluate(estimator)

    def epoch_end(self, estimator, *args, **kwargs):
        self.current_epoch += 1
        if self.epoch_period and self.current_epoch % self.epoch_period == 0:
            self._evaluate(estimator)


def _metric_text(metrics):
    return ", ".join("%s: %.4f" % metric.get() for metric in metrics)


class LoggingHandler(TrainBegin, TrainEnd, EpochBegin, EpochEnd, BatchBegin, BatchEnd):
    """Log the optimizer and budget at train begin, ``metrics`` every ``log_interval`` batches (an int) or at
    every epoch end (``'epoch'``), and a summary at train end, through ``estimator.logger``.

    Examples
    --------
    >>> LoggingHandler(log_interval=2).log_interval
    2
    >>> LoggingHandler(log_interval='batch')
    Traceback (most recent call last):
    ...
    ValueError: log_interval must be either an integer or string 'epoch'
    """

    def __init__(self, log_interval="epoch", metrics=None, priority=np.inf):
        if not isinstance(log_interval, int) and log_interval != "epoch":
            raise ValueError("log_interval must be either an integer or string 'epoch'")
        self.metrics = check_metrics(metrics)
        self.batch_index = 0
        self.current_epoch = 0
        self.processed_samples = 0
        self.priority = priority   # last: every other handler has updated its state
        self.log_interval = log_interval
        self.log_interval_time = 0
        self.train_start = self.batch_start = self.epoch_start = time.time()

    def train_begin(self, estimator, *args, **kwargs):
        self.train_start = time.time()
        trainer = estimator.trainer
        estimator.logger.info("Training begin: using optimizer %s with current learning rate %.4f ",
                              type(trainer.optimizer).__name__, trainer.learning_rate)
        if estimator.max_epoch:
            estimator.logger.info("Train for %d epochs.", estimator.max_epoch)
        else:
            estimator.logger.info("Train for %d batches.", estimator.max_batch)
        self.current_epoch = 0
        self.batch_index = 0
        self.processed_samples = 0
        self.log_interval_time = 0

    def train_end(self, estimator, *args, **kwargs):
        msg = "Train finished using total %ds with %d epochs. " % (time.time() - self.train_start, self.current_epoch)
        estimator.logger.info((msg + _metric_text(self.metrics)).rstrip(", "))

    def batch_begin(self, estimator, *args, **kwargs):
        if isinstance(self.log_interval, int):
            self.batch_start = time.time()

    def batch_end(self, estimator, *args, **kwargs):
        if isinstance(self.log_interval, int):
            self.log_interval_time += time.time() - self.batch_start
            self.processed_samples += kwargs["batch"][0].shape[0]
            if self.batch_index % self.log_interval == 0:
                msg = "[Epoch %d][Batch %d][Samples %s] time/interval: %.3fs " % (
                    self.current_epoch, self.batch_index, self.processed_samples, self.log_interval_time)
                self.log_interval_time = 0
                estimator.logger.info((msg + _metric_text(self.metrics)).rstrip(", "))
        self.batch_index += 1

    def epoch_begin(self, estimator, *args, **kwargs):
        self.epoch_start = time.time()
        # the estimator prefixes its metric names with 'training' / 'validation'
        if any("training" in metric.name for metric in self.metrics):
            estimator.logger.info("[Epoch %d] Begin, current learning rate: %.4f", self.current_epoch,
                                  estimator.trainer.learning_rate)
        else:
            estimator.logger.info("Validation Begin")

    def epoch_end(self, estimator, *args, **kwargs):
        msg = "[Epoch %d] Finished in %.3fs, " % (self.current_epoch, time.time() - self.epoch_start)
        estimator.logger.info((msg + _metric_text(self.metrics)).rstrip(", "))
        self.current_epoch += 1
        self.batch_index = 0


class EarlyStoppingHandler(TrainBegin, EpochEnd, TrainEnd):
    """Stop training when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs (or stays
    worse than ``baseline``). ``mode`` is ``'min'``, ``'max'`` or ``'auto'`` (see :mod:`.checkpoint`).

    Examples
    --------
    >>> import ssdkit as mx
    >>> EarlyStoppingHandler(mx.metric.Loss(), mode='min').monitor_op is np.less
    True
    """

    def __init__(self, monitor, min_delta=0, patience=0, mode="auto", baseline=None):
        if not isinstance(monitor, EvalMetric):
            raise ValueError("Please provide one of the metric objects from estimator.train_metrics and "
                             "estimator.val_metrics as monitor.")
        if isinstance(monitor, CompositeEvalMetric):
            raise ValueError("CompositeEvalMetric is not supported for EarlyStoppingHandler, please specify a "
                             "simple metric instead.")
        self.monitor = monitor
        self.baseline = baseline
        self.patience = patience
        self.wait = 0
        self.stopped_epoch = 0
        self.current_epoch = 0
        self.stop_training = False
        self.monitor_op = monitor_comparison(mode, monitor, "EarlyStopping")
        self.min_delta = min_delta if self.monitor_op is np.greater else -min_delta
        self.best = None

    def train_begin(self, estimator, *args, **kwargs):
        self.wait = 0
        self.stopped_epoch = 0
        self.current_epoch = 0
        self.stop_training = False
        if self.baseline is not None:
            self.best = self.baseline
        else:
            self.best = np.inf if self.monitor_op is np.less else -np.inf

    def epoch_end(self, estimator, *args, **kwargs):
        name, value = self.monitor.get()
        if np.isnan(value):
            warnings.warn(RuntimeWarning(f"{name} is not updated, make sure you pass one of the metric objects "
                                         "from estimator.train_metrics and estimator.val_metrics as monitor."))
        elif self.monitor_op(value - self.min_delta, self.best):
            self.best = value
            self.wait = 0
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = self.current_epoch
                self.stop_training = True
        self.current_epoch += 1
        return self.stop_training

    def train_end(self, estimator, *args, **kwargs):
        if self.stopped_epoch > 0:
            estimator.logger.info("[Epoch %d] EarlyStoppingHanlder: early stopping due to %s not improving",
                                  self.stopped_epoch, self.monitor.get()[0])


class GradientUpdateHandler(BatchEnd):
    """Apply the gradients after every batch: ``estimator.trainer.step(batch size)``, the batch size being the
    number of loss values over all devices.

    Examples
    --------
    >>> GradientUpdateHandler().priority
    -2000
    """

    def __init__(self, priority=-2000):
        self.priority = priority   # first: metrics and logging see the updated network

    def batch_end(self, estimator, *args, **kwargs):
        loss = kwargs["loss"]
        losses = loss if isinstance(loss, list) else [loss]
        estimator.trainer.step(sum(value.shape[0] for value in losses))
