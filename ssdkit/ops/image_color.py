"""MXNet 1.9.1's colour image ops on one ``(H, W, C)`` image (C 1 or 3): random brightness, contrast,
saturation, hue, colour jitter, and AlexNet-style PCA lighting.

The arithmetic is MXNet's CPU code, float32 step by step, including its quirks: contrast takes the grey
mean with a running float32 sum; saturation's "grey" is only ``0.114 * blue`` (MXNet assigns instead of
accumulating); hue goes through HLS; uint8 results are clipped then truncated. Factors are drawn from
``mx.random`` (:func:`ssdkit.base.get_rng`), so values differ from MXNet's draws but not their ranges.
Gradients pass through unchanged (MXNet's ``_copy`` rule).

Examples
--------
>>> img = np.array([[[200, 100, 50]]], np.uint8)
>>> adjust_brightness(img, 1.5).tolist(), adjust_lighting(img, (0.0, 0.0, 0.0)).tolist()
([[[255, 150, 75]]], [[[200, 100, 50]]])
"""
import numpy as np

from ..base import get_rng
from .image import _PassThroughGradient, saturate
from .registry import Param, register

__all__ = ["adjust_brightness", "adjust_contrast", "adjust_saturation", "adjust_hue", "adjust_lighting",
           "color_jitter", "LUMA_COEF", "PCA_EIG"]

#: ITU-R 601 luma weights MXNet's contrast/saturation use.
LUMA_COEF = np.array([0.299, 0.587, 0.114], np.float32)
#: AlexNet PCA: eigenvalue * eigenvector, rows R, G, B (products in double, stored as float, as MXNet).
PCA_EIG = np.array([[55.46 * -0.5675, 4.794 * 0.7192, 1.148 * 0.4009],
                    [55.46 * -0.5808, 4.794 * -0.0045, 1.148 * -0.8140],
                    [55.46 * -0.5836, 4.794 * -0.6948, 1.148 * 0.4203]]).astype(np.float32)
_F = np.float32
#: HLS -> RGB: which of (p2, p1, rising, falling) each of b, g, r takes in the six hue sectors.
_HLS_SECTORS = np.array([[1, 3, 0], [1, 0, 2], [3, 0, 1], [0, 2, 1], [0, 1, 3], [2, 1, 0]])


def adjust_brightness(img, alpha):
    """``img * alpha``.

    Examples
    --------
    >>> adjust_brightness(np.array([[[10.0]]], np.float32), 0.5).tolist()
    [[[5.0]]]
    """
    return saturate(img.astype(_F) * _F(alpha), img.dtype)


def adjust_contrast(img, alpha):
    """``img * alpha + (1 - alpha) * mean grey`` (grey mean over the image, a running float32 sum).

    Examples
    --------
    >>> adjust_contrast(np.array([[[0.0]], [[10.0]]], np.float32), 0.0).ravel().tolist()
    [5.0, 5.0]
    """
    length = img.shape[0] * img.shape[1]
    values = img.astype(_F)
    terms = (values * LUMA_COEF).ravel() if img.shape[2] > 1 else values.ravel()
    total = np.add.accumulate(terms, dtype=_F)[-1] if terms.size else _F(0)
    beta = (_F(1) - _F(alpha)) * (total / _F(length))
    return saturate(values * _F(alpha) + beta, img.dtype)


def adjust_saturation(img, alpha):
    """MXNet's saturation blend: ``img * alpha + (1 - alpha) * 0.114 * blue`` (its grey is only blue).

    Examples
    --------
    >>> adjust_saturation(np.array([[[100.0, 0.0, 50.0]]], np.float32), 0.0).ravel().tolist()
    [5.699999809265137, 5.699999809265137, 5.699999809265137]
    """
    if img.shape[2] == 1:
        return img.copy()
    values = img.astype(_F)
    grey = (values[..., 2:3] * LUMA_COEF[2]) * (_F(1) - _F(alpha))
    return saturate(grey + values * _F(alpha), img.dtype)


def _rgb_to_hls(r, g, b):
    r, g, b = r / _F(255), g / _F(255), b / _F(255)
    vmax = np.fmax(np.fmax(r, g), b)
    vmin = np.fmin(np.fmin(r, g), b)
    diff = vmax - vmin
    light = (vmax + vmin) * _F(0.5)
    colour = diff > np.finfo(np.float32).eps
    with np.errstate(divide="ignore", invalid="ignore"):
        sat = np.where(light < _F(0.5), diff / (vmax + vmin), diff / ((_F(2) - vmax) - vmin))
        scale = _F(60) / diff
        hue = np.where(vmax == r, (g - b) * scale,
                       np.where(vmax == g, (b - r) * scale + _F(120), (r - g) * scale + _F(240)))
    hue = np.where(hue < 0, hue + _F(360), hue)
    return (np.where(colour, hue, _F(0)).astype(_F), light.astype(_F), np.where(colour, sat, _F(0)).astype(_F))


