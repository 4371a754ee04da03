"""ssdkit-editor in a real browser (headless Chromium): build a small net by clicks, wire it, see a shape error
on the node that causes it, fix it, tap an output, export Python and run the exported code; screenshots checked.

Needs Debian's chromium + chromium-driver and the selenium package; skipped cleanly without them.
"""
import contextlib
import importlib.util
import time

import numpy as np
import pytest

from ssdkit import nd
from ssdkit.editor.server import EditorServer

webdriver = pytest.importorskip("selenium.webdriver")
PIL = pytest.importorskip("PIL.Image")
By = pytest.importorskip("selenium.webdriver.common.by").By
try:
    from headless_chrome import chrome_session
except ImportError:  # tests/ imported as a package
    from tests.headless_chrome import chrome_session


@pytest.fixture(scope="module")
def driver():
    yield from chrome_session("mxedit-chrome-", ["--force-device-scale-factor=1"])


def _wait(driver, script, timeout=60):
    end = time.time() + timeout
    while time.time() < end:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for: {script}")


def _settled(driver):
    """Wait until the last shape inference answered for the document as it is now."""
    _wait(driver, "return !mxedit.state.pending")
    driver.execute_script("window.__done = null; mxedit.infer().then(function (r) { window.__done = r; });")
    return _wait(driver, "return window.__done")


def _click(driver, css):
    """Click what ``css`` selects; the drawing is redrawn after every change, so find it afresh if it went."""
    from selenium.common.exceptions import StaleElementReferenceException
    for _ in range(20):
        try:
            return driver.find_element(By.CSS_SELECTOR, css).click()
        except StaleElementReferenceException:
            time.sleep(0.1)
    raise AssertionError(f"{css} kept being redrawn")


def _type(element, text):
    """Replace an input's text as a user does (select all, type, Enter), once the panel showing it is laid out
    (on a loaded machine the side panel can still be opening when the test reaches its field)."""
    from selenium.common.exceptions import ElementNotInteractableException
    deadline = time.time() + 15
    while True:
        try:
            element.send_keys("\ue009a")
            break
        except ElementNotInteractableException:
            if time.time() > deadline:
                raise
            time.sleep(0.2)
    element.send_keys(text + "\n")


def _red_pixels(path, box):
    image = np.asarray(PIL.open(path).convert("RGB")).astype(int)
    x0, y0, x1, y1 = (int(v) for v in box)
    part = image[max(y0, 0):y1, max(x0, 0):x1]
    red = (part[..., 0] > 180) & (part[..., 1] < 120) & (part[..., 2] < 120)   # #cf222e: the error colour
    return int(red.sum())


def _node_box(driver, name):
    r = driver.find_element("css selector", f'g.node[data-name="{name}"]').rect
    return r["x"], r["y"], r["x"] + r["width"], r["y"] + r["height"] + 20


