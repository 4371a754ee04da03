"""F1, MCC, Perplexity, NegativeLogLikelihood, PearsonCorrelation, PCC, Torch, Caffe against MXNet 1.9.1
(tests/data/metric_oracle: three updates, reset_local, one more; get() and get_global() after each)."""
import json
from pathlib import Path

import numpy as np
import pytest

import ssdkit as mx

CASES = json.loads((Path(__file__).parent / "data" / "metric_oracle" / "metric_oracle.json").read_text())


def _close(got, want):
    if want is None:
        return got != got  # NaN
    return abs(got - want) <= 1e-6 * max(1.0, abs(want))


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['name']}-{c['kwargs']}")
def test_metric_equals_mxnet(case):
    metric = mx.metric.create(case["name"], **case["kwargs"])
    for step, want in enumerate(case["steps"]):
        if step == 3:
            metric.reset_local()
        metric.update([mx.nd.array(want["label"])], [mx.nd.array(want["pred"])])
        name, value = metric.get()
        assert name == want["get"][0]
        assert _close(float(value), want["get"][1]), (step, value, want["get"][1])
        assert _close(float(metric.get_global()[1]), want["global"]), (step, metric.get_global(), want["global"])


def test_numpy_calls_on_ndarrays_return_ndarrays():
    pred = mx.nd.array([[0.3, 0.7], [1.0, 0.0]])
    assert isinstance(np.argmax(pred, axis=1), mx.nd.NDArray)  # MXNet's tests rely on it
    assert np.sum(pred).asscalar() == pytest.approx(2.0)


def test_binary_metrics_refuse_more_than_two_classes():
    with pytest.raises(mx.MXNetError, match="binary classification only"):
        mx.metric.F1().update([mx.nd.array([0, 1, 2])], [mx.nd.ones((3, 2))])
    with pytest.raises(mx.MXNetError, match="average must be"):
        mx.metric.MCC(average="weighted")
