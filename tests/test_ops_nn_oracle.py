"""The neural-network ops (norms, spatial, ROI, N-d convolution and pooling) equal MXNet 1.9.1: outputs and
input gradients for a random head gradient, from tests/data/opsnn_oracle (made by real MXNet)."""
import json
import re
from pathlib import Path

import numpy as np
import pytest

import ssdkit as mx

HERE = Path(__file__).resolve().parent / "data" / "opsnn_oracle"
META = json.loads((HERE / "opsnn_oracle.json").read_text())["cases"]
DATA = np.load(HERE / "opsnn_oracle.npz")


def _op(path):
    fn = mx.nd
    for part in path.split("."):
        fn = getattr(fn, part)
    return fn


@pytest.mark.parametrize("case", META, ids=[c["name"] for c in META])
def test_op_matches_mxnet(case):
    name = case["name"]
    inputs = [mx.nd.array(DATA[f"{name}/in{i}"]) for i in range(case["inputs"])]
    for i in case["wrt"]:
        inputs[i].attach_grad()
    with mx.autograd.record(train_mode=True):
        out = _op(case["op"])(*inputs, **case["attrs"])
    outs = list(out) if isinstance(out, (list, tuple)) else [out]
    assert len(outs) == case["outputs"]
    for i, o in enumerate(outs):
        np.testing.assert_allclose(o.asnumpy(), DATA[f"{name}/out{i}"], rtol=1e-4, atol=1e-5,
                                   err_msg=f"{name} output {i}")
    mx.autograd.backward(outs, [mx.nd.array(DATA[f"{name}/head{i}"]) for i in range(len(outs))])
    for k, i in enumerate(case["wrt"]):
        np.testing.assert_allclose(inputs[i].grad.asnumpy(), DATA[f"{name}/grad{k}"], rtol=1e-4, atol=1e-5,
                                   err_msg=f"{name} gradient of input {i}")


LAYERS = json.loads((HERE / "opsnn_oracle.json").read_text())["layers"]


def _strip_counter(name):
    """'conv3_weight' -> 'conv_weight': the counter depends on how many layers were made before."""
    return re.sub(r"\d+_", "_", name, count=1)


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_matches_mxnet(name):
    """Parameter names, shapes and grad_req, repr, output and input gradient equal MXNet's gluon.nn layer
    (or gluon.contrib.rnn convolutional cell, unrolled over 3 steps)."""
    case = LAYERS[name]
    block = eval(case["source"], {"nn": mx.gluon.nn, "rnn": mx.gluon.contrib.rnn})   # noqa: S307 -- oracle text
    run = (lambda x: block.unroll(3, x, merge_outputs=True)[0]) if case["cell"] else block
    block.initialize()
    x = mx.nd.array(DATA[f"layer/{name}/in"])
    run(x)
    params = block.collect_params()
    got = [[_strip_counter(k), list(p.shape), p.grad_req] for k, p in params.items()]
    assert got == [[_strip_counter(k), s, r] for k, s, r in case["params"]]
    assert repr(block) == case["repr"]
    for (key, param), (want_key, _, _) in zip(params.items(), case["params"]):
        param.set_data(mx.nd.array(DATA[f"layer/{name}/param/{want_key}"]))
    x.attach_grad()
    with mx.autograd.record():
        y = run(x)
    y.backward(mx.nd.array(DATA[f"layer/{name}/head"]))
    np.testing.assert_allclose(y.asnumpy(), DATA[f"layer/{name}/out"], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(x.grad.asnumpy(), DATA[f"layer/{name}/dx"], rtol=1e-4, atol=1e-5)
