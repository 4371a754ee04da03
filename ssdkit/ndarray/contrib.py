"""``mx.nd.contrib``: the registry's ``_contrib_*`` ops (MultiBoxPrior, MultiBoxTarget, MultiBoxDetection,
box_nms, box_iou, ...), generated like every other nd function.

Examples
--------
>>> import ssdkit as mx
>>> callable(mx.nd.contrib.MultiBoxPrior)
True
"""
import numpy as np

from .register import populate
from .control_flow import foreach, while_loop, cond  # noqa: F401  (imperative control flow)

_namespaces = {"": {}, "contrib": globals(), "internal": {}}
populate(_namespaces)
from .contrib_optimizer import (adamw_update, mp_adamw_update, multi_adamw_update,  # noqa: E402,F401  (MXNet's
                                multi_mp_adamw_update, multi_lamb_update, multi_mp_lamb_update)  # Python helpers)


def isinf(data):
    """1 where ``data`` is +inf or -inf, else 0.

    Examples
    --------
    >>> import ssdkit as mx
    >>> isinf(mx.nd.array([1, float("inf"), float("nan")])).asnumpy()
    array([0., 1., 0.], dtype=float32)
    """
    return data.abs() == np.inf


def isfinite(data):
    """1 where ``data`` is neither infinite nor NaN, else 0.

    Examples
    --------
    >>> import ssdkit as mx
    >>> isfinite(mx.nd.array([1, float("-inf"), float("nan")])).asnumpy()
    array([1., 0., 0.], dtype=float32)
    """
    from . import logical_and
    return logical_and(data.abs() != np.inf, data == data)


def isnan(data):
    """1 where ``data`` is NaN, else 0.

    Examples
    --------
    >>> import ssdkit as mx
    >>> isnan(mx.nd.array([1, float("nan")])).asnumpy()
    array([0., 1.], dtype=float32)
    """
    return data != data
