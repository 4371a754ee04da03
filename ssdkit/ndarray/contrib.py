"""``mx.nd.contrib``: the registry's ``_contrib_*`` ops (MultiBoxPrior, MultiBoxTarget, MultiBoxDetection,
box_nms, box_iou, ...), generated like every other nd function.

Examples
--------
>>> import ssdkit as mx
>>> callable(mx.nd.contrib.MultiBoxPrior)
True
"""
from .register import populate

_namespaces = {"": {}, "contrib": globals(), "internal": {}}
populate(_namespaces)
