"""Random sampling ops (MXNet's ``_random_*``, ``_sample_multinomial``, ``_shuffle``), drawing from the one
seeded generator (``mx.random.seed``). ``nd.random.*``, ``sym.random.*`` and the old spellings
(``nd.random_uniform``, ``nd.uniform``, ``nd.normal``, ...) all call these.

Samples are drawn in float64 and cast to the requested ``dtype`` (float32 by default), as MXNet draws in
the output type; streams are not MXNet's (its generator differs), distributions and parameters are.

Examples
--------
>>> op = get_op("_random_uniform")
>>> (y,), _ = op.forward(op.parse_params({"low": 2, "high": 3, "shape": (4,)}), [], False)
>>> y.shape, y.dtype.name, bool(((y >= 2) & (y < 3)).all())
((4,), 'float32', True)
"""
import numpy as np

from ..base import DTYPE, get_rng
from .registry import Op, Param, register, get_op

__all__ = ["DISTRIBUTIONS", "SAMPLE_INPUTS", "sample"]

_COMMON = {"shape": Param("shape", ()), "ctx": Param("any", None), "dtype": Param("any", None)}

def _gen_neg_binomial(rng, mu, alpha, size):
    """Mean ``mu``, dispersion ``alpha``: Poisson with a Gamma(1/alpha, alpha*mu) rate (Poisson(mu) at alpha 0)."""
    mu, alpha = np.broadcast_to(mu, size), np.broadcast_to(alpha, size)
    safe = np.where(alpha > 0, alpha, 1.0)
    return rng.poisson(np.where(alpha > 0, rng.gamma(1.0 / safe, safe * mu, size), mu))


# MXNet op name -> (parameters with MXNet's defaults, draw(rng, params, shape), default dtype)
DISTRIBUTIONS = {
    "_random_uniform": ({"low": 0.0, "high": 1.0}, lambda r, p, s: r.uniform(p.low, p.high, s), DTYPE),
    "_random_normal": ({"loc": 0.0, "scale": 1.0}, lambda r, p, s: r.normal(p.loc, p.scale, s), DTYPE),
    "_random_gamma": ({"alpha": 1.0, "beta": 1.0}, lambda r, p, s: r.gamma(p.alpha, p.beta, s), DTYPE),
    "_random_exponential": ({"lam": 1.0}, lambda r, p, s: r.exponential(1.0 / p.lam, s), DTYPE),
    "_random_poisson": ({"lam": 1.0}, lambda r, p, s: r.poisson(p.lam, s), DTYPE),
    "_random_negative_binomial": ({"k": 1, "p": 1.0},
                                  lambda r, p, s: r.negative_binomial(p.k, p.p, s), DTYPE),
    "_random_generalized_negative_binomial": ({"mu": 1.0, "alpha": 1.0},
                                              lambda r, p, s: _gen_neg_binomial(r, p.mu, p.alpha, s), DTYPE),
    "_random_randint": ({"low": None, "high": None}, lambda r, p, s: r.integers(p.low, p.high, s), np.int32),
}


def _make_sampler(name, defaults, draw, default_dtype):
    kinds = {k: Param("int" if isinstance(v, int) or v is None else "float", v) for k, v in defaults.items()}
    if name == "_random_randint":
        kinds = {"low": Param("int"), "high": Param("int")}

    class Sampler(Op):
        inputs = ()
        params = dict(kinds, **_COMMON)
        differentiable = False
        random = True

        def infer_shape(self, p, shapes):
            return shapes, [tuple(p.shape)]

        def infer_type(self, p, dtypes):
            return dtypes, [np.dtype(default_dtype if p.dtype in (None, "None") else p.dtype)]

        def forward(self, p, inputs, is_train):
            dtype = self.infer_type(p, [])[1][0]
            return [np.asarray(draw(get_rng(), p, tuple(p.shape))).astype(dtype)], None

        def backward(self, p, saved, out_grads):
            return []

    Sampler.__name__ = Sampler.__qualname__ = name
    Sampler.name = name
    Sampler.__doc__ = (f"Random samples of a fixed shape from the {name[len('_random_'):].replace('_', ' ')} "
                       f"distribution (parameters {', '.join(defaults)}); nd.random / nd.{name[1:]}.")
    register(Sampler)


for _name, (_defaults, _draw, _dtype) in DISTRIBUTIONS.items():
    _make_sampler(_name, _defaults, _draw, _dtype)


#: ``_sample_<name>`` ops: the same distributions with one parameter array per input (MXNet's input names)
SAMPLE_INPUTS = {"uniform": ("low", "high"), "normal": ("mu", "sigma"), "gamma": ("alpha", "beta"),
                 "exponential": ("lam",), "poisson": ("lam",), "negative_binomial": ("k", "p"),
                 "generalized_negative_binomial": ("mu", "alpha")}


