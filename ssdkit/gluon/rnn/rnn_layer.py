"""Fused recurrent layers ``RNN``, ``LSTM`` and ``GRU``: every layer and direction in one ``RNN`` op call.

Parameters are named as in MXNet 1.9.1 — ``{l|r}{layer}_{i2h|h2h}_{weight|bias}`` (plus ``h2r_weight`` for a
projected LSTM) under the layer's prefix, e.g. ``lstm0_l0_i2h_weight`` — and packed into the op's parameter
vector by ``_rnn_param_concat`` in MXNet's order, so weights load from MXNet files and export to MXNet JSON.
The first layer's input size may be left 0 and is taken from the first input.

Examples
--------
>>> import ssdkit as mx
>>> layer = LSTM(4, num_layers=2, bidirectional=True, prefix='lstm0_')
>>> layer.initialize()
>>> out, (h, c) = layer(mx.nd.ones((5, 3, 6)), layer.begin_state(batch_size=3))
>>> out.shape, h.shape, c.shape
((5, 3, 8), (4, 3, 4), (4, 3, 4))
>>> layer.l0_i2h_weight.name, layer.l0_i2h_weight.shape
('lstm0_l0_i2h_weight', (16, 6))
"""
import re

from ... import ndarray
from ...base import MXNetError
from ...ndarray import NDArray
from ..hybrid_block import HybridBlock
from . import rnn_cell

__all__ = ["RNN", "LSTM", "GRU"]

_GATES = {"rnn_relu": 1, "rnn_tanh": 1, "lstm": 4, "gru": 3}


