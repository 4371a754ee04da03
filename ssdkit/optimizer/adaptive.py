"""Adaptive optimizers with MXNet 1.9.1's exact update rules (``g`` below is ``rescale_grad * grad``); Adam and
RMSProp run MXNet's update ops (``adam_update``, ``rmsprop_update``, ``rmspropalex_update``), AdaGrad and
AdaDelta are array arithmetic in MXNet's Python too:

* Adam: ``g' = clip(g + wd * w)``; ``m = b1 m + (1-b1) g'``; ``v = b2 v + (1-b2) g'²``;
  ``w -= lr * sqrt(1-b2^t)/(1-b1^t) * m / (sqrt(v) + eps)``;
* RMSProp: ``g' = clip(g + wd * w)``; ``n = (1-g1) g'² + g1 n``; ``w -= lr g' / sqrt(n + eps)``;
  centered (Graves): also ``gm = (1-g1) g' + g1 gm``, ``d = g2 d - lr g' / sqrt(n - gm² + eps)``, ``w += d``;
  ``clip_weights`` bounds the result;
* AdaGrad: ``g' = clip(g)``; ``h += g'²``; ``w -= lr (g' / sqrt(h + eps) + wd w)``;
* AdaDelta: ``g' = clip(g)``; ``a = rho a + (1-rho) g'²``; ``d = sqrt(ad + eps) / sqrt(a + eps) g'``;
  ``ad = rho ad + (1-rho) d²``; ``w -= d + wd w``.

Examples
--------
>>> import ssdkit as mx
>>> opt = Adam(learning_rate=0.1); w = mx.nd.array([1.0])
>>> opt.update(0, w, mx.nd.array([0.5]), opt.create_state(0, w)); w.asnumpy()   # first step moves by ~lr
array([0.9], dtype=float32)
"""
import math

import numpy as np

from .. import ndarray as nd
from .optimizer import Optimizer, register, f32, op_kwargs, zeros_like_weight as _zeros_like

__all__ = ["Adam", "RMSProp", "AdaGrad", "AdaDelta"]


@register
class Adam(Optimizer):
    """Adam (Kingma & Ba) with bias correction folded into the learning rate, as MXNet.

    Parameters
    ----------
    learning_rate : float
    beta1, beta2 : float
    epsilon : float
    lazy_update : bool
        Sparse-only option (accepted).

    Examples
    --------
    >>> len(Adam().create_state(0, nd.zeros((3,))))
    2
    """

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8, lazy_update=True, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.lazy_update = lazy_update

    def create_state(self, index, weight):
        return _zeros_like(weight), _zeros_like(weight)

    def update(self, index, weight, grad, state):
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        t = self._index_update_count[index]
        lr *= math.sqrt(1.0 - self.beta2 ** t) / (1.0 - self.beta1 ** t)
        mean, var = state
        nd.adam_update(weight, grad, mean, var, out=weight, lazy_update=self.lazy_update, lr=lr, wd=wd,
                       beta1=self.beta1, beta2=self.beta2, epsilon=self.epsilon, **op_kwargs(self))


@register
class RMSProp(Optimizer):
    """RMSProp (Tieleman & Hinton) or, with ``centered=True``, Graves' centered variant.

    Parameters
    ----------
    learning_rate : float
    gamma1 : float
        Decay of the squared-gradient average.
    gamma2 : float
        Momentum of the centered variant.
    epsilon : float
    centered : bool
    clip_weights : float, optional

    Examples
    --------
    >>> len(RMSProp(centered=True).create_state(0, nd.zeros((2,))))
    3
    """

    def __init__(self, learning_rate=0.001, gamma1=0.9, gamma2=0.9, epsilon=1e-8, centered=False,
                 clip_weights=None, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.gamma1 = gamma1
        self.gamma2 = gamma2
        self.centered = centered
        self.epsilon = epsilon
        self.clip_weights = clip_weights

    def create_state(self, index, weight):
        count = 3 if self.centered else 1
        return tuple(nd.zeros(weight.shape, weight.context) for _ in range(count))

    def update(self, index, weight, grad, state):
        self._update_count(index)
        kwargs = dict(op_kwargs(self), lr=self._get_lr(index), wd=self._get_wd(index), gamma1=self.gamma1,
                      epsilon=self.epsilon)
        if self.clip_weights:
            kwargs["clip_weights"] = self.clip_weights
        if not self.centered:
            nd.rmsprop_update(weight, grad, state[0], out=weight, **kwargs)
        else:
            n, g, delta = state
            nd.rmspropalex_update(weight, grad, n, g, delta, out=weight, gamma2=self.gamma2, **kwargs)


@register
class AdaGrad(Optimizer):
    """AdaGrad: per-element learning rates from the accumulated squared gradients.

    Examples
    --------
    >>> import ssdkit as mx
    >>> opt = AdaGrad(learning_rate=1.0); w = mx.nd.array([1.0])
    >>> opt.update(0, w, mx.nd.array([2.0]), opt.create_state(0, w)); np.round(w.asnumpy(), 5)
    array([0.], dtype=float32)
    """

    def __init__(self, eps=1e-7, **kwargs):
        super().__init__(**kwargs)
        self.float_stable_eps = eps

    def create_state(self, index, weight):
        return nd.zeros(weight.shape, weight.context)

    def update(self, index, weight, grad, state):
        self._update_count(index)
        lr, wd = f32(self._get_lr(index)), f32(self._get_wd(index))
        w, history = weight._data, state._data
        g = grad._data * f32(self.rescale_grad)
        if self.clip_gradient is not None:
            np.clip(g, -f32(self.clip_gradient), f32(self.clip_gradient), out=g)
        history += g * g
        w += (g / np.sqrt(history + f32(self.float_stable_eps)) + w * wd) * -lr


@register
class AdaDelta(Optimizer):
    """AdaDelta (Zeiler): no learning rate; step sizes from running averages of gradients and updates.

    Examples
    --------
    >>> len(AdaDelta().create_state(0, nd.zeros((2,))))
    2
    """

    def __init__(self, rho=0.9, epsilon=1e-5, **kwargs):
        super().__init__(**kwargs)
        self.rho = rho
        self.epsilon = epsilon

    def create_state(self, index, weight):
        return nd.zeros(weight.shape, weight.context), nd.zeros(weight.shape, weight.context)

    def update(self, index, weight, grad, state):
        wd = f32(self._get_wd(index))
        self._update_count(index)
        w, acc_g, acc_delta = weight._data, state[0]._data, state[1]._data
        g = grad._data * f32(self.rescale_grad)
        if self.clip_gradient is not None:
            np.clip(g, -f32(self.clip_gradient), f32(self.clip_gradient), out=g)
        rho, eps = f32(self.rho), f32(self.epsilon)
        acc_g *= rho
        acc_g += (f32(1) - rho) * g * g
        delta = np.sqrt(acc_delta + eps) / np.sqrt(acc_g + eps) * g
        acc_delta *= rho
        acc_delta += (f32(1) - rho) * delta * delta
        w -= delta + wd * w
