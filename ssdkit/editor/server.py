"""The editor's local server: the page and a JSON API, on 127.0.0.1 with the per-launch token
(:mod:`ssdkit.localserve`). Files are read and written only inside the folder the editor was started for.

API (``POST`` bodies and replies are JSON objects):

============================  ==================================================================
``GET  /api/document``        the loaded document, its title, whether weights came with it
``GET  /api/palette``         layers and ops with summaries; ``GET /api/op?name=X``: an op's parameters
``POST /api/check``           ``{doc}`` -> ``{ok}`` or ``{ok: false, error, node}``
``POST /api/infer``           ``{doc}`` -> shapes of every node's outputs and weights, or the error and its node
``POST /api/layout``          ``{doc}`` -> ``{positions: {node: {x, y, w, h}}}`` (the viewer's layout)
``POST /api/export``          ``{doc, format: "python" | "symbol" | "document", name, save}`` -> the text;
                              with ``save`` also written into the folder (``.py``; ``-symbol.json`` +
                              ``-0000.params`` when weights were loaded; ``.editor.json``)
``POST /api/open``            ``{path}`` (inside the folder): a ``-symbol.json`` or saved document
``POST /api/run``             ``{doc}``: the explicit "run exported code" action (see :mod:`.runner`)
============================  ==================================================================

Examples
--------
>>> import json, tempfile, urllib.request
>>> server = EditorServer(tempfile.mkdtemp(), token="t")
>>> server.start_in_thread()
>>> json.load(urllib.request.urlopen(server.url_for("/api/document")))["document"]["nodes"]
[]
>>> server.shutdown()
"""
import json
import os
import re
from pathlib import Path

from ..base import MXNetError
from ..localserve import LocalHandler, LocalServer, inside
from .codegen import export_python
from .document import DocumentError, check_document, to_symbol_json
from .layout import auto_layout
from .loading import blank_document, load_model
from .shapes import infer_document

__all__ = ["EditorServer", "weights_for"]

_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,80}$")


class _Handler(LocalHandler):
    server_version = "ssdkit-editor"

    def do_GET(self):
        if not self.allowed():
            return
        editor, path = self.server.tool, self.route()
        if path in ("/", "/index.html"):
            from .page import render_page
            return self.send_body(200, render_page(editor.title).encode(), "text/html; charset=utf-8",
                                  extra=[("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; "
                                          "style-src 'unsafe-inline'; script-src 'unsafe-inline'")])
        if path == "/api/document":
            return self.send_json({"document": editor.document, "title": editor.title,
                                   "weights": sorted(editor.params) if editor.params else [],
                                   "folder": str(editor.folder)})
        if path == "/api/palette":
            return self.send_json({"items": editor.palette()})
        if path == "/api/op":
            from .palette import op_spec
            try:
                return self.send_json(op_spec(self.query().get("name", [""])[0]))
            except MXNetError as err:
                return self.send_json({"error": str(err)}, 404)
        return self.refuse(404, f"not found: {path}")

    def do_POST(self):
        if not self.allowed():
            return
        body = self.read_json()
        if body is None:
            return
        editor, action = self.server.tool, self.route()
        try:
            if action == "/api/open":
                return self.send_json(editor.open(str(body.get("path", ""))))
            doc = body.get("doc")
            if action == "/api/check":
                check_document(doc, need_outputs=False)
                return self.send_json({"ok": True})
            if action == "/api/infer":
                return self.send_json(infer_document(doc))
            if action == "/api/layout":
                return self.send_json({"positions": auto_layout(doc)})
            if action == "/api/export":
                return self.send_json(editor.export(doc, str(body.get("format", "python")),
                                                    str(body.get("name", "net")), bool(body.get("save"))))
            if action == "/api/run":
                from .runner import run_exported
                return self.send_json(run_exported(doc, editor.params))
        except DocumentError as err:
            return self.send_json({"ok": False, "error": str(err), "node": err.node}, 400)
        except (MXNetError, OSError, ValueError) as err:
            return self.send_json({"ok": False, "error": str(err), "node": None}, 400)
        return self.refuse(404, f"no API {action!r}")


