"""The densities random_pdf_* (outputs and gradients) and the symbolic samplers mx.sym.random.* equal MXNet 1.9.1
(tests/data/random_oracle, made by real MXNet); symbolic draws repeat under mx.random.seed like nd draws."""
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

import ssdkit as mx
from ssdkit.testing import check_op_gradient

HERE = Path(__file__).resolve().parent / "data" / "random_oracle"
META = json.loads((HERE / "random_oracle.json").read_text())
DATA = np.load(HERE / "random_oracle.npz")
PDF_KEYS = [f"{dist}/{dtype}/{log}" for dist in sorted(META["pdf"]) for dtype in ("float32", "float64")
            for log in (0, 1)]
# float64: MXNet's normal density uses pi rounded to float32 (1e-8 relative) and its digamma takes a float32 logf
# (~1e-7 absolute); ssdkit keeps double precision throughout
_spec = importlib.util.spec_from_file_location("make_random_oracle", HERE / "make_random_oracle.py")
_GENERATOR = importlib.util.module_from_spec(_spec)   # the oracle's own sampler calls, made here with ssdkit
_spec.loader.exec_module(_GENERATOR)
TOL = {"float32": dict(rtol=1e-4, atol=1e-6), "float64": dict(rtol=1e-6, atol=1e-6)}


@pytest.mark.parametrize("key", PDF_KEYS)
def test_pdf_matches_mxnet(key):
    dist, dtype, is_log = key.split("/")
    count = META["pdf"][dist]["inputs"]
    arrays = [mx.nd.array(DATA[f"{key}/in{i}"], dtype=dtype) for i in range(count)]
    for a in arrays:
        a.attach_grad()
    with mx.autograd.record():
        out = getattr(mx.nd, f"random_pdf_{dist}")(*arrays, is_log=bool(int(is_log)))
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_allclose(out.asnumpy(), DATA[f"{key}/out"], **TOL[dtype])
    out.backward(mx.nd.array(DATA[f"{key}/head"], dtype=dtype))
    for i, a in enumerate(arrays):
        np.testing.assert_allclose(a.grad.asnumpy(), DATA[f"{key}/grad{i}"], **TOL[dtype],
                                   err_msg=f"{key} gradient of input {i}")


def test_pdf_symbols_and_single_dirichlet_vector():
    for dist, arguments in META["pdf_arguments"].items():
        with mx.name.NameManager():
            assert getattr(mx.sym, f"random_pdf_{dist}")(mx.sym.var("x")).list_arguments() == arguments
    single = mx.nd.random_pdf_dirichlet(mx.nd.array([0.2, 0.3, 0.5]), mx.nd.array([1.0, 2.0, 3.0]))
    assert list(single.shape) == META["dirichlet_single"]["shape"]
    np.testing.assert_allclose(single.asnumpy()[0], META["dirichlet_single"]["value"], rtol=1e-6)


R = np.random.default_rng(4)


@pytest.mark.parametrize("dist, inputs, wrt", [
    ("normal", [R.normal(size=(2, 3, 4)), R.uniform(-1, 1, (2, 3)), R.uniform(0.5, 2, (2, 3))], None),
    ("gamma", [R.uniform(0.2, 3, (3, 5)), R.uniform(0.5, 3, (3,)), R.uniform(0.5, 2, (3,))], None),
    ("exponential", [R.uniform(0.1, 2, (4, 2)), R.uniform(0.5, 2, (4, 2))], None),
    ("uniform", [R.uniform(-0.5, 0.5, (2, 6)), R.uniform(-2, -1, (2,)), R.uniform(1, 2, (2,))], [1, 2]),
    ("poisson", [np.floor(R.uniform(0, 6, (2, 3))), R.uniform(0.5, 4, (2,))], [1]),
    ("negative_binomial", [np.floor(R.uniform(0, 6, (3, 2))), R.uniform(1, 4, (3,)), R.uniform(0.2, 0.8, (3,))],
     [1, 2]),
    ("generalized_negative_binomial", [np.floor(R.uniform(0, 6, (3, 2))), R.uniform(0.5, 3, (3,)),
                                       R.uniform(0.1, 1, (3,))], [1, 2]),
    ("dirichlet", [R.dirichlet([1.0, 2.0, 3.0], (2, 5)), R.uniform(0.5, 2.5, (2, 3))], None),
])
@pytest.mark.parametrize("is_log", [False, True])
def test_pdf_gradients_match_central_differences(dist, inputs, wrt, is_log):
    check_op_gradient(f"_random_pdf_{dist}", inputs, {"is_log": is_log}, wrt=wrt, eps=1e-6, rtol=1e-5)


