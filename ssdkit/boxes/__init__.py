"""Layer 1: pure-numpy box math for SSD — geometry, anchors, coding, matching, targets and NMS.

Everything here reproduces MXNet 1.9.1's CPU operators (``contrib.box_iou``, ``MultiBoxPrior``,
``MultiBoxTarget``, ``MultiBoxDetection``, ``box_nms``) on float32 numpy arrays; the registry ops in
``ssdkit.ops.contrib_box`` are thin wrappers over these functions.

Examples
--------
>>> from ssdkit import boxes
>>> boxes.multibox_prior(1, 1, sizes=(0.5,)).tolist()
[[[0.25, 0.25, 0.75, 0.75]]]
"""
from .geometry import BOX_FORMATS, as_boxes, corner_to_center, center_to_corner, box_area, box_iou
from .anchors import multibox_prior, ssd_anchor_grid, anchors_per_location
from .coder import (DEFAULT_VARIANCES, encode_boxes, decode_boxes, normalized_center_encode,
                    normalized_center_decode, multiclass_encode, multiclass_decode)
from .matcher import UNMATCHED, bipartite_match, match_anchors
from .target import multibox_target
from .nms import greedy_nms, box_nms, multibox_detection

__all__ = ["BOX_FORMATS", "as_boxes", "corner_to_center", "center_to_corner", "box_area", "box_iou",
           "multibox_prior", "ssd_anchor_grid", "anchors_per_location",
           "DEFAULT_VARIANCES", "encode_boxes", "decode_boxes", "normalized_center_encode",
           "normalized_center_decode", "multiclass_encode", "multiclass_decode",
           "UNMATCHED", "bipartite_match", "match_anchors", "multibox_target",
           "greedy_nms", "box_nms", "multibox_detection"]
