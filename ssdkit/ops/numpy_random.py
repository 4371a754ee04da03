"""``mx.np.random`` / ``mx.npx.random`` samplers (MXNet's ``_npi_normal``, ``_npi_gumbel``, ``_npi_weibull``, ...):
each parameter is a scalar parameter of the op or, when given as an array, an input, broadcast with ``size``.

Distributions with a standard noise source are *reparameterized*, as in MXNet: the sample is a function of
the parameters and the noise (``loc + scale * eps``), so gradients flow to array parameters (normal, logistic,
gumbel, laplace, uniform, exponential, rayleigh, weibull, pareto, powerd). The others (gamma, bernoulli, ...) draw
without a gradient.

Samples come from the one seeded generator (``mx.random.seed``); streams are not MXNet's.

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("_npi_normal")
>>> p = op.parse_params({"scale": 2.0, "size": (3,)})
>>> op.input_names(p)
['loc']
>>> (y,), saved = op.forward(p, [np.zeros((1,), np.float32)], True)
>>> y.shape, y.dtype.name, op.backward(p, saved, [np.ones(3, np.float32)])[0]
((3,), 'float32', array([3.], dtype=float32))
"""
import numpy as np

from ..base import ShapeError, get_rng
from .elemwise import unbroadcast
from .registry import Op, Param, register

__all__ = ["SAMPLERS"]


def _location_scale(noise):
    return (("loc", 0.0), ("scale", 1.0)), noise, lambda v, e: v[0] + v[1] * e, lambda v, e, y: [1.0, e]


# name -> (parameters with defaults, noise(rng, params, size), sample(values, noise), d sample / d parameters)
SAMPLERS = {
    "normal": _location_scale(lambda r, v, s: r.standard_normal(s)),
    "logistic": _location_scale(lambda r, v, s: r.logistic(size=s)),
    "gumbel": _location_scale(lambda r, v, s: r.gumbel(size=s)),
    "laplace": _location_scale(lambda r, v, s: r.laplace(size=s)),
    "uniform": ((("low", 0.0), ("high", 1.0)), lambda r, v, s: r.random(s),
                lambda v, e: v[0] + (v[1] - v[0]) * e, lambda v, e, y: [1.0 - e, e]),
    "exponential": ((("scale", 1.0),), lambda r, v, s: r.standard_exponential(s), lambda v, e: v[0] * e,
                    lambda v, e, y: [e]),
    "rayleigh": ((("scale", 1.0),), lambda r, v, s: r.rayleigh(1.0, s), lambda v, e: v[0] * e,
                 lambda v, e, y: [e]),
    "weibull": ((("a", None),), lambda r, v, s: r.standard_exponential(s), lambda v, e: e ** (1.0 / v[0]),
                lambda v, e, y: [-y * np.log(np.where(e > 0, e, 1.0)) / v[0] ** 2]),
    "pareto": ((("a", None),), lambda r, v, s: r.standard_exponential(s), lambda v, e: np.expm1(e / v[0]),
               lambda v, e, y: [-(y + 1.0) * e / v[0] ** 2]),
    "powerd": ((("a", None),), lambda r, v, s: r.random(s), lambda v, e: e ** (1.0 / v[0]),
              lambda v, e, y: [-y * np.log(np.where(e > 0, e, 1.0)) / v[0] ** 2]),
    "gamma": ((("shape", None), ("scale", 1.0)), lambda r, v, s: r.gamma(v[0], v[1], s), None, None),
    "bernoulli": ((("prob", None),), lambda r, v, s: (r.random(s) < v[0]), None, None),
}


class NumpySampler(Op):
    """A sampler of :data:`SAMPLERS`; parameters given as arrays are inputs (in the declared order)."""
    dist = None
    batch = False  # ``*_n`` samplers: ``batch_shape`` + the parameters' shape
    random = True

    def input_names(self, p):
        return [name for name, _ in SAMPLERS[self.dist][0] if p[name] is None]

    def infer_type(self, p, dtypes):
        return dtypes, [np.dtype(p.dtype)]

    def _shape(self, p, shapes):
        broadcast = np.broadcast_shapes(*shapes) if shapes else ()
        if self.batch:
            return tuple(p.batch_shape or ()) + tuple(broadcast)
        if p.size is None:
            return tuple(broadcast)
        try:
            np.broadcast_shapes(broadcast, tuple(p.size))
        except ValueError:
            raise ShapeError(f"{self.name}: parameter shapes {shapes} do not broadcast to size {tuple(p.size)}") \
                from None
        return tuple(p.size)

    def infer_shape(self, p, shapes):
        if any(s is None for s in shapes):
            return shapes, [None]
        return shapes, [self._shape(p, shapes)]

    def forward(self, p, inputs, is_train):
        names, noise, sample, _ = SAMPLERS[self.dist]
        shape = self._shape(p, [x.shape for x in inputs])
        given = iter(inputs)
        values = [np.asarray(next(given), np.float64) if p[n] is None else np.float64(p[n]) for n, _ in names]
        if self.batch:  # parameters are trailing axes of the batch of draws
            values = [np.broadcast_to(v, shape[len(shape) - np.ndim(v):] if np.ndim(v) else ()) for v in values]
        self._check(values)
        if sample is None:
            return [np.asarray(noise(get_rng(), values, shape)).astype(p.dtype)], None
        eps = noise(get_rng(), values, shape)
        y = np.broadcast_to(sample(values, eps), shape)
        return [y.astype(p.dtype)], (values, eps, y, [(x.shape, x.dtype) for x in inputs])

    def _check(self, values):
        for (name, _), value in zip(SAMPLERS[self.dist][0], values):
            value = np.asarray(value)
            if (name in ("a", "shape") and np.any(value <= 0)) or (name == "scale" and np.any(value < 0)):
                raise ValueError(f"{self.dist}: {name} must be positive, got {value}")
            if name == "prob" and np.any((value < 0) | (value > 1)):
                raise ValueError(f"bernoulli: prob must be in [0, 1], got {value}")

    def backward(self, p, saved, out_grads):
        names, _, _, derivative = SAMPLERS[self.dist]
        if saved is None:
            return [None] * len(self.input_names(p))
        values, eps, y, inputs = saved
        g = np.asarray(out_grads[0], np.float64)
        slopes = derivative(values, eps, y)
        wanted = [k for k, (n, _) in enumerate(names) if p[n] is None]
        return [unbroadcast(g * slopes[k], shape).astype(dtype) for k, (shape, dtype) in zip(wanted, inputs)]


