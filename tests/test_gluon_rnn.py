"""gluon.rnn against MXNet 1.9.1: every layer configuration and every cell's unroll gives MXNet's outputs, final
states and gradients (inputs, states, every parameter), parameter names, reprs and save keys — imperative and
hybridized; exported graphs reload with the same outputs; the fused layer equals its unfused cell stack."""
import json
import os
import sys

import numpy as np
import pytest

import ssdkit as mx
from ssdkit import autograd, nd
from ssdkit.gluon import rnn

DATA = os.path.join(os.path.dirname(__file__), "data", "rnn_oracle")
sys.path.insert(0, DATA)
import rnn_cases  # noqa: E402  (the case list and runner shared with the MXNet generator)

ORACLE = np.load(os.path.join(DATA, "rnn_oracle.npz"))
with open(os.path.join(DATA, "rnn_oracle.json")) as _f:
    META = json.load(_f)["cases"]
CASES = [(name, spec, opts, True) for name, spec, opts in rnn_cases.LAYERS] + \
        [(name, spec, opts, False) for name, spec, opts in rnn_cases.CELLS]
RTOL, ATOL = 1e-5, 1e-6   # float32; the worst difference measured is 5e-7 absolute


def _run(name, spec, opts, is_layer, hybridize):
    keys = [k.split("/", 1)[1] for k in ORACLE.files if k.startswith(name + "/")]
    arrays = {k: ORACLE[f"{name}/{k}"] for k in keys if k in ("x", "valid_length") or k.startswith("state")}
    result, texts = rnn_cases.run_case(mx, name, spec, opts, is_layer, arrays=arrays,
                                       param_value=lambda n, shape: ORACLE[f"{name}/param:{n}"],
                                       hybridize=hybridize)
    expected = [k for k in keys if k not in arrays and not k.startswith("param:")]
    return result, texts, expected


@pytest.mark.parametrize("hybridize", [False, True], ids=["imperative", "hybridized"])
@pytest.mark.parametrize("name,spec,opts,is_layer", CASES, ids=[c[0] for c in CASES])
def test_matches_mxnet(name, spec, opts, is_layer, hybridize):
    result, texts, expected = _run(name, spec, opts, is_layer, hybridize)
    assert texts == {k: META[name][k] for k in ("params", "repr", "save_keys")}
    assert "out" in expected and (opts.get("forward_only") or "grad:x" in expected)
    for key in expected:
        np.testing.assert_allclose(result[key], ORACLE[f"{name}/{key}"], rtol=RTOL, atol=ATOL,
                                   err_msg=f"{name}: {key}")


def _layer(kind="LSTM", **kwargs):
    with mx.name.NameManager():
        layer = getattr(rnn, kind)(4, **kwargs)
    layer.initialize(mx.init.Uniform(0.5))
    return layer


@pytest.mark.parametrize("kind,kwargs", [("LSTM", {}), ("GRU", {"num_layers": 2, "bidirectional": True}),
                                         ("RNN", {"activation": "tanh", "layout": "NTC"}),
                                         ("LSTM", {"projection_size": 2, "num_layers": 2})])
def test_export_imports_parity(tmp_path, kind, kwargs):
    layer = _layer(kind, **kwargs)
    x = nd.array(np.random.RandomState(0).uniform(-1, 1, (3, 2, 5)))
    eager = layer(x).asnumpy()
    layer.hybridize()
    np.testing.assert_allclose(layer(x).asnumpy(), eager, rtol=1e-6, atol=1e-7)
    sym_file, params_file = layer.export(str(tmp_path / "rnn"))
    names = ["data0"] + [f"data{i + 1}" for i in range(len(layer.state_info()))]
    loaded = mx.gluon.SymbolBlock.imports(sym_file, names, params_file)
    again = loaded(x, *layer.begin_state(x.shape[layer._layout.find("N")]))
    np.testing.assert_allclose(again.asnumpy(), eager, rtol=1e-6, atol=1e-7)
    ops = [n["op"] for n in json.load(open(sym_file))["nodes"]]
    assert ops.count("RNN") == 1 and ops.count("_rnn_param_concat") == 1
    states = [s * 0.5 + 0.1 for s in layer.begin_state(x.shape[layer._layout.find("N")])]
    out, final = layer(x, states)   # a new graph: outputs and final states
    sym_file, params_file = layer.export(str(tmp_path / "rnn_states"))
    loaded = mx.gluon.SymbolBlock.imports(sym_file, names, params_file)
    for got, want in zip(loaded(x, *states), [out] + final):
        np.testing.assert_allclose(got.asnumpy(), want.asnumpy(), rtol=1e-6, atol=1e-7)


