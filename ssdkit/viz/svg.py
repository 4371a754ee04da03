"""Render a laid-out view document as SVG (self-contained: styles inline, no fonts or scripts fetched).

The same markup serves the standalone ``.svg`` file and the HTML viewer; the viewer's script finds the
elements by their ``data-*`` attributes and moves them when groups collapse.

Examples
--------
>>> from ssdkit.viz.model import GraphModel, Node
>>> from ssdkit.viz.document import build_document
>>> from ssdkit.viz.geometry import layout_document
>>> doc = build_document(GraphModel([Node(0, "null", "data"), Node(1, "relu", "r0", inputs=[(0, 0)])], [(1, 0)]))
>>> text = render_svg(doc, layout_document(doc))
>>> text.startswith("<svg") and text.count('data-node=') == 2
True
"""
from xml.sax.saxutils import escape, quoteattr

__all__ = ["render_svg", "path_data", "SVG_CSS"]

#: Styles of the drawing itself (the HTML page adds its chrome around it).
SVG_CSS = """
.mxviz{font-family:"Helvetica Neue",Helvetica,Arial,sans-serif;background:#fff}
.mxviz .hidden{display:none}
.mxviz .node rect,.mxviz .node ellipse{stroke:#4a4a4a;stroke-width:1}
.mxviz .node.selected rect,.mxviz .node.selected ellipse{stroke:#d62728;stroke-width:3}
.mxviz .node text{text-anchor:middle;fill:#111;pointer-events:none}
.mxviz .node .title{font-size:12px}
.mxviz .node .sub{font-size:10.5px;fill:#333}
.mxviz .node{cursor:pointer}
.mxviz .edge{fill:none;stroke:#5b6270;stroke-width:1.2}
.mxviz .elabel{font-size:9.5px;fill:#5a6372}
.mxviz .group-box{fill:#f4f6fb;stroke:#9aa3b5;stroke-width:1}
.mxviz .group.depth2 .group-box{fill:#eaeef7}
.mxviz .group.depth3 .group-box{fill:#e0e6f2}
.mxviz .group.depth4 .group-box{fill:#d7deee}
.mxviz .group-title{font-size:11.5px;fill:#2d3a55;font-weight:600;paint-order:stroke;stroke:#f4f6fb;
  stroke-width:4px;stroke-linejoin:round}
.mxviz .group-head.depth2 .group-title{stroke:#eaeef7}
.mxviz .group-head.depth3 .group-title{stroke:#e0e6f2}
.mxviz .group-head.depth4 .group-title{stroke:#d7deee}
.mxviz .group-caption{font-size:10px;fill:#5a6780;font-weight:normal}
.mxviz .group-head{cursor:pointer}
.mxviz .group .face{display:none}
.mxviz .group.collapsed .face{display:inline}
.mxviz .group-head.collapsed{display:none}
.mxviz .group.collapsed .group-box{fill:#dfe6f5;stroke:#34466e;stroke-width:2;cursor:pointer}
.mxviz .face text{text-anchor:middle;pointer-events:none}
.mxviz .face .title{font-size:12px;font-weight:600;fill:#1d2a45}
.mxviz .face .sub{font-size:10px;fill:#3d4a66}
"""

ARROW_ID = "mxviz-arrow"
LABEL_DX, LABEL_DY = 4, 11      # shape label offset from the start of an edge
NODE_RADIUS = 4
GROUP_RADIUS = 6
TITLE_BASELINE, SUB_BASELINE = 16, 30            # in a node box of height 38
FACE_TITLE_BASELINE, FACE_SUB_BASELINE = 19, 34  # in a collapsed group of height 44
HEAD_BASELINE, HEAD_HEIGHT = 17, 22              # of a group's title band
MAX_DEPTH_CLASS = 4


def _num(value):
    return f"{value:.1f}".rstrip("0").rstrip(".")


def path_data(points):
    """SVG path through ``points``: straight when vertical, else an S-curve with vertical tangents.

    Examples
    --------
    >>> path_data([[0, 0], [0, 10], [10, 30]])
    'M0,0 L0,10 C0,20 10,20 10,30'
    """
    parts = [f"M{_num(points[0][0])},{_num(points[0][1])}"]
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        if x0 == x1:
            parts.append(f"L{_num(x1)},{_num(y1)}")
        else:
            mid = (y0 + y1) / 2
            parts.append(f"C{_num(x0)},{_num(mid)} {_num(x1)},{_num(mid)} {_num(x1)},{_num(y1)}")
    return " ".join(parts)


def _node_svg(key, node, box):
    hidden = "" if box else " hidden"
    box = box or {"x": 0, "y": 0}
    w, h = node["w"], node["h"]
    if node["oval"]:
        shape = f'<ellipse cx="{_num(w / 2)}" cy="{_num(h / 2)}" rx="{_num(w / 2)}" ry="{_num(h / 2)}"'
    else:
        shape = f'<rect width="{_num(w)}" height="{_num(h)}" rx="{NODE_RADIUS}"'
    return (f'<g class="node{hidden}" data-node="{key}" transform="translate({_num(box["x"])},{_num(box["y"])})">'
            f'<title>{escape(node["name"])} ({escape(node["op"])})</title>'
            f'{shape} fill="{node["color"]}"/>'
            f'<text class="title" x="{_num(w / 2)}" y="{TITLE_BASELINE}">{escape(node["title"])}</text>'
            f'<text class="sub" x="{_num(w / 2)}" y="{SUB_BASELINE}">{escape(node["sub"])}</text></g>')


