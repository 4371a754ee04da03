"""``mx.nd.random``: uniform, normal, randint, shuffle, multinomial — all drawing from the one seeded generator.

Examples
--------
>>> import ssdkit as mx
>>> mx.random.seed(0); a = uniform(shape=(2,)).asnumpy(); mx.random.seed(0)
>>> bool((a == uniform(shape=(2,)).asnumpy()).all())
True
"""
import numpy as np

from ..base import DTYPE, get_rng, seed_rng
from ..context import check_cpu
from .ndarray import NDArray

__all__ = ["uniform", "normal", "randint", "shuffle", "multinomial", "randn", "seed", "exponential", "poisson"]


def _wrap(values, dtype, ctx, out):
    values = values.astype(DTYPE if dtype is None else dtype, copy=False)
    if out is not None:
        out._data[...] = values
        return out
    return NDArray(values, check_cpu(ctx))


def _shape(shape):
    return () if shape is None else (shape,) if np.isscalar(shape) else tuple(shape)


def seed(seed_state, ctx="all"):
    """Seed the generator behind every random op.

    Examples
    --------
    >>> seed(42)
    """
    seed_rng(seed_state)


def uniform(low=0.0, high=1.0, shape=None, dtype=None, ctx=None, out=None, **kwargs):
    """Samples from U[low, high).

    Examples
    --------
    >>> uniform(0, 1, shape=(3,)).shape
    (3,)
    """
    return _wrap(get_rng().uniform(low, high, _shape(shape)), dtype, ctx, out)


def normal(loc=0.0, scale=1.0, shape=None, dtype=None, ctx=None, out=None, **kwargs):
    """Samples from N(loc, scale²).

    Examples
    --------
    >>> normal(shape=(2, 2)).shape
    (2, 2)
    """
    return _wrap(get_rng().normal(loc, scale, _shape(shape)), dtype, ctx, out)


def randn(*shape, loc=0.0, scale=1.0, dtype=None, ctx=None):
    """Standard normal samples of the given shape.

    Examples
    --------
    >>> randn(2, 3).shape
    (2, 3)
    """
    return normal(loc, scale, shape, dtype, ctx)


def randint(low, high, shape=None, dtype="int32", ctx=None, out=None, **kwargs):
    """Integers in [low, high).

    Examples
    --------
    >>> int(randint(0, 5, shape=(10,)).max().asscalar()) < 5
    True
    """
    return _wrap(get_rng().integers(low, high, _shape(shape)), dtype, ctx, out)


def exponential(scale=1.0, shape=None, dtype=None, ctx=None, out=None, **kwargs):
    """Samples from an exponential distribution.

    Examples
    --------
    >>> exponential(shape=(2,)).shape
    (2,)
    """
    return _wrap(get_rng().exponential(scale, _shape(shape)), dtype, ctx, out)


def poisson(lam=1.0, shape=None, dtype=None, ctx=None, out=None, **kwargs):
    """Samples from a Poisson distribution.

    Examples
    --------
    >>> poisson(2.0, shape=(2,)).shape
    (2,)
    """
    return _wrap(get_rng().poisson(lam, _shape(shape)), dtype, ctx, out)


def shuffle(data, **kwargs):
    """A copy with the first axis shuffled.

    Examples
    --------
    >>> sorted(shuffle(NDArray(np.arange(4, dtype=np.float32))).asnumpy().tolist())
    [0.0, 1.0, 2.0, 3.0]
    """
    return NDArray(get_rng().permutation(data._data), data.context)


def multinomial(data, shape=None, get_prob=False, dtype="int32", **kwargs):
    """Draw category indices from the probability rows of ``data``.

    Examples
    --------
    >>> multinomial(NDArray(np.array([[0., 1.]], np.float32))).asnumpy()
    array([1], dtype=int32)
    """
    probs = data._data.reshape(-1, data.shape[-1]).astype(np.float64)
    n = int(np.prod(_shape(shape))) if shape is not None else 1
    cum = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    draws = (get_rng().random((probs.shape[0], n))[..., None] > cum[:, None, :]).sum(-1)
    out_shape = data.shape[:-1] + (_shape(shape) if shape is not None else ())
    return NDArray(np.minimum(draws, probs.shape[1] - 1).reshape(out_shape).astype(dtype), data.context)
