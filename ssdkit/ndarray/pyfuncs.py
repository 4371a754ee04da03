"""MXNet 1.x's Python-side ``nd`` functions that are not operators of their own: the comparison and logical
functions with scalar or array operands (``greater``, ``lesser_equal``, ``logical_xor``, ...), ``modulo``,
``true_divide``, ``moveaxis``, ``concatenate``, ``onehot_encode``. Each picks the registered op MXNet picks
(``broadcast_*`` for two arrays, ``_*_scalar`` or the reflected scalar op for an array and a number).

Examples
--------
>>> import ssdkit as mx
>>> greater(mx.nd.array([1, 3]), 2).asnumpy(), greater(2, mx.nd.array([1, 3])).asnumpy()
(array([0., 1.], dtype=float32), array([1., 0.], dtype=float32))
"""
import numpy as np

from ..base import MXNetError, numeric_types
from ..ops.indexing import split_v2_params
from .ndarray import NDArray, invoke

__all__ = ["greater", "greater_equal", "lesser", "lesser_equal", "logical_and", "logical_or", "logical_xor",
           "modulo", "true_divide", "moveaxis", "concatenate", "onehot_encode", "histogram",
           "split_v2"]


def _apply(lhs, rhs, array_op, scalar_op, reflected_op, python_op):
    """The op MXNet's ``_ufunc_helper`` picks for these operand kinds (two numbers: Python, 1/0 for tests)."""
    if isinstance(lhs, numeric_types) and isinstance(rhs, numeric_types):
        return python_op(lhs, rhs)
    if isinstance(lhs, NDArray) and isinstance(rhs, NDArray):
        return invoke(array_op, [lhs, rhs])
    if isinstance(lhs, NDArray) and isinstance(rhs, numeric_types):
        return invoke(scalar_op, [lhs], scalar=float(rhs))
    if isinstance(rhs, NDArray) and isinstance(lhs, numeric_types):
        return invoke(reflected_op, [rhs], scalar=float(lhs))
    raise MXNetError(f"{array_op}: operands must be NDArrays or numbers, got {type(lhs).__name__} and "
                     f"{type(rhs).__name__}")


def greater(lhs, rhs):
    """1 where ``lhs > rhs`` else 0 (arrays broadcast, numbers allowed on either side)."""
    return _apply(lhs, rhs, "broadcast_greater", "_greater_scalar", "_lesser_scalar", lambda a, b: int(a > b))


def greater_equal(lhs, rhs):
    """1 where ``lhs >= rhs`` else 0."""
    return _apply(lhs, rhs, "broadcast_greater_equal", "_greater_equal_scalar", "_lesser_equal_scalar",
                  lambda a, b: int(a >= b))


def lesser(lhs, rhs):
    """1 where ``lhs < rhs`` else 0."""
    return _apply(lhs, rhs, "broadcast_lesser", "_lesser_scalar", "_greater_scalar", lambda a, b: int(a < b))


def lesser_equal(lhs, rhs):
    """1 where ``lhs <= rhs`` else 0."""
    return _apply(lhs, rhs, "broadcast_lesser_equal", "_lesser_equal_scalar", "_greater_equal_scalar",
                  lambda a, b: int(a <= b))


def logical_and(lhs, rhs):
    """1 where both are non-zero.

    Examples
    --------
    >>> import ssdkit as mx
    >>> logical_and(mx.nd.array([0, 2]), 1).asnumpy()
    array([0., 1.], dtype=float32)
    """
    return _apply(lhs, rhs, "broadcast_logical_and", "_logical_and_scalar", "_logical_and_scalar",
                  lambda a, b: int(bool(a) and bool(b)))


def logical_or(lhs, rhs):
    """1 where either is non-zero."""
    return _apply(lhs, rhs, "broadcast_logical_or", "_logical_or_scalar", "_logical_or_scalar",
                  lambda a, b: int(bool(a) or bool(b)))


def logical_xor(lhs, rhs):
    """1 where exactly one is non-zero."""
    return _apply(lhs, rhs, "broadcast_logical_xor", "_logical_xor_scalar", "_logical_xor_scalar",
                  lambda a, b: int(bool(a) != bool(b)))


def modulo(lhs, rhs):
    """``lhs % rhs`` (arrays broadcast, numbers allowed on either side).

    Examples
    --------
    >>> import ssdkit as mx
    >>> modulo(7, mx.nd.array([2, 4])).asnumpy()
    array([1., 3.], dtype=float32)
    """
    return _apply(lhs, rhs, "broadcast_mod", "_mod_scalar", "_rmod_scalar", lambda a, b: a % b)


