"""MXNet 1.x's legacy symbolic RNN cells (``mx.rnn``): each step adds Symbol nodes; ``unroll`` runs a cell over
a sequence. Parameter and node names follow MXNet's (``<prefix>i2h_weight``, ``<prefix>t<step>_out``).

The gate arithmetic is the one of ``gluon.rnn`` (i, f, c, o for LSTM; r, z, o for GRU), written with ``mx.sym``.

Examples
--------
>>> import ssdkit as mx
>>> cell = mx.rnn.LSTMCell(4, prefix='l_')
>>> outs, states = cell.unroll(2, [mx.sym.var('t0'), mx.sym.var('t1')])
>>> [o.name for o in outs], mx.sym.Group(outs).infer_shape(t0=(3, 5), t1=(3, 5))[1]
(['l_t0_out', 'l_t1_out'], [(3, 4), (3, 4)])
"""
import functools

from .. import symbol, ndarray, initializer
from ..base import MXNetError

__all__ = ["RNNParams", "BaseRNNCell", "RNNCell", "LSTMCell", "GRUCell", "FusedRNNCell", "SequentialRNNCell",
           "DropoutCell", "ModifierCell", "ZoneoutCell", "ResidualCell", "BidirectionalCell",
           "BaseConvRNNCell", "ConvRNNCell", "ConvLSTMCell", "ConvGRUCell"]
# the composite and convolutional cells live beside (imported at the end of this module)


def _as_list(length, inputs, layout, merge, in_layout=None):
    """``(inputs, time axis)``: a Symbol split into ``length`` steps (``merge`` False) or steps joined into one
    Symbol along the time axis (``merge`` True); ``merge`` None leaves them as they are."""
    if inputs is None:
        raise MXNetError("unroll(inputs=None) is not supported: create the input variables outside unroll")
    axis = layout.find("T")
    in_axis = axis if in_layout is None else in_layout.find("T")
    if isinstance(inputs, symbol.Symbol):
        if merge is False:
            if len(inputs.list_outputs()) != 1:
                raise MXNetError("unroll: a grouped symbol cannot be split into steps; pass list(inputs)")
            inputs = list(symbol.split(inputs, axis=in_axis, num_outputs=length, squeeze_axis=1))
    else:
        if length is not None and len(inputs) != length:
            raise MXNetError(f"unroll: {len(inputs)} inputs for length {length}")
        if merge is True:
            inputs = symbol.Concat(*[symbol.expand_dims(i, axis=axis) for i in inputs], dim=axis)
            in_axis = axis
    if isinstance(inputs, symbol.Symbol) and axis != in_axis:
        inputs = symbol.swapaxes(inputs, dim0=axis, dim1=in_axis)
    return inputs, axis


class RNNParams:
    """Variables shared between cells, created on first request under ``prefix + name``.

    Examples
    --------
    >>> p = RNNParams('x_'); p.get('w') is p.get('w'), p.get('w').name
    (True, 'x_w')
    """

    def __init__(self, prefix=""):
        self._prefix = prefix
        self._params = {}

    def get(self, name, **kwargs):
        """The variable ``prefix + name``, created with ``kwargs`` (``init``, ``shape``...) if missing."""
        name = self._prefix + name
        if name not in self._params:
            self._params[name] = symbol.Variable(name, **kwargs)
        return self._params[name]


