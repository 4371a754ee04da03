"""The local docs server: the static site plus a small JSON API under ``/_ssdkit/api/`` (ping, run, restart,
close, search), on 127.0.0.1 only.

Access control, because running examples means running code:

* every request needs the per-launch token, as ``?token=...`` (the URL the server prints) or the cookie that
  the first tokened request sets (HttpOnly, SameSite=Strict); without it: 403;
* the ``Host`` header must name this server on 127.0.0.1 or localhost (a page from another origin cannot
  reach it through DNS rebinding), and a POST carrying an ``Origin`` must come from this server: else 403;
* files are served from the site folder only (paths are resolved and checked).

Examples
--------
>>> import tempfile, urllib.request
>>> site = tempfile.mkdtemp(); _ = open(site + "/index.html", "w").write("<html><head></head>hi</html>")
>>> server = DocsServer(site, port=0, token="t0k3n")
>>> server.start_in_thread()
>>> urllib.request.urlopen(server.url).status
200
>>> server.shutdown()
"""
import mimetypes
from pathlib import Path

from ..localserve import LocalHandler, LocalServer, inside
from .assets import ASSET_DIR, RUNNER_CSS, RUNNER_JS, inject
from .sessions import SessionPool

_ASSETS = {f"{ASSET_DIR}/runner.js": (RUNNER_JS, "application/javascript; charset=utf-8"),
           f"{ASSET_DIR}/runner.css": (RUNNER_CSS, "text/css; charset=utf-8")}

__all__ = ["DocsServer"]

COOKIE = "ssdkit_docs"
API = "/_ssdkit/api/"
MAX_BODY = 1024 * 1024


class _Handler(LocalHandler):
    """The access checks are :mod:`ssdkit.localserve`'s (token, Host, Origin)."""
    server_version = "ssdkit-docs"

    # ------------------------------------------------------------------ verbs
    def do_GET(self):
        if not self.allowed():
            return
        path = self.route()
        if path.startswith(API):
            return self._api_get(path[len(API):], self.query())
        self._static(path)

    do_HEAD = do_GET

    def do_POST(self):
        if not self.allowed():
            return
        path = self.route()
        if not path.startswith(API):
            return self.refuse(404, "not found")
        body = self.read_json(MAX_BODY)
        if body is None:
            return
        page, session = str(body.get("page", "")), str(body.get("session", ""))
        pool = self.server.tool.sessions
        action = path[len(API):]
        if action == "run":
            return self.send_json(pool.run(page, session, str(body.get("code", ""))))
        if action == "restart":
            pool.restart(page, session)
            return self.send_json({"restarted": True})
        if action == "close":
            pool.close(page, session)
            return self.send_json({"closed": True})
        return self.refuse(404, f"no API {action!r}")

    def _api_get(self, action, query):
        if action == "ping":
            return self.send_json({"ok": True, "sessions": len(self.server.tool.sessions)})
        if action == "search":
            from .search import search_hits
            q = query.get("q", [""])[0][:500]
            return self.send_json({"query": q, "results": search_hits(q, self.server.tool.site) if q.strip() else []})
        return self.refuse(404, f"no API {action!r}")

    def _static(self, path):
        relative = path.lstrip("/")
        if relative in _ASSETS:  # the runner is served from the package, so a site needs no copy of it
            body, ctype = _ASSETS[relative]
            return self.send_body(200, body.encode(), ctype)
        target = inside(self.server.tool.site, relative or ".")
        if target is None:
            return self.refuse(403, "refused: outside the documentation folder")
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            return self.refuse(404, f"not found: {path}")
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype in ("application/javascript", "application/json"):
            ctype += "; charset=utf-8"
        body = target.read_bytes()
        if ctype.startswith("text/html"):  # pages of a site built without the runner get it here, never on disk
            depth = len(target.relative_to(self.server.tool.site).parts) - 1
            body = inject(body.decode("utf-8", "replace"), "../" * depth).encode("utf-8")
        self.send_body(200, body, ctype)


class DocsServer(LocalServer):
    """Serve ``site`` (a folder built by ``docs/build_site.py``) with runnable examples.

    Parameters
    ----------
    site : str or Path
    port : int
        0 picks a free port.
    token : str, optional
        Random per launch when not given.
    timeout, memory_mb, cpu_seconds, idle_seconds
        Limits of each page's session (see :mod:`.sessions`).
    """

    def __init__(self, site, port=0, token=None, timeout=120, memory_mb=4096, cpu_seconds=1800,
                 idle_seconds=1800, verbose=False):
        self.site = Path(site).resolve()
        self.sessions = SessionPool(timeout=timeout, memory_mb=memory_mb, cpu_seconds=cpu_seconds,
                                    idle_seconds=idle_seconds)
        super().__init__(_Handler, port=port, token=token, program="ssdkit-docs", cookie=COOKIE, verbose=verbose)

    @property
    def url(self):
        """The address to open: the landing page with this launch's token."""
        return self.url_for("/index.html")

    def serve_forever(self):
        """Serve until interrupted; sessions are closed on the way out."""
        try:
            super().serve_forever()
        finally:
            self.sessions.close_all()

    def shutdown(self):
        """Stop serving and close every session."""
        super().shutdown()
        self.sessions.close_all()
