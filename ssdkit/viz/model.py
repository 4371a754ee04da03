"""Read a network in MXNet symbol-JSON layout into a small graph model the viewer and summary share.

The model needs nothing from :mod:`ssdkit.symbol`: it reads the JSON layout of ``Symbol.tojson()``
(MXNet 1.9.1) directly, so any exported ``*-symbol.json`` can be viewed. Shapes of graph entries come
from a ``{entry name: shape}`` mapping keyed like ``Symbol.get_internals().list_outputs()``.

Examples
--------
>>> g = GraphModel.from_json({"nodes": [
...     {"op": "null", "name": "data", "inputs": []},
...     {"op": "null", "name": "fc0_weight", "inputs": []},
...     {"op": "FullyConnected", "name": "fc0_fwd", "attrs": {"num_hidden": "2", "no_bias": "True"},
...      "inputs": [[0, 0, 0], [1, 0, 0]]}], "heads": [[2, 0, 0]]},
...     shapes={"data": (1, 3), "fc0_weight": (2, 3), "fc0_fwd_output": (1, 2)})
>>> [n.name for n in g.nodes if not g.hidden[n.id]]
['data', 'fc0_fwd']
>>> g.entry_name(2, 0), g.out_shape(2, 0), g.param_count(2)
('fc0_fwd_output', (1, 2), 6)
"""
import json
import math
import os
from dataclasses import dataclass, field

from ..base import MXNetError
from ..ops import get_op

__all__ = ["Node", "GraphModel", "load_conf", "looks_like_weight", "WEIGHT_SUFFIXES", "AUX_SUFFIXES"]

#: Variable-name endings MXNet's plot_network hides with ``hide_weights=True``.
WEIGHT_SUFFIXES = ("_weight", "_bias", "_beta", "_gamma",
                   "_moving_var", "_moving_mean", "_running_var", "_running_mean")
#: Outputs allowed to a node of an op ssdkit does not know, in a file without ``node_row_ptr``.
MAX_OUTPUTS = 1024
#: Of those, the auxiliary states: stored with the model but not learned, so not counted as parameters.
AUX_SUFFIXES = ("_moving_var", "_moving_mean", "_running_var", "_running_mean")


def looks_like_weight(name):
    """True if a variable called ``name`` is a parameter or auxiliary state by MXNet's naming.

    Examples
    --------
    >>> looks_like_weight("conv0_weight"), looks_like_weight("data")
    (True, False)
    """
    return name.endswith(WEIGHT_SUFFIXES)


@dataclass
class Node:
    """One graph node: ``op`` is ``"null"`` for a variable; ``inputs`` holds ``(node id, output index)``.

    Examples
    --------
    >>> Node(0, "null", "data").is_variable
    True
    """
    id: int
    op: str
    name: str
    attrs: dict = field(default_factory=dict)
    inputs: list = field(default_factory=list)
    num_outputs: int = 1

    @property
    def is_variable(self):
        """True for a ``null`` node (an input variable, weight or auxiliary state)."""
        return self.op == "null"


def _parse_shape_text(text):
    """Parse MXNet's ``"(8, 0, 3, 3)"`` attribute text; None when absent or not a shape."""
    try:
        value = json.loads(text.replace("(", "[").replace(")", "]").replace(",]", "]"))
    except (ValueError, AttributeError):
        return None
    return tuple(int(v) for v in value) if isinstance(value, list) else None


def _output_limits(nodes, row_ptr):
    """How many outputs each node has, visible or not: what an entry's output index must stay below.

    From the file's ``node_row_ptr`` when it is well formed (MXNet and ssdkit always write it), else 1 for a
    variable, the op's count for an op ssdkit knows, and :data:`MAX_OUTPUTS` for any other.
    """
    if (isinstance(row_ptr, list) and len(row_ptr) == len(nodes) + 1 and all(type(v) is int for v in row_ptr)
            and row_ptr[0] == 0 and all(a < b for a, b in zip(row_ptr, row_ptr[1:]))):
        return [b - a for a, b in zip(row_ptr, row_ptr[1:])]
    return [1 if node.is_variable else _op_outputs(node) for node in nodes]


def _op_outputs(node):
    try:
        op = get_op(node.op)
        params = op.parse_params({k: v for k, v in node.attrs.items() if k in op.params})
        return op.output_count(params) + op.hidden_count(params)
    except MXNetError:  # an op ssdkit lacks, or attributes it cannot read: the view still draws it
        return MAX_OUTPUTS


def _count(node, limit):
    """The node's ``num_outputs`` attribute, checked against what the node can have."""
    try:
        count = int(node.attrs["num_outputs"])
    except (TypeError, ValueError):
        count = 0
    if not 1 <= count <= limit:
        raise MXNetError(f"viz: node {node.id} ({node.name[:80]}) has num_outputs={str(node.attrs['num_outputs'])[:40]}"
                         f"; expected 1 to {limit}")
    return count


