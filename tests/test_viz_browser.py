"""The HTML viewer in a real browser (headless Chromium): render, details panel, collapse/expand, pan/zoom.

Needs Debian's chromium + chromium-driver and the selenium package; skipped cleanly without them.
"""
import time

import pytest

import ssdkit.viz as viz
from ssdkit.viz.geometry import layout_document

try:
    from viz_builder import ssd_feature_expander
    from headless_chrome import chrome_session
except ImportError:  # tests/ imported as a package
    from tests.viz_builder import ssd_feature_expander
    from tests.headless_chrome import chrome_session

webdriver = pytest.importorskip("selenium.webdriver")
SCREENSHOT = "/tmp/mxviz_browser.png"
VISIBLE_NODES = "return document.querySelectorAll('g.node:not(.hidden)').length"


@pytest.fixture(scope="module")
def driver():
    yield from chrome_session("mxviz-chrome-")


@pytest.fixture(scope="module")
def page(driver, tmp_path_factory):
    conf, shapes = ssd_feature_expander()
    graph = viz.plot_network(conf, shapes=shapes, title="ssd")
    path = graph.save(tmp_path_factory.mktemp("viz") / "ssd.html")
    driver.get(f"file://{path}")
    for _ in range(50):
        if driver.execute_script("return !!window.mxviz"):
            break
        time.sleep(0.1)
    return graph


def _assert_same_layout(js, py):
    assert js["width"] == pytest.approx(py["width"]) and js["height"] == pytest.approx(py["height"])
    assert js["boxes"].keys() == py["boxes"].keys()
    for key, box in py["boxes"].items():
        assert [js["boxes"][key][k] for k in "xywh"] == pytest.approx([box[k] for k in "xywh"]), key
    for a, b in zip(js["routes"], py["routes"]):
        assert (a is None) == (b is None)
        assert a is None or [c for p in a for c in p] == pytest.approx([c for p in b for c in p])


def test_viewer_renders_every_node_with_the_python_layout(driver, page):
    assert driver.execute_script(VISIBLE_NODES) == len(page.document["nodes"])
    _assert_same_layout(driver.execute_script("return window.mxviz.layout()"), page.layout())
    assert driver.execute_script("return document.querySelectorAll('path.edge:not(.hidden)').length") == \
        len(page.document["routes"])


def test_clicking_a_node_shows_its_details(driver, page):
    from selenium.webdriver.common.by import By
    key, node = next((k, n) for k, n in page.document["nodes"].items() if n["op"] == "Convolution")
    driver.find_element(By.CSS_SELECTOR, f'g.node[data-node="{key}"] rect').click()
    panel = driver.find_element(By.ID, "mxviz-panel-body").text
    assert node["name"] in panel and "Convolution" in panel and "num_filter" in panel
    assert f"{node['params']:,}" in panel and node["outputs"][0] in panel
    assert "selected" in driver.find_element(By.CSS_SELECTOR, f'g.node[data-node="{key}"]').get_attribute("class")


def test_clicking_a_group_collapses_and_expands_it(driver, page):
    from selenium.webdriver.common.by import By
    name = "ssd0_featureexpander0_mobilenet0_"
    before = driver.execute_script(VISIBLE_NODES)
    driver.execute_script("window.mxviz.fit()")
    driver.find_element(By.CSS_SELECTOR, f'g.group-head[data-group="{name}"] text').click()
    assert driver.execute_script(VISIBLE_NODES) == before - page.document["groups"][name]["count"]
    assert driver.execute_script("return window.mxviz.state().collapsed") == [name]
    _assert_same_layout(driver.execute_script("return window.mxviz.layout()"), layout_document(page.document, [name]))
    assert name in driver.find_element(By.ID, "mxviz-panel-body").text
    driver.execute_script("window.mxviz.fit()")
    driver.save_screenshot(SCREENSHOT)
    driver.find_element(By.CSS_SELECTOR, f'g.group[data-group="{name}"] > rect.group-box').click()
    assert driver.execute_script(VISIBLE_NODES) == before
    assert driver.execute_script("return window.mxviz.state().collapsed") == []


def test_zoom_buttons_and_drag_move_the_view(driver, page):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    state = "return window.mxviz.state().view"
    k0 = driver.execute_script(state)["k"]
    driver.find_element(By.ID, "mxviz-zoom-in").click()
    assert driver.execute_script(state)["k"] == pytest.approx(k0 * 1.25)
    driver.find_element(By.ID, "mxviz-zoom-out").click()
    assert driver.execute_script(state)["k"] == pytest.approx(k0)
    v0 = driver.execute_script(state)
    canvas = driver.find_element(By.ID, "mxviz-canvas")
    ActionChains(driver).move_to_element_with_offset(canvas, -400, 0).click_and_hold() \
        .move_by_offset(60, 40).release().perform()
    v1 = driver.execute_script(state)
    assert (v1["x"] - v0["x"], v1["y"] - v0["y"]) == pytest.approx((60, 40), abs=2)
