"""Reliability of library pieces against crafted inputs and awkward moments (issue #18, "safe by default"):

* the SSD loss on a batch without a positive anchor stays connected to the predictions (backward works);
* the help speller, symbol-JSON attributes, the graph viewer and ``nd.load`` stay within bounded time and
  memory on hostile input, and fail with the library's own errors;
* optimizer ``.states`` headers are allow-listed and validated before any state changes;
* ``<prefix>-last.params`` can be read while training saves new generations;
* ``atomic_write`` keeps umask modes and symlinks; damaged JSON/.lst files raise clear errors.

Sizes below are the ones the issue measured; tests assert outcomes, never timings.
"""
import json
import os
import re
import stat
import struct
import threading
import tracemalloc

import numpy as np
import pytest

import ssdkit as mx
from ssdkit import autograd, nd
from ssdkit.apps import checkpoint
from ssdkit.apps.checkpoint import load_checkpoint, save_checkpoint
from ssdkit.base import atomic_write, check_writable
from ssdkit.detection import SSDMultiBoxLoss
from ssdkit.help import get_index
from ssdkit.ndarray.serialization import ParamFileError, load_frombuffer, save_tobytes
from ssdkit.help.ranking import MAX_QUERY_CHARS, bounded_query
from ssdkit.ops import Param
from ssdkit.optimizer.states import HEADER_KEY, states_from_bytes, states_to_bytes
from ssdkit.ops.literal import read_literal
from ssdkit.symbol import SymbolFileError


# -- 8: SSD loss without positives ------------------------------------------------------------------------
@pytest.mark.parametrize("devices", [1, 2])
def test_ssd_loss_without_positive_anchor_backpropagates(devices):
    cls_pred = [nd.random.normal(shape=(2, 5, 3)) for _ in range(devices)]
    box_pred = [nd.random.normal(shape=(2, 20)) for _ in range(devices)]
    for x in cls_pred + box_pred:
        x.attach_grad()
    with autograd.record():
        total, cls_l, box_l = SSDMultiBoxLoss()(cls_pred, box_pred, [nd.zeros((2, 5))] * devices,
                                                [nd.zeros((2, 5, 4))] * devices)
        assert len(total) == len(cls_l) == len(box_l) == devices
    autograd.backward(total)
    assert [t.asnumpy().tolist() for t in total] == [[0.0]] * devices
    for x in cls_pred + box_pred:
        assert x.grad.shape == x.shape and not x.grad.asnumpy().any()


def _peak_bytes(fn, *args):
    """(result or exception, peak bytes Python allocated while ``fn(*args)`` ran)."""
    tracemalloc.start()
    try:
        try:
            out = fn(*args)
        except Exception as err:  # noqa: BLE001 - the caller inspects it
            out = err
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# -- 10: the help speller on huge words and queries -------------------------------------------------------
def _random_word(size, seed=0):
    rng = np.random.default_rng(seed)
    return "".join(map(chr, rng.integers(ord("a"), ord("z") + 1, size)))


def test_help_speller_memory_stays_small_on_a_huge_word():
    index = get_index()
    index.search("box")                         # the vocabulary maps are built before measuring,
    index.search("predictiions")                # and the prose-typo speller (built on the first long typo)
    word = _random_word(8000)                   # main: 8,000 deletes of 8 kB each plus 8,000 cached stems
    readings, peak = _peak_bytes(index.speller.correct, word)
    assert readings == [] and peak < 2_000_000
    results, peak = _peak_bytes(index.search, word)
    assert results == [] and peak < 2_000_000


def test_help_query_work_stops_growing_past_its_first_characters(monkeypatch):
    index = get_index()
    calls = []
    original = index.speller.correct
    monkeypatch.setattr(index.speller, "correct", lambda term: calls.append(term) or original(term))
    words = [_random_word(6, seed) for seed in range(3000)]     # 21 kB of distinct unknown words
    index.search(" ".join(words))
    long_calls = len(calls)
    calls.clear()
    index.search(bounded_query(" ".join(words)))
    assert long_calls == len(calls) <= 3 * MAX_QUERY_CHARS // 7


