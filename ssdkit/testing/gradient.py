"""The one gradient checker: an op's (or a symbol's) backward against float64 central differences.

:func:`check_directional` is the check itself; :func:`check_op_gradient` applies it to one registered op and
``mx.test_utils.check_numeric_gradient`` (:mod:`.symbolic`) to a whole symbol. It compares a backward (its vector-Jacobian product) with float64 central
differences taken along one random direction: for random ``v`` (input perturbation) and ``w`` (output
weights), ``<w, (f(x+εv) - f(x-εv)) / 2ε>`` must equal ``<backward(w), v>``.

Examples
--------
>>> import numpy as np
>>> check_op_gradient("tanh", [np.linspace(-1, 1, 5)])
>>> check_op_gradient("FullyConnected", [np.ones((2, 3)), np.ones((4, 3)), np.zeros(4)], {"num_hidden": 4})
"""
import numpy as np

from ..ops import get_op

__all__ = ["check_op_gradient", "numeric_directional_derivative", "check_directional"]


def _run(op, params, inputs, is_train):
    outputs, saved = op.forward(params, [x.copy() for x in inputs], is_train)
    return outputs, saved


def numeric_directional_derivative(op, params, inputs, direction, weights, eps, is_train, wrt):
    """``<weights, d outputs>`` for a step along ``direction`` on the inputs listed in ``wrt`` (float64).

    Examples
    --------
    >>> op = get_op("square"); p = op.parse_params({})
    >>> round(numeric_directional_derivative(op, p, [np.array([3.0])], [np.array([1.0])],
    ...                                       [np.array([1.0])], 1e-4, False, [0]), 4)
    6.0
    """
    return _central(lambda xs: _run(op, params, xs, is_train)[0], inputs, direction, weights, eps, wrt)


def _central(function, inputs, direction, weights, eps, wrt):
    """Central difference of ``<weights, function(inputs)>`` along ``direction`` on the inputs in ``wrt``."""
    def weighted(sign):
        shifted = [x + sign * eps * d if i in wrt else x for i, (x, d) in enumerate(zip(inputs, direction))]
        return sum(float((np.asarray(o, np.float64) * w).sum()) for o, w in zip(function(shifted), weights))
    return (weighted(1) - weighted(-1)) / (2 * eps)


def check_op_gradient(op_name, inputs, params=None, wrt=None, eps=1e-4, rtol=1e-3, atol=1e-5, is_train=False,
                      seed=0):
    """Raise AssertionError unless the op's backward matches central differences along a random direction.

    Parameters
    ----------
    op_name : str
    inputs : list of numpy arrays (cast to float64)
    params : dict of op parameters
    wrt : indices of the inputs to differentiate (default: every floating input)

    Examples
    --------
    >>> check_op_gradient("sigmoid", [np.array([-2.0, 0.5])])
    """
    op = get_op(op_name)
    p = op.parse_params(params or {})
    rng = np.random.default_rng(seed)
    inputs = [np.asarray(x, dtype=np.float64) for x in inputs]
    wrt = list(range(len(inputs))) if wrt is None else list(wrt)
    outputs, saved = _run(op, p, inputs, is_train)
    weights = [rng.standard_normal(o.shape) for o in outputs]
    direction = [rng.standard_normal(x.shape) for x in inputs]
    grads = op.backward(p, saved, [w.astype(o.dtype) for w, o in zip(weights, outputs)])
    if len(grads) != len(inputs):
        raise AssertionError(f"{op_name}: backward returned {len(grads)} gradients for {len(inputs)} inputs")
    for i in wrt:
        if grads[i] is not None and np.shape(grads[i]) != inputs[i].shape:
            raise AssertionError(f"{op_name}: gradient {i} has shape {np.shape(grads[i])}, input {inputs[i].shape}")
    check_directional(lambda xs: _run(op, p, xs, is_train)[0], grads, inputs, direction, weights, eps, wrt,
                      rtol, atol, f"{op_name} (params {dict(p)})")


def check_directional(function, grads, inputs, direction, weights, eps, wrt, rtol, atol, label):
    """Raise AssertionError unless ``sum_i <grads[i], direction[i]>`` over ``wrt`` equals the central difference
    of ``<weights, function(inputs)>`` along ``direction`` (all float64).

    ``function(list of input arrays) -> list of output arrays``; ``grads`` are the backward's gradients of
    ``<weights, outputs>`` (None for an input without one).

    Examples
    --------
    >>> x = [np.array([1.0, 2.0])]
    >>> check_directional(lambda xs: [xs[0] ** 2], [2 * x[0]], x, [np.ones(2)], [np.ones(2)], 1e-4, [0],
    ...                   1e-6, 1e-8, "square")
    """
    numeric = _central(function, inputs, direction, weights, eps, wrt)
    analytic = sum(float((np.asarray(grads[i], np.float64) * direction[i]).sum()) for i in wrt
                   if grads[i] is not None)
    if not np.isclose(analytic, numeric, rtol=rtol, atol=atol * max(1.0, abs(numeric))):
        raise AssertionError(f"{label}: backward gives directional derivative {analytic:.8g}, "
                             f"central differences give {numeric:.8g}")
