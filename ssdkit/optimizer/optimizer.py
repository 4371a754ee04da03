"""The optimizer base class, its registry (``register`` / ``create``), and the ``Updater`` that keeps per-index
states — with MXNet's learning-rate / weight-decay multipliers and update counting.

Updates run in place on the weight's numpy buffer in float32. States serialize without pickle: arrays in
MXNet's ``.params`` layout plus a JSON header for scalars (:mod:`ssdkit.optimizer.states`).

Examples
--------
>>> import ssdkit as mx
>>> opt = create("sgd", learning_rate=0.5)
>>> w, g = mx.nd.array([1.0, 2.0]), mx.nd.array([0.2, 0.2])
>>> upd = get_updater(opt); upd(0, g, w); w.asnumpy()
array([0.9, 1.9], dtype=float32)
"""
import copy
import warnings

import numpy as np

from .. import ndarray as nd
from ..base import MXNetError, DTYPE
from ..util import is_np_array
from .states import encodable, encode, decode, states_to_bytes, states_from_bytes

__all__ = ["Optimizer", "register", "create", "Updater", "get_updater"]

_SKIPPED_ATTRS = ("param_dict", "lr_scheduler", "sym_info")


class Optimizer:
    """Base optimizer: learning rate (or a scheduler), weight decay, gradient rescaling and clipping.

    Parameters
    ----------
    rescale_grad : float
        Multiplies every gradient first (Trainer sets 1/batch_size).
    param_idx2name : dict, optional
        index -> name; names not ending in ``_weight``/``_gamma`` get no weight decay (Module API).
    wd : float
    clip_gradient : float, optional
        Clip the rescaled gradient to [-clip_gradient, clip_gradient].
    learning_rate : float, default 0.01 (without a scheduler)
    lr_scheduler : LRScheduler, optional
    sym : Symbol, optional
        Its arguments' ``lr_mult`` / ``wd_mult`` attributes become multipliers by name (Module API).
    begin_num_update : int
    multi_precision : bool
        Keep a float32 master copy of float16 weights and update through it.
    param_dict : dict index -> Parameter, optional
        Per-parameter ``lr_mult`` / ``wd_mult`` (what Trainer passes).

    Examples
    --------
    >>> opt = Optimizer(learning_rate=0.1, wd=0.01); opt.learning_rate, opt.wd
    (0.1, 0.01)
    """
    opt_registry = {}

    def __init__(self, rescale_grad=1.0, param_idx2name=None, wd=0.0, clip_gradient=None, learning_rate=None,
                 lr_scheduler=None, sym=None, begin_num_update=0, multi_precision=False, param_dict=None):
        self.rescale_grad = rescale_grad
        self.allow_np_array = is_np_array()  # MXNet's flag; updates here work on either array class
        self.lr_scheduler = lr_scheduler
        if lr_scheduler is None and learning_rate is None:
            learning_rate = 0.01
        self.lr = learning_rate
        if lr_scheduler is not None and learning_rate is not None and lr_scheduler.base_lr != learning_rate:
            warnings.warn("learning rate from ``lr_scheduler`` has been overwritten by ``learning_rate`` in "
                          "optimizer.")
            lr_scheduler.base_lr = learning_rate
        self.wd = wd
        self.lr_mult = {}
        self.wd_mult = {}
        self.begin_num_update = begin_num_update
        self.num_update = begin_num_update
        self._all_index_update_counts = {0: {}}
        self._index_update_count = self._all_index_update_counts[0]
        self.clip_gradient = clip_gradient
        self.multi_precision = multi_precision
        self.aggregate_num = 0
        if param_idx2name is None:
            param_idx2name = {}
        if not isinstance(param_idx2name, dict):
            raise MXNetError("param_idx2name should be a dict of param indexes to names.")
        self.idx2name = param_idx2name.copy()
        # the symbol's per-argument attributes (``__lr_mult__``/``__wd_mult__``) give multipliers by name
        self.sym_info = (sym.attr_dict(), sym.list_arguments()) if sym is not None else ()
        self.param_dict = param_dict if param_dict else {}
        self.set_lr_mult({})
        self.set_wd_mult({})

    @staticmethod
    def register(klass):
        """Register an optimizer class under its lower-cased name."""
        if not isinstance(klass, type):
            raise MXNetError(f"Optimizer.register expects a class, got {klass!r}")
        name = klass.__name__.lower()
        if name in Optimizer.opt_registry:
            warnings.warn(f"WARNING: New optimizer {klass.__module__}.{klass.__name__} is overriding existing "
                          f"optimizer {Optimizer.opt_registry[name].__module__}."
                          f"{Optimizer.opt_registry[name].__name__}")
        Optimizer.opt_registry[name] = klass
        return klass

    @staticmethod
    def create_optimizer(name, **kwargs):
        """Instantiate the optimizer registered as ``name`` (case-insensitive)."""
        if name.lower() in Optimizer.opt_registry:
            return Optimizer.opt_registry[name.lower()](**kwargs)
        raise MXNetError(f"Cannot find optimizer {name}; registered: {sorted(Optimizer.opt_registry)}")

    @property
    def learning_rate(self):
        """The current learning rate (from the scheduler at ``num_update`` when there is one)."""
        if self.lr_scheduler is not None:
            return self.lr_scheduler(self.num_update)
        return self.lr

    def set_learning_rate(self, lr):
        """Set a new learning rate (not allowed while a scheduler is in charge)."""
        if self.lr_scheduler is not None:
            raise UserWarning("LRScheduler of the optimizer has already been defined. Note that set_learning_rate "
                              "can mutate the value of the learning rate of the optimizer only when the LRScheduler "
                              "of the optimizer is undefined.")
        self.lr = lr

    def set_lr_mult(self, args_lr_mult):
        """Per-index (or per-name) learning-rate multipliers; a symbol's ``__lr_mult__`` attributes come first."""
        self.lr_mult = self._symbol_multipliers("__lr_mult__")
        self.lr_mult.update(args_lr_mult)

    def set_wd_mult(self, args_wd_mult):
        """Per-index (or per-name) weight-decay multipliers; biases and BN betas default to 0 by name."""
        self.wd_mult = {n: 0.0 for n in self.idx2name.values() if not (n.endswith("_weight") or n.endswith("_gamma"))}
        self.wd_mult.update(self._symbol_multipliers("__wd_mult__"))
        self.wd_mult.update(args_wd_mult)

    def _symbol_multipliers(self, key):
        if not self.sym_info:
            return {}
        attrs, arg_names = self.sym_info
        return {name: float(attrs[name][key]) for name in arg_names if key in attrs.get(name, {})}

    def create_state(self, index, weight):
        """The optimizer state of one weight (None, an NDArray or a tuple of them)."""
        return None

    def create_state_multi_precision(self, index, weight):
        """State for ``weight``; a float16 weight with ``multi_precision`` gets ``(float32 master copy, state of
        that copy)`` and is updated through the copy (MXNet's mixed-precision layout), otherwise float16 warns.

        Examples
        --------
        >>> import ssdkit as mx
        >>> opt = create("adam", multi_precision=True)
        >>> master, (mean, var) = opt.create_state_multi_precision(0, mx.nd.ones((2,), dtype="float16"))
        >>> master.dtype, mean.dtype
        (<class 'numpy.float32'>, <class 'numpy.float32'>)
        """
        if self.multi_precision and weight.dtype == np.float16:
            master = weight.astype(np.float32)
            return master, self.create_state(index, master)
        if weight.dtype == np.float16 and not self.multi_precision:
            warnings.warn("Accumulating with float16 in optimizer can lead to poor accuracy or slow convergence. "
                          "Consider using multi_precision=True option of the optimizer")
        return self.create_state(index, weight)

    def update(self, index, weight, grad, state):
        """Update ``weight`` in place from ``grad`` and ``state``."""
        raise MXNetError(f"{type(self).__name__} defines no update rule")

    def update_multi_precision(self, index, weight, grad, state):
        """:meth:`update`, through the float32 master copy for float16 weights with ``multi_precision`` (the
        weight becomes the copy cast back); lists of indices, weights, gradients and states (MXNet's
        multi-tensor call) update each in turn, with the same results."""
        if isinstance(index, (list, tuple)):
            for i, w, g, s in zip(index, weight, grad, state):
                self.update_multi_precision(i, w, g, s)
            return
        if self.multi_precision and weight.dtype == np.float16:
            master, inner = state
            self.update(index, master, grad.astype(np.float32), inner)
            nd.cast(master, dtype=weight.dtype, out=weight)
            return
        self.update(index, weight, grad, state)

    def _set_current_context(self, device_id):
        self._index_update_count = self._all_index_update_counts.setdefault(device_id, {})

    def _update_count(self, index):
        for idx in index if isinstance(index, (list, tuple)) else [index]:
            count = self._index_update_count.get(idx, self.begin_num_update) + 1
            self._index_update_count[idx] = count
            self.num_update = max(count, self.num_update)

    def _get_lrs(self, indices):
        lr = self.lr_scheduler(self.num_update) if self.lr_scheduler is not None else self.lr
        return [lr * self._multiplier(i, "lr_mult") for i in indices]

    def _get_lr(self, index):
        return self._get_lrs([index])[0]

    def _get_wds(self, indices):
        return [self.wd * self._multiplier(i, "wd_mult") for i in indices]

    def _get_wd(self, index):
        return self._get_wds([index])[0]

    def _multiplier(self, index, attr):
        if index in self.param_dict:
            return getattr(self.param_dict[index], attr)
        table = getattr(self, attr)
        if index in table:
            return table[index]
        if index in self.idx2name:
            return table.get(self.idx2name[index], 1.0)
        return 1.0

    # ------------------------------------------------------------------ pickle-free state
    def _scalars(self):
        """JSON-able hyper-parameters and counters (what save_states records besides the arrays)."""
        out = {k: encode(v) for k, v in self.__dict__.items()
               if k not in _SKIPPED_ATTRS and not k.startswith("_index_update_count") and encodable(v)}
        if self.lr_scheduler is not None:
            sched = self.lr_scheduler
            out["lr_scheduler"] = {"class": type(sched).__name__,
                                   "attrs": {k: encode(v) for k, v in sched.__dict__.items() if encodable(v)}}
        return out

    def _load_scalars(self, scalars):
        """Set the attributes a states header saved; all are checked first, so a bad header changes nothing."""
        values, scheduler = self._checked_scalars(scalars)
        if scheduler is not None:
            klass, attrs = scheduler
            if type(self.lr_scheduler) is not klass:
                self.lr_scheduler = klass.__new__(klass)
            for key, value in attrs.items():
                setattr(self.lr_scheduler, key, value)
        for key, value in values.items():
            setattr(self, key, value)
        self._index_update_count = self._all_index_update_counts.setdefault(0, {})

    def _checked_scalars(self, scalars):
        """``({attribute: value}, (scheduler class, {attribute: value}) or None)`` from a states header.

        Only what :meth:`_scalars` saves for this optimizer is accepted (never a method name such as
        ``update``), each value of the kind the attribute holds; anything else raises MXNetError naming it.
        """
        saved = self._scalars()
        values, scheduler = {}, None
        for key, value in scalars.items():
            if key == "class":
                continue
            if key == "lr_scheduler":
                scheduler = self._checked_scheduler(value)
                continue
            if key not in saved:
                raise MXNetError(f"load_states: the header sets {str(key)[:60]!r}, which {type(self).__name__} does "
                                 f"not save (it saves {sorted(k for k in saved if k != 'lr_scheduler')})")
            values[key] = _checked_value(f"optimizer attribute {key}", getattr(self, key), value)
        return values, scheduler

    def _checked_scheduler(self, saved):
        from .. import lr_scheduler as schedulers
        if not (isinstance(saved, dict) and isinstance(saved.get("class"), str) and isinstance(saved.get("attrs"), dict)):
            raise MXNetError(f"load_states: damaged lr_scheduler record {str(saved)[:60]}; expected "
                             f"{{'class': name, 'attrs': {{...}}}}")
        classes = {c.__name__: c for c in vars(schedulers).values()
                   if isinstance(c, type) and issubclass(c, schedulers.LRScheduler)}
        klass = classes.get(saved["class"])
        if klass is None:
            raise MXNetError(f"load_states: unknown lr scheduler class {saved['class'][:60]!r}; known: "
                             f"{sorted(classes)}")
        current = vars(self.lr_scheduler) if type(self.lr_scheduler) is klass else {}
        attrs = {}
        for key, value in saved["attrs"].items():
            # data attributes only: never one that would hide a method or property of the class
            if not (isinstance(key, str) and key.isidentifier() and not key.startswith("_") and not hasattr(klass, key)):
                raise MXNetError(f"load_states: the header sets {str(key)[:60]!r} on {klass.__name__}, which is no "
                                 f"attribute a scheduler saves")
            attrs[key] = _checked_value(f"{klass.__name__}.{key}", current.get(key), value)
        return klass, attrs

    def __getstate__(self):
        raise MXNetError("Optimizer refuses pickling: use Trainer.save_states / Updater.get_states (pickle-free)")

    def __deepcopy__(self, memo):
        """A deep copy without pickling; as in MXNet the copy has no ``param_dict`` (a Trainer sets its own).

        Examples
        --------
        >>> import copy
        >>> opt = create("sgd", learning_rate=0.3, param_dict={0: None}); twin = copy.deepcopy(opt)
        >>> twin.learning_rate, twin.param_dict, twin is opt
        (0.3, {}, False)
        """
        twin = type(self).__new__(type(self))
        memo[id(self)] = twin
        for key, value in self.__dict__.items():
            setattr(twin, key, {} if key == "param_dict" else copy.deepcopy(value, memo))
        return twin

    def set_lr_scale(self, args_lrscale):
        """[Deprecated in MXNet] use :meth:`set_lr_mult`; raises DeprecationWarning as MXNet does.

        Examples
        --------
        >>> Optimizer().set_lr_scale({})
        Traceback (most recent call last):
        ...
        DeprecationWarning: set_lr_scale is deprecated: use set_lr_mult
        """
        raise DeprecationWarning("set_lr_scale is deprecated: use set_lr_mult")


