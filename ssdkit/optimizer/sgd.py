"""SGD (with momentum) and Nesterov momentum (NAG), following MXNet's ``sgd_mom_update`` /
``multi_sgd_mom_update`` and ``nag_mom_update`` kernels:

* SGD: ``mom = momentum * mom - lr * wd * w - lr * clip(rescale * grad)``; ``w += mom`` (mom = 0 without momentum);
* NAG: ``g = clip(rescale * grad)``; ``m = momentum * mom``; ``w += momentum * m - (1 + momentum) * lr * (g + wd * w)``;
  ``mom = m - lr * (g + wd * w_new)`` (MXNet's in-place kernel reads the already updated weight there).

Examples
--------
>>> import ssdkit as mx
>>> from ssdkit.optimizer import create, get_updater
>>> w = mx.nd.array([1.0]); upd = get_updater(create("sgd", learning_rate=0.1, momentum=0.9))
>>> for _ in range(2):
...     upd(0, mx.nd.array([1.0]), w)
>>> w.asnumpy()   # 1 - 0.1 - (0.9 * 0.1 + 0.1)
array([0.71], dtype=float32)
"""
import os

from .. import ndarray as nd
from .optimizer import Optimizer, register, f32, rescaled_grad

__all__ = ["SGD", "NAG"]

_DEFAULT_AGGREGATION = 4  # MXNET_OPTIMIZER_AGGREGATION_SIZE default: weights per multi-tensor update


@register
class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum and weight decay.

    Parameters
    ----------
    momentum : float
    lazy_update : bool
        Only meaningful for sparse gradients (accepted; ssdkit is dense).
    **kwargs
        See :class:`Optimizer` (learning_rate, wd, rescale_grad, clip_gradient, lr_scheduler, ...).

    Examples
    --------
    >>> SGD(momentum=0.9).momentum, SGD().aggregate_num
    (0.9, 4)
    """

    master_copy_last = True

    def __init__(self, momentum=0.0, lazy_update=True, **kwargs):
        super().__init__(**kwargs)
        self.momentum = momentum
        self.lazy_update = lazy_update
        self.aggregate_num = int(os.getenv("MXNET_OPTIMIZER_AGGREGATION_SIZE", str(_DEFAULT_AGGREGATION)))

    def create_state(self, index, weight):
        if self.momentum == 0.0:
            return None
        return nd.zeros(weight.shape, weight.context, dtype=weight.dtype)

    def update(self, index, weight, grad, state):
        if not isinstance(index, (list, tuple)):
            index, weight, grad, state = [index], [weight], [grad], [state]
        self._update_count(index)
        for w, g, mom, lr, wd in zip(weight, grad, state, self._get_lrs(index), self._get_wds(index)):
            self._step(w._data, g._data, None if mom is None else mom._data, lr, wd)

    def _step(self, w, grad, mom, lr, wd):
        delta = rescaled_grad(self, grad)
        delta *= -f32(lr)
        if wd:
            delta -= f32(lr) * f32(wd) * w
        if mom is not None and self.momentum > 0:
            mom *= f32(self.momentum)
            mom += delta
            w += mom
        else:
            w += delta


@register
class NAG(Optimizer):
    """Nesterov accelerated gradient.

    Examples
    --------
    >>> import ssdkit as mx
    >>> opt = NAG(learning_rate=0.1, momentum=0.5); w = mx.nd.array([1.0])
    >>> opt.update(0, w, mx.nd.array([1.0]), opt.create_state(0, w)); w.asnumpy()   # 1 - 0.1 - 0.5 * 0.1
    array([0.85], dtype=float32)
    """

    master_copy_last = True

    def __init__(self, momentum=0.0, **kwargs):
        super().__init__(**kwargs)
        self.momentum = momentum

    def create_state(self, index, weight):
        if self.momentum == 0.0:
            return None
        return nd.zeros(weight.shape, weight.context, dtype=weight.dtype)

    def update(self, index, weight, grad, state):
        self._update_count(index)
        lr, wd = f32(self._get_lr(index)), self._get_wd(index)
        w = weight._data
        clipped = rescaled_grad(self, grad._data)
        step = lr * (clipped + f32(wd) * w) if wd else lr * clipped
        if state is None or self.momentum <= 0:
            w -= step
            return
        mom, momentum = state._data, f32(self.momentum)
        mom *= momentum
        w += momentum * mom - (momentum + f32(1)) * step
        # MXNet's kernel writes the weight in place first, so the momentum's decay term sees the new weight
        mom -= lr * (clipped + f32(wd) * w) if wd else step
