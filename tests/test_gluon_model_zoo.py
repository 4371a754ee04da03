"""mx.gluon.model_zoo.vision against MXNet 1.9.1 (oracle: tests/data/model_zoo_oracle/, made by real MXNet).

- structure: all 34 models' parameter names, order and shapes, output and ``features`` shapes, naming counters;
- files: weights written by MXNet's ``save_parameters`` load and give MXNet's predict-mode outputs, imperative
  and hybridized;
- seeded: full-size models filled with the same seed-made weights on both sides give MXNet's outputs;
- pretrained: MXNet's file names and SHA-1 checks under ``root=`` / ``$MXNET_HOME/models``, the absent-file error;
- bad input: unknown model names, weight files of another model.
"""
import hashlib
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

import ssdkit as mx
from ssdkit.gluon.model_zoo import vision, model_store
from ssdkit.gluon.parameter import ParameterLoadError
from ssdkit.symbol.naming import NameManager

ORACLE = Path(__file__).resolve().parent / "data" / "model_zoo_oracle"
sys.path.insert(0, str(ORACLE))
from seeded import seeded_values, seeded_input  # noqa: E402

STRUCTURE = json.loads((ORACLE / "structure.json").read_text())
FILES = json.loads((ORACLE / "files.json").read_text())
FILE_ARRAYS = np.load(ORACLE / "files.npz")
SEEDED = json.loads((ORACLE / "seeded.json").read_text())
SEEDED_ARRAYS = np.load(ORACLE / "seeded.npz")
RTOL = 1e-4


def _rel_err(actual, expected):
    return float(np.abs(actual - expected).max() / max(np.abs(expected).max(), 1e-12))


def _fresh(name, **kwargs):
    with NameManager():
        return vision.get_model(name, **kwargs)


# ---------------------------------------------------------------- structure
@pytest.mark.parametrize("name", list(STRUCTURE["models"]))
def test_names_order_and_shapes_equal_mxnet(name):
    expected = STRUCTURE["models"][name]
    net = _fresh(name)
    assert net.prefix == expected["prefix"] and type(net).__name__ == expected["class"]
    assert list(net.collect_params()) == [n for n, _ in expected["params"]]
    out = net(mx.sym.var("data"))
    arg_shapes, out_shapes, aux_shapes = out.infer_shape(data=tuple(expected["input"]))
    shapes = dict(zip(out.list_arguments(), arg_shapes))
    shapes.update(zip(out.list_auxiliary_states(), aux_shapes))
    assert [[n, list(shapes[n])] for n, _ in expected["params"]] == expected["params"]
    assert list(out_shapes[0]) == expected["output"]
    features = net.features(mx.sym.var("data")).infer_shape(data=tuple(expected["input"]))[1][0]
    assert list(features) == expected["features"]


def test_every_mxnet_model_is_known():
    assert vision.get_model_list() == list(STRUCTURE["models"])
    assert sorted(model_store._model_sha1) == sorted(STRUCTURE["models"])


@pytest.mark.parametrize("name", ["mobilenet0.25", "squeezenet1.1", "resnet18_v2"])
def test_forward_gives_mxnet_parameter_shapes(name):
    expected = STRUCTURE["models"][name]
    net = _fresh(name)
    net.initialize()
    assert net(mx.nd.zeros(tuple(expected["input"]))).shape == tuple(expected["output"])
    assert [[n, list(p.shape)] for n, p in net.collect_params().items()] == expected["params"]


def test_process_wide_counters_prefix_params_and_children():
    naming = STRUCTURE["naming"]
    with NameManager():
        first, second = vision.resnet18_v1(), vision.resnet18_v1()
        third = vision.get_model("resnet18_v2")
        fourth = vision.vgg11()
        shared = vision.resnet18_v1(params=first.collect_params())
        named = vision.resnet18_v1(prefix="mynet_", classes=7)
    assert [b.prefix for b in (first, second, third, fourth, shared, named)] == naming["sequence"]
    assert list(second.collect_params())[0] == naming["second_first_param"] == "resnetv11_conv0_weight"
    assert list(shared.collect_params())[:3] == naming["shared_params"]
    assert shared.features[0].weight is first.features[0].weight
    assert list(named.collect_params())[-2:] == naming["named_params"]
    assert named.output.weight.shape == (7, 512)
    with NameManager():
        assert list(vision.get_model("vgg11_bn", classes=10)._children) == naming["children_vgg11_bn"]
        net = vision.get_model("mobilenetv2_0.5")
        assert [[k, c.prefix] for k, c in net._children.items()] == naming["children_mobilenetv2"]


