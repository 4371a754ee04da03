"""The CTCLoss op and gluon.loss.CTCLoss against MXNet 1.9.1 (oracle: tests/data/loss_oracle/ctc_oracle.npz)."""
import os

import numpy as np
import pytest

import ssdkit as mx

ORACLE = np.load(os.path.join(os.path.dirname(__file__), "data", "loss_oracle", "ctc_oracle.npz"))


@pytest.mark.parametrize("key, label, kwargs", [
    ("first", "label_first", dict(blank_label="first")),
    ("last_lengths", "label_last", dict(blank_label="last", use_data_lengths=True, use_label_lengths=True))])
def test_ctc_op_matches_mxnet(key, label, kwargs):
    x = mx.nd.array(ORACLE["data"])
    x.attach_grad()
    extra = [mx.nd.array(ORACLE["data_lengths"]), mx.nd.array(ORACLE["label_lengths"])] \
        if kwargs.get("use_data_lengths") else []
    with mx.autograd.record():
        loss = mx.nd.CTCLoss(x, mx.nd.array(ORACLE[label]), *extra, **kwargs)
    loss.backward(mx.nd.array(ORACLE["head"]))
    np.testing.assert_allclose(loss.asnumpy(), ORACLE[f"op_{key}/out"], rtol=1e-5)
    np.testing.assert_allclose(x.grad.asnumpy(), ORACLE[f"op_{key}/grad"], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("hybridize", [False, True])
def test_gluon_ctc_loss_matches_mxnet(hybridize):
    loss_fn = mx.gluon.loss.CTCLoss(label_layout="TN", weight=0.5)
    if hybridize:
        loss_fn.hybridize()
    x = mx.nd.array(ORACLE["data"].transpose(1, 0, 2))
    x.attach_grad()
    with mx.autograd.record():
        loss = loss_fn(x, mx.nd.array(ORACLE["label_last"].T), mx.nd.array(ORACLE["data_lengths"]))
    loss.backward()
    np.testing.assert_allclose(loss.asnumpy(), ORACLE["gluon/out"], rtol=1e-5)
    np.testing.assert_allclose(x.grad.asnumpy(), ORACLE["gluon/grad"], rtol=1e-4, atol=1e-5)


def test_ctc_spellings_and_errors():
    assert mx.nd.ctc_loss is not None and mx.nd.contrib.ctc_loss is not None
    with pytest.raises(mx.base.MXNetError, match="layout"):
        mx.gluon.loss.CTCLoss(layout="NCT")
