"""``mx.numpy_op_signature``: from an operator name with MXNet's NumPy prefixes (``_np_sum``, ``_npx_relu``,
``_np_linalg_norm``) to the ``mx.np`` / ``mx.npx`` function that exposes it.

Examples
--------
>>> _get_builtin_op("_np_sum").__name__, _get_builtin_op("_npx_relu").__name__
('sum', 'relu')
>>> _get_builtin_op("Convolution") is None
True
"""
from . import numpy as _np
from . import numpy_extension as _npx

__all__ = ["_get_builtin_op"]

_SUBMODULES = ("random", "linalg")


def _get_builtin_op(op_name):
    """The np/npx function behind ``op_name`` (None for a name without a NumPy prefix); ValueError if the
    prefixed name has no function."""
    if op_name.startswith("_np_"):
        module, rest = _np, op_name[len("_np_"):]
    elif op_name.startswith("_npx_"):
        module, rest = _npx, op_name[len("_npx_"):]
    else:
        return None
    for sub in _SUBMODULES:
        if rest.startswith(sub + "_") and hasattr(module, sub):
            module, rest = getattr(module, sub), rest[len(sub) + 1:]
            break
    op = getattr(module, rest, None)
    if op is None:
        raise ValueError(f"Cannot find operator {rest} in module {module.__name__}")
    return op