def test_pdf_shape_errors_name_the_operands():
    with pytest.raises(mx.base.ShapeError, match="sigma must have the shape of mu"):
        mx.nd.random_pdf_normal(mx.nd.zeros((2, 3)), mx.nd.zeros((2,)), mx.nd.ones((3,)))
    with pytest.raises(mx.base.ShapeError, match=r"leading part of the sample shape \(2, 3\)"):
        mx.nd.random_pdf_normal(mx.nd.zeros((2, 3)), mx.nd.zeros((3,)), mx.nd.ones((3,)))


@pytest.mark.parametrize("key", sorted(META["symbols"]))
def test_symbolic_samplers_match_mxnet(key):
    case = META["symbols"][key]
    calls, shapes = _GENERATOR.symbol_calls(mx)
    with mx.name.NameManager():
        s = calls[key]()
    inputs = shapes.get(key, {})
    assert s.list_arguments() == case["arguments"]
    if case["name"] is not None:
        assert s.name == case["name"]
        assert s.list_outputs() == case["outputs"]
    assert [list(o) for o in s.infer_shape(**inputs)[1]] == case["out_shapes"]
    assert [np.dtype(t).name for t in s.infer_type(**{k: np.float32 for k in inputs})[1]] == case["out_types"]


def test_mixed_parameters_are_refused_as_mxnet():
    with pytest.raises(AssertionError) as err:
        mx.sym.random.normal(mx.sym.var("a"), 1.0)
    want = META["errors"]["mixed"]
    assert str(err.value).replace("ssdkit.symbol.symbol.Symbol", "<Symbol>") == want[1]
    with pytest.raises(ValueError, match=r"either Symbol or numbers, but got <class 'str'>"):
        mx.sym.random.normal("x", 1.0)


def test_symbolic_draws_repeat_under_the_seed_and_pass_gradients_through():
    x = mx.sym.var("X")
    y = mx.sym.random.uniform(-1.5, 3.0, shape=(50, 40)) + x
    zeros, grad = mx.nd.zeros((50, 40)), mx.nd.zeros((50, 40))
    exe = y.bind(mx.cpu(), {"X": zeros}, {"X": grad})
    mx.random.seed(128)
    exe.forward(is_train=True)
    exe.backward(exe.outputs[0])
    first = exe.outputs[0].asnumpy()
    np.testing.assert_array_equal(grad.asnumpy(), first)
    mx.random.seed(128)
    exe.forward()
    np.testing.assert_array_equal(exe.outputs[0].asnumpy(), first)
    assert first.min() >= -1.5 and first.max() < 3.0 and abs(first.mean() - 0.75) < 0.1


def test_symbolic_sampler_with_symbol_parameters_draws_per_element():
    mu, sigma = mx.sym.var("mu"), mx.sym.var("sigma")
    exe = mx.sym.random.normal(mu, sigma, shape=(4000,)).bind(
        mx.cpu(), {"mu": mx.nd.array([0.0, 10.0]), "sigma": mx.nd.array([1.0, 0.5])})
    out = exe.forward()[0].asnumpy()
    assert out.shape == (2, 4000)
    np.testing.assert_allclose(out.mean(axis=1), [0.0, 10.0], atol=0.1)
    np.testing.assert_allclose(out.std(axis=1), [1.0, 0.5], atol=0.1)


def test_symbolic_zipfian_matches_the_ndarray_formula():
    exe = mx.sym.Group(list(mx.sym.contrib.rand_zipfian(mx.sym.var("true"), 50, 20))).bind(
        mx.cpu(), {"true": mx.nd.array([0, 3, 19])})
    sampled, count_true, count_sampled = (o.asnumpy() for o in exe.forward())
    assert sampled.dtype == np.int64 and sampled.min() >= 0 and sampled.max() < 20
    expected = lambda c: np.log((c + 2.0) / (c + 1.0)) / np.log(21) * 50   # noqa: E731
    np.testing.assert_allclose(count_true, expected(np.array([0, 3, 19.0])))
    np.testing.assert_allclose(count_sampled, expected(sampled.astype(np.float64)))


def test_multinomial_log_probability_gradient_is_one_over_p_of_the_draw():
    """MXNet's backward of ``get_prob``: every draw adds head / p[draw] to its category's gradient."""
    x = mx.nd.array([[0, 1, 2, 3, 4], [4, 3, 2, 1, 0]]) / 10.0
    x.attach_grad()
    with mx.autograd.record():
        draws, log_p = mx.nd.random.multinomial(x, shape=500, get_prob=True, dtype="float32")
        (log_p * 5).backward()
    draws, probs = draws.asnumpy().astype(int), x.asnumpy()
    np.testing.assert_allclose(log_p.asnumpy(), np.log(np.take_along_axis(probs, draws, axis=1)), rtol=1e-6)
    want = np.zeros((2, 5))
    for row in range(2):
        np.add.at(want[row], draws[row], 5.0 / probs[row][draws[row]])
    np.testing.assert_allclose(x.grad.asnumpy(), want, rtol=1e-5)
    assert mx.nd.random.multinomial(mx.nd.array([0.5, 0.5])).shape == (1,)   # one draw of one row, as MXNet