def test_build_wire_error_fix_export_run(driver, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    server = EditorServer(tmp_path, title="clicked")
    server.start_in_thread()
    try:
        driver.get(server.url)
        _wait(driver, "return document.body.getAttribute('data-ready')")
        # the palette: searchable, with the help search's one-line summaries
        driver.find_element(By.ID, "palette-search").send_keys("dense")
        items = driver.find_elements(By.CSS_SELECTOR, ".pal-item")
        assert items[0].get_attribute("data-label") == "nn.Dense"
        assert "dense" in items[0].text.lower() and len(items[0].text.splitlines()) == 2
        driver.find_element(By.ID, "palette-search").clear()
        # build: input -> Conv2D -> Flatten -> Dense, by clicks
        driver.find_element(By.ID, "btn-input").click()
        for label in ("nn.Conv2D", "nn.Flatten", "nn.Dense"):
            driver.find_element(By.ID, "palette-search").clear()
            driver.find_element(By.ID, "palette-search").send_keys(label)
            ActionChains(driver).double_click(
                driver.find_element(By.CSS_SELECTOR, f'.pal-item[data-label="{label}"]')).perform()
            _wait(driver, f"return document.querySelector('g.node[data-name=\"{label[3:].lower()}0\"]') || "
                          f"document.querySelectorAll('g.node').length > {1 + ('nn.Conv2D', 'nn.Flatten', 'nn.Dense').index(label)}")
        names = driver.execute_script("return mxedit.doc().nodes.map(function (n) { return n.name; })")
        assert names == ["data", "conv0", "flatten0", "dense0"]
        for src, dst in (("data", "conv0"), ("conv0", "flatten0"), ("flatten0", "dense0")):
            _click(driver, f'.port.out[data-node="{src}"]')
            _click(driver, f'.port.in[data-node="{dst}"]')
        assert len(driver.find_elements(By.CSS_SELECTOR, "path.edge")) == 3
        result = _settled(driver)
        assert result["ok"] and result["nodes"]["dense0"]["outputs"] == [[1, 10]]
        assert result["nodes"]["dense0"]["params"]["weight"] == [10, 16 * 32 * 32]
        # a kernel larger than the picture: the op's own error, on the node that causes it
        _click(driver, 'g.node[data-name="conv0"] rect')
        _type(driver.find_element(By.ID, "attr-kernel"), "(40, 40)")
        result = _settled(driver)
        assert not result["ok"] and result["node"] == "conv0", result
        assert "conv0" in result["error"]
        _wait(driver, "return document.querySelector('g.node.error[data-name=\"conv0\"]')")
        assert driver.find_element(By.ID, "status").text.startswith("conv0: ")
        shot = str(tmp_path / "error.png")
        driver.save_screenshot(shot)
        assert _red_pixels(shot, _node_box(driver, "conv0")) > 50
        # a value of the wrong type is refused in the panel, named, and not applied
        _type(driver.find_element(By.ID, "attr-kernel"), "three")
        assert "kernel expects shape" in driver.find_element(By.ID, "attr-kernel").find_element(By.XPATH, "../div[@class='note']").text
        assert driver.execute_script("return mxedit.doc().nodes[1].attrs.kernel") == "(40, 40)"
        _type(driver.find_element(By.ID, "attr-kernel"), "(3, 3)")
        result = _settled(driver)
        assert result["ok"] and result["nodes"]["conv0"]["outputs"] == [[1, 16, 32, 32]]
        shot = str(tmp_path / "fixed.png")
        driver.save_screenshot(shot)
        assert _red_pixels(shot, _node_box(driver, "conv0")) == 0
        # undo brings the error back, redo removes it
        driver.find_element(By.ID, "btn-undo").click()
        assert not _settled(driver)["ok"]
        driver.find_element(By.ID, "btn-redo").click()
        assert _settled(driver)["ok"]
        # tap the Dense output, export Python, run it here and through the page's action
        _click(driver, 'g.node[data-name="dense0"] rect')
        driver.find_element(By.ID, "tap-0").click()
        assert driver.execute_script("return mxedit.doc().outputs") == [["dense0", 0]]
        driver.find_element(By.ID, "btn-py").click()
        _wait(driver, "return document.getElementById('export-info').textContent.indexOf('wrote') === 0")
        code = (tmp_path / "net.py").read_text()
        assert "self.conv0 = nn.Conv2D(16, (3, 3)" in code and "self.dense0 = nn.Dense(10" in code
        spec = importlib.util.spec_from_file_location("clicked_net", tmp_path / "net.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        net = module.Net()
        net.initialize()
        assert net(nd.ones((1, 3, 32, 32))).shape == (1, 10)
        assert sorted(net.collect_params()) == ["conv0_bias", "conv0_weight", "dense0_bias", "dense0_weight"]
        driver.find_element(By.ID, "btn-run").click()
        text = _wait(driver, "var t = document.getElementById('run-result').textContent; "
                             "return t.indexOf('ran') === 0 || t.indexOf('failed') === 0 ? t : null", timeout=180)
        assert text.startswith("ran: outputs 1\u00d710; 4 parameters"), text
        # copy/paste and delete from the keyboard; group into a named block and collapse it
        _click(driver, 'g.node[data-name="flatten0"] rect')
        body = driver.find_element(By.TAG_NAME, "body")
        ActionChains(driver).key_down("\ue009").send_keys("c").send_keys("v").key_up("\ue009").perform()
        assert "flatten1" in driver.execute_script("return mxedit.doc().nodes.map(function (n) { return n.name; })")
        body.send_keys("\ue017")   # Delete
        assert "flatten1" not in driver.execute_script("return mxedit.doc().nodes.map(function (n) { return n.name; })")
        driver.execute_script("mxedit.select(['conv0', 'flatten0'])")
        driver.find_element(By.ID, "group-name").send_keys("features")
        driver.find_element(By.ID, "btn-group").click()
        _click(driver, 'g.group[data-group="features"] .gtitle')
        assert driver.find_elements(By.CSS_SELECTOR, 'g.group.collapsed[data-group="features"]')
        assert not driver.find_elements(By.CSS_SELECTOR, 'g.node[data-name="conv0"]')
        driver.save_screenshot(str(tmp_path / "grouped.png"))
    finally:
        server.shutdown()


def test_loaded_model_auto_layout_and_tap(driver, tmp_path):
    """The graphical FeatureExpander: open an export, tap an internal output, add a layer after it, export."""
    from ssdkit.gluon import nn
    net = nn.HybridSequential(prefix="tiny_")
    with net.name_scope():
        net.add(nn.Conv2D(4, 3, padding=1), nn.Activation("relu"), nn.Conv2D(8, 3, strides=2), nn.Flatten(),
                nn.Dense(5))
    net.initialize()
    net.hybridize()
    x = nd.random.uniform(shape=(1, 3, 16, 16))
    net(x)
    net.export(str(tmp_path / "tiny"))
    from ssdkit.editor import load_model
    doc, params = load_model(str(tmp_path / "tiny-symbol.json"))
    doc["nodes"][0]["shape"] = [1, 3, 16, 16]
    server = EditorServer(tmp_path, doc, params, title="tiny")
    server.start_in_thread()
    try:
        driver.get(server.url)
        _wait(driver, "return document.body.getAttribute('data-ready')")
        ys = driver.execute_script("return mxedit.doc().nodes.map(function (n) { return n.y; })")
        assert all(a < b for a, b in zip(ys, ys[1:])), ys   # auto layout: a chain runs down the page
        assert _settled(driver)["nodes"]["tiny_conv1_fwd"]["outputs"] == [[1, 8, 7, 7]]
        _click(driver, 'g.node[data-name="tiny_relu0_fwd"] rect')
        driver.find_element(By.ID, "tap-0").click()
        driver.execute_script("mxedit.toggleOutput('tiny_dense0_fwd', 0)")
        # drop a palette item on the canvas (the HTML5 drag and drop the palette uses)
        driver.execute_script("""
            var dt = new DataTransfer(); dt.setData('text/plain', 'nn.GlobalAvgPool2D');
            var c = document.getElementById('canvas'), r = c.getBoundingClientRect();
            c.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, clientX: r.left + 500, clientY: r.top + 300,
                                                   bubbles: true, cancelable: true}));""")
        _wait(driver, "return document.querySelector('g.node[data-name=\"pool0\"]')")
        # wire by dragging from an output port to an input port
        from selenium.webdriver.common.action_chains import ActionChains
        _settled(driver)
        a = driver.find_element(By.CSS_SELECTOR, '.port.out[data-node="tiny_conv1_fwd"]').rect
        b = driver.find_element(By.CSS_SELECTOR, '.port.in[data-node="pool0"]').rect
        start = driver.find_element(By.CSS_SELECTOR, '.port.out[data-node="tiny_conv1_fwd"]')
        ActionChains(driver).click_and_hold(start).move_by_offset(int(b["x"] - a["x"]), int(b["y"] - a["y"])) \
            .release().perform()   # the drawing is redrawn on press, so the target is reached by offset
        assert {"src": "tiny_conv1_fwd", "out": 0, "dst": "pool0", "slot": "data"} in \
            driver.execute_script("return mxedit.doc().edges")
        driver.execute_script("mxedit.toggleOutput('pool0', 0)")
        assert _settled(driver)["ok"]
        driver.find_element(By.ID, "export-name").clear()
        driver.find_element(By.ID, "export-name").send_keys("tapped")
        driver.find_element(By.ID, "btn-py").click()
        _wait(driver, "return document.getElementById('export-info').textContent.indexOf('wrote') === 0")
        spec = importlib.util.spec_from_file_location("tapped_net", tmp_path / "tapped.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        block = module.Tapped()
        block.collect_params().load(str(tmp_path / "tapped-0000.params"))
        relu, pooled = block(x)
        internals = net(x.as_in_context(x.context))
        ref = net[1](net[0](x))
        np.testing.assert_allclose(relu.asnumpy(), ref.asnumpy(), rtol=1e-6, atol=1e-6)
        ref_pool = net[2](ref).mean(axis=(2, 3), keepdims=True)
        np.testing.assert_allclose(pooled.asnumpy(), ref_pool.asnumpy(), rtol=1e-5, atol=1e-6)
        assert internals.shape == (1, 5)
    finally:
        server.shutdown()


@contextlib.contextmanager
def _editor_page(driver, folder, *args, **kwargs):
    """The editor served for ``folder`` and open in the browser, ready."""
    server = EditorServer(folder, *args, **kwargs)
    server.start_in_thread()
    try:
        driver.get(server.url)
        _wait(driver, "return document.body.getAttribute('data-ready')")
        yield server
    finally:
        server.shutdown()


def _wire_mid(driver, src, dst):
    r = driver.find_element(By.CSS_SELECTOR, f'path.edge[data-src="{src}"][data-dst="{dst}"]').rect
    return r["x"] + r["width"] / 2, r["y"] + r["height"] / 2


def test_a_shape_error_caused_by_a_wire_is_shown_on_that_wire(driver, tmp_path):
    """Wiring incompatible outputs to inputs: the library's message on the wire just drawn, not on the node."""
    import ssdkit as mx
    with _editor_page(driver, tmp_path, title="wires"):
        driver.find_element(By.ID, "btn-input").click()
        for label, x, y in (("nn.Dense", 60, 160), ("nn.Conv2D", 60, 300), ("nn.MaxPool2D", 320, 160)):
            driver.execute_script(f"window.__n = null; mxedit.add('{label}', {x}, {y}).then(function (n) {{ window.__n = n; }})")
            _wait(driver, "return window.__n")
        driver.execute_script("mxedit.state.doc.nodes[0].x = 200; mxedit.state.doc.nodes[0].y = 20;")
        for src, dst in (("data", "dense0"), ("dense0", "conv0")):   # a 2-D output into a convolution
            _click(driver, f'.port.out[data-node="{src}"]')
            _click(driver, f'.port.in[data-node="{dst}"]')
        result = _settled(driver)
        assert not result["ok"] and result["node"] == "conv0", result
        with pytest.raises(mx.base.MXNetError) as err:   # the library's own message
            mx.sym.Convolution(mx.sym.var("x"), kernel=(3, 3), num_filter=16, pad=(1, 1), name="conv0") \
                .infer_shape(x=(1, 10))
        assert result["error"] == str(err.value)
        wire = driver.find_element(By.CSS_SELECTOR, 'path.edge.error.blamed[data-src="dense0"][data-dst="conv0"]')
        assert wire.find_element(By.TAG_NAME, "title").get_attribute("textContent") == str(err.value)
        assert driver.find_element(By.CSS_SELECTOR, 'text.werror[data-dst="conv0"]').text.startswith("\u26a0 Convolution")
        assert not driver.find_elements(By.CSS_SELECTOR, "text.nerror")   # the message is on the wire
        assert driver.find_element(By.ID, "status").text.startswith("wire dense0[0] \u2192 conv0.data: Convolution")
        shot = str(tmp_path / "wire-error.png")
        driver.save_screenshot(shot)
        x, y = _wire_mid(driver, "dense0", "conv0")
        assert _red_pixels(shot, (x - 15, y - 25, x + 200, y + 25)) > 50
        # click the wire: the panel shows it with the message; Delete removes it; wire the input instead
        driver.execute_script("mxedit.state.selEdge = mxedit.doc().edges[1]; mxedit.state.sel = []; "
                              "window.renderPanel();")
        assert "dense0[0] \u2192 conv0.data" in driver.find_element(By.ID, "wire-info").text
        assert driver.find_element(By.CSS_SELECTOR, "#panel .errbox").text == str(err.value)
        driver.find_element(By.TAG_NAME, "body").send_keys("\ue017")   # Delete
        _click(driver, '.port.out[data-node="data"]')
        _click(driver, '.port.in[data-node="conv0"]')
        result = _settled(driver)
        assert result["ok"], result
        assert not driver.find_elements(By.CSS_SELECTOR, "path.edge.error")
        # two wires into one Concat: the one just drawn carries the error, not the first
        driver.execute_script("window.__n = null; mxedit.add('concat', 200, 450).then(function (n) { window.__n = n; })")
        _wait(driver, "return window.__n")
        for src, dst, slot in (("conv0", "concat0", "arg0"), ("data", "pool0", "data"), ("pool0", "concat0", "arg1")):
            _click(driver, f'.port.out[data-node="{src}"]')
            _click(driver, f'.port.in[data-node="{dst}"][data-slot="{slot}"]')
        result = _settled(driver)
        assert not result["ok"] and result["node"] == "concat0" and "cannot be joined" in result["error"], result
        assert driver.find_elements(By.CSS_SELECTOR, 'path.edge.blamed[data-src="pool0"][data-dst="concat0"]')
        assert not driver.find_elements(By.CSS_SELECTOR, 'path.edge.error[data-src="conv0"][data-dst="concat0"]')
        driver.save_screenshot(str(tmp_path / "concat-error.png"))


def test_palette_layers_templates_containers_and_the_op_field(driver, tmp_path):
    """Swish drops as a block of its ops, a container groups the selection, a HybridLambda's op is chosen in
    the panel; the export has nn.Swish, an nn.HybridSequential child and nn.HybridLambda."""
    from selenium.webdriver.common.action_chains import ActionChains
    with _editor_page(driver, tmp_path, title="layers"):
        search = driver.find_element(By.ID, "palette-search")
        search.send_keys("swish")
        assert driver.find_element(By.CSS_SELECTOR, ".pal-item.template").get_attribute("data-label") == "nn.Swish"
        driver.find_element(By.ID, "btn-input").click()
        ActionChains(driver).double_click(driver.find_element(By.CSS_SELECTOR, '.pal-item[data-label="nn.Swish"]')).perform()
        _wait(driver, "return mxedit.doc().groups.swish0")
        names = driver.execute_script("return mxedit.doc().nodes.map(function (n) { return n.name; })")
        assert names[1:] == ["swish0_in", "swish0_mulscalar0", "swish0_fwd", "swish0_mul0"]
        _click(driver, '.port.out[data-node="data"]')
        _click(driver, '.port.in[data-node="swish0_in"]')
        for label in ("nn.Conv2D", "nn.HybridLambda"):
            driver.execute_script(f"window.__n = null; mxedit.add('{label}', 420, {120 if 'Conv' in label else 260})"
                                  ".then(function (n) { window.__n = n; })")
            _wait(driver, "return window.__n")
        driver.execute_script("mxedit.connect('swish0_mul0', 0, 'conv0', 'data');"
                              "mxedit.connect('conv0', 0, 'hybridlambda0', 'data');"
                              "mxedit.toggleOutput('hybridlambda0', 0);")
        # the lambda's function: a wrong op is refused in the panel, a right one applied
        _click(driver, 'g.node[data-name="hybridlambda0"] rect')
        _type(driver.find_element(By.ID, "attr-op"), "no_such_op")
        _wait(driver, "return document.querySelector('#attr-op.bad')")
        assert driver.execute_script("return mxedit.doc().nodes[6].op") == "tanh"
        _type(driver.find_element(By.ID, "attr-op"), "sigmoid")
        _wait(driver, "return mxedit.doc().nodes[6].op === 'sigmoid'")
        # a container around the selection
        driver.execute_script("mxedit.select(['conv0', 'hybridlambda0'])")
        search.clear()
        search.send_keys("hybridsequential")
        ActionChains(driver).double_click(
            driver.find_element(By.CSS_SELECTOR, '.pal-item[data-label="nn.HybridSequential"]')).perform()
        _wait(driver, "return mxedit.doc().groups.hybridsequential0")
        assert driver.execute_script("return mxedit.doc().groups.hybridsequential0.container") == "HybridSequential"
        result = _settled(driver)
        assert result["ok"] and result["nodes"]["hybridlambda0"]["outputs"] == [[1, 16, 32, 32]], result
        driver.find_element(By.ID, "btn-py").click()
        _wait(driver, "return document.getElementById('export-info').textContent.indexOf('wrote') === 0")
        code = (tmp_path / "net.py").read_text()
        assert 'self.swish0 = nn.Swish(prefix="swish0_")' in code
        assert "self.hybridsequential0 = nn.HybridSequential(" in code and 'nn.HybridLambda("sigmoid"' in code
        module = importlib.util.module_from_spec(importlib.util.spec_from_file_location("layers_net", tmp_path / "net.py"))
        module.__spec__.loader.exec_module(module)
        block = module.Net()
        block.initialize()
        x = nd.random.uniform(shape=(1, 3, 32, 32))
        conv = block.hybridsequential0[0]
        expected = nd.sigmoid(conv(x * nd.sigmoid(x)))
        np.testing.assert_allclose(block(x).asnumpy(), expected.asnumpy(), rtol=1e-5, atol=1e-6)
        # copying a whole block pastes a new block like it; part of one pastes plain nodes
        driver.execute_script("mxedit.select(['swish0_in', 'swish0_mulscalar0', 'swish0_fwd', 'swish0_mul0']);"
                              "mxedit.copy(); mxedit.paste(); mxedit.select(['conv0']); mxedit.copy(); mxedit.paste();")
        doc = driver.execute_script("return mxedit.doc()")
        pasted = {n["name"]: n.get("group") for n in doc["nodes"][7:]}
        assert list(pasted.values()) == ["swish1"] * 4 + [None] and len(pasted) == 5, pasted
        assert doc["groups"]["swish1"]["layer"] == "Swish"
        assert sum(1 for e in doc["edges"] if e["dst"] in pasted and e["src"] in pasted) == 4
