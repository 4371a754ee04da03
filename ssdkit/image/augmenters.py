"""Image augmenters of ``mx.image``: callables ``aug(src) -> src`` on ``(H, W, C)`` NDArrays.

Random choices come from ``mx.random`` (:func:`ssdkit.base.get_rng`). Colour augmenters work in float32
and return new arrays (MXNet updated ``src`` in place; the returned values are the same).

Examples
--------
>>> import ssdkit as mx
>>> augs = CreateAugmenter((3, 4, 4), rand_mirror=True, mean=True)
>>> [type(a).__name__ for a in augs]
['CenterCropAug', 'HorizontalFlipAug', 'CastAug', 'ColorNormalizeAug']
>>> out = mx.nd.zeros((6, 6, 3), dtype="uint8")
>>> for aug in augs:
...     out = aug(out)
>>> out.shape, out.dtype
((4, 4, 3), <class 'numpy.float32'>)
"""
import json

import numpy as np

from ..base import DTYPE, MXNetError, get_rng
from ..ndarray import NDArray
from .image import center_crop, random_crop, random_size_crop, resize_array, resize_short, _get_interp_method

__all__ = ["Augmenter", "SequentialAug", "RandomOrderAug", "ResizeAug", "ForceResizeAug", "RandomCropAug",
           "RandomSizedCropAug", "CenterCropAug", "BrightnessJitterAug", "ContrastJitterAug",
           "SaturationJitterAug", "HueJitterAug", "ColorJitterAug", "LightingAug", "ColorNormalizeAug",
           "RandomGrayAug", "HorizontalFlipAug", "CastAug", "CreateAugmenter",
           "IMAGENET_MEAN", "IMAGENET_STD", "PCA_EIGVAL", "PCA_EIGVEC"]

#: RGB mean and std of ImageNet in [0, 255] (``mean=True`` / ``std=True``).
IMAGENET_MEAN = (123.68, 116.28, 103.53)
IMAGENET_STD = (58.395, 57.12, 57.375)
#: Eigen-decomposition of ImageNet's RGB covariance, for PCA lighting noise.
PCA_EIGVAL = (55.46, 4.794, 1.148)
PCA_EIGVEC = ((-0.5675, 0.7192, 0.4009), (-0.5808, -0.0045, -0.8140), (-0.5836, -0.6948, 0.4203))
#: ITU-R 601 luma weights.
LUMA = np.array([0.299, 0.587, 0.114], DTYPE)
_YIQ = np.array([[0.299, 0.587, 0.114], [0.596, -0.274, -0.321], [0.211, -0.523, 0.311]])
_YIQ_INVERSE = np.array([[1.0, 0.956, 0.621], [1.0, -0.272, -0.647], [1.0, -1.107, 1.705]])
_GRAY_MIX = np.array([[0.21, 0.21, 0.21], [0.72, 0.72, 0.72], [0.07, 0.07, 0.07]], DTYPE)


def _float(src):
    return np.asarray(src).astype(DTYPE, copy=False)


class Augmenter:
    """Base class: stores its keyword arguments so :meth:`dumps` can describe it.

    Examples
    --------
    >>> CastAug().dumps()
    '["castaug", {"type": "float32"}]'
    """

    def __init__(self, **kwargs):
        self._kwargs = {k: (np.asarray(v).tolist() if isinstance(v, (np.ndarray, NDArray)) else v)
                        for k, v in kwargs.items()}

    def dumps(self):
        """JSON ``[name, kwargs]`` of this augmenter."""
        return json.dumps([type(self).__name__.lower(), self._kwargs])

    def __call__(self, src):
        raise MXNetError(f"{type(self).__name__} must define __call__(src)")


class SequentialAug(Augmenter):
    """Apply augmenters in order.

    Examples
    --------
    >>> import ssdkit as mx
    >>> float(SequentialAug([CastAug(), ColorNormalizeAug(1, None)])(mx.nd.ones((1, 1, 3))).asnumpy().sum())
    0.0
    """

    def __init__(self, ts):
        super().__init__()
        self.ts = ts

    def dumps(self):
        """Names and arguments of every member."""
        return [type(self).__name__.lower(), [t.dumps() for t in self.ts]]

    def __call__(self, src):
        for aug in self.ts:
            src = aug(src)
        return src


