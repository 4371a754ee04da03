"""Datasets: indexable collections of samples, with lazy ``transform``/``filter``/``take``/``shard`` views.

Examples
--------
>>> ds = SimpleDataset([1, 2, 3, 4]).transform(lambda x: x * 10)
>>> [ds[i] for i in range(len(ds))]
[10, 20, 30, 40]
>>> ArrayDataset([1, 2], ["a", "b"])[1]
(2, 'b')
"""
import os

from ...base import MXNetError
from ...ndarray import NDArray
from ...recordio import MXIndexedRecordIO
from .sampler import FilterSampler, Sampler, SequentialSampler

__all__ = ["Dataset", "SimpleDataset", "ArrayDataset", "RecordFileDataset"]


class Dataset:
    """Abstract dataset: subclasses define ``__getitem__(idx)`` and ``__len__``.

    NDArrays, numpy arrays and lists can be used directly wherever a dataset is expected.

    Examples
    --------
    >>> class Squares(Dataset):
    ...     def __getitem__(self, idx): return idx * idx
    ...     def __len__(self): return 4
    >>> Squares().filter(lambda x: x > 1).take(1)[0]
    4
    """

    def __getitem__(self, idx):
        raise MXNetError(f"{type(self).__name__} must define __getitem__")

    def __len__(self):
        raise MXNetError(f"{type(self).__name__} must define __len__")

    def transform(self, fn, lazy=True):
        """A dataset whose samples are ``fn(*sample)`` (tuples are unpacked) or ``fn(sample)``.

        Parameters
        ----------
        fn : callable
        lazy : bool, default True
            Apply on access (needed for random transforms) or once, now.

        Examples
        --------
        >>> ArrayDataset([1, 2], [3, 4]).transform(lambda x, y: x + y)[1]
        6
        """
        view = _LazyTransformDataset(self, fn)
        return view if lazy else SimpleDataset([view[i] for i in range(len(view))])

    def transform_first(self, fn, lazy=True):
        """Like :meth:`transform`, applied only to the first element of each sample.

        Examples
        --------
        >>> ArrayDataset([1, 2], [3, 4]).transform_first(lambda x: -x)[0]
        (-1, 3)
        """
        return self.transform(_TransformFirst(fn), lazy)

    def filter(self, fn):
        """The samples for which ``fn(sample)`` is true (evaluated once, now).

        Examples
        --------
        >>> len(SimpleDataset(list(range(10))).filter(lambda x: x % 3 == 0))
        4
        """
        return _SampledDataset(self, FilterSampler(fn, self))

    def take(self, count):
        """The first ``count`` samples (all of them when ``count`` is None or too large).

        Examples
        --------
        >>> len(SimpleDataset([1, 2, 3]).take(2)), len(SimpleDataset([1]).take(None))
        (2, 1)
        """
        count = len(self) if count is None or count > len(self) else int(count)
        return _SampledDataset(self, SequentialSampler(count))

    def shard(self, num_shards, index):
        """Part ``index`` of ``num_shards`` near-equal contiguous parts (the first parts get the remainder).

        Examples
        --------
        >>> [list(SimpleDataset(list(range(5))).shard(2, i)) for i in range(2)]
        [[0, 1, 2], [3, 4]]
        """
        if not 0 <= index < num_shards:
            raise MXNetError(f"Dataset.shard: index must be in [0, {num_shards}), got {index}")
        size, rest = divmod(len(self), num_shards)
        start = size * index + min(index, rest)
        return _SampledDataset(self, SequentialSampler(size + (index < rest), start))

    def sample(self, sampler):
        """The samples chosen by ``sampler`` (a :class:`Sampler`), in its order.

        Examples
        --------
        >>> list(SimpleDataset("abcd").sample(SequentialSampler(2, 1)))
        ['b', 'c']
        """
        if not isinstance(sampler, Sampler):
            raise MXNetError(f"Dataset.sample: expected a gluon.data.Sampler, got {type(sampler).__name__}")
        return _SampledDataset(self, sampler)

    def __iter__(self):
        # Indexing up to len() (not until IndexError) so lazily transformed views iterate correctly.
        for i in range(len(self)):
            yield self[i]


