"""Auto layout of a drawing with the graph viewer's own layout (:mod:`ssdkit.viz.layout`, :mod:`ssdkit.viz.geometry`).

Examples
--------
>>> doc = {"nodes": [{"name": "data", "op": "null"}, {"name": "r", "op": "relu"}],
...        "edges": [{"src": "data", "out": 0, "dst": "r", "slot": "data"}], "outputs": [["r", 0]]}
>>> pos = auto_layout(doc)
>>> pos["data"]["y"] < pos["r"]["y"]
True
"""
from ..viz.document import build_document
from ..viz.geometry import layout_document
from ..viz.model import GraphModel
from .document import to_symbol_json

__all__ = ["auto_layout"]


def auto_layout(doc):
    """``{node name: {x, y, w, h}}``: where the viewer would draw each node (top-left corner, pixels)."""
    if not doc.get("nodes"):
        return {}
    conf = to_symbol_json(doc, every_node=True)
    names = {n["name"] for n in doc["nodes"]}
    model = GraphModel.from_json(conf, hide_weights=False)
    for node in model.nodes:   # hide the weights the editor folds into their nodes, not inputs named like them
        model.hidden[node.id] = node.name not in names
    view = build_document(model)
    boxes = layout_document(view)["boxes"]
    out = {}
    for node in model.nodes:
        box = boxes.get(f"n{node.id}")
        if box is not None and node.name in names:
            out[node.name] = {k: round(float(box[k]), 1) for k in ("x", "y", "w", "h")}
    return out
