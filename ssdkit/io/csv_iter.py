"""``CSVIter``: batches read from comma-separated files (one sample per line, reshaped to ``data_shape``),
with MXNet's batching (:mod:`.batch_loader`); and ``LibSVMIter``, which needs sparse storage and refuses.

Examples
--------
>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), 'd.csv')
>>> _ = open(path, 'w').write('1,2\\n3,4\\n5,6\\n')
>>> it = CSVIter(data_csv=path, data_shape=(2,), batch_size=2)
>>> [(b.data[0].asnumpy().tolist(), b.pad) for b in it]
[([[1.0, 2.0], [3.0, 4.0]], 0), ([[5.0, 6.0], [1.0, 2.0]], 1)]
"""
import numpy as np

from ..base import MXNetError
from .batch_loader import BatchLoaderIter

__all__ = ["CSVIter", "LibSVMIter"]

_DTYPES = ("float32", "int32", "int64")


def _read_csv(path, shape, what, dtype):
    try:
        rows = np.loadtxt(path, delimiter=",", dtype=np.float64, ndmin=2)
    except (OSError, ValueError) as err:
        raise MXNetError(f"CSVIter: cannot read {what} {path!r}: {err}") from None
    width = int(np.prod(shape))
    if rows.shape[1] != width:
        raise MXNetError(f"CSVIter: {what} {path!r} has {rows.shape[1]} values per line, {what.split('_')[0]}_shape "
                         f"{tuple(shape)} needs {width}")
    return rows.reshape((len(rows),) + tuple(shape)).astype(dtype)


class CSVIter(BatchLoaderIter):
    """Batches from ``data_csv`` (and ``label_csv``; labels are 0 without it).

    Parameters
    ----------
    data_csv : str
    data_shape : tuple
        Shape of one sample (a line holds ``prod(data_shape)`` values).
    label_csv : str, optional
    label_shape : tuple, default (1,)
        ``(1,)`` gives labels of shape ``(batch_size,)``.
    batch_size : int
    round_batch : bool, default True
        Complete a short last batch from the start of the data (see :mod:`.batch_loader`).
    dtype : {'float32', 'int32', 'int64'}
        Data type of the data (labels are float32).
    prefetch_buffer, ctx : accepted for MXNet compatibility.
    """

    def __init__(self, data_csv, data_shape, batch_size, label_csv=None, label_shape=(1,), round_batch=True,
                 prefetch_buffer=4, ctx="cpu", dtype="float32", data_name="data", label_name="softmax_label"):
        if dtype not in _DTYPES:
            raise MXNetError(f"CSVIter: dtype must be one of {_DTYPES}, got {dtype!r}")
        data_shape, label_shape = tuple(data_shape), tuple(label_shape)
        data = _read_csv(data_csv, data_shape, "data_csv", dtype)
        if label_csv is None:
            label = np.zeros((len(data),) + label_shape, np.float32)
        else:
            label = _read_csv(label_csv, label_shape, "label_csv", np.float32)
            if len(label) != len(data):
                raise MXNetError(f"CSVIter: label_csv {label_csv!r} has {len(label)} lines, data_csv has {len(data)}")
        if label_shape == (1,):
            label = label.reshape(len(label))
        super().__init__(data, label, int(batch_size), round_batch, data_name=data_name, label_name=label_name,
                         dtype=dtype)


class LibSVMIter:
    """MXNet's LibSVM reader yields CSR (sparse) batches; ssdkit has dense storage only, so it refuses.

    Examples
    --------
    >>> try:
    ...     LibSVMIter(data_libsvm='x.t', data_shape=(10,), batch_size=2)
    ... except MXNetError as err:
    ...     print(str(err)[:40])
    LibSVMIter: its batches are sparse (CSR)
    """

    def __init__(self, *args, **kwargs):
        raise MXNetError("LibSVMIter: its batches are sparse (CSR) NDArrays; sparse storage is not supported by "
                         "ssdkit (convert the file to dense rows and use CSVIter or NDArrayIter)")
