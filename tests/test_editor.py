"""ssdkit-editor without the page: the document model, shape checking, export round trips, the server API and
its access rules, the command line."""
import importlib.util
import json
import re
import urllib.error
import urllib.request

import numpy as np
import pytest

import ssdkit as mx
from ssdkit import nd
from ssdkit.editor import DocumentError, check_document, export_python, from_symbol_json, load_model, to_symbol_json
from ssdkit.editor.cli import main
from ssdkit.editor.server import EditorServer
from ssdkit.editor.shapes import infer_document
from ssdkit.gluon import nn


def _import(path, name="exported_net"):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _built(code, init=None):
    """The exported module's ``Net()``, initialised."""
    namespace = {}
    exec(compile(code, "<exported>", "exec"), namespace)
    block = namespace["Net"]()
    block.initialize(init or mx.init.Uniform())
    return block


def _chain(*nodes):
    """A document: input ``data`` then ``nodes`` (name, op, attrs) each fed by the one before."""
    doc = {"nodes": [{"name": "data", "op": "null", "shape": [2, 3, 8, 8]}], "edges": [], "outputs": []}
    prev = "data"
    for name, op, attrs in nodes:
        doc["nodes"].append({"name": name, "op": op, "attrs": attrs})
        doc["edges"].append({"src": prev, "out": 0, "dst": name, "slot": "data"})
        prev = name
    doc["outputs"] = [[prev, 0]]
    return doc


@pytest.fixture
def small_export(tmp_path):
    net = nn.HybridSequential(prefix="small_")
    with net.name_scope():
        net.add(nn.Conv2D(6, 3, padding=1, use_bias=False), nn.BatchNorm(), nn.Activation("relu"),
                nn.Conv2DTranspose(5, 3, strides=2, padding=1, output_padding=1), nn.MaxPool2D(2),
                nn.Dropout(0.3), nn.Flatten(), nn.Dense(4), nn.LeakyReLU(0.2))
    net.initialize(mx.init.Xavier())
    net.hybridize()
    x = nd.random.uniform(shape=(2, 3, 8, 8))
    net(x)
    for name, param in net.collect_params().items():   # statistics that are not 0 and 1, so a mix-up shows
        if "running" in name:
            param.set_data(nd.random.uniform(0.5, 1.5, shape=param.shape))
    net.export(str(tmp_path / "small"))
    return net, x, tmp_path


# ---------------------------------------------------------------------- document
@pytest.mark.parametrize("doc, node, words", [
    ({"nodes": [{"name": "a", "op": "Convolution", "attrs": {"kernel": "(3, 3)"}}], "outputs": [["a", 0]]},
     "a", "num_filter is missing"),
    ({"nodes": [{"name": "x", "op": "null"}, {"name": "x", "op": "relu"}], "outputs": []}, "x", "used twice"),
    ({"nodes": [{"name": "r", "op": "relu"}], "outputs": [["r", 0]]}, "r", "input data is not connected"),
    ({"nodes": [{"name": "x", "op": "null"}, {"name": "r", "op": "relu"}],
      "edges": [{"src": "x", "out": 0, "dst": "r", "slot": "lhs"}], "outputs": [["r", 0]]}, "r", "no input 'lhs'"),
    ({"nodes": [{"name": "x", "op": "null"}, {"name": "r", "op": "relu"}],
      "edges": [{"src": "ghost", "out": 0, "dst": "r", "slot": "data"}], "outputs": [["r", 0]]}, "r", "'ghost'"),
    ({"nodes": [{"name": "a", "op": "relu"}, {"name": "b", "op": "relu"}],
      "edges": [{"src": "a", "out": 0, "dst": "b", "slot": "data"}, {"src": "b", "out": 0, "dst": "a", "slot": "data"}],
      "outputs": [["b", 0]]}, None, "cycle"),
    ({"nodes": [{"name": "x", "op": "null"}], "outputs": [["x", 3]]}, "x", "no output 3"),
])
def test_malformed_documents_are_refused_naming_the_node(doc, node, words):
    with pytest.raises(DocumentError, match=words) as err:
        check_document(doc)
    if node:
        assert err.value.node == node and str(err.value).startswith(f"node {node}: ")
    else:
        assert err.value.node in ("a", "b")


def test_not_a_document():
    for bad in (None, [], {"nodes": "x"}, {"nodes": [{"op": "relu"}]}):
        with pytest.raises(DocumentError):
            check_document(bad)


