"""DOT source in the form MXNet's plot_network produces, plus one cluster per name-scope group.

Node and edge statements match ``mx.viz.plot_network(...).source`` of MXNet 1.9.1 (same labels, colours,
attributes, edges pointing from consumer to input with ``dir=back``), so Graphviz renders the familiar
bottom-up picture; the clusters add the block nesting.

Examples
--------
>>> from ssdkit.viz.model import GraphModel, Node
>>> m = GraphModel([Node(0, "null", "data"), Node(1, "Activation", "relu0", {"act_type": "relu"}, [(0, 0)])],
...                [(1, 0)], shapes={"data": (1, 3)})
>>> print(dot_source(m, "plot"))
digraph plot {
	data [label=data fillcolor="#8dd3c7" fixedsize=true height=0.8034 shape=oval style=filled width=1.3]
	relu0 [label="Activation
relu" fillcolor="#ffffb3" fixedsize=true height=0.8034 shape=box style=filled width=1.3]
	relu0 -> data [label=3 arrowtail=open dir=back]
}
"""
import re

from .groups import build_groups
from .model import looks_like_weight
from .style import fill_color, format_shape, mxnet_label

__all__ = ["dot_source", "quote_id"]

#: Graphviz node defaults MXNet sets (a 1.3 x 0.8034 inch filled box).
NODE_DEFAULTS = {"shape": "box", "fixedsize": "true", "width": "1.3", "height": "0.8034", "style": "filled"}
_ID = re.compile(r"([a-zA-Z_][a-zA-Z0-9_]*|-?(\.[0-9]+|[0-9]+(\.[0-9]*)?))$")
_KEYWORDS = {"node", "edge", "graph", "digraph", "subgraph", "strict"}


def quote_id(text):
    """Quote a DOT identifier unless it is a plain name or number (the graphviz package's rule).

    Examples
    --------
    >>> quote_id("conv0"), quote_id("3x3"), quote_id('a"b')
    ('conv0', '"3x3"', '"a\\\\"b"')
    """
    if _ID.match(text) and text.lower() not in _KEYWORDS:
        return text
    return '"' + text.replace('"', '\\"') + '"'


def _attr_list(label, attrs):
    parts = [f"label={quote_id(label)}"] + [f"{k}={quote_id(str(v))}" for k, v in sorted(attrs.items())]
    return "[" + " ".join(parts) + "]"


def dot_source(model, title="plot", node_attrs=None, clusters=True):
    """DOT text of ``model``.

    Parameters
    ----------
    model : GraphModel
    title : str
        The digraph's name.
    node_attrs : dict, optional
        Graphviz node attributes overriding MXNet's defaults, e.g. ``{"shape": "oval"}``.
    clusters : bool
        Add a ``subgraph cluster_*`` per name-scope group.

    Returns
    -------
    str

    Examples
    --------
    >>> from ssdkit.viz.model import GraphModel
    >>> print(dot_source(GraphModel.from_json({"nodes": [{"op": "null", "name": "data", "inputs": []},
    ...          {"op": "Flatten", "name": "net0_flat0", "inputs": [[0, 0, 0]]},
    ...          {"op": "Flatten", "name": "net0_flat1", "inputs": [[1, 0, 0]]}], "heads": [[2, 0, 0]]}), "t").splitlines()[-6])
    	subgraph cluster_net0_ {
    """
    lines = [f"digraph {quote_id(title)} {{"]
    for node in model.nodes:
        if node.is_variable and looks_like_weight(node.name):
            continue  # as MXNet: never a node statement; with hide_weights=False edges still point at it
        attrs = dict(NODE_DEFAULTS, **(node_attrs or {}))
        attrs["fillcolor"] = fill_color(node)
        if node.is_variable:
            attrs["shape"] = "oval"
        lines.append(f"\t{quote_id(node.name)} {_attr_list(mxnet_label(node), attrs)}")
    for node in model.nodes:
        if node.is_variable:
            continue
        for src, idx in node.inputs:
            if model.hidden[src]:
                continue
            label = format_shape(model.out_shape(src, idx))
            lines.append(f"\t{quote_id(node.name)} -> {quote_id(model.nodes[src].name)} "
                         f"{_attr_list(label, {'arrowtail': 'open', 'dir': 'back'})}")
    if clusters:
        groups, _, _ = build_groups(model)

        def emit(name, indent):
            group = groups[name]
            lines.append(f"{indent}subgraph {quote_id('cluster_' + name)} {{")
            lines.append(f"{indent}\tlabel={quote_id(group.label)} style=rounded color=\"#9aa3b5\"")
            for key in group.children:
                if key[0] == "g":
                    emit(key[1:], indent + "\t")
                else:
                    lines.append(f"{indent}\t{quote_id(model.nodes[int(key[1:])].name)}")
            lines.append(f"{indent}}}")

        for name, group in groups.items():
            if group.parent is None:
                emit(name, "\t")
    lines.append("}")
    return "\n".join(lines)

