"""The initializer machinery: :class:`InitDesc`, the :class:`Initializer` base with MXNet's name-based
dispatch, and the registry (``register`` / ``alias`` / ``create``).

A per-parameter initializer (``attrs['__init__']``, set from ``Parameter(init=...)``) wins; otherwise the name's
suffix picks the rule: ``*weight`` -> ``_init_weight`` (the random part), ``*bias``/``*beta`` -> 0, ``*gamma`` -> 1,
``*min`` -> 0, ``*max`` -> 1, and (beyond MXNet, which raises there) ``*running_mean``/``*moving_mean`` -> 0,
``*running_var``/``*moving_var`` -> 1.

Examples
--------
>>> import ssdkit as mx
>>> b = mx.nd.ones((2,)); mx.init.Xavier()(InitDesc("fc_bias"), b); b.asnumpy()
array([0., 0.], dtype=float32)
"""
import json
import logging
import warnings

import numpy as np

from ..base import MXNetError, DTYPE
from ..ndarray import NDArray

__all__ = ["InitDesc", "Initializer", "register", "alias", "create"]

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
                if not isinstance(name, str) or not isinstance(init_kwargs, dict):
                    raise TypeError("not [name, kwargs]")
            except (ValueError, TypeError, RecursionError):
                raise MXNetError(f"initializer.create: cannot parse {init[:80]!r} as [name, kwargs] JSON") from None
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
    >>> g = mx.nd.zeros((3,)); mx.init.Uniform()(InitDesc("bn_gamma"), g); g.asnumpy()
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
        >>> import ssdkit as mx
        >>> mx.init.Zero().set_verbosity(True)._verbose
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
        >>> import ssdkit as mx
        >>> mx.init.Xavier(magnitude=2).dumps()
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
