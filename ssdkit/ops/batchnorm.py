"""BatchNorm (MXNet 1.9.1 semantics) with an optional fused ReLU, computed on all cores.

``y = x * scale + shift`` per channel (``scale = gamma / std``, ``shift = beta - mean * scale``). Statistics
are row sums and BLAS row dots, so no centred copy of ``x`` is made; backward recomputes from ``x`` as
``dx = a*g + b*x + c`` per channel. Every pass over the big arrays is split along the batch axis and run on
every core (numpy releases the GIL), because these passes are memory-bound and a single core cannot
saturate the memory bus.

MXNet quirks kept on purpose: the running statistics move in *backward* (a forward alone leaves them),
the batch-statistics gradient formula is used in predict mode too unless ``use_global_stats``, and the
third output of ``output_mean_var`` is the inverse standard deviation.

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("BatchNorm"); p = op.parse_params({"fix_gamma": False})
>>> x = np.array([[1.0, 2.0], [3.0, 6.0]], np.float32)
>>> (y,), saved = op.forward(p, [x, np.ones(2, np.float32), np.zeros(2, np.float32),
...                              np.zeros(2, np.float32), np.ones(2, np.float32)], True)
>>> y.round(2)
array([[-1., -1.],
       [ 1.,  1.]], dtype=float32)
"""
import numpy as np

from ..base import ShapeError
from .registry import Op, Param, register, check_shape
from .kernels.parallel import parallel_for, WORKERS

__all__ = ["batchnorm_forward", "batchnorm_backward"]

# below this many elements a pass is too short to be worth a second thread
PARALLEL_MIN_ELEMENTS = 1 << 18


def _channel_view(x, axis):
    """Reshape to (outer, C, inner) so per-channel statistics reduce over axes 0 and 2."""
    axis = axis % x.ndim
    outer = int(np.prod(x.shape[:axis]))
    return np.ascontiguousarray(x).reshape(outer, x.shape[axis], -1)


def _row_sum(v):
    return v.sum(axis=2).sum(axis=0, dtype=np.float64)


def _row_dot(a, b):
    if a.shape[2] == 1:
        return np.einsum("ocn,ocn->c", a, b, dtype=np.float64)
    return np.matmul(a[:, :, None, :], b[:, :, :, None]).reshape(a.shape[:2]).sum(axis=0, dtype=np.float64)


def _over_batch(v, fn):
    """Call ``fn(lo, hi)`` on slices of the outer axis of ``v`` on every core; returns their results."""
    n = v.shape[0]
    if v.size < PARALLEL_MIN_ELEMENTS or n < 2 or WORKERS < 2:
        return [fn(0, n)]
    bounds = np.linspace(0, n, min(n, 2 * WORKERS) + 1).astype(int)
    units = [(lo, hi) for lo, hi in zip(bounds[:-1], bounds[1:]) if hi > lo]
    states = parallel_for(units, lambda results, unit: results.append(fn(*unit)), list)
    return [r for state in states for r in state]


def _moments(v):
    """Per-channel mean and biased variance in one parallel pass; an exact redo where it would cancel."""
    count = v.shape[0] * v.shape[2]
    parts = _over_batch(v, lambda lo, hi: (_row_sum(v[lo:hi]), _row_dot(v[lo:hi], v[lo:hi])))
    mean = sum(p[0] for p in parts) / count
    var = np.maximum(sum(p[1] for p in parts) / count - mean * mean, 0.0)
    if np.any(var < 1e-3 * mean * mean):  # E[x^2] - mean^2 loses digits when |mean| >> std
        centered = v - mean.astype(v.dtype)[None, :, None]
        var = _row_dot(centered, centered) / count
    return mean, var


def batchnorm_forward(p, inputs, is_train, relu=False):
    """BatchNorm forward (then ReLU in place when ``relu``); returns ``(outputs, saved)``."""
    x, gamma, beta, moving_mean, moving_var = inputs
    xv = _channel_view(x, p.axis)
    gamma_eff = np.ones_like(gamma) if p.fix_gamma else gamma
    batch_stats = is_train and not p.use_global_stats
    if batch_stats:
        mean, var = _moments(xv)
    else:
        mean, var = moving_mean.astype(np.float64), moving_var.astype(np.float64)
    inv_std = 1.0 / np.sqrt(var + p.eps)
    scale = (gamma_eff * inv_std).astype(x.dtype)[None, :, None]
    shift = (beta - mean * scale[0, :, 0]).astype(x.dtype)[None, :, None]
    y = np.empty_like(xv)

    def normalise(lo, hi):
        out = y[lo:hi]
        np.multiply(xv[lo:hi], scale, out=out)
        out += shift
        if relu:
            np.maximum(out, 0, out=out)
    _over_batch(xv, normalise)
    outs = [y.reshape(x.shape)]
    if p.output_mean_var:
        outs += [mean.astype(x.dtype), inv_std.astype(x.dtype)]
    update = (moving_mean, moving_var, mean, var) if batch_stats else None
    return outs, (xv, mean, inv_std, gamma_eff, x.shape, update, y if relu else None)


