"""``mx.image.ImageIter``: batches of augmented images from a RecordIO file or an image list.

Each sample is read here (cheap), then decoded and augmented under its own seed ``(base seed, epoch,
position)`` either inline or in ``num_workers`` worker processes (an ssdkit extension); batches are
identical either way, and ``mx.random.seed`` before construction makes a run repeat exactly.

Bad input: an undecodable image or a malformed label raises :class:`~ssdkit.base.MXNetError` naming the
file and record, unless ``on_error='skip'``: then the sample is skipped with a warning and counted in
``it.skipped`` / ``it.skip_reasons`` (summarized when the epoch is reset).

Examples
--------
>>> import os, tempfile
>>> import numpy as np
>>> from ssdkit.recordio import IRHeader, MXIndexedRecordIO, pack_img
>>> d = tempfile.mkdtemp()
>>> with MXIndexedRecordIO(os.path.join(d, "c.idx"), os.path.join(d, "c.rec"), "w") as w:
...     for i in range(3):
...         w.write_idx(i, pack_img(IRHeader(0, float(i), i, 0), np.full((6, 6, 3), i, np.uint8), img_fmt=".png"))
>>> it = ImageIter(2, (3, 4, 4), path_imgrec=os.path.join(d, "c.rec"), path_imgidx=os.path.join(d, "c.idx"))
>>> [(b.data[0].shape, b.label[0].asnumpy().tolist(), b.pad) for b in it]
[((2, 3, 4, 4), [0.0, 1.0], 0), ((2, 3, 4, 4), [2.0, 0.0], 1)]
"""
import logging
import os
import warnings
from collections import Counter

import numpy as np

from ..base import DTYPE, MXNetError, get_rng
from ..gluon.data.vision.imageio import ImageDecodeError, decode_image
from ..io import LAST_BATCH_HANDLES, DataBatch, DataDesc, DataIter
from ..ndarray import NDArray
from ..recordio import MXIndexedRecordIO, MXRecordIO, RecordIOError, unpack
from ._stream import SampleStream
from .factories import CreateAugmenter
from .imagelist import read_image_list

__all__ = ["ImageIter", "SampleSkipped", "LabelError", "ON_ERROR"]

ON_ERROR = ("raise", "skip")
LABEL_DTYPES = ("int32", "float32", "int64", "float64")
_SEED_RANGE = 2 ** 62
_SHUFFLE_STREAM = 0xD1CE   # keeps the shuffle stream apart from the per-sample streams


class LabelError(MXNetError):
    """A label that is readable but cannot be right (e.g. detection boxes far outside the unit square).

    Examples
    --------
    >>> issubclass(LabelError, MXNetError)
    True
    """


class SampleSkipped(MXNetError):
    """Raised by sample processing for a sample that is dropped (MXNet skips these silently).

    Examples
    --------
    >>> issubclass(SampleSkipped, MXNetError)
    True
    """


def _process_one(it, item):
    """Decode, augment and lay out one raw sample; returns an outcome tuple (runs in workers too)."""
    label, raw, where = item
    try:
        data, label = it._transform_sample(label, raw, where)
    except SampleSkipped as err:
        return ("skip", "no valid object", str(err))
    except (ImageDecodeError, RecordIOError, LabelError) as err:
        if it.on_error == "skip":
            return ("skip", "undecodable image" if isinstance(err, ImageDecodeError) else "bad label", str(err))
        return ("error", str(err))
    chw = np.asarray(it.postprocess_data(data))
    if chw.shape != tuple(it.data_shape):
        return ("error", f"{type(it).__name__}: {where}: augmented sample has shape {chw.shape}, expected "
                         f"data_shape {tuple(it.data_shape)} (end the augmenters with a ForceResizeAug)")
    return ("ok", chw.astype(DTYPE, copy=False), label)