def test_symbol_json_round_trip_keeps_names_and_weights(small_export):
    _, _, folder = small_export
    conf = json.loads((folder / "small-symbol.json").read_text())
    doc = from_symbol_json(conf)
    again = to_symbol_json(doc)
    assert [n["name"] for n in again["nodes"]] == [n["name"] for n in conf["nodes"]]
    assert again["heads"] == conf["heads"]
    back = mx.sym.load_json(json.dumps(again))
    original = mx.sym.load(str(folder / "small-symbol.json"))
    assert back.list_arguments() == original.list_arguments()
    assert back.list_auxiliary_states() == original.list_auxiliary_states()
    bn = next(n for n in doc["nodes"] if n["op"] == "BatchNorm")
    assert bn["params"]["moving_mean"] == "small_batchnorm0_running_mean"


def test_damaged_symbol_json_names_the_node():
    conf = {"nodes": [{"op": "null", "name": "data", "inputs": []},
                      {"op": "Convolution", "name": "conv9", "attrs": {"kernel": "(3, 3)"}, "inputs": [[0, 0, 0]]}],
            "heads": [[1, 0, 0]]}
    with pytest.raises(mx.base.MXNetError, match="conv9"):
        from_symbol_json(conf)


# ---------------------------------------------------------------------- shapes
def test_shapes_and_the_ops_own_error_on_its_node():
    doc = _chain(("c0", "Convolution", {"kernel": "(3, 3)", "num_filter": "4"}),
                 ("fc", "FullyConnected", {"num_hidden": "5"}))
    ok = infer_document(doc)
    assert ok["ok"] and ok["nodes"]["c0"]["outputs"] == [[2, 4, 6, 6]] and ok["nodes"]["fc"]["params"]["weight"] == [5, 144]
    doc["nodes"][1]["attrs"]["kernel"] = "(9, 9)"
    bad = infer_document(doc)
    assert not bad["ok"] and bad["node"] == "c0"
    sym = mx.sym.Convolution(mx.sym.var("data"), kernel=(9, 9), num_filter=4, name="c0")
    with pytest.raises(mx.base.MXNetError) as err:
        sym.infer_shape(data=(2, 3, 8, 8))
    assert bad["error"] == str(err.value)   # the library's own message
    doc["nodes"][1]["attrs"]["kernel"] = "three"
    typed = infer_document(doc)
    assert typed["node"] == "c0" and "kernel" in typed["error"]


def test_shape_error_from_a_weight_names_its_node():
    doc = _chain(("c0", "Convolution", {"kernel": "(3, 3)", "num_filter": "4"}))
    doc["nodes"][1]["params"] = {"weight": "w0"}
    doc["nodes"][1]["param_attrs"] = {"w0": {"__shape__": "(4, 5, 3, 3)"}}
    bad = infer_document(doc)
    assert not bad["ok"] and bad["node"] == "c0", bad


# ---------------------------------------------------------------------- export
def test_python_export_round_trip_same_outputs_and_names(small_export):
    net, x, folder = small_export
    doc, params = load_model(str(folder / "small-symbol.json"))
    code = export_python(doc, params)
    for layer in ("nn.Conv2D(6, (3, 3), padding=(1, 1), use_bias=False, in_channels=3",
                  "nn.BatchNorm(axis=1", "nn.Activation(\"relu\"", "nn.MaxPool2D((2, 2), strides=(2, 2)",
                  "nn.Dropout(0.3", "nn.Flatten(", "nn.Dense(4, in_units=", "nn.LeakyReLU(0.2",
                  "nn.Conv2DTranspose(5, (3, 3), strides=(2, 2), padding=(1, 1), output_padding=(1, 1), in_channels=6"):
        assert layer in code, layer
    (folder / "small_net.py").write_text(code)
    exported = _import(folder / "small_net.py").Net()
    assert sorted(exported.collect_params()) == sorted(net.collect_params())
    exported.collect_params().load(str(folder / "small-0000.params"))
    np.testing.assert_allclose(exported(x).asnumpy(), net(x).asnumpy(), rtol=1e-5, atol=1e-6)
    # hybridized, and through load_parameters (the export's full names, as MXNet 1.x reads them)
    again = _import(folder / "small_net.py", "small_net2").Net()
    again.load_parameters(str(folder / "small-0000.params"))
    again.hybridize()
    np.testing.assert_allclose(again(x).asnumpy(), net(x).asnumpy(), rtol=1e-5, atol=1e-6)


