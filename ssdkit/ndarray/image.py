"""``mx.nd.image``: the registry's ``_image_*`` ops (to_tensor, normalize, resize, crop, flips, random
colour ops, lighting) on NDArrays, generated like every other nd function.

Examples
--------
>>> import ssdkit as mx
>>> mx.nd.image.to_tensor(mx.nd.ones((4, 2, 3), dtype="uint8")).shape
(3, 4, 2)
"""
from .register import populate

populate({"image": globals()})
