"""SSD training objective: SSDMultiBoxLoss against a per-anchor reference loop (GluonCV's semantics), its
gradient, the no-positive case and multi-device normalization; SSDTargetGenerator against MultiBoxTarget;
the notebook's SmoothL1Loss."""
import numpy as np
import pytest

import ssdkit as mx
from ssdkit import autograd, nd
from ssdkit.detection import SmoothL1Loss, SSDMultiBoxLoss, SSDTargetGenerator


def _reference(cls_pred, box_pred, cls_target, box_target, ratio, rho, lambd, num_pos_all):
    """GluonCV's loss written as plain loops over images and anchors."""
    batch, num, _ = cls_pred.shape
    cls_out, box_out = np.zeros(batch), np.zeros(batch)
    for b in range(batch):
        logits = cls_pred[b] - cls_pred[b].max(axis=1, keepdims=True)
        log_prob = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        ce = np.array([-log_prob[n, int(max(cls_target[b, n], 0))] for n in range(num)])
        positive = cls_target[b] > 0
        # hardest negatives: the non-positives with the largest cross-entropy (stable order on ties)
        order = sorted((n for n in range(num) if not positive[n]), key=lambda n: -ce[n])
        hard = set(order[:int(positive.sum() * ratio)])
        cls_out[b] = sum(ce[n] for n in range(num) if positive[n] or n in hard) / num_pos_all
        for n in np.flatnonzero(positive):
            for d in np.abs(box_pred[b, n] - box_target[b, n]):
                box_out[b] += (d - 0.5 * rho if d > rho else 0.5 / rho * d * d) / num_pos_all
    return cls_out + lambd * box_out, cls_out, box_out


def _case(seed, batch=2, num=12, classes=3):
    rng = np.random.default_rng(seed)
    cls_pred = rng.standard_normal((batch, num, classes + 1)).astype(np.float32) * 2
    box_pred = rng.standard_normal((batch, num, 4)).astype(np.float32)
    cls_target = np.where(rng.random((batch, num)) < 0.25, rng.integers(1, classes + 1, (batch, num)), 0)
    box_target = (rng.standard_normal((batch, num, 4)) * (cls_target[..., None] > 0)).astype(np.float32)
    return cls_pred, box_pred, cls_target.astype(np.float32), box_target


@pytest.mark.parametrize("ratio, rho, lambd", [(3, 1.0, 1.0), (1, 0.5, 2.0), (0, 1.0, 1.0)])
def test_loss_matches_the_reference_loop(ratio, rho, lambd):
    cls_pred, box_pred, cls_target, box_target = _case(0)
    total, cls_l, box_l = SSDMultiBoxLoss(ratio, rho, lambd)(*(nd.array(a) for a in (cls_pred, box_pred, cls_target,
                                                                                         box_target)))
    want = _reference(cls_pred, box_pred, cls_target, box_target, ratio, rho, lambd, (cls_target > 0).sum())
    for got, expected in zip((total[0], cls_l[0], box_l[0]), want):
        np.testing.assert_allclose(got.asnumpy(), expected, rtol=1e-5)


def test_positives_are_counted_over_every_device():
    cls_pred, box_pred, cls_target, box_target = _case(1, batch=4)
    arrays = [cls_pred, box_pred, cls_target, box_target]
    halves = [[nd.array(a[:2]), nd.array(a[2:])] for a in arrays]
    total, _, _ = SSDMultiBoxLoss()(*halves)
    whole = SSDMultiBoxLoss()(*(nd.array(a) for a in arrays))[0][0].asnumpy()
    np.testing.assert_allclose(np.concatenate([t.asnumpy() for t in total]), whole, rtol=1e-6)


def test_no_positive_anchor_gives_zero_losses():
    cls_pred, box_pred, _, box_target = _case(2)
    out = SSDMultiBoxLoss()(nd.array(cls_pred), nd.array(box_pred), nd.zeros(cls_pred.shape[:2]), nd.array(box_target))
    assert [[x.asnumpy().tolist() for x in part] for part in out] == [[[0.0]], [[0.0]], [[0.0]]]


