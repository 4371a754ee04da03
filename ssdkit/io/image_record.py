"""``ImageRecordIter``: image classification batches from a RecordIO file (``im2rec`` / ``pack_img`` output):
decode, optional shorter-edge resize, crop to ``data_shape`` (centre, or random with ``rand_crop``), optional
random mirror, ``(pixel - mean) / std * scale`` per channel, in MXNet's batching (:mod:`.batch_loader`).

Examples
--------
>>> import os, tempfile, numpy as np, ssdkit as mx
>>> d = tempfile.mkdtemp(); rec = os.path.join(d, 'x.rec')
>>> w = mx.recordio.MXRecordIO(rec, 'w')
>>> for i in range(3):
...     w.write(mx.recordio.pack_img(mx.recordio.IRHeader(0, float(i), i, 0), np.full((4, 4, 3), 10 * i, np.uint8),
...                                  img_fmt='.png'))
>>> w.close()
>>> it = ImageRecordIter(path_imgrec=rec, data_shape=(3, 2, 2), batch_size=2)
>>> b = next(it); b.data[0].shape, b.label[0].asnumpy()
((2, 3, 2, 2), array([0., 1.], dtype=float32))
"""
import numpy as np

from ..base import MXNetError
from ..recordio import MXRecordIO, unpack
from .batch_loader import BatchLoaderIter

__all__ = ["ImageRecordIter", "ImageRecordUInt8Iter"]


def _read_records(path, num_parts, part_index):
    reader = MXRecordIO(path, "r")
    records = []
    try:
        while True:
            item = reader.read()
            if item is None:
                break
            records.append(item)
    finally:
        reader.close()
    if not records:
        raise MXNetError(f"ImageRecordIter: {path!r} holds no records")
    lo, hi = len(records) * part_index // num_parts, len(records) * (part_index + 1) // num_parts
    return records[lo:hi]


