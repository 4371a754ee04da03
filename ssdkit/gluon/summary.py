"""``Block.summary``: MXNet's text table of every layer's output shape and parameter count, made with forward
hooks during one imperative forward pass; then, unlike MXNet, the registered children that forward never called
and those it called more than once (see :mod:`ssdkit.gluon.usage`), when there are any.

Examples
--------
>>> import ssdkit as mx
>>> from ssdkit.symbol.naming import NameManager
>>> with NameManager():
...     net = mx.gluon.nn.Dense(3, in_units=2)
>>> net.initialize(); print_summary(net, mx.nd.ones((1, 2)))  # doctest: +NORMALIZE_WHITESPACE
--------------------------------------------------------------------------------
        Layer (type)                                Output Shape         Param #
================================================================================
               Input                                      (1, 2)               0
             Dense-1                                      (1, 3)               9
================================================================================
Parameters in forward computation graph, duplicate included
   Total params: 9
   Trainable params: 9
   Non-trainable params: 0
Shared params in forward computation graph: 0
Unique parameters in model: 9
--------------------------------------------------------------------------------
"""
from collections import OrderedDict

from ..base import MXNetError
from ..ndarray import NDArray
from .usage import CallCounter

__all__ = ["print_summary", "shape_string", "HybridizedSummaryError"]



class HybridizedSummaryError(MXNetError, AssertionError):
    """``summary`` met a hybridized block: its children's hooks would not run (MXNet asserts here).

    Examples
    --------
    >>> import ssdkit as mx
    >>> net = mx.gluon.nn.Dense(1, in_units=2); net.initialize(); net.hybridize()
    >>> try:
    ...     net.summary(mx.nd.ones((1, 2)))
    ... except AssertionError as err:
    ...     print(type(err).__name__)
    HybridizedSummaryError
    """


_RULE_WIDTH = 80
_LINE_FORMAT = "{:>20}  {:>42} {:>15}"


def shape_string(args):
    """MXNet's rendering of (nested) output shapes: ``(1, 3)`` or ``(2, 2), [(2, 2), (2, 4)]``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> shape_string([mx.nd.zeros((2, 2)), [mx.nd.zeros((2,))]])
    '(2, 2), [(2,)]'
    """
    def shapes(x):
        if isinstance(x, (list, tuple)):
            return [shapes(i) for i in x]
        return x.shape if isinstance(x, NDArray) else x
    result = shapes(args)
    return str(result)[1:-1] if isinstance(result, list) else str(result)


def print_summary(block, *inputs):
    """Run ``block(*inputs)`` once with forward hooks and print MXNet's summary table.

    Parameters
    ----------
    block : Block
        Initialized and not hybridized.
    *inputs : NDArray
        One batch the block accepts.

    Examples
    --------
    >>> import ssdkit as mx
    >>> net = mx.gluon.nn.Dense(2, in_units=2, prefix="s_"); net.initialize()
    >>> print_summary(net, mx.nd.ones((1, 2)))  # doctest: +ELLIPSIS
    ---...
                 Dense-1                                      (1, 2)               6
    ...
    """
    from .nn.basic_layers import Sequential, HybridSequential
    summary = OrderedDict()
    seen = set()
    hooks = []

    def summary_hook(blk, _, outputs):
        key = "%s-%i" % (blk.__class__.__name__, len(summary))
        entry = summary[key] = {"output_shape": shape_string(outputs), "trainable": 0, "shared": 0}
        params = 0
        for p in blk.params.values():
            size = p.data().size
            params += size
            entry["trainable"] += 0 if p.grad_req == "null" else size
            if p in seen:
                entry["shared"] += size
            else:
                seen.add(p)
        entry["n_params"] = params

    def register(blk):
        if getattr(blk, "_active", False):
            raise HybridizedSummaryError(f'"{blk.name}" must not be hybridized to print summary.')
        if not isinstance(blk, (Sequential, HybridSequential)):
            hooks.append(blk.register_forward_hook(summary_hook))

    summary["Input"] = {"output_shape": shape_string(list(inputs)), "n_params": 0, "trainable": 0, "shared": 0}
    try:
        block.apply(register)
        with CallCounter(block) as counter:
            block(*inputs)
        print("-" * _RULE_WIDTH)
        print(_LINE_FORMAT.format("Layer (type)", "Output Shape", "Param #"))
        print("=" * _RULE_WIDTH)
        total = trainable = shared = 0
        for layer, entry in summary.items():
            print(_LINE_FORMAT.format(layer, str(entry["output_shape"]), entry["n_params"]))
            total += entry["n_params"]
            trainable += entry["trainable"]
            shared += entry["shared"]
        print("=" * _RULE_WIDTH)
        print("Parameters in forward computation graph, duplicate included")
        print("   Total params: " + str(total))
        print("   Trainable params: " + str(trainable))
        print("   Non-trainable params: " + str(total - trainable))
        print("Shared params in forward computation graph: " + str(shared))
        print("Unique parameters in model: " + str(total - shared))
        print("-" * _RULE_WIDTH)
        usage = counter.usage()
        if usage.never_called or usage.called_twice:
            print("\n".join(usage.lines()))
            print("-" * _RULE_WIDTH)
    finally:
        for handle in hooks:
            handle.detach()
