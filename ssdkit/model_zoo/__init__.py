"""Layer 7: detection models — the straight-dope ToySSD, a GluonCV-style SSD with FeatureExpander, small
backbones, and ``get_model`` presets.

Examples
--------
>>> from ssdkit import model_zoo
>>> model_zoo.get_model_list()[:4] + model_zoo.get_model_list()[-2:]
['ssd_256_tinyvgg_coco', 'ssd_256_tinyvgg_pikachu', 'ssd_256_tinyvgg_voc', 'ssd_300_vgg16_atrous_coco', 'ssd_512_vgg16_atrous_voc', 'toyssd']
"""
from .toyssd import ToySSD, toyssd_detect
from .feature import FeatureExtractor, FeatureExpander
from .backbones import TinyVGG, tiny_vgg, get_backbone
from .ssd import SSD
from .registry import get_model, get_model_list, register_model
from .vgg_atrous import VGGAtrousExtractor, vgg16_atrous_300, vgg16_atrous_512
from . import presets

__all__ = ["ToySSD", "toyssd_detect", "FeatureExtractor", "FeatureExpander", "TinyVGG", "tiny_vgg", "get_backbone",
           "SSD", "get_model", "get_model_list", "register_model", "VGGAtrousExtractor", "vgg16_atrous_300",
           "vgg16_atrous_512"]
