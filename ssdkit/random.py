"""``mx.random``: ``seed`` and the samplers of :mod:`ssdkit.ndarray.random` under MXNet's top-level names.

Examples
--------
>>> import ssdkit as mx
>>> mx.random.seed(7); mx.random.uniform(shape=(2,)).shape
(2,)
>>> mx.random.gamma(2.0, 1.0, shape=(3,)).shape
(3,)
"""
from .ndarray.random import (seed, uniform, normal, randint, shuffle, multinomial, randn,  # noqa: F401
                             exponential, poisson, gamma, negative_binomial, generalized_negative_binomial)

__all__ = ["seed", "uniform", "normal", "randint", "shuffle", "multinomial", "randn", "exponential", "poisson",
           "gamma", "negative_binomial", "generalized_negative_binomial"]
