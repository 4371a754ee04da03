"""ssdkit.boxes: hand-computed cases, thresholds hit exactly, empty inputs, shape errors, and the
vectorized code checked against obvious one-element-at-a-time reference loops."""
import numpy as np
import pytest

from ssdkit.base import MXNetError, ShapeError
from ssdkit import boxes as B
from ssdkit.boxes import nms as nms_module

f32 = np.float32


def _arr(x):
    return np.array(x, f32)


# -- reference loops (the MXNet CPU algorithms written out plainly) ------------------------------------

def _iou_loop(a, b):
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if inter > 0 else 0.0


def _bipartite_loop(iou):
    """MXNet multibox_target.cc: scan anchors then gts for the best free pair above 1e-6, repeat."""
    num_gt, num_anchors = iou.shape
    match, gt_done, anchor_done = [-1] * num_anchors, [False] * num_gt, [False] * num_anchors
    while not all(gt_done):
        best, best_j, best_k = 1e-6, -1, -1
        for j in range(num_anchors):
            if anchor_done[j]:
                continue
            for k in range(num_gt):
                if not gt_done[k] and iou[k, j] > best:
                    best, best_j, best_k = iou[k, j], j, k
        if best_j < 0:
            break
        match[best_j], gt_done[best_k], anchor_done[best_j] = best_k, True, True
    return match


def _greedy_loop(boxes, thresh, ids=None, inclusive=False):
    keep = [True] * len(boxes)
    for i in range(len(boxes)):
        if not keep[i]:
            continue
        for j in range(i + 1, len(boxes)):
            if keep[j] and (ids is None or ids[i] == ids[j]):
                iou = _iou_loop(boxes[i], boxes[j])
                if (iou >= thresh) if inclusive else (iou > thresh):
                    keep[j] = False
    return np.array(keep)


def _random_boxes(rng, n, scale=1.0):
    xy = rng.random((n, 2)) * 0.8 * scale
    wh = rng.random((n, 2)) * 0.3 * scale + 0.01
    return np.concatenate([xy, xy + wh], axis=1).astype(f32)


# -- geometry -----------------------------------------------------------------------------------------

def test_iou_hand_computed():
    a = _arr([[0, 0, 2, 2]])
    b = _arr([[1, 1, 3, 3], [0, 0, 2, 1], [2, 0, 3, 2], [5, 5, 6, 6], [0, 0, 2, 2]])
    np.testing.assert_allclose(B.box_iou(a, b), [[1 / 7, 0.5, 0.0, 0.0, 1.0]], rtol=1e-6)


def test_iou_center_format_matches_corner():
    rng = np.random.default_rng(0)
    lhs, rhs = _random_boxes(rng, 6), _random_boxes(rng, 5)
    np.testing.assert_allclose(B.box_iou(B.corner_to_center(lhs), B.corner_to_center(rhs), format="center"),
                               B.box_iou(lhs, rhs), atol=1e-6)


def test_iou_degenerate_and_empty():
    point = _arr([[0.5, 0.5, 0.5, 0.5]])
    assert B.box_iou(point, point).tolist() == [[0.0]]
    assert B.box_iou(np.zeros((0, 4), f32), _arr([[0, 0, 1, 1]])).shape == (0, 1)
    assert B.box_iou(np.zeros((2, 3, 4), f32), np.zeros((0, 4), f32)).shape == (2, 3, 0)
    assert B.box_area(np.zeros((0, 4), f32)).shape == (0,)
    assert B.corner_to_center(np.zeros((0, 4), f32)).shape == (0, 4)


def test_iou_random_against_loop():
    rng = np.random.default_rng(1)
    lhs, rhs = _random_boxes(rng, 7), _random_boxes(rng, 9)
    expected = [[_iou_loop(a, b) for b in rhs.astype(float)] for a in lhs.astype(float)]
    np.testing.assert_allclose(B.box_iou(lhs, rhs), expected, rtol=1e-5, atol=1e-7)


