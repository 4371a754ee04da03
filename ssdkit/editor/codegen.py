"""Export a drawing as a Python module defining a HybridBlock subclass, named as drawn.

Each op node becomes a ``gluon.nn`` layer where one exists with the same computation and the weight names
fit the layer's (:mod:`.codegen_layers`: ``Convolution`` -> ``nn.Conv2D``, ``FullyConnected`` -> ``nn.Dense``,
``BatchNorm``, ``Pooling`` -> the pools, ...), created with the prefix its weights carry, so the block built
with no arguments has exactly the loaded model's parameter names and ``load_parameters`` /
``collect_params().load`` of its weights work. Any other op is an ``F.<op>`` call in ``hybrid_forward``; its
weights (if any) are parameters of the block that holds it, under their own names.

A group drawn on the canvas (a named block) becomes a nested block named as drawn: an
``nn.HybridSequential`` when it is a chain of layers with one input and one output, else a HybridBlock
subclass of its own whose ``hybrid_forward`` takes the values entering the group and returns those leaving
it (:mod:`.codegen_blocks`). Its prefix is the part its weights' names share, so the names stay the drawing's.

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
from ..ops import get_op
from .codegen_blocks import BlockExport
from .codegen_layers import ident as _ident, layer_call, lit, quoted as _q
from .palette import LAMBDAS
from .document import PARAM_SLOTS, DocumentError, live_nodes, check_document, param_name, slot_names

__all__ = ["export_python", "layer_call", "check_groups"]

_INIT = {"bias": "zeros", "beta": "zeros", "moving_mean": "zeros", "gamma": "ones", "moving_var": "ones"}
_TOP = None   # the scope key of the exported class itself (a group's key is its name)


def _f_path(op_name):
    """How ``F`` reaches an op in both ``mx.nd`` and ``mx.sym``."""
    from .. import nd, sym
    if hasattr(nd, op_name) and hasattr(sym, op_name):
        return op_name
    if op_name.startswith("_contrib_") and hasattr(nd.contrib, op_name[9:]) and hasattr(sym.contrib, op_name[9:]):
        return "contrib." + op_name[9:]
    return "_internal." + op_name


class _Export(BlockExport):
    """The pieces of one export: per node a plan (layer or F call), per group its members and boundary."""

    def __init__(self, doc, params, shapes):
        self.doc, self.params, self.shapes = doc, params, shapes
        self.nodes = check_document(doc)
        self.order = live_nodes(doc)
        self.live = set(self.order)
        self.group_vars = {}
        self.imports = set()
        self.fed = {(e["dst"], e["slot"]): (e["src"], e.get("out", 0)) for e in doc.get("edges") or []}
        self.used, self.idents = set(), {}
        for group in doc.get("groups") or {}:   # blocks are named as drawn first; nodes give way
            if any(self.nodes[n].get("group") == group for n in self.order):
                self.idents[("group", group)] = _ident(group, self.used)
        for name in self.order:
            self.idents[name] = _ident(name, self.used)
        self.plans = {}
        taken = set()
        for name in self.order:
            if self.nodes[name]["op"] != "null":
                self.plans[name] = self._plan(name, taken)
        self.groups = {}
        for name in self.order:
            group = self.nodes[name].get("group")
            if group and self.nodes[name]["op"] != "null":
                self.groups.setdefault(group, []).append(name)
        self.owners = {}     # weight name -> (scope, expression of the layer's Parameter)

    # ------------------------------------------------------------------ per node
    def _plan(self, name, taken):
        node = self.nodes[name]
        op = get_op(node["op"])
        p = op.parse_params(dict(node.get("attrs") or {}))
        slots = slot_names(node)
        weights = {s: (node.get("params") or {}).get(s) or param_name(name, s) for s in slots
                   if (name, s) not in self.fed and s in PARAM_SLOTS}
        wshapes = {}
        for slot, pname in weights.items():
            if self.params and pname in self.params:
                wshapes[slot] = tuple(self.params[pname].shape)
            elif self.shapes and self.shapes.get(name, {}).get("params", {}).get(slot):
                wshapes[slot] = tuple(self.shapes[name]["params"][slot])
        plan = {"op": op, "p": p, "slots": slots, "weights": weights, "wshapes": wshapes, "prefix": None}
        made = self._lambda(node, op, p, slots, weights) if node.get("layer") in LAMBDAS else None
        made = made or layer_call(op.name, p, wshapes) or layer_call(node["op"], p, wshapes)
        if made is None:
            return plan
        ctor, suffixes = made
        data_slots = [s for s in slots if s not in weights]
        if set(suffixes) != set(weights) or len(data_slots) != 1:
            return plan
        if not suffixes:
            prefix = (name[:-4] if name.endswith("_fwd") else name) + "_"
        else:
            stems = {weights[s][:-len(suf)] for s, suf in suffixes.items() if weights[s].endswith(suf)}
            if len(stems) != 1 or not all(weights[s].endswith(suf) for s, suf in suffixes.items()) \
                    or not next(iter(stems)) or set(weights.values()) & taken:
                return plan
            prefix = next(iter(stems))
        taken.update(weights.values())
        plan.update(prefix=prefix, ctor=ctor, suffixes=suffixes, data_slot=data_slots[0])
        return plan

    @staticmethod
    def _lambda(node, op, p, slots, weights):
        """A drawn nn.HybridLambda (or Lambda: a HybridBlock holds hybrid children only): its op by name, or a
        lambda passing the attributes."""
        if weights or len(slots) != 1 or op.key_var_num_args:
            return None
        path = _f_path(node["op"])
        given = [f"{k}={lit(p[k]) if isinstance(p[k], (list, tuple)) else repr(p[k])}" for k in p.given]
        if not given and "." not in path:
            return f"nn.HybridLambda({path!r}", {}
        return f"nn.HybridLambda(lambda F, x: F.{path}(x, {', '.join(given)})".replace(", )", ")"), {}

    def var(self, src, out):
        """The variable holding output ``out`` of node ``src`` once computed."""
        node = self.nodes[src]
        if node["op"] == "null":
            return self.idents[src]
        plan = self.plans[src]
        n = plan["op"].output_count(plan["p"])
        return self.idents[src] if n == 1 else f"{self.idents[src]}[{out}]"

    def node_code(self, name, scope, strip, refs):
        """``(init lines, body line, weight arguments)`` of one node in the block ``scope``."""
        plan, ident = self.plans[name], self.idents[name]
        init, wargs = [], []
        if plan["prefix"] is not None:
            for slot, pname in plan["weights"].items():   # a later F call using the same weight takes this layer's
                self.owners[pname] = (scope, f"self.{ident}.{plan['suffixes'][slot]}")
            init.append(f"self.{ident} = {self.ctor(plan, strip)}")
            src, out = self.fed[(name, plan["data_slot"])]
            return init, f"{ident} = self.{ident}({refs(src, out)})", wargs
        op, args, positional = plan["op"], [], True
        for slot in plan["slots"]:
            positional = positional and (name, slot) in self.fed
            if (name, slot) in self.fed:
                value = refs(*self.fed[(name, slot)])
            else:
                pname = plan["weights"][slot]
                key = ("weight", scope, pname)
                if key not in self.idents:
                    self.idents[key] = pid = _ident(pname[len(strip):], self.used)
                    init.append(self._weight_line(pid, pname, slot, plan, op, scope, strip))
                    wargs.append(pid)
                value = self.idents[key]
            args.append(value if op.key_var_num_args or positional else f"{slot}={value}")
        p = plan["p"]
        given = [k for k in p.given if k != op.key_var_num_args]
        args += [f"{k}={lit(p[k]) if isinstance(p[k], (list, tuple)) else repr(p[k])}" for k in given]
        return init, f"{ident} = F.{_f_path(self.nodes[name]['op'])}({', '.join(args)})", wargs

    def _weight_line(self, pid, pname, slot, plan, op, scope, strip):
        if pname in self.owners:
            owner_scope, expr = self.owners[pname]
            if owner_scope != scope:
                raise DocumentError(f"weight {pname} is used in block {owner_scope or 'the top level'} and in "
                                    f"{scope or 'the top level'}; a shared weight must stay inside one block",
                                    node=None)
            return f"self.{pid} = {expr}"
        shape = plan["wshapes"].get(slot)
        extra = f", shape={lit(shape)}" if shape else ""
        req = ', grad_req="null"' if slot in op.aux else ""
        init = f', init="{_INIT[slot]}"' if slot in _INIT else ""
        return f"self.{pid} = self.params.get({_q(pname[len(strip):])}{extra}{init}{req}, allow_deferred_init=True)"

    @staticmethod
    def ctor(plan, strip):
        ctor, prefix = plan["ctor"], plan["prefix"]
        prefix = prefix[len(strip):] if prefix.startswith(strip) else prefix
        return f"{ctor}{', ' if not ctor.endswith('(') else ''}prefix={_q(prefix)})".replace("'", '"')

    def ref(self, src, out):
        """An output's expression at the top level (a group's results are variables of their own)."""
        found = self.group_vars.get((src, out))
        return found or self.var(src, out)

    def module(self, class_name):
        inputs = [n for n in self.order if self.nodes[n]["op"] == "null"]
        classes, init, body, wargs, class_names = [], [], [], [], {class_name}
        for kind, name in self.units():
            if kind == "group":
                text, lines, calls = self.group_code(name, class_names)
                if text:
                    classes.append(text)
                init += lines
                body += calls
            elif self.nodes[name]["op"] != "null":
                lines, line, w = self.node_code(name, _TOP, "", self.ref)
                init += lines
                body.append(line)
                wargs += w
        outs = [self.ref(n, i) for n, i in self.doc["outputs"]]
        ret = outs[0] if len(outs) == 1 else "(" + ", ".join(outs) + ")"
        sig = ", ".join(["self", "F"] + [self.idents[n] for n in inputs] + wargs)
        blocks = f" Blocks: {', '.join(self.groups)}." if self.groups else ""
        return "\n".join([
            f'"""{class_name}: exported by ssdkit-editor. Inputs: {", ".join(inputs)}; outputs: {len(outs)}.{blocks}',
            "",
            f"Build it with ``{class_name}()``; its parameter names are the drawing's, so",
            f"``net.load_parameters(path)`` or ``net.collect_params().load(path)`` reads weights saved under them.",
            '"""',
            "from ssdkit.gluon import HybridBlock, nn",
            *sorted(self.imports),
            "",
            f"INPUTS = {[self.idents[n] for n in inputs]!r}",
            "",
            "",
            *classes,
            f"class {class_name}(HybridBlock):",
            f'    """The drawn network: ``{class_name}()({", ".join(self.idents[n] for n in inputs)})``."""',
            "",
            '    def __init__(self, prefix="", params=None, **kwargs):',
            "        super().__init__(prefix=prefix, params=params, **kwargs)",
            "        with self.name_scope():",
            *["            " + l for l in init or ["pass"]],
            "",
            f"    def hybrid_forward({sig}):",
            *["        " + l for l in body],
            f"        return {ret}",
            "",
        ])


