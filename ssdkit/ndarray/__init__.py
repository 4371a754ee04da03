"""Layer 3: ``mx.nd`` — NDArray, creation functions, every registered op as a function, save/load, random.

Examples
--------
>>> import ssdkit as mx
>>> x = mx.nd.ones((2, 3))
>>> mx.nd.concat(x, x, dim=1).shape
(2, 6)
>>> mx.nd.maximum(mx.nd.array([-1, 2]), 0).asnumpy()
array([0., 2.], dtype=float32)
"""
from .ndarray import NDArray, invoke, invoke_op
from .creation import array, zeros, ones, full, empty, arange, linspace, eye, waitall, from_numpy
from .serialization import save, load, load_frombuffer, save_tobytes, ParamFileError
from .dlpack import to_dlpack_for_read, to_dlpack_for_write, from_dlpack
from .register import populate as _populate
from . import random, contrib, _internal, image, sparse, linalg
from .custom_op import custom as Custom  # the registry's Custom op with Python-defined inputs
from .pyfuncs import (greater, greater_equal, lesser, lesser_equal, logical_and, logical_or,  # noqa: F401
                      logical_xor, modulo, true_divide, moveaxis, concatenate, onehot_encode, histogram,
                      split_v2)

_populate({"": globals(), "contrib": {}, "internal": {}})


def maximum(lhs, rhs):
    """Elementwise maximum of two arrays (broadcasting) or of an array and a scalar.

    Examples
    --------
    >>> maximum(array([1, 5]), array([3, 2])).asnumpy()
    array([3., 5.], dtype=float32)
    """
    return _pairwise(lhs, rhs, "broadcast_maximum", "_maximum_scalar")


def minimum(lhs, rhs):
    """Elementwise minimum of two arrays (broadcasting) or of an array and a scalar.

    Examples
    --------
    >>> minimum(array([1, 5]), 2).asnumpy()
    array([1., 2.], dtype=float32)
    """
    return _pairwise(lhs, rhs, "broadcast_minimum", "_minimum_scalar")


def _pairwise(lhs, rhs, op, scalar_op):
    if isinstance(lhs, NDArray) and isinstance(rhs, NDArray):
        return invoke(op, [lhs, rhs])
    arr, scalar = (lhs, rhs) if isinstance(lhs, NDArray) else (rhs, lhs)
    return invoke(scalar_op, [arr], scalar=float(scalar))


def add(lhs, rhs):
    """``lhs + rhs`` with broadcasting.

    Examples
    --------
    >>> add(ones((2, 1)), ones((1, 3))).shape
    (2, 3)
    """
    return lhs + rhs


def subtract(lhs, rhs):
    """``lhs - rhs`` with broadcasting."""
    return lhs - rhs


def multiply(lhs, rhs):
    """``lhs * rhs`` with broadcasting."""
    return lhs * rhs


def divide(lhs, rhs):
    """``lhs / rhs`` with broadcasting."""
    return lhs / rhs


def power(base, exp):
    """``base ** exp`` with broadcasting."""
    return base ** exp


def equal(lhs, rhs):
    """1 where equal, else 0."""
    return lhs == rhs if isinstance(lhs, NDArray) else rhs == lhs


def not_equal(lhs, rhs):
    """1 where different, else 0."""
    return lhs != rhs if isinstance(lhs, NDArray) else rhs != lhs



def __getattr__(name):
    # ``F.np`` / ``F.npx`` inside hybrid_forward with F = mx.nd, as MXNet offers: the mx.np / mx.npx modules
    if name in ("np", "npx"):
        import importlib
        module = importlib.import_module(".numpy" if name == "np" else ".numpy_extension", "ssdkit")
        globals()[name] = module
        return module
    if name == "CachedOp":  # MXNet's nd.CachedOp: the hybridized-block graph runner (gluon/cached_op.py)
        import importlib
        value = importlib.import_module(".gluon.cached_op", "ssdkit").CachedOp
        globals()[name] = value
        return value
    raise AttributeError(f"module 'ssdkit.ndarray' has no attribute {name!r}")
