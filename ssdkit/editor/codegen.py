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
it. Its prefix is the part its weights' names share, so the names stay the drawing's.

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
from .codegen_layers import layer_call, lit
from .palette import LAMBDAS
from .document import PARAM_SLOTS, DocumentError, inputs_first, live_nodes, check_document, param_name, slot_names

__all__ = ["export_python", "layer_call", "check_groups"]

_RESERVED = {"F", "self", "nn", "mx", "params", "prefix", "name", "forward", "hybrid_forward", "initialize",
             "collect_params", "hybridize", "export", "cast", "name_scope", "register_child", "apply",
             "save_parameters", "load_parameters", "summary", "kwargs", "HybridBlock"}
_INIT = {"bias": "zeros", "beta": "zeros", "moving_mean": "zeros", "gamma": "ones", "moving_var": "ones"}
_TOP = None   # the scope key of the exported class itself (a group's key is its name)


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


def _f_path(op_name):
    """How ``F`` reaches an op in both ``mx.nd`` and ``mx.sym``."""
    from .. import nd, sym
    if hasattr(nd, op_name) and hasattr(sym, op_name):
        return op_name
    if op_name.startswith("_contrib_") and hasattr(nd.contrib, op_name[9:]) and hasattr(sym.contrib, op_name[9:]):
        return "contrib." + op_name[9:]
    return "_internal." + op_name


