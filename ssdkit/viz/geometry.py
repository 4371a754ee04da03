"""Coordinates and edge routes for planned levels, given which groups are collapsed.

This is the geometric half of the layout. The HTML viewer's script (``viewer_js.py``) carries a line-by-
line port of it so a collapse/expand in the browser re-lays the picture exactly as Python would; the
browser test checks the two agree. Keep both in step when changing either.

Per level (top to bottom): layer ``y`` = running sum of layer heights and gaps; item ``x`` = repeated
barycentre sweeps, each layer placed by isotonic regression (pool-adjacent-violators) of the desired
centres under the minimum-separation constraints, which keeps the left-to-right order the planner
chose and moves every item as close as possible to its neighbours' mean.

Examples
--------
>>> plan = {"layers": [{"kind": "body", "items": ["n0"]}, {"kind": "body", "items": ["n1"]}],
...         "items": {"n0": {"kind": "node", "ref": 0}, "n1": {"kind": "node", "ref": 1}},
...         "edges": [{"src": "n0", "dst": "n1", "entry": "0:0", "dummies": [], "rev": False}]}
>>> doc = {"nodes": {"0": {"w": 100.0, "h": 38, "nout": 1}, "1": {"w": 60.0, "h": 38, "nout": 1}},
...        "groups": {}, "plans": {"": plan},
...        "routes": [{"src": 0, "idx": 0, "dst": 1, "segs": [["", 0]]}]}
>>> geo = layout_document(doc)
>>> geo["boxes"]["n1"], geo["routes"][0]
({'x': 32.0, 'y': 90.0, 'w': 60.0, 'h': 38}, [[62.0, 54.0], [62.0, 90.0]])
"""

__all__ = ["layout_document", "LAYOUT_CONSTANTS"]

#: Spacing in SVG pixels; shipped to the viewer script so both sides use the same numbers.
LAYOUT_CONSTANTS = {
    "LAYER_GAP": 36,     # vertical room between layers: arrow plus a shape label
    "HEADER_GAP": 30,    # from a group's top border (its in-ports) to its first layer: the title band
    "TOP_PAD": 16,       # top margin of the whole picture
    "BOTTOM_PAD": 12,    # bottom margin of a level without out-ports
    "PAD_X": 12,         # left/right margin inside a group
    "ITEM_GAP": 16,      # horizontal gap between neighbours in a layer
    "DUMMY_W": 10,       # width reserved by a long edge passing through a layer
    "PORT_W": 10,        # width reserved by a port on a group border
    "X_SWEEPS": 4,       # down+up barycentre sweeps of the x placement
}


