"""Symbols to and from MXNet's JSON layout (``-symbol.json``), read defensively.

Layout: ``{"nodes": [{"op", "name", "attrs", "inputs": [[node, index, version], ...]}, ...],
"arg_nodes": [...], "node_row_ptr": [...], "heads": [[node, index, version], ...],
"attrs": {"mxnet_version": ["int", 10901]}}``; every attribute value is a string.

Examples
--------
>>> import ssdkit as mx
>>> net = mx.sym.relu(mx.sym.var('x'), name='r')
>>> load_json(net.tojson()).list_outputs()
['r_output']
"""
import json
import os
import warnings

from ..base import MXNetError
from ..util import is_np_shape
from ..ops import Param, get_op
from .symbol import Symbol, Node, topological_nodes

__all__ = ["to_json", "load_json", "load", "save", "SymbolFileError", "MXNET_VERSION"]

MXNET_VERSION = 10901  # files declare MXNet 1.9.1 so MXNet loads them without upgrading passes
VARIABLE_SHAPE = Param("shape", None)  # a variable's ``__shape__`` attribute


class SymbolFileError(MXNetError):
    """A symbol JSON file is malformed; the message names the file and the node.

    Examples
    --------
    >>> issubclass(SymbolFileError, MXNetError)
    True
    """


def to_json(symbol):
    """The graph of ``symbol`` as an MXNet JSON string."""
    graph = _graph(symbol)
    graph["attrs"] = {"mxnet_version": ["int", MXNET_VERSION]}
    if is_np_shape():  # MXNet marks graphs written under np_shape, whose 0 dims are real
        graph["attrs"] = {"is_np_shape": ["int", 1], **graph["attrs"]}
    return _dump(graph, 0)


def _graph(symbol):
    """The JSON object of one graph (control-flow subgraphs nested in their nodes' records)."""
    from .control_flow_json import CONTROL_FLOW_OPS, subgraph_record
    nodes = topological_nodes(symbol._outputs)
    index = {id(n): i for i, n in enumerate(nodes)}
    records, row_ptr = [], [0]
    for node in nodes:
        record = {"op": "null" if node.is_variable else node.op_name, "name": node.name}
        attrs, subgraphs = dict(node.attrs), None
        if node.op is not None and node.op.name in CONTROL_FLOW_OPS:
            cf_attrs, subgraphs = subgraph_record(node)
            attrs.update(cf_attrs)
        elif node.params is not None:
            attrs.update(node.params.to_attrs())
        if attrs:
            record["attrs"] = dict(sorted(attrs.items()))
        aux = set(node.op.aux) if node.op is not None else set()
        names = node.op.input_names(node.params) if node.op is not None and not node.op.key_var_num_args else []
        # MXNet marks inputs an op mutates (auxiliary states) with version 1
        record["inputs"] = [[index[id(src)], i, int(n in aux)] for (src, i), n in
                            zip(node.inputs, names or [None] * len(node.inputs))]
        if subgraphs is not None:
            record["subgraphs"] = [_graph(g) for g in subgraphs]
        records.append(record)
        row_ptr.append(row_ptr[-1] + node.num_outputs() + (0 if node.is_variable else node.op.hidden_count(node.params)))
    return {"nodes": records,
            "arg_nodes": [i for i, n in enumerate(nodes) if n.is_variable],
            "node_row_ptr": row_ptr,
            "heads": [[index[id(n)], i, 0] for n, i in symbol._outputs]}


