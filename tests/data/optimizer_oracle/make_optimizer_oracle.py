"""Oracle for ssdkit's Signum / signSGD / FTML / Ftrl / DCASGD / Adamax / Nadam / LAMB / LARS / LBSGD / Test
optimizers and the float16 multi-precision path of SGD / NAG / Adam / LAMB: runs MXNet 1.9.1's own optimizers for a few steps on fixed
weights and gradients and saves every step's weight (and the final states) to optimizer_oracle.npz.

Run with real MXNet:  /work/mxvenv/bin/python tests/data/optimizer_oracle/make_optimizer_oracle.py
"""
import json
import os

import numpy as np
import mxnet as mx

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = {
    "signum": ("signum", dict(learning_rate=0.05, momentum=0.9, wd=0.01, wd_lh=0.02, rescale_grad=0.5,
                               clip_gradient=0.3)),
    "signsgd": ("signum", dict(learning_rate=0.05, momentum=0.0, wd=0.01, rescale_grad=0.5)),
    "ftml": ("ftml", dict(learning_rate=0.05, wd=0.01, rescale_grad=0.5, clip_gradient=0.4)),
    "ftrl": ("ftrl", dict(learning_rate=0.1, lamda1=0.01, beta=1.0, wd=0.02, rescale_grad=0.5, clip_gradient=0.4)),
    "dcasgd": ("dcasgd", dict(learning_rate=0.05, wd=0.01, lamda=0.04, rescale_grad=0.5, clip_gradient=0.4)),
    "adamax": ("adamax", dict(learning_rate=0.01, wd=0.01, rescale_grad=0.5, clip_gradient=0.4)),
    "nadam": ("nadam", dict(learning_rate=0.01, wd=0.01, rescale_grad=0.5, clip_gradient=0.4)),
    "lamb": ("lamb", dict(learning_rate=0.01, wd=0.01, rescale_grad=0.5, clip_gradient=0.4, lower_bound=0.1,
                           upper_bound=5.0)),
    "lamb_nobias": ("lamb", dict(learning_rate=0.01, wd=0.01, bias_correction=False)),
    "sgd_mp16": ("sgd", dict(learning_rate=0.01, momentum=0.9, wd=0.01, multi_precision=True)),
    "nag_mp16": ("nag", dict(learning_rate=0.01, momentum=0.9, wd=0.01, multi_precision=True)),
    "adam_mp16": ("adam", dict(learning_rate=0.01, wd=0.01, multi_precision=True)),
    "lamb_mp16": ("lamb", dict(learning_rate=0.01, wd=0.01, multi_precision=True)),
    "lars": ("lars", dict(learning_rate=0.1, eta=0.01, wd=0.01, rescale_grad=0.5, clip_gradient=0.4)),
    "lars_mom": ("lars", dict(learning_rate=0.1, momentum=0.9, eta=0.02, eps=1e-3, wd=0.01)),
    "lbsgd": ("lbsgd", dict(learning_rate=0.1, momentum=0.9, batch_scale=2, warmup_epochs=1, updates_per_epoch=2,
                             wd=0.01)),
    "lbsgd_lars": ("lbsgd", dict(learning_rate=0.1, batch_scale=2, warmup_strategy="lars", wd=0.01)),
    "test": ("test", dict(rescale_grad=0.5)),
}
STEPS = 4


def main():
    rng = np.random.RandomState(7)
    w0 = rng.uniform(-1, 1, (3, 5)).astype(np.float32)
    grads = rng.uniform(-2, 2, (STEPS, 3, 5)).astype(np.float32)
    out = {"w0": w0, "grads": grads}
    for key, (name, kwargs) in CASES.items():
        dtype = np.float16 if key.endswith("mp16") else np.float32
        opt = mx.optimizer.create(name, **kwargs)
        upd = mx.optimizer.get_updater(opt)
        w = mx.nd.array(w0, dtype=dtype)
        for step in range(STEPS):
            upd(0, mx.nd.array(grads[step], dtype=dtype), w)
            out[f"{key}/w{step}"] = w.asnumpy()
    np.savez(os.path.join(HERE, "optimizer_oracle.npz"), **out)
    with open(os.path.join(HERE, "cases.json"), "w") as f:
        json.dump({"steps": STEPS, "cases": {k: [n, kw] for k, (n, kw) in CASES.items()}}, f, indent=1)


if __name__ == "__main__":
    main()
