"""``mx.gluon.loss``: losses as HybridBlocks returning one value per sample (the mean over all non-batch axes).

``loss(pred, label, sample_weight=None)``: ``sample_weight`` broadcasts against the elementwise loss, the scalar
``weight`` multiplies it, then ``F.mean(loss, axis=batch_axis, exclude=True)`` reduces (as MXNet 1.9.1).
``FocalLoss`` is not in MXNet core; it follows the straight-dope SSD notebook's definition.

Examples
--------
>>> import ssdkit as mx
>>> pred = mx.nd.array([[2.0, 0.0], [0.0, 2.0]])
>>> SoftmaxCrossEntropyLoss()(pred, mx.nd.array([0, 0])).asnumpy().round(4)
array([0.1269, 2.1269], dtype=float32)
"""
import numpy as np

from .. import ndarray as nd
from ..base import MXNetError, numeric_types
from .hybrid_block import HybridBlock

__all__ = ["Loss", "L2Loss", "L1Loss", "SigmoidBinaryCrossEntropyLoss", "SigmoidBCELoss", "SoftmaxCrossEntropyLoss",
           "SoftmaxCELoss", "KLDivLoss", "HuberLoss", "HingeLoss", "SquaredHingeLoss", "LogisticLoss",
           "TripletLoss", "PoissonNLLLoss", "FocalLoss", "CosineEmbeddingLoss", "SDMLLoss", "CTCLoss"]

_LOG_EPS = 1e-12        # MXNet's guard inside log() of probabilities
_POISSON_EPS = 1e-08    # MXNet's guard in PoissonNLLLoss(from_logits=False)


def _apply_weighting(F, loss, weight=None, sample_weight=None):
    """Multiply by the per-sample weights (broadcast) and by the scalar weight."""
    if sample_weight is not None:
        loss = F.broadcast_mul(loss, sample_weight)
    if weight is not None:
        if not isinstance(weight, numeric_types):
            raise MXNetError(f"loss weight must be a number, got {type(weight).__name__}")
        loss = loss * weight
    return loss


def _reshape_like(F, x, y):
    """``x`` reshaped to ``y``'s shape (labels given as (N,) for predictions (N, 1), etc.)."""
    if F is nd:
        return x.reshape(y.shape)
    return F.reshape_like(x, y)


class Loss(HybridBlock):
    """Base of all losses.

    Parameters
    ----------
    weight : float or None
        Global scalar weight of the loss.
    batch_axis : int
        The axis kept when averaging.

    Examples
    --------
    >>> L1Loss()
    L1Loss(batch_axis=0, w=None)
    """

    def __init__(self, weight, batch_axis, **kwargs):
        super().__init__(**kwargs)
        self._weight = weight
        self._batch_axis = batch_axis

    def __repr__(self):
        return f"{self.__class__.__name__}(batch_axis={self._batch_axis}, w={self._weight})"

    def _mean(self, F, loss):
        return F.mean(loss, axis=self._batch_axis, exclude=True)

    def hybrid_forward(self, F, x, *args, **kwargs):
        raise MXNetError(f"{type(self).__name__}: a Loss subclass must define hybrid_forward(F, pred, label, ...)")


class _ElementwiseLoss(Loss):
    """Losses on a label shaped like the prediction: reshape the label, elementwise loss, weighting, mean."""

    def _elementwise(self, F, pred, label):
        raise MXNetError(f"{type(self).__name__} defines no elementwise loss")

    def _scalar_weight(self):
        return self._weight

    def hybrid_forward(self, F, pred, label, sample_weight=None):
        label = _reshape_like(F, label, pred)
        loss = _apply_weighting(F, self._elementwise(F, pred, label), self._scalar_weight(), sample_weight)
        return self._mean(F, loss)


class _MarginLoss(_ElementwiseLoss):
    def __init__(self, margin=1, weight=None, batch_axis=0, **kwargs):
        super().__init__(weight, batch_axis, **kwargs)
        self._margin = margin


