"""Image functions of ``mx.image`` on ``(H, W, C)`` NDArrays: decode, read, resize, crop, pad, normalize.

MXNet calls OpenCV for these. :func:`imresize` (so :func:`resize_short` too), ``mx.nd.image.resize`` and
the ``gluon.data.vision.transforms`` resize with :mod:`ssdkit.ops.cv_resize`, OpenCV's exact arithmetic,
so their pixels equal MXNet's. The crop-and-resize helpers and augmenters (:func:`resize_array`) use
Pillow, 2-3 times faster on this data path; sizes, crop windows and the meaning of every argument match
MXNet, but resampled pixel values differ slightly from OpenCV's: Pillow's bilinear/bicubic filters widen
(antialias) when shrinking, where OpenCV samples. ``interp`` codes follow OpenCV:
0 nearest, 1 bilinear, 2 bicubic, 3 area, 4 Lanczos, 9 auto (cubic up, area down, else bilinear),
10 random. Randomness comes from ``mx.random`` (:func:`ssdkit.base.get_rng`).

Examples
--------
>>> import numpy as np
>>> import ssdkit as mx
>>> img = mx.nd.array(np.arange(48).reshape(4, 4, 3), dtype="uint8")
>>> imresize(img, 2, 3).shape, fixed_crop(img, 1, 0, 2, 3).shape
((3, 2, 3), (3, 2, 3))
>>> center_crop(img, (2, 2))[1]
(1, 1, 2, 2)
"""
import numpy as np

from ..base import DTYPE, MXNetError, get_rng
from ..gluon.data.vision.imageio import decode_image, read_image
from ..ndarray import NDArray
from ..util import is_np_array
from ..ops.cv_resize import cv_resize
from ..ops.image_crop import (INTERP_AUTO, INTERP_RANDOM, center_window, random_size_window, scale_down,
                               resolve_interp as _get_interp_method)

__all__ = ["imread", "imdecode", "imresize", "scale_down", "copyMakeBorder", "resize_short", "fixed_crop",
           "random_crop", "center_crop", "color_normalize", "random_size_crop", "resize_array", "normalize_channels", "filled",
           "INTERP_AUTO", "INTERP_RANDOM"]

#: OpenCV border types of copyMakeBorder -> numpy.pad modes (0 is constant).
_BORDER_MODES = {1: "symmetric", 2: "reflect", 3: "edge", 4: "wrap"}


def _pil_filter(interp):
    from PIL import Image

    return (Image.Resampling.NEAREST, Image.Resampling.BILINEAR, Image.Resampling.BICUBIC,
            Image.Resampling.BOX, Image.Resampling.LANCZOS)[interp]


def _as_image(src, op):
    arr = np.asarray(src)
    if arr.ndim != 3:
        raise MXNetError(f"{op}: expects an (H, W, C) image, got shape {arr.shape}")
    return arr


def resize_array(arr, w, h, interp=1, box=None):
    """Resize an ``(H, W, C)`` numpy image to ``(h, w, C)``; uint8 stays uint8, anything else becomes float32.

    Parameters
    ----------
    arr : numpy.ndarray, (H, W, C)
    w, h : int
        Output width and height.
    interp : int
        OpenCV code (see module docstring); 9 and 10 are resolved here.
    box : (x0, y0, x1, y1), optional
        Source window to resample (crop and resize in one pass).

    Returns
    -------
    numpy.ndarray, (h, w, C)

    Examples
    --------
    >>> resize_array(np.zeros((4, 6, 3), np.uint8), 3, 2).shape
    (2, 3, 3)
    >>> float(resize_array(np.ones((4, 4, 2), np.float32), 8, 8, interp=0)[..., 1].mean())
    1.0
    """
    from PIL import Image

    w, h = int(w), int(h)
    if w <= 0 or h <= 0:
        raise MXNetError(f"imresize: output size must be positive, got w={w}, h={h}")
    height, width, channels = arr.shape
    if height == 0 or width == 0:
        raise MXNetError(f"imresize: cannot resize an empty image of shape {arr.shape}")
    box = (0, 0, width, height) if box is None else tuple(box)
    x0, y0, x1, y1 = box
    resample = _pil_filter(_get_interp_method(interp, (y1 - y0, x1 - x0, h, w)))
    if arr.dtype == np.uint8 and channels in (1, 3, 4):
        mode = {1: "L", 3: "RGB", 4: "RGBA"}[channels]
        pil = Image.fromarray(np.ascontiguousarray(arr[:, :, 0] if channels == 1 else arr), mode)
        out = np.asarray(pil.resize((w, h), resample, box=box))
        return out[:, :, None] if channels == 1 else out
    planes = [np.asarray(Image.fromarray(np.ascontiguousarray(arr[:, :, c], dtype=np.float32), "F")
                         .resize((w, h), resample, box=box)) for c in range(channels)]
    return np.stack(planes, axis=2)


