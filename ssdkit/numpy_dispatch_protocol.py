"""``mx.numpy_dispatch_protocol``: which NumPy functions and ufuncs applied to ``mx.np.ndarray`` run mx.np's own
(MXNet 1.9.1's lists, registered on import), and MXNet's test decorators for the two protocols. The dispatch itself
is :mod:`ssdkit.numpy._protocol`; a listed name NumPy or mx.np lacks here (NumPy 2 dropped ``round_``,
``product``, ``sometrue``; ssdkit has no ``np.quantile``/``np.percentile``) is left to the NumPy fallback.

Examples
--------
>>> import numpy as onp
>>> import ssdkit as mx
>>> onp.concatenate([mx.np.ones(2), mx.np.zeros(1)])
array([1., 1., 0.])
>>> 'add' in _NUMPY_ARRAY_UFUNC_LIST
True
"""
import functools

import numpy as _np

from . import numpy as mx_np
from .numpy._protocol import ARRAY_FUNCTIONS as _NUMPY_ARRAY_FUNCTION_DICT, ARRAY_UFUNCS as _NUMPY_ARRAY_UFUNC_DICT

__all__ = ["with_array_function_protocol", "with_array_ufunc_protocol", "_NUMPY_ARRAY_FUNCTION_LIST",
           "_NUMPY_ARRAY_UFUNC_LIST"]


def _version(text):
    return tuple(int(part) for part in text.split(".")[:2])


def _protocol_test(minimum):
    """A decorator running the function only with NumPy >= ``minimum``; a failure becomes a RuntimeError that
    names the function and the error (MXNet's test decorators)."""
    def decorate(func):
        @functools.wraps(func)
        def run(*args, **kwargs):
            if _version(_np.__version__) >= minimum:
                try:
                    func(*args, **kwargs)
                except Exception as err:
                    raise RuntimeError(f"Running function {func.__name__} with NumPy array function protocol "
                                       f"failed with exception {err}") from err
        return run
    return decorate


def with_array_function_protocol(func):
    """Run ``func`` (a test) when NumPy has the array function protocol (1.17+).

    Examples
    --------
    >>> with_array_function_protocol(lambda: None)() is None
    True
    """
    return _protocol_test((1, 17))(func)


def with_array_ufunc_protocol(func):
    """Run ``func`` (a test) when NumPy has the array ufunc protocol (1.15+).

    Examples
    --------
    >>> with_array_ufunc_protocol(lambda: None)() is None
    True
    """
    return _protocol_test((1, 15))(func)


#: the NumPy functions MXNet 1.9.1 dispatches to mx.np (``__array_function__``)
_NUMPY_ARRAY_FUNCTION_LIST = [
    'all', 'any', 'sometrue', 'argmin', 'argmax', 'around', 'round', 'round_', 'argsort', 'sort', 'append',
    'broadcast_arrays', 'broadcast_to', 'clip', 'concatenate', 'copy', 'cumsum', 'diag', 'diagonal', 'diagflat',
    'dot', 'expand_dims', 'fix', 'flip', 'flipud', 'fliplr', 'inner', 'insert', 'max', 'amax', 'mean', 'min',
    'amin', 'nonzero', 'ones_like', 'atleast_1d', 'atleast_2d', 'atleast_3d', 'prod', 'product', 'ravel', 'repeat',
    'reshape', 'roll', 'split', 'array_split', 'hsplit', 'vsplit', 'dsplit', 'squeeze', 'stack', 'std', 'sum',
    'swapaxes', 'take', 'tensordot', 'tile', 'transpose', 'unique', 'unravel_index', 'diag_indices_from', 'delete',
    'var', 'vdot', 'vstack', 'column_stack', 'hstack', 'dstack', 'zeros_like', 'linalg.norm', 'linalg.cholesky',
    'linalg.inv', 'linalg.solve', 'linalg.tensorinv', 'linalg.tensorsolve', 'linalg.pinv', 'linalg.eigvals',
    'linalg.eig', 'linalg.eigvalsh', 'linalg.eigh', 'shape', 'trace', 'tril', 'meshgrid', 'outer', 'einsum',
    'polyval', 'shares_memory', 'may_share_memory', 'quantile', 'percentile', 'diff', 'ediff1d', 'resize', 'where',
    'full_like', 'bincount', 'empty_like', 'nan_to_num', 'isnan', 'isfinite', 'isposinf', 'isneginf', 'isinf',
    'pad',
]

#: the NumPy ufuncs MXNet 1.9.1 dispatches to mx.np (``__array_ufunc__``)
_NUMPY_ARRAY_UFUNC_LIST = [
    'abs', 'fabs', 'add', 'arctan2', 'copysign', 'degrees', 'hypot', 'lcm', 'subtract', 'multiply', 'true_divide',
    'negative', 'power', 'mod', 'matmul', 'absolute', 'rint', 'sign', 'exp', 'log', 'log2', 'log10', 'expm1',
    'sqrt', 'square', 'cbrt', 'reciprocal', 'invert', 'bitwise_not', 'remainder', 'sin', 'cos', 'tan', 'sinh',
    'cosh', 'tanh', 'arcsin', 'arccos', 'arctan', 'arcsinh', 'arccosh', 'arctanh', 'maximum', 'minimum', 'ceil',
    'trunc', 'floor', 'bitwise_and', 'bitwise_xor', 'bitwise_or', 'logical_not', 'equal', 'not_equal', 'less',
    'less_equal', 'greater', 'greater_equal',
]


def _lookup(module, dotted):
    for part in dotted.split("."):
        module = getattr(module, part, None)
    return module


def _register():
    for name in _NUMPY_ARRAY_FUNCTION_LIST:
        numpy_function, mx_function = _lookup(_np, name), _lookup(mx_np, name)
        if numpy_function is not None and mx_function is not None:
            _NUMPY_ARRAY_FUNCTION_DICT[numpy_function] = mx_function
    for name in _NUMPY_ARRAY_UFUNC_LIST:
        if getattr(mx_np, name, None) is not None:
            _NUMPY_ARRAY_UFUNC_DICT[name] = getattr(mx_np, name)


_register()