def test_corner_center_round_trip_and_area():
    corner = _arr([[1, 2, 4, 8], [0, 0, 0.5, 0.25]])
    center = B.corner_to_center(corner)
    np.testing.assert_array_equal(center, [[2.5, 5, 3, 6], [0.25, 0.125, 0.5, 0.25]])
    np.testing.assert_array_equal(B.center_to_corner(center), corner)
    np.testing.assert_array_equal(B.box_area(corner), [18, 0.125])
    np.testing.assert_array_equal(B.box_area(center, format="center"), [18, 0.125])


@pytest.mark.parametrize("lhs, rhs, operand", [((3, 3), (2, 4), "lhs"), ((3, 4), (4,), "rhs"), ((4,), (2, 4), "lhs")])
def test_iou_bad_shapes_name_the_operand(lhs, rhs, operand):
    with pytest.raises(ShapeError, match=rf"box_iou: {operand} must have shape .*got \("):
        B.box_iou(np.zeros(lhs, f32), np.zeros(rhs, f32))


def test_iou_bad_format():
    with pytest.raises(MXNetError, match="format"):
        B.box_iou(np.zeros((1, 4), f32), np.zeros((1, 4), f32), format="xywh")


# -- anchors --------------------------------------------------------------------------------------------

def test_multibox_prior_hand_computed():
    out = B.multibox_prior(1, 1, sizes=(0.5, 0.25), ratios=(1, 4), clip=False)
    # (size .5, ratio 1), (size .25, ratio 1), (size .5, ratio 4): w = s*sqrt(r), h = s/sqrt(r)
    np.testing.assert_allclose(out[0], [[0.25, 0.25, 0.75, 0.75], [0.375, 0.375, 0.625, 0.625],
                                        [0.0, 0.375, 1.0, 0.625]])
    assert B.multibox_prior(3, 5, sizes=(0.1, 0.2, 0.3), ratios=(1, 2)).shape == (1, 3 * 5 * 4, 4)
    assert B.anchors_per_location((0.1, 0.2, 0.3), (1, 2)) == 4


def test_multibox_prior_clip_and_steps():
    out = B.multibox_prior(2, 2, sizes=(0.9,), clip=True)
    assert out.min() == 0.0 and out.max() == 1.0
    centers = B.corner_to_center(B.multibox_prior(2, 3, sizes=(0.1,), steps=(0.2, 0.1), offsets=(0, 1)))
    np.testing.assert_allclose(centers[0, :, :2], [[0.1, 0], [0.2, 0], [0.3, 0], [0.1, 0.2], [0.2, 0.2], [0.3, 0.2]],
                               atol=1e-7)


@pytest.mark.parametrize("kwargs, match", [(dict(sizes=()), "sizes"), (dict(offsets=(0.5, 1.5)), "offsets"),
                                           (dict(steps=(0.1, -1)), "steps"), (dict(steps=(0.1,)), "steps")])
def test_multibox_prior_bad_params(kwargs, match):
    with pytest.raises(MXNetError, match=f"MultiBoxPrior: {match}"):
        B.multibox_prior(2, 2, **kwargs)


def test_ssd_anchor_grid_hand_computed():
    out = B.ssd_anchor_grid(1, 2, sizes=(10, 40), ratios=(1, 4), step=16)
    np.testing.assert_allclose(out[0], [[8, 8, 10, 10], [8, 8, 20, 20], [8, 8, 20, 5],
                                        [24, 8, 10, 10], [24, 8, 20, 20], [24, 8, 20, 5]])


# -- coder ----------------------------------------------------------------------------------------------

def test_encode_decode_round_trip():
    rng = np.random.default_rng(2)
    anchors, gt = _random_boxes(rng, 20), _random_boxes(rng, 20)
    codes = B.encode_boxes(anchors, gt, variances=(0.1, 0.2, 0.3, 0.4))
    np.testing.assert_allclose(B.decode_boxes(anchors, codes, variances=(0.1, 0.2, 0.3, 0.4), clip=False), gt,
                               atol=1e-5)