def _mode_array(data):
    # MXNet's imread/imdecode/imresize give mx.np arrays under npx.set_np()
    array = NDArray(data)
    return array.as_np_ndarray() if is_np_array() else array


def imresize(src, w, h, interp=1, out=None):
    """Resize an image to width ``w`` and height ``h``.

    Parameters
    ----------
    src : NDArray, (H, W, C)
    w, h : int
    interp : int, default 1 (bilinear)
    out : NDArray, optional
        Receives the result.

    Returns
    -------
    NDArray, (h, w, C); uint8, float32 and float64 keep their dtype and get OpenCV's exact pixels
    (:func:`ssdkit.ops.cv_resize.cv_resize`, as MXNet's ``cv::resize``); other dtypes are resampled by
    Pillow and become float32

    Examples
    --------
    >>> import ssdkit as mx
    >>> float(imresize(mx.nd.ones((4, 4, 3)), 2, 2).asnumpy().mean())
    1.0
    """
    arr = _as_image(src, "imresize")
    if arr.dtype in (np.uint8, np.float32, np.float64):   # OpenCV's arithmetic, equal to MXNet's pixels
        height, width = arr.shape[:2]
        result = cv_resize(arr, w, h, _get_interp_method(interp, (height, width, int(h), int(w))))
    else:
        result = resize_array(arr, w, h, interp)
    result = _mode_array(result)
    if out is not None:
        return result.copyto(out)
    return result


def imdecode(buf, flag=1, to_rgb=True, out=None):
    """Decode an encoded image (bytes, bytearray, uint8 numpy array or NDArray) into an NDArray.

    Parameters
    ----------
    buf : bytes, bytearray, numpy.ndarray or NDArray
    flag : {1, 0}
        1: colour ``(H, W, 3)``; 0: grey ``(H, W, 1)``.
    to_rgb : bool
        RGB order (MXNet default) or BGR.
    out : NDArray, optional

    Returns
    -------
    NDArray, uint8

    Examples
    --------
    >>> import io
    >>> from PIL import Image
    >>> png = io.BytesIO(); Image.new("RGBA", (3, 2), (1, 2, 3, 4)).save(png, "PNG")
    >>> imdecode(png.getvalue()).asnumpy()[0, 0].tolist(), imdecode(png.getvalue(), to_rgb=False).shape
    ([1, 2, 3], (2, 3, 3))
    """
    if isinstance(buf, NDArray):
        buf = np.asarray(buf).astype(np.uint8).tobytes()
    result = _mode_array(decode_image(buf, flag, to_rgb, where="buffer"))
    return result.copyto(out) if out is not None else result


def imread(filename, flag=1, to_rgb=True, out=None):
    """Read and decode an image file into an NDArray (see :func:`imdecode`).

    Examples
    --------
    >>> import os, tempfile
    >>> from PIL import Image
    >>> path = os.path.join(tempfile.mkdtemp(), "g.png"); Image.new("L", (4, 2), 9).save(path)
    >>> imread(path).shape, imread(path, 0).shape
    ((2, 4, 3), (2, 4, 1))
    """
    result = _mode_array(read_image(filename, flag, to_rgb))
    return result.copyto(out) if out is not None else result


