"""Sign-based, FTML, FTRL and delay-compensated optimizers with MXNet 1.9.1's math (``g = rescale * grad``); Signum,
FTML and Ftrl run MXNet's update ops (``signum_update``, ``signsgd_update``, ``ftml_update``, ``ftrl_update``),
DCASGD is array arithmetic as in MXNet's Python:

* Signum: ``m = mom m - (1-mom) (wd w + clip(g))``; ``w = (1 - lr wd_lh) w + lr sign(m)``; without momentum
  (signSGD) ``w = (1 - lr wd) w - lr sign(grad)`` (clipping and rescaling have no effect there);
* FTML: ``g' = clip(g + wd w)``; ``v = b2 v + (1-b2) g'²``; ``d_t = (1-b1^t)/lr (sqrt(v/(1-b2^t)) + eps)``;
  ``z = b1 z + (1-b1) g' - (d_t - b1 d) w``; ``d = d_t``; ``w = -z / d_t``;
* Ftrl: ``g' = clip(g)``; ``z += g' - (sqrt(n + g'²) - sqrt(n)) w / lr``; ``n += g'²``;
  ``w = (sign(z) l1 - z) / ((beta + sqrt(n)) / lr + wd) * (|z| > l1)``;
* DCASGD: ``g' = clip(g)``; ``m = mom m - lr (g' + wd w + lamda g'² (w - w_prev))``; ``w_prev = w``; ``w += m``.

Examples
--------
>>> import ssdkit as mx
>>> opt = Signum(learning_rate=0.1, momentum=0.0); w = mx.nd.array([1.0, 1.0])
>>> opt.update(0, w, mx.nd.array([3.0, -0.5]), None); w.asnumpy()
array([0.9, 1.1], dtype=float32)
"""
import numpy as np

from .. import ndarray as nd
from .optimizer import Optimizer, register, f32, op_kwargs, zeros_like_weight as _zeros_like

__all__ = ["Signum", "FTML", "Ftrl", "DCASGD"]


@register
class Signum(Optimizer):
    """Signum (sign of the momentum) or, with ``momentum=0``, signSGD; ``wd_lh`` is decoupled weight decay.

    Parameters
    ----------
    learning_rate : float
    momentum : float
    wd_lh : float

    Examples
    --------
    >>> Signum().create_state(0, nd.zeros((2,))).shape, Signum(momentum=0.0).create_state(0, nd.zeros((2,)))
    ((2,), None)
    """

    def __init__(self, learning_rate=0.01, momentum=0.9, wd_lh=0.0, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.momentum = momentum
        self.wd_lh = wd_lh

    def create_state(self, index, weight):
        return _zeros_like(weight) if self.momentum != 0.0 else None

    def update(self, index, weight, grad, state):
        self._update_count(index)
        kwargs = dict(op_kwargs(self), lr=self._get_lr(index), wd=self._get_wd(index))
        if self.momentum > 0:
            kwargs["momentum"] = self.momentum
        if self.wd_lh:
            kwargs["wd_lh"] = self.wd_lh
        if state is not None:
            nd.signum_update(weight, grad, state, out=weight, **kwargs)
        else:
            nd.signsgd_update(weight, grad, out=weight, **kwargs)


@register
class FTML(Optimizer):
    """FTML, Follow the Moving Leader (Zheng & Kwok, 2017).

    Parameters
    ----------
    beta1, beta2 : float
    epsilon : float

    Examples
    --------
    >>> import ssdkit as mx
    >>> opt = FTML(learning_rate=0.1); w = mx.nd.array([1.0])
    >>> opt.update(0, w, mx.nd.array([0.5]), opt.create_state(0, w)); np.round(w.asnumpy(), 4)
    array([0.9], dtype=float32)
    """

    def __init__(self, beta1=0.6, beta2=0.999, epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon

    def create_state(self, index, weight):
        return _zeros_like(weight), _zeros_like(weight), _zeros_like(weight)   # d, v, z

    def update(self, index, weight, grad, state):
        self._update_count(index)
        d, v, z = state
        nd.ftml_update(weight, grad, d, v, z, out=weight, lr=self._get_lr(index), wd=self._get_wd(index),
                       beta1=self.beta1, beta2=self.beta2, epsilon=self.epsilon, t=self._index_update_count[index],
                       **op_kwargs(self, clip_key="clip_grad"))


@register
class Ftrl(Optimizer):
    """FTRL-Proximal (McMahan et al., 2013) with L1 strength ``lamda1``.

    Parameters
    ----------
    lamda1 : float
    learning_rate : float
    beta : float

    Examples
    --------
    >>> Ftrl().learning_rate, len(Ftrl().create_state(0, nd.zeros((2,))))
    (0.1, 2)
    """

    def __init__(self, lamda1=0.01, learning_rate=0.1, beta=1, **kwargs):
        super().__init__(**kwargs)
        self.lamda1 = lamda1
        self.beta = beta
        self.lr = learning_rate

    def create_state(self, index, weight):
        return nd.zeros(weight.shape, weight.context), nd.zeros(weight.shape, weight.context)   # z, n

    def update(self, index, weight, grad, state):
        self._update_count(index)
        z, n = state
        nd.ftrl_update(weight, grad, z, n, out=weight, lr=self._get_lr(index), wd=self._get_wd(index),
                       lamda1=self.lamda1, beta=self.beta, **op_kwargs(self))


@register
class DCASGD(Optimizer):
    """Delay-compensated asynchronous SGD (Zheng et al., 2016).

    Parameters
    ----------
    momentum : float
    lamda : float
        Scale of the delay compensation term.

    Examples
    --------
    >>> import ssdkit as mx
    >>> opt = DCASGD(learning_rate=0.1); w = mx.nd.array([1.0])
    >>> opt.update(0, w, mx.nd.array([1.0]), opt.create_state(0, w)); w.asnumpy()
    array([0.9], dtype=float32)
    """

    def __init__(self, momentum=0.0, lamda=0.04, **kwargs):
        super().__init__(**kwargs)
        self.momentum = momentum
        self.weight_previous = {}
        self.lamda = lamda

    def create_state(self, index, weight):
        mom = _zeros_like(weight) if self.momentum != 0.0 else None
        return mom, weight.copy()

    def update(self, index, weight, grad, state):
        self._update_count(index)
        lr, wd = f32(self._get_lr(index)), f32(self._get_wd(index))
        w = weight._data
        g = grad._data * f32(self.rescale_grad)
        if self.clip_gradient is not None:
            np.clip(g, -f32(self.clip_gradient), f32(self.clip_gradient), out=g)
        mom, previous = state
        step = -lr * (g + wd * w + f32(self.lamda) * g * g * (w - previous._data))
        if mom is not None:
            mom._data[...] = f32(self.momentum) * mom._data + step
            step = mom._data
        previous._data[...] = w
        w += step
