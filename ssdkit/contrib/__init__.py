"""``mx.contrib``: MXNet 1.x's experimental namespace as Gluon-era code imports it.

``mx.contrib.nd`` / ``mx.contrib.ndarray`` hold the contrib operators on NDArrays (the same functions as
``mx.nd.contrib``: ``MultiBoxPrior``, ``MultiBoxTarget``, ``MultiBoxDetection``, ``box_nms``, ...),
``mx.contrib.sym`` / ``mx.contrib.symbol`` the same on Symbols, and ``mx.contrib.autograd`` MXNet's first
autograd API (``train_section``, ``compute_gradient``, ``grad_and_loss``, ...); ``mx.contrib.amp`` exists for
imports, and refuses mixed precision (ssdkit computes in float32).

Examples
--------
>>> import ssdkit as mx
>>> from ssdkit.contrib.ndarray import MultiBoxPrior
>>> MultiBoxPrior(mx.nd.zeros((1, 3, 2, 2)), sizes=[0.5]).shape
(1, 4, 4)
>>> mx.contrib.nd.MultiBoxPrior is mx.nd.contrib.MultiBoxPrior
True
"""
from . import ndarray, symbol, autograd, amp
from . import ndarray as nd
from . import symbol as sym

__all__ = ["ndarray", "nd", "symbol", "sym", "autograd", "amp"]
