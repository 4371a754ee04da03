"""Common-subexpression elimination, MXNet's ``EliminateCommonExpr`` graph pass: op nodes with the same op,
the same attributes and the same inputs are computed once.

MXNet runs this pass when it binds a graph (``simple_bind``/``bind``) and when ``hybridize()`` builds its
cached graph, unless the environment variable ``MXNET_ELIMINATE_COMMON_EXPR`` is ``0``; the bound executor's
``get_optimized_symbol()`` shows the result. Which nodes may merge follows MXNet 1.9.1:

* never variables, nor ops without inputs (two ``zeros`` nodes stay two);
* never an op that draws random numbers (:attr:`ssdkit.ops.registry.Op.random`: Dropout, samplers), keeps
  per-node state in MXNet (:data:`STATEFUL`: RNN, Custom, control flow and every op MXNet still registers
  as a legacy ``OperatorProperty``), or writes its inputs (auxiliary states such as BatchNorm's moving
  statistics, optimizer updates);
* attributes compare as MXNet's attribute strings, so ``a + 1`` and ``a + 1.0`` stay two nodes.

When merging leaves one graph output listed twice, the repeats become ``_copy`` nodes named
``<node>_<k>_copy`` so that every output keeps its own array (as MXNet does).

Examples
--------
>>> import ssdkit as mx
>>> a, b = mx.sym.var('a'), mx.sym.var('b')
>>> len(eliminate_common_expr((a + b) * (a + b)).get_internals())
4
>>> eliminate_common_expr(mx.sym.Group([mx.sym.exp(a, name='e'), mx.sym.exp(a, name='f')])).list_outputs()
['e_output', 'e_0_copy_output']
"""
import os

from ..ops import get_op
from ..ops.aliases import mxnet_name
from .symbol import Node, Symbol, topological_nodes

__all__ = ["eliminate_common_expr", "optimize_bound_graph", "STATEFUL"]

#: Ops MXNet 1.9.1 creates per-node state for (FCreateOpState, including every legacy OperatorProperty op):
#: its pass never merges two of them.
STATEFUL = frozenset(mxnet_name(name) for name in (
    "RNN", "Dropout", "Custom", "_foreach", "_while_loop", "_cond", "_npi_einsum",
    "BilinearSampler", "Correlation", "Crop", "GridGenerator", "IdentityAttachKLSparseReg", "InstanceNorm",
    "L2Normalization", "MakeLoss", "Pad", "ROIPooling", "SVMOutput", "SequenceLast", "SequenceMask",
    "SequenceReverse", "SliceChannel", "SpatialTransformer", "SwapAxis", "_contrib_DeformableConvolution",
    "_contrib_DeformablePSROIPooling", "_contrib_MultiBoxDetection", "_contrib_MultiBoxPrior",
    "_contrib_MultiBoxTarget", "_contrib_MultiProposal", "_contrib_PSROIPooling", "_contrib_Proposal",
    "_contrib_SyncBatchNorm", "_contrib_count_sketch", "_contrib_fft", "_contrib_ifft"))


def _mergeable(node):
    op = node.op
    return not (node.is_variable or not node.inputs or op.random or op.aux or op.writes_out or mxnet_name(node.op_name) in STATEFUL)


def _signature(node, inputs):
    """What makes two nodes compute the same thing: the MXNet op (``_plus`` is ``elemwise_add``, which is
    not ``broadcast_add`` even where ssdkit runs one for the other), attribute strings, inputs."""
    attrs = dict(node.params.to_attrs(), **node.attrs)
    return mxnet_name(node.op_name), tuple(sorted(attrs.items())), tuple((id(n), i) for n, i in inputs)


def eliminate_common_expr(symbol):
    """A copy of ``symbol`` in which equal op nodes on equal inputs are one node (see the module docstring).

    ``symbol`` itself is left as it is; the copy shares its variables.

    Examples
    --------
    >>> import ssdkit as mx
    >>> a = mx.sym.var('a')
    >>> [len(s.get_internals()) for s in ((a + 1) + (a + 1), eliminate_common_expr((a + 1) + (a + 1)))]
    [4, 3]
    """
    while True:   # as MXNet: repeat until nothing merges (the _copy nodes of repeated outputs may merge too)
        symbol, merged = _merge_once(symbol)
        if not merged:
            return symbol


def _merge_once(symbol):
    """One pass: each mergeable node whose signature was seen becomes the earlier node; repeated outputs
    are then isolated by copies. Returns ``(symbol, whether anything merged)``."""
    copies, seen, merged = {}, {}, False
    for node in topological_nodes(symbol._outputs):
        if node.is_variable:
            copies[id(node)] = node
            continue
        inputs = [(copies[id(src)], i) for src, i in node.inputs]
        key = _signature(node, inputs) if _mergeable(node) else None
        if key is not None and key in seen:
            copies[id(node)], merged = seen[key], True
            continue
        same = all(new is old for (new, _), (old, _) in zip(inputs, node.inputs))
        copy = node if same else Node(node.op, node.op_name, node.name, node.params, inputs, dict(node.attrs))
        copies[id(node)] = copy
        if key is not None:
            seen[key] = copy
    if not merged:
        return symbol, False
    return Symbol(_copy_repeated_outputs([(copies[id(n)], i) for n, i in symbol._outputs])), True


def _copy_repeated_outputs(outputs):
    """Each output entry once: a repeat reads the first through a ``_copy`` node."""
    copy_op, repeats, result = get_op("_copy"), {}, []
    for node, i in outputs:
        key = (id(node), i)
        if key not in repeats:
            repeats[key] = 0
            result.append((node, i))
            continue
        name = f"{node.name}_{repeats[key]}_copy"
        repeats[key] += 1
        result.append((Node(copy_op, "_copy", name, copy_op.parse_params({}), [(node, i)], {}), 0))
    return result


def optimize_bound_graph(symbol):
    """The graph MXNet runs for ``symbol`` once bound or hybridized: common subexpressions eliminated unless
    ``MXNET_ELIMINATE_COMMON_EXPR=0``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> from ssdkit.testing import environment
    >>> a = mx.sym.var('a')
    >>> with environment('MXNET_ELIMINATE_COMMON_EXPR', '0'):
    ...     len(optimize_bound_graph(mx.sym.exp(a) + mx.sym.exp(a)).get_internals())
    4
    """
    if os.environ.get("MXNET_ELIMINATE_COMMON_EXPR", "1").strip().lower() in ("0", "false"):
        return symbol
    return eliminate_common_expr(symbol)
