"""Colour augmenters of ``mx.image`` (float32 in and out; MXNet updated ``src`` in place, the values are
the same) and the colour/normalization part of MXNet's augmenter lists.

Examples
--------
>>> import ssdkit as mx
>>> mx.random.seed(0)
>>> out = ColorJitterAug(0.2, 0.2, 0.2)(mx.nd.full((2, 2, 3), 100.0))
>>> out.shape, out.dtype
((2, 2, 3), <class 'numpy.float32'>)
"""
import numpy as np

from ..base import DTYPE, MXNetError, get_rng
from ..ndarray import NDArray
from .augmenters import Augmenter, RandomOrderAug
from .image import normalize_channels

__all__ = ["BrightnessJitterAug", "ContrastJitterAug", "SaturationJitterAug", "HueJitterAug", "ColorJitterAug",
           "LightingAug", "ColorNormalizeAug", "RandomGrayAug", "hue_matrix", "color_augmenters",
           "IMAGENET_MEAN", "IMAGENET_STD", "PCA_EIGVAL", "PCA_EIGVEC", "LUMA"]

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
        return NDArray(normalize_channels(np.asarray(src), self.mean, self.std))


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
