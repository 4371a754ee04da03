"""Regenerate the MXNet 1.9.1 oracle for the R-CNN family ops (needs mxnet 1.9.1).

Usage: /work/mxvenv/bin/python tests/data/rcnn_oracle/make_rcnn_oracle.py
Writes rcnn_oracle.json (cases: op, parameters, input names, symbol names / outputs) and rcnn_oracle.npz
(inputs, outputs, head gradients and input gradients; no pickle) next to this file.
ssdkit and its tests never import mxnet; only this generator does (inside main()).
"""
import json
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def rpn_inputs(rs, batch, anchors, height, width, infos, spread=0.3):
    cls = rs.uniform(0, 1, (batch, 2 * anchors, height, width)).astype(np.float32)
    cls[:, anchors:] = np.round(cls[:, anchors:] * 20) / 20      # ties: the stable sort order matters
    bbox = (rs.standard_normal((batch, 4 * anchors, height, width)) * spread).astype(np.float32)
    return [cls, bbox, np.array(infos, np.float32)]


def rroi_boxes(rs, batch, count, size):
    centre = rs.uniform(-10, size + 10, (count, 2))
    sides = rs.uniform(2, size, (count, 2))
    theta = rs.uniform(-180, 180, (count, 1))
    rois = np.concatenate([rs.randint(0, batch, (count, 1)), centre, sides, theta], 1)
    rois[0] = [0, size / 2, size / 2, 0.5, 0.5, 30]       # malformed: sides forced to one pixel
    rois[1, 5] = 90
    return rois


def ps_boxes(rs, batch, count, size):
    x = np.sort(rs.uniform(-20, size + 20, (count, 2)), 1)
    y = np.sort(rs.uniform(-20, size + 20, (count, 2)), 1)
    rois = np.stack([rs.randint(0, batch, count), x[:, 0], y[:, 0], x[:, 1], y[:, 1]], 1)
    rois[0, 1:] = [30.5, 40.5, 30.5, 40.5]                  # a point box (0.1-pixel minimum side)
    rois[1, 1:] = [size + 40, 5, size + 80, 30]              # off the map: empty bins
    return rois


