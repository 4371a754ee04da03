"""``mx.gluon.data.vision.transforms``: MXNet 1.9.1's image transforms as Blocks.

HybridBlocks (Cast, ToTensor, Normalize, Resize, CropResize, the flips and colour jitters) call the
``F.image.*`` ops, so they hybridize; CenterCrop, RandomResizedCrop, Rotate, RandomRotation and RandomApply
are plain Blocks, as in MXNet. :class:`Compose` chains them and hybridizes each run of consecutive HybridBlocks.

Examples
--------
>>> import ssdkit as mx
>>> from ssdkit.gluon.data.vision import transforms
>>> t = transforms.Compose([transforms.Resize(4), transforms.ToTensor(), transforms.Normalize(0.5, 0.25)])
>>> t(mx.nd.full((6, 8, 3), 255, dtype="uint8")).asnumpy()[:, 0, 0].tolist()
[2.0, 2.0, 2.0]
"""
from .basic import Cast, CenterCrop, Compose, CropResize, Normalize, RandomApply, RandomResizedCrop, Resize, ToTensor
from .color import (RandomBrightness, RandomColorJitter, RandomContrast, RandomFlipLeftRight, RandomFlipTopBottom,
                    RandomHue, RandomLighting, RandomSaturation)
from .rotate import RandomRotation, Rotate

__all__ = ["Compose", "Cast", "ToTensor", "Normalize", "Resize", "CenterCrop", "RandomResizedCrop", "CropResize",
           "RandomApply", "RandomFlipLeftRight", "RandomFlipTopBottom", "RandomBrightness", "RandomContrast",
           "RandomSaturation", "RandomHue", "RandomColorJitter", "RandomLighting", "Rotate", "RandomRotation"]
