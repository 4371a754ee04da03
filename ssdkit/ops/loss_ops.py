"""Ops that turn a value into a loss head, and the variadic sum: ``MakeLoss`` (gradient ``grad_scale``, divided
by the batch size or the count of valid elements), ``make_loss`` (gradient of ones), ``add_n``
(``ElementWiseSum``). Their gradients ignore the output gradient, as MXNet's loss heads do.

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("MakeLoss"); p = op.parse_params({"normalization": "batch", "grad_scale": 2.0})
>>> (y,), saved = op.forward(p, [np.ones((4, 3), np.float32)], True)
>>> op.backward(p, saved, [np.zeros_like(y)])[0][0]
array([0.5, 0.5, 0.5], dtype=float32)
"""
import numpy as np

from .registry import Op, Param, register

__all__ = ["MakeLoss", "make_loss", "add_n"]


@register
class MakeLoss(Op):
    """Identity forward; gradient ``grad_scale`` (``batch``: divided by the first dimension; ``valid``: by the
    number of elements above ``valid_thresh``, at least 1), whatever the output gradient."""
    params = {"grad_scale": Param("float", 1.0), "valid_thresh": Param("float", 0.0),
              "normalization": Param("str", "null", choices=("null", "batch", "valid"))}

    def infer_shape(self, p, shapes):
        return shapes, [shapes[0]]

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        return [x.copy()], x

    def backward(self, p, saved, out_grads):
        x = saved
        scale = p.grad_scale
        if p.normalization == "batch":
            scale /= x.shape[0] if x.ndim else 1
        elif p.normalization == "valid":
            scale /= max(1.0, float(np.count_nonzero(x > p.valid_thresh)))
        return [np.full(x.shape, scale, x.dtype)]


@register
class make_loss(Op):
    """Identity forward; the gradient is ones, whatever the output gradient."""
    params = {}

    def output_names(self, p):
        return ["loss"]

    def infer_shape(self, p, shapes):
        return shapes, [shapes[0]]

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        return [x.copy()], (x.shape, x.dtype)

    def backward(self, p, saved, out_grads):
        return [np.ones(*saved)]


@register
class add_n(Op):
    """The elementwise sum of any number of arrays of one shape."""
    key_var_num_args = "num_args"
    params = {"num_args": Param("int")}

    def infer_shape(self, p, shapes):
        known = [s for s in shapes if s is not None]
        shape = known[0] if known else None
        return [shape] * len(shapes), [shape]

    def forward(self, p, inputs, is_train):
        out = inputs[0].copy()
        for x in inputs[1:]:
            out += x
        return [out], len(inputs)

    def backward(self, p, saved, out_grads):
        return [out_grads[0]] * saved
