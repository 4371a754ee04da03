"""Layer-wise adaptive learning rates, as MXNet 1.9.1: LARS (``multi_sum_sq`` + ``multi_lars`` give each layer's
rate, then the ``preloaded_multi_*sgd*`` ops update), LBSGD (large-batch SGD emulated by accumulating
``batch_scale`` gradients, with a warm-up of the learning rate or LARS scaling), and MXNet's ``Test`` optimizer.

Examples
--------
>>> import ssdkit as mx
>>> opt = LARS(learning_rate=0.1, eta=1.0)
>>> w = mx.nd.array([3.0, 4.0]); opt.update(0, w, mx.nd.array([0.6, 0.8]), opt.create_state(0, w))
>>> w.asnumpy()   # layer rate 0.1 * 1.0 * |w| / |g| = 0.5
array([2.7, 3.6], dtype=float32)
"""
import logging
import math

import numpy as np

from .. import ndarray as nd
from .optimizer import Optimizer, register, op_kwargs
from .sgd import SGD, _as_lists, _flat

__all__ = ["LARS", "LBSGD", "Test"]

_NO_LARS_SUFFIXES = ("gamma", "beta", "bias")   # normalization and bias parameters keep the plain rate


@register
class LARS(SGD):
    """LARS (You et al., 2017): SGD whose rate per layer is ``lr * eta * |w| / (|g| + wd |w| + eps)``.

    Parameters
    ----------
    momentum : float
    lazy_update : bool
    eta : float
        The trust coefficient.
    eps : float
    momentum_correction : bool
        Scale the momentum by the change of the global learning rate (Goyal et al., 2017).

    Examples
    --------
    >>> LARS(eta=0.01).aggregate_num
    4
    """

    def __init__(self, momentum=0.0, lazy_update=True, eta=0.001, eps=0, momentum_correction=True, **kwargs):
        super().__init__(momentum=momentum, lazy_update=lazy_update, **kwargs)
        self.momentum_correction = momentum_correction
        self.eta = eta
        self.eps = eps
        self.skip = 0
        self.last_lr = None
        self.cur_lr = None

    def _get_lrs(self, indices):
        lr = self.lr_scheduler(self.num_update) if self.lr_scheduler is not None else self.lr
        self.last_lr = lr if self.cur_lr is None else self.cur_lr
        self.cur_lr = lr
        return super()._get_lrs(indices)

    def set_wd_mult(self, args_wd_mult):
        """Weight decay multipliers: 0 for every named parameter not ending in ``_weight`` (gammas included)."""
        self.wd_mult = {n: 0.0 for n in self.idx2name.values() if not n.endswith("_weight")}
        self.wd_mult.update(self._symbol_multipliers("__wd_mult__"))
        self.wd_mult.update(args_wd_mult)

    def _update_impl(self, indices, weights, grads, states, multi_precision=False):
        indices, weights, grads, states = _as_lists(indices, weights, grads, states)
        self._update_count(indices)
        lrs, wds = self._get_lrs(indices), self._get_wds(indices)
        kwargs = op_kwargs(self)
        if self.momentum > 0:
            corrected = self.momentum_correction and self.last_lr != 0
            kwargs["momentum"] = self.momentum * (self.cur_lr / self.last_lr) if corrected else self.momentum
        names = [self.idx2name.get(i, str(i)) for i in indices]
        scaled = [k for k, n in enumerate(names) if not n.endswith(_NO_LARS_SUFFIXES)]
        order = scaled + [k for k, n in enumerate(names) if n.endswith(_NO_LARS_SUFFIXES)]
        ctx = weights[0].context
        new_lrs = nd.array([lrs[k] for k in order], ctx=ctx, dtype="float32")
        new_wds = nd.array([wds[k] for k in order], ctx=ctx, dtype="float32")
        weights, grads, states = ([seq[k] for k in order] for seq in (weights, grads, states))
        if scaled:
            count = len(scaled)
            w_sum_sq = nd.multi_sum_sq(*weights[:count], num_arrays=count)
            g_sum_sq = nd.multi_sum_sq(*grads[:count], num_arrays=count)
            layer_lrs = nd.multi_lars(new_lrs[:count], w_sum_sq, g_sum_sq, new_wds[:count], eta=self.eta,
                                      eps=self.eps, rescale_grad=self.rescale_grad)
            new_lrs[:count] = layer_lrs
        for start in range(0, len(weights), self.aggregate_num):
            end = min(start + self.aggregate_num, len(weights))
            chunk = slice(start, end)
            if not multi_precision:
                groups = zip(weights[chunk], grads[chunk], states[chunk]) if self.momentum > 0 else \
                    zip(weights[chunk], grads[chunk])
            elif self.momentum > 0:
                groups = ((w, g, s[0], s[1]) for w, g, s in zip(weights[chunk], grads[chunk], states[chunk]))
            else:
                groups = ((w, g, s[1]) for w, g, s in zip(weights[chunk], grads[chunk], states[chunk]))
            name = "preloaded_multi_" + ("mp_" if multi_precision else "") + \
                ("sgd_mom_update" if self.momentum > 0 else "sgd_update")
            getattr(nd, name)(*_flat(groups), new_lrs[chunk], new_wds[chunk], out=weights[chunk],
                              num_weights=end - start, **kwargs)