@pytest.mark.parametrize("version", [1, 2])
def test_thumbnail(version):
    expected = STRUCTURE["naming"][f"thumbnail_v{version}"]
    with NameManager():
        net = vision.get_resnet(version, 18, thumbnail=True, classes=10)
    net.initialize()
    assert list(net(mx.nd.zeros((2, 3, 32, 32))).shape) == expected["output"]
    assert [[n, list(p.shape)] for n, p in net.collect_params().items()] == expected["params"]


def test_reachable_as_mxnet_spells_it():
    from ssdkit.gluon.model_zoo import vision as imported
    assert mx.gluon.model_zoo.vision is imported
    assert mx.gluon.model_zoo.vision.resnet18_v1 is imported.get_model.__globals__["resnet18_v1"]
    assert mx.gluon.model_zoo.model_store.get_model_file is model_store.get_model_file
    assert mx.gluon.contrib.nn.HybridConcurrent.__name__ == "HybridConcurrent"


def test_seed_line_from_the_docs():
    with NameManager():
        vision.resnet18_v1()
        net = vision.resnet18_v1()
    net.initialize()
    net(mx.nd.zeros((1, 3, 32, 32)))
    assert net.collect_params()["resnetv11_conv0_weight"].data().shape == (64, 3, 7, 7)


# ---------------------------------------------------------------- MXNet-saved files
def _build_case(case):
    expr = FILES[case]["expr"]
    with NameManager():
        return eval(expr, {"vision": vision})


@pytest.mark.parametrize("case", list(FILES))
@pytest.mark.parametrize("hybridize", [False, True])
def test_mxnet_saved_parameters_give_mxnet_outputs(case, hybridize):
    net = _build_case(case)
    net.load_parameters(str(ORACLE / f"{case}.params"))
    x = seeded_input(tuple(FILES[case]["shape"]))
    assert np.isclose(x.sum(), FILE_ARRAYS[f"{case}/x_sum"])
    if hybridize:
        net.hybridize()
    y = net(mx.nd.array(x)).asnumpy()
    assert _rel_err(y, FILE_ARRAYS[f"{case}/y"]) < RTOL


def test_saved_keys_are_mxnet_keys(tmp_path):
    for case, meta in FILES.items():
        net = _build_case(case)
        net.load_parameters(str(ORACLE / f"{case}.params"))
        net.save_parameters(str(tmp_path / "again.params"))
        assert list(mx.nd.load(str(tmp_path / "again.params")))[:5] == meta["keys"]
        assert sorted(mx.nd.load(str(tmp_path / "again.params"))) == sorted(mx.nd.load(str(ORACLE / f"{case}.params")))


# ---------------------------------------------------------------- full-size models, seeded weights
def _seeded_net(name):
    meta = SEEDED[name]
    net = _fresh(name, **meta["kwargs"])
    net.initialize()
    shape = tuple(meta["shape"])
    net(mx.nd.zeros(shape))
    params = list(net.collect_params().values())
    for param, value in zip(params, seeded_values([(p.name, p.shape) for p in params])):
        param.set_data(mx.nd.array(value))
    x = seeded_input(shape)
    assert np.isclose(x.sum(), SEEDED_ARRAYS[f"{name}/x_sum"])
    return net, x


@pytest.mark.parametrize("name", list(SEEDED))
def test_full_size_models_give_mxnet_outputs(name):
    net, x = _seeded_net(name)
    assert _rel_err(net(mx.nd.array(x)).asnumpy(), SEEDED_ARRAYS[f"{name}/y"]) < RTOL


@pytest.mark.parametrize("name", ["resnet18_v1", "inceptionv3", "mobilenetv2_1.0"])
def test_full_size_models_hybridized(name):
    net, x = _seeded_net(name)
    net.hybridize()
    assert _rel_err(net(mx.nd.array(x)).asnumpy(), SEEDED_ARRAYS[f"{name}/y"]) < RTOL


