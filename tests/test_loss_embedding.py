"""gluon.loss.CosineEmbeddingLoss and SDMLLoss against MXNet 1.9.1 (oracle: tests/data/loss_oracle)."""
import os

import numpy as np
import pytest

import ssdkit as mx

ORACLE = np.load(os.path.join(os.path.dirname(__file__), "data", "loss_oracle", "loss_oracle.npz"))
CASES = {
    "cosine": (lambda: mx.gluon.loss.CosineEmbeddingLoss(), ["x1", "x2", "label"], 1.0),
    "cosine_margin": (lambda: mx.gluon.loss.CosineEmbeddingLoss(margin=0.2, weight=0.7),
                      ["x1", "x2", "label", "sample_weight"], 1.0),
    "sdml": (lambda: mx.gluon.loss.SDMLLoss(), ["x1", "x2"], 1.0),
    "sdml_smooth": (lambda: mx.gluon.loss.SDMLLoss(smoothing_parameter=0.1), ["x1", "x2"], 0.3),
}


@pytest.mark.parametrize("hybridize", [False, True])
@pytest.mark.parametrize("key", sorted(CASES))
def test_matches_mxnet(key, hybridize):
    make, names, scale = CASES[key]
    loss = make()
    if hybridize:
        loss.hybridize()
    inputs = [mx.nd.array(ORACLE[n] * (scale if n in ("x1", "x2") else 1.0)) for n in names]
    for a in inputs[:2]:
        a.attach_grad()
    with mx.autograd.record():
        out = loss(*inputs)
    out.backward()
    np.testing.assert_allclose(out.asnumpy(), ORACLE[f"{key}/out"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(inputs[0].grad.asnumpy(), ORACLE[f"{key}/g1"], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(inputs[1].grad.asnumpy(), ORACLE[f"{key}/g2"], rtol=1e-4, atol=1e-5)


def test_param_free_ops_ignore_extra_keywords_like_mxnet():
    # MXNet's broadcast/elementwise ops have no parameter struct: axis= is accepted and unused (its test_loss
    # passes axis=1 to broadcast_maximum); ops that declare parameters, and unary ops (where a stray keyword is
    # more likely a typo, see test_reliability_api), still refuse unknown ones
    out = mx.nd.broadcast_maximum(mx.nd.array([0]), mx.nd.array([[1], [-1]]), axis=1)
    np.testing.assert_array_equal(out.asnumpy(), [[1], [0]])
    with pytest.raises(mx.base.MXNetError, match="unknown parameter"):
        mx.nd.sum(mx.nd.ones((2,)), foo=3)
