"""The base of every recurrent cell: ``RecurrentCell`` (state bookkeeping, ``begin_state``, ``unroll``) and
``HybridRecurrentCell``, plus the sequence helpers ``unroll`` shares with the container cells.

A cell maps one time step ``(inputs (N, C), states)`` to ``(output, new states)``; ``unroll`` runs it over a
whole sequence given as one array (layout ``'NTC'`` or ``'TNC'``) or as a list of per-step arrays, and with
``valid_length`` masks the padded steps and returns each sequence's last valid state, as MXNet 1.9.1 does.

Examples
--------
>>> import ssdkit as mx
>>> cell = mx.gluon.rnn.RNNCell(3, prefix='r_')
>>> cell.initialize()
>>> outputs, states = cell.unroll(4, mx.nd.ones((2, 4, 5)), merge_outputs=True)
>>> outputs.shape, states[0].shape
((2, 4, 3), (2, 3))
"""
from ... import ndarray
from ...base import MXNetError
from ...ndarray import NDArray
from ..block import Block
from ..hybrid_block import HybridBlock
from ..nesting import is_symbol

__all__ = ["RecurrentCell", "HybridRecurrentCell", "format_sequence", "mask_sequence_variable_length",
           "reverse_sequences", "get_begin_state", "cells_state_info", "cells_begin_state", "is_tensor"]


def _symbol():
    from ... import symbol  # L4, loaded when a cell meets Symbols
    return symbol


def is_tensor(value):
    """Whether ``value`` is one NDArray or Symbol (MXNet's ``tensor_types``), not a list of steps.

    Examples
    --------
    >>> import ssdkit as mx
    >>> is_tensor(mx.nd.ones(1)), is_tensor([mx.nd.ones(1)])
    (True, False)
    """
    return isinstance(value, NDArray) or is_symbol(value)


