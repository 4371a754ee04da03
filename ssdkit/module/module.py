"""``Module``: MXNet 1.x's symbolic training wrapper — a Symbol bound to executors on one or several
contexts (:mod:`.executor_group`), its parameters, an optimizer (directly, or through a kvstore that sums the
contexts' gradients) and checkpoints in MXNet's files.

Examples
--------
>>> import numpy as np, ssdkit as mx
>>> net = mx.sym.LinearRegressionOutput(mx.sym.FullyConnected(mx.sym.var('data'), num_hidden=1, name='fc'),
...                                     name='lro')
>>> mod = mx.mod.Module(net, label_names=['lro_label'])
>>> mod.bind(data_shapes=[('data', (2, 3))], label_shapes=[('lro_label', (2,))])
>>> mod.init_params(mx.init.One()); mod.init_optimizer(optimizer_params={'learning_rate': 0.1})
>>> mod.forward(mx.io.DataBatch([mx.nd.ones((2, 3))], [mx.nd.zeros((2,))])); mod.get_outputs()[0].asnumpy()
array([[3.],
       [3.]], dtype=float32)
"""
import logging
import warnings

from .. import optimizer as opt
from ..base import MXNetError
from ..context import Context, cpu
from ..initializer import InitDesc, Uniform
from ..io import DataDesc
from ..kvstore import KVStoreBase, select_kvstore
from ..model import load_checkpoint, save_checkpoint
from .base_module import BaseModule
from .executor_group import DataParallelExecutorGroup, zeros_like_params

__all__ = ["Module", "MissingParamError"]


class MissingParamError(MXNetError, RuntimeError):
    """A parameter has no value and ``allow_missing`` is False (a RuntimeError, as MXNet raises).

    Examples
    --------
    >>> issubclass(MissingParamError, RuntimeError)
    True
    """


def _check_names(symbol, names, kind, must_exist):
    args = symbol.list_arguments()
    for name in names:
        if name not in args:
            message = (f"Module: you created a Module with {kind} name {name!r} that is not an argument of the "
                       f"symbol; its arguments are {args}")
            if must_exist:
                raise MXNetError(message)
            warnings.warn(message, stacklevel=3)


def _descs(names, shapes, kind):
    if shapes is None:
        return None
    descs = [s if isinstance(s, DataDesc) else DataDesc(*s) for s in shapes]
    # the descs may come in any order (an iterator sorts its dict of arrays by name, as MXNet's does);
    # their order, not the module's, then decides which batch array feeds which input
    if sorted(d.name for d in descs) != sorted(names):
        raise MXNetError(f"Module.bind: {kind} shapes are given for {[d.name for d in descs]}, the module's "
                         f"{kind} names are {list(names)}")
    return descs


