"""Legacy cells built from other cells: stacks, both directions, dropout, zoneout, residual connections, and
the fused multi-layer cell over the ``RNN`` op (``unfuse`` turns it into the stack of single cells).

Examples
--------
>>> import ssdkit as mx
>>> stack = SequentialRNNCell()
>>> stack.add(mx.rnn.GRUCell(3, prefix='a_')); stack.add(mx.rnn.GRUCell(3, prefix='b_'))
>>> len(stack.state_info), sorted(stack.params._params)[:2]
(2, ['a_h2h_bias', 'a_h2h_weight'])
"""
from .. import symbol
from ..base import MXNetError
from .rnn_cell import BaseRNNCell, RNNCell, LSTMCell, GRUCell, _as_list

__all__ = ["FusedRNNCell", "SequentialRNNCell", "DropoutCell", "ModifierCell", "ZoneoutCell", "ResidualCell",
           "BidirectionalCell"]


def _states_of(cells):
    return sum([c.state_info for c in cells], [])


class _CellGroup(BaseRNNCell):
    """Cells held together (a stack, two directions): their states, begin states and weights in order."""

    @property
    def state_info(self):
        """Per state: its shape (0 for the batch size) and layout."""
        return _states_of(self._cells)

    def begin_state(self, **kwargs):
        """The begin states of every cell, in order."""
        if self._modified:
            raise MXNetError("after wrapping a cell in a modifier cell call the modifier, not the base cell")
        return sum([c.begin_state(**kwargs) for c in self._cells], [])

    def unpack_weights(self, args):
        """Each cell's :meth:`~BaseRNNCell.unpack_weights` in turn."""
        for cell in self._cells:
            args = cell.unpack_weights(args)
        return args

    def pack_weights(self, args):
        """Each cell's :meth:`~BaseRNNCell.pack_weights` in turn."""
        for cell in self._cells:
            args = cell.pack_weights(args)
        return args


class SequentialRNNCell(_CellGroup):
    """Cells applied one after the other at each step (a stack of layers).

    Examples
    --------
    >>> SequentialRNNCell().state_info
    []
    """

    def __init__(self, params=None):
        super().__init__(prefix="", params=params)
        self._override_cell_params = params is not None
        self._cells = []

    def add(self, cell):
        """Append ``cell``; its variables join this cell's :class:`~ssdkit.rnn.RNNParams`."""
        self._cells.append(cell)
        if self._override_cell_params:
            if not cell._own_params:
                raise MXNetError("SequentialRNNCell: with params given, the added cells must not have their own")
            cell.params._params.update(self.params._params)
        self.params._params.update(cell.params._params)

    def __call__(self, inputs, states):
        self._counter += 1
        next_states, start = [], 0
        for cell in self._cells:
            if isinstance(cell, BidirectionalCell):
                raise MXNetError("SequentialRNNCell: a BidirectionalCell cannot be stepped; use unroll")
            n = len(cell.state_info)
            inputs, new = cell(inputs, states[start:start + n])
            start += n
            next_states.append(new)
        return inputs, sum(next_states, [])

    def unroll(self, length, inputs, begin_state=None, layout="NTC", merge_outputs=None):
        """Run ``length`` steps over ``inputs``; returns ``(outputs, states)`` (see :meth:`BaseRNNCell.unroll`)."""
        self.reset()
        states = self.begin_state() if begin_state is None else begin_state
        start, next_states = 0, []
        for i, cell in enumerate(self._cells):
            n = len(cell.state_info)
            inputs, new = cell.unroll(length, inputs=inputs, begin_state=states[start:start + n], layout=layout,
                                      merge_outputs=None if i < len(self._cells) - 1 else merge_outputs)
            start += n
            next_states.extend(new)
        return inputs, next_states


