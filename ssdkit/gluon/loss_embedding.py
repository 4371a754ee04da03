"""Embedding losses of ``mx.gluon.loss`` with MXNet 1.9.1's definitions:

* ``CosineEmbeddingLoss``: ``1 - cos(x1, x2)`` for label 1, ``max(0, cos(x1, x2) - margin)`` for label -1, the
  cosine taken with the product of norms floored at 1e-12; one value per sample, shape (N, 1);
* ``SDMLLoss`` (smoothed deep metric learning): the KL divergence between a smoothed identity matrix
  (``1 - s`` on the diagonal, ``s / (N - 1)`` elsewhere) and the softmax over ``-||x1_i - x2_j||²`` of every pair
  in the two aligned batches.

Examples
--------
>>> import ssdkit as mx
>>> a = mx.nd.array([[1.0, 0.0], [1.0, 0.0]]); b = mx.nd.array([[1.0, 0.0], [0.0, 1.0]])
>>> CosineEmbeddingLoss()(a, b, mx.nd.array([1, -1])).asnumpy()
array([[0.],
       [0.]], dtype=float32)
"""
from .loss import Loss, KLDivLoss, _apply_weighting, _reshape_like

__all__ = ["CosineEmbeddingLoss", "SDMLLoss"]

_COSINE_EPS = 1e-12   # MXNet's floor on ||x|| * ||y||


def _column(F, x):
    """An (N, 1) column of ones for a batch ``x`` of shape (N, D) (works for NDArray and Symbol; the identity
    matrix below comes from it, so the loss also hybridizes)."""
    return F.ones_like(F.slice_axis(x, axis=1, begin=0, end=1))


class CosineEmbeddingLoss(Loss):
    """Cosine embedding loss between two batches of vectors, labels 1 (similar) or -1 (dissimilar).

    Parameters
    ----------
    weight : float or None
    batch_axis : int
    margin : float
        Dissimilar pairs cost only above this cosine.

    Examples
    --------
    >>> import ssdkit as mx
    >>> loss = CosineEmbeddingLoss(margin=0.5)
    >>> loss(mx.nd.array([[1.0, 1.0]]), mx.nd.array([[1.0, 0.0]]), mx.nd.array([-1])).asnumpy().round(4)
    array([[0.2071]], dtype=float32)
    """

    def __init__(self, weight=None, batch_axis=0, margin=0, **kwargs):
        super().__init__(weight, batch_axis, **kwargs)
        self._margin = margin

    def hybrid_forward(self, F, input1, input2, label, sample_weight=None):
        input1 = _reshape_like(F, input1, input2)
        label = F.reshape(label, shape=(-1, 1))
        norms = F.norm(input1, axis=-1).reshape((-1, 1)) * F.norm(input2, axis=-1).reshape((-1, 1))
        dot = F.sum(input1 * input2, axis=-1).reshape((-1, 1))
        cos_sim = dot / F.maximum(norms, _COSINE_EPS)
        similar = (1 - cos_sim) * (label == 1)
        dissimilar = F.maximum((label == -1) * (cos_sim - self._margin), 0)
        return _apply_weighting(F, similar + dissimilar, self._weight, sample_weight)


class SDMLLoss(Loss):
    """Smoothed deep metric learning loss over two aligned batches (row i of ``x1`` matches row i of ``x2``).

    Parameters
    ----------
    smoothing_parameter : float
        Probability mass spread over the non-matching pairs.
    weight : float
    batch_axis : int

    Examples
    --------
    >>> import ssdkit as mx
    >>> x = mx.nd.array([[0.0, 0.0], [3.0, 4.0]])
    >>> SDMLLoss()(x, x).asnumpy().round(4)
    array([6.8891, 6.8891], dtype=float32)
    """

    def __init__(self, smoothing_parameter=0.3, weight=1., batch_axis=0, **kwargs):
        super().__init__(weight, batch_axis, **kwargs)
        self.kl_loss = KLDivLoss(from_logits=True)
        self.smoothing_parameter = smoothing_parameter

    def hybrid_forward(self, F, x1, x2):
        ones = F.reshape(_column(F, x1), shape=(-1,))
        index = F.cumsum(ones, axis=0)                                     # 1..N
        gold = F.broadcast_equal(F.expand_dims(index, axis=1), F.expand_dims(index, axis=0))   # identity (N, N)
        others = F.sum(ones) - 1                                           # N - 1
        s = self.smoothing_parameter
        labels = gold * (1 - s) + F.broadcast_div((1 - gold) * s, others)
        diffs = F.broadcast_sub(F.expand_dims(x1, axis=1), F.expand_dims(x2, axis=0))
        distances = F.sum(F.square(diffs), axis=2)
        return self.kl_loss(F.log_softmax(-distances, axis=1), labels)
