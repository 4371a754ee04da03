"""Neural-network ops: FullyConnected, Convolution, Deconvolution, Dropout, activations, softmax family,
smooth_l1 and Embedding (Pooling: :mod:`.pooling`). Convolution numerics live in :mod:`ssdkit.ops.kernels`.

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("FullyConnected")
>>> p = op.parse_params({"num_hidden": 2})
>>> op.infer_shape(p, [(4, 3), None, None])[0]
[(4, 3), (2, 3), (2,)]
"""
import numpy as np

from ..base import MXNetError, ShapeError, get_rng, as_tuple
from .registry import Op, Param, register, check_shape, PROBE
from .elemwise import UNARY
from . import kernels
from .kernels.geometry import conv_out_shape, conv_transpose_out_shape
from .kernels.im2col_nd import (conv_nd_backward, conv_nd_forward, conv_transpose_nd_backward,
                                conv_transpose_nd_forward)

__all__ = []


def _missing(shapes):
    return shapes[0] is None


@register
class FullyConnected(Op):
    inputs = ("data", "weight", "bias")
    params = {"num_hidden": Param("int"), "no_bias": Param("bool", False), "flatten": Param("bool", True)}

    def input_names(self, p):
        return ["data", "weight"] if p.no_bias else ["data", "weight", "bias"]

    def infer_shape(self, p, shapes):
        data = shapes[0]
        if data is None:
            return shapes, [None]
        in_units = int(np.prod(data[1:])) if p.flatten else data[-1]
        full = [data, (p.num_hidden, in_units)] + ([] if p.no_bias else [(p.num_hidden,)])
        for name, want, got in zip(("weight", "bias"), full[1:], shapes[1:]):
            if got is not None and 0 not in got:  # partial ones are merged (and checked) by the inference
                check_shape(self.name, name, want, got, f" (data shape {data}, num_hidden={p.num_hidden})")
        out = (data[0], p.num_hidden) if p.flatten else data[:-1] + (p.num_hidden,)
        return full, [out]

    partial_shapes = True  # data (0, C), e.g. a begin state sym.zeros((0, C)), still gives the weight shape

    def infer_input_shapes(self, p, in_shapes, out_shapes):
        """The data's unknown leading dims are the output's (MXNet infers them backward too)."""
        data, out = in_shapes[0], out_shapes[0]
        if data is None or out is None or 0 not in data:
            return [None] * len(in_shapes)
        lead = out[:1] if p.flatten else out[:-1]
        if len(data) < len(lead) + 1:
            return [None] * len(in_shapes)
        return [tuple(o if d == 0 else d for d, o in zip(data[:len(lead)], lead)) + tuple(data[len(lead):])] + \
            [None] * (len(in_shapes) - 1)

    def forward(self, p, inputs, is_train):
        x, w = inputs[0], inputs[1]
        x2 = x.reshape(x.shape[0], -1) if p.flatten else x.reshape(-1, x.shape[-1])
        y = x2 @ w.T
        if not p.no_bias:
            y += inputs[2]
        out_shape = (x.shape[0], p.num_hidden) if p.flatten else x.shape[:-1] + (p.num_hidden,)
        return [y.reshape(out_shape)], (x.shape, x2, w)

    def backward(self, p, saved, out_grads):
        shape, x2, w = saved
        g = out_grads[0].reshape(-1, p.num_hidden)
        grads = [(g @ w).reshape(shape), g.T @ x2]
        return grads if p.no_bias else grads + [g.sum(axis=0)]


def _conv_params(transpose=False):
    params = {"kernel": Param("shape"), "stride": Param("shape", ()), "pad": Param("shape", ()),
              "dilate": Param("shape", ()), "num_filter": Param("int"), "num_group": Param("int", 1),
              "no_bias": Param("bool", False), "layout": Param("any", None), "cudnn_tune": Param("any", None),
              "cudnn_off": Param("bool", False), "workspace": Param("int", 1024)}
    if transpose:  # MXNet's Deconvolution has no bias unless asked
        params.update(adj=Param("shape", ()), target_shape=Param("shape", ()), no_bias=Param("bool", True))
    return params


