"""Training and validation batches for the tools: ``(data (B, 3, S, S), label (B, M, 5+))`` with labels
``[cls, xmin, ymin, xmax, ymax(, difficult)]`` in normalized corners, padded with ``-1`` rows.

Two sources behind one interface (:meth:`epoch` yields ``(index, data, label, pad)``):

* RecordIO sets (the synthetic pikachu set, ``--dataset rec``): ``mx.image.ImageDetIter`` with the
  straight-dope notebook's augmentation (random crop keeping 95% of the object, mean subtraction).
* Pascal VOC and MS COCO folders: ``detection.data`` datasets with GluonCV's SSD transforms through a
  ``gluon.data.DataLoader``.

Both are reproducible: the order and augmentation of batch ``k`` of epoch ``e`` depend only on the seed drawn
from ``mx.random`` when the source is built, ``e`` and ``k`` — which is what makes ``--resume`` exact.
Pixels are normalized the same way everywhere: ``x - IMAGENET_MEAN`` on the 0..255 scale (``mean=True``).

Examples
--------
>>> import tempfile
>>> from ssdkit.datagen import generate_pikachu
>>> root = tempfile.mkdtemp(); _ = generate_pikachu(root, 4, 2, size=32, num_workers=0, progress=False)
>>> train = RecordBatches(root + "/train.rec", 2, 32, train=True)
>>> [(i, d.shape, l.shape) for i, d, l, pad in train.epoch(0)]
[(0, (2, 3, 32, 32), (2, 1, 5)), (1, (2, 3, 32, 32), (2, 1, 5))]
"""
import os

import numpy as np

from .. import image
from ..base import MXNetError, get_rng
from ..recordio import MXIndexedRecordIO, RecordIOError, parse_det_label, unpack
from ..gluon.data import DataLoader, Sampler
from ..gluon.data.batchify import Pad, Stack, Tuple
from ..image.color import IMAGENET_MEAN

__all__ = ["RecordBatches", "DatasetBatches", "PIXEL_MEAN", "PIXEL_STD", "NOTEBOOK_AUGMENTATION",
           "to_normalized_labels", "DetectionSample", "check_class_ids"]

#: Pixel normalization of every tool: subtract the ImageNet mean on the 0..255 scale, no scaling.
PIXEL_MEAN = tuple(float(m) for m in IMAGENET_MEAN)
PIXEL_STD = (1.0, 1.0, 1.0)
#: The notebook's ImageDetIter augmentation for training.
NOTEBOOK_AUGMENTATION = {"rand_crop": 1, "min_object_covered": 0.95, "max_attempts": 200}
_SEED_RANGE = 2 ** 62
#: Class id of a padding object row in a record label (not an object).
PAD_CLASS = -1


def check_class_ids(path_rec, classes):
    """Raise MXNetError naming the first record of ``path_rec`` whose label holds a class id that is not one
    of ``0 .. len(classes) - 1`` (rows of class ``-1`` are padding).

    Examples
    --------
    >>> import os, tempfile
    >>> from ssdkit.recordio import IRHeader, MXIndexedRecordIO, make_det_label, pack_img
    >>> d = tempfile.mkdtemp()
    >>> with MXIndexedRecordIO(os.path.join(d, "t.idx"), os.path.join(d, "t.rec"), "w") as w:
    ...     w.write_idx(0, pack_img(IRHeader(0, make_det_label([[2, .1, .1, .5, .5]]), 0, 0), np.zeros((4, 4, 3), np.uint8)))
    >>> check_class_ids(os.path.join(d, "t.rec"), ["pikachu"])
    Traceback (most recent call last):
    ...
    ssdkit.base.MXNetError: ...t.rec key 0: object class id 2.0 is not one of the 1 classes (ids 0..0: ['pikachu']); fix the label or name every class (--classes)
    """
    path_idx = os.path.splitext(path_rec)[0] + ".idx"
    limit = len(classes)
    with MXIndexedRecordIO(path_idx, path_rec, "r") as reader:
        for key in reader.keys:
            where = f"{path_rec} key {key}"
            try:
                ids = parse_det_label(unpack(reader.read_idx(key))[0].label, where)[1][:, 0]
            except RecordIOError:
                continue   # a damaged record: the iterator reports it, naming the record as well
            bad = ids[(ids != PAD_CLASS) & ((ids < 0) | (ids >= limit) | (ids != np.round(ids)))]
            if bad.size:
                raise MXNetError(f"{where}: object class id {float(bad[0])} is not one of the {limit} classes "
                                 f"(ids 0..{limit - 1}: {list(classes)[:8]}); fix the label or name every class "
                                 f"(--classes)")


