"""GluonCV-style detection transforms: ``bbox`` (box geometry), ``image`` (pixels) and the SSD presets.

Examples
--------
>>> from ssdkit.detection.data import transforms
>>> transforms.SSDDefaultValTransform(300, 300).__class__.__name__
'SSDDefaultValTransform'
"""
from . import bbox, image
from .ssd import SSDDefaultTrainTransform, SSDDefaultValTransform

__all__ = ["bbox", "image", "SSDDefaultTrainTransform", "SSDDefaultValTransform"]
