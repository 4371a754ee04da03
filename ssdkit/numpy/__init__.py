"""``mx.np``: MXNet 1.9.1's NumPy interface — ``mx.np.ndarray`` (NumPy semantics on the NDArray buffer and
autograd tape) and NumPy's functions, each reaching the one op registry that ``mx.nd`` uses.

Examples
--------
>>> import ssdkit as mx
>>> from ssdkit import np, npx
>>> x = np.arange(6).reshape(2, 3)
>>> np.exp(x).dtype, (x / 2).sum(axis=1), np.where(x > 2, x, 0).max()
(dtype('float32'), array([1.5, 6. ]), array(5.))
"""
import numpy as _onp

from ..util import set_np, reset_np, is_np_array, is_np_shape, use_np, use_np_array, use_np_shape  # noqa: F401
from ..ndarray.ndarray import invoke as _invoke
from .multiarray import ndarray
from ._ufunc import BINARY, BINARY_ALIASES, UNARY, binary_function as _binary_function, \
    unary_function as _unary_function
from .creation import (array, zeros, ones, full, empty, arange, linspace, eye, identity,  # noqa: F401
                       zeros_like, ones_like, full_like, empty_like, copy, logspace)
from .reductions import (sum, mean, max, min, amax, amin, prod, argmax, argmin, std, var, cumsum,  # noqa: F401
                         all, any, average)
from .manipulation import (reshape, transpose, swapaxes, expand_dims, squeeze, ravel,  # noqa: F401
                           concatenate, stack, split, repeat, tile, meshgrid, broadcast_to,
                           clip, where, sort, argsort, take, nonzero, unique)
from .rearrange import (roll, flip, flipud, fliplr, rot90, moveaxis, diag, diagonal, diagflat, tril,  # noqa: F401
                        trace, resize, atleast_1d, atleast_2d, atleast_3d, pad, hstack, vstack, dstack,
                        column_stack, array_split, hsplit, vsplit, dsplit, broadcast_arrays, delete, insert, append)
from .products import dot, matmul, tensordot, einsum, inner, outer, vdot  # noqa: F401
from .misc import (diff, ediff1d, nan_to_num, polyval, bincount, hanning, hamming, blackman, indices,  # noqa: F401
                   diag_indices_from, unravel_index, shares_memory, may_share_memory, histogram,
                   percentile, quantile)
from . import random, linalg, _methods, _dispatch, _internal  # noqa: F401  (_internal: mx.nd.np._internal)
from ._dispatch import shared

for _name in list(BINARY) + list(BINARY_ALIASES):
    if not _name.startswith("logical_"):  # MXNet 1.9.1's np has &, |, ^ on bool arrays but no logical_and/or/xor
        globals()[_name] = _binary_function(_name)
less, less_equal = globals()["less"], globals()["less_equal"]
for _name in UNARY:
    globals()[_name] = _unary_function(_name)

#: dtypes and constants under NumPy's names (MXNet's mx.np re-exports them too)
float16, float32, float64 = _onp.float16, _onp.float32, _onp.float64
int8, int32, int64, uint8, bool_, bool = _onp.int8, _onp.int32, _onp.int64, _onp.uint8, _onp.bool_, _onp.bool_
dtype = _onp.dtype
pi, e, inf, nan, newaxis, PZERO, NZERO = _onp.pi, _onp.e, _onp.inf, _onp.nan, None, 0.0, -0.0


@shared
def round(x, decimals=0, out=None):  # noqa: A001 - numpy's name
    """Round to ``decimals`` places, halves to even (the registry op ``_npi_around``).

    Examples
    --------
    >>> round(array([1.25, 2.5]), 1)
    array([1.2, 2.5])
    """
    if not isinstance(x, ndarray) and not _dispatch.is_symbolic(x):
        return _onp.around(x, decimals)
    return _dispatch.call("_npi_around", [x], out, decimals=decimals)


sometrue, product = any, prod  # MXNet's spellings NumPy 1 had too
shared(sometrue, "sometrue")
shared(product, "product")
around = round_ = round
shared(round, "around")
shared(round, "round_")


def set_printoptions(precision=None, threshold=None, **kwarg):
    """Printing options of arrays (``precision`` digits, summarize above ``threshold`` elements); as in MXNet
    they are numpy's own options, so numpy arrays print the same way. Other numpy options pass through.

    Examples
    --------
    >>> set_printoptions(precision=2); print(array([1.23456]))
    [1.23]
    >>> set_printoptions(precision=8)
    """
    _onp.set_printoptions(precision=precision, threshold=threshold, **kwarg)


def shape(a):
    """The shape of ``a`` as a tuple.

    Examples
    --------
    >>> shape(zeros((2, 3)))
    (2, 3)
    """
    return a.shape


def size(a):
    """The number of elements of ``a``.

    Examples
    --------
    >>> size(zeros((2, 3)))
    6
    """
    return a.size


def ndim(a):
    """The number of dimensions of ``a``.

    Examples
    --------
    >>> ndim(zeros((2, 3)))
    2
    """
    return a.ndim


_methods.install()


def _register_op_signatures():
    """Each function that is one ``_np_*`` op gets the signature MXNet documents (``ssdkit._numpy_op_doc``)."""
    import inspect
    from .. import _numpy_op_doc
    for op_name in dir(_numpy_op_doc):
        if op_name.startswith("_np_") and op_name[len("_np_"):] in globals():
            function = globals()[op_name[len("_np_"):]]
            function.__signature__ = inspect.signature(getattr(_numpy_op_doc, op_name))


_register_op_signatures()
from .. import numpy_dispatch_protocol  # noqa: E402,F401  (NumPy functions on mx.np arrays dispatch to mx.np)
