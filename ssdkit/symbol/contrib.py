"""``mx.sym.contrib``: the registry's ``_contrib_*`` ops as symbol functions.

Examples
--------
>>> import ssdkit as mx
>>> callable(mx.sym.contrib.MultiBoxPrior)
True
"""
from ..ndarray.register import populate
from .register import make_function
from .symbol import Symbol

populate({"": {}, "contrib": globals(), "internal": {}}, factory=make_function)


def adamw_update(weight, grad, mean, var, rescale_grad, lr, eta, beta1=0.9, beta2=0.999, epsilon=1e-8, wd=0,
                 clip_gradient=-1, out=None, name=None, **kwargs):
    """A node of ``_adamw_update``; a number ``rescale_grad`` becomes a (1,) constant node.

    Examples
    --------
    >>> import ssdkit as mx
    >>> w, g, m, v = (mx.sym.var(n) for n in "wgmv")
    >>> adamw_update(w, g, m, v, 1.0, lr=0.1, eta=1.0).list_arguments()
    ['w', 'g', 'm', 'v']
    """
    from . import full, _internal
    scale = rescale_grad if isinstance(rescale_grad, Symbol) else full(shape=(1,), val=rescale_grad)
    return _internal._adamw_update(weight, grad, mean, var, scale, lr=lr, eta=eta, beta1=beta1, beta2=beta2,
                                   epsilon=epsilon, wd=wd, clip_gradient=clip_gradient, name=name, **kwargs)


def mp_adamw_update(weight, grad, mean, var, weight32, rescale_grad, lr, eta, beta1=0.9, beta2=0.999, epsilon=1e-8,
                    wd=0, clip_gradient=-1, out=None, name=None, **kwargs):
    """A node of ``_mp_adamw_update`` (float16 weight, float32 master copy); a number ``rescale_grad`` becomes a
    (1,) constant node.

    Examples
    --------
    >>> import ssdkit as mx
    >>> args = [mx.sym.var(n) for n in ("w", "g", "m", "v", "w32")]
    >>> len(mp_adamw_update(*args, 1.0, lr=0.1, eta=1.0).list_arguments())
    5
    """
    from . import full, _internal
    scale = rescale_grad if isinstance(rescale_grad, Symbol) else full(shape=(1,), val=rescale_grad)
    return _internal._mp_adamw_update(weight, grad, mean, var, weight32, scale, lr=lr, eta=eta, beta1=beta1,
                                      beta2=beta2, epsilon=epsilon, wd=wd, clip_gradient=clip_gradient, name=name,
                                      **kwargs)
from .control_flow import foreach, while_loop, cond  # noqa: E402,F401  (subgraph control flow)


def rand_zipfian(true_classes, num_sampled, range_max):
    """Symbols of ``num_sampled`` log-uniform (Zipfian) class ids in ``[0, range_max)`` and the expected counts
    of ``true_classes`` and of the samples, as ``nd.contrib.rand_zipfian`` computes them.

    Examples
    --------
    >>> import ssdkit as mx
    >>> outs = rand_zipfian(mx.sym.var('true'), 4, 5)
    >>> [o.infer_shape(true=(3,))[1][0] for o in outs]
    [(4,), (3,), (4,)]
    """
    from ..ndarray.contrib import zipfian_draw
    from .random import uniform
    if not isinstance(true_classes, Symbol):
        raise AssertionError(f"unexpected type {type(true_classes)}")
    return zipfian_draw(true_classes, num_sampled, range_max,
                        lambda low, high, shape: uniform(low, high, shape=shape, dtype="float64"))


def SparseEmbedding(data=None, weight=None, input_dim=None, output_dim=None, dtype="float32", deterministic=False,
                    name=None, **kwargs):  # noqa: N802 - MXNet's name
    """MXNet's embedding with a ``row_sparse`` weight gradient; raises MXNetError (sparse storage is not
    supported by ssdkit: ``mx.sym.Embedding`` gives the same values with a dense gradient).

    Examples
    --------
    >>> import ssdkit as mx
    >>> mx.sym.contrib.SparseEmbedding(mx.sym.var('data'), input_dim=10, output_dim=4)
    Traceback (most recent call last):
    ...
    ssdkit.base.MXNetError: sym.contrib.SparseEmbedding: row_sparse weight gradients are not supported by ssdkit (arrays are dense); use mx.sym.Embedding, which gives the same values with a dense gradient
    """
    from ..base import MXNetError
    raise MXNetError("sym.contrib.SparseEmbedding: row_sparse weight gradients are not supported by ssdkit (arrays "
                     "are dense); use mx.sym.Embedding, which gives the same values with a dense gradient")