def test_cell_step_export_parity(tmp_path):
    with mx.name.NameManager():
        cell = rnn.GRUCell(3)
    cell.initialize(mx.init.Uniform(0.5))
    x, h = nd.ones((2, 5)), nd.ones((2, 3)) * 0.1
    eager = cell(x, [h])[0].asnumpy()
    cell.hybridize()
    np.testing.assert_allclose(cell(x, [h])[0].asnumpy(), eager, rtol=1e-6)
    sym_file, params_file = cell.export(str(tmp_path / "g"))
    loaded = mx.gluon.SymbolBlock.imports(sym_file, ["data0", "data1"], params_file)
    out, new_h = loaded(x, h)
    np.testing.assert_allclose(out.asnumpy(), eager, rtol=1e-6)
    np.testing.assert_allclose(new_h.asnumpy(), eager, rtol=1e-6)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_fused_layer_equals_unfused_cells_with_sequence_length(kind):
    """MXNet runs use_sequence_length only on cuDNN; its semantics are those of the cells' valid_length."""
    layer = _layer(kind, num_layers=2, bidirectional=True, use_sequence_length=True)
    rng = np.random.RandomState(3)
    x = nd.array(rng.uniform(-1, 1, (5, 3, 2)))
    lengths = nd.array([5, 2, 3])
    states = [nd.array(rng.uniform(-1, 1, s.shape)) for s in layer.begin_state(3)]
    out, fused_states = layer(x, states, lengths)
    stack = layer._unfuse()
    per_layer = [[s[k] for s in states] for k in range(4)]   # (layer, direction) -> its states
    begin = [s for k in range(4) for s in per_layer[k]]
    ref, ref_states = stack.unroll(5, x, begin_state=begin, layout="TNC", merge_outputs=True,
                                   valid_length=lengths)
    np.testing.assert_allclose(out.asnumpy(), ref.asnumpy(), rtol=1e-5, atol=1e-6)
    n = len(states)
    for i, fused in enumerate(fused_states):
        stacked = np.stack([ref_states[k * n + i].asnumpy() for k in range(4)])
        np.testing.assert_allclose(fused.asnumpy(), stacked, rtol=1e-5, atol=1e-6)


def test_dropout_between_layers_only_in_training():
    layer = _layer("GRU", num_layers=2, dropout=0.5)
    x = nd.array(np.random.RandomState(1).uniform(-1, 1, (4, 3, 5)))
    predict = layer(x).asnumpy()
    with autograd.record():
        trained = layer(x)
    trained.backward()
    assert not np.allclose(trained.asnumpy(), predict)
    np.testing.assert_allclose(layer(x).asnumpy(), predict)
    assert np.isfinite(layer.l0_i2h_weight.grad().asnumpy()).all()


def test_deferred_input_size_repr_and_state_errors():
    layer = _layer("LSTM", num_layers=2)
    assert repr(layer) == "LSTM(None -> 4, TNC, num_layers=2)"
    layer(nd.ones((2, 3, 7)))
    assert repr(layer) == "LSTM(7 -> 4, TNC, num_layers=2)"
    assert layer.l0_i2h_weight.shape == (16, 7) and layer.l1_i2h_weight.shape == (16, 4)
    with pytest.raises(ValueError, match=r"Expecting \(2, 3, 4\), got \(1, 3, 4\)"):
        layer(nd.ones((2, 3, 7)), [nd.zeros((1, 3, 4)), nd.zeros((2, 3, 4))])
    with pytest.raises(mx.base.MXNetError, match="layout"):
        rnn.GRU(3, layout="NCT")


