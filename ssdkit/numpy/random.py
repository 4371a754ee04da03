"""``mx.np.random``: NumPy's sampler names and arguments (``size=``), drawing from the one seeded generator
behind ``mx.random`` (so ``np.random.seed`` and ``mx.random.seed`` are the same seed). Floats are float32 and
integers int64 by default, as in MXNet np; ``size=None`` gives a 0-d array.

Examples
--------
>>> seed(0); a = uniform(size=(2,)); seed(0)
>>> bool((a == uniform(size=(2,))).all()), a.dtype
(True, dtype('float32'))
"""
import numpy as onp

from ..base import get_rng, seed_rng
from ..context import check_cpu
from ..ndarray.ndarray import NDArray
from . import _dtypes
from ._dispatch import call, shared, is_symbolic


def _shared(function):
    return shared(function, "random." + function.__name__)
from .multiarray import ndarray

__all__ = ["seed", "uniform", "normal", "randn", "rand", "randint", "shuffle", "choice", "exponential",
           "gamma", "beta", "multinomial", "lognormal", "logistic", "gumbel", "rayleigh", "weibull",
           "pareto", "power", "chisquare", "multivariate_normal"]


def _value(v):
    return v._data if isinstance(v, NDArray) else v


def _size(size):
    return None if size is None else (int(size),) if isinstance(size, (int, onp.integer)) else tuple(size)


def _result(values, dtype, ctx, out, default=_dtypes.DEFAULT_FLOAT):
    check_cpu(ctx)
    values = onp.asarray(values).astype(default if dtype is None else dtype, copy=False)
    if out is not None:
        out._data[...] = values
        return out
    return ndarray(values)


def seed(seed, ctx="all"):  # noqa: A002 - MXNet's argument name
    """Seed the generator of every random function (``mx.random.seed`` too).

    Examples
    --------
    >>> seed(1)
    """
    seed_rng(seed)


def randn(*size, **kwargs):
    """Standard normal samples of shape ``size``.

    Examples
    --------
    >>> randn(2, 3).shape
    (2, 3)
    """
    return normal(0.0, 1.0, size or None, **kwargs)


def rand(*size, **kwargs):
    """U[0, 1) samples of shape ``size``.

    Examples
    --------
    >>> rand(2).shape
    (2,)
    """
    return uniform(0.0, 1.0, size or None, **kwargs)


def randint(low, high=None, size=None, dtype=None, ctx=None, out=None):
    """Integers from ``[low, high)`` (``[0, low)`` without ``high``), int64 by default.

    Examples
    --------
    >>> randint(0, 5, (3,)).dtype
    dtype('int64')
    """
    if high is None:
        low, high = 0, low
    return _result(get_rng().integers(low, high, _size(size)), dtype, ctx, out, _dtypes.INDEX_DTYPE)


def multinomial(n, pvals, size=None):
    """Counts of ``n`` draws over the categories of ``pvals`` (int64).

    Examples
    --------
    >>> int(multinomial(10, [0.5, 0.5]).sum())
    10
    """
    pvals = onp.asarray(_value(pvals), onp.float64)
    if pvals.size == 0:  # MXNet: no categories give counts of shape size + (0,)
        return _result(onp.zeros((_size(size) or ()) + (0,)), None, None, None, _dtypes.INDEX_DTYPE)
    pvals = pvals / pvals.sum()  # float32 probabilities may sum to slightly above 1 in float64
    return _result(get_rng().multinomial(n, pvals, _size(size)), None, None, None, _dtypes.INDEX_DTYPE)


@_shared
def choice(a, size=None, replace=True, p=None, ctx=None, out=None):
    """Samples from ``arange(a)`` (an int, giving int64) or from the elements of the 1-D array ``a``, with the
    probabilities ``p`` when given (the registry op ``_npi_choice``, then ``take`` for an array ``a``).

    Examples
    --------
    >>> choice(5, 3).dtype, choice(5, 5, replace=False).shape
    (dtype('int64'), (5,))
    """
    check_cpu(ctx)
    size = None if size == () else _size(size)
    weights = [] if p is None else [p if _is_array(p) else ndarray(onp.asarray(p, onp.float64))]
    if _is_array(a):
        indices = call("_npi_choice", [a] + weights, size=size, replace=replace, weighted=p is not None)
        return call("take", [a, indices], out, axis=0, mode="clip")
    return call("_npi_choice", weights, out, a=int(a), size=size, replace=replace, weighted=p is not None)


