"""``mx.gluon.contrib.rnn``: the contributed recurrent cells ``LSTMPCell`` (LSTM with a projected recurrent
state, the cell form of ``rnn.LSTM(projection_size=...)``) and ``VariationalDropoutCell`` (one dropout mask per
sequence), and the convolutional cells ``Conv{1,2,3}D{RNN,LSTM,GRU}Cell`` (:mod:`.conv_rnn_cell`), as in
MXNet 1.9.1, and ``dynamic_unroll`` (:mod:`.unroll`). MXNet's module path ``contrib.rnn.rnn_cell`` names this
module.

Examples
--------
>>> import ssdkit as mx
>>> cell = LSTMPCell(6, 2, prefix='p_')
>>> cell.initialize()
>>> out, (r, c) = cell.unroll(3, mx.nd.ones((1, 3, 4)), merge_outputs=True)
>>> out.shape, r.shape, c.shape
((1, 3, 2), (1, 2), (1, 6))
"""
import sys

from ..rnn.cell_base import HybridRecurrentCell, format_sequence, get_begin_state, mask_sequence_variable_length
from ..rnn.cell_base import is_tensor
from ..rnn.cell_wrappers import BidirectionalCell, ModifierCell
from ...base import MXNetError
from .unroll import dynamic_unroll  # noqa: F401
from .conv_rnn_cell import (Conv1DRNNCell, Conv2DRNNCell, Conv3DRNNCell, Conv1DLSTMCell, Conv2DLSTMCell,  # noqa: F401
                            Conv3DLSTMCell, Conv1DGRUCell, Conv2DGRUCell, Conv3DGRUCell)

__all__ = ["LSTMPCell", "VariationalDropoutCell", "Conv1DRNNCell", "Conv2DRNNCell", "Conv3DRNNCell",
           "Conv1DLSTMCell", "Conv2DLSTMCell", "Conv3DLSTMCell", "Conv1DGRUCell", "Conv2DGRUCell", "Conv3DGRUCell", "dynamic_unroll"]


class LSTMPCell(HybridRecurrentCell):
    r"""LSTM cell with a projection (Sak et al., 2014): ``r_t = W_hr (o_t * tanh(c_t))`` is both the output
    and the recurrent state fed to the gates.

    Parameters
    ----------
    hidden_size : int
        Size H of the cell state.
    projection_size : int
        Size P of the output and recurrent state.
    i2h_weight_initializer, h2h_weight_initializer, h2r_weight_initializer : Initializer, optional
    i2h_bias_initializer, h2h_bias_initializer : Initializer, default 'zeros'
    input_size : int, default 0 (inferred)
    prefix : str, optional
    params : ParameterDict, optional

    Inputs ``data (N, I)`` and ``states`` [``r (N, P)``, ``c (N, H)``]; outputs ``r`` and [``r``, ``c``].

    Examples
    --------
    >>> LSTMPCell(8, 3, input_size=5, prefix='p_')
    LSTMPCell(5 -> 32 -> 3)
    """

    def __init__(self, hidden_size, projection_size, i2h_weight_initializer=None, h2h_weight_initializer=None,
                 h2r_weight_initializer=None, i2h_bias_initializer="zeros", h2h_bias_initializer="zeros",
                 input_size=0, prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)
        self._hidden_size = hidden_size
        self._input_size = input_size
        self._projection_size = projection_size
        get = self.params.get
        self.i2h_weight = get("i2h_weight", shape=(4 * hidden_size, input_size), init=i2h_weight_initializer,
                              allow_deferred_init=True)
        self.h2h_weight = get("h2h_weight", shape=(4 * hidden_size, projection_size),
                              init=h2h_weight_initializer, allow_deferred_init=True)
        self.h2r_weight = get("h2r_weight", shape=(projection_size, hidden_size), init=h2r_weight_initializer,
                              allow_deferred_init=True)
        self.i2h_bias = get("i2h_bias", shape=(4 * hidden_size,), init=i2h_bias_initializer,
                            allow_deferred_init=True)
        self.h2h_bias = get("h2h_bias", shape=(4 * hidden_size,), init=h2h_bias_initializer,
                            allow_deferred_init=True)

    def state_info(self, batch_size=0):
        return [{"shape": (batch_size, self._projection_size), "__layout__": "NC"},
                {"shape": (batch_size, self._hidden_size), "__layout__": "NC"}]

    def _alias(self):
        return "lstmp"

    def __repr__(self):
        shape, proj = self.i2h_weight.shape, self.h2r_weight.shape
        return f"{type(self).__name__}({shape[1] if shape[1] else None} -> {shape[0]} -> {proj[0]})"

    def hybrid_forward(self, F, inputs, states, i2h_weight, h2h_weight, h2r_weight, i2h_bias, h2h_bias):
        prefix = f"t{self._counter}_"
        rows = 4 * self._hidden_size
        i2h = F.FullyConnected(data=inputs, weight=i2h_weight, bias=i2h_bias, num_hidden=rows, name=prefix + "i2h")
        h2h = F.FullyConnected(data=states[0], weight=h2h_weight, bias=h2h_bias, num_hidden=rows,
                               name=prefix + "h2h")
        sliced = F.SliceChannel(i2h + h2h, num_outputs=4, name=prefix + "slice")
        in_gate = F.Activation(sliced[0], act_type="sigmoid", name=prefix + "i")
        forget_gate = F.Activation(sliced[1], act_type="sigmoid", name=prefix + "f")
        in_transform = F.Activation(sliced[2], act_type="tanh", name=prefix + "c")
        out_gate = F.Activation(sliced[3], act_type="sigmoid", name=prefix + "o")
        next_c = F.elemwise_add(forget_gate * states[1], in_gate * in_transform, name=prefix + "state")
        hidden = F.elemwise_mul(out_gate, F.Activation(next_c, act_type="tanh"), name=prefix + "hidden")
        next_r = F.FullyConnected(data=hidden, num_hidden=self._projection_size, weight=h2r_weight, no_bias=True,
                                  name=prefix + "out")
        return next_r, [next_r, next_c]


