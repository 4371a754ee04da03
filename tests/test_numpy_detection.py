"""The mx.np / mx.npx calls the d2l detection chapters make (anchor generation with meshgrid/repeat/tile, IoU
by broadcasting, greedy matching with nonzero and index assignment, NMS with argsort, npx.multibox_*), written
here independently and checked against plain numpy; plus a small SSD-style training step on mx.np arrays."""
import os

import numpy as onp
import pytest
from PIL import Image

import ssdkit as mx
from ssdkit import np, npx, autograd, gluon, image, init
from ssdkit.gluon import nn


@pytest.fixture(autouse=True)
def np_mode():
    npx.set_np()
    yield
    npx.reset_np()


def corners_to_centers(b):
    return np.stack(((b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2, b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]),
                    axis=-1)


def pairwise_iou(a, b):
    lo = np.maximum(a[:, None, :2], b[:, :2])
    hi = np.minimum(a[:, None, 2:], b[:, 2:])
    wh = (hi - lo).clip(min=0)
    inter = wh[:, :, 0] * wh[:, :, 1]
    area = lambda x: (x[:, 2] - x[:, 0]) * (x[:, 3] - x[:, 1])  # noqa: E731
    return inter / (area(a)[:, None] + area(b) - inter)


def test_box_conversions_and_iou_match_numpy():
    rng = onp.random.default_rng(0)
    xy = rng.uniform(0, 0.5, (5, 2)).astype(onp.float32)
    boxes = onp.concatenate([xy, xy + rng.uniform(0.1, 0.5, (5, 2)).astype(onp.float32)], 1)
    centers = corners_to_centers(np.array(boxes))
    onp.testing.assert_allclose(centers[:, 2:].asnumpy(), boxes[:, 2:] - boxes[:, :2], rtol=1e-6)
    iou = pairwise_iou(np.array(boxes), np.array(boxes[:3]))
    lo = onp.maximum(boxes[:, None, :2], boxes[None, :3, :2])
    hi = onp.minimum(boxes[:, None, 2:], boxes[None, :3, 2:])
    inter = onp.prod(onp.clip(hi - lo, 0, None), -1)
    area = onp.prod(boxes[:, 2:] - boxes[:, :2], -1)
    onp.testing.assert_allclose(iou.asnumpy(), inter / (area[:, None] + area[None, :3] - inter), rtol=1e-5)
    # the IoU matrix agrees with the registry's box_iou op behind npx.box_iou
    onp.testing.assert_allclose(npx.box_iou(np.array(boxes), np.array(boxes[:3])).asnumpy(), iou.asnumpy(),
                                rtol=1e-5)


def test_anchor_grid_matches_multibox_prior():
    h, w, sizes, ratios = 3, 4, [0.5, 0.25], [1.0, 2.0, 0.5]
    size_t, ratio_t = np.array(sizes), np.array(ratios)
    cy = (np.arange(h) + 0.5) / h
    cx = (np.arange(w) + 0.5) / w
    sx, sy = np.meshgrid(cx, cy)
    sx, sy = sx.reshape(-1), sy.reshape(-1)
    ws = np.concatenate((size_t * np.sqrt(ratio_t[0]), sizes[0] * np.sqrt(ratio_t[1:]))) * h / w
    hs = np.concatenate((size_t / np.sqrt(ratio_t[0]), sizes[0] / np.sqrt(ratio_t[1:])))
    half = np.tile(np.stack((-ws, -hs, ws, hs)).T, (h * w, 1)) / 2
    grid = np.stack([sx, sy, sx, sy], axis=1).repeat(len(sizes) + len(ratios) - 1, axis=0)
    anchors = np.expand_dims(grid + half, axis=0)
    prior = npx.multibox_prior(np.zeros((1, 3, h, w)), sizes=sizes, ratios=ratios)
    assert type(prior) is np.ndarray and prior.shape == anchors.shape == (1, h * w * 4, 4)
    onp.testing.assert_allclose(anchors.asnumpy(), prior.asnumpy(), rtol=1e-5, atol=1e-6)


