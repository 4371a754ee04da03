"""``mx.io``: data descriptions, batches and the iterator protocol of MXNet's Module-era API.

Examples
--------
>>> import numpy as np
>>> it = NDArrayIter(np.arange(10).reshape(5, 2), np.arange(5), batch_size=2, last_batch_handle="discard")
>>> [batch.label[0].asnumpy().tolist() for batch in it]
[[0.0, 1.0], [2.0, 3.0]]
>>> it.provide_data
[DataDesc[data,(2, 2),<class 'numpy.float32'>,NCHW]]
"""
from collections import OrderedDict, namedtuple

import numpy as np

from ..base import DTYPE, MXNetError, get_rng
from ..ndarray import NDArray, array

__all__ = ["DataDesc", "DataBatch", "DataIter", "NDArrayIter", "ResizeIter", "LAST_BATCH_HANDLES"]

#: How iterators treat a final short batch: fill it from the start, drop it, or carry it to the next epoch.
LAST_BATCH_HANDLES = ("pad", "discard", "roll_over")


class DataDesc(namedtuple("DataDesc", ["name", "shape"])):
    """Name and shape of one input (a tuple ``(name, shape)``), plus ``dtype`` and ``layout`` attributes.

    Parameters
    ----------
    name : str
    shape : tuple of int
    dtype : numpy dtype, default float32
    layout : str, default 'NCHW'
        Which axis is the batch (``N``).

    Examples
    --------
    >>> d = DataDesc("data", (32, 3, 8, 8)); d
    DataDesc[data,(32, 3, 8, 8),<class 'numpy.float32'>,NCHW]
    >>> d == ("data", (32, 3, 8, 8)), DataDesc.get_batch_axis("NTC")
    (True, 0)
    """

    def __new__(cls, name, shape, dtype=DTYPE, layout="NCHW"):
        desc = super().__new__(cls, name, tuple(shape))
        desc.dtype = dtype
        desc.layout = layout
        return desc

    def __repr__(self):
        return f"DataDesc[{self.name},{self.shape},{self.dtype},{self.layout}]"

    @staticmethod
    def get_batch_axis(layout):
        """Index of ``N`` in ``layout`` (0 when layout is None).

        Examples
        --------
        >>> DataDesc.get_batch_axis("TNC")
        1
        """
        return 0 if layout is None else layout.find("N")

    @staticmethod
    def get_list(shapes, types):
        """DataDescs from ``[(name, shape)]`` and optionally ``[(name, dtype)]``.

        Examples
        --------
        >>> DataDesc.get_list([("x", (1, 2))], [("x", np.int32)])[0].dtype
        <class 'numpy.int32'>
        """
        if types is None:
            return [DataDesc(name, shape) for name, shape in shapes]
        type_of = dict(types)
        return [DataDesc(name, shape, type_of[name]) for name, shape in shapes]


class DataBatch:
    """One batch: lists of data and label NDArrays, and how many trailing examples are padding.

    Parameters
    ----------
    data : list of NDArray
    label : list of NDArray, optional
    pad : int, optional
        Number of padding examples at the end (ignore them when predicting).
    index : numpy.ndarray, optional
    bucket_key, provide_data, provide_label : optional

    Examples
    --------
    >>> import ssdkit as mx
    >>> print(DataBatch([mx.nd.zeros((2, 3))], [mx.nd.zeros((2,))], pad=0))
    DataBatch: data shapes: [(2, 3)] label shapes: [(2,)]
    """

    def __init__(self, data, label=None, pad=None, index=None, bucket_key=None, provide_data=None,
                 provide_label=None):
        if data is not None and not isinstance(data, (list, tuple)):
            raise MXNetError(f"DataBatch: data must be a list of NDArrays, got {type(data).__name__}")
        if label is not None and not isinstance(label, (list, tuple)):
            raise MXNetError(f"DataBatch: label must be a list of NDArrays, got {type(label).__name__}")
        self.data = data
        self.label = label
        self.pad = pad
        self.index = index
        self.bucket_key = bucket_key
        self.provide_data = provide_data
        self.provide_label = provide_label

    def __str__(self):
        data_shapes = [d.shape for d in self.data]
        label_shapes = [x.shape for x in self.label] if self.label else None
        return f"{type(self).__name__}: data shapes: {data_shapes} label shapes: {label_shapes}"


