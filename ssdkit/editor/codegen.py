"""Export a drawing as a Python module defining a HybridBlock subclass, named as drawn.

Each op node becomes a ``gluon.nn`` layer where one exists with the same computation and the weight names
fit the layer's (``Convolution`` -> ``nn.Conv2D``, ``Deconvolution`` -> ``nn.Conv2DTranspose``,
``FullyConnected`` -> ``nn.Dense``, ``BatchNorm``,
``Activation``, ``LeakyReLU``, ``Pooling`` -> ``nn.MaxPool2D``/``nn.AvgPool2D``/global pools, ``Dropout``,
``Flatten``, ``Embedding``), created with the prefix its weights carry, so the block built with no arguments
has exactly the loaded model's parameter names and ``load_parameters`` / ``collect_params().load`` of its
weights work. Any other op is an ``F.<op>`` call in ``hybrid_forward``; its weights (if any) are parameters
of the block itself under their own names.

Examples
--------
>>> doc = {"nodes": [{"name": "data", "op": "null"},
...                  {"name": "fc0", "op": "FullyConnected", "attrs": {"num_hidden": "4"}},
...                  {"name": "out", "op": "softmax"}],
...        "edges": [{"src": "data", "out": 0, "dst": "fc0", "slot": "data"},
...                  {"src": "fc0", "out": 0, "dst": "out", "slot": "data"}], "outputs": [["out", 0]]}
>>> code = export_python(doc)
>>> print(code[code.index("    def __init__"):])  # doctest: +NORMALIZE_WHITESPACE
    def __init__(self, prefix="", params=None, **kwargs):
        super().__init__(prefix=prefix, params=params, **kwargs)
        with self.name_scope():
            self.fc0 = nn.Dense(4, prefix="fc0_")
<BLANKLINE>
    def hybrid_forward(self, F, data):
        fc0 = self.fc0(data)
        out = F.softmax(fc0)
        return out
<BLANKLINE>
"""
import keyword
import re

from ..ops import get_op
from .document import PARAM_SLOTS, live_nodes, check_document, param_name, slot_names

__all__ = ["export_python", "layer_call"]

_GLUON_SUFFIX = {"moving_mean": "running_mean", "moving_var": "running_var"}
_RESERVED = {"F", "self", "nn", "mx", "params", "prefix", "name", "forward", "hybrid_forward", "initialize",
             "collect_params", "hybridize", "export", "cast", "name_scope", "register_child", "apply",
             "save_parameters", "load_parameters", "summary", "kwargs"}
_INIT = {"bias": "zeros", "beta": "zeros", "moving_mean": "zeros", "gamma": "ones", "moving_var": "ones"}


def _ident(name, used):
    base = re.sub(r"\W", "_", name[:-4] if name.endswith("_fwd") else name).strip("_") or "node"
    if base[0].isdigit():
        base = "n_" + base
    if keyword.iskeyword(base) or base in _RESERVED:
        base += "_"
    ident, i = base, 1
    while ident in used:
        ident, i = f"{base}_{i}", i + 1
    used.add(ident)
    return ident


def _lit(value):
    return repr(tuple(value)) if isinstance(value, (list, tuple)) else repr(value)


def _all(values, default):
    return values is None or len(values) == 0 or all(v == default for v in values)


def layer_call(op_name, p, weight_shapes):
    """``(nn constructor text without prefix, {input: weight suffix})`` of an op with a gluon.nn layer, else None.

    Examples
    --------
    >>> from ssdkit.ops import get_op
    >>> p = get_op("Convolution").parse_params({"kernel": "(3, 3)", "num_filter": "8", "pad": "(1, 1)"})
    >>> layer_call("Convolution", p, {"weight": (8, 3, 3, 3)})
    ('nn.Conv2D(8, (3, 3), padding=(1, 1), in_channels=3', {'weight': 'weight', 'bias': 'bias'})
    """
    made = _layer_call(op_name, p, weight_shapes)
    if made is None:
        return None
    from ..gluon import nn
    return made if hasattr(nn, made[0][3:made[0].index("(")]) else None


