"""``mx.lr_scheduler``: learning rate as a function of the update count, with optional warmup — MXNet's
Factor, MultiFactor, Poly and Cosine schedules (stateful exactly as MXNet: call them with non-decreasing counts).

Examples
--------
>>> sched = FactorScheduler(step=2, factor=0.5, base_lr=1.0)
>>> [sched(n) for n in range(1, 7)]
[1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
"""
import logging
from math import cos, pi

from .base import MXNetError

__all__ = ["LRScheduler", "FactorScheduler", "MultiFactorScheduler", "PolyScheduler", "CosineScheduler"]

WARMUP_MODES = ("linear", "constant")


class LRScheduler:
    """Base class: ``base_lr`` plus a warmup of ``warmup_steps`` updates from ``warmup_begin_lr``.

    Parameters
    ----------
    base_lr : float
    warmup_steps : int
    warmup_begin_lr : float
    warmup_mode : {'linear', 'constant'}

    Examples
    --------
    >>> LRScheduler(base_lr=0.1, warmup_steps=4).get_warmup_lr(2)
    0.05
    """

    def __init__(self, base_lr=0.01, warmup_steps=0, warmup_begin_lr=0, warmup_mode="linear"):
        self.base_lr = base_lr
        if not isinstance(warmup_steps, int):
            raise MXNetError(f"warmup_steps must be an int, got {warmup_steps!r}")
        self.warmup_steps = warmup_steps
        self.warmup_final_lr = base_lr
        self.warmup_begin_lr = warmup_begin_lr
        if self.warmup_begin_lr > self.warmup_final_lr:
            raise MXNetError("Base lr has to be higher than warmup_begin_lr")
        if self.warmup_steps < 0:
            raise MXNetError("Warmup steps has to be positive or 0")
        if warmup_mode not in WARMUP_MODES:
            raise MXNetError("Supports only linear and constant modes of warmup")
        self.warmup_mode = warmup_mode

    def get_warmup_lr(self, num_update):
        """The learning rate during warmup (``num_update < warmup_steps``)."""
        if num_update >= self.warmup_steps:
            raise MXNetError(f"get_warmup_lr: update {num_update} is past the {self.warmup_steps} warmup steps")
        if self.warmup_mode == "linear":
            increase = (self.warmup_final_lr - self.warmup_begin_lr) * float(num_update) / float(self.warmup_steps)
            return self.warmup_begin_lr + increase
        return self.warmup_begin_lr

    def __call__(self, num_update):
        raise MXNetError(f"{type(self).__name__} must define __call__(num_update)")


def _check_max_update(max_update):
    if not isinstance(max_update, int):
        raise MXNetError(f"max_update must be an int, got {max_update!r}")
    if max_update < 1:
        raise MXNetError("maximum number of updates must be strictly positive")


class FactorScheduler(LRScheduler):
    """Multiply the rate by ``factor`` every ``step`` updates, never below ``stop_factor_lr``.

    Examples
    --------
    >>> s = FactorScheduler(step=1, factor=0.1, stop_factor_lr=0.05, base_lr=1.0); [s(n) for n in (1, 2, 3)]
    [1.0, 0.1, 0.05]
    """

    def __init__(self, step, factor=1, stop_factor_lr=1e-8, base_lr=0.01, warmup_steps=0, warmup_begin_lr=0,
                 warmup_mode="linear"):
        super().__init__(base_lr, warmup_steps, warmup_begin_lr, warmup_mode)
        if step < 1:
            raise MXNetError("Schedule step must be greater or equal than 1 round")
        if factor > 1.0:
            raise MXNetError("Factor must be no more than 1 to make lr reduce")
        self.step = step
        self.factor = factor
        self.stop_factor_lr = stop_factor_lr
        self.count = 0

    def __call__(self, num_update):
        if num_update < self.warmup_steps:
            return self.get_warmup_lr(num_update)
        while num_update > self.count + self.step:
            self.count += self.step
            self.base_lr *= self.factor
            if self.base_lr < self.stop_factor_lr:
                self.base_lr = self.stop_factor_lr
                logging.info("Update[%d]: now learning rate arrived at %0.5e, will not change in the future",
                             num_update, self.base_lr)
            else:
                logging.info("Update[%d]: Change learning rate to %0.5e", num_update, self.base_lr)
        return self.base_lr


