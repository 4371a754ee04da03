"""Densities of the sampling distributions: ``_random_pdf_<dist>`` (alias ``random_pdf_<dist>``) as MXNet 1.9.1.

``sample`` has the parameter arrays' shape as its leading dims: parameter element ``i`` applies to every sample
in block ``i`` (``sample.size // param.size`` samples each). The output has ``sample``'s shape (the density or,
with ``is_log``, its log); for ``dirichlet`` the last axis of ``sample`` and ``alpha`` is the vector dimension
and the output drops it (a single vector sample gives shape ``(1,)``).

Parameters as MXNet's densities read them: uniform ``(low, high)``, normal ``(mu, sigma)``, gamma
``(alpha, beta)`` with ``beta`` the RATE (unlike the sampler's scale), exponential ``lam`` (rate), poisson
``lam``, negative_binomial ``(k, p)`` (``x`` failures before ``k`` successes of probability ``p``), generalized negative
binomial ``(mu, alpha)`` (mean and dispersion), dirichlet ``alpha``. Support is not checked (as MXNet).

Gradients: parameters get the derivative summed over their samples; ``sample`` gets its derivative for the
continuous densities and zero for uniform and the discrete ones (as MXNet). Computed in float64, returned in
the sample's dtype.

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("random_pdf_normal")
>>> (y,), _ = op.forward(op.parse_params({}), [np.array([[0., 1.]]), np.array([0.]), np.array([1.])], False)
>>> np.round(y, 4).tolist()
[[0.3989, 0.242]]
"""
import numpy as np

from ..base import MXNetError, ShapeError
from .registry import Op, Param, register
from .special import _special

__all__ = []


def _lgamma(x):
    return _special("gammaln")(x)


def _psi(x):
    return _special("psi")(x)


def _nb_log(x, k, p):
    return _lgamma(x + k) - _lgamma(x + 1) - _lgamma(k) + k * np.log(p) + x * np.log(1 - p)


def _nb_grads(x, k, p):
    return [_psi(x + k) - _psi(k) + np.log(p), k / p - x / (1 - p)]


def _gnb_grads(x, mu, alpha):
    den = mu * alpha + 1
    d_k, d_p = _nb_grads(x, 1 / alpha, 1 / den)   # chain rule through k = 1/alpha, p = 1/(mu alpha + 1)
    return [-d_p * alpha / den ** 2, -d_k / alpha ** 2 - d_p * mu / den ** 2]


# dist -> (parameter names, log-density(x, *params), [d log-density / d param], d log-density / d x or None)
_DENSITIES = {
    "uniform": (("low", "high"), lambda x, lo, hi: np.broadcast_to(-np.log(hi - lo), x.shape),
                lambda x, lo, hi: [1 / (hi - lo), 1 / (lo - hi)], None),
    "normal": (("mu", "sigma"), lambda x, mu, s: -0.5 * (x - mu) ** 2 / s ** 2 - np.log(np.sqrt(2 * np.pi) * s),
               lambda x, mu, s: [(x - mu) / s ** 2, ((x - mu) ** 2 - s ** 2) / s ** 3],
               lambda x, mu, s: (mu - x) / s ** 2),
    "gamma": (("alpha", "beta"), lambda x, a, b: a * np.log(b) + (a - 1) * np.log(x) - b * x - _lgamma(a),
              lambda x, a, b: [np.log(b) + np.log(x) - _psi(a), a / b - x], lambda x, a, b: (a - 1) / x - b),
    "exponential": (("lam",), lambda x, lam: np.log(lam) - lam * x, lambda x, lam: [1 / lam - x],
                    lambda x, lam: np.broadcast_to(-lam, x.shape)),
    "poisson": (("lam",), lambda x, lam: x * np.log(lam) - _lgamma(x + 1) - lam, lambda x, lam: [x / lam - 1],
                None),
    "negative_binomial": (("k", "p"), _nb_log, _nb_grads, None),
    "generalized_negative_binomial": (("mu", "alpha"),
                                      lambda x, mu, alpha: _nb_log(x, 1 / alpha, 1 / (mu * alpha + 1)),
                                      _gnb_grads, None),
}


