"""The editor page's script, part 1: the drawing (document, rendering, ports, wires, groups, shapes).

``window.mxedit`` exposes the state and actions for tests and the browser console: ``doc()``, ``add(label,
x, y)``, ``connect(src, out, dst, slot)``, ``select(names)``, ``setAttr(name, key, value)``, ``infer()``,
``layout()``, ``undo()``, ``redo()``, ``lastInfer()``.

Examples
--------
>>> "function render" in DRAW_JS and "mxedit" in DRAW_JS
True
"""

__all__ = ["DRAW_JS"]

DRAW_JS = r"""
var PARAM_SLOTS = ["weight", "bias", "gamma", "beta", "moving_mean", "moving_var"];
var NS = "http://www.w3.org/2000/svg";
var S = {doc: {nodes: [], edges: [], outputs: [], groups: {}}, specs: {}, sel: [], selEdge: null,
         undo: [], redo: [], shapes: {}, error: null, pending: null, view: {x: 0, y: 0, k: 1}, wireFrom: null,
         clip: null, palette: [], infer: null, weights: [], lastWire: null, attrNode: null};
var TOKEN_QS = "";

function api(method, path, body) {
  var opts = {method: method, headers: {"Content-Type": "application/json"}, credentials: "same-origin"};
  if (body !== undefined) opts.body = JSON.stringify(body);
  return fetch(path, opts).then(function (r) { return r.json(); });
}
function el(tag, attrs, parent) {
  var e = document.createElementNS(NS, tag);
  for (var k in attrs) e.setAttribute(k, attrs[k]);
  if (parent) parent.appendChild(e);
  return e;
}
function nodeByName(name) {
  for (var i = 0; i < S.doc.nodes.length; i++) if (S.doc.nodes[i].name === name) return S.doc.nodes[i];
  return null;
}
function spec(op) { return S.specs[op]; }
function loadSpec(op) {
  if (op === "null" || S.specs[op]) return Promise.resolve(S.specs[op]);
  return api("GET", "/api/op?name=" + encodeURIComponent(op)).then(function (s) { if (!s.error) S.specs[op] = s; return s; });
}
function dataSlots(node) {
  if (node.op === "null") return [];
  var sp = spec(node.op);
  if (!sp) return ["data"];
  if (sp.vararg) {
    var n = parseInt((node.attrs || {})[sp.vararg] || "1", 10) || 1, out = [];
    for (var i = 0; i < n; i++) out.push("arg" + i);
    return out;
  }
  var fed = {};
  S.doc.edges.forEach(function (e) { if (e.dst === node.name) fed[e.slot] = true; });
  return sp.inputs.filter(function (s) { return PARAM_SLOTS.indexOf(s) < 0 || fed[s]; });
}
function outCount(node) {
  var inf = S.shapes[node.name];
  if (inf && inf.outputs) return inf.outputs.length;
  var n = parseInt((node.attrs || {}).num_outputs || "0", 10);
  var sp = spec(node.op);
  return n || (sp ? sp.outputs : 1) || 1;
}
function subText(n) {
  var inf = S.shapes[n.name], sub = n.op === "null" ? "input " + shapeText(n.shape) : n.op;
  if (inf && inf.outputs && n.op !== "null") sub += " \u2192 " + inf.outputs.map(shapeText).join(", ");
  return sub;
}
function nodeSize(node) {
  var w = Math.max(120, Math.max(7.4 * node.name.length, 6.3 * subText(node).length) + 24);
  return {w: Math.round(w), h: 46};
}
function shapeText(s) { return s ? s.join("\u00d7") : "?"; }
function isOutput(name, i) {
  return S.doc.outputs.some(function (o) { return o[0] === name && o[1] === i; });
}
function collapsedGroup(node) {
  var g = node.group;
  return g && S.doc.groups[g] && S.doc.groups[g].collapsed ? g : null;
}
function groupBox(g) {
  var xs = [], ys = [], xe = [], ye = [];
  S.doc.nodes.forEach(function (n) {
    if (n.group !== g) return;
    var z = nodeSize(n);
    xs.push(n.x || 0); ys.push(n.y || 0); xe.push((n.x || 0) + z.w); ye.push((n.y || 0) + z.h);
  });
  if (!xs.length) return null;
  return {x: Math.min.apply(null, xs) - 12, y: Math.min.apply(null, ys) - 26,
          w: Math.max.apply(null, xe) - Math.min.apply(null, xs) + 24, h: Math.max.apply(null, ye) - Math.min.apply(null, ys) + 38};
}
function portPos(node, kind, idx, count) {
  var g = collapsedGroup(node);
  if (g) { var b = groupBox(g); return {x: b.x + b.w / 2, y: kind === "in" ? b.y : b.y + 40}; }
  var z = nodeSize(node), x0 = node.x || 0, y0 = node.y || 0;
  return {x: x0 + z.w * (idx + 1) / (count + 1), y: kind === "in" ? y0 : y0 + z.h};
}

function render() {
  var world = document.getElementById("world");
  while (world.firstChild) world.removeChild(world.firstChild);
  world.setAttribute("transform", "translate(" + S.view.x + "," + S.view.y + ") scale(" + S.view.k + ")");
  var errNode = S.error && S.error.node;
  var groupsDrawn = {};
  Object.keys(S.doc.groups || {}).forEach(function (g) {
    var b = groupBox(g);
    if (!b) return;
    var col = S.doc.groups[g].collapsed;
    var gg = el("g", {"class": "group" + (col ? " collapsed" : ""), "data-group": g}, world);
    var kind = S.doc.groups[g].layer || S.doc.groups[g].container;
    if (col) { b.h = 40; b.w = Math.max(140, 8 * (g.length + (kind ? kind.length + 8 : 0)) + 40); }
    el("rect", {x: b.x, y: b.y, width: b.w, height: b.h, rx: 8}, gg);
    var t = el("text", {x: b.x + 8, y: b.y + 17, "class": "gtitle"}, gg);
    t.textContent = (col ? "\u25b8 " : "\u25be ") + g + (kind ? "  (nn." + kind + ")" : "");
    groupsDrawn[g] = b;
  });
  S.doc.edges.forEach(function (e) {
    var s = nodeByName(e.src), d = nodeByName(e.dst);
    if (!s || !d) return;
    if (collapsedGroup(s) && collapsedGroup(s) === collapsedGroup(d)) return;
    var slots = dataSlots(d), si = Math.max(0, slots.indexOf(e.slot));
    var a = portPos(s, "out", e.out || 0, outCount(s)), b = portPos(d, "in", si, slots.length);
    var my = (a.y + b.y) / 2;
    var blamed = S.error && S.error.wire && sameWire(S.error.wire, e);
    var cls = "edge" + (S.selEdge === e ? " selected" : "") +
              (blamed ? " error blamed" : errNode && e.dst === errNode && !(S.error && S.error.wire) ? " error" : "");
    var path = el("path", {d: "M" + a.x + "," + a.y + " C" + a.x + "," + my + " " + b.x + "," + my + " " + b.x + "," + b.y,
                "class": cls, "data-src": e.src, "data-dst": e.dst, "data-slot": e.slot}, world);
    var inf = S.shapes[e.src];
    if (blamed) {
      var tipw = el("title", {}, path); tipw.textContent = S.error.error;
      var wl = el("text", {x: (a.x + b.x) / 2 + 8, y: my + 4, "class": "werror", "data-src": e.src, "data-dst": e.dst}, world);
      wl.textContent = "\u26a0 " + S.error.error.slice(0, 90);
    } else if (inf && inf.outputs && inf.outputs[e.out || 0]) {
      var lab = el("text", {x: (a.x + b.x) / 2 + 6, y: my, "class": "elabel"}, world);
      lab.textContent = shapeText(inf.outputs[e.out || 0]);
    }
  });
  S.doc.nodes.forEach(function (n) {
    if (collapsedGroup(n)) return;
    var z = nodeSize(n), x = n.x || 0, y = n.y || 0;
    var cls = "node" + (S.sel.indexOf(n.name) >= 0 ? " selected" : "") + (n.op === "null" ? " input" : "") +
              (errNode === n.name ? " error" : "") + ((S.unwired || []).indexOf(n.name) >= 0 ? " unwired" : "");
    var g = el("g", {"class": cls, "data-name": n.name, transform: "translate(" + x + "," + y + ")"}, world);
    el("rect", {width: z.w, height: z.h, rx: n.op === "null" ? 20 : 5}, g);
    var t1 = el("text", {x: 10, y: 18, "class": "ntitle"}, g);
    t1.textContent = n.name;
    var t2 = el("text", {x: 10, y: 35, "class": "nsub"}, g);
    t2.textContent = subText(n);
    if (errNode === n.name && !S.error.wire) {
      var et = el("text", {x: 0, y: z.h + 14, "class": "nerror"}, g);
      et.textContent = "\u26a0 " + S.error.error.slice(0, 90);
      var tip = el("title", {}, g); tip.textContent = S.error.error;
    }
    var slots = dataSlots(n);
    slots.forEach(function (s, i) {
      var c = el("circle", {cx: z.w * (i + 1) / (slots.length + 1), cy: 0, r: 6, "class": "port in",
                            "data-node": n.name, "data-slot": s}, g);
      var tt = el("title", {}, c); tt.textContent = s;
    });
    var k = outCount(n);
    for (var i = 0; i < k; i++) {
      var c = el("circle", {cx: z.w * (i + 1) / (k + 1), cy: z.h, r: 6, "data-node": n.name, "data-out": i,
                            "class": "port out" + (isOutput(n.name, i) ? " tapped" : "") +
                                     (S.wireFrom && S.wireFrom.node === n.name && S.wireFrom.out === i ? " armed" : "")}, g);
      var tt2 = el("title", {}, c); tt2.textContent = "output " + i + (isOutput(n.name, i) ? " (graph output)" : "");
    }
  });
  var st = document.getElementById("status");
  st.className = S.error ? "error" : "";
  var notice = S.notice; S.notice = null;
  st.textContent = notice && !S.error ? notice : S.error ? (S.error.wire ? "wire " + wireText(S.error.wire) + ": " : S.error.node ? S.error.node + ": " : "") + S.error.error :
    S.doc.nodes.length + " nodes, " + S.doc.edges.length + " wires, outputs: " +
    (S.doc.outputs.map(function (o) { return o[0] + "[" + o[1] + "]"; }).join(", ") || "none") +
    ((S.unwired || []).length ? "; waiting for a wire: " + S.unwired.join(", ") : "");
  if (window.renderPanel) window.renderPanel();
}

function snapshot() {
  S.undo.push(JSON.stringify(S.doc));
  if (S.undo.length > 200) S.undo.shift();
  S.redo = [];
}
function changed() { render(); scheduleInfer(); }
function scheduleInfer() {
  if (S.pending) clearTimeout(S.pending);
  S.pending = setTimeout(infer, 250);
}
function infer() {
  S.pending = null;
  var sent = JSON.stringify(S.doc);
  return api("POST", "/api/infer", {doc: S.doc}).then(function (r) {
    if (sent !== JSON.stringify(S.doc)) return r;
    S.infer = r;
    if (r.ok) { S.shapes = r.nodes; S.error = null; S.unwired = r.unwired || []; } else { S.error = r; r.wire = blameWire(r); }
    render();
    return r;
  });
}
function sameWire(a, b) {
  return a.src === b.src && (a.out || 0) === (b.out || 0) && a.dst === b.dst && a.slot === b.slot;
}
function wireText(w) { return w.src + "[" + (w.out || 0) + "] \u2192 " + w.dst + "." + w.slot; }
function blameWire(r) {
  // the wire an error is shown on: the one just drawn when it may cause it; else the only wire into the
  // failing node, unless that node's own attributes were the last change
  var wires = r.edges || [];
  if (S.lastWire && wires.some(function (w) { return sameWire(w, S.lastWire); })) return S.lastWire;
  if (S.attrNode === r.node || wires.length !== 1) return null;
  return wires[0];
}
function uniqueName(base) {
  var i = 0;
  while (nodeByName(base + i)) i++;
  return base + i;
}
var BASES = {"nn.Conv2D": "conv", "nn.Dense": "dense", "nn.BatchNorm": "batchnorm", "nn.Activation": "relu",
             "nn.MaxPool2D": "pool", "nn.AvgPool2D": "pool", "nn.GlobalAvgPool2D": "pool", "nn.GlobalMaxPool2D": "pool",
             "nn.Dropout": "dropout", "nn.Flatten": "flatten", "nn.Conv2DTranspose": "deconv"};
function add(label, x, y) {
  var item = null;
  S.palette.forEach(function (p) { if (p.label === label) item = p; });
  if (!item && label !== "input") throw new Error("no palette item " + label);
  if (item && item.kind === "container") return Promise.resolve(containerize(item));
  if (item && item.kind === "template") return addTemplate(item, x, y);
  if (item && item.kind === "unavailable") { S.notice = item.summary; render(); return Promise.resolve(null); }
  snapshot();
  var node;
  if (label === "input") {
    node = {name: uniqueName("data"), op: "null", shape: [1, 3, 32, 32]};
    if (node.name === "data0" && !nodeByName("data")) node.name = "data";
  } else {
    var base = BASES[label] || label.replace(/^nn\.|^contrib\./, "").toLowerCase();
    node = {name: uniqueName(base), op: item.op, attrs: JSON.parse(JSON.stringify(item.attrs))};
    if (item.layer) node.layer = item.layer;
    if (item.weights) {
      node.params = {};
      Object.keys(item.weights).forEach(function (slot) { node.params[slot] = node.name + "_" + item.weights[slot]; });
    }
  }
  var spot = freeSpot();
  node.x = x === undefined ? spot.x : x;
  node.y = y === undefined ? spot.y : y;
  S.doc.nodes.push(node);
  return loadSpec(node.op).then(function () { S.sel = [node.name]; changed(); return node.name; });
}
function connect(src, out, dst, slot) {
  if (src === dst) return false;
  snapshot();
  S.doc.edges = S.doc.edges.filter(function (e) { return !(e.dst === dst && e.slot === slot); });
  S.lastWire = {src: src, out: out, dst: dst, slot: slot};
  S.attrNode = null;
  S.doc.edges.push({src: src, out: out, dst: dst, slot: slot});
  changed();
  return true;
}
function toggleOutput(name, i) {
  snapshot();
  if (isOutput(name, i)) S.doc.outputs = S.doc.outputs.filter(function (o) { return !(o[0] === name && o[1] === i); });
  else S.doc.outputs.push([name, i]);
  changed();
}
function removeSelected() {
  if (!S.sel.length && !S.selEdge) return;
  snapshot();
  if (S.selEdge) { var e0 = S.selEdge; S.doc.edges = S.doc.edges.filter(function (e) { return e !== e0; }); S.selEdge = null; }
  var gone = S.sel;
  S.doc.nodes = S.doc.nodes.filter(function (n) { return gone.indexOf(n.name) < 0; });
  S.doc.edges = S.doc.edges.filter(function (e) { return gone.indexOf(e.src) < 0 && gone.indexOf(e.dst) < 0; });
  S.doc.outputs = S.doc.outputs.filter(function (o) { return gone.indexOf(o[0]) < 0; });
  S.sel = [];
  changed();
}
function copySelected() {
  var names = S.sel.slice();
  S.clip = {nodes: S.doc.nodes.filter(function (n) { return names.indexOf(n.name) >= 0; }),
            edges: S.doc.edges.filter(function (e) { return names.indexOf(e.src) >= 0 && names.indexOf(e.dst) >= 0; })};
  S.clip = JSON.parse(JSON.stringify(S.clip));
}
function paste() {
  if (!S.clip || !S.clip.nodes.length) return;
  snapshot();
  var rename = {}, groups = {};
  S.clip.nodes.forEach(function (n) {
    var copy = JSON.parse(JSON.stringify(n));
    copy.name = uniqueName(n.name.replace(/\d+$/, "") || "node");
    var params = {};   // the copy gets weights of its own: names that follow its name, else the default
    Object.keys(n.params || {}).forEach(function (slot) {
      var w = n.params[slot];
      if (w.indexOf(n.name + "_") === 0) params[slot] = copy.name + w.slice(n.name.length);
    });
    delete copy.param_attrs;
    if (Object.keys(params).length) copy.params = params; else delete copy.params;
    if (n.group) {   // a whole block copied is a new block like it; part of one is no block
      if (!(n.group in groups)) {
        var whole = S.doc.nodes.every(function (m) { return m.group !== n.group ||
          S.clip.nodes.some(function (c) { return c.name === m.name; }); });
        groups[n.group] = whole ? uniqueGroup(n.group.replace(/\d+$/, "")) : null;
        if (whole) S.doc.groups[groups[n.group]] = JSON.parse(JSON.stringify(S.doc.groups[n.group] || {collapsed: false}));
      }
      if (groups[n.group]) copy.group = groups[n.group]; else delete copy.group;
    }
    copy.x = (n.x || 0) + 40; copy.y = (n.y || 0) + 40;
    rename[n.name] = copy.name;
    S.doc.nodes.push(copy);
  });
  S.clip.edges.forEach(function (e) {
    S.doc.edges.push({src: rename[e.src], out: e.out, dst: rename[e.dst], slot: e.slot});
  });
  S.sel = Object.keys(rename).map(function (k) { return rename[k]; });
  changed();
}
function undo() { if (!S.undo.length) return; S.redo.push(JSON.stringify(S.doc)); S.doc = JSON.parse(S.undo.pop()); S.sel = []; changed(); }
function redo() { if (!S.redo.length) return; S.undo.push(JSON.stringify(S.doc)); S.doc = JSON.parse(S.redo.pop()); S.sel = []; changed(); }
function layout() {
  return api("POST", "/api/layout", {doc: S.doc}).then(function (r) {
    if (!r.positions) { S.error = r; render(); return r; }
    snapshot();
    S.doc.nodes.forEach(function (n) { var p = r.positions[n.name]; if (p) { n.x = p.x; n.y = p.y; } });
    render();
    return r;
  });
}
function groupSelected(name, extra) {
  if (!name || !S.sel.length) return;
  snapshot();
  S.doc.groups = S.doc.groups || {};
  S.doc.groups[name] = Object.assign({collapsed: false}, extra || {});
  S.doc.nodes.forEach(function (n) { if (S.sel.indexOf(n.name) >= 0) n.group = name; });
  changed();
}
function toggleGroup(name) {
  snapshot();
  S.doc.groups[name].collapsed = !S.doc.groups[name].collapsed;
  render();
}
function setAttr(name, key, value) {
  var n = nodeByName(name);
  snapshot();
  n.attrs = n.attrs || {};
  S.attrNode = name; S.lastWire = null;
  if (value === null || value === "") delete n.attrs[key]; else n.attrs[key] = value;
  changed();
}
function rename(old, name) {
  if (!name || nodeByName(name)) return false;
  snapshot();
  nodeByName(old).name = name;
  S.doc.edges.forEach(function (e) { if (e.src === old) e.src = name; if (e.dst === old) e.dst = name; });
  S.doc.outputs.forEach(function (o) { if (o[0] === old) o[0] = name; });
  S.sel = [name];
  changed();
  return true;
}
window.mxedit = {
  doc: function () { return S.doc; }, state: S, add: add, connect: connect, infer: infer, layout: layout,
  undo: undo, redo: redo, setAttr: setAttr, setOp: setOp, fit: fit, rename: rename, toggleOutput: toggleOutput, group: groupSelected,
  toggleGroup: toggleGroup, remove: removeSelected, copy: copySelected, paste: paste,
  select: function (names) { S.sel = names.slice(); render(); }, lastInfer: function () { return S.infer; }
};
"""