class MultiFactorScheduler(LRScheduler):
    """Multiply the rate by ``factor`` after each update count in the increasing list ``step``.

    Examples
    --------
    >>> s = MultiFactorScheduler(step=[2, 4], factor=0.5, base_lr=1.0); [s(n) for n in range(1, 6)]
    [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    def __init__(self, step, factor=1, base_lr=0.01, warmup_steps=0, warmup_begin_lr=0, warmup_mode="linear"):
        super().__init__(base_lr, warmup_steps, warmup_begin_lr, warmup_mode)
        if not isinstance(step, list) or len(step) < 1:
            raise MXNetError("step must be a non-empty list of update counts")
        for i, s in enumerate(step):
            if i != 0 and step[i] <= step[i - 1]:
                raise MXNetError("Schedule step must be an increasing integer list")
            if s < 1:
                raise MXNetError("Schedule step must be greater or equal than 1 round")
        if factor > 1.0:
            raise MXNetError("Factor must be no more than 1 to make lr reduce")
        self.step = step
        self.cur_step_ind = 0
        self.factor = factor
        self.count = 0

    def __call__(self, num_update):
        if num_update < self.warmup_steps:
            return self.get_warmup_lr(num_update)
        while self.cur_step_ind <= len(self.step) - 1:
            if num_update > self.step[self.cur_step_ind]:
                self.count = self.step[self.cur_step_ind]
                self.cur_step_ind += 1
                self.base_lr *= self.factor
                logging.info("Update[%d]: Change learning rate to %0.5e", num_update, self.base_lr)
            else:
                return self.base_lr
        return self.base_lr


class _DecayToFinal(LRScheduler):
    """Schedules that go from ``base_lr`` to ``final_lr`` over ``max_update - warmup_steps`` updates along
    ``final + (base - final) * decay(fraction)``, then stay at ``final_lr``."""

    def __init__(self, max_update, base_lr=0.01, final_lr=0, warmup_steps=0, warmup_begin_lr=0,
                 warmup_mode="linear"):
        super().__init__(base_lr, warmup_steps, warmup_begin_lr, warmup_mode)
        _check_max_update(max_update)
        self.base_lr_orig = base_lr
        self.max_update = max_update
        self.final_lr = final_lr
        self.max_steps = self.max_update - self.warmup_steps

    def _decay(self, fraction):
        raise MXNetError(f"{type(self).__name__} defines no decay curve")

    def __call__(self, num_update):
        if num_update < self.warmup_steps:
            return self.get_warmup_lr(num_update)
        if num_update <= self.max_update:
            fraction = float(num_update - self.warmup_steps) / float(self.max_steps)
            self.base_lr = self.final_lr + (self.base_lr_orig - self.final_lr) * self._decay(fraction)
        return self.base_lr


class PolyScheduler(_DecayToFinal):
    """``final_lr + (base_lr - final_lr) * (1 - t / T)**pwr`` over ``T = max_update - warmup_steps`` updates.

    Examples
    --------
    >>> s = PolyScheduler(max_update=4, base_lr=1.0, pwr=1); [s(n) for n in range(6)]
    [1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    """

    def __init__(self, max_update, base_lr=0.01, pwr=2, final_lr=0, warmup_steps=0, warmup_begin_lr=0,
                 warmup_mode="linear"):
        super().__init__(max_update, base_lr, final_lr, warmup_steps, warmup_begin_lr, warmup_mode)
        self.power = pwr

    def _decay(self, fraction):
        return pow(1 - fraction, self.power)


class CosineScheduler(_DecayToFinal):
    """Half a cosine from ``base_lr`` down to ``final_lr`` over ``max_update - warmup_steps`` updates.

    Examples
    --------
    >>> s = CosineScheduler(max_update=2, base_lr=1.0); [round(s(n), 3) for n in range(4)]
    [1.0, 0.5, 0.0, 0.0]
    """

    def _decay(self, fraction):
        return (1 + cos(pi * fraction)) / 2