def test_rnn_op_in_nd_and_sym():
    x, params = nd.ones((3, 2, 4)), nd.ones((81,)) * 0.1   # GRU, 9 rows: 9 * 4 + 9 * 3 weights, 2 * 9 biases
    out, hy = nd.RNN(x, params, nd.zeros((1, 2, 3)), state_size=3, num_layers=1, mode="gru", state_outputs=True)
    assert out.shape == (3, 2, 3) and hy.shape == (1, 2, 3)
    s = mx.sym.RNN(mx.sym.var("data"), state_size=3, num_layers=2, mode="lstm", bidirectional=True,
                   state_outputs=True, name="rnn")
    assert s.list_arguments() == ["data", "rnn_parameters", "rnn_state", "rnn_state_cell"]
    assert s.list_outputs() == ["rnn_output", "rnn_state_output", "rnn_statecell_output"]
    args, outs, _ = s.infer_shape(data=(5, 2, 4))
    assert args[1:] == [(480,), (4, 2, 3), (4, 2, 3)] and outs[0] == (5, 2, 6)


def test_symbolic_unroll_infers_parameter_names_and_shapes():
    with mx.name.NameManager():
        cell = rnn.LSTMCell(6, prefix="rnn_")
    inputs = [mx.sym.var(f"rnn_t{i}_data") for i in range(3)]
    outputs, _ = cell.unroll(3, inputs, begin_state=cell.begin_state(func=mx.sym.var))
    group = mx.sym.Group(outputs)
    assert sorted(cell.collect_params().keys()) == ["rnn_h2h_bias", "rnn_h2h_weight", "rnn_i2h_bias",
                                                   "rnn_i2h_weight"]
    shapes = {f"rnn_t{i}_data": (2, 5) for i in range(3)}
    shapes.update({"rnn_begin_state_0": (2, 6), "rnn_begin_state_1": (2, 6)})
    _, outs, _ = group.infer_shape(**shapes)
    assert outs == [(2, 6)] * 3


def test_modifier_and_bidirectional_rules():
    base = rnn.GRUCell(2, prefix="g_")
    rnn.ResidualCell(base)
    with pytest.raises(mx.base.MXNetError, match="cannot be called directly"):
        base.begin_state(batch_size=1)
    with pytest.raises(mx.base.MXNetError, match="already modified"):
        rnn.ZoneoutCell(base)
    bi = rnn.BidirectionalCell(rnn.GRUCell(2, prefix="l_"), rnn.GRUCell(2, prefix="r_"))
    with pytest.raises(mx.base.MXNetError, match="cannot be stepped"):
        bi(nd.ones((1, 2)), [])
    with pytest.raises(mx.base.MXNetError, match="zoneout"):
        rnn.ZoneoutCell(bi)


def test_symbolic_unroll_with_default_begin_state_runs():
    """sym.zeros((0, H)) begin states take their batch size from the graph, as MXNet's executor does."""
    with mx.name.NameManager():
        cell = rnn.ResidualCell(rnn.GRUCell(4, prefix="rnn_"))
    outputs, states = cell.unroll(2, [mx.sym.var(f"rnn_t{i}_data") for i in range(2)])
    group = mx.sym.Group(outputs + states)
    feed = {"rnn_t0_data": nd.ones((3, 4)), "rnn_t1_data": nd.ones((3, 4)) * 0.5,
            "rnn_i2h_weight": nd.ones((12, 4)) * 0.1, "rnn_h2h_weight": nd.ones((12, 4)) * -0.1,
            "rnn_i2h_bias": nd.zeros((12,)), "rnn_h2h_bias": nd.zeros((12,))}
    got = group.eval(**feed)
    cell.base_cell.initialize()
    for name in ("i2h_weight", "h2h_weight", "i2h_bias", "h2h_bias"):
        getattr(cell.base_cell, name).set_data(feed[f"rnn_{name}"])
    want, want_states = cell.unroll(2, [feed["rnn_t0_data"], feed["rnn_t1_data"]])
    for g, w in zip(got, list(want) + want_states):
        np.testing.assert_allclose(g.asnumpy(), w.asnumpy(), rtol=1e-6)


