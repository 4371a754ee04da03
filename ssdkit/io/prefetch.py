"""``PrefetchingIter``: runs one or more iterators a batch ahead in background threads and joins their
batches (data lists concatenated, optionally renamed), as MXNet's ``mx.io.PrefetchingIter``.

Examples
--------
>>> import numpy as np
>>> from .core import NDArrayIter
>>> a = NDArrayIter(np.zeros((4, 2)), np.arange(4), batch_size=2)
>>> b = NDArrayIter({'other': np.ones((4, 3))}, batch_size=2)
>>> it = PrefetchingIter([a, b])
>>> [d.name for d in it.provide_data], [len(batch.data) for batch in it]
(['data', 'other'], [2, 2])
"""
import threading

from ..base import MXNetError
from .core import DataBatch, DataDesc, DataIter

__all__ = ["PrefetchingIter"]


def _renamed(descs, rename):
    if rename is None:
        return list(descs)
    return [DataDesc(rename.get(d.name, d.name), d.shape, getattr(d, "dtype", None) or "float32",
                     getattr(d, "layout", "NCHW")) if isinstance(d, DataDesc) else (rename.get(d[0], d[0]), d[1])
            for d in descs]


class PrefetchingIter(DataIter):
    """Prefetch from ``iters`` (one iterator or a list) in threads; a batch joins one batch of each.

    Parameters
    ----------
    iters : DataIter or list of DataIter
    rename_data, rename_label : list of dict, optional
        Per iterator, ``{old name: new name}`` for its data / label descriptions.
    """

    def __init__(self, iters, rename_data=None, rename_label=None):
        super().__init__()
        self.iters = iters if isinstance(iters, list) else [iters]
        self.n_iter = len(self.iters)
        if rename_data is not None and len(rename_data) != self.n_iter:
            raise MXNetError(f"PrefetchingIter: {len(rename_data)} rename_data dicts for {self.n_iter} iterators")
        if rename_label is not None and len(rename_label) != self.n_iter:
            raise MXNetError(f"PrefetchingIter: {len(rename_label)} rename_label dicts for {self.n_iter} iterators")
        self.rename_data, self.rename_label = rename_data, rename_label
        self.batch_size = self.provide_data[0][1][0]
        self.current_batch = None
        self._batches = [None] * self.n_iter
        self._ready = [threading.Event() for _ in range(self.n_iter)]
        self._taken = [threading.Event() for _ in range(self.n_iter)]
        self._errors = [None] * self.n_iter
        self._started = True
        for event in self._taken:
            event.set()
        self._threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(self.n_iter)]
        for thread in self._threads:
            thread.start()

    def _run(self, i):
        while True:
            self._taken[i].wait()
            if not self._started:
                break
            try:
                self._batches[i] = self.iters[i].next()
            except StopIteration:
                self._batches[i] = None
            except Exception as err:  # noqa: BLE001 - handed to the consumer thread, raised there
                self._errors[i], self._batches[i] = err, None
            self._taken[i].clear()
            self._ready[i].set()

    def __del__(self):
        self._started = False
        for event in getattr(self, "_taken", ()):
            event.set()

    @property
    def provide_data(self):
        """Data descriptions of all iterators, renamed."""
        names = self.rename_data or [None] * self.n_iter
        return [d for it, r in zip(self.iters, names) for d in _renamed(it.provide_data, r)]

    @property
    def provide_label(self):
        """Label descriptions of all iterators, renamed."""
        names = self.rename_label or [None] * self.n_iter
        return [d for it, r in zip(self.iters, names) for d in _renamed(it.provide_label, r)]

    def reset(self):
        """Wait for the batches in flight, reset every iterator and prefetch again."""
        for event in self._ready:
            event.wait()
        for it in self.iters:
            it.reset()
        for ready, taken in zip(self._ready, self._taken):
            ready.clear()
            taken.set()

    def iter_next(self):
        for event in self._ready:
            event.wait()
        for err in self._errors:
            if err is not None:
                raise err
        if self._batches[0] is None:
            if any(b is not None for b in self._batches):
                raise MXNetError("PrefetchingIter: the iterators have different numbers of batches")
            return False
        batches = self._batches
        self.current_batch = DataBatch([d for b in batches for d in b.data],
                                       [x for b in batches for x in (b.label or [])], batches[0].pad,
                                       batches[0].index, provide_data=self.provide_data,
                                       provide_label=self.provide_label)
        for ready, taken in zip(self._ready, self._taken):
            ready.clear()
            taken.set()
        return True

    def next(self):
        """The next joined :class:`DataBatch`."""
        if self.iter_next():
            return self.current_batch
        raise StopIteration

    def getdata(self):
        """Data of the current batch."""
        return self.current_batch.data

    def getlabel(self):
        """Labels of the current batch."""
        return self.current_batch.label

    def getindex(self):
        """Index of the current batch."""
        return self.current_batch.index

    def getpad(self):
        """Padding of the current batch."""
        return self.current_batch.pad
