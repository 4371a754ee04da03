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

__all__ = ["BOX_FORMATS", "as_boxes", "corner_to_center", "center_to_corner", "box_area", "box_iou",
           "multibox_prior", "ssd_anchor_grid", "anchors_per_location"]
