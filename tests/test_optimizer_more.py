"""Signum, FTML, Ftrl, DCASGD, Adamax, Nadam, LAMB, SGLD and the float16 multi-precision path against MXNet
1.9.1 (oracle: tests/data/optimizer_oracle)."""
import json
import os

import numpy as np
import pytest

import ssdkit as mx

HERE = os.path.join(os.path.dirname(__file__), "data", "optimizer_oracle")
ORACLE = np.load(os.path.join(HERE, "optimizer_oracle.npz"))
CASES = json.load(open(os.path.join(HERE, "cases.json")))


@pytest.mark.parametrize("key", sorted(CASES["cases"]))
def test_optimizer_steps_match_mxnet(key):
    name, kwargs = CASES["cases"][key]
    dtype = np.float16 if key.endswith("mp16") else np.float32
    upd = mx.optimizer.get_updater(mx.optimizer.create(name, **kwargs))
    w = mx.nd.array(ORACLE["w0"], dtype=dtype)
    for step in range(CASES["steps"]):
        upd(0, mx.nd.array(ORACLE["grads"][step], dtype=dtype), w)
        tol = 1e-3 if dtype == np.float16 else 1e-5
        np.testing.assert_allclose(w.asnumpy(), ORACLE[f"{key}/w{step}"], rtol=tol, atol=tol,
                                   err_msg=f"{key} step {step}")
    assert w.dtype == dtype


def test_multi_precision_keeps_float32_master():
    opt = mx.optimizer.create("sgd", learning_rate=1e-4, multi_precision=True)
    w = mx.nd.ones((4,), dtype="float16")
    mom, master = opt.create_state_multi_precision(0, w)
    assert mom is None and master.dtype == np.float32
    for _ in range(10):
        opt.update_multi_precision(0, w, mx.nd.ones((4,), dtype="float16"), (mom, master))
    np.testing.assert_allclose(master.asnumpy(), 1 - 10e-4, rtol=1e-6)   # float16 alone would not move


def test_sgld_noise_scale():
    mx.random.seed(3)
    opt = mx.optimizer.create("sgld", learning_rate=0.04)
    w = mx.nd.zeros((20000,))
    opt.update(0, w, mx.nd.zeros((20000,)), None)
    assert abs(float(w.asnumpy().std()) - 0.2) < 0.01
    assert abs(float(w.asnumpy().mean())) < 0.01


def test_registry_names():
    for name in ("signum", "ftml", "ftrl", "dcasgd", "adamax", "nadam", "lamb", "sgld"):
        assert type(mx.optimizer.create(name)).__name__.lower() == name
