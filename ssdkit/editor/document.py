"""The editor's document: nodes (op + attributes + the names of their weights), edges, outputs and groups.

A document is plain JSON, the page's own model of the drawing::

    {"nodes": [{"name": "data", "op": "null", "shape": [1, 3, 32, 32]},
               {"name": "conv0", "op": "Convolution", "attrs": {"kernel": "(3, 3)", "num_filter": "8"},
                "params": {"weight": "conv0_weight", "bias": "conv0_bias"}, "group": "features",
                "x": 40, "y": 90}],
     "edges": [{"src": "data", "out": 0, "dst": "conv0", "slot": "data"}],
     "outputs": [["conv0", 0]],
     "groups": {"features": {"collapsed": false}}}

An ``op`` of ``"null"`` is a graph input. Weights are not drawn: an op input named like a weight (``weight``,
``bias``, ``gamma``, ``beta``, ``moving_mean``, ``moving_var``) that no edge feeds is a parameter, named by
``params`` (default ``<node>_<input>``, ``running_mean``/``running_var`` for BatchNorm's statistics as Gluon
names them). :func:`to_symbol_json` writes MXNet's symbol JSON layout and :func:`from_symbol_json` reads it
back (any MXNet 1.x ``-symbol.json``), folding weight variables into the nodes they feed.

Examples
--------
>>> doc = {"nodes": [{"name": "data", "op": "null"},
...                  {"name": "fc0", "op": "FullyConnected", "attrs": {"num_hidden": "4"}}],
...        "edges": [{"src": "data", "out": 0, "dst": "fc0", "slot": "data"}], "outputs": [["fc0", 0]]}
>>> conf = to_symbol_json(doc)
>>> [n["name"] for n in conf["nodes"]]
['data', 'fc0_weight', 'fc0_bias', 'fc0']
>>> back = from_symbol_json(conf)
>>> back["nodes"][1]["params"], back["edges"]
({'weight': 'fc0_weight', 'bias': 'fc0_bias'}, [{'src': 'data', 'out': 0, 'dst': 'fc0', 'slot': 'data'}])
"""
from ..base import MXNetError
from ..ops import get_op

__all__ = ["DocumentError", "PARAM_SLOTS", "check_document", "to_symbol_json", "from_symbol_json",
           "slot_names", "param_name", "live_nodes", "inputs_first"]

#: Op inputs that are learned parameters or statistics when no edge feeds them.
PARAM_SLOTS = ("weight", "bias", "gamma", "beta", "moving_mean", "moving_var")
_GLUON_SUFFIX = {"moving_mean": "running_mean", "moving_var": "running_var"}
MAX_NODES = 20000


class DocumentError(MXNetError):
    """A document the editor cannot use; ``node`` names the node it concerns (None for the whole document).

    Examples
    --------
    >>> DocumentError("no op", node="conv0").node
    'conv0'
    """

    def __init__(self, message, node=None):
        super().__init__(f"node {node}: {message}" if node else message)
        self.node = node


def param_name(node_name, slot):
    """Default name of the weight variable feeding ``slot`` of node ``node_name``.

    Examples
    --------
    >>> param_name("bn0", "moving_var"), param_name("conv0", "weight")
    ('bn0_running_var', 'conv0_weight')
    """
    return f"{node_name}_{_GLUON_SUFFIX.get(slot, slot)}"


def _parsed(node):
    name, op_name = node["name"], node["op"]
    try:
        op = get_op(op_name)
    except MXNetError:
        raise DocumentError(f"unknown op {op_name!r}", node=name) from None
    try:
        return op, op.parse_params(dict(node.get("attrs") or {}))
    except MXNetError as err:
        raise DocumentError(str(err), node=name) from None


def slot_names(node):
    """Input names of an op node for its attributes (Convolution loses ``bias`` with ``no_bias``).

    Examples
    --------
    >>> slot_names({"name": "c", "op": "Convolution", "attrs": {"kernel": "(1, 1)", "num_filter": "2",
    ...                                                        "no_bias": "True"}})
    ['data', 'weight']
    """
    op, p = _parsed(node)
    return list(op.input_names(p))


