"""``CheckpointHandler``: save the network's parameters (``.params``) and the trainer's states (``.states``,
ssdkit's pickle-free optimizer-state file) every ``epoch_period`` epochs / ``batch_period`` batches as
``<prefix>-epoch<E>batch<B>``, keep the last ``max_checkpoints``, optionally the best by a monitored metric
(``<prefix>-best``), write the symbol of a hybridized network once (``<prefix>-symbol.json``), and resume from
the newest checkpoint.

``mode='auto'`` picks the comparison as MXNet 1.9.1 does: its test of the metric name (``'acc' or 'f1' in
name``) is always true, so auto always means "greater is better", with a warning saying so.

Examples
--------
>>> import ssdkit as mx
>>> monitor_comparison('min', mx.metric.Loss(), 'CheckpointHandler') is np.less
True
"""
import os
import warnings

import numpy as np

from ....base import MXNetError
from ....metric import EvalMetric
from .events import TrainBegin, BatchEnd, EpochEnd

__all__ = ["CheckpointHandler", "monitor_comparison"]


def monitor_comparison(mode, monitor, who):
    """``np.less`` for ``'min'``, ``np.greater`` for ``'max'`` and (as MXNet 1.9.1) for ``'auto'``; an unknown
    mode warns and falls back to auto.

    Examples
    --------
    >>> import ssdkit as mx
    >>> monitor_comparison('max', mx.metric.Accuracy(), 'CheckpointHandler') is np.greater
    True
    """
    if mode not in ("auto", "min", "max"):
        warnings.warn(f"{who} mode {mode} is unknown, fallback to auto mode. {who} will use max mode for f1 and "
                      "accuracy metric comparison and use min mode other wise", RuntimeWarning)
        mode = "auto"
    if mode == "min":
        return np.less
    if mode == "auto":
        name = monitor.get()[0]
        warnings.warn(f"`greater` operator will be used to determine if {name} has improved. Please specify "
                      "`mode='min'` to use the `less` operator. Specify `mode='max' to disable this warning.`")
    return np.greater


