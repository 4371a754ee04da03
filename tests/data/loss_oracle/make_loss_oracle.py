"""Oracle for ssdkit's gluon.loss.CosineEmbeddingLoss, SDMLLoss and CTCLoss (and the CTCLoss op): MXNet 1.9.1's
outputs and input gradients on fixed random batches, saved to loss_oracle.npz and ctc_oracle.npz.

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
    ctc()


def ctc():
    rng = np.random.RandomState(5)
    data = rng.randn(7, 3, 5).astype(np.float32)            # (T, N, C)
    out = {"data": data, "head": rng.uniform(0.5, 2, (3,)).astype(np.float32),
           "label_first": np.array([[1, 2, 2, 0], [3, 0, 0, 0], [4, 1, 3, 2]], np.float32),
           "label_last": np.array([[0, 1, 1, -1], [2, -1, -1, -1], [3, 0, 2, 1]], np.float32),
           "data_lengths": np.array([7, 5, 6], np.float32), "label_lengths": np.array([3, 1, 2], np.float32)}
    cases = {"first": ("label_first", dict(blank_label="first")),
             "last_lengths": ("label_last", dict(blank_label="last", use_data_lengths=True,
                                                 use_label_lengths=True))}
    for key, (label, kwargs) in cases.items():
        x = mx.nd.array(data)
        x.attach_grad()
        extra = [mx.nd.array(out["data_lengths"]), mx.nd.array(out["label_lengths"])] if "use_data_lengths" in kwargs else []
        with mx.autograd.record():
            loss = mx.nd.CTCLoss(x, mx.nd.array(out[label]), *extra, **kwargs)
        loss.backward(mx.nd.array(out["head"]))
        out[f"op_{key}/out"], out[f"op_{key}/grad"] = loss.asnumpy(), x.grad.asnumpy()
    # the Gluon block: NTC predictions, TN labels, prediction lengths
    x = mx.nd.array(data.transpose(1, 0, 2))
    x.attach_grad()
    with mx.autograd.record():
        loss = mx.gluon.loss.CTCLoss(label_layout="TN", weight=0.5)(
            x, mx.nd.array(out["label_last"].T), mx.nd.array(out["data_lengths"]))
    loss.backward()
    out["gluon/out"], out["gluon/grad"] = loss.asnumpy(), x.grad.asnumpy()
    np.savez(os.path.join(HERE, "ctc_oracle.npz"), **out)


if __name__ == "__main__":
    main()
