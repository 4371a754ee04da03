"""GluonCV 0.10's VGG-atrous SSD backbones (ssdkit.model_zoo.vgg_atrous) against GluonCV's own code run on MXNet 1.9.1
(oracle: tests/data/vgg_atrous_oracle/): parameter names, order and shapes, output shapes, and outputs with seeded
weights (relative error < 1e-4), imperative and hybridized.
"""
import json
import sys
from pathlib import Path

import numpy as np
import pytest

import ssdkit as mx
from ssdkit.model_zoo import vgg_atrous
from ssdkit.symbol.naming import NameManager

DATA = Path(__file__).resolve().parent / "data"
sys.path.insert(0, str(DATA / "model_zoo_oracle"))
from seeded import seeded_values, seeded_input  # noqa: E402

META = json.loads((DATA / "vgg_atrous_oracle" / "vgg_atrous.json").read_text())
ARRAYS = np.load(DATA / "vgg_atrous_oracle" / "vgg_atrous.npz")
BUILD = {"300": vgg_atrous.vgg16_atrous_300, "512": vgg_atrous.vgg16_atrous_512}


@pytest.mark.parametrize("size", sorted(META))
def test_names_shapes_and_outputs_equal_gluoncv(size):
    meta = META[size]
    with NameManager():
        net = BUILD[size]()
    assert net.prefix == meta["prefix"]
    assert list(net.collect_params()) == [name for name, _ in meta["params"]]
    out = mx.sym.Group(net(mx.sym.var("data")))
    arg_shapes, out_shapes, _ = out.infer_shape(data=tuple(meta["input"]))
    shapes = dict(zip(out.list_arguments(), arg_shapes))
    assert [[n, list(shapes[n])] for n, _ in meta["params"]] == meta["params"]
    assert [list(s) for s in out_shapes] == meta["outputs"]


@pytest.mark.parametrize("hybridize", [False, True])
def test_seeded_outputs_equal_gluoncv(hybridize):
    meta = META["300"]
    with NameManager():
        net = vgg_atrous.vgg16_atrous_300()
    net.initialize()
    shape = tuple(meta["input"])
    net(mx.nd.zeros(shape))
    params = list(net.collect_params().values())
    for p, v in zip(params, seeded_values([(p.name, p.shape) for p in params])):
        if not p.name.endswith("init_scale"):
            p.set_data(mx.nd.array(v))
    if hybridize:
        net.hybridize()
    outs = net(mx.nd.array(seeded_input(shape)))
    for i, o in enumerate(outs):
        flat = o.asnumpy().reshape(-1)
        expected = ARRAYS[f"300/{i}/values"]
        got = flat[ARRAYS[f"300/{i}/index"]]
        assert np.abs(got - expected).max() <= 1e-4 * np.abs(expected).max()
        stats = ARRAYS[f"300/{i}/stats"]
        assert np.isclose(flat.astype(np.float64).sum(), stats[0], rtol=1e-4, atol=1e-4 * np.sqrt(stats[1]))
        assert np.isclose((flat.astype(np.float64) ** 2).sum(), stats[1], rtol=1e-4)


def test_pretrained_is_refused_with_the_way_out():
    with pytest.raises(FileNotFoundError, match="allow_missing=True"):
        vgg_atrous.vgg16_atrous_512(pretrained=True)