def copyMakeBorder(src, top, bot, left, right, type=0, value=0.0, values=()):  # noqa: A002,N802 - MXNet's names
    """Pad an image: ``type`` 0 constant (``values`` per channel, or ``value``), 1 reflect, 2 reflect-101,
    3 replicate, 4 wrap (OpenCV's border types).

    Examples
    --------
    >>> import ssdkit as mx
    >>> out = copyMakeBorder(mx.nd.zeros((1, 1, 3)), 1, 0, 0, 2, values=(5, 6, 7))
    >>> out.shape, out.asnumpy()[0, 0].tolist()
    ((2, 3, 3), [5.0, 6.0, 7.0])
    """
    arr = _as_image(src, "copyMakeBorder")
    widths = ((int(top), int(bot)), (int(left), int(right)), (0, 0))
    if min(min(w) for w in widths) < 0:
        raise MXNetError(f"copyMakeBorder: margins must be non-negative, got {widths[:2]}")
    if type == 0:
        out = filled((arr.shape[0] + top + bot, arr.shape[1] + left + right, arr.shape[2]), arr.dtype,
                     values if len(values) else value, "copyMakeBorder")
        out[top:top + arr.shape[0], left:left + arr.shape[1]] = arr
        return NDArray(out)
    if type not in _BORDER_MODES:
        raise MXNetError(f"copyMakeBorder: unknown border type {type!r}; use 0-4")
    return NDArray(np.pad(arr, widths, mode=_BORDER_MODES[type]))


def filled(shape, dtype, fill, op="fill"):
    """A new ``(H, W, C)`` array holding ``fill`` (one value, or one per channel), written plane by plane.

    Examples
    --------
    >>> filled((1, 2, 3), np.uint8, (1, 2, 3))[0, 1].tolist(), filled((1, 1, 2), np.float32, 5)[0, 0].tolist()
    ([1, 2, 3], [5.0, 5.0])
    """
    values = np.asarray(fill, dtype).ravel()
    if values.size not in (1, shape[-1]):
        raise MXNetError(f"{op}: fill has {values.size} values for an image with {shape[-1]} channels")
    values = np.broadcast_to(values, (shape[-1],))
    out = np.empty(shape, dtype)
    for c, value in enumerate(values):   # plane by plane: broadcasting over a last axis of 3 is slow in numpy
        out[..., c] = value
    return out