def test_help_completions_are_the_prefix_matches():
    speller = get_index().speller
    for prefix in ("transp", "multib", "zzzz", "norm"):
        expected = sorted((t for t in speller.postings if t.startswith(prefix)), key=lambda t: (len(t), t))
        assert speller.completions(prefix) == expected


# -- 11: symbol JSON attributes ----------------------------------------------------------------------------
def _conv_json(kernel):
    graph = {"nodes": [{"op": "null", "name": "data", "inputs": []}, {"op": "null", "name": "w", "inputs": []},
                       {"op": "Convolution", "name": "conv", "attrs": {"kernel": kernel, "num_filter": "1",
                                                                        "no_bias": "1"},
                        "inputs": [[0, 0, 0], [1, 0, 0]]}],
             "arg_nodes": [0, 1], "heads": [[2, 0, 0]]}
    return json.dumps(graph)


@pytest.mark.parametrize("kernel", [
    "(" + "1, " * 1_400_000 + ")",            # 4 MB: main spent ~4 s and 1.4 GB, then loaded it
    "1+" * 100_000 + "1",                     # main: RecursionError
    "1+" * 8_000 + "1",                       # under the length cap, still no expression evaluated
    "(" * 100_000 + ")" * 100_000,
    "(" * 8_000 + ")" * 8_000,                # under the length cap, over the depth cap
    "[" * 17 + "3" + "]" * 17,
], ids=["tuple_4mb", "plus_100k", "plus_8k", "nest_100k", "nest_8k", "nest_17"])
def test_symbol_json_attribute_bounded_and_named(kernel):
    text = _conv_json(kernel)
    err, peak = _peak_bytes(mx.sym.load_json, text)
    assert isinstance(err, SymbolFileError), err
    assert "node 2 (conv)" in str(err) and "parameter kernel" in str(err) and len(str(err)) < 300
    assert peak < 4 * len(text) + 2_000_000


def test_symbol_json_nested_document_and_variable_shape_are_symbol_file_errors():
    with pytest.raises(SymbolFileError, match="nested too deep"):
        mx.sym.load_json("[" * 100_000 + "]" * 100_000)
    graph = json.loads(mx.sym.var("x", shape=(2, 3)).tojson())
    graph["nodes"][0]["attrs"]["__shape__"] = "(2, three)"
    with pytest.raises(SymbolFileError, match=r"node 0 \(x\).*__shape__"):
        mx.sym.load_json(json.dumps(graph))


def test_attribute_literals_keep_their_values():
    for text, value in [("(3, 3)", (3, 3)), ("[0.5, -1e-05]", [0.5, -1e-05]), ("(None, 2)", (None, 2)),
                        ("((1, 2), (3, 4))", ((1, 2), (3, 4))), ("(1,)", (1,)), ("()", ()), ("7", 7),
                        ("'float32'", "float32"), ("1, 2", (1, 2)), ("(" * 16 + ")" * 16, ())]:
        assert read_literal(text) == value and type(read_literal(text)) is type(value)
    assert Param("shape", ()).parse("(1, 2)", "Reshape", "shape") == (1, 2)
    assert Param("str", "relu").parse("relu", "Activation", "act_type") == "relu"


# -- 12: viewer entries checked against the node's outputs ------------------------------------------------
def _viz_json(head, row_ptr=True, extra_attrs=None):
    graph = {"nodes": [{"op": "null", "name": "x", "inputs": []},
                       {"op": "relu", "name": "r", "attrs": extra_attrs or {}, "inputs": [[0, 0, 0]]}],
             "heads": [head]}
    if row_ptr:
        graph["node_row_ptr"] = [0, 1, 2]
    return json.dumps(graph)


