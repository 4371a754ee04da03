"""``mx.gluon.rnn``: recurrent cells (one step per call, ``unroll`` over sequences) and the fused layers
``RNN``, ``LSTM``, ``GRU``, equal to MXNet 1.9.1's outputs, gradients and parameter names.

Examples
--------
>>> import ssdkit as mx
>>> from ssdkit.gluon import rnn
>>> layer = rnn.GRU(4, prefix='gru0_'); layer.initialize()
>>> layer(mx.nd.ones((3, 2, 5))).shape
(3, 2, 4)
"""
from .rnn_cell import (RecurrentCell, HybridRecurrentCell, RNNCell, LSTMCell, GRUCell, SequentialRNNCell,
                       HybridSequentialRNNCell, DropoutCell, ModifierCell, ZoneoutCell, ResidualCell,
                       BidirectionalCell)
from .rnn_layer import RNN, LSTM, GRU
from . import rnn_cell, rnn_layer

__all__ = ["RecurrentCell", "HybridRecurrentCell", "RNNCell", "LSTMCell", "GRUCell", "SequentialRNNCell",
           "HybridSequentialRNNCell", "DropoutCell", "ModifierCell", "ZoneoutCell", "ResidualCell",
           "BidirectionalCell", "RNN", "LSTM", "GRU"]
