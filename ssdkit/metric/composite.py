"""``CompositeEvalMetric`` (several metrics updated together) and ``create`` (MXNet's metric factory).

Examples
--------
>>> import numpy as np
>>> m = create(["acc", "mae"])
>>> m.update([np.array([1.0, 0.0])], [np.array([1.0, 1.0])])
>>> m.get()
(['accuracy', 'mae'], [0.5, 0.5])
"""
from ..base import MXNetError
from .core import EvalMetric
from .registry import register, alias, create_registered
from .custom import CustomMetric

__all__ = ["CompositeEvalMetric", "create"]


def create(metric, *args, **kwargs):
    """Create a metric from a name, an instance, a list of those, or a function ``feval(label, pred)``.

    Parameters
    ----------
    metric : str, EvalMetric, callable, dict or list
        A registered name such as ``'acc'``, ``'accuracy'``, ``'mae'``, ``'loss'``, ``'ce'``; an
        instance (returned as is); a list (-> :class:`CompositeEvalMetric` of each item); a callable
        (-> :class:`CustomMetric`); a config dict from ``get_config()``.
    *args, **kwargs
        Passed to the metric constructor (to every item of a list).

    Returns
    -------
    EvalMetric

    Examples
    --------
    >>> create("acc").name
    'accuracy'
    >>> create(lambda label, pred: 0.0).name
    'custom(<lambda>)'
    >>> create("nope")
    Traceback (most recent call last):
    ...
    ssdkit.base.MXNetError: metric.create: unknown metric 'nope'; registered: ...
    """
    if callable(metric) and not isinstance(metric, (EvalMetric, type)):
        return CustomMetric(metric, *args, **kwargs)
    if isinstance(metric, list):
        composite = CompositeEvalMetric()
        for child in metric:
            composite.add(create(child, *args, **kwargs))
        return composite
    return create_registered(metric, *args, **kwargs)


@register
@alias("composite")
class CompositeEvalMetric(EvalMetric):
    """Several metrics updated with the same batches; ``get`` concatenates their names and values.

    Parameters
    ----------
    metrics : list, optional
        Metrics or anything :func:`create` accepts.
    name : str, default 'composite'
    output_names, label_names : list of str or None

    Examples
    --------
    >>> import numpy as np
    >>> m = CompositeEvalMetric(["acc", "ce"])
    >>> m.update([np.array([0, 1, 1])], [np.array([[0.3, 0.7], [0, 1.], [0.4, 0.6]])])
    >>> names, values = m.get(); names, [round(v, 4) for v in values]
    (['accuracy', 'cross-entropy'], [0.6667, 0.5716])
    """

    def __init__(self, metrics=None, name="composite", output_names=None, label_names=None):
        super().__init__(name, output_names=output_names, label_names=label_names, has_global_stats=True)
        self.metrics = [create(m) for m in (metrics or [])]

    def add(self, metric):
        """Append a child metric (anything :func:`create` accepts).

        Examples
        --------
        >>> m = CompositeEvalMetric(); m.add("mae"); len(m.metrics)
        1
        """
        self.metrics.append(create(metric))

    def get_metric(self, index):
        """The child metric at ``index``.

        Parameters
        ----------
        index : int

        Returns
        -------
        EvalMetric

        Examples
        --------
        >>> CompositeEvalMetric(["mae"]).get_metric(0).name
        'mae'
        """
        try:
            return self.metrics[index]
        except IndexError:
            # MXNet *returns* a ValueError here; raising it is what callers can act on
            raise MXNetError(f"CompositeEvalMetric.get_metric: index {index} is out of range "
                             f"[0, {len(self.metrics)})") from None

    def update_dict(self, labels, preds):
        """Filter the dicts by this metric's names, then let every child pick its own entries.

        Parameters
        ----------
        labels, preds : dict of str -> array

        Examples
        --------
        >>> import numpy as np
        >>> m = CompositeEvalMetric(["mae"]); m.update_dict({"y": np.ones(2)}, {"p": np.zeros(2)}); m.get()
        (['mae'], [1.0])
        """
        if self.label_names is not None:
            labels = {k: v for k, v in labels.items() if k in self.label_names}
        if self.output_names is not None:
            preds = {k: v for k, v in preds.items() if k in self.output_names}
        for metric in self.metrics:
            metric.update_dict(labels, preds)

    def update(self, labels, preds):
        """Update every child with the same batch.

        Parameters
        ----------
        labels, preds : list of arrays

        Examples
        --------
        >>> m = CompositeEvalMetric(["mae", "mse"]); m.update([[1.0]], [[3.0]]); m.get()
        (['mae', 'mse'], [2.0, 4.0])
        """
        for metric in self.metrics:
            metric.update(labels, preds)

    def reset(self):
        """Reset every child (the constructor calls this before the children exist).

        Examples
        --------
        >>> m = CompositeEvalMetric(["mae"]); m.update([[1.0]], [[3.0]]); m.reset(); m.get()
        (['mae'], [nan])
        """
        for metric in getattr(self, "metrics", []):
            metric.reset()

    def reset_local(self):
        """Reset the local statistics of every child.

        Examples
        --------
        >>> m = CompositeEvalMetric(["mae"]); m.update([[1.0]], [[3.0]]); m.reset_local(); m.get_global()
        (['mae'], [2.0])
        """
        for metric in getattr(self, "metrics", []):
            metric.reset_local()

    def get(self):
        """Concatenated ``(names, values)`` of the children.

        Returns
        -------
        (list of str, list of float)

        Examples
        --------
        >>> CompositeEvalMetric().get()
        ([], [])
        """
        return self._collect(lambda metric: metric.get())

    def get_global(self):
        """Concatenated ``(names, values)`` of the children's global statistics.

        Returns
        -------
        (list of str, list of float)

        Examples
        --------
        >>> CompositeEvalMetric(["loss"]).get_global()
        (['loss'], [nan])
        """
        return self._collect(lambda metric: metric.get_global())

    def _collect(self, getter):
        names, values = [], []
        for metric in self.metrics:
            name, value = getter(metric)
            names.extend(name if isinstance(name, list) else [name])
            values.extend(value if isinstance(value, list) else [value])
        return names, values

    def get_config(self):
        """The config of this metric and of every child.

        Returns
        -------
        dict

        Examples
        --------
        >>> [c["metric"] for c in CompositeEvalMetric(["acc"]).get_config()["metrics"]]
        ['Accuracy']
        """
        config = super().get_config()
        config["metrics"] = [m.get_config() for m in self.metrics]
        return config
