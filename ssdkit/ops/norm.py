"""Normalization ops beside BatchNorm: LayerNorm, GroupNorm, InstanceNorm, LRN, moments and
contrib.BatchNormWithReLU, each as MXNet 1.9.1 computes it on the CPU.

LayerNorm, GroupNorm and InstanceNorm share one code path (:func:`normalize` / :func:`normalize_grad`):
standardize over some axes, ``(x - mean) / sqrt(var + eps)`` with the biased variance, then scale and shift.
The statistics are accumulated in float64 and the results cast back to the data type.

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("LayerNorm")
>>> x = np.array([[1., 3.]], np.float32)
>>> (y,), _ = op.forward(op.parse_params({}), [x, np.ones(2, np.float32), np.zeros(2, np.float32)], False)
>>> y.round(3)
array([[-1.,  1.]], dtype=float32)
"""
import numpy as np

from ..base import MXNetError, ShapeError
from .registry import Op, Param, register, check_shape
from .batchnorm import BatchNorm, batchnorm_forward

__all__ = ["normalize", "normalize_grad"]


def normalize(x, axes, eps):
    """``(xhat, mean, inv_std)``: ``x`` standardized over ``axes`` (float64; statistics keep their dims).

    Examples
    --------
    >>> xhat, mean, inv = normalize(np.array([[0., 2.]]), (1,), 0.0)
    >>> xhat.tolist(), mean.tolist(), inv.tolist()
    ([[-1.0, 1.0]], [[1.0]], [[1.0]])
    """
    x = x.astype(np.float64)
    mean = x.mean(axis=axes, keepdims=True)
    centered = x - mean
    inv = 1.0 / np.sqrt((centered * centered).mean(axis=axes, keepdims=True) + eps)
    return centered * inv, mean, inv


def normalize_grad(dxhat, xhat, inv, axes):
    """Gradient w.r.t. ``x`` of :func:`normalize` given the gradient of ``xhat`` (all float64).

    Examples
    --------
    >>> xhat, _, inv = normalize(np.array([[0., 2.]]), (1,), 0.0)
    >>> normalize_grad(np.array([[1., 1.]]), xhat, inv, (1,)).tolist()
    [[0.0, 0.0]]
    """
    return inv * (dxhat - dxhat.mean(axis=axes, keepdims=True)
                  - xhat * (dxhat * xhat).mean(axis=axes, keepdims=True))


def _scale_shift(x, gamma, beta, xhat, param_shape):
    """``xhat * gamma + beta`` with both reshaped to ``param_shape`` (broadcasting against ``xhat``)."""
    return (xhat * gamma.astype(np.float64).reshape(param_shape)
            + beta.astype(np.float64).reshape(param_shape)).astype(x.dtype)


def _param_grads(g, xhat, param_shape, gamma, beta):
    """``(dgamma, dbeta)``: ``g * xhat`` and ``g`` summed over every axis the parameter broadcasts along."""
    axes = tuple(i for i, d in enumerate(param_shape) if d == 1)
    dgamma = (g * xhat).sum(axis=axes).reshape(gamma.shape).astype(gamma.dtype)
    return dgamma, g.sum(axis=axes).reshape(beta.shape).astype(beta.dtype)


class _Standardize(Op):
    """Shared forward/backward of the ops that standardize groups of ``data`` then scale and shift.

    Subclasses say how data is viewed (:meth:`view`: the reshaped data, the reduced axes and the shape
    gamma/beta broadcast as) and what the statistic outputs are (:meth:`stats`).
    """
    inputs = ("data", "gamma", "beta")
    num_outputs = 3
    hidden_outputs = 2   # MXNet always computes the two statistics (output_mean_var only shows them)

    def output_count(self, p):
        return 3 if p.get("output_mean_var") else 1

    def hidden_count(self, p):
        return self.hidden_outputs + 1 - self.output_count(p)   # shown statistics are no longer hidden

    def output_names(self, p):
        return ["output", "mean", self.stat_name][:self.output_count(p)]

    def forward(self, p, inputs, is_train):
        x, gamma, beta = inputs
        self.infer_shape(p, [x.shape, gamma.shape, beta.shape])
        view, axes, param_shape = self.view(p, x.shape)
        xhat, mean, inv = normalize(x.reshape(view), axes, p.eps)
        y = _scale_shift(x, gamma, beta, xhat, param_shape).reshape(x.shape)
        stats = self.stats(p, x, mean, inv)
        return [y] + stats[:self.output_count(p) - 1], (x.shape, xhat, inv, gamma, beta, axes, param_shape)

    def backward(self, p, saved, out_grads):
        shape, xhat, inv, gamma, beta, axes, param_shape = saved
        g = out_grads[0].astype(np.float64).reshape(xhat.shape)
        dxhat = g * gamma.astype(np.float64).reshape(param_shape)
        dx = normalize_grad(dxhat, xhat, inv, axes).reshape(shape).astype(out_grads[0].dtype)
        return [dx, *_param_grads(g, xhat, param_shape, gamma, beta)]

    def _check_params(self, shapes, want, context):
        for name, got in zip(("gamma", "beta"), shapes[1:]):
            if got is not None:
                check_shape(self.name, name, want, got, context)


