"""``gluon.Trainer``: applies an optimizer to a set of Parameters after ``backward``, with MXNet 1.9.1's kvstore
semantics.

``step(batch_size)`` = ``allreduce_grads()`` + ``update(batch_size)`` with ``rescale_grad = 1 / batch_size``.
Parameters on several devices share a key-value store (``kvstore='device'`` by default, made at the first step,
:func:`ssdkit.kvstore.select_kvstore`): it sums their gradients and, with ``update_on_kvstore`` (MXNet's default
where the store can run an optimizer), applies the update to its own copy of each weight and copies the result
back to every device; otherwise every device's updater applies the summed gradient. One device needs no store.
Parameters are indexed in sorted-name order, as MXNet does, so optimizer states line up across processes and
checkpoints.

Examples
--------
>>> import ssdkit as mx
>>> w = mx.gluon.Parameter("w", shape=(1,)); w.initialize(mx.init.One())
>>> trainer = Trainer([w], "sgd", {"learning_rate": 0.5})
>>> with mx.autograd.record():
...     y = w.data() * 3
>>> y.backward(); trainer.step(1); w.data().asnumpy()
array([-0.5], dtype=float32)
"""
from .. import optimizer as opt
from ..base import MXNetError, atomic_write
from ..kvstore import KVStoreBase, select_kvstore
from ..optimizer.states import states_from_bytes
from .parameter import Parameter
from .parameter_dict import ParameterDict
from .tree import parameter_owners, describe

__all__ = ["Trainer", "StaleGradientError", "UpdateOnKVStoreError"]


class StaleGradientError(MXNetError, UserWarning):
    """A parameter's gradient was not refreshed by backward since the last step (MXNet raises UserWarning).

    Examples
    --------
    >>> issubclass(StaleGradientError, UserWarning)
    True
    """


class UpdateOnKVStoreError(MXNetError, AssertionError):
    """``update()`` or ``allreduce_grads()`` was called while the kvstore applies the updates (MXNet asserts).

    Examples
    --------
    >>> issubclass(UpdateOnKVStoreError, AssertionError)
    True
    """


def _is_fresh(array):
    # autograd marks arrays whose gradient it wrote; arrays without the flag are treated as fresh
    return getattr(array, "_fresh_grad", True)


def _mark_stale(array):
    try:
        array._fresh_grad = False
    except AttributeError:  # the NDArray type carries no freshness flag
        pass


def _has_fresh_grad(param):
    """Did the last backward write this parameter's gradient? A parameter still deferred never took part."""
    if param._data is None:
        return not param._deferred_init
    return all(_is_fresh(d) for d in param._data)


def _context_of(param):
    if param._data:
        return param._data[0].context
    return param._deferred_init[1][0] if param._deferred_init else "?"


