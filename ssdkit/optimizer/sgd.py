"""SGD (with momentum), Nesterov momentum (NAG) and their old aliases, as MXNet 1.9.1: the updates run MXNet's
update operators (``multi_sgd_mom_update``, ``nag_mom_update``, ... in :mod:`ssdkit.ops.optimizer_ops`) with
``out=weight``, so the arithmetic lives in one place:

* SGD: ``mom = momentum * mom - lr * wd * w - lr * clip(rescale * grad)``; ``w += mom`` (mom = 0 without momentum),
  through the multi-tensor kernels for dense arrays, as MXNet does;
* NAG: ``g = clip(rescale * grad)``; ``m = momentum * mom``; ``w += momentum * m - (1 + momentum) * lr * (g + wd * w)``;
  ``mom = m - lr * (g + wd * w_new)`` (MXNet's in-place kernel reads the already updated weight there).

With ``multi_precision`` a float16 weight keeps a float32 master copy: the state is ``(momentum, master)``.

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
import warnings

import numpy as np

from .. import ndarray as nd
from .optimizer import Optimizer, register, op_kwargs

__all__ = ["SGD", "NAG", "ccSGD"]

_DEFAULT_AGGREGATION = 4  # MXNET_OPTIMIZER_AGGREGATION_SIZE default: weights per multi-tensor update


def _as_lists(indices, weights, grads, states):
    if isinstance(indices, (list, tuple)):
        return list(indices), list(weights), list(grads), list(states)
    return [indices], [weights], [grads], [states]


def _flat(groups):
    return [a for group in groups for a in group]


class _MasterCopyLast(Optimizer):
    """SGD and NAG keep MXNet's ``(state, float32 master)`` order for multi-precision states."""

    def create_state_multi_precision(self, index, weight):
        """``(state of the float32 copy, float32 copy)`` for a float16 weight with ``multi_precision``."""
        if self.multi_precision and weight.dtype == np.float16:
            master = weight.astype(np.float32)
            return self.create_state(index, master), master
        if weight.dtype == np.float16 and not self.multi_precision:
            warnings.warn("Accumulating with float16 in optimizer can lead to poor accuracy or slow convergence. "
                          f"Consider using multi_precision=True option of the {type(self).__name__} optimizer")
        return self.create_state(index, weight)

    def create_state(self, index, weight):
        if self.momentum == 0.0:
            return None
        return nd.zeros(weight.shape, weight.context, dtype=weight.dtype)

    def update(self, index, weight, grad, state):
        self._update_impl(index, weight, grad, state, multi_precision=False)


@register
class SGD(_MasterCopyLast):
    """Stochastic gradient descent with optional momentum and weight decay.

    Parameters
    ----------
    momentum : float
    lazy_update : bool
        Only meaningful for row_sparse gradients (accepted; ssdkit's arrays are dense).
    **kwargs
        See :class:`Optimizer` (learning_rate, wd, rescale_grad, clip_gradient, lr_scheduler, ...).

    Examples
    --------
    >>> SGD(momentum=0.9).momentum, SGD().aggregate_num
    (0.9, 4)
    """

    def __init__(self, momentum=0.0, lazy_update=True, **kwargs):
        super().__init__(**kwargs)
        self.momentum = momentum
        self.lazy_update = lazy_update
        self.aggregate_num = int(os.getenv("MXNET_OPTIMIZER_AGGREGATION_SIZE", str(_DEFAULT_AGGREGATION)))

    def _update_impl(self, indices, weights, grads, states, multi_precision=False):
        indices, weights, grads, states = _as_lists(indices, weights, grads, states)
        self._update_count(indices)
        kwargs = dict(op_kwargs(self), lrs=self._get_lrs(indices), wds=self._get_wds(indices),
                      num_weights=len(weights))
        if self.momentum > 0:
            kwargs["momentum"] = self.momentum
        if not multi_precision:
            if self.momentum > 0:
                nd.multi_sgd_mom_update(*_flat(zip(weights, grads, states)), out=weights, **kwargs)
            else:
                nd.multi_sgd_update(*_flat(zip(weights, grads)), out=weights, **kwargs)
        elif self.momentum > 0:
            nd.multi_mp_sgd_mom_update(*_flat((w, g, s[0], s[1]) for w, g, s in zip(weights, grads, states)),
                                       out=weights, **kwargs)
        else:
            nd.multi_mp_sgd_update(*_flat((w, g, s[1]) for w, g, s in zip(weights, grads, states)), out=weights,
                                   **kwargs)

    def update_multi_precision(self, index, weight, grad, state):
        first = weight[0] if isinstance(index, (list, tuple)) else weight
        self._update_impl(index, weight, grad, state,
                          multi_precision=self.multi_precision and first.dtype == np.float16)


@register
class ccSGD(SGD):
    """[Deprecated in MXNet] the same optimizer as :class:`SGD`, kept for old code.

    Examples
    --------
    >>> isinstance(ccSGD(), SGD)
    True
    """


@register
class NAG(_MasterCopyLast):
    """Nesterov accelerated gradient.

    Examples
    --------
    >>> import ssdkit as mx
    >>> opt = NAG(learning_rate=0.1, momentum=0.5); w = mx.nd.array([1.0])
    >>> opt.update(0, w, mx.nd.array([1.0]), opt.create_state(0, w)); w.asnumpy()   # 1 - 0.1 - 0.5 * 0.1
    array([0.85], dtype=float32)
    """

    def __init__(self, momentum=0.0, **kwargs):
        super().__init__(**kwargs)
        self.momentum = momentum

    def _update_impl(self, index, weight, grad, state, multi_precision=False):
        self._update_count(index)
        kwargs = dict(op_kwargs(self), lr=self._get_lr(index), wd=self._get_wd(index))
        if self.momentum > 0:
            kwargs["momentum"] = self.momentum
        if not multi_precision:
            if state is not None:
                nd.nag_mom_update(weight, grad, state, out=weight, **kwargs)
            else:
                nd.sgd_update(weight, grad, out=weight, **kwargs)
        elif state[0] is not None:
            nd.mp_nag_mom_update(weight, grad, state[0], state[1], out=weight, **kwargs)
        else:
            nd.mp_sgd_update(weight, grad, state[1], out=weight, **kwargs)

    def update_multi_precision(self, index, weight, grad, state):
        if isinstance(index, (list, tuple)):
            for i, w, g, s in zip(index, weight, grad, state):
                self.update_multi_precision(i, w, g, s)
            return
        use_mp = self.multi_precision and weight.dtype == np.float16 and isinstance(state, (tuple, list))
        self._update_impl(index, weight, grad, state, multi_precision=use_mp)
