"""mx.viz: print_summary and plot_network against MXNet 1.9.1 output, layout invariants, inputs, CLI."""
import contextlib
import io
import json
from pathlib import Path

import pytest

import ssdkit.viz as viz
from ssdkit.base import MXNetError
from ssdkit.viz.cli import main
from ssdkit.viz.dot import dot_source
from ssdkit.viz.geometry import layout_document
from ssdkit.viz.source import load_model

try:
    from viz_builder import ssd_feature_expander, toy_ssd
except ImportError:  # tests/ imported as a package
    from tests.viz_builder import ssd_feature_expander, toy_ssd

DATA = Path(__file__).resolve().parent / "data" / "viz"
MXNET_DATA = Path(__file__).resolve().parent / "data" / "mxnet"
TOY_JSON = DATA / "toyssd-symbol.json"


@pytest.fixture(scope="module")
def toy_shapes():
    return json.loads((DATA / "toyssd-shapes.json").read_text())


@pytest.fixture(scope="module", params=["toy_ssd", "ssd_feature_expander"])
def synthetic(request):
    conf, shapes = {"toy_ssd": toy_ssd, "ssd_feature_expander": ssd_feature_expander}[request.param]()
    return viz.plot_network(conf, shapes=shapes, title=request.param)


# ------------------------------------------------------------------------------ MXNet oracles
def test_print_summary_matches_mxnet_text(toy_shapes, capsys):
    viz.print_summary(str(TOY_JSON), shapes=toy_shapes)
    assert capsys.readouterr().out == (DATA / "toyssd-summary.txt").read_text()


def test_dot_source_matches_mxnet_plot_network(toy_shapes):
    model = load_model(TOY_JSON, shapes=toy_shapes)
    expected = (DATA / "toyssd-plot.dot").read_text().rstrip()
    assert dot_source(model, "toyssd", clusters=False) == expected
    with_clusters = dot_source(model, "toyssd")
    assert with_clusters.count("subgraph cluster_") == 5
    assert set(expected.splitlines()[:-1]) <= set(with_clusters.splitlines())


def test_groups_and_parameter_counts_follow_gluon_scopes(toy_shapes):
    graph = viz.plot_network(TOY_JSON, shapes=toy_shapes)
    assert graph.groups == ["toyssd0_", "toyssd0_hybridsequential0_", "toyssd0_hybridsequential1_",
                            "toyssd0_hybridsequential0_hybridsequential0_",
                            "toyssd0_hybridsequential0_hybridsequential1_"]
    groups = graph.document["groups"]
    # Learned parameters of the whole model = MXNet's "Total params" (BN gamma+beta, no moving stats).
    assert groups["toyssd0_"]["params"] == 17216
    inner = groups["toyssd0_hybridsequential0_hybridsequential0_"]
    assert (inner["label"], inner["count"], inner["params"]) == ("hybridsequential0", 7, 224 + 16 + 584 + 16)
    conv = next(n for n in graph.document["nodes"].values() if n["name"].endswith("hybridsequential0_conv0_fwd"))
    assert (conv["title"], conv["sub"], conv["params"], conv["outputs"]) == (
        "Convolution", "3x3/1x1, 8", 224, ["1x8x64x64"])


# ------------------------------------------------------------------------------ layout invariants
def _overlap(a, b):
    return a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]


def _check_layout(doc, geo):
    boxes = geo["boxes"]
    levels = {}
    for key in boxes:
        parent = doc["nodes"][key[1:]]["group"] if key[0] == "n" else doc["groups"][key[1:]]["parent"]
        levels.setdefault(parent, []).append(key)
    for parent, keys in levels.items():
        for i, a in enumerate(keys):
            for b in keys[i + 1:]:
                assert not _overlap(boxes[a], boxes[b]), (a, b)
            if parent:  # children lie inside their group's box
                outer, inner = boxes["g" + parent], boxes[a]
                assert outer["x"] <= inner["x"] and inner["x"] + inner["w"] <= outer["x"] + outer["w"] + 1e-9
                assert outer["y"] <= inner["y"] and inner["y"] + inner["h"] <= outer["y"] + outer["h"] + 1e-9
    for route, pts in zip(doc["routes"], geo["routes"]):
        src, dst = boxes.get(f"n{route['src']}"), boxes.get(f"n{route['dst']}")
        if src is None or dst is None or pts is None:
            continue
        assert pts[0][1] == pytest.approx(src["y"] + src["h"])
        assert pts[-1] == pytest.approx([dst["x"] + dst["w"] / 2, dst["y"]])
        assert all(b[1] >= a[1] - 1e-9 for a, b in zip(pts, pts[1:])), "edges run downwards"


