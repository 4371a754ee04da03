"""Legacy mx.rnn graphs for make_rnn_oracle.py and tests/test_rnn_legacy.py (builders take the mx module)."""


def _steps(mx):
    return [mx.sym.var(f"t{i}") for i in range(3)]


def _flat(states):
    return [s for group in states for s in (group if isinstance(group, list) else [group])]


def _group(mx, cell, **kwargs):
    outputs, states = cell.unroll(3, _steps(mx), **kwargs)
    return mx.sym.Group(list(outputs) + _flat(states))


def lstm(mx):
    return _group(mx, mx.rnn.LSTMCell(4, prefix="l_", forget_bias=2.0))


def gru(mx):
    return _group(mx, mx.rnn.GRUCell(4, prefix="g_"))


def rnn_relu(mx):
    return _group(mx, mx.rnn.RNNCell(4, activation="relu", prefix="r_"))


def stack_residual(mx):
    cell = mx.rnn.SequentialRNNCell()
    cell.add(mx.rnn.GRUCell(3, prefix="a_"))
    cell.add(mx.rnn.ResidualCell(mx.rnn.LSTMCell(3, prefix="b_")))
    return _group(mx, cell)


def bidirectional_merged(mx):
    cell = mx.rnn.BidirectionalCell(mx.rnn.GRUCell(2, prefix="l_"), mx.rnn.RNNCell(2, prefix="r_"))
    outputs, states = cell.unroll(3, _steps(mx), merge_outputs=True)
    return mx.sym.Group([outputs] + _flat(states))


def unfused(mx):
    cell = mx.rnn.FusedRNNCell(3, num_layers=2, mode="gru", bidirectional=True, prefix="f_").unfuse()
    return _group(mx, cell)


RNN_CASES = {f.__name__: f for f in (lstm, gru, rnn_relu, stack_residual, bidirectional_merged, unfused)}
