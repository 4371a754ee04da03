"""Operators added from MXNet 1.9.1's breadth (softmax_cross_entropy, the *_v1 ops, IdentityAttachKLSparseReg,
interleaved attention matmuls, hawkesll, group_adagrad_update, quantization) equal MXNet's: outputs, gradients,
and the arguments / auxiliary states after the step, from tests/data/opsgap_oracle (made by real MXNet)."""
import json
from pathlib import Path

import numpy as np
import pytest

import ssdkit as mx

HERE = Path(__file__).resolve().parent / "data" / "opsgap_oracle"
META = json.loads((HERE / "opsgap_oracle.json").read_text())["cases"]
DATA = np.load(HERE / "opsgap_oracle.npz")
TOL = {"rtol": 1e-5, "atol": 1e-6}


def _fn(namespace, path):
    for part in path.split("."):
        namespace = getattr(namespace, part)
    return namespace


def _attrs(case):
    return {k: tuple(v) if isinstance(v, list) else v for k, v in case["attrs"].items()}


def _array(key):
    value = DATA[key]
    return mx.nd.array(value, dtype=value.dtype)


@pytest.mark.parametrize("case", META, ids=[c["name"] for c in META])
def test_symbol_executor_matches_mxnet(case):
    name = case["name"]
    args = {k: _array(f"{name}/arg/{k}") for k in case["args"]}
    aux = {k: _array(f"{name}/aux/{k}") for k in case["aux"]}
    variables = [mx.sym.var(k, dtype=args[k].dtype) for k in case["args"]]
    aux_vars = {k: mx.sym.var(k, dtype=aux[k].dtype) for k in case["aux"]}
    sym = _fn(mx.sym, case["op"])(*variables, name="op", **aux_vars, **_attrs(case))
    assert sym.list_arguments() == case["args"]
    assert sym.list_auxiliary_states() == case["aux"]
    assert sym.list_outputs() == case["output_names"]
    grads = {k: mx.nd.zeros(v.shape, dtype=v.dtype) for k, v in args.items()}
    exe = sym.bind(mx.cpu(), args, args_grad=grads, grad_req=case["grad_req"], aux_states=aux)
    outs = exe.forward(is_train=case["is_train"])
    assert len(outs) == case["outputs"]
    for i, o in enumerate(outs):
        want = DATA[f"{name}/out{i}"]
        assert o.dtype == want.dtype, f"{name} output {i} dtype"
        np.testing.assert_allclose(o.asnumpy(), want, **TOL, err_msg=f"{name} output {i}")
    if case["backward"]:
        exe.backward([_array(f"{name}/head{i}") for i in range(len(outs))])
        for k, req in case["grad_req"].items():
            if req != "null":
                np.testing.assert_allclose(exe.grad_dict[k].asnumpy(), DATA[f"{name}/grad/{k}"], **TOL,
                                           err_msg=f"{name} gradient of {k}")
    for k in case["args"]:
        np.testing.assert_allclose(args[k].asnumpy(), DATA[f"{name}/arg_after/{k}"], **TOL,
                                   err_msg=f"{name} argument {k} after the step")
    for k in case["aux"]:
        np.testing.assert_allclose(aux[k].asnumpy(), DATA[f"{name}/aux_after/{k}"], **TOL,
                                   err_msg=f"{name} auxiliary state {k} after the step")


IMPERATIVE = [c for c in META if not c["aux"]]


@pytest.mark.parametrize("case", IMPERATIVE, ids=[c["name"] for c in IMPERATIVE])
def test_nd_autograd_matches_mxnet(case):
    """The same numbers through mx.nd and autograd (ops without auxiliary states: MXNet's nd cannot pass those
    to a legacy op)."""
    name = case["name"]
    args = [_array(f"{name}/arg/{k}") for k in case["args"]]
    wrt = [i for i, k in enumerate(case["args"]) if case["grad_req"][k] != "null"]
    for i in wrt:
        args[i].attach_grad()
    with mx.autograd.record(train_mode=case["is_train"]):
        out = _fn(mx.nd, case["op"])(*args, **_attrs(case))
    outs = list(out) if isinstance(out, (list, tuple)) else [out]
    for i, o in enumerate(outs):
        np.testing.assert_allclose(o.asnumpy(), DATA[f"{name}/out{i}"], **TOL, err_msg=f"{name} output {i}")
    if case["backward"]:
        mx.autograd.backward(outs, [_array(f"{name}/head{i}") for i in range(len(outs))])
        for i in wrt:
            k = case["args"][i]
            np.testing.assert_allclose(args[i].grad.asnumpy(), DATA[f"{name}/grad/{k}"], **TOL,
                                       err_msg=f"{name} gradient of {k}")


# group_adagrad_update from MXNet 1.9.1; the quantization ops' plain CPU kernels from mxnet-native 1.8.0.post0
# (MXNet 1.9.1's pip build always runs them through oneDNN; see the data README)
QUANT = json.loads((HERE / "quantization_oracle.json").read_text())
QDATA = np.load(HERE / "quantization_oracle.npz")
ND_CASES = [(c, DATA, {}) for c in json.loads((HERE / "opsgap_oracle.json").read_text())["nd_cases"]] + \
    [(c, QDATA, QUANT.get("errors", {})) for c in QUANT["nd_cases"]]


@pytest.mark.parametrize("case,data,errors", ND_CASES, ids=[c["name"] for c, _, _ in ND_CASES])
def test_nd_call_matches_mxnet(case, data, errors):
    """Calls MXNet runs through mx.nd only (group_adagrad_update with its row_sparse gradient given here dense;
    operators without gradients): outputs and the inputs after the call (updated in place), or MXNet's refusal."""
    name = case["name"]
    args = [mx.nd.array(data[f"{name}/arg/{k}"], dtype=data[f"{name}/arg/{k}"].dtype) for k in case["args"]]
    kwargs = dict(case["attrs"])
    if case["out_index"] is not None:
        kwargs["out"] = args[case["out_index"]]
    if name in errors:
        with pytest.raises(mx.MXNetError):
            _fn(mx.nd, case["op"])(*args, **kwargs)
        return
    out = _fn(mx.nd, case["op"])(*args, **kwargs)
    outs = list(out) if isinstance(out, (list, tuple)) else [out]
    assert len(outs) == case["outputs"]
    for i, o in enumerate(outs):
        want = data[f"{name}/out{i}"]
        assert o.dtype == want.dtype, f"{name} output {i} dtype"
        np.testing.assert_allclose(o.asnumpy(), want, **TOL, err_msg=f"{name} output {i}")
    for k, a in zip(case["args"], args):
        np.testing.assert_allclose(a.asnumpy(), data[f"{name}/arg_after/{k}"], **TOL,
                                   err_msg=f"{name} input {k} after the call")


@pytest.mark.parametrize("case", META, ids=[c["name"] for c in META])
def test_json_matches_mxnet(case):
    """The op's graph JSON (nodes, attributes, row pointers) equals MXNet's, and MXNet's JSON loads back."""
    variables = [mx.sym.var(k) for k in case["args"]]
    sym = _fn(mx.sym, case["op"])(*variables, name="op", **{k: mx.sym.var(k) for k in case["aux"]},
                                  **_attrs(case))
    graph = json.loads(sym.tojson())
    for key in ("nodes", "arg_nodes", "node_row_ptr", "heads"):
        assert graph[key] == case["json"][key], key
    loaded = mx.sym.load_json(json.dumps(case["json"]))
    assert loaded.list_arguments() == case["args"] and loaded.list_auxiliary_states() == case["aux"]
    assert loaded.list_outputs() == case["output_names"]
