"""The ``EvalMetric`` base class, the metric registry and input conversion shared by every metric.

Semantics follow MXNet 1.9.1 ``mxnet.metric``: a metric accumulates ``sum_metric`` and ``num_inst``
(and their ``global_`` twins, which ``reset_local`` keeps) and ``get()`` returns
``(name, sum_metric / num_inst)``, NaN before the first update.

Examples
--------
>>> import numpy as np
>>> class Count(EvalMetric):
...     def update(self, labels, preds):
...         self.sum_metric += len(as_list(preds)); self.num_inst += 1
>>> m = Count("count")
>>> m.update(None, [np.zeros(2), np.zeros(3)])
>>> m.get()
('count', 2.0)
"""
import numpy as np

from ..base import MXNetError

__all__ = ["EvalMetric", "to_numpy", "as_list", "check_label_shapes"]


def to_numpy(value):
    """Return ``value`` as a numpy array, calling ``.asnumpy()`` when it has one (ssdkit/MXNet NDArray).

    Parameters
    ----------
    value : NDArray, numpy.ndarray, list or scalar

    Returns
    -------
    numpy.ndarray
        Same shape and dtype as ``value`` (lists become numpy's default dtype).

    Examples
    --------
    >>> to_numpy([1, 2]).shape
    (2,)
    """
    if hasattr(value, "asnumpy"):
        return value.asnumpy()
    return np.asarray(value)


def _is_array(value):
    return hasattr(value, "asnumpy") or isinstance(value, np.ndarray)


def as_list(values):
    """Wrap one array into a list; return lists and tuples of arrays as a list.

    MXNet wraps only a bare NDArray; ssdkit also wraps a bare numpy array, so
    ``metric.update(label_array, pred_array)`` works with either.

    Parameters
    ----------
    values : array or list/tuple of arrays

    Returns
    -------
    list

    Examples
    --------
    >>> len(as_list(np.zeros((3, 2)))), len(as_list([np.zeros(3), np.zeros(3)]))
    (1, 2)
    """
    if _is_array(values):
        return [values]
    if isinstance(values, (list, tuple)):
        return list(values)
    return [values]


def check_label_shapes(labels, preds, wrap=False, shape=False, op="metric"):
    """Raise :class:`MXNetError` unless labels and predictions agree in length (or in shape).

    Parameters
    ----------
    labels, preds : array or list of arrays
    wrap : bool
        If True, wrap a bare array into a one-element list (returned).
    shape : bool
        Compare ``.shape`` instead of ``len``.
    op : str
        Name used in the error message.

    Returns
    -------
    (labels, preds)

    Examples
    --------
    >>> check_label_shapes([1, 2], [3])
    Traceback (most recent call last):
    ...
    ssdkit.base.MXNetError: metric: 2 labels but 1 predictions (they must match)
    """
    if wrap:
        labels, preds = as_list(labels), as_list(preds)
    if shape:
        if np.shape(labels) != np.shape(preds):
            raise MXNetError(f"{op}: labels have shape {np.shape(labels)} but predictions have shape "
                             f"{np.shape(preds)} (they must match)")
    elif len(labels) != len(preds):
        raise MXNetError(f"{op}: {len(labels)} labels but {len(preds)} predictions (they must match)")
    return labels, preds


