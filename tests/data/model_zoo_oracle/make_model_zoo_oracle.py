"""Regenerate the MXNet 1.9.1 oracle for tests/test_gluon_model_zoo.py (needs mxnet; ssdkit never imports it).

Usage: /work/mxvenv/bin/python tests/data/model_zoo_oracle/make_model_zoo_oracle.py
Writes, next to this file:
- structure.json: for each of the 34 ``get_model`` names (built in a fresh name manager), the prefix, the
  ``collect_params()`` names and shapes in order after one forward, the output and ``features`` shapes; plus
  naming cases (process-wide counters, ``prefix=``, ``params=``, ``thumbnail``, ``classes``).
- <case>.params + files.npz/files.json: weights written by MXNet's ``save_parameters`` for small models (reduced
  ``classes`` or narrow widths through the model classes) and MXNet's predict-mode output for
  ``seeded.seeded_input(shape)``.
- seeded.npz: for full-size models, the input and MXNet's predict-mode output when every parameter is
  filled by ``seeded.seeded_values`` in ``collect_params()`` order (so no large weight file is committed).
"""
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from seeded import seeded_values, seeded_input  # noqa: E402

ALL_MODELS = ['resnet18_v1', 'resnet34_v1', 'resnet50_v1', 'resnet101_v1', 'resnet152_v1',
              'resnet18_v2', 'resnet34_v2', 'resnet50_v2', 'resnet101_v2', 'resnet152_v2',
              'vgg11', 'vgg13', 'vgg16', 'vgg19', 'vgg11_bn', 'vgg13_bn', 'vgg16_bn', 'vgg19_bn',
              'alexnet', 'densenet121', 'densenet161', 'densenet169', 'densenet201',
              'squeezenet1.0', 'squeezenet1.1', 'inceptionv3',
              'mobilenet1.0', 'mobilenet0.75', 'mobilenet0.5', 'mobilenet0.25',
              'mobilenetv2_1.0', 'mobilenetv2_0.75', 'mobilenetv2_0.5', 'mobilenetv2_0.25']

# weights saved by MXNet: case -> (constructor expression over `vision`, input shape)
FILE_CASES = {
    "mobilenet0.25": ("vision.get_model('mobilenet0.25', classes=10)", (2, 3, 64, 64)),
    "mobilenetv2_0.25": ("vision.get_model('mobilenetv2_0.25', classes=4)", (2, 3, 64, 64)),
    "resnet18_v1_narrow": ("vision.ResNetV1(vision.BasicBlockV1, [2, 2, 2, 2], [8, 8, 16, 32, 64], classes=10)",
                           (2, 3, 64, 64)),
    "resnet18_v2_narrow": ("vision.ResNetV2(vision.BasicBlockV2, [2, 2, 2, 2], [8, 8, 16, 32, 64], classes=10)",
                           (2, 3, 64, 64)),
    "resnet50_v1_narrow": ("vision.ResNetV1(vision.BottleneckV1, [3, 4, 6, 3], [8, 16, 32, 64, 128], classes=10)",
                           (2, 3, 64, 64)),
    "resnet50_v2_narrow": ("vision.ResNetV2(vision.BottleneckV2, [3, 4, 6, 3], [8, 16, 32, 64, 128], classes=10)",
                           (2, 3, 64, 64)),
    "densenet121_narrow": ("vision.DenseNet(8, 4, [6, 12, 24, 16], classes=10)", (1, 3, 224, 224)),
    "resnet18_v1_thumbnail": ("vision.ResNetV1(vision.BasicBlockV1, [2, 2, 2, 2], [8, 8, 16, 32, 64], "
                              "classes=10, thumbnail=True)", (2, 3, 32, 32)),
}

# seeded weights: name -> (kwargs, input shape)
SEEDED_CASES = {
    "resnet18_v1": ({}, (1, 3, 224, 224)),
    "resnet18_v2": ({}, (1, 3, 224, 224)),
    "resnet50_v1": ({"classes": 10}, (1, 3, 128, 128)),
    "resnet50_v2": ({"classes": 10}, (1, 3, 128, 128)),
    "vgg11_bn": ({"classes": 10}, (1, 3, 64, 64)),
    "alexnet": ({"classes": 10}, (1, 3, 224, 224)),
    "densenet121": ({"classes": 10}, (1, 3, 224, 224)),
    "squeezenet1.0": ({"classes": 10}, (1, 3, 224, 224)),
    "squeezenet1.1": ({}, (1, 3, 224, 224)),
    "inceptionv3": ({"classes": 10}, (1, 3, 299, 299)),
    "mobilenet1.0": ({"classes": 10}, (1, 3, 224, 224)),
    "mobilenetv2_1.0": ({"classes": 10}, (1, 3, 224, 224)),
}


def _params(net):
    return [[name, list(p.shape)] for name, p in net.collect_params().items()]


