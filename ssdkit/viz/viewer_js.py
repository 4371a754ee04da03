"""The HTML viewer's script and page styles, kept as strings so the page needs no extra files.

``LAYOUT_JS`` is a line-by-line port of :func:`ssdkit.viz.geometry.layout_document` (same constants, same
order of floating-point operations); ``VIEWER_JS`` wires it to the SVG: pan, zoom, fit, group collapse and
expand, and the details panel. ``window.mxviz`` exposes ``layout()``, ``toggle(name)``, ``select(id)``,
``search(text)``, ``focus(key)``, ``fit()``, ``state()`` for tests and for use from the browser console.

Examples
--------
>>> "function layoutDocument" in LAYOUT_JS and "mxviz-panel" in PAGE_CSS
True
"""

__all__ = ["LAYOUT_JS", "VIEWER_JS", "PAGE_CSS"]

LAYOUT_JS = r"""
function pava(targets) {
  var blocks = [];
  for (var i = 0; i < targets.length; i++) {
    blocks.push([targets[i], 1]);
    while (blocks.length > 1 &&
           blocks[blocks.length - 2][0] / blocks[blocks.length - 2][1] >
           blocks[blocks.length - 1][0] / blocks[blocks.length - 1][1]) {
      var b = blocks.pop();
      blocks[blocks.length - 1][0] += b[0];
      blocks[blocks.length - 1][1] += b[1];
    }
  }
  var out = [];
  blocks.forEach(function (b) { for (var j = 0; j < b[1]; j++) out.push(b[0] / b[1]); });
  return out;
}

function edgeChain(ed) {
  if (ed.rev) return [ed.dst].concat(ed.dummies.slice().reverse(), [ed.src]);
  return [ed.src].concat(ed.dummies, [ed.dst]);
}

function levelLayout(plan, sizeOf, offsetOf, topMargin, minWidth, K) {
  var layers = plan.layers, size = {}, keys = [];
  layers.forEach(function (layer) {
    layer.items.forEach(function (k) { size[k] = sizeOf(k); keys.push(k); });
  });
  var tops = [], bottoms = [], layerOf = {};
  layers.forEach(function (layer, li) {
    var h = 0, y;
    layer.items.forEach(function (k) { h = Math.max(h, size[k][1]); layerOf[k] = li; });
    if (li === 0) y = layer.kind === "in" ? 0 : topMargin;
    else y = bottoms[li - 1] + (layers[li - 1].kind === "in" ? K.HEADER_GAP : K.LAYER_GAP);
    tops.push(y);
    bottoms.push(y + h);
  });
  var height;
  if (!layers.length) height = topMargin + K.BOTTOM_PAD;
  else if (layers[layers.length - 1].kind === "out") height = bottoms[bottoms.length - 1];
  else height = bottoms[bottoms.length - 1] + K.BOTTOM_PAD;
  var up = {}, down = {};
  keys.forEach(function (k) { up[k] = []; down[k] = []; });
  plan.edges.forEach(function (ed) {
    var chain = edgeChain(ed);
    for (var i = 0; i + 1 < chain.length; i++) {
      var a = chain[i], b = chain[i + 1];
      var offA = ed.rev || i > 0 ? 0 : offsetOf(a, ed.entry, "src");
      var offB = ed.rev || i < chain.length - 2 ? 0 : offsetOf(b, ed.entry, "dst");
      down[a].push([b, offB - offA]);
      up[b].push([a, offA - offB]);
    }
  });
  var offsets = [], x = {};
  layers.forEach(function (layer) {
    var c = 0, prev = null, row = [];
    layer.items.forEach(function (k) {
      if (prev !== null) c += (size[prev][0] + size[k][0]) / 2 + K.ITEM_GAP;
      row.push(c);
      x[k] = c;
      prev = k;
    });
    offsets.push(row);
  });
  function place(li, neighbours) {
    var items = layers[li].items, targets = [];
    items.forEach(function (k, i) {
      var nbs = neighbours[k], want = x[k];
      if (nbs.length) {
        var s = 0;
        nbs.forEach(function (v) { s += x[v[0]] + v[1]; });
        want = s / nbs.length;
      }
      targets.push(want - offsets[li][i]);
    });
    pava(targets).forEach(function (y, i) { x[items[i]] = y + offsets[li][i]; });
  }
  var n = layers.length, li, it;
  for (it = 0; it < K.X_SWEEPS; it++) {
    for (li = 1; li < n; li++) place(li, up);
    for (li = n - 2; li >= 0; li--) place(li, down);
  }
  for (li = 1; li < n; li++) place(li, up);
  var left = Infinity, right = -Infinity;
  keys.forEach(function (k) {
    left = Math.min(left, x[k] - size[k][0] / 2);
    right = Math.max(right, x[k] + size[k][0] / 2);
  });
  if (!keys.length) { left = 0; right = 0; }
  var width = Math.max(right - left + 2 * K.PAD_X, minWidth);
  var shift = K.PAD_X - left + (width - (right - left + 2 * K.PAD_X)) / 2;
  keys.forEach(function (k) { x[k] += shift; });
  return {x: x, size: size, tops: tops, bottoms: bottoms, layerOf: layerOf, width: width, height: height};
}

function layoutDocument(doc, collapsed) {
  var K = doc["const"], groups = doc.groups, plans = doc.plans, closed = collapsed;
  function depth(name) { var d = 0; while (name) { name = groups[name].parent; d++; } return d; }
  function isOpen(level) {
    while (level) { if (closed.has(level)) return false; level = groups[level].parent; }
    return true;
  }
  var lay = {};
  function sizeOf(key) {
    var kind = key[0];
    if (kind === "n") { var node = doc.nodes[key.slice(1)]; return [node.w, node.h]; }
    if (kind === "g") {
      var name = key.slice(1);
      if (closed.has(name)) return [groups[name].cw, groups[name].ch];
      return [lay[name].width, lay[name].height];
    }
    return [kind === "d" ? K.DUMMY_W : K.PORT_W, 0];
  }
  // Stable sort by depth, as Python's sorted(): deeper groups first, ties in document order.
  var open = Object.keys(groups).filter(isOpen);
  var byDepthDesc = open.map(function (g, i) { return [depth(g), i, g]; })
    .sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
  function collapsedPortX(name, kind, entry, width) {
    var layers = plans[name].layers;
    var row = kind === "i" ? layers[0].items : layers[layers.length - 1].items;
    return width * (row.indexOf(kind + entry) + 1) / (row.length + 1);
  }
  function offsetOf(key, entry, end) {
    if (key[0] === "n") {
      if (end === "dst") return 0;
      var node = doc.nodes[key.slice(1)];
      return node.w * (parseInt(entry.split(":")[1], 10) + 1) / (node.nout + 1) - node.w / 2;
    }
    if (key[0] !== "g") return 0;
    var name = key.slice(1), kind = end === "src" ? "o" : "i", w = sizeOf(key)[0];
    if (lay[name]) return lay[name].x[kind + entry] - w / 2;
    return collapsedPortX(name, kind, entry, w) - w / 2;
  }
  byDepthDesc.forEach(function (t) {
    lay[t[2]] = levelLayout(plans[t[2]], sizeOf, offsetOf, K.HEADER_GAP, groups[t[2]].mw, K);
  });
  lay[""] = levelLayout(plans[""], sizeOf, offsetOf, K.TOP_PAD, 0, K);
  var origin = {"": [0, 0]}, boxes = {};
  var levels = [""].concat(open.map(function (g, i) { return [depth(g), i, g]; })
    .sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; }).map(function (t) { return t[2]; }));
  levels.forEach(function (level) {
    var o = origin[level], L = lay[level];
    Object.keys(L.layerOf).forEach(function (key) {
      if (key[0] !== "n" && key[0] !== "g") return;
      var s = L.size[key], li = L.layerOf[key];
      boxes[key] = {x: o[0] + L.x[key] - s[0] / 2, y: o[1] + L.tops[li], w: s[0], h: s[1]};
      if (key[0] === "g" && lay[key.slice(1)]) origin[key.slice(1)] = [boxes[key].x, boxes[key].y];
    });
  });
  function port(name, kind, entry) {
    var box = boxes["g" + name];
    var y = kind === "i" ? box.y : box.y + box.h;
    if (lay[name]) return [origin[name][0] + lay[name].x[kind + entry], y];
    return [box.x + collapsedPortX(name, kind, entry, box.w), y];
  }
  function anchor(level, key, entry, end) {
    var kind = key[0];
    if (kind === "n") {
      var box = boxes[key], node = doc.nodes[key.slice(1)];
      if (end === "src") {
        var idx = parseInt(entry.split(":")[1], 10);
        return [box.x + box.w * (idx + 1) / (node.nout + 1), box.y + box.h];
      }
      return [box.x + box.w / 2, box.y];
    }
    if (kind === "g") return port(key.slice(1), end === "src" ? "o" : "i", entry);
    var o = origin[level];
    return [o[0] + lay[level].x[key], kind === "i" ? o[1] : o[1] + lay[level].height];
  }
  function segment(level, ed) {
    var o = origin[level], L = lay[level], pts, li;
    if (ed.rev) {
      var a = boxes[ed.src], b = boxes[ed.dst];
      pts = [[a.x + a.w / 2, a.y]];
      ed.dummies.forEach(function (d) {
        li = L.layerOf[d];
        pts.push([o[0] + L.x[d], o[1] + L.bottoms[li]], [o[0] + L.x[d], o[1] + L.tops[li]]);
      });
      pts.push([b.x + b.w / 2, b.y + b.h]);
      return pts;
    }
    var start = anchor(level, ed.src, ed.entry, "src");
    pts = [start];
    if (ed.src[0] === "n" || ed.src[0] === "g") {
      var bottom = o[1] + L.bottoms[L.layerOf[ed.src]];
      if (start[1] < bottom) pts.push([start[0], bottom]);
    }
    ed.dummies.forEach(function (d) {
      li = L.layerOf[d];
      pts.push([o[0] + L.x[d], o[1] + L.tops[li]], [o[0] + L.x[d], o[1] + L.bottoms[li]]);
    });
    pts.push(anchor(level, ed.dst, ed.entry, "dst"));
    return pts;
  }
  var routes = [], labels = {};
  doc.routes.forEach(function (route) {
    var pts = [], prevShown = false;
    route.segs.forEach(function (sg) {
      if (!lay[sg[0]]) { prevShown = false; return; }
      var seg = segment(sg[0], plans[sg[0]].edges[sg[1]]);
      pts = pts.concat(prevShown ? seg.slice(1) : seg);
      prevShown = true;
    });
    routes.push(pts.length ? pts : null);
    var entry = route.src + ":" + route.idx;
    if (pts.length && !(entry in labels)) labels[entry] = pts[0];
  });
  return {boxes: boxes, routes: routes, labels: labels, width: lay[""].width, height: lay[""].height};
}
"""