def test_toyssd_cli_export_round_trip(tmp_path):
    net = mx.model_zoo.get_model("toyssd")
    net.initialize()
    net.hybridize()
    x = nd.random.uniform(shape=(1, 3, 64, 64))
    ref = net(x)
    net.export(str(tmp_path / "toy"))
    assert main(["export", str(tmp_path / "toy-symbol.json"), "-o", str(tmp_path / "toynet.py")]) == 0
    block = _import(tmp_path / "toynet.py", "toynet").Net()
    assert sorted(block.collect_params()) == sorted(net.collect_params())
    block.load_parameters(str(tmp_path / "toynet.params"))
    for a, b in zip(ref, block(x)):
        np.testing.assert_allclose(b.asnumpy(), a.asnumpy(), rtol=1e-5, atol=1e-6)
    assert main(["export", str(tmp_path / "toy"), "-o", str(tmp_path / "again-symbol.json")]) == 0
    block2 = mx.gluon.SymbolBlock.imports(str(tmp_path / "again-symbol.json"), ["data"],
                                          str(tmp_path / "again-0000.params"))
    for a, b in zip(ref, block2(x)):
        np.testing.assert_allclose(b.asnumpy(), a.asnumpy(), rtol=1e-5, atol=1e-6)


def test_ops_without_a_layer_are_F_calls_with_their_weights():
    doc = _chain(("c0", "Convolution", {"kernel": "(1, 1)", "num_filter": "2"}), ("act", "softmax", {"axis": "1"}))
    doc["nodes"][1]["params"] = {"weight": "shared_w", "bias": "b_other"}   # names no nn layer would give
    code = export_python(doc, shapes=infer_document(doc)["nodes"])
    assert 'self.params.get("shared_w", shape=(2, 3, 1, 1)' in code and "F.Convolution(data" in code
    assert "F.softmax(c0, axis=1)" in code
    block = _built(code)
    assert sorted(block.collect_params()) == ["b_other", "shared_w"]
    assert block(nd.ones((2, 3, 8, 8))).shape == (2, 2, 8, 8)


def test_a_shared_weight_stays_one_parameter():
    doc = _chain(("fc", "FullyConnected", {"num_hidden": "3"}), ("fc2", "FullyConnected", {"num_hidden": "3"}))
    doc["nodes"][0]["shape"] = [1, 3]
    doc["nodes"][2]["params"] = {"weight": "fc_weight", "bias": "fc_bias"}
    block = _built(export_python(doc))
    assert sorted(block.collect_params()) == ["fc_bias", "fc_weight"]
    x = nd.ones((1, 3))
    w, b = block.fc.weight.data(), block.fc.bias.data()
    expected = nd.dot(nd.dot(x, w.T) + b, w.T) + b
    np.testing.assert_allclose(block(x).asnumpy(), expected.asnumpy(), rtol=1e-6)


def test_export_cli_refuses_other_suffixes(tmp_path, capsys):
    assert main(["export", "toyssd", "-o", str(tmp_path / "x.txt")]) == 1
    assert "must end in .py or -symbol.json" in capsys.readouterr().err
    assert main(["export", "no-such-model", "-o", str(tmp_path / "x.py")]) == 1


# ---------------------------------------------------------------------- server
@pytest.fixture
def server(tmp_path):
    srv = EditorServer(tmp_path / "work", token="tok")
    (tmp_path / "work").mkdir()
    (tmp_path / "secret.json").write_text("{}")
    srv.start_in_thread()
    yield srv
    srv.shutdown()


def _call(server, path, body=None, token=True, headers=None):
    url = f"http://127.0.0.1:{server.port}{path}" + (("&" if "?" in path else "?") + "token=tok" if token else "")
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers=dict(headers or {}, **{"Content-Type": "application/json"}))
    try:
        with urllib.request.urlopen(request) as reply:
            return reply.status, json.loads(reply.read()) if "json" in reply.headers["Content-Type"] else reply.read()
    except urllib.error.HTTPError as err:
        body = err.read()
        return err.code, json.loads(body) if err.headers["Content-Type"] == "application/json" else body.decode()


