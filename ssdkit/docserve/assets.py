"""The script and style that make every docs page runnable, and ``inject`` that adds them to a page.

The script turns each code example (pdoc's ``div.pdoc-code`` blocks: tutorials' code and docstrings' ``>>>``
examples) into an editable box with Run / Reset and an output area, adds a bar with Run all, Restart and a
search box that answers as you type, and talks to the local server (``ssdkit-docs``) under ``_ssdkit/api/``.
Without the server (the static site opened from disk or published elsewhere) the examples are shown and Run is
disabled with a hint saying how to start the server.

Examples
--------
>>> page = inject("<html><head><title>t</title></head><body></body></html>", "../")
>>> '<script defer src="../_ssdkit/runner.js">' in page and page.count("runner.css") == 1
True
>>> inject(page, "../") == page   # injecting twice changes nothing
True
"""
__all__ = ["RUNNER_JS", "RUNNER_CSS", "ASSET_DIR", "inject", "write_assets"]

ASSET_DIR = "_ssdkit"
_MARKER = "<!-- ssdkit-docs runner -->"

RUNNER_CSS = """
.sdk-bar{position:fixed;top:0;right:0;z-index:1000;background:#fff;border:1px solid #ccd;border-top:0;
  border-right:0;padding:6px 8px;font:13px system-ui,sans-serif;box-shadow:0 2px 6px rgba(0,0,0,.12);
  max-width:46rem}
.sdk-bar input{width:20rem;padding:3px 6px;font:inherit}
.sdk-bar button,.sdk-tools button{font:12px system-ui,sans-serif;margin-left:4px;cursor:pointer}
.sdk-status{margin-left:6px;color:#666}
.sdk-hits{max-height:60vh;overflow:auto;margin-top:6px}
.sdk-hit{border-top:1px solid #eee;padding:4px 0}
.sdk-hit a{font-weight:600}
.sdk-hit .sdk-summary{color:#333}
.sdk-example{margin:2px 0}
.sdk-box{margin:.5em 0 1em 0}
.sdk-box textarea{width:100%;box-sizing:border-box;font:13px/1.35 ui-monospace,Menlo,Consolas,monospace;
  border:1px solid #ccd;border-radius:4px;padding:6px;background:#fafbfc;resize:vertical}
.sdk-tools{margin:2px 0}
.sdk-out{white-space:pre-wrap;font:12px/1.3 ui-monospace,Menlo,Consolas,monospace;background:#f4f6f8;
  border-left:3px solid #8a8;padding:4px 8px;margin:2px 0;overflow:auto;max-height:40em}
.sdk-out.sdk-error{border-left-color:#c44;background:#fdf2f2}
.sdk-img{max-width:100%;display:block;margin:4px 0}
.sdk-frame{width:100%;height:480px;border:1px solid #ddd}
.sdk-hint{color:#a60;font-size:12px}
"""

