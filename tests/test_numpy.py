"""mx.np / mx.npx against MXNet 1.9.1's (tests/data/numpy_oracle): values, dtypes and shapes of every case,
shapes/dtypes of random draws, gradients through the autograd tape, and the errors MXNet raises."""
import json
import sys
from pathlib import Path

import numpy as onp
import pytest

import ssdkit as mx
from ssdkit import np, npx, autograd

HERE = Path(__file__).resolve().parent / "data" / "numpy_oracle"
sys.path.insert(0, str(HERE))
import cases  # noqa: E402

META = json.loads((HERE / "numpy_oracle.json").read_text())
ARRAYS = onp.load(HERE / "numpy_oracle.npz")
RTOL, ATOL = 1e-5, 1e-6


@pytest.fixture(autouse=True)
def np_mode():
    npx.set_np()
    yield
    npx.reset_np()


def _env():
    env = {"mx": mx, "np": np, "npx": npx, "onp": onp, "autograd": autograd}
    exec(cases.PRELUDE, env)
    return env


def _compare(value, record, key):
    kind = record["kind"]
    if kind == "array":
        assert isinstance(value, np.ndarray), f"{key}: expected an mx.np.ndarray, got {type(value)}"
        assert str(value.dtype) == record["dtype"], f"{key}: dtype {value.dtype}, MXNet {record['dtype']}"
        assert list(value.shape) == record["shape"], f"{key}: shape {value.shape}, MXNet {record['shape']}"
        onp.testing.assert_allclose(value.asnumpy(), ARRAYS[key], rtol=RTOL, atol=ATOL, err_msg=key)
    elif kind in ("list", "tuple"):
        assert type(value).__name__ == kind and len(value) == len(record["items"]), key
        for i, (v, r) in enumerate(zip(value, record["items"])):
            _compare(v, r, f"{key}/{i}")
    elif kind == "numpy":
        assert isinstance(value, onp.ndarray) and str(value.dtype) == record["dtype"], key
        onp.testing.assert_allclose(value, ARRAYS[key], rtol=RTOL, atol=ATOL, err_msg=key)
    else:
        assert type(value).__name__ == record["pytype"], f"{key}: {type(value).__name__} vs {record['pytype']}"
        if isinstance(record["value"], float):
            assert value == pytest.approx(record["value"], rel=RTOL, abs=ATOL), key
        else:
            assert value == record["value"], f"{key}: {value!r} vs MXNet {record['value']!r}"


@pytest.mark.parametrize("name", sorted(cases.VALUES))
def test_value(name):
    _compare(eval(cases.VALUES[name], _env()), META["values"][name], f"v/{name}")


@pytest.mark.parametrize("name", sorted(cases.SHAPES))
def test_random_shape_and_dtype(name):
    with autograd.record():
        value = eval(cases.SHAPES[name], _env())
    record = META["shapes"][name]
    assert (str(value.dtype), list(value.shape)) == (record["dtype"], record["shape"])


@pytest.mark.parametrize("name", sorted(cases.GRADS))
def test_gradient(name):
    expr, _ = cases.GRADS[name]
    record = META["grads"][name]
    env = _env()
    exec(cases.GRAD_PRELUDE, env)
    for n in record["wrt"]:
        env[n].attach_grad()
    with autograd.record():
        out = eval(expr, env)
    out.backward()
    assert (str(out.dtype), list(out.shape)) == (record["dtype"], record["shape"])
    onp.testing.assert_allclose(out.asnumpy(), ARRAYS[f"g/{name}/out"], rtol=RTOL, atol=ATOL)
    for n in record["wrt"]:
        assert isinstance(env[n].grad, np.ndarray)
        onp.testing.assert_allclose(env[n].grad.asnumpy(), ARRAYS[f"g/{name}/{n}"], rtol=1e-4, atol=1e-5,
                                    err_msg=f"{name}: d/d{n}")


@pytest.mark.parametrize("name", sorted(cases.ERRORS))
def test_error(name):
    expected = META["errors"][name]
    assert expected is not None
    allowed = {"MXNetError": mx.MXNetError, "ValueError": ValueError, "TypeError": TypeError,
               "NotImplementedError": NotImplementedError}[expected]
    with pytest.raises(allowed):
        eval(cases.ERRORS[name], _env())


def test_every_case_has_an_oracle_record():
    assert set(cases.VALUES) == set(META["values"]) and set(cases.GRADS) == set(META["grads"])
    assert set(cases.SHAPES) == set(META["shapes"]) and set(cases.ERRORS) == set(META["errors"])
