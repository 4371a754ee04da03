"""``mx.init``: parameter initializers with MXNet's name-based dispatch, registry and JSON ``dumps``.

An initializer is called as ``init(InitDesc(name, attrs), arr)``; see :mod:`ssdkit.initializer.base` for the
dispatch rules and :mod:`ssdkit.initializer.standard` for the initializers. Random draws come from
:func:`ssdkit.base.get_rng`, so ``mx.random.seed`` makes them reproducible.

Examples
--------
>>> import ssdkit as mx
>>> w = mx.nd.zeros((2, 2)); mx.init.One()(mx.init.InitDesc("fc_weight"), w); w.asnumpy()
array([[1., 1.],
       [1., 1.]], dtype=float32)
>>> mx.init.create('["xavier", {"magnitude": 2}]').dumps()
'["xavier", {"rnd_type": "uniform", "factor_type": "avg", "magnitude": 2}]'
"""
from .base import InitDesc, Initializer, register, alias, create
from .standard import (Load, Mixed, Zero, One, Constant, Uniform, Normal, Orthogonal, Xavier, MSRAPrelu, Bilinear,
                       LSTMBias)

__all__ = ["InitDesc", "Initializer", "register", "alias", "create", "Load", "Mixed", "Zero", "One", "Constant",
           "Uniform", "Normal", "Orthogonal", "Xavier", "MSRAPrelu", "Bilinear", "LSTMBias"]
