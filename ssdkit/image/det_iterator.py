"""``mx.image.ImageDetIter``: batches of augmented images with padded box labels, MXNet's detection iterator.

Labels come from the record headers in MXNet's layout ``[A, B, header extras (A - 2), objects (K x B)]``
with A and B read from the data; objects whose box has ``xmax <= xmin`` or ``ymax <= ymin`` are dropped
(as MXNet), and a sample left without objects is skipped. Batches are ``data (B, 3, H, W)`` float32 and
``label (B, max_objects, B)`` padded with ``-1`` rows.

Examples
--------
>>> import os, tempfile
>>> import numpy as np
>>> from ssdkit.recordio import IRHeader, MXIndexedRecordIO, make_det_label, pack_img
>>> d = tempfile.mkdtemp()
>>> with MXIndexedRecordIO(os.path.join(d, "t.idx"), os.path.join(d, "t.rec"), "w") as w:
...     for i in range(3):
...         objs = [[0, .1, .1, .5, .5]] * (i + 1)
...         w.write_idx(i, pack_img(IRHeader(0, make_det_label(objs), i, 0), np.zeros((8, 8, 3), np.uint8)))
>>> it = ImageDetIter(2, (3, 4, 4), path_imgrec=os.path.join(d, "t.rec"), path_imgidx=os.path.join(d, "t.idx"))
>>> batch = it.next()
>>> batch.data[0].shape, batch.label[0].shape, batch.label[0].asnumpy()[0, 1].tolist()
((2, 3, 4, 4), (2, 3, 5), [-1.0, -1.0, -1.0, -1.0, -1.0])
"""
import numpy as np

from ..base import DTYPE, MXNetError, get_rng
from ..io import DataDesc
from ..recordio import RecordIOError, parse_det_label
from .color import IMAGENET_MEAN, IMAGENET_STD
from .factories import CreateDetAugmenter
from .iterator import ImageIter, LabelError, SampleSkipped

__all__ = ["ImageDetIter"]

PAD_LABEL = -1.0
MIN_OBJECT_WIDTH = 5
#: Normalized corners may stray this far outside [0, 1] (rounding); beyond, the label is refused.
BOX_RANGE_TOLERANCE = 0.05


