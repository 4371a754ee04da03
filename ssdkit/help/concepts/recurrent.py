"""Help-search concepts of recurrent networks: gluon.rnn layers and cells, the RNN op, sequence ops
(see :mod:`ssdkit.help.concepts`).

Examples
--------
>>> any("gluon.rnn.LSTM" in targets for targets, _ in CONCEPTS)
True
"""
__all__ = ["CONCEPTS"]

CONCEPTS = (
    ("gluon.rnn.LSTM gluon.rnn.LSTMCell",
     "lstm | long short term memory | lstm layer | torch.nn.LSTM | keras LSTM | tf.keras.layers.LSTM | "
     "stacked lstm | bidirectional lstm | lstm with projection | lstmp"),
    ("gluon.rnn.GRU gluon.rnn.GRUCell",
     "gru | gated recurrent unit | torch.nn.GRU | keras GRU | gru layer"),
    ("gluon.rnn.RNN gluon.rnn.RNNCell gluon.rnn.LSTM gluon.rnn.GRU",
     "recurrent | recurrent neural network | recurrent layer | rnn layer | elman rnn | vanilla rnn | "
     "torch.nn.RNN | SimpleRNN | sequence model | model a sequence | time series model | "
     "language model layer"),
    ("gluon.rnn.RecurrentCell.unroll gluon.rnn.RecurrentCell.begin_state",
     "unroll a cell over time | run a cell over a sequence | step through a sequence | rnn cell loop"),
    ("gluon.rnn.RecurrentCell.begin_state gluon.rnn.RecurrentCell.state_info",
     "initial hidden state | begin state | zero hidden state | hidden state of an rnn | starting states of a cell | "
     "init_hidden | h0 c0"),
    ("gluon.rnn.BidirectionalCell gluon.rnn.LSTM",
     "bidirectional rnn | forward and backward in time | birnn | bidirectional recurrent"),
    ("gluon.rnn.SequentialRNNCell gluon.rnn.HybridSequentialRNNCell",
     "stack rnn cells | multi layer rnn from cells | deep rnn cells"),
    ("gluon.rnn.ZoneoutCell gluon.rnn.DropoutCell",
     "zoneout | dropout in rnn | recurrent dropout | dropout between rnn layers"),
    ("gluon.rnn.ResidualCell", "residual rnn | skip connection around a cell"),
    ("nd.RNN sym.RNN", "fused rnn operator | cudnn rnn | packed rnn parameters | rnn op"),
    ("nd.SequenceMask nd.SequenceLast nd.SequenceReverse gluon.rnn.RecurrentCell.unroll",
     "variable length sequences | mask padded steps | valid_length | sequence length mask | "
     "last element of each sequence | pack_padded_sequence | reverse a padded sequence"),
    ("gluon.rnn", "all recurrent layers | rnn cells and layers | list of rnn layers"),
)
