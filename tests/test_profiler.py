"""mx.profiler: op spans from imperative calls and hybridized graphs (forward and ``_backward_*``), the
chrome trace, the aggregate table, pause/resume/reset, the user objects, and clear errors."""
import json
import threading
import time
import warnings

import pytest

import ssdkit as mx
from ssdkit import profiler
from ssdkit.gluon import nn
from ssdkit.profiler import recorder

NUM_CONV = 2


@pytest.fixture(autouse=True)
def fresh_profiler():
    profiler.set_state("stop")
    profiler.set_config()
    yield
    profiler.set_state("stop")
    profiler.set_config()


def tiny_net(hybridize):
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(nn.Conv2D(4, 3, padding=1), nn.BatchNorm(), nn.Activation("relu"), nn.Conv2D(2, 3), nn.Flatten(),
                nn.Dense(3))
    net.initialize(mx.init.Xavier())
    if hybridize:
        net.hybridize()
    return net


def train_steps(net, steps):
    x = mx.nd.random.uniform(shape=(2, 3, 6, 6))
    for _ in range(steps):
        with mx.autograd.record():
            loss = net(x).sum()
        loss.backward()


def op_stats():
    return json.loads(profiler.dumps(format="json"))["Time"].get("operator", {})


@pytest.mark.parametrize("hybridize", [False, True], ids=["imperative", "hybridized"])
def test_convolution_and_its_backward_are_counted_per_call(hybridize):
    net = tiny_net(hybridize)
    train_steps(net, 1)  # deferred init and trace, outside the profile
    profiler.set_config(aggregate_stats=True)
    profiler.set_state("run")
    train_steps(net, 3)
    profiler.set_state("stop")
    stats = op_stats()
    assert stats["Convolution"]["Count"] == 3 * NUM_CONV
    assert stats["_backward_Convolution"]["Count"] == 3 * NUM_CONV
    assert stats["FullyConnected"]["Count"] == 3
    for row in stats.values():
        assert 0 <= row["Min"] <= row["Avg"] <= row["Max"] <= row["Total"] + 1e-9
        assert row["Total"] == pytest.approx(row["Avg"] * row["Count"], rel=1e-6)


def test_profile_symbolic_and_profile_imperative_select_the_call_site():
    hybrid, imperative = tiny_net(True), tiny_net(False)
    train_steps(hybrid, 1)
    train_steps(imperative, 1)
    profiler.set_config(aggregate_stats=True, profile_symbolic=False)
    profiler.set_state("run")
    train_steps(hybrid, 1)
    profiler.set_state("stop")
    assert "Convolution" not in op_stats()
    profiler.set_config(aggregate_stats=True, profile_imperative=False)
    profiler.set_state("run")
    train_steps(imperative, 1)
    assert "Convolution" not in op_stats()
    train_steps(hybrid, 1)
    assert op_stats()["Convolution"]["Count"] == NUM_CONV
    profiler.set_config(aggregate_stats=True, profile_symbolic=False, profile_imperative=False, profile_all=True)
    profiler.set_state("run")
    train_steps(imperative, 1)
    assert op_stats()["Convolution"]["Count"] == NUM_CONV


def test_dump_writes_a_chrome_trace(tmp_path):
    path = tmp_path / "trace.json"
    net = tiny_net(True)
    train_steps(net, 1)
    profiler.set_config(filename=str(path))
    profiler.set_state("run")
    train_steps(net, 1)
    mx.nd.ones((2,)).exp()
    profiler.set_state("stop")
    profiler.dump()
    trace = json.loads(path.read_text())
    spans = [e for e in trace["traceEvents"] if e["ph"] == "X"]
    assert {"Convolution", "_backward_Convolution", "exp"} <= {e["name"] for e in spans}
    for event in spans:
        assert event["cat"] == "operator" and event["dur"] >= 0 and event["ts"] >= 0
        assert isinstance(event["pid"], int) and isinstance(event["tid"], int)
    convs = [e for e in spans if e["name"] == "Convolution"]
    assert [e["args"]["node"].split("_", 1)[1] for e in convs] == ["conv0_fwd", "conv1_fwd"]  # graph nodes
    starts = [e["ts"] for e in spans]
    assert starts == sorted(starts)  # one thread, in call order
    names = {e["args"]["name"] for e in trace["traceEvents"] if e["ph"] == "M"}
    assert names == {"operator"}


