"""``mx.gluon.model_zoo``: MXNet 1.9.1's predefined image classification models (``vision``) and the store of
their pretrained weight files (``model_store``; files are found on disk, never downloaded).

Examples
--------
>>> from ssdkit.gluon.model_zoo import vision
>>> vision.get_model('resnet18_v1', classes=10).output.weight.shape
(10, 512)
"""
from . import model_store
from . import vision

__all__ = ["model_store", "vision"]
