"""Which ``gluon.nn`` layer computes a drawn op node, and its constructor text (the export's layer table).

A node becomes a layer only when the layer does the same computation and names its weights with the same
suffixes (``weight``/``bias``, ``gamma``/``beta``/``running_mean``/``running_var``), so the exported block keeps
the drawing's parameter names. A layer the installed ``gluon.nn`` does not define is never emitted.

Examples
--------
>>> from ssdkit.ops import get_op
>>> layer_call("Activation", get_op("Activation").parse_params({"act_type": "tanh"}), {})
("nn.Activation('tanh'", {})
"""
import keyword
import re

__all__ = ["layer_call", "lit", "ident", "quoted", "RESERVED"]

_GLUON_SUFFIX = {"moving_mean": "running_mean", "moving_var": "running_var"}
#: names an exported identifier must not take (Block attributes, the module's own names)
RESERVED = {"F", "self", "nn", "mx", "params", "prefix", "name", "forward", "hybrid_forward", "initialize",
             "collect_params", "hybridize", "export", "cast", "name_scope", "register_child", "apply",
             "save_parameters", "load_parameters", "summary", "kwargs", "HybridBlock"}


def ident(name, used):
    """A Python identifier for a drawn name, not in ``used`` (which it joins); ``_fwd`` is dropped.

    Examples
    --------
    >>> used = {"conv0"}
    >>> ident("conv0_fwd", used), ident("class", used), ident("0a", used)
    ('conv0_1', 'class_', 'n_0a')
    """
    base = re.sub(r"\W", "_", name[:-4] if name.endswith("_fwd") else name).strip("_") or "node"
    if base[0].isdigit():
        base = "n_" + base
    if keyword.iskeyword(base) or base in RESERVED:
        base += "_"
    ident, i = base, 1
    while ident in used:
        ident, i = f"{base}_{i}", i + 1
    used.add(ident)
    return ident


def quoted(text):
    """``text`` as a double-quoted Python string literal.

    Examples
    --------
    >>> print(quoted('a"b'))
    "a\\"b"
    """
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def lit(value):
    """Python literal text of an attribute value (lists as tuples).

    Examples
    --------
    >>> lit([3, 3]), lit(0.5)
    ('(3, 3)', '0.5')
    """
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
        args = [str(p.num_filter), lit(p.kernel)]
        if not _all(p.stride, 1):
            args.append(f"strides={lit(p.stride)}")
        if not _all(p.pad, 0):
            args.append(f"padding={lit(p.pad)}")
        if op_name == "Deconvolution" and not _all(p.adj, 0):
            args.append(f"output_padding={lit(p.adj)}")
        if not _all(p.dilate, 1):
            args.append(f"dilation={lit(p.dilate)}")
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
    if op_name in ("LayerNorm", "InstanceNorm", "GroupNorm"):
        if getattr(p, "output_mean_var", False):
            return None
        args = [f"axis={p.axis}"] if op_name == "LayerNorm" else [f"num_groups={p.num_groups}"] \
            if op_name == "GroupNorm" else []
        args.append(f"epsilon={p.eps!r}")
        g = weight_shapes.get("gamma")
        if g and op_name != "GroupNorm":
            args.append(f"in_channels={g[0]}")
        return f"nn.{op_name}(" + ", ".join(args), {"gamma": "gamma", "beta": "beta"}
    if op_name == "Pad":
        if p.mode != "reflect" or len(p.pad_width) != 8:
            return None
        return f"nn.ReflectionPad2D({lit(p.pad_width)}", {}
    if op_name == "_contrib_BatchNormWithReLU":
        made = _layer_call("BatchNorm", p, weight_shapes)
        return made and ("nn.BatchNormReLU(" + made[0][len("nn.BatchNorm("):], made[1])
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
        if p.act_type == "prelu":   # PReLU names its slope alpha and feeds it as gamma
            g = weight_shapes.get("gamma")
            return "nn.PReLU(" + (f"in_channels={g[0]}" if g and g[0] != 1 else ""), {"gamma": "alpha"}
        return None
    if op_name == "Pooling":
        n = len(p.kernel) if p.kernel else 2
        kind = {"max": "Max", "avg": "Avg"}.get(p.pool_type)
        if kind is None or p.layout not in (None, "NCW", "NCHW", "NCDHW") or n not in (1, 2, 3):
            return None
        if p.global_pool:
            return f"nn.Global{kind}Pool{n}D(", {}
        args = [lit(p.kernel), f"strides={lit(p.stride or (1,) * n)}"]
        if not _all(p.pad, 0):
            args.append(f"padding={lit(p.pad)}")
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
        args = [repr(p.p)] + ([f"axes={lit(p.axes)}"] if p.axes else [])
        return "nn.Dropout(" + ", ".join(args), {}
    if op_name == "Flatten":
        return "nn.Flatten(", {}
    if op_name == "Embedding":
        return f"nn.Embedding({p.input_dim}, {p.output_dim}", {"weight": "weight"}
    return None
