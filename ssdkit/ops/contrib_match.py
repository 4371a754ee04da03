"""``contrib.bipartite_matching``: MXNet's greedy bipartite matching of a score matrix (GluonCV's matchers use it).

For each batch item of ``data`` ``(..., rows, cols)``, pairs are taken from the best score down (``is_ascend``:
from the lowest up); a pair is kept when neither its row nor its column is matched yet. Matching stops at the
first kept candidate whose score does not pass ``threshold`` (``> threshold``, or ``< threshold`` ascending),
or once more than ``topk`` pairs are kept (``topk > 0``; MXNet keeps ``topk + 1``). Ties go to the lower
row-major position, as MXNet's stable sort orders them. Outputs: the matched column of each row and the matched
row of each column, ``-1`` where unmatched. Not differentiable (MXNet's gradient is zero).

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("_contrib_bipartite_matching")
>>> s = np.array([[0.5, 0.6], [0.1, 0.9], [0.4, 0.3]], np.float32)
>>> (rows, cols), _ = op.forward(op.parse_params({"threshold": 1e-12}), [s], False)
>>> rows, cols
(array([ 0.,  1., -1.], dtype=float32), array([0., 1.], dtype=float32))
"""
import numpy as np

from ..base import check_ndim
from .registry import Op, Param, register

__all__ = ["bipartite_matching"]

UNMATCHED = -1


def bipartite_matching(scores, threshold, is_ascend=False, topk=-1):
    """Row and column markers of one ``(rows, cols)`` score matrix (see the module docstring).

    Examples
    --------
    >>> bipartite_matching(np.array([[0.2, 0.8]]), 0.5)
    (array([1.]), array([-1.,  0.]))
    """
    rows, cols = scores.shape
    row_marker = np.full(rows, UNMATCHED, scores.dtype)
    col_marker = np.full(cols, UNMATCHED, scores.dtype)
    if scores.size == 0:
        return row_marker, col_marker
    work = scores.astype(np.float64)
    blocked = np.inf if is_ascend else -np.inf
    pick = np.argmin if is_ascend else np.argmax
    count = 0
    for _ in range(min(rows, cols)):
        flat = int(pick(work))
        r, c = divmod(flat, cols)
        value = work[r, c]
        if value == blocked or not (value < threshold if is_ascend else value > threshold):
            break
        row_marker[r], col_marker[c] = c, r
        count += 1
        if 0 < topk < count:
            break
        work[r, :] = blocked
        work[:, c] = blocked
    return row_marker, col_marker


@register
class _contrib_bipartite_matching(Op):
    """Greedy bipartite matching of score matrices: matched column per row and matched row per column (-1: none)."""
    differentiable = False
    params = {"is_ascend": Param("bool", False), "threshold": Param("float"), "topk": Param("int", -1)}
    num_outputs = 2

    def infer_shape(self, p, shapes):
        data = shapes[0]
        if data is None:
            return shapes, [None, None]
        check_ndim(self.name, "data", data[-2:], 2)
        return shapes, [tuple(data[:-1]), tuple(data[:-2]) + (data[-1],)]

    def forward(self, p, inputs, is_train):
        data = inputs[0]
        if data.ndim < 2:
            check_ndim(self.name, "data", data.shape, 2)
        rows, cols = data.shape[-2:]
        flat = data.reshape((int(np.prod(data.shape[:-2])), rows, cols))
        marks = [bipartite_matching(m, p.threshold, p.is_ascend, p.topk) for m in flat]
        row_marker = np.stack([m[0] for m in marks]) if marks else np.zeros((0, rows), data.dtype)
        col_marker = np.stack([m[1] for m in marks]) if marks else np.zeros((0, cols), data.dtype)
        return [row_marker.reshape(data.shape[:-1]), col_marker.reshape(data.shape[:-2] + (cols,))], None

    def backward(self, p, saved, out_grads):
        return [None]