class L2Loss(_ElementwiseLoss):
    """``weight / 2 * (label - pred)**2`` averaged per sample.

    Examples
    --------
    >>> import ssdkit as mx
    >>> L2Loss()(mx.nd.array([[1.0, 3.0]]), mx.nd.array([[0.0, 0.0]])).asnumpy()
    array([2.5], dtype=float32)
    """

    def __init__(self, weight=1.0, batch_axis=0, **kwargs):
        super().__init__(weight, batch_axis, **kwargs)

    def _scalar_weight(self):
        return self._weight / 2

    def _elementwise(self, F, pred, label):
        return F.square(label - pred)


class L1Loss(_ElementwiseLoss):
    """``|label - pred|`` averaged per sample.

    Examples
    --------
    >>> import ssdkit as mx
    >>> L1Loss()(mx.nd.array([[1.0, -3.0]]), mx.nd.array([[0.0, 0.0]])).asnumpy()
    array([2.], dtype=float32)
    """

    def __init__(self, weight=None, batch_axis=0, **kwargs):
        super().__init__(weight, batch_axis, **kwargs)

    def _elementwise(self, F, pred, label):
        return F.abs(label - pred)


class SigmoidBinaryCrossEntropyLoss(Loss):
    """Binary cross-entropy on logits (stable form) or, with ``from_sigmoid``, on probabilities.

    ``pos_weight`` (broadcast against the label) weights the positive term.

    Examples
    --------
    >>> import ssdkit as mx
    >>> SigmoidBCELoss()(mx.nd.array([[0.0]]), mx.nd.array([[1.0]])).asnumpy()
    array([0.6931472], dtype=float32)
    """

    def __init__(self, from_sigmoid=False, weight=None, batch_axis=0, **kwargs):
        super().__init__(weight, batch_axis, **kwargs)
        self._from_sigmoid = from_sigmoid

    def hybrid_forward(self, F, pred, label, sample_weight=None, pos_weight=None):
        label = _reshape_like(F, label, pred)
        if not self._from_sigmoid:
            softplus = F.Activation(-F.abs(pred), act_type="softrelu")
            if pos_weight is None:
                loss = F.relu(pred) - pred * label + softplus
            else:
                log_weight = 1 + F.broadcast_mul(pos_weight - 1, label)
                loss = pred - pred * label + log_weight * (softplus + F.relu(-pred))
        else:
            log_p, log_not_p = F.log(pred + _LOG_EPS), F.log(1.0 - pred + _LOG_EPS)
            if pos_weight is None:
                loss = -(log_p * label + log_not_p * (1.0 - label))
            else:
                loss = -(F.broadcast_mul(log_p * label, pos_weight) + log_not_p * (1.0 - label))
        loss = _apply_weighting(F, loss, self._weight, sample_weight)
        return self._mean(F, loss)


SigmoidBCELoss = SigmoidBinaryCrossEntropyLoss


class SoftmaxCrossEntropyLoss(Loss):
    """Cross-entropy of ``softmax(pred)`` along ``axis`` with class indices (``sparse_label``) or distributions.

    Parameters
    ----------
    axis : int
    sparse_label : bool
    from_logits : bool
        ``pred`` already holds log-probabilities.
    weight : float, optional
    batch_axis : int

    Examples
    --------
    >>> import ssdkit as mx
    >>> SoftmaxCELoss(sparse_label=False)(mx.nd.array([[0.0, 0.0]]), mx.nd.array([[0.5, 0.5]])).asnumpy()
    array([0.6931472], dtype=float32)
    """

    def __init__(self, axis=-1, sparse_label=True, from_logits=False, weight=None, batch_axis=0, **kwargs):
        super().__init__(weight, batch_axis, **kwargs)
        self._axis = axis
        self._sparse_label = sparse_label
        self._from_logits = from_logits

    def hybrid_forward(self, F, pred, label, sample_weight=None):
        if not self._from_logits:
            pred = F.log_softmax(pred, self._axis)
        if self._sparse_label:
            loss = -F.pick(pred, label, axis=self._axis, keepdims=True)
        else:
            label = _reshape_like(F, label, pred)
            loss = -F.sum(pred * label, axis=self._axis, keepdims=True)
        loss = _apply_weighting(F, loss, self._weight, sample_weight)
        return self._mean(F, loss)