class _PdfBase(Op):
    params = {"is_log": Param("bool", False)}
    vector = False   # dirichlet: the last axis is the vector dimension

    def _check(self, shapes):
        sample, first = shapes[0], shapes[1]
        for name, shape in zip(self.inputs[2:], shapes[2:]):
            if tuple(shape) != tuple(first):
                raise ShapeError(f"{self.name}: {name} must have the shape of {self.inputs[1]} {tuple(first)}, "
                                 f"got {tuple(shape)}")
        if len(first) > len(sample):
            raise ShapeError(f"{self.name}: sample must have at least the dimensions of the parameters "
                             f"{tuple(first)}, got shape {tuple(sample)}")
        lead = tuple(sample[:len(first)])
        if self.vector:
            lead = lead[:-1] + tuple(sample[-1:])
        if tuple(first) != lead:
            raise ShapeError(f"{self.name}: the parameters' shape {tuple(first)} must be the leading part of the "
                             f"sample shape {tuple(sample)}" + (" (and share its last axis)" if self.vector else ""))

    def infer_shape(self, p, shapes):
        if any(s is None for s in shapes):
            return shapes, [None]
        self._check(shapes)
        sample = tuple(shapes[0])
        if self.vector:
            return shapes, [(1,) if len(sample) == 1 else sample[:-1]]
        return shapes, [sample]

    def _blocks(self, inputs):
        """Sample as (P, samples per parameter[, k]) and parameters as (P, 1[, k]), in float64."""
        sample, params = inputs[0], inputs[1:]
        self._check([a.shape for a in inputs])
        k = sample.shape[-1] if self.vector else None
        count = params[0].size // (k or 1)
        tail = (k,) if self.vector else ()
        x = sample.astype(np.float64).reshape((count, -1) + tail)
        return x, [a.astype(np.float64).reshape((count, 1) + tail) for a in params]


def _make_pdf(dist, names, log_density, param_grads, sample_grad):

    class Pdf(_PdfBase):
        inputs = ("sample",) + names

        def forward(self, p, inputs, is_train):
            x, params = self._blocks(inputs)
            log_pdf = log_density(x, *params)
            out = (log_pdf if p.is_log else np.exp(log_pdf)).reshape(inputs[0].shape).astype(inputs[0].dtype)
            return [out], (inputs, out)

        def backward(self, p, saved, out_grads):
            inputs, out = saved
            x, params = self._blocks(inputs)
            scale = out_grads[0].astype(np.float64)
            if not p.is_log:
                scale = scale * out
            scale = scale.reshape(x.shape)
            grads = [np.zeros(inputs[0].shape, inputs[0].dtype) if sample_grad is None else
                     (scale * sample_grad(x, *params)).reshape(inputs[0].shape).astype(inputs[0].dtype)]
            for a, g in zip(inputs[1:], param_grads(x, *params)):
                grads.append((scale * g).sum(axis=1).reshape(a.shape).astype(a.dtype))
            return grads

    Pdf.__name__ = Pdf.__qualname__ = Pdf.name = f"_random_pdf_{dist}"
    Pdf.__doc__ = (f"Density (``is_log``: log-density) of ``sample`` under the {dist.replace('_', ' ')} "
                   f"distribution with parameters {', '.join(names)} (one per leading block of samples).")
    register(Pdf)   # MXNet alias random_pdf_<dist>: ops/aliases.py


for _dist, (_names, _log, _grads, _dx) in _DENSITIES.items():
    _make_pdf(_dist, _names, _log, _grads, _dx)


@register
class _random_pdf_dirichlet(_PdfBase):
    """Density (``is_log``: log-density) of vector ``sample`` (last axis) under Dirichlet(``alpha``)."""
    name = "_random_pdf_dirichlet"
    inputs = ("sample", "alpha")
    vector = True

    def forward(self, p, inputs, is_train):
        if inputs[0].ndim < 1 or inputs[1].ndim < 1:
            raise MXNetError(f"{self.name}: sample and alpha need a vector axis, got shapes "
                             f"{inputs[0].shape} and {inputs[1].shape}")
        x, (alpha,) = self._blocks(inputs)
        log_pdf = ((alpha - 1) * np.log(x)).sum(-1) + _lgamma(alpha.sum(-1)) - _lgamma(alpha).sum(-1)
        out_shape = self.infer_shape(p, [a.shape for a in inputs])[1][0]
        out = (log_pdf if p.is_log else np.exp(log_pdf)).reshape(out_shape).astype(inputs[0].dtype)
        return [out], (inputs, out)

    def backward(self, p, saved, out_grads):
        inputs, out = saved
        x, (alpha,) = self._blocks(inputs)
        scale = out_grads[0].astype(np.float64)
        if not p.is_log:
            scale = scale * out
        scale = scale.reshape(x.shape[:-1] + (1,))
        d_x = scale * (alpha - 1) / x
        d_alpha = (scale * (np.log(x) + _psi(alpha.sum(-1, keepdims=True)) - _psi(alpha))).sum(axis=1)
        return [d_x.reshape(inputs[0].shape).astype(inputs[0].dtype),
                d_alpha.reshape(inputs[1].shape).astype(inputs[1].dtype)]
