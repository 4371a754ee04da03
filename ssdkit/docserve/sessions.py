"""Sessions of the docs server: one worker process per open page, with limits, killed when the page closes,
when it sits idle too long, or when one run takes longer than the wall-clock limit.

Limits are set in the child before it starts Python (``resource.setrlimit``): address space (``memory_mb``)
and CPU seconds over the session's life (``cpu_seconds``). A run that exceeds ``timeout`` seconds of wall time
kills the worker; the reply says so and the next run starts a fresh session. The limit counts from the moment
the worker is ready (it says so once its imports are done), so a slow start never passes for a slow example.

Examples
--------
>>> pool = SessionPool(timeout=30)
>>> pool.run("page.html", "s1", "print(6 * 7)")["output"]
'42\\n'
>>> pool.run("page.html", "s1", "undefined_name")["error"].splitlines()[-1]
"NameError: name 'undefined_name' is not defined"
>>> pool.close_all()
"""
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time

__all__ = ["Session", "SessionPool"]

DEFAULT_TIMEOUT_S = 120
DEFAULT_MEMORY_MB = 4096
DEFAULT_CPU_S = 1800
DEFAULT_IDLE_S = 1800
#: How long a new worker may take to start (Python, numpy and ssdkit imports) before its first run is refused.
STARTUP_S = 120
MAX_SESSIONS = 16


def _limiter(memory_mb, cpu_seconds):
    def apply():
        import resource
        os.setsid()  # its own process group: a kill takes the worker's children too
        if memory_mb:
            limit = memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        if cpu_seconds:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    return apply


def _reply(error, output=""):
    return {"output": output, "images": [], "html": [], "error": error}


class Session:
    """One worker process and its folder; ``run(code)`` returns the worker's reply dict.

    Examples
    --------
    >>> s = Session(timeout=30); _ = s.run("x = 1"); s.run("x + 1")["output"]
    '2\\n'
    >>> s.close()
    """

    def __init__(self, timeout=DEFAULT_TIMEOUT_S, memory_mb=DEFAULT_MEMORY_MB, cpu_seconds=DEFAULT_CPU_S):
        self.timeout, self.memory_mb, self.cpu_seconds = timeout, memory_mb, cpu_seconds
        self.folder = tempfile.mkdtemp(prefix="ssdkit-docs-session-")
        self.lock = threading.Lock()
        self.last_used = time.monotonic()
        self._proc = None
        self._replies = None

    def _start(self):
        env = dict(os.environ, PYTHONUNBUFFERED="1", MPLBACKEND="Agg")
        self._proc = subprocess.Popen([sys.executable, "-m", "ssdkit.docserve.worker"], cwd=self.folder, env=env,
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                      text=True, preexec_fn=_limiter(self.memory_mb, self.cpu_seconds))
        self._replies = queue.Queue()
        proc, replies = self._proc, self._replies

        def read():
            for line in proc.stdout:
                replies.put(line)
            replies.put(None)  # the worker ended
        threading.Thread(target=read, daemon=True).start()
        try:
            ready = replies.get(timeout=STARTUP_S)
        except queue.Empty:
            ready = None
        if ready is None or not json.loads(ready).get("ready"):
            self._kill()
            return f"the session's process did not start within {STARTUP_S} s"
        return None

    def run(self, code):
        """Run ``code`` in this session (started on first use); never raises for what the code does."""
        with self.lock:
            self.last_used = time.monotonic()
            if self._proc is None or self._proc.poll() is not None:
                failed = self._start()
                if failed:
                    return _reply(f"Stopped: {failed}; run the example again.")
            try:
                self._proc.stdin.write(json.dumps({"code": code}) + "\n")
                self._proc.stdin.flush()
            except (BrokenPipeError, OSError):
                self._kill()
                return _reply("the session's process had ended; it was restarted (run the page's examples again)")
            try:
                line = self._replies.get(timeout=self.timeout)
            except queue.Empty:
                self._kill()
                return _reply(f"Stopped: the example ran longer than {self.timeout:g} s. The session was restarted: "
                              "names defined earlier on this page are gone (Run all to define them again).")
            if line is None:
                code_ = self._proc.wait()
                self._kill()
                why = ("it used more CPU time than the session may" if code_ in (-24, -9)
                       else f"it ended with exit code {code_}")
                return _reply(f"Stopped: the session's process ended ({why}); it was restarted.")
            return json.loads(line)

    def _kill(self):
        if self._proc is not None and self._proc.poll() is None:
            try:
                os.killpg(self._proc.pid, 9)
            except OSError:
                self._proc.kill()
            self._proc.wait()
        self._proc = None

    def restart(self):
        """Forget every name: the next run starts a new process."""
        with self.lock:
            self._kill()

    def close(self):
        """Kill the worker and remove the session's folder."""
        with self.lock:
            self._kill()
            shutil.rmtree(self.folder, ignore_errors=True)


class SessionPool:
    """Sessions by ``(page, session id)``; idle ones are closed, at most ``MAX_SESSIONS`` live at once.

    Examples
    --------
    >>> pool = SessionPool(timeout=30); _ = pool.run("a.html", "1", "v = 5")
    >>> pool.run("b.html", "1", "'v' in dir()")["output"]  # pages never share names
    'False\\n'
    >>> pool.close_all()
    """

    def __init__(self, timeout=DEFAULT_TIMEOUT_S, memory_mb=DEFAULT_MEMORY_MB, cpu_seconds=DEFAULT_CPU_S,
                 idle_seconds=DEFAULT_IDLE_S):
        self.options = dict(timeout=timeout, memory_mb=memory_mb, cpu_seconds=cpu_seconds)
        self.idle_seconds = idle_seconds
        self._sessions = {}
        self._lock = threading.Lock()

    def _session(self, page, session_id):
        key = (str(page), str(session_id))
        with self._lock:
            self._reap()
            if key not in self._sessions:
                if len(self._sessions) >= MAX_SESSIONS:  # the least recently used page gives its place up
                    oldest = min(self._sessions, key=lambda k: self._sessions[k].last_used)
                    self._sessions.pop(oldest).close()
                self._sessions[key] = Session(**self.options)
            return self._sessions[key]

    def _reap(self):
        now = time.monotonic()
        for key in [k for k, s in self._sessions.items() if now - s.last_used > self.idle_seconds]:
            self._sessions.pop(key).close()

    def run(self, page, session_id, code):
        """Run ``code`` in the session of ``(page, session_id)``."""
        return self._session(page, session_id).run(code)

    def restart(self, page, session_id):
        """Start the page's session afresh."""
        with self._lock:
            session = self._sessions.get((str(page), str(session_id)))
        if session is not None:
            session.restart()

    def close(self, page, session_id):
        """Close the page's session (the page was closed)."""
        with self._lock:
            session = self._sessions.pop((str(page), str(session_id)), None)
        if session is not None:
            session.close()

    def close_all(self):
        """Close every session (the server stops)."""
        with self._lock:
            sessions, self._sessions = list(self._sessions.values()), {}
        for session in sessions:
            session.close()

    def __len__(self):
        return len(self._sessions)