def test_api_check_infer_layout_export(server, tmp_path):
    doc = _chain(("c0", "Convolution", {"kernel": "(3, 3)", "num_filter": "4"}), ("fl", "Flatten", {}))
    assert _call(server, "/api/check", {"doc": doc}) == (200, {"ok": True})
    status, reply = _call(server, "/api/check", {"doc": {"nodes": [{"name": "q", "op": "Nope"}]}})
    assert status == 400 and reply["node"] == "q" and "unknown op" in reply["error"]
    assert _call(server, "/api/infer", {"doc": doc})[1]["nodes"]["fl"]["outputs"] == [[2, 144]]
    positions = _call(server, "/api/layout", {"doc": doc})[1]["positions"]
    assert positions["data"]["y"] < positions["c0"]["y"] < positions["fl"]["y"]
    status, reply = _call(server, "/api/export", {"doc": doc, "format": "python", "name": "mine", "save": True})
    assert status == 200 and reply["written"] == ["mine.py"] and "class Mine(HybridBlock)" in reply["text"]
    assert (tmp_path / "work" / "mine.py").read_text() == reply["text"]
    status, reply = _call(server, "/api/export", {"doc": doc, "format": "symbol", "name": "mine", "save": True})
    assert mx.sym.load(str(tmp_path / "work" / "mine-symbol.json")).list_outputs() == ["fl_output"]
    doc["nodes"][1]["group"] = doc["nodes"][2]["group"] = "head"
    doc["groups"] = {"head": {"collapsed": True, "container": "HybridSequential"}}
    status, reply = _call(server, "/api/export", {"doc": doc, "format": "document", "name": "mine", "save": True})
    status, reply = _call(server, "/api/open", {"path": "mine.editor.json"})
    assert status == 200 and reply["document"]["outputs"] == [["fl", 0]]
    assert reply["document"]["groups"]["head"]["container"] == "HybridSequential"
    # a saved drawing exports from the command line too, its blocks nested
    out = tmp_path / "work" / "from_doc.py"
    assert main(["export", str(tmp_path / "work" / "mine.editor.json"), "-o", str(out)]) == 0
    assert 'self.head = nn.HybridSequential(prefix="")' in out.read_text()
    block = _import(out, "from_doc").Net()
    block.initialize()
    assert block(nd.ones((2, 3, 8, 8))).shape == (2, 144) and isinstance(block.head, nn.HybridSequential)
    status, reply = _call(server, "/api/open", {"path": "mine-symbol.json"})
    assert [n["name"] for n in reply["document"]["nodes"]] == ["data", "c0", "fl"]
    items = _call(server, "/api/palette")[1]["items"]
    assert {"nn.Conv2D", "nn.Dense", "nn.BatchNorm", "concat", "contrib.MultiBoxPrior"} <= {i["label"] for i in items}
    assert all(i["summary"] for i in items if i["kind"] == "layer")
    assert _call(server, "/api/op?name=Pooling")[1]["params"]["pool_type"][2] == ["max", "avg", "sum", "lp"]


def test_api_run_exported_code(server):
    doc = _chain(("fc", "FullyConnected", {"num_hidden": "3"}))
    del doc["nodes"][0]["shape"]
    reply = _call(server, "/api/run", {"doc": doc})[1]
    assert not reply["ok"] and reply["error"].startswith("input data has no shape")
    doc["nodes"][0]["shape"] = [2, 3, 8, 8]
    status, reply = _call(server, "/api/run", {"doc": doc})
    assert status == 200 and reply["ok"], reply
    assert reply["outputs"] == [[2, 3]] and reply["parameters"] == ["fc_bias", "fc_weight"]


def test_files_stay_inside_the_folder(server):
    for path in ("../secret.json", "/etc/passwd", "sub/../../secret.json", ""):
        status, reply = _call(server, "/api/open", {"path": path})
        assert status == 400 and ("outside the editor's folder" in reply["error"] or "not found" in reply["error"])
    doc = _chain(("fl", "Flatten", {}))
    for name in ("../evil", "/tmp/evil", "a/b"):
        status, reply = _call(server, "/api/export", {"doc": doc, "format": "python", "name": name, "save": True})
        assert status == 400 and "export name" in reply["error"]


def test_files_beside_an_opened_model_must_be_inside_too(server, tmp_path, small_export):
    _, _, folder = small_export
    work = server.folder
    (work / "small-symbol.json").write_text((folder / "small-symbol.json").read_text())
    (work / "small-0000.params").symlink_to(folder / "small-0000.params")   # weights that live elsewhere
    status, reply = _call(server, "/api/open", {"path": "small-symbol.json"})
    assert status == 400 and "outside the editor's folder" in reply["error"]
    (work / "link-symbol.json").symlink_to(folder / "small-symbol.json")
    status, reply = _call(server, "/api/open", {"path": "link-symbol.json"})
    assert status == 400 and "outside the editor's folder" in reply["error"]
    status, reply = _call(server, "/api/open", {"path": "toyssd"})    # a zoo name is no file of the folder
    assert status == 400 and "not found" in reply["error"]