def test_encode_hand_computed():
    # anchor center (1, 1), size (2, 2); gt center (2, 1.5), size (4, 1)
    np.testing.assert_allclose(B.encode_boxes([0, 0, 2, 2], [0, 1, 4, 2]),
                               [0.5 / 0.1, 0.25 / 0.1, np.log(2) / 0.2, np.log(0.5) / 0.2], rtol=1e-6)


def test_decode_clips_into_unit_square():
    out = B.decode_boxes([0.8, 0.8, 1.0, 1.0], [5, 5, 5, 5])
    assert out.min() >= 0 and out.max() <= 1 and out[2] == 1.0


def test_gluoncv_style_coder_pair():
    rng = np.random.default_rng(3)
    anchors, gt = _random_boxes(rng, 6), _random_boxes(rng, 2)
    matches = np.array([[0, -1, 1, 1, -1, 0]])
    samples = np.where(matches >= 0, 1, -1)
    targets, masks = B.normalized_center_encode(samples, matches, anchors[None], gt[None])
    assert targets.shape == masks.shape == (1, 6, 4)
    np.testing.assert_array_equal(masks[0, :, 0], matches[0] >= 0)
    decoded = B.normalized_center_decode(targets[0], B.corner_to_center(anchors))
    pos = matches[0] >= 0
    np.testing.assert_allclose(decoded[pos], gt[matches[0, pos]], atol=1e-5)
    # with the MXNet coder the same anchors give the same numbers
    np.testing.assert_allclose(targets[0, pos], B.encode_boxes(anchors[pos], gt[matches[0, pos]]), rtol=1e-6)
    cls = B.multiclass_encode([[1, -1, 0]], [[1, -1, -1]], [[4., 7.]])
    np.testing.assert_array_equal(cls, [[8, 0, -1]])


# -- matcher --------------------------------------------------------------------------------------------

def test_bipartite_prefers_global_best_then_lowest_anchor():
    iou = _arr([[0.9, 0.8, 0.0],    # gt 0 takes anchor 0 (global best)
                [0.9, 0.1, 0.7]])   # gt 1 loses anchor 0, falls back to its next best (anchor 2)
    assert B.bipartite_match(iou).tolist() == [0, -1, 1]
    tie = _arr([[0.5, 0.5], [0.5, 0.5]])
    assert B.bipartite_match(tie).tolist() == [0, 1]


def test_bipartite_against_loop_with_ties():
    rng = np.random.default_rng(4)
    for _ in range(30):
        iou = (rng.integers(0, 5, size=(rng.integers(1, 6), rng.integers(1, 40))) / 4).astype(f32)
        assert B.bipartite_match(iou).tolist() == _bipartite_loop(iou)


def test_match_threshold_is_strict():
    iou = _arr([[0.9, 0.5, 0.5000001]])
    matches, best = B.match_anchors(iou, overlap_threshold=0.5)
    assert matches.tolist() == [0, -1, 0]  # exactly 0.5 is not above the threshold
    assert B.match_anchors(iou, overlap_threshold=0)[0].tolist() == [0, -1, -1]  # stage 2 disabled


# -- MultiBoxTarget -------------------------------------------------------------------------------------

ANCHORS = _arr([[[0.0, 0.0, 0.5, 0.5], [0.5, 0.0, 1.0, 0.5], [0.0, 0.5, 0.5, 1.0], [0.5, 0.5, 1.0, 1.0],
                 [0.0, 0.0, 0.5, 0.25]]])


def _target(label, cls_pred=None, **kwargs):
    label = _arr(label)
    if cls_pred is None:
        cls_pred = np.zeros((label.shape[0], 2, ANCHORS.shape[1]), f32)
    return B.multibox_target(ANCHORS, label, cls_pred, **kwargs)


