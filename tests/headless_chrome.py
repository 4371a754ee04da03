"""One headless Chromium for the browser tests (viewer, editor): Debian's chromium + chromium-driver and the
selenium package; a test module skips cleanly when they are missing.

Use as a module-scoped fixture body: ``yield from chrome_session("mxviz-chrome-")``.
"""
import shutil
import tempfile

import pytest

CHROME_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _find(*names):
    return next((p for p in map(shutil.which, names) if p), None)


def chrome_session(profile_prefix, extra_args=(), size="1400,900"):
    """Yield a selenium Chrome driver (window ``size``) on a fresh profile; quit and clean up afterwards."""
    webdriver = pytest.importorskip("selenium.webdriver")
    browser = _find("chromium", "chromium-browser", "google-chrome")
    chromedriver = _find("chromedriver")
    if not browser or not chromedriver:
        pytest.skip("chromium and chromedriver are not installed")
    from selenium.webdriver.chrome.service import Service
    profile = tempfile.mkdtemp(prefix=profile_prefix)
    opts = webdriver.ChromeOptions()
    for arg in CHROME_ARGS + list(extra_args) + [f"--window-size={size}", f"--user-data-dir={profile}"]:
        opts.add_argument(arg)
    opts.binary_location = browser
    drv = webdriver.Chrome(service=Service(chromedriver), options=opts)
    try:
        yield drv
    finally:
        drv.quit()
        shutil.rmtree(profile, ignore_errors=True)
