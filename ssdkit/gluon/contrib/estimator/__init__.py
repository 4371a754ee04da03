"""``mx.gluon.contrib.estimator``: MXNet 1.9.1's Estimator (a fit / evaluate loop for Gluon networks) and its
event handlers; checkpoints are ``.params`` files and pickle-free trainer ``.states`` files.

Examples
--------
>>> import ssdkit as mx
>>> from ssdkit.gluon.contrib.estimator import Estimator, CheckpointHandler, EarlyStoppingHandler
>>> issubclass(CheckpointHandler, mx.gluon.contrib.estimator.TrainBegin)
True
"""
from . import batch_processor, estimator, event_handler
from .batch_processor import BatchProcessor
from .estimator import Estimator
from .event_handler import (TrainBegin, TrainEnd, EpochBegin, EpochEnd, BatchBegin, BatchEnd, StoppingHandler,
                            MetricHandler, ValidationHandler, LoggingHandler, CheckpointHandler,
                            EarlyStoppingHandler, GradientUpdateHandler)

__all__ = ["Estimator", "BatchProcessor", "TrainBegin", "TrainEnd", "EpochBegin", "EpochEnd", "BatchBegin",
           "BatchEnd", "StoppingHandler", "MetricHandler", "ValidationHandler", "LoggingHandler",
           "CheckpointHandler", "EarlyStoppingHandler", "GradientUpdateHandler"]
