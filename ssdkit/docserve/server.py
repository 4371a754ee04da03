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
import json
import mimetypes
import secrets
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .sessions import SessionPool

__all__ = ["DocsServer"]

COOKIE = "ssdkit_docs"
API = "/_ssdkit/api/"
MAX_BODY = 1024 * 1024


class _Handler(BaseHTTPRequestHandler):
    server_version = "ssdkit-docs"

    def log_message(self, fmt, *args):  # keep the terminal for the URL and errors
        if self.server.docs.verbose:
            super().log_message(fmt, *args)

    # ------------------------------------------------------------------ checks
    def _allowed(self, query):
        docs = self.server.docs
        host = self.headers.get("Host", "")
        if host not in (f"127.0.0.1:{docs.port}", f"localhost:{docs.port}"):
            return self._refuse(403, f"refused: host {host!r} is not this local server")
        origin = self.headers.get("Origin")
        if self.command == "POST" and origin and origin not in (f"http://127.0.0.1:{docs.port}",
                                                              f"http://localhost:{docs.port}"):
            return self._refuse(403, f"refused: requests from {origin} may not run code here")
        given = query.get("token", [None])[0]
        cookies = {}
        for part in self.headers.get("Cookie", "").split(";"):
            key, _, value = part.strip().partition("=")
            cookies[key] = value
        if secrets.compare_digest(given or "", docs.token):
            self._set_cookie = True
            return True
        if secrets.compare_digest(cookies.get(COOKIE, ""), docs.token):
            return True
        return self._refuse(403, "refused: open the URL ssdkit-docs printed (it carries this launch's token)")

    def _refuse(self, status, text):
        self._send(status, text.encode(), "text/plain; charset=utf-8")
        return False

    def _send(self, status, body, ctype, extra=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        if getattr(self, "_set_cookie", False):
            self.send_header("Set-Cookie", f"{COOKIE}={self.server.docs.token}; Path=/; HttpOnly; SameSite=Strict")
        for key, value in extra:
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, data, status=200):
        self._send(status, json.dumps(data).encode(), "application/json")

    # ------------------------------------------------------------------ verbs
    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        if not self._allowed(query):
            return
        path = urllib.parse.unquote(url.path)
        if path.startswith(API):
            return self._api_get(path[len(API):], query)
        self._static(path)

    do_HEAD = do_GET

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        if not self._allowed(urllib.parse.parse_qs(url.query)):
            return
        path = urllib.parse.unquote(url.path)
        if not path.startswith(API):
            return self._refuse(404, "not found")
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            return self._refuse(413, f"request too large ({length} bytes; at most {MAX_BODY})")
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
            page, session = str(body.get("page", "")), str(body.get("session", ""))
        except (ValueError, AttributeError):
            return self._refuse(400, "the request body must be a JSON object")
        pool = self.server.docs.sessions
        action = path[len(API):]
        if action == "run":
            return self._json(pool.run(page, session, str(body.get("code", ""))))
        if action == "restart":
            pool.restart(page, session)
            return self._json({"restarted": True})
        if action == "close":
            pool.close(page, session)
            return self._json({"closed": True})
        return self._refuse(404, f"no API {action!r}")

    def _api_get(self, action, query):
        if action == "ping":
            return self._json({"ok": True, "sessions": len(self.server.docs.sessions)})
        if action == "search":
            from .search import search_hits
            q = query.get("q", [""])[0][:500]
            return self._json({"query": q, "results": search_hits(q, self.server.docs.site) if q.strip() else []})
        return self._refuse(404, f"no API {action!r}")

    def _static(self, path):
        site = self.server.docs.site
        target = (site / path.lstrip("/")).resolve()
        if target.is_dir():
            target = target / "index.html"
        try:
            target.relative_to(site)
        except ValueError:
            return self._refuse(403, "refused: outside the documentation folder")
        if not target.is_file():
            return self._refuse(404, f"not found: {path}")
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype in ("application/javascript", "application/json"):
            ctype += "; charset=utf-8"
        self._send(200, target.read_bytes(), ctype)


class DocsServer:
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
        self.token = token or secrets.token_urlsafe(18)
        self.sessions = SessionPool(timeout=timeout, memory_mb=memory_mb, cpu_seconds=cpu_seconds,
                                    idle_seconds=idle_seconds)
        self.verbose = verbose
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.docs = self
        self.port = self.httpd.server_address[1]
        self._thread = None

    @property
    def url(self):
        """The address to open: the landing page with this launch's token."""
        return f"http://127.0.0.1:{self.port}/index.html?token={self.token}"

    def serve_forever(self):
        """Serve until interrupted; sessions are closed on the way out."""
        try:
            self.httpd.serve_forever()
        finally:
            self.sessions.close_all()

    def start_in_thread(self):
        """Serve from a background thread (tests, notebooks)."""
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def shutdown(self):
        """Stop serving and close every session."""
        self.httpd.shutdown()
        self.httpd.server_close()
        self.sessions.close_all()
