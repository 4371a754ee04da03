"""MXNet 1.9.1's basic metrics: accuracy, top-k accuracy, MAE/MSE/RMSE, cross-entropy, loss.

Each ``update(labels, preds)`` takes a list of arrays (or one array) per argument; arrays may be
numpy arrays, nested lists or NDArrays.

Examples
--------
>>> import numpy as np
>>> acc = Accuracy()
>>> acc.update([np.array([0, 1, 1])], [np.array([[0.3, 0.7], [0.0, 1.0], [0.4, 0.6]])])
>>> acc.get()
('accuracy', 0.666...)
"""
import numpy

from ..base import MXNetError
from .core import EvalMetric, to_numpy, as_list, check_label_shapes
from .registry import register, alias

__all__ = ["Accuracy", "TopKAccuracy", "MAE", "MSE", "RMSE", "CrossEntropy", "Loss"]


def _pairs(labels, preds, op):
    """Yield (label, pred) numpy pairs after MXNet's length check."""
    labels, preds = check_label_shapes(labels, preds, wrap=True, op=op)
    for label, pred in zip(labels, preds):
        yield to_numpy(label), to_numpy(pred)


def _as_column(array):
    # MXNet's regression metrics turn 1-D vectors into (n, 1) columns before subtracting
    return array.reshape(array.shape[0], 1) if array.ndim == 1 else array


@register
@alias("acc")
class Accuracy(EvalMetric):
    """Fraction of samples whose predicted class equals the label.

    Parameters
    ----------
    axis : int, default 1
        Class axis of a score prediction; a prediction shaped like its label is used as class ids.
    name : str, default 'accuracy'
    output_names, label_names : list of str or None

    Examples
    --------
    >>> acc = Accuracy()
    >>> acc.update([numpy.array([0, 1, 1])], [numpy.array([[0.3, 0.7], [0, 1.], [0.4, 0.6]])])
    >>> acc.get()
    ('accuracy', 0.6666666666666666)
    """

    def __init__(self, axis=1, name="accuracy", output_names=None, label_names=None):
        super().__init__(name, axis=axis, output_names=output_names, label_names=label_names,
                         has_global_stats=True)
        self.axis = axis

    def update(self, labels, preds):
        """Count correct predictions.

        Parameters
        ----------
        labels : list of arrays, shape (N,) or any shape
            Class ids (truncated to int32 as MXNet does).
        preds : list of arrays, shape (N, C) scores or the label's shape (class ids)

        Examples
        --------
        >>> acc = Accuracy(); acc.update([[2, 0]], [[2, 1]]); acc.get()
        ('accuracy', 0.5)
        """
        for label, pred in _pairs(labels, preds, "Accuracy"):
            if pred.shape != label.shape:
                pred = numpy.argmax(pred, axis=self.axis)
            pred = pred.astype("int32").ravel()
            label = label.astype("int32").ravel()
            check_label_shapes(label, pred, op="Accuracy")
            self._add(int((pred == label).sum()), len(pred))


@register
@alias("top_k_accuracy", "top_k_acc")
class TopKAccuracy(EvalMetric):
    """Fraction of samples whose label is among the ``top_k`` highest scores.

    Parameters
    ----------
    top_k : int, > 1
    name : str, default 'top_k_accuracy' (``_<top_k>`` is appended)
    output_names, label_names : list of str or None

    Examples
    --------
    >>> m = TopKAccuracy(top_k=2)
    >>> m.update([numpy.array([2, 0])], [numpy.array([[0.1, 0.5, 0.4], [0.2, 0.3, 0.5]])])
    >>> m.get()
    ('top_k_accuracy_2', 0.5)
    """

    def __init__(self, top_k=1, name="top_k_accuracy", output_names=None, label_names=None):
        super().__init__(name, top_k=top_k, output_names=output_names, label_names=label_names,
                         has_global_stats=True)
        if top_k <= 1:
            raise MXNetError(f"TopKAccuracy: top_k must be > 1 (use Accuracy for top_k=1), got {top_k}")
        self.top_k = top_k
        self.name += f"_{top_k}"

    def update(self, labels, preds):
        """Count samples whose label is in the top-k predictions.

        Parameters
        ----------
        labels : list of arrays, shape (N,)
        preds : list of arrays, shape (N, C) (or (N,) class ids)

        Examples
        --------
        >>> m = TopKAccuracy(top_k=2); m.update([[1]], [[[0.2, 0.1, 0.7]]]); m.get()
        ('top_k_accuracy_2', 0.0)
        """
        for label, pred in _pairs(labels, preds, "TopKAccuracy"):
            if pred.ndim > 2:
                raise MXNetError(f"TopKAccuracy: predictions must have at most 2 dims, got shape {pred.shape}")
            if self.top_k > pred.shape[-1]:
                raise MXNetError(f"TopKAccuracy: top_k={self.top_k} exceeds the {pred.shape[-1]} scores per "
                                 f"sample (predictions shape {pred.shape})")
            # argpartition puts the k largest in the last k columns (their order does not matter)
            top = numpy.argpartition(pred.astype("float32"), -self.top_k)
            label = label.astype("int32")
            check_label_shapes(label, top, op="TopKAccuracy")
            if top.ndim == 1:
                correct = (top.ravel() == label.ravel()).sum()
            else:
                correct = (top[:, -self.top_k:] == label.reshape(-1, 1)).sum()
            self._add(int(correct), top.shape[0])