def test_layout_is_layered_non_overlapping_and_routes_connect(synthetic):
    doc = synthetic.document
    for plan in doc["plans"].values():
        layer_of = {k: i for i, l in enumerate(plan["layers"]) for k in l["items"]}
        for ed in plan["edges"]:
            assert not ed["rev"] and layer_of[ed["dst"]] == layer_of[ed["src"]] + len(ed["dummies"]) + 1
    geo = synthetic.layout()
    assert len([k for k in geo["boxes"] if k[0] == "n"]) == len(doc["nodes"])
    assert all(pts is not None for pts in geo["routes"])
    _check_layout(doc, geo)
    assert layout_document(doc) == geo, "deterministic"


def test_collapsing_a_group_hides_members_and_reroutes_edges(synthetic):
    doc = synthetic.document
    name = max(doc["groups"], key=lambda g: (doc["groups"][g]["count"], g.count("_")) if g.count("_") > 1 else (0, 0))
    geo_open = synthetic.layout()
    geo = layout_document(doc, [name])
    box = geo["boxes"]["g" + name]
    assert (box["w"], box["h"]) == (doc["groups"][name]["cw"], doc["groups"][name]["ch"])
    hidden = [k for k in doc["nodes"] if f"n{k}" not in geo["boxes"]]
    assert len(hidden) == doc["groups"][name]["count"]
    assert geo["height"] < geo_open["height"]
    _check_layout(doc, geo)
    for route, pts in zip(doc["routes"], geo["routes"]):
        inside = [str(route[end]) in hidden for end in ("src", "dst")]
        if all(inside):
            assert pts is None
        elif inside[1]:   # an edge into the block ends on its top border
            assert pts[-1][1] == pytest.approx(box["y"]) and box["x"] <= pts[-1][0] <= box["x"] + box["w"]
        elif inside[0]:   # and one out of it starts on its bottom border
            assert pts[0][1] == pytest.approx(box["y"] + box["h"])


def test_cycle_between_groups_is_drawn_with_a_reversed_edge():
    names = ["data", "a0_x", "b0_x", "a0_y", "b0_y"]  # a0 -> b0 -> a0 -> b0 at the group level
    conf = {"nodes": [{"op": "null" if i == 0 else "relu", "name": n, "inputs": [[i - 1, 0, 0]] if i else []}
                      for i, n in enumerate(names)], "heads": [[4, 0, 0]]}
    graph = viz.plot_network(conf)
    assert any(ed["rev"] for ed in graph.document["plans"][""]["edges"])
    geo = graph.layout()
    assert all(pts is not None and len(pts) >= 2 for pts in geo["routes"])


def test_edge_labels_are_shapes_without_batch_axis(toy_shapes):
    svg = viz.plot_network(TOY_JSON, shapes=toy_shapes).svg
    assert ">8x64x64</text>" in svg and ">1024x4</text>" in svg
    bare = viz.plot_network(TOY_JSON).svg
    assert "8x64x64" not in bare and 'class="elabel hidden"' in bare


# ------------------------------------------------------------------------------ inputs and outputs
def test_accepts_dict_text_path_symbol_and_block(tmp_path):
    conf, shapes = toy_ssd()
    path = tmp_path / "toy-symbol.json"
    path.write_text(json.dumps(conf))
    counts = {len(viz.plot_network(src, shapes=shapes).document["nodes"])
              for src in (conf, json.dumps(conf), str(path), path)}
    assert len(counts) == 1

    class FakeSymbol:  # only tojson() and the internals' infer_shape are used
        def tojson(self):
            return json.dumps(conf)

        def get_internals(self):
            outer = self

            class Internals:
                def list_outputs(self):
                    return list(shapes)

                def infer_shape(self, **kw):
                    assert kw == {"data": (1, 3, 256, 256)}
                    return None, list(shapes.values()), None
            return Internals()
    graph = viz.plot_network(FakeSymbol(), shape={"data": (1, 3, 256, 256)})
    assert graph.document["entries"]["0:0"] == "3x256x256"