def _hls_to_rgb(hue, light, sat):
    p2 = np.where(light <= _F(0.5), light * (_F(1) + sat), (light + sat) - light * sat).astype(_F)
    p1 = _F(2) * light - p2
    h = (hue * _F(1.0 / 60.0)).astype(_F)
    while (h < 0).any():
        h = np.where(h < 0, h + _F(6), h)
    while (h >= 6).any():
        h = np.where(h >= 6, h - _F(6), h)
    sector = h.astype(np.int64)
    h = h - sector.astype(_F)
    table = np.stack([p2, p1, p1 + (p2 - p1) * (_F(1) - h), p1 + (p2 - p1) * h])
    picks = _HLS_SECTORS[sector]           # (..., 3): the table row for b, g, r
    b, g, r = (np.take_along_axis(table, picks[None, ..., k], 0)[0] for k in range(3))
    grey = sat == 0
    return [np.where(grey, light, c) * _F(255) for c in (r, g, b)]


def adjust_hue(img, alpha):
    """Rotate hue by ``alpha * 360`` degrees in HLS space (grey images are returned unchanged).

    Examples
    --------
    >>> adjust_hue(np.array([[[255, 0, 0]]], np.uint8), 1.0 / 3).tolist()
    [[[0, 255, 0]]]
    """
    if img.shape[2] == 1:
        return img.copy()
    values = img.astype(_F)
    hue, light, sat = _rgb_to_hls(values[..., 0], values[..., 1], values[..., 2])
    hue = hue + _F(alpha) * _F(360)
    return saturate(np.stack(_hls_to_rgb(hue, light, sat), axis=-1), img.dtype)


def adjust_lighting(img, alpha):
    """Add the AlexNet PCA colour offset ``PCA_EIG @ alpha`` to every pixel (grey images unchanged).

    Examples
    --------
    >>> adjust_lighting(np.zeros((1, 1, 3), np.float32), (0.1, 0.0, 0.0)).round(3).tolist()
    [[[-3.147, -3.221, -3.237]]]
    """
    if img.shape[2] == 1:
        return img.copy()
    a = np.asarray(alpha, _F)
    offset = PCA_EIG[:, 0] * a[0] + PCA_EIG[:, 1] * a[1] + PCA_EIG[:, 2] * a[2]
    return saturate(img.astype(_F) + offset, img.dtype)


def color_jitter(img, brightness, contrast, saturation, hue, rng=None):
    """Brightness, contrast, saturation and hue jitter in a random order; zero amounts are skipped.

    Examples
    --------
    >>> color_jitter(np.full((2, 2, 3), 9, np.uint8), 0, 0, 0, 0).ravel().tolist() == [9] * 12
    True
    """
    rng = get_rng() if rng is None else rng
    out = img
    for step in rng.permutation(4):
        if step == 0 and brightness > 0:
            out = adjust_brightness(out, 1.0 + _F(rng.uniform(-brightness, brightness)))
        elif step == 1 and contrast > 0:
            out = adjust_contrast(out, 1.0 + _F(rng.uniform(-contrast, contrast)))
        elif step == 2 and saturation > 0:
            out = adjust_saturation(out, _F(1) + _F(rng.uniform(-saturation, saturation)))
        elif step == 3 and hue > 0:
            out = adjust_hue(out, _F(rng.uniform(-hue, hue)))
    return out.copy() if out is img else out


class _RandomEnhance(_PassThroughGradient):
    """Draw a factor in ``[min_factor, max_factor]`` and apply ``adjust``."""
    params = {"min_factor": Param("float"), "max_factor": Param("float")}
    adjust = None
    random = True

    def forward(self, p, inputs, is_train):
        alpha = _F(get_rng().uniform(p.min_factor, p.max_factor))
        return [type(self).adjust(inputs[0], alpha)], None


@register
class _image_random_brightness(_RandomEnhance):
    adjust = staticmethod(adjust_brightness)


@register
class _image_random_contrast(_RandomEnhance):
    adjust = staticmethod(adjust_contrast)


@register
class _image_random_saturation(_RandomEnhance):
    adjust = staticmethod(adjust_saturation)


@register
class _image_random_hue(_RandomEnhance):
    adjust = staticmethod(adjust_hue)


@register
class _image_random_color_jitter(_PassThroughGradient):
    params = {"brightness": Param("float"), "contrast": Param("float"), "saturation": Param("float"),
              "hue": Param("float")}
    random = True

    def forward(self, p, inputs, is_train):
        return [color_jitter(inputs[0], p.brightness, p.contrast, p.saturation, p.hue)], None


@register
class _image_adjust_lighting(_PassThroughGradient):
    params = {"alpha": Param("floats")}

    def forward(self, p, inputs, is_train):
        return [adjust_lighting(inputs[0], p.alpha)], None


@register
class _image_random_lighting(_PassThroughGradient):
    params = {"alpha_std": Param("float", 0.05)}
    random = True

    def forward(self, p, inputs, is_train):
        alpha = get_rng().normal(0.0, p.alpha_std, 3).astype(_F)
        return [adjust_lighting(inputs[0], alpha)], None