SoftmaxCELoss = SoftmaxCrossEntropyLoss


class KLDivLoss(Loss):
    """Kullback-Leibler divergence ``label * (log(label) - pred)`` summed over the non-batch axes.

    ``from_logits=True`` means ``pred`` holds log-probabilities; otherwise log_softmax is applied first.

    Examples
    --------
    >>> import ssdkit as mx
    >>> p = mx.nd.array([[0.5, 0.5]])
    >>> float(KLDivLoss()(mx.nd.log(p), p).asscalar()) < 1e-6
    True
    """

    def __init__(self, from_logits=True, axis=-1, weight=None, batch_axis=0, **kwargs):
        super().__init__(weight, batch_axis, **kwargs)
        self._from_logits = from_logits
        self._axis = axis

    def hybrid_forward(self, F, pred, label, sample_weight=None):
        if not self._from_logits:
            pred = F.log_softmax(pred, self._axis)
        loss = label * (F.log(label + _LOG_EPS) - pred)
        loss = _apply_weighting(F, loss, self._weight, sample_weight)
        return F.sum(loss, axis=self._batch_axis, exclude=True)


class HuberLoss(_ElementwiseLoss):
    """Smoothed L1: ``0.5 / rho * d**2`` for ``|d| <= rho``, else ``|d| - 0.5 * rho``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> HuberLoss(rho=1)(mx.nd.array([[0.5, 3.0]]), mx.nd.array([[0.0, 0.0]])).asnumpy()
    array([1.3125], dtype=float32)
    """

    def __init__(self, rho=1, weight=None, batch_axis=0, **kwargs):
        super().__init__(weight, batch_axis, **kwargs)
        self._rho = rho

    def _elementwise(self, F, pred, label):
        loss = F.abs(label - pred)
        return F.where(loss > self._rho, loss - 0.5 * self._rho, (0.5 / self._rho) * F.square(loss))


class HingeLoss(_MarginLoss):
    """``max(0, margin - pred * label)`` for labels in {-1, 1}.

    Examples
    --------
    >>> import ssdkit as mx
    >>> HingeLoss()(mx.nd.array([[0.5, 2.0]]), mx.nd.array([[1.0, 1.0]])).asnumpy()
    array([0.25], dtype=float32)
    """

    def _elementwise(self, F, pred, label):
        return F.relu(self._margin - pred * label)


class SquaredHingeLoss(_MarginLoss):
    """``max(0, margin - pred * label)**2`` for labels in {-1, 1}.

    Examples
    --------
    >>> import ssdkit as mx
    >>> SquaredHingeLoss()(mx.nd.array([[0.5]]), mx.nd.array([[1.0]])).asnumpy()
    array([0.25], dtype=float32)
    """

    def _elementwise(self, F, pred, label):
        return F.square(F.relu(self._margin - pred * label))


class LogisticLoss(_ElementwiseLoss):
    """``log(1 + exp(-pred * label))`` with labels in {-1, 1} ('signed') or {0, 1} ('binary').

    Examples
    --------
    >>> import ssdkit as mx
    >>> LogisticLoss()(mx.nd.array([[0.0]]), mx.nd.array([[1.0]])).asnumpy()
    array([0.6931472], dtype=float32)
    """

    def __init__(self, weight=None, batch_axis=0, label_format="signed", **kwargs):
        super().__init__(weight, batch_axis, **kwargs)
        self._label_format = label_format
        if label_format not in ("signed", "binary"):
            raise MXNetError(f"label_format can only be signed or binary, recieved {label_format}.")

    def _elementwise(self, F, pred, label):
        if self._label_format == "signed":
            label = (label + 1.0) / 2.0
        return F.relu(pred) - pred * label + F.Activation(-F.abs(pred), act_type="softrelu")


