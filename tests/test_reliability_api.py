"""Reliability, user errors: misuse of the public API (nd ops with wrong shapes or types, gluon layers fed
the wrong input, Trainer misuse, metrics with mismatched inputs, box functions with bad shapes) raises an
MXNetError -- or TypeError / IndexError where Python itself decides -- whose message names the operation
and the operand; never a numpy broadcasting or gufunc traceback. See /work/notes/reliability_matrix.md.
"""
import warnings

import numpy as np
import pytest

import ssdkit as mx
from ssdkit import boxes, gluon, nd
from ssdkit.base import MXNetError
from ssdkit.gluon import nn
from ssdkit.ops import get_op, list_ops

#: Phrases that only appear when a numpy error leaks through unwrapped.
NUMPY_LEAKS = ("operands could not be broadcast", "gufunc signature", "not enough values to unpack",
               "negative dimensions are not allowed", "integer modulo by zero", "float division by zero")


def dense(units=3, in_units=4):
    block = nn.Dense(units, in_units=in_units)
    block.initialize()
    return block


def layer(make, *shapes, hybridize=False):
    """A call that builds ``make()`` (at test time, so module import creates no blocks), initializes it
    and feeds it ones of ``shapes``."""
    def call():
        block = make()
        block.initialize()
        if hybridize:
            block.hybridize()
        return block(*(nd.ones(s) for s in shapes))
    return call


def stepped_trainer(batch_size):
    def call():
        net = dense()
        trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
        with mx.autograd.record():
            loss = net(nd.ones((2, 4))).sum()
        loss.backward()
        trainer.step(batch_size)
    return call