def _entry(item, what, below, nodes, limits):
    """``(node id, output index)`` of a JSON entry ``[node, output, version]``: a node before ``below`` and an
    output that node has (negative indices refused: they are not Python's "from the end")."""
    if not (isinstance(item, list) and len(item) >= 2 and all(type(v) is int for v in item[:2])):
        raise MXNetError(f"viz: {what} {str(item)[:60]} is not a [node, output, version] entry")
    src, index = item[0], item[1]
    if not 0 <= src < below:
        raise MXNetError(f"viz: {what} {str(item)[:60]}; expected [node id in [0, {below}), output index, version]")
    if not 0 <= index < limits[src]:
        raise MXNetError(f"viz: {what} {str(item)[:60]}, output {index} of {nodes[src].name[:80]}, which has "
                         f"{limits[src]} output{'s' if limits[src] != 1 else ''}")
    return src, index


def load_conf(source):
    """Accept a dict, a JSON string or a path to a JSON file and return the dict.

    Examples
    --------
    >>> load_conf('{"nodes": []}')
    {'nodes': []}
    """
    if isinstance(source, dict):
        return source
    if isinstance(source, (bytes, bytearray)):
        source = source.decode("utf-8")
    if isinstance(source, os.PathLike) or (isinstance(source, str) and not source.lstrip().startswith("{")):
        path = os.fspath(source)
        try:
            with open(path, "r", encoding="utf-8") as fh:
                text = fh.read()
        except OSError as err:
            raise MXNetError(f"viz: cannot read symbol file {path!r}: {err}") from err
        try:
            return json.loads(text)
        except ValueError as err:
            raise MXNetError(f"viz: {path!r} is not JSON ({err})") from err
        except RecursionError:
            raise MXNetError(f"viz: {path!r} is not JSON (nested too deep)") from None
    try:
        return json.loads(source)
    except RecursionError:
        raise MXNetError("viz: expected MXNet symbol JSON text, got JSON nested too deep") from None
    except (TypeError, ValueError) as err:
        raise MXNetError(f"viz: expected MXNet symbol JSON text, got {str(source)[:60]!r} ({err})") from err