def _same_kind(old, new):
    """Whether ``new`` may replace ``old``: numbers for numbers, one type for the rest (recursively); where
    ``old`` is None (unset, or a scheduler being created) a scalar or a list of numbers."""
    if new is None:
        return True
    if old is None:
        return isinstance(new, (int, float, str)) or (
            isinstance(new, (list, tuple)) and all(isinstance(v, (int, float)) for v in new))
    if isinstance(old, bool) or isinstance(new, bool):
        return isinstance(old, bool) and isinstance(new, bool)
    if isinstance(old, (int, float)) and isinstance(new, (int, float)):
        return True
    if type(old) is not type(new):
        return False
    if isinstance(old, dict) and old:
        key_like, value_like = next(iter(old.items()))
        return all(_same_kind(key_like, k) and _same_kind(value_like, v) for k, v in new.items())
    if isinstance(old, (list, tuple)) and old:
        return all(_same_kind(old[0], v) for v in new)
    return True


def _checked_value(what, current, encoded):
    """The decoded header value for ``what``, checked to be of the kind of ``current``."""
    try:
        value = decode(encoded)
    except (TypeError, KeyError, ValueError, AttributeError):
        raise MXNetError(f"load_states: damaged value for {what} in the header: {str(encoded)[:60]}") from None
    if not _same_kind(current, value):
        raise MXNetError(f"load_states: {what} is {type(value).__name__} {str(value)[:60]} in the header, "
                         f"expected {type(current).__name__} like {str(current)[:60]}")
    return value