def check_groups(doc):
    """Whether every group of a (well-formed) document exports as one piece.

    Examples
    --------
    >>> doc = {"nodes": [{"name": "x", "op": "null"}, {"name": "a", "op": "relu", "group": "g"},
    ...                  {"name": "b", "op": "tanh"}, {"name": "c", "op": "sigmoid", "group": "g"}],
    ...        "edges": [{"src": "x", "out": 0, "dst": "a", "slot": "data"},
    ...                  {"src": "a", "out": 0, "dst": "b", "slot": "data"},
    ...                  {"src": "b", "out": 0, "dst": "c", "slot": "data"}], "outputs": [["c", 0]]}
    >>> check_groups(doc)
    False
    """
    try:
        _Export(doc, None, None).units()
    except DocumentError:
        return False
    return True


def export_python(doc, params=None, shapes=None, class_name="Net"):
    """Python source of a module defining ``class_name``, a HybridBlock rebuilding the document's live graph.

    Parameters
    ----------
    doc : dict
        An editor document (:mod:`ssdkit.editor.document`); its groups become nested blocks.
    params : dict of str to NDArray, optional
        Loaded weights: their shapes fix the layers' input sizes (else they are inferred at the first call).
    shapes : dict, optional
        The ``nodes`` result of :func:`ssdkit.editor.shapes.infer_document`, for weight shapes (inferred
        from the input nodes' ``shape`` when not given).
    class_name : str

    Raises
    ------
    DocumentError
        For a malformed document, or a group that is not one piece (naming the node in between).
    """
    check_document(doc)
    if shapes is None:   # weight shapes from the drawn input shapes, when they tell them
        from .shapes import infer_document
        inferred = infer_document(doc)
        shapes = inferred["nodes"] if inferred["ok"] else None
    return _Export(doc, params, shapes).module(class_name)