def test_token_host_and_origin_are_checked(server):
    status, text = _call(server, "/api/document", token=False)
    assert status == 403 and "token" in text
    status, text = _call(server, "/api/document", headers={"Host": "evil.example:80"})
    assert status == 403 and "host" in text
    status, text = _call(server, "/api/run", {"doc": {}}, headers={"Origin": "http://evil.example"})
    assert status == 403 and "evil.example" in text
    request = urllib.request.Request(f"http://127.0.0.1:{server.port}/?token=tok")
    with urllib.request.urlopen(request) as reply:
        cookie = reply.headers["Set-Cookie"]
        page = reply.read().decode()
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and not re.search(r"(src|href)=.?https?:", page)
    request = urllib.request.Request(f"http://127.0.0.1:{server.port}/api/document",
                                     headers={"Cookie": cookie.split(";")[0]})
    with urllib.request.urlopen(request) as reply:
        assert reply.status == 200


def test_load_model_sources(tmp_path, small_export):
    _, _, folder = small_export
    doc, params = load_model(str(folder / "small"))      # an export prefix
    assert params and "small_dense0_weight" in params
    doc2, params2 = load_model(str(folder / "small-0000.params"))
    assert doc2 == doc and sorted(params2) == sorted(params)
    doc3, params3 = load_model("resnet18_v1", shape=(1, 3, 32, 32))
    assert any(n["op"] == "Convolution" for n in doc3["nodes"]) and len(params3) > 50
    with pytest.raises(mx.base.MXNetError, match="no file, export prefix or zoo name"):
        load_model(str(tmp_path / "nothing-here"))


# ---------------------------------------------------------------------- MXNet's own files
ORACLE = __import__("pathlib").Path(__file__).parent / "data" / "editor_oracle"


@pytest.mark.parametrize("stem", ["gluon", "module"])
def test_mxnet_made_files_import_and_export_to_python(stem, tmp_path):
    """Files written by real MXNet 1.9.1 (a Gluon export; an mx.sym checkpoint with Module-era names) import into
    the editor; the exported Python gives MXNet's outputs with the files' parameter names."""
    saved = np.load(ORACLE / "outputs.npz")
    doc, params = load_model(str(ORACLE / f"{stem}-symbol.json"))
    assert params is not None
    conf = json.loads((ORACLE / f"{stem}-symbol.json").read_text())
    assert to_symbol_json(doc)["heads"] == conf["heads"]
    code = export_python(doc, params)
    (tmp_path / f"{stem}_net.py").write_text(code)
    block = _import(tmp_path / f"{stem}_net.py", f"{stem}_net").Net()
    names = {k[4:] for k in nd.load(str(ORACLE / f"{stem}-0000.params"))}
    assert set(block.collect_params()) == names
    block.collect_params().load(str(ORACLE / f"{stem}-0000.params"))
    out = block(nd.array(saved["x"]))
    np.testing.assert_allclose(out.asnumpy(), saved[stem], rtol=1e-5, atol=1e-6)
    block.hybridize()
    np.testing.assert_allclose(block(nd.array(saved["x"])).asnumpy(), saved[stem], rtol=1e-5, atol=1e-6)
    if stem == "module":   # BatchNorm's moving_mean is no Gluon name: F.BatchNorm with the file's names
        assert 'self.params.get("bn1_moving_mean"' in code and "F.BatchNorm(" in code
        assert "nn.AvgPool2D((3, 3), strides=(2, 2), ceil_mode=True" in code