def _layer_call(op_name, p, weight_shapes):
    args, slots = [], {}
    if op_name in ("Convolution", "Deconvolution"):
        n = len(p.kernel)
        if n not in (1, 2, 3) or (op_name == "Deconvolution" and p.target_shape):
            return None
        args = [str(p.num_filter), _lit(p.kernel)]
        if not _all(p.stride, 1):
            args.append(f"strides={_lit(p.stride)}")
        if not _all(p.pad, 0):
            args.append(f"padding={_lit(p.pad)}")
        if op_name == "Deconvolution" and not _all(p.adj, 0):
            args.append(f"output_padding={_lit(p.adj)}")
        if not _all(p.dilate, 1):
            args.append(f"dilation={_lit(p.dilate)}")
        if p.num_group != 1:
            args.append(f"groups={p.num_group}")
        if p.layout and p.layout != ("NCW", "NCHW", "NCDHW")[n - 1]:
            args.append(f"layout={p.layout!r}")
        if p.no_bias:
            args.append("use_bias=False")
        w = weight_shapes.get("weight")
        if w:   # Convolution's weight is (out, in / groups, ...), Deconvolution's (in, out / groups, ...)
            args.append(f"in_channels={w[1] * p.num_group if op_name == 'Convolution' else w[0]}")
        slots = {"weight": "weight"} if p.no_bias else {"weight": "weight", "bias": "bias"}
        return f"nn.Conv{n}D{'' if op_name == 'Convolution' else 'Transpose'}(" + ", ".join(args), slots
    if op_name == "FullyConnected":
        args = [str(p.num_hidden)]
        if p.no_bias:
            args.append("use_bias=False")
        if not p.flatten:
            args.append("flatten=False")
        w = weight_shapes.get("weight")
        if w:
            args.append(f"in_units={w[1]}")
        slots = {"weight": "weight"} if p.no_bias else {"weight": "weight", "bias": "bias"}
        return "nn.Dense(" + ", ".join(args), slots
    if op_name == "BatchNorm":
        if p.output_mean_var:
            return None
        args = [f"axis={p.axis}", f"momentum={p.momentum!r}", f"epsilon={p.eps!r}"]
        if p.fix_gamma:
            args.append("scale=False")
        if p.use_global_stats:
            args.append("use_global_stats=True")
        g = weight_shapes.get("gamma")
        if g:
            args.append(f"in_channels={g[0]}")
        return "nn.BatchNorm(" + ", ".join(args), {s: _GLUON_SUFFIX.get(s, s) for s in
                                                     ("gamma", "beta", "moving_mean", "moving_var")}
    if op_name == "Activation":
        return f"nn.Activation({p.act_type!r}", {}
    if op_name == "LeakyReLU":
        if p.act_type == "leaky":
            return f"nn.LeakyReLU({p.slope!r}", {}
        if p.act_type == "elu":
            return f"nn.ELU({p.slope!r}", {}
        if p.act_type == "selu":
            return "nn.SELU(", {}
        if p.act_type == "gelu":
            return "nn.GELU(", {}
        return None
    if op_name == "Pooling":
        n = len(p.kernel) if p.kernel else 2
        kind = {"max": "Max", "avg": "Avg"}.get(p.pool_type)
        if kind is None or p.layout not in (None, "NCW", "NCHW", "NCDHW") or n not in (1, 2, 3):
            return None
        if p.global_pool:
            return f"nn.Global{kind}Pool{n}D(", {}
        args = [_lit(p.kernel), f"strides={_lit(p.stride or (1,) * n)}"]
        if not _all(p.pad, 0):
            args.append(f"padding={_lit(p.pad)}")
        if p.pooling_convention == "full":
            args.append("ceil_mode=True")
        elif p.pooling_convention != "valid":
            return None
        if kind == "Avg" and p.count_include_pad is False:
            args.append("count_include_pad=False")
        return f"nn.{kind}Pool{n}D(" + ", ".join(args), {}
    if op_name == "Dropout":
        if p.mode != "training":
            return None
        args = [repr(p.p)] + ([f"axes={_lit(p.axes)}"] if p.axes else [])
        return "nn.Dropout(" + ", ".join(args), {}
    if op_name == "Flatten":
        return "nn.Flatten(", {}
    if op_name == "Embedding":
        return f"nn.Embedding({p.input_dim}, {p.output_dim}", {"weight": "weight"}
    return None


def _f_path(op_name):
    """How ``F`` reaches an op in both ``mx.nd`` and ``mx.sym``."""
    from .. import nd, sym
    if hasattr(nd, op_name) and hasattr(sym, op_name):
        return op_name
    if op_name.startswith("_contrib_") and hasattr(nd.contrib, op_name[9:]) and hasattr(sym.contrib, op_name[9:]):
        return "contrib." + op_name[9:]
    return "_internal." + op_name


