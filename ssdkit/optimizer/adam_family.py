"""Adam variants and Langevin SGD with MXNet 1.9.1's update rules (``g = rescale_grad * grad``):

* Adamax: ``g' = clip(g + wd w)``; ``m = b1 m + (1-b1) g'``; ``u = max(b2 u, |g'|)``; ``w -= lr/(1-b1^t) m/u``;
* Nadam: ``g' = clip(g + wd w)``; momentum schedule ``mu_t = b1 (1 - 0.5 * 0.96^(t * decay))`` with the running
  product kept on the optimizer (``m_schedule``, shared by all weights as in MXNet);
  ``w -= lr ((1-mu_t) g'/(1-prod) + mu_{t+1} m/(1-prod mu_{t+1})) / (sqrt(v/(1-b2^t)) + eps)``;
* LAMB: phase 1 ``m, v`` as Adam on ``clip(g)``, ``u = m_hat / (sqrt(v_hat) + eps) + wd w`` (bias-corrected
  by default); phase 2 ``r1 = ||w||`` bounded by ``lower_bound``/``upper_bound``, ``r2 = ||u||``,
  ``w -= lr * (r1/r2 if both non-zero else 1) * u``;
* SGLD: ``w -= lr/2 (clip(g) + wd w)``, then ``w += N(0, sqrt(lr))``.

Examples
--------
>>> import ssdkit as mx
>>> opt = Adamax(learning_rate=0.1); w = mx.nd.array([1.0])
>>> opt.update(0, w, mx.nd.array([0.5]), opt.create_state(0, w)); w.asnumpy()
array([0.9], dtype=float32)
"""
import os

import numpy as np

from .. import ndarray as nd
from .optimizer import Optimizer, register, f32, rescaled_grad, zeros_like_weight as _zeros_like

__all__ = ["Adamax", "Nadam", "LAMB", "SGLD"]


def _plain_clip(opt, g):
    """Clip as MXNet's Python-side optimizers do: whenever clip_gradient is not None."""
    if opt.clip_gradient is not None:
        np.clip(g, -f32(opt.clip_gradient), f32(opt.clip_gradient), out=g)
    return g


@register
class Adamax(Optimizer):
    """AdaMax, Adam with the infinity norm (Kingma & Ba, section 7).

    Parameters
    ----------
    learning_rate : float
    beta1, beta2 : float

    Examples
    --------
    >>> Adamax().learning_rate, len(Adamax().create_state(0, nd.zeros((2,))))
    (0.002, 2)
    """

    def __init__(self, learning_rate=0.002, beta1=0.9, beta2=0.999, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2

    def create_state(self, index, weight):
        return _zeros_like(weight), _zeros_like(weight)

    def update(self, index, weight, grad, state):
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        t = self._index_update_count[index]
        lr /= 1.0 - self.beta1 ** t
        w = weight._data
        g = _plain_clip(self, grad._data * f32(self.rescale_grad) + f32(wd) * w)
        m, u = state[0]._data, state[1]._data
        m *= f32(self.beta1)
        m += f32(1.0 - self.beta1) * g
        np.maximum(f32(self.beta2) * u, np.abs(g), out=u)
        w -= f32(lr) * m / u


@register
class Nadam(Optimizer):
    """Nesterov-momentum Adam (Dozat) with MXNet's warming momentum schedule.

    Parameters
    ----------
    learning_rate : float
    beta1, beta2 : float
    epsilon : float
    schedule_decay : float

    Examples
    --------
    >>> import ssdkit as mx
    >>> opt = Nadam(learning_rate=0.1); w = mx.nd.array([1.0])
    >>> opt.update(0, w, mx.nd.array([0.5]), opt.create_state(0, w)); np.round(w.asnumpy(), 3)
    array([0.894], dtype=float32)
    """

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8, schedule_decay=0.004, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.schedule_decay = schedule_decay
        self.m_schedule = 1.0

    def create_state(self, index, weight):
        return _zeros_like(weight), _zeros_like(weight)

    def update(self, index, weight, grad, state):
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        t = self._index_update_count[index]
        w = weight._data
        g = _plain_clip(self, grad._data * f32(self.rescale_grad) + f32(wd) * w)
        mu_t = self.beta1 * (1.0 - 0.5 * 0.96 ** (t * self.schedule_decay))
        mu_next = self.beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * self.schedule_decay))
        self.m_schedule = self.m_schedule * mu_t
        schedule_next = self.m_schedule * mu_next
        m, v = state[0]._data, state[1]._data
        m *= f32(self.beta1)
        m += f32(1.0 - self.beta1) * g
        v *= f32(self.beta2)
        v += f32(1.0 - self.beta2) * g * g
        g_prime = g / f32(1.0 - self.m_schedule)
        m_prime = m / f32(1.0 - schedule_next)
        v_prime = v / f32(1.0 - self.beta2 ** t)
        m_bar = f32(1.0 - mu_t) * g_prime + f32(mu_next) * m_prime
        w -= f32(lr) * m_bar / (np.sqrt(v_prime) + f32(self.epsilon))