class EvalMetric:
    """Base class of every evaluation metric (MXNet's ``mx.metric.EvalMetric``).

    Parameters
    ----------
    name : str
        Display name, returned by :meth:`get`.
    output_names, label_names : list of str or None
        Which entries of the dicts given to :meth:`update_dict` to use (all when None).
    **kwargs
        ``has_global_stats`` (bool) plus constructor arguments kept for :meth:`get_config`.

    Attributes
    ----------
    sum_metric, num_inst : float, int
        Accumulated since the last ``reset`` or ``reset_local``.
    global_sum_metric, global_num_inst : float, int
        Accumulated since the last ``reset``.

    Examples
    --------
    >>> EvalMetric("x").get()
    ('x', nan)
    """

    def __init__(self, name, output_names=None, label_names=None, **kwargs):
        self.name = str(name)
        self.output_names = output_names
        self.label_names = label_names
        self._has_global_stats = kwargs.pop("has_global_stats", False)
        self._kwargs = kwargs
        self.reset()

    def __str__(self):
        return f"EvalMetric: {dict(self.get_name_value())}"

    def get_config(self):
        """The constructor arguments; ``create(**config)`` rebuilds the metric.

        Returns
        -------
        dict

        Examples
        --------
        >>> EvalMetric("x").get_config()["metric"]
        'EvalMetric'
        """
        config = self._kwargs.copy()
        config.update({"metric": type(self).__name__, "name": self.name,
                       "output_names": self.output_names, "label_names": self.label_names})
        return config

    def update_dict(self, label, pred):
        """Update from name -> array dicts, keeping ``label_names`` / ``output_names`` (all if None).

        Parameters
        ----------
        label, pred : dict of str -> array

        Examples
        --------
        >>> from ssdkit.metric import MAE
        >>> m = MAE(output_names=["out"])
        >>> m.update_dict({"y": np.array([1.0])}, {"out": np.array([3.0]), "aux": np.array([9.0])})
        >>> m.get()
        ('mae', 2.0)
        """
        pred = [pred[n] for n in self.output_names] if self.output_names is not None else list(pred.values())
        label = [label[n] for n in self.label_names] if self.label_names is not None else list(label.values())
        self.update(label, pred)

    def update(self, labels, preds):
        """Accumulate one batch; every concrete metric overrides this.

        Parameters
        ----------
        labels, preds : list of arrays

        Examples
        --------
        >>> EvalMetric("x").update([], [])
        Traceback (most recent call last):
        ...
        NotImplementedError: EvalMetric.update: EvalMetric is an abstract base; subclasses implement update
        """
        raise NotImplementedError(f"{type(self).__name__}.update: EvalMetric is an abstract base; "
                                  "subclasses implement update")

    def reset(self):
        """Clear the local and the global statistics.

        Examples
        --------
        >>> m = EvalMetric("x"); m.num_inst = 3; m.reset(); m.num_inst
        0
        """
        self.num_inst = 0
        self.sum_metric = 0.0
        self.global_num_inst = 0
        self.global_sum_metric = 0.0

    def reset_local(self):
        """Clear only the local statistics (the global ones keep accumulating).

        Examples
        --------
        >>> m = EvalMetric("x"); m.global_num_inst = 3; m.reset_local(); m.global_num_inst
        3
        """
        self.num_inst = 0
        self.sum_metric = 0.0

    def get(self):
        """The current value.

        Returns
        -------
        (str, float)
            ``(name, sum_metric / num_inst)``; the value is NaN when nothing was accumulated.

        Examples
        --------
        >>> m = EvalMetric("x"); m.sum_metric, m.num_inst = 3.0, 2; m.get()
        ('x', 1.5)
        """
        if self.num_inst == 0:
            return (self.name, float("nan"))
        return (self.name, self.sum_metric / self.num_inst)

    def get_global(self):
        """The value over everything since the last :meth:`reset` (``get()`` if no global stats).

        Returns
        -------
        (str, float)

        Examples
        --------
        >>> m = EvalMetric("x", has_global_stats=True)
        >>> m.global_sum_metric, m.global_num_inst = 1.0, 4; m.get_global()
        ('x', 0.25)
        """
        if not self._has_global_stats:
            return self.get()
        if self.global_num_inst == 0:
            return (self.name, float("nan"))
        return (self.name, self.global_sum_metric / self.global_num_inst)

    def get_name_value(self):
        """``get()`` as a list of ``(name, value)`` pairs.

        Returns
        -------
        list of (str, float)

        Examples
        --------
        >>> EvalMetric("x").get_name_value()
        [('x', nan)]
        """
        return _zip_name_value(*self.get())

    def get_global_name_value(self):
        """``get_global()`` as a list of ``(name, value)`` pairs.

        Returns
        -------
        list of (str, float)

        Examples
        --------
        >>> EvalMetric("x").get_global_name_value()
        [('x', nan)]
        """
        return _zip_name_value(*self.get_global())

    def _add(self, value, count):
        """Add to the local and global sums at once (every concrete metric accumulates this way)."""
        self.sum_metric += value
        self.global_sum_metric += value
        self.num_inst += count
        self.global_num_inst += count


def _zip_name_value(name, value):
    names = name if isinstance(name, list) else [name]
    values = value if isinstance(value, list) else [value]
    return list(zip(names, values))
