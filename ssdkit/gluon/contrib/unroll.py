"""``dynamic_unroll``: run a recurrent cell over a sequence with ``contrib.foreach`` (MXNet 1.9.1's
``gluon.contrib.rnn.rnn_cell.dynamic_unroll``), so a hybridized block holds one loop instead of one copy of
the cell per step.

Examples
--------
>>> import ssdkit as mx
>>> cell = mx.gluon.rnn.RNNCell(3, prefix="u_"); cell.initialize()
>>> out, states = dynamic_unroll(cell, mx.nd.ones((4, 2, 5)), cell.begin_state(batch_size=2))
>>> out.shape, states[0].shape
((4, 2, 3), (2, 3))
"""
from ..rnn.cell_base import format_sequence

__all__ = ["dynamic_unroll"]


def dynamic_unroll(cell, inputs, begin_state, drop_inputs=0, drop_outputs=0, layout="TNC", valid_length=None):
    """Unroll ``cell`` over every step of ``inputs`` with ``contrib.foreach``; returns ``(outputs, states)``.

    Parameters
    ----------
    cell : RecurrentCell
    inputs : NDArray or Symbol
        The whole sequence in ``layout`` ('TNC' or 'NTC').
    begin_state : list of NDArray or Symbol
    drop_inputs, drop_outputs : float
        Dropout on the inputs / outputs, one mask per sequence (shared along time).
    valid_length : NDArray or Symbol, optional
        ``(N,)`` lengths: states stop changing after a sequence's end and its later outputs are 0.

    Examples
    --------
    >>> import ssdkit as mx
    >>> cell = mx.gluon.rnn.GRUCell(2, prefix="g_"); cell.initialize()
    >>> out, _ = dynamic_unroll(cell, mx.nd.ones((2, 3, 4)), cell.begin_state(batch_size=2), layout="NTC",
    ...                         valid_length=mx.nd.array([1, 3]))
    >>> out.shape, float(out[0, 2].abs().sum())
    ((2, 3, 2), 0.0)
    """
    inputs, axis, F, _ = format_sequence(0, inputs, layout, True)
    axes = None
    if axis != 0:   # foreach walks the first axis
        axes = list(range(len(layout)))
        axes[0], axes[axis] = axes[axis], axes[0]
        inputs = F.transpose(inputs, axes=axes)
    states = begin_state
    if drop_inputs:
        inputs = F.Dropout(inputs, p=drop_inputs, axes=(axis,))
    if valid_length is None:
        def loop_body(step, step_states):
            return cell(step, step_states)
    else:
        states = list(states) + [F.zeros((1,))]   # the last state counts the steps

        def loop_body(step, step_states):
            cell_states, iter_no = step_states[:-1], step_states[-1]
            out, new_states = cell(step, cell_states)
            running = F.broadcast_greater(valid_length, iter_no)
            new_states = [F.where(running, new, old) for new, old in zip(new_states, cell_states)]
            return out, new_states + [iter_no + 1]
    outputs, states = F.contrib.foreach(loop_body, inputs, states)
    if drop_outputs:
        outputs = F.Dropout(outputs, p=drop_outputs, axes=(axis,))
    if axes is not None:
        outputs = F.transpose(outputs, axes)
    if valid_length is None:
        return outputs, states
    outputs = F.SequenceMask(outputs, sequence_length=valid_length, use_sequence_length=True, axis=axis)
    return outputs, states[:-1]
