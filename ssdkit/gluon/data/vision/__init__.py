"""``mx.gluon.data.vision``: image datasets and Pillow-based decoding.

Examples
--------
>>> from ssdkit.gluon.data import vision
>>> vision.ImageFolderDataset.__name__, vision.ImageRecordDataset.__name__
('ImageFolderDataset', 'ImageRecordDataset')
"""
from .datasets import ImageFolderDataset, ImageRecordDataset
from .downloaded import CIFAR10, CIFAR100, MNIST, DatasetFilesMissing, FashionMNIST
from .imageio import ImageDecodeError, decode_image, read_image
from . import transforms

__all__ = ["MNIST", "FashionMNIST", "CIFAR10", "CIFAR100", "DatasetFilesMissing", "ImageFolderDataset",
           "ImageRecordDataset", "ImageDecodeError", "decode_image", "read_image", "transforms"]