class ImageIter(DataIter):
    """Image classification iterator with MXNet's arguments (see :func:`CreateAugmenter` for ``kwargs``).

    Parameters
    ----------
    batch_size : int
    data_shape : (3, H, W)
    label_width : int, default 1
    path_imgrec : str, optional
        ``.rec`` file of packed images.
    path_imglist : str, optional
        ``.lst`` file: ``index<TAB>label(s)<TAB>relative path`` per line.
    path_root : str, optional
        Folder of the images named in the list.
    path_imgidx : str, optional
        ``.idx`` of the ``.rec`` (needed for shuffle and partitions).
    shuffle : bool
    part_index, num_parts : int
        Read part ``part_index`` of ``num_parts`` equal parts.
    aug_list : list of Augmenter, optional
    imglist : list, optional
        ``[label(s)..., path]`` entries instead of ``path_imglist``.
    data_name, label_name : str
    dtype : {'float32', 'int32', 'int64', 'float64'}
        Label dtype.
    last_batch_handle : {'pad', 'discard', 'roll_over'}
    num_workers : int, default 0
        Worker processes for decoding and augmentation (ssdkit extension).
    on_error : {'raise', 'skip'}, default 'raise'
        What to do with an undecodable image or malformed label (ssdkit extension).

    Attributes
    ----------
    skipped : int
        Samples skipped since the last reset.
    skip_reasons : collections.Counter
        Reason -> count since the last reset.

    Examples
    --------
    >>> it = ImageIter(2, (3, 8, 8), imglist=[[0.0, "a.jpg"], [1.0, "b.jpg"]], rand_mirror=True)
    >>> it.provide_data[0].shape, it.provide_label[0].shape, [type(a).__name__ for a in it.auglist]
    ((2, 3, 8, 8), (2,), ['CenterCropAug', 'HorizontalFlipAug', 'CastAug'])
    """

    def __init__(self, batch_size, data_shape, label_width=1, path_imgrec=None, path_imglist=None, path_root=None,
                 path_imgidx=None, shuffle=False, part_index=0, num_parts=1, aug_list=None, imglist=None,
                 data_name="data", label_name="softmax_label", dtype="float32", last_batch_handle="pad",
                 num_workers=0, on_error="raise", **kwargs):
        super().__init__(batch_size)
        if not (path_imgrec or path_imglist or isinstance(imglist, list)):
            raise MXNetError(f"{type(self).__name__}: give path_imgrec, path_imglist or imglist")
        if dtype not in LABEL_DTYPES:
            raise MXNetError(f"{type(self).__name__}: label dtype must be one of {LABEL_DTYPES}, got {dtype!r}")
        if last_batch_handle not in LAST_BATCH_HANDLES:
            raise MXNetError(f"{type(self).__name__}: last_batch_handle must be one of {LAST_BATCH_HANDLES}, "
                             f"got {last_batch_handle!r}")
        if on_error not in ON_ERROR:
            raise MXNetError(f"{type(self).__name__}: on_error must be one of {ON_ERROR}, got {on_error!r}")
        self.on_error, self.dtype, self.path_root = on_error, dtype, path_root
        self.path_imgrec = os.fspath(path_imgrec) if path_imgrec else None
        self._open_record(path_imgidx)
        self._load_list(path_imglist, imglist)
        self.check_data_shape(data_shape)
        self.provide_data = [DataDesc(data_name, (batch_size,) + tuple(data_shape))]
        self.provide_label = [DataDesc(label_name, (batch_size, label_width) if label_width > 1 else (batch_size,))]
        self.data_shape, self.label_width, self.shuffle = tuple(data_shape), label_width, shuffle
        self._keys = self._sequence(shuffle, part_index, num_parts, path_imgidx)
        self.seq = None if self._keys is None else list(self._keys)
        self.num_image = None if self._keys is None else len(self._keys)
        self.auglist = CreateAugmenter(data_shape, **kwargs) if aug_list is None else aug_list
        self.last_batch_handle = last_batch_handle
        self._base_seed = int(get_rng().integers(_SEED_RANGE))
        self._stream = SampleStream(_process_one, self, num_workers, self._base_seed, window=2 * batch_size,
                                    chunk=max(1, batch_size // (2 * max(1, num_workers))), name=type(self).__name__)
        self._epoch, self._cache = 0, None
        self.skipped, self.skip_reasons = 0, Counter()
        self._start_epoch()

    # -- sources -----------------------------------------------------------------------------------
    def _open_record(self, path_imgidx):
        self.imgrec, self.imgidx = None, None
        if not self.path_imgrec:
            return
        logging.info("%s: loading recordio %s", type(self).__name__, self.path_imgrec)
        if path_imgidx:
            self.imgrec = MXIndexedRecordIO(path_imgidx, self.path_imgrec, "r")
            self.imgidx = list(self.imgrec.keys)
        else:
            self.imgrec = MXRecordIO(self.path_imgrec, "r")

    def _load_list(self, path_imglist, imglist):
        self.imglist, self._list_keys = None, None
        if path_imglist:
            self.imglist, self._list_keys = read_image_list(path_imglist, self.dtype)
            return
        if isinstance(imglist, list):
            entries = {}
            for index, item in enumerate(imglist, 1):
                label = item[:-1] if len(item) > 2 else item[0]
                entries[str(index)] = (np.array(label, dtype=self.dtype).reshape(-1), item[-1])
        else:
            return
        self.imglist, self._list_keys = entries, list(entries)

    def _sequence(self, shuffle, part_index, num_parts, path_imgidx):
        if self.imgrec is None:
            keys = self._list_keys
        elif shuffle or num_parts > 1 or path_imgidx:
            if self.imgidx is None:
                raise MXNetError(f"{type(self).__name__}: shuffle and num_parts > 1 need path_imgidx "
                                 f"(the .idx of {self.path_imgrec})")
            keys = self.imgidx
        else:
            return None
        if num_parts > 1:
            if not 0 <= part_index < num_parts:
                raise MXNetError(f"{type(self).__name__}: part_index must be in [0, {num_parts}), got {part_index}")
            size = len(keys) // num_parts
            keys = keys[part_index * size:(part_index + 1) * size]
        return list(keys)

    def _read_raw(self, with_image=True, quiet=False):
        """Next ``(label, encoded bytes, where)``; StopIteration at the end (reading then starts over).

        ``with_image=False`` skips reading image files of a list (bytes are then None). With an index (or a
        list) a damaged record or unreadable file is skipped under ``on_error='skip'`` (counted unless
        ``quiet``); a sequential reader cannot find the next record and always raises.
        """
        if not self._allow_read:
            raise StopIteration
        while self.seq is not None:
            if self.cur >= self.num_image:
                if self.last_batch_handle != "discard":
                    self.cur = 0
                raise StopIteration
            key = self.seq[self.cur]
            self.cur += 1
            try:
                if self.imgrec is None:
                    label, fname = self.imglist[key]
                    raw = self.read_image(fname) if with_image else None
                    return label, raw, os.path.join(self.path_root or "", fname)
                header, raw = unpack(self.imgrec.read_idx(key))
            except MXNetError as err:   # RecordIOError and unreadable files
                if self.on_error != "skip":
                    raise
                if not quiet:
                    self._note_skip("damaged record", str(err))
                continue
            label = header.label if self.imglist is None else self.imglist[key][0]
            return label, raw, f"{self.path_imgrec} key {key}"
        record = self.imgrec.read()
        if record is None:
            if self.last_batch_handle != "discard":
                self.imgrec.reset()
                self.cur = 0
            raise StopIteration
        self.cur += 1
        header, raw = unpack(record)
        return header.label, raw, f"{self.path_imgrec} record #{self.cur - 1} (id {header.id})"

    def next_sample(self):
        """The next raw sample ``(label, encoded image bytes)``; StopIteration at the end.

        Examples
        --------
        >>> import os, tempfile
        >>> from PIL import Image
        >>> root = tempfile.mkdtemp(); Image.new("RGB", (2, 2), (5, 6, 7)).save(os.path.join(root, "a.png"))
        >>> it = ImageIter(1, (3, 2, 2), imglist=[[3.0, "a.png"]], path_root=root)
        >>> label, raw = it.next_sample(); label.tolist(), raw[:4]
        ([3.0], b'\\x89PNG')
        """
        label, raw, _ = self._read_raw()
        return label, raw

    # -- epochs ------------------------------------------------------------------------------------
    def _start_epoch(self):
        if self._keys is not None and self.shuffle:
            order = np.random.default_rng([self._base_seed, self._epoch, _SHUFFLE_STREAM]).permutation(len(self._keys))
            self.seq = [self._keys[i] for i in order]
        if self.imgrec is not None:
            self.imgrec.reset()
        self.cur, self._allow_read = 0, True
        self._stream.restart(self._epoch, self._read_raw)

    def _report_skips(self):
        if self.skipped:
            details = ", ".join(f"{n} {reason}" for reason, n in sorted(self.skip_reasons.items()))
            warnings.warn(f"{type(self).__name__}: skipped {self.skipped} sample(s) in epoch {self._epoch} "
                          f"({details})", stacklevel=3)
        self.skipped, self.skip_reasons = 0, Counter()

    def reset(self):
        """Start the next epoch (reshuffled when ``shuffle``); reports the samples skipped in this one.

        Examples
        --------
        >>> it = ImageIter(1, (3, 2, 2), imglist=[[3.0, "a.png"]], shuffle=True)
        >>> it.reset(); it.cur, it.seq
        (0, ['1'])
        """
        self._report_skips()
        self._epoch += 1
        self._start_epoch()

    def hard_reset(self):
        """Like :meth:`reset`, also forgetting examples kept for ``roll_over``.

        Examples
        --------
        >>> ImageIter(1, (3, 2, 2), imglist=[[0.0, "a.png"]]).hard_reset()
        """
        self._cache = None
        self.reset()

    def close(self):
        """Stop worker processes, if any (they restart on demand).

        Examples
        --------
        >>> ImageIter(1, (3, 2, 2), imglist=[[0.0, "a.png"]], num_workers=1).close()
        """
        self._stream.close()

    # -- samples -----------------------------------------------------------------------------------
    def check_data_shape(self, data_shape):
        """``data_shape`` must be ``(3, H, W)``.

        Examples
        --------
        >>> ImageIter(1, (3, 2, 2), imglist=[[0.0, "a.png"]]).check_data_shape((3, 4))
        Traceback (most recent call last):
        ...
        ssdkit.base.MXNetError: ImageIter: data_shape must be (C, H, W), got (3, 4)
        """
        if len(data_shape) != 3:
            raise MXNetError(f"{type(self).__name__}: data_shape must be (C, H, W), got {data_shape}")
        if data_shape[0] != 3:
            raise MXNetError(f"{type(self).__name__}: only 3-channel data is supported, got data_shape {data_shape}")

    def check_valid_image(self, data):
        """A decoded image must have dimensions.

        Examples
        --------
        >>> import ssdkit as mx
        >>> ImageIter(1, (3, 2, 2), imglist=[[0.0, "a.png"]]).check_valid_image([mx.nd.zeros((2, 2, 3))])
        """
        if len(data[0].shape) == 0:
            raise SampleSkipped("image has no dimensions")

    def imdecode(self, s, where="image"):
        """Decode encoded image bytes to an RGB ``(H, W, 3)`` uint8 NDArray (grey/RGBA converted).

        Examples
        --------
        >>> import io
        >>> from PIL import Image
        >>> png = io.BytesIO(); Image.new("LA", (2, 2), (9, 255)).save(png, "PNG")
        >>> ImageIter(1, (3, 2, 2), imglist=[[0.0, "a.png"]]).imdecode(png.getvalue()).asnumpy()[0, 0].tolist()
        [9, 9, 9]
        """
        return NDArray(decode_image(s, 1, where=where))

    def read_image(self, fname):
        """The raw bytes of ``path_root/fname``.

        Examples
        --------
        >>> import os, tempfile
        >>> from PIL import Image
        >>> root = tempfile.mkdtemp(); Image.new("RGB", (2, 2), (5, 6, 7)).save(os.path.join(root, "a.png"))
        >>> it = ImageIter(1, (3, 2, 2), imglist=[[3.0, "a.png"]], path_root=root)
        >>> it.read_image("a.png")[:4]
        b'\\x89PNG'
        """
        path = os.path.join(self.path_root or "", fname)
        try:
            with open(path, "rb") as handle:
                return handle.read()
        except OSError as err:
            raise MXNetError(f"{type(self).__name__}: cannot read image {path!r}: {err}") from None

    def augmentation_transform(self, data):
        """Apply every augmenter of ``auglist`` in order.

        Examples
        --------
        >>> import ssdkit as mx
        >>> it = ImageIter(1, (3, 2, 2), imglist=[[0.0, "a.png"]])
        >>> it.augmentation_transform(mx.nd.zeros((4, 4, 3), dtype="uint8")).shape
        (2, 2, 3)
        """
        for aug in self.auglist:
            data = aug(data)
        return data

    def postprocess_data(self, datum):
        """``(H, W, C)`` -> ``(C, H, W)``.

        Examples
        --------
        >>> import ssdkit as mx
        >>> ImageIter(1, (3, 2, 2), imglist=[[0.0, "a.png"]]).postprocess_data(mx.nd.zeros((2, 5, 3))).shape
        (3, 2, 5)
        """
        return NDArray(np.asarray(datum).transpose(2, 0, 1))

    def _transform_sample(self, label, raw, where):
        data = self.imdecode(raw, where)
        self.check_valid_image([data])
        return self.augmentation_transform(data), label

    # -- batches -----------------------------------------------------------------------------------
    def _new_label(self):
        return np.zeros(self.provide_label[0].shape, self.dtype)

    def _store_label(self, batch_label, i, label):
        label = np.asarray(label, batch_label.dtype)
        if label.size != batch_label[i].size:
            raise MXNetError(f"{type(self).__name__}: a sample has {label.size} label values, label_width is "
                             f"{batch_label[i].size}")
        batch_label[i] = label.reshape(batch_label[i].shape)

    def _note_skip(self, reason, message):
        self.skipped += 1
        self.skip_reasons[reason] += 1
        if reason != "no valid object":   # MXNet drops those silently
            warnings.warn(f"{type(self).__name__}: skipping sample: {message}", stacklevel=4)

    def _fill(self, data, label, start):
        i = start
        try:
            while i < self.batch_size:
                outcome = self._stream.next()
                if outcome[0] == "error":
                    raise MXNetError(outcome[1])
                if outcome[0] == "skip":
                    self._note_skip(outcome[1], outcome[2])
                    continue
                data[i] = outcome[1]
                self._store_label(label, i, outcome[2])
                i += 1
        except StopIteration:
            if not i:
                raise
        return i

    def next(self):
        """The next :class:`~ssdkit.io.DataBatch` ``([data (B, 3, H, W)], [label])``.

        Examples
        --------
        >>> import os, tempfile
        >>> from PIL import Image
        >>> root = tempfile.mkdtemp(); Image.new("RGB", (2, 2), (5, 6, 7)).save(os.path.join(root, "a.png"))
        >>> it = ImageIter(1, (3, 2, 2), imglist=[[3.0, "a.png"]], path_root=root)
        >>> batch = it.next(); batch.data[0].asnumpy()[0, :, 0, 0].tolist(), batch.label[0].asnumpy().tolist()
        ([5.0, 6.0, 7.0], [3.0])
        """
        if not self._allow_read:   # the padded last batch was the end of the epoch
            raise StopIteration
        cached, self._cache = self._cache, None
        if cached is not None:
            data, label, i = cached
        else:
            data = np.zeros((self.batch_size,) + self.data_shape, DTYPE)
            label = self._new_label()
            i = self._fill(data, label, 0)
        pad = self.batch_size - i
        if pad:
            if self.last_batch_handle == "discard":
                raise StopIteration
            if self.last_batch_handle == "roll_over" and cached is None:
                self._cache = (data, label, i)
                raise StopIteration
            self._fill(data, label, i)
            if self.last_batch_handle == "pad":
                self._allow_read = False
        return DataBatch([NDArray(data)], [NDArray(label)], pad=pad)