def cases(rs):
    out = {}
    # Proposal: (cls_prob, bbox_pred, im_info), 12 default anchors
    out["proposal_default"] = ("Proposal", rpn_inputs(rs, 1, 12, 6, 8, [[90, 120, 1.0]]),
                               {"rpn_pre_nms_top_n": 200, "rpn_post_nms_top_n": 40, "output_score": True})
    out["proposal_pad"] = ("Proposal", rpn_inputs(rs, 1, 3, 4, 5, [[64, 80, 1.0]], 0.1),
                           {"scales": (2.0,), "ratios": (0.5, 1.0, 2.0), "rpn_pre_nms_top_n": 20,
                            "rpn_post_nms_top_n": 50, "threshold": 0.3, "rpn_min_size": 4,
                            "output_score": True})
    out["proposal_iou"] = ("Proposal", rpn_inputs(rs, 1, 6, 5, 5, [[70, 75, 0.8]], 6.0),
                           {"scales": (2.0, 4.0), "ratios": (0.5, 1.0, 2.0), "iou_loss": True,
                            "rpn_pre_nms_top_n": 60, "rpn_post_nms_top_n": 25, "threshold": 0.5,
                            "rpn_min_size": 8, "output_score": True})
    out["proposal_minsize"] = ("Proposal", rpn_inputs(rs, 1, 3, 7, 6, [[110, 96, 0.5]], 0.8),
                               {"scales": (1.0, 3.0, 6.0), "ratios": (1.0,), "feature_stride": 16,
                                "rpn_min_size": 60, "rpn_pre_nms_top_n": -1, "rpn_post_nms_top_n": 30})
    out["proposal_stride8"] = ("Proposal", rpn_inputs(rs, 1, 2, 9, 10, [[72, 80, 1.5]]),
                               {"scales": (4.0, 8.0), "ratios": (1.0,), "feature_stride": 8,
                                "rpn_pre_nms_top_n": 0, "rpn_post_nms_top_n": 300, "threshold": 0.9,
                                "output_score": True})
    out["multiproposal"] = ("MultiProposal", rpn_inputs(rs, 3, 9, 6, 7, [[96, 112, 1.0], [60, 70, 0.6],
                                                                        [90, 40, 1.2]]),
                            {"scales": (2.0, 4.0, 8.0), "rpn_pre_nms_top_n": 120, "rpn_post_nms_top_n": 35,
                             "rpn_min_size": 10, "output_score": True})
    out["multiproposal_iou"] = ("MultiProposal", rpn_inputs(rs, 2, 3, 5, 5, [[80, 80, 1.0], [50, 64, 1.0]],
                                                            4.0),
                                {"scales": (3.0,), "iou_loss": True, "rpn_pre_nms_top_n": 40,
                                 "rpn_post_nms_top_n": 20, "threshold": 0.6})
    # PSROIPooling: (data, rois)
    out["psroi_basic"] = ("PSROIPooling", [rs.uniform(-1, 1, (2, 2 * 9, 12, 14)), ps_boxes(rs, 2, 6, 200)],
                          {"spatial_scale": 0.0625, "output_dim": 2, "pooled_size": 3})
    out["psroi_group"] = ("PSROIPooling", [rs.uniform(-1, 1, (1, 3 * 4, 10, 9)), ps_boxes(rs, 1, 5, 150)],
                          {"spatial_scale": 0.0625, "output_dim": 3, "pooled_size": 5, "group_size": 2})
    out["psroi_scale1"] = ("PSROIPooling", [rs.uniform(-1, 1, (2, 4, 7, 8)), ps_boxes(rs, 2, 4, 7)],
                           {"spatial_scale": 1.0, "output_dim": 1, "pooled_size": 2})
    out["psroi_f64"] = ("PSROIPooling", [rs.uniform(-1, 1, (1, 2 * 4, 8, 8)), ps_boxes(rs, 1, 4, 64)],
                        {"spatial_scale": 0.125, "output_dim": 2, "pooled_size": 2}, np.float64)
    # DeformablePSROIPooling: (data, rois, trans)
    out["dpsroi_agnostic"] = ("DeformablePSROIPooling",
                              [rs.uniform(-1, 1, (2, 2 * 9, 12, 12)), ps_boxes(rs, 2, 5, 190),
                               rs.uniform(-1, 1, (5, 2, 3, 3))],
                              {"spatial_scale": 0.0625, "output_dim": 2, "group_size": 3, "pooled_size": 3,
                               "sample_per_part": 2, "trans_std": 0.1})
    out["dpsroi_classes"] = ("DeformablePSROIPooling",
                             [rs.uniform(-1, 1, (1, 4 * 4, 10, 11)), ps_boxes(rs, 1, 4, 170),
                              rs.uniform(-1, 1, (4, 2 * 4, 2, 2))],
                             {"spatial_scale": 0.0625, "output_dim": 4, "group_size": 2, "pooled_size": 4,
                              "part_size": 2, "sample_per_part": 3, "trans_std": 0.2})
    out["dpsroi_default_part"] = ("DeformablePSROIPooling",
                                  [rs.uniform(-1, 1, (1, 2 * 4, 9, 9)), ps_boxes(rs, 1, 3, 140),
                                   rs.uniform(-1, 1, (3, 2, 2, 2))],
                                  {"spatial_scale": 0.0625, "output_dim": 2, "group_size": 2, "pooled_size": 2,
                                   "trans_std": 0.5})
    out["dpsroi_notrans"] = ("DeformablePSROIPooling",
                             [rs.uniform(-1, 1, (2, 3 * 9, 8, 8)), ps_boxes(rs, 2, 4, 8)],
                             {"spatial_scale": 1.0, "output_dim": 3, "group_size": 3, "pooled_size": 3,
                              "sample_per_part": 4, "no_trans": True})
    out["dpsroi_f64"] = ("DeformablePSROIPooling",
                         [rs.uniform(-1, 1, (1, 9, 9, 10)), ps_boxes(rs, 1, 3, 150),
                          rs.uniform(-1, 1, (3, 2, 3, 3))],
                         {"spatial_scale": 0.0625, "output_dim": 1, "group_size": 3, "pooled_size": 3,
                          "sample_per_part": 2, "trans_std": 0.1}, np.float64)
    # RROIAlign: (data, rois) - forward only in MXNet
    for ratio in (-1, 1, 2):
        out[f"rroi_ratio{ratio}"] = ("RROIAlign", [rs.uniform(-1, 1, (2, 3, 12, 13)), rroi_boxes(rs, 2, 7, 190)],
                                     {"pooled_size": (3, 2), "spatial_scale": 0.0625, "sampling_ratio": ratio})
    out["rroi_f64"] = ("RROIAlign", [rs.uniform(-1, 1, (1, 2, 9, 9)), rroi_boxes(rs, 1, 4, 9)],
                       {"pooled_size": (2, 3), "spatial_scale": 1.0}, np.float64)
    return out


