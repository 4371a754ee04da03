"""Elementwise ops: unary math, broadcasting binary ops and array-scalar ops, each with its gradient beside it.

Binary ops broadcast as numpy does (MXNet's ``broadcast_*``); their gradients are summed back to each
input's shape by :func:`unbroadcast`.

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("broadcast_mul")
>>> p = op.parse_params({})
>>> a, b = np.ones((2, 3), np.float32), np.full((1, 3), 2, np.float32)
>>> (y,), saved = op.forward(p, [a, b], False)
>>> [g.shape for g in op.backward(p, saved, [np.ones((2, 3), np.float32)])]
[(2, 3), (1, 3)]
"""
import numpy as np

from .registry import Op, Param, register
from .kernels.parallel import each_chunk
from .kernels.arena import empty

__all__ = ["unbroadcast", "as_dtype", "correctly_rounded"]


def as_dtype(value, dtype):
    """``value`` as an array of ``dtype``; array-likes with ``astype`` (the traced values of a recorded
    higher-order gradient, :mod:`ssdkit.ndarray.higher_order`) are cast by their own method.

    Examples
    --------
    >>> as_dtype(np.array([1.5]), np.float32).dtype
    dtype('float32')
    """
    if isinstance(value, (np.ndarray, np.generic)) or not hasattr(value, "astype"):
        return np.asarray(value, dtype=dtype)
    return value.astype(dtype, copy=False)


def unbroadcast(grad, shape):
    """Sum ``grad`` over the axes numpy broadcasting added or stretched, giving an array of ``shape``.

    Examples
    --------
    >>> unbroadcast(np.ones((2, 3)), (1, 3))
    array([[2., 2., 2.]])
    """
    if grad.shape == tuple(shape):
        return grad
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape) if s == 1 and grad.shape[i + lead] != 1)
    return grad.sum(axis=axes, keepdims=True).reshape(shape) if axes else grad.reshape(shape)


def correctly_rounded(f):
    """``f`` evaluated in float64 for float32/float16 inputs and rounded back: the value the C library's
    float functions (``expf``, ``logf``, ``sinf``, ...) give, which MXNet's kernels call. numpy's vectorised
    float32 ``exp``/``log``/``sin``/... are up to an ulp off on a third of inputs (``exp(1)`` is 2.718282,
    MXNet's 2.7182817).

    Examples
    --------
    >>> correctly_rounded(np.exp)(np.ones(1, np.float32))
    array([2.7182817], dtype=float32)
    """
    def evaluate(x):
        if isinstance(x, np.ndarray) and x.dtype in (np.float32, np.float16):
            return f(x, dtype=np.float64).astype(x.dtype)
        return f(x)
    evaluate.__name__ = getattr(f, "__name__", "f")
    return evaluate


def _sigmoid(x):
    from scipy.special import expit  # imported on first use: scipy.special costs ~0.25 s at import
    return expit(x)  # scipy's expit is overflow-safe and keeps float32


#: ReLU passes over arrays this large run in cache-sized runs on every core (they are memory-bound; a whole-
#: array numpy pass uses one core and, in backward, a temporary mask as big as the array).
RELU_CHUNK_ELEMENTS = 1 << 17
RELU_PARALLEL_MIN_ELEMENTS = 1 << 18


def _relu(x):
    if x.size < RELU_PARALLEL_MIN_ELEMENTS:
        return np.maximum(x, 0)
    flat = np.ascontiguousarray(x).reshape(-1)
    y = empty(flat.shape, flat.dtype)
    each_chunk(flat.size, 1, lambda a, b: np.maximum(flat[a:b], 0, out=y[a:b]),
               RELU_CHUNK_ELEMENTS, RELU_PARALLEL_MIN_ELEMENTS)
    return y.reshape(x.shape)


def _keep_nan(dx, x):
    """As MXNet's relu gradient: a NaN input passes NaN to its gradient (not 0)."""
    if isinstance(x, np.ndarray) and x.dtype.kind == "f":
        nan = np.isnan(x)
        if nan.any():
            dx[nan] = np.nan
    return dx


