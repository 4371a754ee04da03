"""``BucketingModule``: one :class:`~ssdkit.module.Module` per bucket key (e.g. a sequence length), each
from ``sym_gen(key)``, all sharing the default bucket's parameter and gradient arrays and its optimizer.
A batch's ``bucket_key`` chooses the module that runs it.

Examples
--------
>>> import ssdkit as mx
>>> def sym_gen(key):
...     w = mx.sym.var('w', shape=(1,), init=mx.init.One())
...     return mx.sym.make_loss(mx.sym.broadcast_mul(mx.sym.var('data'), w)), ('data',), None
>>> mod = BucketingModule(sym_gen, default_bucket_key=3)
>>> mod.bind([('data', (2,))]); mod.init_params()
>>> mod.forward_backward(mx.io.DataBatch([mx.nd.ones((2,))], bucket_key=5,
...                                      provide_data=[mx.io.DataDesc('data', (2,))]))
>>> sorted(mod._buckets), mod.get_params()[0]['w'].asnumpy()
([3, 5], array([1.], dtype=float32))
"""
import logging
import warnings

import numpy as np

from ..base import MXNetError
from ..initializer import Uniform
from .. import ndarray as nd
from ..symbol import load as load_symbol
from ..symbol.naming import NameManager
from .base_module import BaseModule
from .module import Module, _check_names
from ..model import load_params

__all__ = ["BucketingModule"]