# ---------------------------------------------------------------------- groups -> nested blocks
def test_groups_export_as_nested_blocks_with_the_models_names(tmp_path):
    """A chain group is an nn.HybridSequential child, any other group a HybridBlock class of its own; built
    with no arguments the export has the loaded model's parameter names and gives its outputs."""
    net = mx.model_zoo.get_model("toyssd")
    net.initialize(mx.init.Xavier())
    net.hybridize()
    x = nd.random.uniform(shape=(1, 3, 64, 64))
    ref = net(x)
    net.export(str(tmp_path / "toy"))
    doc, params = load_model(str(tmp_path / "toy-symbol.json"))
    pre = net.prefix   # toyssd<N>_: N counts the toyssd made in this process before
    names = [n["name"][len(pre):] for n in doc["nodes"]]
    for node in doc["nodes"][1:names.index("pool5_fwd") + 1]:
        node["group"] = "body"
    for node in doc["nodes"][names.index("conv6_fwd"):names.index("concat2") + 1]:
        node["group"] = "class head"
    for node in doc["nodes"][names.index("conv0_fwd"):names.index("multiboxprior1") + 1]:
        node["group"] = "stage 2"   # two outputs: the feature map and its anchors
    code = export_python(doc, params)
    (tmp_path / "grouped.py").write_text(code)
    assert f'self.body = nn.HybridSequential(prefix="{pre}")' in code
    assert "class ClassHead(HybridBlock):" in code and f'self.class_head = ClassHead(prefix="{pre}")' in code
    assert 'self.conv6 = nn.Conv2D(8, (3, 3), padding=(1, 1), in_channels=64, prefix="conv6_")' in code
    assert "class Stage2(HybridBlock):" in code and "= self.stage_2(" in code
    module = _import(tmp_path / "grouped.py", "grouped_toy")
    block = module.Net()
    assert isinstance(block.body, nn.HybridSequential) and len(block.body) == 21
    assert type(block.class_head).__name__ == "ClassHead" and type(block.stage_2).__name__ == "Stage2"
    assert sorted(block.collect_params()) == sorted(net.collect_params())
    block.load_parameters(str(tmp_path / "toy-0000.params"))
    for hybrid in (False, True):
        if hybrid:
            block.hybridize()
        for a, b in zip(ref, block(x)):
            np.testing.assert_allclose(b.asnumpy(), a.asnumpy(), rtol=1e-5, atol=1e-6)
    block.export(str(tmp_path / "again"))   # and the nested export is an MXNet graph again
    back = mx.gluon.SymbolBlock.imports(str(tmp_path / "again-symbol.json"), ["data"],
                                        str(tmp_path / "again-0000.params"))
    assert sorted(back.collect_params()) == sorted(net.collect_params())


def test_a_group_with_own_weights_and_several_inputs():
    """F calls inside a block keep their weights' full names; a two-input group takes both."""
    doc = _chain(("c0", "Convolution", {"kernel": "(1, 1)", "num_filter": "3"}))
    doc["nodes"] += [{"name": "res_conv", "op": "Convolution", "attrs": {"kernel": "(3, 3)", "num_filter": "3",
                                                                        "pad": "(1, 1)"},
                      "params": {"weight": "res_w", "bias": "res_b"}, "group": "res"},
                     {"name": "res_add", "op": "elemwise_add", "group": "res"}]
    doc["edges"] += [{"src": "c0", "out": 0, "dst": "res_conv", "slot": "data"},
                     {"src": "res_conv", "out": 0, "dst": "res_add", "slot": "lhs"},
                     {"src": "data", "out": 0, "dst": "res_add", "slot": "rhs"}]
    doc["outputs"] = [["res_add", 0]]
    code = export_python(doc)
    assert "class Res(HybridBlock):" in code and 'self.res_w = self.params.get("res_w"' in code, code
    assert "def hybrid_forward(self, F, c0, data, res_w, res_b):" in code
    block = _built(code)
    assert sorted(block.collect_params()) == ["c0_bias", "c0_weight", "res_b", "res_w"]
    x = nd.random.uniform(shape=(2, 3, 8, 8))
    p = {k: v.data() for k, v in block.collect_params().items()}
    c0 = nd.Convolution(x, p["c0_weight"], p["c0_bias"], kernel=(1, 1), num_filter=3)
    expected = nd.Convolution(c0, p["res_w"], p["res_b"], kernel=(3, 3), num_filter=3, pad=(1, 1)) + x
    np.testing.assert_allclose(block(x).asnumpy(), expected.asnumpy(), rtol=1e-5, atol=1e-6)


def test_a_group_that_is_not_one_piece_is_refused_naming_the_node_between():
    doc = _chain(("a", "relu", {}), ("b", "sigmoid", {}), ("c", "tanh", {}))
    doc["nodes"][1]["group"] = doc["nodes"][3]["group"] = "blk"
    with pytest.raises(DocumentError, match="block blk is not one piece") as err:
        export_python(doc)
    assert err.value.node == "b"


# ---------------------------------------------------------------------- palette from gluon.nn
def test_the_palette_holds_every_gluon_nn_layer():
    from ssdkit.editor.palette import layer_names, palette
    items = {item["label"]: item for item in palette()}
    for name in nn.__all__:
        if name not in ("Block", "HybridBlock", "SymbolBlock"):
            assert f"nn.{name}" in items, name
            assert items[f"nn.{name}"]["kind"] != "unavailable", items[f"nn.{name}"]
    for name in ("HybridConcurrent", "Concurrent", "Identity", "Swish", "HybridLambda", "Lambda"):
        assert f"nn.{name}" in items
    assert items["nn.HybridSequential"]["kind"] == "container" and items["nn.Swish"]["kind"] == "template"
    assert all(item["summary"] for item in items.values() if item["label"].startswith("nn.")), \
        [k for k, v in items.items() if k.startswith("nn.") and not v["summary"]]
    assert len(layer_names()) >= 24


