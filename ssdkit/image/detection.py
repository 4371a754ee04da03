"""Detection augmenters of ``mx.image``: ``aug(src, label) -> (src, label)`` keeping boxes with the pixels.

``src`` is an ``(H, W, C)`` NDArray; ``label`` a float32 numpy array ``(K, B)`` of rows
``[cls_id, xmin, ymin, xmax, ymax, extra...]`` with corners normalized to [0, 1] (MXNet's layout).
Acceptance rules (coverage, ejection, area and aspect ranges, attempt counts) are MXNet's; the random
numbers come from ``mx.random``, and crop proposals are drawn for all attempts at once (the first
acceptable one wins, which has the same distribution as MXNet's one-at-a-time loop).

Examples
--------
>>> import numpy as np
>>> import ssdkit as mx
>>> img = mx.nd.zeros((10, 20, 3), dtype="uint8")
>>> label = np.array([[0, 0.1, 0.2, 0.3, 0.4]], np.float32)
>>> _, flipped = DetHorizontalFlipAug(1.0)(img, label)
>>> flipped.round(3).tolist()
[[0.0, 0.7, 0.2, 0.9, 0.4]]
"""
import logging

import numpy as np

from ..base import MXNetError, get_rng, numeric_types
from ..ndarray import NDArray
from .augmenters import Augmenter, Described
from .image import copyMakeBorder

__all__ = ["DetAugmenter", "DetBorrowAug", "DetRandomSelectAug", "DetHorizontalFlipAug", "DetRandomCropAug",
           "DetRandomPadAug"]

#: A crop must span at least this many pixels, and objects count only above this many (MXNet's values).
MIN_CROP_PIXELS = 2
MIN_OBJECT_PIXELS = 2
#: Padding that adds fewer pixels than this per axis is not worth it (MXNet).
MIN_PAD_PIXELS = 2
_COORDS = slice(1, 5)


def _areas(boxes):
    """Areas of ``(K, 4+)`` corner boxes ``xmin, ymin, xmax, ymax`` (negative extents count as 0)."""
    return np.maximum(0, boxes[:, 3] - boxes[:, 1]) * np.maximum(0, boxes[:, 2] - boxes[:, 0])


def _pair(value, name, aug):
    if isinstance(value, (tuple, list)):
        return tuple(value)
    if not isinstance(value, numeric_types):
        raise MXNetError(f"{aug}: {name} must be a number or a (low, high) pair, got {value!r}")
    logging.info("%s: using fixed %s %s", aug, name, value)
    return (value, value)


def _ranges_valid(aug, area_range, aspect_ratio_range, area_floor):
    """MXNet disables (with a warning) a crop/pad whose area range ends at or below ``area_floor`` or whose
    ranges are empty or non-positive."""
    if area_range[1] <= area_floor or area_range[0] > area_range[1]:
        logging.warning("%s: disabled by invalid area_range %s", aug, area_range)
        return False
    if aspect_ratio_range[0] <= 0 or aspect_ratio_range[0] > aspect_ratio_range[1]:
        logging.warning("%s: disabled by invalid aspect_ratio_range %s", aug, aspect_ratio_range)
        return False
    return True


class DetAugmenter(Described):
    """Base class of detection augmenters: ``aug(src, label) -> (src, label)``; :meth:`dumps` describes it.

    Examples
    --------
    >>> DetHorizontalFlipAug(0.5).dumps()
    '["dethorizontalflipaug", {"p": 0.5}]'
    """

    def __call__(self, src, label):
        raise MXNetError(f"{type(self).__name__} must define __call__(src, label)")


class DetBorrowAug(DetAugmenter):
    """Apply an image :class:`~ssdkit.image.Augmenter` that leaves boxes unchanged (colour, cast, resize).

    Examples
    --------
    >>> import ssdkit as mx
    >>> from ssdkit.image import CastAug
    >>> DetBorrowAug(CastAug())(mx.nd.zeros((2, 2, 3), dtype="uint8"), np.zeros((0, 5)))[0].dtype
    <class 'numpy.float32'>
    """

    def __init__(self, augmenter):
        if not isinstance(augmenter, Augmenter):
            raise MXNetError(f"DetBorrowAug: expects an mx.image.Augmenter, got {type(augmenter).__name__}")
        super().__init__(augmenter=augmenter.dumps())
        self.augmenter = augmenter

    def dumps(self):
        """Name and the borrowed augmenter's description.

        Examples
        --------
        >>> from ssdkit.image import CastAug
        >>> DetBorrowAug(CastAug()).dumps()
        ['detborrowaug', '["castaug", {"type": "float32"}]']
        """
        return [type(self).__name__.lower(), self.augmenter.dumps()]

    def __call__(self, src, label):
        return self.augmenter(src), label


