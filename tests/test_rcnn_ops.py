"""The R-CNN family ops equal MXNet 1.9.1: ``contrib.Proposal`` / ``MultiProposal`` (RPN proposals),
``PSROIPooling`` and ``DeformablePSROIPooling`` (R-FCN) and ``RROIAlign`` (rotated boxes) — outputs, input
gradients, symbol names, shapes and JSON from tests/data/rcnn_oracle (made by real MXNet), plus central
differences for the gradients MXNet defines and the refusals MXNet makes."""
import json
from pathlib import Path

import numpy as np
import pytest

import ssdkit as mx
from ssdkit.base import MXNetError
from ssdkit.gluon import nn
from ssdkit.ops.proposal import greedy_nms
from ssdkit.testing import check_op_gradient

HERE = Path(__file__).resolve().parent / "data" / "rcnn_oracle"
META = json.loads((HERE / "rcnn_oracle.json").read_text())
DATA = np.load(HERE / "rcnn_oracle.npz")
CASES = META["ops"]


def _params(raw):
    return {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}


def _inputs(key):
    case = CASES[key]
    return [mx.nd.array(DATA[f"{key}/{n}"], dtype=case["dtype"]) for n in case["inputs"]]


@pytest.mark.parametrize("key", sorted(CASES))
def test_forward_and_gradients_match_mxnet(key):
    case = CASES[key]
    arrays = _inputs(key)
    for a in arrays:
        a.attach_grad()
    with mx.autograd.record():
        outs = getattr(mx.nd.contrib, case["op"])(*arrays, **_params(case["params"]))
    outs = outs if isinstance(outs, list) else [outs]
    assert len(outs) == len(case["outputs"])
    for i, o in enumerate(outs):
        assert o.dtype == np.dtype(case["dtype"])
        np.testing.assert_allclose(o.asnumpy(), DATA[f"{key}/out{i}"], rtol=1e-5, atol=1e-5, err_msg=key)
    if not case["gradient"]:
        return
    mx.autograd.backward(outs, [mx.nd.array(DATA[f"{key}/head{i}"], dtype=case["dtype"]) for i in range(len(outs))])
    for name, a in zip(case["inputs"], arrays):
        np.testing.assert_allclose(a.grad.asnumpy(), DATA[f"{key}/grad_{name}"], rtol=1e-5, atol=1e-5,
                                   err_msg=f"{key} gradient of {name}")


@pytest.mark.parametrize("key", sorted(CASES))
def test_symbol_names_shapes_and_executor(key):
    case = CASES[key]
    params = _params(case["params"])
    op = getattr(mx.sym.contrib, case["op"])
    with mx.name.NameManager():
        auto = op(*[mx.sym.var(n) for n in case["inputs"]], **params)
    assert auto.name == case["symbol_name"]
    assert auto.list_outputs() == case["outputs"]
    assert auto.list_arguments() == case["arguments"]
    shapes = {n: DATA[f"{key}/{n}"].shape for n in case["inputs"]}
    _, out_shapes, _ = auto.infer_shape(**shapes)
    assert [list(s) for s in out_shapes] == case["out_shapes"]
    exe = auto.bind(mx.cpu(), {n: a for n, a in zip(case["inputs"], _inputs(key))})
    for i, o in enumerate(exe.forward()):
        np.testing.assert_allclose(o.asnumpy(), DATA[f"{key}/out{i}"], rtol=1e-5, atol=1e-5)


def test_proposal_json_counts_the_hidden_score_output():
    for score in (0, 1):
        net = mx.sym.contrib.Proposal(mx.sym.var("cls"), mx.sym.var("bbox"), mx.sym.var("info"),
                                      output_score=bool(score), name="rpn")
        graph = json.loads(mx.sym.relu(net[0] if score else net, name="after").tojson())
        expected = META[f"json_proposal_score{score}"]
        assert graph["node_row_ptr"] == expected["node_row_ptr"]
        assert graph["nodes"] == expected["nodes"]
        loaded = mx.sym.load_json(json.dumps(expected))
        assert loaded.list_arguments() == ["cls", "bbox", "info"]


@pytest.mark.parametrize("key", sorted(META["row_pointers"]))
def test_hidden_outputs_count_once_in_json_row_pointers(key):
    """Outputs MXNet computes but hides (norm statistics unless output_mean_var) count in node_row_ptr
    whether shown or not (Op.hidden_count)."""
    op, flag = key.split("/")
    make = mx.sym.contrib.BatchNormWithReLU if op.startswith("contrib") else getattr(mx.sym, op)
    net = make(mx.sym.var("x"), output_mean_var=flag == "True", name="n")
    assert [json.loads(net.tojson())["node_row_ptr"], len(net.list_outputs())] == META["row_pointers"][key]