def test_greedy_assignment_with_nonzero_and_index_assignment():
    anchors = np.array([[0.0, 0.1, 0.2, 0.3], [0.15, 0.2, 0.4, 0.4], [0.63, 0.05, 0.88, 0.98],
                        [0.66, 0.45, 0.8, 0.8], [0.57, 0.3, 0.92, 0.9]])
    truth = np.array([[0.1, 0.08, 0.52, 0.92], [0.55, 0.2, 0.9, 0.88]])
    jaccard = pairwise_iou(anchors, truth)
    assigned = np.full((anchors.shape[0],), -1, dtype=np.int32)
    best, idx = np.max(jaccard, axis=1), np.argmax(jaccard, axis=1)
    keep = np.nonzero(best >= 0.5)[0]
    assigned[keep] = idx[best >= 0.5]
    for _ in range(truth.shape[0]):
        flat = np.argmax(jaccard)
        col, row = (flat % truth.shape[0]).astype('int32'), (flat / truth.shape[0]).astype('int32')
        assigned[row] = col
        jaccard[:, col] = np.full((anchors.shape[0],), -1)
        jaccard[row, :] = np.full((truth.shape[0],), -1)
    assert assigned.dtype == onp.int32 and assigned.tolist() == [-1, 0, 1, -1, 1]


def test_nms_loop_with_argsort_and_unique():
    boxes = np.array([[0.1, 0.08, 0.52, 0.92], [0.08, 0.2, 0.56, 0.95], [0.15, 0.3, 0.62, 0.91],
                      [0.55, 0.2, 0.9, 0.88]])
    scores = np.array([0.9, 0.8, 0.7, 0.9 - 1e-3])
    order, kept = scores.argsort()[::-1], []
    while order.size > 0:
        i = order[0]
        kept.append(i)
        if order.size == 1:
            break
        iou = pairwise_iou(boxes[i, :].reshape(-1, 4), boxes[order[1:], :].reshape(-1, 4)).reshape(-1)
        order = order[np.nonzero(iou <= 0.5)[0] + 1]
    kept = np.array(kept, dtype=np.int32)
    assert kept.tolist() == [0, 3]
    values, counts = np.unique(np.concatenate((kept, np.arange(4, dtype=np.int32))), return_counts=True)
    assert values[counts == 1].tolist() == [1, 2]
    # the registry's NMS (npx.box_nms) keeps the same boxes
    data = np.concatenate((np.expand_dims(scores, 1), boxes), axis=1)
    out = npx.box_nms(data, overlap_thresh=0.5, coord_start=1, score_index=0, id_index=-1)
    assert sorted(out[:, 0][out[:, 0] >= 0].tolist()) == pytest.approx([0.899, 0.9])


def test_ssd_style_training_step_and_detection(tmp_path):
    path = os.path.join(tmp_path, "img.png")
    Image.fromarray(onp.full((32, 32, 3), 120, onp.uint8)).save(path)
    img = image.imread(path)
    assert type(img) is np.ndarray and img.dtype == onp.uint8
    x = np.expand_dims(img.astype('float32').transpose(2, 0, 1), 0) / 255

    class Tiny(nn.Block):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.body = nn.Sequential()
            self.body.add(nn.Conv2D(8, 3, padding=1), nn.BatchNorm(), nn.Activation('relu'), nn.MaxPool2D(4))
            self.cls = nn.Conv2D(3 * 2, 3, padding=1)
            self.box = nn.Conv2D(3 * 4, 3, padding=1)

        def forward(self, X):
            Y = self.body(X)
            anchors = npx.multibox_prior(Y, sizes=[0.3, 0.5], ratios=[1, 2])
            flat = lambda p: npx.batch_flatten(np.transpose(p, (0, 2, 3, 1)))  # noqa: E731
            cls = flat(self.cls(Y)).reshape(Y.shape[0], -1, 2)
            return anchors, cls, flat(self.box(Y))

    net = Tiny()
    net.initialize(init=init.Xavier())
    trainer = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': 0.2, 'wd': 5e-4})
    label = np.array([[[0, 0.2, 0.2, 0.6, 0.6]]])
    cls_loss, box_loss = gluon.loss.SoftmaxCrossEntropyLoss(), gluon.loss.L1Loss()
    losses = []
    for _ in range(5):
        with autograd.record():
            anchors, cls_preds, box_preds = net(x)
            box_t, box_m, cls_t = npx.multibox_target(anchors, label, cls_preds.transpose(0, 2, 1))
            loss = cls_loss(cls_preds, cls_t) + box_loss(box_preds * box_m, box_t * box_m)
        loss.backward()
        trainer.step(1)
        losses.append(float(loss.mean()))
    assert type(loss) is np.ndarray and losses[-1] < losses[0]
    probs = npx.softmax(cls_preds).transpose(0, 2, 1)
    out = npx.multibox_detection(probs, box_preds, anchors)
    kept = [i for i, row in enumerate(out[0]) if row[0] != -1]
    assert type(out) is np.ndarray and out.shape == (1, anchors.shape[1], 6) and kept
