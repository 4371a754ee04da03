"""Layered (Sugiyama-style) planning of a grouped graph: the combinatorial half of the layout.

Every group (name scope) is laid out on its own, as in Simulink: its children are units (nodes and
collapsed-or-expanded sub-groups), and an edge that crosses the group's border goes through a *port*,
an in-port on the top border or an out-port on the bottom border, one per graph entry. A level's plan
is fixed whatever is collapsed -- collapsing only changes unit sizes -- so the plans are computed once
here (cycle removal, longest-path layering, dummy nodes on long edges, barycentre crossing reduction)
and :mod:`ssdkit.viz.geometry` (mirrored by the viewer's script) turns them into coordinates.

A plan is plain JSON::

    {"layers": [{"kind": "in" | "body" | "out", "items": [item key, ...]}, ...],
     "items": {key: {"kind": "node" | "group" | "dummy" | "in" | "out", "ref": node id | group | entry}},
     "edges": [{"src": key, "dst": key, "entry": "12:0", "dummies": [key, ...], "rev": false}, ...]}

Examples
--------
>>> plan = plan_level(["n0", "n1", "n2"], [("n0", "n1", "0:0"), ("n1", "n2", "1:0"), ("n0", "n2", "0:0")])
>>> [layer["items"] for layer in plan["layers"]]
[['n0'], ['n1', 'd0'], ['n2']]
"""
from .groups import ancestors, unit_key

__all__ = ["plan_level", "plan_graph", "count_crossings", "ORDER_SWEEPS"]

#: Down+up barycentre sweeps of the crossing reduction; the best ordering seen is kept.
ORDER_SWEEPS = 12


def _item_kind(key):
    return {"n": "node", "g": "group", "i": "in", "o": "out", "d": "dummy"}[key[0]]


def _item_ref(key):
    return int(key[1:]) if key[0] == "n" else key[1:]


def _remove_cycles(keys, succ):
    """Return the set of edges (u, v) to reverse so the graph becomes acyclic (DFS back edges)."""
    state, reversed_edges = {}, set()
    for root in keys:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(succ[root]))]
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                reversed_edges.add((node, nxt))
            elif nxt not in state:
                state[nxt] = 1
                stack.append((nxt, iter(succ[nxt])))
    return reversed_edges


def _assign_layers(keys, succ, pred, fed_by_port):
    """Longest-path layering from the sources; true sources (no input at all) then sink next to
    their first consumer."""
    order = {k: i for i, k in enumerate(keys)}
    indeg = {k: len(pred[k]) for k in keys}
    ready = [k for k in keys if indeg[k] == 0]
    layer = {}
    while ready:
        ready.sort(key=order.__getitem__)
        node = ready.pop(0)
        layer[node] = max((layer[p] + 1 for p in pred[node]), default=0)
        for nxt in succ[node]:
            indeg[nxt] -= 1
            if indeg[nxt] == 0:
                ready.append(nxt)
    # A variable used deep down (e.g. a label) would otherwise sit on the top layer with a long edge.
    for node in keys:
        if not pred[node] and succ[node] and node not in fed_by_port:
            layer[node] = max(layer[node], min(layer[s] for s in succ[node]) - 1)
    return layer


def count_crossings(layers, down):
    """Edge crossings between consecutive layers; ``down[key]`` lists a key's neighbours one layer below.

    Examples
    --------
    >>> count_crossings([["a", "b"], ["c", "d"]], {"a": ["d"], "b": ["c"], "c": [], "d": []})
    1
    """
    total = 0
    for upper, lower in zip(layers, layers[1:]):
        pos = {k: i for i, k in enumerate(lower)}
        segs = [(i, pos[v]) for i, u in enumerate(upper) for v in down[u]]
        total += sum(1 for a in range(len(segs)) for b in range(a + 1, len(segs))
                     if (segs[a][0] - segs[b][0]) * (segs[a][1] - segs[b][1]) < 0)
    return total


def _barycentre_sort(layer, neighbours, pos):
    def key(item):
        nbs = neighbours[item]
        bary = sum(pos[n] for n in nbs) / len(nbs) if nbs else pos[item]
        return (bary, pos[item])
    return sorted(layer, key=key)


def _reduce_crossings(layers, up, down):
    """Alternate downward and upward barycentre sweeps; keep the ordering with the fewest crossings."""
    best, best_cost = [list(l) for l in layers], count_crossings(layers, down)
    current = [list(l) for l in layers]
    n = len(current)
    sweeps = ((range(1, n), up), (range(n - 2, -1, -1), down))
    for _ in range(ORDER_SWEEPS):
        if best_cost == 0:
            break
        for indices, neighbours in sweeps:
            for li in indices:
                pos = {k: i for layer in current for i, k in enumerate(layer)}
                current[li] = _barycentre_sort(current[li], neighbours, pos)
            cost = count_crossings(current, down)
            if cost < best_cost:
                best, best_cost = [list(l) for l in current], cost
    return best


