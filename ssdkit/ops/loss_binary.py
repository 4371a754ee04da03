"""``softmax_cross_entropy``: MXNet 1.9.1's plain operator (``src/operator/loss_binary_op``) that sums, over
a batch, the cross entropy of each row's softmax and its class label.

Forward: ``-sum_i log(max(softmax(data)[i, label[i]], 1e-8))``, a ``(1,)`` array. Backward (to ``data``
only): ``out_grad * (softmax(data) - one_hot(label))``; the label gets no gradient (MXNet stops with
"Cannot take gradient wrt label" when one is asked). Labels are class indices truncated toward zero, as
MXNet's integer cast does.

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("softmax_cross_entropy"); p = op.parse_params({})
>>> x = np.array([[1., 2., 3.], [11., 7., 5.]], np.float32)
>>> (loss,), saved = op.forward(p, [x, np.array([2., 0.], np.float32)], True)
>>> loss.round(5)
array([0.42819], dtype=float32)
>>> op.backward(p, saved, [np.ones(1, np.float32)])[0].round(3)
array([[ 0.09 ,  0.245, -0.335],
       [-0.02 ,  0.018,  0.002]], dtype=float32)
"""
import numpy as np

from ..base import MXNetError, ShapeError
from .registry import Op, register

__all__ = []

PROB_FLOOR = 1e-8   # MXNet clips the chosen probability from below before its log


def _softmax_rows(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _label_index(label, classes):
    """Class indices of a float label vector (truncated as MXNet's cast); an out-of-range one is an error."""
    index = label.astype(np.int64)
    bad = (index < 0) | (index >= classes)
    if bad.any():
        raise MXNetError(f"softmax_cross_entropy: label {float(label[bad][0])} is not a class index of data with "
                         f"{classes} classes (expected 0 <= label < {classes})")
    return index


@register
class softmax_cross_entropy(Op):
    """The summed softmax cross entropy of 2-D ``data`` (batch, classes) and 1-D ``label`` (batch,)."""
    inputs = ("data", "label")
    params = {}

    def infer_shape(self, p, shapes):
        data, label = shapes
        if data is not None and len(data) != 2:
            raise ShapeError(f"softmax_cross_entropy: data must be 2-D (batch, classes), got shape {data}")
        if label is not None and len(label) != 1:
            raise ShapeError(f"softmax_cross_entropy: label must be 1-D (batch,), got shape {label}")
        if data is not None and label is not None and data[0] != label[0]:
            raise ShapeError(f"softmax_cross_entropy: data and label batch sizes differ: data shape {data}, "
                             f"label shape {label}")
        if label is None and data is not None:
            label = (data[0],)
        return [data, label], [(1,)]

    def forward(self, p, inputs, is_train):
        data, label = inputs
        self.infer_shape(p, [data.shape, label.shape])
        index = _label_index(label, data.shape[1])
        prob = _softmax_rows(data)
        chosen = np.maximum(prob[np.arange(len(index)), index], data.dtype.type(PROB_FLOOR))
        return [(-np.log(chosen)).sum(dtype=data.dtype).reshape(1).astype(data.dtype)], (prob, index, label)

    def backward(self, p, saved, out_grads):
        return self.backward_some(p, saved, out_grads, (True, False))

    def backward_some(self, p, saved, out_grads, needs):
        prob, index, label = saved
        if len(needs) > 1 and needs[1]:
            raise MXNetError("softmax_cross_entropy: cannot take the gradient with respect to label (as MXNet)")
        grad = prob.copy()
        grad[np.arange(len(index)), index] -= 1
        return [grad * out_grads[0].reshape(()), np.zeros_like(label)]
