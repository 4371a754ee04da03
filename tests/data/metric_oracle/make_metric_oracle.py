"""MXNet 1.9.1 oracle for the metrics added in issue #23 (F1, MCC, Perplexity, NLL, PearsonCorrelation, PCC,
Torch, Caffe): run with /work/mxvenv/bin/python (mxnet 1.9.1, numpy 1.23.5); writes metric_oracle.json.

Each case: the metric's create() arguments, three batches (labels, preds), and after every update the values of
get() and get_global(); then reset_local() and one more update."""
import json
import math
import os

import mxnet as mx
import numpy as np

rng = np.random.RandomState(3)


def binary_batch(n=12):
    label = rng.randint(0, 2, n).astype(np.float32)
    pred = rng.rand(n, 2).astype(np.float32)
    return label, pred


def class_batch(n=10, k=4):
    label = rng.randint(0, k, n).astype(np.float32)
    pred = rng.rand(n, k).astype(np.float32)
    return label, pred / pred.sum(1, keepdims=True)


def same_shape_batch(shape=(6, 3)):
    return rng.rand(*shape).astype(np.float32), rng.rand(*shape).astype(np.float32)


CASES = [
    ("f1", {}, binary_batch), ("f1", {"average": "micro"}, binary_batch),
    ("mcc", {}, binary_batch), ("mcc", {"average": "micro"}, binary_batch),
    ("perplexity", {"ignore_label": None}, class_batch), ("perplexity", {"ignore_label": 2}, class_batch),
    ("nll_loss", {}, class_batch), ("pearsonr", {}, same_shape_batch),
    ("pearsonr", {"average": "micro"}, same_shape_batch), ("pcc", {}, class_batch), ("pcc", {}, binary_batch),
    ("torch", {}, same_shape_batch), ("caffe", {}, same_shape_batch),
]


def value(v):
    return None if isinstance(v, float) and math.isnan(v) else float(v)


out = []
for name, kwargs, make in CASES:
    metric = mx.metric.create(name, **kwargs)
    steps = []
    for step in range(4):
        if step == 3:
            metric.reset_local()
        label, pred = make()
        metric.update([mx.nd.array(label)], [mx.nd.array(pred)])
        steps.append({"label": label.tolist(), "pred": pred.tolist(), "get": [metric.get()[0], value(metric.get()[1])],
                      "global": value(metric.get_global()[1])})
    out.append({"name": name, "kwargs": kwargs, "steps": steps})
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "metric_oracle.json"), "w") as f:
    json.dump(out, f)
print(len(out), "cases")
