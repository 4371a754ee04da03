"""The editor's palette, built from what ``gluon.nn`` exports (so a layer added to it appears without edits
here), then every registry op; each item has the help search's one-line summary.

Each layer is traced once on a symbol input with example values for its required arguments
(:data:`EXAMPLE_ARGS`): a layer that is one op becomes that op with the layer's attributes; a layer of several
ops (``Swish``) is a template, drawn as a block of its own that exports as the layer again. Containers
(``HybridSequential``, ``HybridConcurrent``, ...) put the selected nodes into a block of that kind;
``HybridLambda``/``Lambda`` draw one op call whose op is chosen in the side panel. ``Block``, ``HybridBlock``
and ``SymbolBlock`` are what the editor builds and exports, not items.

Examples
--------
>>> items = palette()
>>> conv = next(i for i in items if i["label"] == "nn.Conv2D")
>>> conv["op"], conv["attrs"]["kernel"], conv["attrs"]["num_filter"], conv["summary"]
('Convolution', '(3, 3)', '16', '2-D convolution layer.')
>>> swish = next(i for i in items if i["label"] == "nn.Swish")
>>> swish["kind"], [n["op"] for n in swish["template"]["nodes"]]
('template', ['identity', '_mul_scalar', 'sigmoid', 'elemwise_mul'])
"""
import inspect
import json

from ..ops import REQUIRED, get_op, list_ops
from .document import param_name

__all__ = ["palette", "op_spec", "layer_names", "trace_layer", "EXAMPLE_ARGS", "CONTAINERS", "LAMBDAS"]

#: values the palette gives a layer's required arguments (by argument name) to trace it
EXAMPLE_ARGS = {"channels": 16, "kernel_size": 3, "units": 10, "input_dim": 100, "output_dim": 16,
                "activation": "relu", "alpha": 0.1, "rate": 0.5, "num_groups": 1}
#: container layers: a block of that kind around the selected nodes
CONTAINERS = ("HybridSequential", "HybridConcurrent", "Sequential", "Concurrent")
#: layers holding a Python function: one op call, its op chosen in the side panel
LAMBDAS = ("HybridLambda", "Lambda")
_NOT_ITEMS = ("Block", "HybridBlock", "SymbolBlock")
_FIRST_ATTRS = {"Conv2D": {"pad": "(1, 1)"},   # a friendlier start than the bare defaults
                "ReflectionPad2D": {"pad_width": "(0, 0, 0, 0, 1, 1, 1, 1)"}}


def layer_names():
    """``[(name, class)]``: what ``gluon.nn`` exports plus ``gluon.contrib.nn``'s containers, in that order.

    Examples
    --------
    >>> names = [n for n, _ in layer_names()]
    >>> "Dense" in names and "HybridConcurrent" in names and "Block" not in names
    True
    """
    from ..gluon import nn
    from ..gluon.contrib import nn as cnn
    out, seen = [], set()
    for module, names in ((nn, nn.__all__), (cnn, ("HybridConcurrent", "Concurrent", "Identity"))):
        for name in names:
            if name not in _NOT_ITEMS and name not in seen and isinstance(getattr(module, name, None), type):
                seen.add(name)
                out.append((name, getattr(module, name)))
    return out


def trace_layer(cls, args=None):
    """``{"nodes", "edges", "outputs"}``: the ops a layer runs on one input ``data`` (names without its prefix),
    as :func:`ssdkit.editor.document.from_symbol_json` reads them; ``args`` default to :data:`EXAMPLE_ARGS`.

    Examples
    --------
    >>> from ssdkit.gluon import nn
    >>> t = trace_layer(nn.Dense)
    >>> [(n["name"], n["op"], n["attrs"]["num_hidden"], n["params"]) for n in t["nodes"] if n["op"] != "null"]
    [('fwd', 'FullyConnected', '10', {'weight': 'weight', 'bias': 'bias'})]
    """
    from .. import sym
    from .document import from_symbol_json
    given = dict(args or {})
    for name, p in inspect.signature(cls.__init__).parameters.items():
        if name not in given and p.default is inspect.Parameter.empty and \
                p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL) and name != "self":
            if name not in EXAMPLE_ARGS:
                raise ValueError(f"{cls.__name__}: no example value for its argument {name!r}")
            given[name] = EXAMPLE_ARGS[name]
    layer = cls(prefix="layer_", **given)
    doc = from_symbol_json(json.loads(layer(sym.var("data")).tojson()))
    strip = {n["name"]: n["name"][6:] if n["name"].startswith("layer_") else n["name"] for n in doc["nodes"]}
    for node in doc["nodes"]:
        node["name"] = strip[node["name"]]
        if node.get("params"):
            node["params"] = {k: v[6:] if v.startswith("layer_") else v for k, v in node["params"].items()}
    for edge in doc["edges"]:
        edge["src"], edge["dst"] = strip[edge["src"]], strip[edge["dst"]]
    doc["outputs"] = [[strip[n], i] for n, i in doc["outputs"]]
    return doc


_NEUTRAL = {"stride": 1, "dilate": 1, "pad": 0, "adj": 0}