def test_target_hand_computed():
    # gt = anchor 0 exactly; anchor 4 covers half of it (IoU exactly 0.5: not positive at threshold 0.5)
    box_t, box_m, cls_t = _target([[[1, 0, 0, 0.5, 0.5], [-1, -1, -1, -1, -1]]])
    assert cls_t.tolist() == [[2, 0, 0, 0, 0]]
    assert box_m.reshape(5, 4)[:, 0].tolist() == [1, 0, 0, 0, 0]
    np.testing.assert_array_equal(box_t, 0)  # a perfect match encodes to zeros
    _, _, cls_low = _target([[[1, 0, 0, 0.5, 0.5]]], overlap_threshold=0.49)
    assert cls_low.tolist() == [[2, 0, 0, 0, 2]]


def test_target_encoding_uses_variances():
    box_t, _, _ = _target([[[0, 0.1, 0, 0.6, 0.5]]], variances=(0.5, 0.5, 1, 1))
    np.testing.assert_allclose(box_t[0, :4], [0.1 / 0.5 / 0.5, 0, 0, 0], atol=1e-6)


def test_target_all_padding_is_ignored():
    box_t, box_m, cls_t = _target(-np.ones((2, 3, 5)), ignore_label=-7)
    assert (cls_t == -7).all() and not box_m.any() and not box_t.any()


def test_target_rows_after_first_padding_are_ignored():
    _, _, cls_t = _target([[[0, 0.5, 0.5, 1, 1], [-1, -1, -1, -1, -1], [0, 0, 0, 0.5, 0.5]]])
    assert cls_t.tolist() == [[0, 0, 0, 1, 0]]


def test_target_gt_without_overlap():
    far = [0, 2, 2, 3, 3]  # overlaps no anchor: no bipartite match, never positive
    _, box_m, cls_t = _target([[far, [1, 0.5, 0.5, 1, 1]]])
    assert cls_t.tolist() == [[0, 0, 0, 2, 0]]
    _, _, alone = _target([[far]])
    assert alone.tolist() == [[0, 0, 0, 0, 0]]          # no mining: every non-positive is negative
    _, _, mined = _target([[far]], negative_mining_ratio=3)
    assert mined.tolist() == [[-1, -1, -1, -1, -1]]     # mining with 0 positives selects 0 negatives


def test_target_hard_negative_mining_picks_lowest_background_prob():
    cls_pred = np.zeros((1, 2, 5), f32)
    cls_pred[0, 1] = [0, 3, 1, 3, 2]  # background prob falls as class-1 logit rises; anchors 1 and 3 tie
    _, _, cls_t = _target([[[0, 0, 0, 0.5, 0.5]]], cls_pred, negative_mining_ratio=2)
    # anchor 0 positive; anchor 4 (IoU .5 >= mining thresh .5) is no candidate; 2 hardest of {1, 2, 3}
    assert cls_t.tolist() == [[1, 0, -1, 0, -1]]
    _, _, one = _target([[[0, 0, 0, 0.5, 0.5]]], cls_pred, negative_mining_ratio=1)
    assert one.tolist() == [[1, 0, -1, -1, -1]]  # tie between anchors 1 and 3: the lower index wins


def test_target_mining_without_enough_candidates_raises():
    # 1 positive x ratio 4 = 4 negatives wanted, but anchor 4 (IoU .5) is above the mining threshold
    with pytest.raises(MXNetError, match="hard-negative mining needs 4 negatives but only 3"):
        _target([[[0, 0, 0, 0.5, 0.5]]], negative_mining_ratio=4, negative_mining_thresh=0.01)


def test_target_bad_padding_row():
    with pytest.raises(MXNetError, match="label row 1 of image 0 has class -1"):
        _target([[[0, 0, 0, 0.5, 0.5], [-1, 0.1, 0.1, 0.2, 0.2]]])


