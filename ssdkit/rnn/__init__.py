"""``mx.rnn``: MXNet 1.x's legacy symbolic RNN cells, bucketing sentence iterator and RNN checkpoints.

Examples
--------
>>> import ssdkit as mx
>>> cell = mx.rnn.RNNCell(3, prefix='r_')
>>> outs, _ = cell.unroll(2, [mx.sym.var('a'), mx.sym.var('b')])
>>> mx.sym.Group(outs).list_outputs()
['r_t0_out_output', 'r_t1_out_output']
"""
from .rnn_cell import (RNNParams, BaseRNNCell, RNNCell, LSTMCell, GRUCell, FusedRNNCell, SequentialRNNCell,
                       DropoutCell, ModifierCell, ZoneoutCell, ResidualCell, BidirectionalCell, BaseConvRNNCell,
                       ConvRNNCell, ConvLSTMCell, ConvGRUCell)
from .io import encode_sentences, BucketSentenceIter
from .rnn import save_rnn_checkpoint, load_rnn_checkpoint, do_rnn_checkpoint
from . import io, rnn_cell, rnn