# ---------------------------------------------------------------- pretrained files
def _publish(monkeypatch, folder, name="mobilenet0.25", case="mobilenet0.25"):
    """Put an MXNet-saved file under MXNet's pretrained file name, its SHA-1 standing in for the published one."""
    source = ORACLE / f"{case}.params"
    monkeypatch.setitem(model_store._model_sha1, name, hashlib.sha1(source.read_bytes()).hexdigest())
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / model_store.model_file_name(name)
    shutil.copyfile(source, target)
    return target


def test_mxnet_file_names_and_hashes():
    assert model_store.model_file_name("resnet18_v1") == "resnet18_v1-a0666292.params"
    assert model_store.model_file_name("mobilenetv2_0.25") == "mobilenetv2_0.25-ae8f9392.params"
    assert model_store.short_hash("vgg19_bn") == "f360b758"
    with pytest.raises(mx.MXNetError, match="resnet18_v1"):
        model_store.short_hash("resnet19_v1")


def test_pretrained_from_root(tmp_path, monkeypatch):
    _publish(monkeypatch, tmp_path / "zoo")
    net = _fresh("mobilenet0.25", pretrained=True, classes=10, root=str(tmp_path / "zoo"))
    y = net(mx.nd.array(seeded_input(tuple(FILES["mobilenet0.25"]["shape"])))).asnumpy()
    assert _rel_err(y, FILE_ARRAYS["mobilenet0.25/y"]) < RTOL


def test_pretrained_from_mxnet_home(tmp_path, monkeypatch):
    target = _publish(monkeypatch, tmp_path / "home" / "models")
    monkeypatch.setenv("MXNET_HOME", str(tmp_path / "home"))
    assert model_store.get_model_file("mobilenet0.25") == str(target)
    net = vision.mobilenet0_25(pretrained=True, classes=10)
    y = net(mx.nd.array(seeded_input(tuple(FILES["mobilenet0.25"]["shape"])))).asnumpy()
    assert _rel_err(y, FILE_ARRAYS["mobilenet0.25/y"]) < RTOL
    model_store.purge()
    assert not target.exists()


def test_absent_pretrained_file_says_what_to_put_where(tmp_path, monkeypatch):
    monkeypatch.setenv("MXNET_HOME", str(tmp_path))
    monkeypatch.delenv("MXNET_GLUON_REPO", raising=False)
    with pytest.raises(FileNotFoundError) as err:
        vision.resnet50_v1(pretrained=True)
    text = str(err.value)
    assert "resnet50_v1-0aee57f9.params" in text and str(tmp_path / "models") in text
    assert "https://apache-mxnet.s3-accelerate.dualstack.amazonaws.com/gluon/models/resnet50_v1-0aee57f9.zip" in text
    with pytest.raises(model_store.PretrainedFileError, match=str(tmp_path / "elsewhere")):
        vision.get_model("vgg16_bn", pretrained=True, root=str(tmp_path / "elsewhere"))


def test_damaged_pretrained_file_is_refused(tmp_path, monkeypatch):
    target = _publish(monkeypatch, tmp_path)
    target.write_bytes(target.read_bytes()[:-4])
    with pytest.raises(model_store.PretrainedFileError, match="SHA-1"):
        vision.mobilenet0_25(pretrained=True, classes=10, root=str(tmp_path))


# ---------------------------------------------------------------- bad input
def test_unknown_model_lists_known_ones():
    with pytest.raises(mx.MXNetError) as err:
        vision.get_model("resnet20_v1")
    text = str(err.value)
    assert "resnet20_v1" in text and all(name in text for name in vision.get_model_list())


def test_weights_of_another_model_name_the_parameters():
    v2 = ORACLE / "resnet18_v2_narrow.params"
    net = _build_case("resnet18_v1_narrow")
    with pytest.raises(ParameterLoadError, match="features.1.gamma"):   # v1's first BatchNorm is absent in v2's file
        net.load_parameters(str(v2))
    with NameManager():
        wider = vision.ResNetV1(vision.BasicBlockV1, [2, 2, 2, 2], [8, 8, 16, 32, 64], classes=5)
    with pytest.raises(ParameterLoadError, match=r"output\.weight.*\(5, 64\).*\(10, 64\)"):
        wider.load_parameters(str(ORACLE / "resnet18_v1_narrow.params"))
    deeper = _build_case("resnet50_v1_narrow")
    with pytest.raises(ParameterLoadError, match="missing"):
        deeper.load_parameters(str(ORACLE / "resnet18_v1_narrow.params"))
