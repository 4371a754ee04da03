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
from .document import PARAM_SLOTS, DocumentError, param_name, slot_names, to_symbol_json, check_document

__all__ = ["infer_document", "input_shapes", "wires_into"]

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


def wires_into(doc, node, message):
    """The wires into ``node`` that may cause its error ``message``: those whose input the message names
    (``lhs``, ``arg1``, ...), else all of them.

    Examples
    --------
    >>> doc = {"edges": [{"src": "a", "out": 0, "dst": "add", "slot": "lhs"},
    ...                  {"src": "b", "out": 0, "dst": "add", "slot": "rhs"}]}
    >>> [e["src"] for e in wires_into(doc, "add", "rhs has 3 channels, lhs 4")]
    ['a', 'b']
    >>> [e["src"] for e in wires_into(doc, "add", "rhs (1, 3) does not fit")]
    ['b']
    """
    wires = [dict(e, out=e.get("out", 0)) for e in doc.get("edges") or [] if e.get("dst") == node]
    named = [e for e in wires if re.search(rf"\b{re.escape(str(e['slot']))}\b", message)]
    return named if named and len(named) < len(wires) else wires


def wired_part(doc):
    """``(document, unwired)``: the drawing without the op nodes that wait for a wire (an input not yet
    connected, or fed by such a node), so the rest is inferred while the user is still drawing.

    Examples
    --------
    >>> doc = {"nodes": [{"name": "x", "op": "null"}, {"name": "r", "op": "relu"}, {"name": "s", "op": "sigmoid"}],
    ...        "edges": [{"src": "r", "out": 0, "dst": "s", "slot": "data"}], "outputs": [["s", 0]]}
    >>> part, unwired = wired_part(doc)
    >>> [n["name"] for n in part["nodes"]], unwired, part["outputs"]
    (['x'], ['r', 's'], [])
    """
    if not isinstance(doc, dict) or not isinstance(doc.get("nodes"), list) or not isinstance(doc.get("edges", []), list):
        return doc, []
    fed = {}
    for e in doc.get("edges") or []:
        if isinstance(e, dict):
            fed.setdefault(e.get("dst"), {})[e.get("slot")] = e.get("src")
    names = {n.get("name") for n in doc["nodes"] if isinstance(n, dict)}
    gone, more = set(), True
    while more:
        more = False
        for node in doc["nodes"]:
            if not isinstance(node, dict) or node.get("op") == "null" or node.get("name") in gone:
                continue
            try:
                slots = slot_names(node)
            except (MXNetError, KeyError, TypeError):
                continue   # check_document names what is wrong with it
            ins = fed.get(node.get("name"), {})
            if any((s not in ins and s not in PARAM_SLOTS) or ins.get(s) in gone or
                   (s in ins and ins[s] not in names) for s in slots):
                gone.add(node["name"])
                more = True
    if not gone:
        return doc, []
    part = dict(doc, nodes=[n for n in doc["nodes"] if n.get("name") not in gone],
                edges=[e for e in doc.get("edges") or [] if e.get("dst") not in gone and e.get("src") not in gone],
                outputs=[o for o in doc.get("outputs") or [] if isinstance(o, (list, tuple)) and o and o[0] not in gone])
    return part, [n["name"] for n in doc["nodes"] if n.get("name") in gone]


def infer_document(doc):
    """Shapes of every node's outputs and weights, or the first error with the node it concerns.

    Returns
    -------
    dict
        ``{"ok": True, "nodes": {name: {"outputs": [shape or None], "params": {input: shape}}}, "unwired":
        [names]}`` (the nodes still waiting for a wire are left out: :func:`wired_part`) or
        ``{"ok": False, "error": message, "node": name or None, "edges": wires}``: ``edges`` are the wires
        into that node that may cause the error (:func:`wires_into`); the page shows the message on the one
        just drawn, when it is among them.
    """
    from ..symbol import load_json
    from ..symbol.inference import infer_shapes
    doc, unwired = wired_part(doc)
    try:
        check_document(doc, need_outputs=False)
        if not doc["nodes"]:
            return {"ok": True, "nodes": {}, "unwired": unwired}
        sym = load_json(json.dumps(to_symbol_json(doc, every_node=True)), "<editor>")
        nodes = sym._nodes()
        shapes = infer_shapes(nodes, input_shapes(doc))
    except DocumentError as err:
        return {"ok": False, "error": str(err), "node": err.node, "edges": []}
    except MXNetError as err:
        text = str(err)
        found = _IN_NODE.search(text)
        node = found.group(1) if found else None
        if node is None:
            for word in re.findall(r"[\w.\-]+", text):
                node = _owner(doc, word)
                if node:
                    break
        return {"ok": False, "error": text, "node": node, "edges": wires_into(doc, node, text)}
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
    return {"ok": True, "nodes": result, "unwired": unwired}