def test_real_symbol_and_block_through_the_symbol_layer(capsys):
    sym_mod = pytest.importorskip("ssdkit.symbol")
    x = sym_mod.var("data")
    y = sym_mod.Activation(sym_mod.FullyConnected(x, num_hidden=4, name="net0_fc0"), act_type="relu",
                           name="net0_relu0")
    graph = viz.plot_network(y, shape={"data": (2, 3)})
    assert graph.document["entries"] == {"0:0": "3", "3:0": "4"}
    viz.print_summary(y, shape={"data": (2, 3)})
    assert "net0_fc0(FullyConnected)" in capsys.readouterr().out

    class Block:  # the duck type plot_network traces: callable with collect_params
        def collect_params(self):
            return {}

        def __call__(self, data):
            return sym_mod.FullyConnected(data, num_hidden=2, name="blk0_fc0")
    assert [n["name"] for n in viz.plot_network(Block()).document["nodes"].values()] == ["data", "blk0_fc0"]


@pytest.mark.parametrize("bad, match", [
    ("{not json", "not JSON|expected MXNet symbol JSON"),
    ('{"heads": []}', "no 'nodes' list"),
    ('{"nodes": [{"op": "relu", "name": "r", "inputs": [[3, 0, 0]]}]}', r"node 0 \(r\) has input \[3, 0, 0\]"),
    ("missing-symbol.json", "cannot read symbol file 'missing-symbol.json'"),
])
def test_bad_input_raises_mxnet_error_naming_the_problem(bad, match):
    with pytest.raises(MXNetError, match=match):
        viz.plot_network(bad)
    with pytest.raises(MXNetError, match="expected MXNet symbol JSON, a path"):
        viz.plot_network(42)


def test_save_chooses_format_by_extension(tmp_path, toy_shapes):
    graph = viz.plot_network(TOY_JSON, shapes=toy_shapes, title="toy", save_format="svg")
    html = Path(graph.save(tmp_path / "a.html")).read_text()
    assert html.startswith("<!DOCTYPE html>") and 'id="mxviz-data"' in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in html
    assert Path(graph.save(tmp_path / "a.svg")).read_text().startswith("<svg")
    assert Path(graph.save(tmp_path / "a.dot")).read_text().startswith("digraph toy {")
    assert graph.render("b", directory=str(tmp_path)).endswith("b.svg")
    assert graph._repr_svg_().startswith("<svg") and graph._repr_html_().startswith("<iframe srcdoc=")
    with pytest.raises(MXNetError, match="save_format"):
        viz.plot_network(TOY_JSON, save_format="pdf")
    with pytest.raises(MXNetError, match="collapsed names no group"):
        viz.plot_network(TOY_JSON, collapsed=["nope_"])


def test_collapsed_svg_draws_blocks(toy_shapes):
    name = "toyssd0_hybridsequential0_"
    svg = viz.plot_network(TOY_JSON, shapes=toy_shapes, collapsed=[name]).svg
    assert f'class="group depth2 collapsed" data-group="{name}"' in svg
    assert f'class="group-head depth2 collapsed" data-group="{name}"' in svg
    assert svg.count('class="node hidden"') == 14


def test_cli_writes_html_and_prints_summary(tmp_path, capsys):
    out = tmp_path / "toy.html"
    assert main([str(TOY_JSON), "-o", str(out), "--shapes", str(DATA / "toyssd-shapes.json"),
                 "--collapse", "toyssd0_hybridsequential1_"]) == 0
    assert "toyssd0_hybridsequential1_" in out.read_text()
    assert main([str(TOY_JSON), "--summary", "--shapes", str(DATA / "toyssd-shapes.json")]) == 0
    assert capsys.readouterr().out.endswith((DATA / "toyssd-summary.txt").read_text())
    assert main([str(tmp_path / "nope-symbol.json")]) == 1
    assert "cannot read symbol file" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([str(TOY_JSON), "--shape", "data=1,a"])


@pytest.mark.parametrize("path", sorted(MXNET_DATA.glob("*-symbol.json")), ids=lambda p: p.name)
def test_real_mxnet_exports_render(path, tmp_path):
    conf = json.loads(path.read_text())
    graph = viz.plot_network(path)
    visible = [n for n in conf["nodes"] if not (n["op"] == "null" and n["name"].endswith(
        ("_weight", "_bias", "_gamma", "_beta", "_running_mean", "_running_var", "_moving_mean", "_moving_var")))]
    assert len(graph.document["nodes"]) == len(visible)
    _check_layout(graph.document, graph.layout())
    assert Path(graph.save(tmp_path / "x.html")).stat().st_size > 0
    with contextlib.redirect_stdout(io.StringIO()) as buf:
        viz.print_summary(path)
    assert buf.getvalue().count("(") >= len(visible)
