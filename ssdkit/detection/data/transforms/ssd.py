"""GluonCV's SSD presets: the training augmentation (colour, expand, constrained crop, resize, flip) and the
validation resize, on ``(image (H, W, 3) uint8, label (N, 5+) pixel boxes)`` samples.

Examples
--------
>>> import numpy as np
>>> import ssdkit as mx
>>> mx.random.seed(0)
>>> img = np.zeros((60, 80, 3), np.uint8)
>>> label = np.array([[10, 10, 50, 40, 0]], np.float32)
>>> x, y = SSDDefaultTrainTransform(32, 32)(img, label)
>>> x.shape, y.shape[1], bool(((y[:, :4] >= 0) & (y[:, :4] <= 32)).all())
((3, 32, 32), 5, True)
>>> SSDDefaultValTransform(40, 30)(img, label)[1][0, :4].tolist()
[5.0, 5.0, 25.0, 20.0]
"""
import numpy as np

from ....base import DTYPE, MXNetError, get_rng
from ....boxes import box_iou, center_to_corner
from ....boxes.coder import multiclass_encode, normalized_center_encode
from ....boxes.matcher import match_anchors
from ....ndarray import NDArray
from . import bbox as tbbox
from .image import (expand_params, imresize, paste, random_color_distort, random_flip, to_normalized_tensor)

__all__ = ["SSDDefaultTrainTransform", "SSDDefaultValTransform", "IMAGENET_MEAN01", "IMAGENET_STD01"]

#: ImageNet channel mean/std for images scaled to [0, 1] (GluonCV's defaults).
IMAGENET_MEAN01 = (0.485, 0.456, 0.406)
IMAGENET_STD01 = (0.229, 0.224, 0.225)
EXPAND_PROBABILITY = 0.5
FLIP_PROBABILITY = 0.5
NUM_INTERP = 5            # random interpolation 0..4 per training image, as GluonCV
AUTO_INTERP = 9           # cubic when enlarging, area when shrinking (validation)
_BOX = slice(0, 4)


def _check_sample(src, label, who):
    img = np.asarray(src)
    if img.ndim != 3 or img.shape[2] != 3:
        raise MXNetError(f"{who}: image must be (H, W, 3), got shape {img.shape}")
    label = np.asarray(label)
    if label.ndim != 2 or label.shape[1] < 5:
        raise MXNetError(f"{who}: label must be (N, 5+) [xmin, ymin, xmax, ymax, cls, ...], got shape {label.shape}")
    return img, label


