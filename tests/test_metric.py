"""mx.metric basics against MXNet 1.9.1 (tests/data/metric/mxnet_basic.json, made by MXNet itself) and by hand."""
import json
import math
from pathlib import Path

import numpy as np
import pytest

import ssdkit as mx
from ssdkit import metric
from ssdkit.base import MXNetError

DATA = Path(__file__).resolve().parent / "data" / "metric" / "mxnet_basic.json"
CASES = json.loads(DATA.read_text())["cases"]


def _close(ours, theirs):
    if isinstance(theirs, list):
        assert len(ours) == len(theirs)
        return all(_close(o, t) for o, t in zip(ours, theirs))
    if isinstance(theirs, str):
        return ours == theirs
    return math.isclose(float(ours), theirs, rel_tol=1e-5, abs_tol=1e-6) or (math.isnan(theirs) and math.isnan(ours))


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['metric']}-{len(c['batches'])}")
@pytest.mark.parametrize("wrap", ["numpy", "ndarray"])
def test_matches_mxnet(case, wrap):
    convert = (lambda a: np.asarray(a, np.float32)) if wrap == "numpy" else mx.nd.array
    m = metric.create(case["metric"], **case["kwargs"])
    for i, (labels, preds) in enumerate(case["batches"]):
        m.update([convert(a) for a in labels], [convert(a) for a in preds])
        if case["reset_local_after"] == i:
            m.reset_local()
    assert _close(list(m.get()), case["get"])
    assert _close(list(m.get_global()), case["get_global"])
    assert _close([list(p) for p in m.get_name_value()], case["name_value"])


def test_accuracy_by_hand_and_bare_arrays():
    acc = metric.Accuracy()
    pred = np.array([[0.3, 0.7], [0.0, 1.0], [0.4, 0.6]], np.float32)
    acc.update(np.array([0, 1, 1]), pred)  # bare arrays are wrapped
    assert acc.get() == ("accuracy", 2 / 3)
    assert (acc.num_inst, acc.sum_metric) == (3, 2)
    acc.update([[1.0, 0.0]], [[1.9, 0.2]])  # same shape: class ids truncated to int
    assert acc.get() == ("accuracy", 4 / 5)


def test_loss_metric_counts_elements():
    m = metric.Loss()
    m.update(None, [mx.nd.array([[1.0, 2.0]]), np.array([3.0, 4.0, 5.0])])
    assert m.get() == ("loss", 3.0)
    assert m.num_inst == 5


def test_regression_metrics_average_per_batch_not_per_element():
    m = metric.MAE()
    m.update([np.zeros(1)], [np.ones(1)])
    m.update([np.zeros(3)], [np.full(3, 3.0)])
    assert m.get() == ("mae", 2.0)  # (1 + 3) / 2 batches, as MXNet


def test_global_stats_survive_reset_local():
    m = metric.MSE()
    m.update([[0.0]], [[2.0]])
    m.reset_local()
    m.update([[0.0]], [[1.0]])
    assert m.get() == ("mse", 1.0)
    assert m.get_global() == ("mse", 2.5)
    assert m.get_global_name_value() == [("mse", 2.5)]
    m.reset()
    assert math.isnan(m.get_global()[1])


def test_create_names_aliases_and_configs():
    for name, cls in [("acc", metric.Accuracy), ("Accuracy", metric.Accuracy), ("mae", metric.MAE),
                      ("loss", metric.Loss), ("ce", metric.CrossEntropy), ("top_k_acc", metric.TopKAccuracy),
                      ("composite", metric.CompositeEvalMetric)]:
        kwargs = {"top_k": 2} if cls is metric.TopKAccuracy else {}
        assert type(metric.create(name, **kwargs)) is cls
    acc = metric.Accuracy(axis=0, name="a0")
    rebuilt = metric.create(acc.get_config())
    assert (type(rebuilt), rebuilt.axis, rebuilt.name) == (metric.Accuracy, 0, "a0")
    assert metric.create(acc) is acc
    assert metric.create('{"metric": "mse", "name": "m"}').name == "m"
    composite = metric.create(["acc", metric.MAE(), lambda label, pred: 1.0])
    assert [m.name for m in composite.metrics] == ["accuracy", "mae", "custom(<lambda>)"]
    rebuilt = metric.create(metric.CompositeEvalMetric(["acc", "mse"]).get_config())
    assert [type(m) for m in rebuilt.metrics] == [metric.Accuracy, metric.MSE]


def test_mx_metric_namespace():
    assert mx.metric.Accuracy is metric.Accuracy
    assert mx.metric.create is metric.create


def test_update_dict_selects_names():
    m = metric.CompositeEvalMetric(["mae"], output_names=["out"], label_names=["y"])
    m.update_dict({"y": np.array([1.0]), "z": np.array([5.0])}, {"out": np.array([4.0]), "other": np.zeros(1)})
    assert m.get() == (["mae"], [3.0])


def test_custom_metric_and_np():
    m = metric.np(lambda label, pred: (float(np.abs(label - pred).sum()), label.size), name="l1")
    m.update([np.array([1.0, 2.0])], [np.array([2.0, 2.0])])
    assert m.get() == ("l1", 0.5)
    extra = metric.CustomMetric(lambda label, pred: 1.0, allow_extra_outputs=True)
    extra.update([np.zeros(1)], [np.zeros(1), np.zeros(2)])  # extra output ignored
    assert extra.num_inst == 1


def test_register_custom_class():
    @metric.register
    class Twice(metric.EvalMetric):
        def __init__(self, name="twice"):
            super().__init__(name)

        def update(self, labels, preds):
            self._add(2.0 * len(metric.as_list(preds)), 1)

    m = metric.create("TWICE")
    m.update(None, [np.zeros(1)])
    assert m.get() == ("twice", 2.0)


@pytest.mark.parametrize("call, message", [
    (lambda: metric.Accuracy().update([np.zeros(3)], [np.zeros(3), np.zeros(3)]), "1 labels but 2 predictions"),
    (lambda: metric.Accuracy().update([np.zeros(3)], [np.zeros((4, 2))]), "Accuracy: 3 labels but 4 predictions"),
    (lambda: metric.create("no_such_metric"), "unknown metric 'no_such_metric'"),
    (lambda: metric.TopKAccuracy(top_k=1), "top_k must be > 1"),
    (lambda: metric.TopKAccuracy(top_k=5).update([np.zeros(2)], [np.zeros((2, 3))]), "exceeds the 3 scores"),
    (lambda: metric.CrossEntropy().update([np.zeros(2)], [np.zeros((3, 2))]), "CrossEntropy: predictions"),
    (lambda: metric.CompositeEvalMetric().get_metric(0), "out of range"),
    (lambda: metric.create(metric.MAE(), name="x"), "already an instance"),
    (lambda: metric.CustomMetric(len).get_config(), "cannot be serialized"),
])
def test_errors_name_the_problem(call, message):
    with pytest.raises(MXNetError, match=message):
        call()


def test_nan_before_update_and_str():
    assert math.isnan(metric.Accuracy().get()[1])
    assert str(metric.MAE()).startswith("EvalMetric: {'mae': nan")