INPUTS = {"Proposal": ["cls_prob", "bbox_pred", "im_info"], "MultiProposal": ["cls_prob", "bbox_pred", "im_info"],
          "PSROIPooling": ["data", "rois"], "DeformablePSROIPooling": ["data", "rois", "trans"],
          "RROIAlign": ["data", "rois"]}


def main():
    import mxnet as mx
    rs = np.random.RandomState(7)
    arrays, meta = {}, {"ops": {}}
    for key, spec in cases(rs).items():
        op, inputs, params = spec[:3]
        dtype = spec[3] if len(spec) > 3 else np.float32
        names = INPUTS[op][:len(inputs)]
        inputs = [np.asarray(a, dtype) for a in inputs]
        nds = [mx.nd.array(a, dtype=dtype) for a in inputs]
        differentiable = op in ("PSROIPooling", "DeformablePSROIPooling", "Proposal", "MultiProposal")
        for a in nds:
            a.attach_grad()
        with mx.autograd.record():
            outs = getattr(mx.nd.contrib, op)(*nds, **params)
        outs = outs if isinstance(outs, list) else [outs]
        for name, a in zip(names, inputs):
            arrays[f"{key}/{name}"] = a
        for i, o in enumerate(outs):
            arrays[f"{key}/out{i}"] = o.asnumpy()
        if differentiable:
            heads = [rs.uniform(-1, 1, o.shape).astype(dtype) for o in outs]
            mx.autograd.backward(outs, [mx.nd.array(h, dtype=dtype) for h in heads])
            for i, h in enumerate(heads):
                arrays[f"{key}/head{i}"] = h
            for name, a in zip(names, nds):
                arrays[f"{key}/grad_{name}"] = a.grad.asnumpy()
        with mx.name.NameManager():
            auto = getattr(mx.sym.contrib, op)(*[mx.sym.var(n) for n in names], **params)
        shapes = auto.infer_shape(**{n: a.shape for n, a in zip(names, inputs)})
        meta["ops"][key] = {"op": op, "params": params, "inputs": names, "dtype": np.dtype(dtype).name,
                            "symbol_name": auto.name, "outputs": auto.list_outputs(),
                            "arguments": auto.list_arguments(), "out_shapes": [list(s) for s in shapes[1]],
                            "gradient": differentiable}
    for score in (False, True):   # the hidden score output counts in node_row_ptr
        net = mx.sym.contrib.Proposal(mx.sym.var("cls"), mx.sym.var("bbox"), mx.sym.var("info"),
                                      output_score=score, name="rpn")
        head = net[0] if score else net
        meta[f"json_proposal_score{int(score)}"] = json.loads((mx.sym.relu(head, name="after")).tojson())
    rows = {}   # ops whose optional outputs MXNet hides: node_row_ptr counts every output either way
    for op, kwargs in (("BatchNorm", {}), ("LayerNorm", {}), ("GroupNorm", {}), ("contrib.BatchNormWithReLU", {})):
        for flag in (False, True):
            make = mx.sym.contrib.BatchNormWithReLU if op.startswith("contrib") else getattr(mx.sym, op)
            net = make(mx.sym.var("x"), output_mean_var=flag, name="n", **kwargs)
            rows[f"{op}/{flag}"] = [json.loads(net.tojson())["node_row_ptr"], len(net.list_outputs())]
    meta["row_pointers"] = rows
    (HERE / "rcnn_oracle.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")
    np.savez_compressed(HERE / "rcnn_oracle.npz", **arrays)


if __name__ == "__main__":
    main()
