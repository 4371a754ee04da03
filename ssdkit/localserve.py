"""The access rules of ssdkit's local browser tools (``ssdkit-editor``; meant for ``ssdkit-docs`` too).

A tool that serves a page able to act on this machine listens on 127.0.0.1 only and accepts a request when

* it carries the per-launch token: ``?token=...`` (the URL the tool prints; the reply then sets an HttpOnly,
  SameSite=Strict cookie) or that cookie;
* its ``Host`` names this server (127.0.0.1 or localhost with its port), so a page of another site cannot
  reach it through DNS rebinding, and a POST's ``Origin``, when sent, is this server;
* a file it names lies inside the one folder the tool was started for (:func:`inside`).

Refusals are 403 with a sentence saying why. Standard library only.

Examples
--------
>>> import json, urllib.request
>>> class Hello(LocalHandler):
...     def do_GET(self):
...         if self.allowed():
...             self.send_json({"hello": "world"})
>>> server = LocalServer(Hello, token="s3cret")
>>> server.start_in_thread()
>>> json.load(urllib.request.urlopen(server.url_for("/api")))
{'hello': 'world'}
>>> urllib.request.urlopen(f"http://127.0.0.1:{server.port}/api")
Traceback (most recent call last):
...
urllib.error.HTTPError: HTTP Error 403: Forbidden
>>> server.shutdown()
"""
import json
import secrets
import sys
import threading
import urllib.parse
import webbrowser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

__all__ = ["LocalHandler", "LocalServer", "inside", "MAX_BODY"]

MAX_BODY = 8 * 1024 * 1024


def inside(folder, relative):
    """``folder / relative`` resolved, or None when it would lie outside ``folder`` (``..``, absolute
    paths, symbolic links leading out).

    Examples
    --------
    >>> import tempfile
    >>> root = tempfile.mkdtemp()
    >>> inside(root, "a/b.json") is not None, inside(root, "../x"), inside(root, "/etc/passwd")
    (True, None, None)
    """
    root = Path(folder).resolve()
    text = str(relative)
    if not text or "\x00" in text or Path(text).is_absolute():
        return None
    target = (root / text).resolve()
    try:
        target.relative_to(root)
    except ValueError:
        return None
    return target


class LocalHandler(BaseHTTPRequestHandler):
    """Request handler with the checks above; subclasses call :meth:`allowed` first in each ``do_*``.

    ``self.server.tool`` is the :class:`LocalServer`.
    """
    server_version = "ssdkit-local"

    def log_message(self, fmt, *args):  # keep the terminal for the URL and errors
        if getattr(self.server.tool, "verbose", False):
            super().log_message(fmt, *args)

    def query(self):
        """The parsed query string: ``{name: [values]}``."""
        return urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)

    def route(self):
        """The path without query, percent-decoded."""
        return urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)

    def allowed(self):
        """True when host, origin and token pass; otherwise a 403 was sent and False is returned."""
        tool = self.server.tool
        hosts = (f"127.0.0.1:{tool.port}", f"localhost:{tool.port}")
        host = self.headers.get("Host", "")
        if host not in hosts:
            return self.refuse(403, f"refused: host {host!r} is not this local server")
        origin = self.headers.get("Origin")
        if self.command != "GET" and origin and origin not in tuple("http://" + h for h in hosts):
            return self.refuse(403, f"refused: requests from {origin} may not act here")
        given = self.query().get("token", [""])[0]
        if secrets.compare_digest(given.encode(), tool.token.encode()):
            self._set_cookie = True
            return True
        cookies = {}
        for part in self.headers.get("Cookie", "").split(";"):
            key, _, value = part.strip().partition("=")
            cookies[key] = value
        if secrets.compare_digest(cookies.get(tool.cookie, "").encode(), tool.token.encode()):
            return True
        return self.refuse(403, f"refused: open the URL {tool.program} printed (it carries this launch's token)")

    def refuse(self, status, text):
        """Send ``text`` with ``status``; returns False (so ``return self.refuse(...)`` reads well)."""
        self.send_body(status, text.encode(), "text/plain; charset=utf-8")
        return False

    def send_body(self, status, body, ctype, extra=()):
        """Send ``body`` (bytes) uncached, with the session cookie when the token came in the URL."""
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        if getattr(self, "_set_cookie", False):
            tool = self.server.tool
            self.send_header("Set-Cookie", f"{tool.cookie}={tool.token}; Path=/; HttpOnly; SameSite=Strict")
        for key, value in extra:
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, data, status=200):
        """Send ``data`` as JSON."""
        self.send_body(status, json.dumps(data).encode(), "application/json")

    def read_json(self, limit=MAX_BODY):
        """The request body as a JSON object, or None after refusing it (more than ``limit`` bytes, not an
        object)."""
        length = int(self.headers.get("Content-Length") or 0)
        if length > limit:
            self.refuse(413, f"request too large ({length} bytes; at most {limit})")
            return None
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except (ValueError, RecursionError):
            body = None
        if not isinstance(body, dict):
            self.refuse(400, "the request body must be a JSON object")
            return None
        return body


class LocalServer:
    """A threaded HTTP server on 127.0.0.1 with a per-launch token; ``handler`` is a :class:`LocalHandler`.

    Parameters
    ----------
    handler : type
    port : int
        0 picks a free port.
    token : str, optional
        Random per launch when not given.
    program : str
        Named in refusals ("open the URL <program> printed").
    """

    def __init__(self, handler, port=0, token=None, program="ssdkit", cookie="ssdkit_local", verbose=False):
        self.token = token or secrets.token_urlsafe(18)
        self.program, self.cookie, self.verbose = program, cookie, verbose
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.httpd.daemon_threads = True
        self.httpd.tool = self
        self.port = self.httpd.server_address[1]
        self._thread = None

    def url_for(self, path="/"):
        """``http://127.0.0.1:<port><path>?token=...``."""
        return f"http://127.0.0.1:{self.port}{path}?token={self.token}"

    @property
    def url(self):
        """The address to open (the root page with this launch's token); tools may point elsewhere."""
        return self.url_for("/")

    def serve_forever(self):
        """Serve until interrupted."""
        self.httpd.serve_forever()

    def launch(self, note, browser=True):
        """What a tool's command line does: print the URL (first line of stdout), ``note`` to stderr, open
        the browser unless ``browser`` is False, and serve until Ctrl-C. Returns 0."""
        print(self.url, flush=True)
        print(f"{self.program}: {note}; Ctrl-C stops the server", file=sys.stderr)
        if browser:
            webbrowser.open(self.url)
        try:
            self.serve_forever()
        except KeyboardInterrupt:
            pass
        return 0

    def start_in_thread(self):
        """Serve from a background thread (tests, notebooks)."""
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def shutdown(self):
        """Stop serving."""
        self.httpd.shutdown()
        self.httpd.server_close()
