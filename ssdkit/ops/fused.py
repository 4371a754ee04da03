"""Fused ops the graph executor substitutes for common chains (never written to JSON).

* ``_fused_bn_relu`` (in :mod:`.batchnorm`): BatchNorm then ReLU in one step.
* ``_fused_bn_relu_pool`` (in :mod:`.batchnorm`): BatchNorm, ReLU and MaxPool2D(2), pooled run by run of
  planes while in cache.
* ``_fused_conv_bn``: inference-only Convolution with the following BatchNorm folded into it: each output
  channel scaled by ``gamma/std`` and given the bias ``(b - mean) * gamma/std + beta`` inside the
  convolution's block loop, optionally followed by an in-place ReLU.

All reuse the registered ops' own code, so the numbers are those of the unfused chain.

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("_fused_bn_relu")
>>> p = op.parse_params({"fix_gamma": False})
>>> x = np.array([[-1.0, 1.0], [1.0, -1.0]], np.float32)
>>> (y,), _ = op.forward(p, [x, np.ones(2, np.float32), np.zeros(2, np.float32), np.zeros(2, np.float32),
...                          np.ones(2, np.float32)], True)
>>> y.round(3)
array([[0., 1.],
       [1., 0.]], dtype=float32)
"""
import numpy as np

from .registry import Op, Param, register, get_op
from . import nn, batchnorm, kernels  # noqa: F401  (BatchNorm and Convolution must be registered first)

__all__ = []

_BN = get_op("BatchNorm")
_CONV = get_op("Convolution")


@register
class _fused_conv_bn(Op):
    inputs = ("data", "weight", "bias", "gamma", "beta", "moving_mean", "moving_var")
    params = dict(_CONV.params, eps=Param("float", 1e-3), fix_gamma=Param("bool", True), relu=Param("bool", False))
    differentiable = False

    def input_names(self, p):
        names = list(self.inputs)
        return names[:2] + names[3:] if p.no_bias else names

    def infer_shape(self, p, shapes):
        conv_inputs = 2 if p.no_bias else 3
        full, outs = _CONV.infer_shape(p, shapes[:conv_inputs])
        channels = (p.num_filter,)
        return full + [channels] * 4, outs

    def forward(self, p, inputs, is_train):
        conv_inputs = 2 if p.no_bias else 3
        x, w = inputs[0], inputs[1]
        bias = inputs[2] if not p.no_bias else np.zeros(w.shape[0], w.dtype)
        gamma, beta, mean, var = inputs[conv_inputs:]
        scale = (1.0 if p.fix_gamma else gamma) / np.sqrt(var.astype(np.float64) + p.eps)
        folded_b = ((bias - mean) * scale + beta).astype(w.dtype)
        # scale, bias and ReLU are applied inside the kernel, block by block while each block is in cache:
        # scaling the weights instead cost a pass over all of them per call (ResNet-50's 94 MB: ~40 ms)
        y, _ = kernels.conv2d_forward(x, w, folded_b, relu=p.relu, scale=scale.astype(w.dtype),
                                      **_CONV._geometry(p))
        return [y], None
