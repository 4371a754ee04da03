"""Intermediate outputs in one call, on any block, hybridized or not.

MXNet users asked how to read a hidden layer's output and were sent to the "symbol bypass"
(``get_internals`` + ``SymbolBlock``). Here one call does it:

* ``intermediate_names(block)`` lists what can be read: every descendant block by its structural path
  (``'0'``, ``'body.1.conv'`` — the keys ``save_parameters`` uses) and by its Gluon name (``'dense0'``);
  for a HybridBlock, ``include_ops=True`` adds every op output of its graph (``'..._fwd_output'``).
* ``intermediate_outputs(block, *inputs, names=None)`` runs one forward and returns an ordered dict
  name -> output. Block outputs are captured with forward hooks (the block runs imperatively for that call,
  so results equal the hybridized ones); op outputs are read from the traced graph.

Examples
--------
>>> import ssdkit as mx
>>> from ssdkit.gluon import nn
>>> net = nn.HybridSequential(prefix='net_')
>>> with net.name_scope():
...     net.add(nn.Dense(4, activation='relu'), nn.Dense(2))
>>> net.initialize(); net.hybridize()
>>> intermediate_names(net)
['0', '0.act', '1']
>>> outs = intermediate_outputs(net, mx.nd.ones((3, 5)), names=['0', 'net_dense1_fwd_output'])
>>> [(k, v.shape) for k, v in outs.items()]
[('0', (3, 4)), ('net_dense1_fwd_output', (3, 2))]
"""
from collections import OrderedDict

from ..base import MXNetError
from ..symbol import Group, var
from ..symbol.executor import GraphExecutor
from .cached_op import trace
from .tree import descendants, imperatively

__all__ = ["intermediate_names", "intermediate_outputs"]


def _op_output_names(block):
    symbol = trace(block, [var("data")]).symbol
    variables = set(symbol.list_inputs())
    return [n for n in symbol.get_internals().list_outputs() if n not in variables]


def intermediate_names(block, include_ops=False):
    """Names :func:`intermediate_outputs` accepts: descendant paths, and op outputs with ``include_ops``.

    Parameters
    ----------
    block : Block
    include_ops : bool
        Also list every op output of a HybridBlock's traced graph (one input named ``data``).
    """
    names = [path for path, _ in descendants(block)]
    if include_ops:
        names += _op_output_names(block)
    return names


def intermediate_outputs(block, *inputs, names=None):
    """Run ``block(*inputs)`` once and return the requested intermediate outputs (ordered dict).

    Parameters
    ----------
    block : Block
    *inputs : NDArray
    names : list of str, optional
        Descendant paths (``'body.1'``), Gluon block names (``'hybridsequential0_dense0'``, with or
        without the trailing ``_``) or graph op outputs (``'..._fwd_output'``, HybridBlocks only).
        Default: every descendant path.

    Returns
    -------
    OrderedDict of name -> NDArray (or the block's output structure for blocks returning several)
    """
    paths = dict(descendants(block))
    by_name = {child.name: child for child in paths.values()}
    by_name.update({child.prefix: child for child in paths.values()})
    wanted = list(paths) if names is None else list(names)
    block_targets, op_targets = {}, []
    for name in wanted:
        child = paths.get(name) or by_name.get(name)
        if child is not None:
            block_targets.setdefault(id(child), (child, []))[1].append(name)
        else:
            op_targets.append(name)
    results = {}
    handles = []
    for child, keys in block_targets.values():
        def hook(b, args, out, keys=keys):
            for key in keys:
                results[key] = out
        handles.append(child.register_forward_hook(hook))
    try:
        with imperatively(block):
            block(*inputs)
    finally:
        for h in handles:
            h.detach()
    if op_targets:
        results.update(_graph_outputs(block, inputs, op_targets))
    return OrderedDict((name, results[name]) for name in wanted)


def _graph_outputs(block, inputs, names):
    from ..ndarray import NDArray
    if not hasattr(block, "hybrid_forward"):
        raise MXNetError(f"{type(block).__name__} is not a HybridBlock: only block paths can be read "
                         f"({names} are not descendants; see intermediate_names(block))")
    traced = trace(block, inputs)
    symbol, data_names = traced.symbol, [v.name for v in traced.inputs]
    internals = symbol.get_internals()
    available = internals.list_outputs()
    missing = [n for n in names if n not in available]
    if missing:
        raise MXNetError(f"intermediate_outputs: {missing} are neither descendants of {block.name} nor outputs of "
                         f"its graph; see intermediate_names(block, include_ops=True)")
    group = Group([internals[n] for n in names])
    params = {p.name: p for p in block.collect_params().values()}
    feed = {n: a._data for n, a in zip(data_names, inputs)}
    feed.update({n: params[n].data()._data for n in group.list_inputs() if n in params})
    outs, _ = GraphExecutor(group).forward(feed, is_train=False, for_backward=False)
    return {n: NDArray(o) for n, o in zip(names, outs)}