class BaseRNNCell:
    """Base of the legacy cells: ``cell(inputs, states) -> (output, states)`` adds one step.

    Examples
    --------
    >>> RNNCell(3, prefix='r_').state_info
    [{'shape': (0, 3), '__layout__': 'NC'}]
    """

    def __init__(self, prefix="", params=None):
        self._own_params = params is None
        self._params = RNNParams(prefix) if params is None else params
        self._prefix = prefix
        self._modified = False
        self.reset()

    def reset(self):
        """Restart the step and begin-state counters (before building another graph)."""
        self._init_counter = -1
        self._counter = -1
        for cell in getattr(self, "_cells", []):
            cell.reset()

    def __call__(self, inputs, states):
        raise MXNetError(f"{type(self).__name__} defines no step: override __call__(inputs, states)")

    @property
    def params(self):
        """The cell's :class:`RNNParams` (shared from then on)."""
        self._own_params = False
        return self._params

    @property
    def state_info(self):
        """Per state: ``{'shape': ..., '__layout__': ...}`` with 0 for the batch size."""
        raise MXNetError(f"{type(self).__name__} defines no state_info")

    @property
    def state_shape(self):
        """The shapes of :attr:`state_info`."""
        return [info["shape"] for info in self.state_info]

    @property
    def _gate_names(self):
        return ()

    def begin_state(self, func=symbol.zeros, **kwargs):
        """Initial states from ``func`` (``sym.zeros`` by default; ``sym.Variable`` to feed them), named
        ``<prefix>begin_state_<i>``."""
        if self._modified:
            raise MXNetError("after wrapping a cell in a modifier cell (DropoutCell, ZoneoutCell...) call the "
                             "modifier, not the base cell")
        states = []
        for info in self.state_info:
            self._init_counter += 1
            if info is not None:
                kwargs.update(info)
            states.append(func(name=f"{self._prefix}begin_state_{self._init_counter}", **kwargs))
        return states

    def unpack_weights(self, args):
        """Split each fused ``i2h``/``h2h`` weight and bias of ``args`` into one per gate."""
        args = dict(args)
        if not self._gate_names:
            return args
        h = self._num_hidden
        for group in ("i2h", "h2h"):
            weight, bias = args.pop(f"{self._prefix}{group}_weight"), args.pop(f"{self._prefix}{group}_bias")
            for j, gate in enumerate(self._gate_names):
                args[f"{self._prefix}{group}{gate}_weight"] = weight[j * h:(j + 1) * h].copy()
                args[f"{self._prefix}{group}{gate}_bias"] = bias[j * h:(j + 1) * h].copy()
        return args

    def pack_weights(self, args):
        """The inverse of :meth:`unpack_weights`."""
        args = dict(args)
        if not self._gate_names:
            return args
        for group in ("i2h", "h2h"):
            for kind in ("weight", "bias"):
                parts = [args.pop(f"{self._prefix}{group}{gate}_{kind}") for gate in self._gate_names]
                args[f"{self._prefix}{group}_{kind}"] = ndarray.concatenate(parts)
        return args

    def unroll(self, length, inputs, begin_state=None, layout="NTC", merge_outputs=None):
        """Run ``length`` steps: ``inputs`` is one Symbol (time along ``layout``'s T) or a list of steps.
        Returns ``(outputs, states)``; outputs are one Symbol when ``merge_outputs`` is True."""
        self.reset()
        inputs, _ = _as_list(length, inputs, layout, False)
        states = self.begin_state() if begin_state is None else begin_state
        outputs = []
        for step in range(length):
            output, states = self(inputs[step], states)
            outputs.append(output)
        outputs, _ = _as_list(length, outputs, layout, merge_outputs)
        return outputs, states

    def _get_activation(self, inputs, activation, **kwargs):
        if isinstance(activation, str):
            return symbol.Activation(inputs, act_type=activation, **kwargs)
        return activation(inputs, **kwargs)


def _hidden_state(num_hidden):
    return {"shape": (0, num_hidden), "__layout__": "NC"}


class _GatedCell(BaseRNNCell):
    """The part the cells share: their four variables, one input and one hidden projection per step."""

    def _variables(self, i2h_bias_init=None):
        self._iW, self._hW = self.params.get("i2h_weight"), self.params.get("h2h_weight")
        self._iB = self.params.get("i2h_bias", **({} if i2h_bias_init is None else {"init": i2h_bias_init}))
        self._hB = self.params.get("h2h_bias")

    def _next_name(self):
        self._counter += 1
        return f"{self._prefix}t{self._counter}_"

    def _project(self, inputs, states, name, sep=""):
        """``(i2h, h2h)``: FullyConnected projections of the input and the hidden state, all gates at once."""
        size = self._num_hidden * len(self._gate_names)
        i2h = symbol.FullyConnected(data=inputs, weight=self._iW, bias=self._iB, num_hidden=size,
                                    name=f"{name}{sep}i2h")
        h2h = symbol.FullyConnected(data=states[0], weight=self._hW, bias=self._hB, num_hidden=size,
                                    name=f"{name}{sep}h2h")
        return i2h, h2h

    def _act(self, x, **kwargs):
        return self._get_activation(x, self._activation, **kwargs)

    _num_states = 1

    @property
    def state_info(self):
        """Per state: its shape (0 for the batch size) and layout."""
        return [_hidden_state(self._num_hidden) for _ in range(self._num_states)]