class RecordBatches:
    """Batches of a detection ``.rec`` file (with its ``.idx``) through ``ImageDetIter``.

    Parameters
    ----------
    path_rec : str
    batch_size : int
    data_shape : int
        Side of the square input.
    train : bool
        Shuffle, augment (:data:`NOTEBOOK_AUGMENTATION` plus ``augment``) and drop the last partial batch;
        otherwise keep the file order and pad the last batch (``pad`` counts the padding images).
    num_workers : int
        Decoding processes.
    augment : dict, optional
        Extra ``CreateDetAugmenter`` arguments (e.g. ``{'rand_mirror': True}``).
    shard : dict, optional
        ``{'num_parts': N, 'part_index': k}`` for ``ImageDetIter``: read part ``k`` of ``N`` (distributed).

    Examples
    --------
    >>> import tempfile
    >>> from ssdkit.datagen import generate_pikachu
    >>> root = tempfile.mkdtemp(); _ = generate_pikachu(root, 2, 3, size=32, num_workers=0, progress=False)
    >>> val = RecordBatches(root + "/val.rec", 2, 16)
    >>> len(val), [(d.shape, pad) for _, d, _, pad in val.epoch(0)]
    (2, [((2, 3, 16, 16), 0), ((2, 3, 16, 16), 1)])
    >>> val.close()
    """

    def __init__(self, path_rec, batch_size, data_shape, train=False, num_workers=0, augment=None, shard=None):
        path_idx = os.path.splitext(path_rec)[0] + ".idx"
        for path in (path_rec, path_idx):
            if not os.path.exists(path):
                raise MXNetError(f"RecordBatches: {path} not found (a detection set needs the .rec and its .idx)")
        kwargs = dict(NOTEBOOK_AUGMENTATION, **(augment or {})) if train else {}
        self._iter = image.ImageDetIter(
            batch_size, (3, data_shape, data_shape), path_imgrec=path_rec, path_imgidx=path_idx, shuffle=train,
            mean=True, last_batch_handle="discard" if train else "pad", num_workers=num_workers,
            **(shard or {}), **kwargs)
        self._train = train
        self._next_epoch = 0
        self.batch_size = batch_size
        self.num_images = self._iter.num_image
        self.skipped = {}   # reason -> images the last epoch dropped (e.g. no object with a valid box)
        self.image_size = None   # side of the (square) source images when known: the scale of the metrics

    def __len__(self):
        full, rest = divmod(self.num_images, self.batch_size)
        return full + (0 if self._train or rest == 0 else 1)

    def epoch(self, epoch, skip=0):
        """Yield ``(index, data, label, pad)`` for the batches of ``epoch``, starting at batch ``skip``.

        Epochs only move forward for a training source; a validation source restarts at every call.

        Examples
        --------
        >>> import tempfile
        >>> from ssdkit.datagen import generate_pikachu
        >>> root = tempfile.mkdtemp(); _ = generate_pikachu(root, 6, 1, size=32, num_workers=0, progress=False)
        >>> train = RecordBatches(root + "/train.rec", 2, 16, train=True)
        >>> [i for i, *_ in train.epoch(1, skip=1)]       # epoch 1 (reshuffled), from its second batch
        [1, 2]
        """
        if not self._train:
            self._iter.reset()
        elif epoch < self._next_epoch:
            raise MXNetError(f"RecordBatches: epoch {epoch} was already read (next is {self._next_epoch})")
        else:
            while self._next_epoch < epoch:   # each reset starts the next (reshuffled) epoch
                self._iter.reset()
                self._next_epoch += 1
            self._next_epoch += 1
        for index, batch in enumerate(self._iter):
            if index >= skip:
                yield index, batch.data[0], batch.label[0], batch.pad
        self.skipped = dict(self._iter.skip_reasons)
        if self._train:
            self._iter.reset()

    def close(self):
        """Stop the decoding processes (they restart on demand).

        Examples
        --------
        >>> import tempfile
        >>> from ssdkit.datagen import generate_pikachu
        >>> root = tempfile.mkdtemp(); _ = generate_pikachu(root, 1, 1, size=32, num_workers=0, progress=False)
        >>> RecordBatches(root + "/val.rec", 1, 16, num_workers=1).close()
        """
        self._iter.close()


def to_normalized_labels(bbox, width, height):
    """GluonCV pixel rows ``[xmin, ymin, xmax, ymax, cls(, difficult)]`` -> ``[cls, x0, y0, x1, y1, difficult]``
    normalized by the image size; at least one row (a ``-1`` row when there is no object).

    Examples
    --------
    >>> to_normalized_labels(np.array([[10, 0, 20, 5, 3]], np.float32), 20, 10).tolist()
    [[3.0, 0.5, 0.0, 1.0, 0.5, 0.0]]
    >>> to_normalized_labels(np.zeros((0, 5), np.float32), 4, 4).tolist()
    [[-1.0, -1.0, -1.0, -1.0, -1.0, -1.0]]
    """
    bbox = np.asarray(bbox, np.float32)
    if len(bbox) == 0:
        return -np.ones((1, 6), np.float32)
    scale = np.array([width, height, width, height], np.float32)
    difficult = bbox[:, 5:6] if bbox.shape[1] > 5 else np.zeros((len(bbox), 1), np.float32)
    return np.concatenate([bbox[:, 4:5], bbox[:, :4] / scale, difficult], axis=1)