class ImageDetIter(ImageIter):
    """Detection iterator with MXNet's arguments; ``kwargs`` go to :func:`CreateDetAugmenter`.

    Parameters
    ----------
    batch_size : int
    data_shape : (3, H, W)
    path_imgrec, path_imglist, path_root, path_imgidx, shuffle, part_index, num_parts, imglist
        As :class:`ImageIter`.
    aug_list : list of DetAugmenter, optional
    data_name, label_name : str
    last_batch_handle : {'pad', 'discard', 'roll_over'}
    num_workers : int, default 0
        Worker processes for decoding and augmentation (ssdkit extension; batches are identical).
    on_error : {'raise', 'skip'}
        Undecodable images and malformed labels raise naming the record, or are skipped and counted.
    label_pad_width : int, optional
        Pad labels to this many object rows (ssdkit extension, e.g. to give train and validation
        iterators one label shape); must be at least the largest object count in the data. MXNet's C++
        ``ImageDetRecordIter`` has an option of this name that counts flat label values instead.
    **kwargs
        ``rand_crop, rand_pad, rand_mirror, min_object_covered, aspect_ratio_range, area_range,
        max_attempts, pad_val, mean, std, brightness, contrast, saturation, hue, pca_noise, ...``

    Attributes
    ----------
    label_shape : (int, int)
        ``(max objects per image, object width)`` found in the data.

    Examples
    --------
    >>> ImageDetIter(1, (3, 8, 8), imglist=[[[2, 5, 0, .1, .1, .9, .9], "missing.jpg"]]).label_shape
    (1, 5)
    """

    def __init__(self, batch_size, data_shape, path_imgrec=None, path_imglist=None, path_root=None,
                 path_imgidx=None, shuffle=False, part_index=0, num_parts=1, aug_list=None, imglist=None,
                 data_name="data", label_name="label", last_batch_handle="pad", num_workers=0, on_error="raise",
                 label_pad_width=None, **kwargs):
        super().__init__(batch_size=batch_size, data_shape=data_shape, path_imgrec=path_imgrec,
                         path_imglist=path_imglist, path_root=path_root, path_imgidx=path_imgidx, shuffle=shuffle,
                         part_index=part_index, num_parts=num_parts, aug_list=[], imglist=imglist,
                         data_name=data_name, label_name=label_name, last_batch_handle=last_batch_handle,
                         num_workers=num_workers, on_error=on_error)
        self.auglist = CreateDetAugmenter(data_shape, **kwargs) if aug_list is None else aug_list
        self.label_shape = self._estimate_label_shape()
        if label_pad_width is not None:
            if label_pad_width < self.label_shape[0]:
                raise MXNetError(f"{type(self).__name__}: label_pad_width={label_pad_width} is smaller than the "
                                 f"{self.label_shape[0]} objects of the fullest image")
            self.label_shape = (int(label_pad_width), self.label_shape[1])
        self.provide_label = [DataDesc(label_name, (self.batch_size,) + self.label_shape)]

    # -- labels ------------------------------------------------------------------------------------
    def _parse_label(self, label, where="label"):
        """``(K, B)`` float32 objects with a positive-area box; SampleSkipped when none is left."""
        _, objects = parse_det_label(label, where)
        valid = (objects[:, 3] > objects[:, 1]) & (objects[:, 4] > objects[:, 2])
        if not valid.any():
            raise SampleSkipped(f"{where}: no object with xmax > xmin and ymax > ymin among {len(objects)}")
        objects = objects[valid]
        corners = objects[:, 1:5]
        outside = ~np.isfinite(corners).all(axis=1) | (corners < -BOX_RANGE_TOLERANCE).any(axis=1) \
            | (corners > 1 + BOX_RANGE_TOLERANCE).any(axis=1)
        if outside.any():
            first = int(np.flatnonzero(outside)[0])
            raise LabelError(f"{where}: object box {corners[first].tolist()} lies outside the unit square "
                             f"(corners must be normalized to [0, 1])")
        return objects

    def _estimate_label_shape(self):
        """Read every label once: the most objects in one image, and the (common) object width."""
        max_count, widths = 0, {}
        self._start_epoch()
        while True:
            try:
                label, _, where = self._read_raw(with_image=False, quiet=True)
            except StopIteration:
                break
            try:
                objects = self._parse_label(label, where)
            except SampleSkipped:
                continue
            except (RecordIOError, LabelError):
                if self.on_error == "skip":
                    continue
                raise
            max_count = max(max_count, len(objects))
            widths.setdefault(objects.shape[1], where)
        self._start_epoch()
        if not widths:
            raise MXNetError(f"{type(self).__name__}: no sample with a valid object in "
                             f"{self.path_imgrec or 'the image list'}")
        if len(widths) > 1:
            raise MXNetError(f"{type(self).__name__}: object widths differ between samples: "
                             + ", ".join(f"{w} at {where}" for w, where in widths.items()))
        return (max_count, next(iter(widths)))

    def _check_valid_label(self, label):
        """At least one object with a class >= 0 and a positive-area box must remain."""
        if label.ndim != 2 or label.shape[1] < MIN_OBJECT_WIDTH:
            raise MXNetError(f"{type(self).__name__}: labels must be (K, 5+) after augmentation, got {label.shape}")
        valid = (label[:, 0] >= 0) & (label[:, 3] > label[:, 1]) & (label[:, 4] > label[:, 2])
        if not valid.any():
            raise SampleSkipped("no valid object left after augmentation")

    def _transform_sample(self, label, raw, where):
        data = self.imdecode(raw, where)
        self.check_valid_image([data])
        data, label = self.augmentation_transform(data, self._parse_label(label, where))
        label = np.asarray(label, DTYPE)   # user augmenters may hand back lists or NDArrays
        self._check_valid_label(label)
        return data, label

    def augmentation_transform(self, data, label):  # pylint: disable=arguments-differ
        """Apply every detection augmenter of ``auglist`` to image and label.

        Examples
        --------
        >>> import ssdkit as mx
        >>> it = ImageDetIter(1, (3, 8, 8), imglist=[[[2, 5, 0, .1, .1, .9, .9], "x.jpg"]])
        >>> img, label = it.augmentation_transform(mx.nd.zeros((4, 4, 3), dtype="uint8"), np.array([[0, .1, .1, .5, .5]]))
        >>> img.shape, label.shape
        ((8, 8, 3), (1, 5))
        """
        for aug in self.auglist:
            data, label = aug(data, label)
        return data, label

    def _new_label(self):
        return np.full(self.provide_label[0].shape, PAD_LABEL, DTYPE)

    def _store_label(self, batch_label, i, label):
        count, width = batch_label.shape[1:]
        if label.shape[0] > count or label.shape[1] != width:
            raise MXNetError(f"{type(self).__name__}: a sample has {label.shape[0]} objects of width "
                             f"{label.shape[1]}, the label shape is {(count, width)} (reshape the labels)")
        batch_label[i, :label.shape[0]] = label

    # -- shapes ------------------------------------------------------------------------------------
    def reshape(self, data_shape=None, label_shape=None):
        """Change the data shape and/or the padded label shape ``(max objects, width)``.

        Examples
        --------
        >>> it = ImageDetIter(1, (3, 8, 8), imglist=[[[2, 5, 0, .1, .1, .9, .9], "x.jpg"]])
        >>> it.reshape(label_shape=(4, 5)); it.provide_label[0].shape
        (1, 4, 5)
        """
        if data_shape is not None:
            self.check_data_shape(data_shape)
            self.provide_data = [DataDesc(self.provide_data[0].name, (self.batch_size,) + tuple(data_shape))]
            self.data_shape = tuple(data_shape)
        if label_shape is not None:
            self.check_label_shape(label_shape)
            self.provide_label = [DataDesc(self.provide_label[0].name, (self.batch_size,) + tuple(label_shape))]
            self.label_shape = tuple(label_shape)

    def check_label_shape(self, label_shape):
        """A new label shape may add rows but must keep the object width.

        Examples
        --------
        >>> it = ImageDetIter(1, (3, 8, 8), imglist=[[[2, 5, 0, .1, .1, .9, .9], "x.jpg"]])
        >>> it.check_label_shape((1, 6))
        Traceback (most recent call last):
        ...
        ssdkit.base.MXNetError: ImageDetIter: object width must stay 5, got 6
        """
        if len(label_shape) != 2:
            raise MXNetError(f"{type(self).__name__}: label_shape must be (max objects, width), got {label_shape}")
        if label_shape[0] < self.label_shape[0]:
            raise MXNetError(f"{type(self).__name__}: cannot reduce the label count from {self.label_shape[0]} "
                             f"to {label_shape[0]}")
        if label_shape[1] != self.provide_label[0].shape[2]:
            raise MXNetError(f"{type(self).__name__}: object width must stay {self.provide_label[0].shape[2]}, "
                             f"got {label_shape[1]}")

    def sync_label_shape(self, it, verbose=False):
        """Pad both iterators' labels to the larger object count (e.g. train and validation); returns ``it``.

        Examples
        --------
        >>> a = ImageDetIter(1, (3, 8, 8), imglist=[[[2, 5, 0, .1, .1, .9, .9] * 1, "a.jpg"]])
        >>> b = ImageDetIter(1, (3, 8, 8), imglist=[[[2, 5] + [0, .1, .1, .9, .9] * 3, "b.jpg"]])
        >>> a.sync_label_shape(b).label_shape, a.label_shape
        ((3, 5), (3, 5))
        """
        if not isinstance(it, ImageDetIter):
            raise MXNetError(f"sync_label_shape: expects an ImageDetIter, got {type(it).__name__}")
        if self.label_shape[1] != it.label_shape[1]:
            raise MXNetError(f"sync_label_shape: object widths differ: {self.label_shape[1]} vs {it.label_shape[1]}")
        count = max(self.label_shape[0], it.label_shape[0])
        for target in (self, it):
            if target.label_shape[0] < count:
                target.reshape(None, (count, target.label_shape[1]))
        if verbose:
            print(f"sync_label_shape: label shape is now ({count}, {self.label_shape[1]})")
        return it

    def draw_next(self, color=None, thickness=2, mean=None, std=None, clip=True, waitKey=None,  # noqa: N803
                  window_name="draw_next", id2labels=None):
        """Yield the next augmented images (RGB uint8 ``(H, W, 3)``) with their boxes drawn.

        ``mean``/``std`` (True or arrays) undo a normalization for display; ``waitKey`` and ``window_name``
        are accepted for compatibility (ssdkit does not open windows).

        Examples
        --------
        >>> import os, tempfile
        >>> from PIL import Image
        >>> root = tempfile.mkdtemp(); Image.new("RGB", (8, 8)).save(os.path.join(root, "x.png"))
        >>> it = ImageDetIter(1, (3, 8, 8), imglist=[[[2, 5, 0, .25, .25, .75, .75], "x.png"]], path_root=root)
        >>> image = next(it.draw_next(color=(255, 0, 0)))
        >>> image.shape, image[2, 2].tolist(), image[0, 0].tolist()
        ((8, 8, 3), [255, 0, 0], [0, 0, 0])
        """
        from PIL import Image, ImageDraw

        mean = np.asarray(IMAGENET_MEAN if mean is True else (0.0 if mean is None else mean), DTYPE)
        std = np.asarray(IMAGENET_STD if std is True else (1.0 if std is None else std), DTYPE)
        while True:
            try:
                label, raw, where = self._read_raw()
            except StopIteration:
                return
            try:
                data, objects = self._transform_sample(label, raw, where)
            except SampleSkipped:
                continue
            image = np.asarray(data, DTYPE) * std + mean
            image = (np.clip(image, 0, 255) if clip else image).astype(np.uint8)
            canvas = Image.fromarray(image)
            pen = ImageDraw.Draw(canvas)
            height, width = image.shape[:2]
            for obj in objects:
                if obj[0] < 0:
                    continue
                box = [obj[1] * width, obj[2] * height, obj[3] * width, obj[4] * height]
                outline = tuple(color) if color else tuple(int(c) for c in get_rng().integers(0, 256, 3))
                pen.rectangle(box, outline=outline, width=thickness)
                if id2labels is not None and int(obj[0]) in id2labels:
                    pen.text((box[0] + 5, box[1] + 5), str(id2labels[int(obj[0])]), fill=(255, 255, 255))
            yield np.asarray(canvas)