VIEWER_JS = r"""
(function () {
  var doc = JSON.parse(document.getElementById("mxviz-data").textContent);
  var svg = document.querySelector("#mxviz-canvas svg");
  var viewport = document.getElementById("mxviz-viewport");
  var panel = document.getElementById("mxviz-panel-body");
  var collapsed = new Set(JSON.parse(document.getElementById("mxviz-collapsed").textContent));
  var view = {x: 0, y: 0, k: 1}, geo = null, selected = null;
  var LABEL_DX = 4, LABEL_DY = 11, ZOOM_STEP = 1.25, MIN_ZOOM = 0.05, MAX_ZOOM = 4, READABLE_ZOOM = 0.6;

  function num(v) { return (Math.round(v * 10) / 10).toString(); }
  function pathData(points) {
    var parts = ["M" + num(points[0][0]) + "," + num(points[0][1])];
    for (var i = 1; i < points.length; i++) {
      var p = points[i - 1], q = points[i];
      if (p[0] === q[0]) parts.push("L" + num(q[0]) + "," + num(q[1]));
      else {
        var mid = (p[1] + q[1]) / 2;
        parts.push("C" + num(p[0]) + "," + num(mid) + " " + num(q[0]) + "," + num(mid) + " " +
                   num(q[0]) + "," + num(q[1]));
      }
    }
    return parts.join(" ");
  }
  function setView() {
    viewport.setAttribute("transform", "translate(" + view.x + "," + view.y + ") scale(" + view.k + ")");
  }
  function render() {
    geo = layoutDocument(doc, collapsed);
    svg.querySelectorAll("g.node").forEach(function (el) {
      var box = geo.boxes["n" + el.dataset.node];
      el.classList.toggle("hidden", !box);
      if (box) el.setAttribute("transform", "translate(" + num(box.x) + "," + num(box.y) + ")");
    });
    // A group is two elements: its box (under the edges) and its title band (above them).
    svg.querySelectorAll("g.group, g.group-head").forEach(function (el) {
      var name = el.dataset.group, box = geo.boxes["g" + name];
      el.classList.toggle("hidden", !box);
      el.classList.toggle("collapsed", collapsed.has(name));
      if (!box) return;
      el.setAttribute("transform", "translate(" + num(box.x) + "," + num(box.y) + ")");
      var rect = el.querySelector(":scope > rect");
      rect.setAttribute("width", num(box.w));
      if (el.classList.contains("group-head")) return;
      rect.setAttribute("height", num(box.h));
      el.querySelectorAll(":scope > .face text").forEach(function (t) { t.setAttribute("x", num(box.w / 2)); });
    });
    svg.querySelectorAll("path.edge").forEach(function (el) {
      var pts = geo.routes[parseInt(el.dataset.route, 10)];
      el.classList.toggle("hidden", !pts);
      if (pts) el.setAttribute("d", pathData(pts));
    });
    svg.querySelectorAll("text.elabel").forEach(function (el) {
      var pos = geo.labels[el.dataset.entry];
      el.classList.toggle("hidden", !pos || !el.textContent);
      if (pos) { el.setAttribute("x", num(pos[0] + LABEL_DX)); el.setAttribute("y", num(pos[1] + LABEL_DY)); }
    });
  }
  function fit() {
    var rect = svg.getBoundingClientRect();
    var k = Math.min(rect.width / geo.width, rect.height / geo.height) * 0.96;
    view.k = Math.max(MIN_ZOOM, Math.min(k, 1.5));
    view.x = (rect.width - geo.width * view.k) / 2;
    view.y = Math.max(8, (rect.height - geo.height * view.k) / 2);
    setView();
  }
  function initialView() {  // whole picture if it fits readably, else full width from the top
    var rect = svg.getBoundingClientRect();
    var k = Math.min(1, rect.width / geo.width * 0.96);
    if (geo.height * k <= rect.height) { fit(); return; }
    view.k = Math.max(k, READABLE_ZOOM);
    view.x = (rect.width - geo.width * view.k) / 2;
    view.y = 8;
    setView();
  }
  function zoomAt(factor, cx, cy) {
    var k = Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, view.k * factor));
    view.x = cx - (cx - view.x) * k / view.k;
    view.y = cy - (cy - view.y) * k / view.k;
    view.k = k;
    setView();
  }
  function zoomCentre(factor) {
    var rect = svg.getBoundingClientRect();
    zoomAt(factor, rect.width / 2, rect.height / 2);
  }
  function row(table, key, value) {
    var tr = document.createElement("tr"), th = document.createElement("th"), td = document.createElement("td");
    th.textContent = key;
    td.textContent = value;
    tr.appendChild(th);
    tr.appendChild(td);
    table.appendChild(tr);
  }
  function section(title, pairs) {
    var h = document.createElement("h4"), table = document.createElement("table");
    h.textContent = title;
    pairs.forEach(function (p) { row(table, p[0], p[1]); });
    panel.appendChild(h);
    panel.appendChild(table);
  }
  function fmtParams(p) { return p === null || p === undefined ? "unknown" : p.toLocaleString("en-US"); }
  function select(id) {
    var node = doc.nodes[id];
    if (selected !== null) {
      var old = svg.querySelector('g.node[data-node="' + selected + '"]');
      if (old) old.classList.remove("selected");
    }
    selected = id;
    svg.querySelector('g.node[data-node="' + id + '"]').classList.add("selected");
    panel.textContent = "";
    var h = document.createElement("h3");
    h.textContent = node.name;
    panel.appendChild(h);
    section("Node", [["op", node.op], ["group", node.group || "(top level)"],
                     ["output shape", node.outputs.map(function (s) { return s || "unknown"; }).join(", ")],
                     ["params", node.oval ? "-" : fmtParams(node.params)]]);
    var attrs = Object.keys(node.attrs).map(function (k) { return [k, node.attrs[k]]; });
    if (attrs.length) section("Attributes", attrs);
    if (node.inputs.length) section("Inputs", node.inputs.map(function (p) { return [p[0], p[1] || "?"]; }));
  }
  function describeGroup(name) {
    var g = doc.groups[name];
    panel.textContent = "";
    var h = document.createElement("h3");
    h.textContent = name;
    panel.appendChild(h);
    section("Group", [["block", g.label], ["nodes", String(g.count)], ["params", fmtParams(g.params)],
                      ["state", collapsed.has(name) ? "collapsed" : "expanded"]]);
  }
  function toggle(name, anchorBox) {
    var before = geo.boxes["g" + name];
    if (collapsed.has(name)) collapsed.delete(name); else collapsed.add(name);
    render();
    var after = geo.boxes["g" + name];
    if (before && after) {  // keep the toggled block where it was on screen
      view.x += (before.x - after.x) * view.k;
      view.y += (before.y - after.y) * view.k;
      setView();
    }
    describeGroup(name);
  }
  function focus(key) {  // centre a box at natural size
    var b = geo.boxes[key], rect = svg.getBoundingClientRect();
    if (!b) return;
    view.k = 1;
    view.x = rect.width / 2 - (b.x + b.w / 2);
    view.y = rect.height / 2 - (b.y + b.h / 2);
    setView();
  }
  function search(text) {  // first node whose name contains text: open its groups, centre and select it
    text = text.trim().toLowerCase();
    if (!text) return null;
    var id = Object.keys(doc.nodes).find(function (k) { return doc.nodes[k].name.toLowerCase().indexOf(text) >= 0; });
    if (id === undefined) return null;
    for (var g = doc.nodes[id].group; g; g = doc.groups[g].parent) collapsed.delete(g);
    render();
    focus("n" + id);
    select(id);
    return id;
  }
  function setAll(collapse) {
    collapsed = new Set(collapse ? Object.keys(doc.groups) : []);
    render();
    fit();
  }

  var drag = null, moved = false, DRAG_SLOP = 3;
  svg.addEventListener("pointerdown", function (ev) {
    drag = {x: ev.clientX, y: ev.clientY, vx: view.x, vy: view.y};
    moved = false;
  });
  window.addEventListener("pointermove", function (ev) {
    if (!drag) return;
    var dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > DRAG_SLOP) moved = true;
    if (moved) { view.x = drag.vx + dx; view.y = drag.vy + dy; setView(); svg.classList.add("panning"); }
  });
  window.addEventListener("pointerup", function () { drag = null; svg.classList.remove("panning"); });
  svg.addEventListener("click", function (ev) {
    if (moved) { moved = false; return; }
    var node = ev.target.closest("g.node");
    if (node) { select(node.dataset.node); return; }
    var head = ev.target.closest("g.group-head");
    if (head) { toggle(head.dataset.group); return; }
    var group = ev.target.closest("g.group");
    if (group && collapsed.has(group.dataset.group)) toggle(group.dataset.group);
  });
  svg.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var rect = svg.getBoundingClientRect();
    zoomAt(Math.pow(1.0015, -ev.deltaY), ev.clientX - rect.left, ev.clientY - rect.top);
  }, {passive: false});
  document.getElementById("mxviz-zoom-in").onclick = function () { zoomCentre(ZOOM_STEP); };
  document.getElementById("mxviz-zoom-out").onclick = function () { zoomCentre(1 / ZOOM_STEP); };
  document.getElementById("mxviz-fit").onclick = fit;
  document.getElementById("mxviz-expand").onclick = function () { setAll(false); };
  document.getElementById("mxviz-collapse").onclick = function () { setAll(true); };
  var searchBox = document.getElementById("mxviz-search");
  searchBox.addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter") return;
    searchBox.classList.toggle("miss", search(searchBox.value) === null);
  });
  window.addEventListener("keydown", function (ev) {
    if (ev.target.tagName === "INPUT") return;
    if (ev.key === "+" || ev.key === "=") zoomCentre(ZOOM_STEP);
    else if (ev.key === "-") zoomCentre(1 / ZOOM_STEP);
    else if (ev.key === "0" || ev.key === "f") fit();
  });

  render();
  initialView();
  window.mxviz = {
    layout: function () { return geo; },
    toggle: function (name) { toggle(name); },
    select: select,
    fit: fit,
    focus: focus,
    search: search,
    state: function () { return {collapsed: Array.from(collapsed), view: view}; }
  };
})();
"""