def test_proposal_multiproposal_agree_per_image():
    """MultiProposal of a batch equals Proposal image by image (MXNet's own test_multi_proposal_op)."""
    key = "multiproposal"
    cls, bbox, info = (DATA[f"{key}/{n}"] for n in CASES[key]["inputs"])
    params = _params(CASES[key]["params"])
    rois, scores = mx.nd.contrib.MultiProposal(mx.nd.array(cls), mx.nd.array(bbox), mx.nd.array(info), **params)
    post = params["rpn_post_nms_top_n"]
    for b in range(len(cls)):
        one, one_score = mx.nd.contrib.Proposal(mx.nd.array(cls[b:b + 1]), mx.nd.array(bbox[b:b + 1]),
                                                mx.nd.array(info[b:b + 1]), **params)
        np.testing.assert_array_equal(one.asnumpy()[:, 1:], rois.asnumpy()[b * post:(b + 1) * post, 1:])
        np.testing.assert_array_equal(one_score.asnumpy(), scores.asnumpy()[b * post:(b + 1) * post])
        assert (rois.asnumpy()[b * post:(b + 1) * post, 0] == b).all()


def test_proposal_pads_by_repeating_kept_boxes():
    key = "proposal_pad"
    rois = DATA[f"{key}/out0"]
    kept = len({tuple(r) for r in rois.tolist()})
    assert kept < len(rois)
    np.testing.assert_array_equal(rois[kept:], rois[np.arange(kept, len(rois)) % kept])


def test_greedy_nms_matches_a_reference_loop():
    rs = np.random.RandomState(3)
    xy = rs.uniform(0, 50, (60, 2))
    boxes = np.concatenate([xy, xy + rs.uniform(5, 30, (60, 2))], 1).astype(np.float32)

    def iou(a, b):
        w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]) + 1)
        h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]) + 1)
        area = lambda c: (c[2] - c[0] + 1) * (c[3] - c[1] + 1)
        return w * h / (area(a) + area(b) - w * h)

    for threshold, limit in ((0.5, 100), (0.2, 7), (0.0, 100)):
        keep = []
        for i in range(len(boxes)):
            if len(keep) < limit and all(iou(boxes[k], boxes[i]) <= threshold for k in keep):
                keep.append(i)
        assert greedy_nms(boxes, threshold, limit).tolist() == keep


def test_proposal_backward_is_zero_as_mxnet():
    key = "multiproposal"
    arrays = _inputs(key)
    for a in arrays:
        a.attach_grad()
    with mx.autograd.record():
        rois, scores = mx.nd.contrib.MultiProposal(*arrays, **_params(CASES[key]["params"]))
        loss = (rois * rois).sum() + scores.sum()
    loss.backward()
    for a in arrays:
        assert a.grad.shape == a.shape and not a.grad.asnumpy().any()


def test_rroialign_has_no_gradient_as_mxnet():
    data, rois = _inputs("rroi_ratio2")
    data.attach_grad()
    with mx.autograd.record():
        out = mx.nd.contrib.RROIAlign(data, rois, pooled_size=(2, 2), spatial_scale=0.0625)
    with pytest.raises(MXNetError, match="_contrib_RROIAlign is non-differentiable"):
        out.backward()
    with mx.autograd.record():   # also when another path gives the variable a gradient
        loss = mx.nd.contrib.RROIAlign(data, rois, pooled_size=(2, 2), spatial_scale=0.0625).sum() + data.sum()
    with pytest.raises(MXNetError, match="non-differentiable"):
        loss.backward()


@pytest.mark.parametrize("key", ["psroi_basic", "psroi_group"])
def test_psroipooling_gradient_by_central_differences(key):
    data, rois = (DATA[f"{key}/{n}"] for n in CASES[key]["inputs"])
    check_op_gradient("_contrib_PSROIPooling", [data, rois], _params(CASES[key]["params"]), wrt=[0])


@pytest.mark.parametrize("no_trans", [False, True])
def test_deformable_psroipooling_gradients_by_central_differences(no_trans):
    rs = np.random.RandomState(5)
    data = rs.uniform(-1, 1, (1, 2 * 9, 10, 10))
    rois = np.array([[0, 40, 36, 120, 110], [0, 20, 50, 90, 130]], np.float64)   # well inside the map
    params = {"spatial_scale": 0.0625, "output_dim": 2, "group_size": 3, "pooled_size": 3,
              "sample_per_part": 2, "trans_std": 0.1, "no_trans": no_trans}
    inputs = [data, rois] + ([] if no_trans else [rs.uniform(-0.5, 0.5, (2, 4, 3, 3))])
    check_op_gradient("_contrib_DeformablePSROIPooling", inputs, params, wrt=[0] if no_trans else [0, 2],
                      eps=1e-6)


