"""``_contrib_group_adagrad_update``: MXNet 1.9.1's Group AdaGrad step, one learning rate per row of the weight.

``g = clip(grad * rescale_grad, clip_gradient)`` (no clipping when ``clip_gradient < 0``; 0 clips every value
to 0), ``history += mean(g^2 over each row)`` in place, and the new weight is ``weight - lr * g /
sqrt(history + epsilon)`` (written into ``out``; optimizers pass ``out=weight``). ``history`` has one value per
row of the weight (shape ``(rows, 1)`` as ``GroupAdaGrad.create_state`` makes it).

MXNet 1.9.1's CPU build runs this op only for a row_sparse gradient (an all-dense call stops there with
"Operator _contrib_group_adagrad_update is not implemented for CPU."). ssdkit's arrays are dense, so the
dense call computes what MXNet computes for the same gradient stored row_sparse (every non-zero row present;
rows of zeros are not stored there, so they and their history stay as they are).

Examples
--------
>>> import ssdkit as mx
>>> w, g, h = mx.nd.ones((2, 2)), mx.nd.array([[3.0, 4.0], [0.0, 0.0]]), mx.nd.zeros((2, 1))
>>> _ = mx.nd.contrib.group_adagrad_update(w, g, h, lr=0.5, epsilon=0.0, out=w)
>>> w.asnumpy().round(4), h.asnumpy()
(array([[0.5757, 0.4343],
       [1.    , 1.    ]], dtype=float32), array([[12.5],
       [ 0. ]], dtype=float32))
"""
import numpy as np

from ..base import ShapeError
from .optimizer_ops import UpdateOp, NO_CLIP, _f
from .registry import register

__all__ = []


@register
class _contrib_group_adagrad_update(UpdateOp):
    """Group AdaGrad: one adaptive rate per weight row; ``history`` moves in place (see the module docstring)."""
    inputs = ("weight", "grad", "history")
    params = {"lr": _f(), "rescale_grad": _f(1.0), "clip_gradient": _f(NO_CLIP), "epsilon": _f(1e-5)}

    def infer_shape(self, p, shapes):
        weight, grad, history = shapes
        weight = weight if weight is not None else grad
        if weight is None:
            return shapes, [None]
        if grad is not None and tuple(grad) != tuple(weight):
            raise ShapeError(f"group_adagrad_update: grad has shape {tuple(grad)}, expected the weight's shape "
                             f"{tuple(weight)}")
        if history is not None and (len(history) < 1 or history[0] != weight[0]):
            raise ShapeError(f"group_adagrad_update: history needs one row per weight row ({weight[0]}), got shape "
                             f"{tuple(history)}")
        return [weight, weight, history if history is not None else (weight[0], 1)], [weight]

    def kernel(self, p, a, out):
        weight, grad, history = a
        self.infer_shape(p, [weight.shape, grad.shape, history.shape])
        dtype = weight.dtype.type
        grad_rows = grad.reshape(len(grad), -1)
        present = np.nonzero(grad_rows.any(axis=1))[0]   # the rows a row_sparse gradient would store
        g = grad_rows[present] * dtype(p.rescale_grad)
        if p.clip_gradient >= 0:
            np.clip(g, -dtype(p.clip_gradient), dtype(p.clip_gradient), out=g)
        rows = history.reshape(len(history), -1)
        rows[present, :1] += (g * g).sum(axis=1, keepdims=True, dtype=weight.dtype) / dtype(g.shape[1])
        step = dtype(p.lr) * g / np.sqrt(rows[present, :1] + dtype(p.epsilon))
        if out is not weight:
            np.copyto(out, weight)
        out_rows = out.reshape(len(out), -1)
        out_rows[present] = weight.reshape(len(weight), -1)[present] - step
