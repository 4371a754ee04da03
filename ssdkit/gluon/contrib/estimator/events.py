"""The six estimator events and the base of every event handler: a handler subclasses the events it reacts to
(``TrainBegin``, ``EpochBegin``, ``BatchBegin``, ``BatchEnd``, ``EpochEnd``, ``TrainEnd``); ``batch_end`` and
``epoch_end`` return True to stop training.

Examples
--------
>>> class Count(BatchEnd):
...     def __init__(self):
...         self.n = 0
...     def batch_end(self, estimator, *args, **kwargs):
...         self.n += 1
>>> isinstance(Count(), EventHandler), check_event_handlers(None)
(True, [])
"""
__all__ = ["EventHandler", "check_event_handlers", "TrainBegin", "TrainEnd", "EpochBegin", "EpochEnd",
           "BatchBegin", "BatchEnd"]


class EventHandler:
    """Base of every estimator event handler.

    Examples
    --------
    >>> issubclass(TrainBegin, EventHandler)
    True
    """


def check_event_handlers(handlers):
    """A list of handlers from one handler, a list or None; anything else raises ValueError.

    Examples
    --------
    >>> len(check_event_handlers(TrainEnd()))
    1
    """
    if isinstance(handlers, EventHandler):
        return [handlers]
    handlers = handlers or []
    if not all(isinstance(handler, EventHandler) for handler in handlers):
        raise ValueError(f"handlers must be an EventHandler or a list of EventHandler, got: {handlers}")
    return handlers


class TrainBegin(EventHandler):
    """Called once before training starts (``train_begin(estimator)``).

    Examples
    --------
    >>> TrainBegin().train_begin(None)
    """

    def train_begin(self, estimator, *args, **kwargs):
        """React to the start of training."""


class TrainEnd(EventHandler):
    """Called once after training ends (``train_end(estimator)``).

    Examples
    --------
    >>> TrainEnd().train_end(None)
    """

    def train_end(self, estimator, *args, **kwargs):
        """React to the end of training."""


class EpochBegin(EventHandler):
    """Called at the start of every epoch (and of every evaluation pass).

    Examples
    --------
    >>> EpochBegin().epoch_begin(None)
    """

    def epoch_begin(self, estimator, *args, **kwargs):
        """React to the start of an epoch."""


class EpochEnd(EventHandler):
    """Called at the end of every epoch; returning True stops training.

    Examples
    --------
    >>> EpochEnd().epoch_end(None)
    False
    """

    def epoch_end(self, estimator, *args, **kwargs):
        """React to the end of an epoch; True stops training."""
        return False


class BatchBegin(EventHandler):
    """Called before every batch with ``batch=``.

    Examples
    --------
    >>> BatchBegin().batch_begin(None, batch=None)
    """

    def batch_begin(self, estimator, *args, **kwargs):
        """React to the start of a batch."""


class BatchEnd(EventHandler):
    """Called after every batch with ``batch=, pred=, label=, loss=``; returning True stops training.

    Examples
    --------
    >>> BatchEnd().batch_end(None)
    False
    """

    def batch_end(self, estimator, *args, **kwargs):
        """React to the end of a batch; True stops training."""
        return False
