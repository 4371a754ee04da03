"""``mx.image`` (layer 6): image functions, augmenters, and the ImageIter / ImageDetIter iterators.

Examples
--------
>>> import ssdkit as mx
>>> augs = mx.image.CreateDetAugmenter((3, 64, 64), rand_crop=1, rand_mirror=True, mean=True)
>>> [type(a).__name__ for a in augs][:2]
['DetRandomSelectAug', 'DetHorizontalFlipAug']
"""
from . import detection
from . import detection as det
from .augmenters import (Augmenter, CastAug, CenterCropAug, ForceResizeAug, HorizontalFlipAug, RandomCropAug,
                         RandomOrderAug, RandomSizedCropAug, ResizeAug, SequentialAug)
from .color import (BrightnessJitterAug, ColorJitterAug, ColorNormalizeAug, ContrastJitterAug, HueJitterAug,
                    LightingAug, RandomGrayAug, SaturationJitterAug)
from .det_iterator import ImageDetIter
from .detection import (DetAugmenter, DetBorrowAug, DetHorizontalFlipAug, DetRandomCropAug, DetRandomPadAug,
                        DetRandomSelectAug)
from .factories import CreateAugmenter, CreateDetAugmenter, CreateMultiRandCropAugmenter
from .image import (center_crop, color_normalize, copyMakeBorder, fixed_crop, imdecode, imread, imresize,
                    random_crop, random_size_crop, resize_short, scale_down)
from .iterator import ImageIter
from ..gluon.data.vision.transforms.rotate import imrotate, random_rotate

__all__ = ["imread", "imdecode", "imresize", "scale_down", "copyMakeBorder", "resize_short", "fixed_crop",
           "random_crop", "center_crop", "color_normalize", "random_size_crop", "imrotate", "random_rotate",
           "Augmenter", "SequentialAug", "RandomOrderAug", "ResizeAug", "ForceResizeAug", "RandomCropAug",
           "RandomSizedCropAug", "CenterCropAug", "BrightnessJitterAug", "ContrastJitterAug",
           "SaturationJitterAug", "HueJitterAug", "ColorJitterAug", "LightingAug", "ColorNormalizeAug",
           "RandomGrayAug", "HorizontalFlipAug", "CastAug", "CreateAugmenter",
           "DetAugmenter", "DetBorrowAug", "DetRandomSelectAug", "DetHorizontalFlipAug", "DetRandomCropAug",
           "DetRandomPadAug", "CreateMultiRandCropAugmenter", "CreateDetAugmenter",
           "ImageIter", "ImageDetIter", "det", "detection"]
