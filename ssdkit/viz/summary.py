"""``print_summary``: MXNet's layer table (Layer (type), Output Shape, Param #, Previous Layer).

The text matches ``mx.viz.print_summary`` of MXNet 1.9.1 character for character, including its
parameter rules: a Convolution/FullyConnected counts ``in_channels * out * kernel (+ bias)`` from the
channels of its inputs, BatchNorm ``2 * C`` (gamma and beta), Embedding ``input_dim * output_dim``;
other ops count 0. One deliberate difference: MXNet treats the *values* of the first head triple as
node ids (``set(heads[0])``), so a head with output index k would mark node k as an input; here only
node 0 and the first head's node are.

Examples
--------
>>> conf = {"nodes": [{"op": "null", "name": "data", "inputs": []},
...                   {"op": "null", "name": "fc_weight", "inputs": []},
...                   {"op": "FullyConnected", "name": "fc", "attrs": {"num_hidden": "4", "no_bias": "True"},
...                    "inputs": [[0, 0, 0], [1, 0, 0]]}], "heads": [[2, 0, 0]]}
>>> print_summary(conf, shapes={"data": (1, 3), "fc_output": (1, 4)}, line_length=60)
... # doctest: +NORMALIZE_WHITESPACE
____________________________________________________________
Layer (type)              Output ShapeParam Previous Layer
============================================================
data(null)                3           0
____________________________________________________________
fc(FullyConnected)        4           12    data
============================================================
Total params: 12
____________________________________________________________
"""
import re

from ..base import MXNetError
from .source import load_model

__all__ = ["print_summary", "summary_lines", "HEADERS"]

# ops whose parameter count needs the channels of their input
_SIZED_BY_INPUT = ("Convolution", "Deconvolution", "FullyConnected", "BatchNorm")
HEADERS = ("Layer (type)", "Output Shape", "Param #", "Previous Layer")
DEFAULT_POSITIONS = (.44, .64, .74, 1.)


def _ints(text):
    return [int(d) for d in re.findall(r"\d+", text)]


def _row(fields, positions):
    line = ""
    for field, pos in zip(fields, positions):
        line = (line + str(field))[:pos]
        line += " " * (pos - len(line))
    return line


def _layer_params(node, pre_filter, model, show_shape):
    attrs = node.attrs
    if node.op in ("Convolution", "FullyConnected"):
        out = int(attrs["num_filter" if node.op == "Convolution" else "num_hidden"])
        bias = attrs.get("no_bias", "False") != "True"
        if node.op == "FullyConnected":
            return (pre_filter + bias) * out
        count = pre_filter * out // int(attrs.get("num_group", "1"))
        for k in _ints(attrs["kernel"]):
            count *= k
        return count + (out if bias else 0)
    if node.op == "BatchNorm" and show_shape:
        shape = model.shapes.get(node.name + "_output")
        return 2 * int(shape[1]) if shape is not None and len(shape) > 1 else 0
    if node.op == "Embedding":
        return int(attrs["input_dim"]) * int(attrs["output_dim"])
    return 0


def summary_lines(model, line_length=120, positions=DEFAULT_POSITIONS, show_shape=True):
    """The lines ``print_summary`` prints for a :class:`GraphModel`.

    Parameters
    ----------
    model : GraphModel
    line_length : int
        Total width of the table.
    positions : sequence of float or int
        Right edges of the four columns, as fractions of ``line_length`` (if the last is <= 1) or absolute.
    show_shape : bool
        Whether shapes are known (else the shape and BatchNorm columns stay empty / 0, as in MXNet).

    Returns
    -------
    list of str

    Examples
    --------
    >>> from ssdkit.viz.model import GraphModel, Node
    >>> summary_lines(GraphModel([Node(0, "null", "x")], [(0, 0)]), line_length=40)[-2]
    'Total params: 0'
    """
    if len(positions) != len(HEADERS):
        raise MXNetError(f"print_summary: positions needs {len(HEADERS)} column edges, got {list(positions)}")
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    shown_inputs = {0} | ({model.heads[0][0]} if model.heads else set())
    lines = ["_" * line_length, _row(HEADERS, positions), "=" * line_length]
    total = unsized = 0
    last = len(model.nodes) - 1
    for node in model.nodes:
        if node.is_variable and node.id > 0:
            continue
        out_shape = ()
        if show_shape and (not node.is_variable or node.id in shown_inputs):
            key = node.name if node.is_variable else node.name + "_output"
            out_shape = model.shapes.get(key, ())[1:]
        previous, pre_filter = [], 0
        if not node.is_variable:
            for src, _ in node.inputs:
                parent = model.nodes[src]
                if parent.is_variable and src not in shown_inputs:
                    continue
                previous.append(parent.name)
                key = parent.name if parent.is_variable else parent.name + "_output"
                if show_shape and len(model.shapes.get(key, ())) > 1:
                    pre_filter += int(model.shapes[key][1])
        params = _layer_params(node, pre_filter, model, show_shape)
        if node.op in _SIZED_BY_INPUT and not pre_filter and not (node.op == "BatchNorm" and show_shape):
            unsized += 1  # its weights' size depends on an input shape nobody gave: not 0, unknown
        total += params
        lines.append(_row([f"{node.name}({node.op})", "x".join(str(d) for d in out_shape), params,
                           previous[0] if previous else ""], positions))
        lines.extend(_row(["", "", "", name], positions) for name in previous[1:])
        lines.append(("=" if node.id == last else "_") * line_length)
    lines.append(f"Total params: {total}")
    if unsized:
        lines.append(f"  + the weights of {unsized} layer(s) whose size needs the input shape (not counted above: "
                     "give shape=, or --shape to ssdkit-viz)")
    lines.append("_" * line_length)
    return lines


def print_summary(symbol, shape=None, line_length=120, positions=DEFAULT_POSITIONS, shapes=None):
    """Print a layer table of a network, as ``mx.viz.print_summary`` does.

    Parameters
    ----------
    symbol : Symbol or dict or str or os.PathLike
        A Symbol, or MXNet symbol JSON (dict, text or ``*-symbol.json`` path).
    shape : dict, optional
        Input shapes ``{name: shape}``; entry shapes are then inferred (needs a Symbol, or the
        symbol layer for JSON).
    line_length : int
        Width of the table in characters.
    positions : sequence of float
        Column right edges as fractions of ``line_length`` (or absolute if the last is > 1).
    shapes : dict, optional
        Entry shapes ``{entry name: shape}`` given directly, e.g. saved from ``infer_shape``.

    Returns
    -------
    None
        The table goes to standard output.

    Examples
    --------
    >>> print_summary({"nodes": [{"op": "null", "name": "data", "inputs": []},
    ...          {"op": "Flatten", "name": "net0_flat0", "inputs": [[0, 0, 0]]},
    ...          {"op": "Flatten", "name": "net0_flat1", "inputs": [[1, 0, 0]]}], "heads": [[2, 0, 0]]}, line_length=50)  # doctest: +NORMALIZE_WHITESPACE
    __________________________________________________
    Layer (type)          Output ShaParamPrevious Laye
    ==================================================
    data(null)                      0
    __________________________________________________
    net0_flat0(Flatten)             0    data
    __________________________________________________
    net0_flat1(Flatten)             0    net0_flat0
    ==================================================
    Total params: 0
    __________________________________________________
    """
    model = load_model(symbol, shape=shape, shapes=shapes, caller="print_summary")
    show = shape is not None or shapes is not None
    print("\n".join(summary_lines(model, line_length, positions, show_shape=show)))