def _spatial(p):
    """Kernel geometry with MXNet's defaults filled in (stride 1, pad 0, dilate 1)."""
    n = len(p.kernel)
    return (p.kernel, as_tuple(p.stride or 1, n), as_tuple(p.pad or 0, n), as_tuple(p.dilate or 1, n))


_LAYOUTS = {1: "NCW", 2: "NCHW", 3: "NCDHW"}


_CHANNEL_LAST = {1: "NWC", 2: "NHWC", 3: "NDHWC"}


def _check_layout(op, n, p, data, channel_last=False):
    """MXNetError unless ``n`` spatial axes in the matching layout (channel-last too if ``channel_last``);
    ShapeError unless ``data`` has them."""
    layouts = (None, _LAYOUTS.get(n)) + ((_CHANNEL_LAST.get(n),) if channel_last else ())
    if n not in _LAYOUTS or p.layout not in layouts:
        raise MXNetError(f"{op}: ssdkit supports 1-D, 2-D and 3-D kernels in NCW / NCHW / NCDHW layout, "
                         f"got kernel={p.kernel}, layout={p.layout}")
    if len(data) != n + 2:
        raise ShapeError(f"{op}: data must be {n + 2}-D ({', '.join(_LAYOUTS[n])}) for kernel {p.kernel}, "
                         f"got shape {data}")


def _lift_1d(value, fill):
    """A 1-D geometry value as the 2-D one with a height of 1 (``fill`` on the height axis)."""
    return None if value is None else (fill,) + tuple(value)


class _ConvBase(Op):
    """Shared shape rule of Convolution and Deconvolution; subclasses name their kernel functions.

    2-D kernels run the tuned kernels of :mod:`ssdkit.ops.kernels`; 1-D kernels run them too, on the data
    seen as 2-D with a height of 1; 3-D kernels run the N-d im2col kernels (``kernels.im2col_nd``).
    """
    inputs = ("data", "weight", "bias")
    weight_shape = out_shape = forward_kernel = backward_kernel = forward_nd = backward_nd = None

    def input_names(self, p):
        return ["data", "weight"] if p.no_bias else ["data", "weight", "bias"]

    def _geometry(self, p):
        """Keyword arguments shared by the kernel functions (everything but the kernel size)."""
        _, stride, pad, dilate = _spatial(p)
        n = len(p.kernel)
        extra = {"adj": as_tuple(p.adj or 0, n), "target_shape": p.target_shape or None} if "adj" in p else {}
        return dict(stride=stride, pad=pad, dilate=dilate, groups=p.num_group, **extra)

    def infer_shape(self, p, shapes):
        data = shapes[0]
        if data is None:
            return shapes, [None]
        _check_layout(self.name, len(p.kernel), p, data)
        out = self.out_shape(data, p.num_filter, p.kernel, **self._geometry(p))  # checks fit, naming the op
        weight = self.weight_shape(data[1], p.num_filter, p.kernel, p.num_group)
        full = [data, weight] + ([] if p.no_bias else [(p.num_filter,)])
        if shapes[1] is not None and shapes[1][1:2] != weight[1:2] and self.name == "Convolution":
            raise ShapeError(f"Convolution: weight has {shapes[1][1] * p.num_group} input channels, data has "
                             f"{data[1]} (data shape {data}, weight shape {shapes[1]})")
        for name, want, got in zip(("weight", "bias"), full[1:], shapes[1:]):
            if got is not None:
                check_shape(self.name, name, want, got, f" (data shape {data})")
        return full, [out]

    def forward(self, p, inputs, is_train):
        x, w = inputs[0], inputs[1]
        bias = None if p.no_bias else inputs[2]
        geometry, n = self._geometry(p), len(p.kernel)
        if x.ndim != n + 2 or w.ndim != n + 2:
            self.infer_shape(p, [x.shape, w.shape] + ([] if p.no_bias else [bias.shape]))
        if n == 3:
            y, saved = self.forward_nd(x, w, bias, **geometry)
            return [y], (3, saved)
        if n == 1:  # as 2-D with a height of 1
            geometry = {k: _lift_1d(v, 0 if k in ("pad", "adj") else 1) if isinstance(v, tuple) else v
                        for k, v in geometry.items()}
            y, saved = self.forward_kernel(x[:, :, None], w[:, :, None], bias, **geometry)
            return [y[:, :, 0]], (1, (saved, x.shape, w.shape))
        y, saved = self.forward_kernel(x, w, bias, **geometry)
        return [y], (2, saved)

    def backward(self, p, saved, out_grads):
        return self.backward_some(p, saved, out_grads, (True, True, True))

    def backward_some(self, p, saved, out_grads, needs):
        needs = tuple(needs) + (True,) * (3 - len(needs))
        flags = dict(need_dx=needs[0], need_dw=needs[1], need_db=needs[2] and not p.no_bias)
        n, saved = saved
        if n == 3:
            dx, dw, db = self.backward_nd(saved, out_grads[0], **flags)
        elif n == 1:
            saved, x_shape, w_shape = saved
            dx, dw, db = self.backward_kernel(saved, out_grads[0][:, :, None], **flags)
            dx = None if dx is None else dx.reshape(x_shape)
            dw = None if dw is None else dw.reshape(w_shape)
        else:
            dx, dw, db = self.backward_kernel(saved, out_grads[0], **flags)
        return [dx, dw] if p.no_bias else [dx, dw, db]