def check_document(doc, need_outputs=True):
    """Refuse a malformed document with the node it concerns; returns ``{name: node}``.

    Examples
    --------
    >>> check_document({"nodes": [{"name": "a", "op": "Nope"}], "edges": [], "outputs": [["a", 0]]})
    Traceback (most recent call last):
    ...
    ssdkit.editor.document.DocumentError: node a: unknown op 'Nope'
    """
    if not isinstance(doc, dict) or not isinstance(doc.get("nodes"), list):
        raise DocumentError("a document is an object with a 'nodes' list")
    if len(doc["nodes"]) > MAX_NODES:
        raise DocumentError(f"{len(doc['nodes'])} nodes; at most {MAX_NODES}")
    nodes = {}
    for i, node in enumerate(doc["nodes"]):
        if not isinstance(node, dict) or not isinstance(node.get("name"), str) or not node["name"]:
            raise DocumentError(f"node {i} needs a non-empty 'name'")
        name = node["name"]
        if name in nodes:
            raise DocumentError("the name is used twice", node=name)
        if not isinstance(node.get("op"), str):
            raise DocumentError("needs an 'op' (a registry op name, or 'null' for an input)", node=name)
        for key in ("attrs", "params", "attrs_extra"):
            value = node.get(key) or {}
            if not isinstance(value, dict) or not all(isinstance(v, (str, int, float, bool)) for v in value.values()):
                raise DocumentError(f"'{key}' must map names to strings", node=name)
        if node["op"] != "null":
            _parsed(node)
        nodes[name] = node
    edges = doc.get("edges") or []
    if not isinstance(edges, list):
        raise DocumentError("'edges' must be a list")
    fed = set()
    for edge in edges:
        if not isinstance(edge, dict) or not {"src", "dst", "slot"} <= set(edge):
            raise DocumentError(f"edge {edge!r:.80} needs 'src', 'out', 'dst' and 'slot'")
        src, dst = nodes.get(edge["src"]), nodes.get(edge["dst"])
        if dst is None:
            raise DocumentError(f"an edge goes into {edge['dst']!r}, which is no node")
        if src is None:
            raise DocumentError(f"input {edge['slot']} comes from {edge['src']!r}, which is no node", node=dst["name"])
        if dst["op"] == "null":
            raise DocumentError("an input node takes no edges", node=dst["name"])
        slots = slot_names(dst)
        if edge["slot"] not in slots:
            raise DocumentError(f"has no input {edge['slot']!r}; its inputs are {slots}", node=dst["name"])
        if (dst["name"], edge["slot"]) in fed:
            raise DocumentError(f"input {edge['slot']} is wired twice", node=dst["name"])
        fed.add((dst["name"], edge["slot"]))
        out = edge.get("out", 0)
        if not isinstance(out, int) or out < 0 or out >= _output_count(src):
            raise DocumentError(f"has no output {out!r} (it has {_output_count(src)})", node=src["name"])
    for name, node in nodes.items():
        if node["op"] != "null":
            for slot in slot_names(node):
                if (name, slot) not in fed and slot not in PARAM_SLOTS:
                    raise DocumentError(f"input {slot} is not connected", node=name)
    outputs = doc.get("outputs") or []
    if not isinstance(outputs, list) or (need_outputs and not outputs):
        raise DocumentError("the document has no outputs (mark at least one node's output)")
    for entry in outputs:
        if not isinstance(entry, (list, tuple)) or len(entry) != 2 or entry[0] not in nodes:
            raise DocumentError(f"output {entry!r:.60} must be [node name, output index] of a node")
        if not isinstance(entry[1], int) or not 0 <= entry[1] < _output_count(nodes[entry[0]]):
            raise DocumentError(f"has no output {entry[1]!r}", node=entry[0])
    _topological(doc, nodes)
    return nodes


def _output_count(node):
    if node["op"] == "null":
        return 1
    op, p = _parsed(node)
    return op.output_count(p)


