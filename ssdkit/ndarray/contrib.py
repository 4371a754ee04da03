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


def rand_zipfian(true_classes, num_sampled, range_max, ctx=None):
    """Draw ``num_sampled`` class ids (with repeats) from the log-uniform (Zipfian) distribution over
    ``[0, range_max)``; returns the samples (int64) and the expected counts of ``true_classes`` and of the
    samples (float64), for sampled softmax as MXNet's ``rand_zipfian``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> samples, count_true, count_sampled = rand_zipfian(mx.nd.array([3]), 4, 5)
    >>> samples.shape, samples.dtype, round(float(count_true.asscalar()), 4)
    ((4,), <class 'numpy.int64'>, 0.4982)
    """
    from .random import uniform
    return zipfian_draw(true_classes, num_sampled, range_max, lambda low, high, shape: uniform(
        low, high, shape=shape, dtype="float64", ctx=ctx))


def zipfian_draw(true_classes, num_sampled, range_max, uniform):
    """:func:`rand_zipfian` for NDArrays or Symbols alike (``sym.contrib.rand_zipfian`` calls it too):
    ``uniform(low, high, shape)`` draws the float64 uniforms of either kind.

    Examples
    --------
    >>> import ssdkit as mx
    >>> out = zipfian_draw(mx.nd.array([0]), 2, 3, lambda lo, hi, shape: mx.nd.array([0.0, 1.0], dtype="float64"))
    >>> out[0].asnumpy().tolist()
    [0, 1]
    """
    log_range = float(np.log(range_max + 1))
    rand = uniform(0, log_range, (num_sampled,))
    sampled_classes = (rand.exp() - 1).astype("int64") % range_max
    true_cls = true_classes.astype("float64")
    expected_count_true = ((true_cls + 2.0) / (true_cls + 1.0)).log() / log_range * num_sampled
    sampled = sampled_classes.astype("float64")
    expected_count_sampled = ((sampled + 2.0) / (sampled + 1.0)).log() / log_range * num_sampled
    return sampled_classes, expected_count_true, expected_count_sampled
