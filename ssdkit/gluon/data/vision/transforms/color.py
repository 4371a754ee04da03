"""Random flips and colour transforms (MXNet 1.9.1): HybridBlocks over the ``F.image.random_*`` ops, on one
``(H, W, C)`` image with 1 or 3 channels.

Examples
--------
>>> import ssdkit as mx
>>> int(RandomBrightness(0)(mx.nd.full((2, 2, 3), 7, dtype="uint8")).asnumpy().max())
7
"""
from ....hybrid_block import HybridBlock

__all__ = ["RandomFlipLeftRight", "RandomFlipTopBottom", "RandomBrightness", "RandomContrast", "RandomSaturation",
           "RandomHue", "RandomColorJitter", "RandomLighting"]


class RandomFlipLeftRight(HybridBlock):
    """Mirror the image left-right with probability 0.5.

    Examples
    --------
    >>> import ssdkit as mx
    >>> out = RandomFlipLeftRight()(mx.nd.array([[[1], [2]]])).asnumpy().ravel().tolist()
    >>> out in ([1.0, 2.0], [2.0, 1.0])
    True
    """

    def hybrid_forward(self, F, x):
        return F.image.random_flip_left_right(x)


class RandomFlipTopBottom(HybridBlock):
    """Flip the image upside down with probability 0.5.

    Examples
    --------
    >>> import ssdkit as mx
    >>> RandomFlipTopBottom()(mx.nd.ones((2, 2, 1))).shape
    (2, 2, 1)
    """

    def hybrid_forward(self, F, x):
        return F.image.random_flip_top_bottom(x)


class _RandomFactor(HybridBlock):
    """Draw a factor in ``[max(0, 1 - amount), 1 + amount]`` and apply the op ``_op``."""
    _op = None

    def __init__(self, amount):
        super().__init__()
        self._args = (max(0, 1 - amount), 1 + amount)

    def hybrid_forward(self, F, x):
        return getattr(F.image, self._op)(x, *self._args)


class RandomBrightness(_RandomFactor):
    """Multiply by a factor drawn from ``[max(0, 1 - brightness), 1 + brightness]``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> float(RandomBrightness(0)(mx.nd.full((1, 1, 3), 2.0)).asnumpy().max())
    2.0
    """
    _op = "random_brightness"

    def __init__(self, brightness):
        super().__init__(brightness)


class RandomContrast(_RandomFactor):
    """Blend with the mean grey by a factor drawn from ``[max(0, 1 - contrast), 1 + contrast]``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> float(RandomContrast(0.5)(mx.nd.full((2, 2, 1), 3.0)).asnumpy().max())
    3.0
    """
    _op = "random_contrast"

    def __init__(self, contrast):
        super().__init__(contrast)


class RandomSaturation(_RandomFactor):
    """MXNet's saturation blend with a factor drawn from ``[max(0, 1 - saturation), 1 + saturation]``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> RandomSaturation(0.3)(mx.nd.ones((2, 2, 3))).shape
    (2, 2, 3)
    """
    _op = "random_saturation"

    def __init__(self, saturation):
        super().__init__(saturation)


class RandomHue(_RandomFactor):
    """Rotate hue by ``alpha * 360`` degrees, ``alpha`` drawn from ``[max(0, 1 - hue), 1 + hue]`` (so a
    small ``hue`` gives a small rotation either way, as MXNet).

    Examples
    --------
    >>> import ssdkit as mx
    >>> RandomHue(0)(mx.nd.array([[[255, 0, 0]]], dtype="uint8")).asnumpy().tolist()
    [[[255, 0, 0]]]
    """
    _op = "random_hue"

    def __init__(self, hue):
        super().__init__(hue)


class RandomColorJitter(HybridBlock):
    """Brightness, contrast, saturation and hue jitter in a random order (zero amounts skipped).

    Examples
    --------
    >>> import ssdkit as mx
    >>> RandomColorJitter(0.1, 0.1, 0.1, 0.1)(mx.nd.ones((2, 2, 3))).shape
    (2, 2, 3)
    """

    def __init__(self, brightness=0, contrast=0, saturation=0, hue=0):
        super().__init__()
        self._args = (brightness, contrast, saturation, hue)

    def hybrid_forward(self, F, x):
        return F.image.random_color_jitter(x, *self._args)


class RandomLighting(HybridBlock):
    """AlexNet-style PCA lighting noise with standard deviation ``alpha``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> float(RandomLighting(0)(mx.nd.full((1, 1, 3), 9.0)).asnumpy().max())
    9.0
    """

    def __init__(self, alpha):
        super().__init__()
        self._alpha = alpha

    def hybrid_forward(self, F, x):
        return F.image.random_lighting(x, self._alpha)
