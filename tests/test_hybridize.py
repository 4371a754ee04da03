"""hybridize(): MXNet's names and files, parity with imperative (outputs, gradients, running stats),
export -> SymbolBlock.imports, the symbol bypass, intermediate outputs."""
import json
import warnings
from pathlib import Path

import numpy as np
import pytest

import ssdkit as mx
from ssdkit.gluon import nn, SymbolBlock
from ssdkit.gluon.intermediate import intermediate_outputs

DATA = Path(__file__).resolve().parent / "data" / "mxnet"
ORACLE = json.loads((DATA / "gluon_naming.json").read_text())["hybrid_seq"]
FORMATS = json.loads((DATA / "formats.json").read_text())["export"]


def hybrid_seq():
    with mx.name.NameManager():
        net = nn.HybridSequential()
        with net.name_scope():
            net.add(nn.Conv2D(8, 3), nn.BatchNorm(), nn.Activation("relu"), nn.MaxPool2D(), nn.Flatten(),
                    nn.Dense(10))
    return net


def test_traced_names_equal_mxnet():
    sym = hybrid_seq()(mx.sym.var("data"))
    assert sym.get_internals().list_outputs() == ORACLE["internals_list_outputs"]
    assert sym.list_arguments() == ORACLE["list_arguments"]
    assert sym.list_auxiliary_states() == ORACLE["list_auxiliary_states"]
    assert sym.tojson() == ORACLE["tojson"]  # byte for byte what MXNet 1.9.1 wrote


def test_mxnet_export_loads_and_reproduces_outputs():
    io = np.load(DATA / "hybridseq_io.npz")
    block = SymbolBlock.imports(str(DATA / "hybridseq-symbol.json"), ["data"], str(DATA / "hybridseq-0000.params"))
    assert list(block.collect_params().keys()) == FORMATS["symbolblock_imports_param_names"]
    out = block(mx.nd.array(io["input"]))
    np.testing.assert_allclose(out.asnumpy(), io["output"], rtol=1e-4, atol=1e-4)


def test_export_round_trip_matches_mxnet_files(tmp_path):
    io = np.load(DATA / "hybridseq_io.npz")
    net = hybrid_seq()
    net.initialize()
    net.hybridize()
    net(mx.nd.array(io["input"]))
    for key in FORMATS["params_keys"]:  # load MXNet's trained values into our net
        net.collect_params()[key.split(":", 1)[1]].set_data(mx.nd.array(io[f"param/{key}"]))
    out = net(mx.nd.array(io["input"]))
    np.testing.assert_allclose(out.asnumpy(), io["output"], rtol=1e-4, atol=1e-4)
    sym_file, param_file = net.export(str(tmp_path / "hybridseq"), epoch=0)
    assert Path(sym_file).read_text() == (DATA / "hybridseq-symbol.json").read_text()
    assert list(mx.nd.load(param_file).keys()) == FORMATS["params_keys"]
    back = SymbolBlock.imports(sym_file, ["data"], param_file)
    np.testing.assert_allclose(back(mx.nd.array(io["input"])).asnumpy(), io["output"], rtol=1e-4, atol=1e-4)


def _train_step(net, x, head):
    with mx.autograd.record():
        y = net(x)
    y.backward(head)
    return y.asnumpy(), {k: p.grad().asnumpy() for k, p in net.collect_params().items() if p.grad_req != "null"}


