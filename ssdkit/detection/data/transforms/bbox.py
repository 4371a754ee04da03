"""Box transforms that follow image transforms (GluonCV ``transforms.bbox`` and SSD's constrained crop).

Boxes are numpy arrays ``(N, 4+)``: ``xmin, ymin, xmax, ymax`` in pixels, then any extra columns (class
id, difficult flag, ...) which ride along untouched. Every function returns a new array.

Examples
--------
>>> import numpy as np
>>> boxes = np.array([[10., 20., 30., 60., 1.]], np.float32)
>>> flip(flip(boxes, (100, 80), flip_x=True), (100, 80), flip_x=True).tolist() == boxes.tolist()
True
>>> resize(boxes, (100, 80), (50, 40))[0, :4].tolist()
[5.0, 10.0, 15.0, 30.0]
"""
import numpy as np

from ....base import DTYPE, MXNetError, get_rng
from ....boxes import box_iou

__all__ = ["crop", "flip", "resize", "translate", "random_crop_with_constraints", "SSD_CROP_CONSTRAINTS"]

#: The SSD paper's sampling constraints ``(min_iou, max_iou)`` (None: unbounded).
SSD_CROP_CONSTRAINTS = ((0.1, None), (0.3, None), (0.5, None), (0.7, None), (0.9, None), (None, 1))


def _boxes(bbox, op):
    bbox = np.array(bbox, dtype=DTYPE if np.asarray(bbox).dtype == np.float64 else None, copy=True)
    if bbox.ndim != 2 or bbox.shape[1] < 4:
        raise MXNetError(f"{op}: bbox must be an (N, 4+) array, got shape {bbox.shape}")
    return bbox


def _size(size, name, op):
    if len(size) != 2:
        raise MXNetError(f"{op}: {name} must be (width, height), got {size!r}")
    return size


def crop(bbox, crop_box=None, allow_outside_center=True):
    """Boxes seen through the window ``crop_box = (x, y, w, h)``: clipped, shifted, empty ones dropped.

    Parameters
    ----------
    bbox : numpy.ndarray, (N, 4+)
    crop_box : (x, y, w, h), optional
        None (or all None) keeps the boxes; a None width/height means unbounded.
    allow_outside_center : bool
        If False, also drop boxes whose center lies outside the window.

    Returns
    -------
    numpy.ndarray, (M, 4+), M <= N

    Examples
    --------
    >>> crop(np.array([[0., 0., 10., 10.], [20., 20., 30., 30.]]), (5, 5, 10, 10)).tolist()
    [[0.0, 0.0, 5.0, 5.0]]
    """
    bbox = _boxes(bbox, "bbox.crop")
    if crop_box is None or all(c is None for c in crop_box):
        return bbox
    if len(crop_box) != 4:
        raise MXNetError(f"bbox.crop: crop_box must be (x, y, w, h), got {crop_box!r}")
    left, top, w, h = crop_box
    left, top = left or 0, top or 0
    window = np.array([left, top, left + (w or np.inf), top + (h or np.inf)], np.float64)
    keep = np.ones(len(bbox), bool)
    if not allow_outside_center:
        centers = (bbox[:, :2] + bbox[:, 2:4]) / 2
        keep = ((window[:2] <= centers) & (centers < window[2:])).all(axis=1)
    bbox[:, :2] = np.maximum(bbox[:, :2], window[:2]) - window[:2]
    bbox[:, 2:4] = np.minimum(bbox[:, 2:4], window[2:]) - window[:2]
    keep &= (bbox[:, :2] < bbox[:, 2:4]).all(axis=1)
    return bbox[keep]


def flip(bbox, size, flip_x=False, flip_y=False):
    """Mirror boxes with an image of ``size = (width, height)``.

    Examples
    --------
    >>> flip(np.array([[1., 2., 3., 4.]]), (10, 10), flip_x=True, flip_y=True).tolist()
    [[7.0, 6.0, 9.0, 8.0]]
    """
    width, height = _size(size, "size", "bbox.flip")
    bbox = _boxes(bbox, "bbox.flip")
    if flip_y:
        bbox[:, 1], bbox[:, 3] = height - bbox[:, 3], height - bbox[:, 1]
    if flip_x:
        bbox[:, 0], bbox[:, 2] = width - bbox[:, 2], width - bbox[:, 0]
    return bbox


def resize(bbox, in_size, out_size):
    """Scale boxes from an image of ``in_size`` to one of ``out_size`` (both ``(width, height)``).

    Examples
    --------
    >>> resize(np.array([[2., 2., 4., 4., 7.]]), (10, 10), (20, 5)).tolist()
    [[4.0, 1.0, 8.0, 2.0, 7.0]]
    """
    in_w, in_h = _size(in_size, "in_size", "bbox.resize")
    out_w, out_h = _size(out_size, "out_size", "bbox.resize")
    bbox = _boxes(bbox, "bbox.resize")
    if not np.issubdtype(bbox.dtype, np.floating):
        bbox = bbox.astype(DTYPE)
    bbox[:, (0, 2)] *= out_w / in_w
    bbox[:, (1, 3)] *= out_h / in_h
    return bbox


