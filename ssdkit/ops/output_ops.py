"""MXNet 1.x's output (loss head) ops of the Module era: ``SoftmaxOutput`` and the regression outputs
``LinearRegressionOutput``, ``LogisticRegressionOutput``, ``MAERegressionOutput``.

Forward is the prediction (softmax, identity, sigmoid); backward is the gradient of the matching loss with
respect to the op's input, computed from the output and the ``label`` input. As in MXNet, the gradient
flowing in from above is ignored (``SoftmaxOutput`` multiplies by it only with ``out_grad=True``) and the
label gets no gradient.

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("SoftmaxOutput"); p = op.parse_params({})
>>> (y,), saved = op.forward(p, [np.zeros((1, 2), np.float32), np.array([1.], np.float32)], True)
>>> y, op.backward(p, saved, [np.zeros_like(y)])[0]
(array([[0.5, 0.5]], dtype=float32), array([[ 0.5, -0.5]], dtype=float32))
"""
import numpy as np

from ..base import MXNetError
from .registry import Op, Param, register

__all__ = ["SoftmaxOutput", "LinearRegressionOutput", "LogisticRegressionOutput", "MAERegressionOutput"]


def _softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@register
class SoftmaxOutput(Op):
    """Softmax forward (over axis 1 with ``multi_output``, the last axis with ``preserve_shape``, else over
    the data flattened to ``(batch, -1)``); backward ``grad_scale * (softmax - one_hot(label))`` divided by
    the normalization (``null``: 1, ``batch``: batch size, ``valid``: labels not equal to ``ignore_label``).
    A label of the output's shape is read as a probability distribution."""
    inputs = ("data", "label")
    params = {"grad_scale": Param("float", 1.0), "ignore_label": Param("float", -1.0),
              "multi_output": Param("bool", False), "use_ignore": Param("bool", False),
              "preserve_shape": Param("bool", False),
              "normalization": Param("str", "null", choices=("null", "batch", "valid")),
              "out_grad": Param("bool", False), "smooth_alpha": Param("float", 0.0)}

    def infer_shape(self, p, shapes):
        data, label = shapes
        if data is None:
            return shapes, [None]
        data = tuple(data)
        if len(data) < (2 if p.multi_output else 1):
            raise MXNetError(f"SoftmaxOutput: data must have a batch axis{' and a class axis' if p.multi_output else ''}"
                             f", got shape {data}")
        if label is None or tuple(label) != data:
            if p.multi_output:
                choices = [(data[0], int(np.prod(data[2:], dtype=np.int64))), (data[0],) + data[2:],
                           (data[0], 1) + data[2:]]
                if label is None:
                    label = choices[0]
                elif tuple(label) not in choices:
                    raise MXNetError(f"SoftmaxOutput: label shape must be one of {choices[:2]} for data "
                                     f"{data} with multi_output, got {tuple(label)}")
            else:
                want = data[:-1]
                if label is not None and tuple(label) != want:
                    raise MXNetError(f"SoftmaxOutput: label shape must be {want} for data {data}, "
                                     f"got {tuple(label)}")
                label = want
        return [data, tuple(label)], [data]

    def forward(self, p, inputs, is_train):
        x, label = inputs
        if p.multi_output:
            y = _softmax(x.reshape(x.shape[0], x.shape[1], -1), 1).reshape(x.shape)
        elif p.preserve_shape:
            y = _softmax(x, -1)
        else:
            y = _softmax(x.reshape(x.shape[0], -1), 1).reshape(x.shape)
        y = y.astype(x.dtype, copy=False)
        return [y], (y, label)

    def backward(self, p, saved, out_grads):
        y, label = saved
        if y.shape == label.shape:  # a probability distribution as the label
            grad = (y - label) * p.grad_scale
            return [grad * out_grads[0] if p.out_grad else grad, None]
        if p.multi_output:
            out = y.reshape(y.shape[0], y.shape[1], -1)          # (n, k, s)
            lab = label.reshape(out.shape[0], out.shape[2])      # (n, s)
            grad = self._grad(out.transpose(0, 2, 1).reshape(-1, out.shape[1]), lab.reshape(-1), p)
            grad = grad.reshape(out.shape[0], out.shape[2], out.shape[1]).transpose(0, 2, 1)
            count = self._count(lab, p)
            scale = p.grad_scale / (1 if p.normalization == "valid" else out.shape[2]) / count
        else:
            rows = y.reshape(-1, y.shape[-1]) if p.preserve_shape else y.reshape(y.shape[0], -1)
            lab = label.reshape(-1)
            grad = self._grad(rows, lab, p)
            scale = p.grad_scale / self._count(lab, p)
        grad = (grad * scale).reshape(y.shape).astype(y.dtype, copy=False)
        return [grad * out_grads[0] if p.out_grad else grad, None]

    @staticmethod
    def _grad(rows, lab, p):
        """``rows - target`` for rows (m, k) and integer labels (m,), smoothed and ignored as asked."""
        m, k = rows.shape
        idx = lab.astype(np.int64)
        grad = rows.astype(np.float64)
        if p.smooth_alpha and not p.multi_output:
            grad -= p.smooth_alpha / (k - 1)
            grad[np.arange(m), idx % k] -= 1.0 - p.smooth_alpha - p.smooth_alpha / (k - 1)
        else:
            grad[np.arange(m), idx % k] -= 1.0
        if p.use_ignore:
            grad[idx == int(p.ignore_label)] = 0.0
        return grad

    @staticmethod
    def _count(lab, p):
        if p.normalization == "batch":
            return lab.shape[0]
        if p.normalization == "valid":
            return max(1, int(np.count_nonzero(lab.astype(np.int64) != int(p.ignore_label))))
        return 1


