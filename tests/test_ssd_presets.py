"""GluonCV 0.10's SSD presets in ssdkit.model_zoo against GluonCV's own SSD code run on MXNet 1.9.1
(oracle: tests/data/ssd_presets_oracle/): parameter names, shapes and save_parameters keys (all but GluonCV's
stored anchor constants), anchor counts; the 12 presets' names, classes and the train program's choices.
"""
import json
from pathlib import Path

import numpy as np
import pytest

import ssdkit as mx
from ssdkit import model_zoo
from ssdkit.model_zoo.presets import PRESETS
from ssdkit.symbol.naming import NameManager

ORACLE = json.loads((Path(__file__).resolve().parent / "data" / "ssd_presets_oracle" / "ssd_presets.json").read_text())


def _not_anchor(name):
    return "anchor" not in name


@pytest.mark.parametrize("name", sorted(ORACLE))
def test_names_shapes_keys_and_anchors_equal_gluoncv(name):
    expected = ORACLE[name]
    with NameManager():
        net = model_zoo.get_model(name)
    side = int(name.split("_")[1])
    with mx.autograd.train_mode():
        out = mx.sym.Group(list(net(mx.sym.var("data"))))
    arg_shapes, out_shapes, aux_shapes = out.infer_shape(data=(1, 3, side, side))
    shapes = dict(zip(out.list_arguments(), arg_shapes))
    shapes.update(zip(out.list_auxiliary_states(), aux_shapes))
    mine = [[n, list(shapes[n])] for n in net.collect_params()]
    assert mine == [p for p in expected["params"] if _not_anchor(p[0])]
    assert list(net._collect_params_with_prefix()) == [k for k in expected["save_keys"] if _not_anchor(k)]
    assert list(out_shapes[0]) == expected["cls_preds"] and list(out_shapes[2]) == expected["anchors"]


def test_every_preset_is_listed_and_custom_needs_classes():
    names = model_zoo.get_model_list()
    for size, backbone in (("300", "vgg16_atrous"), ("512", "vgg16_atrous"), ("512", "resnet50_v1"),
                           ("512", "mobilenet1.0")):
        for dataset in ("voc", "coco", "custom"):
            assert f"ssd_{size}_{backbone}_{dataset}" in names
    assert model_zoo.get_model("ssd_512_resnet50_v1_coco").num_classes == 80
    assert model_zoo.get_model("ssd_300_vgg16_atrous_custom", classes=["a", "b"]).num_classes == 2
    with pytest.raises(mx.MXNetError, match="classes"):
        model_zoo.get_model("ssd_512_mobilenet1.0_custom")
    assert set(PRESETS) <= set(names)


def test_train_program_accepts_the_presets():
    from ssdkit.apps.train import build_parser
    args = build_parser().parse_args(["--network", "ssd_300_vgg16_atrous_voc", "--data-shape", "300"])
    assert (args.network, args.data_shape) == ("ssd_300_vgg16_atrous_voc", 300)


def test_mobilenet_preset_trains_one_step_on_a_small_input():
    with NameManager():
        net = model_zoo.get_model("ssd_512_mobilenet1.0_custom", classes=["a"])
    net.initialize(mx.init.Xavier(magnitude=2))
    x = mx.nd.array(np.random.default_rng(0).uniform(size=(1, 3, 128, 128)))
    trainer = mx.gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.01})
    with mx.autograd.record():
        cls_preds, box_preds, anchors = net(x)
        loss = (mx.gluon.loss.SoftmaxCrossEntropyLoss()(cls_preds, mx.nd.zeros(cls_preds.shape[:2]))
                + mx.nd.smooth_l1(box_preds, scalar=1.0).mean(axis=(1, 2)))
    loss.backward()
    trainer.step(1)
    assert cls_preds.shape[2] == 2 and anchors.shape[1] == cls_preds.shape[1] == box_preds.shape[1]
    assert np.isfinite(net.class_predictors[0].predictor.weight.data().asnumpy()).all()


def test_gluoncv_saved_file_loads_and_gives_gluoncv_outputs():
    """GluonCV's SSD on mobilenet0.25, saved by GluonCV: ssdkit's SSD with the same settings loads the file
    (only GluonCV's stored anchors are extra), gives GluonCV's predict-mode class and box predictions, and its
    anchors are GluonCV's boxes."""
    folder = Path(__file__).resolve().parent / "data" / "ssd_presets_oracle"
    meta = json.loads((folder / "ssd_small.json").read_text())
    expected = np.load(folder / "ssd_small.npz")
    with NameManager():
        net = model_zoo.SSD(**meta["settings"])
    with pytest.raises(mx.MXNetError, match="anchor_generators"):
        net.load_parameters(str(folder / "ssd_small.params"))
    net.load_parameters(str(folder / "ssd_small.params"), ignore_extra=True)
    import sys
    sys.path.insert(0, str(folder.parent / "model_zoo_oracle"))
    from seeded import seeded_input
    x = mx.nd.array(seeded_input(tuple(meta["input"])))
    for hybridize in (False, True):
        net.hybridize(hybridize)
        features = net.features(x)   # predict mode: BatchNorm on the loaded moving statistics
        for preds, predictors, width in ((expected["cls_preds"], net.class_predictors, 3),
                                         (expected["box_preds"], net.box_predictors, 4)):
            got = mx.nd.concat(*[mx.nd.flatten(mx.nd.transpose(p(f), axes=(0, 2, 3, 1)))
                                 for f, p in zip(features, predictors)], dim=1).reshape((0, -1, width))
            assert np.abs(got.asnumpy() - preds).max() <= 1e-4 * np.abs(preds).max()
        with mx.autograd.train_mode():
            anchors = net(x)[2]
        # GluonCV's anchors are center boxes in pixels, ssdkit's corner boxes in [0, 1]: the same boxes
        cx, cy, w, h = np.moveaxis(expected["anchors"].reshape(-1, 4), 1, 0) / meta["settings"]["base_size"]
        corners = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)
        np.testing.assert_allclose(anchors.asnumpy().reshape(-1, 4), corners, atol=1e-5)