def _q(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class _Export:
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

    # ------------------------------------------------------------------ groups
    def boundary(self, group):
        """``(inputs, outputs)`` of a group: the (node, output) pairs entering it and leaving it, in order."""
        members = set(self.groups[group])
        ins, outs = [], []
        for name in self.groups[group]:
            for slot in self.plans[name]["slots"]:
                src = self.fed.get((name, slot))
                if src is not None and src[0] not in members and src not in ins:
                    ins.append(src)
        leaving = {tuple(o) for o in self.doc["outputs"]}
        for (dst, _), src in self.fed.items():
            if dst in self.plans and src[0] in members and dst not in members and dst in self.live:
                leaving.add(src)
        for name in self.groups[group]:
            for out in range(self.plans[name]["op"].output_count(self.plans[name]["p"])):
                if (name, out) in leaving:
                    outs.append((name, out))
        return ins, outs

    def units(self):
        """The top level's steps in order: ``("node", name)`` or ``("group", name)``; a group something outside
        it both feeds on and feeds is refused with that node."""
        unit_of = {n: ("group", self.nodes[n]["group"]) if n in self.plans and self.nodes[n].get("group")
                   else ("node", n) for n in self.order}
        preds = {}
        for (dst, _), (src, _) in self.fed.items():
            if dst in unit_of and unit_of[src] != unit_of[dst]:
                preds.setdefault(unit_of[dst], set()).add(unit_of[src])
        self.first = {}
        for i, n in enumerate(self.order):
            self.first.setdefault(unit_of[n], i)
        first = self.first

        def loop_found(path, again):
            loop = path[path.index(again):]
            outside = next((u[1] for u in loop if u[0] == "node"), None)
            group = next(u[1] for u in loop if u[0] == "group")
            raise DocumentError(f"block {group} is not one piece: it feeds {outside or 'another block'}, "
                                "which feeds it back; put that into the block or take it out",
                                node=outside or self.groups[group][0])
        ordered = {u: sorted(p, key=lambda v: first[v]) for u, p in preds.items()}
        return inputs_first(sorted(set(unit_of.values()), key=lambda u: first[u]), ordered, loop_found)

    def strip_for(self, group):
        """The prefix a group's block takes: what all its weights' names start with, up to an ``_``, leaving each
        layer a name of its own."""
        names = [w for n in self.groups[group] for w in self.plans[n]["weights"].values()]
        if not names:
            return ""
        common = names[0]
        for w in names[1:]:
            while not w.startswith(common):
                common = common[:-1]
        common = common[:common.rfind("_") + 1]
        while common and any("_" not in w[len(common):] for w in names):
            common = common[:common[:-1].rfind("_") + 1]
        return common

    def chain(self, group, ins, outs):
        """Whether a group is a chain of layers (each fed by the one before), exported as nn.HybridSequential."""
        members = self.groups[group]
        if len(ins) != 1 or outs != [(members[-1], 0)]:
            return False
        prev = ins[0]
        for name in members:
            plan = self.plans[name]
            if plan["prefix"] is None or self.fed[(name, plan["data_slot"])] != prev:
                return False
            prev = (name, 0)
        users = {}
        for (dst, _), src in self.fed.items():
            if dst in self.live:
                users[src] = users.get(src, 0) + 1
        return all(users.get((n, 0), 0) == 1 for n in members[:-1])

    # ------------------------------------------------------------------ text
    def group_code(self, group, class_names):
        """``(class text or None, init lines, body lines)`` of a group, called from the top level."""
        ins, outs = self.boundary(group)
        strip = self.strip_for(group)
        gid = self.idents.get(("group", group)) or _ident(group, self.used)
        members = self.groups[group]
        args = ", ".join(self.var(*src) for src in ins)
        results = [self.idents[n] if self.var(n, o) == self.idents[n] else f"{self.idents[n]}_{o}" for n, o in outs]
        self.group_vars.update(dict(zip(outs, results)))
        call = f"{', '.join(results) if results else '_'} = self.{gid}({args})"
        info = (self.doc.get("groups") or {}).get(group) or {}
        layer = self.template_layer(group, info, ins, outs, gid)
        if layer:
            return None, [f"self.{gid} = {layer}"], [call]
        concurrent = self.concurrent(group, ins, outs, strip, gid) if info.get("container") in (
            "HybridConcurrent", "Concurrent") else None
        if concurrent:
            return None, concurrent, [call]
        if self.chain(group, ins, outs):
            layers = [f"    {self.ctor(self.plans[n], strip)}," for n in members]
            init = [f"self.{gid} = nn.HybridSequential(prefix={_q(strip)})",
                    f"with self.{gid}.name_scope():", f"    self.{gid}.add(", *["    " + l for l in layers], "    )"]
            for n in members:
                for slot, pname in self.plans[n]["weights"].items():
                    self.owners[pname] = (group, None)
            return None, init, [call]
        cls = re.sub(r"(?:^|[^A-Za-z0-9])([A-Za-z0-9])", lambda m: m.group(1).upper(), group) or "Block"
        cls = ("B" + cls if cls[0].isdigit() else cls)
        while cls in class_names or cls in _RESERVED:
            cls += "Block"
        class_names.add(cls)
        params = {src: self.var(*src).replace("[", "_").replace("]", "") for src in ins}
        saved = self.idents, self.used   # inside the block, names drop the prefix the block carries
        self.idents, self.used = dict(self.idents), set(params.values())
        for name in members:
            self.idents[name] = _ident(name[len(strip):] if name.startswith(strip) else name, self.used)
        init, body, wargs = [], [], []
        for name in members:
            lines, line, w = self.node_code(name, group, strip, lambda s, o: params.get((s, o)) or self.var(s, o))
            init += lines
            body.append(line)
            wargs += w
        rets = [self.var(n, o) for n, o in outs]
        self.idents, self.used = saved
        text = [f"class {cls}(HybridBlock):",
                f'    """Block ``{group}`` of the drawing: takes {", ".join(params.values()) or "nothing"}; '
                f'returns {", ".join(rets)}."""',
                "",
                f"    def __init__(self, prefix={_q(strip)}, params=None, **kwargs):",
                "        super().__init__(prefix=prefix, params=params, **kwargs)",
                "        with self.name_scope():",
                *["            " + l for l in init or ["pass"]],
                "",
                f"    def hybrid_forward(self, {', '.join(['F'] + list(params.values()) + wargs)}):",
                *["        " + l for l in body],
                f"        return {rets[0] if len(rets) == 1 else '(' + ', '.join(rets) + ')'}",
                "", ""]
        return "\n".join(text), [f"self.{gid} = {cls}(prefix={_q(strip)})"], [call]

    def template_layer(self, group, info, ins, outs, gid):
        """``nn.Swish(...)`` for a group drawn from a several-op layer of the palette and still the ops that
        layer runs (compared with a fresh trace), else None."""
        from .palette import layer_names, trace_layer
        classes = dict(layer_names())
        if info.get("layer") not in classes or len(ins) != 1 or len(outs) != 1 or \
                any(self.plans[n]["weights"] for n in self.groups[group]):
            return None
        args = dict(info.get("args") or {})

        def ops(nodes):
            found = [(get_op(n["op"]).name, sorted(get_op(n["op"]).parse_params(dict(n.get("attrs") or {}))
                                                    .items())) for n in nodes if n["op"] != "null"]
            return sorted(repr(f) for f in found if f[0] != "_copy")
        if ops(trace_layer(classes[info["layer"]], args)["nodes"]) != ops([self.nodes[n] for n in self.groups[group]]):
            return None
        text = ", ".join([f"{k}={v!r}" for k, v in args.items()] + [f"prefix={_q(gid + '_')}"])
        return f"nn.{info['layer']}({text})"

    def concurrent(self, group, ins, outs, strip, gid):
        """Init lines of a group drawn as a (Hybrid)Concurrent: chains of layers from its one input, joined
        by one Concat that is its output; else None (the group is then a block class)."""
        members = self.groups[group]
        cat = outs[0][0] if len(outs) == 1 and len(ins) == 1 else None
        if cat is None or get_op(self.nodes[cat]["op"]).name != get_op("Concat").name:
            return None
        users = {}
        for (dst, _), src in self.fed.items():
            if dst in self.live:
                users[src] = users.get(src, 0) + 1
        branches, seen = [], {cat}
        for slot in self.plans[cat]["slots"]:
            chain, at = [], self.fed[(cat, slot)]
            while at != ins[0]:
                plan = self.plans.get(at[0])
                if at[0] not in members or at[0] in seen or plan is None or plan["prefix"] is None \
                        or users.get(at) != 1:
                    return None
                seen.add(at[0])
                chain.insert(0, at[0])
                at = self.fed[(at[0], plan["data_slot"])]
            branches.append(chain)
        if seen != set(members):
            return None
        self.imports.add("from ssdkit.gluon.contrib.nn import HybridConcurrent, Identity")
        lines = [f"self.{gid} = HybridConcurrent(axis={self.plans[cat]['p'].dim}, prefix={_q(strip)})",
                 f"with self.{gid}.name_scope():"]
        for i, chain in enumerate(branches):
            if not chain:
                lines.append(f"    self.{gid}.add(Identity())")
            elif len(chain) == 1:
                lines.append(f"    self.{gid}.add({self.ctor(self.plans[chain[0]], strip)})")
            else:
                lines += [f'    branch{i} = nn.HybridSequential(prefix="")', f"    with branch{i}.name_scope():",
                          f"        branch{i}.add(", *[f"            {self.ctor(self.plans[n], strip)},"
                                                     for n in chain], "        )", f"    self.{gid}.add(branch{i})"]
        for n in members:
            for pname in self.plans[n]["weights"].values():
                self.owners[pname] = (group, None)
        return lines

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