class _RegressionOutput(Op):
    """Shared rules of the three regression heads: label of the data's shape (``(batch,)`` for data
    ``(batch, 1)``), gradient ``grad_scale / (label.size / batch) * residual(output, label)``."""
    inputs = ("data", "label")
    params = {"grad_scale": Param("float", 1.0)}

    def infer_shape(self, p, shapes):
        data, label = shapes
        if data is None:
            return shapes, [None]
        data = tuple(data)
        if not data:
            raise MXNetError(f"{self.name}: data must have a batch axis, got shape {data}")
        if label is None:
            label = (data[0],) if len(data) == 2 and data[1] == 1 else data
        elif not label or label[0] != data[0] or int(np.prod(label)) != int(np.prod(data)):
            raise MXNetError(f"{self.name}: label shape {tuple(label)} does not match data shape {data} "
                             "(same batch size and element count expected)")
        return [data, tuple(label)], [data]

    def forward(self, p, inputs, is_train):
        x, label = inputs
        y = self._predict(x).astype(x.dtype, copy=False)
        return [y], (y, label)

    def backward(self, p, saved, out_grads):
        y, label = saved
        num_output = label.size / label.shape[0] if label.ndim else 1
        grad = self._residual(y, label.reshape(y.shape)) * (p.grad_scale / num_output)
        return [grad.astype(y.dtype, copy=False), None]


@register
class LinearRegressionOutput(_RegressionOutput):
    """Identity forward; gradient of the squared loss ``(output - label) * grad_scale / num_output``."""
    _predict = staticmethod(lambda x: x.copy())
    _residual = staticmethod(lambda y, label: y - label)


@register
class LogisticRegressionOutput(_RegressionOutput):
    """Sigmoid forward; gradient of the logistic loss ``(sigmoid(x) - label) * grad_scale / num_output``."""
    _predict = staticmethod(lambda x: 1.0 / (1.0 + np.exp(-x)))
    _residual = staticmethod(lambda y, label: y - label)


@register
class MAERegressionOutput(_RegressionOutput):
    """Identity forward; gradient of the absolute loss ``sign(output - label) * grad_scale / num_output``
    (a zero residual counts as -1, as in MXNet)."""
    _predict = staticmethod(lambda x: x.copy())
    _residual = staticmethod(lambda y, label: np.where(y - label > 0, 1.0, -1.0))
