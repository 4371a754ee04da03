"""Zoo models: ToySSD against the MXNet 1.9.1 naming oracle and the notebook's Block version, hybridize parity
(outputs and gradients imperative == hybridized == export -> SymbolBlock.imports), FeatureExpander names and
shapes, SSD training/inference outputs, get_model."""
import json
import sys
from pathlib import Path

import numpy as np
import pytest

import ssdkit as mx
from ssdkit import autograd, nd
from ssdkit.gluon import SymbolBlock
from ssdkit.model_zoo import SSD, FeatureExpander, FeatureExtractor, ToySSD, get_model, get_model_list, tiny_vgg
from ssdkit.symbol.naming import NameManager

HERE = Path(__file__).resolve().parent
ORACLE = json.loads((HERE / "data" / "mxnet" / "gluon_naming.json").read_text())["toyssd"]
sys.path.insert(0, str(HERE.parent / "docs"))
import notebook_training_loop as notebook  # noqa: E402  (the notebook's own model code)


def _names_shapes(block):
    return [[p.name, list(p.shape)] for p in block.collect_params().values()]


@pytest.fixture(scope="module")
def toyssd_256():
    with NameManager():
        net = ToySSD(2)
    before = _names_shapes(net)
    net.initialize(mx.init.Xavier(magnitude=2))
    outputs = net(nd.zeros((1, 3, 256, 256)))
    return net, before, outputs


def test_toyssd_has_5444_anchors_and_the_notebook_shapes(toyssd_256):
    _, _, (anchors, cls_preds, box_preds) = toyssd_256
    assert {"anchors": list(anchors.shape), "class_preds": list(cls_preds.shape),
            "box_preds": list(box_preds.shape)} == ORACLE["output_shapes"] == \
        {"anchors": [1, 5444, 4], "class_preds": [1, 5444, 3], "box_preds": [1, 21776]}


def test_toyssd_parameter_and_child_names_are_mxnets(toyssd_256):
    net, before, _ = toyssd_256
    assert before == ORACLE["params_before_init"]
    assert _names_shapes(net) == ORACLE["params_after_forward"]
    assert {k: v.name for k, v in net._children.items()} == ORACLE["children"]
    assert net.downsamples[0].name == ORACLE["model_indexing"]["net.downsamples[0].name"]
    assert net.body[1][3].name == ORACLE["model_indexing"]["net.body[1][3].name"]


def test_toyssd_first_anchor_is_the_notebooks(toyssd_256):
    anchors = toyssd_256[2][0].asnumpy()
    # printed by the notebook (cell 53): first and last anchors of the 256 x 256 model
    np.testing.assert_allclose(anchors[0, 0], [-0.084375, -0.084375, 0.115625, 0.115625], atol=1e-6)
    np.testing.assert_allclose(anchors[0, -1], [0.18887302, -0.12225395, 0.81112695, 1.1222539], atol=1e-6)


def test_notebook_block_weights_load_into_the_zoo_model(tmp_path):
    """The notebook's plain-Block ToySSD and the hybridizable zoo ToySSD share save_parameters files."""
    x = nd.array(np.random.default_rng(1).standard_normal((2, 3, 64, 64)))
    original = notebook.ToySSD(1)
    original.initialize(mx.init.Xavier(magnitude=2))
    expected = original(x)
    original.save_parameters(str(tmp_path / "nb.params"))
    zoo = ToySSD(1)
    zoo.initialize()
    zoo(x)
    zoo.load_parameters(str(tmp_path / "nb.params"))
    zoo.hybridize()
    for want, got in zip(expected, zoo(x)):
        np.testing.assert_allclose(got.asnumpy(), want.asnumpy(), rtol=1e-5, atol=1e-5)


def _train_step(block, x, heads):
    """Outputs and gradients (input + parameters) of one recorded training-mode forward/backward."""
    for p in block.collect_params().values():
        if p.grad_req != "null":
            p.zero_grad()
    x = x.copy()
    x.attach_grad()
    with autograd.record():
        outputs = block(x)
    autograd.backward([o for o, h in zip(outputs, heads) if h is not None],
                      [h for h in heads if h is not None])
    grads = {k.split("_", 1)[-1]: p.grad().asnumpy() for k, p in block.collect_params().items()
             if p.grad_req != "null"}
    return [o.asnumpy() for o in outputs], x.grad.asnumpy(), grads


def _close(got, want, what, rel=1e-4):
    # float32 sums in another order: allow a small error relative to the array's scale (BatchNorm backward
    # reaches gradients of 1e3 here, whose last bits differ)
    np.testing.assert_allclose(got, want, rtol=1e-3, atol=rel * max(1.0, float(np.abs(want).max())), err_msg=what)


