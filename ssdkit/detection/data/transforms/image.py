"""Image transforms of GluonCV (``transforms.image`` and the experimental colour distortion) on ``(H, W, C)``.

Inputs may be NDArrays or numpy arrays; outputs are NDArrays. Random draws come from ``mx.random``.
:func:`random_color_distort` folds GluonCV's brightness, contrast, saturation and hue steps (each a
per-pixel affine map) into one 3x3 matrix and offset, applied in a single pass.

Examples
--------
>>> import numpy as np
>>> import ssdkit as mx
>>> img = mx.nd.array(np.full((4, 6, 3), 100), dtype="uint8")
>>> expanded, (x, y, w, h) = random_expand(img, max_ratio=2, fill=0)
>>> expanded.shape == (h, w, 3) and w >= 6
True
>>> to_tensor(img).shape
(3, 4, 6)
"""
import numpy as np

from ....base import DTYPE, MXNetError, get_rng
from ....image.color import LUMA, PCA_EIGVAL, PCA_EIGVEC, hue_matrix
from ....image.image import _get_interp_method, filled, resize_array
from ....ndarray import NDArray

__all__ = ["imresize", "resize_long", "resize_short_within", "random_pca_lighting", "random_expand",
           "expand_params", "paste", "random_flip", "resize_contain", "random_color_distort",
           "color_distort_params", "to_tensor", "normalize", "to_normalized_tensor"]

_PIXEL_MAX = 255.0
_CHANNELS = 3


def _array(src, op):
    arr = np.asarray(src)
    if arr.ndim != 3:
        raise MXNetError(f"{op}: expects an (H, W, C) image, got shape {arr.shape}")
    return arr


def imresize(src, w, h, interp=1):
    """Resize to ``(w, h)``; ``interp`` as :func:`ssdkit.image.imresize` (9 auto and 10 random resolved).

    Examples
    --------
    >>> imresize(np.zeros((4, 4, 3), np.uint8), 8, 2).shape
    (2, 8, 3)
    """
    arr = _array(src, "imresize")
    return NDArray(resize_array(arr, w, h, _get_interp_method(interp, (arr.shape[0], arr.shape[1], h, w))))