def export_python(doc, params=None, shapes=None, class_name="Net"):
    """Python source of a module defining ``class_name``, a HybridBlock rebuilding the document's live graph.

    Parameters
    ----------
    doc : dict
        An editor document (:mod:`ssdkit.editor.document`).
    params : dict of str to NDArray, optional
        Loaded weights: their shapes fix the layers' input sizes (else they are inferred at the first call).
    shapes : dict, optional
        The ``nodes`` result of :func:`ssdkit.editor.shapes.infer_document`, for weight shapes (inferred
        from the input nodes' ``shape`` when not given).
    class_name : str
    """
    nodes = check_document(doc)
    if shapes is None:   # weight shapes from the drawn input shapes, when they tell them
        from .shapes import infer_document
        inferred = infer_document(doc)
        shapes = inferred["nodes"] if inferred["ok"] else None
    order = live_nodes(doc)
    fed = {(e["dst"], e["slot"]): (e["src"], e.get("out", 0)) for e in doc.get("edges") or []}
    used, idents = set(), {}
    for name in order:
        idents[name] = _ident(name, used)
    inputs = [n for n in order if nodes[n]["op"] == "null"]
    init_lines, body, weight_args, taken, owners = [], [], [], set(), {}
    group_of = {}
    for name in order:
        node = nodes[name]
        if node["op"] == "null":
            continue
        op = get_op(node["op"])
        p = op.parse_params(dict(node.get("attrs") or {}))
        slots = slot_names(node)
        names = {s: (node.get("params") or {}).get(s) or param_name(name, s) for s in slots
                 if (name, s) not in fed and s in PARAM_SLOTS}
        wshapes = {}
        for slot, pname in names.items():
            if params and pname in params:
                wshapes[slot] = tuple(params[pname].shape)
            elif shapes and shapes.get(name, {}).get("params", {}).get(slot):
                wshapes[slot] = tuple(shapes[name]["params"][slot])
        ident = idents[name]
        group = node.get("group") or ""
        if group and group_of.get("last") != group:
            init_lines.append(f"            # block {group}")
            body.append(f"        # block {group}")
        group_of["last"] = group
        made = layer_call(node["op"], p, wshapes)
        prefix = None
        if made is not None:
            ctor, suffixes = made
            data_slots = [s for s in slots if s not in names]
            if set(suffixes) == set(names) and len(data_slots) == 1:
                prefixes = {names[s][:-len(suf)] for s, suf in suffixes.items() if names[s].endswith(suf)}
                if not suffixes:
                    prefix = (name[:-4] if name.endswith("_fwd") else name) + "_"
                elif len(prefixes) == 1 and len([1 for s, suf in suffixes.items() if names[s].endswith(suf)]) \
                        == len(suffixes) and next(iter(prefixes)) and not set(names.values()) & taken:
                    prefix = next(iter(prefixes))
        if prefix is not None:
            taken.update(names.values())
            for slot, pname in names.items():   # a later F call using the same weight takes this layer's
                owners[pname] = f"self.{ident}.{suffixes[slot]}"
            sep = ", " if not ctor.endswith("(") else ""
            init_lines.append(f"            self.{ident} = {ctor}{sep}prefix={prefix!r})".replace("'", '"'))
            src, out = fed[(name, data_slots[0])]
            body.append(f"        {ident} = self.{ident}({_ref(src, out, nodes, idents)})")
            continue
        args, positional = [], True
        for slot in slots:
            positional = positional and (name, slot) in fed
            if (name, slot) in fed:
                value = _ref(*fed[(name, slot)], nodes, idents)
            else:
                pname = names[slot]
                pid = _ident(pname, used) if pname not in idents else idents[pname]
                if pname not in idents:
                    idents[pname] = pid
                    shape = wshapes.get(slot)
                    extra = f", shape={_lit(shape)}" if shape else ""
                    req = ', grad_req="null"' if slot in op.aux else ""
                    init = f', init="{_INIT[slot]}"' if slot in _INIT else ""
                    if pname in owners:
                        init_lines.append(f"            self.{pid} = {owners[pname]}")
                    else:
                        init_lines.append(f'            self.{pid} = self.params.get("{pname}"{extra}{init}{req}, '
                                          'allow_deferred_init=True)')
                    weight_args.append(pid)
                value = pid
            args.append(value if op.key_var_num_args or positional else f"{slot}={value}")
        given = [k for k in p.given if k != op.key_var_num_args]
        args += [f"{k}={_lit(p[k]) if isinstance(p[k], (list, tuple)) else repr(p[k])}" for k in given]
        body.append(f"        {ident} = F.{_f_path(node['op'])}({', '.join(args)})")
    outs = [_ref(n, i, nodes, idents) for n, i in doc["outputs"]]
    ret = outs[0] if len(outs) == 1 else "(" + ", ".join(outs) + ")"
    sig = ", ".join(["self", "F"] + [idents[n] for n in inputs] + weight_args)
    lines = [
        f'"""{class_name}: exported by ssdkit-editor. Inputs: {", ".join(inputs)}; outputs: {len(outs)}.',
        "",
        f"Build it with ``{class_name}()``; its parameter names are the drawing's, so",
        f"``net.load_parameters(path)`` or ``net.collect_params().load(path)`` reads weights saved under them.",
        '"""',
        "from ssdkit.gluon import HybridBlock, nn",
        "",
        f"INPUTS = {[idents[n] for n in inputs]!r}",
        "",
        "",
        f"class {class_name}(HybridBlock):",
        f'    """The drawn network: ``{class_name}()({", ".join(idents[n] for n in inputs)})``."""',
        "",
        '    def __init__(self, prefix="", params=None, **kwargs):',
        "        super().__init__(prefix=prefix, params=params, **kwargs)",
        "        with self.name_scope():",
        *(init_lines or ["            pass"]),
        "",
        f"    def hybrid_forward({sig}):",
        *body,
        f"        return {ret}",
        "",
    ]
    return "\n".join(lines)


def _ref(src, out, nodes, idents):
    node = nodes[src]
    if node["op"] == "null":
        return idents[src]
    op = get_op(node["op"])
    n = op.output_count(op.parse_params(dict(node.get("attrs") or {})))
    return idents[src] if n == 1 else f"{idents[src]}[{out}]"