@pytest.mark.parametrize("anchor, label, cls_pred, operand", [
    ((2, 5, 4), (1, 1, 5), (1, 2, 5), "anchor"),
    ((1, 5, 3), (1, 1, 5), (1, 2, 5), "anchor"),
    ((1, 5, 4), (1, 4), (1, 2, 5), "label"),
    ((1, 5, 4), (1, 1, 4), (1, 2, 5), "label"),
    ((1, 5, 4), (1, 1, 5), (1, 2, 6), "cls_pred"),
    ((1, 5, 4), (2, 1, 5), (1, 2, 5), "cls_pred"),
])
def test_target_bad_shapes(anchor, label, cls_pred, operand):
    with pytest.raises(ShapeError, match=rf"MultiBoxTarget: {operand} must have shape .*got \("):
        B.multibox_target(np.zeros(anchor, f32), -np.ones(label, f32), np.zeros(cls_pred, f32))


# -- box_nms --------------------------------------------------------------------------------------------

def test_greedy_nms_exact_threshold():
    boxes = _arr([[0, 0, 2, 2], [0, 0, 2, 1]])  # IoU exactly 0.5
    assert B.greedy_nms(boxes, 0.5).tolist() == [True, True]                   # box_nms: IoU > thresh
    assert B.greedy_nms(boxes, 0.5, inclusive=True).tolist() == [True, False]  # MultiBoxDetection: >=


def test_greedy_nms_against_loop_across_blocks():
    rng = np.random.default_rng(5)
    boxes = _random_boxes(rng, 3 * nms_module.NMS_BLOCK + 7)
    ids = rng.integers(0, 3, len(boxes))
    for thresh, use_ids, inclusive in [(0.3, False, False), (0.5, True, True), (0.1, True, False)]:
        got = B.greedy_nms(boxes, thresh, ids if use_ids else None, inclusive)
        np.testing.assert_array_equal(got, _greedy_loop(boxes.astype(float), thresh, ids if use_ids else None,
                                                        inclusive))


@pytest.mark.parametrize("fmt", ["corner", "center"])
def test_greedy_nms_compiled_loop_equals_the_numpy_path(monkeypatch, fmt):
    """With numba the one-box loop runs compiled (positive threshold and areas): the same kept set as the
    numpy block loop, on dense overlapping boxes, pairs exactly at the threshold, float and int class ids."""
    from ssdkit.ops.kernels import jit
    rng = np.random.default_rng(11)
    grid = np.stack(np.meshgrid(np.arange(12), np.arange(12)), -1).reshape(-1, 2).astype(f32) / 12
    boxes = np.concatenate([grid, grid + rng.uniform(0.1, 0.3, grid.shape).astype(f32)], 1)
    boxes = np.concatenate([boxes, _arr([[0, 0, 2, 2], [0, 0, 2, 1], [0, 0, 1, 2]]), boxes[:40] + f32(0.01)])
    boxes = boxes[rng.permutation(len(boxes))]
    ids = rng.integers(0, 2, len(boxes))
    cases = [(0.5, None, True), (0.5, None, False), (0.3, ids, False), (0.7, ids.astype(f32), True),
             (0.05, None, True)]
    for thresh, cls, inclusive in cases:
        monkeypatch.setenv(jit.ENV_VAR, "0")
        expected = B.greedy_nms(boxes, thresh, cls, inclusive, fmt)
        monkeypatch.delenv(jit.ENV_VAR)
        np.testing.assert_array_equal(B.greedy_nms(boxes, thresh, cls, inclusive, fmt), expected)
        assert 0 < expected.sum() < len(boxes)


def _nms_reference(data, thresh, valid_thresh, topk, force):
    """box_nms with layout [id, score, x1, y1, x2, y2] written out plainly."""
    out = np.full_like(data, -1)
    for b, rows in enumerate(data):
        cand = [i for i in range(len(rows)) if rows[i, 1] > valid_thresh and rows[i, 0] != -1]
        cand = sorted(cand, key=lambda i: -rows[i, 1])[:topk if topk > 0 else None]
        keep = _greedy_loop(rows[cand, 2:].astype(float), thresh, None if force else rows[cand, 0])
        kept = [c for c, k in zip(cand, keep) if k]
        out[b, :len(kept)] = rows[kept]
    return out