@register(aliases=("_npx_layer_norm",))
class LayerNorm(_Standardize):
    """Layer normalization: standardize ``data`` along ``axis``, then ``* gamma + beta`` (both of that axis' size)."""
    params = {"axis": Param("int", -1), "eps": Param("float", 1e-5), "output_mean_var": Param("bool", False)}
    stat_name = "std"

    def _axis(self, p, ndim):
        if not -ndim <= p.axis < ndim:
            raise ShapeError(f"LayerNorm: axis {p.axis} is out of range for {ndim}-D data")
        return p.axis % ndim

    def infer_shape(self, p, shapes):
        data = shapes[0]
        if data is None:
            return shapes, [None] * self.output_count(p)
        axis = self._axis(p, len(data))
        channels = (data[axis],)
        self._check_params(shapes, channels, f" (data shape {tuple(data)}, axis {p.axis})")
        stat = tuple(1 if i == axis else d for i, d in enumerate(data))
        return [data, channels, channels], [data, stat, stat][:self.output_count(p)]

    def view(self, p, shape):
        axis = self._axis(p, len(shape))
        return shape, (axis,), tuple(d if i == axis else 1 for i, d in enumerate(shape))

    def stats(self, p, x, mean, inv):
        return [mean.astype(x.dtype), (1.0 / inv).astype(x.dtype)]


@register
class GroupNorm(_Standardize):
    """Group normalization: split the channels into ``num_groups`` groups and standardize each group of each
    sample; ``gamma`` and ``beta`` hold one value per group (shape ``(num_groups,)``, as MXNet 1.9.1)."""
    params = {"num_groups": Param("int", 1), "eps": Param("float", 1e-5), "output_mean_var": Param("bool", False)}
    stat_name = "std"

    def infer_shape(self, p, shapes):
        data = shapes[0]
        if data is None:
            return shapes, [None] * self.output_count(p)
        if len(data) < 3:
            raise ShapeError(f"GroupNorm: data must have at least 3 dims (N, C, ...), got shape {tuple(data)}")
        if p.num_groups < 1 or data[1] % p.num_groups:
            raise ShapeError(f"GroupNorm: {data[1]} channels must be divisible by num_groups={p.num_groups} "
                             f"(data shape {tuple(data)})")
        groups = (p.num_groups,)
        self._check_params(shapes, groups, f" (data shape {tuple(data)}, num_groups {p.num_groups})")
        stat = (data[0], p.num_groups)
        return [data, groups, groups], [data, stat, stat][:self.output_count(p)]

    def view(self, p, shape):
        view = (shape[0], p.num_groups, -1)
        return view, (2,), (1, p.num_groups, 1)

    def stats(self, p, x, mean, inv):
        n = x.shape[0]
        return [mean.reshape(n, -1).astype(x.dtype), (1.0 / inv).reshape(n, -1).astype(x.dtype)]


@register
class InstanceNorm(_Standardize):
    """Instance normalization: standardize each channel of each sample over its spatial axes, then
    ``* gamma + beta`` per channel (``data`` is (N, C, ...))."""
    params = {"eps": Param("float", 1e-3)}
    stat_name = "var"

    def infer_shape(self, p, shapes):
        data = shapes[0]
        if data is None:
            return shapes, [None]
        if len(data) < 3:
            raise ShapeError(f"InstanceNorm: data must have at least 3 dims (N, C, ...), got shape {tuple(data)}")
        channels = (data[1],)
        self._check_params(shapes, channels, f" (data shape {tuple(data)})")
        return [data, channels, channels], [data]

    def view(self, p, shape):
        return (shape[0], shape[1], -1), (2,), (1, shape[1], 1)

    def stats(self, p, x, mean, inv):
        return []


