"""mx.sym: graph structure, names, inference, MXNet JSON (exact text), executor forward/backward."""
import json
from pathlib import Path

import numpy as np
import pytest

import ssdkit as mx
from ssdkit.symbol.executor import GraphExecutor

DATA = Path(__file__).resolve().parent / "data" / "mxnet"


def _mxnet_hybrid_seq_json():
    return json.loads((DATA / "gluon_naming.json").read_text())["hybrid_seq"]


def test_auto_names_and_arguments():
    with mx.sym.NameManager():
        x = mx.sym.var("data")
        fc = mx.sym.FullyConnected(x, num_hidden=3)
        act = mx.sym.Activation(fc, act_type="relu")
    assert fc.name == "fullyconnected0" and act.name == "activation0"
    assert act.list_arguments() == ["data", "fullyconnected0_weight", "fullyconnected0_bias"]
    assert act.get_internals().list_outputs() == ["data", "fullyconnected0_weight", "fullyconnected0_bias",
                                                  "fullyconnected0_output", "activation0_output"]
    assert act.get_internals()["fullyconnected0_output"].name == "fullyconnected0"
    assert act.get_children().list_outputs() == ["fullyconnected0_output"]


def test_group_indexing_and_multi_output():
    x = mx.sym.var("x")
    parts = mx.sym.split(x, num_outputs=3, axis=1, name="sp")
    assert len(parts) == 3 and parts.list_outputs() == ["sp_output0", "sp_output1", "sp_output2"]
    g = mx.sym.Group([parts[0], parts[2]])
    assert g.list_outputs() == ["sp_output0", "sp_output2"]
    assert g.infer_shape(x=(2, 6))[1] == [(2, 2), (2, 2)]


def test_infer_shape_fills_weights_and_reports_partial():
    x = mx.sym.var("data")
    net = mx.sym.Convolution(x, kernel=(3, 3), num_filter=8, pad=(1, 1), name="c")
    net = mx.sym.BatchNorm(net, name="bn")
    net = mx.sym.FullyConnected(mx.sym.Flatten(net), num_hidden=5, name="fc")
    args, outs, aux = net.infer_shape(data=(2, 3, 4, 4))
    assert dict(zip(net.list_arguments(), args))["fc_weight"] == (5, 128)
    assert aux == [(8,), (8,)] and outs == [(2, 5)]
    with pytest.warns(UserWarning, match="Cannot decide shape"):
        assert net.infer_shape() == (None, None, None)
    partial = net.infer_shape_partial()[0]
    assert partial[net.list_arguments().index("bn_gamma")] == ()  # MXNet reports an unknown shape as ()


def test_shape_errors_name_the_node():
    x = mx.sym.var("data", shape=(2, 3))
    w = mx.sym.var("w", shape=(4, 5))
    with pytest.raises(mx.base.ShapeError, match=r"FullyConnected: weight .* \[in node fc\]"):
        mx.sym.FullyConnected(x, w, num_hidden=4, no_bias=True, name="fc").infer_shape()


def test_json_round_trip_and_mxnet_text():
    want = _mxnet_hybrid_seq_json()["tojson"]
    loaded = mx.sym.load_json(want)
    assert loaded.tojson() == want  # byte-identical to what MXNet 1.9.1 wrote
    assert loaded.list_auxiliary_states() == _mxnet_hybrid_seq_json()["list_auxiliary_states"]
    assert loaded.get_internals().list_outputs() == _mxnet_hybrid_seq_json()["internals_list_outputs"]


def test_json_errors_name_the_file_and_node(tmp_path):
    bad = tmp_path / "bad-symbol.json"
    bad.write_text('{"nodes": [{"op": "null", "name": "x", "inputs": []}, '
                   '{"op": "NoSuchOp", "name": "y", "inputs": [[0, 0, 0]]}], "heads": [[1, 0, 0]]}')
    with pytest.raises(mx.sym.SymbolFileError, match=r"bad-symbol.json: node 1 \(y\).*NoSuchOp"):
        mx.sym.load(str(bad))
    bad.write_text('{"nodes": [{"op": "relu", "name": "y", "inputs": [[5, 0, 0]]}], "heads": [[0, 0, 0]]}')
    with pytest.raises(mx.sym.SymbolFileError, match="invalid input entry"):
        mx.sym.load(str(bad))


