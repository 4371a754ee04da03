"""``mx.io``: data descriptions, batches and the iterators of MXNet's Module-era API — ``NDArrayIter``,
``ResizeIter``, ``PrefetchingIter``, and the file readers ``CSVIter``, ``MNISTIter``, ``ImageRecordIter``.

Examples
--------
>>> import numpy as np, ssdkit as mx
>>> it = mx.io.NDArrayIter(np.arange(10).reshape(5, 2), np.arange(5), batch_size=2, last_batch_handle="discard")
>>> [batch.label[0].asnumpy().tolist() for batch in it]
[[0.0, 1.0], [2.0, 3.0]]
"""
from .core import DataDesc, DataBatch, DataIter, NDArrayIter, ResizeIter, LAST_BATCH_HANDLES
from .batch_loader import BatchLoaderIter
from .csv_iter import CSVIter, LibSVMIter
from .mnist import MNISTIter
from .prefetch import PrefetchingIter

__all__ = ["DataDesc", "DataBatch", "DataIter", "NDArrayIter", "ResizeIter", "LAST_BATCH_HANDLES",
           "BatchLoaderIter", "CSVIter", "LibSVMIter", "MNISTIter", "PrefetchingIter", "ImageRecordIter",
           "ImageRecordUInt8Iter"]


def __getattr__(name):
    # the record reader decodes with mx.image, which imports this package: load it on first use
    if name in ("ImageRecordIter", "ImageRecordUInt8Iter"):
        from . import image_record
        return getattr(image_record, name)
    raise AttributeError(f"module 'ssdkit.io' has no attribute {name!r}")