class TripletLoss(Loss):
    """``max(0, |pos - pred|² - |neg - pred|² + margin)`` per sample (squared distances summed).

    Examples
    --------
    >>> import ssdkit as mx
    >>> a = mx.nd.zeros((1, 2)); TripletLoss()(a, a, a + 2).asnumpy()
    array([0.], dtype=float32)
    """

    def __init__(self, margin=1, weight=None, batch_axis=0, **kwargs):
        super().__init__(weight, batch_axis, **kwargs)
        self._margin = margin

    def hybrid_forward(self, F, pred, positive, negative):
        positive = _reshape_like(F, positive, pred)
        negative = _reshape_like(F, negative, pred)
        loss = F.sum(F.square(positive - pred) - F.square(negative - pred), axis=self._batch_axis, exclude=True)
        loss = F.relu(loss + self._margin)
        return _apply_weighting(F, loss, self._weight, None)


class PoissonNLLLoss(Loss):
    """Poisson negative log-likelihood, averaged over all elements (a scalar, as MXNet).

    Examples
    --------
    >>> import ssdkit as mx
    >>> float(PoissonNLLLoss()(mx.nd.zeros((1, 2)), mx.nd.ones((1, 2))).asscalar())
    1.0
    """

    def __init__(self, weight=None, from_logits=True, batch_axis=0, compute_full=False, **kwargs):
        super().__init__(weight, batch_axis, **kwargs)
        self._from_logits = from_logits
        self._compute_full = compute_full

    def hybrid_forward(self, F, pred, target, sample_weight=None, epsilon=_POISSON_EPS):
        target = _reshape_like(F, target, pred)
        if self._from_logits:
            loss = F.exp(pred) - target * pred
        else:
            loss = pred - target * F.log(pred + epsilon)
        if self._compute_full:
            stirling = target * F.log(target) - target + 0.5 * F.log(2 * target * np.pi)
            loss = loss + stirling * (target > 1)
        loss = _apply_weighting(F, loss, self._weight, sample_weight)
        return F.mean(loss)


class FocalLoss(Loss):
    """Focal loss of the straight-dope SSD notebook: ``-alpha * (1 - pt)**gamma * log(pt)``, ``pt`` the softmax
    probability of the labelled class, averaged per sample.

    Parameters
    ----------
    axis : int
        Class axis of ``output``.
    alpha : float
    gamma : float
    batch_axis : int
    weight : float, optional
        Scalar weight (the notebook has none; None keeps its formula).

    Examples
    --------
    >>> import ssdkit as mx
    >>> FocalLoss()
    FocalLoss(batch_axis=0, w=None)
    >>> FocalLoss()(mx.nd.array([[0.0, 0.0]]), mx.nd.array([1])).asnumpy()
    array([0.04332169], dtype=float32)
    """

    def __init__(self, axis=-1, alpha=0.25, gamma=2, batch_axis=0, weight=None, **kwargs):
        super().__init__(weight, batch_axis, **kwargs)
        self._axis = axis
        self._alpha = alpha
        self._gamma = gamma

    def hybrid_forward(self, F, output, label, sample_weight=None):
        output = F.softmax(output)
        pt = F.pick(output, label, axis=self._axis, keepdims=True)
        loss = -self._alpha * ((1 - pt) ** self._gamma) * F.log(pt)
        loss = _apply_weighting(F, loss, self._weight, sample_weight)
        return self._mean(F, loss)


from .loss_embedding import CosineEmbeddingLoss, SDMLLoss  # noqa: E402  (they build on Loss / KLDivLoss)
from .loss_ctc import CTCLoss  # noqa: E402