def test_layer_inside_hybridized_network_defers_input_size():
    net = mx.gluon.nn.HybridSequential(prefix="net_")
    with net.name_scope():
        net.add(rnn.LSTM(5, num_layers=2, bidirectional=True), mx.gluon.nn.Dense(2, flatten=False))
    net.initialize()
    x = nd.array(np.random.RandomState(2).uniform(-1, 1, (4, 3, 7)))
    eager = net(x).asnumpy()
    net.hybridize()
    np.testing.assert_allclose(net(x).asnumpy(), eager, rtol=1e-6, atol=1e-7)
    fresh = mx.gluon.nn.HybridSequential(prefix="net_")
    with fresh.name_scope():
        fresh.add(rnn.LSTM(5, num_layers=2, bidirectional=True), mx.gluon.nn.Dense(2, flatten=False))
    fresh.initialize()
    fresh.hybridize()   # deferred sizes found through the graph: _rnn_param_concat and Reshape infer backward
    assert fresh(x).shape == (4, 3, 2)
    assert fresh[0].l0_i2h_weight.shape == fresh[0].r0_i2h_weight.shape == (20, 7)


def test_bidirectional_valid_length_inside_hybridized_block():
    class Tagger(mx.gluon.HybridBlock):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            with self.name_scope():
                self.bi = rnn.BidirectionalCell(rnn.LSTMCell(3), rnn.GRUCell(3))

        def hybrid_forward(self, F, x, valid_length):
            out, _ = self.bi.unroll(4, x, valid_length=valid_length, merge_outputs=True)
            return out

    net = Tagger(prefix="t_")
    net.initialize()
    x, lengths = nd.array(np.random.RandomState(4).uniform(-1, 1, (2, 4, 5))), nd.array([4, 2])
    eager = net(x, lengths).asnumpy()
    assert np.all(eager[1, 2:] == 0)
    net.hybridize()
    np.testing.assert_allclose(net(x, lengths).asnumpy(), eager, rtol=1e-6, atol=1e-7)


def test_mxnet_alias_and_numpy_mode(tmp_path):
    """``from mxnet.gluon import rnn`` under ssdkit.alias_mxnet(); layers under npx.set_np() give mx.np arrays."""
    import subprocess
    code = ("import ssdkit; ssdkit.alias_mxnet()\n"
            "from mxnet.gluon import rnn\nfrom mxnet.gluon.rnn import rnn_cell, rnn_layer\nimport mxnet as mx\n"
            "layer = rnn.LSTM(3); layer.initialize()\n"
            "print(layer(mx.nd.ones((2, 1, 4))).shape, rnn_cell.GRUCell is rnn.GRUCell, mx.npx.rnn.__name__)\n")
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert out.stdout.strip() == "(2, 1, 3) True rnn", out.stderr
    from ssdkit import np as mnp, npx
    npx.set_np()
    try:
        layer = rnn.GRU(3, prefix="g_")
        layer.initialize()
        out, states = layer(mnp.ones((2, 1, 4)), layer.begin_state(1))
        assert isinstance(out, mnp.ndarray) and isinstance(states[0], mnp.ndarray) and out.shape == (2, 1, 3)
    finally:
        npx.reset_np()