def _make_array_sampler(dist, input_names):
    draw = DISTRIBUTIONS["_random_" + dist][1]
    own_names = list(DISTRIBUTIONS["_random_" + dist][0])  # the _random_ op's parameter names, same order

    class ArraySampler(Op):
        inputs = input_names
        params = {"shape": Param("shape", ()), "dtype": Param("any", None)}
        differentiable = False
        random = True

        def infer_shape(self, p, shapes):
            if shapes[0] is None:
                return shapes, [None]
            return shapes, [tuple(shapes[0]) + tuple(p.shape)]

        def infer_type(self, p, dtypes):
            known = dtypes[0] if dtypes and dtypes[0] is not None else np.dtype(DTYPE)
            return dtypes, [np.dtype(known if p.dtype in (None, "None") else p.dtype)]

        def forward(self, p, inputs, is_train):
            size = tuple(inputs[0].shape) + tuple(p.shape)
            expand = (Ellipsis,) + (None,) * len(p.shape)
            values = {n: np.asarray(x, np.float64)[expand] for n, x in zip(own_names, inputs)}
            dtype = self.infer_type(p, [inputs[0].dtype])[1][0]
            return [np.asarray(draw(get_rng(), _Values(values), size)).astype(dtype)], None

        def backward(self, p, saved, out_grads):
            return [None] * len(self.inputs)

    ArraySampler.__name__ = ArraySampler.__qualname__ = ArraySampler.name = "_sample_" + dist
    ArraySampler.__doc__ = (f"Random samples from {dist.replace('_', ' ')} distributions whose parameters "
                            f"({', '.join(input_names)}) are arrays: shape samples per element.")
    register(ArraySampler)


class _Values(dict):
    def __getattr__(self, name):
        return self[name]


for _dist, _names in SAMPLE_INPUTS.items():
    _make_array_sampler(_dist, _names)


@register
class _shuffle(Op):
    """A copy of ``data`` with its first axis randomly permuted."""
    differentiable = False
    random = True
    params = {}

    def infer_shape(self, p, shapes):
        return shapes, [shapes[0]]

    def forward(self, p, inputs, is_train):
        return [get_rng().permutation(inputs[0])], None

    def backward(self, p, saved, out_grads):
        return [None]


@register
class _sample_multinomial(Op):
    """Category indices drawn from the probability rows (last axis) of ``data``; ``get_prob`` adds the
    log-probability of each draw as a second output, whose gradient reaches ``data`` as ``1 / p`` of the drawn
    category (MXNet's REINFORCE-style backward; without ``get_prob`` the gradient is zero)."""
    random = True
    params = {"shape": Param("shape", ()), "get_prob": Param("bool", False), "dtype": Param("dtype", "int32")}

    def output_count(self, p):
        return 2 if p.get_prob else 1

    def _out_shape(self, p, data):
        if len(data) == 1 and not p.shape:
            return (1,)   # one draw from one distribution is (1,), as MXNet
        return tuple(data[:-1]) + tuple(p.shape)

    def infer_shape(self, p, shapes):
        if shapes[0] is None:
            return shapes, [None] * self.output_count(p)
        return shapes, [self._out_shape(p, shapes[0])] * self.output_count(p)

    def infer_type(self, p, dtypes):
        data = dtypes[0] if dtypes and dtypes[0] is not None else np.dtype(DTYPE)
        return [data], [np.dtype(p.dtype), data][:self.output_count(p)]   # the draws in dtype, log-probs as data

    def forward(self, p, inputs, is_train):
        data = inputs[0]
        probs = data.reshape(-1, data.shape[-1]).astype(np.float64)
        n = int(np.prod(p.shape)) if p.shape else 1
        cum = np.cumsum(probs, axis=1)  # MXNet does not renormalize the rows
        # the first category whose cumulative probability reaches the uniform draw (MXNet's lower bound)
        draws = (get_rng().random((probs.shape[0], n))[..., None] > cum[:, None, :]).sum(-1)
        draws = np.minimum(draws, probs.shape[1] - 1)
        out_shape = self._out_shape(p, data.shape)
        outputs = [draws.reshape(out_shape).astype(p.dtype)]
        if p.get_prob:
            logp = np.log(np.take_along_axis(probs, draws, axis=1))
            outputs.append(logp.reshape(out_shape).astype(data.dtype))
        return outputs, (data, draws)

    def backward(self, p, saved, out_grads):
        data, draws = saved
        if not p.get_prob or out_grads[1] is None:
            return [np.zeros_like(data)]
        rows, k = draws.shape[0], data.shape[-1]
        picked = np.take_along_axis(data.reshape(rows, k), draws, axis=1).astype(np.float64)
        flat = (np.arange(rows)[:, None] * k + draws).ravel()
        share = out_grads[1].astype(np.float64).reshape(rows, -1) / picked
        grad = np.bincount(flat, weights=share.ravel(), minlength=rows * k)
        return [grad.reshape(data.shape).astype(data.dtype)]


def sample(op_name, **params):
    """Draw once from a registered sampler (numpy result); for tests and the docs.

    Examples
    --------
    >>> sample("_random_randint", low=0, high=3, shape=(5,)).dtype.name
    'int32'
    """
    op = get_op(op_name)
    return op.forward(op.parse_params(params), [], False)[0][0]
