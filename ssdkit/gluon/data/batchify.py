"""Batchify functions: turn a list of samples into a batch (``DataLoader(batchify_fn=...)``).

``float64`` inputs (what Python floats become) are stored as float32, the dtype of every ssdkit array;
integer and other dtypes are kept.

Examples
--------
>>> import numpy as np
>>> labels = [np.ones((2, 5)), np.zeros((1, 5))]
>>> Pad(axis=0, pad_val=-1)(labels).shape
(2, 2, 5)
>>> Tuple(Stack(), Pad())([(np.zeros(3), np.ones((1, 5))), (np.ones(3), np.ones((2, 5)))])[1].asnumpy()[0, 1]
array([-1., -1., -1., -1., -1.], dtype=float32)
"""
import numpy as np

from ...base import DTYPE, MXNetError, ShapeError
from ...ndarray import NDArray
from ...util import is_np_array

__all__ = ["default_batchify_fn", "Stack", "Pad", "Append", "Tuple", "Group", "as_mode_batch"]


def _batch_dtype(dtype):
    return np.dtype(DTYPE) if dtype == np.float64 else dtype


def _array(data):
    """A batch array: ``mx.np.ndarray`` under NumPy array semantics (``npx.set_np()``), else an NDArray."""
    array = NDArray(data)
    return array.as_np_ndarray() if is_np_array() else array


def as_mode_batch(batch):
    """A batch (array, or nested lists/tuples of arrays) with its arrays of the current mode's class: the
    DataLoader applies it in the main process, so worker processes need not know the mode.

    Examples
    --------
    >>> from ssdkit import util
    >>> with util.np_array():
    ...     type(as_mode_batch([NDArray(np.ones(2))])[0]).__name__
    'ndarray'
    """
    if isinstance(batch, (list, tuple)):
        return type(batch)(as_mode_batch(b) for b in batch)
    if isinstance(batch, NDArray):
        return batch.as_np_ndarray() if is_np_array() else batch.as_nd_ndarray()
    return batch


def _wrap(array):
    return _array(np.ascontiguousarray(array, dtype=_batch_dtype(array.dtype)))


def _stack(data, who):
    arrays = [np.asarray(x) for x in data]
    shapes = {a.shape for a in arrays}
    if len(shapes) > 1:
        raise ShapeError(f"{who}: cannot stack samples of different shapes {sorted(shapes)}; "
                         f"use batchify.Pad for variable-size fields (e.g. detection labels)")
    return _wrap(np.stack(arrays))


def default_batchify_fn(data):
    """MXNet's default: stack arrays/numbers into one NDArray; tuples are batched field by field (a list).

    Parameters
    ----------
    data : list
        Samples: NDArrays, numpy arrays, numbers, or tuples of those.

    Returns
    -------
    NDArray or list of NDArray

    Examples
    --------
    >>> batch = default_batchify_fn([(np.zeros((2, 2), np.uint8), 1), (np.ones((2, 2), np.uint8), 0)])
    >>> batch[0].shape, batch[0].dtype, batch[1].asnumpy()
    ((2, 2, 2), <class 'numpy.uint8'>, array([1, 0]))
    """
    if not len(data):
        raise MXNetError("default_batchify_fn: got an empty list of samples")
    if isinstance(data[0], tuple):
        return [default_batchify_fn(list(field)) for field in zip(*data)]
    return _stack(data, "default_batchify_fn")


class Stack:
    """Stack equally shaped samples along a new first axis into one NDArray.

    Examples
    --------
    >>> Stack()([[1, 2], [3, 4]]).asnumpy()
    array([[1, 2],
           [3, 4]])
    """

    def __call__(self, data):
        return _stack(data, "batchify.Stack")


