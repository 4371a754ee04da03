"""``mx.init``: parameter initializers with MXNet's name-based dispatch, registry and JSON ``dumps``.

An initializer is called as ``init(InitDesc(name, attrs), arr)``. A per-parameter initializer (``attrs['__init__']``,
set from ``Parameter(init=...)``) wins; otherwise the name's suffix picks the rule: ``*weight`` -> ``_init_weight``
(the random part), ``*bias``/``*beta`` -> 0, ``*gamma`` -> 1, ``*min`` -> 0, ``*max`` -> 1, and (beyond MXNet,
which raises there) ``*running_mean``/``*moving_mean`` -> 0, ``*running_var``/``*moving_var`` -> 1.
Random draws come from :func:`ssdkit.base.get_rng`, so ``mx.random.seed`` makes them reproducible.

Examples
--------
>>> import ssdkit as mx
>>> w = mx.nd.zeros((2, 3))
>>> mx.init.Constant(0.5)(InitDesc("fc_weight"), w); w.asnumpy()
array([[0.5, 0.5, 0.5],
       [0.5, 0.5, 0.5]], dtype=float32)
>>> b = mx.nd.ones((2,)); mx.init.Xavier()(InitDesc("fc_bias"), b); b.asnumpy()
array([0., 0.], dtype=float32)
"""
import json
import logging
import re
import warnings

import numpy as np

from .base import MXNetError, DTYPE
from .ndarray import NDArray, load as _nd_load
from .ndarray import random as _random

__all__ = ["InitDesc", "Initializer", "register", "alias", "create", "Load", "Mixed", "Zero", "One", "Constant",
           "Uniform", "Normal", "Orthogonal", "Xavier", "MSRAPrelu", "Bilinear", "LSTMBias"]

_REGISTRY = {}  # lower-case name or alias -> Initializer subclass

# name suffix -> rule, checked in this order after a per-parameter '__init__' (MXNet's InitDesc dispatch)
_SUFFIX_RULES = (("weight", "_init_weight"), ("bias", "_init_bias"), ("gamma", "_init_gamma"),
                 ("beta", "_init_beta"), ("min", "_init_zero"), ("max", "_init_one"),
                 ("running_mean", "_init_zero"), ("moving_mean", "_init_zero"),
                 ("running_var", "_init_one"), ("moving_var", "_init_one"),
                 ("moving_inv_var", "_init_zero"), ("moving_avg", "_init_zero"))
# the deprecated init(str, arr) path of MXNet checks in this order
_LEGACY_RULES = (("bias", "_init_bias"), ("gamma", "_init_gamma"), ("beta", "_init_beta"),
                 ("weight", "_init_weight"), ("moving_mean", "_init_zero"), ("moving_var", "_init_one"),
                 ("moving_inv_var", "_init_zero"), ("moving_avg", "_init_zero"), ("min", "_init_zero"),
                 ("max", "_init_one"), ("running_mean", "_init_zero"), ("running_var", "_init_one"))


class InitDesc(str):
    """A parameter name carrying ``attrs`` (e.g. ``{'__init__': ...}``) and the ``global_init`` in charge.

    Examples
    --------
    >>> d = InitDesc("conv0_weight", {"__init__": "zeros"}); d, d.attrs
    ('conv0_weight', {'__init__': 'zeros'})
    """

    def __new__(cls, name, attrs=None, global_init=None):
        desc = super().__new__(cls, name)
        desc.attrs = attrs or {}
        desc.global_init = global_init
        return desc


def register(klass):
    """Class decorator: make ``klass`` creatable by its lower-cased name (``create('xavier')``).

    Examples
    --------
    >>> @register
    ... class Twos(Initializer):
    ...     def _init_weight(self, _, arr):
    ...         arr[:] = 2
    >>> type(create("twos")).__name__
    'Twos'
    """
    if not (isinstance(klass, type) and issubclass(klass, Initializer)):
        raise MXNetError(f"initializer.register: expects an Initializer subclass, got {klass!r}")
    _REGISTRY[klass.__name__.lower()] = klass
    return klass


