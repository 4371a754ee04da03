"""``mx.nd.random``: uniform, normal, gamma, exponential, poisson, negative binomials, randint, shuffle,
multinomial — each a call of the registry's sampling op (``ops/random.py``), drawing from the one seeded
generator. Number parameters draw ``shape`` samples (``(1,)`` when neither ``shape`` nor ``out`` is given, as
MXNet); NDArray parameters draw ``shape`` samples per element (``_sample_*`` ops).

Examples
--------
>>> import ssdkit as mx
>>> mx.random.seed(0); a = uniform(shape=(2,)).asnumpy(); mx.random.seed(0)
>>> bool((a == uniform(shape=(2,)).asnumpy()).all())
True
>>> uniform().shape, normal(array([0.0, 1.0]), array([1.0, 2.0]), shape=3).shape
((1,), (2, 3))
"""
import numpy as np

from ..base import seed_rng, numeric_types, MXNetError
from .ndarray import NDArray, invoke
from .creation import array

__all__ = ["uniform", "normal", "randint", "shuffle", "multinomial", "randn", "seed", "exponential", "poisson",
           "gamma", "negative_binomial", "generalized_negative_binomial"]


def seed(seed_state, ctx="all"):
    """Seed the generator behind every random op. Any int is accepted and read as a 32-bit value, as MXNet
    passes it through a C int (-5 and 2**32 - 5 seed alike); other types raise ValueError.

    Examples
    --------
    >>> seed(42)
    >>> seed(-5); a = uniform(shape=(2,)).asnumpy(); seed(2 ** 32 - 5)
    >>> bool((a == uniform(shape=(2,)).asnumpy()).all())
    True
    """
    if not isinstance(seed_state, (int, np.integer)):
        raise ValueError("seed_state must be int")
    seed_rng(int(seed_state) & 0xFFFFFFFF)


def _draw(dist, params, shape, dtype, ctx, out, kwargs):
    """Call ``_random_<dist>`` (number parameters) or ``_sample_<dist>`` (NDArray parameters)."""
    values = list(params.values())
    if isinstance(values[0], NDArray):
        if not all(isinstance(v, NDArray) for v in values):
            raise MXNetError(f"random.{dist}: distribution parameters must all be NDArrays or all numbers, "
                             f"got {[type(v).__name__ for v in values]}")
        return invoke(f"_sample_{dist}", values, out=out, shape=() if shape is None else shape, dtype=dtype,
                      **kwargs)
    if not all(isinstance(v, numeric_types) for v in values):
        raise MXNetError(f"random.{dist}: distribution parameters must be numbers or NDArrays, "
                         f"got {[type(v).__name__ for v in values]}")
    if shape is None:
        shape = out.shape if out is not None else (1,)
    return invoke(f"_random_{dist}", [], out=out, shape=shape, dtype=dtype, ctx=ctx, **params, **kwargs)


def uniform(low=0, high=1, shape=None, dtype=None, ctx=None, out=None, **kwargs):
    """Samples from U[low, high).

    Examples
    --------
    >>> uniform(0, 1, shape=(3,)).shape
    (3,)
    """
    return _draw("uniform", {"low": low, "high": high}, shape, dtype, ctx, out, kwargs)


def normal(loc=0, scale=1, shape=None, dtype=None, ctx=None, out=None, **kwargs):
    """Samples from N(loc, scale²).

    Examples
    --------
    >>> normal(shape=(2, 2)).shape
    (2, 2)
    """
    if isinstance(loc, NDArray):
        return _draw("normal", {"mu": loc, "sigma": scale}, shape, dtype, ctx, out, kwargs)
    return _draw("normal", {"loc": loc, "scale": scale}, shape, dtype, ctx, out, kwargs)


def randn(*shape, loc=0, scale=1, dtype=None, ctx=None, **kwargs):
    """Standard normal samples of the given shape.

    Examples
    --------
    >>> randn(2, 3).shape
    (2, 3)
    """
    return normal(loc, scale, shape or None, dtype, ctx, **kwargs)