class DataIter:
    """Base iterator: ``next()`` returns a :class:`DataBatch` or raises ``StopIteration``; ``reset()`` rewinds.

    Subclasses either override ``next`` or the ``iter_next``/``getdata``/``getlabel``/``getpad`` quartet.

    Parameters
    ----------
    batch_size : int

    Examples
    --------
    >>> class Twice(DataIter):
    ...     def __init__(self): super().__init__(1); self.n = 0
    ...     def iter_next(self): self.n += 1; return self.n <= 2
    ...     def getdata(self): return [self.n]
    >>> [b.data for b in Twice()]
    [[1], [2]]
    """

    def __init__(self, batch_size=0):
        self.batch_size = batch_size

    def __iter__(self):
        return self

    def reset(self):
        """Rewind to the first batch (the base iterator has nothing to rewind).

        Examples
        --------
        >>> DataIter(4).reset()
        """

    def next(self):
        """The next :class:`DataBatch`; ``StopIteration`` at the end of the epoch.

        Examples
        --------
        >>> DataIter(1).next()
        Traceback (most recent call last):
        ...
        StopIteration
        """
        if self.iter_next():
            return DataBatch(data=self.getdata(), label=self.getlabel(), pad=self.getpad(),
                             index=self.getindex())
        raise StopIteration

    def __next__(self):
        return self.next()

    def iter_next(self):
        """Advance; False at the end (the base iterator is always at its end).

        Examples
        --------
        >>> DataIter().iter_next()
        False
        """
        return False

    def getdata(self):
        """Data of the current batch (list of NDArray).

        Examples
        --------
        >>> DataIter().getdata() is None
        True
        """
        return None

    def getlabel(self):
        """Labels of the current batch (list of NDArray).

        Examples
        --------
        >>> DataIter().getlabel() is None
        True
        """
        return None

    def getindex(self):
        """Indices of the current examples, or None.

        Examples
        --------
        >>> DataIter().getindex() is None
        True
        """
        return None

    def getpad(self):
        """Number of padding examples in the current batch.

        Examples
        --------
        >>> DataIter().getpad()
        0
        """
        return 0


def _named_arrays(data, allow_empty, default_name):
    """MXNet's canonical form: a sorted list of (name, NDArray)."""
    if data is None:
        if not allow_empty:
            raise MXNetError("NDArrayIter: data must be given")
        data = []
    if isinstance(data, (np.ndarray, NDArray)):
        data = [data]
    if isinstance(data, (list, tuple)):
        if not data and not allow_empty:
            raise MXNetError("NDArrayIter: data must hold at least one array")
        if len(data) == 1:
            data = OrderedDict([(default_name, data[0])])
        else:
            data = OrderedDict((f"_{i}_{default_name}", d) for i, d in enumerate(data))
    if not isinstance(data, dict):
        raise MXNetError(f"NDArrayIter: expected an NDArray, numpy array, list or dict of them, "
                         f"got {type(data).__name__}")
    return sorted((name, value if isinstance(value, NDArray) else array(value)) for name, value in data.items())