class RandomOrderAug(SequentialAug):
    """Apply augmenters in a random order (redrawn per call).

    Examples
    --------
    >>> import ssdkit as mx
    >>> RandomOrderAug([CastAug()])(mx.nd.ones((1, 1, 3))).dtype
    <class 'numpy.float32'>
    """

    def __call__(self, src):
        for i in get_rng().permutation(len(self.ts)):
            src = self.ts[i](src)
        return src


class ResizeAug(Augmenter):
    """Resize the shorter edge to ``size``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> ResizeAug(4)(mx.nd.zeros((8, 16, 3))).shape
    (4, 8, 3)
    """

    def __init__(self, size, interp=2):
        super().__init__(size=size, interp=interp)
        self.size, self.interp = size, interp

    def __call__(self, src):
        return resize_short(src, self.size, self.interp)


class ForceResizeAug(Augmenter):
    """Resize to ``size = (w, h)`` regardless of aspect ratio.

    Examples
    --------
    >>> import ssdkit as mx
    >>> ForceResizeAug((5, 3))(mx.nd.zeros((8, 16, 3), dtype="uint8")).shape
    (3, 5, 3)
    """

    def __init__(self, size, interp=2):
        super().__init__(size=size, interp=interp)
        self.size, self.interp = tuple(size), interp

    def __call__(self, src):
        arr = np.asarray(src)
        if arr.shape[1::-1] == self.size:
            return src
        sizes = (arr.shape[0], arr.shape[1], self.size[1], self.size[0])
        return NDArray(resize_array(arr, self.size[0], self.size[1], _get_interp_method(self.interp, sizes)))


class RandomCropAug(Augmenter):
    """Random crop of ``size = (w, h)``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> RandomCropAug((2, 3))(mx.nd.zeros((8, 8, 3))).shape
    (3, 2, 3)
    """

    def __init__(self, size, interp=2):
        super().__init__(size=size, interp=interp)
        self.size, self.interp = size, interp

    def __call__(self, src):
        return random_crop(src, self.size, self.interp)[0]


class RandomSizedCropAug(Augmenter):
    """Random crop with random area fraction and aspect ratio, resized to ``size``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> RandomSizedCropAug((4, 4), 0.3, (0.75, 1.33))(mx.nd.zeros((16, 16, 3))).shape
    (4, 4, 3)
    """

    def __init__(self, size, area, ratio, interp=2, **kwargs):
        area = kwargs.pop("min_area", area)
        if kwargs:
            raise MXNetError(f"RandomSizedCropAug: unexpected arguments {sorted(kwargs)}")
        super().__init__(size=size, area=area, ratio=ratio, interp=interp)
        self.size, self.area, self.ratio, self.interp = size, area, ratio, interp

    def __call__(self, src):
        return random_size_crop(src, self.size, self.area, self.ratio, self.interp)[0]


class CenterCropAug(Augmenter):
    """Center crop of ``size = (w, h)``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> CenterCropAug((2, 2))(mx.nd.zeros((8, 8, 3))).shape
    (2, 2, 3)
    """

    def __init__(self, size, interp=2):
        super().__init__(size=size, interp=interp)
        self.size, self.interp = size, interp

    def __call__(self, src):
        return center_crop(src, self.size, self.interp)[0]


class BrightnessJitterAug(Augmenter):
    """Multiply by ``1 + U(-brightness, brightness)``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> float(BrightnessJitterAug(0.0)(mx.nd.ones((1, 1, 3))).asnumpy().max())
    1.0
    """

    def __init__(self, brightness):
        super().__init__(brightness=brightness)
        self.brightness = brightness

    def __call__(self, src):
        alpha = 1.0 + get_rng().uniform(-self.brightness, self.brightness)
        return NDArray(_float(src) * DTYPE(alpha))


class ContrastJitterAug(Augmenter):
    """Blend with the image's mean luminance: ``alpha * src + (1 - alpha) * mean_gray``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> float(ContrastJitterAug(0.5)(mx.nd.full((2, 2, 3), 7.0)).asnumpy().round(4).max())
    7.0
    """

    def __init__(self, contrast):
        super().__init__(contrast=contrast)
        self.contrast = contrast

    def __call__(self, src):
        alpha = DTYPE(1.0 + get_rng().uniform(-self.contrast, self.contrast))
        arr = _float(src)
        gray = (DTYPE(1) - alpha) * (arr @ LUMA).mean(dtype=DTYPE)
        return NDArray(arr * alpha + gray)


