"""``mx.nd.contrib`` helpers of MXNet 1.9.1 over the multi-tensor optimizer ops: AdamW (single, mixed precision,
multi-tensor) with the gradient scale as a number or an array, and the multi-tensor LAMB updates taking lists.

Examples
--------
>>> import ssdkit as mx
>>> w, g = mx.nd.ones((2,)), mx.nd.ones((2,))
>>> _ = adamw_update(w, g, mx.nd.zeros((2,)), mx.nd.zeros((2,)), 1.0, lr=0.1, eta=1.0, out=w)
>>> w.asnumpy().round(4)   # 1 - 0.1 * 0.1 / sqrt(0.001): no bias correction in the op
array([0.6838, 0.6838], dtype=float32)
"""
from . import _internal
from .creation import full
from .ndarray import NDArray

__all__ = ["adamw_update", "mp_adamw_update", "multi_adamw_update", "multi_mp_adamw_update", "multi_lamb_update",
           "multi_mp_lamb_update"]


def _scale_array(rescale_grad, ctx):
    """The gradient scale as a (1,) array on ``ctx`` (the AdamW ops skip the update when it is 0, inf or NaN)."""
    if isinstance(rescale_grad, NDArray):
        return rescale_grad.as_in_context(ctx)
    return full((1,), rescale_grad, ctx=ctx)


def _flat(groups):
    return [a for group in groups for a in group]


def adamw_update(weight, grad, mean, var, rescale_grad, lr, eta, beta1=0.9, beta2=0.999, epsilon=1e-8, wd=0,
                 clip_gradient=-1, out=None, name=None, **kwargs):
    """AdamW update of one weight (``_adamw_update``); ``rescale_grad`` may be a number or an NDArray."""
    return _internal._adamw_update(weight, grad, mean, var, _scale_array(rescale_grad, weight.context), lr=lr,
                                   eta=eta, beta1=beta1, beta2=beta2, epsilon=epsilon, wd=wd,
                                   clip_gradient=clip_gradient, out=out, **kwargs)


def mp_adamw_update(weight, grad, mean, var, weight32, rescale_grad, lr, eta, beta1=0.9, beta2=0.999,
                    epsilon=1e-8, wd=0, clip_gradient=-1, out=None, name=None, **kwargs):
    """AdamW update of a float16 weight through its float32 master copy ``weight32`` (``_mp_adamw_update``).

    Examples
    --------
    >>> import ssdkit as mx
    >>> w32 = mx.nd.ones((2,)); w = w32.astype("float16"); g = mx.nd.ones((2,), dtype="float16")
    >>> _ = mp_adamw_update(w, g, mx.nd.zeros((2,)), mx.nd.zeros((2,)), w32, 1.0, lr=0.1, eta=1.0, out=w)
    >>> w32.asnumpy().round(4), w.dtype
    (array([0.6838, 0.6838], dtype=float32), <class 'numpy.float16'>)
    """
    return _internal._mp_adamw_update(weight, grad, mean, var, weight32, _scale_array(rescale_grad, weight.context),
                                      lr=lr, eta=eta, beta1=beta1, beta2=beta2, epsilon=epsilon, wd=wd,
                                      clip_gradient=clip_gradient, out=out, **kwargs)


def multi_adamw_update(weights, grads, mean, var, rescale_grad, lrs, wds, etas, out=None, name=None, size=0,
                       **kwargs):
    """AdamW update of several weights in one call (``_multi_adamw_update``); lists of weights, gradients,
    means and variances, one ``lrs``/``wds``/``etas`` entry per weight."""
    arrays = _flat(zip(weights, grads, mean, var)) + [_scale_array(rescale_grad, weights[0].context)]
    return _internal._multi_adamw_update(*arrays, out=out, num_weights=size or len(weights), lrs=lrs, wds=wds,
                                         etas=etas, **kwargs)


def multi_mp_adamw_update(weights, grads, mean, var, weights32, rescale_grad, lrs, wds, etas, out=None, name=None,
                          size=0, **kwargs):
    """:func:`multi_adamw_update` of float16 weights through their float32 master copies."""
    arrays = _flat(zip(weights, grads, mean, var, weights32)) + [_scale_array(rescale_grad, weights[0].context)]
    return _internal._multi_mp_adamw_update(*arrays, out=out, num_weights=size or len(weights), lrs=lrs, wds=wds,
                                            etas=etas, **kwargs)


def multi_lamb_update(weights, grads, mean, var, step_count, lrs, wds, out=None, num_tensors=0, **kwargs):
    """LAMB update of several weights in one call (``_multi_lamb_update``), each at its own step count.

    Examples
    --------
    >>> import ssdkit as mx
    >>> w = [mx.nd.array([3.0, 4.0])]
    >>> _ = multi_lamb_update(w, [mx.nd.ones((2,))], [mx.nd.zeros((2,))], [mx.nd.zeros((2,))], [1], [0.1], [0.0],
    ...                       out=w)
    >>> w[0].asnumpy().round(4)
    array([2.6464, 3.6464], dtype=float32)
    """
    return _internal._multi_lamb_update(*_flat(zip(weights, grads, mean, var)), out=out,
                                        num_tensors=num_tensors or len(weights), step_count=step_count,
                                        learning_rates=lrs, wds=wds, **kwargs)


def multi_mp_lamb_update(weights, grads, mean, var, weights32, step_count, lrs, wds, out=None, num_tensors=0,
                         **kwargs):
    """:func:`multi_lamb_update` of float16 weights through their float32 master copies."""
    return _internal._multi_mp_lamb_update(*_flat(zip(weights, grads, mean, var, weights32)), out=out,
                                           num_tensors=num_tensors or len(weights), step_count=step_count,
                                           learning_rates=lrs, wds=wds, **kwargs)