@pytest.mark.parametrize("head, row_ptr", [
    ([1, 1_000_000_000, 0], False),     # main: ~45 min and ~4 GB of page
    ([1, 1_000_000_000, 0], True),
    ([1, 1, 0], True),
    ([1, -1, 0], False),                # main: read as the last output
    ([-1, 0, 0], True),                 # main: read as the last node
    ([0, 1, 0], False),                 # a variable has one output
    (["1", 0, 0], True),
], ids=["index_1e9", "index_1e9_row_ptr", "index_past_row_ptr", "index_negative", "node_negative", "variable_1",
        "node_str"])
def test_viz_refuses_entries_outside_the_nodes_outputs(head, row_ptr):
    err, peak = _peak_bytes(mx.viz.plot_network, _viz_json(head, row_ptr))
    assert isinstance(err, mx.base.MXNetError) and "head" in str(err), err
    assert peak < 5_000_000


def test_viz_num_outputs_attribute_is_bounded():
    err, _ = _peak_bytes(mx.viz.plot_network, _viz_json([1, 0, 0], True, {"num_outputs": "1000000000"}))
    assert isinstance(err, mx.base.MXNetError) and "num_outputs" in str(err), err


def test_viz_split_outputs_still_drawn():
    x = mx.sym.var("x")
    parts = mx.sym.split(x, num_outputs=3, axis=1, name="s")
    graph = mx.viz.plot_network(mx.sym.Group([parts[0], parts[2]]).tojson())
    assert [n["nout"] for n in graph.document["nodes"].values() if n["name"] == "s"] == [3]


# -- 20: the viewer page's embedded JSON --------------------------------------------------------------------
@pytest.mark.parametrize("name", ["<!--<script>", "</script><script>alert(1)</script>", "a&<b>"])
def test_viewer_page_data_element_holds_hostile_names(name):
    page = mx.viz.plot_network(mx.sym.relu(mx.sym.var("x"), name=name).tojson()).html
    start = page.index('<script type="application/json" id="mxviz-data">') + len(
        '<script type="application/json" id="mxviz-data">')
    body = page[start:page.index("</script>", start)]
    assert not re.search(r"<!--|<script|</", body, re.I)
    assert name in [n["name"] for n in json.loads(body)["nodes"].values()]


# -- 13: nd.load of many tiny legacy arrays --------------------------------------------------------------
def _param_file(entries, count=None):
    body = b"".join(entries)
    return struct.pack("<QQQ", 0x112, 0, len(entries) if count is None else count) + body + struct.pack("<Q", 0)


def test_nd_load_refuses_a_count_the_file_cannot_hold(tmp_path):
    path = tmp_path / "empties.params"       # 200,000 oldest-layout arrays of ndim 0, 4 bytes each (800 kB)
    path.write_bytes(_param_file([struct.pack("<I", 0)] * 200_000))
    err, peak = _peak_bytes(nd.load, str(path))
    assert isinstance(err, ParamFileError) and "array count 200000" in str(err), err
    assert peak < 3 * path.stat().st_size


# What MXNet 1.9.1's mx.nd.load returns for these hand-made layouts (run with /work/mxvenv): the oldest layout
# has uint32 dims and reads ndim 0 as a 0-d array with context, dtype and one element; so does 0xF993FAC8;
# under 0xF993FAC9 ndim 0 is a "none" array that nd.load refuses ("unknown storage type: -1").
@pytest.mark.parametrize("entry, shape, values", [
    (struct.pack("<III", 2, 2, 3) + struct.pack("<iii", 1, 0, 0) + np.arange(6, dtype="<f4").tobytes(),
     (2, 3), [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]),
    (struct.pack("<I", 0) + struct.pack("<iii", 1, 0, 0) + struct.pack("<f", 2.5), (), 2.5),
    (struct.pack("<Ii", 0xF993FAC8, 0) + struct.pack("<iii", 1, 0, 0) + struct.pack("<f", 4.5), (), 4.5),
    (struct.pack("<Iiqq", 0xF993FAC8, 2, 2, 3) + struct.pack("<iii", 1, 0, 0) + np.arange(6, dtype="<f4").tobytes(),
     (2, 3), [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]),
], ids=["oldest_2x3", "oldest_0d", "v1_0d", "v1_2x3"])
def test_nd_load_reads_legacy_layouts_as_mxnet(entry, shape, values):
    (array,) = load_frombuffer(_param_file([entry]))
    assert array.shape == shape and array.asnumpy().tolist() == values


