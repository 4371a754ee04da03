"""``IdentityAttachKLSparseReg``: MXNet 1.9.1's identity that attaches a KL sparseness penalty to the gradient
of a sigmoid layer's output (``src/operator/identity_attach_KL_sparse_reg``).

Forward is the identity. Backward first moves the auxiliary state ``moving_avg`` (one value per column)
toward the batch's column means, ``moving_avg = momentum * moving_avg + (1 - momentum) * mean(data, 0)``,
then returns ``out_grad + penalty * (-sparseness_target / moving_avg + (1 - sparseness_target) /
(1 - moving_avg))``. As MXNet's kernel, the data is seen as 2-D ``(prod(shape[:-1]), shape[-1])`` and
``moving_avg`` has ``shape[1]`` values, so data of more than two axes runs only when those agree.

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("IdentityAttachKLSparseReg"); p = op.parse_params({"penalty": 1.0})
>>> x, avg = np.full((2, 2), 0.5, np.float32), np.full(2, 0.5, np.float32)
>>> (y,), saved = op.forward(p, [x, avg], True)
>>> op.backward(p, saved, [np.zeros((2, 2), np.float32)])[0], avg
(array([[1.6, 1.6],
       [1.6, 1.6]], dtype=float32), array([0.5, 0.5], dtype=float32))
"""
import numpy as np

from ..base import ShapeError
from .registry import Op, Param, register, check_shape

__all__ = []


@register
class IdentityAttachKLSparseReg(Op):
    """Identity forward; the KL sparseness penalty of the column means joins the gradient (see module)."""
    inputs = ("data", "moving_avg")
    aux = ("moving_avg",)
    input_var_attrs = {"moving_avg": {"__init__": '["zero", {}]'}}
    params = {"sparseness_target": Param("float", 0.1), "penalty": Param("float", 0.001),
              "momentum": Param("float", 0.9)}

    def infer_shape(self, p, shapes):
        data = shapes[0]
        if data is None:
            return shapes, [None]
        if len(data) < 2:
            raise ShapeError(f"IdentityAttachKLSparseReg: data must have at least 2 axes, got shape {data}")
        if data[-1] != data[1]:
            raise ShapeError(f"IdentityAttachKLSparseReg: MXNet's kernel averages the last axis ({data[-1]}) into "
                             f"moving_avg of shape ({data[1]},); they must agree (data shape {data})")
        if shapes[1] is not None:
            check_shape(self.name, "moving_avg", (data[1],), shapes[1], f" (data shape {data})")
        return [data, (data[1],)], [data]

    def forward(self, p, inputs, is_train):
        x, moving_avg = inputs
        self.infer_shape(p, [x.shape, moving_avg.shape])
        return [x.copy()], (x, moving_avg)

    def backward(self, p, saved, out_grads):
        x, moving_avg = saved
        rows = x.reshape(-1, x.shape[-1])
        dtype = x.dtype.type
        mean = rows.sum(axis=0, dtype=x.dtype) / dtype(rows.shape[0])
        moving_avg[...] = dtype(p.momentum) * moving_avg + (dtype(1) - dtype(p.momentum)) * mean
        target = dtype(p.sparseness_target)
        penalty = dtype(p.penalty) * (-target / moving_avg + (dtype(1) - target) / (dtype(1) - moving_avg))
        return [out_grads[0] + penalty.astype(x.dtype), np.zeros_like(moving_avg)]
