"""``BaseModule``: MXNet 1.x's training/inference loops written against the abstract module interface
(bind, init_params, init_optimizer, forward, backward, update, get_outputs, update_metric) that
:class:`~ssdkit.module.Module` implements over bound symbolic executors.

Examples
--------
>>> import numpy as np, ssdkit as mx
>>> net = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(mx.sym.var('data'), num_hidden=2, name='fc'), name='softmax')
>>> mod = mx.mod.Module(net)
>>> it = mx.io.NDArrayIter(np.ones((4, 3)), np.array([0, 1, 0, 1]), batch_size=2)
>>> mod.fit(it, num_epoch=1)
>>> mod.predict(it).shape
(4, 2)
"""
import logging
import time
import warnings

import numpy as np

from .. import metric as _metric
from ..base import MXNetError
from ..initializer import Uniform
from ..io import DataBatch, DataIter
from ..model import BatchEndParam, split_params
from ..ndarray import NDArray, array, concat
from .. import ndarray as nd

__all__ = ["BaseModule"]


def _as_list(obj):
    return obj if isinstance(obj, (list, tuple)) else [obj]


def _callbacks(callbacks, *args):
    if callbacks is not None:
        for callback in _as_list(callbacks):
            callback(*args)


class BaseModule:
    """The loops shared by every module: :meth:`fit`, :meth:`score`, :meth:`predict`, :meth:`iter_predict`,
    :meth:`forward_backward`, and the ``get_params``/``set_params``/``save_params``/``load_params`` helpers.

    Examples
    --------
    >>> import ssdkit as mx
    >>> isinstance(mx.mod.Module(mx.sym.var('data'), label_names=None), BaseModule)
    True
    """

    def __init__(self, logger=logging):
        self.logger = logger
        self.binded = False
        self.for_training = False
        self.inputs_need_grad = False
        self.params_initialized = False
        self.optimizer_initialized = False
        self._symbol = None
        self._total_exec_bytes = 0

    def _check_ready(self, what, optimizer=False):
        if not (self.binded and self.params_initialized):
            raise MXNetError(f"{type(self).__name__}.{what}: call bind() and init_params() first")
        if optimizer and not self.optimizer_initialized:
            raise MXNetError(f"{type(self).__name__}.{what}: call init_optimizer() first")

    # ------------------------------------------------------------------ high-level loops
    def forward_backward(self, data_batch):
        """``forward(data_batch, is_train=True)`` then ``backward()``."""
        self.forward(data_batch, is_train=True)
        self.backward()

    def score(self, eval_data, eval_metric, num_batch=None, batch_end_callback=None, score_end_callback=None,
              reset=True, epoch=0, sparse_row_id_fn=None):
        """Run ``eval_data`` in inference mode and return ``eval_metric``'s ``[(name, value)]``."""
        self._check_ready("score")
        if reset:
            eval_data.reset()
        if not isinstance(eval_metric, _metric.EvalMetric):
            eval_metric = _metric.create(eval_metric)
        eval_metric.reset()
        done = 0
        for nbatch, batch in enumerate(eval_data):
            if num_batch is not None and nbatch == num_batch:
                break
            self.prepare(batch, sparse_row_id_fn=sparse_row_id_fn)
            self.forward(batch, is_train=False)
            self._update_metric_of(eval_metric, batch)
            _callbacks(batch_end_callback, BatchEndParam(epoch, nbatch, eval_metric, locals()))
            done += 1
        _callbacks(score_end_callback, BatchEndParam(epoch, done, eval_metric, locals()))
        return eval_metric.get_name_value()

    def _update_metric_of(self, eval_metric, batch):
        if isinstance(batch, list):
            self.update_metric(eval_metric, [b.label for b in batch], pre_sliced=True)
        else:
            self.update_metric(eval_metric, batch.label)

    def iter_predict(self, eval_data, num_batch=None, reset=True, sparse_row_id_fn=None):
        """Yield ``(outputs, nbatch, batch)`` per batch, outputs without the batch's padding."""
        self._check_ready("iter_predict")
        if reset:
            eval_data.reset()
        for nbatch, batch in enumerate(eval_data):
            if num_batch is not None and nbatch == num_batch:
                break
            self.prepare(batch, sparse_row_id_fn=sparse_row_id_fn)
            self.forward(batch, is_train=False)
            pad = batch.pad or 0
            yield [out[0:out.shape[0] - pad] for out in self.get_outputs()], nbatch, batch

    def predict(self, eval_data, num_batch=None, merge_batches=True, reset=True, always_output_list=False,
                sparse_row_id_fn=None):
        """Outputs over ``eval_data`` (a DataIter, or one NDArray/numpy batch), padding removed; merged
        over batches into one array per output unless ``merge_batches=False``."""
        self._check_ready("predict")
        if isinstance(eval_data, (NDArray, np.ndarray)):
            data = array(eval_data) if isinstance(eval_data, np.ndarray) else eval_data
            self.forward(DataBatch([data]))
            return self.get_outputs()[0]
        if not isinstance(eval_data, DataIter):
            raise MXNetError(f"predict: eval_data must be an NDArray or a DataIter, got {type(eval_data).__name__}")
        outputs = [[o.copy() for o in outs] for outs, _, _ in
                   self.iter_predict(eval_data, num_batch, reset, sparse_row_id_fn)]
        if not outputs or not merge_batches:
            return outputs
        count = len(outputs[0])
        if any(len(outs) != count for outs in outputs):
            raise MXNetError("predict: cannot merge batches with different numbers of outputs "
                             "(bucketing?); pass merge_batches=False")
        merged = [concat(*[outs[i] for outs in outputs], dim=0) for i in range(count)]
        return merged[0] if count == 1 and not always_output_list else merged

    def fit(self, train_data, eval_data=None, eval_metric="acc", epoch_end_callback=None,
            batch_end_callback=None, kvstore="local", optimizer="sgd", optimizer_params=(("learning_rate", 0.01),),
            eval_end_callback=None, eval_batch_end_callback=None, initializer=None, arg_params=None,
            aux_params=None, allow_missing=False, force_rebind=False, force_init=False, begin_epoch=0,
            num_epoch=None, validation_metric=None, monitor=None, sparse_row_id_fn=None):
        """Train: bind, init_params (``initializer`` defaults to ``Uniform(0.01)``), init_optimizer, then per
        epoch forward_backward + update + update_metric per batch, callbacks, and ``score`` on ``eval_data``."""
        if num_epoch is None:
            raise MXNetError("fit: please specify num_epoch")
        self.bind(data_shapes=train_data.provide_data, label_shapes=train_data.provide_label,
                  for_training=True, force_rebind=force_rebind)
        if monitor is not None:
            self.install_monitor(monitor)
        self.init_params(initializer=Uniform(0.01) if initializer is None else initializer,
                         arg_params=arg_params, aux_params=aux_params, allow_missing=allow_missing,
                         force_init=force_init)
        self.init_optimizer(kvstore=kvstore, optimizer=optimizer, optimizer_params=optimizer_params)
        if validation_metric is None:
            validation_metric = eval_metric
        if not isinstance(eval_metric, _metric.EvalMetric):
            eval_metric = _metric.create(eval_metric)
        for epoch in range(begin_epoch, num_epoch):
            tic = time.time()
            eval_metric.reset()
            batches = iter(train_data)
            nbatch, end_of_batch, next_batch = 0, False, next(batches)
            while not end_of_batch:
                batch = next_batch
                if monitor is not None:
                    monitor.tic()
                self.forward_backward(batch)
                self.update()
                self._update_metric_of(eval_metric, batch)
                try:
                    next_batch = next(batches)
                    self.prepare(next_batch, sparse_row_id_fn=sparse_row_id_fn)
                except StopIteration:
                    end_of_batch = True
                if monitor is not None:
                    monitor.toc_print()
                if end_of_batch:
                    name_values = eval_metric.get_global_name_value()
                _callbacks(batch_end_callback, BatchEndParam(epoch, nbatch, eval_metric, locals()))
                nbatch += 1
            for name, value in name_values:
                self.logger.info("Epoch[%d] Train-%s=%f", epoch, name, value)
            self.logger.info("Epoch[%d] Time cost=%.3f", epoch, time.time() - tic)
            arg_params_now, aux_params_now = self.get_params()
            self.set_params(arg_params_now, aux_params_now)
            _callbacks(epoch_end_callback, epoch, self.symbol, arg_params_now, aux_params_now)
            if eval_data:
                for name, value in self.score(eval_data, validation_metric, score_end_callback=eval_end_callback,
                                              batch_end_callback=eval_batch_end_callback, epoch=epoch):
                    self.logger.info("Epoch[%d] Validation-%s=%f", epoch, name, value)
            train_data.reset()

    # ------------------------------------------------------------------ parameters
    @property
    def symbol(self):
        """The module's Symbol."""
        return self._symbol

    def prepare(self, data_batch, sparse_row_id_fn=None):
        """Hook before a batch (MXNet pulls sparse rows here); dense modules need nothing."""
        if sparse_row_id_fn is not None:
            raise MXNetError("prepare: sparse_row_id_fn needs row_sparse parameters; sparse storage is not "
                             "supported by ssdkit")

    def set_params(self, arg_params, aux_params, allow_missing=False, force_init=True, allow_extra=False):
        """Assign parameter and auxiliary-state values: all of them (``init_params`` with these dicts and no
        initializer) unless ``allow_missing``, when only the given ones are copied into the bound arrays."""
        if not allow_missing:
            self.init_params(initializer=None, arg_params=arg_params, aux_params=aux_params,
                             allow_missing=allow_missing, force_init=force_init, allow_extra=allow_extra)
            return
        if self.params_initialized and not force_init:
            warnings.warn("Parameters already initialized and force_init=False. set_params call ignored.",
                          stacklevel=2)
            return
        self._assign_params(arg_params, aux_params, allow_missing, force_init, allow_extra)
        self._params_dirty = True
        self.params_initialized = True

    def _assign_params(self, arg_params, aux_params, allow_missing, force_init, allow_extra):
        """Copy the given values into the bound arrays (subclasses: their executors or current module)."""
        self.init_params(initializer=None, arg_params=arg_params, aux_params=aux_params,
                         allow_missing=allow_missing, force_init=force_init, allow_extra=allow_extra)

    def save_params(self, fname):
        """Save parameters as ``arg:<name>`` / ``aux:<name>`` arrays (MXNet's ``.params`` format)."""
        arg_params, aux_params = self.get_params()
        saved = {f"arg:{k}": v for k, v in arg_params.items()}
        saved.update({f"aux:{k}": v for k, v in aux_params.items()})
        nd.save(fname, saved)

    def load_params(self, fname):
        """Load parameters written by :meth:`save_params`."""
        arg_params, aux_params = split_params(nd.load(fname), fname)
        self.set_params(arg_params, aux_params)

    def install_monitor(self, mon):
        """Install a Monitor on the bound executors."""
        raise MXNetError(f"{type(self).__name__} does not support install_monitor")