def alias(*names):
    """Class decorator registering extra names (``'zeros'`` for :class:`Zero`).

    Examples
    --------
    >>> type(create("ones")).__name__
    'One'
    """
    def wrap(klass):
        for name in names:
            _REGISTRY[name.lower()] = klass
        return klass
    return wrap


def create(init, **kwargs):
    """An Initializer from an instance (returned as is), a registered name or a ``dumps()`` JSON string.

    Examples
    --------
    >>> create('["xavier", {"magnitude": 2}]').magnitude
    2.0
    >>> create("zeros").dumps()
    '["zero", {}]'
    """
    if isinstance(init, Initializer):
        return init
    if isinstance(init, str):
        text = init.strip()
        if text.startswith("["):
            try:
                name, init_kwargs = json.loads(text)
            except (ValueError, TypeError):
                raise MXNetError(f"initializer.create: cannot parse {init!r} as [name, kwargs] JSON") from None
            return create(name, **init_kwargs)
        klass = _REGISTRY.get(text.lower())
        if klass is None:
            raise MXNetError(f"initializer.create: unknown initializer {init!r}; registered: {sorted(_REGISTRY)}")
        return klass(**kwargs)
    raise MXNetError(f"initializer.create: expects an Initializer or a name, got {type(init).__name__}")


def _fill(arr, value):
    """Write ``value`` (scalar or array) into ``arr`` (NDArray or numpy) in place."""
    target = arr._data if isinstance(arr, NDArray) else arr
    target[...] = value._data if isinstance(value, NDArray) else value


class Initializer:
    """Base class: subclasses define ``_init_weight(name, arr)``; ``__call__`` dispatches on the name.

    Examples
    --------
    >>> import ssdkit as mx
    >>> g = mx.nd.zeros((3,)); Uniform()(InitDesc("bn_gamma"), g); g.asnumpy()
    array([1., 1., 1.], dtype=float32)
    """

    def __init__(self, **kwargs):
        self._kwargs = kwargs
        self._verbose = False
        self._print_func = None

    def set_verbosity(self, verbose=False, print_func=None):
        """Log a statistic of every initialized array (the RMS value unless ``print_func`` is given).

        Examples
        --------
        >>> Zero().set_verbosity(True)._verbose
        True
        """
        self._verbose = verbose
        if print_func is None:
            def print_func(x):
                data = x._data if isinstance(x, NDArray) else np.asarray(x)
                return str(np.linalg.norm(data) / np.sqrt(max(data.size, 1)))
        self._print_func = print_func
        return self

    def _verbose_print(self, desc, init, arr):
        if self._verbose and self._print_func:
            logging.info("Initialized %s as %s: %s", desc, init, self._print_func(arr))

    def dumps(self):
        """``'["name", {kwargs}]'``: the JSON MXNet stores as a variable's ``__init__`` attribute.

        Examples
        --------
        >>> Xavier(magnitude=2).dumps()
        '["xavier", {"rnd_type": "uniform", "factor_type": "avg", "magnitude": 2}]'
        """
        return json.dumps([self.__class__.__name__.lower(), self._kwargs])

    def __call__(self, desc, arr):
        if not isinstance(desc, InitDesc):
            self._legacy_init(desc, arr)
            return
        if desc.global_init is None:
            desc.global_init = self
        init = desc.attrs.get("__init__", "")
        if init:
            create(init)._init_weight(desc, arr)
            self._verbose_print(desc, init, arr)
            return
        for suffix, rule in _SUFFIX_RULES:
            if desc.endswith(suffix):
                getattr(self, rule)(desc, arr)
                self._verbose_print(desc, suffix, arr)
                return
        self._init_default(desc, arr)

    def _legacy_init(self, name, arr):
        warnings.warn("Calling initializer with init(str, NDArray) has been deprecated. "
                      "please use init(mx.init.InitDesc(...), NDArray) instead.", DeprecationWarning, stacklevel=3)
        if not isinstance(name, str):
            raise TypeError("name must be string")
        if not isinstance(arr, NDArray):
            raise TypeError("arr must be NDArray")
        if name.startswith("upsampling"):
            self._init_bilinear(name, arr)
            return
        if name.startswith("stn_loc") and name.endswith("weight"):
            self._init_zero(name, arr)
            return
        if name.startswith("stn_loc") and name.endswith("bias"):
            self._init_loc_bias(name, arr)
            return
        for suffix, rule in _LEGACY_RULES:
            if name.endswith(suffix):
                getattr(self, rule)(name, arr)
                return
        self._init_default(name, arr)

    def _init_bilinear(self, _, arr):
        _fill(arr, _bilinear_kernel(arr.shape))

    def _init_loc_bias(self, _, arr):
        if arr.shape[0] != 6:
            raise MXNetError(f"stn_loc bias expects 6 values, got shape {arr.shape}")
        _fill(arr, np.array([1.0, 0, 0, 0, 1.0, 0]))

    def _init_zero(self, _, arr):
        _fill(arr, 0.0)

    def _init_one(self, _, arr):
        _fill(arr, 1.0)

    def _init_bias(self, _, arr):
        _fill(arr, 0.0)

    def _init_gamma(self, _, arr):
        _fill(arr, 1.0)

    def _init_beta(self, _, arr):
        _fill(arr, 0.0)

    def _init_weight(self, name, arr):
        raise MXNetError(f"{type(self).__name__} defines no weight rule; subclasses implement _init_weight")

    def _init_default(self, name, _):
        raise MXNetError(
            'Unknown initialization pattern for %s. Default initialization is now limited to "weight", "bias", '
            '"gamma" (1.0), and "beta" (0.0).Please use mx.sym.Variable(init=mx.init.*) to set initialization '
            "pattern" % name)

    def __eq__(self, other):
        if not isinstance(other, Initializer):
            return NotImplemented
        return type(self) is type(other) and self._kwargs == other._kwargs

    __hash__ = object.__hash__

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self._kwargs.items())})"