@register
class Convolution(_ConvBase):
    partial_shapes = PROBE  # MXNet infers from partial shapes
    params = _conv_params()
    weight_shape = staticmethod(kernels.conv2d_weight_shape)
    out_shape = staticmethod(conv_out_shape)
    forward_kernel = staticmethod(kernels.conv2d_forward)
    backward_kernel = staticmethod(kernels.conv2d_backward)
    forward_nd = staticmethod(conv_nd_forward)
    backward_nd = staticmethod(conv_nd_backward)

    def infer_input_shapes(self, p, in_shapes, out_shapes):
        """The data's batch size is the output's; with stride 1 its height and width follow too (as MXNet)."""
        data, out = in_shapes[0], out_shapes[0]
        if data is None or out is None or len(data) != 4 or len(out) != 4:
            return [None] * len(in_shapes)
        kernel, stride, pad, dilate = _spatial(p)
        spatial = tuple(o + d * (k - 1) - 2 * q if o and s == 1 else 0
                        for o, k, s, q, d in zip(out[2:], kernel, stride, pad, dilate))
        return [(out[0], 0) + spatial] + [None] * (len(in_shapes) - 1)


@register
class Deconvolution(_ConvBase):
    params = _conv_params(transpose=True)
    weight_shape = staticmethod(kernels.conv2d_transpose_weight_shape)
    out_shape = staticmethod(conv_transpose_out_shape)
    forward_kernel = staticmethod(kernels.conv2d_transpose_forward)
    backward_kernel = staticmethod(kernels.conv2d_transpose_backward)
    forward_nd = staticmethod(conv_transpose_nd_forward)
    backward_nd = staticmethod(conv_transpose_nd_backward)


@register
class Dropout(Op):
    params = {"p": Param("float", 0.5), "mode": Param("str", "training", ("training", "always")),
              "axes": Param("shape", ()), "cudnn_off": Param("bool", False)}
    same_shape = True
    random = True

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        if p.p <= 0 or not (is_train or p.mode == "always"):
            return [x], None
        mask_shape = tuple(1 if a in [ax % x.ndim for ax in p.axes] else d for a, d in enumerate(x.shape))
        mask = (get_rng().random(mask_shape, dtype=np.float32) >= p.p).astype(x.dtype) / x.dtype.type(1 - p.p)
        return [x * mask], mask

    def backward(self, p, saved, out_grads):
        return [out_grads[0] if saved is None else out_grads[0] * saved]

    def hidden_values(self, p, saved, is_train):
        return [] if saved is None else [("mask", saved)]   # the scaled mask: 0 or 1 / (1 - p)


