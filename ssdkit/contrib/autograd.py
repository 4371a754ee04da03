"""``mx.contrib.autograd``: MXNet's first autograd API (before ``mx.autograd.record``), over ssdkit's tape.

``train_section()`` turns recording and training on together (``test_section()`` off), ``compute_gradient``
runs backward, and ``grad_and_loss(func)`` / ``grad(func)`` wrap a function so that calling it returns the
gradients of its arguments.

Examples
--------
>>> import ssdkit as mx
>>> grads, loss = grad_and_loss(lambda x: (x * x).sum())(mx.nd.array([1.0, 2.0]))
>>> grads[0].asnumpy(), float(loss.asscalar())
(array([2., 4.], dtype=float32), 5.0)
"""
import functools

from .. import autograd as _tape
from ..ndarray import NDArray, zeros_like

__all__ = ["set_is_training", "TrainingStateScope", "train_section", "test_section", "mark_variables",
           "backward", "compute_gradient", "grad_and_loss", "grad"]

mark_variables = _tape.mark_variables


def set_is_training(is_train):
    """Set recording and training together; returns the previous training state.

    Examples
    --------
    >>> prev = set_is_training(True); set_is_training(prev)
    True
    """
    _tape.set_recording(is_train)
    return _tape.set_training(is_train)


class TrainingStateScope:
    """``with TrainingStateScope(True):`` records and trains inside, restoring the previous state after.

    Examples
    --------
    >>> with TrainingStateScope(True):
    ...     _tape.is_recording()
    True
    """

    def __init__(self, enter_state):
        self._enter_state, self._prev = enter_state, None

    def __enter__(self):
        self._prev = set_is_training(self._enter_state)

    def __exit__(self, *exc):
        if self._prev != self._enter_state:
            set_is_training(self._prev)


def train_section():
    """A scope that records and runs layers in training mode.

    Examples
    --------
    >>> with train_section():
    ...     _tape.is_training()
    True
    """
    return TrainingStateScope(True)


def test_section():
    """A scope that neither records nor trains (inside a :func:`train_section`, for evaluation).

    Examples
    --------
    >>> with train_section():
    ...     with test_section():
    ...         _tape.is_recording()
    False
    """
    return TrainingStateScope(False)


def backward(outputs, out_grads=None, retain_graph=False):
    """Gradients of ``outputs`` (a list of NDArrays) into the marked variables.

    Examples
    --------
    >>> import ssdkit as mx
    >>> x, g = mx.nd.array([3.0]), mx.nd.zeros((1,))
    >>> mark_variables([x], [g])
    >>> with train_section():
    ...     y = x * x
    >>> backward([y]); g.asnumpy()
    array([6.], dtype=float32)
    """
    if not isinstance(outputs, (list, tuple)):
        raise TypeError(f"backward: outputs must be a list or tuple of NDArrays, got {type(outputs).__name__}")
    if out_grads is not None and len(out_grads) != len(outputs):
        raise ValueError(f"backward: {len(outputs)} outputs but {len(out_grads)} out_grads")
    _tape.backward(list(outputs), None if out_grads is None else list(out_grads), retain_graph=retain_graph)


def compute_gradient(outputs):
    """Deprecated spelling of :func:`backward` without output gradients.

    Examples
    --------
    >>> callable(compute_gradient)
    True
    """
    backward(outputs)


def grad_and_loss(func, argnum=None):
    """Wrap ``func`` so that calling it returns ``(gradients of the chosen arguments, func's outputs)``.

    ``argnum`` (int or list of int) picks the arguments to differentiate; default all.

    Examples
    --------
    >>> import ssdkit as mx
    >>> g, _ = grad_and_loss(lambda a, b: a * b, argnum=1)(mx.nd.array([3.0]), mx.nd.array([4.0]))
    >>> g[0].asnumpy()
    array([3.], dtype=float32)
    """
    @functools.wraps(func)
    def wrapped(*args):
        variables = args
        if argnum is not None:
            variables = [args[i] for i in (argnum if isinstance(argnum, list) else [argnum])]
        for x in variables:
            if not isinstance(x, NDArray):
                raise TypeError(f"grad_and_loss: arguments to differentiate must be NDArrays, "
                                f"got {type(x).__name__}")
        grads = [zeros_like(x) for x in variables]
        mark_variables(variables, grads)
        with train_section():
            outputs = func(*args)
        compute_gradient([outputs] if isinstance(outputs, NDArray) else outputs)
        return grads, outputs
    return wrapped


def grad(func, argnum=None):
    """Wrap ``func`` so that calling it returns the gradients of the chosen arguments.

    Examples
    --------
    >>> import ssdkit as mx
    >>> grad(lambda x: x * 3)(mx.nd.array([1.0, 5.0]))[0].asnumpy()
    array([3., 3.], dtype=float32)
    """
    with_loss = grad_and_loss(func, argnum)

    @functools.wraps(with_loss)
    def wrapped(*args):
        return with_loss(*args)[0]
    return wrapped