def _relu_grad(x, y, dy):
    if x.size < RELU_PARALLEL_MIN_ELEMENTS or dy.shape != x.shape:
        dx = dy * (x > 0)
        return _keep_nan(dx, x) if isinstance(dx, np.ndarray) and dx.shape == x.shape else dx
    flat_x, flat_dy = np.ascontiguousarray(x).reshape(-1), np.ascontiguousarray(dy).reshape(-1)
    dx = empty(flat_x.shape, np.result_type(dy.dtype, np.bool_))

    def part(a, b):
        np.multiply(flat_dy[a:b], flat_x[a:b] > 0, out=dx[a:b])
        _keep_nan(dx[a:b], flat_x[a:b])
    each_chunk(flat_x.size, 1, part, RELU_CHUNK_ELEMENTS, RELU_PARALLEL_MIN_ELEMENTS)
    return dx.reshape(x.shape)


def _power(a, b):
    """``a ** b``; integer results go through float64 as MXNet's C ``pow`` does (``2 ** -1`` is 0, not an error)."""
    if np.result_type(a, b).kind in "iu":
        return np.power(np.asarray(a, np.float64), b).astype(np.result_type(a, b))
    return np.power(a, b)


def _real(x, grad):
    """``grad``, or zeros when ``x`` is an int array: MXNet's gradient of an integer ``mod`` is zero."""
    return np.zeros_like(grad) if x.dtype.kind in "iub" else grad