register = Optimizer.register
create = Optimizer.create_optimizer


class Updater:
    """Applies an optimizer to (index, grad, weight) triples, creating each index's state on first use.

    Examples
    --------
    >>> import ssdkit as mx
    >>> upd = Updater(create("sgd", learning_rate=1.0, momentum=0.9))
    >>> w = mx.nd.ones((2,)); upd([0], [mx.nd.ones((2,))], [w]); w.asnumpy(), upd.states[0].shape
    (array([0., 0.], dtype=float32), (2,))
    """

    def __init__(self, optimizer):
        self.optimizer = optimizer
        self.states = {}
        self.states_synced = {}
        self.aggregate_updates = optimizer.aggregate_num > 0

    def __call__(self, index, grad, weight):
        if not isinstance(index, (list, tuple)):
            indices, grads, weights = [index], [grad], [weight]
        else:
            indices, grads, weights = list(index), list(grad), list(weight)
        if weights:
            self.optimizer._set_current_context(weights[0].context.device_id)
        for i, idx in enumerate(indices):
            if idx not in self.states:
                self.states[idx] = self.optimizer.create_state_multi_precision(idx, weights[i])
                self.states_synced[idx] = True
        if not self.aggregate_updates:
            for idx, w, g in zip(indices, weights, grads):
                self.optimizer.update_multi_precision(idx, w, g, self.states[idx])
            return
        # MXNet groups same-dtype weights in chunks of aggregate_num for its multi-tensor kernels
        by_dtype = {}
        for idx, w, g in zip(indices, weights, grads):
            by_dtype.setdefault(np.dtype(w.dtype), []).append((idx, w, g))
        step = self.optimizer.aggregate_num
        for group in by_dtype.values():
            for start in range(0, len(group), step):
                chunk = group[start:start + step]
                idxs, ws, gs = (list(t) for t in zip(*chunk))
                self.optimizer.update_multi_precision(idxs, ws, gs, [self.states[i] for i in idxs])

    def get_states(self, dump_optimizer=False):
        """Serialize the states (and the optimizer's scalars) to bytes: MXNet's NDArray-file layout with
        arrays ``state:<n>.<i>`` and a JSON header, never pickle.

        Examples
        --------
        >>> import ssdkit as mx
        >>> upd = Updater(create("adam")); w = mx.nd.ones((2,)); upd(3, mx.nd.ones((2,)), w)
        >>> other = Updater(create("adam")); other.set_states(upd.get_states(dump_optimizer=True))
        >>> other.states[3][0].asnumpy(), other.optimizer.num_update
        (array([0.1, 0.1], dtype=float32), 1)
        """
        scalars = None
        if dump_optimizer:
            scalars = {"class": type(self.optimizer).__name__, **self.optimizer._scalars()}
        return states_to_bytes(self.states, scalars)

    def set_states(self, states, source="<optimizer states>"):
        """Restore what :meth:`get_states` produced; on any error nothing of this updater has changed."""
        parsed, scalars = states_from_bytes(states, source)
        if scalars is not None:
            if scalars.get("class") != type(self.optimizer).__name__:
                raise MXNetError(f"set_states: {source} was saved by {str(scalars.get('class'))[:60]}, this updater "
                                 f"runs {type(self.optimizer).__name__}")
            try:
                self.optimizer._checked_scalars(scalars)   # every check before the first change
            except MXNetError as err:
                raise MXNetError(f"{source}: {err}") from None
        self.states = parsed
        self.states_synced = dict.fromkeys(self.states, False)
        if scalars is not None:
            self.optimizer._load_scalars(scalars)


