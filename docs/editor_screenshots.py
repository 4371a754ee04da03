"""Make the screenshots of docs/editor.md with headless Chromium (selenium):

    python docs/editor_screenshots.py          # -> docs/images/editor-*.png

Needs chromium, chromedriver and selenium; the pictures are committed, so the docs build does not need them.
"""
import shutil
import sys
import tempfile
import time
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))

from ssdkit import nd  # noqa: E402
from ssdkit.editor import load_model  # noqa: E402
from ssdkit.editor.server import EditorServer  # noqa: E402
from ssdkit.gluon import nn  # noqa: E402


def _driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    opts = webdriver.ChromeOptions()
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--window-size=1400,800",
                "--force-device-scale-factor=1", f"--user-data-dir={tempfile.mkdtemp()}"):
        opts.add_argument(arg)
    opts.binary_location = shutil.which("chromium") or shutil.which("google-chrome")
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=opts)


def _ready(driver, script="return document.body.getAttribute('data-ready')"):
    for _ in range(600):
        if driver.execute_script(script):
            return
        time.sleep(0.1)
    raise RuntimeError("the page did not get ready")


def _settle(driver):
    _ready(driver, "return !mxedit.state.pending")
    driver.execute_script("window.__d = 0; mxedit.infer().then(function () { window.__d = 1; });")
    _ready(driver, "return window.__d")


def main():
    folder = Path(tempfile.mkdtemp())
    driver = _driver()
    try:
        server = EditorServer(folder, title="my-net")
        server.start_in_thread()
        driver.get(server.url)
        _ready(driver)
        driver.execute_script("""
            return mxedit.add('input', 80, 30).then(function () { return mxedit.add('nn.Conv2D', 80, 130); })
              .then(function () { return mxedit.add('nn.Activation', 80, 230); })
              .then(function () { return mxedit.add('nn.Dense', 80, 330); }).then(function () {
                mxedit.connect('data', 0, 'conv0', 'data'); mxedit.connect('conv0', 0, 'relu0', 'data');
                mxedit.connect('relu0', 0, 'dense0', 'data'); mxedit.toggleOutput('dense0', 0);
                mxedit.setAttr('conv0', 'kernel', '(40, 40)'); mxedit.select(['conv0']); });""")
        time.sleep(0.5)
        driver.find_element("id", "palette-search").send_keys("pool")
        _settle(driver)
        driver.save_screenshot(str(DOCS / "images" / "editor-error.png"))
        driver.execute_script("""
            mxedit.setAttr('conv0', 'kernel', '(3, 3)');
            return mxedit.add('nn.Dense', 330, 130).then(function () {
              return mxedit.add('nn.Conv2D', 330, 300); }).then(function () {
              mxedit.connect('data', 0, 'dense1', 'data'); mxedit.connect('dense1', 0, 'conv1', 'data');
              mxedit.select([]); });""")
        driver.execute_script("var s = document.getElementById('palette-search'); s.value = ''; "
                              "s.dispatchEvent(new Event('input'));")
        _settle(driver)
        driver.save_screenshot(str(DOCS / "images" / "editor-wire-error.png"))
        server.shutdown()

        server = EditorServer(folder, title="blocks")
        server.start_in_thread()
        driver.get(server.url)
        _ready(driver)
        driver.execute_script("""
            return mxedit.add('input', 250, 20).then(function () { return mxedit.add('nn.Conv2D', 250, 100); })
              .then(function () { return mxedit.add('nn.Swish', 250, 190); })
              .then(function () { return mxedit.add('nn.Conv2D', 120, 520); })
              .then(function () { return mxedit.add('nn.Conv2D', 380, 520); })
              .then(function () { return mxedit.add('concat', 250, 620); }).then(function () {
                mxedit.state.doc.nodes.forEach(function (n) { if (n.group === 'swish0') n.x += 140; });
                mxedit.connect('data', 0, 'conv0', 'data'); mxedit.connect('conv0', 0, 'swish0_in', 'data');
                mxedit.connect('swish0_mul0', 0, 'conv1', 'data'); mxedit.connect('swish0_mul0', 0, 'conv2', 'data');
                mxedit.setAttr('conv2', 'kernel', '(1, 1)'); mxedit.setAttr('conv2', 'pad', '');
                mxedit.connect('conv1', 0, 'concat0', 'arg0'); mxedit.connect('conv2', 0, 'concat0', 'arg1');
                mxedit.setAttr('concat0', 'dim', '1'); mxedit.toggleOutput('concat0', 0);
                mxedit.select(['conv1', 'conv2', 'concat0']);
                document.getElementById('group-name').value = 'branches';
                return mxedit.add('nn.HybridConcurrent'); });""")
        _settle(driver)
        driver.execute_script("mxedit.select([]); mxedit.fit(); mxedit.state.view.x -= 120; window.renderPanel();")
        driver.find_element("id", "export-name").clear()
        driver.find_element("id", "export-name").send_keys("blocks")
        driver.find_element("id", "btn-py").click()
        _ready(driver, "return document.getElementById('export-info').textContent.indexOf('wrote') === 0")
        driver.execute_script("var t = document.getElementById('export-text'); "
                              "t.scrollTop = t.value.indexOf('class Blocks') / t.value.length * t.scrollHeight;")
        driver.save_screenshot(str(DOCS / "images" / "editor-blocks.png"))
        server.shutdown()

        net = nn.HybridSequential(prefix="tiny_")
        with net.name_scope():
            net.add(nn.Conv2D(8, 3, padding=1), nn.Activation("relu"), nn.MaxPool2D(2), nn.Conv2D(16, 3),
                    nn.Activation("relu"), nn.Flatten(), nn.Dense(10))
        net.initialize()
        net.hybridize()
        net(nd.zeros((1, 3, 32, 32)))
        net.export(str(folder / "tiny"))
        doc, params = load_model(str(folder / "tiny-symbol.json"))
        doc["nodes"][0]["shape"] = [1, 3, 32, 32]
        server = EditorServer(folder, doc, params, title="tiny-symbol.json")
        server.start_in_thread()
        driver.get(server.url)
        _ready(driver)
        driver.execute_script("""
            mxedit.toggleOutput('tiny_relu0_fwd', 0); mxedit.toggleOutput('tiny_dense0_fwd', 0);
            return mxedit.add('nn.Conv2D', 420, 250).then(function () {
              mxedit.connect('tiny_pool0_fwd', 0, 'conv0', 'data'); mxedit.toggleOutput('conv0', 0);
              mxedit.select(['conv0']); });""")
        _settle(driver)
        driver.save_screenshot(str(DOCS / "images" / "editor-tap.png"))
        server.shutdown()
    finally:
        driver.quit()
        shutil.rmtree(folder, ignore_errors=True)
    print("wrote docs/images/editor-error.png, editor-wire-error.png, editor-blocks.png and editor-tap.png")


if __name__ == "__main__":
    main()