def test_hybridized_equals_imperative_outputs_gradients_and_running_stats():
    rng = np.random.default_rng(0)
    x = mx.nd.array(rng.standard_normal((4, 3, 12, 12)))
    head = mx.nd.array(rng.standard_normal((4, 10)))
    nets = []
    for _ in range(2):
        net = hybrid_seq()
        net.initialize(mx.init.Xavier())
        nets.append(net)
    for p0, p1 in zip(nets[0].collect_params().values(), nets[1].collect_params().values()):
        p1.set_data(p0.data().copy()) if p0._data is not None else None
    nets[0](x)
    nets[1](x)
    for p0, p1 in zip(nets[0].collect_params().values(), nets[1].collect_params().values()):
        p1.set_data(p0.data().copy())
    nets[1].hybridize()
    y0, g0 = _train_step(nets[0], x, head)
    y1, g1 = _train_step(nets[1], x, head)
    np.testing.assert_allclose(y1, y0, rtol=1e-5, atol=1e-5)
    for key in g0:
        np.testing.assert_allclose(g1[key.replace("hybridsequential0", "hybridsequential0")], g0[key],
                                   rtol=1e-4, atol=1e-5, err_msg=key)
    for p0, p1 in zip(nets[0].collect_params().values(), nets[1].collect_params().values()):
        np.testing.assert_allclose(p1.data().asnumpy(), p0.data().asnumpy(), rtol=1e-5, atol=1e-6, err_msg=p0.name)
    with mx.autograd.predict_mode():
        np.testing.assert_allclose(nets[1](x).asnumpy(), nets[0](x).asnumpy(), rtol=1e-5, atol=1e-5)


def test_unused_input_warns_and_mixing_raises():
    class TwoInputs(mx.gluon.HybridBlock):
        def hybrid_forward(self, F, x, y):
            return F.relu(x)

    block = TwoInputs()
    block.hybridize()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        block(mx.nd.ones((1,)), mx.nd.ones((1,)))
    assert any("The data1 input to HybridBlock is not used by any computation. Is this intended?" in str(w.message)
               for w in caught)
    with pytest.raises(ValueError, match="mixed NDArrays and Symbols"):
        block(mx.nd.ones((1,)), mx.sym.var("y"))


def test_symbol_misuse_inside_hybrid_forward_explains():
    class UsesShape(mx.gluon.HybridBlock):
        def hybrid_forward(self, F, x):
            return x.reshape((x.shape[0], -1))

    block = UsesShape()
    assert block(mx.nd.ones((2, 3, 4))).shape == (2, 12)  # imperative: fine
    block.hybridize()
    with pytest.raises(mx.MXNetError, match="F.reshape with 0/-1 codes"):
        block(mx.nd.ones((2, 3, 4)))