class ImageRecordIter(BatchLoaderIter):
    """Batches ``(batch, C, H, W)`` float32 images and ``(batch,)`` (or ``(batch, label_width)``) labels.

    Parameters
    ----------
    path_imgrec : str
    data_shape : tuple (C, H, W)
        C is 3 (colour) or 1 (grey).
    batch_size : int
    label_width : int, default 1
        Labels per record; a record with another count is an error, as in MXNet.
    shuffle : bool, default False
        Shuffle the records every epoch (ssdkit's own order, seeded by ``seed``).
    resize : int, default -1
        Resize the shorter edge to this first (bilinear).
    rand_crop, rand_mirror : bool
        Random crop position / horizontal flip with probability 0.5 (seeded by ``seed``).
    mean_r, mean_g, mean_b, std_r, std_g, std_b, scale : float
        ``(pixel - mean) / std * scale`` per channel.
    round_batch : bool, default True
    num_parts, part_index : int
    preprocess_threads, prefetch_buffer, ctx, dtype, verbose and similar tuning options are accepted.
    """

    def __init__(self, path_imgrec, data_shape, batch_size, label_width=1, shuffle=False, seed=0, resize=-1,
                 rand_crop=False, rand_mirror=False, mean_r=0.0, mean_g=0.0, mean_b=0.0, mean_a=0.0, std_r=1.0,
                 std_g=1.0, std_b=1.0, std_a=1.0, scale=1.0, round_batch=True, num_parts=1, part_index=0,
                 mean_img=None, path_imglist=None, data_name="data", label_name="softmax_label", dtype="float32",
                 inter_method=1, **tuning):
        if mean_img:
            raise MXNetError("ImageRecordIter: mean_img (a saved mean image) is not supported by ssdkit; "
                             "give mean_r/mean_g/mean_b")
        if path_imglist:
            raise MXNetError("ImageRecordIter: path_imglist is not supported by ssdkit; the labels must be in "
                             "the .rec headers")
        unknown = set(tuning) - _TUNING
        if unknown:
            raise MXNetError(f"ImageRecordIter: parameter(s) {sorted(unknown)} are not supported by ssdkit "
                             "(supported augmentations: resize, rand_crop, rand_mirror, mean/std/scale)")
        self.data_shape = tuple(int(v) for v in data_shape)
        if len(self.data_shape) != 3 or self.data_shape[0] not in (1, 3):
            raise MXNetError(f"ImageRecordIter: data_shape must be (3, H, W) or (1, H, W), got {data_shape}")
        self._records = _read_records(path_imgrec, num_parts, part_index)
        self._path, self._label_width, self._resize = path_imgrec, int(label_width), int(resize)
        self._rand_crop, self._rand_mirror, self._shuffle = rand_crop, rand_mirror, shuffle
        self._rng = np.random.RandomState(seed)
        channels = self.data_shape[0]
        self._mean = np.array([mean_r, mean_g, mean_b][:channels] if channels == 3 else [mean_r], np.float32)
        self._std = np.array([std_r, std_g, std_b][:channels] if channels == 3 else [std_r], np.float32)
        self._scale, self._interp = float(scale), int(inter_method)
        label_shape = () if self._label_width == 1 else (self._label_width,)
        super().__init__(self._images, self._labels, int(batch_size), round_batch, len(self._records),
                         data_name, label_name, self.data_shape, label_shape)
        if shuffle:
            self.set_order(self._rng.permutation(len(self._records)))

    def reset(self):
        """Next epoch (reshuffled with ``shuffle``)."""
        super().reset()
        if self._shuffle:
            self.set_order(self._rng.permutation(len(self._records)))

    def _labels(self, index):
        out = []
        for i in index:
            header, _ = unpack(self._records[i])
            label = np.atleast_1d(np.asarray(header.label, np.float32))
            if label.size != self._label_width:
                raise MXNetError(f"ImageRecordIter: record {i} of {self._path!r} has {label.size} labels but "
                                 f"label_width is {self._label_width}")
            out.append(label)
        return np.stack(out)

    def _images(self, index):
        return np.stack([self._image(i) for i in index])

    def _image(self, i):
        from .. import image as _image
        _, payload = unpack(self._records[i])
        channels, height, width = self.data_shape
        img = _image.imdecode(payload, flag=1 if channels == 3 else 0)
        if self._resize > 0:
            img = _image.resize_short(img, self._resize, interp=self._interp)
        pixels = img.asnumpy()
        h, w = pixels.shape[:2]
        if h < height or w < width:
            raise MXNetError(f"ImageRecordIter: record {i} of {self._path!r} is {h}x{w} after resize, smaller "
                             f"than data_shape {height}x{width}")
        if self._rand_crop:
            y0, x0 = self._rng.randint(0, h - height + 1), self._rng.randint(0, w - width + 1)
        else:
            y0, x0 = (h - height) // 2, (w - width) // 2
        pixels = pixels[y0:y0 + height, x0:x0 + width].astype(np.float32)
        if self._rand_mirror and self._rng.rand() < 0.5:
            pixels = pixels[:, ::-1]
        pixels = (pixels - self._mean) / self._std * self._scale
        return pixels.transpose(2, 0, 1)


#: Speed and threading options of MXNet's C++ reader that do not change the batches (``seed_aug`` only seeds).
_TUNING = {"preprocess_threads", "prefetch_buffer", "ctx", "verbose", "shuffle_chunk_size", "shuffle_chunk_seed",
           "seed_aug", "num_decode_threads"}


class ImageRecordUInt8Iter(ImageRecordIter):
    """``ImageRecordIter`` yielding uint8 pixels (no mean/std normalization).

    Examples
    --------
    >>> ImageRecordUInt8Iter.__mro__[1].__name__
    'ImageRecordIter'
    """

    def __init__(self, path_imgrec, data_shape, batch_size, **kwargs):
        for key in ("mean_r", "mean_g", "mean_b", "std_r", "std_g", "std_b", "scale"):
            kwargs.pop(key, None)
        super().__init__(path_imgrec, data_shape, batch_size, **kwargs)
        self._data_buf = self._data_buf.astype(np.uint8)
        self.provide_data = [type(self.provide_data[0])(self.provide_data[0].name, self._data_buf.shape, np.uint8)]