def _register(dist, batch=False):
    names = SAMPLERS[dist][0]
    params = {n: Param("float", None) for n, _ in names}
    params.update({"size": Param("shape", None), "dtype": Param("dtype", "float32"), "ctx": Param("any", None)})
    if batch:
        params = {k: v for k, v in params.items() if k != "size"}
        params["batch_shape"] = Param("shape", None)
    name = f"_npi_{dist}{'_n' if batch else ''}"
    reparam = SAMPLERS[dist][2] is not None
    cls = type(name, (NumpySampler,), {
        "name": name, "dist": dist, "batch": batch, "params": params, "inputs": tuple(n for n, _ in names),
        "differentiable": reparam,
        "__doc__": f"Samples of the {dist} distribution (parameters {', '.join(n for n, _ in names)}: scalars "
                   f"or arrays){'; a gradient to array parameters through the reparameterization' if reparam else ''}."})
    register(cls)


for _dist in SAMPLERS:
    _register(_dist)
for _dist in ("normal", "uniform"):
    _register(_dist, batch=True)



@register
class _npi_choice(Op):
    """``np.random.choice``: int64 indices drawn from ``range(a)`` (``a`` a parameter) or from the positions
    of the input array ``input1``, uniformly or with the probabilities ``p`` (``weighted``), with or without
    replacement. No gradient.

    Examples
    --------
    >>> op = _npi_choice()
    >>> (y,), _ = op.forward(op.parse_params({"a": 5, "size": (5,), "replace": False}), [], False)
    >>> sorted(y.tolist()), y.dtype.name
    ([0, 1, 2, 3, 4], 'int64')
    """
    params = {"a": Param("int", None), "size": Param("shape", None), "replace": Param("bool", True),
              "weighted": Param("bool", False), "ctx": Param("any", None)}
    differentiable = False
    random = True

    def input_names(self, p):
        return (["input1"] if p.a is None else []) + (["p"] if p.weighted else [])

    def infer_shape(self, p, shapes):
        return shapes, [tuple(p.size or ())]

    def infer_type(self, p, dtypes):
        return dtypes, [np.dtype(np.int64)]

    def forward(self, p, inputs, is_train):
        n = p.a if p.a is not None else inputs[0].size
        probs = np.asarray(inputs[-1], np.float64) if p.weighted else None
        if probs is not None:
            probs = probs / probs.sum()  # float16/float32 weights may sum to slightly off 1 in float64
        drawn = get_rng().choice(n, p.size, p.replace, probs)
        return [np.asarray(drawn, np.int64)], None


@register
class _npi_mvn_fallback(Op):
    """``np.random.multivariate_normal(mean, cov, size)``: ``mean + einsum('...jk,...j->...k', L, eps)`` with
    ``L`` the lower Cholesky factor of ``cov`` and standard normal ``eps`` of the output shape ``size +
    broadcast(mean.shape, cov.shape[:-1])``, exactly as MXNet 1.9.1's fallback computes it (that einsum applies
    ``L`` transposed: the draws have covariance ``cov`` when ``cov`` is diagonal). float16 factors through
    float32. No gradient.

    Examples
    --------
    >>> op = _npi_mvn_fallback()
    >>> p = op.parse_params({"size": (4,)})
    >>> op.forward(p, [np.zeros(2, np.float32), np.eye(2, dtype=np.float32)], False)[0][0].shape
    (4, 2)
    """
    inputs = ("mean", "cov")
    params = {"size": Param("shape", None)}
    differentiable = False
    random = True

    def infer_shape(self, p, shapes):
        mean, cov = shapes
        if mean is None or cov is None:
            return shapes, [None]
        if len(mean) < 1 or len(cov) < 2 or cov[-1] != cov[-2] or cov[-1] != mean[-1]:
            raise ShapeError(f"multivariate_normal: mean {tuple(mean)} must be at least 1-D and cov {tuple(cov)} "
                             "square in its last two dims, of the length of mean's last dim")
        return shapes, [tuple(p.size or ()) + np.broadcast_shapes(tuple(mean), tuple(cov[:-1]))]

    def forward(self, p, inputs, is_train):
        mean, cov = inputs
        shape = self.infer_shape(p, [mean.shape, cov.shape])[1][0]
        factor = np.linalg.cholesky(cov.astype(np.float32) if cov.dtype == np.float16 else cov)
        eps = get_rng().standard_normal(shape).astype(mean.dtype)
        return [(mean + np.einsum("...jk,...j->...k", factor.astype(cov.dtype), eps)).astype(mean.dtype)], None