def _own_attrs(op_name, attrs):
    """The attributes worth showing on a new node: not the op's default, not a neutral stride/pad/dilation,
    not the default layout.

    Examples
    --------
    >>> _own_attrs("Convolution", {"kernel": "(3, 3)", "num_filter": "8", "stride": "(1, 1)", "layout": "NCHW"})
    {'kernel': '(3, 3)', 'num_filter': '8'}
    """
    op = get_op(op_name)
    p = op.parse_params(dict(attrs))
    keep = {}
    for key, text in attrs.items():
        value, default = p[key], op.params[key].default
        if default is not REQUIRED and value == default:
            continue
        if key in _NEUTRAL and isinstance(value, (list, tuple)) and all(v == _NEUTRAL[key] for v in value):
            continue
        if key == "layout" and value in ("NCW", "NCHW", "NCDHW") or key == "no_bias" and value is False:
            continue
        keep[key] = text
    return keep


def _layer_item(name, cls, summary):
    label = f"nn.{name}"
    text = summary(f"ssdkit.gluon.nn.{name}", f"ssdkit.gluon.contrib.nn.{name}")
    if name in CONTAINERS:
        return {"label": label, "kind": "container", "container": name, "summary": text}
    if name in LAMBDAS:
        return {"label": label, "kind": "layer", "op": "tanh", "attrs": {}, "layer": name, "summary": text}
    try:
        traced = trace_layer(cls)
    except Exception as err:  # a layer the palette cannot trace is listed with why, never silently left out
        return {"label": label, "kind": "unavailable", "summary": f"{text} (not drawable: {err})"}
    ops = [n for n in traced["nodes"] if n["op"] != "null"]
    if not ops:   # Identity: no op at all; drawn as the identity op
        return {"label": label, "kind": "layer", "op": "identity", "attrs": {}, "summary": text}
    if len(ops) == 1:
        attrs = dict(_own_attrs(ops[0]["op"], ops[0].get("attrs") or {}), **_FIRST_ATTRS.get(name, {}))
        item = {"label": label, "kind": "layer", "op": ops[0]["op"], "attrs": attrs, "summary": text}
        renamed = {slot: w for slot, w in (ops[0].get("params") or {}).items() if param_name("", slot)[1:] != w}
        if renamed:   # the weight suffixes the layer gives (PReLU's gamma is "alpha"); the page adds the node name
            item["weights"] = renamed
        return item
    nodes = [{"name": "in", "op": "identity", "attrs": {}}] + [
        {"name": n["name"].strip("_"), "op": n["op"], "attrs": n.get("attrs") or {}} for n in ops]
    rename = {n["name"]: n["name"].strip("_") for n in ops}
    rename["data"] = "in"
    edges = [dict(e, src=rename[e["src"]], dst=rename[e["dst"]]) for e in traced["edges"]]
    output = [rename[traced["outputs"][0][0]], traced["outputs"][0][1]]
    return {"label": label, "kind": "template", "layer": name, "summary": text,
            "template": {"nodes": nodes, "edges": edges, "output": output}}


def op_spec(op_name):
    """``{"inputs", "params": {name: [kind, default text or None, choices or None, required]}, "outputs",
    "vararg"}`` of an op, for the attribute panel and the node's ports.

    Examples
    --------
    >>> op_spec("Activation")["params"]["act_type"][0], op_spec("Concat")["vararg"]
    ('str', 'num_args')
    """
    op = get_op(op_name)
    params = {name: [p.kind, None if p.default is REQUIRED or p.default is None else str(p.default),
                     list(p.choices) if p.choices else None, p.default is REQUIRED]
              for name, p in op.params.items()}
    return {"inputs": list(op.inputs), "params": params, "outputs": op.num_outputs,
            "vararg": op.key_var_num_args, "aux": list(op.aux)}


def _summaries():
    try:
        from ..help import get_index
        index = get_index()
    except Exception:  # the palette still works without the help index (summaries left empty)
        return lambda *names: ""

    def summary(*names):
        for name in names:
            i = index.by_name.get(name)
            if i is not None and index.entries[i].summary:
                return index.entries[i].summary
        return ""
    return summary


def palette():
    """Every palette item (layers first): ``{label, kind, summary}`` and by kind ``op``/``attrs`` ("layer",
    "op"), ``template`` ("template": a block of several ops), ``container`` ("container")."""
    summary = _summaries()
    layers = [_layer_item(name, cls, summary) for name, cls in layer_names()]
    rank = {"layer": 0, "template": 1, "container": 2, "unavailable": 3}
    items = sorted(layers, key=lambda item: (rank[item["kind"]], item["label"][3:] in LAMBDAS + ("Identity",)))
    for name in list_ops():
        if name.startswith("_") and not name.startswith("_contrib_"):
            continue
        short = name[9:] if name.startswith("_contrib_") else name
        spec = get_op(name)
        attrs = {spec.key_var_num_args: "2"} if spec.key_var_num_args else {}
        items.append({"label": short if short == name else f"contrib.{short}", "kind": "op", "op": name,
                      "attrs": attrs, "summary": summary(f"ssdkit.nd.{short}", f"ssdkit.nd.contrib.{short}",
                                                         f"ssdkit.sym.{short}")})
    return items