@register
class Activation(Op):
    params = {"act_type": Param("str", choices=("relu", "sigmoid", "tanh", "softrelu", "softsign"))}
    same_shape = True

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        y = UNARY[p.act_type][0](x)
        return [y.astype(x.dtype, copy=False)], (x, y)

    def backward(self, p, saved, out_grads):
        x, y = saved
        return [UNARY[p.act_type][1](x, y, out_grads[0]).astype(x.dtype, copy=False)]


@register
class LeakyReLU(Op):
    inputs = ("data", "gamma")
    input_var_attrs = {"gamma": {"__init__": '["Constant", {"value": 0.25}]'}}
    params = {"act_type": Param("str", "leaky", ("leaky", "elu", "prelu", "selu", "gelu", "rrelu")),
              "slope": Param("float", 0.25), "lower_bound": Param("float", 0.125),
              "upper_bound": Param("float", 0.334)}
    SELU_ALPHA, SELU_LAMBDA = 1.6732632423543772, 1.0507009873554805

    def input_names(self, p):
        return ["data", "gamma"] if p.act_type == "prelu" else ["data"]

    def infer_shape(self, p, shapes):
        if p.act_type == "prelu" and shapes[0] is not None:
            return [shapes[0], shapes[1] or (shapes[0][1],)], [shapes[0]]
        return shapes, [shapes[0]]

    def _slope(self, p, x, inputs):
        if p.act_type == "prelu":
            gamma = inputs[1]
            return gamma.reshape((1, -1) + (1,) * (x.ndim - 2)) if gamma.size > 1 else gamma.reshape(())
        if p.act_type == "rrelu":  # MXNet samples the slope in training; the mean slope otherwise
            return x.dtype.type((p.lower_bound + p.upper_bound) / 2)
        return x.dtype.type(p.slope)

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        a = self._slope(p, x, inputs)
        if p.act_type in ("leaky", "prelu", "rrelu"):
            y = np.where(x > 0, x, a * x)
        elif p.act_type == "elu":
            y = np.where(x > 0, x, a * np.expm1(np.minimum(x, 0)))
        elif p.act_type == "selu":
            y = self.SELU_LAMBDA * np.where(x > 0, x, self.SELU_ALPHA * np.expm1(np.minimum(x, 0)))
        else:  # gelu, erf form as MXNet
            y = 0.5 * x * (1 + UNARY["erf"][0](x / np.sqrt(2).astype(x.dtype)))
        return [y.astype(x.dtype, copy=False)], (x, a, inputs[1] if p.act_type == "prelu" else None)

    def backward(self, p, saved, out_grads):
        x, a, gamma = saved
        g = out_grads[0]
        if p.act_type in ("leaky", "prelu", "rrelu"):
            dx = np.where(x > 0, g, a * g)
        elif p.act_type == "elu":
            dx = np.where(x > 0, g, g * a * np.exp(np.minimum(x, 0)))
        elif p.act_type == "selu":
            dx = self.SELU_LAMBDA * np.where(x > 0, g, g * self.SELU_ALPHA * np.exp(np.minimum(x, 0)))
        else:
            cdf = 0.5 * (1 + UNARY["erf"][0](x / np.sqrt(2).astype(x.dtype)))
            dx = g * (cdf + x * np.exp(-0.5 * x * x) / np.sqrt(2 * np.pi).astype(x.dtype))
        grads = [dx.astype(x.dtype, copy=False)]
        if p.act_type == "prelu":
            dgamma = np.where(x > 0, 0, g * x)
            axes = tuple(i for i in range(x.ndim) if i != 1 or gamma.size == 1)
            grads.append(dgamma.sum(axis=axes).reshape(gamma.shape).astype(x.dtype))
        return grads