class DetectionSample:
    """Dataset transform: GluonCV's SSD train or validation preset at ``size`` x ``size`` with the tools'
    pixel normalization, labels converted by :func:`to_normalized_labels`.

    Examples
    --------
    >>> x, y = DetectionSample(8, train=False)(np.zeros((16, 16, 3), np.uint8), np.array([[0, 0, 8, 8, 1]]))
    >>> x.shape, y.tolist()
    ((3, 8, 8), [[1.0, 0.0, 0.0, 0.5, 0.5, 0.0]])
    """

    def __init__(self, size, train):
        from ..detection.data.transforms.ssd import SSDDefaultTrainTransform, SSDDefaultValTransform
        mean01 = tuple(m / 255.0 for m in PIXEL_MEAN)
        std01 = tuple(s / 255.0 for s in PIXEL_STD)
        preset = SSDDefaultTrainTransform if train else SSDDefaultValTransform
        self._transform = preset(size, size, mean=mean01, std=std01)
        self._size = size

    def __call__(self, img, label):
        x, bbox = self._transform(img, label)
        return x, to_normalized_labels(bbox, self._size, self._size)


class _EpochBatchSampler(Sampler):
    """Index batches of one epoch: a permutation seeded by ``(seed, epoch)`` (or the natural order)."""

    def __init__(self, length, batch_size, shuffle, seed):
        self._length, self._batch_size, self._shuffle, self._seed = length, batch_size, shuffle, seed
        self.epoch = 0

    def __iter__(self):
        order = (np.random.default_rng([self._seed, self.epoch]).permutation(self._length) if self._shuffle
                 else np.arange(self._length))
        stop = (self._length // self._batch_size) * self._batch_size if self._shuffle else self._length
        for start in range(0, stop, self._batch_size):
            yield order[start:start + self._batch_size].tolist()

    def __len__(self):
        full, rest = divmod(self._length, self._batch_size)
        return full + (0 if self._shuffle or rest == 0 else 1)


class DatasetBatches:
    """Batches of a ``(image, label)`` dataset (VOC, COCO, RecordFileDetection) through a DataLoader.

    Parameters
    ----------
    dataset : Dataset
        Samples ``(image (H, W, 3) uint8, label (K, 5+) pixel rows)``.
    batch_size, data_shape, train, num_workers
        As :class:`RecordBatches`.

    Examples
    --------
    >>> from ssdkit.gluon.data import SimpleDataset
    >>> ds = SimpleDataset([(np.zeros((8, 8, 3), np.uint8), np.array([[0, 0, 4, 4, 0]], np.float32))] * 3)
    >>> [(i, d.shape, l.shape, pad) for i, d, l, pad in DatasetBatches(ds, 2, 8).epoch(0)]
    [(0, (2, 3, 8, 8), (2, 1, 6), 0), (1, (1, 3, 8, 8), (1, 1, 6), 0)]
    """

    def __init__(self, dataset, batch_size, data_shape, train=False, num_workers=0):
        self._sampler = _EpochBatchSampler(len(dataset), batch_size, train, int(get_rng().integers(_SEED_RANGE)))
        self._loader = DataLoader(dataset.transform(DetectionSample(data_shape, train)),
                                  batch_sampler=self._sampler, batchify_fn=Tuple(Stack(), Pad(pad_val=-1)),
                                  num_workers=num_workers)
        self._train = train
        self._next_epoch = 0
        self.batch_size = batch_size
        self.num_images = len(dataset)
        self.skipped = {}   # (as RecordBatches; every image of a dataset is kept)

    def __len__(self):
        return len(self._sampler)

    def epoch(self, epoch, skip=0):
        """Yield ``(index, data, label, 0)`` for the batches of ``epoch`` from batch ``skip``.

        Examples
        --------
        >>> from ssdkit.gluon.data import SimpleDataset
        >>> ds = SimpleDataset([(np.zeros((8, 8, 3), np.uint8), np.array([[0, 0, 4, 4, 0]], np.float32))] * 4)
        >>> [i for i, *_ in DatasetBatches(ds, 2, 8, train=True).epoch(3, skip=1)]
        [1]
        """
        if self._train and epoch < self._next_epoch:
            raise MXNetError(f"DatasetBatches: epoch {epoch} was already read (next is {self._next_epoch})")
        # the loader seeds batch k of its n-th pass with (seed, n, k): open (unstarted) passes to catch up
        while self._train and self._next_epoch < epoch:
            iter(self._loader)
            self._next_epoch += 1
        self._next_epoch += 1
        self._sampler.epoch = epoch
        for index, (data, label) in enumerate(self._loader):
            if index >= skip:
                yield index, data, label, 0

    def close(self):
        """Stop the loader's worker processes.

        Examples
        --------
        >>> from ssdkit.gluon.data import SimpleDataset
        >>> DatasetBatches(SimpleDataset([]), 1, 8).close()
        """
        self._loader.close()