def test_executor_matches_imperative_forward_and_backward():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 5, 5)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    b = rng.standard_normal(4).astype(np.float32)
    sym = mx.sym.relu(mx.sym.Convolution(mx.sym.var("x"), mx.sym.var("w"), mx.sym.var("b"), kernel=(3, 3),
                                         num_filter=4, name="c") * 2, name="r")
    ex = GraphExecutor(sym)
    outs, state = ex.forward({"x": x, "w": w, "b": b}, is_train=True, for_backward=True)
    head = rng.standard_normal(outs[0].shape).astype(np.float32)
    grads = ex.backward(state, [head])
    arrays = [mx.nd.array(v) for v in (x, w, b)]
    for a in arrays:
        a.attach_grad()
    with mx.autograd.record():
        y = mx.nd.relu(mx.nd.Convolution(*arrays, kernel=(3, 3), num_filter=4) * 2)
    y.backward(mx.nd.array(head))
    np.testing.assert_allclose(outs[0], y.asnumpy(), rtol=1e-5, atol=1e-5)
    for name, a in zip("xwb", arrays):
        np.testing.assert_allclose(grads[name], a.grad.asnumpy(), rtol=1e-4, atol=1e-4)


def test_symbol_misuse_explains_what_to_do():
    x = mx.sym.var("x")
    with pytest.raises(mx.MXNetError, match="F.reshape"):
        _ = x.shape
    with pytest.raises(mx.MXNetError, match="control flow"):
        bool(x > 0)
    with pytest.raises(mx.MXNetError, match="cannot mix an NDArray"):
        _ = x + mx.nd.ones(1)


def test_eval():
    y = mx.sym.broadcast_add(mx.sym.var("a"), mx.sym.var("b"))
    out = y.eval(a=mx.nd.ones((2, 1)), b=mx.nd.ones((1, 3)))[0]
    assert out.shape == (2, 3) and out.asnumpy().max() == 2


def test_internals_infer_shape_includes_variables():
    y = mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=3, name="fc")
    _, outs, _ = y.get_internals().infer_shape(data=(2, 5))
    assert outs == [(2, 5), (3, 5), (3,), (2, 3)]


def test_symbol_truth_value_is_not_implemented_for_symbol():
    from ssdkit.base import NotImplementedForSymbol
    with pytest.raises(NotImplementedForSymbol, match="__bool__"):
        bool(mx.sym.var("x"))


def test_get_children_lists_each_node_once():
    sliced = mx.sym.SliceChannel(mx.sym.var("data"), num_outputs=3, name="slice")
    assert sliced.get_children().list_outputs() == ["data"]
    assert mx.sym.Concat(*list(sliced)).get_children().list_outputs() == [
        "slice_output0", "slice_output1", "slice_output2"]


def test_magic_abs_and_partial_types():
    x = mx.sym.var("x")
    out = abs(x).eval(x=mx.nd.array([-1.5, 2.0]))[0].asnumpy()
    np.testing.assert_array_equal(out, [1.5, 2.0])
    fc = mx.sym.FullyConnected(mx.sym.Cast(mx.sym.var("data"), dtype="float32"), num_hidden=4, name="fc")
    args, outs, _ = fc.infer_type_partial()
    assert args == [None, np.float32, np.float32] and outs == [np.float32]


def test_symbol_call_composes_by_keyword():
    net1 = mx.sym.FullyConnected(mx.sym.var("data"), name="fc1", num_hidden=10)
    net2 = mx.sym.FullyConnected(mx.sym.relu(mx.sym.FullyConnected(name="fc3", num_hidden=10)), name="fc4",
                                 num_hidden=20)
    composed = net2(fc3_data=net1, name="composed")
    # as MXNet 1.9.1: the head is renamed, the original graph is untouched
    assert composed.name == "composed" and net2.name == "fc4"
    assert composed.list_arguments() == ["data", "fc1_weight", "fc1_bias", "fc3_weight", "fc3_bias",
                                         "fc4_weight", "fc4_bias"]
    assert net2.list_arguments()[0] == "fc3_data"
    with pytest.raises(mx.base.MXNetError, match="keyword"):
        net2(net1)
    with pytest.raises(mx.base.MXNetError, match="not variables"):
        net2(nope=net1)
