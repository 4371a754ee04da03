"""The optimizer update ops against MXNet 1.9.1 (tests/data/optimizer_ops_oracle): returned arrays and every
input after the call (states are updated in place), for in-place (``out=weight``) and fresh outputs."""
import json
from pathlib import Path

import numpy as np
import pytest

import ssdkit as mx
from ssdkit.base import MXNetError, ShapeError

HERE = Path(__file__).parent / "data" / "optimizer_ops_oracle"
CASES = json.loads((HERE / "cases.json").read_text())["cases"]
ORACLE = np.load(HERE / "optimizer_ops_oracle.npz")


def _tolerance(case):
    dtypes = {spec[1] for spec in case["inputs"]}
    return (2e-3, 2e-3) if "float16" in dtypes else (1e-6, 1e-6)


@pytest.mark.parametrize("key", sorted(CASES))
def test_op_matches_mxnet(key):
    case = CASES[key]
    arrays = {spec[0]: mx.nd.array(ORACLE[f"{key}/in/{spec[0]}"], dtype=spec[1]) for spec in case["inputs"]}
    inputs = [arrays[spec[0]] for spec in case["inputs"]]
    fn = getattr(mx.nd, case["op"], None) or getattr(mx.nd._internal, case["op"])
    if case["out"] == "weight":
        result = fn(*inputs, out=inputs[0], **case["params"])
    elif case["out"] == "weights":
        result = fn(*inputs, out=[inputs[i * case["group"]] for i in range(case["count"])], **case["params"])
    else:
        result = fn(*inputs, **case["params"])
    results = result if isinstance(result, list) else [result]
    rtol, atol = _tolerance(case)
    assert len(results) == case["n_out"]
    for i, r in enumerate(results):
        expected = ORACLE[f"{key}/out{i}"]
        assert r.dtype == expected.dtype, (key, i)
        np.testing.assert_allclose(r.asnumpy(), expected, rtol=rtol, atol=atol, err_msg=f"{key} out{i}")
    for name, array in arrays.items():
        np.testing.assert_allclose(array.asnumpy(), ORACLE[f"{key}/after/{name}"], rtol=rtol, atol=atol,
                                   err_msg=f"{key} input {name} after the call")


def test_float32_sgd_is_bit_exact():
    np.testing.assert_array_equal(ORACLE["sgd_float32/after/weight"], _run_sgd())


def _run_sgd():
    w = mx.nd.array(ORACLE["sgd_float32/in/weight"]); g = mx.nd.array(ORACLE["sgd_float32/in/grad"])
    mx.nd.sgd_update(w, g, out=w, **CASES["sgd_float32"]["params"])
    return w.asnumpy()


def test_sym_update_op_mutates_its_state_in_an_executor():
    w, g, m = mx.sym.var("w"), mx.sym.var("g"), mx.sym.var("m")
    out = mx.sym.sgd_mom_update(w, g, m, lr=0.5, momentum=0.5)
    assert out.list_arguments() == ["w", "g", "m"]
    args = {"w": mx.nd.ones((2,)), "g": mx.nd.ones((2,)), "m": mx.nd.ones((2,))}
    ex = out.bind(mx.cpu(), args)
    y = ex.forward()[0]
    np.testing.assert_allclose(y.asnumpy(), [1.0, 1.0])          # mom = 0.5 * 1 - 0.5 * 1 = 0; w + mom
    np.testing.assert_allclose(ex.arg_dict["m"].asnumpy(), [0.0, 0.0])


def test_shape_mismatch_names_the_input():
    with pytest.raises(ShapeError, match="input mom has shape"):
        mx.nd.sgd_mom_update(mx.nd.ones((2,)), mx.nd.ones((2,)), mx.nd.ones((3,)), lr=0.1)


def test_multi_op_counts_inputs():
    with pytest.raises(MXNetError, match=r"missing input array\(s\) \['grad_1'\]"):
        mx.nd.multi_sgd_update(mx.nd.ones((2,)), mx.nd.ones((2,)), mx.nd.ones((2,)), lrs=(0.1, 0.1),
                               wds=(0.0, 0.0), num_weights=2)
    with pytest.raises(MXNetError, match="lrs has 1 values for 2 weights"):
        mx.nd.multi_sgd_update(*[mx.nd.ones((2,))] * 4, lrs=(0.1,), wds=(0.0, 0.0), num_weights=2)


def test_amp_type_rules_and_gradient():
    h, f, d = mx.nd.ones((2,), dtype="float16"), mx.nd.ones((2,)), mx.nd.ones((2,), dtype="float64")
    assert mx.nd.amp_cast(d, dtype="float16").dtype == np.float64        # only float16/32 are cast
    assert [o.dtype for o in mx.nd.amp_multicast(h, f, num_outputs=2)] == [np.float32, np.float32]
    assert [o.dtype for o in mx.nd.amp_multicast(h, f, num_outputs=2, cast_narrow=True)] == [np.float16] * 2
    f.attach_grad()
    with mx.autograd.record():
        y = mx.nd.amp_cast(f, dtype="float16")
    y.backward()
    assert f.grad.dtype == np.float32 and f.grad.asnumpy().tolist() == [1.0, 1.0]


def test_adamw_skips_on_a_non_finite_scale():
    w = mx.nd.ones((2,)); mean, var = mx.nd.zeros((2,)), mx.nd.zeros((2,))
    mx.nd._internal._adamw_update(w, mx.nd.ones((2,)), mean, var, mx.nd.array([np.inf]), lr=0.1, eta=1.0, out=w)
    assert w.asnumpy().tolist() == [1.0, 1.0] and mean.asnumpy().tolist() == [0.0, 0.0]


def test_reset_arrays_zeroes_in_place():
    a, b = mx.nd.ones((2,)), mx.nd.ones((3,))
    mx.nd.reset_arrays(a, b, num_arrays=2)
    assert a.asnumpy().sum() == 0 and b.asnumpy().sum() == 0