def resize_short(src, size, interp=2):
    """Resize so the shorter edge is ``size`` (the longer edge keeps the aspect ratio, rounded down).

    Examples
    --------
    >>> import ssdkit as mx
    >>> resize_short(mx.nd.zeros((40, 60, 3)), 20).shape
    (20, 30, 3)
    """
    h, w, _ = _as_image(src, "resize_short").shape
    new_h, new_w = (size * h // w, size) if h > w else (size, size * w // h)
    return imresize(src, new_w, new_h, interp=_get_interp_method(interp, (h, w, new_h, new_w)))


def fixed_crop(src, x0, y0, w, h, size=None, interp=2):
    """Crop ``src[y0:y0+h, x0:x0+w]`` and optionally resize it to ``size = (w, h)``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> fixed_crop(mx.nd.zeros((10, 10, 3)), 2, 3, 4, 5, size=(8, 8)).shape
    (8, 8, 3)
    """
    arr = _as_image(src, "fixed_crop")
    x0, y0, w, h = int(x0), int(y0), int(w), int(h)
    if size is not None and (w, h) != tuple(size):
        sizes = (h, w, size[1], size[0])
        return NDArray(resize_array(arr, size[0], size[1], _get_interp_method(interp, sizes),
                                    box=(x0, y0, x0 + w, y0 + h)))
    return NDArray(arr[y0:y0 + h, x0:x0 + w])


def random_crop(src, size, interp=2):
    """Crop a random window of ``size = (w, h)`` (scaled down to fit, then resized back to ``size``).

    Returns
    -------
    NDArray and (x0, y0, w, h) of the window in ``src``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> out, (x0, y0, w, h) = random_crop(mx.nd.zeros((10, 10, 3)), (4, 6)); out.shape, w, h
    ((6, 4, 3), 4, 6)
    """
    h, w, _ = _as_image(src, "random_crop").shape
    new_w, new_h = scale_down((w, h), size)
    rng = get_rng()
    x0 = int(rng.integers(0, w - new_w + 1))
    y0 = int(rng.integers(0, h - new_h + 1))
    return fixed_crop(src, x0, y0, new_w, new_h, size, interp), (x0, y0, new_w, new_h)


def center_crop(src, size, interp=2):
    """Crop the central window of ``size = (w, h)`` (scaled down to fit, then resized back to ``size``).

    Returns
    -------
    NDArray and (x0, y0, w, h)

    Examples
    --------
    >>> import ssdkit as mx
    >>> center_crop(mx.nd.zeros((10, 20, 3)), (4, 4))[1]
    (8, 3, 4, 4)
    """
    h, w, _ = _as_image(src, "center_crop").shape
    x0, y0, new_w, new_h = center_window(w, h, size)
    return fixed_crop(src, x0, y0, new_w, new_h, size, interp), (x0, y0, new_w, new_h)


def color_normalize(src, mean, std=None):
    """``(src - mean) / std`` per channel, in float32.

    Examples
    --------
    >>> import ssdkit as mx
    >>> color_normalize(mx.nd.full((1, 1, 3), 10), mx.nd.array([1, 2, 3]), mx.nd.array([3, 4, 7])).asnumpy()
    array([[[3., 2., 1.]]], dtype=float32)
    """
    return NDArray(normalize_channels(np.asarray(src), mean, std))


def normalize_channels(arr, mean=None, std=None):
    """``(arr - mean) / std`` of an ``(H, W, C)`` array as a new float32 array, one channel plane at a time
    (numpy is several times slower broadcasting over a last axis of length 3).

    Parameters
    ----------
    arr : numpy.ndarray, (H, W, C)
    mean, std : array_like of 1 or C values, or None

    Examples
    --------
    >>> normalize_channels(np.full((1, 2, 3), 10, np.uint8), [1, 2, 3], [3]).tolist()
    [[[3.0, 2.6666667461395264, 2.3333332538604736], [3.0, 2.6666667461395264, 2.3333332538604736]]]
    """
    out = arr.astype(DTYPE)
    channels = out.shape[-1]
    mean = None if mean is None else np.broadcast_to(np.asarray(mean, DTYPE).ravel(), (channels,))
    std = None if std is None else np.broadcast_to(np.asarray(std, DTYPE).ravel(), (channels,))
    for c in range(channels):
        plane = out[..., c]
        if mean is not None:
            plane -= mean[c]
        if std is not None:
            plane /= std[c]
    return out


def random_size_crop(src, size, area, ratio, interp=2, **kwargs):
    """Crop a window of random area fraction and aspect ratio, resized to ``size``; center crop after 10 misses.

    Parameters
    ----------
    src : NDArray, (H, W, C)
    size : (int, int)
        Output (w, h).
    area : float or (float, float)
        Area fraction range (a single value means ``(area, 1)``).
    ratio : (float, float)
        Aspect ratio (w / h) range, sampled log-uniformly.

    Returns
    -------
    NDArray and (x0, y0, w, h)

    Examples
    --------
    >>> import ssdkit as mx
    >>> random_size_crop(mx.nd.zeros((20, 20, 3)), (5, 5), 0.5, (0.75, 1.33))[0].shape
    (5, 5, 3)
    """
    if "min_area" in kwargs:
        area = kwargs.pop("min_area")
    if kwargs:
        raise MXNetError(f"random_size_crop: unexpected arguments {sorted(kwargs)}")
    h, w, _ = _as_image(src, "random_size_crop").shape
    window = random_size_window(w, h, area, ratio)
    if window is None:
        return center_crop(src, size, interp)
    return fixed_crop(src, *window, size, interp), window