RUNNER_JS = r"""
(function () {
  "use strict";
  var me = document.currentScript;
  var API = new URL("api/", me.src).href;
  var ROOT = new URL("../", me.src).href;   // hits' URLs are relative to the site root
  var page = location.pathname;
  var session = Math.random().toString(36).slice(2);
  var live = false;
  var boxes = [];
  var HINT = "Run needs the local docs server: start it with `ssdkit-docs` and open the URL it prints.";

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // A docstring's ">>>" example becomes the code a reader would type; other blocks stay as written.
  function codeOf(text) {
    var lines = text.replace(/\s+$/, "").split("\n");
    if (!lines.some(function (l) { return l.indexOf(">>> ") === 0 || l === ">>>"; })) return text.replace(/\s+$/, "");
    var out = [];
    lines.forEach(function (l) {
      if (l.indexOf(">>> ") === 0 || l.indexOf("... ") === 0) out.push(l.slice(4));
      else if (l === ">>>" || l === "...") out.push("");
    });
    return out.join("\n");
  }

  function api(path, body) {
    var opts = body === undefined ? {credentials: "same-origin"} :
      {method: "POST", credentials: "same-origin", headers: {"Content-Type": "application/json"},
       body: JSON.stringify(body)};
    return fetch(API + path, opts).then(function (r) {
      if (!r.ok) throw new Error("server answered " + r.status);
      return r.json();
    });
  }

  function show(out, reply) {
    out.innerHTML = "";
    if (reply.output) out.appendChild(el("div", "sdk-out", reply.output));
    (reply.images || []).forEach(function (b64) {
      var img = el("img", "sdk-img"); img.src = "data:image/png;base64," + b64; out.appendChild(img);
    });
    (reply.html || []).forEach(function (html) {
      var f = el("iframe", "sdk-frame"); f.setAttribute("sandbox", "allow-scripts"); f.srcdoc = html;
      out.appendChild(f);
    });
    if (reply.error) out.appendChild(el("div", "sdk-out sdk-error", reply.error));
    if (!reply.output && !reply.error && !(reply.images || []).length && !(reply.html || []).length)
      out.appendChild(el("div", "sdk-out", "(ran, no output)"));
  }

  function run(code, out) {
    out.innerHTML = ""; out.appendChild(el("div", "sdk-out", "running..."));
    return api("run", {page: page, session: session, code: code}).then(function (reply) { show(out, reply); },
      function (err) { out.innerHTML = ""; out.appendChild(el("div", "sdk-out sdk-error", String(err))); });
  }

  function makeBox(block) {
    var original = codeOf(block.textContent);
    var box = el("div", "sdk-box");
    var area = el("textarea"); area.value = original; area.spellcheck = false;
    area.rows = Math.min(30, original.split("\n").length + 1);
    var tools = el("div", "sdk-tools");
    var runB = el("button", "sdk-run", "Run"), resetB = el("button", "sdk-reset", "Reset");
    var out = el("div", "sdk-output");
    tools.appendChild(runB); tools.appendChild(resetB);
    box.appendChild(area); box.appendChild(tools); box.appendChild(out);
    block.style.display = "none";
    block.parentNode.insertBefore(box, block.nextSibling);
    runB.onclick = function () { return run(area.value, out); };
    resetB.onclick = function () { area.value = original; out.innerHTML = ""; };
    area.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.shiftKey || e.ctrlKey)) { e.preventDefault(); runB.onclick(); }
    });
    return {area: area, out: out, run: runB};
  }

  function searchBar(bar) {
    var input = el("input"); input.type = "search"; input.placeholder = "search the API in your own words";
    input.className = "sdk-search";
    var hits = el("div", "sdk-hits");
    bar.insertBefore(input, bar.firstChild); bar.appendChild(hits);
    var timer = null, asked = "";
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim(); asked = q;
        if (!q) { hits.innerHTML = ""; return; }
        if (!live) { hits.innerHTML = ""; hits.appendChild(el("div", "sdk-hint", "Search needs the local docs server "
          + "(ssdkit-docs), or run ssdkit-help \"" + q + "\" in a shell.")); return; }
        api("search?q=" + encodeURIComponent(q)).then(function (res) {
          if (q !== asked) return;
          hits.innerHTML = "";
          res.results.forEach(function (h) {
            var d = el("div", "sdk-hit");
            var a = el("a", "sdk-hit-link", h.name); a.href = new URL(h.url, ROOT).href; d.appendChild(a);
            d.appendChild(el("div", "sdk-summary", h.summary));
            if (h.example) {
              var pre = el("pre", "sdk-example", h.example), out = el("div", "sdk-output");
              var b = el("button", "sdk-run", "Run example");
              b.onclick = function () { run(h.example, out); };
              d.appendChild(pre); d.appendChild(b); d.appendChild(out);
            }
            hits.appendChild(d);
          });
          if (!res.results.length) hits.appendChild(el("div", "sdk-hint", "no match"));
        });
      }, 150);
    });
  }

  function setup() {
    var blocks = document.querySelectorAll("div.pdoc-code");
    for (var i = 0; i < blocks.length; i++)  // pdoc's "View Source" listings stay as they are
      if (!blocks[i].querySelector(".linenos") && !blocks[i].closest("details")) boxes.push(makeBox(blocks[i]));
    var bar = el("div", "sdk-bar");
    var runAll = el("button", "sdk-run-all", "Run all"), restart = el("button", "sdk-restart", "Restart");
    var status = el("span", "sdk-status", "");
    bar.appendChild(runAll); bar.appendChild(restart); bar.appendChild(status);
    document.body.appendChild(bar);
    searchBar(bar);
    runAll.onclick = function () {
      var chain = Promise.resolve();
      boxes.forEach(function (b) { chain = chain.then(function () { return run(b.area.value, b.out); }); });
      return chain;
    };
    restart.onclick = function () {
      api("restart", {page: page, session: session}).then(function () {
        boxes.forEach(function (b) { b.out.innerHTML = ""; }); status.textContent = "session restarted";
      });
    };
    api("ping").then(function () {
      live = true; status.textContent = "live";
    }, function () {
      [runAll, restart].concat(boxes.map(function (b) { return b.run; })).forEach(function (b) {
        b.disabled = true; b.title = HINT;
      });
      status.textContent = "read-only"; status.title = HINT;
      if (boxes.length) {
        var hint = el("div", "sdk-hint", HINT); document.body.insertBefore(hint, document.body.firstChild);
      }
    });
    window.addEventListener("pagehide", function () {
      if (live && navigator.sendBeacon)
        navigator.sendBeacon(API + "close", new Blob([JSON.stringify({page: page, session: session})],
                                                    {type: "application/json"}));
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
"""


def inject(html, root):
    """``html`` with the runner's style and script linked (``root``: the relative path to the site root,
    ``''`` or ``'../'``...). Pages already injected are returned unchanged.

    Examples
    --------
    >>> inject("<head></head>", "").count("_ssdkit/runner.js")
    1
    """
    if _MARKER in html:
        return html
    tags = (f'{_MARKER}<link rel="stylesheet" href="{root}{ASSET_DIR}/runner.css">'
            f'<script defer src="{root}{ASSET_DIR}/runner.js"></script>')
    at = html.find("</head>")
    return html[:at] + tags + html[at:] if at >= 0 else tags + html


def write_assets(site):
    """Write ``runner.js`` and ``runner.css`` into ``site/_ssdkit`` and inject them into every HTML page.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> site = pathlib.Path(tempfile.mkdtemp()); (site / "sub").mkdir()
    >>> _ = (site / "sub" / "p.html").write_text("<html><head></head><body></body></html>")
    >>> write_assets(site); '../_ssdkit/runner.js' in (site / "sub" / "p.html").read_text()
    True
    """
    from pathlib import Path
    site = Path(site)
    (site / ASSET_DIR).mkdir(parents=True, exist_ok=True)
    (site / ASSET_DIR / "runner.js").write_text(RUNNER_JS, encoding="utf-8")
    (site / ASSET_DIR / "runner.css").write_text(RUNNER_CSS, encoding="utf-8")
    for page in site.rglob("*.html"):
        depth = len(page.relative_to(site).parts) - 1
        text = page.read_text(encoding="utf-8")
        new = inject(text, "../" * depth)
        if new != text:
            page.write_text(new, encoding="utf-8")
