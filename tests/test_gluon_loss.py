"""gluon.loss against MXNet 1.9.1: the SoftmaxCrossEntropyLoss reference vector (../shared/reference) and every
loss's output and input gradient from tests/data/gluon_oracle (imperative and hybridized)."""
import json
from pathlib import Path

import numpy as np
import pytest

from ssdkit import autograd, nd
from ssdkit.base import MXNetError
from ssdkit.gluon import loss as gloss

REF = Path(__file__).resolve().parents[2] / "shared" / "reference"
HERE = Path(__file__).resolve().parent / "data" / "gluon_oracle"
META = json.loads((HERE / "gluon_oracle.json").read_text())["losses"]
ARR = np.load(HERE / "gluon_oracle.npz")
OUT_TOL, GRAD_TOL = 1e-4, 2e-3

LOSSES = {
    "l2": lambda: gloss.L2Loss(), "l2_weighted": lambda: gloss.L2Loss(weight=2.0), "l1": lambda: gloss.L1Loss(),
    "l1_sw": lambda: gloss.L1Loss(), "softmax_ce": lambda: gloss.SoftmaxCrossEntropyLoss(),
    "softmax_ce_sw": lambda: gloss.SoftmaxCrossEntropyLoss(weight=0.5),
    "softmax_ce_dense": lambda: gloss.SoftmaxCELoss(sparse_label=False),
    "softmax_ce_logits": lambda: gloss.SoftmaxCELoss(from_logits=True),
    "softmax_ce_axis1": lambda: gloss.SoftmaxCELoss(axis=1), "sigmoid_bce": lambda: gloss.SigmoidBCELoss(),
    "sigmoid_bce_pos": lambda: gloss.SigmoidBCELoss(),
    "sigmoid_bce_from_sigmoid": lambda: gloss.SigmoidBCELoss(from_sigmoid=True),
    "kldiv": lambda: gloss.KLDivLoss(), "kldiv_logits": lambda: gloss.KLDivLoss(from_logits=False),
    "huber": lambda: gloss.HuberLoss(rho=0.5), "hinge": lambda: gloss.HingeLoss(),
    "squared_hinge": lambda: gloss.SquaredHingeLoss(margin=0.5), "logistic": lambda: gloss.LogisticLoss(),
    "logistic_binary": lambda: gloss.LogisticLoss(label_format="binary"), "focal": lambda: gloss.FocalLoss(),
}


def _extras(name):
    extra = []
    for i, is_none in enumerate(META[name]["extra_none"]):
        extra.append(None if is_none else nd.array(ARR[f"loss/{name}/extra{i}"]))
    return extra


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_loss_output_and_gradient_match_mxnet(name):
    assert set(LOSSES) == set(META)
    loss = LOSSES[name]()
    assert repr(loss) == META[name]["repr"]
    pred = nd.array(ARR[f"loss/{name}/pred"])
    pred.attach_grad()
    with autograd.record():
        out = loss(pred, nd.array(ARR[f"loss/{name}/label"]), *_extras(name))
    out.backward(nd.array(ARR[f"loss/{name}/head_grad"]))
    np.testing.assert_allclose(out.asnumpy(), ARR[f"loss/{name}/out"], rtol=OUT_TOL, atol=OUT_TOL)
    np.testing.assert_allclose(pred.grad.asnumpy(), ARR[f"loss/{name}/grad"], rtol=GRAD_TOL, atol=GRAD_TOL)


@pytest.mark.parametrize("hybridize", [False, True])
def test_softmax_ce_reference_vector(hybridize):
    if not (REF / "mxnet_golden.npz").exists():
        pytest.skip("reference vectors not available")
    z = np.load(REF / "mxnet_golden.npz")
    loss = gloss.SoftmaxCrossEntropyLoss()
    if hybridize:
        loss.hybridize()
    pred = nd.array(z["softmax_ce/in_pred"])
    pred.attach_grad()
    with autograd.record():
        out = loss(pred, nd.array(z["softmax_ce/label"]))
    out.backward(nd.array(z["softmax_ce/head_grad"]))
    np.testing.assert_allclose(out.asnumpy(), z["softmax_ce/out"], rtol=OUT_TOL, atol=OUT_TOL)
    np.testing.assert_allclose(pred.grad.asnumpy(), z["softmax_ce/grad_pred"], rtol=GRAD_TOL, atol=GRAD_TOL)


def test_focal_loss_is_the_notebook_formula():
    pred = np.random.RandomState(0).uniform(-2, 2, (3, 6, 4)).astype(np.float32)
    label = np.random.RandomState(1).randint(0, 4, (3, 6))
    p = np.exp(pred) / np.exp(pred).sum(-1, keepdims=True)
    pt = np.take_along_axis(p, label[..., None], -1)
    expected = (-0.25 * (1 - pt) ** 2 * np.log(pt)).mean(axis=(1, 2))
    got = gloss.FocalLoss()(nd.array(pred), nd.array(label)).asnumpy()
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    weighted = gloss.FocalLoss(alpha=0.5, gamma=0, weight=2.0)(nd.array(pred), nd.array(label)).asnumpy()
    np.testing.assert_allclose(weighted, (-np.log(pt)).mean(axis=(1, 2)), rtol=1e-5)


def test_loss_arguments_checked():
    with pytest.raises(MXNetError, match="weight must be a number"):
        gloss.L1Loss(weight="2")(nd.ones((1, 2)), nd.ones((1, 2)))
    with pytest.raises(MXNetError, match="label_format"):
        gloss.LogisticLoss(label_format="probability")
    assert gloss.PoissonNLLLoss()(nd.zeros((2, 2)), nd.ones((2, 2))).shape in ((), (1,))
    triplet = gloss.TripletLoss(margin=1)(nd.zeros((2, 3)), nd.zeros((2, 3)), nd.ones((2, 3)))
    assert triplet.asnumpy().tolist() == [0.0, 0.0]