def true_divide(lhs, rhs):
    """``lhs / rhs`` (MXNet's name for division of NDArrays).

    Examples
    --------
    >>> import ssdkit as mx
    >>> true_divide(mx.nd.array([3.0]), 2).asnumpy()
    array([1.5], dtype=float32)
    """
    return _apply(lhs, rhs, "broadcast_div", "_div_scalar", "_rdiv_scalar", lambda a, b: a / b)


def moveaxis(tensor, source, destination):
    """Move axes ``source`` to positions ``destination`` (ints or sequences), keeping the others in order.

    Examples
    --------
    >>> import ssdkit as mx
    >>> moveaxis(mx.nd.zeros((2, 3, 4)), 0, -1).shape
    (3, 4, 2)
    """
    ndim = tensor.ndim
    src, dst = _axes(source, ndim, "source"), _axes(destination, ndim, "destination")
    if len(src) != len(dst):
        raise ValueError(f"moveaxis: source {source} and destination {destination} differ in length")
    order = [a for a in range(ndim) if a not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return invoke("transpose", [tensor], axes=tuple(order))


def _axes(axes, ndim, what):
    """Axes in range and without repeats, else ValueError (numpy's rule, which MXNet's moveaxis uses)."""
    values = [int(a) for a in np.atleast_1d(np.asarray(list(axes) if isinstance(axes, range) else axes))]
    if any(not -ndim <= a < ndim for a in values):
        raise ValueError(f"moveaxis: {what} {axes} is out of range for a {ndim}-D array")
    values = [a % ndim for a in values]
    if len(set(values)) != len(values):
        raise ValueError(f"moveaxis: repeated axis in {what} {axes}")
    return values


def concatenate(arrays, axis=0, always_copy=True):
    """Join a list of NDArrays along ``axis`` (MXNet's older name for ``concat``).

    Examples
    --------
    >>> import ssdkit as mx
    >>> concatenate([mx.nd.ones((1, 2)), mx.nd.zeros((2, 2))]).shape
    (3, 2)
    """
    if not arrays:
        raise MXNetError("concatenate: needs at least one array")
    if len(arrays) == 1 and not always_copy:
        return arrays[0]
    return invoke("concat", list(arrays), dim=axis, num_args=len(arrays))


def onehot_encode(indices, out):
    """Write the one-hot rows of ``indices`` into ``out`` (shape ``(n, depth)``) and return ``out``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> onehot_encode(mx.nd.array([1, 0]), mx.nd.zeros((2, 3))).asnumpy()
    array([[0., 1., 0.],
           [1., 0., 0.]], dtype=float32)
    """
    return invoke("one_hot", [indices], out=out, depth=out.shape[1], dtype=np.dtype(out.dtype).name)


def histogram(a, bins=10, range=None):  # noqa: A002 - MXNet's parameter name
    """Count the values of ``a`` per bin: ``bins`` equal bins over ``range`` (numpy's automatic range when
    None, as MXNet), or the bins whose edges are the NDArray ``bins``. Returns ``(counts, edges)``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> counts, edges = histogram(mx.nd.array([1, 2, 3, 4, 5.5]), bins=mx.nd.array([0, 2, 4, 6]))
    >>> counts.asnumpy().tolist(), edges.asnumpy().tolist()
    ([1, 2, 2], [0.0, 2.0, 4.0, 6.0])
    """
    if isinstance(bins, NDArray):
        return invoke("_histogram", [a, bins])
    if isinstance(bins, (int, np.integer)) and not isinstance(bins, bool):
        if range is None:
            import warnings
            warnings.warn("range is not specified, using numpy's result to ensure consistency with numpy")
            counts, edges = np.histogram(a.asnumpy(), bins=bins)
            from .creation import array
            return array(counts), array(edges)
        return invoke("_histogram", [a], bin_cnt=int(bins), range=range)
    raise ValueError("bins argument should be either an integer or an NDArray")


def split_v2(ary, indices_or_sections, axis=0, squeeze_axis=False):
    """Split ``ary`` along ``axis`` into equal sections (an int) or at the cut points of a tuple of indices.

    Examples
    --------
    >>> import ssdkit as mx
    >>> [p.shape for p in split_v2(mx.nd.zeros((2, 6)), (1, 3), axis=1)]
    [(2, 1), (2, 2), (2, 3)]
    """
    return invoke("_split_v2", [ary], **split_v2_params(indices_or_sections, axis, squeeze_axis))
