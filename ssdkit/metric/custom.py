"""Metrics from user functions: ``CustomMetric`` and ``np`` (MXNet's ``mx.metric.np``).

Examples
--------
>>> import numpy
>>> m = CustomMetric(lambda label, pred: float((label == pred).mean()), name="same")
>>> m.update([numpy.array([1, 2])], [numpy.array([1, 3])]); m.get()
('same', 0.5)
"""
from ..base import MXNetError
from .core import EvalMetric, to_numpy, as_list, check_label_shapes
from .registry import register

__all__ = ["CustomMetric", "np"]


@register
class CustomMetric(EvalMetric):
    """A metric from ``feval(label, pred)`` on numpy arrays returning a value or ``(sum, count)``.

    Parameters
    ----------
    feval : callable(label, pred)
    name : str, optional
        Default: ``feval.__name__``, wrapped as ``custom(<lambda>)`` for lambdas.
    allow_extra_outputs : bool, default False
        Skip the labels/preds length check (extra outputs such as RNN states are ignored by zip).
    output_names, label_names : list of str or None

    Examples
    --------
    >>> import numpy
    >>> m = CustomMetric(lambda y, p: (y + p).mean())
    >>> m.update([numpy.array([2.5, 0.0, 2, 8])], [numpy.array([3, -0.5, 2, 7])])
    >>> name, value = m.get(); name, float(value)
    ('custom(<lambda>)', 6.0)
    """

    def __init__(self, feval, name=None, allow_extra_outputs=False, output_names=None, label_names=None):
        if name is None:
            name = feval.__name__
            if "<" in name:
                name = f"custom({name})"
        super().__init__(name, feval=feval, allow_extra_outputs=allow_extra_outputs,
                         output_names=output_names, label_names=label_names, has_global_stats=True)
        self._feval = feval
        self._allow_extra_outputs = allow_extra_outputs

    def update(self, labels, preds):
        """Call ``feval`` on each (label, pred) pair of numpy arrays.

        Parameters
        ----------
        labels, preds : list of arrays

        Examples
        --------
        >>> m = CustomMetric(lambda y, p: (float(abs(y - p).sum()), y.size), name="l1")
        >>> m.update([[1.0, 1.0]], [[0.0, 3.0]]); m.get()
        ('l1', 1.5)
        """
        if self._allow_extra_outputs:
            labels, preds = as_list(labels), as_list(preds)
        else:
            labels, preds = check_label_shapes(labels, preds, wrap=True, op=f"CustomMetric {self.name}")
        for label, pred in zip(labels, preds):
            result = self._feval(to_numpy(label), to_numpy(pred))
            if isinstance(result, tuple):
                self._add(result[0], result[1])
            else:
                self._add(result, 1)

    def get_config(self):
        """A custom metric holds a Python callable and cannot be serialized (MXNet refuses too).

        Examples
        --------
        >>> CustomMetric(len).get_config()
        Traceback (most recent call last):
        ...
        ssdkit.base.MXNetError: CustomMetric len: a custom metric cannot be serialized
        """
        raise MXNetError(f"CustomMetric {self.name}: a custom metric cannot be serialized")


def np(numpy_feval, name=None, allow_extra_outputs=False):
    """Wrap a numpy function ``feval(label, pred) -> float`` as a :class:`CustomMetric` (``mx.metric.np``).

    Parameters
    ----------
    numpy_feval : callable(label, pred)
    name : str, optional
    allow_extra_outputs : bool, default False

    Returns
    -------
    CustomMetric

    Examples
    --------
    >>> def l1(label, pred):
    ...     return float(abs(label - pred).mean())
    >>> m = np(l1); m.update([[1.0]], [[3.0]]); m.get()
    ('l1', 2.0)
    """
    def feval(label, pred):
        return numpy_feval(label, pred)
    feval.__name__ = numpy_feval.__name__
    return CustomMetric(feval, name, allow_extra_outputs)