class EditorServer(LocalServer):
    """Serve the editor for ``folder`` (the only place it reads and writes files).

    Parameters
    ----------
    folder : str or Path
    document : dict, optional
        The drawing to start with (blank when not given).
    params : dict of str to NDArray, optional
        Weights of the loaded model (exported with it).
    title : str
    port, token
        See :class:`ssdkit.localserve.LocalServer`.
    """

    def __init__(self, folder, document=None, params=None, title="untitled", port=0, token=None, verbose=False):
        super().__init__(_Handler, port=port, token=token, program="ssdkit-editor", cookie="ssdkit_editor",
                         verbose=verbose)
        self.folder = Path(folder).resolve()
        self.document = document or blank_document()
        self.params = params
        self.title = title
        self._palette = None

    def palette(self):
        """The palette (built once)."""
        if self._palette is None:
            from .palette import palette
            self._palette = palette()
        return self._palette

    def _target(self, relative):
        target = inside(self.folder, relative)
        if target is None:
            raise MXNetError(f"refused: {relative!r} is outside the editor's folder {self.folder}")
        return target

    def open(self, relative):
        """Load a ``-symbol.json`` (with its ``.params``), an export prefix or a saved document from the folder."""
        target = self._target(relative)
        if not target.exists() and not Path(str(target) + "-symbol.json").exists():
            raise MXNetError(f"not found in {self.folder}: {relative}")
        doc, params = load_model(str(target), folder=self.folder)
        self.document, self.params, self.title = doc, params, target.name
        return {"document": doc, "title": self.title, "weights": sorted(params) if params else []}

    def export(self, doc, fmt, name, save):
        """The export text of ``doc`` (and the files written when ``save``)."""
        if not _NAME.match(name):
            raise MXNetError(f"export name {name!r}: use letters, digits, '_', '-', '.' (a file name, no folders)")
        written = []
        if fmt == "python":
            text = export_python(doc, self.params, class_name=_class_name(name))
            files = {f"{name}.py": text}
        elif fmt == "symbol":
            conf = to_symbol_json(doc)
            text = json.dumps(conf, indent=2)
            files = {f"{name}-symbol.json": text}
        elif fmt == "document":
            check_document(doc, need_outputs=False)
            text = json.dumps(dict(doc, format="ssdkit-editor/1"), indent=1)
            files = {f"{name}.editor.json": text}
        else:
            raise MXNetError(f"export format {fmt!r}: expected 'python', 'symbol' or 'document'")
        if save:
            for file_name, content in files.items():
                target = self._target(file_name)
                target.write_text(content, encoding="utf-8")
                written.append(file_name)
            if fmt in ("python", "symbol") and self.params:
                arrays = weights_for(doc, self.params)
                if arrays:
                    file_name = f"{name}-0000.params"
                    from .. import nd
                    nd.save(str(self._target(file_name)), arrays)
                    written.append(file_name)
        return {"ok": True, "text": text, "written": written}


def weights_for(doc, params):
    """``{"arg:name" | "aux:name": NDArray}`` of the loaded weights the document's live graph uses.

    Examples
    --------
    >>> from ssdkit import nd
    >>> doc = {"nodes": [{"name": "x", "op": "null"}, {"name": "fc", "op": "FullyConnected",
    ...        "attrs": {"num_hidden": "2", "no_bias": "True"}}],
    ...        "edges": [{"src": "x", "out": 0, "dst": "fc", "slot": "data"}], "outputs": [["fc", 0]]}
    >>> sorted(weights_for(doc, {"fc_weight": nd.ones((2, 3)), "other": nd.ones(1)}))
    ['arg:fc_weight']
    """
    from ..symbol import load_json
    sym = load_json(json.dumps(to_symbol_json(doc)), "<editor>")
    args, aux = set(sym.list_arguments()), set(sym.list_auxiliary_states())
    return {("arg:" if k in args else "aux:") + k: v for k, v in (params or {}).items() if k in args | aux}


def _class_name(name):
    parts = re.split(r"[^A-Za-z0-9]+", name)
    text = "".join(p[:1].upper() + p[1:] for p in parts if p) or "Net"
    return text if not text[0].isdigit() else "Net" + text
