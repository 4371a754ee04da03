"""Cells built from cells: stacks (``SequentialRNNCell``, ``HybridSequentialRNNCell``), ``DropoutCell``,
``BidirectionalCell`` and the modifiers (``ModifierCell``, ``ZoneoutCell``, ``ResidualCell``), as in MXNet 1.9.1.

Examples
--------
>>> import ssdkit as mx
>>> stack = mx.gluon.rnn.SequentialRNNCell(prefix='s_')
>>> with stack.name_scope():
...     stack.add(mx.gluon.rnn.LSTMCell(4))
...     stack.add(mx.gluon.rnn.DropoutCell(0.5))
...     stack.add(mx.gluon.rnn.GRUCell(3))
>>> stack.initialize()
>>> out, states = stack.unroll(5, mx.nd.ones((2, 5, 6)), merge_outputs=True)
>>> out.shape, [s.shape for s in states]
((2, 5, 3), [(2, 4), (2, 4), (2, 3)])
"""
from ...base import MXNetError, numeric_types
from ..utils import _indent
from .cell_base import (RecurrentCell, HybridRecurrentCell, format_sequence, mask_sequence_variable_length,
                        reverse_sequences, get_begin_state, cells_state_info, cells_begin_state, is_tensor)

__all__ = ["SequentialRNNCell", "HybridSequentialRNNCell", "DropoutCell", "ModifierCell", "ZoneoutCell",
           "ResidualCell", "BidirectionalCell"]


class _StackMixin:
    """What both sequential stacks share: add, indexing, states, one step and unroll through every cell."""

    def __repr__(self):
        body = "\n".join(f"({i}): {_indent(repr(m), 2)}" for i, m in self._children.items())
        return f"{type(self).__name__}(\n{body}\n)"

    def add(self, cell):
        """Append ``cell`` to the stack."""
        self.register_child(cell)

    def state_info(self, batch_size=0):
        return cells_state_info(self._children.values(), batch_size)

    def begin_state(self, **kwargs):
        """The begin states of every cell, in order (see :meth:`RecurrentCell.begin_state`)."""
        self._check_unmodified()
        return cells_begin_state(self._children.values(), **kwargs)

    def __call__(self, inputs, states):
        self._counter += 1
        if any(isinstance(cell, BidirectionalCell) for cell in self._children.values()):
            raise MXNetError(f"{type(self).__name__} holding a BidirectionalCell cannot be stepped; use unroll")
        next_states, p = [], 0
        for cell in self._children.values():
            n = len(cell.state_info())
            inputs, state = cell(inputs, states[p:p + n])
            p += n
            next_states.extend(state)
        return inputs, next_states

    def unroll(self, length, inputs, begin_state=None, layout="NTC", merge_outputs=None, valid_length=None):
        self.reset()
        inputs, _, F, batch_size = format_sequence(length, inputs, layout, None)
        begin_state = get_begin_state(self, F, begin_state, inputs, batch_size)
        last = len(self._children) - 1
        p, next_states = 0, []
        for i, cell in enumerate(self._children.values()):
            n = len(cell.state_info())
            inputs, states = cell.unroll(length, inputs=inputs, begin_state=begin_state[p:p + n], layout=layout,
                                         merge_outputs=None if i < last else merge_outputs,
                                         valid_length=valid_length)
            p += n
            next_states.extend(states)
        return inputs, next_states

    def __getitem__(self, i):
        return self._children[str(i)]

    def __len__(self):
        return len(self._children)


class SequentialRNNCell(_StackMixin, RecurrentCell):
    """A stack of cells run one after the other at every step (cells may be plain Blocks).

    Examples
    --------
    >>> import ssdkit as mx
    >>> s = SequentialRNNCell(prefix='s_'); s.add(mx.gluon.rnn.RNNCell(2, prefix='s_a_')); len(s)
    1
    """


class HybridSequentialRNNCell(_StackMixin, HybridRecurrentCell):
    """A stack of hybridizable cells (each child runs its own cached graph once hybridized).

    Examples
    --------
    >>> import ssdkit as mx
    >>> s = HybridSequentialRNNCell(prefix='h_'); s.add(mx.gluon.rnn.GRUCell(2, prefix='h_a_')); s[0]
    GRUCell(None -> 6)
    """

    def hybrid_forward(self, F, inputs, states):
        return self.__call__(inputs, states)