def _assert_same(a, b, what):
    outs_a, dx_a, g_a = a
    outs_b, dx_b, g_b = b
    for i, (u, v) in enumerate(zip(outs_a, outs_b)):
        _close(v, u, f"{what}: output {i}", rel=1e-5)
    _close(dx_b, dx_a, f"{what}: input gradient")
    assert sorted(g_a) == sorted(g_b)
    for name in g_a:
        _close(g_b[name], g_a[name], f"{what}: {name}")


def test_symbolblock_imports_returns_every_output_of_an_exported_toyssd(tmp_path):
    net = ToySSD(1)
    net.initialize()
    net.hybridize()
    x = nd.zeros((1, 3, 64, 64))
    net(x)
    net.export(str(tmp_path / "toyssd"), epoch=0)
    imported = SymbolBlock.imports(str(tmp_path / "toyssd-symbol.json"), ["data"], str(tmp_path / "toyssd-0000.params"))
    outputs = imported(x)
    assert isinstance(outputs, list)   # MXNet: a list of every head of a multi-output graph
    assert [o.shape for o in outputs] == [(1, 344, 4), (1, 344, 2), (1, 1376)]


def test_toyssd_imperative_hybridized_and_exported_agree(tmp_path):
    rng = np.random.default_rng(0)
    x = nd.array(rng.standard_normal((2, 3, 64, 64)))
    net = ToySSD(1)
    net.initialize(mx.init.Xavier(magnitude=2))
    anchors, cls_preds, box_preds = net(x)
    # anchors are constant: no head gradient for them (MultiBoxPrior has no gradient)
    heads = [None, nd.array(rng.standard_normal(cls_preds.shape)), nd.array(rng.standard_normal(box_preds.shape))]
    imperative = _train_step(net, x, heads)
    net.hybridize()
    hybridized = _train_step(net, x, heads)
    _assert_same(imperative, hybridized, "hybridized")
    with autograd.predict_mode():
        predicted = [o.asnumpy() for o in net(x)]
    net.export(str(tmp_path / "toyssd"), epoch=0)
    imported = SymbolBlock.imports(str(tmp_path / "toyssd-symbol.json"), ["data"],
                                   str(tmp_path / "toyssd-0000.params"))
    with autograd.predict_mode():
        for i, (want, got) in enumerate(zip(predicted, imported(x))):
            np.testing.assert_allclose(got.asnumpy(), want, rtol=1e-4, atol=1e-5, err_msg=f"imported output {i}")
    # running statistics moved identically, so a training step of the import matches the net's next one
    _assert_same(_train_step(net, x, heads), _train_step(imported, x, heads), "imported")


def test_feature_expander_names_shapes_and_shared_parameters():
    base = tiny_vgg(prefix="base_")
    feats = FeatureExpander(base, ["stage3_relu1_fwd", "stage4_relu0_fwd"], [64, 32], reduce_ratio=0.5,
                            min_depth=16, global_pool=True)
    feats.initialize()
    shapes = [f.shape for f in feats(nd.zeros((2, 3, 128, 128)))]
    assert shapes == [(2, 128, 8, 8), (2, 128, 4, 4), (2, 64, 2, 2), (2, 32, 1, 1), (2, 32, 1, 1)]
    params = feats.collect_params()
    expand = {n: tuple(p.shape) for n, p in params.items() if n.startswith("expand_")}
    assert expand == {
        "expand_trans_conv0_weight": (32, 128, 1, 1), "expand_trans_bn0_gamma": (32,), "expand_trans_bn0_beta": (32,),
        "expand_trans_bn0_moving_mean": (32,), "expand_trans_bn0_moving_var": (32,),
        "expand_conv0_weight": (64, 32, 3, 3), "expand_bn0_gamma": (64,), "expand_bn0_beta": (64,),
        "expand_bn0_moving_mean": (64,), "expand_bn0_moving_var": (64,),
        "expand_trans_conv1_weight": (16, 64, 1, 1), "expand_trans_bn1_gamma": (16,), "expand_trans_bn1_beta": (16,),
        "expand_trans_bn1_moving_mean": (16,), "expand_trans_bn1_moving_var": (16,),
        "expand_conv1_weight": (32, 16, 3, 3), "expand_bn1_gamma": (32,), "expand_bn1_beta": (32,),
        "expand_bn1_moving_mean": (32,), "expand_bn1_moving_var": (32,)}
    assert params["base_stage0_conv0_weight"] is base.collect_params()["base_stage0_conv0_weight"]
    assert np.all(params["expand_bn1_gamma"].data().asnumpy() == 1)
    # Xavier(gaussian, out, magnitude 2): std sqrt(2 / fan_out), fan_out = 64 * 9
    std = params["expand_conv0_weight"].data().asnumpy().std()
    assert std == pytest.approx(np.sqrt(2 / (64 * 9)), rel=0.15)


