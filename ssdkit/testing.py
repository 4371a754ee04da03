"""The one gradient checker for every registered op, plus MXNet-style test helpers (``mx.test_utils``).

:func:`check_op_gradient` compares an op's backward (its vector-Jacobian product) with float64 central
differences taken along one random direction: for random ``v`` (input perturbation) and ``w`` (output
weights), ``<w, (f(x+εv) - f(x-εv)) / 2ε>`` must equal ``<backward(w), v>``.

Examples
--------
>>> import numpy as np
>>> check_op_gradient("tanh", [np.linspace(-1, 1, 5)])
>>> check_op_gradient("FullyConnected", [np.ones((2, 3)), np.ones((4, 3)), np.zeros(4)], {"num_hidden": 4})
"""
import numpy as np

from .ops import get_op

__all__ = ["check_op_gradient", "numeric_directional_derivative", "assert_almost_equal", "same"]


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
    def weighted(sign):
        shifted = [x + sign * eps * d if i in wrt else x for i, (x, d) in enumerate(zip(inputs, direction))]
        outs, _ = _run(op, params, shifted, is_train)
        return sum(float((o.astype(np.float64) * w).sum()) for o, w in zip(outs, weights))
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
    analytic = sum(float((np.asarray(grads[i], np.float64) * direction[i]).sum()) for i in wrt if grads[i] is not None)
    numeric = numeric_directional_derivative(op, p, inputs, direction, weights, eps, is_train, wrt)
    if not np.isclose(analytic, numeric, rtol=rtol, atol=atol * max(1.0, abs(numeric))):
        raise AssertionError(f"{op_name}: backward gives directional derivative {analytic:.8g}, "
                             f"central differences give {numeric:.8g} (params {dict(p)})")


def assert_almost_equal(a, b, rtol=1e-5, atol=1e-20, names=("a", "b"), equal_nan=False):
    """``mx.test_utils.assert_almost_equal`` on NDArrays or numpy arrays, reporting the worst element.

    Examples
    --------
    >>> assert_almost_equal(np.ones(2), np.ones(2) + 1e-9)
    """
    a = a.asnumpy() if hasattr(a, "asnumpy") else np.asarray(a)
    b = b.asnumpy() if hasattr(b, "asnumpy") else np.asarray(b)
    if a.shape != b.shape:
        raise AssertionError(f"{names[0]} has shape {a.shape}, {names[1]} has shape {b.shape}")
    if not np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan):
        err = np.abs(a.astype(np.float64) - b) / (atol + rtol * np.abs(b))
        idx = np.unravel_index(np.nanargmax(err), err.shape) if err.size else ()
        raise AssertionError(f"{names[0]} and {names[1]} differ: worst at index {idx}: {a[idx]} vs {b[idx]} "
                             f"(rtol={rtol}, atol={atol})")


def same(a, b):
    """True when two arrays are exactly equal (``mx.test_utils.same``).

    Examples
    --------
    >>> same(np.zeros(2), np.zeros(2))
    True
    """
    return bool(np.array_equal(np.asarray(a), np.asarray(b)))