class BucketingModule(BaseModule):
    """Modules per bucket key sharing parameters.

    Parameters
    ----------
    sym_gen : callable
        ``sym_gen(bucket_key) -> (symbol, data_names, label_names)``.
    default_bucket_key : hashable
        The bucket bound first; it owns the parameters (use the largest bucket).
    context, work_load_list, fixed_param_names, state_names, group2ctxs, compression_params :
        As for :class:`~ssdkit.module.Module`.
    """

    def __init__(self, sym_gen, default_bucket_key=None, logger=logging, context=None, work_load_list=None,
                 fixed_param_names=None, state_names=None, group2ctxs=None, compression_params=None):
        super().__init__(logger=logger)
        if default_bucket_key is None:
            raise MXNetError("BucketingModule: default_bucket_key is required")
        self._default_bucket_key, self._sym_gen = default_bucket_key, sym_gen
        symbol, data_names, label_names = self._call_sym_gen(default_bucket_key)
        self._fixed_param_names = list(fixed_param_names or [])
        self._state_names = list(state_names or [])
        _check_names(symbol, list(data_names or []), "data", True)
        _check_names(symbol, list(label_names or []), "label", False)
        _check_names(symbol, self._state_names, "state", True)
        _check_names(symbol, self._fixed_param_names, "fixed_param", True)
        self._module_args = dict(logger=logger, context=context, work_load_list=work_load_list,
                                 fixed_param_names=self._fixed_param_names, state_names=self._state_names,
                                 group2ctxs=group2ctxs, compression_params=compression_params)
        self._buckets = {}
        self._curr_module = self._curr_bucket_key = None
        self._params_dirty = False
        self._monitor = None
        self._grad_req = None

    def _call_sym_gen(self, key):
        """``sym_gen(key)`` under a fresh name manager, so automatic names (``embedding0_weight``) are the same
        in every bucket, as MXNet does."""
        with NameManager():
            return self._sym_gen(key)

    def _module(self, key):
        symbol, data_names, label_names = self._call_sym_gen(key)
        return Module(symbol, data_names, label_names, **self._module_args)

    # ------------------------------------------------------------------ names, shapes, symbol
    @property
    def data_names(self):
        """Data names of the current bucket (of the default bucket before binding)."""
        return self._curr_module.data_names if self.binded else list(self._call_sym_gen(self._default_bucket_key)[1])

    @property
    def output_names(self):
        """Output names of the current bucket."""
        return self._curr_module.output_names if self.binded else \
            self._call_sym_gen(self._default_bucket_key)[0].list_outputs()

    data_shapes = property(lambda self: self._curr_module.data_shapes, doc="The current bucket's data shapes.")
    label_shapes = property(lambda self: self._curr_module.label_shapes, doc="The current bucket's label shapes.")
    output_shapes = property(lambda self: self._curr_module.output_shapes, doc="The current bucket's output shapes.")

    @property
    def symbol(self):
        """The current bucket's Symbol."""
        if not self.binded:
            raise MXNetError("BucketingModule.symbol: call bind() first")
        return self._curr_module.symbol

    # ------------------------------------------------------------------ parameters
    def get_params(self):
        """``(arg_params, aux_params)`` of the shared parameters."""
        if not self.params_initialized:
            raise MXNetError("BucketingModule.get_params: call init_params() (or load parameters) first")
        self._curr_module._params_dirty = self._params_dirty
        params = self._curr_module.get_params()
        self._params_dirty = False
        return params

    def _assign_params(self, arg_params, aux_params, allow_missing, force_init, allow_extra):
        self._curr_module.set_params(arg_params, aux_params, allow_missing=allow_missing, force_init=force_init,
                                     allow_extra=allow_extra)

    def init_params(self, initializer=Uniform(0.01), arg_params=None, aux_params=None, allow_missing=False,
                    force_init=False, allow_extra=False):
        """Initialize the shared parameters (through the current bucket's module)."""
        if self.params_initialized and not force_init:
            return
        if not self.binded:
            raise MXNetError("BucketingModule.init_params: call bind() first")
        self._curr_module.init_params(initializer=initializer, arg_params=arg_params, aux_params=aux_params,
                                      allow_missing=allow_missing, force_init=force_init, allow_extra=allow_extra)
        self._params_dirty = False
        self.params_initialized = True

    def get_states(self, merge_multi_context=True):
        """The current bucket's state inputs."""
        return self._curr_module.get_states(merge_multi_context)

    def set_states(self, states=None, value=None):
        """Set the current bucket's state inputs."""
        self._curr_module.set_states(states, value)

    # ------------------------------------------------------------------ binding and buckets
    def bind(self, data_shapes, label_shapes=None, for_training=True, inputs_need_grad=False, force_rebind=False,
             shared_module=None, grad_req="write"):
        """Bind the default bucket (its shapes should be the largest)."""
        params = self.get_params() if self.params_initialized else None
        if force_rebind:
            self.binded, self._buckets, self._curr_module, self._curr_bucket_key = False, {}, None, None
        if self.binded:
            self.logger.warning("Already bound, ignoring bind()")
            return
        if shared_module is not None:
            raise MXNetError("BucketingModule.bind: shared_module is not supported for BucketingModule")
        self.for_training, self.inputs_need_grad, self._grad_req = for_training, inputs_need_grad, grad_req
        module = self._buckets.get(self._default_bucket_key) or self._module(self._default_bucket_key)
        module.bind(data_shapes, label_shapes, for_training, inputs_need_grad, force_rebind=False,
                    shared_module=None, grad_req=grad_req)
        self._curr_module, self._curr_bucket_key = module, self._default_bucket_key
        self._buckets[self._default_bucket_key] = module
        self.binded = True
        if params is not None:
            self.set_params(*params)

    def switch_bucket(self, bucket_key, data_shapes, label_shapes=None):
        """Make ``bucket_key`` current, binding its module (sharing the default bucket's arrays) if new."""
        if not self.binded:
            raise MXNetError("BucketingModule.switch_bucket: call bind() first")
        module = self._buckets.get(bucket_key)
        if module is None or not module.binded:  # new, or loaded by BucketingModule.load and not bound yet
            module = module or self._module(bucket_key)
            module.bind(data_shapes, label_shapes, self._curr_module.for_training,
                        self._curr_module.inputs_need_grad, force_rebind=False,
                        shared_module=self._buckets[self._default_bucket_key], grad_req=self._grad_req)
            if self._monitor is not None:
                module.install_monitor(self._monitor)
            self._buckets[bucket_key] = module
        self._curr_module, self._curr_bucket_key = self._buckets[bucket_key], bucket_key

    def init_optimizer(self, kvstore="local", optimizer="sgd", optimizer_params=(("learning_rate", 0.01),),
                       force_init=False):
        """Create the optimizer on the current bucket; every bucket uses it."""
        if self.optimizer_initialized and not force_init:
            self.logger.warning("optimizer already initialized, ignoring.")
            return
        self._curr_module.init_optimizer(kvstore, optimizer, optimizer_params, force_init=force_init)
        for module in self._buckets.values():
            if module is not self._curr_module:
                module.borrow_optimizer(self._curr_module)
        self.optimizer_initialized = True

    # ------------------------------------------------------------------ computation
    def prepare(self, data_batch, sparse_row_id_fn=None):
        """Bind the batch's bucket ahead of its forward (and stay on the current bucket)."""
        current = self._curr_bucket_key
        self.switch_bucket(data_batch.bucket_key, data_batch.provide_data, data_batch.provide_label)
        self._curr_module.prepare(data_batch, sparse_row_id_fn=sparse_row_id_fn)
        self.switch_bucket(current, None, None)

    def forward(self, data_batch, is_train=None):
        """Run the batch on its bucket's module."""
        self._check_ready("forward")
        self.switch_bucket(data_batch.bucket_key, data_batch.provide_data, data_batch.provide_label)
        self._curr_module.forward(data_batch, is_train=is_train)

    def backward(self, out_grads=None):
        """Backward on the current bucket."""
        self._curr_module.backward(out_grads=out_grads)

    def update(self):
        """Optimizer step on the shared parameters."""
        self._check_ready("update", optimizer=True)
        self._params_dirty = True
        self._curr_module.update()

    def get_outputs(self, merge_multi_context=True):
        """Outputs of the current bucket."""
        return self._curr_module.get_outputs(merge_multi_context)

    def get_input_grads(self, merge_multi_context=True):
        """Input gradients of the current bucket."""
        return self._curr_module.get_input_grads(merge_multi_context)

    def update_metric(self, eval_metric, labels, pre_sliced=False):
        """Update ``eval_metric`` from the current bucket's outputs."""
        self._curr_module.update_metric(eval_metric, labels, pre_sliced)

    def install_monitor(self, mon):
        """Attach a monitor to every bucket."""
        self._monitor = mon
        for module in self._buckets.values():
            module.install_monitor(mon)

    def save_checkpoint(self, prefix, epoch, remove_amp_cast=False):
        """MXNet's bucketing checkpoint: the shared parameters (``prefix-%04d.params``), each bucket's symbol
        (``prefix-<key>-symbol.json``) and the int32 bucket keys (``prefix.buckets``); :meth:`load` reads it."""
        if not self._buckets:
            raise MXNetError("BucketingModule.save_checkpoint: an unbound BucketingModule cannot be saved")
        self.save_params(f"{prefix}-{epoch:04d}.params")
        for key in self._buckets:
            self._call_sym_gen(key)[0].save(f"{prefix}-{key}-symbol.json", remove_amp_cast=remove_amp_cast)
        nd.save(f"{prefix}.buckets", nd.array(list(self._buckets), dtype=np.int32))

    @staticmethod
    def load(prefix, epoch, sym_gen=None, default_bucket_key=None, **kwargs):
        """A BucketingModule from :meth:`save_checkpoint`'s files: a module per saved bucket (its saved
        symbol, names from ``sym_gen``), the parameters set; bind it next. ``kwargs`` go to the constructor.

        Examples
        --------
        >>> import os, tempfile
        >>> import ssdkit as mx
        >>> mod = BucketingModule(lambda k: (mx.sym.FullyConnected(mx.sym.var('data'), num_hidden=2,
        ...                                   name='fc'), ('data',), None), default_bucket_key=3)
        >>> mod.bind([('data', (1, 4))]); mod.init_params()
        >>> prefix = os.path.join(tempfile.mkdtemp(), 'bucket')
        >>> mod.save_checkpoint(prefix, 0)
        >>> again = BucketingModule.load(prefix, 0, mod._sym_gen, default_bucket_key=3)
        >>> sorted(again.get_params()[0]), again.params_initialized
        (['fc_bias', 'fc_weight'], True)
        """
        if sym_gen is None:
            raise MXNetError("BucketingModule.load: sym_gen is required")
        if default_bucket_key is None:
            raise MXNetError("BucketingModule.load: default_bucket_key is required")
        keys = [int(k) for k in nd.load(f"{prefix}.buckets")[0].asnumpy().astype(np.int32)]
        module = BucketingModule(sym_gen, default_bucket_key, **kwargs)
        for key in keys:
            _, data_names, label_names = module._call_sym_gen(key)
            module._buckets[key] = Module(load_symbol(f"{prefix}-{key}-symbol.json"), data_names, label_names,
                                          **module._module_args)
        if default_bucket_key not in module._buckets:
            raise MXNetError(f"BucketingModule.load: default_bucket_key {default_bucket_key} is not among the "
                             f"saved buckets {keys}")
        module._curr_module = module._buckets[default_bucket_key]
        arg_params, aux_params = load_params(prefix, epoch)
        module._curr_module._arg_params, module._curr_module._aux_params = arg_params, aux_params
        module._curr_module.params_initialized = module.params_initialized = True
        return module
