"""ssdkit-docs (issue #21): the server's API and its protections, the per-page sessions and their limits, the
page script in the static site, and the search hits' pages. The browser test is tests/test_docserve_browser.py."""
import http.client
import json
import time
import urllib.request

import pytest

from ssdkit.docserve import DocsServer, write_assets
from ssdkit.docserve.search import search_hits
from ssdkit.docserve.worker import run_code

PAGE = """<html><head><title>t</title></head><body><h1>Example page</h1>
<div class="pdoc-code codehilite"><pre><code>&gt;&gt;&gt; import ssdkit as mx
&gt;&gt;&gt; mx.nd.ones((2,)) * 3
[3. 3.]
</code></pre></div></body></html>"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    site = tmp_path_factory.mktemp("site")
    (site / "index.html").write_text(PAGE)
    (site / "sub").mkdir()
    (site / "sub" / "page.html").write_text(PAGE)
    write_assets(site)
    srv = DocsServer(site, port=0, token="secret-token", timeout=4, memory_mb=1536)
    srv.start_in_thread()
    yield srv
    srv.shutdown()


def _request(server, method, path, body=None, headers=None, token=True):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    hdrs = {"Host": f"127.0.0.1:{server.port}"}
    if token:
        hdrs["Cookie"] = f"ssdkit_docs={server.token}"
    hdrs.update(headers or {})
    data = json.dumps(body).encode() if body is not None else None
    if data is not None:
        hdrs["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=hdrs)
    resp = conn.getresponse()
    payload = resp.read()
    conn.close()
    return resp.status, payload, resp


def _run(server, code, page="/index.html", session="s1"):
    status, payload, _ = _request(server, "POST", "/_ssdkit/api/run", {"page": page, "session": session, "code": code})
    assert status == 200
    return json.loads(payload)


def test_token_is_required_and_sets_a_cookie(server):
    status, body, _ = _request(server, "GET", "/index.html", token=False)
    assert status == 403 and b"token" in body
    status, _, _ = _request(server, "POST", "/_ssdkit/api/run", {"code": "1"}, token=False)
    assert status == 403
    status, body, resp = _request(server, "GET", f"/index.html?token={server.token}", token=False)
    assert status == 200 and b"runner.js" in body
    assert "HttpOnly" in resp.getheader("Set-Cookie") and server.token in resp.getheader("Set-Cookie")
    status, _, _ = _request(server, "GET", "/index.html?token=wrong", token=False)
    assert status == 403


def test_non_local_host_and_foreign_origin_are_refused(server):
    status, body, _ = _request(server, "GET", "/index.html", headers={"Host": f"evil.example:{server.port}"})
    assert status == 403 and b"host" in body
    status, _, _ = _request(server, "POST", "/_ssdkit/api/run", {"code": "1"}, headers={"Origin": "http://evil.example"})
    assert status == 403


def test_static_files_stay_inside_the_site(server):
    assert _request(server, "GET", "/sub/page.html")[0] == 200
    assert _request(server, "GET", "/_ssdkit/runner.js")[0] == 200
    assert _request(server, "GET", "/../../etc/passwd")[0] in (403, 404)
    assert _request(server, "GET", "/%2e%2e/%2e%2e/etc/passwd")[0] == 403


def test_a_page_is_one_session_and_pages_are_isolated(server):
    assert _run(server, "import ssdkit as mx\nx = mx.nd.ones((2,)) * 3")["error"] is None
    reply = _run(server, "x")
    assert "[3. 3.]" in reply["output"] and "NDArray 2" in reply["output"]
    other = _run(server, "x", page="/sub/page.html")
    assert other["error"].splitlines()[-1] == "NameError: name 'x' is not defined"
    _request(server, "POST", "/_ssdkit/api/restart", {"page": "/index.html", "session": "s1"})
    assert "NameError" in _run(server, "x")["error"]


def test_output_kinds_traceback_trimmed_and_images(server):
    reply = _run(server, "def f():\n    return [][1]\nf()", session="kinds")
    lines = reply["error"].splitlines()
    assert lines[0] == "Traceback (most recent call last):" and lines[-1].startswith("IndexError")
    assert all("<example>" in ln for ln in lines if ln.strip().startswith("File"))
    reply = _run(server, "from PIL import Image\nImage.new('RGB', (8, 8), 'red')", session="kinds")
    assert len(reply["images"]) == 1 and reply["images"][0].startswith("iVBOR")  # a PNG
    reply = _run(server, "Image.new('L', (4, 4)).save('out.png')\nprint('saved')", session="kinds")
    assert reply["output"] == "saved\n" and len(reply["images"]) == 1
    reply = _run(server, "import ssdkit as mx\nmx.viz.plot_network(mx.sym.relu(mx.sym.var('x'), name='r'))",
                 session="kinds")
    assert reply["html"] and "iframe" in reply["html"][0]


def test_runaway_examples_are_stopped_and_the_server_stays_up(server):
    start = time.monotonic()
    reply = _run(server, "while True:\n    pass", session="runaway")
    assert "longer than 4 s" in reply["error"] and time.monotonic() - start < 30
    reply = _run(server, "import numpy as np\nbig = np.ones(10 * 1024**3, dtype=np.uint8)", session="runaway")
    assert "MemoryError" in reply["error"]
    assert _run(server, "print('still here')", session="runaway")["output"] == "still here\n"
    assert _request(server, "GET", "/_ssdkit/api/ping")[0] == 200


def test_close_ends_the_session(server):
    _run(server, "y = 1", session="closing")
    before = json.loads(_request(server, "GET", "/_ssdkit/api/ping")[1])["sessions"]
    _request(server, "POST", "/_ssdkit/api/close", {"page": "/index.html", "session": "closing"})
    after = json.loads(_request(server, "GET", "/_ssdkit/api/ping")[1])["sessions"]
    assert after == before - 1


def test_search_api_gives_summaries_examples_and_pages(server):
    status, payload, _ = _request(server, "GET", "/_ssdkit/api/search?q=remove%20overlapping%20boxes")
    results = json.loads(payload)["results"]
    assert status == 200 and any("box_nms" in r["name"] for r in results[:3])
    assert all({"name", "summary", "url", "example"} <= set(r) for r in results)


def test_search_hits_point_at_pdoc_pages(tmp_path):
    (tmp_path / "ssdkit").mkdir()
    (tmp_path / "ssdkit" / "gluon.html").write_text('<div id="Trainer.load_states"></div>')
    hits = search_hits("continue training where it stopped", site=tmp_path, n=5)
    assert any(h["name"] == "ssdkit.gluon.Trainer.load_states" and h["url"] == "ssdkit/gluon.html#Trainer.load_states"
               for h in hits)


def test_worker_runs_like_the_interactive_interpreter():
    ns = {}
    assert run_code("a = 1\na + 1\nNone\nprint('p')", ns)["output"] == "2\np\n"
    assert run_code("a +", ns)["error"].startswith("  File")  # a SyntaxError, shown without a traceback


def test_static_site_has_runner_and_read_only_hint(tmp_path):
    (tmp_path / "a.html").write_text(PAGE)
    write_assets(tmp_path)
    write_assets(tmp_path)  # twice is harmless
    text = (tmp_path / "a.html").read_text()
    assert text.count("runner.js") == 1
    js = (tmp_path / "_ssdkit" / "runner.js").read_text()
    assert "Run needs the local docs server" in js and "disabled" in js


def test_a_site_without_the_runner_gets_it_served_never_written(tmp_path):
    (tmp_path / "page.html").write_text("<html><head></head><body>plain</body></html>")
    before = (tmp_path / "page.html").read_text()
    srv = DocsServer(tmp_path, port=0, token="t")
    srv.start_in_thread()
    try:
        status, body, _ = _request(srv, "GET", "/page.html")
        assert status == 200 and b"_ssdkit/runner.js" in body
        status, js, _ = _request(srv, "GET", "/_ssdkit/runner.js")
        assert status == 200 and b"Run needs the local docs server" in js
    finally:
        srv.shutdown()
    assert (tmp_path / "page.html").read_text() == before and not (tmp_path / "_ssdkit").exists()


def test_cli_refuses_to_build_over_a_folder_of_someone_elses_files(tmp_path):
    from ssdkit.docserve.cli import build_site
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(SystemExit, match="holds files the docs builder did not make"):
        build_site(tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"
