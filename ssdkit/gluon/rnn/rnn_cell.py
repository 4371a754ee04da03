"""Recurrent cells (one time step per call): ``RNNCell``, ``LSTMCell``, ``GRUCell``; and the module where
MXNet keeps every cell (the containers and modifiers of :mod:`.cell_wrappers` are re-exported here).

Each cell owns ``i2h_weight (G*H, I)``, ``h2h_weight (G*H, H)``, ``i2h_bias`` and ``h2h_bias (G*H,)``, where
G is 1, 4 (LSTM gates i, f, g, o) or 3 (GRU gates r, z, n); ``I`` may be left 0 and is inferred at the first
call. The gate math is the same as the fused ``RNN`` op's, so a stack of cells equals the fused layer.

Examples
--------
>>> import ssdkit as mx
>>> cell = LSTMCell(3, prefix='lstm_')
>>> cell.initialize()
>>> out, (h, c) = cell(mx.nd.ones((2, 4)), cell.begin_state(batch_size=2))
>>> out.shape, sorted(cell.collect_params().keys())[:2]
((2, 3), ['lstm_h2h_bias', 'lstm_h2h_weight'])
"""
from .cell_base import RecurrentCell, HybridRecurrentCell
from .cell_wrappers import (SequentialRNNCell, HybridSequentialRNNCell, DropoutCell, ModifierCell, ZoneoutCell,
                            ResidualCell, BidirectionalCell)

__all__ = ["RecurrentCell", "HybridRecurrentCell", "RNNCell", "LSTMCell", "GRUCell", "SequentialRNNCell",
           "HybridSequentialRNNCell", "DropoutCell", "ModifierCell", "ZoneoutCell", "ResidualCell",
           "BidirectionalCell"]


class _GatedCell(HybridRecurrentCell):
    """Shared parameters, state description and repr of the three basic cells (``gates`` rows per unit)."""
    gates = 1

    def __init__(self, hidden_size, i2h_weight_initializer=None, h2h_weight_initializer=None,
                 i2h_bias_initializer="zeros", h2h_bias_initializer="zeros", input_size=0, prefix=None,
                 params=None):
        super().__init__(prefix=prefix, params=params)
        self._hidden_size = hidden_size
        self._input_size = input_size
        rows = self.gates * hidden_size
        self.i2h_weight = self.params.get("i2h_weight", shape=(rows, input_size), init=i2h_weight_initializer,
                                          allow_deferred_init=True)
        self.h2h_weight = self.params.get("h2h_weight", shape=(rows, hidden_size), init=h2h_weight_initializer,
                                          allow_deferred_init=True)
        self.i2h_bias = self.params.get("i2h_bias", shape=(rows,), init=i2h_bias_initializer,
                                        allow_deferred_init=True)
        self.h2h_bias = self.params.get("h2h_bias", shape=(rows,), init=h2h_bias_initializer,
                                        allow_deferred_init=True)

    def state_info(self, batch_size=0):
        return [{"shape": (batch_size, self._hidden_size), "__layout__": "NC"} for _ in range(self._num_states)]

    _num_states = 1

    def __repr__(self):
        shape = self.i2h_weight.shape
        extra = f", {self._activation}" if type(self) is RNNCell else ""
        return f"{type(self).__name__}({shape[1] if shape[1] else None} -> {shape[0]}{extra})"

    def _projections(self, F, inputs, h, i2h_weight, h2h_weight, i2h_bias, h2h_bias):
        prefix = f"t{self._counter}_"
        rows = self.gates * self._hidden_size
        i2h = F.FullyConnected(data=inputs, weight=i2h_weight, bias=i2h_bias, num_hidden=rows, name=prefix + "i2h")
        h2h = F.FullyConnected(data=h, weight=h2h_weight, bias=h2h_bias, num_hidden=rows, name=prefix + "h2h")
        return prefix, i2h, h2h


class RNNCell(_GatedCell):
    r"""Elman RNN cell: ``h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)``.

    Parameters
    ----------
    hidden_size : int
    activation : str or callable, default 'tanh'
    i2h_weight_initializer, h2h_weight_initializer : Initializer, optional
    i2h_bias_initializer, h2h_bias_initializer : Initializer, default 'zeros'
    input_size : int, default 0 (inferred)
    prefix : str, optional
    params : ParameterDict, optional

    Inputs ``data (N, I)`` and ``states`` [``(N, H)``]; outputs ``(N, H)`` and [``(N, H)``].

    Examples
    --------
    >>> import ssdkit as mx
    >>> cell = RNNCell(2, activation='relu', input_size=3, prefix='rnn_'); cell
    RNNCell(3 -> 2, relu)
    """

    def __init__(self, hidden_size, activation="tanh", i2h_weight_initializer=None, h2h_weight_initializer=None,
                 i2h_bias_initializer="zeros", h2h_bias_initializer="zeros", input_size=0, prefix=None,
                 params=None):
        super().__init__(hidden_size, i2h_weight_initializer, h2h_weight_initializer, i2h_bias_initializer,
                         h2h_bias_initializer, input_size, prefix, params)
        self._activation = activation

    def _alias(self):
        return "rnn"

    def hybrid_forward(self, F, inputs, states, i2h_weight, h2h_weight, i2h_bias, h2h_bias):
        prefix, i2h, h2h = self._projections(F, inputs, states[0], i2h_weight, h2h_weight, i2h_bias, h2h_bias)
        summed = F.elemwise_add(i2h, h2h, name=prefix + "plus0")
        output = self._get_activation(F, summed, self._activation, name=prefix + "out")
        return output, [output]