@_shared
def multivariate_normal(mean, cov, size=None, check_valid=None, tol=None):
    """Samples of the multivariate normal ``mean`` (..., k) / ``cov`` (..., k, k), of shape ``size +
    broadcast(mean.shape, cov.shape[:-1])`` (the registry op ``_npi_mvn_fallback``; no gradient).

    Examples
    --------
    >>> import ssdkit as mx
    >>> multivariate_normal(mx.np.zeros(2), mx.np.eye(2), size=(3,)).shape
    (3, 2)
    """
    if check_valid is not None:
        raise NotImplementedError("Parameter `check_valid` is not supported")
    if tol is not None:
        raise NotImplementedError("Parameter `tol` is not supported")
    return call("_npi_mvn_fallback", [mean, cov], size=_size(size))


def shuffle(x):
    """Shuffle ``x`` in place along its first axis.

    Examples
    --------
    >>> import ssdkit as mx
    >>> x = mx.np.arange(4); shuffle(x); sorted(x.tolist())
    [0.0, 1.0, 2.0, 3.0]
    """
    x._data[...] = get_rng().permutation(x._data)


def _is_array(value):
    return isinstance(value, NDArray) or is_symbolic(value)


def _sample(dist, params, size=None, dtype=None, ctx=None, out=None, batch_shape=None):
    """Draw from the registry sampler ``_npi_<dist>`` (see :mod:`ssdkit.ops.numpy_random`): ``params`` is an
    ordered dict of the distribution's parameters, arrays (inputs, with gradients where the distribution is
    reparameterized) or numbers.

    Examples
    --------
    >>> _sample("normal", {"loc": 0.0, "scale": 1.0}, size=(2,)).shape
    (2,)
    """
    check_cpu(ctx)
    if dtype is None and out is not None:
        dtype = out.dtype
    if size is None and out is not None:
        size = out.shape
    arrays = [v for v in params.values() if _is_array(v)]
    scalars = {k: (None if _is_array(v) else float(_value(v))) for k, v in params.items()}
    extra = {"batch_shape": _size(batch_shape)} if dist.endswith("_n") else {"size": _size(size)}
    return call(f"_npi_{dist}", arrays, out, dtype=onp.dtype(dtype or _dtypes.DEFAULT_FLOAT).name, **scalars, **extra)


@_shared
def uniform(low=0.0, high=1.0, size=None, dtype=None, ctx=None, out=None):
    """Samples from U[low, high) (``low``/``high`` numbers or arrays, broadcast with ``size``); arrays get
    gradients (``low + (high - low) * u``).

    Examples
    --------
    >>> uniform(size=(2, 3)).shape
    (2, 3)
    """
    return _sample("uniform", {"low": low, "high": high}, size, dtype, ctx, out)


@_shared
def normal(loc=0.0, scale=1.0, size=None, dtype=None, ctx=None, out=None):
    """Samples from N(loc, scale²); array parameters get gradients (``loc + scale * eps``).

    Examples
    --------
    >>> normal(0, 1, (3,)).dtype
    dtype('float32')
    """
    return _sample("normal", {"loc": loc, "scale": scale}, size, dtype, ctx, out)


@_shared
def lognormal(mean=0.0, sigma=1.0, size=None, dtype=None, ctx=None, out=None):
    """Samples of ``exp(N(mean, sigma²))``, with gradients to array parameters.

    Examples
    --------
    >>> bool((lognormal(size=(4,)) > 0).all())
    True
    """
    return call("exp", [normal(mean, sigma, size, dtype, ctx)], out)


@_shared
def logistic(loc=0.0, scale=1.0, size=None, ctx=None, out=None):
    """Samples from the logistic distribution; array parameters get gradients.

    Examples
    --------
    >>> logistic(1.0, 2.0, size=3).shape
    (3,)
    """
    return _sample("logistic", {"loc": loc, "scale": scale}, size, None, ctx, out)


