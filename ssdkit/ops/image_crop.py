"""Crop windows and interpolation choice of MXNet's image helpers, shared by ``mx.image`` and
``gluon.data.vision.transforms``: ``scale_down``, the centre window, the random-size window
(``RandomResizedCrop``), and the interp codes 9 (auto) and 10 (random).

Examples
--------
>>> scale_down((640, 480), (720, 120)), center_window(20, 10, (4, 4))
((640, 106), (8, 3, 4, 4))
"""
import numpy as np

from ..base import MXNetError, get_rng

__all__ = ["scale_down", "center_window", "random_size_window", "resolve_interp", "INTERP_AUTO",
           "INTERP_RANDOM", "RANDOM_SIZE_TRIES"]

INTERP_AUTO, INTERP_RANDOM = 9, 10
_NUM_BASIC_INTERP = 5
#: Attempts at a random-size window before falling back to the centre crop (MXNet's count).
RANDOM_SIZE_TRIES = 10


def resolve_interp(interp, sizes=()):
    """Resolve ``interp`` 9 (auto, from ``sizes = (old_h, old_w, new_h, new_w)``: cubic to enlarge, area to
    shrink, else bilinear) and 10 (random) to an OpenCV code 0..4.

    Examples
    --------
    >>> resolve_interp(9, (10, 10, 20, 20)), resolve_interp(9, (20, 20, 10, 10)), resolve_interp(1)
    (2, 3, 1)
    """
    if interp == INTERP_AUTO:
        if not sizes:
            return 2
        old_h, old_w, new_h, new_w = sizes
        if new_h > old_h and new_w > old_w:
            return 2
        if new_h < old_h and new_w < old_w:
            return 3
        return 1
    if interp == INTERP_RANDOM:
        return int(get_rng().integers(0, _NUM_BASIC_INTERP))
    if interp not in range(_NUM_BASIC_INTERP):
        raise MXNetError(f"imresize: unknown interp method {interp!r}; use 0-4, 9 (auto) or 10 (random)")
    return int(interp)


def scale_down(src_size, size):
    """Shrink a crop ``size = (w, h)`` to fit in ``src_size = (w, h)``, keeping its aspect ratio.

    Examples
    --------
    >>> scale_down((640, 480), (720, 120))
    (640, 106)
    """
    w, h = size
    sw, sh = src_size
    if sh < h:
        w, h = float(w * sh) / h, sh
    if sw < w:
        w, h = sw, float(h * sw) / w
    return int(w), int(h)


def center_window(width, height, size):
    """``(x0, y0, w, h)``: the central window of ``size = (w, h)`` scaled down to fit a width x height image.

    Examples
    --------
    >>> center_window(10, 10, (20, 5))
    (0, 4, 10, 2)
    """
    new_w, new_h = scale_down((width, height), size)
    return int((width - new_w) / 2), int((height - new_h) / 2), new_w, new_h


def random_size_window(width, height, area, ratio, rng=None):
    """``(x0, y0, w, h)`` with a random area fraction in ``area`` and aspect ratio ``w / h`` drawn
    log-uniformly from ``ratio``; ``None`` when ten draws do not fit (callers then crop the centre).

    Examples
    --------
    >>> random_size_window(14, 10, (1.0, 1.0), (1.4, 1.4))
    (0, 0, 14, 10)
    """
    rng = get_rng() if rng is None else rng
    if np.isscalar(area):
        area = (area, 1.0)
    for _ in range(RANDOM_SIZE_TRIES):
        target = rng.uniform(area[0], area[1]) * height * width
        new_ratio = np.exp(rng.uniform(np.log(ratio[0]), np.log(ratio[1])))
        new_w = int(round(np.sqrt(target * new_ratio)))
        new_h = int(round(np.sqrt(target / new_ratio)))
        if new_w <= width and new_h <= height:
            x0 = int(rng.integers(0, width - new_w + 1))
            y0 = int(rng.integers(0, height - new_h + 1))
            return x0, y0, new_w, new_h
    return None