def _topological(doc, nodes):
    """Node names, inputs before the nodes they feed; a cycle is refused naming a node on it."""
    preds = {name: [] for name in nodes}
    for edge in doc.get("edges") or []:
        preds[edge["dst"]].append(edge["src"])

    def cycle(path, again):
        raise DocumentError("is part of a cycle; a network's graph must not loop back", node=again)
    return inputs_first(nodes, preds, cycle)


def inputs_first(keys, preds, on_cycle):
    """``keys`` ordered so each comes after its ``preds[key]`` (depth first, in the order given);
    ``on_cycle(path, key)`` is called (and should raise) when ``key`` is reached again along ``path``.

    Examples
    --------
    >>> inputs_first(["c", "a", "b"], {"c": ["b"], "b": ["a"]}, None)
    ['a', 'b', 'c']
    """
    order, state = [], {}
    for start in keys:
        if state.get(start):
            continue
        state[start] = 1
        stack = [(start, iter(preds.get(start, ())))]
        while stack:
            key, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                stack.pop()
                state[key] = 2
                order.append(key)
            elif state.get(nxt) == 1:
                on_cycle([k for k, _ in stack], nxt)
            elif not state.get(nxt):
                state[nxt] = 1
                stack.append((nxt, iter(preds.get(nxt, ()))))
    return order


def live_nodes(doc):
    """Names of the nodes some output depends on, inputs first (what export keeps).

    Examples
    --------
    >>> live_nodes({"nodes": [{"name": "x", "op": "null"}, {"name": "y", "op": "null"}], "outputs": [["x", 0]]})
    ['x']
    """
    nodes = check_document(doc)
    preds = {name: [] for name in nodes}
    for edge in doc.get("edges") or []:
        preds[edge["dst"]].append(edge["src"])
    keep, todo = set(), [name for name, _ in doc["outputs"]]
    while todo:
        name = todo.pop()
        if name not in keep:
            keep.add(name)
            todo.extend(preds[name])
    return [name for name in _topological(doc, nodes) if name in keep]


def to_symbol_json(doc, every_node=False):
    """MXNet symbol JSON (``nodes``/``arg_nodes``/``heads``) of the document's live part (``every_node``: of
    all of it, every op output a head, as shape inference of the whole drawing needs).

    Examples
    --------
    >>> doc = {"nodes": [{"name": "x", "op": "null"}, {"name": "r", "op": "Activation",
    ...        "attrs": {"act_type": "relu"}}], "edges": [{"src": "x", "out": 0, "dst": "r", "slot": "data"}],
    ...        "outputs": [["r", 0]]}
    >>> to_symbol_json(doc)["heads"]
    [[1, 0, 0]]
    """
    nodes = check_document(doc, need_outputs=not every_node)
    fed = {(e["dst"], e["slot"]): (e["src"], e.get("out", 0)) for e in doc.get("edges") or []}
    out_nodes, index, arg_nodes = [], {}, []

    def variable(name, attrs):
        if name not in index:
            index[name] = len(out_nodes)
            arg_nodes.append(len(out_nodes))
            out_nodes.append({"op": "null", "name": name, "attrs": dict(attrs or {}), "inputs": []})
            if not out_nodes[-1]["attrs"]:
                del out_nodes[-1]["attrs"]
        return [index[name], 0, 0]

    for name in (_topological(doc, nodes) if every_node else live_nodes(doc)):
        node = nodes[name]
        if node["op"] == "null":
            attrs = dict(node.get("attrs") or {})
            variable(name, attrs)
            continue
        inputs = []
        params = node.get("params") or {}
        param_attrs = node.get("param_attrs") or {}
        for slot in slot_names(node):
            if (name, slot) in fed:
                src, out = fed[(name, slot)]
                if nodes[src]["op"] == "null":
                    inputs.append(variable(src, nodes[src].get("attrs")))
                else:
                    inputs.append([index[src], out, 0])
            else:
                pname = params.get(slot) or param_name(name, slot)
                inputs.append(variable(pname, param_attrs.get(pname)))
        index[name] = len(out_nodes)
        record = {"op": node["op"], "name": name, "inputs": inputs}
        attrs = {k: str(v) for k, v in (node.get("attrs") or {}).items()}
        attrs.update({k: str(v) for k, v in (node.get("attrs_extra") or {}).items()})   # __lr_mult__ and such
        if attrs:
            record["attrs"] = attrs
        out_nodes.append(record)
    if every_node:
        heads = [[index[n], i, 0] for n in nodes if nodes[n]["op"] != "null" for i in range(_output_count(nodes[n]))]
        heads = heads or [[index[n], 0, 0] for n in nodes]
    else:
        heads = [[index[name], out, 0] for name, out in doc["outputs"]]
    return {"nodes": out_nodes, "arg_nodes": arg_nodes, "heads": heads,
            "attrs": {"mxnet_version": ["int", 10901]}}


