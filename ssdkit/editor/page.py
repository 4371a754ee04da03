"""The editor page: one self-contained HTML document (inline styles and script, no CDN, nothing fetched but
the editor's own API).

Examples
--------
>>> page = render_page("net")
>>> page.startswith("<!DOCTYPE html>") and "<title>net \u2014 ssdkit-editor</title>" in page
True
>>> "src=\\"http" in page or "href=\\"http" in page
False
"""
from xml.sax.saxutils import escape

from .editor_js import DRAW_JS
from .editor_ui_js import UI_JS

__all__ = ["render_page", "PAGE_CSS"]

PAGE_CSS = """
* { box-sizing: border-box; }
body { margin: 0; font: 13px system-ui, sans-serif; display: grid; height: 100vh;
       grid-template: "bar bar bar" 40px "pal canvas panel" 1fr "status status status" 26px / 250px 1fr 300px; }
#bar { grid-area: bar; display: flex; gap: 5px; overflow: hidden; align-items: center; padding: 4px 8px; background: #24292f; color: #fff; }
#bar button { background: #3b434c; color: #fff; border: 1px solid #57606a; border-radius: 4px; padding: 4px 8px; cursor: pointer; }
#bar input { width: 90px; } #bar button { white-space: nowrap; flex: none; }
#bar .title { font-weight: 600; margin-right: 6px; white-space: nowrap; max-width: 150px; overflow: hidden;
              text-overflow: ellipsis; flex: none; }
#pal { grid-area: pal; overflow: auto; border-right: 1px solid #ccc; padding: 6px; background: #f6f8fa; }
#palette-search { width: 100%; padding: 5px; margin-bottom: 6px; }
.pal-item { padding: 4px 6px; margin: 2px 0; background: #fff; border: 1px solid #d0d7de; border-radius: 4px; cursor: grab; }
.pal-item.layer b { color: #0550ae; } .pal-item.input b { color: #1a7f37; } .pal-item.template b { color: #0550ae; }
.pal-item.container b { color: #8250df; } .pal-item.unavailable { opacity: 0.6; cursor: default; }
.pal-item span { display: block; color: #57606a; font-size: 11px; }
#canvas { grid-area: canvas; width: 100%; height: 100%; background: #fff;
          background-image: radial-gradient(#d8dee4 1px, transparent 1px); background-size: 20px 20px; }
#panel { grid-area: panel; overflow: auto; border-left: 1px solid #ccc; padding: 8px; }
#panel .row { margin: 4px 0; } #panel label { display: block; font-size: 11px; color: #57606a; }
#panel input, #panel select { width: 100%; padding: 3px; } #panel .bad { border: 2px solid #cf222e; }
#panel .note { color: #cf222e; font-size: 11px; } .weights { font-size: 11px; background: #f6f8fa; padding: 4px; }
.errbox { color: #cf222e; background: #ffebe9; padding: 6px; border-radius: 4px; white-space: pre-wrap; }
#status { grid-area: status; padding: 4px 8px; background: #f6f8fa; border-top: 1px solid #ccc; overflow: hidden; white-space: nowrap; }
#status.error { background: #ffebe9; color: #cf222e; }
.node rect { fill: #ddf4ff; stroke: #0969da; stroke-width: 1.2; } .node.input rect { fill: #dafbe1; stroke: #1a7f37; }
.node.selected rect { stroke: #bf8700; stroke-width: 3; } .node.error rect { fill: #ffebe9; stroke: #cf222e; stroke-width: 2.5; }
.node { cursor: move; } .ntitle { font-weight: 600; font-size: 12px; } .nsub { font-size: 11px; fill: #57606a; }
.nerror { fill: #cf222e; font-size: 11px; }
.port { fill: #fff; stroke: #57606a; stroke-width: 1.5; cursor: crosshair; } .port.out.tapped { fill: #bf8700; }
.port.armed { fill: #0969da; } .port:hover { fill: #0969da; }
.edge { fill: none; stroke: #57606a; stroke-width: 1.8; } .edge.selected { stroke: #bf8700; stroke-width: 3; }
.edge.error { stroke: #cf222e; stroke-dasharray: 5 3; } .elabel { font-size: 10px; fill: #57606a; }
.node.unwired rect { stroke-dasharray: 4 3; fill: #f6f8fa; }
.edge.blamed { stroke-width: 3.5; stroke-dasharray: none; } .werror { fill: #cf222e; font-size: 11px; }
.group rect { fill: #f6f8fa; stroke: #8c959f; stroke-dasharray: 4 3; } .group.collapsed rect { fill: #eaeef2; stroke-dasharray: none; }
.gtitle { font-weight: 600; cursor: pointer; }
#export-box { display: none; position: fixed; right: 0; top: 40px; bottom: 26px; width: 560px; background: #fff;
              border-left: 1px solid #57606a; padding: 8px; box-shadow: -4px 0 16px #0002; }
#export-text { width: 100%; height: calc(100% - 34px); font: 11px monospace; white-space: pre; }
#run-result.ok { color: #1a7f37; } #run-result.error { color: #cf222e; }
"""

_BODY = """
<div id="bar"><span class="title">{title}</span>
<button id="btn-input" title="add a graph input">+ input</button>
<button id="btn-layout" title="arrange with the viewer's layout">auto layout</button><button id="btn-fit" title="F: zoom to show the whole drawing">fit</button>
<button id="btn-undo" title="Ctrl+Z">undo</button><button id="btn-redo" title="Ctrl+Y">redo</button>
<button id="btn-delete" title="Delete">delete</button>
<input id="group-name" placeholder="block name"><button id="btn-group" title="G">group</button>
<input id="export-name" value="net" title="export file name"><button id="btn-py">export .py</button>
<button id="btn-sym">export -symbol.json</button><button id="btn-save">save drawing</button>
<button id="btn-run" title="export, then run the code in a separate process">run exported code</button>
<input id="open-path" placeholder="file in the folder"><button id="btn-open">open</button>
</div>
<div id="pal"><input id="palette-search" placeholder="search layers and ops" autocomplete="off">
<div id="palette-list"></div></div>
<svg id="canvas"><g id="world"></g></svg>
<div id="panel"></div>
<div id="status"></div>
<div id="export-box"><div><b>Export</b> <span id="export-info"></span> <span id="run-result"></span>
<button id="btn-close" style="float:right">close</button></div><textarea id="export-text" readonly></textarea></div>
"""


def render_page(title="untitled"):
    """The complete editor page for a drawing called ``title``."""
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
            f"<title>{escape(title)} \u2014 ssdkit-editor</title><style>{PAGE_CSS}</style></head><body>"
            + _BODY.replace("{title}", escape(title))
            + f"<script>{DRAW_JS}\n{UI_JS}</script></body></html>")