class _RNNLayer(HybridBlock):
    """The shared machinery of the fused layers (see the module docstring)."""

    def __init__(self, hidden_size, num_layers, layout, dropout, bidirectional, input_size,
                 i2h_weight_initializer, h2h_weight_initializer, i2h_bias_initializer, h2h_bias_initializer,
                 mode, projection_size, h2r_weight_initializer, lstm_state_clip_min, lstm_state_clip_max,
                 lstm_state_clip_nan, dtype, use_sequence_length=False, **kwargs):
        super().__init__(**kwargs)
        if layout not in ("TNC", "NTC"):
            raise MXNetError(f"Invalid layout {layout}; must be one of ['TNC' or 'NTC']")
        self._hidden_size = hidden_size
        self._projection_size = projection_size if projection_size else None
        self._num_layers = num_layers
        self._mode = mode
        self._layout = layout
        self._dropout = dropout
        self._dir = 2 if bidirectional else 1
        self._input_size = input_size
        self._i2h_weight_initializer = i2h_weight_initializer
        self._h2h_weight_initializer = h2h_weight_initializer
        self._i2h_bias_initializer = i2h_bias_initializer
        self._h2h_bias_initializer = h2h_bias_initializer
        self._h2r_weight_initializer = h2r_weight_initializer
        self._lstm_state_clip_min = lstm_state_clip_min
        self._lstm_state_clip_max = lstm_state_clip_max
        self._lstm_state_clip_nan = lstm_state_clip_nan
        self._dtype = dtype
        self._use_sequence_length = use_sequence_length
        self.skip_states = None
        self._gates = _GATES[mode]
        ng, ni, nh = self._gates, input_size, hidden_size
        recurrent = self._projection_size or nh
        for i in range(num_layers):
            for j in ["l", "r"][:self._dir]:
                self._register_param(f"{j}{i}_i2h_weight", (ng * nh, ni), i2h_weight_initializer, dtype)
                self._register_param(f"{j}{i}_h2h_weight", (ng * nh, recurrent), h2h_weight_initializer, dtype)
                self._register_param(f"{j}{i}_i2h_bias", (ng * nh,), i2h_bias_initializer, dtype)
                self._register_param(f"{j}{i}_h2h_bias", (ng * nh,), h2h_bias_initializer, dtype)
                if self._projection_size:
                    self._register_param(f"{j}{i}_h2r_weight", (recurrent, nh), h2r_weight_initializer, dtype)
            ni = recurrent * self._dir

    def _register_param(self, name, shape, init, dtype):
        p = self.params.get(name, shape=shape, init=init, allow_deferred_init=True, dtype=dtype)
        setattr(self, name, p)
        return p

    def __repr__(self):
        s = f"{type(self).__name__}("
        shape = self.l0_i2h_weight.shape
        s += f"{shape[1] if shape[1] else None} -> {shape[0] // self._gates}, {self._layout}"
        if self._num_layers != 1:
            s += f", num_layers={self._num_layers}"
        if self._dropout != 0:
            s += f", dropout={self._dropout}"
        if self._dir == 2:
            s += ", bidirectional"
        return s + ")"

    def _collect_params_with_prefix(self, prefix=""):
        # save_parameters keys follow MXNet's older unfused layout: '_unfused.0.l_cell.i2h_weight' and the like
        if prefix:
            prefix += "."
        pattern = re.compile(r"(l|r)(\d)_(i2h|h2h|h2r)_(weight|bias)\Z")
        bidirectional = any(pattern.match(k).group(1) == "r" for k in self._reg_params)

        def convert(key):
            d, layer, g, t = pattern.match(key).groups()
            return f"_unfused.{layer}.{d}_cell.{g}_{t}" if bidirectional else f"_unfused.{layer}.{g}_{t}"
        ret = {prefix + convert(key): val for key, val in self._reg_params.items()}
        for name, child in self._children.items():
            ret.update(child._collect_params_with_prefix(prefix + name))
        return ret

    def state_info(self, batch_size=0):
        """Shapes of the begin states: ``(num_layers * directions, batch, size)`` each."""
        raise MXNetError(f"{type(self).__name__} does not describe its states")

    def _unfuse(self):
        """The same network as a stack of cells sharing these parameters (no projection, no clipping)."""
        if self._projection_size:
            raise MXNetError("_unfuse does not support projection layer yet!")
        if self._lstm_state_clip_min or self._lstm_state_clip_max:
            raise MXNetError("_unfuse does not support state clipping yet!")
        make = {"rnn_relu": lambda **kw: rnn_cell.RNNCell(self._hidden_size, activation="relu", **kw),
                "rnn_tanh": lambda **kw: rnn_cell.RNNCell(self._hidden_size, activation="tanh", **kw),
                "lstm": lambda **kw: rnn_cell.LSTMCell(self._hidden_size, **kw),
                "gru": lambda **kw: rnn_cell.GRUCell(self._hidden_size, **kw)}[self._mode]
        stack = rnn_cell.HybridSequentialRNNCell(prefix=self.prefix, params=self.params)
        with stack.name_scope():
            ni = self._input_size
            for i in range(self._num_layers):
                kw = {"input_size": ni, "i2h_weight_initializer": self._i2h_weight_initializer,
                      "h2h_weight_initializer": self._h2h_weight_initializer,
                      "i2h_bias_initializer": self._i2h_bias_initializer,
                      "h2h_bias_initializer": self._h2h_bias_initializer}
                if self._dir == 2:
                    stack.add(rnn_cell.BidirectionalCell(make(prefix=f"l{i}_", **kw), make(prefix=f"r{i}_", **kw)))
                else:
                    stack.add(make(prefix=f"l{i}_", **kw))
                if self._dropout > 0 and i != self._num_layers - 1:
                    stack.add(rnn_cell.DropoutCell(self._dropout))
                ni = self._hidden_size * self._dir
        return stack

    def cast(self, dtype):
        super().cast(dtype)
        self._dtype = dtype

    def begin_state(self, batch_size=0, func=ndarray.zeros, **kwargs):
        """Initial states made by ``func`` (``nd.zeros`` by default; ``sym.zeros``/``sym.var`` for graphs).

        Parameters
        ----------
        batch_size : int
        func : callable
            Called as ``func(name=..., shape=..., __layout__=..., dtype=..., **kwargs)``.

        Examples
        --------
        >>> [s.shape for s in GRU(3, num_layers=2, prefix='g_').begin_state(batch_size=4)]
        [(2, 4, 3)]
        """
        states = []
        for i, info in enumerate(self.state_info(batch_size)):
            info = dict(info or {}, **kwargs)
            states.append(func(name=f"{self.prefix}h0_{i}", **info))
        return states

    def __call__(self, inputs, states=None, sequence_length=None, **kwargs):
        if self.skip_states is not None and self.skip_states != (states is None):
            self._clear_cached_op()  # the graph returns the states or not: one traced with the other is wrong
        self.skip_states = states is None
        if states is None:
            if isinstance(inputs, NDArray):
                batch_size = inputs.shape[self._layout.find("N")]
                states = self.begin_state(batch_size, ctx=inputs.context, dtype=inputs.dtype)
            else:
                from ... import symbol
                states = self.begin_state(0, func=symbol.zeros)
        if not isinstance(states, (list, tuple)):
            states = [states]
        if self._use_sequence_length:
            return super().__call__(inputs, states, sequence_length, **kwargs)
        return super().__call__(inputs, states, **kwargs)

    def infer_shape(self, inputs, *args):
        """The first layer's input size comes from the inputs' feature axis."""
        size = inputs.shape[self._layout.find("C")]
        for j in ["l", "r"][:self._dir]:
            param = getattr(self, f"{j}0_i2h_weight")
            param.shape = (param.shape[0], size)

    def hybrid_forward(self, F, inputs, states, sequence_length=None, **kwargs):
        if F is ndarray:
            batch_size = inputs.shape[self._layout.find("N")]
            for state, info in zip(states, self.state_info(batch_size)):
                if state.shape != info["shape"]:
                    raise ValueError(f"Invalid recurrent state shape. Expecting {info['shape']}, "
                                     f"got {state.shape}.")
        out = self._forward_kernel(F, inputs, states, sequence_length, **kwargs)
        return out[0] if self.skip_states else out

    def _forward_kernel(self, F, inputs, states, sequence_length, **kwargs):
        if self._layout == "NTC":
            inputs = F.swapaxes(inputs, 0, 1)
        kinds = ["i2h", "h2h", "h2r"] if self._projection_size else ["i2h", "h2h"]
        flat = [kwargs[f"{d}{layer}_{g}_{t}"].reshape(-1)
                for t in ["weight", "bias"] for layer in range(self._num_layers)
                for d in ["l", "r"][:self._dir] for g in kinds if g != "h2r" or t != "bias"]
        params = F._internal._rnn_param_concat(*flat, dim=0)
        rnn_args = list(states) + ([sequence_length] if self._use_sequence_length else [])
        rnn = F.RNN(inputs, params, *rnn_args, use_sequence_length=self._use_sequence_length,
                    state_size=self._hidden_size, projection_size=self._projection_size,
                    num_layers=self._num_layers, bidirectional=self._dir == 2, p=self._dropout,
                    state_outputs=True, mode=self._mode, lstm_state_clip_min=self._lstm_state_clip_min,
                    lstm_state_clip_max=self._lstm_state_clip_max, lstm_state_clip_nan=self._lstm_state_clip_nan)
        outputs, states = (rnn[0], [rnn[1], rnn[2]]) if self._mode == "lstm" else (rnn[0], [rnn[1]])
        if self._layout == "NTC":
            outputs = F.swapaxes(outputs, 0, 1)
        return outputs, states