class Module(BaseModule):
    """A Symbol with parameters, trained and run over bound executors.

    Parameters
    ----------
    symbol : Symbol
    data_names, label_names : list of str
        Inputs fed from ``DataBatch.data`` / ``.label`` (defaults ``('data',)``, ``('softmax_label',)``).
    context : Context or list of Context
        Several contexts split each batch between them and sum the gradients (data parallelism).
    work_load_list : list of float, optional
        Relative batch share per context.
    fixed_param_names : list of str, optional
        Parameters that are not updated.
    state_names : list of str, optional
        Inputs that are neither data nor labels nor parameters (set with :meth:`set_states`).

    Examples
    --------
    >>> import ssdkit as mx
    >>> mod = mx.mod.Module(mx.sym.SoftmaxOutput(mx.sym.FullyConnected(mx.sym.var('data'), num_hidden=2,
    ...                     name='fc'), name='softmax'))
    >>> mod.data_names, mod.label_names, mod.output_names
    (['data'], ['softmax_label'], ['softmax_output'])
    """

    def __init__(self, symbol, data_names=("data",), label_names=("softmax_label",), logger=logging,
                 context=None, work_load_list=None, fixed_param_names=None, state_names=None, group2ctxs=None,
                 compression_params=None):
        super().__init__(logger=logger)
        context = cpu() if context is None else context
        self._context = [context] if isinstance(context, Context) else list(context)
        self._work_load_list = [1] * len(self._context) if work_load_list is None else list(work_load_list)
        if len(self._work_load_list) != len(self._context):
            raise MXNetError(f"Module: work_load_list has {len(self._work_load_list)} entries for "
                             f"{len(self._context)} contexts")
        self._symbol = symbol
        self._data_names = list(data_names or [])
        self._label_names = list(label_names or [])
        self._state_names = list(state_names or [])
        self._fixed_param_names = list(fixed_param_names or [])
        _check_names(symbol, self._data_names, "data", True)
        _check_names(symbol, self._label_names, "label", False)
        _check_names(symbol, self._state_names, "state", True)
        _check_names(symbol, self._fixed_param_names, "fixed_param", True)
        inputs = self._data_names + self._label_names + self._state_names
        self._param_names = [n for n in symbol.list_arguments() if n not in inputs]
        self._aux_names = symbol.list_auxiliary_states()
        self._output_names = symbol.list_outputs()
        self._compression_params = compression_params
        self._group2ctxs = group2ctxs
        self._arg_params = self._aux_params = None
        self._params_dirty = False
        self._optimizer = self._kvstore = self._updater = self._update_on_kvstore = None
        self._preload_opt_states = None
        self._exec_group = None
        self._grad_req = None
        self._data_shapes = self._label_shapes = None

    # ------------------------------------------------------------------ checkpoints
    @staticmethod
    def load(prefix, epoch, load_optimizer_states=False, **kwargs):
        """A Module from ``prefix-symbol.json`` and ``prefix-%04d.params`` (and ``prefix-%04d.states`` with
        ``load_optimizer_states``, applied at ``init_optimizer``); ``kwargs`` go to the constructor."""
        symbol, args, auxs = load_checkpoint(prefix, epoch)
        mod = Module(symbol=symbol, **kwargs)
        mod._arg_params, mod._aux_params = args, auxs
        mod.params_initialized = True
        if load_optimizer_states:
            mod._preload_opt_states = f"{prefix}-{epoch:04d}.states"
        return mod

    def save_checkpoint(self, prefix, epoch, save_optimizer_states=False, remove_amp_cast=True):
        """Write ``prefix-symbol.json``, ``prefix-%04d.params`` and optionally ``prefix-%04d.states``."""
        self._symbol.save(f"{prefix}-symbol.json", remove_amp_cast=remove_amp_cast)
        arg_params, aux_params = self.get_params()
        save_checkpoint(prefix, epoch, None, arg_params, aux_params)
        if save_optimizer_states:
            name = f"{prefix}-{epoch:04d}.states"
            self.save_optimizer_states(name)
            logging.info('Saved optimizer state to "%s"', name)

    # ------------------------------------------------------------------ names and shapes
    data_names = property(lambda self: self._data_names, doc="Names of the data inputs.")
    label_names = property(lambda self: self._label_names, doc="Names of the label inputs.")
    output_names = property(lambda self: self._output_names, doc="Names of the outputs.")

    @property
    def data_shapes(self):
        """``DataDesc`` of each data input, as bound."""
        self._check_bound("data_shapes")
        return self._data_shapes

    @property
    def label_shapes(self):
        """``DataDesc`` of each label input, as bound (None when bound without labels)."""
        self._check_bound("label_shapes")
        return self._label_shapes

    @property
    def output_shapes(self):
        """``[(name, shape)]`` of the outputs for the bound batch."""
        self._check_bound("output_shapes")
        shapes = {d.name: d.shape for d in self._data_shapes + (self._label_shapes or [])}
        _, out_shapes, _ = self._symbol.infer_shape(**{n: s for n, s in shapes.items()
                                                       if n in self._symbol.list_arguments()})
        return list(zip(self._output_names, [tuple(s) for s in out_shapes]))

    def _check_bound(self, what):
        if not self.binded:
            raise MXNetError(f"Module.{what}: call bind() first")

    # ------------------------------------------------------------------ parameters
    def get_params(self):
        """``(arg_params, aux_params)``: name -> NDArray on the CPU, averaged over the contexts (the loaded or
        set values before binding, as MXNet)."""
        if not self.params_initialized:
            raise MXNetError("Module.get_params: call init_params() (or load or set parameters) first")
        if self._params_dirty:
            self._exec_group.get_params(self._arg_params, self._aux_params)
            self._params_dirty = False
        return self._arg_params, self._aux_params

    def init_params(self, initializer=None, arg_params=None, aux_params=None, allow_missing=False,
                    force_init=False, allow_extra=False):
        """Give every parameter a value: from ``arg_params`` / ``aux_params`` where named there, else from
        ``initializer`` (default ``Uniform(0.01)``; missing names without ``allow_missing`` raise)."""
        if self.params_initialized and not force_init:
            warnings.warn("Parameters already initialized and force_init=False. init_params call ignored.",
                          stacklevel=2)
            return
        self._check_bound("init_params")
        if initializer is None and arg_params is None and aux_params is None:
            initializer = Uniform(0.01)
        attrs = self._symbol.attr_dict()

        def fill(name, arr, given):
            desc = InitDesc(name, attrs.get(name, None))
            if given is not None:
                if name in given:
                    if given[name] is not arr:
                        if tuple(given[name].shape) != arr.shape:
                            raise MXNetError(f"init_params: {name} has shape {tuple(given[name].shape)}, the "
                                             f"module expects {arr.shape}")
                        arr._data[...] = given[name].asnumpy()
                    return
                if not allow_missing:
                    raise MissingParamError(f"init_params: {name} is not presented (pass allow_missing=True to "
                                     "initialize it)")
            if initializer is not None:
                initializer(desc, arr)

        for name, arr in sorted(self._arg_params.items()):
            fill(name, arr, arg_params)
        for name, arr in sorted(self._aux_params.items()):
            fill(name, arr, aux_params)
        self.params_initialized = True
        self._params_dirty = False
        self._exec_group.set_params(self._arg_params, self._aux_params, allow_extra=allow_extra)

    def _assign_params(self, arg_params, aux_params, allow_missing, force_init, allow_extra):
        self._exec_group.set_params(arg_params, aux_params, allow_extra=allow_extra)

    # ------------------------------------------------------------------ binding
    def bind(self, data_shapes, label_shapes=None, for_training=True, inputs_need_grad=False,
             force_rebind=False, shared_module=None, grad_req="write"):
        """Bind executors for these input shapes (``DataDesc`` or ``(name, shape)``)."""
        if force_rebind:
            self._exec_group = None
            self.binded = False
        if self.binded:
            self.logger.warning("Already bound, ignoring bind()")
            return
        self.for_training, self.inputs_need_grad = for_training, inputs_need_grad
        self._grad_req = grad_req
        self._data_shapes = _descs(self._data_names, data_shapes, "data")
        self._label_shapes = _descs(self._label_names, label_shapes, "label")
        shared_group = None
        if shared_module is not None:
            if not (shared_module.binded and shared_module.params_initialized):
                raise MXNetError("Module.bind: shared_module must be bound and initialized")
            shared_group = shared_module._exec_group
        self._exec_group = DataParallelExecutorGroup(
            self._symbol, self._context, self._work_load_list, self._data_shapes, self._label_shapes,
            self._param_names, for_training, inputs_need_grad, shared_group, self.logger,
            self._fixed_param_names, grad_req, self._state_names, self._group2ctxs)
        self.binded = True
        if shared_module is not None:
            self.params_initialized = True
            self._arg_params, self._aux_params = shared_module._arg_params, shared_module._aux_params
        elif self.params_initialized:   # loaded or set before binding: copy into the executors
            self._exec_group.set_params(self._arg_params, self._aux_params)
        else:
            self._arg_params, self._aux_params = zeros_like_params(self._exec_group)
        if shared_module is not None and shared_module.optimizer_initialized:
            self.borrow_optimizer(shared_module)

    def reshape(self, data_shapes, label_shapes=None):
        """Re-bind for new input shapes, keeping parameters and optimizer."""
        self._check_bound("reshape")
        self._data_shapes = _descs(self._data_names, data_shapes, "data")
        self._label_shapes = _descs(self._label_names, label_shapes, "label")
        self._exec_group.reshape(self._data_shapes, self._label_shapes)

    # ------------------------------------------------------------------ optimizer
    def init_optimizer(self, kvstore="local", optimizer="sgd", optimizer_params=(("learning_rate", 0.01),),
                       force_init=False):
        """Create the optimizer (``rescale_grad`` = 1 / batch size unless given) and, for several contexts
        or a given KVStore, the kvstore that sums gradients and applies the update."""
        self._check_ready("init_optimizer")
        if self.optimizer_initialized and not force_init:
            self.logger.warning("optimizer already initialized, ignoring...")
            return
        if self._params_dirty:
            self.get_params()
        kv, update_on_kvstore = self._create_kvstore(kvstore)
        batch_size = self._exec_group.batch_size
        if kv is not None and "dist" in kv.type and "_sync" in kv.type:
            batch_size *= kv.num_workers
        rescale_grad = 1.0 / batch_size
        names = self._exec_group.param_names
        ndev = len(self._context)
        if update_on_kvstore:
            idx2name = dict(enumerate(names))
        else:
            idx2name = {i * ndev + k: n for k in range(ndev) for i, n in enumerate(names)}
        if isinstance(optimizer, str):
            params = dict(optimizer_params)
            params.setdefault("rescale_grad", rescale_grad)
            optimizer = opt.create(optimizer, sym=self._symbol, param_idx2name=idx2name, **params)
        else:
            if not isinstance(optimizer, opt.Optimizer):
                raise MXNetError(f"init_optimizer: optimizer must be a name or an Optimizer, got "
                                 f"{type(optimizer).__name__}")
            if optimizer.rescale_grad != rescale_grad:
                warnings.warn("Optimizer created manually outside Module but rescale_grad is not normalized to "
                              f"1.0/batch_size/num_workers ({optimizer.rescale_grad} vs. {rescale_grad}). "
                              "Is this intended?", stacklevel=2)
            if not optimizer.idx2name:
                optimizer.idx2name = idx2name.copy()
        self._optimizer, self._kvstore, self._update_on_kvstore = optimizer, kv, update_on_kvstore
        self._updater = None
        if kv is not None:
            if update_on_kvstore:
                kv.set_optimizer(optimizer)
            for name, on_devices in zip(names, self._exec_group.param_arrays):
                kv.init(name, self._arg_params[name])
                if update_on_kvstore:
                    kv.pull(name, out=on_devices)
        if not update_on_kvstore:
            self._updater = opt.get_updater(optimizer)
        self.optimizer_initialized = True
        if self._preload_opt_states is not None:
            self.load_optimizer_states(self._preload_opt_states)
            self._preload_opt_states = None

    def _create_kvstore(self, kvstore):
        """MXNet's choice: no kvstore for one context and a local store name; else the store, updating on it
        when it can (and, for 'local', when no parameter is huge)."""
        if kvstore is not None and not isinstance(kvstore, (str, KVStoreBase)):
            raise MXNetError(f"init_optimizer: kvstore must be a KVStore, a name or None, got {type(kvstore).__name__}")
        return select_kvstore(kvstore, len(self._context), [a.shape for a in self._arg_params.values()])

    def borrow_optimizer(self, shared_module):
        """Use ``shared_module``'s optimizer, kvstore and updater."""
        if not shared_module.optimizer_initialized:
            raise MXNetError("borrow_optimizer: the shared module has no optimizer yet")
        self._optimizer, self._kvstore = shared_module._optimizer, shared_module._kvstore
        self._update_on_kvstore, self._updater = shared_module._update_on_kvstore, shared_module._updater
        self.optimizer_initialized = True

    def save_optimizer_states(self, fname):
        """Write the optimizer states (the updater's, or the kvstore's when it updates) to ``fname``."""
        self._check_ready("save_optimizer_states", optimizer=True)
        if self._update_on_kvstore:
            self._kvstore.save_optimizer_states(fname)
        else:
            with open(fname, "wb") as fout:
                fout.write(self._updater.get_states())

    def load_optimizer_states(self, fname):
        """Read optimizer states written by :meth:`save_optimizer_states`."""
        self._check_ready("load_optimizer_states", optimizer=True)
        if self._update_on_kvstore:
            self._kvstore.load_optimizer_states(fname)
        else:
            with open(fname, "rb") as fin:
                self._updater.set_states(fin.read())

    # ------------------------------------------------------------------ computation
    def forward(self, data_batch, is_train=None):
        """Run the batch (re-binding first when its shapes differ from the bound ones)."""
        self._check_ready("forward")
        new_data = [tuple(d.shape) for d in data_batch.data]
        old_data = [d.shape for d in self._data_shapes]
        if new_data != old_data:
            data_descs = getattr(data_batch, "provide_data", None) or \
                [DataDesc(d.name, s, d.dtype, d.layout) for d, s in zip(self._data_shapes, new_data)]
            label_descs = getattr(data_batch, "provide_label", None)
            if not label_descs and self._label_shapes and data_batch.label:
                label_descs = [DataDesc(d.name, tuple(l.shape), d.dtype, d.layout)
                               for d, l in zip(self._label_shapes, data_batch.label)]
            self.reshape(data_descs, label_descs or None)
        self._exec_group.forward(data_batch, is_train)

    def backward(self, out_grads=None):
        """Backward of the last forward (``out_grads`` for outputs that are not loss heads)."""
        self._check_ready("backward")
        self._exec_group.backward(out_grads=out_grads)

    def update(self):
        """One optimizer step on the gradients of the last backward (summed over the contexts)."""
        self._check_ready("update", optimizer=True)
        self._params_dirty = True
        params, grads = self._exec_group.param_arrays, self._exec_group.grad_arrays
        names = self._exec_group.param_names
        ndev = len(self._context)
        for index, (name, weights, grad_list) in enumerate(zip(names, params, grads)):
            if grad_list[0] is None:
                continue
            if self._update_on_kvstore:
                self._kvstore.push(name, grad_list, priority=-index)
                self._kvstore.pull(name, out=weights, priority=-index)
                continue
            if self._kvstore is not None:
                self._kvstore.push(name, grad_list, priority=-index)
                self._kvstore.pull(name, out=grad_list, priority=-index)
            for k, (w, g) in enumerate(zip(weights, grad_list)):
                self._updater(index * ndev + k, g, w)

    def get_outputs(self, merge_multi_context=True):
        """Outputs of the last forward (per context lists with ``merge_multi_context=False``)."""
        self._check_ready("get_outputs")
        return self._exec_group.get_outputs(merge_multi_context)

    def get_input_grads(self, merge_multi_context=True):
        """Gradients of the data inputs (bind with ``inputs_need_grad=True``)."""
        self._check_ready("get_input_grads")
        return self._exec_group.get_input_grads(merge_multi_context)

    def get_states(self, merge_multi_context=True):
        """Values of the ``state_names`` inputs."""
        self._check_ready("get_states")
        return self._exec_group._merge([[ex.arg_dict[n] for n in self._state_names]
                                        for ex in self._exec_group.execs], merge_multi_context,
                                       [0] * len(self._state_names))

    def set_states(self, states=None, value=None):
        """Set the ``state_names`` inputs from ``states`` (per-context lists) or to the scalar ``value``."""
        self._check_ready("set_states")
        for k, ex in enumerate(self._exec_group.execs):
            for i, name in enumerate(self._state_names):
                ex.arg_dict[name]._data[...] = value if states is None else states[i][k].asnumpy()

    def update_metric(self, eval_metric, labels, pre_sliced=False):
        """Update ``eval_metric`` with the last outputs and ``labels``."""
        self._exec_group.update_metric(eval_metric, labels, pre_sliced)

    def install_monitor(self, mon):
        """Attach a Monitor to the executors."""
        self._check_bound("install_monitor")
        self._exec_group.install_monitor(mon)
