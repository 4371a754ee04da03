"""``mx.optimizer.contrib``: MXNet 1.9.1's contributed optimizers — GroupAdaGrad.

Examples
--------
>>> import ssdkit as mx
>>> type(mx.optimizer.create("groupadagrad")).__name__
'GroupAdaGrad'
"""
import numpy as np

from .. import ndarray as nd
from ..base import MXNetError
from .optimizer import Optimizer, register, f32

__all__ = ["GroupAdaGrad"]


@register
class GroupAdaGrad(Optimizer):
    """AdaGrad with one learning rate per row of a 2-D weight: ``history += mean(g^2, axis=1)``;
    ``w -= lr g / sqrt(history + eps)`` with ``g = clip(rescale_grad grad)``. Weight decay is not supported.

    Parameters
    ----------
    eps : float
        Added to the history under the square root.

    Examples
    --------
    >>> import ssdkit as mx
    >>> opt = GroupAdaGrad(learning_rate=1.0, eps=0.0); w = mx.nd.ones((2, 2))
    >>> opt.update(0, w, mx.nd.array([[1.0, 1.0], [2.0, 0.0]]), opt.create_state(0, w)); w.asnumpy().round(4)
    array([[ 0.    ,  0.    ],
           [-0.4142,  1.    ]], dtype=float32)
    """

    def __init__(self, eps=1e-5, **kwargs):
        super().__init__(**kwargs)
        self.float_stable_eps = eps

    def create_state(self, index, weight):
        if len(weight.shape) != 2:
            raise MXNetError(f"GroupAdaGrad: weights must be 2-D (one rate per row), got shape {weight.shape}")
        return nd.zeros((weight.shape[0], 1), weight.context)

    def update(self, index, weight, grad, state):
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        if wd != 0:
            raise MXNetError("Weight decay is not supported for GroupAdaGrad")
        g = grad._data * f32(self.rescale_grad)
        if self.clip_gradient is not None:
            np.clip(g, -f32(self.clip_gradient), f32(self.clip_gradient), out=g)
        history = state._data
        history += np.mean(np.square(g), axis=1, keepdims=True)
        weight._data[...] -= f32(lr) * g / np.sqrt(history + f32(self.float_stable_eps))