class DropoutCell(BaseRNNCell):
    """Dropout on the input of each step (no state).

    Examples
    --------
    >>> import ssdkit as mx
    >>> DropoutCell(0.5)(mx.sym.var('x'), [])[0].list_outputs()
    ['dropout_t0_fwd_output']
    """

    def __init__(self, dropout, prefix="dropout_", params=None):
        super().__init__(prefix, params)
        if not isinstance(dropout, (int, float)):
            raise MXNetError("DropoutCell: dropout must be a number")
        self.dropout = dropout

    @property
    def state_info(self):
        """Per state: its shape (0 for the batch size) and layout."""
        return []

    def __call__(self, inputs, states):
        self._counter += 1
        if self.dropout > 0:
            inputs = symbol.Dropout(data=inputs, p=self.dropout, name=f"{self._prefix}t{self._counter}_fwd")
        return inputs, states

    def unroll(self, length, inputs, begin_state=None, layout="NTC", merge_outputs=None):
        """Run ``length`` steps over ``inputs``; returns ``(outputs, states)`` (see :meth:`BaseRNNCell.unroll`)."""
        self.reset()
        inputs, _ = _as_list(length, inputs, layout, merge_outputs)
        if isinstance(inputs, symbol.Symbol):
            return self(inputs, [])
        return super().unroll(length, inputs, begin_state=begin_state, layout=layout, merge_outputs=merge_outputs)


class ModifierCell(BaseRNNCell):
    """A cell that changes how ``base_cell`` steps (the base cell is then called through it only).

    Examples
    --------
    >>> import ssdkit as mx
    >>> ModifierCell(mx.rnn.RNNCell(2)).state_info
    [{'shape': (0, 2), '__layout__': 'NC'}]
    """

    def __init__(self, base_cell):
        base_cell._modified = True
        super().__init__()
        self.base_cell = base_cell

    @property
    def params(self):
        """The :class:`~ssdkit.rnn.RNNParams` holding this cell's variables."""
        self._own_params = False
        return self.base_cell.params

    @property
    def state_info(self):
        """Per state: its shape (0 for the batch size) and layout."""
        return self.base_cell.state_info

    def begin_state(self, init_sym=symbol.zeros, **kwargs):
        """The base cell's begin states."""
        if self._modified:
            raise MXNetError("after wrapping a cell in a modifier cell call the modifier, not the base cell")
        self.base_cell._modified = False
        states = self.base_cell.begin_state(func=init_sym, **kwargs)
        self.base_cell._modified = True
        return states

    def unpack_weights(self, args):
        """The base cell's :meth:`~BaseRNNCell.unpack_weights`."""
        return self.base_cell.unpack_weights(args)

    def pack_weights(self, args):
        """The base cell's :meth:`~BaseRNNCell.pack_weights`."""
        return self.base_cell.pack_weights(args)

    def __call__(self, inputs, states):
        raise MXNetError(f"{type(self).__name__} defines no step: override __call__(inputs, states)")


class ZoneoutCell(ModifierCell):
    """Zoneout: each output and state unit keeps its previous value with probability ``zoneout_outputs`` /
    ``zoneout_states`` in training.

    Examples
    --------
    >>> import ssdkit as mx
    >>> ZoneoutCell(mx.rnn.RNNCell(2), zoneout_states=0.1).zoneout_states
    0.1
    """

    def __init__(self, base_cell, zoneout_outputs=0., zoneout_states=0.):
        if isinstance(base_cell, (FusedRNNCell, BidirectionalCell)):
            raise MXNetError(f"ZoneoutCell cannot wrap a {type(base_cell).__name__}; unfuse it or wrap its cells")
        super().__init__(base_cell)
        self.zoneout_outputs, self.zoneout_states = zoneout_outputs, zoneout_states
        self.prev_output = None

    def reset(self):
        """Restart the step counters (and forget the previous output)."""
        super().reset()
        self.prev_output = None

    def __call__(self, inputs, states):
        output, new_states = self.base_cell(inputs, states)
        keep = lambda p, like: symbol.Dropout(symbol.ones_like(like), p=p)  # noqa: E731
        prev = self.prev_output if self.prev_output is not None else symbol.zeros((0, 0))
        if self.zoneout_outputs != 0.:
            output = symbol.where(keep(self.zoneout_outputs, output), output, prev)
        if self.zoneout_states != 0.:
            new_states = [symbol.where(keep(self.zoneout_states, n), n, o) for n, o in zip(new_states, states)]
        self.prev_output = output
        return output, new_states


