"""ssdkit.boxes against MXNet 1.9.1's own outputs (tolerance 1e-4).

Two oracle sets: ../shared/reference/mxnet_golden.* (prior*, target*, detect*, nms*, iou0) and
tests/data/mxnet/ssd_golden.* (the same operators on ToySSD's 5444 anchors, box_nms layouts/formats,
box_iou formats and degenerate boxes, the box_nms gradient).
"""
import json
from pathlib import Path

import numpy as np
import pytest

from reference import load_reference, case_names, OUT_TOL
from ssdkit.boxes import box_iou, multibox_prior, multibox_target, multibox_detection, box_nms

SSD_GOLDEN = Path(__file__).resolve().parent / "data" / "mxnet"
TARGET_OUTPUTS = ("box_target", "box_mask", "cls_target")
SHARED_NMS_LAYOUT = dict(coord_start=2, score_index=1, id_index=0)  # see shared/reference/README.md


def _shared_case(name):
    meta, z = load_reference()
    return meta[name], {k.split("/", 1)[1]: z[k] for k in z.files if k.split("/", 1)[0] == name}


def _ssd_golden():
    if not (SSD_GOLDEN / "ssd_golden.npz").exists():
        pytest.skip("tests/data/mxnet/ssd_golden.npz is not available")
    return json.loads((SSD_GOLDEN / "ssd_golden.json").read_text()), np.load(SSD_GOLDEN / "ssd_golden.npz")


def _ssd_cases(prefix):
    path = SSD_GOLDEN / "ssd_golden.json"
    if not path.exists():
        return []
    skip = {"target_inputs", "detect_inputs"}
    return sorted(k for k in json.loads(path.read_text()) if k.startswith(prefix) and k not in skip)


# -- ../shared/reference -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", case_names("prior"))
def test_shared_multibox_prior(name):
    meta, a = _shared_case(name)
    params = dict(meta)
    shape = params.pop("shape")
    np.testing.assert_allclose(multibox_prior(shape[2], shape[3], **params), a["out"], **OUT_TOL)


@pytest.mark.parametrize("name", case_names("target"))
def test_shared_multibox_target(name):
    meta, a = _shared_case(name)
    outs = multibox_target(a["anchors"], a["labels"], a["cls_preds"], **meta)
    for key, got in zip(TARGET_OUTPUTS, outs):
        np.testing.assert_allclose(got, a[key], **OUT_TOL, err_msg=key)


@pytest.mark.parametrize("name", case_names("detect"))
def test_shared_multibox_detection(name):
    meta, a = _shared_case(name)
    out = multibox_detection(a["cls_probs"], a["loc_preds"], a["anchors"], **meta)
    np.testing.assert_allclose(out, a["out"], **OUT_TOL)


@pytest.mark.parametrize("name", case_names("nms"))
def test_shared_box_nms(name):
    meta, a = _shared_case(name)
    np.testing.assert_allclose(box_nms(a["data"], **SHARED_NMS_LAYOUT, **meta), a["out"], **OUT_TOL)


@pytest.mark.parametrize("name", case_names("iou"))
def test_shared_box_iou(name):
    meta, a = _shared_case(name)
    np.testing.assert_allclose(box_iou(a["lhs"], a["rhs"], **meta), a["out"], **OUT_TOL)


# -- tests/data/mxnet/ssd_golden (ToySSD's 5444 anchors) ----------------------------------------------

def _toyssd_anchors(meta):
    spec = meta["toyssd_anchors"]
    return np.concatenate([multibox_prior(f, f, sizes=s, ratios=r)
                           for f, s, r in zip(spec["feature_sizes"], spec["sizes"], spec["ratios"])], axis=1)


def test_toyssd_anchors():
    meta, z = _ssd_golden()
    anchors = _toyssd_anchors(meta)
    assert anchors.shape == (1, 5444, 4)
    np.testing.assert_allclose(anchors, z["toyssd_anchors/out"], **OUT_TOL)


@pytest.mark.parametrize("name", _ssd_cases("prior_"))
def test_toyssd_prior_variants(name):
    meta, z = _ssd_golden()
    shape = meta[name]["shape"]
    np.testing.assert_allclose(multibox_prior(shape[2], shape[3], **meta[name]["params"]), z[f"{name}/out"],
                               **OUT_TOL)


@pytest.mark.parametrize("name", _ssd_cases("target_"))
def test_toyssd_multibox_target(name):
    meta, z = _ssd_golden()
    outs = multibox_target(z["toyssd_anchors/out"], z["target_inputs/labels"], z["target_inputs/cls_preds"],
                           **meta[name]["params"])
    for key, got in zip(TARGET_OUTPUTS, outs):
        np.testing.assert_allclose(got, z[f"{name}/{key}"], **OUT_TOL, err_msg=key)


@pytest.mark.parametrize("name", _ssd_cases("detect_"))
def test_toyssd_multibox_detection(name):
    meta, z = _ssd_golden()
    out = multibox_detection(z["detect_inputs/cls_probs"], z["detect_inputs/loc_preds"], z["toyssd_anchors/out"],
                             **meta[name]["params"])
    np.testing.assert_allclose(out, z[f"{name}/out"], **OUT_TOL)
    assert (out[..., 0] >= 0).sum(axis=1).tolist() == meta[name]["num_valid"]


@pytest.mark.parametrize("name", _ssd_cases("nms_"))
def test_toyssd_box_nms(name):
    meta, z = _ssd_golden()
    out = box_nms(z[f"{name}/in_data"], **meta[name]["params"])
    np.testing.assert_allclose(out, z[f"{name}/out"], **OUT_TOL)


def test_toyssd_box_nms_gradient_routing():
    """MXNet's box_nms backward copies each output row's gradient back to the input row it came from."""
    meta, z = _ssd_golden()
    out, rows = box_nms(z["nms_grad/in_data"], return_indices=True, **meta["nms_grad"]["params"])
    np.testing.assert_allclose(out, z["nms_grad/out"], **OUT_TOL)
    head = z["nms_grad/head_grad"]
    grad = np.zeros_like(head)
    for b in range(head.shape[0]):
        kept = rows[b] >= 0
        grad[b, rows[b, kept]] = head[b, kept]
    np.testing.assert_allclose(grad, z["nms_grad/grad_data"], **OUT_TOL)


@pytest.mark.parametrize("name", _ssd_cases("iou_"))
def test_toyssd_box_iou(name):
    meta, z = _ssd_golden()
    out = box_iou(z[f"{name}/lhs"], z[f"{name}/rhs"], **meta[name]["params"])
    np.testing.assert_allclose(out, z[f"{name}/out"], **OUT_TOL)