def structure(mx, vision):
    out = {"models": {}, "naming": {}}
    for name in ALL_MODELS:
        size = 299 if name == "inceptionv3" else 224
        with mx.name.NameManager():
            net = vision.get_model(name)
        net.initialize()
        x = mx.nd.zeros((1, 3, size, size))
        y = net(x)
        out["models"][name] = {"prefix": net.prefix, "class": type(net).__name__, "input": list(x.shape),
                               "output": list(y.shape), "features": list(net.features(x).shape),
                               "params": _params(net), "repr_head": repr(net).splitlines()[:4]}
        print(name, net.prefix, len(out["models"][name]["params"]), y.shape, flush=True)
    naming = out["naming"]
    with mx.name.NameManager():
        first, second = vision.resnet18_v1(), vision.resnet18_v1()
        third = vision.get_model("resnet18_v2")
        fourth = vision.vgg11()
        shared = vision.resnet18_v1(params=first.collect_params())
        named = vision.resnet18_v1(prefix="mynet_", classes=7)
    naming["sequence"] = [first.prefix, second.prefix, third.prefix, fourth.prefix, shared.prefix, named.prefix]
    naming["second_first_param"] = list(second.collect_params().keys())[0]
    naming["shared_params"] = list(shared.collect_params().keys())[:3]
    naming["named_params"] = list(named.collect_params().keys())[-2:]
    with mx.name.NameManager():
        thumb = vision.resnet18_v1(thumbnail=True, classes=10)
        thumb2 = vision.resnet18_v2(thumbnail=True, classes=10)
    for key, net in (("thumbnail_v1", thumb), ("thumbnail_v2", thumb2)):
        net.initialize()
        y = net(mx.nd.zeros((2, 3, 32, 32)))
        naming[key] = {"params": _params(net), "output": list(y.shape)}
    with mx.name.NameManager():
        net = vision.get_model("vgg11_bn", classes=10)
        naming["children_vgg11_bn"] = list(net._children.keys())
        net = vision.get_model("mobilenetv2_0.5")
        naming["children_mobilenetv2"] = [[k, c.prefix] for k, c in net._children.items()]
    return out


def fill_seeded(mx, net, shape):
    net.initialize()
    net(mx.nd.zeros(shape))
    params = list(net.collect_params().values())
    for p, v in zip(params, seeded_values([(p.name, p.shape) for p in params])):
        p.set_data(mx.nd.array(v))


def main():
    import mxnet as mx
    from mxnet.gluon.model_zoo import vision
    mx.random.seed(42)
    json.dump(structure(mx, vision), open(HERE / "structure.json", "w"), separators=(",", ":"))
    arrays, meta = {}, {}
    for case, (expr, shape) in FILE_CASES.items():
        mx.random.seed(7)
        with mx.name.NameManager():
            net = eval(expr)
        net.initialize(mx.init.Xavier(magnitude=2.0))
        x = seeded_input(shape)
        net(mx.nd.array(x))
        # BatchNorm running statistics that are not the defaults, so predict mode is really tested
        for name, p in net.collect_params().items():
            if name.endswith("running_mean") or name.endswith("running_var"):
                rs = np.random.RandomState(len(name))
                lo, hi = (-0.2, 0.2) if name.endswith("mean") else (0.6, 1.4)
                p.set_data(mx.nd.array(rs.uniform(lo, hi, p.shape)))
        net.save_parameters(str(HERE / f"{case}.params"))
        arrays[f"{case}/x_sum"] = np.float64(x.sum())  # the input is seeded_input(shape): only checked
        arrays[f"{case}/y"] = net(mx.nd.array(x)).asnumpy()
        meta[case] = {"expr": expr, "shape": list(shape), "keys": list(mx.nd.load(str(HERE / f"{case}.params")).keys())[:5]}
        print(case, arrays[f"{case}/y"].shape, flush=True)
    np.savez(HERE / "files.npz", **arrays)
    json.dump(meta, open(HERE / "files.json", "w"), indent=1)
    seeded = {}
    for name, (kwargs, shape) in SEEDED_CASES.items():
        with mx.name.NameManager():
            net = vision.get_model(name, **kwargs)
        fill_seeded(mx, net, shape)
        x = seeded_input(shape)
        seeded[f"{name}/x_sum"] = np.float64(x.sum())
        seeded[f"{name}/y"] = net(mx.nd.array(x)).asnumpy()
        print(name, seeded[f"{name}/y"].shape, float(np.abs(seeded[f"{name}/y"]).max()), flush=True)
    np.savez(HERE / "seeded.npz", **seeded)
    meta_seeded = {name: {"kwargs": kwargs, "shape": list(shape)} for name, (kwargs, shape) in SEEDED_CASES.items()}
    json.dump(meta_seeded, open(HERE / "seeded.json", "w"), indent=1)


if __name__ == "__main__":
    main()