class ResidualCell(ModifierCell):
    """The base cell's output plus its input (a residual connection) at each step.

    Examples
    --------
    >>> import ssdkit as mx
    >>> ResidualCell(mx.rnn.GRUCell(2, prefix='g_'))(mx.sym.var('x'), [mx.sym.var('h')])[0].name
    'g_t0_out_plus_residual'
    """

    def __call__(self, inputs, states):
        output, states = self.base_cell(inputs, states)
        return symbol.elemwise_add(output, inputs, name=f"{output.name}_plus_residual"), states

    def unroll(self, length, inputs, begin_state=None, layout="NTC", merge_outputs=None):
        """Run ``length`` steps over ``inputs``; returns ``(outputs, states)`` (see :meth:`BaseRNNCell.unroll`)."""
        self.reset()
        self.base_cell._modified = False
        outputs, states = self.base_cell.unroll(length, inputs=inputs, begin_state=begin_state, layout=layout,
                                                merge_outputs=merge_outputs)
        self.base_cell._modified = True
        merge = isinstance(outputs, symbol.Symbol) if merge_outputs is None else merge_outputs
        inputs, _ = _as_list(length, inputs, layout, merge)
        if merge:
            return symbol.elemwise_add(outputs, inputs, name=f"{outputs.name}_plus_residual"), states
        return [symbol.elemwise_add(o, i, name=f"{o.name}_plus_residual") for o, i in zip(outputs, inputs)], states


class BidirectionalCell(_CellGroup):
    """Two cells over the sequence, ``l_cell`` forward and ``r_cell`` backward, outputs joined on axis 1 as
    ``<output_prefix>t<step>``; use ``unroll`` (it cannot be stepped).

    Examples
    --------
    >>> import ssdkit as mx
    >>> cell = BidirectionalCell(mx.rnn.GRUCell(2, prefix='l_'), mx.rnn.GRUCell(2, prefix='r_'))
    >>> outs, _ = cell.unroll(2, [mx.sym.var('a'), mx.sym.var('b')])
    >>> [o.name for o in outs]
    ['bi_t0', 'bi_t1']
    """

    def __init__(self, l_cell, r_cell, params=None, output_prefix="bi_"):
        super().__init__("", params=params)
        self._output_prefix = output_prefix
        self._override_cell_params = params is not None
        if self._override_cell_params:
            if not (l_cell._own_params and r_cell._own_params):
                raise MXNetError("BidirectionalCell: with params given, the cells must not have their own")
            l_cell.params._params.update(self.params._params)
            r_cell.params._params.update(self.params._params)
        self.params._params.update(l_cell.params._params)
        self.params._params.update(r_cell.params._params)
        self._cells = [l_cell, r_cell]

    def __call__(self, inputs, states):
        raise MXNetError("Bidirectional cannot be stepped. Please use unroll")

    def unroll(self, length, inputs, begin_state=None, layout="NTC", merge_outputs=None):
        """Run ``length`` steps over ``inputs``; returns ``(outputs, states)`` (see :meth:`BaseRNNCell.unroll`)."""
        self.reset()
        inputs, axis = _as_list(length, inputs, layout, False)
        states = self.begin_state() if begin_state is None else begin_state
        l_cell, r_cell = self._cells
        n_l = len(l_cell.state_info)
        l_out, l_states = l_cell.unroll(length, inputs=inputs, begin_state=states[:n_l], layout=layout,
                                        merge_outputs=merge_outputs)
        r_out, r_states = r_cell.unroll(length, inputs=list(reversed(inputs)), begin_state=states[n_l:],
                                        layout=layout, merge_outputs=merge_outputs)
        if merge_outputs is None:  # merged only when both cells gave one Symbol
            merge_outputs = isinstance(l_out, symbol.Symbol) and isinstance(r_out, symbol.Symbol)
            if not merge_outputs:
                l_out, _ = _as_list(length, l_out, layout, False)
                r_out, _ = _as_list(length, r_out, layout, False)
        if merge_outputs:  # the backward cell's sequence turned round, joined on the feature axis
            outputs = symbol.Concat(l_out, symbol.reverse(r_out, axis=axis), dim=2,
                                    name=f"{self._output_prefix}out")
        else:
            outputs = [symbol.Concat(l, r, dim=1, name=f"{self._output_prefix}t{i}")
                       for i, (l, r) in enumerate(zip(l_out, reversed(r_out)))]
        return outputs, [l_states, r_states]  # nested, as MXNet returns them


_GATES = {"rnn_relu": [""], "rnn_tanh": [""], "lstm": ["_i", "_f", "_c", "_o"], "gru": ["_r", "_z", "_o"]}