class CheckpointHandler(TrainBegin, BatchEnd, EpochEnd):
    """Save (and resume from) checkpoints of the estimator's network and trainer.

    Parameters
    ----------
    model_dir : str
        Folder of the checkpoint files (created if missing).
    model_prefix : str
    monitor : EvalMetric, optional
        Metric deciding the best checkpoint (needed with ``save_best``).
    verbose : int
        1 logs every save.
    save_best : bool
    mode : {'auto', 'min', 'max'}
    epoch_period, batch_period : int or None
    max_checkpoints : int
        Older periodic checkpoints beyond this many are deleted (the best one is not counted).
    resume_from_checkpoint : bool
        Load the newest ``<prefix>-epoch<E>batch<B>`` files at train begin and shorten the budget.

    Examples
    --------
    >>> import tempfile
    >>> handler = CheckpointHandler(tempfile.mkdtemp(), epoch_period=2)
    >>> handler.model_prefix, handler.max_checkpoints
    ('model', 5)
    """

    def __init__(self, model_dir, model_prefix="model", monitor=None, verbose=0, save_best=False, mode="auto",
                 epoch_period=1, batch_period=None, max_checkpoints=5, resume_from_checkpoint=False):
        self.monitor = monitor
        self.verbose = verbose
        os.makedirs(model_dir, exist_ok=True)
        self.model_dir = model_dir
        self.model_prefix = model_prefix
        self.save_best = save_best
        if self.save_best and not isinstance(self.monitor, EvalMetric):
            raise ValueError("To save best model only, please provide one of the metric objects from "
                             "estimator.train_metrics and estimator.val_metrics as monitor.")
        self.epoch_period = epoch_period
        self.batch_period = batch_period
        self.current_batch = 0
        self.current_epoch = 0
        self.max_checkpoints = max_checkpoints
        self.resume_from_checkpoint = resume_from_checkpoint
        self.saved_checkpoints = []
        self.trained_epoch = self.trained_batch = -1
        if self.save_best:
            self.monitor_op = monitor_comparison(mode, monitor, "CheckpointHandler")
            self.best = np.inf if self.monitor_op is np.less else -np.inf

    def train_begin(self, estimator, *args, **kwargs):
        self.current_epoch = 0
        self.current_batch = 0
        if self.save_best:
            self.best = np.inf if self.monitor_op is np.less else -np.inf
        if self.resume_from_checkpoint:
            same_kind = (bool(self.batch_period) and not self.epoch_period) if estimator.max_batch else \
                (bool(self.epoch_period) and not self.batch_period)
            if not same_kind:
                raise MXNetError("To use resume from checkpoint, you must only specify the same type of period you "
                                 "used for training. For example, if you are training based on number of epochs, "
                                 "you must save only based on epochs, and set batch_period to None.")
            self._resume_from_checkpoint(estimator)

    def batch_end(self, estimator, *args, **kwargs):
        if self.current_batch == 0:
            self._save_symbol(estimator)
        if self.batch_period and (self.current_batch + 1) % self.batch_period == 0:
            self._save_checkpoint(estimator)
        self.current_batch += 1

    def epoch_end(self, estimator, *args, **kwargs):
        if self.epoch_period and (self.current_epoch + 1) % self.epoch_period == 0:
            self._save_checkpoint(estimator)
        self.current_epoch += 1

    def _save_checkpoint(self, estimator):
        if self.resume_from_checkpoint:   # numbering continues after the checkpoint training resumed from
            epoch = self.current_epoch + self.trained_epoch + 1
            batch = self.current_batch + self.trained_batch + (0 if estimator.max_epoch else 1)
        else:
            epoch, batch = self.current_epoch, self.current_batch
        prefix = "%s-epoch%dbatch%d" % (self.model_prefix, epoch, batch)
        self._save_params_and_trainer(estimator, prefix)
        if self.verbose > 0:
            estimator.logger.info("[Epoch %d] CheckpointHandler: trained total %d batches, saving model at %s "
                                  "with prefix: %s", self.current_epoch, self.current_batch + 1, self.model_dir, prefix)
        if self.save_best:
            self._save_if_best(estimator)

    def _save_if_best(self, estimator):
        name, value = self.monitor.get()
        if np.isnan(value):
            warnings.warn(RuntimeWarning(f"Skipping save best because {name} is not updated, make sure you pass one "
                                         "of the metric objects estimator.train_metrics and estimator.val_metrics "
                                         "as monitor"))
        elif self.monitor_op(value, self.best):
            prefix = self.model_prefix + "-best"
            self._save_params_and_trainer(estimator, prefix)
            if self.verbose > 0:
                estimator.logger.info("[Epoch %d] CheckpointHandler: %s improved from %0.5f to %0.5f, updating best "
                                      "model at %s with prefix: %s", self.current_epoch, name, self.best, value,
                                      self.model_dir, prefix)
            self.best = value
        elif self.verbose > 0:
            estimator.logger.info("[Epoch %d] CheckpointHandler: %s did not improve from %0.5f, skipping updating "
                                  "best model", self.current_batch, name, self.best)

    def _save_symbol(self, estimator):
        symbol_file = os.path.join(self.model_dir, self.model_prefix + "-symbol.json")
        if getattr(estimator.net, "_cached_graphs", None):
            from ...cached_op import predict_graph
            symbol, _ = predict_graph(estimator.net)
            (symbol if len(symbol) > 1 else symbol[0]).save(symbol_file)
        else:
            estimator.logger.info("Model architecture(symbol file) is not saved, please use HybridBlock to construct "
                                  "your model, and call net.hybridize() before passing to Estimator in order to save "
                                  "model architecture as %s.", symbol_file)

    def _save_params_and_trainer(self, estimator, file_prefix):
        estimator.net.save_parameters(os.path.join(self.model_dir, file_prefix + ".params"))
        estimator.trainer.save_states(os.path.join(self.model_dir, file_prefix + ".states"))
        if "best" in file_prefix:
            return
        self.saved_checkpoints.append(file_prefix)
        if len(self.saved_checkpoints) > self.max_checkpoints:
            oldest = self.saved_checkpoints.pop(0)
            for suffix in (".params", ".states"):   # only the files this handler wrote for that checkpoint
                path = os.path.join(self.model_dir, oldest + suffix)
                if os.path.isfile(path):
                    os.remove(path)

    def _resume_from_checkpoint(self, estimator):
        prefix = self.model_prefix + "-epoch"
        # as MXNet 1.9.1, checkpoints of an earlier run are not counted against max_checkpoints (never deleted)
        self.trained_epoch = self._find_max_iteration(prefix, "epoch", "batch")
        self.trained_batch = self._find_max_iteration(prefix + str(self.trained_epoch), "batch", ".params")
        if self.trained_epoch == -1:
            budget = ("%d batches" % estimator.max_batch) if estimator.max_batch else ("%d epochs" % estimator.max_epoch)
            estimator.logger.info("CheckpointHandler: No checkpoint found, training from scratch for " + budget)
            return
        msg = "CheckpointHandler: Checkpoint resumed from epoch %d batch %d, continue to train for " % (
            self.trained_epoch, self.trained_batch)
        for kind, trained in (("epoch", self.trained_epoch), ("batch", self.trained_batch)):
            budget = getattr(estimator, f"max_{kind}")
            if not budget:
                continue
            if trained >= budget - 1:
                raise ValueError(f"Found checkpoint with maximum number of {kind} {budget} reached, please specify "
                                 "resume_from_checkpoint=False (default value) if you wan to train from scratch.")
            setattr(estimator, f"max_{kind}", budget - trained - 1)   # train only what is left
            msg += "%d %ss " % (budget - trained - 1, kind)
        stem = os.path.join(self.model_dir, "%s-epoch%dbatch%d" % (self.model_prefix, self.trained_epoch,
                                                                   self.trained_batch))
        for path in (stem + ".params", stem + ".states"):
            if not os.path.exists(path):
                raise MXNetError(f"Failed to load checkpoint, {path} does not exist")
        estimator.net.load_parameters(stem + ".params", ctx=estimator.context)
        estimator.trainer.load_states(stem + ".states")
        estimator.logger.warning(msg)

    def _find_max_iteration(self, prefix, start, end):
        """The largest number between ``start`` and ``end`` in the names of ``<prefix>*.params`` files (-1 if
        none)."""
        max_iter = -1
        for fname in os.listdir(self.model_dir):
            if not (fname.startswith(prefix) and ".params" in fname):
                continue
            try:
                max_iter = max(max_iter, int(fname[fname.find(start) + len(start):fname.find(end)]))
            except ValueError:
                raise ValueError("Error parsing checkpoint file, please check your checkpoints have the format: "
                                 "{model_name}-epoch{epoch_number}batch{batch_number}.params, there should also be "
                                 "a .states file for each .params file ") from None
        return max_iter