def test_ignored_anchors_never_count():
    cls_pred, box_pred, cls_target, box_target = _case(3)
    ignored = cls_target.copy()
    ignored[cls_target == 0] = -1        # every non-positive ignored: only positives remain
    _, cls_l, _ = SSDMultiBoxLoss()(*(nd.array(a) for a in (cls_pred, box_pred, ignored, box_target)))
    only_positive = _reference(cls_pred, box_pred, cls_target, box_target, 0, 1.0, 1.0, (cls_target > 0).sum())[1]
    np.testing.assert_allclose(cls_l[0].asnumpy(), only_positive, rtol=1e-5)


def test_gradient_of_the_selected_terms():
    cls_pred, box_pred, cls_target, box_target = _case(4, batch=1, num=6, classes=1)
    x_cls, x_box = nd.array(cls_pred), nd.array(box_pred)
    x_cls.attach_grad()
    x_box.attach_grad()
    with autograd.record():
        total, _, _ = SSDMultiBoxLoss()(x_cls, x_box, nd.array(cls_target), nd.array(box_target))
    total[0].backward()

    def f(c, b):
        return _reference(c.astype(np.float64), b.astype(np.float64), cls_target, box_target, 3, 1.0, 1.0,
                          (cls_target > 0).sum())[0].sum()
    eps = 1e-3
    for array, grad, other_first in ((cls_pred, x_cls.grad.asnumpy(), True), (box_pred, x_box.grad.asnumpy(), False)):
        numeric = np.zeros(array.shape)
        for idx in np.ndindex(array.shape):
            up, down = array.copy(), array.copy()
            up[idx] += eps
            down[idx] -= eps
            args_up = (up, box_pred) if other_first else (cls_pred, up)
            args_down = (down, box_pred) if other_first else (cls_pred, down)
            numeric[idx] = (f(*args_up) - f(*args_down)) / (2 * eps)
        np.testing.assert_allclose(grad, numeric, rtol=1e-2, atol=1e-3)


def test_loss_rejects_mismatched_shapes():
    with pytest.raises(mx.MXNetError, match=r"cls_pred must be \(B, N, C\+1\)"):
        SSDMultiBoxLoss()(nd.zeros((2, 5)), nd.zeros((2, 5, 4)), nd.zeros((2, 5)), nd.zeros((2, 5, 4)))


def test_target_generator_equals_multibox_target():
    rng = np.random.default_rng(5)
    anchors = nd.contrib.MultiBoxPrior(nd.zeros((1, 3, 6, 6)), sizes=[.3, .5], ratios=[1, 2, .5])
    labels = np.full((2, 3, 5), -1, np.float32)
    labels[0, :2] = [[0, .1, .1, .5, .6], [2, .4, .3, .9, .8]]
    labels[1, :1] = [[1, .2, .5, .6, .95]]
    cls_t, box_t, box_m = SSDTargetGenerator()(anchors, nd.array(labels))
    scores = nd.array(rng.standard_normal((2, 4, anchors.shape[1])))
    want_box, want_mask, want_cls = nd.contrib.MultiBoxTarget(anchors, nd.array(labels), scores)
    np.testing.assert_array_equal(cls_t.asnumpy(), want_cls.asnumpy())
    np.testing.assert_array_equal(box_t.asnumpy().reshape(2, -1), want_box.asnumpy())
    np.testing.assert_array_equal(box_m.asnumpy().reshape(2, -1), want_mask.asnumpy())
    assert set(np.unique(cls_t.asnumpy())) == {0, 1, 2, 3}


def test_target_generator_rejects_bad_labels():
    with pytest.raises(mx.MXNetError, match="labels must be"):
        SSDTargetGenerator()(np.zeros((1, 4, 4), np.float32), np.zeros((2, 4), np.float32))


def test_notebook_smooth_l1_is_masked_and_averaged():
    out = np.array([[0.5, 3.0, -2.0, 0.1]], np.float32)
    mask = np.array([[1, 1, 1, 0]], np.float32)
    diff = out * mask
    want = np.where(np.abs(diff) < 1, 0.5 * diff ** 2, np.abs(diff) - 0.5).mean(axis=1)
    got = SmoothL1Loss()(nd.array(out), nd.zeros(out.shape), nd.array(mask))
    np.testing.assert_allclose(got.asnumpy(), want, rtol=1e-6)