class RNNCell(_GatedCell):
    """Elman cell: ``h' = activation(W_i x + b_i + W_h h + b_h)``.

    Examples
    --------
    >>> sorted(RNNCell(5, prefix='r_').params._params)
    ['r_h2h_bias', 'r_h2h_weight', 'r_i2h_bias', 'r_i2h_weight']
    """

    def __init__(self, num_hidden, activation="tanh", prefix="rnn_", params=None):
        super().__init__(prefix=prefix, params=params)
        self._num_hidden, self._activation = num_hidden, activation
        self._variables()

    @property
    def _gate_names(self):
        return ("",)

    def __call__(self, inputs, states):
        name = self._next_name()
        i2h, h2h = self._project(inputs, states, name)
        output = self._act(i2h + h2h, name=f"{name}out")
        return output, [output]


class LSTMCell(_GatedCell):
    """LSTM cell (gates i, f, c, o); the forget gate's bias starts at ``forget_bias``.

    Examples
    --------
    >>> LSTMCell(2, prefix='l_').params.get('i2h_bias').attr('__init__')
    '["lstmbias", {"forget_bias": 1.0}]'
    """
    _activation, _num_states = "tanh", 2

    def __init__(self, num_hidden, prefix="lstm_", params=None, forget_bias=1.0):
        super().__init__(prefix=prefix, params=params)
        self._num_hidden = num_hidden
        self._variables(initializer.LSTMBias(forget_bias=forget_bias))

    @property
    def _gate_names(self):
        return ["_i", "_f", "_c", "_o"]

    def __call__(self, inputs, states):
        name = self._next_name()
        i2h, h2h = self._project(inputs, states, name)
        i, f, c, o = symbol.SliceChannel(i2h + h2h, num_outputs=4, name=f"{name}slice")
        sigmoid = lambda x, **kw: symbol.Activation(x, act_type="sigmoid", **kw)  # noqa: E731
        in_gate, forget_gate = sigmoid(i, name=f"{name}i"), sigmoid(f, name=f"{name}f")
        transform, out_gate = self._act(c, name=f"{name}c"), sigmoid(o, name=f"{name}o")
        next_c = symbol._internal._plus(forget_gate * states[1], in_gate * transform, name=f"{name}state")
        next_h = symbol._internal._mul(out_gate, self._act(next_c), name=f"{name}out")
        return next_h, [next_h, next_c]


class GRUCell(_GatedCell):
    """GRU cell (gates r, z and the candidate), as MXNet's.

    Examples
    --------
    >>> import ssdkit as mx
    >>> GRUCell(3, prefix='g_')(mx.sym.var('x'), [mx.sym.var('h')])[0].name
    'g_t0_out'
    """
    _activation = "tanh"

    def __init__(self, num_hidden, prefix="gru_", params=None):
        super().__init__(prefix=prefix, params=params)
        self._num_hidden = num_hidden
        self._variables()

    @property
    def _gate_names(self):
        return ["_r", "_z", "_o"]

    def __call__(self, inputs, states):
        name = self._next_name()
        i2h, h2h = self._project(inputs, states, name, sep="_")
        i2h_r, i2h_z, i2h_c = symbol.SliceChannel(i2h, num_outputs=3, name=f"{name}_i2h_slice")
        h2h_r, h2h_z, h2h_c = symbol.SliceChannel(h2h, num_outputs=3, name=f"{name}_h2h_slice")
        reset = symbol.Activation(i2h_r + h2h_r, act_type="sigmoid", name=f"{name}_r_act")
        update = symbol.Activation(i2h_z + h2h_z, act_type="sigmoid", name=f"{name}_z_act")
        candidate = self._act(i2h_c + reset * h2h_c, name=f"{name}_h_act")
        next_h = symbol._internal._plus((1. - update) * candidate, update * states[0], name=f"{name}out")
        return next_h, [next_h]


from .composite import (FusedRNNCell, SequentialRNNCell, DropoutCell, ModifierCell, ZoneoutCell,  # noqa: E402
                        ResidualCell, BidirectionalCell)
from .conv_cell import BaseConvRNNCell, ConvRNNCell, ConvLSTMCell, ConvGRUCell  # noqa: E402