class DropoutCell(HybridRecurrentCell):
    """Dropout on the inputs of every step (states pass through unchanged).

    Parameters
    ----------
    rate : float
        Fraction of elements dropped (in training mode).
    axes : tuple of int, default ()
        Axes along which the dropout mask is shared.

    Examples
    --------
    >>> DropoutCell(0.25)
    DropoutCell(rate=0.25, axes=())
    """

    def __init__(self, rate, axes=(), prefix=None, params=None):
        super().__init__(prefix, params)
        if not isinstance(rate, numeric_types):
            raise MXNetError(f"DropoutCell: rate must be a number, got {rate!r}")
        self._rate = rate
        self._axes = axes

    def __repr__(self):
        return f"{type(self).__name__}(rate={self._rate}, axes={self._axes})"

    def state_info(self, batch_size=0):
        return []

    def _alias(self):
        return "dropout"

    def hybrid_forward(self, F, inputs, states):
        if self._rate > 0:
            inputs = F.Dropout(data=inputs, p=self._rate, axes=self._axes, name=f"t{self._counter}_fwd")
        return inputs, states

    def unroll(self, length, inputs, begin_state=None, layout="NTC", merge_outputs=None, valid_length=None):
        self.reset()
        inputs, _, F, _ = format_sequence(length, inputs, layout, merge_outputs)
        if is_tensor(inputs):
            return self.hybrid_forward(F, inputs, begin_state if begin_state else [])
        return super().unroll(length, inputs, begin_state=begin_state, layout=layout,
                              merge_outputs=merge_outputs, valid_length=None)


class ModifierCell(HybridRecurrentCell):
    """Base of cells that wrap one base cell and change what it does; call the modifier, not the base.

    Examples
    --------
    >>> import ssdkit as mx
    >>> base = mx.gluon.rnn.GRUCell(2, prefix='g_')
    >>> ResidualCell(base).prefix
    'g_residualcell'
    """

    def __init__(self, base_cell):
        if base_cell._modified:
            raise MXNetError(f"Cell {base_cell.name} is already modified. One cell cannot be modified twice")
        base_cell._modified = True
        super().__init__(prefix=base_cell.prefix + self._alias(), params=None)
        self.base_cell = base_cell

    @property
    def params(self):
        """The base cell's ParameterDict: a modifier owns no parameters of its own."""
        return self.base_cell.params

    def state_info(self, batch_size=0):
        return self.base_cell.state_info(batch_size)

    def begin_state(self, func=None, **kwargs):
        """The base cell's begin states (``func`` defaults to ``sym.zeros``, as in MXNet)."""
        self._check_unmodified()
        if func is None:
            from ... import symbol
            func = symbol.zeros
        self.base_cell._modified = False
        try:
            return self.base_cell.begin_state(func=func, **kwargs)
        finally:
            self.base_cell._modified = True

    def hybrid_forward(self, F, inputs, states):
        raise MXNetError(f"{type(self).__name__} defines no hybrid_forward(F, inputs, states)")

    def __repr__(self):
        return f"{type(self).__name__}({self.base_cell!r})"


class ZoneoutCell(ModifierCell):
    """Zoneout: in training, each output and state element keeps its previous value with probability
    ``zoneout_outputs`` / ``zoneout_states``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> ZoneoutCell(mx.gluon.rnn.RNNCell(2, prefix='r_'), zoneout_states=0.3)
    ZoneoutCell(p_out=0.0, p_state=0.3, RNNCell(None -> 2, tanh))
    """

    def __init__(self, base_cell, zoneout_outputs=0., zoneout_states=0.):
        if isinstance(base_cell, BidirectionalCell) or (
                isinstance(base_cell, _StackMixin)
                and any(isinstance(c, BidirectionalCell) for c in base_cell._children.values())):
            raise MXNetError("BidirectionalCell doesn't support zoneout since it doesn't support step. Please add "
                             "ZoneoutCell to the cells underneath instead.")
        super().__init__(base_cell)
        self.zoneout_outputs = zoneout_outputs
        self.zoneout_states = zoneout_states
        self._prev_output = None

    def __repr__(self):
        return (f"{type(self).__name__}(p_out={self.zoneout_outputs}, p_state={self.zoneout_states}, "
                f"{self.base_cell!r})")

    def _alias(self):
        return "zoneout"

    def reset(self):
        super().reset()
        self._prev_output = None

    def hybrid_forward(self, F, inputs, states):
        p_out, p_state = self.zoneout_outputs, self.zoneout_states
        next_output, next_states = self.base_cell(inputs, states)

        def keep_new(p, like):  # 1 where the new value is taken; Dropout scales kept ones, where() ignores that
            return F.Dropout(F.ones_like(like), p=p)

        prev_output = self._prev_output if self._prev_output is not None else F.zeros_like(next_output)
        output = F.where(keep_new(p_out, next_output), next_output, prev_output) if p_out != 0. else next_output
        if p_state != 0.:
            states = [F.where(keep_new(p_state, new), new, old) for new, old in zip(next_states, states)]
        else:
            states = next_states
        self._prev_output = output
        return output, states