def _depth_classes(name, groups, collapsed, box):
    depth, parent = 1, groups[name]["parent"]
    while parent:
        depth, parent = depth + 1, groups[parent]["parent"]
    classes = [f"depth{min(depth, MAX_DEPTH_CLASS)}"]
    if name in collapsed:
        classes.append("collapsed")
    if box is None:
        classes.append("hidden")
    return classes


def _group_svg(name, group, box, classes):
    box = box or {"x": 0, "y": 0, "w": group["cw"], "h": group["ch"]}
    w = box["w"]
    return (f'<g class="{" ".join(["group"] + classes)}" data-group={quoteattr(name)} '
            f'transform="translate({_num(box["x"])},{_num(box["y"])})">'
            f'<title>{escape(name)}</title>'
            f'<rect class="group-box" width="{_num(w)}" height="{_num(box["h"])}" rx="{GROUP_RADIUS}"/>'
            f'<g class="face"><text class="title" x="{_num(w / 2)}" y="{FACE_TITLE_BASELINE}">'
            f'\u25b8 {escape(group["label"])}</text>'
            f'<text class="sub" x="{_num(w / 2)}" y="{FACE_SUB_BASELINE}">{escape(group["caption"])}</text></g></g>')


def _head_svg(name, group, box, classes):
    """A group's title band, drawn above the edges so lines entering the group pass under its name."""
    box = box or {"x": 0, "y": 0, "w": group["cw"]}
    return (f'<g class="{" ".join(["group-head"] + classes)}" data-group={quoteattr(name)} '
            f'transform="translate({_num(box["x"])},{_num(box["y"])})">'
            f'<rect width="{_num(box["w"])}" height="{HEAD_HEIGHT}" fill="transparent"/>'
            f'<text class="group-title" x="8" y="{HEAD_BASELINE}">\u25be {escape(group["label"])} '
            f'<tspan class="group-caption">{escape(group["caption"])}</tspan></text></g>')


def render_svg(doc, geo, collapsed=(), for_html=False):
    """SVG text of a document laid out by :func:`ssdkit.viz.geometry.layout_document`.

    Parameters
    ----------
    doc : dict
        From :func:`ssdkit.viz.document.build_document`.
    geo : dict
        Its layout for the ``collapsed`` groups.
    collapsed : iterable of str
        Collapsed group names (drawn as blocks).
    for_html : bool
        Fill the page (100% size, no viewBox; the viewer pans and zooms) instead of a fixed size.

    Returns
    -------
    str

    Examples
    --------
    >>> from ssdkit.viz.document import build_document
    >>> from ssdkit.viz.geometry import layout_document
    >>> from ssdkit.viz.model import GraphModel
    >>> doc = build_document(GraphModel.from_json({"nodes": [{"op": "null", "name": "data", "inputs": []},
    ...          {"op": "Flatten", "name": "net0_flat0", "inputs": [[0, 0, 0]]},
    ...          {"op": "Flatten", "name": "net0_flat1", "inputs": [[1, 0, 0]]}], "heads": [[2, 0, 0]]}))
    >>> svg = render_svg(doc, layout_document(doc, ["net0_"]), ["net0_"])
    >>> svg.count('class="node hidden"'), 'class="group depth1 collapsed"' in svg
    (2, True)
    """
    collapsed = set(collapsed)
    width, height = geo["width"], geo["height"]
    size = ('width="100%" height="100%"' if for_html else
            f'width="{_num(width)}" height="{_num(height)}" viewBox="0 0 {_num(width)} {_num(height)}"')
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="mxviz" {size}>',
           f"<style>{SVG_CSS}</style>",
           f'<defs><marker id="{ARROW_ID}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
           f'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#5b6270"/></marker></defs>',
           '<g id="mxviz-viewport">', '<g class="groups">']
    classes = {name: _depth_classes(name, doc["groups"], collapsed, geo["boxes"].get("g" + name))
               for name in doc["group_order"]}
    for name in doc["group_order"]:
        out.append(_group_svg(name, doc["groups"][name], geo["boxes"].get("g" + name), classes[name]))
    out.append('</g><g class="edges">')
    for i, (route, pts) in enumerate(zip(doc["routes"], geo["routes"])):
        entry = f"{route['src']}:{route['idx']}"
        hidden = ' class="edge hidden" d="M0,0"' if pts is None else f' class="edge" d="{path_data(pts)}"'
        out.append(f'<path{hidden} data-route="{i}" data-entry="{entry}" marker-end="url(#{ARROW_ID})"/>')
    out.append('</g><g class="heads">')
    for name in doc["group_order"]:
        out.append(_head_svg(name, doc["groups"][name], geo["boxes"].get("g" + name), classes[name]))
    out.append('</g><g class="elabels">')
    for entry, text in doc["entries"].items():
        pos = geo["labels"].get(entry)
        cls = "elabel" if pos and text else "elabel hidden"
        x, y = (pos[0] + LABEL_DX, pos[1] + LABEL_DY) if pos else (0, 0)
        out.append(f'<text class="{cls}" data-entry="{entry}" x="{_num(x)}" y="{_num(y)}">{escape(text)}</text>')
    out.append('</g><g class="nodes">')
    for key, node in doc["nodes"].items():
        out.append(_node_svg(key, node, geo["boxes"].get("n" + key)))
    out.append("</g></g></svg>")
    return "\n".join(out)
