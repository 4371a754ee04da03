"""Live shape inference of a drawing with the library's own rules (:mod:`ssdkit.symbol.inference`).

An error comes back with the node it concerns: the inference names the node (``[in node conv1]``) or the
variable (a weight's name is mapped to the node it belongs to), and the message is the op's own.

Examples
--------
>>> doc = {"nodes": [{"name": "data", "op": "null", "shape": [1, 3, 8, 8]},
...                  {"name": "c0", "op": "Convolution", "attrs": {"kernel": "(3, 3)", "num_filter": "4"}}],
...        "edges": [{"src": "data", "out": 0, "dst": "c0", "slot": "data"}], "outputs": [["c0", 0]]}
>>> r = infer_document(doc)
>>> r["ok"], r["nodes"]["c0"]["outputs"], r["nodes"]["c0"]["params"]["weight"]
(True, [[1, 4, 6, 6]], [4, 3, 3, 3])
"""
import json
import re

from ..base import MXNetError
from .document import DocumentError, param_name, slot_names, to_symbol_json, check_document

__all__ = ["infer_document", "input_shapes"]

_IN_NODE = re.compile(r"\[in node ([^\]]+)\]\s*$")


def input_shapes(doc):
    """``{input name: shape}`` of the input nodes that carry a ``shape``.

    Examples
    --------
    >>> input_shapes({"nodes": [{"name": "data", "op": "null", "shape": [2, 3]}]})
    {'data': (2, 3)}
    """
    out = {}
    for node in doc.get("nodes") or []:
        if isinstance(node, dict) and node.get("op") == "null" and node.get("shape"):
            try:
                out[node["name"]] = tuple(int(d) for d in node["shape"])
            except (TypeError, ValueError):
                raise DocumentError(f"shape {node['shape']!r:.60} is not a list of integers",
                                    node=node.get("name")) from None
    return out


def _owner(doc, var_name):
    """The node a variable name belongs to: an input node, or the node whose weight it is."""
    for node in doc["nodes"]:
        if node["name"] == var_name:
            return var_name
    for node in doc["nodes"]:
        if node["op"] == "null":
            continue
        params = node.get("params") or {}
        for slot in slot_names(node):
            if params.get(slot, param_name(node["name"], slot)) == var_name:
                return node["name"]
    return None


def infer_document(doc):
    """Shapes of every node's outputs and weights, or the first error with the node it concerns.

    Returns
    -------
    dict
        ``{"ok": True, "nodes": {name: {"outputs": [shape or None], "params": {input: shape}}}}`` or
        ``{"ok": False, "error": message, "node": name or None}``.
    """
    from ..symbol import load_json
    from ..symbol.inference import infer_shapes
    try:
        check_document(doc, need_outputs=False)
        if not doc["nodes"]:
            return {"ok": True, "nodes": {}}
        sym = load_json(json.dumps(to_symbol_json(doc, every_node=True)), "<editor>")
        nodes = sym._nodes()
        shapes = infer_shapes(nodes, input_shapes(doc))
    except DocumentError as err:
        return {"ok": False, "error": str(err), "node": err.node}
    except MXNetError as err:
        text = str(err)
        found = _IN_NODE.search(text)
        node = found.group(1) if found else None
        if node is None:
            for word in re.findall(r"[\w.\-]+", text):
                node = _owner(doc, word)
                if node:
                    break
        return {"ok": False, "error": text, "node": node}
    by_name = {node.name: node for node in nodes}
    result = {}
    for dnode in doc["nodes"]:
        name = dnode["name"]
        if dnode["op"] == "null":
            shape = shapes.get(("var", name))
            result[name] = {"outputs": [list(shape) if shape else None], "params": {}}
            continue
        snode = by_name.get(name)
        if snode is None:
            continue
        outs = [shapes.get((id(snode), i)) for i in range(snode.op.output_count(snode.params))]
        params = {}
        for slot, (src, _) in zip(snode.op.input_names(snode.params), snode.inputs):
            if src.is_variable and src.name != name and not any(n["name"] == src.name for n in doc["nodes"]):
                shape = shapes.get(("var", src.name))
                params[slot] = list(shape) if shape else None
        result[name] = {"outputs": [list(s) if s else None for s in outs], "params": params}
    return {"ok": True, "nodes": result}
