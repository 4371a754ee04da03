"""Adam variants and Langevin SGD with MXNet 1.9.1's update rules (``g = rescale_grad * grad``):

* Adamax: ``g' = clip(g + wd w)``; ``m = b1 m + (1-b1) g'``; ``u = max(b2 u, |g'|)``; ``w -= lr/(1-b1^t) m/u``;
* Nadam: ``g' = clip(g + wd w)``; momentum schedule ``mu_t = b1 (1 - 0.5 * 0.96^(t * decay))`` with the running
  product kept on the optimizer (``m_schedule``, shared by all weights as in MXNet);
  ``w -= lr ((1-mu_t) g'/(1-prod) + mu_{t+1} m/(1-prod mu_{t+1})) / (sqrt(v/(1-b2^t)) + eps)``;
* LAMB (MXNet's ``lamb_update_phase1/2`` ops, or ``_multi_lamb_update`` for aggregated updates): phase 1 ``m, v`` as Adam on ``clip(g)``, ``u = m_hat / (sqrt(v_hat) + eps) + wd w`` (bias-corrected
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
from .optimizer import Optimizer, register, f32, zeros_like_weight as _zeros_like

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

    def _update_impl(self, index, weight, grad, state, multi_precision=False):
        kwargs = {"beta1": self.beta1, "beta2": self.beta2, "epsilon": self.epsilon,
                  "bias_correction": self.bias_correction, "rescale_grad": self.rescale_grad}
        if self.clip_gradient:
            kwargs["clip_gradient"] = self.clip_gradient
        bounds = {k: v for k, v in (("lower_bound", self.lower_bound), ("upper_bound", self.upper_bound)) if v}
        if self.aggregate_num <= 1 or not isinstance(index, (tuple, list)):
            if isinstance(index, (tuple, list)):
                index, weight, grad, state = index[0], weight[0], grad[0], state[0]
            self._update_count(index)
            lr, wd, t = self._get_lr(index), self._get_wd(index), self._index_update_count[index]
            if multi_precision:
                weight32, (mean, var) = state
                g = nd.mp_lamb_update_phase1(weight, grad, mean, var, weight32, wd=wd, t=t, **kwargs)
                nd.mp_lamb_update_phase2(weight, g, weight32.norm(), g.norm(), weight32, lr=lr, out=weight, **bounds)
            else:
                mean, var = state
                g = nd.lamb_update_phase1(weight, grad, mean, var, wd=wd, t=t, **kwargs)
                nd.lamb_update_phase2(weight, g, weight.norm(), g.norm(), lr=lr, out=weight, **bounds)
            return
        kwargs.update(bounds)
        step_count, lrs, wds = [], [], []
        for i in index:
            self._update_count(i)
            step_count.append(self._index_update_count[i])
            lrs.append(self._get_lr(i))
            wds.append(self._get_wd(i))
        for start in range(0, len(weight), self.aggregate_num):
            end = min(start + self.aggregate_num, len(weight))
            common = dict(kwargs, out=weight[start:end], step_count=step_count[start:end],
                          learning_rates=lrs[start:end], wds=wds[start:end], num_tensors=end - start)
            if not multi_precision:
                groups = [(w, g, s[0], s[1]) for w, g, s in zip(weight[start:end], grad[start:end], state[start:end])]
                nd._internal._multi_lamb_update(*[a for grp in groups for a in grp], **common)
            else:
                groups = [(w, g, s[1][0], s[1][1], s[0])
                          for w, g, s in zip(weight[start:end], grad[start:end], state[start:end])]
                nd._internal._multi_mp_lamb_update(*[a for grp in groups for a in grp], **common)

    def update(self, index, weight, grad, state):
        self._update_impl(index, weight, grad, state, multi_precision=False)

    def update_multi_precision(self, index, weight, grad, state):
        first = weight[0] if isinstance(index, (tuple, list)) else weight
        self._update_impl(index, weight, grad, state,
                          multi_precision=self.multi_precision and first.dtype == np.float16)


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
