"""MXNet 1.9.1's likelihood and correlation metrics: Perplexity, NegativeLogLikelihood, PearsonCorrelation, PCC,
and the loss aliases Torch and Caffe.

Examples
--------
>>> import numpy as np
>>> perp = Perplexity(ignore_label=None)
>>> perp.update([np.array([0, 1, 1])], [np.array([[0.3, 0.7], [0., 1.], [0.4, 0.6]])])
>>> round(perp.get()[1], 6)
1.771098
"""
import math

import numpy

from ..base import MXNetError
from .basic import Loss
from .core import EvalMetric, to_numpy, check_label_shapes
from .registry import register, alias

__all__ = ["Perplexity", "NegativeLogLikelihood", "PearsonCorrelation", "PCC", "Torch", "Caffe"]


@register
class Perplexity(EvalMetric):
    """``exp`` of the mean negative log-probability of the labelled class (probabilities floored at 1e-10).

    Parameters
    ----------
    ignore_label : int or None
        Samples with this label count neither in the sum nor in the number of samples.
    axis : int, default -1
        The class axis of the predictions.
    name : str, default 'perplexity'

    Examples
    --------
    >>> p = Perplexity(ignore_label=1); p.update([numpy.array([0, 1])], [numpy.array([[0.5, 0.5], [0.9, 0.1]])])
    >>> p.get()
    ('perplexity', 2.0)
    """

    def __init__(self, ignore_label, axis=-1, name="perplexity", output_names=None, label_names=None):
        super().__init__(name, ignore_label=ignore_label, output_names=output_names, label_names=label_names,
                         has_global_stats=True)
        self.ignore_label, self.axis = ignore_label, axis

    def update(self, labels, preds):
        """Add ``-sum(log p[label])`` and the number of counted samples."""
        labels, preds = check_label_shapes(labels, preds, wrap=True, op="Perplexity")
        loss, num = 0.0, 0
        for label, pred in zip(labels, preds):
            label, pred = to_numpy(label), to_numpy(pred)
            if label.size * pred.shape[self.axis] != pred.size:
                raise MXNetError(f"Perplexity: {label.size} labels for predictions of shape {pred.shape} "
                                 f"(classes on axis {self.axis})")
            classes = numpy.moveaxis(pred, self.axis, -1).reshape(-1, pred.shape[self.axis])
            ids = numpy.clip(label.reshape(-1).astype(numpy.int64), 0, classes.shape[1] - 1)  # pick's 'clip'
            picked = classes[numpy.arange(ids.size), ids]
            if self.ignore_label is not None:
                ignore = (label.reshape(-1) == self.ignore_label).astype(picked.dtype)
                num -= int(ignore.sum())
                picked = picked * (1 - ignore) + ignore
            loss -= float(numpy.log(numpy.maximum(1e-10, picked)).sum())
            num += picked.size
        self._add(loss, num)

    def get(self):
        """``(name, exp(mean negative log-probability))``, NaN before any sample."""
        return (self.name, math.exp(self.sum_metric / self.num_inst) if self.num_inst else float("nan"))

    def get_global(self):
        """The same over everything since the last full ``reset``."""
        return (self.name, math.exp(self.global_sum_metric / self.global_num_inst) if self.global_num_inst
                else float("nan"))


@register
@alias("nll_loss")
class NegativeLogLikelihood(EvalMetric):
    """Mean of ``-log(p[label] + eps)`` (MXNet's ``nll_loss``).

    Examples
    --------
    >>> m = NegativeLogLikelihood(); m.update([numpy.array([2, 1])], [numpy.array([[.2, .3, .5], [.6, .1, .3]])])
    >>> round(m.get()[1], 6)
    1.497866
    """

    def __init__(self, eps=1e-12, name="nll-loss", output_names=None, label_names=None):
        super().__init__(name, eps=eps, output_names=output_names, label_names=label_names, has_global_stats=True)
        self.eps = eps

    def update(self, labels, preds):
        """Add the summed negative log-likelihood of each batch."""
        labels, preds = check_label_shapes(labels, preds, wrap=True, op="NegativeLogLikelihood")
        for label, pred in zip(labels, preds):
            label, pred = to_numpy(label).ravel(), to_numpy(pred)
            if label.shape[0] != pred.shape[0]:
                raise MXNetError(f"NegativeLogLikelihood: {label.shape[0]} labels for {pred.shape[0]} predictions")
            prob = pred[numpy.arange(pred.shape[0], dtype=numpy.int64), label.astype(numpy.int64)]
            self._add(float((-numpy.log(prob + self.eps)).sum()), pred.shape[0])


