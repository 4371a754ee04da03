"""``Estimator``: MXNet 1.9.1's training loop for Gluon — ``fit`` runs epochs (or a number of batches) of
``fit_batch`` with event handlers around every batch and epoch; ``evaluate`` runs the validation set.

Default handlers are added to the ones given: ``StoppingHandler`` (the budget), ``GradientUpdateHandler``
(``trainer.step``), ``MetricHandler`` (training metrics), ``ValidationHandler`` (when ``val_data`` is given)
and ``LoggingHandler``. Training metrics are renamed ``'training <name>'`` and validation metrics
``'validation <name>'``; without metrics a softmax cross-entropy loss gets Accuracy and every loss a
``metric.Loss``.

Examples
--------
>>> import warnings, ssdkit as mx
>>> net = mx.gluon.nn.Dense(2)
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore")
...     est = Estimator(net, mx.gluon.loss.SoftmaxCrossEntropyLoss())
>>> [m.name for m in est.train_metrics], [m.name for m in est.val_metrics]
(['training accuracy', 'training softmaxcrossentropyloss'], ['validation accuracy', 'validation softmaxcrossentropyloss'])
"""
import copy
import logging
import sys
import warnings

from ....context import Context, cpu, gpu, num_gpus
from ....metric import Loss as LossMetric
from ...data import DataLoader
from ...loss import Loss
from ...parameter import ParameterNotInitializedError
from ...trainer import Trainer
from .batch_processor import BatchProcessor
from .event_handler import (MetricHandler, ValidationHandler, LoggingHandler, StoppingHandler,
                            GradientUpdateHandler, TrainBegin, EpochBegin, BatchBegin, BatchEnd, EpochEnd, TrainEnd)
from .events import check_event_handlers
from .utils import check_metrics, check_handler_metric_ref, suggest_metric_for_loss

__all__ = ["Estimator"]

_EVENTS = (TrainBegin, EpochBegin, BatchBegin, BatchEnd, EpochEnd, TrainEnd)


