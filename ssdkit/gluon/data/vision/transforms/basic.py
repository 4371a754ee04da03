"""Composition, type/layout conversion, normalization, resizing and cropping transforms (MXNet 1.9.1).

Examples
--------
>>> import ssdkit as mx
>>> CenterCrop(2)(mx.nd.array([[[1], [2], [3]], [[4], [5], [6]]], dtype="uint8")).asnumpy()[..., 0].tolist()
[[1, 2], [4, 5]]
"""
import numbers

from ..... import ndarray as nd
from .....base import MXNetError, get_rng
from .....ops.image_crop import center_window, random_size_window, resolve_interp
from ....block import Block
from ....hybrid_block import HybridBlock
from ....nn import HybridSequential, Sequential

__all__ = ["Compose", "Cast", "ToTensor", "Normalize", "Resize", "CenterCrop", "RandomResizedCrop", "CropResize",
           "RandomApply", "crop_resize"]


def _pair(size):
    return (size, size) if isinstance(size, numbers.Number) else tuple(size)


def crop_resize(F, img, x0, y0, w, h, size=None, interp=2):
    """``img[y0:y0+h, x0:x0+w]`` of an ``(H, W, C)`` NDArray, resized to ``size = (w, h)`` when it differs
    (MXNet's ``mx.image.fixed_crop``, with OpenCV's resizing).

    Examples
    --------
    >>> import ssdkit as mx
    >>> crop_resize(mx.nd, mx.nd.ones((6, 6, 3)), 1, 1, 2, 2, (4, 4)).shape
    (4, 4, 3)
    """
    if img.ndim != 3:
        raise MXNetError(f"crop: expects an (H, W, C) image, got shape {img.shape}")
    out = img[y0:y0 + h, x0:x0 + w]
    if size is not None and (w, h) != tuple(size):
        out = F.image.resize(out, size=tuple(size), interp=resolve_interp(interp, (h, w, size[1], size[0])))
    return out


class Compose(Sequential):
    """Apply ``transforms`` in order; each run of consecutive HybridBlocks becomes one hybridized
    HybridSequential (a single HybridBlock is added as is).

    Examples
    --------
    >>> import ssdkit as mx
    >>> t = Compose([Cast("float64"), ToTensor()])
    >>> t(mx.nd.zeros((2, 3, 1), dtype="uint8")).shape, len(t)
    ((1, 2, 3), 1)
    """

    def __init__(self, transforms):
        super().__init__()
        hybrid = []
        for block in list(transforms) + [None]:
            if isinstance(block, HybridBlock):
                hybrid.append(block)
                continue
            if len(hybrid) == 1:
                self.add(hybrid[0])
            elif len(hybrid) > 1:
                run = HybridSequential()
                run.add(*hybrid)
                run.hybridize()
                self.add(run)
            hybrid = []
            if block is not None:
                self.add(block)


class Cast(HybridBlock):
    """Cast the input to ``dtype``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> Cast()(mx.nd.ones((1,), dtype="uint8")).dtype
    <class 'numpy.float32'>
    """

    def __init__(self, dtype="float32"):
        super().__init__()
        self._dtype = dtype

    def hybrid_forward(self, F, x):
        return F.cast(x, self._dtype)


class ToTensor(HybridBlock):
    """``(H, W, C)`` / ``(N, H, W, C)`` in [0, 255] -> float32 ``(C, H, W)`` / ``(N, C, H, W)`` in [0, 1].

    Examples
    --------
    >>> import ssdkit as mx
    >>> ToTensor()(mx.nd.full((4, 2, 3), 51, dtype="uint8")).asnumpy()[:, 0, 0].tolist()
    [0.20000000298023224, 0.20000000298023224, 0.20000000298023224]
    """

    def hybrid_forward(self, F, x):
        return F.image.to_tensor(x)


