"""Image augmenters of ``mx.image`` that move pixels or change their type: callables ``aug(src) -> src`` on
``(H, W, C)`` NDArrays (colour augmenters live in :mod:`.color`). Random choices come from ``mx.random``.

Examples
--------
>>> import ssdkit as mx
>>> out = mx.nd.zeros((6, 8, 3), dtype="uint8")
>>> for aug in (CenterCropAug((4, 4)), HorizontalFlipAug(0.5), CastAug()):
...     out = aug(out)
>>> out.shape, out.dtype
((4, 4, 3), <class 'numpy.float32'>)
"""
import json

import numpy as np

from ..base import MXNetError, get_rng
from ..ndarray import NDArray
from .image import center_crop, random_crop, random_size_crop, resize_array, resize_short, _get_interp_method

__all__ = ["Augmenter", "SequentialAug", "RandomOrderAug", "ResizeAug", "ForceResizeAug", "RandomCropAug",
           "RandomSizedCropAug", "CenterCropAug", "HorizontalFlipAug", "CastAug", "Described"]


class Described:
    """Keeps constructor arguments (arrays as lists) so :meth:`dumps` can describe an augmenter.

    Examples
    --------
    >>> Described(size=np.array([2, 3])).dumps()
    '["described", {"size": [2, 3]}]'
    """

    def __init__(self, **kwargs):
        self._kwargs = {k: (np.asarray(v).tolist() if isinstance(v, (np.ndarray, NDArray)) else v)
                        for k, v in kwargs.items()}

    def dumps(self):
        """JSON ``[name, kwargs]`` of this augmenter.

        Examples
        --------
        >>> CastAug().dumps()
        '["castaug", {"type": "float32"}]'
        """
        return json.dumps([type(self).__name__.lower(), self._kwargs])


class Augmenter(Described):
    """Base class of image augmenters: ``aug(src) -> src``.

    Examples
    --------
    >>> class Negate(Augmenter):
    ...     def __call__(self, src): return -src
    >>> import ssdkit as mx
    >>> Negate()(mx.nd.ones((1, 1, 1))).asnumpy().ravel().tolist()
    [-1.0]
    """

    def __call__(self, src):
        raise MXNetError(f"{type(self).__name__} must define __call__(src)")


class SequentialAug(Augmenter):
    """Apply augmenters in order.

    Examples
    --------
    >>> import ssdkit as mx
    >>> out = SequentialAug([CastAug(), HorizontalFlipAug(1.0)])(mx.nd.array([[[1], [2]]], dtype="uint8"))
    >>> out.dtype, out.asnumpy().ravel().tolist()
    (<class 'numpy.float32'>, [2.0, 1.0])
    """

    def __init__(self, ts):
        super().__init__()
        self.ts = ts

    def dumps(self):
        """Names and arguments of every member.

        Examples
        --------
        >>> SequentialAug([CastAug()]).dumps()
        ['sequentialaug', ['["castaug", {"type": "float32"}]']]
        """
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
