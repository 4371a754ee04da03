"""``mx.nd.sparse``: MXNet's sparse storage (``csr``, ``row_sparse``). ssdkit arrays are dense only, so every way
to make a sparse array raises an MXNetError naming the storage type; the class names exist so code that imports
them, or checks ``isinstance(x, CSRNDArray)``, runs up to the point where it would need sparse storage.

Examples
--------
>>> csr_matrix(([1.0], [0], [0, 1]), shape=(1, 2))
Traceback (most recent call last):
...
ssdkit.base.MXNetError: nd.sparse.csr_matrix: sparse storage 'csr' is not supported by ssdkit (arrays are dense); use dense arrays (stype 'default')
"""
from ..base import MXNetError
from .ndarray import NDArray, check_dense

__all__ = ["BaseSparseNDArray", "CSRNDArray", "RowSparseNDArray", "csr_matrix", "row_sparse_array", "zeros",
           "empty", "array", "retain"]


def _refuse(what, stype):
    check_dense(f"nd.sparse.{what}", "sparse" if stype in (None, "default") else stype)  # always raises



#: MXNet 1.9.1's private operators that only run on sparse storage (``mx.nd/sym._internal``): asking for one is
#: a refusal naming the feature, not an AttributeError.
SPARSE_ONLY_INTERNAL_OPS = frozenset({"_square_sum", "_sparse_retain", "_sparse_adagrad_update"})


def internal_getattr(namespace, name):
    """``__getattr__`` of an ``_internal`` namespace: refuse MXNet's sparse-only ops by name, else AttributeError.

    Examples
    --------
    >>> internal_getattr("nd._internal", "_square_sum")
    Traceback (most recent call last):
    ...
    ssdkit.base.MXNetError: nd._internal._square_sum: sparse storage 'row_sparse' is not supported by ssdkit ...
    """
    if name in SPARSE_ONLY_INTERNAL_OPS:
        check_dense(f"{namespace}.{name}", "row_sparse")
    raise AttributeError(f"module 'ssdkit.{namespace}' has no attribute {name!r}")

class BaseSparseNDArray(NDArray):
    """The base class of MXNet's sparse arrays; none can be created in ssdkit (dense storage only).

    Examples
    --------
    >>> issubclass(CSRNDArray, BaseSparseNDArray)
    True
    """

    def __init__(self, *args, **kwargs):
        _refuse(type(self).__name__, getattr(self, "stype", "sparse"))


class CSRNDArray(BaseSparseNDArray):
    """A compressed-sparse-row matrix in MXNet; refused by ssdkit."""
    stype = "csr"


class RowSparseNDArray(BaseSparseNDArray):
    """An array storing only some rows in MXNet; refused by ssdkit."""
    stype = "row_sparse"


def csr_matrix(arg1, shape=None, ctx=None, dtype=None):
    """MXNet's CSR constructor; raises MXNetError (sparse storage is not supported)."""
    _refuse("csr_matrix", "csr")


def row_sparse_array(arg1, shape=None, ctx=None, dtype=None):
    """MXNet's row-sparse constructor; raises MXNetError (sparse storage is not supported)."""
    _refuse("row_sparse_array", "row_sparse")


def zeros(stype, shape, ctx=None, dtype=None, **kwargs):
    """Sparse zeros of ``stype``; ``'default'`` gives dense zeros, a sparse ``stype`` raises MXNetError.

    Examples
    --------
    >>> zeros("default", (2,)).shape
    (2,)
    """
    if stype == "default":
        from .creation import zeros as dense_zeros
        return dense_zeros(shape, ctx=ctx, dtype=dtype)
    _refuse("zeros", stype)


def empty(stype, shape, ctx=None, dtype=None):
    """As :func:`zeros` (ssdkit initializes new arrays)."""
    return zeros(stype, shape, ctx=ctx, dtype=dtype)


def array(source_array, ctx=None, dtype=None):
    """A sparse array from a sparse source; raises MXNetError (sparse storage is not supported)."""
    _refuse("array", getattr(source_array, "format", "sparse"))


def retain(data, indices):
    """Keep the given rows of a row-sparse array; raises MXNetError (sparse storage is not supported)."""
    _refuse("retain", "row_sparse")