class SaturationJitterAug(Augmenter):
    """Blend each pixel with its own luminance: ``alpha * src + (1 - alpha) * gray``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> SaturationJitterAug(0.5)(mx.nd.full((1, 1, 3), 4.0)).asnumpy().round(4).tolist()
    [[[4.0, 4.0, 4.0]]]
    """

    def __init__(self, saturation):
        super().__init__(saturation=saturation)
        self.saturation = saturation

    def __call__(self, src):
        alpha = DTYPE(1.0 + get_rng().uniform(-self.saturation, self.saturation))
        arr = _float(src)
        gray = (arr @ LUMA)[:, :, None] * (DTYPE(1) - alpha)
        return NDArray(arr * alpha + gray)


def hue_matrix(alpha):
    """RGB -> RGB matrix rotating hue by ``alpha * pi`` in YIQ space (right-multiply pixels by it).

    Examples
    --------
    >>> np.allclose(hue_matrix(0.0), np.eye(3), atol=2e-3)
    True
    """
    u, w = np.cos(alpha * np.pi), np.sin(alpha * np.pi)
    rotation = np.array([[1.0, 0.0, 0.0], [0.0, u, -w], [0.0, w, u]])
    return (_YIQ_INVERSE @ rotation @ _YIQ).T.astype(DTYPE)


class HueJitterAug(Augmenter):
    """Rotate hue by ``U(-hue, hue) * pi`` (linear approximation in YIQ space, as MXNet).

    Examples
    --------
    >>> import ssdkit as mx
    >>> HueJitterAug(0.1)(mx.nd.zeros((2, 2, 3))).shape
    (2, 2, 3)
    """

    def __init__(self, hue):
        super().__init__(hue=hue)
        self.hue = hue

    def __call__(self, src):
        return NDArray(_float(src) @ hue_matrix(get_rng().uniform(-self.hue, self.hue)))


class ColorJitterAug(RandomOrderAug):
    """Brightness, contrast and saturation jitter (those that are non-zero) in random order.

    Examples
    --------
    >>> len(ColorJitterAug(0.1, 0, 0.2).ts)
    2
    """

    def __init__(self, brightness, contrast, saturation):
        ts = []
        if brightness > 0:
            ts.append(BrightnessJitterAug(brightness))
        if contrast > 0:
            ts.append(ContrastJitterAug(contrast))
        if saturation > 0:
            ts.append(SaturationJitterAug(saturation))
        super().__init__(ts)


class LightingAug(Augmenter):
    """AlexNet-style PCA lighting noise: add ``eigvec @ (alpha * eigval)``, ``alpha ~ N(0, alphastd)``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> LightingAug(0.0, PCA_EIGVAL, PCA_EIGVEC)(mx.nd.ones((1, 1, 3))).asnumpy().tolist()
    [[[1.0, 1.0, 1.0]]]
    """

    def __init__(self, alphastd, eigval, eigvec):
        super().__init__(alphastd=alphastd, eigval=np.asarray(eigval), eigvec=np.asarray(eigvec))
        self.alphastd = alphastd
        self.eigval = np.asarray(eigval, np.float64)
        self.eigvec = np.asarray(eigvec, np.float64)

    def __call__(self, src):
        alpha = get_rng().normal(0, self.alphastd, size=(3,))
        return NDArray(_float(src) + ((self.eigvec * alpha) @ self.eigval).astype(DTYPE))


class ColorNormalizeAug(Augmenter):
    """``(src - mean) / std`` (either may be None).

    Examples
    --------
    >>> import ssdkit as mx
    >>> ColorNormalizeAug([1, 1, 1], [2, 2, 2])(mx.nd.full((1, 1, 3), 5)).asnumpy().tolist()
    [[[2.0, 2.0, 2.0]]]
    """

    def __init__(self, mean, std):
        super().__init__(mean=mean, std=std)
        self.mean = None if mean is None else np.asarray(mean, DTYPE)
        self.std = None if std is None else np.asarray(std, DTYPE)

    def __call__(self, src):
        out = _float(src)
        if self.mean is not None:
            out = out - self.mean
        if self.std is not None:
            out = out / self.std
        return NDArray(out)


class RandomGrayAug(Augmenter):
    """With probability ``p`` replace every channel by the luminance (3 channels kept).

    Examples
    --------
    >>> import ssdkit as mx
    >>> RandomGrayAug(1.0)(mx.nd.array([[[10, 0, 0]]])).asnumpy().round(3).tolist()
    [[[2.1, 2.1, 2.1]]]
    """

    def __init__(self, p):
        super().__init__(p=p)
        self.p = p

    def __call__(self, src):
        if get_rng().random() < self.p:
            return NDArray(_float(src) @ _GRAY_MIX)
        return src