def test_symbol_bypass_and_intermediate_outputs_agree():
    net = hybrid_seq()
    net.initialize()
    x = mx.nd.random.uniform(shape=(2, 3, 10, 10))
    net(x)
    internals = net(mx.sym.var("data")).get_internals()
    bypass = SymbolBlock([internals["hybridsequential0_relu0_fwd_output"], internals["hybridsequential0_dense0_fwd_output"]],
                         mx.sym.var("data"), params=net.collect_params())
    relu, dense = bypass(x)
    assert bypass.collect_params()["hybridsequential0_conv0_weight"] is net.collect_params()["hybridsequential0_conv0_weight"]
    outs = intermediate_outputs(net, x, names=["2", "hybridsequential0_dense0_fwd_output"])
    np.testing.assert_allclose(outs["2"].asnumpy(), relu.asnumpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(outs["hybridsequential0_dense0_fwd_output"].asnumpy(), dense.asnumpy(), rtol=1e-5,
                               atol=1e-6)
    net.hybridize()
    again = intermediate_outputs(net, x, names=["hybridsequential0_relu0"])
    np.testing.assert_allclose(again["hybridsequential0_relu0"].asnumpy(), relu.asnumpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("hybridize", [False, True])
def test_backward_skips_the_gradient_of_plain_input_data(monkeypatch, hybridize):
    from ssdkit.ops import get_op
    op = get_op("Convolution")
    asked = []

    def spy(saved, dy, need_dx=True, need_dw=True, need_db=True):
        asked.append(need_dx)
        return type(op).backward_kernel(saved, dy, need_dx, need_dw, need_db)

    monkeypatch.setattr(op, "backward_kernel", spy, raising=False)
    net = mx.gluon.nn.HybridSequential()
    net.add(mx.gluon.nn.Conv2D(2, 3, padding=1), mx.gluon.nn.Conv2D(2, 3, padding=1))
    net.initialize()
    if hybridize:
        net.hybridize()
    x = mx.nd.ones((1, 1, 5, 5))
    with mx.autograd.record():
        y = net(x)
    y.backward()
    assert asked == [True, False]              # the second conv's data is the first's output; images need none
    first_weight_grad = net[0].weight.grad().asnumpy().copy()
    asked.clear()
    x.attach_grad()
    with mx.autograd.record():
        y = net(x)
    y.backward()
    assert asked == [True, True] and x.grad.asnumpy().any()
    np.testing.assert_allclose(net[0].weight.grad().asnumpy(), first_weight_grad, rtol=1e-6)


class _ModeBranch(mx.gluon.HybridBlock):
    """Doubles in training, negates in predict mode (as GluonCV's SSD returns different heads per mode)."""

    def hybrid_forward(self, F, x):
        return x * 2 if mx.autograd.is_training() else -x


def test_cached_graph_is_keyed_on_the_training_flag():
    block = _ModeBranch()
    block.hybridize()
    x = mx.nd.array([1.0, 2.0])
    with mx.autograd.record():
        trained = block(x)
    np.testing.assert_array_equal(trained.asnumpy(), [2, 4])
    np.testing.assert_array_equal(block(x).asnumpy(), [-1, -2])          # predict branch after a training call
    with mx.autograd.train_mode():
        np.testing.assert_array_equal(block(x).asnumpy(), [2, 4])
    np.testing.assert_array_equal(block(x).asnumpy(), [-1, -2])
    assert sorted(key[-1] for key in block._cached_graphs) == [False, True]  # one graph per mode, no more


def test_export_writes_the_predict_mode_graph_and_says_so(tmp_path):
    block = _ModeBranch(prefix="branch_")
    block.hybridize()
    x = mx.nd.array([1.0, 2.0])
    with mx.autograd.record():
        block(x)                                   # only ever traced in training mode
    with pytest.warns(UserWarning, match="predict-mode graph"):
        sym_file, param_file = block.export(str(tmp_path / "b"))
    back = SymbolBlock.imports(sym_file, ["data"], param_file)
    np.testing.assert_array_equal(back(x).asnumpy(), [-1, -2])
    block(x)                                       # a predict call: the export uses that graph, silently
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        block.export(str(tmp_path / "c"))
    assert Path(tmp_path / "c-symbol.json").read_text() == Path(sym_file).read_text()


def test_export_before_any_call_explains():
    block = _ModeBranch()
    block.hybridize()
    with pytest.raises(mx.MXNetError, match="run forward with this block at least once"):
        block.export("never")


def test_nested_and_none_inputs_share_the_one_tracer():
    class Pair(mx.gluon.HybridBlock):
        def hybrid_forward(self, F, pair, scale=None):
            a, b = pair
            out = a + b
            return (out if scale is None else F.broadcast_mul(out, scale)), [a]

    block = Pair()
    a, b = mx.nd.ones((2,)), mx.nd.full((2,), 2.0)
    eager = block([a, b], None)
    block.hybridize()
    hybrid = block([a, b], None)
    np.testing.assert_array_equal(hybrid[0].asnumpy(), eager[0].asnumpy())
    assert isinstance(hybrid[1], list) and hybrid[1][0].shape == (2,)
    inputs, out = block._get_graph([a, b], None)
    assert [v.name for v in inputs] == ["data0", "data1"] and len(out.list_outputs()) == 2


def test_none_argument_structure_is_fixed_by_the_first_hybridized_call():
    class AddOptional(mx.gluon.HybridBlock):
        def hybrid_forward(self, F, a, b=None):
            return a if b is None else a + b

    x = mx.nd.ones((3,))
    block = AddOptional()
    block.hybridize()
    first = block(x, None)
    # a trailing None may be left out or given again (the hybrid_forward default), as in MXNet
    np.testing.assert_array_equal(block(x).asnumpy(), first.asnumpy())
    np.testing.assert_array_equal(block(x, None).asnumpy(), first.asnumpy())
    with pytest.raises(ValueError, match=r"\[0, 0\].*\[0, -1\]"):
        block(x, x)             # None became an array: another structure
    block.hybridize()           # a new cache takes the new structure
    np.testing.assert_array_equal(block(x, x).asnumpy(), 2 * x.asnumpy())
    with pytest.raises(ValueError):
        block(None, x)


CACHED_OP = json.loads((Path(__file__).resolve().parent / "data" / "cached_op_oracle" /
                        "cached_op_oracle.json").read_text())["cases"]


def _recorded_dense(layers, **flags):
    with mx.name.NameManager():
        net = nn.HybridSequential(prefix="net_")
        with net.name_scope():
            for _ in range(layers):
                net.add(nn.Dense(4))
    net.initialize(mx.init.Xavier())
    x = mx.nd.array(np.arange(6, dtype=np.float32).reshape(2, 3) / 6)
    x.attach_grad()
    with mx.autograd.record():
        eager = net(x)
    eager.backward()
    eager_grads = [x.grad.asnumpy().copy()] + [p.grad().asnumpy().copy() for p in net.collect_params().values()]
    net.hybridize(**flags)
    with mx.autograd.record():
        y = net(x)
    sym = mx.autograd.get_symbol(y)
    y.backward()
    grads = [x.grad.asnumpy()] + [p.grad().asnumpy() for p in net.collect_params().values()]
    for got, want in zip([y.asnumpy()] + grads, [eager.asnumpy()] + eager_grads):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    return sym, net, x, y


@pytest.mark.parametrize("case", sorted(CACHED_OP))
def test_recorded_hybridized_call_is_one_cached_op_or_inlined_as_mxnet(case):
    layers = int(case[len("dense")])
    flag = case.split("_", 1)[1]
    flags = ({"inline_limit": int(flag[len("inline"):])} if flag.startswith("inline") else
             {"static_alloc": True} if flag == "static_alloc" else {})
    sym, *_ = _recorded_dense(layers, **flags)
    want = CACHED_OP[case]
    assert [n["op"] for n in json.loads(sym.tojson())["nodes"]] == want["ops"]
    suffix = lambda name: name.split("_", 2)[2]  # noqa: E731  (MXNet's node_<k> counter is process-wide)
    assert [suffix(n) for n in sym.list_outputs()] == [suffix(n) for n in want["list_outputs"]]
    assert len(sym.list_arguments()) == want["num_arguments"]


def test_cached_op_node_of_get_symbol_runs_and_differentiates():
    sym, net, x, y = _recorded_dense(3, inline_limit=0)
    args = sym.list_arguments()
    feed = dict(zip(args, [x] + [p.data() for p in net.collect_params().values()]))
    assert sym.infer_shape(**{args[0]: x.shape})[1] == [y.shape]
    grads = {n: mx.nd.zeros(a.shape) for n, a in feed.items()}
    ex = sym.bind(mx.cpu(), feed, args_grad=grads)
    np.testing.assert_allclose(ex.forward(is_train=True)[0].asnumpy(), y.asnumpy(), rtol=1e-6)
    ex.backward(mx.nd.ones(y.shape))
    np.testing.assert_allclose(grads[args[0]].asnumpy(), x.grad.asnumpy(), rtol=1e-6)


def test_inlined_identity_block_returns_a_recorded_copy():
    class Identity(mx.gluon.HybridBlock):
        def hybrid_forward(self, F, x):
            return x

    block = Identity()
    block.hybridize()
    x = mx.nd.ones((2,))
    x.attach_grad()
    with mx.autograd.record():
        y = block(x)
        (y * 3).backward()
    assert y is not x and y.asnumpy().tolist() == [1.0, 1.0]
    assert x.grad.asnumpy().tolist() == [3.0, 3.0]