@pytest.mark.parametrize("thresh, valid_thresh, topk, force", [(0.5, 0, -1, False), (0.3, 0.2, 25, True),
                                                                (0.7, 0.5, 5, False)])
def test_box_nms_against_reference(thresh, valid_thresh, topk, force):
    rng = np.random.default_rng(6)
    data = np.zeros((3, 90, 6), f32)
    data[..., 0] = rng.integers(-1, 3, (3, 90))
    data[..., 1] = rng.random((3, 90))
    data[..., 2:] = _random_boxes(rng, 270).reshape(3, 90, 4)
    got = B.box_nms(data, overlap_thresh=thresh, valid_thresh=valid_thresh, topk=topk, id_index=0,
                    force_suppress=force)
    np.testing.assert_array_equal(got, _nms_reference(data, thresh, valid_thresh, topk, force))


def test_box_nms_empty_and_leading_dims():
    assert B.box_nms(np.zeros((0, 6), f32)).shape == (0, 6)
    assert B.box_nms(np.zeros((2, 0, 6), f32)).shape == (2, 0, 6)
    data = np.tile(_arr([[0.9, 0, 0, 1, 1, 7], [0.8, 0, 0, 1, 1, 7]]), (2, 3, 1, 1))
    out = B.box_nms(data, coord_start=1, score_index=0, id_index=5)
    assert out.shape == (2, 3, 2, 6)
    np.testing.assert_array_equal(out[..., 0, :], data[..., 0, :])
    assert (out[..., 1, :] == -1).all()


def test_box_nms_everything_filtered_and_topk_zero():
    data = _arr([[0, 0.1, 0, 0, 1, 1]])
    assert (B.box_nms(data, valid_thresh=0.5) == -1).all()
    np.testing.assert_array_equal(B.box_nms(data, topk=0), data)  # MXNet passes the input through


def test_box_nms_format_conversion_skips_negative_left_edge():
    data = _arr([[0, 0.9, 0.0, 0.0, 1.0, 2.0], [1, 0.8, -0.5, 0.0, 0.5, 1.0]])
    out = B.box_nms(data, out_format="center")
    np.testing.assert_array_equal(out[0], _arr([0, 0.9, 0.5, 1.0, 1.0, 2.0]))
    np.testing.assert_array_equal(out[1], data[1])  # MXNet leaves rows whose first coordinate is < 0


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(data=np.zeros((3,), f32)), ShapeError, "data must have shape"),
    (dict(data=np.zeros((3, 4), f32)), ShapeError, "at least 5 values"),
    (dict(data=np.zeros((3, 5), f32), id_index=0), ShapeError, "at least 6 values"),
    (dict(data=np.zeros((3, 6), f32), score_index=3), MXNetError, "score_index 3"),
    (dict(data=np.zeros((3, 6), f32), coord_start=3), MXNetError, "coordinates 3..6"),
    (dict(data=np.zeros((3, 6), f32), id_index=1), MXNetError, "id_index 1"),
    (dict(data=np.zeros((3, 6), f32), in_format="xyxy"), MXNetError, "in_format"),
])
def test_box_nms_bad_layout(kwargs, error, match):
    with pytest.raises(error, match=f"box_nms: .*{match}"):
        B.box_nms(**kwargs)


# -- MultiBoxDetection ----------------------------------------------------------------------------------

def _detect_inputs(rng, batch, num_classes, num):
    anchors = _random_boxes(rng, num)[None]
    logits = rng.normal(size=(batch, num_classes + 1, num)).astype(f32)
    prob = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return prob.astype(f32), (rng.normal(size=(batch, 4 * num)) * 0.5).astype(f32), anchors