class DetRandomSelectAug(DetAugmenter):
    """Apply one augmenter picked at random, or none with probability ``skip_prob``.

    Examples
    --------
    >>> aug = DetRandomSelectAug([DetHorizontalFlipAug(1.0)], skip_prob=1.0)
    >>> aug(None, "label")
    (None, 'label')
    """

    def __init__(self, aug_list, skip_prob=0):
        super().__init__(skip_prob=skip_prob)
        aug_list = list(aug_list) if isinstance(aug_list, (list, tuple)) else [aug_list]
        for aug in aug_list:
            if not isinstance(aug, DetAugmenter):
                raise MXNetError(f"DetRandomSelectAug: expects DetAugmenters, got {type(aug).__name__}")
        self.aug_list = aug_list
        self.skip_prob = skip_prob if aug_list else 1

    def dumps(self):
        """Name and every member's description.

        Examples
        --------
        >>> DetRandomSelectAug([DetHorizontalFlipAug(1)]).dumps()
        ['detrandomselectaug', ['["dethorizontalflipaug", {"p": 1}]']]
        """
        return [type(self).__name__.lower(), [x.dumps() for x in self.aug_list]]

    def __call__(self, src, label):
        rng = get_rng()
        if rng.random() < self.skip_prob:
            return src, label
        return self.aug_list[int(rng.integers(len(self.aug_list)))](src, label)


class DetHorizontalFlipAug(DetAugmenter):
    """Mirror image and boxes left-right with probability ``p``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> aug = DetHorizontalFlipAug(1.0)
    >>> label = np.array([[1, .1, .2, .5, .6]], np.float32)
    >>> np.allclose(aug(*aug(mx.nd.zeros((2, 2, 3)), label))[1], label)
    True
    """

    def __init__(self, p):
        super().__init__(p=p)
        self.p = p

    def __call__(self, src, label):
        if get_rng().random() < self.p:
            src = NDArray(np.asarray(src)[:, ::-1])
            label = label.copy()
            label[:, 1], label[:, 3] = 1.0 - label[:, 3], 1.0 - label[:, 1]
        return src, label


