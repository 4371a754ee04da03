"""``mx.optimizer``: Optimizer base, registry (``create('sgd', ...)``), Updater, and SGD / NAG / Adam / RMSProp /
AdaGrad / AdaDelta / LAMB / LARS and the rest of MXNet 1.9.1's optimizers with its update math (through the
update operators where MXNet has them).

Examples
--------
>>> import ssdkit as mx
>>> opt = mx.optimizer.create("adam", learning_rate=0.01)
>>> type(opt).__name__, opt.learning_rate
('Adam', 0.01)
"""
from .optimizer import Optimizer, register, create, Updater, get_updater
from .sgd import SGD, NAG, ccSGD
from .adaptive import Adam, RMSProp, AdaGrad, AdaDelta
from .sign_ftml import Signum, FTML, Ftrl, DCASGD
from .adam_family import Adamax, Nadam, LAMB, SGLD
from .lars import LARS, LBSGD, Test
from . import contrib

__all__ = ["Optimizer", "register", "create", "Updater", "get_updater", "SGD", "NAG", "Adam", "RMSProp",
           "AdaGrad", "AdaDelta", "Signum", "FTML", "Ftrl", "DCASGD", "Adamax", "Nadam", "LAMB", "SGLD", "ccSGD",
           "LARS", "LBSGD", "Test", "contrib"]