class SSDDefaultTrainTransform:
    """SSD training augmentation, GluonCV style.

    Parameters
    ----------
    width, height : int
        Output image size.
    anchors : NDArray or numpy.ndarray, (1, N, 4), optional
        Center-format anchors ``(cx, cy, w, h)`` in pixels. When given, the transform also returns training
        targets: class targets (N,) and box targets (N, 4).
    mean, std : 3 floats
        Normalization of the [0, 1] image.
    iou_thresh : float
        Anchors with IoU above this (or matched bipartitely) are positives.
    box_norm : 4 floats
        Std dividing the encoded box offsets.

    Returns
    -------
    Without anchors: ``(image NDArray (3, height, width) float32, label numpy (M, 5+) float32)`` in output
    pixels. With anchors: ``(image, cls_targets NDArray (N,), box_targets NDArray (N, 4))``.

    Examples
    --------
    >>> anchors = np.array([[[16, 16, 32, 32], [8, 8, 8, 8]]], np.float32)
    >>> img, label = np.zeros((32, 32, 3), np.uint8), np.array([[0, 0, 32, 32, 0]], np.float32)
    >>> x, cls_t, box_t = SSDDefaultTrainTransform(32, 32, anchors)(img, label)
    >>> cls_t.shape, box_t.shape
    ((2,), (2, 4))
    """

    def __init__(self, width, height, anchors=None, mean=IMAGENET_MEAN01, std=IMAGENET_STD01, iou_thresh=0.5,
                 box_norm=(0.1, 0.1, 0.2, 0.2), **kwargs):
        if kwargs:
            raise MXNetError(f"SSDDefaultTrainTransform: unexpected arguments {sorted(kwargs)}")
        self._width, self._height = int(width), int(height)
        self._mean, self._std = tuple(mean), tuple(std)
        self._iou_thresh, self._box_norm = iou_thresh, tuple(box_norm)
        self._anchors = None
        if anchors is not None:
            anchors = np.asarray(anchors, DTYPE)
            if anchors.ndim != 3 or anchors.shape[0] != 1 or anchors.shape[2] != 4:
                raise MXNetError(f"SSDDefaultTrainTransform: anchors must be (1, N, 4), got {anchors.shape}")
            self._anchors = center_to_corner(anchors.reshape(-1, 4))

    def __call__(self, src, label):
        img, label = _check_sample(src, label, "SSDDefaultTrainTransform")
        img = random_color_distort(img)
        bbox = label.astype(DTYPE)
        h, w = img.shape[:2]
        canvas = (0, 0, w, h)
        if get_rng().uniform(0, 1) > EXPAND_PROBABILITY:
            canvas = expand_params(h, w)
            bbox = tbbox.translate(bbox, x_offset=canvas[0], y_offset=canvas[1])
        bbox, crop = tbbox.random_crop_with_constraints(bbox, canvas[2:])
        # expand then crop, building only the cropped window of the expanded canvas
        img = paste(img, canvas, fill=[m * 255 for m in self._mean], window=crop)
        img = imresize(img, self._width, self._height, interp=int(get_rng().integers(0, NUM_INTERP)))
        bbox = tbbox.resize(bbox, crop[2:], (self._width, self._height))
        img, flips = random_flip(img, px=FLIP_PROBABILITY)
        bbox = tbbox.flip(bbox, (self._width, self._height), flip_x=flips[0])
        img = to_normalized_tensor(img, self._mean, self._std)
        bbox = bbox.astype(DTYPE)
        if self._anchors is None:
            return img, bbox
        cls_targets, box_targets = self._targets(bbox)
        return img, cls_targets, box_targets

    def _targets(self, bbox):
        """Match anchors to the boxes (bipartite + IoU threshold) and encode class and box targets."""
        gt_boxes, gt_ids = bbox[:, _BOX], bbox[:, 4]
        if not len(gt_boxes):
            num = len(self._anchors)
            return NDArray(np.zeros(num, DTYPE)), NDArray(np.zeros((num, 4), DTYPE))
        matched, _ = match_anchors(box_iou(gt_boxes, self._anchors), self._iou_thresh)   # (N,), -1: none
        samples = np.where(matched >= 0, 1.0, -1.0)[None]   # every unmatched anchor is a negative
        matches = matched[None]
        cls_targets = multiclass_encode(samples, matches, gt_ids[None])[0]
        box_targets, _ = normalized_center_encode(samples, matches, self._anchors[None], gt_boxes[None],
                                                  stds=self._box_norm)
        return NDArray(cls_targets), NDArray(box_targets[0])


class SSDDefaultValTransform:
    """SSD validation transform: resize (auto interpolation), scale boxes, to tensor, normalize.

    Parameters
    ----------
    width, height : int
    mean, std : 3 floats

    Returns
    -------
    ``(image NDArray (3, height, width) float32, label numpy (N, 5+) float32)``

    Examples
    --------
    >>> x, y = SSDDefaultValTransform(8, 8)(np.zeros((16, 16, 3), np.uint8), np.array([[0, 0, 8, 8, 1]]))
    >>> x.shape, y.tolist()
    ((3, 8, 8), [[0.0, 0.0, 4.0, 4.0, 1.0]])
    """

    def __init__(self, width, height, mean=IMAGENET_MEAN01, std=IMAGENET_STD01):
        self._width, self._height = int(width), int(height)
        self._mean, self._std = tuple(mean), tuple(std)

    def __call__(self, src, label):
        img, label = _check_sample(src, label, "SSDDefaultValTransform")
        h, w = img.shape[:2]
        img = imresize(img, self._width, self._height, interp=AUTO_INTERP)
        bbox = tbbox.resize(label, (w, h), (self._width, self._height))
        return to_normalized_tensor(img, self._mean, self._std), bbox.astype(DTYPE)