def _detection_reference(prob, loc, anchors, threshold, nms_threshold, force, topk):
    out = np.full((prob.shape[0], prob.shape[2], 6), -1, f32)
    boxes = B.decode_boxes(anchors[0], loc.reshape(len(prob), -1, 4))
    for b in range(len(prob)):
        rows = []
        for i in range(prob.shape[2]):
            cls = int(np.argmax(prob[b, 1:, i]))
            score = prob[b, cls + 1, i]
            if score >= threshold:
                rows.append([cls, score, *boxes[b, i]])
        rows = np.array(rows, f32).reshape(-1, 6)
        out[b, :len(rows)] = rows
        order = np.argsort(-rows[:, 1], kind="stable")
        k = topk if 0 < topk < len(rows) else len(rows)
        out[b, k:len(rows), 0] = -1
        top = rows[order[:k]]
        keep = _greedy_loop(top[:, 2:].astype(float), nms_threshold, None if force else top[:, 0], inclusive=True)
        top[~keep, 0] = -1
        out[b, :k] = top
    return out


@pytest.mark.parametrize("threshold, nms_threshold, force, topk", [(0.01, 0.5, False, -1), (0.3, 0.3, True, 20),
                                                                   (0.2, 0.45, False, 7)])
def test_detection_against_reference(threshold, nms_threshold, force, topk):
    prob, loc, anchors = _detect_inputs(np.random.default_rng(7), 2, 3, 120)
    got = B.multibox_detection(prob, loc, anchors, threshold=threshold, nms_threshold=nms_threshold,
                               force_suppress=force, nms_topk=topk)
    np.testing.assert_array_equal(got, _detection_reference(prob, loc, anchors, threshold, nms_threshold, force,
                                                            topk))


def test_detection_exact_nms_threshold_suppresses():
    anchors = _arr([[[0, 0, 0.5, 0.5], [0, 0, 0.5, 0.25]]])  # IoU exactly 0.5
    prob = _arr([[[0.1, 0.2], [0.9, 0.8]]])
    out = B.multibox_detection(prob, np.zeros((1, 8), f32), anchors, nms_threshold=0.5)
    assert out[0, :, 0].tolist() == [0, -1]
    kept = B.multibox_detection(prob, np.zeros((1, 8), f32), anchors, nms_threshold=0.51)
    assert kept[0, :, 0].tolist() == [0, 0]


def test_detection_without_nms_keeps_anchor_order():
    anchors = _arr([[[0, 0, 0.5, 0.5], [0.5, 0.5, 1, 1], [0, 0, 0.5, 0.5]]])
    prob = _arr([[[0.9, 0.2, 0.5], [0.1, 0.8, 0.5]]])
    out = B.multibox_detection(prob, np.zeros((1, 12), f32), anchors, nms_threshold=0)
    np.testing.assert_allclose(out[0, :, :2], [[0, 0.1], [0, 0.8], [0, 0.5]])  # unsorted, nothing removed


def test_detection_background_only_and_below_threshold():
    anchors = _arr([[[0, 0, 0.5, 0.5]]])
    assert (B.multibox_detection(_arr([[[1.0]]]), np.zeros((1, 4), f32), anchors) == -1).all()
    low = B.multibox_detection(_arr([[[0.995], [0.005]]]), np.zeros((1, 4), f32), anchors)
    assert (low == -1).all()


@pytest.mark.parametrize("prob, loc, anchor, operand", [
    ((1, 2, 5), (1, 20), (1, 4, 4), "anchor"),
    ((1, 2, 5), (1, 16), (1, 5, 4), "loc_pred"),
    ((2, 5), (1, 20), (1, 5, 4), "cls_prob"),
])
def test_detection_bad_shapes(prob, loc, anchor, operand):
    with pytest.raises(ShapeError, match=rf"MultiBoxDetection: {operand} must have shape .*got \("):
        B.multibox_detection(np.zeros(prob, f32), np.zeros(loc, f32), np.zeros(anchor, f32))