@_shared
def gumbel(loc=0.0, scale=1.0, size=None, ctx=None, out=None):
    """Samples from the Gumbel distribution; array parameters get gradients.

    Examples
    --------
    >>> gumbel(size=(2, 2)).shape
    (2, 2)
    """
    return _sample("gumbel", {"loc": loc, "scale": scale}, size, None, ctx, out)


@_shared
def exponential(scale=1.0, size=None, ctx=None, out=None):
    """Samples from the exponential distribution with mean ``scale`` (an array gets a gradient).

    Examples
    --------
    >>> exponential(size=2).shape
    (2,)
    """
    return _sample("exponential", {"scale": scale}, size, None, ctx, out)


@_shared
def rayleigh(scale=1.0, size=None, ctx=None, out=None):
    """Samples from the Rayleigh distribution (an array ``scale`` gets a gradient).

    Examples
    --------
    >>> rayleigh(2.0, size=(3,)).shape
    (3,)
    """
    return _sample("rayleigh", {"scale": scale}, size, None, ctx, out)


@_shared
def weibull(a, size=None, ctx=None, out=None):
    """Samples ``E ** (1 / a)`` of the Weibull distribution (``E`` standard exponential; an array ``a`` gets a
    gradient).

    Examples
    --------
    >>> weibull(1.5, size=(2,)).shape
    (2,)
    """
    return _sample("weibull", {"a": a}, size, None, ctx, out)


@_shared
def pareto(a, size=None, ctx=None, out=None):
    """Samples ``exp(E / a) - 1`` of the Pareto II (Lomax) distribution, as NumPy's (an array ``a`` gets a
    gradient).

    Examples
    --------
    >>> bool((pareto(2.0, size=(4,)) >= 0).all())
    True
    """
    return _sample("pareto", {"a": a}, size, None, ctx, out)


@_shared
def power(a, size=None, ctx=None, out=None):
    """Samples ``U ** (1 / a)`` in [0, 1] of the power distribution (an array ``a`` gets a gradient).

    Examples
    --------
    >>> bool(((power(2.0, size=(4,)) >= 0) & (power(2.0, size=(4,)) <= 1)).all())
    True
    """
    return _sample("powerd", {"a": a}, size, None, ctx, out)


@_shared
def gamma(shape, scale=1.0, size=None, dtype=None, ctx=None, out=None):
    """Samples from Gamma(shape, scale) (no gradient).

    Examples
    --------
    >>> gamma(2.0, size=(2,)).shape
    (2,)
    """
    for name, value in (("shape", shape), ("scale", scale)):
        if not _is_array(value) and float(_value(value)) <= 0:
            raise ValueError(f"gamma: {name} must be positive, got {value}")
    return _sample("gamma", {"shape": shape, "scale": scale}, size, dtype, ctx, out)


@_shared
def beta(a, b, size=None, dtype=None, ctx=None):
    """Samples from Beta(a, b), as ``X / (X + Y)`` of two gamma draws in float64 (no gradient).

    Examples
    --------
    >>> beta(1.0, 1.0, size=3).shape
    (3,)
    """
    x = gamma(a, 1.0, size, "float64", ctx)
    y = gamma(b, 1.0, size, "float64", ctx)
    ratio = call("broadcast_div", [x, call("broadcast_add", [x, y])])
    return call("Cast", [ratio], dtype=onp.dtype(dtype or _dtypes.DEFAULT_FLOAT).name)


@_shared
def chisquare(df, size=None, dtype=None, ctx=None):
    """Samples from the chi-square distribution with ``df`` degrees of freedom (Gamma(df / 2, 2)).

    Examples
    --------
    >>> chisquare(3.0, size=(2,)).shape
    (2,)
    """
    if not _is_array(df) and float(_value(df)) <= 0:
        raise ValueError(f"chisquare: df must be positive, got {df}")
    half = call("_mul_scalar", [df], scalar=0.5) if _is_array(df) else float(_value(df)) / 2
    return gamma(half, 2.0, size, dtype, ctx)
