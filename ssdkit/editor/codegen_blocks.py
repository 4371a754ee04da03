"""Groups of a drawing exported as nested blocks (the part of :mod:`.codegen` that deals with blocks).

A group becomes, by what it holds: the layer it was drawn from (``nn.Swish``, when it still runs that
layer's ops), an ``nn.HybridSequential`` (a chain of layers with one input and one output), a
``HybridConcurrent`` (drawn as one: chains of layers from one input joined by one ``Concat``), else a
HybridBlock class of its own taking what enters the group and returning what leaves it. Its prefix is what
its weights' names share, so the parameter names stay the drawing's.

Examples
--------
>>> from ssdkit.editor.codegen import export_python
>>> doc = {"nodes": [{"name": "x", "op": "null"},
...                  {"name": "fc", "op": "FullyConnected", "attrs": {"num_hidden": "2"}, "group": "head"},
...                  {"name": "act", "op": "Activation", "attrs": {"act_type": "relu"}, "group": "head"}],
...        "edges": [{"src": "x", "out": 0, "dst": "fc", "slot": "data"},
...                  {"src": "fc", "out": 0, "dst": "act", "slot": "data"}], "outputs": [["act", 0]]}
>>> print(export_python(doc).split("self.head = ")[1].splitlines()[0])
nn.HybridSequential(prefix="")
"""
import re

from ..ops import get_op
from .codegen_layers import RESERVED, ident as _ident, quoted as _q
from .document import DocumentError, inputs_first

__all__ = ["BlockExport"]


class BlockExport:
    """What :mod:`ssdkit.editor.codegen` needs for groups, mixed into its exporter: it uses the exporter's
    ``nodes``, ``order``, ``live``, ``fed``, ``plans``, ``groups``, ``idents``, ``used``, ``owners``,
    ``group_vars``, ``imports`` and its ``var``, ``ctor`` and ``node_code``."""

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
        while cls in class_names or cls in RESERVED:
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