def _bilinear_kernel(shape):
    """Bilinear upsampling weights for a (..., kh, kw) kernel (vectorized over all positions)."""
    size = int(np.prod(shape))
    f = np.ceil(shape[3] / 2.0)
    c = (2 * f - 1 - f % 2) / (2.0 * f)
    i = np.arange(size)
    x, y = i % shape[3], (i // shape[3]) % shape[2]
    return ((1 - np.abs(x / f - c)) * (1 - np.abs(y / f - c))).astype(DTYPE).reshape(shape)


class Load:
    """Initialize from saved arrays (a ``.params`` file or a dict), falling back to ``default_init``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> init = Load({"arg:w": mx.nd.ones((2,))}, default_init=Zero())
    >>> a, b = mx.nd.zeros((2,)), mx.nd.ones((1,))
    >>> init("w", a); init(InitDesc("other_bias"), b); a.asnumpy(), b.asnumpy()
    (array([1., 1.], dtype=float32), array([0.], dtype=float32))
    """

    def __init__(self, param, default_init=None, verbose=False):
        if isinstance(param, str):
            param = _nd_load(param)
        if not isinstance(param, dict):
            raise MXNetError("Load: expects a dict name -> NDArray or a file holding one")
        self.param = {(k[4:] if k.startswith(("arg:", "aux:")) else k): v for k, v in param.items()}
        self.default_init = default_init
        self.verbose = verbose

    def __call__(self, name, arr):
        if name in self.param:
            if tuple(arr.shape) != tuple(self.param[name].shape):
                raise MXNetError(f"Parameter {name} cannot be initialized from loading. Shape mismatch, "
                                 f"target {arr.shape} vs loaded {self.param[name].shape}")
            _fill(arr, self.param[name])
            if self.verbose:
                logging.info("Initialized %s by loading", name)
            return
        if self.default_init is None:
            raise MXNetError(f"Cannot Initialize {name}. Not found in loaded param and no default Initializer "
                             "is provided.")
        self.default_init(name if isinstance(name, InitDesc) else InitDesc(name), arr)
        if self.verbose:
            logging.info("Initialized %s by default", name)


class Mixed:
    """Pick an initializer by the first regular expression (``re.match``) matching the parameter name.

    Examples
    --------
    >>> import ssdkit as mx
    >>> init = Mixed(["conv.*", ".*"], [Constant(3.0), Zero()])
    >>> w = mx.nd.zeros((2,)); init(InitDesc("conv0_weight"), w); w.asnumpy()
    array([3., 3.], dtype=float32)
    """

    def __init__(self, patterns, initializers):
        if len(patterns) != len(initializers):
            raise MXNetError(f"Mixed: {len(patterns)} patterns for {len(initializers)} initializers")
        self.map = list(zip([re.compile(p) for p in patterns], initializers))

    def __call__(self, name, arr):
        for prog, init in self.map:
            if prog.match(name):
                init(name, arr)
                return
        raise MXNetError(f'Parameter name {name} did not match any pattern. Consider add a ".*" pattern at the '
                         "and with default Initializer.")


@register
@alias("zeros")
class Zero(Initializer):
    """Weights 0.

    Examples
    --------
    >>> Zero().dumps()
    '["zero", {}]'
    """

    def _init_weight(self, _, arr):
        _fill(arr, 0)


@register
@alias("ones")
class One(Initializer):
    """Weights 1.

    Examples
    --------
    >>> One().dumps()
    '["one", {}]'
    """

    def _init_weight(self, _, arr):
        _fill(arr, 1)


@register
class Constant(Initializer):
    """Weights set to ``value`` (a scalar or an array broadcastable to the weight).

    Examples
    --------
    >>> Constant(0.5).dumps()
    '["constant", {"value": 0.5}]'
    """

    def __init__(self, value):
        super().__init__(value=value)
        self.value = value

    def _init_weight(self, _, arr):
        _fill(arr, self.value)

    def dumps(self):
        val = self._kwargs["value"]
        if not np.isscalar(val):
            self._kwargs["value"] = val.tolist() if isinstance(val, np.ndarray) else val.asnumpy().tolist()
        return json.dumps([self.__class__.__name__.lower(), self._kwargs])


@register
class Uniform(Initializer):
    """Weights drawn from U(-scale, scale).

    Examples
    --------
    >>> import ssdkit as mx
    >>> w = mx.nd.zeros((100,)); Uniform(0.1)(InitDesc("w_weight"), w); bool(abs(w).max() <= 0.1)
    True
    """

    def __init__(self, scale=0.07):
        super().__init__(scale=scale)
        self.scale = scale

    def _init_weight(self, _, arr):
        _random.uniform(-self.scale, self.scale, arr.shape, dtype=arr.dtype, out=arr)


@register
class Normal(Initializer):
    """Weights drawn from N(0, sigma²).

    Examples
    --------
    >>> Normal(0.5).sigma
    0.5
    """

    def __init__(self, sigma=0.01):
        super().__init__(sigma=sigma)
        self.sigma = sigma

    def _init_weight(self, _, arr):
        _random.normal(0, self.sigma, arr.shape, dtype=arr.dtype, out=arr)


@register
class Orthogonal(Initializer):
    """Weights from the SVD of a random matrix, scaled by ``scale`` (rows or columns orthonormal).

    Examples
    --------
    >>> import ssdkit as mx
    >>> w = mx.nd.zeros((3, 5)); Orthogonal(scale=1.0)(InitDesc("q_weight"), w)
    >>> np.allclose(w.asnumpy() @ w.asnumpy().T, np.eye(3), atol=1e-5)
    True
    """

    def __init__(self, scale=1.414, rand_type="uniform"):
        super().__init__(scale=scale, rand_type=rand_type)
        self.scale = scale
        self.rand_type = rand_type

    def _init_weight(self, _, arr):
        nout, nin = arr.shape[0], int(np.prod(arr.shape[1:]))
        if self.rand_type == "uniform":
            tmp = _random.uniform(-1.0, 1.0, shape=(nout, nin)).asnumpy()
        elif self.rand_type == "normal":
            tmp = _random.normal(0.0, 1.0, shape=(nout, nin)).asnumpy()
        else:
            raise MXNetError(f"Orthogonal: rand_type must be 'uniform' or 'normal', got {self.rand_type!r}")
        u, _, v = np.linalg.svd(tmp, full_matrices=False)
        res = u if u.shape == tmp.shape else v
        _fill(arr, (self.scale * res).reshape(arr.shape))


@register
class Xavier(Initializer):
    """Glorot initialization: scale = sqrt(magnitude / factor), factor from fan_in/fan_out ('avg', 'in', 'out').

    Parameters
    ----------
    rnd_type : {'uniform', 'gaussian'}
    factor_type : {'avg', 'in', 'out'}
    magnitude : float

    Examples
    --------
    >>> import ssdkit as mx
    >>> w = mx.nd.zeros((16, 3, 3, 3)); Xavier(magnitude=2)(InitDesc("c_weight"), w)
    >>> bool(abs(w).max() <= np.sqrt(2 / ((27 + 144) / 2)))
    True
    """

    def __init__(self, rnd_type="uniform", factor_type="avg", magnitude=3):
        super().__init__(rnd_type=rnd_type, factor_type=factor_type, magnitude=magnitude)
        self.rnd_type = rnd_type
        self.factor_type = factor_type
        self.magnitude = float(magnitude)

    def _init_weight(self, name, arr):
        shape = arr.shape
        if len(shape) < 2:
            raise MXNetError(f"Xavier initializer cannot be applied to vector {name}. It requires at least 2D.")
        hw_scale = np.prod(shape[2:]) if len(shape) > 2 else 1.0
        fan_in, fan_out = shape[1] * hw_scale, shape[0] * hw_scale
        factors = {"avg": (fan_in + fan_out) / 2.0, "in": fan_in, "out": fan_out}
        if self.factor_type not in factors:
            raise MXNetError(f"Xavier: incorrect factor_type {self.factor_type!r}; expected avg, in or out")
        scale = np.sqrt(self.magnitude / factors[self.factor_type])
        if self.rnd_type == "uniform":
            _random.uniform(-scale, scale, arr.shape, dtype=arr.dtype, out=arr)
        elif self.rnd_type == "gaussian":
            _random.normal(0, scale, arr.shape, dtype=arr.dtype, out=arr)
        else:
            raise MXNetError(f"Xavier: unknown rnd_type {self.rnd_type!r}; expected uniform or gaussian")


@register
class MSRAPrelu(Xavier):
    """He initialization for PReLU nets: gaussian Xavier with magnitude 2 / (1 + slope²).

    Examples
    --------
    >>> MSRAPrelu().magnitude
    1.8823529411764706
    """

    def __init__(self, factor_type="avg", slope=0.25):
        super().__init__("gaussian", factor_type, 2.0 / (1 + slope ** 2))
        self._kwargs = {"factor_type": factor_type, "slope": slope}


@register
class Bilinear(Initializer):
    """Bilinear upsampling kernels (for Deconvolution weights).

    Examples
    --------
    >>> import ssdkit as mx
    >>> w = mx.nd.zeros((1, 1, 4, 4)); Bilinear()(InitDesc("up_weight"), w); float(w.asnumpy()[0, 0, 1, 1])
    0.5625
    """

    def _init_weight(self, _, arr):
        _fill(arr, _bilinear_kernel(arr.shape))


@register
class LSTMBias(Initializer):
    """Zero bias except the forget-gate quarter, set to ``forget_bias``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> b = mx.nd.zeros((8,)); LSTMBias(1.0)(InitDesc("lstm_i2h_bias", {"__init__": LSTMBias(1.0)}), b)
    >>> b.asnumpy().tolist()
    [0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0]
    """

    def __init__(self, forget_bias=1.0):
        super().__init__(forget_bias=forget_bias)
        self.forget_bias = forget_bias

    def _init_weight(self, name, arr):
        _fill(arr, 0.0)
        num_hidden = arr.shape[0] // 4
        arr[num_hidden:2 * num_hidden] = self.forget_bias
