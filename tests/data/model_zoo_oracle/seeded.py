"""Deterministic, seed-made weights for model-zoo oracle checks (pure numpy; shared by the generator and tests).

Large models are compared against MXNet without committing their weights: both sides fill every parameter
from ``numpy.random.RandomState`` (stable across numpy versions), in ``collect_params()`` order.
"""
import numpy as np


def seeded_values(shapes, seed=0):
    """One float32 array per ``(name, shape)``: He-scaled weights, positive BatchNorm scales and variances.

    Examples
    --------
    >>> [a.shape for a in seeded_values([("c_weight", (2, 3, 1, 1)), ("c_bias", (2,))])]
    [(2, 3, 1, 1), (2,)]
    """
    rs = np.random.RandomState(seed)
    out = []
    for name, shape in shapes:
        shape = tuple(shape)
        if name.endswith(("running_var", "moving_var", "gamma")):
            value = rs.uniform(0.5, 1.5, shape)
        elif name.endswith(("running_mean", "moving_mean", "beta", "bias")):
            value = rs.uniform(-0.1, 0.1, shape)
        else:
            fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else 1
            value = rs.normal(0.0, np.sqrt(2.0 / fan_in), shape)
        out.append(value.astype(np.float32))
    return out


def seeded_input(shape, seed=1):
    """A float32 input in [0, 1).

    Examples
    --------
    >>> seeded_input((1, 3, 2, 2)).dtype
    dtype('float32')
    """
    return np.random.RandomState(seed).uniform(0, 1, shape).astype(np.float32)
