"""Layer 5: ``mx.metric`` — MXNet's evaluation metrics plus VOC and COCO detection metrics (pure numpy).

Examples
--------
>>> import numpy as np
>>> import ssdkit as mx
>>> acc = mx.metric.create("acc")
>>> acc.update([np.array([1, 0])], [np.array([[0.2, 0.8], [0.6, 0.4]])])
>>> acc.get()
('accuracy', 1.0)
"""
from .core import EvalMetric, check_label_shapes, to_numpy, as_list
from .registry import register, alias, registered_names
from .basic import Accuracy, TopKAccuracy, MAE, MSE, RMSE, CrossEntropy, Loss
from .binary import F1, MCC
from .likelihood import Perplexity, NegativeLogLikelihood, PearsonCorrelation, PCC, Torch, Caffe
from .custom import CustomMetric, np
from .composite import CompositeEvalMetric, create
from .voc import VOCMApMetric, VOC07MApMetric, voc_iou, voc_ap, voc07_ap
from .coco import coco_eval, COCO_STAT_NAMES

__all__ = ["EvalMetric", "register", "alias", "registered_names", "check_label_shapes", "to_numpy", "as_list",
           "Accuracy", "TopKAccuracy", "MAE", "MSE", "RMSE", "CrossEntropy", "Loss", "CustomMetric", "np",
           "F1", "MCC", "Perplexity", "NegativeLogLikelihood", "PearsonCorrelation", "PCC", "Torch", "Caffe",
           "CompositeEvalMetric", "create", "VOCMApMetric", "VOC07MApMetric", "voc_iou", "voc_ap", "voc07_ap",
           "coco_eval", "COCO_STAT_NAMES"]