class Normalize(HybridBlock):
    """``(x - mean[c]) / std[c]`` per channel of a ``(C, H, W)`` or ``(N, C, H, W)`` tensor (1 or 3 channels;
    ``mean`` and ``std`` a number or one value per channel).

    Examples
    --------
    >>> import ssdkit as mx
    >>> Normalize((1, 2, 3), 2)(mx.nd.ones((3, 1, 1))).asnumpy().ravel().tolist()
    [0.0, -0.5, -1.0]
    """

    def __init__(self, mean=0.0, std=1.0):
        super().__init__()
        self._mean = mean
        self._std = std

    def hybrid_forward(self, F, x):
        return F.image.normalize(x, self._mean, self._std)


class Resize(HybridBlock):
    """Resize an ``(H, W, C)`` or ``(N, H, W, C)`` image to ``size`` (an int for a square, or ``(w, h)``);
    with ``keep_ratio`` and an int, the short edge becomes ``size``. ``interpolation`` is OpenCV's code.

    Examples
    --------
    >>> import ssdkit as mx
    >>> Resize(4, keep_ratio=True)(mx.nd.zeros((8, 12, 3))).shape
    (4, 6, 3)
    """

    def __init__(self, size, keep_ratio=False, interpolation=1):
        super().__init__()
        self._keep = keep_ratio
        self._size = size
        self._interpolation = interpolation

    def hybrid_forward(self, F, x):
        return F.image.resize(x, self._size, self._keep, self._interpolation)


class CropResize(HybridBlock):
    """Crop the window at ``(x, y)`` of ``width`` x ``height``, then resize it to ``size`` when given.

    Examples
    --------
    >>> import ssdkit as mx
    >>> CropResize(0, 0, 3, 2, size=(6, 4))(mx.nd.zeros((5, 5, 3))).shape
    (4, 6, 3)
    """

    def __init__(self, x, y, width, height, size=None, interpolation=None):
        super().__init__()
        self._x, self._y = x, y
        self._width, self._height = width, height
        self._size = size
        self._interpolation = interpolation

    def hybrid_forward(self, F, x):
        out = F.image.crop(x, self._x, self._y, self._width, self._height)
        if self._size:
            interp = {} if self._interpolation is None else {"interp": self._interpolation}
            out = F.image.resize(out, self._size, False, **interp)
        return out


class CenterCrop(Block):
    """Crop the centre ``size`` (``(w, h)`` or an int), scaled down to fit, then resized to ``size``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> CenterCrop((3, 2))(mx.nd.zeros((10, 10, 3))).shape
    (2, 3, 3)
    """

    def __init__(self, size, interpolation=1):
        super().__init__()
        self._size = _pair(size)
        self._interpolation = interpolation

    def forward(self, x):
        h, w = x.shape[0], x.shape[1]
        return crop_resize(nd, x, *center_window(w, h, self._size), self._size, self._interpolation)


class RandomResizedCrop(Block):
    """Crop a window of random area fraction in ``scale`` and aspect ratio (w / h) in ``ratio``, resized to
    ``size``; after ten misses, the centre crop.

    Examples
    --------
    >>> import ssdkit as mx
    >>> RandomResizedCrop(4)(mx.nd.zeros((10, 10, 3))).shape
    (4, 4, 3)
    """

    def __init__(self, size, scale=(0.08, 1.0), ratio=(3.0 / 4.0, 4.0 / 3.0), interpolation=1):
        super().__init__()
        self._size = _pair(size)
        self._scale, self._ratio = scale, ratio
        self._interpolation = interpolation

    def forward(self, x):
        h, w = x.shape[0], x.shape[1]
        window = random_size_window(w, h, self._scale, self._ratio) or center_window(w, h, self._size)
        return crop_resize(nd, x, *window, self._size, self._interpolation)


class RandomApply(Sequential):
    """Apply ``transforms`` with probability ``p``, else return the input.

    Examples
    --------
    >>> import ssdkit as mx
    >>> RandomApply(Cast("float64"), p=0)(mx.nd.ones((1,))).dtype
    <class 'numpy.float32'>
    """

    def __init__(self, transforms, p=0.5):
        super().__init__()
        self.transforms = transforms
        self.p = p

    def forward(self, x):
        if self.p < get_rng().random():
            return x
        return self.transforms(x)
