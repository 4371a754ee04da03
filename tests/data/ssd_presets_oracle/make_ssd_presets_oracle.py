"""Regenerate the GluonCV 0.10 / MXNet 1.9.1 oracle for ssdkit.model_zoo.presets (tests/test_ssd_presets.py).

Usage: /work/mxvenv/bin/python tests/data/ssd_presets_oracle/make_ssd_presets_oracle.py [gluoncv source root]
GluonCV's own ``model_zoo/ssd/ssd.py`` (with its FeatureExpander, anchor generator, predictors and coders) is
loaded from a GluonCV 0.10 source tree (default /work/ref/gluoncv) without GluonCV's package ``__init__`` files
(they import GluonCV's optional dependencies); GluonCV's ``model_zoo.get_model``, used by its FeatureExpander for
the backbone, is stood in for by MXNet's ``gluon.model_zoo.vision.get_model`` (GluonCV's ``resnet50_v1`` and
``mobilenet1.0`` are those networks). For each preset (the ``get_ssd`` arguments of GluonCV's presets.py) it
writes: every parameter name and shape in order, the ``save_parameters`` keys, and the number of anchors (the
training-mode outputs' shapes). Then a small GluonCV SSD (SMALL, on mobilenet0.25) saved by GluonCV's
``save_parameters`` (ssd_small.params, ssd_small.json), its predict-mode class and box predictions and its anchors (ssd_small.npz).
"""
import json
import sys
import types
from pathlib import Path

HERE = Path(__file__).resolve().parent
VOC = 20
COCO = 80
R3, R5 = [1, 2, 0.5], [1, 2, 0.5, 3, 1.0 / 3]
PRESETS = {  # name -> (network, base size, features, filters, sizes, ratios, steps, classes)
    "ssd_300_vgg16_atrous_voc": ("vgg16_atrous", 300, "vgg16_atrous_300", None, [30, 60, 111, 162, 213, 264, 315],
                                 [R3] + [R5] * 3 + [R3] * 2, [8, 16, 32, 64, 100, 300], VOC),
    "ssd_512_vgg16_atrous_coco": ("vgg16_atrous", 512, "vgg16_atrous_512", None,
                                  [51.2, 76.8, 153.6, 230.4, 307.2, 384.0, 460.8, 537.6],
                                  [R3] + [R5] * 4 + [R3] * 2, [8, 16, 32, 64, 128, 256, 512], COCO),
    "ssd_512_resnet50_v1_voc": ("resnet50_v1", 512, ["stage3_activation5", "stage4_activation2"],
                                [512, 512, 256, 256], [51.2, 102.4, 189.4, 276.4, 363.52, 450.6, 492],
                                [R3] + [R5] * 3 + [R3] * 2, [16, 32, 64, 128, 256, 512], VOC),
    "ssd_512_mobilenet1.0_voc": ("mobilenet1.0", 512, ["relu22_fwd", "relu26_fwd"], [512, 512, 256, 256],
                                 [51.2, 102.4, 189.4, 276.4, 363.52, 450.6, 492],
                                 [R3] + [R5] * 3 + [R3] * 2, [16, 32, 64, 128, 256, 512], VOC),
}


def _bare_package(name, path):
    module = types.ModuleType(name)
    module.__path__ = [str(path)]
    sys.modules[name] = module
    return module


def main():
    import mxnet as mx
    from mxnet.gluon.model_zoo import vision
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/ref/gluoncv") / "gluoncv"
    _bare_package("gluoncv", root)
    _bare_package("gluoncv.nn", root / "nn")
    _bare_package("gluoncv.model_zoo", root / "model_zoo").get_model = vision.get_model
    _bare_package("gluoncv.model_zoo.ssd", root / "model_zoo" / "ssd")
    import importlib
    ssd = importlib.import_module("gluoncv.model_zoo.ssd.ssd")
    out = {}
    for name, (network, size, features, filters, sizes, ratios, steps, classes) in PRESETS.items():
        if isinstance(features, str):
            network, features = None, getattr(ssd, features)
        with mx.name.NameManager():
            net = ssd.SSD(network, size, features, filters, sizes, ratios, steps,
                          classes=[f"c{i}" for i in range(classes)], pretrained=False)
        net.initialize()
        with mx.autograd.train_mode():
            cls_preds, box_preds, anchors = net(mx.nd.zeros((1, 3, size, size)))
        out[name] = {"params": [[n, list(p.shape)] for n, p in net.collect_params().items()],
                     "cls_preds": list(cls_preds.shape), "anchors": list(anchors.shape),
                     "save_keys": list(net._collect_params_with_prefix())}
        print(name, cls_preds.shape, anchors.shape, len(out[name]["params"]), flush=True)
    json.dump(out, open(HERE / "ssd_presets.json", "w"), separators=(",", ":"))
    saved_file(mx, ssd)


#: A small GluonCV SSD whose weights GluonCV saves (ssd_small.params), for ssdkit to load.
SMALL = dict(network="mobilenet0.25", base_size=128, features=["relu22_fwd"], num_filters=[32, 32],
             sizes=[20, 45, 80, 128], ratios=[[1, 2, 0.5]] * 3, steps=[16, 32, 64], classes=["a", "b"],
             min_depth=32)
SMALL_INPUT = (2, 3, 128, 128)


def saved_file(mx, ssd):
    """GluonCV's SSD (SMALL) saved by save_parameters, with its predictions for seeded_input."""
    import numpy as np
    sys.path.insert(0, str(HERE.parent / "model_zoo_oracle"))
    from seeded import seeded_input, seeded_values
    mx.random.seed(3)
    with mx.name.NameManager():
        net = ssd.SSD(**SMALL, pretrained=False, anchor_alloc_size=8)   # small stored anchors
    net.initialize()
    net(mx.nd.zeros(SMALL_INPUT))
    params = [p for p in net.collect_params().values() if "anchor" not in p.name]
    for p, v in zip(params, seeded_values([(p.name, p.shape) for p in params])):
        p.set_data(mx.nd.array(v))
    x = mx.nd.array(seeded_input(SMALL_INPUT))
    with mx.autograd.train_mode():
        _, _, anchors = net(x)
    # predict mode (BatchNorm on its moving statistics): the predictors on the features, flattened and joined
    # as GluonCV's SSD.hybrid_forward does before decoding
    features = net.features(x)
    cls_preds = mx.nd.concat(*[mx.nd.flatten(mx.nd.transpose(cp(f), axes=(0, 2, 3, 1)))
                               for f, cp in zip(features, net.class_predictors)], dim=1).reshape((0, -1, 3))
    box_preds = mx.nd.concat(*[mx.nd.flatten(mx.nd.transpose(bp(f), axes=(0, 2, 3, 1)))
                               for f, bp in zip(features, net.box_predictors)], dim=1).reshape((0, -1, 4))
    net.save_parameters(str(HERE / "ssd_small.params"))
    np.savez(HERE / "ssd_small.npz", cls_preds=cls_preds.asnumpy(), box_preds=box_preds.asnumpy(),
             anchors=anchors.asnumpy())
    json.dump({"settings": SMALL, "input": list(SMALL_INPUT),
               "keys": list(mx.nd.load(str(HERE / "ssd_small.params")))}, open(HERE / "ssd_small.json", "w"),
              indent=1)
    print("small", cls_preds.shape, len(list(net.collect_params())), flush=True)


if __name__ == "__main__":
    main()
