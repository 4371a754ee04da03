"""``mx.npx.random``: MXNet's extra samplers — ``bernoulli`` (by ``prob`` or ``logit``), ``uniform_n`` and
``normal_n`` (a ``batch_shape`` of draws per parameter element) and ``seed`` — over the registry samplers of
``mx.np.random``.

Examples
--------
>>> from ssdkit import np, npx
>>> npx.random.seed(0)
>>> npx.random.normal_n(np.zeros(3), np.ones(3), batch_shape=(2,)).shape
(2, 3)
>>> sorted(set(npx.random.bernoulli(prob=0.5, size=(20,)).tolist())) in ([0.0, 1.0], [0.0], [1.0])
True
"""
from ..numpy import random as _np_random
from ..numpy._dispatch import call, shared


def _shared(function):
    return shared(function, "npx.random." + function.__name__)

__all__ = ["seed", "bernoulli", "uniform_n", "normal_n"]


def seed(seed, ctx="all"):  # noqa: A002 - MXNet's argument name
    """Seed the generator behind every sampler (``mx.random.seed`` and ``mx.np.random.seed`` too).

    Examples
    --------
    >>> seed(3)
    """
    _np_random.seed(seed, ctx)


@_shared
def bernoulli(prob=None, logit=None, size=None, dtype=None, ctx=None, out=None):
    """0/1 samples that are 1 with probability ``prob`` (or ``sigmoid(logit)``); exactly one of the two.

    Examples
    --------
    >>> bernoulli(logit=100.0, size=(2,))
    array([1., 1.])
    """
    if (prob is None) == (logit is None):
        raise ValueError(f"Either `prob` or `logit` must be specified, but not both. Received prob={prob}, "
                         f"logit={logit}")
    if prob is None:
        prob = (call("sigmoid", [logit]) if _np_random._is_array(logit)
                else 1.0 / (1.0 + _np_random.onp.exp(-float(_np_random._value(logit)))))
    return _np_random._sample("bernoulli", {"prob": prob}, size, dtype, ctx, out)


@_shared
def uniform_n(low=0.0, high=1.0, batch_shape=None, dtype=None, ctx=None):
    """U[low, high) samples of shape ``batch_shape + broadcast(low, high).shape``.

    Examples
    --------
    >>> from ssdkit import np
    >>> uniform_n(np.zeros(2), 1.0, batch_shape=3).shape
    (3, 2)
    """
    return _np_random._sample("uniform_n", {"low": low, "high": high}, None, dtype, ctx, batch_shape=batch_shape)


@_shared
def normal_n(loc=0.0, scale=1.0, batch_shape=None, dtype=None, ctx=None):
    """N(loc, scale²) samples of shape ``batch_shape + broadcast(loc, scale).shape``.

    Examples
    --------
    >>> normal_n(batch_shape=(2,)).shape
    (2,)
    """
    return _np_random._sample("normal_n", {"loc": loc, "scale": scale}, None, dtype, ctx, batch_shape=batch_shape)