def batchnorm_backward(p, saved, out_grads):
    """BatchNorm backward (masked by the fused ReLU's output when there was one); moves running stats."""
    xv, mean, inv_std, gamma_eff, shape, update, relu_out = saved
    g = _channel_view(out_grads[0], p.axis)
    # g' = g masked by the ReLU; dx is later written into the same buffer when we own it
    masked = np.empty_like(g) if relu_out is not None else g

    def mask_and_reduce(lo, hi):
        if relu_out is not None:
            np.multiply(g[lo:hi], relu_out[lo:hi] > 0, out=masked[lo:hi])
        return _row_sum(masked[lo:hi]), _row_dot(masked[lo:hi], xv[lo:hi])
    parts = _over_batch(g, mask_and_reduce)
    dbeta = sum(q[0] for q in parts)
    dgamma = inv_std * (sum(q[1] for q in parts) - mean * dbeta)  # = sum(g' * x_hat)
    a = gamma_eff * inv_std
    if p.use_global_stats:
        b = c = None
    else:
        # the batch-statistics formula, which MXNet applies in predict mode too (with the moving statistics):
        # dx = a * (g' - dbeta/n - x_hat * dgamma/n) = a*g' + b*x + c
        count = g.shape[0] * g.shape[2]
        b = (-a * inv_std * dgamma / count).astype(g.dtype)[None, :, None]
        c = (-a * dbeta / count - b[0, :, 0] * mean).astype(g.dtype)[None, :, None]
    a = a.astype(g.dtype)[None, :, None]
    dx = masked if relu_out is not None else np.empty_like(g)

    def input_grad(lo, hi):
        out = dx[lo:hi]
        np.multiply(masked[lo:hi], a, out=out)
        if b is not None:
            out += xv[lo:hi] * b
            out += c
    _over_batch(g, input_grad)
    if update is not None:
        moving_mean, moving_var, batch_mean, batch_var = update
        moving_mean[...] = moving_mean * p.momentum + (1 - p.momentum) * batch_mean
        moving_var[...] = moving_var * p.momentum + (1 - p.momentum) * batch_var
    dtype = gamma_eff.dtype
    dgamma = np.zeros_like(gamma_eff) if p.fix_gamma else dgamma.astype(dtype)
    zeros = np.zeros_like(gamma_eff)
    return [dx.reshape(shape), dgamma, dbeta.astype(dtype), zeros, zeros]


@register
class BatchNorm(Op):
    inputs = ("data", "gamma", "beta", "moving_mean", "moving_var")
    aux = ("moving_mean", "moving_var")
    hidden_outputs = 2
    params = {"eps": Param("float", 1e-3), "momentum": Param("float", 0.9), "fix_gamma": Param("bool", True),
              "use_global_stats": Param("bool", False), "output_mean_var": Param("bool", False),
              "axis": Param("int", 1), "cudnn_off": Param("bool", False),
              "min_calib_range": Param("any", None), "max_calib_range": Param("any", None)}

    def output_count(self, p):
        return 3 if p.output_mean_var else 1

    def output_names(self, p):
        return ["output", "mean", "var"][:self.output_count(p)]

    def infer_shape(self, p, shapes):
        data = shapes[0]
        if data is None:
            return shapes, [None] * self.output_count(p)
        if not -len(data) <= p.axis < len(data):
            raise ShapeError(f"BatchNorm: axis {p.axis} is out of range for data of shape {data}")
        channels = (data[p.axis % len(data)],)
        for name, got in zip(self.inputs[1:], shapes[1:]):
            if got is not None:
                check_shape(self.name, name, channels, got, f" (data shape {data}, axis {p.axis})")
        return [data] + [channels] * 4, [data] + [channels] * (self.output_count(p) - 1)

    def forward(self, p, inputs, is_train):
        return batchnorm_forward(p, inputs, is_train)

    def backward(self, p, saved, out_grads):
        return batchnorm_backward(p, saved, out_grads)


@register
class _fused_bn_relu(BatchNorm):
    """BatchNorm then ReLU in one step: the ReLU runs in place and masks the gradient inside BatchNorm's
    backward. The executor substitutes it for the pair (it is never written to JSON)."""
    hidden_outputs = 0

    def output_count(self, p):
        return 1

    def forward(self, p, inputs, is_train):
        return batchnorm_forward(p, inputs, is_train, relu=True)