@register
class LBSGD(Optimizer):
    """Large-batch SGD: gradients of ``batch_scale`` steps are averaged before one momentum-SGD update, whose
    learning rate warms up (``'linear'``, ``'power2'``, ``'sqrt'`` over ``warmup_epochs``) or is scaled by
    LARS (``'lars'``).

    Examples
    --------
    >>> import ssdkit as mx
    >>> opt = LBSGD(learning_rate=1.0, batch_scale=2, warmup_strategy='none')
    >>> w = mx.nd.zeros((1,)); opt.update(0, w, mx.nd.ones((1,)), None); w.asnumpy()   # first of two: no step
    array([0.], dtype=float32)
    >>> opt.update(0, w, mx.nd.ones((1,)) * 3, None); w.asnumpy()                      # mean gradient 2
    array([-2.], dtype=float32)
    """

    def __init__(self, momentum=0.0, multi_precision=False, warmup_strategy="linear", warmup_epochs=5,
                 batch_scale=1, updates_per_epoch=32, begin_epoch=0, num_epochs=60, **kwargs):
        super().__init__(**kwargs)
        logging.info("Running Large-Batch SGD Algorithm")
        logging.info("(Batch_scale=%f, warmup_epochs=%d, warmup_strategy=%s, updates_per_epoch=%d)",
                     batch_scale, warmup_epochs, warmup_strategy, updates_per_epoch)
        self.momentum = momentum
        self.multi_precision = multi_precision
        self.warmup_strategy = warmup_strategy
        self.warmup_epochs = warmup_epochs
        self.batch_scale = batch_scale
        self.updates_per_epoch = updates_per_epoch
        self.init_updates = begin_epoch * updates_per_epoch
        self.num_epochs = num_epochs
        self.lbmult = 1
        self.adaptive = False
        self.admult = 1
        self.cumgrads = {}

    def create_state(self, index, weight):
        """Momentum (and, for float16 with ``multi_precision``, ``(momentum, float32 master copy)``)."""
        if self.multi_precision and weight.dtype == np.float16:
            momentum = nd.zeros(weight.shape, weight.context, dtype=np.float32) if self.momentum != 0.0 else None
            return momentum, weight.astype(np.float32)
        return nd.zeros(weight.shape, weight.context, dtype=weight.dtype) if self.momentum != 0.0 else None

    def create_state_multi_precision(self, index, weight):
        return self.create_state(index, weight)

    def _get_lbmult(self, nup):
        """The warm-up factor of the learning rate after ``nup`` accumulated updates."""
        warmup, top = self.warmup_epochs * self.updates_per_epoch, float(self.batch_scale)
        if nup >= warmup:
            return top
        if warmup <= 1:
            return 1.0
        progress = {"linear": nup / warmup, "power2": (nup * nup) / (warmup * warmup),
                    "sqrt": math.sqrt(float(nup) / warmup)}.get(self.warmup_strategy)
        return 1.0 if progress is None else 1.0 + (top - 1) * progress

    @staticmethod
    def _sum_sq(v):
        return float((v * v).asnumpy().sum())

    def _get_lars(self, weight, g, wd):
        """LARS factor ``sqrt(|w|^2 / (|g|^2 + wd |w|^2))`` bounded to [0.01, 100]."""
        w2, g2 = self._sum_sq(weight), self._sum_sq(g)
        return min(max(math.sqrt(w2 / (g2 + wd * w2 + 1e-18)), 0.01), 100)

    def _cumulate_gradient(self, grad, index):
        previous = self.cumgrads.get(index)
        if previous and previous["num_cums"] > 0:
            entry = {"cum_grad": previous["cum_grad"] + grad, "num_cums": previous["num_cums"] + 1}
        else:
            entry = {"cum_grad": grad, "num_cums": self.init_updates + 1}
        self.cumgrads[index] = entry
        return entry

    def update(self, index, weight, grad, state):
        lr, wd = self._get_lr(index), self._get_wd(index)
        self._update_count(index)
        entry = self._cumulate_gradient(grad, index)
        if entry["num_cums"] % self.batch_scale != 0:
            nd.sgd_update(weight, grad, out=weight, lr=0.0, wd=wd)   # MXNet still applies weight decay at rate 0
            return
        grad = entry["cum_grad"] / self.batch_scale
        if self.warmup_strategy == "lars":
            lr *= self._get_lars(weight, grad, wd)
        else:
            lr *= self._get_lbmult(entry["num_cums"])
        kwargs = dict(op_kwargs(self), lr=lr, wd=wd)
        if self.momentum > 0:
            kwargs["momentum"] = self.momentum
        if isinstance(state, (list, tuple)):
            if state[0] is not None:
                nd.mp_sgd_mom_update(weight, grad, state[0], state[1], out=weight, **kwargs)
            else:
                nd.mp_sgd_update(weight, grad, state[1], out=weight, **kwargs)
        elif state is not None:
            nd.sgd_mom_update(weight, grad, state, out=weight, **kwargs)
        else:
            nd.sgd_update(weight, grad, out=weight, **kwargs)
        self.cumgrads[index]["cum_grad"] = 0

    def update_multi_precision(self, index, weight, grad, state):
        self.update(index, weight, grad, state)


@register
class Test(Optimizer):
    """MXNet's test optimizer: ``w += rescale_grad * grad`` and the state copies the weight.

    Examples
    --------
    >>> import ssdkit as mx
    >>> opt = Test(rescale_grad=0.5); w = mx.nd.ones((2,)); s = opt.create_state(0, w)
    >>> opt.update(0, w, mx.nd.ones((2,)), s); w.asnumpy(), s.asnumpy()
    (array([1.5, 1.5], dtype=float32), array([1.5, 1.5], dtype=float32))
    """

    def create_state(self, index, weight):
        return nd.zeros(weight.shape, weight.context)

    def update(self, index, weight, grad, state):
        weight[:] += grad * self.rescale_grad
        state[:] = weight