class NDArrayIter(DataIter):
    """Iterate over in-memory arrays in batches along the first axis (the layout's ``N`` axis).

    Parameters
    ----------
    data : array, list of arrays or dict name -> array
    label : same kinds, optional
    batch_size : int
    shuffle : bool
        Re-shuffle at every reset (order drawn from ``mx.random``).
    last_batch_handle : {'pad', 'discard', 'roll_over'}
        ``pad`` fills the last batch from the start (``batch.pad`` counts the filler), ``discard`` drops it,
        ``roll_over`` carries it into the first batch of the next epoch.
    data_name, label_name : str
    layout : str

    Examples
    --------
    >>> it = NDArrayIter(np.arange(5), np.arange(5), batch_size=2)
    >>> [(b.data[0].asnumpy().tolist(), b.pad) for b in it]
    [([0.0, 1.0], 0), ([2.0, 3.0], 0), ([4.0, 0.0], 1)]
    """

    def __init__(self, data, label=None, batch_size=1, shuffle=False, last_batch_handle="pad",
                 data_name="data", label_name="softmax_label", layout="NCHW"):
        super().__init__(batch_size)
        if last_batch_handle not in LAST_BATCH_HANDLES:
            raise MXNetError(f"NDArrayIter: last_batch_handle must be one of {LAST_BATCH_HANDLES}, "
                             f"got {last_batch_handle!r}")
        self.data = _named_arrays(data, False, data_name)
        self.label = _named_arrays(label, True, label_name)
        self.layout = layout
        self._axis = max(DataDesc.get_batch_axis(layout), 0)
        self.num_data = self.data[0][1].shape[self._axis]
        for name, value in self.data + self.label:   # longer arrays are allowed: only the first num_data are read
            if value.shape[self._axis] < self.num_data:
                raise MXNetError(f"NDArrayIter: {name} has {value.shape[self._axis]} examples along axis "
                                 f"{self._axis}, fewer than the {self.num_data} of {self.data[0][0]}")
        self.idx = np.arange(self.num_data)
        self.shuffle = shuffle
        self.last_batch_handle = last_batch_handle
        self.cursor = -batch_size
        self._cache = None
        self.reset()

    @property
    def provide_data(self):
        """DataDescs of the data (batch-sized shapes).

        Examples
        --------
        >>> NDArrayIter(np.zeros((5, 2)), batch_size=4).provide_data[0].shape
        (4, 2)
        """
        return [self._desc(name, value) for name, value in self.data]

    @property
    def provide_label(self):
        """DataDescs of the labels.

        Examples
        --------
        >>> NDArrayIter(np.zeros(5), np.zeros(5), batch_size=4).provide_label[0].name
        'softmax_label'
        """
        return [self._desc(name, value) for name, value in self.label]

    def _desc(self, name, value):
        shape = list(value.shape)
        shape[self._axis] = self.batch_size
        return DataDesc(name, tuple(shape), value.dtype, layout=self.layout)

    def hard_reset(self):
        """Rewind and forget rolled-over examples.

        Examples
        --------
        >>> it = NDArrayIter(np.arange(3), batch_size=2, last_batch_handle="roll_over")
        >>> _ = list(it); it.hard_reset(); it.next().data[0].asnumpy().tolist()
        [0.0, 1.0]
        """
        if self.shuffle:
            self._shuffle_data()
        self.cursor = -self.batch_size
        self._cache = None

    def reset(self):
        """Rewind (after ``roll_over`` the carried examples open the next epoch).

        Examples
        --------
        >>> it = NDArrayIter(np.arange(3), batch_size=2, last_batch_handle="roll_over")
        >>> _ = list(it); it.reset(); it.next().data[0].asnumpy().tolist()
        [2.0, 0.0]
        """
        if self.shuffle:
            self._shuffle_data()
        if self.last_batch_handle == "roll_over" and self.num_data - self.batch_size < self.cursor < self.num_data:
            self.cursor = self.cursor - self.num_data - self.batch_size
        else:
            self.cursor = -self.batch_size

    def iter_next(self):
        """Advance the cursor; False past the end.

        Examples
        --------
        >>> it = NDArrayIter(np.arange(3), batch_size=2)
        >>> it.iter_next(), it.iter_next(), it.iter_next()
        (True, True, False)
        """
        self.cursor += self.batch_size
        return self.cursor < self.num_data

    def next(self):
        """The next :class:`DataBatch`.

        Examples
        --------
        >>> NDArrayIter(np.arange(3), batch_size=2).next().data[0].shape
        (2,)
        """
        if not self.iter_next():
            raise StopIteration
        data, label = self.getdata(), self.getlabel()
        if data[0].shape[self._axis] != self.batch_size:
            self._cache = (data, label)   # a short last batch opens the next epoch under roll_over
            raise StopIteration
        return DataBatch(data=data, label=label, pad=self.getpad(), index=None)

    def _take(self, source, index):
        return [np.take(np.asarray(value), index, axis=self._axis) for _, value in source]

    def _batchify(self, source, which):
        if self.cursor >= self.num_data:
            raise MXNetError("NDArrayIter: the iterator is exhausted; call reset()")
        end = self.cursor + self.batch_size
        if self.last_batch_handle == "roll_over" and self.cursor < 0:
            rest = self._take(source, np.arange(0, end))
            return [NDArray(np.concatenate([np.asarray(c), r], axis=self._axis))
                    for c, r in zip(self._cache[which], rest)]
        if self.last_batch_handle == "pad" and end > self.num_data:
            index = np.arange(self.cursor, end) % self.num_data   # fill from the start, repeating if needed
        else:
            index = np.arange(self.cursor, min(end, self.num_data))
        return [NDArray(x) for x in self._take(source, index)]

    def getdata(self):
        """Data of the current batch.

        Examples
        --------
        >>> it = NDArrayIter(np.arange(3), batch_size=2); _ = it.iter_next()
        >>> it.getdata()[0].asnumpy().tolist()
        [0.0, 1.0]
        """
        return self._batchify(self.data, 0)

    def getlabel(self):
        """Labels of the current batch.

        Examples
        --------
        >>> it = NDArrayIter(np.zeros(3), np.arange(3), batch_size=2); _ = it.iter_next()
        >>> it.getlabel()[0].asnumpy().tolist()
        [0.0, 1.0]
        """
        return self._batchify(self.label, 1)

    def getpad(self):
        """Padding examples in the current batch (rolled-over examples count as padding, as in MXNet).

        Examples
        --------
        >>> it = NDArrayIter(np.arange(3), batch_size=2); _ = it.next(); _ = it.iter_next()
        >>> it.getpad()
        1
        """
        if self.last_batch_handle == "pad" and self.cursor + self.batch_size > self.num_data:
            return self.cursor + self.batch_size - self.num_data
        if self.last_batch_handle == "roll_over" and -self.batch_size < self.cursor < 0:
            return -self.cursor
        return 0

    def _shuffle_data(self):
        order = get_rng().permutation(self.num_data)
        self.idx = self.idx[order]
        self.data = [(k, NDArray(np.take(np.asarray(v), order, axis=self._axis))) for k, v in self.data]
        self.label = [(k, NDArray(np.take(np.asarray(v), order, axis=self._axis))) for k, v in self.label]


