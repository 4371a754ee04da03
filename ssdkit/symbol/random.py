"""``mx.sym.random``: symbolic samplers — nodes of the registry's sampling ops, which the executor runs with
the one seeded generator (``mx.random.seed`` before ``forward`` repeats a draw), as MXNet 1.9.1's
``symbol.random``.

Number parameters make a ``_random_<dist>`` node of a fixed ``shape``; Symbol parameters make a
``_sample_<dist>`` node drawing ``shape`` samples per parameter element; mixing the two is refused (as MXNet).
``normal_like``, ``uniform_like``, ... draw samples shaped as their input.

Examples
--------
>>> import ssdkit as mx
>>> y = normal(loc=1.0, scale=2.0, shape=(2, 3))
>>> y.name, y.infer_shape()[1]
('_random_normal0', [(2, 3)])
>>> normal(mx.sym.var('mu'), mx.sym.var('sigma'), shape=4).list_arguments()
['mu', 'sigma']
"""
from ..base import MXNetError, numeric_types
from . import _internal
from .register import make_function
from .symbol import Symbol

__all__ = ["uniform", "normal", "randn", "poisson", "exponential", "gamma", "multinomial", "negative_binomial",
           "generalized_negative_binomial", "shuffle", "randint"]


def _random_helper(dist, values, shape, dtype, kwargs, sampler=True):
    """A ``_sample_<dist>`` node for Symbol parameters, a ``_random_<dist>`` node for numbers."""
    given = dict(kwargs)
    if shape is not None:
        given["shape"] = shape
    if dtype is not None:
        given["dtype"] = dtype
    first = values[0]
    for kind in (Symbol, numeric_types):
        if isinstance(first, kind):
            for other in values[1:]:
                if not isinstance(other, kind):   # MXNet's assertion and text
                    raise AssertionError(f"Distribution parameters must all have the same type, but got both "
                                         f"{type(first)} and {type(other)}.")
            break
    else:
        raise ValueError(f"Distribution parameters must be either Symbol or numbers, but got {type(first)}.")
    if isinstance(first, Symbol):
        if not sampler:
            raise MXNetError(f"random.{dist}: parameters must be numbers (there is no _sample_{dist}), "
                             f"got {type(first)}")
        return getattr(_internal, f"_sample_{dist}")(*values, **given)
    return getattr(_internal, f"_random_{dist}")(*values, **given)


def uniform(low=0, high=1, shape=None, dtype=None, **kwargs):
    """Samples from U[low, high): numbers give a fixed-shape draw, Symbols ``shape`` draws per element.

    Examples
    --------
    >>> uniform(0, 1, shape=(3,)).infer_shape()[1]
    [(3,)]
    """
    return _random_helper("uniform", [low, high], shape, dtype, kwargs)


def normal(loc=0, scale=1, shape=None, dtype=None, **kwargs):
    """Samples from N(loc, scale²).

    Examples
    --------
    >>> normal(shape=(2, 2)).infer_shape()[1]
    [(2, 2)]
    """
    return _random_helper("normal", [loc, scale], shape, dtype, kwargs)


def randn(*shape, **kwargs):
    """Normal samples of the given shape (``loc`` / ``scale`` keywords, numbers or Symbols).

    Examples
    --------
    >>> randn(2, 3).infer_shape()[1]
    [(2, 3)]
    """
    loc, scale, dtype = kwargs.pop("loc", 0), kwargs.pop("scale", 1), kwargs.pop("dtype", None)
    return _random_helper("normal", [loc, scale], shape, dtype, kwargs)


def poisson(lam=1, shape=None, dtype=None, **kwargs):
    """Samples from a Poisson distribution of rate ``lam``.

    Examples
    --------
    >>> poisson(3.0, shape=(2,)).infer_shape()[1]
    [(2,)]
    """
    return _random_helper("poisson", [lam], shape, dtype, kwargs)


def exponential(scale=1, shape=None, dtype=None, **kwargs):
    """Samples from an exponential distribution of mean ``scale`` (the op reads the rate ``1 / scale``).

    Examples
    --------
    >>> exponential(0.5, shape=(2,)).infer_shape()[1]
    [(2,)]
    """
    return _random_helper("exponential", [1.0 / scale], shape, dtype, kwargs)


def gamma(alpha=1, beta=1, shape=None, dtype=None, **kwargs):
    """Samples from a gamma distribution of shape ``alpha`` and scale ``beta``.

    Examples
    --------
    >>> gamma(2.0, 0.5, shape=(2,)).infer_shape()[1]
    [(2,)]
    """
    return _random_helper("gamma", [alpha, beta], shape, dtype, kwargs)


def negative_binomial(k=1, p=1, shape=None, dtype=None, **kwargs):
    """Failures before ``k`` successes of probability ``p``.

    Examples
    --------
    >>> negative_binomial(3, 0.4, shape=(2,)).infer_shape()[1]
    [(2,)]
    """
    return _random_helper("negative_binomial", [k, p], shape, dtype, kwargs)


def generalized_negative_binomial(mu=1, alpha=1, shape=None, dtype=None, **kwargs):
    """Samples of mean ``mu`` and dispersion ``alpha``.

    Examples
    --------
    >>> generalized_negative_binomial(2.0, 0.3, shape=(2,)).infer_shape()[1]
    [(2,)]
    """
    return _random_helper("generalized_negative_binomial", [mu, alpha], shape, dtype, kwargs)


def multinomial(data, shape=None, get_prob=True, dtype="int32", **kwargs):
    """Category indices drawn from the probability rows of ``data``; with ``get_prob`` (the default here, unlike
    ``nd.random.multinomial``) a second output holds their log-probabilities.

    Examples
    --------
    >>> import ssdkit as mx
    >>> multinomial(mx.sym.var('p'), shape=3).list_outputs()
    ['_sample_multinomial0_output0', '_sample_multinomial0_output1']
    """
    if shape is not None:
        kwargs["shape"] = shape
    return _internal._sample_multinomial(data, get_prob=get_prob, dtype=dtype, **kwargs)


def shuffle(data, **kwargs):
    """``data`` with its first axis randomly permuted.

    Examples
    --------
    >>> import ssdkit as mx
    >>> shuffle(mx.sym.var('a'), name='s').list_outputs()
    ['s_output']
    """
    return _internal._shuffle(data, **kwargs)


def randint(low, high, shape=None, dtype=None, **kwargs):
    """Integers in [low, high) (numbers only; int32 unless ``dtype``).

    Examples
    --------
    >>> randint(0, 5, shape=(4,)).infer_type()[1]
    [<class 'numpy.int32'>]
    """
    return _random_helper("randint", [low, high], shape, dtype, kwargs, sampler=False)


def _install_like_samplers():
    """``normal_like``, ``uniform_like``, ...: the registry's ``_random_<dist>_like`` ops, as in ``nd.random``."""
    from ..ndarray.random import like_sampler_ops
    for short, op_name in like_sampler_ops().items():
        globals()[short] = make_function(op_name, short, hint=short)   # nodes normal_like0, ... as MXNet
        __all__.append(short)


_install_like_samplers()