def _pava(targets):
    """Non-decreasing least-squares fit of ``targets`` (pool adjacent violators)."""
    blocks = []  # [sum, count]
    for t in targets:
        blocks.append([t, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            s, c = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += c
    out = []
    for s, c in blocks:
        out.extend([s / c] * c)
    return out


def _chain(ed):
    """Top-down items of an edge: source, dummies, target (a reversed edge flipped)."""
    if ed["rev"]:
        return [ed["dst"]] + ed["dummies"][::-1] + [ed["src"]]
    return [ed["src"]] + ed["dummies"] + [ed["dst"]]


def _level_layout(plan, size_of, offset_of, top_margin, min_width, K):
    """Local coordinates of one level: item centres ``x``, layer tops/bottoms, width and height.

    ``offset_of(key, entry, end)`` is where on item ``key`` an edge of ``entry`` attaches, relative to
    its centre (a port of a sub-group, an output of a multi-output node), so neighbours line up with
    the attachment points rather than the centres.
    """
    layers = plan["layers"]
    size = {k: size_of(k) for layer in layers for k in layer["items"]}
    tops, bottoms, layer_of = [], [], {}
    for li, layer in enumerate(layers):
        h = 0
        for k in layer["items"]:
            h = max(h, size[k][1])
            layer_of[k] = li
        if li == 0:
            y = 0 if layer["kind"] == "in" else top_margin
        else:
            y = bottoms[li - 1] + (K["HEADER_GAP"] if layers[li - 1]["kind"] == "in" else K["LAYER_GAP"])
        tops.append(y)
        bottoms.append(y + h)
    if not layers:
        height = top_margin + K["BOTTOM_PAD"]
    elif layers[-1]["kind"] == "out":
        height = bottoms[-1]
    else:
        height = bottoms[-1] + K["BOTTOM_PAD"]
    up = {k: [] for k in size}
    down = {k: [] for k in size}
    for ed in plan["edges"]:
        chain = _chain(ed)
        for i in range(len(chain) - 1):
            a, b = chain[i], chain[i + 1]
            off_a = 0 if ed["rev"] or i > 0 else offset_of(a, ed["entry"], "src")
            off_b = 0 if ed["rev"] or i < len(chain) - 2 else offset_of(b, ed["entry"], "dst")
            down[a].append((b, off_b - off_a))
            up[b].append((a, off_a - off_b))
    offsets, x = [], {}
    for layer in layers:
        c, prev, row = 0.0, None, []
        for k in layer["items"]:
            if prev is not None:
                c += (size[prev][0] + size[k][0]) / 2 + K["ITEM_GAP"]
            row.append(c)
            x[k] = c
            prev = k
        offsets.append(row)

    def place(li, neighbours):
        items = layers[li]["items"]
        targets = []
        for i, k in enumerate(items):
            nbs = neighbours[k]
            want = x[k]
            if nbs:
                s = 0.0
                for v, delta in nbs:
                    s += x[v] + delta
                want = s / len(nbs)
            targets.append(want - offsets[li][i])
        for i, y in enumerate(_pava(targets)):
            x[items[i]] = y + offsets[li][i]

    n = len(layers)
    for _ in range(K["X_SWEEPS"]):
        for li in range(1, n):
            place(li, up)
        for li in range(n - 2, -1, -1):
            place(li, down)
    for li in range(1, n):
        place(li, up)
    left = min((x[k] - size[k][0] / 2 for k in size), default=0.0)
    right = max((x[k] + size[k][0] / 2 for k in size), default=0.0)
    width = max(right - left + 2 * K["PAD_X"], min_width)
    shift = K["PAD_X"] - left + (width - (right - left + 2 * K["PAD_X"])) / 2
    for k in size:
        x[k] += shift
    return {"x": x, "size": size, "tops": tops, "bottoms": bottoms, "layer_of": layer_of,
            "width": width, "height": height}


def layout_document(doc, collapsed=()):
    """Place every visible node and group and route every visible edge.

    Parameters
    ----------
    doc : dict
        ``nodes`` ``{id: {w, h, nout}}``, ``groups`` ``{name: {parent, cw, ch, mw}}`` (collapsed size,
        minimum expanded width), ``plans`` ``{level: plan}`` and ``routes`` from
        :func:`ssdkit.viz.layout.plan_graph` (node ids as strings in ``nodes``, as JSON keeps them).
    collapsed : iterable of str
        Names of collapsed groups.

    Returns
    -------
    dict
        ``boxes`` ``{unit key: {x, y, w, h}}`` (absolute, top-left) for visible units, ``routes`` (list
        of point lists or None when hidden, aligned with ``doc["routes"]``), ``labels``
        ``{entry: [x, y]}`` (start of each visible entry), ``width``, ``height``.

    Examples
    --------
    >>> from ssdkit.viz.document import build_document
    >>> from ssdkit.viz.model import GraphModel
    >>> doc = build_document(GraphModel.from_json({"nodes": [{"op": "null", "name": "data", "inputs": []},
    ...          {"op": "Flatten", "name": "net0_flat0", "inputs": [[0, 0, 0]]},
    ...          {"op": "Flatten", "name": "net0_flat1", "inputs": [[1, 0, 0]]}], "heads": [[2, 0, 0]]}))
    >>> sorted(layout_document(doc)["boxes"]), sorted(layout_document(doc, ["net0_"])["boxes"])
    (['gnet0_', 'n0', 'n1', 'n2'], ['gnet0_', 'n0'])
    """
    K = dict(LAYOUT_CONSTANTS, **doc.get("const", {}))
    groups, plans = doc["groups"], doc["plans"]
    closed = set(collapsed)

    def depth(name):
        d = 0
        while name:
            name, d = groups[name]["parent"], d + 1
        return d

    def is_open(level):
        while level:
            if level in closed:
                return False
            level = groups[level]["parent"]
        return True

    lay = {}

    def size_of(key):
        kind = key[0]
        if kind == "n":
            node = doc["nodes"][key[1:]]
            return (node["w"], node["h"])
        if kind == "g":
            name = key[1:]
            if name in closed:
                return (groups[name]["cw"], groups[name]["ch"])
            return (lay[name]["width"], lay[name]["height"])
        return (K["DUMMY_W"] if kind == "d" else K["PORT_W"], 0)

    def collapsed_port_x(name, kind, entry, width):
        layers = plans[name]["layers"]
        row = layers[0]["items"] if kind == "i" else layers[-1]["items"]
        return width * (row.index(kind + entry) + 1) / (len(row) + 1)

    def offset_of(key, entry, end):
        if key[0] == "n":
            if end == "dst":
                return 0
            w, nout = doc["nodes"][key[1:]]["w"], doc["nodes"][key[1:]]["nout"]
            return w * (int(entry.split(":")[1]) + 1) / (nout + 1) - w / 2
        if key[0] != "g":
            return 0
        name, kind = key[1:], "o" if end == "src" else "i"
        w = size_of(key)[0]
        if name in lay:
            return lay[name]["x"][kind + entry] - w / 2
        return collapsed_port_x(name, kind, entry, w) - w / 2

    for name in sorted((g for g in groups if is_open(g)), key=depth, reverse=True):
        lay[name] = _level_layout(plans[name], size_of, offset_of, K["HEADER_GAP"], groups[name]["mw"], K)
    lay[""] = _level_layout(plans[""], size_of, offset_of, K["TOP_PAD"], 0, K)

    origin, boxes = {"": (0.0, 0.0)}, {}
    for level in [""] + sorted(lay.keys() - {""}, key=depth):
        ox, oy = origin[level]
        L = lay[level]
        for key, li in L["layer_of"].items():
            if key[0] in "ng":
                w, h = L["size"][key]
                boxes[key] = {"x": ox + L["x"][key] - w / 2, "y": oy + L["tops"][li], "w": w, "h": h}
                if key[0] == "g" and key[1:] in lay:
                    origin[key[1:]] = (boxes[key]["x"], boxes[key]["y"])

    def port(name, kind, entry):
        """Absolute position of group ``name``'s in-port (kind "i") or out-port ("o") of ``entry``."""
        box = boxes["g" + name]
        y = box["y"] if kind == "i" else box["y"] + box["h"]
        if name in lay:
            return [origin[name][0] + lay[name]["x"][kind + entry], y]
        return [box["x"] + collapsed_port_x(name, kind, entry, box["w"]), y]

    def anchor(level, key, entry, end):
        """Where an edge leaves (end "src") or reaches (end "dst") item ``key`` of ``level``."""
        kind = key[0]
        if kind == "n":
            box = boxes[key]
            node = doc["nodes"][key[1:]]
            if end == "src":
                idx = int(entry.split(":")[1])
                return [box["x"] + box["w"] * (idx + 1) / (node["nout"] + 1), box["y"] + box["h"]]
            return [box["x"] + box["w"] / 2, box["y"]]
        if kind == "g":
            return port(key[1:], "o" if end == "src" else "i", entry)
        ox, oy = origin[level]
        return [ox + lay[level]["x"][key], oy if kind == "i" else oy + lay[level]["height"]]

    def segment(level, ed):
        ox, oy = origin[level]
        L = lay[level]
        if ed["rev"]:  # an edge closing a cycle runs upwards: from the source's top to the target's bottom
            a, b = boxes[ed["src"]], boxes[ed["dst"]]
            pts = [[a["x"] + a["w"] / 2, a["y"]]]
            for d in ed["dummies"]:
                li = L["layer_of"][d]
                pts += [[ox + L["x"][d], oy + L["bottoms"][li]], [ox + L["x"][d], oy + L["tops"][li]]]
            return pts + [[b["x"] + b["w"] / 2, b["y"] + b["h"]]]
        start = anchor(level, ed["src"], ed["entry"], "src")
        pts = [start]
        if ed["src"][0] in "ng":
            bottom = oy + L["bottoms"][L["layer_of"][ed["src"]]]
            if start[1] < bottom:
                pts.append([start[0], bottom])
        for d in ed["dummies"]:
            li = L["layer_of"][d]
            pts += [[ox + L["x"][d], oy + L["tops"][li]], [ox + L["x"][d], oy + L["bottoms"][li]]]
        return pts + [anchor(level, ed["dst"], ed["entry"], "dst")]

    routes, labels = [], {}
    for route in doc["routes"]:
        pts, prev_shown = [], False
        for level, index in route["segs"]:
            if level not in lay:
                prev_shown = False
                continue
            seg = segment(level, plans[level]["edges"][index])
            pts += seg[1:] if prev_shown else seg
            prev_shown = True
        routes.append(pts or None)
        entry = f"{route['src']}:{route['idx']}"
        if pts and entry not in labels:
            labels[entry] = pts[0]
    return {"boxes": boxes, "routes": routes, "labels": labels,
            "width": lay[""]["width"], "height": lay[""]["height"]}
