"""Oracle for ssdkit's gluon.loss.CosineEmbeddingLoss and SDMLLoss: MXNet 1.9.1's outputs and input gradients
on fixed random batches, saved to loss_oracle.npz.

Run with real MXNet:  /work/mxvenv/bin/python tests/data/loss_oracle/make_loss_oracle.py
"""
import os

import numpy as np
import mxnet as mx

HERE = os.path.dirname(os.path.abspath(__file__))


def run(loss, inputs):
    arrays = [mx.nd.array(a) for a in inputs]
    for a in arrays[:2]:
        a.attach_grad()
    with mx.autograd.record():
        out = loss(*arrays)
    out.backward()
    return out.asnumpy(), arrays[0].grad.asnumpy(), arrays[1].grad.asnumpy()


def main():
    rng = np.random.RandomState(11)
    x1 = rng.randn(6, 5).astype(np.float32)
    x2 = rng.randn(6, 5).astype(np.float32)
    label = np.array([1, -1, 1, -1, -1, 1], np.float32)
    weight = rng.uniform(0.5, 1.5, (6, 1)).astype(np.float32)
    out = {"x1": x1, "x2": x2, "label": label, "sample_weight": weight}
    for key, loss, inputs in [
            ("cosine", mx.gluon.loss.CosineEmbeddingLoss(), [x1, x2, label]),
            ("cosine_margin", mx.gluon.loss.CosineEmbeddingLoss(margin=0.2, weight=0.7), [x1, x2, label, weight]),
            ("sdml", mx.gluon.loss.SDMLLoss(), [x1, x2]),
            ("sdml_smooth", mx.gluon.loss.SDMLLoss(smoothing_parameter=0.1), [x1 * 0.3, x2 * 0.3])]:
        value, g1, g2 = run(loss, inputs)
        out[f"{key}/out"], out[f"{key}/g1"], out[f"{key}/g2"] = value, g1, g2
    np.savez(os.path.join(HERE, "loss_oracle.npz"), **out)


if __name__ == "__main__":
    main()