class VariationalDropoutCell(ModifierCell):
    """Variational dropout (Gal & Ghahramani, 2016): one mask per sequence, drawn at the first step and kept
    until :meth:`reset`, on the inputs, the first state and/or the outputs (three separate masks).

    Parameters
    ----------
    base_cell : RecurrentCell
    drop_inputs, drop_states, drop_outputs : float, default 0.

    Examples
    --------
    >>> import ssdkit as mx
    >>> VariationalDropoutCell(mx.gluon.rnn.GRUCell(3, prefix='g_'), drop_outputs=0.5)
    VariationalDropoutCell(p_out = 0.5, p_state = 0.0)
    """

    def __init__(self, base_cell, drop_inputs=0., drop_states=0., drop_outputs=0.):
        if drop_states and (isinstance(base_cell, BidirectionalCell) or any(
                isinstance(c, BidirectionalCell) for c in base_cell._children.values())):
            raise MXNetError("BidirectionalCell doesn't support variational state dropout. Please add "
                             "VariationalDropoutCell to the cells underneath instead.")
        super().__init__(base_cell)
        self.drop_inputs, self.drop_states, self.drop_outputs = drop_inputs, drop_states, drop_outputs
        self.drop_inputs_mask = self.drop_states_mask = self.drop_outputs_mask = None

    def _alias(self):
        return "vardrop"

    def reset(self):
        super().reset()
        self.drop_inputs_mask = self.drop_states_mask = self.drop_outputs_mask = None

    def __repr__(self):
        return f"{type(self).__name__}(p_out = {self.drop_outputs}, p_state = {self.drop_states})"

    def hybrid_forward(self, F, inputs, states):
        if self.drop_states and self.drop_states_mask is None:
            self.drop_states_mask = F.Dropout(F.ones_like(states[0]), p=self.drop_states)
        if self.drop_inputs and self.drop_inputs_mask is None:
            self.drop_inputs_mask = F.Dropout(F.ones_like(inputs), p=self.drop_inputs)
        if self.drop_states:
            states = list(states)
            states[0] = states[0] * self.drop_states_mask
        if self.drop_inputs:
            inputs = inputs * self.drop_inputs_mask
        next_output, next_states = self.base_cell(inputs, states)
        if self.drop_outputs and self.drop_outputs_mask is None:
            self.drop_outputs_mask = F.Dropout(F.ones_like(next_output), p=self.drop_outputs)
        if self.drop_outputs:
            next_output = next_output * self.drop_outputs_mask
        return next_output, next_states

    def unroll(self, length, inputs, begin_state=None, layout="NTC", merge_outputs=None, valid_length=None):
        """Unroll with one mask per sequence: input/output masks are shared along the time axis."""
        if self.drop_states:
            return super().unroll(length, inputs, begin_state, layout, merge_outputs, valid_length=valid_length)
        self.reset()
        inputs, axis, F, batch_size = format_sequence(length, inputs, layout, True)
        states = get_begin_state(self, F, begin_state, inputs, batch_size)
        if self.drop_inputs:
            inputs = F.Dropout(inputs, p=self.drop_inputs, axes=(axis,))
        outputs, states = self.base_cell.unroll(length, inputs, states, layout, merge_outputs=True,
                                                valid_length=valid_length)
        if self.drop_outputs:
            outputs = F.Dropout(outputs, p=self.drop_outputs, axes=(axis,))
        merge_outputs = is_tensor(outputs) if merge_outputs is None else merge_outputs
        outputs, _, _, _ = format_sequence(length, outputs, layout, merge_outputs)
        if valid_length is not None:
            outputs = mask_sequence_variable_length(F, outputs, length, valid_length, axis, merge_outputs)
        return outputs, states


rnn_cell = sys.modules[__name__]   # MXNet's contrib.rnn.rnn_cell (LSTMPCell, VariationalDropoutCell, dynamic_unroll)
