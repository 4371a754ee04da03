"""The view document: everything the SVG renderer and the HTML viewer need, as plain JSON.

``build_document`` groups the graph by name scope, plans every level (:mod:`ssdkit.viz.layout`) and
records per node and group what the boxes and the details panel show. The HTML page embeds this
document so its script can re-lay the picture when a group is collapsed.

Examples
--------
>>> from ssdkit.viz.model import GraphModel, Node
>>> m = GraphModel([Node(0, "null", "data"), Node(1, "Activation", "net0_relu0_fwd", {"act_type": "relu"},
...                 [(0, 0)])], [(1, 0)], shapes={"data": (1, 3, 8, 8)})
>>> doc = build_document(m)
>>> doc["nodes"]["1"]["title"], doc["nodes"]["1"]["sub"], doc["entries"]["0:0"]
('Activation', 'relu', '3x8x8')
"""
from .geometry import LAYOUT_CONSTANTS
from .groups import build_groups
from .layout import plan_graph
from .style import (COLLAPSED_HEIGHT, TEXT_PAD, SUB_CHAR_WIDTH, box_lines, fill_color, format_count,
                    format_shape, node_size, text_width)

__all__ = ["build_document", "group_caption", "COLLAPSED_MIN_WIDTH"]

#: A collapsed group is at least this wide, so short scope names still look like blocks.
COLLAPSED_MIN_WIDTH = 120
#: Width of the expand/collapse triangle and spacing in a group's title band.
TOGGLE_WIDTH = 18


def group_caption(label, params, count):
    """The second line of a collapsed group and the tail of an expanded group's title.

    Examples
    --------
    >>> group_caption("conv0", 17216, 7)
    '17.2k params \u00b7 7 nodes'
    """
    return f"{format_count(params)} params \u00b7 {count} nodes"


def _shape_text(model, node_id, index):
    return format_shape(model.out_shape(node_id, index), drop_batch=False)


def build_document(model, title="plot"):
    """Group, plan and describe ``model`` for rendering.

    Parameters
    ----------
    model : GraphModel
    title : str
        Shown in the HTML page's toolbar and title.

    Returns
    -------
    dict
        ``title``; ``nodes`` ``{id: {w, h, nout, name, op, title, sub, color, oval, group, attrs,
        inputs, outputs, params}}``; ``groups`` ``{name: {parent, label, caption, params, count, cw, ch,
        mw}}``; ``group_order`` (parents first); ``plans``; ``routes``; ``entries`` ``{entry: shape
        label}``; ``const`` (layout spacing).

    Examples
    --------
    >>> from ssdkit.viz.model import GraphModel
    >>> doc = build_document(GraphModel.from_json({"nodes": [{"op": "null", "name": "data", "inputs": []},
    ...          {"op": "Flatten", "name": "net0_flat0", "inputs": [[0, 0, 0]]},
    ...          {"op": "Flatten", "name": "net0_flat1", "inputs": [[1, 0, 0]]}], "heads": [[2, 0, 0]]}))
    >>> doc["group_order"], doc["groups"]["net0_"]["count"], sorted(doc["plans"])
    (['net0_'], 2, ['', 'net0_'])
    """
    groups, root_children, node_group = build_groups(model)
    plans, routes = plan_graph(model, groups, root_children, node_group)
    nodes = {}
    for node in model.nodes:
        if model.hidden[node.id]:
            continue
        parent = node_group[node.id]
        local = node.name[len(parent):] if parent else node.name
        head, sub = box_lines(node, local)
        w, h = node_size(head, sub)
        nodes[str(node.id)] = {
            "w": w, "h": h, "nout": node.num_outputs, "name": node.name, "op": node.op,
            "title": head, "sub": sub, "color": fill_color(node), "oval": node.is_variable,
            "group": parent or "",
            "attrs": {k: v for k, v in sorted(node.attrs.items()) if not k.startswith("__")},
            "inputs": [[model.nodes[s].name, _shape_text(model, s, i)] for s, i in node.inputs],
            "outputs": [_shape_text(model, node.id, i) for i in range(node.num_outputs)],
            "params": None if node.is_variable else model.param_count(node.id),
        }
    gdoc = {}
    for name, group in groups.items():
        caption = group_caption(group.label, group.params, len(group.nodes))
        collapsed_w = max(COLLAPSED_MIN_WIDTH, text_width(group.label), text_width(caption, SUB_CHAR_WIDTH))
        gdoc[name] = {
            "parent": group.parent or "", "label": group.label, "caption": caption,
            "params": group.params, "count": len(group.nodes),
            "cw": float(collapsed_w + 2 * TEXT_PAD), "ch": COLLAPSED_HEIGHT,
            "mw": float(TOGGLE_WIDTH + text_width(group.label) + text_width(caption, SUB_CHAR_WIDTH)
                        + 3 * TEXT_PAD),
        }
    entries = {}
    for route in routes:
        entry = f"{route['src']}:{route['idx']}"
        entries[entry] = format_shape(model.out_shape(route["src"], route["idx"]))
    first_seen = {name: i for i, name in enumerate(groups)}
    order = sorted(groups, key=lambda g: (g.count("_"), first_seen[g]))  # parents before children
    return {"title": title, "nodes": nodes, "groups": gdoc, "group_order": order, "plans": plans,
            "routes": routes, "entries": entries, "const": dict(LAYOUT_CONSTANTS)}