def _state(self, batch_size, size):
    return {"shape": (self._num_layers * self._dir, batch_size, size), "__layout__": "LNC", "dtype": self._dtype}


class RNN(_RNNLayer):
    r"""Multi-layer Elman RNN, ``h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)`` with ``relu`` or ``tanh``.

    Parameters
    ----------
    hidden_size : int
    num_layers : int, default 1
    activation : {'relu', 'tanh'}, default 'relu'
    layout : {'TNC', 'NTC'}, default 'TNC'
    dropout : float, default 0
        Dropout on the outputs of every layer but the last (training only).
    bidirectional : bool, default False
    i2h_weight_initializer, h2h_weight_initializer : Initializer, optional
    i2h_bias_initializer, h2h_bias_initializer : Initializer, default 'zeros'
    input_size : int, default 0 (inferred from the first input)
    dtype : str, default 'float32'
    prefix : str, optional
    params : ParameterDict, optional

    Inputs ``data`` (``(T, N, C)`` for 'TNC') and optionally ``states`` [``(L*D, N, H)``]; output
    ``(T, N, D*H)``, plus the final states when states were given.

    Examples
    --------
    >>> import ssdkit as mx
    >>> layer = RNN(3, 2, prefix='rnn0_'); layer.initialize()
    >>> layer(mx.nd.ones((4, 2, 5))).shape
    (4, 2, 3)
    """

    def __init__(self, hidden_size, num_layers=1, activation="relu", layout="TNC", dropout=0, bidirectional=False,
                 i2h_weight_initializer=None, h2h_weight_initializer=None, i2h_bias_initializer="zeros",
                 h2h_bias_initializer="zeros", input_size=0, dtype="float32", **kwargs):
        super().__init__(hidden_size, num_layers, layout, dropout, bidirectional, input_size,
                         i2h_weight_initializer, h2h_weight_initializer, i2h_bias_initializer, h2h_bias_initializer,
                         "rnn_" + activation, None, None, None, None, False, dtype, **kwargs)

    def state_info(self, batch_size=0):
        return [_state(self, batch_size, self._hidden_size)]


