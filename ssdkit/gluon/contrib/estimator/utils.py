"""Metric checks shared by the Estimator and its event handlers.

Examples
--------
>>> import ssdkit as mx
>>> [m.name for m in check_metrics(mx.metric.Accuracy())]
['accuracy']
"""
from ...loss import SoftmaxCrossEntropyLoss
from ....metric import Accuracy, CompositeEvalMetric, EvalMetric

__all__ = ["check_metrics", "check_handler_metric_ref", "suggest_metric_for_loss"]


def check_metrics(metrics):
    """A list of EvalMetric from one metric, a list, a CompositeEvalMetric (flattened) or None.

    Examples
    --------
    >>> check_metrics(None)
    []
    >>> check_metrics([1])
    Traceback (most recent call last):
    ...
    ValueError: metrics must be a Metric or a list of Metric, refer to mxnet.metric.EvalMetric: [1]
    """
    if isinstance(metrics, CompositeEvalMetric):
        return [m for metric in metrics.metrics for m in check_metrics(metric)]
    if isinstance(metrics, EvalMetric):
        return [metrics]
    metrics = metrics or []
    if not all(isinstance(metric, EvalMetric) for metric in metrics):
        raise ValueError(f"metrics must be a Metric or a list of Metric, refer to mxnet.metric.EvalMetric: {metrics}")
    return metrics


def check_handler_metric_ref(handler, known_metrics):
    """Refuse a handler whose ``*metric*`` attributes hold a metric the estimator does not update (MXNet looks at
    attribute names containing ``metric`` only).

    Examples
    --------
    >>> import ssdkit as mx
    >>> class H:
    ...     metrics = [mx.metric.Accuracy()]
    >>> check_handler_metric_ref(H(), set())
    Traceback (most recent call last):
    ...
    ValueError: Event handler H refers to a metric instance EvalMetric: {'accuracy': nan} outside of the known ...
    """
    for attribute in dir(handler):
        if "metric" not in attribute:
            continue
        reference = getattr(handler, attribute)
        if not reference:
            continue
        for metric in reference if isinstance(reference, list) else [reference]:
            if metric not in known_metrics:
                raise ValueError(f"Event handler {type(handler).__name__} refers to a metric instance {metric} "
                                 "outside of the known training and validation metrics. Please use the metrics "
                                 "from estimator.train_metrics and estimator.val_metrics instead.")


def suggest_metric_for_loss(loss):
    """Accuracy for a softmax cross-entropy loss, else None.

    Examples
    --------
    >>> import ssdkit as mx
    >>> type(suggest_metric_for_loss(mx.gluon.loss.SoftmaxCrossEntropyLoss())).__name__
    'Accuracy'
    """
    return Accuracy() if isinstance(loss, SoftmaxCrossEntropyLoss) else None
