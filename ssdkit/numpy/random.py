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
from .multiarray import ndarray

__all__ = ["seed", "uniform", "normal", "randn", "rand", "randint", "shuffle", "choice", "exponential",
           "gamma", "beta", "multinomial"]


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


def uniform(low=0.0, high=1.0, size=None, dtype=None, ctx=None, out=None):
    """Samples from U[low, high) (``low``/``high`` may be arrays, broadcast with ``size``).

    Examples
    --------
    >>> uniform(size=(2, 3)).shape
    (2, 3)
    """
    return _result(get_rng().uniform(_value(low), _value(high), _size(size)), dtype, ctx, out)


def normal(loc=0.0, scale=1.0, size=None, dtype=None, ctx=None, out=None):
    """Samples from N(loc, scale²).

    Examples
    --------
    >>> normal(0, 1, (3,)).dtype
    dtype('float32')
    """
    return _result(get_rng().normal(_value(loc), _value(scale), _size(size)), dtype, ctx, out)


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


def exponential(scale=1.0, size=None, ctx=None, out=None):
    """Samples from the exponential distribution with mean ``scale``.

    Examples
    --------
    >>> exponential(size=2).shape
    (2,)
    """
    return _result(get_rng().exponential(_value(scale), _size(size)), None, ctx, out)


def gamma(shape=1.0, scale=1.0, size=None, dtype=None, ctx=None, out=None):
    """Samples from Gamma(shape, scale).

    Examples
    --------
    >>> gamma(2.0, size=(2,)).shape
    (2,)
    """
    return _result(get_rng().gamma(_value(shape), _value(scale), _size(size)), dtype, ctx, out)


def beta(a, b, size=None, dtype=None, ctx=None):
    """Samples from Beta(a, b).

    Examples
    --------
    >>> beta(1.0, 1.0, size=3).shape
    (3,)
    """
    return _result(get_rng().beta(_value(a), _value(b), _size(size)), dtype, ctx, None)


def multinomial(n, pvals, size=None):
    """Counts of ``n`` draws over the categories of ``pvals`` (int64).

    Examples
    --------
    >>> int(multinomial(10, [0.5, 0.5]).sum())
    10
    """
    pvals = onp.asarray(_value(pvals), onp.float64)
    pvals = pvals / pvals.sum()  # float32 probabilities may sum to slightly above 1 in float64
    return _result(get_rng().multinomial(n, pvals, _size(size)), None, None, None, _dtypes.INDEX_DTYPE)


def choice(a, size=None, replace=True, p=None, ctx=None, out=None):
    """Samples from ``arange(a)`` (an int, giving int64) or from the elements of the 1-D array ``a``.

    Examples
    --------
    >>> choice(5, 3).dtype, choice(5, 5, replace=False).shape
    (dtype('int64'), (5,))
    """
    drawn = get_rng().choice(_value(a), _size(size), replace, None if p is None else _value(p))
    dtype = a.dtype if isinstance(a, NDArray) else _dtypes.INDEX_DTYPE
    return _result(drawn, dtype, ctx, out)


def shuffle(x):
    """Shuffle ``x`` in place along its first axis.

    Examples
    --------
    >>> import ssdkit as mx
    >>> x = mx.np.arange(4); shuffle(x); sorted(x.tolist())
    [0.0, 1.0, 2.0, 3.0]
    """
    x._data[...] = get_rng().permutation(x._data)