class LSTM(_RNNLayer):
    r"""Multi-layer LSTM (gates i, f, g, o), optionally with a projection of the hidden state (LSTMP).

    Parameters
    ----------
    hidden_size : int
    num_layers : int, default 1
    layout : {'TNC', 'NTC'}, default 'TNC'
    dropout : float, default 0
    bidirectional : bool, default False
    input_size : int, default 0 (inferred)
    i2h_weight_initializer, h2h_weight_initializer : Initializer, optional
    i2h_bias_initializer, h2h_bias_initializer : Initializer, default 'zeros'
    projection_size : int, optional
        Size P of the projected output and hidden state (adds ``h2r_weight (P, H)`` per layer and direction).
    h2r_weight_initializer : Initializer, optional
    state_clip_min, state_clip_max : float, optional
        Clip the cell state to this range (both or neither).
    state_clip_nan : bool, default False
        Clip NaN cell states too instead of letting them propagate.
    dtype : str, default 'float32'

    Inputs ``data`` and optionally ``states`` [``h (L*D, N, P or H)``, ``c (L*D, N, H)``].

    Examples
    --------
    >>> import ssdkit as mx
    >>> layer = LSTM(4, projection_size=2, input_size=3, prefix='p_'); layer.initialize()
    >>> out, (h, c) = layer(mx.nd.ones((5, 1, 3)), layer.begin_state(1))
    >>> out.shape, h.shape, c.shape
    ((5, 1, 2), (1, 1, 2), (1, 1, 4))
    """

    def __init__(self, hidden_size, num_layers=1, layout="TNC", dropout=0, bidirectional=False, input_size=0,
                 i2h_weight_initializer=None, h2h_weight_initializer=None, i2h_bias_initializer="zeros",
                 h2h_bias_initializer="zeros", projection_size=None, h2r_weight_initializer=None,
                 state_clip_min=None, state_clip_max=None, state_clip_nan=False, dtype="float32", **kwargs):
        super().__init__(hidden_size, num_layers, layout, dropout, bidirectional, input_size,
                         i2h_weight_initializer, h2h_weight_initializer, i2h_bias_initializer, h2h_bias_initializer,
                         "lstm", projection_size, h2r_weight_initializer, state_clip_min, state_clip_max,
                         state_clip_nan, dtype, **kwargs)

    def state_info(self, batch_size=0):
        return [_state(self, batch_size, self._projection_size or self._hidden_size),
                _state(self, batch_size, self._hidden_size)]


class GRU(_RNNLayer):
    r"""Multi-layer GRU, cuDNN's variant (the reset gate multiplies ``W_hn h + b_hn``).

    Parameters
    ----------
    hidden_size : int
    num_layers : int, default 1
    layout : {'TNC', 'NTC'}, default 'TNC'
    dropout : float, default 0
    bidirectional : bool, default False
    input_size : int, default 0 (inferred)
    i2h_weight_initializer, h2h_weight_initializer : Initializer, optional
    i2h_bias_initializer, h2h_bias_initializer : Initializer, default 'zeros'
    dtype : str, default 'float32'

    Examples
    --------
    >>> import ssdkit as mx
    >>> layer = GRU(3, layout='NTC', prefix='gru0_'); layer.initialize()
    >>> layer(mx.nd.ones((2, 6, 4))).shape
    (2, 6, 3)
    """

    def __init__(self, hidden_size, num_layers=1, layout="TNC", dropout=0, bidirectional=False, input_size=0,
                 i2h_weight_initializer=None, h2h_weight_initializer=None, i2h_bias_initializer="zeros",
                 h2h_bias_initializer="zeros", dtype="float32", **kwargs):
        super().__init__(hidden_size, num_layers, layout, dropout, bidirectional, input_size,
                         i2h_weight_initializer, h2h_weight_initializer, i2h_bias_initializer, h2h_bias_initializer,
                         "gru", None, None, None, None, False, dtype, **kwargs)

    def state_info(self, batch_size=0):
        return [_state(self, batch_size, self._hidden_size)]