class SimpleDataset(Dataset):
    """Wrap anything with ``len()`` and ``[]`` (a list, an array, another dataset).

    Parameters
    ----------
    data : sequence

    Examples
    --------
    >>> ds = SimpleDataset(["x", "y"]); len(ds), ds[1]
    (2, 'y')
    """

    def __init__(self, data):
        self._data = data

    def __len__(self):
        return len(self._data)

    def __getitem__(self, idx):
        return self._data[idx]


class _LazyTransformDataset(Dataset):
    def __init__(self, data, fn):
        self._data = data
        self._fn = fn

    def __len__(self):
        return len(self._data)

    def __getitem__(self, idx):
        item = self._data[idx]
        return self._fn(*item) if isinstance(item, tuple) else self._fn(item)


class _TransformFirst:
    """A callable object rather than a closure, so it can be named in worker error messages."""

    def __init__(self, fn):
        self._fn = fn

    def __call__(self, x, *args):
        return (self._fn(x),) + args if args else self._fn(x)


class _SampledDataset(Dataset):
    def __init__(self, dataset, sampler):
        self._dataset = dataset
        self._indices = list(sampler)

    def __len__(self):
        return len(self._indices)

    def __getitem__(self, idx):
        return self._dataset[self._indices[idx]]


class ArrayDataset(Dataset):
    """Zip several equally long sequences: sample ``i`` is ``(a[i], b[i], ...)`` (or ``a[i]`` for one).

    1-D NDArrays are converted to numpy first (as MXNet does), so scalar labels come out as numbers.

    Parameters
    ----------
    *args : sequences of equal length

    Examples
    --------
    >>> import ssdkit as mx
    >>> ds = ArrayDataset(mx.nd.ones((3, 2)), mx.nd.array([0, 1, 2]))
    >>> x, y = ds[2]; x.shape, float(y)
    ((2,), 2.0)
    """

    def __init__(self, *args):
        if not args:
            raise MXNetError("ArrayDataset: needs at least one array")
        self._length = len(args[0])
        self._data = []
        for i, data in enumerate(args):
            if len(data) != self._length:
                raise MXNetError(f"ArrayDataset: all arrays must have the same length; array 0 has "
                                 f"{self._length} items, array {i} has {len(data)}")
            if isinstance(data, NDArray) and data.ndim == 1:
                data = data.asnumpy()
            self._data.append(data)

    def __getitem__(self, idx):
        if len(self._data) == 1:
            return self._data[0][idx]
        return tuple(data[idx] for data in self._data)

    def __len__(self):
        return self._length


def _index_path(filename):
    return os.path.splitext(filename)[0] + ".idx"


class RecordFileDataset(Dataset):
    """The raw records of a ``.rec`` file, read through its ``.idx`` index (same name, ``.idx`` suffix).

    Parameters
    ----------
    filename : str
        Path of the ``.rec`` file.

    Examples
    --------
    >>> import os, tempfile
    >>> from ssdkit.recordio import MXIndexedRecordIO
    >>> d = tempfile.mkdtemp()
    >>> with MXIndexedRecordIO(os.path.join(d, "a.idx"), os.path.join(d, "a.rec"), "w") as w:
    ...     w.write_idx(0, b"first"); w.write_idx(1, b"second")
    >>> ds = RecordFileDataset(os.path.join(d, "a.rec")); len(ds), ds[1]
    (2, b'second')
    """

    def __init__(self, filename):
        self.filename = os.fspath(filename)
        self.idx_file = _index_path(self.filename)
        for path, what in ((self.filename, "record file"), (self.idx_file, "index file")):
            if not os.path.isfile(path):
                raise MXNetError(f"{type(self).__name__}: {what} {path!r} does not exist "
                                 f"(a .rec needs its .idx next to it)")
        self._record = MXIndexedRecordIO(self.idx_file, self.filename, "r")

    def __getitem__(self, idx):
        keys = self._record.keys
        if not -len(keys) <= idx < len(keys):
            raise IndexError(f"{type(self).__name__}({self.filename!r}): index {idx} out of range "
                             f"for {len(keys)} records")
        return self._record.read_idx(keys[idx])

    def __len__(self):
        return len(self._record.keys)