class FusedRNNCell(BaseRNNCell):
    """Several layers (optionally both directions) in one ``RNN`` op with one packed ``parameters`` vector;
    use ``unroll``; :meth:`unfuse` gives the equivalent stack of single cells.

    Examples
    --------
    >>> FusedRNNCell(4, num_layers=2, mode='gru', prefix='f_').state_info
    [{'shape': (2, 0, 4), '__layout__': 'LNC'}]
    """

    def __init__(self, num_hidden, num_layers=1, mode="lstm", bidirectional=False, dropout=0.,
                 get_next_state=False, forget_bias=1.0, prefix=None, params=None):
        super().__init__(prefix=f"{mode}_" if prefix is None else prefix, params=params)
        self._num_hidden, self._num_layers, self._mode = num_hidden, num_layers, mode
        self._bidirectional, self._dropout, self._get_next_state = bidirectional, dropout, get_next_state
        self._forget_bias = forget_bias
        self._directions = ["l", "r"] if bidirectional else ["l"]
        # MXNet attaches init.FusedRNN (per-gate initialization of the packed vector); ssdkit has no such
        # initializer yet, so the packed vector takes the global initializer
        self._parameter = self.params.get("parameters")

    @property
    def state_info(self):
        """Per state: its shape (0 for the batch size) and layout."""
        shape = ((self._bidirectional + 1) * self._num_layers, 0, self._num_hidden)
        return [{"shape": shape, "__layout__": "LNC"} for _ in range((self._mode == "lstm") + 1)]

    @property
    def _gate_names(self):
        return _GATES[self._mode]

    def __call__(self, inputs, states):
        raise MXNetError("FusedRNNCell cannot be stepped. Please use unroll")

    def unroll(self, length, inputs, begin_state=None, layout="NTC", merge_outputs=None):
        """Run ``length`` steps over ``inputs``; returns ``(outputs, states)`` (see :meth:`BaseRNNCell.unroll`)."""
        self.reset()
        inputs, axis = _as_list(length, inputs, layout, True)
        if axis == 1:
            inputs = symbol.swapaxes(inputs, dim1=0, dim2=1)
        elif axis != 0:
            raise MXNetError(f"FusedRNNCell: unsupported layout {layout}")
        states = self.begin_state() if begin_state is None else begin_state
        named = {"state": states[0]}
        if self._mode == "lstm":
            named["state_cell"] = states[1]
        rnn = symbol.RNN(data=inputs, parameters=self._parameter, state_size=self._num_hidden,
                         num_layers=self._num_layers, bidirectional=self._bidirectional, p=self._dropout,
                         state_outputs=self._get_next_state, mode=self._mode, name=self._prefix + "rnn", **named)
        if not self._get_next_state:
            outputs, states = rnn, []
        else:
            outputs, states = rnn[0], [rnn[i] for i in range(1, len(rnn))]
            for s in states:
                s._set_attr(__layout__="LNC")
        if axis == 1:
            outputs = symbol.swapaxes(outputs, dim1=0, dim2=1)
        outputs, _ = _as_list(length, outputs, layout, merge_outputs)
        return outputs, states

    def unfuse(self):
        """The same network as a :class:`SequentialRNNCell` of single cells (named ``<prefix>l0_``...), with
        :class:`BidirectionalCell` layers and :class:`DropoutCell` between layers as configured."""
        make = {"rnn_relu": lambda p: RNNCell(self._num_hidden, activation="relu", prefix=p),
                "rnn_tanh": lambda p: RNNCell(self._num_hidden, activation="tanh", prefix=p),
                "lstm": lambda p: LSTMCell(self._num_hidden, prefix=p, forget_bias=self._forget_bias),
                "gru": lambda p: GRUCell(self._num_hidden, prefix=p)}[self._mode]
        stack = SequentialRNNCell()
        for i in range(self._num_layers):
            if self._bidirectional:
                stack.add(BidirectionalCell(make(f"{self._prefix}l{i}_"), make(f"{self._prefix}r{i}_"),
                                            output_prefix=f"{self._prefix}bi_l{i}_"))
            else:
                stack.add(make(f"{self._prefix}l{i}_"))
            if i != self._num_layers - 1 and self._dropout > 0:
                stack.add(DropoutCell(self._dropout, prefix=f"{self._prefix}_dropout{i}_"))
        return stack
