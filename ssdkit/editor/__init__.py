"""``ssdkit-editor``: a visual block editor in the browser: draw, tap, wire and export networks.

The editor works on a small JSON document (:mod:`.document`: nodes with op and attributes, edges, outputs,
groups). The server (:mod:`.server`) loads models into it, checks it, infers shapes with the library's own
rules (:mod:`.shapes`) and exports it as MXNet symbol JSON + ``.params`` or as a Python module defining a
HybridBlock (:mod:`.codegen`). The page (:mod:`.page`) is self-contained.

Examples
--------
>>> from ssdkit.editor import export_python, load_model
>>> doc, params = load_model(None)
>>> doc["nodes"]
[]
"""
from .document import DocumentError, check_document, from_symbol_json, to_symbol_json
from .loading import load_model
from .codegen import export_python

__all__ = ["DocumentError", "check_document", "from_symbol_json", "to_symbol_json", "load_model",
           "export_python"]