@pytest.mark.parametrize("num_layers,bidirectional", [(2, False), (2, True)])
def test_fused_projection_gradients_equal_lstmp_cells(num_layers, bidirectional):
    """MXNet's CPU kernel has no LSTMP training; its LSTMPCell (oracle-checked above) gives the gradients."""
    lstmp = mx.gluon.contrib.rnn.LSTMPCell
    fused = rnn.LSTM(5, num_layers=num_layers, bidirectional=bidirectional, projection_size=3, prefix="lstm0_")
    stack = rnn.HybridSequentialRNNCell(prefix="lstm0_")
    with stack.name_scope():
        for i in range(num_layers):
            stack.add(rnn.BidirectionalCell(lstmp(5, 3, prefix=f"l{i}_"), lstmp(5, 3, prefix=f"r{i}_"))
                      if bidirectional else lstmp(5, 3, prefix=f"l{i}_"))
    fused.initialize()
    stack.initialize()
    rng = np.random.RandomState(5)
    x = nd.array(rng.uniform(-1, 1, (4, 2, 6)))
    fused.infer_shape(x)
    stack.unroll(4, x, layout="TNC", merge_outputs=True)
    stack_params = stack.collect_params()
    for name, param in fused.collect_params().items():
        value = nd.array(rng.uniform(-0.5, 0.5, param.shape))
        param.set_data(value)
        stack_params[name].set_data(value)
    begin = [nd.array(rng.uniform(-0.5, 0.5, s.shape)) for s in fused.begin_state(2)]
    d = 2 if bidirectional else 1
    cell_begin = [begin[j][k] for k in range(num_layers * d) for j in range(2)]
    results = []
    for run in ("fused", "cells"):
        xs = x.copy()
        xs.attach_grad()
        with autograd.record():
            if run == "fused":
                out, states = fused(xs, begin)
            else:
                out, cell_states = stack.unroll(4, xs, begin_state=cell_begin, layout="TNC", merge_outputs=True)
                states = [nd.stack(*cell_states[j::2], axis=0) for j in range(2)]
            loss = (out * out).sum() + (states[0] * 0.3).sum() + (states[1] * states[1]).sum()
        loss.backward()
        params = fused.collect_params() if run == "fused" else stack_params
        results.append([out, states[0], states[1], xs.grad] + [params[n].grad() for n in sorted(params.keys())])
    for a, b in zip(*results):
        np.testing.assert_allclose(a.asnumpy(), b.asnumpy(), rtol=1e-5, atol=1e-6)


def test_rnn_op_dropout_gradient_with_fixed_masks():
    """Training-mode dropout between layers: with the same masks (same seed), backward equals central
    differences (float64)."""
    from ssdkit.base import seed_rng
    from ssdkit.ops import get_op
    from ssdkit.ops.rnn import rnn_param_size
    op = get_op("RNN")
    p = op.parse_params(dict(state_size=3, num_layers=3, mode="gru", p=0.4, state_outputs=True, bidirectional=True))
    rng = np.random.default_rng(0)
    inputs = [rng.uniform(-1, 1, (4, 2, 3)), 0.5 * rng.uniform(-1, 1, rnn_param_size(p, 3)),
              rng.uniform(-1, 1, (6, 2, 3))]

    def run(xs):
        seed_rng(11)
        return op.forward(p, xs, True)

    outputs, saved = run(inputs)
    assert 0 < np.mean(saved[1][0][2] == 0) < 1   # the mask after layer 0 drops some, keeps some
    weights = [rng.standard_normal(o.shape) for o in outputs]
    direction = [rng.standard_normal(x.shape) for x in inputs]
    grads = op.backward(p, saved, weights)
    analytic = sum(float((g * d).sum()) for g, d in zip(grads, direction))
    eps = 1e-5
    plus = run([x + eps * d for x, d in zip(inputs, direction)])[0]
    minus = run([x - eps * d for x, d in zip(inputs, direction)])[0]
    numeric = sum(float(((a - b) * w).sum()) for a, b, w in zip(plus, minus, weights)) / (2 * eps)
    assert np.isclose(analytic, numeric, rtol=1e-6), (analytic, numeric)