@register
@alias("pearsonr")
class PearsonCorrelation(EvalMetric):
    """Pearson correlation of predictions and labels: per update, averaged ('macro'), or over every value seen
    ('micro', with running means and sums of squares).

    Examples
    --------
    >>> m = PearsonCorrelation()
    >>> m.update([numpy.array([[1, 0], [0, 1], [0, 1]])], [numpy.array([[0.3, 0.7], [0, 1.], [0.4, 0.6]])])
    >>> round(m.get()[1], 6)
    0.421637
    """

    def __init__(self, name="pearsonr", output_names=None, label_names=None, average="macro"):
        if average not in ("macro", "micro"):
            raise MXNetError(f"PearsonCorrelation: average must be 'macro' or 'micro', got {average!r}")
        self.average = average
        super().__init__(name, output_names=output_names, label_names=label_names, has_global_stats=True)

    def reset(self):
        super().reset()
        # micro: count, mean and sum of squared deviations of labels and predictions, and the co-moment
        self._labels = [0, 0.0, 0.0]
        self._preds = [0, 0.0, 0.0]
        self._comoment = 0.0

    @staticmethod
    def _welford(stats, values):
        count, mean, m2 = stats
        count += len(values)
        delta = values - mean
        mean += float(numpy.sum(delta / count))
        m2 += float(numpy.sum(delta * (values - mean)))
        return [count, mean, m2]

    def update(self, labels, preds):
        """Add one correlation per batch ('macro') or the batch's values to the running sums ('micro')."""
        labels, preds = check_label_shapes(labels, preds, wrap=True, op="PearsonCorrelation")
        for label, pred in zip(labels, preds):
            label, pred = to_numpy(label), to_numpy(pred)
            check_label_shapes(label, pred, shape=True, op="PearsonCorrelation")
            label, pred = label.ravel().astype(numpy.float64), pred.ravel().astype(numpy.float64)
            self.num_inst += 1
            self.global_num_inst += 1
            if self.average == "macro":
                corr = float(numpy.corrcoef(pred, label)[0, 1])
                self.sum_metric += corr
                self.global_sum_metric += corr
            else:  # labels' mean is updated first: the co-moment uses the new label mean, the old prediction mean
                self._labels = self._welford(self._labels, label)
                self._comoment += float(numpy.sum((label - self._labels[1]) * (pred - self._preds[1])))
                self._preds = self._welford(self._preds, pred)

    def get(self):
        """``(name, correlation)``, NaN before any update."""
        if not self.num_inst:
            return (self.name, float("nan"))
        if self.average == "macro":
            return (self.name, self.sum_metric / self.num_inst)
        n = self._labels[0]
        return (self.name, self._comoment / ((n - 1) * numpy.sqrt(self._preds[2] / (n - 1))
                                             * numpy.sqrt(self._labels[2] / (n - 1))))


@register
class PCC(EvalMetric):
    """Multiclass Pearson correlation from the confusion matrix (equals MCC for two classes); the matrix grows
    with the largest class id seen.

    Examples
    --------
    >>> m = PCC(); m.update([numpy.array([0, 1, 2, 2])], [numpy.array([0, 1, 2, 1])])
    >>> round(m.get()[1], 4)
    0.7
    """

    def __init__(self, name="pcc", output_names=None, label_names=None, has_global_stats=True):
        self.k = 2
        super().__init__(name, output_names=output_names, label_names=label_names, has_global_stats=has_global_stats)

    def _grow(self, by):
        self.lcm = numpy.pad(self.lcm, ((0, by), (0, by)))
        self.gcm = numpy.pad(self.gcm, ((0, by), (0, by)))
        self.k += by

    @staticmethod
    def _correlation(cmat):
        n = cmat.sum()
        x, y = cmat.sum(axis=1), cmat.sum(axis=0)
        cov_xx, cov_yy = numpy.sum(x * (n - x)), numpy.sum(y * (n - y))
        if cov_xx == 0 or cov_yy == 0:
            return float("nan")
        return float(numpy.sum(cmat.diagonal() * n - x * y) / (cov_xx * cov_yy) ** 0.5)

    def update(self, labels, preds):
        """Add each batch to the confusion matrix (rows: predicted class, columns: label)."""
        labels, preds = check_label_shapes(labels, preds, wrap=True, op="PCC")
        for label, pred in zip(labels, preds):
            label, pred = to_numpy(label).astype("int32"), to_numpy(pred)
            pred = pred.argmax(axis=1) if pred.shape != label.shape else pred.astype("int32")
            n = int(max(pred.max(), label.max()))
            if n >= self.k:
                self._grow(n + 1 - self.k)
            batch = numpy.zeros((self.k, self.k))
            numpy.add.at(batch, (pred.ravel(), label.ravel()), 1)
            self.lcm += batch
            self.gcm += batch
        self.num_inst += 1
        self.global_num_inst += 1

    @property
    def sum_metric(self):
        """The correlation of the local confusion matrix times ``num_inst`` (so ``get`` divides it back)."""
        return self._correlation(self.lcm) * self.num_inst

    @sum_metric.setter
    def sum_metric(self, _):  # the score is computed from the matrix
        pass

    @property
    def global_sum_metric(self):
        """The correlation of the global confusion matrix times ``global_num_inst``."""
        return self._correlation(self.gcm) * self.global_num_inst

    @global_sum_metric.setter
    def global_sum_metric(self, _):
        pass

    def reset(self):
        self.global_num_inst = 0.0
        self.gcm = numpy.zeros((self.k, self.k))
        self.reset_local()

    def reset_local(self):
        self.num_inst = 0.0
        self.lcm = numpy.zeros((self.k, self.k))


@register
class Torch(Loss):
    """Mean of loss values, under the name 'torch' (MXNet's alias of :class:`Loss`).

    Examples
    --------
    >>> m = Torch(); m.update(None, [numpy.array([1.0, 3.0])]); m.get()
    ('torch', 2.0)
    """

    def __init__(self, name="torch", output_names=None, label_names=None):
        super().__init__(name, output_names=output_names, label_names=label_names)


@register
class Caffe(Loss):
    """Mean of loss values, under the name 'caffe' (MXNet's alias of :class:`Loss`).

    Examples
    --------
    >>> m = Caffe(); m.update(None, [numpy.array([2.0])]); m.get()
    ('caffe', 2.0)
    """

    def __init__(self, name="caffe", output_names=None, label_names=None):
        super().__init__(name, output_names=output_names, label_names=label_names)