class GraphModel:
    """Nodes, heads, entry shapes and hidden weights of one MXNet-layout graph.

    Parameters
    ----------
    nodes : list of Node
        In topological order, as in the JSON.
    heads : list of (int, int)
        Output entries ``(node id, output index)``.
    shapes : dict, optional
        ``{entry name: shape tuple}``; entries without a shape are unlabelled.
    hide_weights : bool
        Hide variables whose names look like weights (``*_weight``, ``*_bias``, ...), as MXNet does.

    Examples
    --------
    >>> g = GraphModel([Node(0, "null", "x"), Node(1, "relu", "r", inputs=[(0, 0)])], [(1, 0)])
    >>> g.consumers[0]
    [1]
    """

    def __init__(self, nodes, heads, shapes=None, hide_weights=True):
        self.nodes = list(nodes)
        self.heads = [tuple(h) for h in heads]
        self.shapes = {k: tuple(int(d) for d in v) for k, v in (shapes or {}).items() if v is not None}
        self.hidden = [n.is_variable and hide_weights and looks_like_weight(n.name) for n in self.nodes]
        self.consumers = [[] for _ in self.nodes]
        for node in self.nodes:
            for src, _ in node.inputs:
                self.consumers[src].append(node.id)

    @classmethod
    def from_json(cls, source, shapes=None, hide_weights=True):
        """Build the model from MXNet symbol JSON (dict, text or file path).

        Parameters
        ----------
        source : dict or str or os.PathLike
            ``Symbol.tojson()`` layout: ``nodes`` (op, name, attrs, inputs), ``heads``, optional
            ``arg_nodes``.
        shapes : dict, optional
            ``{entry name: shape}``.
        hide_weights : bool
            See the class docstring.

        Returns
        -------
        GraphModel

        Examples
        --------
        >>> GraphModel.from_json('{"nodes": [{"op": "null", "name": "x", "inputs": []}], '
        ...                      '"heads": [[0, 0, 0]]}').nodes[0].name
        'x'
        """
        conf = load_conf(source)
        raw_nodes = conf.get("nodes") if isinstance(conf, dict) else None
        if not isinstance(raw_nodes, list):
            raise MXNetError("viz: symbol JSON has no 'nodes' list; expected the layout of Symbol.tojson()")
        nodes = []
        for i, raw in enumerate(raw_nodes):
            if not isinstance(raw, dict) or "op" not in raw or "name" not in raw:
                raise MXNetError(f"viz: node {i} of the symbol JSON lacks 'op' or 'name': {str(raw)[:80]}")
            # MXNet < 1.0 wrote "param"/"attr" instead of "attrs".
            attrs = raw.get("attrs") or raw.get("attr") or raw.get("param") or {}
            if not isinstance(attrs, dict):
                raise MXNetError(f"viz: node {i} ({str(raw['name'])[:80]}) has attributes that are not an object")
            if not isinstance(raw.get("inputs", []), list):
                raise MXNetError(f"viz: node {i} ({str(raw['name'])[:80]}) has inputs that are not a list")
            nodes.append(Node(i, str(raw["op"]), str(raw["name"]), dict(attrs)))
        limits = _output_limits(nodes, conf.get("node_row_ptr"))
        for node, raw in zip(nodes, raw_nodes):
            if "num_outputs" in node.attrs:
                node.num_outputs = _count(node, limits[node.id])
            node.inputs = [_entry(item, f"node {node.id} ({node.name[:80]}) has input", node.id, nodes, limits)
                           for item in raw.get("inputs", [])]
        heads = conf.get("heads", [])
        if not isinstance(heads, list):
            raise MXNetError("viz: the symbol JSON's 'heads' is not a list of [node, output, version] entries")
        heads = [_entry(h, "the graph has head", len(nodes), nodes, limits) for h in heads]
        # node_row_ptr counts invisible outputs too (BatchNorm's mean/var), which MXNet never names,
        # so the visible outputs are taken from num_outputs and from the indices actually used.
        for src, idx in [e for n in nodes for e in n.inputs] + heads:
            nodes[src].num_outputs = max(nodes[src].num_outputs, idx + 1)
        return cls(nodes, heads, shapes, hide_weights)

    # ----------------------------------------------------------------------------------- entries
    def entry_name(self, node_id, index=0):
        """MXNet's name of an output entry: ``x`` for a variable, ``conv0_output`` or ``split0_output1``.

        Examples
        --------
        >>> GraphModel([Node(0, "null", "x")], []).entry_name(0)
        'x'
        """
        node = self.nodes[node_id]
        if node.is_variable:
            return node.name
        return node.name + ("_output" if node.num_outputs == 1 else f"_output{index}")

    def out_shape(self, node_id, index=0):
        """Shape of one entry, from ``shapes`` or a fully known ``__shape__`` attribute; None if unknown.

        Examples
        --------
        >>> GraphModel([Node(0, "null", "x", {"__shape__": "(2, 3)"})], []).out_shape(0)
        (2, 3)
        """
        shape = self.shapes.get(self.entry_name(node_id, index))
        if shape is None and not self.nodes[node_id].is_variable:
            # An op whose unused extra outputs we could not see: try the other MXNet spelling.
            name = self.nodes[node_id].name
            shape = self.shapes.get(name + "_output" if index == 0 else f"{name}_output{index}")
        if shape is None and self.nodes[node_id].is_variable:
            shape = _parse_shape_text(self.nodes[node_id].attrs.get("__shape__"))
            if shape is not None and 0 in shape:  # Gluon writes 0 for dimensions inferred later
                shape = None
        return shape

    # -------------------------------------------------------------------------------- parameters
    def weight_inputs(self, node_id):
        """Ids of the hidden-weight-like variables feeding ``node_id`` (learned and auxiliary).

        Examples
        --------
        >>> g = GraphModel([Node(0, "null", "w_weight"), Node(1, "op", "y", inputs=[(0, 0)])], [(1, 0)])
        >>> g.weight_inputs(1)
        [0]
        """
        return [src for src, _ in self.nodes[node_id].inputs
                if self.nodes[src].is_variable and looks_like_weight(self.nodes[src].name)]

    def learnable_size(self, var_id):
        """Element count of a learned variable; 0 for auxiliary states, None when its shape is unknown.

        Examples
        --------
        >>> g = GraphModel([Node(0, "null", "bn_moving_mean", {"__shape__": "(4,)"})], [])
        >>> g.learnable_size(0)
        0
        """
        if self.nodes[var_id].name.endswith(AUX_SUFFIXES):
            return 0
        shape = self.out_shape(var_id)
        return None if shape is None else int(math.prod(shape))

    def param_count(self, node_id):
        """Learned parameters of one op node, from the shapes of its weight inputs; None if unknown.

        Examples
        --------
        >>> g = GraphModel([Node(0, "null", "c_weight", {"__shape__": "(4, 3, 1, 1)"}),
        ...                 Node(1, "Convolution", "c", inputs=[(0, 0)])], [(1, 0)])
        >>> g.param_count(1)
        12
        """
        sizes = [self.learnable_size(v) for v in self.weight_inputs(node_id)]
        if None in sizes:
            return None
        return int(sum(sizes))

    def params_of(self, node_ids):
        """Learned parameters of a set of op nodes, counting a shared weight once; None if any unknown.

        Examples
        --------
        >>> g = GraphModel([Node(0, "null", "s_weight", {"__shape__": "(5,)"}),
        ...                 Node(1, "a", "a", inputs=[(0, 0)]), Node(2, "b", "b", inputs=[(0, 0)])], [])
        >>> g.params_of([1, 2])
        5
        """
        weights = sorted({v for n in node_ids for v in self.weight_inputs(n)})
        sizes = [self.learnable_size(v) for v in weights]
        return None if None in sizes else int(sum(sizes))
