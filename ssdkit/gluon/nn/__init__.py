"""``mx.gluon.nn``: layers (Dense, Conv2D, BatchNorm, pooling, activations, ...) and the Block classes.

Examples
--------
>>> import ssdkit as mx
>>> net = mx.gluon.nn.HybridSequential(prefix="n_")
>>> with net.name_scope():
...     net.add(mx.gluon.nn.Dense(2))
>>> net
HybridSequential(
  (0): Dense(None -> 2, linear)
)
"""
from ..block import Block
from ..hybrid_block import HybridBlock
from .basic_layers import (Sequential, HybridSequential, Dense, Dropout, Embedding, BatchNorm, Flatten, Lambda,
                           HybridLambda, Identity)
from .conv_layers import Conv2D, Conv2DTranspose, MaxPool2D, AvgPool2D, GlobalMaxPool2D, GlobalAvgPool2D
from .activations import Activation, LeakyReLU, PReLU, ELU, SELU, GELU, Swish

__all__ = ["Block", "HybridBlock", "SymbolBlock", "Sequential", "HybridSequential", "Dense", "Dropout",
           "Embedding", "BatchNorm", "Flatten", "Lambda", "HybridLambda", "Identity", "Conv2D", "Conv2DTranspose",
           "MaxPool2D", "AvgPool2D", "GlobalMaxPool2D", "GlobalAvgPool2D", "Activation", "LeakyReLU", "PReLU",
           "ELU", "SELU", "GELU", "Swish"]


def __getattr__(name):
    # SymbolBlock lives with the symbol machinery (ssdkit/gluon/symbol_block.py); load it on first use
    if name == "SymbolBlock":
        from ..symbol_block import SymbolBlock
        return SymbolBlock
    raise AttributeError(f"module 'ssdkit.gluon.nn' has no attribute {name!r}")