def get_updater(optimizer):
    """An :class:`Updater` for ``optimizer``.

    Examples
    --------
    >>> isinstance(get_updater(create("sgd")), Updater)
    True
    """
    return Updater(optimizer)


def op_kwargs(opt, clip_key="clip_gradient"):
    """The keyword arguments MXNet's optimizers give every update op: ``rescale_grad``, and the clipping bound
    only when ``clip_gradient`` is set to something truthy.

    Examples
    --------
    >>> op_kwargs(Optimizer(rescale_grad=0.5, clip_gradient=1.0))
    {'rescale_grad': 0.5, 'clip_gradient': 1.0}
    """
    kwargs = {"rescale_grad": opt.rescale_grad}
    if opt.clip_gradient:
        kwargs[clip_key] = opt.clip_gradient
    return kwargs


def f32(value):
    """A Python number as float32 (MXNet's kernels cast their scalar parameters to the weight dtype).

    Examples
    --------
    >>> f32(0.1).dtype
    dtype('float32')
    """
    return DTYPE(value)


def zeros_like_weight(weight):
    """A zero state array shaped, typed and placed like ``weight``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> zeros_like_weight(mx.nd.ones((2,), dtype="float16")).dtype
    <class 'numpy.float16'>
    """
    return nd.zeros(weight.shape, weight.context, dtype=weight.dtype)