class Trainer:
    """Update Parameters with an optimizer.

    Parameters
    ----------
    params : ParameterDict, dict or list of Parameter
    optimizer : str or Optimizer
    optimizer_params : dict, optional
        Arguments of the optimizer when ``optimizer`` is a name (``learning_rate``, ``momentum``, ``wd``, ...).
    kvstore : str, KVStore or None
        The store that sums gradients of parameters living on several devices (``'device'``, ``'local'``, a
        store object such as ``mx.kv.create('teststore')``, or ``'dist_sync'`` across processes); ``None``
        lets each device update from its own gradient.
    compression_params : dict, optional
        Gradient compression of the store (``{'type': '2bit', 'threshold': 0.5}``).
    update_on_kvstore : bool, optional
        Whether the store applies the optimizer (None: MXNet's choice, ``MXNET_UPDATE_ON_KVSTORE``).

    Examples
    --------
    >>> import ssdkit as mx
    >>> net = mx.gluon.nn.Dense(1, in_units=2, prefix="fc_"); net.initialize()
    >>> t = Trainer(net.collect_params(), "adam", {"learning_rate": 0.01}); type(t.optimizer).__name__
    'Adam'
    >>> [p.name for p in t._params]
    ['fc_bias', 'fc_weight']
    """

    def __init__(self, params, optimizer, optimizer_params=None, kvstore="device", compression_params=None,
                 update_on_kvstore=None):
        # the block that collect_params() was called on, to name blocks in the stale-gradient error
        self._owner = getattr(params, "_owner", None)
        if isinstance(params, (dict, ParameterDict)):
            params = [params[key] for key in sorted(params.keys())]
        if not isinstance(params, (list, tuple)):
            raise MXNetError(f"First argument must be a list or dict of Parameters, got {type(params)}.")
        self._params = []
        self._param2idx = {}
        for i, param in enumerate(params):
            if not isinstance(param, Parameter):
                raise MXNetError(f"First argument must be a list or dict of Parameters, got list of {type(param)}.")
            self._param2idx[param.name] = i
            self._params.append(param)
            param._set_trainer(self)
        self._compression_params = compression_params
        self._contexts = self._check_contexts()
        self._init_optimizer(optimizer, optimizer_params or {})
        self._scale = self._optimizer.rescale_grad
        self._kvstore_params = {"kvstore": kvstore, "update_on_kvstore": update_on_kvstore}
        self._kv_initialized = False
        self._kvstore = None
        self._update_on_kvstore = None
        self._distributed = None
        self._params_to_init = []
        self._reset_kvstore()

    def _check_contexts(self):
        contexts = None
        for param in self._params:
            ctx = param.list_ctx()
            if contexts is not None and contexts != ctx:
                raise MXNetError(f"All Parameters must be initialized on the same set of contexts, but Parameter "
                                 f"{param.name} is initialized on {ctx} while previous Parameters are initialized "
                                 f"on {contexts}.")
            contexts = ctx
        return contexts or []

    def _init_optimizer(self, optimizer, optimizer_params):
        param_dict = dict(enumerate(self._params))
        if isinstance(optimizer, opt.Optimizer):
            if optimizer_params:
                raise MXNetError("optimizer_params must be None if optimizer is an instance of Optimizer instead "
                                 "of str")
            self._optimizer = optimizer
            self._optimizer.param_dict = param_dict   # shared, not copied: later lr_mult changes take effect
        else:
            self._optimizer = opt.create(optimizer, param_dict=param_dict, **optimizer_params)
        self._updaters = [opt.get_updater(self._optimizer) for _ in self._contexts]

    # ------------------------------------------------------------------ the key-value store
    def _reset_kvstore(self):
        """Forget the store (a parameter was loaded while the store held its own copy); made again at the next
        step. A distributed store cannot be reset."""
        if self._kvstore is not None and "dist" in self._kvstore.type:
            raise MXNetError("Cannot reset distributed KVStore.")
        self._kv_initialized = False
        self._kvstore = None
        self._distributed = None
        self._update_on_kvstore = None
        self._params_to_init = list(self._params)

    def _init_kvstore(self):
        """Create the store and decide ``update_on_kvstore`` as MXNet does; a store that cannot run an
        optimizer refuses ``update_on_kvstore=True`` with ValueError."""
        config = self._kvstore_params
        shapes = [p.shape for p in self._params if p.shape and all(p.shape)]
        kvstore, update_on_kvstore = select_kvstore(config["kvstore"], len(self._contexts), shapes)
        self._distributed = kvstore is not None and "dist" in kvstore.type
        if self._distributed and "async" in kvstore.type:
            update_on_kvstore = True
            if config["update_on_kvstore"] is False:
                raise ValueError("Please set update_on_kvstore=True when training in async mode.")
        if config["update_on_kvstore"] is not None:
            update_on_kvstore = config["update_on_kvstore"]
        if kvstore is not None and update_on_kvstore and not kvstore.is_capable(KVStoreBase.OPTIMIZER):
            if config["update_on_kvstore"]:
                raise ValueError(f"Please set update_on_kvstore=False when training with {type(kvstore)}")
            update_on_kvstore = False
        if kvstore is not None:
            if self._compression_params:
                kvstore.set_gradient_compression(self._compression_params)
            if update_on_kvstore:
                kvstore.set_optimizer(self._optimizer)
            self._kvstore, self._update_on_kvstore = kvstore, update_on_kvstore
        else:
            self._kvstore, self._update_on_kvstore = None, None
        self._kv_initialized = True

    def _init_params(self):
        """Give the store each initialized parameter (rank 0's value to every device); parameters still
        waiting for deferred initialization are kept for later."""
        if not self._kv_initialized:
            raise MXNetError("Cannot initialize parameters in KVStore when KVStore is not initialized.")
        waiting = []
        if self._kvstore is not None:
            for param in self._params_to_init:
                if param._deferred_init or param._data is None:
                    waiting.append(param)
                else:
                    arrays = param.list_data()
                    self._kvstore.broadcast(self._param2idx[param.name], arrays[0], arrays)
        self._params_to_init = waiting

    def _prepare(self):
        if not self._kv_initialized:
            self._init_kvstore()
        if self._params_to_init:
            self._init_params()

    def _check_on_kvstore(self, what):
        if self._kvstore is not None and self._update_on_kvstore:
            raise UpdateOnKVStoreError(f"{what}() when parameters are updated on kvstore is not supported. Try "
                                       "setting `update_on_kvstore` to False when creating trainer.")

    # ------------------------------------------------------------------ learning rate
    @property
    def learning_rate(self):
        """The optimizer's current learning rate."""
        return self._optimizer.learning_rate

    @property
    def optimizer(self):
        """The Optimizer instance."""
        return self._optimizer

    def set_learning_rate(self, lr):
        """Set the optimizer's learning rate (not allowed while an lr_scheduler is in charge)."""
        self._optimizer.set_learning_rate(lr)

    def _check_and_rescale_grad(self, scale):
        if self._update_on_kvstore and self._distributed and self._kv_initialized:
            if self._optimizer.rescale_grad != scale:
                raise UserWarning("Possible change in the `batch_size` from previous `step` detected. Optimizer "
                                  "gradient normalizing factor will not change w.r.t new batch_size when "
                                  "update_on_kvstore=True and when distributed kvstore is used.")
        self._optimizer.rescale_grad = scale

    # ------------------------------------------------------------------ one step
    def step(self, batch_size, ignore_stale_grad=False):
        """One optimization step: gradients are summed over devices and rescaled by ``1 / batch_size``.

        Parameters
        ----------
        batch_size : int
            Samples the gradients were summed over (losses are summed by ``backward``).
        ignore_stale_grad : bool
            Skip parameters whose gradient backward did not refresh, instead of raising.
        """
        if not batch_size or batch_size < 0:
            raise MXNetError(f"Trainer.step: batch_size must be a positive number of samples, got {batch_size!r}")
        self._check_and_rescale_grad(self._scale / batch_size)
        self._prepare()
        self._allreduce_grads()
        self._update(ignore_stale_grad)

    def allreduce_grads(self):
        """Sum gradients across devices/processes (call before :meth:`update` when not using :meth:`step`);
        not available while the store applies the updates."""
        self._prepare()
        self._check_on_kvstore("allreduce_grads")
        self._allreduce_grads()

    def _allreduce_grads(self):
        """Push each parameter's gradients to the store and pull back the sum (or, when the store updates,
        the new weight). The distributed trainer overrides this hook."""
        if self._kvstore is None:
            return
        for i, param in enumerate(self._params):
            if param.grad_req == "null" or param._data is None:
                continue
            if self._update_on_kvstore:
                self._kvstore.pushpull(i, param.list_grad(), out=param.list_data(), priority=-i)
            else:
                self._kvstore.pushpull(i, param.list_grad(), priority=-i)

    def update(self, batch_size, ignore_stale_grad=False):
        """Apply the optimizer without reducing gradients (after :meth:`allreduce_grads`)."""
        self._prepare()
        self._check_on_kvstore("update")
        self._check_and_rescale_grad(self._scale / batch_size)
        self._update(ignore_stale_grad)

    def _stale_error(self, param):
        """MXNet's stale-gradient text, then every stale parameter by block path and the two ways out."""
        stale = [p for p in self._params if p.grad_req != "null" and not _has_fresh_grad(p)]
        root = self._owner() if self._owner is not None else None
        owners = parameter_owners(root) if root is not None else {}
        by_block = {}
        for p in stale:
            where = ", ".join(describe(path, blk) for path, blk in owners.get(id(p), [])) or "(block unknown)"
            by_block.setdefault(where, []).append(p.name)
        listing = "\n".join(f"  {where}: {', '.join(names)}" for where, names in by_block.items())
        return StaleGradientError(
            f"Gradient of Parameter `{param.name}` on context {_context_of(param)} has not been updated by "
            "backward since last `step`. This could mean a bug in your model that made it only use a "
            "subset of the Parameters (Blocks) for this iteration. If you are intentionally only "
            "using a subset, call step with ignore_stale_grad=True to suppress this warning and skip "
            "updating of Parameters with stale gradient\n"
            f"{len(stale)} parameter(s) got no gradient from the last backward: their block was never used in the "
            "last forward (or its output did not reach the loss):\n" + listing + "\n"
            "Either call step/update with ignore_stale_grad=True, or do not register blocks that forward does not "
            "call (net.usage(x) lists them).")

    def _update(self, ignore_stale_grad=False):
        loss_scaler = getattr(self, "_amp_loss_scaler", None)
        if loss_scaler is not None and loss_scaler.has_overflow(self._params):
            return  # skip the update on overflow (AMP)
        if not ignore_stale_grad:
            # check every parameter before marking any: a raised error leaves all freshness flags as they were
            for param in self._params:
                if param.grad_req != "null" and not _has_fresh_grad(param):
                    raise self._stale_error(param)
        on_kvstore = self._kvstore is not None and self._update_on_kvstore
        updates = [[] for _ in self._updaters]
        for i, param in enumerate(self._params):
            if param.grad_req == "null" or (param._data is None and param._deferred_init):
                continue  # a parameter still deferred was never used: nothing to update (MXNet would crash here)
            for upd, arr, grad in zip(updates, param.list_data(), param.list_grad()):
                if not ignore_stale_grad or _is_fresh(arr):
                    if not on_kvstore:   # the store already applied the update in _allreduce_grads
                        upd.append((i, grad, arr))
                    _mark_stale(arr)
        for updater, upd in zip(self._updaters, updates):
            if upd:
                indices, grads, arrays = zip(*upd)
                updater(list(indices), list(grads), list(arrays))

    def save_states(self, fname):
        """Save optimizer states and counters to ``fname`` (arrays in MXNet's layout + JSON header; no pickle);
        the store's states when it applies the updates."""
        self._prepare()
        if self._update_on_kvstore:
            if self._params_to_init:
                raise MXNetError("Cannot save trainer states when some parameters are not yet initialized in "
                                 "kvstore.")
            self._kvstore.save_optimizer_states(fname, dump_optimizer=True)
        else:
            atomic_write(fname, self._updaters[0].get_states(dump_optimizer=True), "save_states")

    def _check_states_fit(self, states, fname):
        """Refuse states saved for another model: every state array must have its parameter's shape."""
        wrong = []
        for index, state in states.items():
            if not isinstance(index, int) or not 0 <= index < len(self._params):
                raise MXNetError(f"load_states: {fname} has states for parameter #{index}; this trainer has "
                                 f"{len(self._params)} parameters")
            param, stack = self._params[index], [state]
            while stack:
                item = stack.pop(0)
                if isinstance(item, (list, tuple)):
                    stack[:0] = list(item)
                elif item is not None and param.shape and tuple(item.shape) != tuple(param.shape):
                    wrong.append(f"{param.name} {tuple(param.shape)} has a state of shape {tuple(item.shape)}")
                    break
        if wrong:
            raise MXNetError(f"load_states: {fname} was saved for another model: " + "; ".join(wrong))

    def load_states(self, fname):
        """Load what :meth:`save_states` wrote into this trainer's optimizer and updaters (or its store)."""
        self._prepare()
        try:
            with open(fname, "rb") as f:
                states = f.read()
        except OSError as err:
            raise MXNetError(f"load_states: cannot read {fname}: {err.strerror or err}") from err
        self._check_states_fit(states_from_bytes(states, fname)[0], fname)
        if self._update_on_kvstore:
            self._kvstore.load_optimizer_states(fname)
            self._optimizer = self._kvstore._updater.optimizer
        else:
            for updater in self._updaters:
                updater.set_states(states, source=fname)
                updater.optimizer = self._updaters[0].optimizer
            self._optimizer = self._updaters[0].optimizer
        self._optimizer.param_dict = dict(enumerate(self._params))