def translate(bbox, x_offset=0, y_offset=0):
    """Shift boxes by ``(x_offset, y_offset)`` pixels.

    Examples
    --------
    >>> translate(np.array([[1., 1., 2., 2.]]), 10, 20).tolist()
    [[11.0, 21.0, 12.0, 22.0]]
    """
    bbox = _boxes(bbox, "bbox.translate")
    bbox[:, (0, 2)] += x_offset
    bbox[:, (1, 3)] += y_offset
    return bbox


def _trials(rng, count, size, min_scale, max_scale, max_aspect_ratio):
    """``count`` random windows ``(x, y, w, h)`` as in the SSD paper's sampler."""
    w, h = size
    scale = rng.uniform(min_scale, max_scale, count)
    low = np.maximum(1 / max_aspect_ratio, scale * scale)
    high = np.minimum(max_aspect_ratio, 1 / (scale * scale))
    ratio = low + (high - low) * rng.random(count)
    crop_h = (h * scale / np.sqrt(ratio)).astype(np.int64)
    crop_w = (w * scale * np.sqrt(ratio)).astype(np.int64)
    # GluonCV draws randrange(h - crop_h); a full-height window (range 0) starts at 0
    crop_t = (rng.random(count) * np.maximum(h - crop_h, 1)).astype(np.int64)
    crop_l = (rng.random(count) * np.maximum(w - crop_w, 1)).astype(np.int64)
    return np.stack([crop_l, crop_t, crop_w, crop_h], axis=1)


def random_crop_with_constraints(bbox, size, min_scale=0.3, max_scale=1, max_aspect_ratio=2, constraints=None,
                                 max_trial=50):
    """SSD's random crop: per IoU constraint, the first of ``max_trial`` windows whose IoU with every box lies
    in ``[min_iou, max_iou]``; then one candidate (or the whole image) chosen at random that keeps a box.

    Parameters
    ----------
    bbox : numpy.ndarray, (N, 4+)
    size : (width, height)
    min_scale, max_scale : float
        Window side as a fraction of the image side.
    max_aspect_ratio : float
    constraints : sequence of (min_iou, max_iou), optional
        Default :data:`SSD_CROP_CONSTRAINTS`.
    max_trial : int

    Returns
    -------
    bbox : numpy.ndarray, (M, 4+)
        Boxes cropped to the window (centers inside it), in window coordinates.
    crop : (x, y, w, h)

    Examples
    --------
    >>> import ssdkit as mx
    >>> mx.random.seed(1)
    >>> boxes, (x, y, w, h) = random_crop_with_constraints(np.array([[10., 10., 60., 60., 0.]]), (100, 100))
    >>> bool(len(boxes) and (boxes[:, 2] <= w).all() and (boxes[:, 3] <= h).all())
    True
    """
    width, height = _size(size, "size", "random_crop_with_constraints")
    bbox = _boxes(bbox, "random_crop_with_constraints")
    rng = get_rng()
    constraints = SSD_CROP_CONSTRAINTS if constraints is None else constraints
    # every constraint's trials at once: one IoU computation instead of one per constraint
    trials = _trials(rng, max_trial * len(constraints), (width, height), min_scale, max_scale, max_aspect_ratio)
    if not len(bbox):
        return bbox, tuple(int(v) for v in trials[0])
    corners = np.concatenate([trials[:, :2], trials[:, :2] + trials[:, 2:]], axis=1)
    iou = box_iou(bbox[:, :4].astype(DTYPE), corners.astype(DTYPE)).reshape(len(bbox), len(constraints), max_trial)
    lowest, highest = iou.min(axis=0), iou.max(axis=0)   # (constraints, trials)
    candidates = [(0, 0, width, height)]
    for k, (min_iou, max_iou) in enumerate(constraints):
        min_iou = -np.inf if min_iou is None else min_iou
        max_iou = np.inf if max_iou is None else max_iou
        fits = np.flatnonzero((lowest[k] >= min_iou) & (highest[k] <= max_iou))
        if len(fits):
            candidates.append(tuple(int(v) for v in trials[k * max_trial + fits[0]]))
    while candidates:
        window = candidates.pop(int(rng.integers(0, len(candidates))))
        new_bbox = crop(bbox, window, allow_outside_center=False)
        if new_bbox.size:
            return new_bbox, window
    return bbox, (0, 0, width, height)