# (call, expected error type, regex the message must match: the op and the operand)
CASES = {
    # -- nd operators -------------------------------------------------------------------------------
    "add-shapes": (lambda: nd.ones((2, 3)) + nd.ones((4, 5)), MXNetError, r"broadcast_add: lhs shape \(2, 3\)"),
    "dot-inner": (lambda: nd.dot(nd.ones((2, 3)), nd.ones((4, 5))), MXNetError, r"dot: lhs \(2, 3\) and rhs"),
    "batch-dot": (lambda: nd.batch_dot(nd.ones((2, 3, 4)), nd.ones((2, 5, 6))), MXNetError, r"batch_dot: lhs"),
    "reshape": (lambda: nd.ones((2, 3)).reshape((4, 4)), MXNetError, r"Reshape: .*\(2, 3\) into shape \(4, 4\)"),
    "concat": (lambda: nd.concat(nd.ones((2, 3)), nd.ones((4, 5)), dim=1), MXNetError, r"concat: inputs of shapes"),
    "transpose": (lambda: nd.transpose(nd.ones((2, 3)), axes=(0, 2)), MXNetError, r"transpose: axes \(0, 2\)"),
    "sum-axis": (lambda: nd.sum(nd.ones((2, 3)), axis=5), MXNetError, r"axis \(5,\) out of range"),
    "softmax-axis": (lambda: nd.softmax(nd.ones((2, 3)), axis=3), MXNetError, r"softmax: .*axis 3"),
    "conv-channels": (lambda: nd.Convolution(nd.ones((1, 3, 5, 5)), nd.ones((2, 4, 3, 3)), nd.ones((2,)),
                                             kernel=(3, 3), num_filter=2),
                      MXNetError, r"Convolution: weight has 4 input channels, data has 3"),
    "conv-rank": (lambda: nd.Convolution(nd.ones((3, 5)), nd.ones((2, 3, 3, 3)), nd.ones((2,)), kernel=(3, 3),
                                         num_filter=2), MXNetError, r"Convolution: data must be 4-D"),
    "fc-weight": (lambda: nd.FullyConnected(nd.ones((2, 3)), nd.ones((4, 5)), nd.ones((4,)), num_hidden=4),
                  MXNetError, r"FullyConnected: weight expected shape \(4, 3\), got \(4, 5\)"),
    "batchnorm-gamma": (lambda: nd.BatchNorm(nd.ones((2, 3, 4, 4)), nd.ones((4,)), nd.ones((3,)), nd.ones((3,)),
                                             nd.ones((3,))), MXNetError, r"BatchNorm: gamma expected shape \(3,\)"),
    "pooling-rank": (lambda: nd.Pooling(nd.ones((2, 3)), kernel=(2, 2), pool_type="max"), MXNetError,
                     r"Pooling: data must be 4-D"),
    "array-of-strings": (lambda: nd.array(["a", "b"]), MXNetError, r"array: cannot convert"),
    "ragged-array": (lambda: nd.array([[1, 2], [3]]), MXNetError, r"array: cannot convert"),
    "unknown-parameter": (lambda: nd.relu(nd.ones((2,)), foo=1), MXNetError, r"relu: unknown parameter\(s\) \['foo'\]"),
    "bad-choice": (lambda: nd.Activation(nd.ones((2,)), act_type="nope"), MXNetError, r"Activation: .*act_type"),
    "bad-scalar-type": (lambda: nd.smooth_l1(nd.ones((2,)), scalar="x"), MXNetError, r"smooth_l1: parameter scalar"),
    "setitem-shape": (lambda: nd.ones((2, 3)).__setitem__(slice(None), nd.ones((4, 4))), MXNetError,
                      r"__setitem__: cannot assign a value of shape \(4, 4\)"),
    "copyto-shape": (lambda: nd.ones((2, 3)).copyto(nd.zeros((3, 3))), MXNetError, r"copyto: target shape \(3, 3\)"),
    "add-a-string": (lambda: nd.ones((2,)) + "x", TypeError, r"NDArray"),
    "index-out-of-range": (lambda: nd.ones((2, 3))[5], IndexError, r"index 5"),
    "zeros-negative-shape": (lambda: nd.zeros((-1, 2)), MXNetError, r"zeros: .*\(-1, 2\)"),
    "topk-axis-out-of-range": (lambda: nd.topk(nd.ones((2, 3)), axis=4), MXNetError, r"topk: .*axis"),
    # -- gluon layers -------------------------------------------------------------------------------
    "dense-in-units": (layer(lambda: nn.Dense(3, in_units=4), (2, 5)), MXNetError,
                       r"FullyConnected: weight expected shape \(3, 5\), got \(3, 4\)"),
    "dense-in-units-hybridized": (layer(lambda: nn.Dense(3, in_units=4), (2, 5), hybridize=True), MXNetError,
                                  r"FullyConnected: .*\(2, 5\)"),
    "conv2d-channels": (layer(lambda: nn.Conv2D(4, 3, in_channels=3), (1, 4, 8, 8)), MXNetError,
                        r"Convolution: weight has 3 input channels, data has 4"),
    "conv2d-rank-deferred": (layer(lambda: nn.Conv2D(4, 3), (3, 8, 8)), MXNetError, r"Convolution: data must be 4-D"),
    "batchnorm-channels": (layer(lambda: nn.BatchNorm(in_channels=3), (2, 4, 5, 5)), MXNetError,
                           r"BatchNorm: gamma expected shape \(4,\), got \(3,\)"),
    "maxpool-rank": (layer(lambda: nn.MaxPool2D(2), (3, 8, 8)), MXNetError, r"Pooling: data must be 4-D"),
    "maxpool-too-small": (layer(lambda: nn.MaxPool2D(2), (1, 3, 1, 1)), MXNetError,
                          r"Pooling: kernel 2 exceeds data H 1"),
    "numpy-input": (lambda: dense()(np.ones((2, 4), np.float32)), MXNetError, r"HybridBlock.*NDArray"),
    "uninitialized": (lambda: nn.Dense(3)(nd.ones((2, 4))), MXNetError, r"Parameter 'dense\d+_weight' has not been "
                                                                         r"initialized"),
    "loss-shapes": (lambda: gluon.loss.L2Loss()(nd.ones((2, 3)), nd.ones((4, 5))), MXNetError, r"\(4, 5\)"),
    "softmax-ce-shapes": (lambda: gluon.loss.SoftmaxCrossEntropyLoss()(nd.ones((2, 3)), nd.ones((4,))),
                          MXNetError, r"pick: .*index\(4,\)"),
    "backward-outside-record": (lambda: dense()(nd.ones((2, 4))).backward(), MXNetError,
                                r"backward: the heads were not computed inside autograd.record"),
    # -- Trainer ------------------------------------------------------------------------------------
    "trainer-not-parameters": (lambda: gluon.Trainer([1, 2], "sgd"), MXNetError, r"list or dict of Parameters"),
    "trainer-unknown-optimizer": (lambda: gluon.Trainer(dense().collect_params(), "nope"), MXNetError,
                                  r"Cannot find optimizer nope"),
    "trainer-misspelt-option": (lambda: gluon.Trainer(dense().collect_params(), "sgd", {"learnin_rate": 0.1}),
                                TypeError, r"learnin_rate"),
    "trainer-step-without-backward": (lambda: gluon.Trainer(dense().collect_params(), "sgd").step(1), MXNetError,
                                      r"Gradient of Parameter `dense\d+_(weight|bias)`.*has not been updated"),
    "trainer-uninitialized": (lambda: gluon.Trainer(nn.Dense(3, in_units=4).collect_params(), "sgd").step(1),
                              MXNetError, r"Parameter 'dense\d+_(weight|bias)' has not been initialized"),
    "trainer-step-batch-size-0": (stepped_trainer(0), MXNetError, r"batch_size"),
    # -- metrics ------------------------------------------------------------------------------------
    "accuracy-list-lengths": (lambda: mx.metric.Accuracy().update([nd.ones((2,))], [nd.ones((2, 3))] * 2),
                              MXNetError, r"Accuracy: 1 labels but 2 predictions"),
    "accuracy-batch-sizes": (lambda: mx.metric.Accuracy().update([nd.ones((3,))], [nd.ones((2, 3))]),
                             MXNetError, r"Accuracy: 3 labels but 2 predictions"),
    "mae-shapes": (lambda: mx.metric.MAE().update([nd.ones((3,))], [nd.ones((2, 4))]), MXNetError,
                   r"MAE.update: label shape \(3, 1\) and prediction shape \(2, 4\)"),
    "cross-entropy-shapes": (lambda: mx.metric.CrossEntropy().update([nd.ones((3,))], [nd.ones((2, 4))]),
                             MXNetError, r"CrossEntropy: predictions must be \(N, C\)"),
    "voc-box-width": (lambda: mx.metric.VOC07MApMetric().update(nd.ones((1, 3, 3)), nd.ones((1, 3)), nd.ones((1, 3)),
                                                                nd.ones((1, 2, 4)), nd.ones((1, 2))),
                      MXNetError, r"pred_bboxes of one image must be \(N, 4\), got shape \(3, 3\)"),
    "voc-batch-sizes": (lambda: mx.metric.VOC07MApMetric().update(nd.ones((2, 3, 4)), nd.ones((2, 3)),
                                                                  nd.ones((2, 3)), nd.ones((1, 2, 4)), nd.ones((1, 2))),
                        MXNetError, r"batch sizes differ across inputs"),
    "unknown-metric": (lambda: mx.metric.create("nope"), MXNetError, r"unknown metric 'nope'"),
    # -- boxes ----------------------------------------------------------------------------------------
    "box-iou-width": (lambda: boxes.box_iou(np.ones((2, 3)), np.ones((2, 4))), MXNetError,
                      r"box_iou: lhs must have shape \(n, 4\), got \(2, 3\)"),
    "nd-box-iou-width": (lambda: nd.contrib.box_iou(nd.ones((2, 3)), nd.ones((2, 4))), MXNetError, r"box_iou: lhs"),
    "box-format": (lambda: boxes.box_area(np.ones((2, 4)), format="xywh"), MXNetError, r"box_area: format"),
    "encode-mismatch": (lambda: boxes.encode_boxes(np.ones((4, 4)), np.ones((3, 4))), MXNetError,
                        r"encode_boxes: anchors shape \(4, 4\) and gt_boxes shape \(3, 4\)"),
    "decode-mismatch": (lambda: boxes.decode_boxes(np.ones((4, 4)), np.ones((3, 4))), MXNetError,
                        r"decode_boxes: anchors shape \(4, 4\) and loc_pred shape \(3, 4\)"),
    "greedy-nms-width": (lambda: boxes.greedy_nms(np.ones((3, 3)), 0.5), MXNetError,
                         r"greedy_nms: boxes must have shape"),
    "greedy-nms-ids": (lambda: boxes.greedy_nms(np.ones((3, 4)), 0.5, ids=np.ones(2)), MXNetError,
                       r"greedy_nms: ids must have shape \(3,\)"),
    "bipartite-rank": (lambda: boxes.bipartite_match(np.ones((3,))), MXNetError, r"bipartite_match: iou must be 2-D"),
    "prior-rank": (lambda: nd.contrib.MultiBoxPrior(nd.ones((3, 4)), sizes=(0.5,)), MXNetError,
                   r"MultiBoxPrior: data must be \(batch, channel, height, width\)"),
    "target-label-rank": (lambda: nd.contrib.MultiBoxTarget(nd.ones((1, 4, 4)), nd.ones((1, 5)),
                                                            nd.ones((1, 2, 4))),
                          MXNetError, r"MultiBoxTarget: label must have shape \(B, M, >=5\)"),
    "target-cls-anchors": (lambda: nd.contrib.MultiBoxTarget(nd.ones((1, 4, 4)), nd.ones((1, 1, 5)),
                                                             nd.ones((1, 2, 7))),
                           MXNetError, r"MultiBoxTarget: cls_pred must have shape \(B, C \+ 1, N\) with N = 4"),
    "detection-loc-width": (lambda: nd.contrib.MultiBoxDetection(nd.ones((1, 2, 4)), nd.ones((1, 12)),
                                                                 nd.ones((1, 4, 4))),
                            MXNetError, r"MultiBoxDetection: loc_pred must have shape \(B, 4 \* N\)"),
    "nms-width": (lambda: nd.contrib.box_nms(nd.ones((2, 3))), MXNetError, r"box_nms: data's last axis"),
}