class _SoftmaxBase(Op):
    params = {"axis": Param("int", -1), "temperature": Param("any", None), "dtype": Param("any", None),
              "use_length": Param("bool", False)}

    def _t(self, p, x):
        return x.dtype.type(p.temperature or 1.0)

    def _apply(self, function, p, x):
        if x.size == 0:  # an empty input gives an empty result (scipy would reduce a 0-length axis with max)
            return x.copy()
        return function(x / self._t(p, x), axis=p.axis).astype(x.dtype, copy=False)


@register
class softmax(_SoftmaxBase):
    def forward(self, p, inputs, is_train):
        x = inputs[0]
        from scipy.special import softmax  # imported on first use: scipy.special costs ~0.25 s at import
        y = self._apply(softmax, p, x)
        return [y], y

    def backward(self, p, saved, out_grads):
        y, g = saved, out_grads[0]
        return [(y * (g - (g * y).sum(axis=p.axis, keepdims=True))) / y.dtype.type(p.temperature or 1.0)]


@register
class log_softmax(_SoftmaxBase):
    def forward(self, p, inputs, is_train):
        x = inputs[0]
        from scipy.special import log_softmax
        y = self._apply(log_softmax, p, x)
        return [y], y

    def backward(self, p, saved, out_grads):
        y, g = saved, out_grads[0]
        return [(g - np.exp(y) * g.sum(axis=p.axis, keepdims=True)) / y.dtype.type(p.temperature or 1.0)]


@register
class SoftmaxActivation(Op):
    params = {"mode": Param("str", "instance", ("instance", "channel"))}

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        axis = 1 if p.mode == "channel" else -1  # MXNet 1.9 normalises each instance over its last axis
        from scipy.special import softmax
        y = softmax(x, axis=axis).astype(x.dtype, copy=False)
        return [y], (y, axis)

    def backward(self, p, saved, out_grads):
        (y, axis), g = saved, out_grads[0]
        return [y * (g - (g * y).sum(axis=axis, keepdims=True))]


@register
class smooth_l1(Op):
    params = {"scalar": Param("float", 1.0)}

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        s2 = x.dtype.type(p.scalar * p.scalar)
        ax = np.abs(x)
        y = np.where(ax < 1 / s2, 0.5 * s2 * x * x, ax - 0.5 / s2)
        return [y.astype(x.dtype, copy=False)], x

    def backward(self, p, saved, out_grads):
        x = saved
        s2 = x.dtype.type(p.scalar * p.scalar)
        return [(out_grads[0] * np.where(np.abs(x) < 1 / s2, s2 * x, np.sign(x))).astype(x.dtype, copy=False)]


@register
class Embedding(Op):
    partial_shapes = PROBE  # MXNet infers from partial shapes
    inputs = ("data", "weight")
    params = {"input_dim": Param("int"), "output_dim": Param("int"), "dtype": Param("dtype", "float32"),
              "sparse_grad": Param("bool", False)}

    def infer_shape(self, p, shapes):
        if shapes[0] is None:
            return shapes, [None]
        return [shapes[0], (p.input_dim, p.output_dim)], [shapes[0] + (p.output_dim,)]

    def forward(self, p, inputs, is_train):
        idx, w = inputs
        i = np.clip(idx.astype(np.int64), 0, p.input_dim - 1)
        return [w[i]], (idx, i, w.shape, w.dtype)

    def backward(self, p, saved, out_grads):
        idx, i, shape, dtype = saved
        dw = np.zeros(shape, dtype)
        np.add.at(dw, i.reshape(-1), out_grads[0].reshape(-1, shape[1]))
        return [np.zeros_like(idx), dw]