def test_nd_load_refuses_none_arrays_as_mxnet():
    with pytest.raises(ParamFileError, match="array 0 is an empty 'none' array"):
        load_frombuffer(_param_file([struct.pack("<Iii", 0xF993FAC9, 0, 0)]))


# -- 17: optimizer .states headers ------------------------------------------------------------------------
def _trained_trainer(tmp_path, scheduler=None):
    net = mx.gluon.nn.Dense(2, in_units=3)
    net.initialize()
    options = {"wd": 0.01, "momentum": 0.9}
    options.update({"lr_scheduler": scheduler} if scheduler else {"learning_rate": 0.1})
    trainer = mx.gluon.Trainer(net.collect_params(), "sgd", options)
    _step(net, trainer)
    path = str(tmp_path / "t.states")
    trainer.save_states(path)
    return net, trainer, path


def _step(net, trainer):
    with autograd.record():
        loss = net(nd.ones((4, 3))).sum()
    loss.backward()
    trainer.step(4)


def _edit_header(path, edit):
    states, scalars = states_from_bytes(open(path, "rb").read())
    edit(scalars)
    open(path, "wb").write(states_to_bytes(states, scalars))


@pytest.mark.parametrize("edit, match", [
    (lambda h: h.update(update=5), "'update'"),                               # main: shadows Optimizer.update
    (lambda h: h.update(wd=0.5, rescale_grad="x"), "rescale_grad"),           # main: wd changed, then a crash
    (lambda h: h.update(wd=0.5, lr_mult={"0": "x"}), "lr_mult"),
    (lambda h: h.update(wd=0.5, num_update=[1]), "num_update"),
    (lambda h: h.update(wd=0.5, lr_scheduler={"class": "MXNetError", "attrs": {}}), "MXNetError"),
    (lambda h: h.update(wd=0.5, lr_scheduler={"class": "FactorScheduler", "attrs": {"__call__": 1}}), "__call__"),
    (lambda h: h.update(wd=0.5, lr_scheduler={"class": "FactorScheduler", "attrs": {"get_warmup_lr": 1}}),
     "get_warmup_lr"),
    (lambda h: h.update(wd=0.5, momentum={"__tuple__": 3}), "momentum"),
], ids=["method_name", "wrong_type", "wrong_dict_value", "list_for_int", "not_a_scheduler", "dunder_attr",
        "method_attr", "damaged_tuple"])
def test_load_states_validates_the_header_before_any_change(tmp_path, edit, match):
    net, trainer, path = _trained_trainer(tmp_path)
    before = {k: v for k, v in vars(trainer._optimizer).items() if k != "param_dict"}
    states = {i: [s.asnumpy() for s in (u.states[i] if isinstance(u.states[i], (list, tuple)) else [u.states[i]])]
              for u in trainer._updaters for i in u.states}
    _edit_header(path, edit)
    with pytest.raises(mx.base.MXNetError, match=match):
        trainer.load_states(path)
    assert {k: v for k, v in vars(trainer._optimizer).items() if k != "param_dict"} == before
    assert all(np.array_equal(a, b.asnumpy()) for u in trainer._updaters for i in u.states
               for a, b in zip(states[i], u.states[i] if isinstance(u.states[i], (list, tuple)) else [u.states[i]]))
    _step(net, trainer)                                                     # the optimizer still works


def test_load_states_still_restores_scalars_and_schedulers(tmp_path):
    net, trainer, path = _trained_trainer(tmp_path, mx.lr_scheduler.MultiFactorScheduler(step=[2, 5], factor=0.5))
    _edit_header(path, lambda h: h.update(wd=0.25))
    other = mx.gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1, "momentum": 0.9})
    other.load_states(path)
    assert other._optimizer.wd == 0.25 and other._optimizer.num_update == 1
    assert type(other._optimizer.lr_scheduler).__name__ == "MultiFactorScheduler"
    assert other._optimizer.lr_scheduler.step == [2, 5]
    _step(net, other)