def test_dumps_table_looks_like_mxnet_and_sorts():
    profiler.set_config(aggregate_stats=True)
    profiler.set_state("run")
    x = mx.nd.ones((50, 50))
    for _ in range(3):
        x.exp()
    mx.nd.dot(x, x)
    profiler.set_state("stop")
    table = profiler.dumps(sort_by="count")
    lines = table.splitlines()
    assert lines[1] == "Profile Statistics:" and "operator" in lines
    header = lines[lines.index("operator") + 2]
    assert header.split()[:3] == ["Name", "Total", "Count"]
    for column in ("Time (ms)", "Min Time (ms)", "Max Time (ms)", "Avg Time (ms)"):
        assert column in header
    rows = lines[lines.index("operator") + 4:]
    assert rows[0].split()[:2] == ["exp", "3"]   # most calls first
    assert profiler.dumps(sort_by="count", ascending=True).splitlines()[-2].split()[:2] == ["exp", "3"]
    order = list(json.loads(profiler.dumps(format="json", sort_by="total"))["Time"]["operator"])
    totals = [op_stats()[name]["Total"] for name in order]
    assert totals == sorted(totals, reverse=True)


def test_pause_resume_excludes_ops():
    profiler.set_config(aggregate_stats=True)
    profiler.set_state("run")
    mx.nd.ones((2,)).exp()
    profiler.pause()
    mx.nd.ones((2,)).exp()
    mx.nd.ones((2,)).sqrt()
    profiler.resume()
    mx.nd.ones((2,)).exp()
    profiler.set_state("stop")
    stats = op_stats()
    assert stats["exp"]["Count"] == 2 and "sqrt" not in stats


def test_reset_clears_the_statistics_not_the_trace(tmp_path):
    profiler.set_config(aggregate_stats=True, filename=str(tmp_path / "p.json"))
    profiler.set_state("run")
    mx.nd.ones((2,)).exp()
    assert "exp" in profiler.dumps(reset=True)
    assert op_stats() == {}
    mx.nd.ones((2,)).sqrt()
    profiler.set_state("stop")
    assert list(op_stats()) == ["sqrt"]
    profiler.dump()
    names = [e["name"] for e in json.loads((tmp_path / "p.json").read_text())["traceEvents"] if e["ph"] == "X"]
    assert names == ["exp", "sqrt"]


def test_off_means_nothing_is_recorded():
    net = tiny_net(True)
    train_steps(net, 1)
    profiler.set_config(aggregate_stats=True)
    train_steps(net, 1)                 # configured, never started
    profiler.set_state("run")
    profiler.set_state("stop")
    train_steps(tiny_net(False), 1)     # stopped again
    assert recorder.events_snapshot() == [] and op_stats() == {}
    assert not (recorder.imperative_on or recorder.symbolic_on or recorder.recording)
    profiler.set_config()
    assert "aggregate statistics are off" in profiler.dumps()