class _RFCNHead(nn.HybridBlock):
    """A tiny R-FCN tail: RPN proposals from score maps, then position-sensitive pooling of features."""

    def hybrid_forward(self, F, cls_prob, bbox_pred, im_info, feat):
        rois = F.contrib.Proposal(cls_prob, bbox_pred, im_info, scales=(2.0, 4.0), ratios=(1.0,),
                                  rpn_pre_nms_top_n=30, rpn_post_nms_top_n=8, rpn_min_size=4)
        rois = F.BlockGrad(rois)
        return F.contrib.PSROIPooling(feat * 2, rois, spatial_scale=0.0625, output_dim=2, pooled_size=2)


def test_hybridized_block_matches_imperative():
    rs = np.random.RandomState(9)
    inputs = [mx.nd.array(rs.uniform(0, 1, (1, 4, 5, 6))), mx.nd.array(rs.standard_normal((1, 8, 5, 6)) * 0.2),
              mx.nd.array([[80, 96, 1.0]]), mx.nd.array(rs.uniform(-1, 1, (1, 8, 5, 6)))]
    results = []
    for hybrid in (False, True):
        block = _RFCNHead()
        if hybrid:
            block.hybridize()
        feat = inputs[3].copy()
        feat.attach_grad()
        with mx.autograd.record():
            out = block(*inputs[:3], feat)
        out.backward()
        results.append((out.asnumpy(), feat.grad.asnumpy()))
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)
    assert np.abs(results[0][1]).sum() > 0


@pytest.mark.parametrize("op, arrays, params, words", [
    ("Proposal", [(1, 6, 4, 4), (1, 12, 4, 4), (1, 3)], {}, ["cls_prob", "24"]),
    ("Proposal", [(2, 24, 4, 4), (2, 48, 4, 4), (2, 3)], {}, ["batch must be 1", "MultiProposal"]),
    ("MultiProposal", [(2, 24, 4, 4), (2, 48, 4, 5), (2, 3)], {}, ["bbox_pred", "(2, 48, 4, 4)"]),
    ("MultiProposal", [(2, 24, 4, 4), (2, 48, 4, 4), (2, 4)], {}, ["im_info", "(2, 3)"]),
    ("PSROIPooling", [(1, 8, 5, 5), (2, 5)], {"spatial_scale": 0.5, "output_dim": 3, "pooled_size": 2},
     ["8 channels", "12"]),
    ("PSROIPooling", [(1, 8, 5, 5), (2, 4)], {"spatial_scale": 0.5, "output_dim": 2, "pooled_size": 2},
     ["rois", "(2, 4)"]),
    ("PSROIPooling", [(1, 8, 5, 5), (2, 5)], {"spatial_scale": 2.0, "output_dim": 2, "pooled_size": 2},
     ["spatial_scale", "2.0"]),
    ("DeformablePSROIPooling", [(1, 8, 5, 5), (2, 5), (2, 2, 3, 3)],
     {"spatial_scale": 0.5, "output_dim": 2, "group_size": 2, "pooled_size": 2}, ["trans", "(2, 2, 3, 3)"]),
    ("RROIAlign", [(1, 3, 5, 5), (2, 5)], {"pooled_size": (2, 2), "spatial_scale": 0.5}, ["rois", "(R, 6)"]),
])
def test_bad_inputs_name_the_argument(op, arrays, params, words):
    with pytest.raises(MXNetError) as err:
        getattr(mx.nd.contrib, op)(*[mx.nd.zeros(s) for s in arrays], **params)
    for word in words:
        assert word in str(err.value), str(err.value)


def test_refusals_that_mxnet_makes():
    with pytest.raises(MXNetError, match="float32"):
        mx.nd.contrib.Proposal(mx.nd.zeros((1, 24, 2, 2), dtype="float64"), mx.nd.zeros((1, 48, 2, 2), dtype="float64"),
                               mx.nd.array([[32, 32, 1]], dtype="float64"))
    with pytest.raises(MXNetError, match="im_info"):   # the image is larger than the score map covers
        mx.nd.contrib.Proposal(mx.nd.zeros((1, 24, 2, 2)), mx.nd.zeros((1, 48, 2, 2)), mx.nd.array([[64, 32, 1]]))
    with pytest.raises(MXNetError, match=r"rois\[0, 0\]"):
        mx.nd.contrib.PSROIPooling(mx.nd.zeros((1, 4, 4, 4)), mx.nd.array([[1, 0, 0, 3, 3]]), spatial_scale=1,
                                   output_dim=1, pooled_size=2)
    with pytest.raises(MXNetError, match="pooled_size"):
        mx.nd.contrib.RROIAlign(mx.nd.zeros((1, 1, 4, 4)), mx.nd.zeros((1, 6)), pooled_size=(2,), spatial_scale=1)
