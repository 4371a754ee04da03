"""``gluon.Parameter`` and ``gluon.Constant``: a named weight with one copy per context, its gradient buffer,
deferred initialization (shape dimensions of 0 are unknown until the first forward) and a symbol ``var()``.

The data is an NDArray marked as an autograd variable (``attach_grad`` semantics through
``autograd.mark_variables``), so ``loss.backward()`` writes ``param.grad()`` according to ``grad_req``.

Examples
--------
>>> import ssdkit as mx
>>> w = Parameter("fc_weight", shape=(2, 3), init=mx.init.One())
>>> w.initialize()
>>> float(w.data().asnumpy().sum()), w.grad().shape
(6.0, (2, 3))
"""
import warnings

import numpy as np

from .. import autograd, initializer
from .. import ndarray as nd
from ..base import MXNetError, DeferredInitializationError, DTYPE
from ..context import Context, cpu, current_context, check_cpu
from ..util import is_np_array
from .utils import shape_is_known

__all__ = ["Parameter", "Constant", "DeferredInitializationError", "ParameterNotInitializedError",
           "ParameterLoadError", "InvalidStorageTypeError"]

GRAD_REQS = ("write", "add", "null")
STORAGE_TYPES = ("default", "row_sparse", "csr")   # MXNet's names; only 'default' is implemented


class ParameterNotInitializedError(MXNetError, RuntimeError):
    """A parameter was read before ``initialize()`` (a RuntimeError too, as MXNet raises).

    Examples
    --------
    >>> issubclass(ParameterNotInitializedError, RuntimeError)
    True
    """


class ParameterLoadError(MXNetError, AssertionError):
    """Saved parameters do not fit: missing, unexpected or of another shape/dtype (MXNet asserts here).

    Examples
    --------
    >>> issubclass(ParameterLoadError, AssertionError)
    True
    """


class InvalidStorageTypeError(MXNetError, AssertionError):
    """A Parameter's ``stype``/``grad_stype`` is none of MXNet's storage names (MXNet asserts here).

    Examples
    --------
    >>> Parameter("w", shape=(2,), stype="dense")
    Traceback (most recent call last):
    ...
    ssdkit.gluon.parameter.InvalidStorageTypeError: stype for Parameter 'w' must be one of 'default', 'row_sparse', or 'csr', but got 'dense'
    """


def _mode_array(array):
    """``mx.np.ndarray`` under NumPy array semantics (``npx.set_np()``), else a legacy NDArray, as MXNet creates
    parameters (same buffer either way)."""
    return array.as_np_ndarray() if is_np_array() else array.as_nd_ndarray()


def shape_fits(shape, saved):
    """Whether an array of shape ``saved`` can fill a parameter of ``shape`` (0 = unknown dimension).

    Examples
    --------
    >>> shape_fits((0, 3), (8, 3)), shape_fits((4, 3), (8, 3)), shape_fits((4,), (4, 1))
    (True, False, False)
    """
    return len(shape) == len(saved) and all(mine in (0, other) for mine, other in zip(shape, saved))


def _as_ctx_list(ctx):
    if ctx is None:
        return [current_context()]
    if isinstance(ctx, Context):
        return [check_cpu(ctx, "a Parameter")]
    return [check_cpu(c, "a Parameter") for c in ctx]


