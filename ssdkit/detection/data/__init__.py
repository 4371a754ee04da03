"""Detection datasets (RecordIO, Pascal VOC, MS COCO) and GluonCV-style detection transforms.

Examples
--------
>>> from ssdkit.detection import data
>>> sorted(n for n in data.__all__ if n.endswith("Detection"))
['COCODetection', 'RecordFileDetection', 'VOCDetection']
"""
from . import transforms
from .coco import COCODetection
from .record import RecordFileDetection, det_label_to_gluoncv
from .voc import VOCDetection

__all__ = ["RecordFileDetection", "VOCDetection", "COCODetection", "det_label_to_gluoncv", "transforms"]
