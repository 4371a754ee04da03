"""The self-contained HTML viewer page: inline SVG, the view document as JSON, inline script and styles.

Nothing is fetched when the page opens (no CDN, fonts or network), so it works from ``file://`` and
offline.

Examples
--------
>>> from ssdkit.viz.model import GraphModel, Node
>>> from ssdkit.viz.document import build_document
>>> page = render_html(build_document(GraphModel([Node(0, "null", "data")], [(0, 0)]), title="tiny"))
>>> page.startswith("<!DOCTYPE html>") and "<title>tiny</title>" in page and "http" not in page.split("<svg")[0]
True
"""
import json
from xml.sax.saxutils import escape

from .geometry import layout_document
from .svg import render_svg
from .viewer_js import LAYOUT_JS, PAGE_CSS, VIEWER_JS

__all__ = ["render_html", "json_for_script"]


# "<", ">" and "&" spelled as JSON escapes: no "</script>" ends the element early, and no "<!--" or "<script"
# throws the HTML parser into the script-data escape states, where a later "</script>" no longer closes it.
_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def json_for_script(value):
    """JSON text safe inside a ``<script>`` element: names such as ``</script>`` or ``<!--<script>`` stay data.

    Examples
    --------
    >>> print(json_for_script({"a": "<!--<script></script>"}))
    {"a": "\\u003c!--\\u003cscript\\u003e\\u003c/script\\u003e"}
    >>> json.loads(json_for_script({"a": "<!--<script>"}))
    {'a': '<!--<script>'}
    """
    return json.dumps(value).translate(_SCRIPT_ESCAPES)


def render_html(doc, collapsed=()):
    """A complete HTML page viewing ``doc`` with the given groups collapsed initially.

    Parameters
    ----------
    doc : dict
        From :func:`ssdkit.viz.document.build_document`.
    collapsed : iterable of str
        Group names shown collapsed when the page opens.

    Returns
    -------
    str

    Examples
    --------
    >>> from ssdkit.viz.document import build_document
    >>> from ssdkit.viz.model import GraphModel
    >>> page = render_html(build_document(GraphModel.from_json({"nodes": [{"op": "null", "name": "data", "inputs": []},
    ...          {"op": "Flatten", "name": "net0_flat0", "inputs": [[0, 0, 0]]},
    ...          {"op": "Flatten", "name": "net0_flat1", "inputs": [[1, 0, 0]]}], "heads": [[2, 0, 0]]})), ["net0_"])
    >>> '<script type="application/json" id="mxviz-collapsed">["net0_"]</script>' in page
    True
    """
    collapsed = sorted(set(collapsed))
    svg = render_svg(doc, layout_document(doc, collapsed), collapsed, for_html=True)
    title = escape(doc["title"])
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{PAGE_CSS}</style></head>
<body><div id="mxviz-app">
<div id="mxviz-toolbar"><span class="title">{title}</span>
<button id="mxviz-zoom-in" title="Zoom in (+)">+</button>
<button id="mxviz-zoom-out" title="Zoom out (-)">&#8722;</button>
<button id="mxviz-fit" title="Fit to window (0)">Fit</button>
<button id="mxviz-expand" title="Expand every group">Expand all</button>
<button id="mxviz-collapse" title="Collapse every group">Collapse all</button>
<input id="mxviz-search" type="search" placeholder="find node (Enter)" aria-label="find node">
<span class="hint">drag to pan &#183; wheel to zoom &#183; click a group title to collapse, a block to expand</span>
</div>
<div id="mxviz-main"><div id="mxviz-canvas">
{svg}
</div>
<aside id="mxviz-panel"><div id="mxviz-panel-body"><p class="empty">Click a node for its details.</p></div></aside>
</div></div>
<script type="application/json" id="mxviz-data">{json_for_script(doc)}</script>
<script type="application/json" id="mxviz-collapsed">{json_for_script(collapsed)}</script>
<script>{LAYOUT_JS}
{VIEWER_JS}</script>
</body></html>
"""