def resize_long(src, size, interp=2):
    """Resize so the longer edge is ``size``.

    Examples
    --------
    >>> resize_long(np.zeros((20, 40, 3), np.uint8), 10).shape
    (5, 10, 3)
    """
    h, w, _ = _array(src, "resize_long").shape
    new_h, new_w = (size, size * w // h) if h > w else (size * h // w, size)
    return imresize(src, new_w, new_h, interp=_get_interp_method(interp, (h, w, new_h, new_w)))


def resize_short_within(src, short, max_size, mult_base=1, interp=2):
    """Resize the shorter edge to ``short`` unless the longer one would exceed ``max_size``; sides are
    rounded to multiples of ``mult_base``.

    Examples
    --------
    >>> resize_short_within(np.zeros((60, 100, 3), np.uint8), short=30, max_size=40).shape
    (24, 40, 3)
    """
    h, w, _ = _array(src, "resize_short_within").shape
    size_min, size_max = (h, w) if w > h else (w, h)
    scale = float(short) / float(size_min)
    if np.round(scale * size_max / mult_base) * mult_base > max_size:
        scale = float(np.floor(max_size / mult_base) * mult_base) / float(size_max)
    new_w = int(np.round(w * scale / mult_base) * mult_base)
    new_h = int(np.round(h * scale / mult_base) * mult_base)
    return imresize(src, new_w, new_h, interp=_get_interp_method(interp, (h, w, new_h, new_w)))


def random_pca_lighting(src, alphastd, eigval=None, eigvec=None):
    """Add PCA lighting noise ``eigvec @ (alpha * eigval)``, ``alpha ~ N(0, alphastd)`` (float32 out).

    Examples
    --------
    >>> random_pca_lighting(np.ones((1, 1, 3), np.float32), 0.0).asnumpy().tolist()
    [[[1.0, 1.0, 1.0]]]
    """
    arr = _array(src, "random_pca_lighting").astype(DTYPE)
    if alphastd <= 0:
        return NDArray(arr)
    eigval = np.asarray(PCA_EIGVAL if eigval is None else eigval, np.float64)
    eigvec = np.asarray(PCA_EIGVEC if eigvec is None else eigvec, np.float64)
    alpha = get_rng().normal(0, alphastd, size=(3,))
    return NDArray(arr + ((eigvec * alpha) @ eigval).astype(DTYPE))


def expand_params(height, width, max_ratio=4, keep_ratio=True):
    """Draw :func:`random_expand`'s canvas for an image of ``height x width`` without building it.

    Returns
    -------
    (offset_x, offset_y, canvas_width, canvas_height)

    Examples
    --------
    >>> import ssdkit as mx
    >>> mx.random.seed(0); x, y, w, h = expand_params(10, 20, max_ratio=2)
    >>> 20 <= w < 40 and 10 <= h < 20 and 0 <= x <= w - 20 and 0 <= y <= h - 10
    True
    """
    if max_ratio <= 1:
        return (0, 0, width, height)
    rng = get_rng()
    ratio_x = rng.uniform(1, max_ratio)
    ratio_y = ratio_x if keep_ratio else rng.uniform(1, max_ratio)
    oh, ow = int(height * ratio_y), int(width * ratio_x)
    off_y = int(rng.integers(0, oh - height + 1))
    off_x = int(rng.integers(0, ow - width + 1))
    return (off_x, off_y, ow, oh)


def paste(src, canvas, fill=0, window=None):
    """The canvas ``(offset_x, offset_y, w, h)`` holding ``src`` at its offset and ``fill`` elsewhere, or only
    its ``window = (x, y, w, h)`` (so an expand followed by a crop never builds the whole canvas).

    Examples
    --------
    >>> out = paste(np.ones((2, 2, 1), np.uint8), (1, 0, 4, 3), fill=7, window=(2, 0, 2, 3))
    >>> out.asnumpy()[..., 0].tolist()
    [[1, 7], [1, 7], [7, 7]]
    """
    arr = _array(src, "paste")
    h, w, c = arr.shape
    off_x, off_y, canvas_w, canvas_h = canvas
    x0, y0, win_w, win_h = window if window is not None else (0, 0, canvas_w, canvas_h)
    out = filled((win_h, win_w, c), arr.dtype, fill, "paste")
    left, top = max(off_x, x0), max(off_y, y0)
    right, bottom = min(off_x + w, x0 + win_w), min(off_y + h, y0 + win_h)
    if right > left and bottom > top:
        out[top - y0:bottom - y0, left - x0:right - x0] = arr[top - off_y:bottom - off_y, left - off_x:right - off_x]
    return NDArray(out)


def random_expand(src, max_ratio=4, fill=0, keep_ratio=True):
    """Place the image at a random offset on a canvas up to ``max_ratio`` times larger, filled with ``fill``.

    Returns
    -------
    NDArray (canvas) and (offset_x, offset_y, canvas_width, canvas_height)

    Examples
    --------
    >>> out, box = random_expand(np.ones((2, 2, 3), np.float32), max_ratio=1)
    >>> out.shape, box
    ((2, 2, 3), (0, 0, 2, 2))
    """
    arr = _array(src, "random_expand")
    canvas = expand_params(arr.shape[0], arr.shape[1], max_ratio, keep_ratio)
    if max_ratio <= 1:
        return NDArray(arr), canvas
    return paste(arr, canvas, fill), canvas


def random_flip(src, px=0, py=0, copy=False):
    """Flip vertically with probability ``py``, then horizontally with probability ``px``.

    Returns
    -------
    NDArray and (flip_x, flip_y)

    Examples
    --------
    >>> out, flips = random_flip(np.arange(2).reshape(1, 2, 1), px=1)
    >>> out.asnumpy().ravel().tolist(), flips
    ([1, 0], (True, False))
    """
    arr = _array(src, "random_flip")
    rng = get_rng()
    flip_y = bool(rng.random() < py)
    flip_x = bool(rng.random() < px)
    if flip_y:
        arr = arr[::-1]
    if flip_x:
        arr = arr[:, ::-1]
    return NDArray(arr.copy() if copy else arr), (flip_x, flip_y)


def resize_contain(src, size, fill=0):
    """Shrink (never enlarge) to fit ``size = (w, h)`` keeping the aspect ratio, centered on a ``fill`` canvas.

    Returns
    -------
    NDArray and (offset_x, offset_y, scaled_w, scaled_h)

    Examples
    --------
    >>> out, box = resize_contain(np.ones((10, 20, 3), np.uint8), (10, 10))
    >>> out.shape, box
    ((10, 10, 3), (0, 2, 10, 5))
    """
    arr = _array(src, "resize_contain")
    h, w, c = arr.shape
    out_w, out_h = size
    scale = min(out_h / h, out_w / w, 1)
    scaled_x, scaled_y = int(w * scale), int(h * scale)
    if scale < 1:
        arr = resize_array(arr, scaled_x, scaled_y, 1)
    off_y = (out_h - scaled_y) // 2 if scaled_y < out_h else 0
    off_x = (out_w - scaled_x) // 2 if scaled_x < out_w else 0
    canvas = filled((out_h, out_w, c), arr.dtype, fill, "resize_contain")
    canvas[off_y:off_y + scaled_y, off_x:off_x + scaled_x] = arr
    return NDArray(canvas), (off_x, off_y, scaled_x, scaled_y)


def color_distort_params(brightness_delta=32, contrast_low=0.5, contrast_high=1.5, saturation_low=0.5,
                         saturation_high=1.5, hue_delta=18):
    """Draw GluonCV's colour distortion and return it as ``pixel @ matrix + offset`` (float32 3x3 and 3).

    Each of brightness, contrast, saturation and hue is applied with probability 0.5; contrast comes
    before or after saturation+hue with equal probability. Hue rotates by ``U(-hue_delta, hue_delta) * pi``
    radians (GluonCV's convention).

    Examples
    --------
    >>> matrix, offset = color_distort_params(0, 1, 1, 1, 1, 0)
    >>> np.allclose(matrix, np.eye(3), atol=2e-3), offset.tolist()
    (True, [0.0, 0.0, 0.0])
    """
    rng = get_rng()
    matrix, offset = np.eye(_CHANNELS), np.zeros(_CHANNELS)

    def apply(step):
        nonlocal matrix, offset
        matrix, offset = matrix @ step, offset @ step

    if rng.uniform(0, 1) > 0.5:
        offset = offset + rng.uniform(-brightness_delta, brightness_delta)

    def contrast():
        if rng.uniform(0, 1) > 0.5:
            apply(np.eye(_CHANNELS) * rng.uniform(contrast_low, contrast_high))

    def saturation():
        if rng.uniform(0, 1) > 0.5:
            alpha = rng.uniform(saturation_low, saturation_high)
            apply(alpha * np.eye(_CHANNELS) + (1 - alpha) * np.outer(LUMA, np.ones(_CHANNELS)))

    def hue():
        if rng.uniform(0, 1) > 0.5:
            apply(hue_matrix(rng.uniform(-hue_delta, hue_delta)).astype(np.float64))

    steps = (contrast, saturation, hue) if rng.integers(0, 2) else (saturation, hue, contrast)
    for step in steps:
        step()
    return matrix.astype(DTYPE), offset.astype(DTYPE)


def random_color_distort(src, brightness_delta=32, contrast_low=0.5, contrast_high=1.5, saturation_low=0.5,
                         saturation_high=1.5, hue_delta=18):
    """GluonCV's SSD colour distortion of a [0, 255] image; float32 out (values are not clipped).

    Examples
    --------
    >>> out = random_color_distort(np.full((2, 2, 3), 100, np.uint8))
    >>> out.shape, out.dtype
    ((2, 2, 3), <class 'numpy.float32'>)
    """
    arr = _array(src, "random_color_distort")
    if arr.shape[2] != _CHANNELS:
        raise MXNetError(f"random_color_distort: expects 3 channels, got shape {arr.shape}")
    matrix, offset = color_distort_params(brightness_delta, contrast_low, contrast_high, saturation_low,
                                          saturation_high, hue_delta)
    # out[..., c] = sum_k src[..., k] * matrix[k, c] + offset[c], one plane at a time (a (H*W, 3) @ (3, 3)
    # product or a broadcast over a last axis of 3 is several times slower in numpy)
    planes = [arr[:, :, k].astype(DTYPE) for k in range(_CHANNELS)]
    out, term = np.empty(arr.shape, DTYPE), np.empty(arr.shape[:2], DTYPE)
    for c in range(_CHANNELS):
        plane = out[:, :, c]
        np.multiply(planes[0], matrix[0, c], out=plane)
        for k in range(1, _CHANNELS):
            plane += np.multiply(planes[k], matrix[k, c], out=term)
        plane += offset[c]
    return NDArray(out)


def to_tensor(src):
    """``(H, W, C)`` in [0, 255] -> ``(C, H, W)`` float32 in [0, 1] (``mx.nd.image.to_tensor``).

    Examples
    --------
    >>> to_tensor(np.full((1, 2, 3), 255, np.uint8)).asnumpy()[:, 0, 0].tolist()
    [1.0, 1.0, 1.0]
    """
    arr = _array(src, "to_tensor")
    return NDArray(np.ascontiguousarray(arr.transpose(2, 0, 1), dtype=DTYPE) / DTYPE(_PIXEL_MAX))


def to_normalized_tensor(src, mean, std):
    """``normalize(to_tensor(src), mean, std)`` in one pass: ``(C, H, W)`` float32.

    Examples
    --------
    >>> to_normalized_tensor(np.full((1, 1, 3), 255, np.uint8), (0.5,) * 3, (0.5,) * 3).asnumpy().ravel().tolist()
    [1.0, 1.0, 1.0]
    """
    arr = _array(src, "to_normalized_tensor")
    channels = arr.shape[2]
    std = np.broadcast_to(np.asarray(std, np.float64).ravel(), (channels,))
    scale = (1.0 / (_PIXEL_MAX * std)).astype(DTYPE)
    shift = (np.broadcast_to(np.asarray(mean, np.float64).ravel(), (channels,)) / std).astype(DTYPE)
    out = np.empty((channels,) + arr.shape[:2], DTYPE)
    for c in range(channels):   # plane by plane: far faster than broadcasting over a last axis of 3
        np.multiply(arr[:, :, c], scale[c], out=out[c])
        out[c] -= shift[c]
    return NDArray(out)


def normalize(src, mean, std):
    """``(src - mean) / std`` per channel of a ``(C, H, W)`` tensor (``mx.nd.image.normalize``).

    Examples
    --------
    >>> normalize(np.ones((3, 1, 1), np.float32), (0.5, 0.5, 0.5), (0.5, 0.25, 1.0)).asnumpy().ravel().tolist()
    [1.0, 2.0, 0.5]
    """
    arr = np.asarray(src, DTYPE)
    mean = np.asarray(mean, DTYPE).reshape(-1, 1, 1)
    std = np.asarray(std, DTYPE).reshape(-1, 1, 1)
    return NDArray((arr - mean) / std)