class Estimator:
    """Train and evaluate a Gluon network with event handlers.

    Parameters
    ----------
    net : gluon.Block
    loss : gluon.loss.Loss
    train_metrics, val_metrics : EvalMetric or list of EvalMetric, optional
    initializer : Initializer, optional
        Used when the network is not fully initialized yet.
    trainer : gluon.Trainer, optional
        Default: SGD with learning rate 0.001 over ``net.collect_params()`` (with a warning).
    context : Context or list of Context, optional
    val_net : gluon.Block, optional
        The network evaluated (default ``net``; it may share ``net``'s parameters).
    val_loss : gluon.loss.Loss, optional
    batch_processor : BatchProcessor, optional
        Supplies ``fit_batch`` and ``evaluate_batch``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> net = mx.gluon.nn.Dense(1, in_units=2); net.initialize(mx.init.Zero())
    >>> trainer = mx.gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    >>> est = Estimator(net, mx.gluon.loss.L2Loss(), trainer=trainer)
    >>> data = mx.gluon.data.DataLoader(mx.gluon.data.ArrayDataset(mx.nd.ones((4, 2)), mx.nd.ones((4, 1))),
    ...                                 batch_size=2)
    >>> est.logger.setLevel("WARNING"); est.fit(data, epochs=1); net.weight.data().asnumpy().round(3)
    array([[0.17, 0.17]], dtype=float32)
    """

    logger = None   # a logging.Logger per estimator, writing INFO and above to sys.stdout

    def __init__(self, net, loss, train_metrics=None, val_metrics=None, initializer=None, trainer=None,
                 context=None, val_net=None, val_loss=None, batch_processor=None):
        self.net = net
        self.loss = self._check_loss(loss)
        self._train_metrics = check_metrics(train_metrics)
        self._val_metrics = check_metrics(val_metrics)
        self._add_default_training_metrics()
        self._add_validation_metrics()
        self.val_loss = self._check_loss(val_loss) if val_loss is not None else self.loss
        self.val_net = val_net if val_net is not None else self.net
        self.logger = logging.Logger(name="Estimator", level=logging.INFO)
        self.logger.addHandler(logging.StreamHandler(sys.stdout))
        self.context = self._check_context(context)
        self._initialize(initializer)
        self.trainer = self._check_trainer(trainer)
        self.batch_processor = self._check_batch_processor(batch_processor)
        self.max_epoch = self.max_batch = None
        self.batch_axis = 0

    # ------------------------------------------------------------------ construction checks
    @staticmethod
    def _check_loss(loss):
        if not isinstance(loss, Loss):
            raise ValueError(f"loss must be a Loss, refer to gluon.loss.Loss:{loss}")
        return loss

    @staticmethod
    def _check_context(context):
        gpus = [gpu(i) for i in range(num_gpus())]
        if not context:
            if len(gpus) > 1:
                warnings.warn("You have multiple GPUs, gpu(0) will be used by default.To utilize all your GPUs, "
                              "specify context as a list of gpus, e.g. context=[mx.gpu(0), mx.gpu(1)] ")
            return [gpus[0]] if gpus else [cpu()]
        if isinstance(context, Context):
            context = [context]
        elif not (isinstance(context, list) and all(isinstance(c, Context) for c in context)):
            raise ValueError("context must be a Context or a list of Context, for example mx.cpu() or "
                             f"[mx.gpu(0), mx.gpu(1)], refer to mxnet.Context:{context}")
        for ctx in context:
            if ctx not in gpus and not str(ctx).startswith("cpu"):
                raise AssertionError(f"{ctx} is not available, please make sure your context is in one of: "
                                     f"mx.cpu(), {', '.join(str(g) for g in gpus)}")
        return context

    @staticmethod
    def _check_batch_processor(batch_processor):
        if batch_processor is None:
            return BatchProcessor()
        if not callable(getattr(batch_processor, "fit_batch", None)) or \
                not callable(getattr(batch_processor, "evaluate_batch", None)):
            raise ValueError("Customized Batch Processor must contain fit_batch() and evaluate_batch() methods")
        return batch_processor

    def _is_initialized(self):
        params = self.net.collect_params()
        try:
            for name in params:
                params[name].list_ctx()
        except ParameterNotInitializedError:
            return False
        return True

    def _initialize(self, initializer):
        if not self._is_initialized():
            # layers already initialized are left as they are
            if initializer:
                self.net.initialize(init=initializer, ctx=self.context)
            else:
                self.net.initialize(ctx=self.context)
        elif initializer:
            warnings.warn("Network already fully initialized, skipping initialization. You don't need to pass "
                          "initializer if you already initialized your net. You can use "
                          "net.initialize(init=your_initializer, force_reinit=True)to force re-initialize.")

    def _check_trainer(self, trainer):
        if not trainer:
            warnings.warn("No trainer specified, default SGD optimizer with learning rate 0.001 is used.")
            return Trainer(self.net.collect_params(), "sgd", {"learning_rate": 0.001})
        if not isinstance(trainer, Trainer):
            raise ValueError(f"Trainer must be a Gluon Trainer instance, refer to gluon.Trainer:{trainer}")
        return trainer

    def _add_default_training_metrics(self):
        if not self._train_metrics:
            suggested = suggest_metric_for_loss(self.loss)
            if suggested:
                self._train_metrics = [suggested]
            self._train_metrics.append(LossMetric(self.loss.name.rstrip("1234567890")))
        for metric in self._train_metrics:
            metric.name = "training " + metric.name   # handlers tell training from validation by the name

    def _add_validation_metrics(self):
        if not self._val_metrics:
            self._val_metrics = [copy.deepcopy(metric) for metric in self._train_metrics]
        for metric in self._val_metrics:
            if "training" in metric.name:
                metric.name = metric.name.replace("training", "validation")
            else:
                metric.name = "validation " + metric.name

    @property
    def train_metrics(self):
        """The training metrics (names prefixed ``'training '``)."""
        return self._train_metrics

    @property
    def val_metrics(self):
        """The validation metrics (names prefixed ``'validation '``)."""
        return self._val_metrics

    # ------------------------------------------------------------------ loops
    def evaluate(self, val_data, batch_axis=0, event_handlers=None):
        """Run ``evaluate_batch`` over ``val_data`` (a DataLoader), updating the validation metrics; the given
        handlers plus a default MetricHandler and LoggingHandler see the epoch and batch events."""
        if not isinstance(val_data, DataLoader):
            raise ValueError("Estimator only support input as Gluon DataLoader. Alternatively, you can transform "
                             "your DataIter or any NDArray into Gluon DataLoader. Refer to gluon.data.DataLoader")
        for metric in self.val_metrics:
            metric.reset()
        handlers = self._prepare_default_validation_handlers(event_handlers)
        _, epoch_begin, batch_begin, batch_end, epoch_end, _ = self._categorize_handlers(handlers)
        for handler in epoch_begin:
            handler.epoch_begin(self)
        for batch in val_data:
            for handler in batch_begin:
                handler.batch_begin(self, batch=batch)
            _, label, pred, loss = self.batch_processor.evaluate_batch(self, batch, batch_axis)
            for handler in batch_end:
                handler.batch_end(self, batch=batch, pred=pred, label=label, loss=loss)
        for handler in epoch_end:
            handler.epoch_end(self)

    def fit(self, train_data, val_data=None, epochs=None, event_handlers=None, batches=None, batch_axis=0):
        """Train for ``epochs`` epochs or ``batches`` batches (exactly one of them) of ``train_data`` (a
        DataLoader), validating on ``val_data`` when given; stops early when a handler's ``batch_end`` or
        ``epoch_end`` returns True."""
        if not isinstance(train_data, DataLoader):
            raise ValueError("Estimator only support input as Gluon DataLoader. Alternatively, you can transform "
                             "your DataIter or any NDArray into Gluon DataLoader. Refer to gluon.data.dataloader")
        if (not epochs) == (not batches):
            raise ValueError("Fit only support exactly one type of iteration, train by number of epochs or number "
                             "of batches.Please specify one and only one of: epochs or batches.")
        self.max_epoch, self.max_batch, self.batch_axis = epochs, batches, batch_axis
        handlers = self._prepare_default_handlers(val_data, event_handlers)
        train_begin, epoch_begin, batch_begin, batch_end, epoch_end, train_end = self._categorize_handlers(handlers)
        for handler in train_begin:
            handler.train_begin(self)
        while True:
            for handler in epoch_begin:
                handler.epoch_begin(self)
            for batch in train_data:
                for handler in batch_begin:
                    handler.batch_begin(self, batch=batch)
                _, label, pred, loss = self.batch_processor.fit_batch(self, batch, batch_axis)
                # every batch_end handler runs before the stop decision
                stop = [handler.batch_end(self, batch=batch, pred=pred, label=label, loss=loss)
                        for handler in batch_end]
                if any(stop):
                    break
            if any([handler.epoch_end(self) for handler in epoch_end]):
                break
        for handler in train_end:
            handler.train_end(self)

    # ------------------------------------------------------------------ handlers
    def _prepare_default_handlers(self, val_data, event_handlers):
        handlers = check_event_handlers(event_handlers)
        added = [StoppingHandler(self.max_epoch, self.max_batch)]
        if not any(isinstance(h, GradientUpdateHandler) for h in handlers):
            added.append(GradientUpdateHandler())
        if not any(isinstance(h, MetricHandler) for h in handlers):
            added.append(MetricHandler(metrics=self.train_metrics))
        if not any(isinstance(h, ValidationHandler) for h in handlers) and val_data:
            added.append(ValidationHandler(val_data=val_data, eval_fn=self.evaluate))
        if not any(isinstance(h, LoggingHandler) for h in handlers):
            added.append(LoggingHandler(metrics=self.train_metrics))
        return self._merge_handlers(handlers, added, self.train_metrics + self.val_metrics)

    def _prepare_default_validation_handlers(self, event_handlers):
        handlers = check_event_handlers(event_handlers)
        added = []
        if not any(isinstance(h, MetricHandler) for h in handlers):
            added.append(MetricHandler(metrics=self.val_metrics))
        if not any(isinstance(h, LoggingHandler) for h in handlers):
            added.append(LoggingHandler(metrics=self.val_metrics))
        return self._merge_handlers(handlers, added, self.val_metrics)

    @staticmethod
    def _merge_handlers(handlers, added, known_metrics):
        """The user's handlers plus the defaults, sorted by priority; when both kinds are present every handler
        must refer only to metrics the estimator updates."""
        mixing = bool(handlers) and bool(added)
        handlers.extend(added)
        if mixing:
            known = set(known_metrics)
            for handler in handlers:
                check_handler_metric_ref(handler, known)
        handlers.sort(key=lambda handler: getattr(handler, "priority", 0))
        return handlers

    @staticmethod
    def _categorize_handlers(event_handlers):
        """Six lists, the handlers of each event (train begin, epoch begin, batch begin, batch end, epoch end,
        train end), so only handlers of an event are called for it."""
        return tuple([h for h in event_handlers if isinstance(h, event)] for event in _EVENTS)