def plan_level(units, edges):
    """Plan one level: ``units`` are unit keys in first-appearance order, ``edges`` (src, dst, entry).

    Parameters
    ----------
    units : list of str
        ``n<id>`` / ``g<name>`` keys of this level's children.
    edges : list of (str, str, str)
        Deduplicated edges between units and ports (``i<entry>`` in-ports, ``o<entry>`` out-ports).

    Returns
    -------
    dict
        The plan (see the module docstring); dummy keys are ``d0, d1, ...``.

    Examples
    --------
    >>> p = plan_level(["n1"], [("i0:0", "n1", "0:0"), ("n1", "o1:0", "1:0")])
    >>> [(l["kind"], l["items"]) for l in p["layers"]]
    [('in', ['i0:0']), ('body', ['n1']), ('out', ['o1:0'])]
    """
    in_ports = sorted({k for e in edges for k in e[:2] if k[0] == "i"}, key=lambda k: int(k[1:].split(":")[0]))
    out_ports = sorted({k for e in edges for k in e[:2] if k[0] == "o"}, key=lambda k: int(k[1:].split(":")[0]))
    keys = in_ports + list(units) + out_ports
    succ = {k: [] for k in keys}
    for src, dst, _ in edges:
        succ[src].append(dst)
    rev = _remove_cycles(keys, succ)
    dag_succ = {k: [] for k in keys}
    dag_pred = {k: [] for k in keys}
    for src, dst, _ in edges:
        a, b = (dst, src) if (src, dst) in rev else (src, dst)
        dag_succ[a].append(b)
        dag_pred[b].append(a)
    body = list(units)
    layer = _assign_layers(body, {k: [s for s in dag_succ[k] if s[0] not in "io"] for k in body},
                           {k: [p for p in dag_pred[k] if p[0] not in "io"] for k in body},
                           {dst for src, dst, _ in edges if src[0] == "i"})
    first = 1 if in_ports else 0
    layer = {k: v + first for k, v in layer.items()}
    last = max(layer.values(), default=first - 1) + 1
    layer.update({k: 0 for k in in_ports})
    layer.update({k: last for k in out_ports})
    n_layers = last + 1 if out_ports else last
    layers = [[] for _ in range(n_layers)]
    for k in keys:
        layers[layer[k]].append(k)
    items = {k: {"kind": _item_kind(k), "ref": _item_ref(k)} for k in keys}
    plan_edges, up, down = [], {k: [] for k in keys}, {k: [] for k in keys}
    for src, dst, entry in edges:
        is_rev = (src, dst) in rev
        top, bottom = (dst, src) if is_rev else (src, dst)
        chain = [top]
        for li in range(layer[top] + 1, layer[bottom]):
            key = f"d{len(items) - len(keys)}"
            items[key] = {"kind": "dummy", "ref": entry}
            layers[li].append(key)
            up[key], down[key] = [], []
            chain.append(key)
        chain.append(bottom)
        for a, b in zip(chain, chain[1:]):
            down[a].append(b)
            up[b].append(a)
        dummies = chain[1:-1]
        plan_edges.append({"src": src, "dst": dst, "entry": entry,
                           "dummies": dummies[::-1] if is_rev else dummies, "rev": is_rev})
    layers = _reduce_crossings(layers, up, down)
    kinds = ["body"] * len(layers)
    if in_ports:
        kinds[0] = "in"
    if out_ports:
        kinds[-1] = "out"
    return {"layers": [{"kind": k, "items": l} for k, l in zip(kinds, layers)],
            "items": items, "edges": plan_edges}


def plan_graph(model, groups, root_children, node_group):
    """Plan every level of a grouped graph and the route of every visible edge through the levels.

    Parameters
    ----------
    model : GraphModel
    groups, root_children, node_group :
        The output of :func:`ssdkit.viz.groups.build_groups`.

    Returns
    -------
    plans : dict
        ``{group name or "": plan}``; ``""`` is the top level.
    routes : list of dict
        One per drawn edge: ``{"src": id, "idx": output index, "dst": id, "segs": [[level, edge index], ...]}``
        where the segments run from the source up to the lowest common group and down to the target.

    Examples
    --------
    >>> from ssdkit.viz.model import GraphModel, Node
    >>> from ssdkit.viz.groups import build_groups
    >>> names = ["data", "net0_conv0_fwd", "net0_relu0_fwd"]
    >>> m = GraphModel([Node(i, "null" if i == 0 else "op", n, inputs=[(i - 1, 0)] if i else [])
    ...                 for i, n in enumerate(names)], [(2, 0)])
    >>> plans, routes = plan_graph(m, *build_groups(m))
    >>> routes[0]["segs"], sorted(plans)
    ([['', 0], ['net0_', 0]], ['', 'net0_'])
    """
    level_edges = {name: {} for name in [""] + list(groups)}

    def add(level, src, dst, entry):
        table = level_edges[level]
        return table.setdefault((src, dst, entry), len(table))

    routes = []
    for node in model.nodes:
        if model.hidden[node.id] or node.is_variable:
            continue
        for src, idx in node.inputs:
            if model.hidden[src]:
                continue
            entry = f"{src}:{idx}"
            chain_s = ancestors(groups, node_group[src])
            chain_t = ancestors(groups, node_group[node.id])
            common = 0
            while common < min(len(chain_s), len(chain_t)) and chain_s[common] == chain_t[common]:
                common += 1
            segs, cur = [], unit_key("n", src)
            for name in reversed(chain_s[common:]):
                segs.append([name, add(name, cur, "o" + entry, entry)])
                cur = unit_key("g", name)
            level = chain_s[common - 1] if common else ""
            target = unit_key("g", chain_t[common]) if len(chain_t) > common else unit_key("n", node.id)
            segs.append([level, add(level, cur, target, entry)])
            for k in range(common, len(chain_t)):
                inner = unit_key("g", chain_t[k + 1]) if k + 1 < len(chain_t) else unit_key("n", node.id)
                segs.append([chain_t[k], add(chain_t[k], "i" + entry, inner, entry)])
            routes.append({"src": src, "idx": idx, "dst": node.id, "segs": segs})
    plans = {}
    for name, table in level_edges.items():
        units = groups[name].children if name else root_children
        plans[name] = plan_level(units, sorted(table, key=table.__getitem__))
    return plans, routes