class ResizeIter(DataIter):
    """Present ``size`` batches per epoch from ``data_iter``, restarting it when it runs out.

    Parameters
    ----------
    data_iter : DataIter
    size : int
    reset_internal : bool
        Also reset the wrapped iterator on :meth:`reset`.

    Examples
    --------
    >>> it = ResizeIter(NDArrayIter(np.zeros((4, 1)), batch_size=2), 3)
    >>> len(list(it))
    3
    """

    def __init__(self, data_iter, size, reset_internal=True):
        super().__init__(data_iter.batch_size)
        self.data_iter = data_iter
        self.size = size
        self.reset_internal = reset_internal
        self.cur = 0
        self.current_batch = None
        self.provide_data = data_iter.provide_data
        self.provide_label = data_iter.provide_label

    def reset(self):
        """Start a new epoch of ``size`` batches.

        Examples
        --------
        >>> it = ResizeIter(NDArrayIter(np.arange(4), batch_size=2), 1)
        >>> _ = list(it); it.reset(); len(list(it))
        1
        """
        self.cur = 0
        if self.reset_internal:
            self.data_iter.reset()

    def iter_next(self):
        """Fetch the next batch, restarting the wrapped iterator if needed.

        Examples
        --------
        >>> it = ResizeIter(NDArrayIter(np.arange(4), batch_size=2), 1)
        >>> it.iter_next(), it.iter_next()
        (True, False)
        """
        if self.cur == self.size:
            return False
        try:
            self.current_batch = self.data_iter.next()
        except StopIteration:
            self.data_iter.reset()
            self.current_batch = self.data_iter.next()
        self.cur += 1
        return True

    def getdata(self):
        """Data of the current batch.

        Examples
        --------
        >>> it = ResizeIter(NDArrayIter(np.arange(4), batch_size=2), 1); _ = it.iter_next()
        >>> it.getdata()[0].shape
        (2,)
        """
        return self.current_batch.data

    def getlabel(self):
        """Labels of the current batch.

        Examples
        --------
        >>> it = ResizeIter(NDArrayIter(np.arange(4), np.arange(4), batch_size=2), 1); _ = it.iter_next()
        >>> it.getlabel()[0].shape
        (2,)
        """
        return self.current_batch.label

    def getindex(self):
        """Indices of the current batch.

        Examples
        --------
        >>> it = ResizeIter(NDArrayIter(np.arange(4), batch_size=2), 1); _ = it.iter_next()
        >>> it.getindex() is None
        True
        """
        return self.current_batch.index

    def getpad(self):
        """Padding of the current batch.

        Examples
        --------
        >>> it = ResizeIter(NDArrayIter(np.arange(4), batch_size=2), 1); _ = it.iter_next()
        >>> it.getpad()
        0
        """
        return self.current_batch.pad