def from_symbol_json(conf):
    """A document from MXNet symbol JSON (a dict, as ``json.load`` gives it); weights fold into their nodes.

    The graph is first read by :func:`ssdkit.symbol.load_json` so a damaged file is refused with the
    library's own message naming the node.

    Examples
    --------
    >>> import ssdkit as mx
    >>> import json
    >>> y = mx.sym.Convolution(mx.sym.var("data"), kernel=(3, 3), num_filter=4, name="c0")
    >>> doc = from_symbol_json(json.loads(y.tojson()))
    >>> [(n["name"], n["op"]) for n in doc["nodes"]], doc["outputs"]
    ([('data', 'null'), ('c0', 'Convolution')], [['c0', 0]])
    """
    import json as _json
    from ..symbol import load_json
    load_json(_json.dumps(conf))   # the library's own checks and messages
    records = conf["nodes"]
    consumers = {}
    for rec in records:
        if rec["op"] == "null":
            continue
        op = get_op(rec["op"])
        p = op.parse_params(_op_attrs(op, rec))
        for slot, entry in zip(op.input_names(p), rec.get("inputs", [])):
            consumers.setdefault(entry[0], []).append(slot)
    folded = {i for i, rec in enumerate(records)
              if rec["op"] == "null" and consumers.get(i)
              and all(slot in PARAM_SLOTS for slot in consumers[i])}
    names = {}
    nodes, edges = [], []
    for i, rec in enumerate(records):
        if i in folded:
            continue
        name = rec["name"]
        while name in names.values():
            name += "_"
        names[i] = name
        node = {"name": name, "op": rec["op"]}
        attrs = rec.get("attrs", rec.get("attr", rec.get("param"))) or {}
        if rec["op"] == "null":
            node["attrs"] = {k: str(v) for k, v in attrs.items()}
            if "__shape__" in attrs:
                node["shape"] = [int(d) for d in str(attrs["__shape__"]).strip("()[] ").split(",") if d.strip()]
            nodes.append(node)
            continue
        op = get_op(rec["op"])
        node["attrs"] = {k: str(v) for k, v in _op_attrs(op, rec).items()}
        extra = {k: str(v) for k, v in attrs.items() if k.startswith("__")}
        if extra:
            node["attrs_extra"] = extra
        params, param_attrs = {}, {}
        for slot, entry in zip(op.input_names(op.parse_params(node["attrs"])), rec.get("inputs", [])):
            if entry[0] in folded:
                var = records[entry[0]]
                params[slot] = var["name"]
                if var.get("attrs"):
                    param_attrs[var["name"]] = dict(var["attrs"])
            else:
                edges.append({"src": names[entry[0]], "out": _visible(records, entry), "dst": name, "slot": slot})
        if params:
            node["params"] = params
        if param_attrs:
            node["param_attrs"] = param_attrs
        nodes.append(node)
    outputs = [[names[h[0]], _visible(records, h)] for h in conf["heads"]]
    return {"nodes": nodes, "edges": edges, "outputs": outputs, "groups": {}}


def _op_attrs(op, rec):
    attrs = rec.get("attrs", rec.get("attr", rec.get("param"))) or {}
    return {k: v for k, v in attrs.items() if k in op.params}


def _visible(records, entry):
    """Output index of an entry (MXNet JSON counts outputs as the op lists them)."""
    return int(entry[1])
