"""ssdkit-docs in a real browser (headless Chromium): edit an example and run it in place, see its text and
image output, search in vague words and land on the right page; the static site shows examples read-only.

Needs Debian's chromium + chromium-driver and the selenium package; skipped cleanly without them.
"""
import time

import numpy as np
import pytest

from ssdkit.docserve import DocsServer, write_assets

try:
    from headless_chrome import chrome_session
except ImportError:  # tests/ imported as a package
    from tests.headless_chrome import chrome_session

webdriver = pytest.importorskip("selenium.webdriver")
By = pytest.importorskip("selenium.webdriver.common.by").By
SCREENSHOT = "/tmp/ssdkit_docs_browser.png"

PAGE = """<html><head><title>Tutorial</title></head><body><main><h1>A tutorial</h1>
<div class="pdoc-code codehilite"><pre><code>import ssdkit as mx
x = mx.nd.ones((2, 2))
</code></pre></div>
<div class="pdoc-code codehilite"><pre><code>&gt;&gt;&gt; (x * 2).sum().asscalar()
8.0
</code></pre></div>
<div class="pdoc-code codehilite"><pre><code>from PIL import Image
Image.new("RGB", (40, 20), "green")
</code></pre></div></main></body></html>"""
TARGET = """<html><head><title>gluon</title></head><body><h1>ssdkit.gluon</h1>
<div id="Trainer.load_states">Trainer.load_states</div></body></html>"""


@pytest.fixture(scope="module")
def driver():
    yield from chrome_session("ssdkit-docs-chrome-", size="1300,900")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("docs_site")
    (root / "ssdkit_docs").mkdir()
    (root / "ssdkit_docs" / "tutorial.html").write_text(PAGE)
    (root / "ssdkit").mkdir()
    (root / "ssdkit" / "gluon.html").write_text(TARGET)
    (root / "index.html").write_text(PAGE)
    write_assets(root)
    return root


def _wait(predicate, timeout=60):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out waiting in the browser")


def test_edit_run_search_in_the_browser(driver, site):
    server = DocsServer(site, port=0, timeout=60)
    server.start_in_thread()
    try:
        driver.get(server.url.replace("index.html", "ssdkit_docs/tutorial.html"))
        _wait(lambda: driver.find_element(By.CSS_SELECTOR, ".sdk-status").text == "live")
        areas = driver.find_elements(By.CSS_SELECTOR, ".sdk-box textarea")
        assert len(areas) == 3 and areas[1].get_attribute("value") == "(x * 2).sum().asscalar()"
        # the examples share one session: define x, then use it after editing the second example
        driver.find_elements(By.CSS_SELECTOR, ".sdk-run")[0].click()
        _wait(lambda: "ran, no output" in driver.find_elements(By.CSS_SELECTOR, ".sdk-output")[0].text)
        areas[1].clear()
        areas[1].send_keys("(x * 5).sum().asscalar()")
        driver.find_elements(By.CSS_SELECTOR, ".sdk-run")[1].click()
        _wait(lambda: "20.0" in driver.find_elements(By.CSS_SELECTOR, ".sdk-output")[1].text)
        driver.find_elements(By.CSS_SELECTOR, ".sdk-run")[2].click()
        image = _wait(lambda: driver.find_elements(By.CSS_SELECTOR, ".sdk-output img.sdk-img"))[0]
        _wait(lambda: driver.execute_script("return arguments[0].naturalWidth", image) == 40)
        # Reset brings the original example back
        driver.find_elements(By.CSS_SELECTOR, ".sdk-reset")[1].click()
        assert areas[1].get_attribute("value") == "(x * 2).sum().asscalar()"
        driver.save_screenshot(SCREENSHOT)
        from PIL import Image
        shot = np.asarray(Image.open(SCREENSHOT).convert("L"), dtype=np.float32)
        assert shot.std() > 5  # not a blank page
        # vague words in the search box, then the hit's page
        box = driver.find_element(By.CSS_SELECTOR, "input.sdk-search")
        box.send_keys("continue training where it stopped")
        link = _wait(lambda: [a for a in driver.find_elements(By.CSS_SELECTOR, "a.sdk-hit-link")
                              if a.text == "ssdkit.gluon.Trainer.load_states"])[0]
        link.click()
        _wait(lambda: driver.current_url.split("?")[0].endswith(f":{server.port}/ssdkit/gluon.html#Trainer.load_states"))
        heading = _wait(lambda: driver.find_elements(By.TAG_NAME, "h1"))[0]
        assert "ssdkit.gluon" in heading.text
    finally:
        server.shutdown()


def test_static_site_is_read_only_with_a_hint(driver, site):
    driver.get((site / "ssdkit_docs" / "tutorial.html").as_uri())
    _wait(lambda: driver.find_element(By.CSS_SELECTOR, ".sdk-status").text == "read-only")
    buttons = driver.find_elements(By.CSS_SELECTOR, ".sdk-run")
    assert buttons and all(not b.is_enabled() for b in buttons)
    assert "ssdkit-docs" in driver.find_element(By.CSS_SELECTOR, ".sdk-hint").text