class ResidualCell(ModifierCell):
    """Adds the input to the base cell's output (Wu et al., 2016); input and output sizes must agree.

    Examples
    --------
    >>> import ssdkit as mx
    >>> cell = ResidualCell(mx.gluon.rnn.GRUCell(3, prefix='g_')); cell.initialize()
    >>> cell(mx.nd.ones((1, 3)), [mx.nd.zeros((1, 3))])[0].shape
    (1, 3)
    """

    def hybrid_forward(self, F, inputs, states):
        output, states = self.base_cell(inputs, states)
        return F.elemwise_add(output, inputs, name=f"t{self._counter}_fwd"), states

    def unroll(self, length, inputs, begin_state=None, layout="NTC", merge_outputs=None, valid_length=None):
        self.reset()
        self.base_cell._modified = False
        try:
            outputs, states = self.base_cell.unroll(length, inputs=inputs, begin_state=begin_state, layout=layout,
                                                    merge_outputs=merge_outputs, valid_length=valid_length)
        finally:
            self.base_cell._modified = True
        merge_outputs = is_tensor(outputs) if merge_outputs is None else merge_outputs
        inputs, axis, F, _ = format_sequence(length, inputs, layout, merge_outputs)
        if valid_length is not None:  # padded inputs must not leak into the masked outputs
            inputs = mask_sequence_variable_length(F, inputs, length, valid_length, axis, merge_outputs)
        if merge_outputs:
            return F.elemwise_add(outputs, inputs), states
        return [F.elemwise_add(i, j) for i, j in zip(outputs, inputs)], states


class BidirectionalCell(HybridRecurrentCell):
    """Runs ``l_cell`` forward and ``r_cell`` backward in time and joins their outputs on the feature axis.

    Parameters
    ----------
    l_cell, r_cell : RecurrentCell
    output_prefix : str, default 'bi_'

    Examples
    --------
    >>> import ssdkit as mx
    >>> bi = BidirectionalCell(mx.gluon.rnn.GRUCell(2, prefix='l_'), mx.gluon.rnn.GRUCell(2, prefix='r_'))
    >>> bi.initialize()
    >>> out, states = bi.unroll(3, mx.nd.ones((4, 3, 5)), merge_outputs=True)
    >>> out.shape, len(states)
    ((4, 3, 4), 2)
    """

    def __init__(self, l_cell, r_cell, output_prefix="bi_"):
        super().__init__(prefix="", params=None)
        self.register_child(l_cell, "l_cell")
        self.register_child(r_cell, "r_cell")
        self._output_prefix = output_prefix

    def __call__(self, inputs, states):
        raise MXNetError("Bidirectional cannot be stepped. Please use unroll")

    def __repr__(self):
        return (f"{type(self).__name__}(forward={self._children['l_cell']!r}, "
                f"backward={self._children['r_cell']!r})")

    def state_info(self, batch_size=0):
        return cells_state_info(self._children.values(), batch_size)

    def begin_state(self, **kwargs):
        """The begin states of the forward cell, then of the backward cell."""
        self._check_unmodified()
        return cells_begin_state(self._children.values(), **kwargs)

    def unroll(self, length, inputs, begin_state=None, layout="NTC", merge_outputs=None, valid_length=None):
        self.reset()
        inputs, axis, F, batch_size = format_sequence(length, inputs, layout, False)
        reversed_inputs = list(reverse_sequences(inputs, length, valid_length))
        states = get_begin_state(self, F, begin_state, inputs, batch_size)
        l_cell, r_cell = self._children.values()
        n_left = len(l_cell.state_info(batch_size))
        l_outputs, l_states = l_cell.unroll(length, inputs=inputs, begin_state=states[:n_left], layout=layout,
                                            merge_outputs=merge_outputs, valid_length=valid_length)
        r_outputs, r_states = r_cell.unroll(length, inputs=reversed_inputs, begin_state=states[n_left:],
                                            layout=layout, merge_outputs=False, valid_length=valid_length)
        reversed_r_outputs = reverse_sequences(r_outputs, length, valid_length)
        if merge_outputs is None:
            merge_outputs = is_tensor(l_outputs)
            l_outputs, _, _, _ = format_sequence(None, l_outputs, layout, merge_outputs)
            reversed_r_outputs, _, _, _ = format_sequence(None, reversed_r_outputs, layout, merge_outputs)
        if merge_outputs:
            reversed_r_outputs = F.stack(*reversed_r_outputs, axis=axis)
            outputs = F.concat(l_outputs, reversed_r_outputs, dim=2, name=f"{self._output_prefix}out")
        else:
            outputs = [F.concat(l_o, r_o, dim=1, name=f"{self._output_prefix}t{i}")
                       for i, (l_o, r_o) in enumerate(zip(l_outputs, reversed_r_outputs))]
        if valid_length is not None:
            outputs = mask_sequence_variable_length(F, outputs, length, valid_length, axis, merge_outputs)
        return outputs, l_states + r_states
