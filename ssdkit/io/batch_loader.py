"""The batching rule of MXNet's C++ file iterators (CSVIter, ImageRecordIter): fixed-size batches over a
sequence of samples, where a short last batch is

* with ``round_batch=True``: completed from the start of the data, ``pad`` = the borrowed count, and the next
  epoch starts after the borrowed samples (they were already seen);
* with ``round_batch=False``: completed by what the batch buffer held from the previous batch, ``pad`` = that
  count, and the next epoch starts at the beginning.

Examples
--------
>>> import numpy as np
>>> it = BatchLoaderIter(np.arange(5.0)[:, None], np.zeros(5), batch_size=2)
>>> [(b.data[0].asnumpy().ravel().tolist(), b.pad) for b in it]
[([0.0, 1.0], 0), ([2.0, 3.0], 0), ([4.0, 0.0], 1)]
>>> it.reset(); [b.data[0].asnumpy().ravel().tolist() for b in it]
[[1.0, 2.0], [3.0, 4.0]]
"""
import numpy as np

from ..base import DTYPE, MXNetError
from ..ndarray import array
from .core import DataBatch, DataDesc, DataIter

__all__ = ["BatchLoaderIter"]


class BatchLoaderIter(DataIter):
    """Batches of ``data[i]`` / ``label[i]`` (arrays, or callables ``f(indices) -> array`` for lazy samples)
    in the order of ``order`` (default 0..n-1; ``set_order`` changes it per epoch).

    Parameters
    ----------
    data, label : numpy.ndarray (n, ...) or callable
    batch_size : int
    round_batch : bool, default True
    num_samples : int, optional
        Needed when ``data`` is a callable.
    data_name, label_name : str
    data_shape, label_shape : tuple, optional
        Per-sample shapes (needed for callables).
    dtype, label_dtype : numpy dtype
    """

    def __init__(self, data, label, batch_size, round_batch=True, num_samples=None, data_name="data",
                 label_name="softmax_label", data_shape=None, label_shape=None, dtype=DTYPE, label_dtype=DTYPE):
        super().__init__(batch_size)
        if batch_size <= 0:
            raise MXNetError(f"{type(self).__name__}: batch_size must be positive, got {batch_size}")
        self._data, self._label = data, label
        self._num = len(data) if num_samples is None else int(num_samples)
        if self._num == 0:
            raise MXNetError(f"{type(self).__name__}: the data has no samples")
        self.round_batch = round_batch
        data_shape = tuple(np.shape(data)[1:]) if data_shape is None else tuple(data_shape)
        label_shape = tuple(np.shape(label)[1:]) if label_shape is None else tuple(label_shape)
        self._data_buf = np.zeros((batch_size,) + data_shape, dtype)
        self._label_buf = np.zeros((batch_size,) + label_shape, label_dtype)
        self.provide_data = [DataDesc(data_name, self._data_buf.shape, self._data_buf.dtype)]
        self.provide_label = [DataDesc(label_name, self._label_buf.shape, self._label_buf.dtype)]
        self._order = np.arange(self._num)
        self._head, self._carry, self._pad = 0, 0, 0

    def set_order(self, order):
        """Visit samples in this order (a permutation of ``range(num_samples)``) from now on."""
        self._order = np.asarray(order, np.int64)

    def _take(self, source, index):
        return source(index) if callable(source) else source[index]

    def reset(self):
        """Start the next epoch (after the samples a wrapped last batch borrowed, with ``round_batch``)."""
        self._head, self._carry = (self._carry if self.round_batch else 0), 0

    def iter_next(self):
        if self._head >= self._num:
            return False
        index = self._order[self._head:self._head + self.batch_size]
        count = len(index)
        self._pad = self.batch_size - count
        if self._pad and self.round_batch:
            index = np.concatenate([index, self._order[:self._pad]])
            self._carry = self._pad
            count = self.batch_size
        self._data_buf[:count] = self._take(self._data, index)
        self._label_buf[:count] = np.asarray(self._take(self._label, index)).reshape(
            (count,) + self._label_buf.shape[1:])
        self._head += self.batch_size
        return True

    def next(self):
        """The next :class:`DataBatch`."""
        if not self.iter_next():
            raise StopIteration
        return DataBatch([self.getdata()], [self.getlabel()], pad=self._pad, provide_data=self.provide_data,
                         provide_label=self.provide_label)

    def getdata(self):
        """The current batch's data (an NDArray copy of the batch buffer)."""
        return array(self._data_buf.copy(), dtype=self._data_buf.dtype)

    def getlabel(self):
        """The current batch's labels."""
        return array(self._label_buf.copy(), dtype=self._label_buf.dtype)

    def getpad(self):
        """How many samples at the end of the current batch are padding."""
        return self._pad
