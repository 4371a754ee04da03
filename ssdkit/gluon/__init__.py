"""``mx.gluon``: Parameter, Block/HybridBlock, the ``nn`` layers, ``loss``, ``Trainer`` and ``utils``
with MXNet 1.9.1 semantics (naming, deferred initialization, save/load, hybridization).

Examples
--------
>>> import ssdkit as mx
>>> net = mx.gluon.nn.Dense(1, in_units=2, prefix="fc_")
>>> net.initialize(mx.init.One())
>>> trainer = mx.gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
>>> x = mx.nd.ones((4, 2))
>>> with mx.autograd.record():
...     loss = mx.gluon.loss.L2Loss()(net(x), mx.nd.zeros((4, 1)))
>>> loss.backward(); trainer.step(4)
>>> net.weight.data().asnumpy()
array([[0.8, 0.8]], dtype=float32)
"""
from ..base import DeferredInitializationError
from .parameter import Parameter, Constant
from .parameter_dict import ParameterDict
from .block import Block
from .hybrid_block import HybridBlock
from . import nn, loss, utils
from .trainer import Trainer
from .symbol_block import SymbolBlock
from . import data
from . import contrib
from . import model_zoo
from . import rnn

__all__ = ["Parameter", "Constant", "ParameterDict", "DeferredInitializationError", "Block", "HybridBlock",
           "SymbolBlock", "nn", "loss", "utils", "Trainer", "data", "contrib", "model_zoo", "rnn"]

