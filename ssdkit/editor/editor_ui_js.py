"""The editor page's script, part 2: palette (and what its containers, templates and lambdas insert), mouse and
keyboard, the attribute panel, fitting the view, toolbar and export.

Examples
--------
>>> "function renderPanel" in UI_JS and "keydown" in UI_JS
True
"""

__all__ = ["UI_JS"]

UI_JS = r"""
var KIND_RE = {
  "int": /^-?\d+$/, "float": /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/, "bool": /^(True|False|true|false|0|1)$/,
  "shape": /^\(?\s*(-?\d+\s*(,\s*-?\d+\s*)*,?)?\s*\)?$/, "floats": /^\(?\s*([-\d.eE+]+\s*(,\s*[-\d.eE+]+\s*)*,?)?\s*\)?$/
};
var HIDDEN_ATTRS = ["cudnn_off", "cudnn_tune", "workspace"];  // no meaning on this CPU library; shown when set
function checkValue(kind, choices, text) {
  if (text === "") return null;
  if (choices && choices.indexOf(text) < 0) return "one of " + choices.join(", ");
  var re = KIND_RE[kind];
  if (re && !re.test(text.trim())) return "expects " + kind + (kind === "shape" ? " such as (3, 3)" : "");
  return null;
}
function renderPalette() {
  var q = document.getElementById("palette-search").value.toLowerCase().trim();
  var list = document.getElementById("palette-list");
  list.innerHTML = "";
  var items = [{label: "input", kind: "input", summary: "A graph input (a variable with a shape)."}].concat(S.palette);
  items.forEach(function (p) {
    var text = (p.label + " " + (p.op || "") + " " + (p.summary || "")).toLowerCase();
    if (q && q.split(/\s+/).some(function (w) { return text.indexOf(w) < 0; })) return;
    var d = document.createElement("div");
    d.className = "pal-item " + p.kind;
    d.draggable = true;
    d.setAttribute("data-label", p.label);
    d.title = p.summary || "";
    var b = document.createElement("b"); b.textContent = p.label; d.appendChild(b);
    var s = document.createElement("span"); s.textContent = p.summary || ""; d.appendChild(s);
    d.addEventListener("dragstart", function (ev) { ev.dataTransfer.setData("text/plain", p.label); });
    d.addEventListener("dblclick", function () { add(p.label); });
    list.appendChild(d);
  });
}
function uniqueGroup(base) {
  var i = 0;
  while ((S.doc.groups || {})[base + i] || nodeByName(base + i)) i++;
  return base + i;
}
function freeSpot() {
  // where a double-clicked item goes: below everything drawn, so nothing is covered
  var bottom = 0;
  S.doc.nodes.forEach(function (n) { bottom = Math.max(bottom, (n.y || 0) + nodeSize(n).h); });
  return {x: 80, y: S.doc.nodes.length ? bottom + 54 : 40};
}
function containerize(item) {
  // a container from the palette: the selected nodes become a block of that kind
  if (!S.sel.length) { S.notice = "select the nodes to put into a " + item.label + " first, then drop it again"; render(); return null; }
  var typed = document.getElementById("group-name").value;
  var name = typed && !(S.doc.groups || {})[typed] ? typed : uniqueGroup(item.container.toLowerCase());
  groupSelected(name, {container: item.container});
  return name;
}
function addTemplate(item, x, y) {
  // a layer of several ops (Swish): its ops as a block named after it, exported as the layer again
  snapshot();
  var g = uniqueGroup(item.layer.toLowerCase()), names = {};
  var spot = freeSpot();
  x = x === undefined ? spot.x : x; y = y === undefined ? spot.y : y;
  item.template.nodes.forEach(function (t, i) {
    names[t.name] = g + "_" + t.name;
    S.doc.nodes.push({name: names[t.name], op: t.op, attrs: JSON.parse(JSON.stringify(t.attrs)), group: g,
                      x: x + (i % 2) * 150, y: y + 70 * i});
  });
  item.template.edges.forEach(function (e) {
    S.doc.edges.push({src: names[e.src], out: e.out, dst: names[e.dst], slot: e.slot});
  });
  S.doc.groups[g] = {collapsed: false, layer: item.layer, args: {}};
  S.sel = Object.keys(names).map(function (k) { return names[k]; });
  return Promise.all(item.template.nodes.map(function (t) { return loadSpec(t.op); })).then(function () {
    changed(); return g; });
}
function fit() {
  // zoom and pan so the whole drawing shows
  if (!S.doc.nodes.length) return;
  var c = document.getElementById("canvas").getBoundingClientRect(), x0 = 1e9, y0 = 1e9, x1 = -1e9, y1 = -1e9;
  S.doc.nodes.forEach(function (n) {
    var z = nodeSize(n);
    x0 = Math.min(x0, n.x || 0); y0 = Math.min(y0, n.y || 0);
    x1 = Math.max(x1, (n.x || 0) + z.w); y1 = Math.max(y1, (n.y || 0) + z.h + 30);
  });
  var k = Math.max(0.15, Math.min(1.5, (c.width - 40) / (x1 - x0), (c.height - 40) / (y1 - y0)));
  S.view = {k: k, x: (c.width - k * (x1 + x0)) / 2, y: 20 - k * y0};
  render();
}
function setOp(name, op) {
  // change a node's op (a HybridLambda's function, or relu -> tanh), keeping the attributes it still takes
  return loadSpec(op).then(function (sp) {
    if (!sp || sp.error) return sp ? sp.error : "unknown op " + op;
    var n = nodeByName(name);
    snapshot();
    n.op = op;
    var kept = {};
    Object.keys(n.attrs || {}).forEach(function (k) { if (sp.params[k]) kept[k] = n.attrs[k]; });
    n.attrs = kept;
    S.attrNode = name; S.lastWire = null;
    var slots = dataSlots(n);
    S.doc.edges = S.doc.edges.filter(function (e) { return e.dst !== name || slots.indexOf(e.slot) >= 0; });
    changed();
    return null;
  });
}
function worldPoint(ev) {
  var r = document.getElementById("canvas").getBoundingClientRect();
  return {x: (ev.clientX - r.left - S.view.x) / S.view.k, y: (ev.clientY - r.top - S.view.y) / S.view.k};
}
function renderPanel() {
  var panel = document.getElementById("panel");
  var key = JSON.stringify([S.sel, S.selEdge, S.sel.length === 1 ? nodeByName(S.sel[0]) : null, S.shapes[S.sel[0]] || null,
                            S.error, S.doc.outputs]);
  var typing = panel.contains(document.activeElement) && document.activeElement.tagName !== "BUTTON";
  if (key === S.panelKey || (typing && S.panelSel === JSON.stringify(S.sel))) return;
  S.panelKey = key; S.panelSel = JSON.stringify(S.sel);
  panel.innerHTML = "";
  function row(label, input) {
    var r = document.createElement("div"); r.className = "row";
    var l = document.createElement("label"); l.textContent = label; r.appendChild(l); r.appendChild(input);
    panel.appendChild(r); return r;
  }
  if (S.selEdge && !S.sel.length) {
    var w = S.selEdge, wt = document.createElement("h3"); wt.textContent = "wire"; panel.appendChild(wt);
    var wp = document.createElement("p"); wp.id = "wire-info"; panel.appendChild(wp);
    var winf = S.shapes[w.src];
    wp.textContent = wireText(w) + (winf && winf.outputs && winf.outputs[w.out || 0] ? "  " + shapeText(winf.outputs[w.out || 0]) : "");
    if (S.error && S.error.wire && sameWire(S.error.wire, w)) {
      var we = document.createElement("div"); we.className = "errbox"; we.textContent = S.error.error; panel.appendChild(we);
    }
    return;
  }
  if (S.sel.length !== 1) {
    var h = document.createElement("p");
    h.textContent = S.sel.length ? S.sel.length + " nodes selected (G groups them)" :
      "Select a node to edit it. Drag from the palette (or double-click an item); wire an output port (bottom) to an input port (top).";
    panel.appendChild(h);
    return;
  }
  var n = nodeByName(S.sel[0]);
  if (!n) return;
  var title = document.createElement("h3");
  title.textContent = n.op === "null" ? "input" : (n.layer ? "nn." + n.layer + ": " : "") + n.op; panel.appendChild(title);
  var nameIn = document.createElement("input"); nameIn.value = n.name; nameIn.id = "attr-name";
  nameIn.addEventListener("change", function () { if (!rename(n.name, nameIn.value)) nameIn.classList.add("bad"); });
  row("name", nameIn);
  if (n.op !== "null") {
    var opIn = document.createElement("input"); opIn.id = "attr-op"; opIn.value = n.op;
    var opRow = row(n.layer ? "op (the " + n.layer + "'s function)" : "op", opIn);
    var opNote = document.createElement("div"); opNote.className = "note"; opRow.appendChild(opNote);
    opIn.addEventListener("change", function () {
      setOp(n.name, opIn.value.trim()).then(function (err) {
        if (err) { opIn.classList.add("bad"); opNote.textContent = err; }
      });
    });
  }
  if (n.op === "null") {
    var sh = document.createElement("input"); sh.id = "attr-shape"; sh.value = (n.shape || []).join(",");
    sh.addEventListener("change", function () {
      var dims = sh.value.split(/[,x\u00d7 ]+/).filter(Boolean).map(Number);
      if (dims.some(function (d) { return !(d >= 0) || Math.floor(d) !== d; })) { sh.classList.add("bad"); return; }
      snapshot(); n.shape = dims; S.lastWire = null; changed();
    });
    row("shape", sh);
  } else {
    var sp = spec(n.op) || {params: {}};
    Object.keys(sp.params).sort().filter(function (k) { return HIDDEN_ATTRS.indexOf(k) < 0 || (n.attrs || {})[k]; }).forEach(function (k) {
      var info = sp.params[k], inp;
      if (info[2]) {
        inp = document.createElement("select");
        [""].concat(info[2]).forEach(function (c) { var o = document.createElement("option"); o.value = c; o.textContent = c || "(default " + info[1] + ")"; inp.appendChild(o); });
      } else { inp = document.createElement("input"); inp.placeholder = info[3] ? "required " + info[0] : (info[1] === null ? "" : info[1]); }
      inp.id = "attr-" + k; inp.value = (n.attrs || {})[k] || "";
      inp.addEventListener("change", function () {
        var bad = checkValue(info[0], info[2], inp.value);
        var note = inp.parentNode.querySelector(".note");
        if (bad) { inp.classList.add("bad"); note.textContent = k + " " + bad; return; }
        inp.classList.remove("bad"); note.textContent = "";
        setAttr(n.name, k, inp.value);
      });
      var r = row(k + (info[3] ? " *" : ""), inp);
      var note = document.createElement("div"); note.className = "note"; r.appendChild(note);
    });
  }
  var grp = document.createElement("input"); grp.id = "attr-group"; grp.value = n.group || "";
  grp.addEventListener("change", function () {
    snapshot(); if (grp.value) { n.group = grp.value; S.doc.groups[grp.value] = S.doc.groups[grp.value] || {collapsed: false}; } else delete n.group;
    changed();
  });
  row("block", grp);
  var outs = document.createElement("div");
  for (var i = 0; i < outCount(n); i++) (function (i) {
    var b = document.createElement("button"); b.className = "tap"; b.id = "tap-" + i;
    b.textContent = (isOutput(n.name, i) ? "\u2713 output " : "tap output ") + i;
    b.addEventListener("click", function () { toggleOutput(n.name, i); });
    outs.appendChild(b);
  })(i);
  row("outputs", outs);
  var inf = S.shapes[n.name];
  if (inf && inf.params && Object.keys(inf.params).length) {
    var p = document.createElement("pre"); p.className = "weights";
    p.textContent = Object.keys(inf.params).map(function (k) { return k + ": " + shapeText(inf.params[k]) + "  " + ((n.params || {})[k] || (n.name + "_" + k)); }).join("\n");
    row("weights", p);
  }
  if (S.error && S.error.node === n.name) {
    var e = document.createElement("div"); e.className = "errbox"; e.textContent = S.error.error; panel.appendChild(e);
  }
}
function showExport(r) {
  var box = document.getElementById("export-box");
  box.style.display = "block";
  document.getElementById("export-text").value = r.text || r.error || JSON.stringify(r, null, 1);
  document.getElementById("export-info").textContent = r.ok === false ? "refused: " + r.error :
    (r.written && r.written.length ? "wrote " + r.written.join(", ") : "");
}
function exportAs(fmt) {
  var name = document.getElementById("export-name").value || "net";
  return api("POST", "/api/export", {doc: S.doc, format: fmt, name: name, save: true}).then(function (r) {
    if (r.ok === false) S.error = r;
    showExport(r); render(); return r;
  });
}
function runExported() {
  document.getElementById("export-info").textContent = "running the exported code...";
  return api("POST", "/api/run", {doc: S.doc}).then(function (r) {
    var box = document.getElementById("export-box"); box.style.display = "block";
    document.getElementById("export-text").value = r.code || "";
    var info = document.getElementById("run-result");
    info.textContent = r.ok ? "ran: outputs " + r.outputs.map(shapeText).join(", ") + "; " + r.parameters.length + " parameters"
                            : "failed: " + r.error;
    info.className = r.ok ? "ok" : "error";
    return r;
  });
}
function setup() {
  var canvas = document.getElementById("canvas");
  var drag = null;
  canvas.addEventListener("dragover", function (ev) { ev.preventDefault(); });
  canvas.addEventListener("drop", function (ev) {
    ev.preventDefault();
    var p = worldPoint(ev); add(ev.dataTransfer.getData("text/plain"), p.x - 60, p.y - 20);
  });
  canvas.addEventListener("mousedown", function (ev) {
    var t = ev.target, p = worldPoint(ev);
    if (t.classList.contains("port") && t.classList.contains("out")) {
      S.wireFrom = {node: t.getAttribute("data-node"), out: parseInt(t.getAttribute("data-out"), 10)};
      drag = {kind: "wire"}; render(); ev.preventDefault(); return;
    }
    if (t.classList.contains("port") && t.classList.contains("in")) {
      if (S.wireFrom) { connect(S.wireFrom.node, S.wireFrom.out, t.getAttribute("data-node"), t.getAttribute("data-slot")); S.wireFrom = null; render(); }
      return;
    }
    var g = t.closest ? t.closest(".node") : null;
    var grp = t.closest ? t.closest(".group") : null;
    if (g) {
      var name = g.getAttribute("data-name");
      if (ev.shiftKey) { var i = S.sel.indexOf(name); if (i >= 0) S.sel.splice(i, 1); else S.sel.push(name); }
      else if (S.sel.indexOf(name) < 0) S.sel = [name];
      S.selEdge = null;
      drag = {kind: "move", x: p.x, y: p.y, moved: false};
      render(); return;
    }
    if (grp && t.classList.contains("gtitle")) { toggleGroup(grp.getAttribute("data-group")); return; }
    if (t.classList.contains("edge")) {
      S.selEdge = S.doc.edges.filter(function (e) { return e.src === t.getAttribute("data-src") && e.dst === t.getAttribute("data-dst") && e.slot === t.getAttribute("data-slot"); })[0];
      S.sel = []; render(); return;
    }
    S.sel = []; S.selEdge = null; S.wireFrom = null;
    drag = {kind: "pan", x: ev.clientX, y: ev.clientY, vx: S.view.x, vy: S.view.y};
    render();
  });
  window.addEventListener("mousemove", function (ev) {
    if (!drag) return;
    if (drag.kind === "pan") { S.view.x = drag.vx + ev.clientX - drag.x; S.view.y = drag.vy + ev.clientY - drag.y; render(); }
    else if (drag.kind === "move") {
      var p = worldPoint(ev), dx = p.x - drag.x, dy = p.y - drag.y;
      if (!drag.moved) { snapshot(); drag.moved = true; }
      S.doc.nodes.forEach(function (n) { if (S.sel.indexOf(n.name) >= 0) { n.x = (n.x || 0) + dx; n.y = (n.y || 0) + dy; } });
      drag.x = p.x; drag.y = p.y; render();
    }
  });
  window.addEventListener("mouseup", function (ev) {
    if (drag && drag.kind === "wire") {
      var t = document.elementFromPoint(ev.clientX, ev.clientY);
      if (t && t.classList && t.classList.contains("in") && S.wireFrom) {
        connect(S.wireFrom.node, S.wireFrom.out, t.getAttribute("data-node"), t.getAttribute("data-slot"));
        S.wireFrom = null; render();
      }
    }
    drag = null;
  });
  canvas.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var r = canvas.getBoundingClientRect(), mx = ev.clientX - r.left, my = ev.clientY - r.top;
    var k = Math.min(3, Math.max(0.15, S.view.k * (ev.deltaY < 0 ? 1.1 : 1 / 1.1)));
    S.view.x = mx - (mx - S.view.x) * k / S.view.k; S.view.y = my - (my - S.view.y) * k / S.view.k; S.view.k = k; render();
  }, {passive: false});
  document.addEventListener("keydown", function (ev) {
    var tag = (ev.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select") return;
    var mod = ev.ctrlKey || ev.metaKey;
    if (ev.key === "Delete" || ev.key === "Backspace") { removeSelected(); ev.preventDefault(); }
    else if (mod && ev.key.toLowerCase() === "z" && !ev.shiftKey) { undo(); ev.preventDefault(); }
    else if (mod && (ev.key.toLowerCase() === "y" || (ev.key.toLowerCase() === "z" && ev.shiftKey))) { redo(); ev.preventDefault(); }
    else if (mod && ev.key.toLowerCase() === "c") { copySelected(); }
    else if (mod && ev.key.toLowerCase() === "v") { paste(); }
    else if (!mod && ev.key.toLowerCase() === "f") { fit(); }
    else if (!mod && ev.key.toLowerCase() === "g" && S.sel.length) { var nm = prompt("Name of the block:", "block0"); groupSelected(nm); }
  });
  document.getElementById("palette-search").addEventListener("input", renderPalette);
  var buttons = {"btn-input": function () { add("input"); }, "btn-layout": function () { layout().then(fit); },
    "btn-fit": fit, "btn-undo": undo, "btn-redo": redo,
    "btn-group": function () { groupSelected(document.getElementById("group-name").value || "block0"); },
    "btn-delete": removeSelected, "btn-py": function () { exportAs("python"); }, "btn-sym": function () { exportAs("symbol"); },
    "btn-save": function () { exportAs("document"); }, "btn-run": runExported,
    "btn-close": function () { document.getElementById("export-box").style.display = "none"; },
    "btn-open": function () {
      api("POST", "/api/open", {path: document.getElementById("open-path").value}).then(function (r) {
        if (r.ok === false) { S.error = r; render(); return; }
        snapshot(); S.doc = r.document; S.weights = r.weights;
        Promise.all(S.doc.nodes.map(function (n) { return loadSpec(n.op); })).then(function () {
          if (S.doc.nodes.some(function (n) { return n.x === undefined; })) layout().then(infer); else changed(); });
      });
    }};
  Object.keys(buttons).forEach(function (id) { document.getElementById(id).addEventListener("click", buttons[id]); });
  window.renderPanel = renderPanel;
  Promise.all([api("GET", "/api/palette"), api("GET", "/api/document")]).then(function (rs) {
    S.palette = rs[0].items; S.doc = rs[1].document; S.weights = rs[1].weights;
    S.doc.groups = S.doc.groups || {}; S.doc.outputs = S.doc.outputs || []; S.doc.edges = S.doc.edges || [];
    renderPalette();
    return Promise.all(S.doc.nodes.map(function (n) { return loadSpec(n.op); }));
  }).then(function () {
    var needs = S.doc.nodes.length && S.doc.nodes.some(function (n) { return n.x === undefined; });
    return (needs ? layout() : Promise.resolve()).then(infer);
  }).then(function () { S.undo = []; S.redo = []; document.body.setAttribute("data-ready", "1"); });
}
document.addEventListener("DOMContentLoaded", setup);
"""