# -- 18: reading <prefix>-last while training saves ----------------------------------------------------------
def _dense(seed):
    net = mx.gluon.nn.Dense(4, in_units=64)
    net.initialize(mx.init.Constant(float(seed)))
    return net


def test_checkpoint_files_outlive_the_next_save(tmp_path):
    prefix = str(tmp_path / "run")
    save_checkpoint(prefix, "last", _dense(1), None, {"epoch": 1})
    seen = load_checkpoint(f"{prefix}-last.params")               # a reader reads the JSON ...
    save_checkpoint(prefix, "last", _dense(2), None, {"epoch": 2})  # ... training saves ...
    assert nd.load(seen["params_path"])["weight"].asnumpy().max() == 1.0   # ... the reader's file is still there
    save_checkpoint(prefix, "last", _dense(3), None, {"epoch": 3})
    generations = sorted(p.name for p in tmp_path.glob("run-last.*.params"))
    assert len(generations) == 2 and os.path.basename(seen["params_path"]) not in generations   # no pile-up
    assert load_checkpoint(prefix + "-last")["epoch"] == 3


def test_checkpoint_reader_reads_the_json_again_when_files_moved(tmp_path, monkeypatch):
    prefix = str(tmp_path / "run")
    save_checkpoint(prefix, "last", _dense(1), None, {"epoch": 1})
    stale = json.loads(open(f"{prefix}-last.json").read())
    for seed in (2, 3):
        save_checkpoint(prefix, "last", _dense(seed), None, {"epoch": seed})
    reads = []
    real = checkpoint._read_record
    monkeypatch.setattr(checkpoint, "_read_record",
                        lambda path: reads.append(path) or (dict(stale) if len(reads) == 1 else real(path)))
    assert load_checkpoint(prefix + "-last")["epoch"] == 3 and len(reads) == 2


def test_checkpoint_save_in_the_middle_of_a_read(tmp_path, monkeypatch):
    prefix = str(tmp_path / "run")
    save_checkpoint(prefix, "last", _dense(1), None, {"epoch": 1})
    real_sha, saving = checkpoint._sha256, []

    def sha_then_save(path):   # the reader has read the JSON and checks a file: training saves right now
        if not saving:
            saving.append(path)
            save_checkpoint(prefix, "last", _dense(2), None, {"epoch": 2})
        return real_sha(path)
    monkeypatch.setattr(checkpoint, "_sha256", sha_then_save)
    record = load_checkpoint(f"{prefix}-last.params")        # main: FileNotFoundError from the deleted file
    assert nd.load(record["params_path"])["weight"].asnumpy().max() == record["epoch"]


def test_checkpoint_read_while_another_thread_saves(tmp_path):
    """Reads racing saves, each read overlapping at most one save (training saves epochs apart): none fails."""
    prefix = str(tmp_path / "run")
    save_checkpoint(prefix, "last", _dense(0), None, {"epoch": 0})
    state = threading.Condition()
    saved, read_after = [0], [-1]     # saves finished; the save count when the last finished read began
    failures, reads = [], 0

    def train():
        for seed in range(1, 30):
            with state:   # the next save waits for a read begun after the previous save ended
                if not state.wait_for(lambda: read_after[0] == saved[0], timeout=120):
                    return    # the reader is gone
            save_checkpoint(prefix, "last", _dense(seed), None, {"epoch": seed})
            with state:
                saved[0] = seed
    writer = threading.Thread(target=train, daemon=True)
    writer.start()
    while writer.is_alive() or reads < 5:
        with state:
            began = saved[0]
        try:
            record = load_checkpoint(f"{prefix}-last.params")
            assert nd.load(record["params_path"])["weight"].shape == (4, 64)
        except Exception as err:  # noqa: BLE001 - any failure counts (main raised FileNotFoundError)
            failures.append(f"{type(err).__name__}: {err}")
        reads += 1
        with state:
            read_after[0] = began
            state.notify_all()
    writer.join()
    assert not failures, f"{len(failures)} of {reads} reads failed: {failures[:2]}"