def test_feature_expander_without_transition_or_bn():
    feats = FeatureExpander("tiny_vgg", "stage4_relu0_fwd", [8], use_1x1_transition=False, use_bn=False)
    assert sorted(n for n in feats.collect_params() if n.startswith("expand")) == ["expand_conv0_bias",
                                                                                  "expand_conv0_weight"]


def test_feature_extractor_and_bad_layer_names():
    ext = FeatureExtractor(tiny_vgg(prefix="v_"), ["stage2_relu0_fwd"])
    ext.initialize()
    assert ext(nd.zeros((1, 3, 32, 32))).shape == (1, 64, 4, 4)
    with pytest.raises(mx.MXNetError, match="no layer 'stage9_relu0'"):
        FeatureExtractor(tiny_vgg(), "stage9_relu0")


def test_ssd_training_and_inference_outputs():
    net = get_model("ssd_256_tinyvgg_voc")
    net.initialize()
    x = nd.array(np.random.default_rng(2).standard_normal((2, 3, 128, 128)))
    with autograd.train_mode():
        cls_preds, box_preds, anchors = net(x)
    # 128 input: scales of 8, 4, 2, 1, 1 pixels with 4 anchors each
    num = 4 * (64 + 16 + 4 + 1 + 1)
    assert (cls_preds.shape, box_preds.shape, anchors.shape) == ((2, num, 21), (2, num, 4), (1, num, 4))
    net.set_nms(nms_thresh=0.45, nms_topk=50, post_nms=20)
    ids, scores, boxes = net(x)
    assert (ids.shape, scores.shape, boxes.shape) == ((2, 20, 1), (2, 20, 1), (2, 20, 4))
    valid = ids.asnumpy()[..., 0] >= 0
    s = scores.asnumpy()[..., 0]
    assert np.all(s[valid] >= 0.01) and np.all(np.diff(np.where(valid, s, np.inf), axis=1)[valid[:, 1:]] <= 0)
    net.hybridize()
    hybrid_ids, hybrid_scores, _ = net(x)
    np.testing.assert_allclose(hybrid_scores.asnumpy(), scores.asnumpy(), rtol=1e-4, atol=1e-6)


def test_ssd_hybridize_parity_in_training_mode():
    rng = np.random.default_rng(3)
    x = nd.array(rng.standard_normal((2, 3, 64, 64)))
    net = get_model("ssd_256_tinyvgg_pikachu")
    net.initialize()
    with autograd.train_mode():
        cls_preds, box_preds, _ = net(x)
    heads = [nd.array(rng.standard_normal(cls_preds.shape)), nd.array(rng.standard_normal(box_preds.shape)), None]
    imperative = _train_step(net, x, heads)
    net.hybridize()
    _assert_same(imperative, _train_step(net, x, heads), "hybridized SSD")


def test_ssd_save_and_load_parameters_include_the_feature_expander(tmp_path):
    x = nd.array(np.random.default_rng(4).standard_normal((1, 3, 64, 64)))
    first = get_model("ssd_256_tinyvgg_pikachu")
    first.initialize(mx.init.Xavier())
    with autograd.train_mode():
        first(x)   # move the BatchNorm running statistics away from their initial values
    first.save_parameters(str(tmp_path / "ssd.params"))
    keys = set(mx.nd.load(str(tmp_path / "ssd.params")))
    assert {"features.tinyvgg0_stage0_conv0_weight", "features.expand_conv2_weight",
            "features.expand_bn0_moving_var", "class_predictors.0.predictor.weight"} <= keys
    assert len(keys) == len(first.collect_params())
    second = get_model("ssd_256_tinyvgg_pikachu")   # built later in the same process: same names
    second.initialize()
    second(x)
    second.load_parameters(str(tmp_path / "ssd.params"))
    for want, got in zip(first(x), second(x)):
        np.testing.assert_array_equal(got.asnumpy(), want.asnumpy())


def test_ssd_rejects_mismatched_configuration():
    with pytest.raises(mx.MXNetError, match="need 3 sizes"):
        SSD("tiny_vgg", 256, ["stage4_relu0_fwd"], [32], sizes=[10, 20], ratios=[1, 2, .5], steps=[32, 64],
            classes=["a"])


def test_get_model_list_and_errors():
    assert {"ssd_256_tinyvgg_coco", "ssd_256_tinyvgg_pikachu", "ssd_256_tinyvgg_voc", "toyssd"} <= set(get_model_list())
    assert get_model_list() == sorted(get_model_list())
    assert get_model("ssd_256_tinyvgg_coco").num_classes == 80
    assert get_model("toyssd", classes=["a", "b", "c"]).num_classes == 3
    with pytest.raises(mx.MXNetError, match="no pretrained weights"):
        get_model("toyssd", pretrained=True)
    with pytest.raises(mx.MXNetError, match="unknown model 'ssd_300'"):
        get_model("ssd_300")
