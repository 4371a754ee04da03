"""``broadcast_parameters``: make every rank start from ``root_rank``'s parameter values.

Parameters are visited in sorted-name order, so every rank issues the same collectives in the same order.
Initialized parameters travel in one fused ``Bcast`` per dtype.

**Deferred initialization** (shapes with 0s, known only at the first forward): such a parameter cannot be
sent yet, so a one-shot hook is placed on it that broadcasts its value the moment its deferred
initialization completes, i.e. inside the first forward pass, before that pass computes with it. Every
rank runs that first forward, so the broadcasts pair up; the first forward, the first gradients and all
later steps already use the root's values. (Equivalent alternative: run one forward pass on a sample
batch, then call ``broadcast_parameters``; nothing is deferred any more.) Parameters that were never
``initialize()``-d raise :class:`~ssdkit.base.MXNetError`.

Examples
--------
>>> import ssdkit as mx
>>> from ssdkit.distributed import comm
>>> comm.init(backend="local")
>>> net = mx.gluon.nn.Dense(2); net.initialize()          # in_units unknown: deferred
>>> broadcast_parameters(net.collect_params(), root_rank=0)
>>> net(mx.nd.ones((1, 3))).shape
(1, 2)
>>> comm.shutdown()
"""
import numpy as np

from ..base import MXNetError
from ..gluon import Parameter, ParameterDict
from ..ndarray import NDArray
from . import comm
from .fused import FusedBuffers

__all__ = ["broadcast_parameters"]


def _items(params):
    if isinstance(params, (ParameterDict, dict)):
        return sorted(params.items(), key=lambda item: item[0])
    raise MXNetError(f"broadcast_parameters: params must be a ParameterDict or a dict of name -> Parameter / "
                     f"NDArray / numpy.ndarray, got {type(params).__name__}")


def _copy_to_other_contexts(param):
    first, *others = param.list_data()
    for other in others:
        other._data[...] = first._data


def _broadcast_after_deferred_init(param, root, key):
    """Wrap this parameter's ``_init_impl`` (the step that creates its arrays) to broadcast right after,
    once; then the class's method is visible again."""
    if "_init_impl" in vars(param):          # already waiting (the same Parameter under two names)
        return
    original = param._init_impl

    def init_then_broadcast(data, ctx_list):
        del param._init_impl                 # one shot: later re-initializations are local again
        original(data, ctx_list)
        comm.broadcast_(param.list_data()[0], root, name=f"broadcast_parameters[{key}]")
        _copy_to_other_contexts(param)

    param._init_impl = init_then_broadcast


def broadcast_parameters(params, root_rank=0):
    """Overwrite parameters on every rank with their values on ``root_rank``.

    Parameters
    ----------
    params : ParameterDict or dict
        ``name -> Parameter``, or ``name -> NDArray / numpy.ndarray`` (e.g. optimizer states). Every rank
        must pass the same names with the same shapes and dtypes.
    root_rank : int, default 0

    Examples
    --------
    >>> import numpy as np
    >>> comm.init(backend="local")
    >>> state = {"b": np.ones(2, np.float32), "a": np.zeros(1, np.float32)}
    >>> broadcast_parameters(state); state["b"]
    array([1., 1.], dtype=float32)
    >>> comm.shutdown()
    """
    world_size = comm.size()
    root = comm._check_root("broadcast_parameters", root_rank, world_size)
    ready, ready_names, ready_params = [], [], []
    for key, value in _items(params):
        if isinstance(value, Parameter):
            if value._data is not None:
                ready.append(value.list_data()[0]._data)
                ready_names.append(key)
                ready_params.append(value)
            elif value._deferred_init:
                if world_size > 1:
                    _broadcast_after_deferred_init(value, root, key)
            else:
                raise MXNetError(f"broadcast_parameters: Parameter '{key}' is not initialized; call "
                                 "initialize() on every rank first")
        elif isinstance(value, (NDArray, np.ndarray)):
            ready.append(value._data if isinstance(value, NDArray) else value)
            ready_names.append(key)
        else:
            raise MXNetError(f"broadcast_parameters: '{key}' is a {type(value).__name__}; expected a Parameter, "
                             "NDArray or numpy.ndarray")
    if world_size == 1 or not ready:
        return
    fused = FusedBuffers(ready, "broadcast_parameters", ready_names)
    fused.run(ready, lambda buf: comm._bcast_(buf, root))
    for param in ready_params:
        _copy_to_other_contexts(param)
