"""The straight-dope ToySSD (chapter08_computer-vision/object-detection.ipynb), model code copied from the notebook,
run in notebook order: parameter names, shapes, reprs and init statistics must equal MXNet 1.9.1's
(tests/data/mxnet/gluon_naming.json, case 'toyssd')."""
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

import ssdkit as mx
from ssdkit import nd, gluon
from ssdkit.gluon import nn
from ssdkit.symbol.naming import NameManager

ORACLE = json.loads((Path(__file__).resolve().parent / "data" / "mxnet" / "gluon_naming.json").read_text())["toyssd"]
MultiBoxPrior = nd.contrib.MultiBoxPrior


# ---- notebook cells 6, 8, 10, 13, 15, 17, 19, 21: the model code, kept once in docs/ ----
def _load_notebook():
    path = Path(__file__).resolve().parents[1] / "docs" / "notebook_training_loop.py"
    spec = importlib.util.spec_from_file_location("notebook_training_loop", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_NB = _load_notebook()
class_predictor, box_predictor, down_sample = _NB.class_predictor, _NB.box_predictor, _NB.down_sample
flatten_prediction, concat_predictions, body = _NB.flatten_prediction, _NB.concat_predictions, _NB.body
toy_ssd_model, toy_ssd_forward, ToySSD = _NB.toy_ssd_model, _NB.toy_ssd_forward, _NB.ToySSD


def _names_shapes(block):
    return [[p.name, list(p.shape)] for p in block.collect_params().values()]


@pytest.fixture(scope="module")
def notebook():
    """Run the notebook cells in order in a fresh name manager; return what the checks need."""
    mx.random.seed(0)
    seen = {}
    with NameManager():
        cls_pred = class_predictor(5, 10)                                       # cell 6
        cls_pred.initialize()
        seen["cell6"] = (list(cls_pred(nd.zeros((2, 3, 20, 20))).shape), cls_pred.name)
        box_pred = box_predictor(10)                                            # cell 8
        box_pred.initialize()
        seen["cell8"] = (list(box_pred(nd.zeros((2, 3, 20, 20))).shape), box_pred.name)
        blk = down_sample(10)                                                   # cell 10
        blk.initialize()
        seen["cell10"] = (list(blk(nd.zeros((2, 3, 20, 20))).shape), _names_shapes(blk))
        feat1 = nd.zeros((2, 8, 20, 20))                                        # cell 12
        cls_pred1 = class_predictor(5, 10)
        cls_pred1.initialize()
        y1 = cls_pred1(feat1)
        ds = down_sample(16)
        ds.initialize()
        feat2 = ds(feat1)
        cls_pred2 = class_predictor(3, 10)
        cls_pred2.initialize()
        y2 = cls_pred2(feat2)
        seen["cell12"] = [list(y1.shape), list(feat2.shape), list(y2.shape)]
        flat = [flatten_prediction(y1), flatten_prediction(y2)]                 # cell 13
        seen["cell13"] = [list(f.shape) for f in flat] + [list(concat_predictions(flat).shape)]
        bnet = body()                                                           # cell 15
        bnet.initialize()
        seen["cell15"] = list(bnet(nd.zeros((2, 3, 256, 256))).shape)
        seen["cell17"] = str(toy_ssd_model(5, 2))                               # cell 17
        net = ToySSD(2)                                                         # cell 42 style init
        seen["before_init"] = _names_shapes(net)
        net.initialize(mx.init.Xavier(magnitude=2))
        seen["outputs"] = net(nd.zeros((1, 3, 256, 256)))
    seen["net"] = net
    return seen


def test_notebook_cells_shapes_and_names(notebook):
    assert notebook["cell6"] == (ORACLE["cell6_cls_pred_shape"], ORACLE["cell6_cls_pred_name"])
    assert notebook["cell8"] == (ORACLE["cell8_box_pred_shape"], ORACLE["cell8_box_pred_name"])
    assert notebook["cell10"] == (ORACLE["cell10_down_sample_shape"], ORACLE["cell10_down_sample_params"])
    assert notebook["cell12"] == ORACLE["cell12_shapes"]
    assert notebook["cell13"] == ORACLE["cell13_shapes"]
    assert notebook["cell15"] == ORACLE["cell15_body_shape"]
    assert notebook["cell17"] == ORACLE["cell17_repr"]


def test_toyssd_parameters_before_and_after_forward(notebook):
    net = notebook["net"]
    assert (net.name, net.prefix) == (ORACLE["toyssd_name"], ORACLE["toyssd_prefix"])
    assert notebook["before_init"] == ORACLE["params_before_init"]
    assert _names_shapes(net)[0] == ["toyssd0_conv16_weight", [16, 3, 3, 3]]
    assert _names_shapes(net) == ORACLE["params_after_forward"]
    anchors, class_preds, box_preds = notebook["outputs"]
    assert {"anchors": list(anchors.shape), "class_preds": list(class_preds.shape),
            "box_preds": list(box_preds.shape)} == ORACLE["output_shapes"]


def test_toyssd_repr_children_and_indexing(notebook):
    net = notebook["net"]
    assert repr(net) == ORACLE["repr"]
    assert {k: v.name for k, v in net._children.items()} == ORACLE["children"]
    got = {"net.downsamples[0].name": net.downsamples[0].name, "net.class_preds[4].name": net.class_preds[4].name,
           "net.box_preds[2].name": net.box_preds[2].name, "net.body[1][3].name": net.body[1][3].name,
           "net.body[0][0].weight.name": net.body[0][0].weight.name, "len(net.class_preds)": len(net.class_preds),
           "len(net.body[0])": len(net.body[0])}
    assert got == ORACLE["model_indexing"]


def test_toyssd_xavier_init_statistics(notebook):
    """Same initializer dispatch as MXNet: attributes exact, Xavier(magnitude=2) draws within their bound with the
    uniform distribution's spread (the random streams differ, so values are compared statistically)."""
    params = notebook["net"].collect_params()
    for detail in ORACLE["param_details"]:
        p = params[detail["name"]]
        data = p.data().asnumpy()
        assert (list(p.shape), np.dtype(p.dtype).name, p.grad_req, p.lr_mult, p.wd_mult) == \
            (detail["shape"], detail["dtype"], detail["grad_req"], detail["lr_mult"], detail["wd_mult"])
        if detail["std"] == 0:
            assert data.min() == detail["min"] and data.max() == detail["max"]
            continue
        shape = detail["shape"]
        fan = (shape[0] + shape[1]) * np.prod(shape[2:]) / 2
        bound = np.sqrt(2.0 / fan)
        assert abs(data).max() <= bound
        assert data.std() == pytest.approx(detail["std"], rel=0.15)
        assert data.std() == pytest.approx(bound / np.sqrt(3), rel=0.15)
