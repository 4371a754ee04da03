"""The SSD contrib ops (nd.contrib / sym.contrib) over ssdkit.boxes: names, parameters from MXNet JSON
strings, shape rules, gradients (zero, or box_nms's row routing checked against MXNet 1.9.1)."""
import json
from pathlib import Path

import numpy as np
import pytest

import ssdkit as mx
from ssdkit import boxes
from ssdkit.base import ShapeError
from ssdkit.ops import get_op
from reference import OUT_TOL

SSD_GOLDEN = Path(__file__).resolve().parent / "data" / "mxnet"
f32 = np.float32


def _anchors():
    return mx.nd.contrib.MultiBoxPrior(mx.nd.zeros((1, 3, 4, 4)), sizes=(0.3, 0.5), ratios=(1, 2, 0.5))


def _labels():
    return mx.nd.array([[[0, 0.1, 0.1, 0.45, 0.5], [1, 0.5, 0.5, 0.9, 0.95], [-1, -1, -1, -1, -1]]])


def test_namespaces_and_aliases():
    for name in ("MultiBoxPrior", "MultiBoxTarget", "MultiBoxDetection", "box_nms", "box_iou",
                 "box_non_maximum_suppression"):
        assert callable(getattr(mx.nd.contrib, name)) and callable(getattr(mx.sym.contrib, name))
    assert get_op("_contrib_box_non_maximum_suppression") is get_op("_contrib_box_nms")


def test_nd_ops_equal_the_numpy_functions():
    anchors = _anchors()
    np.testing.assert_array_equal(anchors.asnumpy(), boxes.multibox_prior(4, 4, (0.3, 0.5), (1, 2, 0.5)))
    cls_pred = mx.nd.array(np.random.default_rng(0).normal(size=(1, 3, anchors.shape[1])).astype(f32))
    got = mx.nd.contrib.MultiBoxTarget(anchors, _labels(), cls_pred, negative_mining_ratio=3)
    want = boxes.multibox_target(anchors.asnumpy(), _labels().asnumpy(), cls_pred.asnumpy(), negative_mining_ratio=3)
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g.asnumpy(), w)
    prob = mx.nd.softmax(cls_pred, axis=1)
    loc = mx.nd.zeros((1, 4 * anchors.shape[1]))
    det = mx.nd.contrib.MultiBoxDetection(prob, loc, anchors, nms_threshold=0.45)
    np.testing.assert_array_equal(det.asnumpy(), boxes.multibox_detection(prob.asnumpy(), loc.asnumpy(),
                                                                          anchors.asnumpy(), nms_threshold=0.45))
    iou = mx.nd.contrib.box_iou(anchors[0], _labels()[0, :2, 1:])
    assert iou.shape == (64, 2)


def test_params_parse_from_mxnet_json_strings():
    op = get_op("_contrib_MultiBoxDetection")
    p = op.parse_params({"clip": "False", "nms_topk": "20", "variances": "(0.1, 0.1, 0.2, 0.2)",
                         "force_suppress": "True"})
    assert (p.clip, p.nms_topk, p.variances, p.force_suppress) == (False, 20, (0.1, 0.1, 0.2, 0.2), True)
    prior = get_op("_contrib_MultiBoxPrior").parse_params({"sizes": "[0.2,0.272]", "steps": "(-1.0, -1.0)"})
    assert prior.sizes == (0.2, 0.272) and prior.steps == (-1.0, -1.0)


def test_symbol_shapes_and_output_names():
    a, lab, cls = mx.sym.var("a"), mx.sym.var("l"), mx.sym.var("c")
    target = mx.sym.contrib.MultiBoxTarget(a, lab, cls, name="t")
    assert target.list_outputs() == ["t_loc_target", "t_loc_mask", "t_cls_target"]
    _, out_shapes, _ = target.infer_shape(a=(1, 40, 4), l=(2, 3, 5), c=(2, 4, 40))
    assert out_shapes == [(2, 160), (2, 160), (2, 40)]
    det = mx.sym.contrib.MultiBoxDetection(cls, mx.sym.var("loc"), a)
    assert det.infer_shape(c=(2, 4, 40), loc=(2, 160), a=(1, 40, 4))[1] == [(2, 40, 6)]
    prior = mx.sym.contrib.MultiBoxPrior(mx.sym.var("x"), sizes=(0.2, 0.3), ratios=(1, 2))
    assert prior.infer_shape(x=(2, 8, 5, 6))[1] == [(1, 5 * 6 * 3, 4)]
    assert mx.sym.contrib.box_iou(a, lab).infer_shape(a=(2, 3, 4), l=(5, 4))[1] == [(2, 3, 5)]
    assert mx.sym.contrib.box_nms(lab).infer_shape(l=(2, 7, 6))[1] == [(2, 7, 6)]