PAGE_CSS = r"""
html,body{margin:0;height:100%;font-family:"Helvetica Neue",Helvetica,Arial,sans-serif;color:#1d2433}
#mxviz-app{display:flex;flex-direction:column;height:100%}
#mxviz-toolbar{display:flex;align-items:center;gap:6px;padding:6px 10px;border-bottom:1px solid #d5dae4;
  background:#f7f8fb}
#mxviz-toolbar .title{font-weight:600;margin-right:12px}
#mxviz-toolbar button{font:inherit;font-size:13px;padding:3px 9px;border:1px solid #b8c0d0;border-radius:4px;
  background:#fff;cursor:pointer}
#mxviz-toolbar button:hover{background:#e9eef8}
#mxviz-search{font:inherit;font-size:13px;padding:3px 6px;border:1px solid #b8c0d0;border-radius:4px;width:180px;
  margin-left:8px}
#mxviz-search.miss{border-color:#d62728;background:#fff3f3}
#mxviz-toolbar .hint{margin-left:auto;font-size:12px;color:#6a7385}
#mxviz-main{flex:1;display:flex;min-height:0}
#mxviz-canvas{flex:1;position:relative;overflow:hidden;background:#fff}
#mxviz-canvas svg{display:block;cursor:grab;user-select:none}
#mxviz-canvas svg.panning{cursor:grabbing}
#mxviz-panel{width:320px;border-left:1px solid #d5dae4;overflow:auto;padding:10px 14px;background:#fbfcfe;
  font-size:13px}
#mxviz-panel h3{font-size:13px;word-break:break-all;margin:4px 0 10px}
#mxviz-panel h4{font-size:12px;text-transform:uppercase;color:#6a7385;margin:14px 0 4px}
#mxviz-panel table{border-collapse:collapse;width:100%}
#mxviz-panel th{text-align:left;font-weight:normal;color:#4a5366;padding:2px 8px 2px 0;vertical-align:top;
  width:40%;word-break:break-all}
#mxviz-panel td{font-family:Menlo,Consolas,monospace;font-size:12px;word-break:break-all;padding:2px 0}
#mxviz-panel .empty{color:#6a7385}
"""