class Pad:
    """Pad samples along ``axis`` to the longest one with ``pad_val`` and stack them.

    Parameters
    ----------
    axis : int, default 0
        The axis of variable length (axis of one sample, not of the batch).
    pad_val : float, default -1
        Fill value (``-1`` marks padding rows of detection labels).
    ret_length : bool, default False
        Also return the int32 NDArray of original lengths.
    dtype : str or numpy.dtype, optional
        Output dtype (default: the samples' dtype, float64 stored as float32).

    Returns
    -------
    NDArray of shape (N, ..., max_len, ...), or (NDArray, NDArray (N,)) with ``ret_length``.

    Examples
    --------
    >>> padded, length = Pad(ret_length=True)([[1, 2, 3], [4]])
    >>> padded.asnumpy().tolist(), length.asnumpy().tolist()
    ([[1, 2, 3], [4, -1, -1]], [3, 1])
    >>> Pad()([np.zeros((0, 5))]).shape      # an image without objects
    (1, 0, 5)
    """

    def __init__(self, axis=0, pad_val=-1, ret_length=False, dtype=None):
        if not isinstance(axis, (int, np.integer)):
            raise MXNetError(f"batchify.Pad: axis must be an integer, got {axis!r}")
        self._axis = int(axis)
        self._pad_val = pad_val
        self._ret_length = ret_length
        self._dtype = dtype

    def __call__(self, data):
        arrays = [np.asarray(x) for x in data]
        ndim = arrays[0].ndim
        if any(a.ndim != ndim for a in arrays) or not -ndim <= self._axis < ndim:
            raise ShapeError(f"batchify.Pad: samples must share their number of dimensions and have axis "
                             f"{self._axis}; got shapes {[a.shape for a in arrays]}")
        axis = self._axis % ndim
        others = {a.shape[:axis] + a.shape[axis + 1:] for a in arrays}
        if len(others) > 1:
            raise ShapeError(f"batchify.Pad: samples may differ only along axis {axis}, got shapes "
                             f"{[a.shape for a in arrays]}")
        lengths = np.array([a.shape[axis] for a in arrays], np.int32)
        shape = list(arrays[0].shape)
        shape[axis] = int(lengths.max())
        dtype = np.dtype(self._dtype) if self._dtype is not None else _batch_dtype(arrays[0].dtype)
        out = np.full([len(arrays)] + shape, self._pad_val, dtype=dtype)
        for i, a in enumerate(arrays):
            index = [i] + [slice(None)] * ndim
            index[axis + 1] = slice(0, a.shape[axis])
            out[tuple(index)] = a
        padded = _array(out)
        return (padded, _array(lengths)) if self._ret_length else padded


class Append:
    """Keep samples separate: a list of NDArrays, each with a leading batch axis of 1 when ``expand``.

    Examples
    --------
    >>> [x.shape for x in Append()([np.zeros(2), np.zeros(3)])]
    [(1, 2), (1, 3)]
    """

    def __init__(self, expand=True, batch_axis=0):
        self._expand = expand
        self._batch_axis = batch_axis

    def __call__(self, data):
        out = [_wrap(np.asarray(x)) for x in data]
        if self._expand:
            out = [_array(np.expand_dims(np.asarray(x), self._batch_axis)) for x in out]
        return out


class Tuple:
    """Apply one batchify function per field of tuple samples: ``Tuple(Stack(), Pad())``.

    Parameters
    ----------
    fn : callable or list/tuple of callables
    *args : callable
        More functions (when ``fn`` is a single callable).

    Examples
    --------
    >>> out = Tuple([Stack(), Stack()])([(1, 2), (3, 4)])
    >>> out[0].asnumpy(), out[1].asnumpy()
    (array([1, 3]), array([2, 4]))
    """

    def __init__(self, fn, *args):
        fns = list(fn) if isinstance(fn, (list, tuple)) else [fn, *args]
        if isinstance(fn, (list, tuple)) and args:
            raise MXNetError("batchify.Tuple: pass either one list of functions or several functions")
        if not all(callable(f) for f in fns):
            raise MXNetError(f"batchify.Tuple: every element must be callable, got {fns!r}")
        self._fns = fns

    def __call__(self, data):
        for i, sample in enumerate(data):
            if len(sample) != len(self._fns):
                raise MXNetError(f"batchify.Tuple: {len(self._fns)} functions but sample {i} has "
                                 f"{len(sample)} fields")
        return tuple(fn([sample[i] for sample in data]) for i, fn in enumerate(self._fns))


#: MXNet 2.0's name for :class:`Tuple`.
Group = Tuple