def _layer_doc(item, shape):
    doc = {"nodes": [{"name": "data", "op": "null", "shape": list(shape)},
                     {"name": "layer0", "op": item["op"], "attrs": dict(item["attrs"])}],
           "edges": [{"src": "data", "out": 0, "dst": "layer0", "slot": "data"}], "outputs": [["layer0", 0]]}
    return doc


_SHAPES_1D, _SHAPES_3D = (2, 3, 9), (2, 3, 4, 6, 6)


@pytest.mark.parametrize("label, shape", [(label, (2, 3, 8, 8)) for label in (
    "nn.Dense", "nn.Conv2D", "nn.Conv2DTranspose", "nn.BatchNorm", "nn.Activation", "nn.LeakyReLU", "nn.PReLU",
    "nn.ELU", "nn.SELU", "nn.GELU", "nn.MaxPool2D", "nn.AvgPool2D", "nn.GlobalMaxPool2D", "nn.GlobalAvgPool2D",
    "nn.Dropout", "nn.Flatten", "nn.HybridLambda", "nn.ReflectionPad2D", "nn.BatchNormReLU", "nn.InstanceNorm",
    "nn.LayerNorm", "nn.GroupNorm")] + [(label, _SHAPES_1D) for label in (
    "nn.Conv1D", "nn.Conv1DTranspose", "nn.MaxPool1D", "nn.AvgPool1D", "nn.GlobalMaxPool1D", "nn.GlobalAvgPool1D")]
    + [(label, _SHAPES_3D) for label in (
    "nn.Conv3D", "nn.Conv3DTranspose", "nn.MaxPool3D", "nn.AvgPool3D", "nn.GlobalMaxPool3D", "nn.GlobalAvgPool3D")])
def test_each_one_op_layer_exports_as_that_layer(label, shape):
    """Dropped from the palette, a layer exports as itself, with the drawing's parameter names, and computes
    what the op computes."""
    from ssdkit.editor.palette import palette
    item = next((i for i in palette() if i["label"] == label), None)
    assert item is not None, f"{label} is missing from the palette"
    doc = _layer_doc(item, shape)
    if item.get("layer"):
        doc["nodes"][1]["layer"] = item["layer"]
    if item.get("weights"):   # as the page names them
        doc["nodes"][1]["params"] = {slot: "layer0_" + suffix for slot, suffix in item["weights"].items()}
    code = export_python(doc)
    assert f"self.layer0 = {label}(" in code, code
    block = _built(code, mx.init.Uniform(0.5))
    x = nd.random.uniform(-1, 1, shape=shape)
    out = block(x)
    params = {k: v.data() for k, v in block.collect_params().items()}
    assert sorted(params) == sorted(mx.sym.load_json(json.dumps(to_symbol_json(doc))).list_arguments()[1:] +
                                    mx.sym.load_json(json.dumps(to_symbol_json(doc))).list_auxiliary_states())
    sym = mx.sym.load_json(json.dumps(to_symbol_json(doc)))
    args = dict(params, data=x)
    expected = sym.eval_with(args) if hasattr(sym, "eval_with") else \
        sym.bind(mx.cpu(), {k: v for k, v in args.items() if k in sym.list_arguments()},
                 aux_states={k: v for k, v in args.items() if k in sym.list_auxiliary_states()}).forward()[0]
    np.testing.assert_allclose(out.asnumpy(), expected.asnumpy(), rtol=1e-5, atol=1e-6)