def gamma(alpha=1, beta=1, shape=None, dtype=None, ctx=None, out=None, **kwargs):
    """Samples from a gamma distribution with shape ``alpha`` and scale ``beta``.

    Examples
    --------
    >>> gamma(2.0, 1.0, shape=(2,)).shape
    (2,)
    """
    return _draw("gamma", {"alpha": alpha, "beta": beta}, shape, dtype, ctx, out, kwargs)


def exponential(scale=1, shape=None, dtype=None, ctx=None, out=None, **kwargs):
    """Samples from an exponential distribution of mean ``scale`` (the op takes the rate ``lam = 1/scale``).

    Examples
    --------
    >>> exponential(shape=(2,)).shape
    (2,)
    """
    lam = 1.0 / scale
    return _draw("exponential", {"lam": lam}, shape, dtype, ctx, out, kwargs)


def poisson(lam=1, shape=None, dtype=None, ctx=None, out=None, **kwargs):
    """Samples from a Poisson distribution.

    Examples
    --------
    >>> poisson(2.0, shape=(2,)).shape
    (2,)
    """
    return _draw("poisson", {"lam": lam}, shape, dtype, ctx, out, kwargs)


def negative_binomial(k=1, p=1, shape=None, dtype=None, ctx=None, out=None, **kwargs):
    """Failures before ``k`` successes of probability ``p``.

    Examples
    --------
    >>> negative_binomial(3, 0.5, shape=(2,)).shape
    (2,)
    """
    return _draw("negative_binomial", {"k": k, "p": p}, shape, dtype, ctx, out, kwargs)


def generalized_negative_binomial(mu=1, alpha=1, shape=None, dtype=None, ctx=None, out=None, **kwargs):
    """Samples of mean ``mu`` and dispersion ``alpha``.

    Examples
    --------
    >>> generalized_negative_binomial(2.0, 0.3, shape=(2,)).shape
    (2,)
    """
    return _draw("generalized_negative_binomial", {"mu": mu, "alpha": alpha}, shape, dtype, ctx, out, kwargs)


def randint(low, high, shape=None, dtype=None, ctx=None, out=None, **kwargs):
    """Integers in [low, high) (int32 unless ``dtype``).

    Examples
    --------
    >>> int(randint(0, 5, shape=(10,)).max().asscalar()) < 5
    True
    """
    return _draw("randint", {"low": low, "high": high}, shape, dtype, ctx, out, kwargs)


def shuffle(data, **kwargs):
    """A copy with the first axis shuffled.

    Examples
    --------
    >>> sorted(shuffle(array([0, 1, 2, 3])).asnumpy().tolist())
    [0.0, 1.0, 2.0, 3.0]
    """
    return invoke("_shuffle", [data], **kwargs)


def multinomial(data, shape=None, get_prob=False, out=None, dtype="int32", **kwargs):
    """Draw category indices from the probability rows of ``data``; ``get_prob`` also returns their log-probabilities.

    Examples
    --------
    >>> multinomial(array([[0., 1.]])).asnumpy()
    array([1], dtype=int32)
    """
    return invoke("_sample_multinomial", [data], out=out, shape=() if shape is None else shape,
                  get_prob=get_prob, dtype=dtype, **kwargs)


def like_sampler_ops():
    """``{short name: registry op}`` of the ``_random_<dist>_like`` ops (samples shaped as their input), which
    ``nd.random`` and ``sym.random`` both offer as ``<dist>_like``.

    Examples
    --------
    >>> like_sampler_ops()["normal_like"]
    '_random_normal_like'
    """
    from ..ops import list_ops
    return {op[len("_random_"):]: op for op in sorted(list_ops())
            if op.startswith("_random_") and op.endswith("_like")}


def _install_like_samplers():
    """``normal_like``, ``uniform_like``, ...: the registry's like-samplers, as MXNet's ``nd.random`` offers them."""
    from .register import make_function
    for short, op_name in like_sampler_ops().items():
        globals()[short] = make_function(op_name, short)
        __all__.append(short)


_install_like_samplers()