class Parameter:
    """A weight of a Block: data (+ gradient) per context, created by :meth:`initialize`.

    Parameters
    ----------
    name : str
    grad_req : {'write', 'add', 'null'}
    shape : int or tuple of int, optional
        0 marks an unknown dimension, filled in at the first forward (deferred initialization).
    dtype : str or numpy type, default float32
    lr_mult, wd_mult : float
        Per-parameter multipliers of the optimizer's learning rate and weight decay.
    init : Initializer or str, optional
        Wins over the global initializer given to :meth:`initialize`.
    allow_deferred_init : bool
    differentiable : bool
        False forces ``grad_req='null'``.

    Examples
    --------
    >>> p = Parameter("w", shape=(3, 0), allow_deferred_init=True); p.initialize()
    >>> p.shape = (3, 4); p._finish_deferred_init(); p.data().shape
    (3, 4)
    """

    def __init__(self, name, grad_req="write", shape=None, dtype=DTYPE, lr_mult=1.0, wd_mult=1.0, init=None,
                 allow_deferred_init=False, differentiable=True, stype="default", grad_stype="default"):
        self._var = None
        self._data = None
        self._grad = None
        self._ctx_list = None
        self._trainer = None
        self._deferred_init = ()
        self._differentiable = differentiable
        self._allow_deferred_init = allow_deferred_init
        self._grad_req = None
        if isinstance(shape, (int, np.integer)):
            shape = (int(shape),)
        self._shape = tuple(shape) if shape is not None else None
        self.name = name
        self._dtype = dtype
        self.lr_mult = lr_mult
        self.wd_mult = wd_mult
        self.grad_req = grad_req
        self.init = init
        for what, value in (("grad_stype", grad_stype), ("stype", stype)):
            if value not in STORAGE_TYPES:
                raise InvalidStorageTypeError(f"{what} for Parameter '{name}' must be one of 'default', "
                                              f"'row_sparse', or 'csr', but got '{value}'")
        if stype != "default" or grad_stype != "default":
            raise MXNetError(f"Parameter '{name}': only dense ('default') storage is supported, got "
                             f"stype={stype!r}, grad_stype={grad_stype!r}")
        self._stype = self._grad_stype = "default"

    def __repr__(self):
        return f"Parameter {self.name} (shape={self.shape}, dtype={self.dtype})"

    # ----------------------------------------------------------------- attributes
    @property
    def grad_req(self):
        """How backward writes the gradient: 'write', 'add' or 'null' (no gradient buffer)."""
        return self._grad_req

    @grad_req.setter
    def grad_req(self, req):
        if req not in GRAD_REQS:
            raise MXNetError(f"grad_req must be one of 'write', 'add', or 'null', but got '{req}'")
        if not self._differentiable:
            req = "null"
        if self._grad_req == req:
            return
        self._grad_req = req
        if req == "null" and self._grad is not None:
            self._grad = None
            self._data = [d.detach() for d in self._data]
        elif self._data is not None:
            self._init_grad()

    @property
    def dtype(self):
        """The element type; assigning it casts the data (see :meth:`cast`)."""
        return self._dtype

    @dtype.setter
    def dtype(self, dtype):
        self.cast(dtype)

    @property
    def shape(self):
        """The shape, 0 for dimensions not known yet (None when never given)."""
        return self._shape

    @shape.setter
    def shape(self, new_shape):
        new_shape = tuple(new_shape)
        if self._shape is None:
            self._shape = new_shape
            return
        compatible = len(self._shape) == len(new_shape) and all(
            old in (-1, 0, new) for new, old in zip(new_shape, self._shape))
        if not compatible:
            raise ParameterLoadError(f"Expected shape {new_shape} is incompatible with given shape {self._shape}.")
        self._shape = new_shape

    @property
    def stype(self):
        """Storage type: always ``'default'`` (dense)."""
        return self._stype

    def _set_trainer(self, trainer):
        self._trainer = trainer

    # ----------------------------------------------------------------- access
    def _check_and_get(self, arr_list, ctx):
        if arr_list is not None:
            if ctx is list:
                return arr_list
            if ctx is None:
                if len(arr_list) == 1:
                    return arr_list[0]
                ctx = current_context()
            for c, arr in zip(self._ctx_list, arr_list):
                if c == ctx:
                    return arr
            raise ParameterNotInitializedError(
                f"Parameter '{self.name}' was not initialized on context {ctx}. "
                f"It was only initialized on {self._ctx_list}.")
        if self._deferred_init:
            raise DeferredInitializationError(
                "Parameter '%s' has not been initialized yet because initialization was deferred. Actual "
                "initialization happens during the first forward pass. Please pass one batch of data through the "
                "network before accessing Parameters. You can also avoid deferred initialization by specifying "
                "in_units, num_features, etc., for network layers." % self.name)
        raise ParameterNotInitializedError(
            "Parameter '%s' has not been initialized. Note that you should initialize parameters and create "
            "Trainer with Block.collect_params() instead of Block.params because the later does not include "
            "Parameters of nested child Blocks" % self.name)

    def data(self, ctx=None):
        """The value on ``ctx`` (the only copy when there is one).

        Returns
        -------
        NDArray of ``self.shape``
        """
        return self._check_and_get(self._data, ctx)

    def list_data(self):
        """Values on all contexts, in initialization order."""
        return self._check_and_get(self._data, list)

    def grad(self, ctx=None):
        """The gradient buffer on ``ctx``."""
        if self._data is not None and self._grad is None:
            raise ParameterNotInitializedError(
                f"Cannot get gradient array for Parameter '{self.name}' because grad_req='null'")
        return self._check_and_get(self._grad, ctx)

    def list_grad(self):
        """Gradient buffers on all contexts."""
        if self._data is not None and self._grad is None:
            raise ParameterNotInitializedError(
                f"Cannot get gradient array for Parameter '{self.name}' because grad_req='null'")
        return self._check_and_get(self._grad, list)

    def list_ctx(self):
        """Contexts this parameter lives on (or will, once deferred initialization completes)."""
        if self._data is None:
            if self._deferred_init:
                return self._deferred_init[1]
            raise ParameterNotInitializedError(f"Parameter '{self.name}' has not been initialized")
        return self._ctx_list

    # ----------------------------------------------------------------- initialization
    def initialize(self, init=None, ctx=None, default_init=initializer.Uniform(), force_reinit=False):
        """Create the data (and gradient) arrays; deferred while the shape has unknown dimensions.

        Parameters
        ----------
        init : Initializer, optional
            Overrides ``self.init`` and ``default_init``.
        ctx : Context or list of Context, default current context
        default_init : Initializer
            Used when neither ``init`` nor ``self.init`` is set.
        force_reinit : bool

        Examples
        --------
        >>> import ssdkit as mx
        >>> p = Parameter("b_bias", shape=(2,)); p.initialize(mx.init.One()); p.data().asnumpy()
        array([1., 1.], dtype=float32)
        """
        if self._data is not None and not force_reinit:
            warnings.warn(f"Parameter '{self.name}' is already initialized, ignoring. "
                          "Set force_reinit=True to re-initialize.", stacklevel=2)
            return
        self._data = self._grad = None
        ctx = _as_ctx_list(ctx)
        if init is None:
            init = default_init if self.init is None else self.init
        if not shape_is_known(self.shape):
            if self._allow_deferred_init:
                self._deferred_init = (init, ctx, default_init, None)
                return
            raise MXNetError(f"Cannot initialize Parameter '{self.name}' because it has invalid shape: "
                             f"{self.shape}.")
        self._deferred_init = (init, ctx, default_init, None)
        self._finish_deferred_init()

    def _finish_deferred_init(self):
        """Initialize now that the shape is known (called by blocks after shape inference)."""
        if not self._deferred_init:
            return
        init, ctx, default_init, data = self._deferred_init
        self._deferred_init = ()
        if not shape_is_known(self.shape):
            raise MXNetError(f"Cannot initialize Parameter '{self.name}' because it has invalid shape: "
                             f"{self.shape}. Please specify in_units, in_channels, etc for `Block`s.")
        with autograd.pause():
            if data is None:
                data = nd.zeros(self.shape, dtype=np.dtype(self.dtype), ctx=cpu())
                initializer.create(default_init)(
                    initializer.InitDesc(self.name, {"__init__": init}), data)
            self._init_impl(data, ctx)

    def _init_impl(self, data, ctx_list):
        self._ctx_list = list(ctx_list)
        self._data = [_mode_array(data.copyto(c)) for c in self._ctx_list]
        self._init_grad()

    def _init_grad(self):
        if self.grad_req == "null":
            self._grad = None
            return
        self._grad = [_mode_array(nd.zeros(d.shape, dtype=d.dtype, ctx=d.context)) for d in self._data]
        autograd.mark_variables(self._data, self._grad, self.grad_req)

    def _reduce(self):
        """The value averaged over contexts, on the CPU (what ``save`` writes)."""
        arrays = self.list_data()
        if len(arrays) == 1:
            return arrays[0].copyto(cpu())
        total = np.sum([a._data for a in arrays], axis=0) / len(arrays)
        return type(arrays[0])(total.astype(arrays[0]._data.dtype, copy=False), cpu())

    def reset_ctx(self, ctx):
        """Move the parameter to other context(s), keeping its value."""
        ctx = _as_ctx_list(ctx)
        if self._data:
            data = self._reduce()
            with autograd.pause():
                self._init_impl(data, ctx)
        elif self._deferred_init:
            init, _, default_init, data = self._deferred_init
            self._deferred_init = (init, ctx, default_init, data)
        else:
            raise MXNetError(f"Cannot reset context for Parameter '{self.name}' because it has not been "
                             "initialized.")

    def set_data(self, data):
        """Set the value on every context (or remember it until deferred initialization completes).

        Examples
        --------
        >>> import ssdkit as mx
        >>> p = Parameter("w", shape=(2,)); p.initialize(); p.set_data(mx.nd.array([3, 4])); p.data().asnumpy()
        array([3., 4.], dtype=float32)
        """
        self.shape = data.shape
        if self._data is None:
            if not self._deferred_init:
                raise ParameterNotInitializedError(f"Parameter '{self.name}' has not been initialized")
            self._deferred_init = self._deferred_init[:3] + (data,)
            return
        trainer = self._trainer
        if trainer is not None and trainer._kv_initialized and trainer._update_on_kvstore \
                and self not in trainer._params_to_init:
            trainer._reset_kvstore()   # the store's copy of this weight is out of date: it is made again
        value = data._data if isinstance(data, nd.NDArray) else np.asarray(data)
        for arr in self._data:
            arr._data[...] = value

    def zero_grad(self):
        """Fill the gradient buffers with 0 (needed every iteration with ``grad_req='add'``)."""
        if self._grad is None:
            return
        for g in self._grad:
            g._data.fill(0)

    def _load_init(self, data, ctx, cast_dtype=False, dtype_source="current"):
        """(Re)initialize from a loaded array, checking shape and dtype as MXNet does."""
        if cast_dtype and dtype_source not in ("current", "saved"):
            raise MXNetError(f"dtype_source must be 'current' or 'saved', got {dtype_source!r}")
        if self.shape:
            if not shape_fits(self.shape, data.shape):
                raise ParameterLoadError(
                    f"Failed loading Parameter '{self.name}' from saved params: shape incompatible "
                    f"expected {self.shape} vs saved {data.shape}")
            self.shape = tuple(s if m == 0 else m for m, s in zip(self.shape, data.shape))
        if self.dtype:
            if cast_dtype and np.dtype(self.dtype).type != data.dtype:
                if dtype_source == "current":
                    data = data.astype(self.dtype, copy=False)
                else:
                    self.dtype = data.dtype
            elif np.dtype(self.dtype).type != data.dtype:
                raise ParameterLoadError(
                    f"Failed loading Parameter '{self.name}' from saved params: dtype incompatible expected "
                    f"{self.dtype} vs saved {data.dtype}. Set cast_dtype=True to cast the dtype of saved params.")
        ctx = [ctx] if isinstance(ctx, Context) else ctx
        if self._data is None:
            if self._deferred_init:
                if ctx is not None and set(ctx) != set(self._deferred_init[1]):
                    raise ParameterLoadError(f"Failed to load Parameter '{self.name}' on {ctx} because it was "
                                             f"previous initialized on {self.list_ctx()}.")
                ctx = self._deferred_init[1]
            elif ctx is None:
                ctx = [cpu()]
            with autograd.pause():
                self._init_impl(data, ctx)
        else:
            if ctx is not None and set(ctx) != set(self.list_ctx()):
                raise ParameterLoadError(f"Failed to load Parameter '{self.name}' on {ctx} because it was "
                                         f"previous initialized on {self.list_ctx()}.")
            self.set_data(data)
        self._deferred_init = ()

    # ----------------------------------------------------------------- symbol and dtype
    def var(self):
        """The symbol variable of this parameter (name, shape, dtype, lr/wd multipliers, init).

        Returns
        -------
        ssdkit.symbol.Symbol
        """
        if self._var is None:
            from .. import symbol  # L4, loaded on first use
            self._var = symbol.var(self.name, shape=self.shape, dtype=self.dtype, lr_mult=self.lr_mult,
                                   wd_mult=self.wd_mult, init=self.init, stype=self._stype)
        return self._var

    def cast(self, dtype):
        """Cast data and gradient to ``dtype`` (kept as variables for autograd).

        Examples
        --------
        >>> p = Parameter("w", shape=(2,)); p.initialize(); p.cast("float64"); p.data().dtype
        <class 'numpy.float64'>
        """
        self._dtype = dtype
        if self._data is None:
            return
        with autograd.pause():
            self._data = [type(d)(d._data.astype(dtype), d.context) for d in self._data]
            if self._grad is None:
                return
            self._grad = [type(g)(g._data.astype(dtype), g.context) for g in self._grad]
            autograd.mark_variables(self._data, self._grad, self.grad_req)


