"""Comparing two optimizers as MXNet's ``test_utils`` does: :func:`compare_optimizer` runs one update of each
from the same random weight and gradient and compares states and weights; :func:`compare_ndarray_tuple`
compares (nested tuples of) states.

Examples
--------
>>> import ssdkit as mx
>>> compare_optimizer(mx.optimizer.SGD(learning_rate=0.1, momentum=0.9),
...                   mx.optimizer.SGD(learning_rate=0.1, momentum=0.9), (3, 4), "float32")
"""
import numpy as np

from .. import random as _random
from ..base import MXNetError
from .arrays import default_context
from .compare import assert_almost_equal

__all__ = ["compare_ndarray_tuple", "compare_optimizer"]


def compare_ndarray_tuple(t1, t2, rtol=None, atol=None):
    """Assert that two states (arrays, or nested tuples of arrays; None skips) are almost equal.

    Examples
    --------
    >>> compare_ndarray_tuple((np.ones(2), (np.zeros(1),)), (np.ones(2), (np.zeros(1),)))
    """
    if t1 is None or t2 is None:
        return
    if isinstance(t1, tuple):
        for s1, s2 in zip(t1, t2):
            compare_ndarray_tuple(s1, s2, rtol, atol)
    else:
        assert_almost_equal(t1, t2, rtol=rtol, atol=atol)


def _dense(stype, what):
    if stype != "default":
        raise MXNetError(f"compare_optimizer: {what} storage {stype!r} needs sparse arrays, which ssdkit does not "
                         f"implement (dense 'default' only)")


def compare_optimizer(opt1, opt2, shape, dtype, w_stype="default", g_stype="default", rtol=1e-4, atol=1e-5,
                      compare_states=True, ntensors=1):
    """One update of ``opt1`` and of ``opt2`` from the same uniform random weight and gradient of ``shape``
    (a list of shapes: ``opt2`` updates all ``ntensors`` at once, ``opt1`` one by one); states and weights
    must agree within ``rtol``/``atol``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> compare_optimizer(mx.optimizer.Adam(), mx.optimizer.Adam(), [(2,), (3,)], "float32", ntensors=2)
    """
    _dense(w_stype, "weight")
    _dense(g_stype, "gradient")
    ctx = default_context()
    if not isinstance(shape, list):
        if ntensors != 1:
            raise MXNetError(f"compare_optimizer: one shape given for {ntensors} tensors")
        w2 = _random.uniform(shape=shape, ctx=ctx, dtype=dtype)
        w1 = w2.copyto(ctx)
        g2 = _random.uniform(shape=shape, ctx=ctx, dtype=dtype)
        g1 = g2.copyto(ctx)
        state1 = opt1.create_state_multi_precision(0, w1)
        state2 = opt2.create_state_multi_precision(0, w2)
        if compare_states:
            compare_ndarray_tuple(state1, state2)
        opt1.update_multi_precision(0, w1, g1, state1)
        opt2.update_multi_precision(0, w2, g2, state2)
        if compare_states:
            compare_ndarray_tuple(state1, state2, rtol=rtol, atol=atol)
        assert_almost_equal(w1, w2, rtol=rtol, atol=atol)
        return
    w1 = tuple(_random.uniform(shape=s, ctx=ctx, dtype=dtype) for s in shape)
    g1 = tuple(_random.uniform(shape=s, ctx=ctx, dtype=dtype) for s in shape)
    w2, g2 = tuple(w.copy() for w in w1), tuple(g.copy() for g in g1)
    state2 = [opt2.create_state_multi_precision(0, w2[i]) for i in range(ntensors)]
    opt2.update_multi_precision(list(range(ntensors)), w2, g2, state2)
    for i in range(ntensors):
        state1 = opt1.create_state_multi_precision(i, w1[i])
        opt1.update_multi_precision(i, w1[i], g1[i], state1)
        if compare_states:
            compare_ndarray_tuple(state1, state2[i], rtol, atol)
        compare_ndarray_tuple(w1[i], w2[i], rtol, atol)
