"""The standard initializers: Zero, One, Constant, Uniform, Normal, Orthogonal, Xavier, MSRAPrelu, Bilinear,
LSTMBias, and the combinators Load and Mixed. Random draws go through ``mx.nd.random`` (seeded by
``mx.random.seed``).

Examples
--------
>>> import ssdkit as mx
>>> w = mx.nd.zeros((2, 3))
>>> Constant(0.5)(InitDesc("fc_weight"), w); w.asnumpy()
array([[0.5, 0.5, 0.5],
       [0.5, 0.5, 0.5]], dtype=float32)
"""
import json
import logging
import re

import numpy as np

from ..base import MXNetError
from ..ndarray import load as _nd_load
from ..ndarray import random as _random
from .base import InitDesc, Initializer, register, alias, _fill, _bilinear_kernel

__all__ = ["Load", "Mixed", "Zero", "One", "Constant", "Uniform", "Normal", "Orthogonal", "Xavier", "MSRAPrelu",
           "Bilinear", "LSTMBias"]


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
