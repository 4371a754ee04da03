"""MXNet 1.9.1's binary-classification metrics F1 and MCC, from true/false positive/negative counts.

Predictions are (N, 2) scores (the class is their argmax) and labels are 0/1. ``average='macro'`` averages the
per-update score; ``'micro'`` computes one score over all samples seen. Both keep global counts that
``reset_local`` leaves alone, as MXNet does.

Examples
--------
>>> import numpy as np
>>> f1 = F1()
>>> f1.update([np.array([0., 1., 1.])], [np.array([[0.3, 0.7], [0., 1.], [0.4, 0.6]])])
>>> f1.get()
('f1', 0.8)
"""
import math

import numpy

from ..base import MXNetError
from .core import EvalMetric, to_numpy, check_label_shapes
from .registry import register

__all__ = ["BinaryCounts", "F1", "MCC"]


class BinaryCounts:
    """Local and global counts of true/false positives/negatives, and the scores made from them.

    Examples
    --------
    >>> c = BinaryCounts(); c.add(numpy.array([1, 0, 1]), numpy.array([[0, 1], [0, 1], [1, 0]]))
    >>> c.local, c.fscore(), round(c.mcc(), 4)
    ([1, 1, 1, 0], 0.5, -0.5)
    """

    def __init__(self):
        self.local = [0, 0, 0, 0]    # tp, fp, fn, tn
        self.total = [0, 0, 0, 0]

    def add(self, label, pred, op="F1"):
        """Count one batch: ``label`` (N,) of 0/1, ``pred`` (N, 2) scores."""
        label, pred = to_numpy(label).astype("int32").ravel(), to_numpy(pred)
        predicted = numpy.argmax(pred, axis=1)
        check_label_shapes(label, predicted, op=op)
        if len(numpy.unique(label)) > 2:
            raise MXNetError(f"{op} supports binary classification only; labels hold {numpy.unique(label)[:5]}")
        pos, true = predicted == 1, label == 1
        counts = [int((pos & true).sum()), int((pos & ~true).sum()), int((~pos & true).sum()),
                  int((~pos & ~true).sum())]
        self.local = [a + b for a, b in zip(self.local, counts)]
        self.total = [a + b for a, b in zip(self.total, counts)]

    def reset_local(self):
        """Zero the counts since the last ``reset_local`` (the global counts stay)."""
        self.local = [0, 0, 0, 0]

    def reset(self):
        """Zero every count."""
        self.local, self.total = [0, 0, 0, 0], [0, 0, 0, 0]

    def examples(self, use_global=False):
        """How many samples were counted (locally, or globally)."""
        return sum(self.total if use_global else self.local)

    def fscore(self, use_global=False):
        """Harmonic mean of precision and recall (0 when both are 0)."""
        tp, fp, fn, _ = self.total if use_global else self.local
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        return 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    def mcc(self, use_global=False):
        """Matthews correlation; zero factors of the denominator count as 1, as in MXNet."""
        tp, fp, fn, tn = (float(v) for v in (self.total if use_global else self.local))
        if not tp + fp + fn + tn:
            return 0.0
        denom = 1.0
        for term in (tp + fp, tp + fn, tn + fp, tn + fn):
            if term:
                denom *= term
        return (tp * tn - fp * fn) / math.sqrt(denom)


class _BinaryMetric(EvalMetric):
    """F1 and MCC: a score of the counts, averaged per update ('macro') or over all samples ('micro')."""

    score = None   # name of the BinaryCounts method

    def __init__(self, name, output_names=None, label_names=None, average="macro"):
        if average not in ("macro", "micro"):
            raise MXNetError(f"{type(self).__name__}: average must be 'macro' or 'micro', got {average!r}")
        self.average = average
        self.counts = BinaryCounts()
        super().__init__(name, output_names=output_names, label_names=label_names, has_global_stats=True)

    def update(self, labels, preds):
        """Count the batch (labels (N,) of 0/1, preds (N, 2) scores) and update the score."""
        labels, preds = check_label_shapes(labels, preds, wrap=True, op=type(self).__name__)
        for label, pred in zip(labels, preds):
            self.counts.add(label, pred, op=type(self).__name__)
        score = getattr(self.counts, self.score)
        if self.average == "macro":
            self.sum_metric += score()
            self.global_sum_metric += score(use_global=True)
            self.num_inst += 1
            self.global_num_inst += 1
            self.counts.reset()  # MXNet clears both local and global counts after a macro update
        else:
            self.sum_metric = score() * self.counts.examples()
            self.global_sum_metric = score(use_global=True) * self.counts.examples(use_global=True)
            self.num_inst = self.counts.examples()
            self.global_num_inst = self.counts.examples(use_global=True)

    def reset(self):
        super().reset()
        if hasattr(self, "counts"):
            self.counts.reset()

    def reset_local(self):
        super().reset_local()
        self.counts.reset_local()


@register
class F1(_BinaryMetric):
    """F1 score of binary classification: ``2 * precision * recall / (precision + recall)``.

    Parameters
    ----------
    name : str, default 'f1'
    output_names, label_names : list of str or None
    average : {'macro', 'micro'}
        'macro' averages the score of each update; 'micro' computes one score over all samples.

    Examples
    --------
    >>> f1 = F1(average='micro')
    >>> f1.update([numpy.array([0, 1])], [numpy.array([[0.9, 0.1], [0.2, 0.8]])]); f1.get()
    ('f1', 1.0)
    """

    score = "fscore"

    def __init__(self, name="f1", output_names=None, label_names=None, average="macro"):
        super().__init__(name, output_names, label_names, average)


@register
class MCC(_BinaryMetric):
    """Matthews correlation coefficient of binary classification (-1 to 1; 0 is chance).

    Parameters
    ----------
    name : str, default 'mcc'
    output_names, label_names : list of str or None
    average : {'macro', 'micro'}

    Examples
    --------
    >>> m = MCC()
    >>> m.update([numpy.array([0, 1, 1, 0])], [numpy.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.7, 0.3]])])
    >>> round(m.get()[1], 4)
    0.5774
    """

    score = "mcc"

    def __init__(self, name="mcc", output_names=None, label_names=None, average="macro"):
        super().__init__(name, output_names, label_names, average)