class HorizontalFlipAug(Augmenter):
    """Mirror left-right with probability ``p``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> HorizontalFlipAug(1.0)(mx.nd.array([[[1], [2]]])).asnumpy().ravel().tolist()
    [2.0, 1.0]
    """

    def __init__(self, p):
        super().__init__(p=p)
        self.p = p

    def __call__(self, src):
        if get_rng().random() < self.p:
            return NDArray(np.asarray(src)[:, ::-1])
        return src


class CastAug(Augmenter):
    """Cast to ``typ`` (float32 by default).

    Examples
    --------
    >>> import ssdkit as mx
    >>> CastAug()(mx.nd.zeros((1, 1, 3), dtype="uint8")).dtype
    <class 'numpy.float32'>
    """

    def __init__(self, typ="float32"):
        super().__init__(type=typ)
        self.typ = typ

    def __call__(self, src):
        return NDArray(np.asarray(src).astype(self.typ))


def _normalizer(mean, std):
    """mean/std True -> ImageNet values; arrays are checked to hold 1 or 3 values."""
    mean = IMAGENET_MEAN if mean is True else mean
    std = IMAGENET_STD if std is True else std
    for name, value in (("mean", mean), ("std", std)):
        if value is not None and np.asarray(value).shape not in ((1,), (3,)):
            raise MXNetError(f"CreateAugmenter: {name} must be True or hold 1 or 3 values, got "
                             f"shape {np.asarray(value).shape}")
    return mean, std


def color_augmenters(brightness=0, contrast=0, saturation=0, hue=0, pca_noise=0, rand_gray=0):
    """The colour part of MXNet's augmenter lists (after the cast to float32), in MXNet's order.

    Examples
    --------
    >>> [type(a).__name__ for a in color_augmenters(brightness=0.1, hue=0.1, rand_gray=0.1)]
    ['ColorJitterAug', 'HueJitterAug', 'RandomGrayAug']
    """
    augs = []
    if brightness or contrast or saturation:
        augs.append(ColorJitterAug(brightness, contrast, saturation))
    if hue:
        augs.append(HueJitterAug(hue))
    if pca_noise > 0:
        augs.append(LightingAug(pca_noise, PCA_EIGVAL, PCA_EIGVEC))
    if rand_gray > 0:
        augs.append(RandomGrayAug(rand_gray))
    return augs


def CreateAugmenter(data_shape, resize=0, rand_crop=False, rand_resize=False, rand_mirror=False,  # noqa: N802
                    mean=None, std=None, brightness=0, contrast=0, saturation=0, hue=0, pca_noise=0,
                    rand_gray=0, inter_method=2):
    """MXNet's standard classification augmenter list.

    Parameters
    ----------
    data_shape : (C, H, W)
    resize : int
        Resize the shorter edge first when > 0.
    rand_crop, rand_resize, rand_mirror : bool
        Random (sized) crop instead of center crop; horizontal flip with probability 0.5.
    mean, std : True, array of 1 or 3 values, or None
        ``True`` uses the ImageNet values.
    brightness, contrast, saturation, hue, pca_noise, rand_gray : float
    inter_method : int
        Interpolation code for every resize.

    Returns
    -------
    list of Augmenter

    Examples
    --------
    >>> [type(a).__name__ for a in CreateAugmenter((3, 8, 8), resize=10, rand_crop=True, rand_resize=True)]
    ['ResizeAug', 'RandomSizedCropAug', 'CastAug']
    """
    augs = [ResizeAug(resize, inter_method)] if resize > 0 else []
    crop_size = (data_shape[2], data_shape[1])
    if rand_resize:
        if not rand_crop:
            raise MXNetError("CreateAugmenter: rand_resize needs rand_crop=True")
        augs.append(RandomSizedCropAug(crop_size, 0.08, (3.0 / 4.0, 4.0 / 3.0), inter_method))
    elif rand_crop:
        augs.append(RandomCropAug(crop_size, inter_method))
    else:
        augs.append(CenterCropAug(crop_size, inter_method))
    if rand_mirror:
        augs.append(HorizontalFlipAug(0.5))
    augs.append(CastAug())
    augs += color_augmenters(brightness, contrast, saturation, hue, pca_noise, rand_gray)
    mean, std = _normalizer(mean, std)
    if mean is not None or std is not None:
        augs.append(ColorNormalizeAug(mean, std))
    return augs