def _as_list(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


def cells_state_info(cells, batch_size):
    """The state descriptions of several cells, concatenated."""
    return sum([c.state_info(batch_size) for c in cells], [])


def cells_begin_state(cells, **kwargs):
    """The begin states of several cells, concatenated."""
    return sum([c.begin_state(**kwargs) for c in cells], [])


def get_begin_state(cell, F, begin_state, inputs, batch_size):
    """``begin_state`` if given, else the cell's zeros (on the inputs' context for NDArrays)."""
    if begin_state is not None:
        return begin_state
    if F is ndarray:
        ctx = inputs.context if is_tensor(inputs) else inputs[0].context
        with ctx:
            return cell.begin_state(func=F.zeros, batch_size=batch_size)
    return cell.begin_state(func=F.zeros, batch_size=batch_size)


def format_sequence(length, inputs, layout, merge, in_layout=None):
    """Bring ``inputs`` to one array in ``layout`` (``merge`` True) or a list of steps (``merge`` False).

    Returns ``(inputs, time axis, F, batch_size)``; ``merge=None`` keeps the form given.

    Examples
    --------
    >>> import ssdkit as mx
    >>> steps, axis, F, n = format_sequence(3, mx.nd.ones((2, 3, 4)), 'NTC', False)
    >>> len(steps), steps[0].shape, axis, n
    (3, (2, 4), 1, 2)
    """
    if inputs is None:
        raise MXNetError("unroll(inputs=None) is not supported: create the input variables outside unroll")
    axis, batch_axis = layout.find("T"), layout.find("N")
    batch_size = 0
    in_axis = in_layout.find("T") if in_layout is not None else axis
    if is_symbol(inputs):
        F = _symbol()
        if merge is False:
            if len(inputs.list_outputs()) != 1:
                raise MXNetError("unroll doesn't allow grouped symbol as input. Please convert to list with "
                                 "list(inputs) first or let unroll handle splitting.")
            inputs = list(F.split(inputs, axis=in_axis, num_outputs=length, squeeze_axis=1))
    elif isinstance(inputs, NDArray):
        F = ndarray
        batch_size = inputs.shape[batch_axis]
        if merge is False:
            if length is not None and length != inputs.shape[in_axis]:
                raise MXNetError(f"unroll: length {length} differs from the {inputs.shape[in_axis]} steps of "
                                 f"the inputs (shape {inputs.shape}, layout {layout})")
            inputs = _as_list(ndarray.split(inputs, axis=in_axis, num_outputs=inputs.shape[in_axis],
                                            squeeze_axis=1))
    else:
        if length is not None and len(inputs) != length:
            raise MXNetError(f"unroll: length {length} but {len(inputs)} input steps were given")
        if is_symbol(inputs[0]):
            F = _symbol()
        else:
            F = ndarray
            batch_size = inputs[0].shape[0]
        if merge is True:
            inputs = F.stack(*inputs, axis=axis)
            in_axis = axis
    if is_tensor(inputs) and axis != in_axis:
        inputs = F.swapaxes(inputs, dim1=axis, dim2=in_axis)
    return inputs, axis, F, batch_size


def mask_sequence_variable_length(F, data, length, valid_length, time_axis, merge):
    """Zero the steps at or beyond each sequence's ``valid_length``; a list of steps if not ``merge``."""
    if not is_tensor(data):
        data = F.stack(*data, axis=time_axis)
    outputs = F.SequenceMask(data, sequence_length=valid_length, use_sequence_length=True, axis=time_axis)
    if not merge:
        outputs = _as_list(F.split(outputs, num_outputs=length, axis=time_axis, squeeze_axis=True))
    return outputs


def reverse_sequences(sequences, unroll_step, valid_length=None):
    """Reverse a list of steps in time; with ``valid_length`` only each sequence's valid part turns round."""
    F = _symbol() if is_symbol(sequences[0]) else ndarray
    if valid_length is None:
        return list(reversed(sequences))
    reversed_seq = F.SequenceReverse(F.stack(*sequences, axis=0), sequence_length=valid_length,
                                     use_sequence_length=True)
    if unroll_step > 1 or F is not ndarray:  # a grouped Symbol iterates over its outputs
        return list(F.split(reversed_seq, axis=0, num_outputs=unroll_step, squeeze_axis=True))
    return [reversed_seq[0]]


class RecurrentCell(Block):
    """Abstract base of recurrent cells: one step per call, ``unroll`` over a sequence.

    Parameters
    ----------
    prefix : str, optional
        Prefix of the cell's blocks and (when ``params`` is None) of its parameters.
    params : ParameterDict, optional
        Parameters to share with another cell.

    Examples
    --------
    >>> import ssdkit as mx
    >>> cell = mx.gluon.rnn.GRUCell(2, prefix='g_')
    >>> [s['shape'] for s in cell.state_info(batch_size=5)]
    [(5, 2)]
    """

    def __init__(self, prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)
        self._modified = False
        self.reset()

    def reset(self):
        """Reset the step counters before using the cell for another sequence (or graph)."""
        self._init_counter = -1
        self._counter = -1
        for cell in self._children.values():
            cell.reset()

    def state_info(self, batch_size=0):
        """Shape and layout of every state: a list of dicts (``shape``, ``__layout__``)."""
        raise MXNetError(f"{type(self).__name__} does not describe its states (state_info)")

    def _check_unmodified(self):
        if self._modified:
            raise MXNetError("After applying modifier cells (e.g. ZoneoutCell) the base cell cannot be called "
                             "directly. Call the modifier cell instead.")

    def begin_state(self, batch_size=0, func=ndarray.zeros, **kwargs):
        """Initial states made by ``func`` (``nd.zeros``, ``sym.zeros``, ``sym.var``, ...).

        Parameters
        ----------
        batch_size : int
            The batch size N (needed for NDArrays).
        func : callable
            Called as ``func(name=..., shape=..., __layout__=..., **kwargs)`` for each state.
        **kwargs
            Extra arguments to ``func`` (``dtype``, ``ctx``, ...).

        Examples
        --------
        >>> import ssdkit as mx
        >>> [s.shape for s in mx.gluon.rnn.LSTMCell(4, prefix='l_').begin_state(batch_size=2)]
        [(2, 4), (2, 4)]
        """
        self._check_unmodified()
        states = []
        for info in self.state_info(batch_size):
            self._init_counter += 1
            info = dict(info or {}, **kwargs)
            states.append(func(name=f"{self._prefix}begin_state_{self._init_counter}", **info))
        return states

    def unroll(self, length, inputs, begin_state=None, layout="NTC", merge_outputs=None, valid_length=None):
        """Run the cell over ``length`` steps.

        Parameters
        ----------
        length : int
        inputs : NDArray or Symbol (``layout``), or a list of ``length`` arrays of shape (N, C)
        begin_state : list, optional
            Default: :meth:`begin_state` zeros.
        layout : {'NTC', 'TNC'}
        merge_outputs : bool, optional
            True: one array in ``layout``; False: a list of steps; None: whichever is at hand.
        valid_length : NDArray or Symbol of shape (N,), optional
            Padded steps output zeros; the returned states are each sequence's last valid ones.

        Returns
        -------
        outputs, states
        """
        self.reset()
        inputs, axis, F, batch_size = format_sequence(length, inputs, layout, False)
        states = get_begin_state(self, F, begin_state, inputs, batch_size)
        outputs, all_states = [], []
        for i in range(length):
            output, states = self(inputs[i], states)
            outputs.append(output)
            if valid_length is not None:
                all_states.append(states)
        if valid_length is not None:
            states = [F.SequenceLast(F.stack(*per_step, axis=0), sequence_length=valid_length,
                                     use_sequence_length=True, axis=0)
                      for per_step in zip(*all_states)]
            outputs = mask_sequence_variable_length(F, outputs, length, valid_length, axis, True)
        outputs, _, _, _ = format_sequence(length, outputs, layout, merge_outputs)
        return outputs, states

    def _get_activation(self, F, inputs, activation, **kwargs):
        """Apply ``activation``: a name, a ``LeakyReLU`` block or any callable."""
        from ..nn import LeakyReLU
        func = {"tanh": F.tanh, "relu": F.relu, "sigmoid": F.sigmoid, "softsign": F.softsign}.get(activation)
        if func:
            return func(inputs, **kwargs)
        if isinstance(activation, str):
            return F.Activation(inputs, act_type=activation, **kwargs)
        if isinstance(activation, LeakyReLU):
            return F.LeakyReLU(inputs, act_type="leaky", slope=activation._alpha, **kwargs)
        return activation(inputs, **kwargs)

    def forward(self, inputs, states):
        """One time step: ``(output, new states)`` from ``inputs (N, C)`` and the previous ``states``."""
        self._counter += 1
        return super().forward(inputs, states)


class HybridRecurrentCell(RecurrentCell, HybridBlock):
    """A recurrent cell written as ``hybrid_forward(F, inputs, states, **params)``; it can hybridize.

    Examples
    --------
    >>> import ssdkit as mx
    >>> isinstance(mx.gluon.rnn.LSTMCell(2), HybridBlock)
    True
    """

    def __init__(self, prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)

    def hybrid_forward(self, F, x, *args, **kwargs):
        raise MXNetError(f"{type(self).__name__} defines no hybrid_forward(F, inputs, states, ...)")
