"""The editor's palette: the gluon.nn layers that are one op, then every registry op, each with the help
search's one-line summary and the op's parameters (kind, default, choices) for the attribute panel.

Containers (``Sequential``, ``HybridSequential``) are the editor's groups; ``Lambda``/``HybridLambda`` hold
arbitrary Python and ``Swish`` is several ops, so these three are not in the palette.

Examples
--------
>>> items = palette()
>>> conv = next(i for i in items if i["label"] == "nn.Conv2D")
>>> conv["op"], conv["attrs"], conv["summary"]
('Convolution', {'kernel': '(3, 3)', 'num_filter': '16', 'pad': '(1, 1)'}, '2-D convolution layer.')
"""
from ..ops import REQUIRED, get_op, list_ops

__all__ = ["palette", "LAYERS", "op_spec"]

#: gluon.nn layer -> (op, attributes the drawn node starts with)
LAYERS = [
    ("Conv2D", "Convolution", {"kernel": "(3, 3)", "num_filter": "16", "pad": "(1, 1)"}),
    ("Conv2DTranspose", "Deconvolution", {"kernel": "(2, 2)", "num_filter": "16", "stride": "(2, 2)"}),
    ("Dense", "FullyConnected", {"num_hidden": "10"}),
    ("BatchNorm", "BatchNorm", {"eps": "1e-05", "fix_gamma": "False"}),
    ("Activation", "Activation", {"act_type": "relu"}),
    ("LeakyReLU", "LeakyReLU", {"act_type": "leaky", "slope": "0.1"}),
    ("PReLU", "LeakyReLU", {"act_type": "prelu"}),
    ("ELU", "LeakyReLU", {"act_type": "elu", "slope": "1.0"}),
    ("SELU", "LeakyReLU", {"act_type": "selu"}),
    ("GELU", "LeakyReLU", {"act_type": "gelu"}),
    ("MaxPool2D", "Pooling", {"kernel": "(2, 2)", "stride": "(2, 2)", "pool_type": "max"}),
    ("AvgPool2D", "Pooling", {"kernel": "(2, 2)", "stride": "(2, 2)", "pool_type": "avg"}),
    ("GlobalAvgPool2D", "Pooling", {"kernel": "(1, 1)", "global_pool": "True", "pool_type": "avg"}),
    ("GlobalMaxPool2D", "Pooling", {"kernel": "(1, 1)", "global_pool": "True", "pool_type": "max"}),
    ("Dropout", "Dropout", {"p": "0.5"}),
    ("Flatten", "Flatten", {}),
    ("Embedding", "Embedding", {"input_dim": "100", "output_dim": "16"}),
    ("Identity", "identity", {}),
]


def _text(value):
    if value is REQUIRED:
        return None
    return None if value is None else str(value)


def op_spec(op_name):
    """``{"inputs", "params": {name: [kind, default text or None, choices or None, required]}, "outputs",
    "vararg"}`` of an op, for the attribute panel and the node's ports.

    Examples
    --------
    >>> op_spec("Activation")["params"]["act_type"][0], op_spec("Concat")["vararg"]
    ('str', 'num_args')
    """
    op = get_op(op_name)
    params = {name: [p.kind, _text(p.default), list(p.choices) if p.choices else None, p.default is REQUIRED]
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
    """Every palette item: ``{label, kind ("layer" or "op"), op, attrs, summary}`` (layers first)."""
    summary = _summaries()
    items = []
    for label, op, attrs in LAYERS:
        items.append({"label": f"nn.{label}", "kind": "layer", "op": op, "attrs": dict(attrs),
                      "summary": summary(f"ssdkit.gluon.nn.{label}", f"ssdkit.nd.{op}")})
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