@pytest.mark.parametrize("text, match", [
    ("[" * 100_000 + "]" * 100_000, "not valid JSON"), ("[1, 2]", "expected a JSON object"),
    ('{"epoch": 1}', "'params'"), ('{"params": 5, "params_sha256": "x"}', "'params'"),
    ('{"params": "../../etc/passwd", "params_sha256": "x"}', "'params'"),
    ('{"params": "a.params", "params_sha256": "x", "states": "b.states"}', "'states_sha256'"),
], ids=["nested", "list", "no_params", "params_int", "params_path", "states_no_hash"])
def test_damaged_checkpoint_json_is_a_clear_error(tmp_path, text, match):
    (tmp_path / "m-last.json").write_text(text)
    with pytest.raises(mx.base.MXNetError, match=match):
        load_checkpoint(str(tmp_path / "m-last.params"))


def test_save_never_deletes_files_a_damaged_json_names(tmp_path):
    keep = tmp_path / "notes.txt"
    keep.write_text("mine")
    prefix = str(tmp_path / "m")
    (tmp_path / "m-last.json").write_text(json.dumps({"params": "notes.txt", "previous_generation": ["notes.txt"]}))
    for seed in (1, 2):
        save_checkpoint(prefix, "last", _dense(seed), None, {"epoch": seed})
    assert keep.read_text() == "mine"


# -- 19: files written and read ---------------------------------------------------------------------------
@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_atomic_write_gives_plain_open_modes(tmp_path, umask_022):
    atomic_write(str(tmp_path / "new.bin"), b"a")
    nd.save(str(tmp_path / "w.params"), {"w": nd.ones((2,))})
    assert stat.S_IMODE(os.stat(tmp_path / "new.bin").st_mode) == 0o644      # main: 0600
    assert stat.S_IMODE(os.stat(tmp_path / "w.params").st_mode) == 0o644
    (tmp_path / "kept.bin").write_bytes(b"old")
    os.chmod(tmp_path / "kept.bin", 0o640)
    atomic_write(str(tmp_path / "kept.bin"), b"new")
    assert stat.S_IMODE(os.stat(tmp_path / "kept.bin").st_mode) == 0o640


def test_atomic_write_writes_through_a_symlink(tmp_path):
    (tmp_path / "store").mkdir()
    real = tmp_path / "store" / "model.params"
    real.write_bytes(b"old")
    link = tmp_path / "model.params"
    link.symlink_to(real)
    nd.save(str(link), {"w": nd.ones((2,))})
    assert link.is_symlink() and nd.load(str(real))["w"].shape == (2,)      # main: the link was replaced
    assert not list(tmp_path.glob(".*.tmp")) and not list((tmp_path / "store").glob(".*.tmp"))


def test_unwritable_output_is_refused_before_the_work(tmp_path, monkeypatch, capsys):
    from ssdkit.viz import cli
    symbol = tmp_path / "n-symbol.json"
    symbol.write_text(mx.sym.relu(mx.sym.var("x"), name="r").tojson())
    calls = []
    monkeypatch.setattr(cli, "plot_network", lambda *a, **k: calls.append(a))
    for output in (tmp_path / "missing" / "n.html", tmp_path):
        assert cli.main([str(symbol), "-o", str(output)]) == 1
        assert str(output) in capsys.readouterr().err
    assert not calls                                                         # main: drew first, then failed
    with pytest.raises(mx.base.MXNetError, match="does not exist"):
        check_writable(str(tmp_path / "missing" / "x.params"), "save")


NESTED = "[" * 100_000 + "]" * 100_000


