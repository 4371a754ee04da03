"""Normalization layers beside BatchNorm: ``BatchNormReLU``, ``InstanceNorm``, ``LayerNorm``, ``GroupNorm``,
with MXNet 1.9.1's parameter names, shapes, defaults and reprs.

Examples
--------
>>> import ssdkit as mx
>>> ln = LayerNorm(in_channels=3, prefix="ln_"); ln
LayerNorm(eps=1e-05, axis=-1, center=True, scale=True, in_channels=3)
>>> ln.initialize(); ln(mx.nd.array([[1, 2, 3]])).asnumpy().round(3).tolist()
[[-1.225, 0.0, 1.225]]
"""
from ..hybrid_block import HybridBlock
from .basic_layers import BatchNorm

__all__ = ["BatchNormReLU", "InstanceNorm", "LayerNorm", "GroupNorm"]


class BatchNormReLU(BatchNorm):
    """Batch normalization followed by ReLU in one op (``contrib.BatchNormWithReLU``); BatchNorm's parameters.

    Examples
    --------
    >>> import ssdkit as mx
    >>> bn = BatchNormReLU(in_channels=1, prefix="bnr_"); bn.initialize()
    >>> bn(mx.nd.array([[-1.0], [1.0]])).asnumpy().round(3).ravel().tolist()
    [0.0, 1.0]
    """

    def hybrid_forward(self, F, x, gamma, beta, running_mean, running_var):
        return F.contrib.BatchNormWithReLU(x, gamma, beta, running_mean, running_var, name="fwd", **self._kwargs)


class _ScaleShiftNorm(HybridBlock):
    """Shared parameters and repr of the norms with a learnable ``gamma`` (scale) and ``beta`` (center)."""

    def __init__(self, kwargs, param_shape, center, scale, beta_initializer, gamma_initializer, **block_kwargs):
        super().__init__(**block_kwargs)
        self._kwargs = kwargs
        self.gamma = self.params.get("gamma", grad_req="write" if scale else "null", shape=param_shape,
                                     init=gamma_initializer, allow_deferred_init=True)
        self.beta = self.params.get("beta", grad_req="write" if center else "null", shape=param_shape,
                                    init=beta_initializer, allow_deferred_init=True)

    def _content(self):
        return ", ".join("=".join([k, repr(v)]) for k, v in self._kwargs.items())

    def __repr__(self):
        return f"{self.__class__.__name__}({self._content()}, in_channels={self.gamma.shape[0]})"


class InstanceNorm(_ScaleShiftNorm):
    """Instance normalization: each channel of each sample standardized over its spatial axes, then
    ``* gamma + beta`` per channel (``gamma`` is not learned unless ``scale=True``, as MXNet).

    Examples
    --------
    >>> import ssdkit as mx
    >>> norm = InstanceNorm(in_channels=2, prefix="in_"); norm.initialize()
    >>> norm(mx.nd.array([[[1, 3], [0, 4]]])).asnumpy().round(3).tolist()
    [[[-1.0, 1.0], [-1.0, 1.0]]]
    """

    def __init__(self, axis=1, epsilon=1e-5, center=True, scale=False, beta_initializer="zeros",
                 gamma_initializer="ones", in_channels=0, **kwargs):
        super().__init__({"eps": epsilon, "axis": axis, "center": center, "scale": scale}, (in_channels,),
                         center, scale, beta_initializer, gamma_initializer, **kwargs)
        self._axis, self._epsilon = axis, epsilon

    def infer_shape(self, x, *args):
        self.gamma.shape = self.beta.shape = (x.shape[self._axis],)

    def hybrid_forward(self, F, x, gamma, beta):
        if self._axis == 1:
            return F.InstanceNorm(x, gamma, beta, name="fwd", eps=self._epsilon)
        x = x.swapaxes(1, self._axis)
        return F.InstanceNorm(x, gamma, beta, name="fwd", eps=self._epsilon).swapaxes(1, self._axis)


class LayerNorm(_ScaleShiftNorm):
    """Layer normalization: standardize along ``axis`` (default the last), then ``* gamma + beta``.

    Examples
    --------
    >>> LayerNorm(axis=1, prefix="l1_").gamma.shape
    (0,)
    """

    def __init__(self, axis=-1, epsilon=1e-5, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", in_channels=0, prefix=None, params=None):
        super().__init__({"eps": epsilon, "axis": axis, "center": center, "scale": scale}, (in_channels,),
                         center, scale, beta_initializer, gamma_initializer, prefix=prefix, params=params)
        self._axis, self._epsilon = axis, epsilon

    def infer_shape(self, x, *args):
        self.gamma.shape = self.beta.shape = (x.shape[self._axis],)

    def hybrid_forward(self, F, data, gamma, beta):
        return F.LayerNorm(data, gamma=gamma, beta=beta, axis=self._axis, eps=self._epsilon)


class GroupNorm(_ScaleShiftNorm):
    """Group normalization: the channels split into ``num_groups`` groups, each group of each sample
    standardized, then ``* gamma + beta`` with one value per group (shape ``(num_groups,)``, as MXNet 1.9.1).

    Examples
    --------
    >>> import ssdkit as mx
    >>> gn = GroupNorm(num_groups=2, prefix="gn_"); gn.initialize(); gn
    GroupNorm(eps=1e-05, num_groups=2, center=True, scale=True)
    >>> gn(mx.nd.array([[[1, 3], [0, 4]]])).asnumpy().round(3).tolist()
    [[[-1.0, 1.0], [-1.0, 1.0]]]
    """

    def __init__(self, num_groups=1, epsilon=1e-5, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", prefix=None, params=None):
        super().__init__({"eps": epsilon, "num_groups": num_groups, "center": center, "scale": scale},
                         (num_groups,), center, scale, beta_initializer, gamma_initializer, prefix=prefix,
                         params=params)
        self._num_groups, self._epsilon = num_groups, epsilon

    def hybrid_forward(self, F, data, gamma, beta):
        return F.GroupNorm(data, gamma=gamma, beta=beta, num_groups=self._num_groups, eps=self._epsilon)

    def __repr__(self):
        return f"{self.__class__.__name__}({self._content()})"