class Constant(Parameter):
    """A parameter that autograd and Trainer leave alone (``grad_req='null'``); ``set_data`` still works.

    Parameters
    ----------
    name : str
    value : array-like or NDArray

    Examples
    --------
    >>> c = Constant("c", [[1, 2], [3, 4]]); c.initialize(); c.data().asnumpy()
    array([[1., 2.],
           [3., 4.]], dtype=float32)
    """

    def __init__(self, name, value):
        if not isinstance(value, nd.NDArray):
            value = nd.array(value)
        self.value = value
        super().__init__(name, grad_req="null", shape=value.shape, dtype=value.dtype,
                         init=initializer.Constant(value))

    def __repr__(self):
        return f"Constant {self.name} (shape={self.shape}, dtype={self.dtype})"

    @property
    def grad_req(self):
        """Always ``'null'``: a Constant is never updated."""
        return "null"

    @grad_req.setter
    def grad_req(self, req):
        if req != "null":
            warnings.warn(f'Constant parameter "{self.name}" does not support grad_req other than "null", and new '
                          f'value "{req}" is ignored.')


def __getattr__(name):
    # MXNet keeps ParameterDict in parameter.py; it lives in parameter_dict.py here (which imports this module)
    if name == "ParameterDict":
        from .parameter_dict import ParameterDict
        return ParameterDict
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