def test_damaged_json_documents_raise_the_library_errors(tmp_path):
    cases = [lambda: mx.init.create(NESTED), lambda: mx.init.create('[1, 2]'), lambda: mx.init.create('["x", 3]'),
             lambda: mx.metric.create(NESTED), lambda: mx.metric.create('["mae"]'),
             lambda: mx.metric.create('{"name": "x"}'), lambda: mx.viz.plot_network(NESTED)]
    for case in cases:
        with pytest.raises(mx.base.MXNetError):
            case()
    from ssdkit.help import cache
    for text in (NESTED, "[1, 2]", '{"fingerprint": 1}'):
        (tmp_path / "cache.json").write_text(text)
        assert cache.load(str(tmp_path / "cache.json")) is None
    header = {HEADER_KEY: nd.array(np.frombuffer(json.dumps({"format": "ssdkit-optimizer-states-v1",
                                                             "entries": [{"index": 0, "layout": {"list": [None]}}],
                                                             "optimizer": None}).replace(
        '{"list": [null]}', '{"list": [' * 20_000 + "null" + "]}" * 20_000).encode(), np.uint8), dtype="uint8")}
    with pytest.raises(mx.base.MXNetError, match="damaged optimizer-states header"):
        states_from_bytes(save_tobytes(header))


@pytest.mark.parametrize("key", ["a\tb", "a\nb", "a\rb", " a", "", "\udc80"])
def test_recordio_index_writer_refuses_keys_its_reader_cannot_read(tmp_path, key):
    idx, rec = str(tmp_path / "a.idx"), str(tmp_path / "a.rec")
    with mx.recordio.MXIndexedRecordIO(idx, rec, "w", str) as writer:
        writer.write_idx("ok", b"x")
        with pytest.raises(mx.recordio.RecordIOError, match="write_idx: key"):
            writer.write_idx(key, b"y")
    assert mx.recordio.MXIndexedRecordIO(idx, rec, "r", str).keys == ["ok"]


def _png(path, value):
    from PIL import Image
    Image.new("RGB", (4, 4), (value, value, value)).save(path)


def test_image_list_keeps_repeated_indices_as_mxnet(tmp_path):
    for name, value in (("a.png", 10), ("b.png", 20), ("c.png", 30)):
        _png(tmp_path / name, value)
    lst = tmp_path / "d.lst"
    lst.write_text("0\t1\ta.png\n1\t2\tb.png\n0\t3\tc.png\n")
    it = mx.image.ImageIter(1, (3, 4, 4), path_imglist=str(lst), path_root=str(tmp_path))
    samples = [(float(b.label[0].asscalar()), int(b.data[0].asnumpy().mean())) for b in it]
    # MXNet 1.9.1: one sample per line; index 0 names its last line (label 3, c.png) both times
    assert samples == [(3.0, 30), (2.0, 20), (3.0, 30)]                     # main: 2 samples


@pytest.mark.parametrize("content, match", [
    (b"x\t1\ta.png\n", r"d\.lst:1: the index"), (b"0\tone\ta.png\n", r"d\.lst:1: label 1"),
    (b"0\t1\ta.png\n\xff\xfe\t1\tb.png\n", r"d\.lst:2: not UTF-8"), (b"secret words here\n", r"d\.lst:1: 1 tab"),
], ids=["index", "label", "utf8", "fields"])
def test_damaged_image_list_is_a_named_error_that_echoes_nothing(tmp_path, content, match):
    lst = tmp_path / "d.lst"
    lst.write_bytes(content)
    with pytest.raises(mx.base.MXNetError, match=match) as err:
        mx.image.ImageIter(1, (3, 4, 4), path_imglist=str(lst), path_root=str(tmp_path))
    assert "secret" not in str(err.value) and "one" not in str(err.value).split(":", 2)[-1]


def test_image_list_errors_never_echo_files_outside_the_root(tmp_path):
    (tmp_path / "root").mkdir()
    (tmp_path / "private.txt").write_text("password=hunter2\n")
    lst = tmp_path / "d.lst"
    lst.write_text("0\t1\t../private.txt\n")
    it = mx.image.ImageIter(1, (3, 4, 4), path_imglist=str(lst), path_root=str(tmp_path / "root"))
    with pytest.raises(mx.base.MXNetError) as err:
        it.next()
    assert "private.txt" in str(err.value) and "passw" not in str(err.value)   # main: "starts with b'password'"