class LSTMCell(_GatedCell):
    r"""Long short-term memory cell (gates i, f, g, o; ``c_t = f c_{t-1} + i g``, ``h_t = o act(c_t)``).

    Parameters
    ----------
    hidden_size : int
    i2h_weight_initializer, h2h_weight_initializer : Initializer, optional
    i2h_bias_initializer, h2h_bias_initializer : Initializer, default 'zeros'
    input_size : int, default 0 (inferred)
    prefix : str, optional
    params : ParameterDict, optional
    activation : str, default 'tanh'
        Activation of the candidate ``g`` and of the cell state.
    recurrent_activation : str, default 'sigmoid'
        Activation of the gates i, f, o.

    Inputs ``data (N, I)`` and ``states`` [``h (N, H)``, ``c (N, H)``]; outputs ``h`` and [``h``, ``c``].

    Examples
    --------
    >>> LSTMCell(5, input_size=2, prefix='l_')
    LSTMCell(2 -> 20)
    """
    gates, _num_states = 4, 2

    def __init__(self, hidden_size, i2h_weight_initializer=None, h2h_weight_initializer=None,
                 i2h_bias_initializer="zeros", h2h_bias_initializer="zeros", input_size=0, prefix=None,
                 params=None, activation="tanh", recurrent_activation="sigmoid"):
        super().__init__(hidden_size, i2h_weight_initializer, h2h_weight_initializer, i2h_bias_initializer,
                         h2h_bias_initializer, input_size, prefix, params)
        self._activation = activation
        self._recurrent_activation = recurrent_activation

    def _alias(self):
        return "lstm"

    def hybrid_forward(self, F, inputs, states, i2h_weight, h2h_weight, i2h_bias, h2h_bias):
        prefix, i2h, h2h = self._projections(F, inputs, states[0], i2h_weight, h2h_weight, i2h_bias, h2h_bias)
        gates = F.elemwise_add(i2h, h2h, name=prefix + "plus0")
        sliced = F.SliceChannel(gates, num_outputs=4, name=prefix + "slice")
        act, rec = self._activation, self._recurrent_activation
        in_gate = self._get_activation(F, sliced[0], rec, name=prefix + "i")
        forget_gate = self._get_activation(F, sliced[1], rec, name=prefix + "f")
        in_transform = self._get_activation(F, sliced[2], act, name=prefix + "c")
        out_gate = self._get_activation(F, sliced[3], rec, name=prefix + "o")
        next_c = F.elemwise_add(F.elemwise_mul(forget_gate, states[1], name=prefix + "mul0"),
                                F.elemwise_mul(in_gate, in_transform, name=prefix + "mul1"), name=prefix + "state")
        next_h = F.elemwise_mul(out_gate, F.Activation(next_c, act_type=act, name=prefix + "activation0"),
                                name=prefix + "out")
        return next_h, [next_h, next_c]


class GRUCell(_GatedCell):
    r"""Gated recurrent unit cell, cuDNN's variant (the reset gate multiplies ``W_hn h + b_hn``).

    ``r = σ(..)``, ``z = σ(..)``, ``n = tanh(W_in x + b_in + r (W_hn h + b_hn))``, ``h' = (1 - z) n + z h``.

    Parameters
    ----------
    hidden_size : int
    i2h_weight_initializer, h2h_weight_initializer : Initializer, optional
    i2h_bias_initializer, h2h_bias_initializer : Initializer, default 'zeros'
    input_size : int, default 0 (inferred)
    prefix : str, optional
    params : ParameterDict, optional

    Examples
    --------
    >>> GRUCell(4, prefix='g_')
    GRUCell(None -> 12)
    """
    gates = 3

    def _alias(self):
        return "gru"

    def hybrid_forward(self, F, inputs, states, i2h_weight, h2h_weight, i2h_bias, h2h_bias):
        prev_h = states[0]
        prefix, i2h, h2h = self._projections(F, inputs, prev_h, i2h_weight, h2h_weight, i2h_bias, h2h_bias)
        i2h_r, i2h_z, i2h = F.SliceChannel(i2h, num_outputs=3, name=prefix + "i2h_slice")
        h2h_r, h2h_z, h2h = F.SliceChannel(h2h, num_outputs=3, name=prefix + "h2h_slice")
        reset_gate = F.Activation(F.elemwise_add(i2h_r, h2h_r, name=prefix + "plus0"), act_type="sigmoid",
                                  name=prefix + "r_act")
        update_gate = F.Activation(F.elemwise_add(i2h_z, h2h_z, name=prefix + "plus1"), act_type="sigmoid",
                                   name=prefix + "z_act")
        candidate = F.Activation(F.elemwise_add(i2h, F.elemwise_mul(reset_gate, h2h, name=prefix + "mul0"),
                                                name=prefix + "plus2"), act_type="tanh", name=prefix + "h_act")
        ones = F.ones_like(update_gate, name=prefix + "ones_like0")
        next_h = F.elemwise_add(F.elemwise_mul(F.elemwise_sub(ones, update_gate, name=prefix + "minus0"),
                                               candidate, name=prefix + "mul1"),
                                F.elemwise_mul(update_gate, prev_h, name=prefix + "mul20"), name=prefix + "out")
        return next_h, [next_h]