def test_swish_lambda_and_concurrent_from_the_palette_export_as_those_layers():
    from ssdkit.editor.palette import palette
    items = {i["label"]: i for i in palette()}
    tpl = items["nn.Swish"]["template"]
    doc = {"nodes": [{"name": "data", "op": "null", "shape": [2, 3, 8, 8]}], "edges": [], "outputs": [],
           "groups": {"swish0": {"collapsed": False, "layer": "Swish", "args": {}},
                      "branches": {"collapsed": False, "container": "HybridConcurrent"}}}
    for t in tpl["nodes"]:
        doc["nodes"].append({"name": "swish0_" + t["name"], "op": t["op"], "attrs": dict(t["attrs"]), "group": "swish0"})
    doc["edges"] += [{"src": "swish0_" + e["src"], "out": e["out"], "dst": "swish0_" + e["dst"], "slot": e["slot"]}
                     for e in tpl["edges"]]
    doc["edges"].append({"src": "data", "out": 0, "dst": "swish0_in", "slot": "data"})
    swished = "swish0_" + tpl["output"][0]
    # a HybridConcurrent: conv | conv -> relu | the input itself, joined along the channels
    doc["nodes"] += [
        {"name": "b0", "op": "Convolution", "attrs": {"kernel": "(1, 1)", "num_filter": "4"}, "group": "branches"},
        {"name": "b1", "op": "Convolution", "attrs": {"kernel": "(3, 3)", "num_filter": "2", "pad": "(1, 1)"},
         "group": "branches"},
        {"name": "b1r", "op": "tanh", "layer": "HybridLambda", "group": "branches"},
        {"name": "cat", "op": "Concat", "attrs": {"num_args": "3", "dim": "1"}, "group": "branches"}]
    doc["edges"] += [{"src": swished, "out": 0, "dst": "b0", "slot": "data"},
                     {"src": swished, "out": 0, "dst": "b1", "slot": "data"},
                     {"src": "b1", "out": 0, "dst": "b1r", "slot": "data"},
                     {"src": "b0", "out": 0, "dst": "cat", "slot": "arg0"},
                     {"src": "b1r", "out": 0, "dst": "cat", "slot": "arg1"},
                     {"src": swished, "out": 0, "dst": "cat", "slot": "arg2"}]
    doc["outputs"] = [["cat", 0]]
    code = export_python(doc)
    assert 'self.swish0 = nn.Swish(prefix="swish0_")' in code, code
    assert "self.branches = HybridConcurrent(axis=1" in code and 'nn.HybridLambda("tanh", prefix="b1r_")' in code
    assert "self.branches.add(Identity())" in code
    block = _built(code)
    assert sorted(block.collect_params()) == ["b0_bias", "b0_weight", "b1_bias", "b1_weight"]
    x = nd.random.uniform(-1, 1, shape=(2, 3, 8, 8))
    p = {k: v.data() for k, v in block.collect_params().items()}
    s = x * nd.sigmoid(x)
    expected = nd.concat(nd.Convolution(s, p["b0_weight"], p["b0_bias"], kernel=(1, 1), num_filter=4),
                         nd.tanh(nd.Convolution(s, p["b1_weight"], p["b1_bias"], kernel=(3, 3), num_filter=2,
                                                pad=(1, 1))), s, dim=1)
    np.testing.assert_allclose(block(x).asnumpy(), expected.asnumpy(), rtol=1e-5, atol=1e-6)
    doc["nodes"][2]["attrs"]["scalar"] = "2.0"   # no longer what nn.Swish() runs: a block of its own
    assert "nn.Swish(" not in export_python(doc) and "class Swish0(HybridBlock)" in export_python(doc)


def test_a_zoo_network_opens_with_its_blocks_and_exports_them_nested(tmp_path):
    """A Block's stages become groups; the export nests them and keeps the network's names and outputs."""
    from ssdkit.editor.loading import block_model
    from ssdkit.gluon.model_zoo.vision import get_model
    net = get_model("resnet18_v1")
    net.initialize(mx.init.Xavier())
    x = nd.random.uniform(shape=(1, 3, 64, 64))
    doc, params = block_model(net, (1, 3, 64, 64), initialized=True)
    assert {n.get("group") for n in doc["nodes"]} == {None, "stage1", "stage2", "stage3", "stage4"}
    (tmp_path / "r18.py").write_text(export_python(doc, params))
    block = _import(tmp_path / "r18.py", "r18").Net()
    assert [type(getattr(block, f"stage{i}")).__name__ for i in (1, 2, 3, 4)] == ["Stage1", "Stage2", "Stage3",
                                                                                  "Stage4"]
    assert sorted(block.collect_params().keys()) == sorted(net.collect_params().keys())
    net.collect_params().save(str(tmp_path / "r18-mine.params"))   # full names, as export writes them
    block.load_parameters(str(tmp_path / "r18-mine.params"))
    np.testing.assert_allclose(block(x).asnumpy(), net(x).asnumpy(), rtol=1e-4, atol=1e-5)
    assert main(["export", "resnet18_v1", "--shape", "data=1,3,32,32", "-o", str(tmp_path / "cli.py")]) == 0
    assert "class Stage4(HybridBlock):" in (tmp_path / "cli.py").read_text()
