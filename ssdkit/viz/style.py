"""Look of nodes: MXNet's colour per op type and its node labels, plus box sizes for the layout.

Colours and labels follow ``mx.viz.plot_network`` of MXNet 1.9.1, so a picture reads the same:
inputs are ovals in teal, Convolution/FullyConnected red, activations yellow, BatchNorm lilac,
Pooling blue, Concat/Flatten/Reshape orange, Softmax green, anything else pink.

Examples
--------
>>> from ssdkit.viz.model import Node
>>> conv = Node(1, "Convolution", "net0_conv0_fwd", {"kernel": "(3, 3)", "stride": "(2, 2)", "num_filter": "8"})
>>> fill_color(conv), mxnet_label(conv)
('#fb8072', 'Convolution\\n3x3/2x2, 8')
"""
import re

__all__ = ["COLORS", "fill_color", "mxnet_label", "box_lines", "node_size", "text_width",
           "format_count", "format_shape", "NODE_HEIGHT", "COLLAPSED_HEIGHT"]

#: MXNet's palette (ColorBrewer Set3), indexed as plot_network indexes it.
COLORS = ("#8dd3c7", "#fb8072", "#ffffb3", "#bebada", "#80b1d3", "#fdb462", "#b3de69", "#fccde5")
_OP_COLOR = {"null": 0, "Convolution": 1, "FullyConnected": 1, "BatchNorm": 3, "Activation": 2,
             "LeakyReLU": 2, "Pooling": 4, "Concat": 5, "Flatten": 5, "Reshape": 5, "Softmax": 6}

#: Box geometry in SVG pixels: two text lines, 13 px title and 10.5 px subtitle.
NODE_HEIGHT = 38
COLLAPSED_HEIGHT = 44
MIN_NODE_WIDTH = 92
TEXT_PAD = 10
TITLE_CHAR_WIDTH = 7.0    # average advance of a 12 px sans-serif character, rounded up
SUB_CHAR_WIDTH = 6.0      # the same for the 10.5 px subtitle
MAX_LABEL_CHARS = 30      # longer names are cut with an ellipsis in the box (full name in the panel)


def _digits(text):
    return re.findall(r"\d+", text)


def fill_color(node):
    """Fill colour of a node by its op type, as MXNet's plot_network chooses it.

    Examples
    --------
    >>> from ssdkit.viz.model import Node
    >>> fill_color(Node(0, "null", "data")), fill_color(Node(1, "transpose", "t"))
    ('#8dd3c7', '#fccde5')
    """
    return COLORS[_OP_COLOR.get(node.op, 7)]


def _details(node):
    """MXNet's second label line for the ops it describes, else None."""
    attrs = node.attrs
    if node.op == "Convolution":
        stride = "x".join(_digits(attrs["stride"])) if "stride" in attrs else "1"
        return f"{'x'.join(_digits(attrs.get('kernel', '')))}/{stride}, {attrs.get('num_filter', '?')}"
    if node.op == "FullyConnected":
        return str(attrs.get("num_hidden", "?"))
    if node.op == "Activation":
        return attrs.get("act_type", "?")
    if node.op == "LeakyReLU":
        return attrs.get("act_type", "Leaky")
    if node.op == "Pooling":
        kernel = "x".join(_digits(attrs["kernel"])) if "kernel" in attrs else "[]"
        stride = "x".join(_digits(attrs["stride"])) if "stride" in attrs else "1"
        return f"{attrs.get('pool_type', 'max')}, {kernel}/{stride}"
    return None


def mxnet_label(node):
    """The label MXNet's plot_network gives a node (``\\n`` separates lines).

    Examples
    --------
    >>> from ssdkit.viz.model import Node
    >>> mxnet_label(Node(2, "BatchNorm", "bn0_fwd")), mxnet_label(Node(3, "Activation", "r", {"act_type": "relu"}))
    ('bn0_fwd', 'Activation\\nrelu')
    """
    details = _details(node)
    if details is not None:
        return f"{node.op}\n{details}"
    if node.op == "Custom" and "op_type" in node.attrs:
        return node.attrs["op_type"]
    return node.name


def _clip(text):
    return text if len(text) <= MAX_LABEL_CHARS else text[:MAX_LABEL_CHARS - 1] + "\u2026"


def box_lines(node, local_name):
    """Title and subtitle of a node's box: MXNet's label where it has details, else op and short name.

    Examples
    --------
    >>> from ssdkit.viz.model import Node
    >>> box_lines(Node(2, "BatchNorm", "net0_bn0_fwd"), "bn0_fwd")
    ('BatchNorm', 'bn0_fwd')
    >>> box_lines(Node(0, "null", "data"), "data")
    ('data', 'input')
    """
    if node.is_variable:
        return _clip(node.name), "input"
    details = _details(node)
    return _clip(node.op), _clip(details if details is not None else local_name)


def text_width(text, char_width=TITLE_CHAR_WIDTH):
    """Estimated rendered width of ``text`` in pixels (no font metrics are available offline).

    Examples
    --------
    >>> text_width("abcd")
    28.0
    """
    return len(text) * char_width


def node_size(title, subtitle):
    """``(width, height)`` of a box that fits both lines.

    Examples
    --------
    >>> node_size("Convolution", "3x3/1, 8")
    (102.0, 38)
    """
    width = max(MIN_NODE_WIDTH, text_width(title), text_width(subtitle, SUB_CHAR_WIDTH)) + TEXT_PAD
    return float(width), NODE_HEIGHT


def format_count(count):
    """Compact parameter count for box labels: ``"912"``, ``"17.2k"``, ``"3.41M"``; ``"?"`` if unknown.

    Examples
    --------
    >>> format_count(17216), format_count(None), format_count(3411200)
    ('17.2k', '?', '3.41M')
    """
    if count is None:
        return "?"
    if count < 10000:
        return str(count)
    if count < 1000000:
        return f"{count / 1e3:.1f}k"
    return f"{count / 1e6:.2f}M"


def format_shape(shape, drop_batch=True):
    """MXNet's edge label: the shape without the batch axis joined by ``x``; ``""`` when unknown.

    Examples
    --------
    >>> format_shape((1, 8, 32, 32)), format_shape(None)
    ('8x32x32', '')
    """
    if shape is None:
        return ""
    return "x".join(str(d) for d in (shape[1:] if drop_batch else shape))