@register
class LAMB(Optimizer):
    """LAMB, layer-wise adaptive moments (You et al., 2019): an Adam direction scaled by ``||w|| / ||u||``.

    Parameters
    ----------
    learning_rate : float
    beta1, beta2 : float
    epsilon : float
    lower_bound, upper_bound : float, optional
        Bounds on the weight norm in the trust ratio.
    bias_correction : bool

    Examples
    --------
    >>> import ssdkit as mx
    >>> opt = LAMB(learning_rate=0.1); w = mx.nd.array([3.0, 4.0])
    >>> opt.update(0, w, mx.nd.array([1.0, 1.0]), opt.create_state(0, w)); np.round(w.asnumpy(), 4)
    array([2.6464, 3.6464], dtype=float32)
    """

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-6, lower_bound=None,
                 upper_bound=None, bias_correction=True, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.lower_bound = lower_bound
        self.upper_bound = upper_bound
        self.bias_correction = bias_correction
        self.aggregate_num = max(1, min(45, int(os.getenv("MXNET_OPTIMIZER_AGGREGATION_SIZE", "45"))))

    def create_state(self, index, weight):
        return _zeros_like(weight), _zeros_like(weight)

    def update(self, index, weight, grad, state):
        if isinstance(index, (list, tuple)):
            for i, w, g, s in zip(index, weight, grad, state):
                self.update(i, w, g, s)
            return
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        t = self._index_update_count[index]
        w = weight._data
        g = rescaled_grad(self, grad._data, clip=bool(self.clip_gradient) and self.clip_gradient >= 0)
        b1, b2 = f32(self.beta1), f32(self.beta2)
        mean, var = state[0]._data, state[1]._data
        mean[...] = b1 * mean + (f32(1) - b1) * g
        var[...] = b2 * var + (f32(1) - b2) * g * g
        if self.bias_correction:
            m_hat = mean / f32(1.0 - self.beta1 ** t)
            v_hat = var / f32(1.0 - self.beta2 ** t)
        else:
            m_hat, v_hat = mean, var
        u = m_hat / (np.sqrt(v_hat) + f32(self.epsilon)) + f32(wd) * w
        r1 = f32(np.sqrt(np.sum(np.square(w, dtype=np.float32))))
        r2 = f32(np.sqrt(np.sum(np.square(u, dtype=np.float32))))
        if self.lower_bound:
            r1 = max(r1, f32(self.lower_bound))
        if self.upper_bound:
            r1 = min(r1, f32(self.upper_bound))
        ratio = f32(1) if r1 == 0 or r2 == 0 else r1 / r2
        w -= f32(lr) * ratio * u


@register
class SGLD(Optimizer):
    """Stochastic gradient Langevin dynamics: half an SGD step plus Gaussian noise of variance ``lr``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> mx.random.seed(0); opt = SGLD(learning_rate=0.0); w = mx.nd.array([1.0])
    >>> opt.update(0, w, mx.nd.array([1.0]), None); w.asnumpy()
    array([1.], dtype=float32)
    """

    def create_state(self, index, weight):
        return None

    def update(self, index, weight, grad, state):
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        w = weight._data
        g = _plain_clip(self, grad._data * f32(self.rescale_grad))
        w -= f32(lr / 2) * (g + f32(wd) * w)
        noise = nd.random.normal(0, float(np.sqrt(lr)), shape=weight.shape, dtype=weight.dtype, ctx=weight.context)
        w += noise._data