@register
class LRN(Op):
    """Local response normalization across channels:
    ``out = x / (knorm + alpha / nsize * sum of x**2 over nsize neighbouring channels) ** beta``."""
    hidden_outputs = 1   # MXNet's tmp_norm
    params = {"alpha": Param("float", 1e-4), "beta": Param("float", 0.75), "knorm": Param("float", 2.0),
              "nsize": Param("int")}

    def _window_sum(self, v, nsize):
        """Sum over the ``nsize`` channels centred on each channel (zeros past the ends)."""
        half = nsize // 2
        c = v.shape[1]
        csum = np.concatenate([np.zeros_like(v[:, :1]), np.cumsum(v, axis=1)], axis=1)
        hi = np.minimum(np.arange(c) + half + 1, c)
        lo = np.maximum(np.arange(c) - half, 0)
        return csum[:, hi] - csum[:, lo]

    def infer_shape(self, p, shapes):
        if shapes[0] is not None and len(shapes[0]) != 4:
            raise ShapeError(f"LRN: data must be 4-D (N, C, H, W), got shape {tuple(shapes[0])}")
        if p.nsize % 2 != 1:
            raise MXNetError(f"LRN: nsize must be odd, got {p.nsize}")
        return shapes, [shapes[0]]

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        self.infer_shape(p, [x.shape])
        x64 = x.astype(np.float64)
        norm = self._window_sum(x64 * x64, p.nsize) * (p.alpha / p.nsize) + p.knorm
        return [(x64 * norm ** -p.beta).astype(x.dtype)], (x64, norm)

    def backward(self, p, saved, out_grads):
        x, norm = saved
        g = out_grads[0].astype(np.float64)
        inner = self._window_sum(g * x * norm ** (-p.beta - 1), p.nsize)
        dx = g * norm ** -p.beta - 2.0 * p.beta * p.alpha / p.nsize * inner * x
        return [dx.astype(out_grads[0].dtype)]


@register
class moments(Op):
    """Mean and (biased) variance of ``data`` over ``axes`` (all axes when unset): two outputs."""
    num_outputs = 2
    params = {"axes": Param("shape", None), "keepdims": Param("bool", False)}

    def output_names(self, p):
        return ["mean", "var"]

    def _axes(self, p, ndim):
        axes = tuple(range(ndim)) if p.axes is None else p.axes
        for a in axes:
            if not -ndim <= a < ndim:
                raise ShapeError(f"moments: axis {a} is out of range for {ndim}-D data")
        return tuple(sorted(a % ndim for a in axes))

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        axes = self._axes(p, x.ndim)
        x64 = x.astype(np.float64)
        mean = x64.mean(axis=axes, keepdims=True)
        var = ((x64 - mean) ** 2).mean(axis=axes, keepdims=True)
        shape = mean.shape if p.keepdims else tuple(d for i, d in enumerate(x.shape) if i not in axes)
        return [mean.reshape(shape).astype(x.dtype), var.reshape(shape).astype(x.dtype)], (x64, mean, axes)

    def backward(self, p, saved, out_grads):
        x, mean, axes = saved
        count = np.prod([x.shape[a] for a in axes])
        gm, gv = (g.astype(np.float64).reshape(mean.shape) for g in out_grads)
        dx = gm / count + gv * 2.0 * (x - mean) / count
        return [dx.astype(out_grads[0].dtype)]


@register
class _contrib_BatchNormWithReLU(BatchNorm):
    """BatchNorm followed by ReLU (MXNet's ``contrib.BatchNormWithReLU``): same parameters and statistics
    as BatchNorm; the gradient is masked where the output is zero."""
    name = "_contrib_BatchNormWithReLU"
    hidden_outputs = 3   # mean, var and MXNet's ReLU workspace

    def forward(self, p, inputs, is_train):
        return batchnorm_forward(p, inputs, is_train, relu=True)
