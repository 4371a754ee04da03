"""Special functions and NaN-skipping reductions: gamma, gammaln, erfinv, rcbrt (elementwise, with gradients)
and nansum / nanprod (reductions that treat NaN as the neutral element).

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("nansum")
>>> (y,), _ = op.forward(op.parse_params({}), [np.array([1., np.nan, 2.], np.float32)], False)
>>> y
array([3.], dtype=float32)
"""
import numpy as np

from .elemwise import _make_unary
from .reduce import _Reduce
from .registry import register

__all__ = []


def _special(name):
    import scipy.special  # imported on first use: scipy.special costs ~0.25 s at import
    return getattr(scipy.special, name)


def _gamma(x):
    return _special("gamma")(x).astype(x.dtype, copy=False)


def _gammaln(x):
    return _special("gammaln")(x).astype(x.dtype, copy=False)


def _erfinv(x):
    return _special("erfinv")(x).astype(x.dtype, copy=False)


def _digamma(x):
    return _special("psi")(x)


def _rcbrt(x):
    return 1 / np.cbrt(x)


# name: (forward, gradient g(x, y, dy)) — registered like every elementwise op (ops/elemwise.py)
_UNARY = {
    "gamma": (_gamma, lambda x, y, dy: dy * y * _digamma(x)),
    "gammaln": (_gammaln, lambda x, y, dy: dy * _digamma(x)),
    "erfinv": (_erfinv, lambda x, y, dy: dy * (0.5 * np.sqrt(np.pi)) * np.exp(y * y)),
    "rcbrt": (_rcbrt, lambda x, y, dy: -dy * y / (3 * x)),
}
for _name, (_f, _g) in _UNARY.items():
    _make_unary(_name, _f, _g)


@register
class nansum(_Reduce):
    """Sum over ``axis`` with NaN counted as zero; its gradient is zero at the NaN entries."""
    reducer = staticmethod(np.nansum)

    def local_grad(self, x, y, g):
        return g * ~np.isnan(x)


@register
class nanprod(_Reduce):
    """Product over ``axis`` with NaN counted as one; its gradient is zero at the NaN entries."""
    reducer = staticmethod(np.nanprod)

    def local_grad(self, x, y, g):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(np.isnan(x), 0, g * y / x)