def _dump(value, level):
    """dmlc-core's JSON writer, so files equal MXNet's byte for byte: objects one key per line, arrays on
    one line unless they hold objects or more than ten items, objects with one key on one line."""
    pad = "\n" + "  " * (level + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        if len(value) == 1:
            (k, v), = value.items()
            return "{" + f"{json.dumps(k)}: {_dump(v, level + 1)}" + "}"
        items = [f"{pad}{json.dumps(k)}: {_dump(v, level + 1)}" for k, v in value.items()]
        return "{" + ", ".join(items) + "\n" + "  " * level + "}"
    if isinstance(value, list):
        if len(value) > 10 or any(isinstance(v, dict) for v in value):
            return "[" + ", ".join(pad + _dump(v, level + 1) for v in value) + "\n" + "  " * level + "]"
        return "[" + ", ".join(_dump(v, level + 1) for v in value) + "]"
    return json.dumps(value)


def save(symbol, fname):
    """Write ``symbol`` to ``fname`` as MXNet JSON."""
    with open(fname, "w") as f:
        f.write(to_json(symbol))


def _fail(source, message):
    raise SymbolFileError(f"{source}: {message}")


def _split_attrs(op, attrs, node_name, source):
    params, extra, unknown = {}, {}, []
    for key, value in attrs.items():
        if key in op.params or (op.any_params and not key.startswith("__")):
            params[key] = value
        elif key.startswith("__") or op.params == {}:
            extra[key] = value
        else:
            unknown.append(key)
    if unknown:
        warnings.warn(f"{source}: node {node_name} ({op.name}) has attributes ssdkit does not use: {unknown}")
    return params, extra


def _entry(source, what, kind, entry, nodes):
    """``(node, output index)`` of a JSON entry ``[node, index, version?]`` that must point at one of
    ``nodes`` (earlier nodes only, for inputs) and at an output that node has."""
    if (not isinstance(entry, list) or len(entry) < 2 or not all(type(v) is int for v in entry)
            or not 0 <= entry[0] < len(nodes)):
        _fail(source, f"{what} has an invalid {kind} entry {entry!r:.60}: expected [node, output, version] "
                      f"with a node in [0, {len(nodes)})")
    src = nodes[entry[0]]
    if not 0 <= entry[1] < src.num_outputs():
        _fail(source, f"{what} reads output {entry[1]} of {src.name}, which has {src.num_outputs()}")
    return src, entry[1]


def load_json(json_str, source="<json>"):
    """Rebuild a Symbol from MXNet JSON (written by MXNet 1.x or by ssdkit)."""
    try:
        graph = json.loads(json_str)
    except (TypeError, ValueError) as err:
        _fail(source, f"not valid JSON ({err})")
    except RecursionError:
        _fail(source, "not valid JSON (nested too deep)")
    return _load_graph(graph, source)


def _load_graph(graph, source, depth=0):
    """A Symbol from one parsed graph object (control-flow subgraphs read recursively)."""
    if not isinstance(graph, dict) or not isinstance(graph.get("nodes"), list) or "heads" not in graph:
        _fail(source, "not an MXNet symbol file (needs 'nodes' and 'heads')")
    if depth > MAX_SUBGRAPH_DEPTH:
        _fail(source, f"control-flow subgraphs nested deeper than {MAX_SUBGRAPH_DEPTH}")
    nodes = []
    for i, record in enumerate(graph["nodes"]):
        if not isinstance(record, dict) or "op" not in record or "name" not in record:
            _fail(source, f"node {i} needs 'op' and 'name'")
        name, op_name = str(record["name"]), str(record["op"])
        attrs = record.get("attrs", record.get("attr", record.get("param", {}))) or {}
        if not isinstance(attrs, dict):
            _fail(source, f"node {i} ({name}) has attributes that are not an object")
        inputs = record.get("inputs", [])
        if not isinstance(inputs, list):
            _fail(source, f"node {i} ({name}) has inputs {inputs!r:.60}, expected a list of entries")
        # ``nodes`` holds the i nodes before this one: inputs may only point backwards
        entries = [_entry(source, f"node {i} ({name})", "input", entry, nodes) for entry in inputs]
        if op_name == "null":
            extra = {k: str(v) for k, v in attrs.items()}
            if "__shape__" in extra:  # read now, so that a damaged shape names its node, not a later shape error
                try:
                    VARIABLE_SHAPE.parse(extra["__shape__"], "variable", "__shape__")
                except MXNetError as err:
                    _fail(source, f"node {i} ({name}): {err}")
            nodes.append(Node(None, "null", name, None, [], extra))
            continue
        try:
            op = get_op(op_name)
            if "subgraphs" in record:
                parsed, extra, entries = _control_flow(op_name, record, attrs, entries, name, source, depth)
                nodes.append(Node(op, op_name, name, parsed, entries, extra))
                continue
            params, extra = _split_attrs(op, attrs, name, source)
            parsed = op.parse_params(params)
        except SymbolFileError:
            raise
        except MXNetError as err:
            _fail(source, f"node {i} ({name}): {err}")
        wanted = len(entries) if op.key_var_num_args else len(op.input_names(parsed))
        if len(entries) != wanted:
            _fail(source, f"node {i} ({name}, {op_name}) has {len(entries)} inputs, expected {wanted}")
        nodes.append(Node(op, op_name, name, parsed, entries, extra))
    if not isinstance(graph["heads"], list):
        _fail(source, f"'heads' is {graph['heads']!r:.60}, expected a list of entries")
    heads = [_entry(source, "the graph", "head", entry, nodes) for entry in graph["heads"]]
    if not heads:
        _fail(source, "the graph has no heads")
    return Symbol(heads)


#: How deep control-flow subgraphs may nest in a file (a guard against hostile files).
MAX_SUBGRAPH_DEPTH = 16


def _control_flow(op_name, record, attrs, entries, name, source, depth):
    """Parameters, extra attributes and reordered inputs of a control-flow record with ``subgraphs``."""
    from .control_flow_json import CONTROL_FLOW_OPS, subgraph_params
    if op_name not in CONTROL_FLOW_OPS or not isinstance(record["subgraphs"], list):
        _fail(source, f"node {name} ({op_name}) has subgraphs ssdkit cannot run")
    graphs = [_load_graph(g, f"{source} (subgraph of {name})", depth + 1) for g in record["subgraphs"]]
    values, order = subgraph_params(op_name, attrs, graphs, len(entries), source, name)
    op = get_op(op_name)
    parsed = op.parse_params(values)
    extra = {k: str(v) for k, v in attrs.items() if k.startswith("__")}
    return parsed, extra, [entries[u] for u in order]


def load(fname):
    """Read a ``-symbol.json`` file.

    Examples
    --------
    >>> import tempfile, ssdkit as mx
    >>> path = os.path.join(tempfile.mkdtemp(), "n-symbol.json")
    >>> mx.sym.var('x').save(path); load(path).list_arguments()
    ['x']
    """
    try:
        with open(fname) as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as err:
        raise SymbolFileError(f"{fname}: cannot read ({err})") from err
    return load_json(text, source=fname)
