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
from .contrib_optimizer import (adamw_update, mp_adamw_update, multi_adamw_update,  # noqa: E402,F401  (MXNet's
                                multi_mp_adamw_update, multi_lamb_update, multi_mp_lamb_update)  # Python helpers)