class DetRandomCropAug(DetAugmenter):
    """Random crop whose objects keep at least ``min_object_covered`` of their area (MXNet's rules).

    Parameters
    ----------
    min_object_covered : float, default 0.1
        Every object the crop touches must keep more than this fraction of its area (objects the crop
        misses entirely do not count).
    aspect_ratio_range : (float, float) or float, default (0.75, 1.33)
        Crop width / height.
    area_range : (float, float) or float, default (0.05, 1.0)
        Crop area as a fraction of the image (values above 1 are allowed and capped by the image).
    min_eject_coverage : float, default 0.3
        Objects keeping this fraction of their area or less are dropped from the label.
    max_attempts : int, default 50
        Proposals to try; the image is returned unchanged when none qualifies.

    Examples
    --------
    >>> import ssdkit as mx
    >>> mx.random.seed(0)
    >>> aug = DetRandomCropAug(min_object_covered=0.9, area_range=(0.3, 1.0))
    >>> img, label = aug(mx.nd.zeros((100, 100, 3)), np.array([[0, .4, .4, .6, .6]], np.float32))
    >>> bool(((label[:, 1:5] >= 0) & (label[:, 1:5] <= 1)).all()), img.shape[2]
    (True, 3)
    """

    def __init__(self, min_object_covered=0.1, aspect_ratio_range=(0.75, 1.33), area_range=(0.05, 1.0),
                 min_eject_coverage=0.3, max_attempts=50):
        aspect_ratio_range = _pair(aspect_ratio_range, "aspect_ratio_range", "DetRandomCropAug")
        area_range = _pair(area_range, "area_range", "DetRandomCropAug")
        super().__init__(min_object_covered=min_object_covered, aspect_ratio_range=aspect_ratio_range,
                         area_range=area_range, min_eject_coverage=min_eject_coverage, max_attempts=max_attempts)
        self.min_object_covered = min_object_covered
        self.min_eject_coverage = min_eject_coverage
        self.max_attempts = int(max_attempts)
        self.aspect_ratio_range = aspect_ratio_range
        self.area_range = area_range
        self.enabled = _ranges_valid("DetRandomCropAug", area_range, aspect_ratio_range, area_floor=0.0)

    def __call__(self, src, label):
        height, width = np.asarray(src).shape[:2]
        crop = self._random_crop_proposal(label, height, width)
        if crop:
            x, y, w, h, label = crop
            src = NDArray(np.asarray(src)[y:y + h, x:x + w])
        return src, label

    def _proposals(self, height, width):
        """``max_attempts`` candidate windows (x, y, w, h) and whether each meets the size rules."""
        rng, n = get_rng(), self.max_attempts
        min_area, max_area = self.area_range[0] * height * width, self.area_range[1] * height * width
        ratio = rng.uniform(self.aspect_ratio_range[0], self.aspect_ratio_range[1], n)
        h = np.rint(np.sqrt(min_area / ratio))
        max_h = np.rint(np.sqrt(max_area / ratio))
        # the largest height whose rounded width still fits the image
        max_h = np.where(np.rint(max_h * ratio) > width, np.floor((width + 0.4999999) / ratio), max_h)
        max_h = np.minimum(max_h, height)
        h = np.minimum(h, max_h)
        h = np.where(h < max_h, h + np.floor(rng.random(n) * (max_h - h + 1)), h)
        w = np.rint(h * ratio)
        small = w * h < min_area            # rounding may leave the area just outside the range
        h = np.where(small, h + 1, h)
        w = np.where(small, np.rint(h * ratio), w)
        large = w * h > max_area
        h = np.where(large, h - 1, h)
        w = np.where(large, np.rint(h * ratio), w)
        area = w * h
        ok = (min_area <= area) & (area <= max_area) & (w >= 0) & (w <= width) & (h >= 0) & (h <= height)
        y = np.floor(rng.random(n) * (np.maximum(0, height - h) + 1))
        x = np.floor(rng.random(n) * (np.maximum(0, width - w) + 1))
        return x, y, w, h, ok & (area >= MIN_CROP_PIXELS)

    def _coverage_ok(self, label, x, y, w, h, height, width):
        """Per proposal: every touched object keeps more than ``min_object_covered`` of its area."""
        boxes = label[:, _COORDS].astype(np.float64)
        areas = _areas(boxes)
        big = areas * width * height > MIN_OBJECT_PIXELS
        boxes, areas = boxes[big], areas[big]
        if not len(boxes):
            return np.zeros(len(x), bool)
        x1, y1 = (x / width)[:, None], (y / height)[:, None]
        x2, y2 = ((x + w) / width)[:, None], ((y + h) / height)[:, None]
        iw = np.maximum(0, np.minimum(boxes[:, 2], x2) - np.maximum(boxes[:, 0], x1))
        ih = np.maximum(0, np.minimum(boxes[:, 3], y2) - np.maximum(boxes[:, 1], y1))
        coverage = iw * ih / areas
        touched = coverage > 0
        least = np.where(touched, coverage, np.inf).min(axis=1)
        return touched.any(axis=1) & (least > self.min_object_covered)

    def _update_labels(self, label, crop_box, height, width):
        """Boxes in the crop's coordinates, clipped to it; objects keeping too little area are dropped."""
        xmin, ymin = crop_box[0] / width, crop_box[1] / height
        w, h = crop_box[2] / width, crop_box[3] / height
        out = label.copy()
        out[:, (1, 3)] = (out[:, (1, 3)] - xmin) / w
        out[:, (2, 4)] = (out[:, (2, 4)] - ymin) / h
        out[:, _COORDS] = np.clip(out[:, _COORDS], 0, 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            coverage = _areas(out[:, _COORDS]) * w * h / _areas(label[:, _COORDS])
        valid = (out[:, 3] > out[:, 1]) & (out[:, 4] > out[:, 2]) & (coverage > self.min_eject_coverage)
        return out[valid] if valid.any() else None

    def _random_crop_proposal(self, label, height, width):
        """The first qualifying proposal as ``(x, y, w, h, new_label)``, or ``()``."""
        if not self.enabled or height <= 0 or width <= 0 or self.max_attempts <= 0:
            return ()
        x, y, w, h, ok = self._proposals(height, width)
        ok &= self._coverage_ok(label, x, y, w, h, height, width)
        for i in np.flatnonzero(ok):
            crop = (int(x[i]), int(y[i]), int(w[i]), int(h[i]))
            new_label = self._update_labels(label, crop, height, width)
            if new_label is not None:
                return crop + (new_label,)
        return ()


class DetRandomPadAug(DetAugmenter):
    """Place the image at a random spot of a larger canvas filled with ``pad_val`` (zoom out).

    Parameters
    ----------
    aspect_ratio_range : (float, float) or float, default (0.75, 1.33)
    area_range : (float, float) or float, default (1.0, 3.0)
        Canvas area as a multiple of the image area.
    max_attempts : int, default 50
    pad_val : float or (float, float, float), default (128, 128, 128)

    Examples
    --------
    >>> import ssdkit as mx
    >>> mx.random.seed(0)
    >>> box = np.array([[0, 0, 0, 1, 1]], np.float32)
    >>> img, label = DetRandomPadAug(area_range=(2, 3))(mx.nd.zeros((10, 10, 3)), box)
    >>> img.shape[0] > 10, bool((label[0, 3] - label[0, 1]) * img.shape[1] - 10 < 1e-4)
    (True, True)
    """

    def __init__(self, aspect_ratio_range=(0.75, 1.33), area_range=(1.0, 3.0), max_attempts=50,
                 pad_val=(128, 128, 128)):
        aspect_ratio_range = _pair(aspect_ratio_range, "aspect_ratio_range", "DetRandomPadAug")
        area_range = _pair(area_range, "area_range", "DetRandomPadAug")
        super().__init__(aspect_ratio_range=aspect_ratio_range, area_range=area_range,
                         max_attempts=max_attempts, pad_val=pad_val)
        self.pad_val = pad_val
        self.aspect_ratio_range = aspect_ratio_range
        self.area_range = area_range
        self.max_attempts = int(max_attempts)
        self.enabled = _ranges_valid("DetRandomPadAug", area_range, aspect_ratio_range, area_floor=1.0)

    def __call__(self, src, label):
        height, width = np.asarray(src).shape[:2]
        pad = self._random_pad_proposal(label, height, width)
        if pad:
            x, y, w, h, label = pad
            values = self.pad_val if isinstance(self.pad_val, (list, tuple)) else (self.pad_val,)
            src = copyMakeBorder(src, y, h - y - height, x, w - x - width, values=values)
        return src, label

    def _update_labels(self, label, pad_box, height, width):
        out = label.copy()
        out[:, (1, 3)] = (out[:, (1, 3)] * width + pad_box[0]) / pad_box[2]
        out[:, (2, 4)] = (out[:, (2, 4)] * height + pad_box[1]) / pad_box[3]
        return out

    def _random_pad_proposal(self, label, height, width):
        """``(x, y, w, h, new_label)`` of the canvas, or ``()`` when no attempt adds enough margin."""
        if not self.enabled or height <= 0 or width <= 0:
            return ()
        rng = get_rng()
        min_area, max_area = self.area_range[0] * height * width, self.area_range[1] * height * width
        for _ in range(self.max_attempts):
            ratio = rng.uniform(*self.aspect_ratio_range)
            h = int(round(np.sqrt(min_area / ratio)))
            max_h = int(round(np.sqrt(max_area / ratio)))
            if round(h * ratio) < width:
                h = int((width + 0.499999) / ratio)
            h = min(max(h, height), max_h)
            if h < max_h:
                h = int(rng.integers(h, max_h + 1))
            w = int(round(h * ratio))
            if h - height < MIN_PAD_PIXELS or w - width < MIN_PAD_PIXELS:
                continue
            y = int(rng.integers(0, max(0, h - height) + 1))
            x = int(rng.integers(0, max(0, w - width) + 1))
            return (x, y, w, h, self._update_labels(label, (x, y, w, h), height, width))
        return ()
