"""Imperative control flow, ``mx.nd.contrib.foreach`` / ``while_loop`` / ``cond``: Python loops and branches
over NDArrays whose every step is an ordinary op call, so autograd records through them as MXNet's do.

Outputs and states follow MXNet 1.9.1: ``foreach`` stacks each step's outputs on a new axis 0 and returns
the last states; ``while_loop`` pads the stacked outputs to ``max_iterations`` rows (rows after the last step
are undefined, zeros here); ``cond`` runs one branch.

Examples
--------
>>> import ssdkit as mx
>>> outs, last = foreach(lambda x, s: (x + s[0], [x + s[0]]), mx.nd.array([1, 2, 3]), [mx.nd.zeros(1)])
>>> outs.asnumpy().ravel().tolist(), last[0].asnumpy().tolist()
([1.0, 3.0, 6.0], [6.0])
"""
import numpy as np

from ..base import MXNetError
from .ndarray import NDArray, invoke

__all__ = ["foreach", "while_loop", "cond", "flatten_nested", "regroup_nested"]


def flatten_nested(args, what):
    """A (nested) list of arrays as a flat list and the format that rebuilds it (0 for a bare array).

    ``is_array`` decides what counts as a leaf (NDArray here, Symbol in the symbol layer).

    Examples
    --------
    >>> a = NDArray(np.zeros(1))
    >>> flatten_nested([a, [a, a]], "data")[1]
    [0, [0, 0]]
    """
    return _flatten(args, what, lambda x: isinstance(x, NDArray))


def _flatten(args, what, is_array):
    if is_array(args):
        return [args], 0
    if not isinstance(args, (list, tuple)):
        raise MXNetError(f"{what} must be an array or a (nested) list of arrays, got {type(args).__name__}")
    flat, fmt = [], []
    for item in args:
        leaves, sub = _flatten(item, what, is_array)
        flat.extend(leaves)
        fmt.append(sub)
    return flat, fmt


def regroup_nested(flat, fmt):
    """Rebuild the nesting ``fmt`` (from :func:`flatten_nested`) over the flat list ``flat``.

    Examples
    --------
    >>> regroup_nested([1, 2, 3], [0, [0, 0]])
    [1, [2, 3]]
    """
    out, rest = _regroup(list(flat), fmt)
    return out


def _regroup(flat, fmt):
    if fmt == 0:
        return flat[0], flat[1:]
    out = []
    for sub in fmt:
        item, flat = _regroup(flat, sub)
        out.append(item)
    return out, flat


def foreach(body, data, init_states):
    """Run ``body(slice, states) -> (outputs, new_states)`` over axis 0 of ``data`` (an NDArray or a list).

    Returns the step outputs stacked on a new axis 0 (nested as ``body`` returns them) and the last states.

    Examples
    --------
    >>> import ssdkit as mx
    >>> outs, states = foreach(lambda x, s: (x * 2, s), mx.nd.ones((3, 2)), [mx.nd.zeros(2)])
    >>> outs.shape
    (3, 2)
    """
    flat_data, _ = flatten_nested(data, "foreach input")
    flatten_nested(init_states, "foreach states")
    single = isinstance(data, NDArray)
    steps = data.shape[0] if single else flat_data[0].shape[0]
    states, per_step, fmt = init_states, [], None
    for i in range(steps):
        piece = data[i] if single else [d[i] for d in data]
        outs, states = body(piece, states)
        flat, fmt = flatten_nested(outs, "foreach output")
        per_step.append(flat)
    if not per_step:
        return [], states
    stacked = [invoke("stack", list(items), axis=0, num_args=len(items)) for items in zip(*per_step)]
    return regroup_nested(stacked, fmt), states


def _as_python(value, kind, what):
    if isinstance(value, NDArray):
        value = value.asscalar()
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise ValueError(f"Cannot convert {what} to python {kind.__name__}") from None


def while_loop(cond, func, loop_vars, max_iterations=None):
    """Run ``func(*loop_vars) -> (step_output, new_loop_vars)`` while ``cond(*loop_vars)`` holds, at most
    ``max_iterations`` times.

    Returns the step outputs stacked on axis 0 and padded to ``max_iterations`` rows, and the final loop
    variables (a bare NDArray when ``loop_vars`` was one).

    Examples
    --------
    >>> import ssdkit as mx
    >>> outs, (i, s) = while_loop(lambda i, s: i <= 5, lambda i, s: (i, (i + 1, s + i)),
    ...                           (mx.nd.array([0]), mx.nd.array([1])), max_iterations=10)
    >>> outs.shape, s.asnumpy().tolist()
    ((10, 1), [16.0])
    """
    if max_iterations is None:
        raise ValueError("max_iterations should be specified")
    max_iterations = _as_python(max_iterations, int, "max_iteration")
    single = isinstance(loop_vars, NDArray)
    variables = [loop_vars] if single else list(loop_vars)
    if not variables:
        raise ValueError("loop_vars should contain at least one element")
    per_step, fmt = [], None
    while len(per_step) < max_iterations and _as_python(cond(*variables), bool, "Return value of cond"):
        step_output, new_vars = func(*variables)
        step_output = [] if step_output is None else list(step_output) if isinstance(step_output, tuple) \
            else step_output
        new_vars = [] if new_vars is None else new_vars
        new_vars = [new_vars] if isinstance(new_vars, NDArray) else list(new_vars)
        if len(new_vars) != len(variables):
            raise ValueError("The length of loop_vars should be consistent during the loop")
        variables = new_vars
        flat, fmt = flatten_nested(step_output, "while output")
        if per_step and len(flat) != len(per_step[0]):
            raise ValueError("Number of elements in step_output should be the same in each step")
        per_step.append(flat)
    stacked = []
    for k, items in enumerate(zip(*per_step), 1):
        rows = [x.expand_dims(0) for x in items]
        if len(per_step) < max_iterations:
            pad = np.zeros((max_iterations - len(per_step),) + items[0].shape, items[0].dtype)
            rows.append(NDArray(pad, items[0].context))
        shapes = {x.shape[1:] for x in rows}
        if len(shapes) > 1:
            raise ValueError(f"Shapes of {k}-th elements in step_outputs are inconsistent: "
                             f"{[x.shape[1:] for x in rows]}")
        stacked.append(invoke("concat", rows, dim=0, num_args=len(rows)))
    outputs = regroup_nested(stacked, fmt) if fmt is not None else []
    return outputs, (variables[0] if single else variables)


def cond(pred, then_func, else_func):
    """``then_func()`` if the one-element ``pred`` is nonzero, else ``else_func()``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> cond(mx.nd.array([0]), lambda: mx.nd.array([1]), lambda: mx.nd.array([2])).asnumpy()
    array([2.], dtype=float32)
    """
    return then_func() if _as_python(pred, bool, "pred") else else_func()
