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
from .conv_layers_nd import (Conv1D, Conv3D, Conv1DTranspose, Conv3DTranspose, MaxPool1D, MaxPool3D, AvgPool1D,
                             AvgPool3D, GlobalMaxPool1D, GlobalMaxPool3D, GlobalAvgPool1D, GlobalAvgPool3D,
                             ReflectionPad2D)
from .norm_layers import BatchNormReLU, InstanceNorm, LayerNorm, GroupNorm

__all__ = ["Block", "HybridBlock", "SymbolBlock", "Sequential", "HybridSequential", "Dense", "Dropout",
           "Embedding", "BatchNorm", "Flatten", "Lambda", "HybridLambda", "Identity", "Conv2D", "Conv2DTranspose",
           "MaxPool2D", "AvgPool2D", "GlobalMaxPool2D", "GlobalAvgPool2D", "Activation", "LeakyReLU", "PReLU",
           "ELU", "SELU", "GELU", "Swish", "Conv1D", "Conv3D", "Conv1DTranspose", "Conv3DTranspose", "MaxPool1D",
           "MaxPool3D", "AvgPool1D", "AvgPool3D", "GlobalMaxPool1D", "GlobalMaxPool3D", "GlobalAvgPool1D",
           "GlobalAvgPool3D", "ReflectionPad2D", "BatchNormReLU", "InstanceNorm", "LayerNorm", "GroupNorm"]


def __getattr__(name):
    # SymbolBlock lives with the symbol machinery (ssdkit/gluon/symbol_block.py); load it on first use
    if name == "SymbolBlock":
        from ..symbol_block import SymbolBlock
        return SymbolBlock
    raise AttributeError(f"module 'ssdkit.gluon.nn' has no attribute {name!r}")