@pytest.mark.parametrize("call, error, message", CASES.values(), ids=CASES.keys())
def test_user_error_is_named_not_a_numpy_traceback(call, error, message):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(error, match=message) as info:
            call()
    assert not any(leak in str(info.value) for leak in NUMPY_LEAKS), str(info.value)


# -- a walk over every registered operator ---------------------------------------------------------

#: Input shapes fed to every op: mismatched ranks and sizes, scalars, empty arrays, 4-D image-like.
WALK_SHAPES = (((2, 3), (4, 5), (7,)), ((2,), (2,), (2,)), ((2, 3, 4, 5), (3, 3, 3, 3), (6,)),
               ((1, 2, 3), (4,), (2, 2)), ((0, 3), (0,), (3, 0)), ((), (), ()))


def _nd_function(name):
    if hasattr(nd, name):
        return getattr(nd, name)
    if name.startswith("_image_"):
        return getattr(nd.image, name[len("_image_"):])
    return getattr(nd.contrib, name.replace("_contrib_", ""), None)


def _call_with_shapes(name, shapes):
    op = get_op(name)
    count = 2 if getattr(op, "key_var_num_args", None) else max(1, len(op.inputs))
    arrays = [nd.ones(shapes[min(i, len(shapes) - 1)]) for i in range(count)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            _nd_function(name)(*arrays)
        except (MXNetError, TypeError):
            pass


def test_every_registered_op_rejects_malformed_inputs_with_mxnet_errors():
    leaks = []
    names = [name for name in list_ops() if _nd_function(name) is not None]
    assert len(names) > 100
    for name in names:
        for shapes in WALK_SHAPES:
            try:
                _call_with_shapes(name, shapes)
            except Exception as err:   # noqa: BLE001 -- every other type is a leak to report
                leaks.append(f"{name}{shapes}: {type(err).__name__}: {err}")
    assert not leaks, "\n".join(leaks)


