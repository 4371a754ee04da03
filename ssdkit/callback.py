"""``mx.callback``: MXNet 1.x's callbacks for ``Module.fit`` — checkpoints at epoch ends, logging of the
training metric and speed every few batches, a progress bar, validation-metric logging.

Batch callbacks receive a :data:`~ssdkit.model.BatchEndParam`; epoch callbacks ``(epoch, symbol, arg_params,
aux_params)``.

Examples
--------
>>> import ssdkit as mx
>>> speed = Speedometer(batch_size=32, frequent=10)
>>> speed(mx.model.BatchEndParam(epoch=0, nbatch=0, eval_metric=None, locals=None)); speed.init
True
"""
import logging
import math
import time

from .model import save_checkpoint

__all__ = ["module_checkpoint", "do_checkpoint", "log_train_metric", "Speedometer", "ProgressBar",
           "LogValidationMetricsCallback"]


def module_checkpoint(mod, prefix, period=1, save_optimizer_states=False):
    """An epoch callback saving ``mod``'s checkpoint every ``period`` epochs (epoch number ``iter_no + 1``).

    Examples
    --------
    >>> callable(module_checkpoint(None, 'prefix'))
    True
    """
    period = int(max(1, period))

    def _callback(iter_no, sym=None, arg=None, aux=None):
        if (iter_no + 1) % period == 0:
            mod.save_checkpoint(prefix, iter_no + 1, save_optimizer_states)
    return _callback


def do_checkpoint(prefix, period=1):
    """An epoch callback writing ``prefix-symbol.json`` and ``prefix-%04d.params`` every ``period`` epochs.

    Examples
    --------
    >>> import os, tempfile, ssdkit as mx
    >>> prefix = os.path.join(tempfile.mkdtemp(), 'm')
    >>> do_checkpoint(prefix)(0, mx.sym.var('x'), {'w': mx.nd.ones((1,))}, {})
    >>> sorted(os.listdir(os.path.dirname(prefix)))
    ['m-0001.params', 'm-symbol.json']
    """
    period = int(max(1, period))

    def _callback(iter_no, sym, arg, aux):
        if (iter_no + 1) % period == 0:
            save_checkpoint(prefix, iter_no + 1, sym, arg, aux)
    return _callback


def log_train_metric(period, auto_reset=False):
    """A batch callback logging the training metric every ``period`` batches (resetting its local part with
    ``auto_reset``).

    Examples
    --------
    >>> callable(log_train_metric(10))
    True
    """
    def _callback(param):
        if param.nbatch % period == 0 and param.eval_metric is not None:
            for name, value in param.eval_metric.get_name_value():
                logging.info("Iter[%d] Batch[%d] Train-%s=%f", param.epoch, param.nbatch, name, value)
            if auto_reset:
                param.eval_metric.reset_local()
    return _callback


class Speedometer:
    """A batch callback logging samples/second (and the metric) every ``frequent`` batches.

    Examples
    --------
    >>> Speedometer(16, frequent=5).frequent
    5
    """

    def __init__(self, batch_size, frequent=50, auto_reset=True):
        self.batch_size, self.frequent, self.auto_reset = batch_size, frequent, auto_reset
        self.init, self.tic, self.last_count = False, 0, 0

    def __call__(self, param):
        count = param.nbatch
        if self.last_count > count:   # a new epoch started
            self.init = False
        self.last_count = count
        if not self.init:
            self.init, self.tic = True, time.time()
            return
        if count % self.frequent:
            return
        elapsed = time.time() - self.tic
        speed = self.frequent * self.batch_size / elapsed if elapsed > 0 else float("inf")
        if param.eval_metric is None:
            logging.info("Iter[%d] Batch [%d]\tSpeed: %.2f samples/sec", param.epoch, count, speed)
        else:
            name_value = param.eval_metric.get_name_value()
            flat = [x for pair in name_value for x in pair]
            if self.auto_reset:
                param.eval_metric.reset_local()
                logging.info("Epoch[%d] Batch [%d-%d]\tSpeed: %.2f samples/sec" + "\t%s=%f" * len(name_value),
                             param.epoch, count - self.frequent, count, speed, *flat)
            else:
                logging.info("Epoch[%d] Batch [0-%d]\tSpeed: %.2f samples/sec" + "\t%s=%f" * len(name_value),
                             param.epoch, count, speed, *flat)
        self.tic = time.time()


class ProgressBar:
    """A batch callback logging a text progress bar over ``total`` batches.

    Examples
    --------
    >>> ProgressBar(total=4, length=8).bar_len
    8
    """

    def __init__(self, total, length=80):
        self.bar_len, self.total = length, total

    def __call__(self, param):
        count = param.nbatch
        filled = int(round(self.bar_len * count / float(self.total)))
        percents = math.ceil(100.0 * count / float(self.total))
        logging.info("[%s] %s%s\r", "=" * filled + "-" * (self.bar_len - filled), percents, "%")


class LogValidationMetricsCallback:
    """An eval-end callback logging the validation metric of the epoch.

    Examples
    --------
    >>> LogValidationMetricsCallback()(type('P', (), {'eval_metric': None})())
    """

    def __call__(self, param):
        if not param.eval_metric:
            return
        for name, value in param.eval_metric.get_name_value():
            logging.info("Epoch[%d] Validation-%s=%f", param.epoch, name, value)