@pytest.mark.parametrize("call, match", [
    (lambda: mx.nd.contrib.MultiBoxTarget(mx.nd.zeros((2, 4, 4)), mx.nd.zeros((1, 1, 5)), mx.nd.zeros((1, 2, 4))),
     "MultiBoxTarget: anchor must have shape"),
    (lambda: mx.nd.contrib.MultiBoxTarget(mx.nd.zeros((1, 4, 4)), mx.nd.zeros((1, 1, 5)), mx.nd.zeros((1, 2, 3))),
     "MultiBoxTarget: cls_pred must have shape"),
    (lambda: mx.nd.contrib.MultiBoxDetection(mx.nd.zeros((1, 2, 4)), mx.nd.zeros((1, 12)), mx.nd.zeros((1, 4, 4))),
     "MultiBoxDetection: loc_pred must have shape"),
    (lambda: mx.nd.contrib.box_iou(mx.nd.zeros((3, 5)), mx.nd.zeros((2, 4))), "box_iou: lhs must have shape"),
    (lambda: mx.nd.contrib.MultiBoxPrior(mx.nd.zeros((3, 5))), "MultiBoxPrior: data must be"),
])
def test_shape_errors_name_the_operand(call, match):
    with pytest.raises(ShapeError, match=match):
        call()


def test_zero_gradients():
    anchors = _anchors()
    cls_pred = mx.nd.ones((1, 3, anchors.shape[1]))
    loc = mx.nd.ones((1, 4 * anchors.shape[1]))
    lhs = mx.nd.array([[0, 0, 1, 1]])
    for x in (anchors, cls_pred, loc, lhs):
        x.attach_grad()
    with mx.autograd.record():
        target = mx.nd.contrib.MultiBoxTarget(anchors, _labels(), cls_pred)
        det = mx.nd.contrib.MultiBoxDetection(mx.nd.softmax(cls_pred, axis=1), loc, anchors)
        iou = mx.nd.contrib.box_iou(lhs, mx.nd.array([[0, 0, 1, 2]]))
        total = target[0].sum() + target[2].sum() + det.sum() + iou.sum()
    total.backward()
    for x in (anchors, cls_pred, loc, lhs):
        assert x.grad.shape == x.shape and not x.grad.asnumpy().any()


def test_box_nms_gradient_matches_mxnet():
    if not (SSD_GOLDEN / "ssd_golden.npz").exists():
        pytest.skip("tests/data/mxnet/ssd_golden.npz is not available")
    meta = json.loads((SSD_GOLDEN / "ssd_golden.json").read_text())["nms_grad"]
    z = np.load(SSD_GOLDEN / "ssd_golden.npz")
    data = mx.nd.array(z["nms_grad/in_data"])
    data.attach_grad()
    with mx.autograd.record():
        out = mx.nd.contrib.box_nms(data, **meta["params"])
    out.backward(mx.nd.array(z["nms_grad/head_grad"]))
    np.testing.assert_allclose(out.asnumpy(), z["nms_grad/out"], **OUT_TOL)
    np.testing.assert_allclose(data.grad.asnumpy(), z["nms_grad/grad_data"], **OUT_TOL)


def test_box_nms_gradient_with_leading_dims_and_passthrough():
    data = mx.nd.array(np.tile(np.array([[0.9, 0, 0, 1, 1], [0.8, 0, 0, 1, 1], [0.7, 2, 2, 3, 3]], f32),
                               (2, 1, 1, 1)))
    head = np.arange(30, dtype=f32).reshape(2, 1, 3, 5)
    for kwargs, expected_rows in ((dict(coord_start=1, score_index=0), [0, None, 2]),
                                  (dict(coord_start=1, score_index=0, topk=0), [0, 1, 2])):
        data.attach_grad()
        with mx.autograd.record():
            out = mx.nd.contrib.box_nms(data, **kwargs)
        out.backward(mx.nd.array(head))
        want = np.zeros_like(head)
        for slot, row in enumerate(r for r in expected_rows if r is not None):
            want[..., row, :] = head[..., slot, :]
        np.testing.assert_array_equal(data.grad.asnumpy(), want)


def test_multibox_prior_made_once_per_size_and_handed_out_as_copies():
    """MultiBoxPrior keeps each anchor set it made (they depend on the map size and params only); every call
    gets its own copy, so writing to one output changes no later one."""
    x = mx.nd.zeros((1, 3, 5, 4))
    first = mx.nd.contrib.MultiBoxPrior(x, sizes=(0.3, 0.5), ratios=(1, 2))
    expected = first.asnumpy().copy()
    first[:] = 7
    again = mx.nd.contrib.MultiBoxPrior(x, sizes=(0.3, 0.5), ratios=(1, 2))
    np.testing.assert_array_equal(again.asnumpy(), expected)
    other = mx.nd.contrib.MultiBoxPrior(mx.nd.zeros((1, 3, 5, 6)), sizes=(0.3, 0.5), ratios=(1, 2))
    assert other.shape == (1, 5 * 6 * 3, 4)