def test_user_objects_land_in_the_trace(tmp_path):
    path = tmp_path / "objects.json"
    profiler.set_config(filename=str(path), aggregate_stats=True)
    profiler.set_state("run")
    domain = profiler.Domain("pipeline")
    task, frame, event = domain.new_task("decode"), domain.new_frame("batch"), profiler.Event("save")
    for span in (task, frame, event):
        span.start()
        span.stop()
    with task:
        pass
    counter = domain.new_counter("queued", 1)
    counter += 4
    counter -= 2
    counter.increment()
    counter.decrement(3)
    domain.new_marker("epoch").mark("global")
    profiler.set_state("stop")
    profiler.dump()
    events = json.loads(path.read_text())["traceEvents"]
    spans = {(e["name"], e["cat"]) for e in events if e["ph"] == "X"}
    assert spans == {("decode", "pipeline"), ("batch", "pipeline"), ("save", "event")}
    values = [e["args"]["queued"] for e in events if e["ph"] == "C"]
    assert values == [1, 5, 3, 4, 1] and counter.value == 1
    assert [(e["name"], e["s"]) for e in events if e["ph"] == "i"] == [("epoch", "g")]
    pids = {e["args"]["name"]: e["pid"] for e in events if e["ph"] == "M"}
    assert {e["pid"] for e in events if e.get("cat") == "pipeline"} == {pids["pipeline"]}
    stats = json.loads(profiler.dumps(format="json"))["Time"]
    assert stats["pipeline"]["decode"]["Count"] == 2 and stats["event"]["save"]["Count"] == 1


def test_records_from_another_thread_get_their_own_tid(tmp_path):
    profiler.set_config(filename=str(tmp_path / "t.json"))
    profiler.set_state("run")
    mx.nd.ones((2,)).exp()
    worker = threading.Thread(target=lambda: mx.nd.ones((2,)).sqrt())
    worker.start()
    worker.join()
    profiler.set_state("stop")
    profiler.dump()
    events = json.loads((tmp_path / "t.json").read_text())["traceEvents"]
    tids = {e["name"]: e["tid"] for e in events if e["ph"] == "X"}
    assert tids["exp"] != tids["sqrt"]


def test_continuous_dump_rewrites_the_file_while_running(tmp_path):
    path = tmp_path / "live.json"
    profiler.set_config(filename=str(path), continuous_dump=True, dump_period=0.05)
    profiler.set_state("run")
    mx.nd.ones((2,)).exp()
    deadline = time.monotonic() + 10
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert path.exists()
    profiler.set_state("stop")   # stops the periodic dump after a last one
    names = [e["name"] for e in json.loads(path.read_text())["traceEvents"] if e["ph"] == "X"]
    assert names == ["exp"]


def test_bad_configuration_and_state_are_clear_errors(monkeypatch):
    with pytest.raises(mx.MXNetError, match=r"unknown key 'profile_everything'; accepted keys are filename, "
                                            r"profile_all, .*aggregate_stats, profile_process"):
        profiler.set_config(profile_everything=True)
    with pytest.raises(mx.MXNetError, match="aggregate_stats must be a boolean, got 'maybe'"):
        profiler.set_config(aggregate_stats="maybe")
    with pytest.raises(mx.MXNetError, match="dump_period must be a number of seconds > 0, got 0"):
        profiler.set_config(dump_period=0)
    with pytest.raises(mx.MXNetError, match=r"state must be one of \['stop', 'run'\], got 'start'"):
        profiler.set_state("start")
    with pytest.raises(mx.MXNetError, match="profile_process must be 'worker'"):
        profiler.set_state("run", profile_process="server")
    with pytest.raises(mx.MXNetError, match=r"sort_by must be one of \['avg', 'min', 'max', 'count', 'total'\]"):
        profiler.dumps(sort_by="median")
    with pytest.raises(mx.MXNetError, match="format must be one of"):
        profiler.dumps(format="csv")
    monkeypatch.setattr(recorder, "ever_run", False)
    with pytest.raises(mx.MXNetError, match="has not run"):
        profiler.dump()
    assert profiler.set_config(aggregate_stats="true", profile_all=1) is None
    assert recorder.config["aggregate_stats"] is True and recorder.config["profile_all"] is True


def test_deprecated_functions_warn_and_work(tmp_path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        profiler.profiler_set_config("all", str(tmp_path / "old.json"))
        profiler.profiler_set_state("run")
        mx.nd.ones((2,)).exp()
        profiler.profiler_set_state("stop")
        profiler.dump_profile()
    assert [str(w.message).split("(")[0] for w in caught] == [
        "profiler.profiler_set_config", "profiler.profiler_set_state", "profiler.profiler_set_state",
        "profiler.dump_profile"]
    assert "exp" in (tmp_path / "old.json").read_text()