def _int_divide(a, b):
    """Integer ``a / b`` as C computes it (truncated toward zero) in the integer dtype, as MXNet does."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.trunc(np.divide(a, b)).astype(np.result_type(a, b))


def _softrelu(x):
    return np.logaddexp(0, x).astype(x.dtype, copy=False)


# name: (forward f(x), gradient g(x, y, dy) or None for zero gradient)
UNARY = {
    "relu": (_relu, _relu_grad),
    "sigmoid": (_sigmoid, lambda x, y, dy: dy * y * (1 - y)),
    "tanh": (np.tanh, lambda x, y, dy: dy * (1 - y * y)),
    "softrelu": (_softrelu, lambda x, y, dy: dy * _sigmoid(x)),
    "softsign": (lambda x: x / (1 + np.abs(x)), lambda x, y, dy: dy / np.square(1 + np.abs(x))),
    "exp": (correctly_rounded(np.exp), lambda x, y, dy: dy * y),
    "expm1": (np.expm1, lambda x, y, dy: dy * (y + 1)),
    "log": (correctly_rounded(np.log), lambda x, y, dy: dy / x),
    "log1p": (np.log1p, lambda x, y, dy: dy / (1 + x)),
    "log2": (correctly_rounded(np.log2), lambda x, y, dy: dy / (x * np.log(2).astype(x.dtype))),
    "log10": (np.log10, lambda x, y, dy: dy / (x * np.log(10).astype(x.dtype))),
    "sqrt": (np.sqrt, lambda x, y, dy: dy / (2 * y)),
    "rsqrt": (lambda x: 1 / np.sqrt(x), lambda x, y, dy: -0.5 * dy * y * y * y),
    "square": (np.square, lambda x, y, dy: 2 * dy * x),
    "reciprocal": (np.reciprocal, lambda x, y, dy: -dy * y * y),
    "negative": (np.negative, lambda x, y, dy: -dy),
    "abs": (np.abs, lambda x, y, dy: dy * np.sign(x)),
    "sin": (correctly_rounded(np.sin), lambda x, y, dy: dy * np.cos(x)),
    "cos": (correctly_rounded(np.cos), lambda x, y, dy: -dy * np.sin(x)),
    "tan": (np.tan, lambda x, y, dy: dy * (1 + y * y)),
    "arctan": (correctly_rounded(np.arctan), lambda x, y, dy: dy / (1 + x * x)),
    "arcsin": (correctly_rounded(np.arcsin), lambda x, y, dy: dy / np.sqrt(1 - x * x)),
    "arccos": (np.arccos, lambda x, y, dy: -dy / np.sqrt(1 - x * x)),
    "arcsinh": (np.arcsinh, lambda x, y, dy: dy / np.sqrt(x * x + 1)),
    "arccosh": (np.arccosh, lambda x, y, dy: dy / np.sqrt(x * x - 1)),
    "arctanh": (np.arctanh, lambda x, y, dy: dy / (1 - x * x)),
    "cbrt": (correctly_rounded(np.cbrt), lambda x, y, dy: dy / (3 * y * y)),
    "degrees": (np.degrees, lambda x, y, dy: dy * (180 / np.pi)),
    "radians": (np.radians, lambda x, y, dy: dy * (np.pi / 180)),
    "sinh": (np.sinh, lambda x, y, dy: dy * np.cosh(x)),
    "cosh": (np.cosh, lambda x, y, dy: dy * np.sinh(x)),
    "erf": (None, None),  # filled below from scipy
    "_copy": (lambda x: x.copy(), lambda x, y, dy: dy),
    "sign": (np.sign, None),
    "floor": (np.floor, None),
    "ceil": (np.ceil, None),
    "round": (lambda x: np.where(x >= 0, np.floor(x + 0.5), np.ceil(x - 0.5)), None),  # halves away from 0
    "rint": (lambda x: np.where(x - np.floor(x) <= np.ceil(x) - x, np.floor(x), np.ceil(x)), None),  # halves down
    "fix": (np.fix, None),
    "trunc": (np.trunc, None),
    "BlockGrad": (lambda x: x.copy(), None),
    "zeros_like": (np.zeros_like, None),
    "ones_like": (np.ones_like, None),
    "logical_not": (lambda x: (x == 0).astype(x.dtype), None),
}


def _erf(x):
    from scipy.special import erf  # imported on first use: scipy.special costs ~0.25 s at import
    return erf(x).astype(x.dtype, copy=False)


UNARY["erf"] = (_erf, lambda x, y, dy: dy * (2 / np.sqrt(np.pi)) * np.exp(-x * x))


def _make_unary(name, f, g):
    class Unary(Op):
        differentiable = g is not None
        same_shape = True

        def forward(self, p, inputs, is_train):
            x = inputs[0]
            y = np.asarray(f(x), dtype=x.dtype)
            return [y], (x, y)

        def backward(self, p, saved, out_grads):
            x, y = saved
            if g is None:
                return [np.zeros_like(x)]
            return [as_dtype(g(x, y, out_grads[0]), x.dtype)]

        def infer_shape(self, p, shapes):
            return shapes, [shapes[0]]

    Unary.__name__ = Unary.name = name
    register(Unary)  # MXNet's other spellings (identity, stop_gradient, ...): ops/aliases.py


for _name, (_f, _g) in UNARY.items():
    _make_unary(_name, _f, _g)


def _bool(fn):
    return lambda a, b: fn(a, b).astype(np.result_type(a, b), copy=False)


# name: (forward f(a, b), gradient (da, db) given (a, b, y, dy), None = not differentiable)
BINARY = {
    "add": (np.add, lambda a, b, y, dy: (dy, dy)),
    "sub": (np.subtract, lambda a, b, y, dy: (dy, -dy)),
    "mul": (np.multiply, lambda a, b, y, dy: (dy * b, dy * a)),
    "div": (lambda a, b: _int_divide(a, b) if np.result_type(a, b).kind in "iu" else np.divide(a, b), lambda a, b, y, dy: (dy / b, -dy * y / b)),
    "mod": (np.mod, lambda a, b, y, dy: (_real(a, dy), _real(a, -dy * np.floor(a / b)))),
    "power": (_power, lambda a, b, y, dy: (dy * b * np.power(a, b - 1),
                                              dy * y * np.log(np.where(a > 0, a, 1)))),
    "maximum": (np.maximum, lambda a, b, y, dy: (dy * (a >= b), dy * (a < b))),
    "minimum": (np.minimum, lambda a, b, y, dy: (dy * (a <= b), dy * (a > b))),
    "hypot": (np.hypot, lambda a, b, y, dy: (dy * a / y, dy * b / y)),
    "arctan2": (np.arctan2, lambda a, b, y, dy: (dy * b / (a * a + b * b), -dy * a / (a * a + b * b))),
    "equal": (_bool(np.equal), None),
    "not_equal": (_bool(np.not_equal), None),
    "greater": (_bool(np.greater), None),
    "greater_equal": (_bool(np.greater_equal), None),
    "lesser": (_bool(np.less), None),
    "lesser_equal": (_bool(np.less_equal), None),
    "logical_and": (_bool(np.logical_and), None),
    "logical_or": (_bool(np.logical_or), None),
    "logical_xor": (_bool(np.logical_xor), None),
}
# MXNet has both the strict elemwise_* family (symbol a + b) and broadcast_*; here both broadcast.


def _make_binary(name, f, g, op_name=None):
    """Register the broadcasting binary op ``broadcast_<name>`` (or ``op_name``): forward ``f(a, b)``, gradient
    ``g(a, b, y, dy) -> (da, db)`` or None for a zero gradient."""
    class Binary(Op):
        inputs = ("lhs", "rhs")
        differentiable = g is not None
        param_free = True   # MXNet ignores keywords such as axis= on these ops

        def forward(self, p, inputs, is_train):
            a, b = inputs
            y = f(a, b)
            return [y], (a, b, y)

        def backward(self, p, saved, out_grads):
            a, b, y = saved
            if g is None:
                return [np.zeros_like(a), np.zeros_like(b)]
            da, db = g(a, b, y, out_grads[0])
            return [unbroadcast(as_dtype(da, a.dtype), a.shape), unbroadcast(as_dtype(db, b.dtype), b.shape)]

        partial_shapes = True

        def infer_shape(self, p, shapes):
            """NumPy broadcasting; a dim unknown (0) in either operand is unknown in the output (as MXNet)."""
            a, b = shapes
            if a is None or b is None:
                return shapes, [None]
            if a == b:
                return shapes, [a]
            n = max(len(a), len(b))
            out = []
            for l, r in zip((1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)):
                if l != r and 0 not in (l, r) and 1 not in (l, r):
                    from ..base import ShapeError
                    raise ShapeError(f"{self.name}: lhs shape {a} and rhs shape {b} cannot be broadcast")
                out.append(0 if 0 in (l, r) else max(l, r) if 1 in (l, r) else l)
            return shapes, [tuple(out)]

    Binary.__name__ = Binary.name = op_name or "broadcast_" + name
    register(Binary)  # elemwise_add, _plus, _Plus, ... reach these through ops/aliases.py


for _name, (_f, _g) in BINARY.items():
    _make_binary(_name, _f, _g)

# name: (forward f(x, s), gradient g(x, s, y, dy) or None)
SCALAR = {
    "_plus_scalar": (lambda x, s: x + s, lambda x, s, y, dy: dy),
    "_minus_scalar": (lambda x, s: x - s, lambda x, s, y, dy: dy),
    "_rminus_scalar": (lambda x, s: s - x, lambda x, s, y, dy: -dy),
    "_mul_scalar": (lambda x, s: x * s, lambda x, s, y, dy: dy * s),
    "_div_scalar": (lambda x, s: x / s, lambda x, s, y, dy: dy / s),
    "_rdiv_scalar": (lambda x, s: s / x, lambda x, s, y, dy: -dy * y / x),
    "_mod_scalar": (lambda x, s: np.mod(x, s), lambda x, s, y, dy: _real(x, dy)),
    "_rmod_scalar": (lambda x, s: np.mod(s, x), lambda x, s, y, dy: _real(x, -dy * np.floor(s / x))),
    "_power_scalar": (lambda x, s: _power(x, s), lambda x, s, y, dy: dy * s * np.power(x, s - 1)),
    "_rpower_scalar": (lambda x, s: _power(s, x), lambda x, s, y, dy: dy * y * np.log(s)),
    "_maximum_scalar": (lambda x, s: np.maximum(x, s), lambda x, s, y, dy: dy * (x >= s)),
    "_minimum_scalar": (lambda x, s: np.minimum(x, s), lambda x, s, y, dy: dy * (x <= s)),
    "_equal_scalar": (lambda x, s: x == s, None),
    "_not_equal_scalar": (lambda x, s: x != s, None),
    "_greater_scalar": (lambda x, s: x > s, None),
    "_greater_equal_scalar": (lambda x, s: x >= s, None),
    "_lesser_scalar": (lambda x, s: x < s, None),
    "_lesser_equal_scalar": (lambda x, s: x <= s, None),
    "_hypot_scalar": (lambda x, s: np.hypot(x, s), lambda x, s, y, dy: dy * x / y),
    "_logical_and_scalar": (lambda x, s: np.logical_and(x, s), None),
    "_logical_or_scalar": (lambda x, s: np.logical_or(x, s), None),
    "_logical_xor_scalar": (lambda x, s: np.logical_xor(x, s), None),
}


def _make_scalar(name, f, g):
    class Scalar(Op):
        params = {"scalar": Param("float", 1.0)}
        differentiable = g is not None
        same_shape = True

        def forward(self, p, inputs, is_train):
            x = inputs[0]
            s = x.dtype.type(p.scalar)  # keep the array's dtype, as MXNet casts the scalar
            y = np.asarray(f(x, s)).astype(x.dtype, copy=False)
            return [y], (x, s, y)

        def backward(self, p, saved, out_grads):
            x, s, y = saved
            if g is None:
                return [np.zeros_like(x)]
            return [as_dtype(g(x, s, y, out_grads[0]), x.dtype)]

        def infer_shape(self, p, shapes):
            return shapes, [shapes[0]]

    Scalar.__name__ = Scalar.name = name
    register(Scalar)


for _name, (_f, _g) in SCALAR.items():
    _make_scalar(_name, _f, _g)