class _Regression(EvalMetric):
    """MAE / MSE / RMSE: one mean per (label, pred) pair, averaged over pairs as MXNet does."""

    default_name = "regression"

    def __init__(self, name=None, output_names=None, label_names=None):
        super().__init__(name or self.default_name, output_names=output_names, label_names=label_names,
                         has_global_stats=True)

    def update(self, labels, preds):
        """Add one per-batch error per (label, pred) pair.

        Parameters
        ----------
        labels, preds : list of arrays, shape (N,) or (N, K)

        Examples
        --------
        >>> m = MSE(); m.update([[1.0, 2.0]], [[2.0, 2.0]]); m.get()
        ('mse', 0.5)
        """
        for label, pred in _pairs(labels, preds, type(self).__name__):
            label, pred = _as_column(label), _as_column(pred)
            try:   # MXNet lets (N, 1) labels broadcast against (N, K) predictions; anything else is a user error
                numpy.broadcast_shapes(label.shape, pred.shape)
            except ValueError:
                raise MXNetError(f"{type(self).__name__}.update: label shape {label.shape} and prediction shape "
                                 f"{pred.shape} do not match (nor broadcast)") from None
            self._add(self._error(label - pred), 1)


@register
class MAE(_Regression):
    """Mean absolute error, averaged over update pairs.

    Parameters
    ----------
    name : str, default 'mae'
    output_names, label_names : list of str or None

    Examples
    --------
    >>> m = MAE()
    >>> m.update([numpy.array([2.5, 0.0, 2, 8])], [numpy.array([3, -0.5, 2, 7])])
    >>> m.get()
    ('mae', 0.5)
    """

    default_name = "mae"

    @staticmethod
    def _error(diff):
        return float(numpy.abs(diff).mean())


@register
class MSE(_Regression):
    """Mean squared error, averaged over update pairs.

    Parameters
    ----------
    name : str, default 'mse'
    output_names, label_names : list of str or None

    Examples
    --------
    >>> m = MSE()
    >>> m.update([numpy.array([2.5, 0.0, 2, 8])], [numpy.array([3, -0.5, 2, 7])])
    >>> m.get()
    ('mse', 0.375)
    """

    default_name = "mse"

    @staticmethod
    def _error(diff):
        return float((diff ** 2.0).mean())


@register
class RMSE(_Regression):
    """Root mean squared error of each pair, averaged over update pairs.

    Parameters
    ----------
    name : str, default 'rmse'
    output_names, label_names : list of str or None

    Examples
    --------
    >>> m = RMSE()
    >>> m.update([numpy.array([2.5, 0.0, 2, 8])], [numpy.array([3, -0.5, 2, 7])])
    >>> round(m.get()[1], 6)
    0.612372
    """

    default_name = "rmse"

    @staticmethod
    def _error(diff):
        return float(numpy.sqrt((diff ** 2.0).mean()))


@register
@alias("ce")
class CrossEntropy(EvalMetric):
    """Mean of ``-log(p[label] + eps)`` over samples.

    Parameters
    ----------
    eps : float, default 1e-12
    name : str, default 'cross-entropy'
    output_names, label_names : list of str or None

    Examples
    --------
    >>> ce = CrossEntropy()
    >>> ce.update([numpy.array([0, 1, 1])], [numpy.array([[0.3, 0.7], [0, 1.], [0.4, 0.6]])])
    >>> round(ce.get()[1], 6)
    0.571599
    """

    def __init__(self, eps=1e-12, name="cross-entropy", output_names=None, label_names=None):
        super().__init__(name, eps=eps, output_names=output_names, label_names=label_names,
                         has_global_stats=True)
        self.eps = eps

    def update(self, labels, preds):
        """Add the summed negative log-likelihood of the labelled class.

        Parameters
        ----------
        labels : list of arrays, shape (N,)
        preds : list of arrays, shape (N, C) probabilities

        Examples
        --------
        >>> ce = CrossEntropy(); ce.update([[0]], [[[1.0, 0.0]]]); abs(ce.get()[1]) < 1e-9
        True
        """
        for label, pred in _pairs(labels, preds, "CrossEntropy"):
            label = label.ravel()
            if pred.ndim != 2 or label.shape[0] != pred.shape[0]:
                raise MXNetError(f"CrossEntropy: predictions must be (N, C) with N = {label.shape[0]} labels, "
                                 f"got shape {pred.shape}")
            prob = pred[numpy.arange(label.shape[0]), label.astype(numpy.int64)]
            self._add(float((-numpy.log(prob + self.eps)).sum()), label.shape[0])


@register
class Loss(EvalMetric):
    """Mean of the loss values given as predictions (labels are ignored).

    Parameters
    ----------
    name : str, default 'loss'
    output_names, label_names : list of str or None

    Examples
    --------
    >>> m = Loss()
    >>> m.update(None, numpy.array([0.5, 1.5], dtype=numpy.float32))
    >>> m.get()
    ('loss', 1.0)
    """

    def __init__(self, name="loss", output_names=None, label_names=None):
        super().__init__(name, output_names=output_names, label_names=label_names, has_global_stats=True)

    def update(self, _, preds):
        """Add the sum and the element count of every loss array.

        Parameters
        ----------
        _ : ignored
        preds : array or list of arrays, any shape

        Examples
        --------
        >>> m = Loss(); m.update(None, [[1.0, 2.0], [3.0]]); m.get()
        ('loss', 2.0)
        """
        for pred in as_list(preds):
            pred = to_numpy(pred)
            self._add(float(pred.sum()), pred.size)
