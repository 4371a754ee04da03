"""Rotation of float32 ``(C, H, W)`` / ``(N, C, H, W)`` images about their centre with bilinear sampling
(``BilinearSampler``, zero outside), as MXNet 1.9.1's ``mx.image.imrotate`` / ``random_rotate`` and the
``Rotate`` / ``RandomRotation`` transforms. ``zoom_in`` scales so no empty corner shows; ``zoom_out`` so the
whole rotated image fits.

Examples
--------
>>> import ssdkit as mx
>>> img = mx.nd.array([[[0, 1], [2, 3]]])
>>> imrotate(img, 180).asnumpy().ravel().tolist()
[3.0, 2.0, 1.0, 0.0]
"""
from numbers import Number

import numpy as np

from ..... import ndarray as nd
from .....base import get_rng
from ....block import Block

__all__ = ["imrotate", "random_rotate", "Rotate", "RandomRotation"]


def imrotate(src, rotation_degrees, zoom_in=False, zoom_out=False):
    """Rotate ``src`` (float32 ``(C, H, W)`` or ``(N, C, H, W)``) counter-clockwise by ``rotation_degrees``
    (a number, or one per image as an NDArray).

    Examples
    --------
    >>> import ssdkit as mx
    >>> imrotate(mx.nd.ones((2, 3, 3, 4)), mx.nd.array([90, 45]), zoom_in=True).shape
    (2, 3, 3, 4)
    """
    if zoom_in and zoom_out:
        raise ValueError("`zoom_in` and `zoom_out` cannot be both True")
    if src.dtype is not np.float32:
        raise TypeError("Only `float32` images are supported by this function")
    expanded = src.ndim == 3
    if expanded:
        src = src.expand_dims(axis=0)
        if not isinstance(rotation_degrees, Number):
            raise TypeError("When a single image is passed the rotation angle is required to be a scalar.")
    elif src.ndim != 4:
        raise ValueError("Only 3D and 4D are supported by this function")
    if isinstance(rotation_degrees, Number):
        rotation_degrees = nd.array([rotation_degrees] * len(src))
    if len(src) != len(rotation_degrees):
        raise ValueError("The number of images must be equal to the number of rotation angles")
    radians = (np.pi * rotation_degrees / 180).expand_dims(axis=1).expand_dims(axis=2)
    _, _, h, w = src.shape
    hscale, wscale = float(h - 1) / 2, float(w - 1) / 2
    rows = (nd.repeat(nd.arange(h).astype("float32").reshape(h, 1), w, axis=1) - hscale).expand_dims(axis=0)
    cols = (nd.repeat(nd.arange(w).astype("float32").reshape(1, w), h, axis=0) - wscale).expand_dims(axis=0)
    cos, sin = nd.cos(radians), nd.sin(radians)
    cols_rot = (cols * cos - rows * sin) / wscale
    rows_rot = (cols * sin + rows * cos) / hscale
    scale = 1
    if zoom_in or zoom_out:
        h_arr, w_arr = nd.array([h]), nd.array([w])
        rho = nd.sqrt(h_arr * h_arr + w_arr * w_arr)
        corner = nd.arctan(h_arr / w_arr)
        spread = nd.abs(radians)
        max_x = nd.maximum(nd.abs(rho * nd.cos(corner + spread)), nd.abs(rho * nd.cos(corner - spread)))
        max_y = nd.maximum(nd.abs(rho * nd.sin(corner + spread)), nd.abs(rho * nd.sin(corner - spread)))
        if zoom_out:
            scale = nd.maximum(max_x / w_arr, max_y / h_arr)
        else:
            scale = nd.minimum(w_arr / max_x, h_arr / max_y)
        scale = scale.expand_dims(axis=3)
    grid = nd.concat(cols_rot.expand_dims(axis=1), rows_rot.expand_dims(axis=1), dim=1) * scale
    rotated = nd.BilinearSampler(src, grid)
    return rotated[0] if expanded else rotated


def random_rotate(src, angle_limits, zoom_in=False, zoom_out=False):
    """Rotate by an angle drawn uniformly from ``angle_limits = (low, high)`` (one per image of a batch).

    Examples
    --------
    >>> import ssdkit as mx
    >>> random_rotate(mx.nd.ones((1, 4, 4)), (-10, 10)).shape
    (1, 4, 4)
    """
    if src.ndim == 3:
        degrees = get_rng().uniform(*angle_limits)
    else:
        degrees = nd.array(get_rng().uniform(*angle_limits, size=src.shape[0]))
    return imrotate(src, degrees, zoom_in=zoom_in, zoom_out=zoom_out)


class Rotate(Block):
    """Rotate a float32 ``(C, H, W)`` / ``(N, C, H, W)`` tensor by ``rotation_degrees`` (use after ToTensor).

    Examples
    --------
    >>> import ssdkit as mx
    >>> Rotate(90)(mx.nd.ones((1, 3, 3))).shape
    (1, 3, 3)
    """

    def __init__(self, rotation_degrees, zoom_in=False, zoom_out=False):
        super().__init__()
        self._args = (rotation_degrees, zoom_in, zoom_out)

    def forward(self, x):
        if x.dtype is not np.float32:
            raise TypeError("This transformation only supports float32. Consider calling it after ToTensor")
        return imrotate(x, *self._args)


class RandomRotation(Block):
    """Rotate by a random angle in ``angle_limits`` with probability ``rotate_with_proba``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> float(RandomRotation((-30, 30), rotate_with_proba=0)(mx.nd.ones((1, 3, 3))).asnumpy().min())
    1.0
    """

    def __init__(self, angle_limits, zoom_in=False, zoom_out=False, rotate_with_proba=1.0):
        super().__init__()
        lower, upper = angle_limits
        if lower >= upper:
            raise ValueError("`angle_limits` must be an ordered tuple")
        if rotate_with_proba < 0 or rotate_with_proba > 1:
            raise ValueError("Probability of rotating the image should be between 0 and 1")
        self._args = (angle_limits, zoom_in, zoom_out)
        self._rotate_with_proba = rotate_with_proba

    def forward(self, x):
        if get_rng().random() > self._rotate_with_proba:
            return x
        if x.dtype is not np.float32:
            raise TypeError("This transformation only supports float32. Consider calling it after ToTensor")
        return random_rotate(x, *self._args)
