"""Common-subexpression elimination on bind and hybridize (ssdkit/symbol/common_expr.py), against what MXNet
1.9.1's executor runs (tests/data/cse_oracle: get_optimized_symbol's outputs and internals, forward values)."""
import importlib.util
import json
import os

import numpy as np
import pytest

import ssdkit as mx
from ssdkit.symbol.common_expr import eliminate_common_expr, optimize_bound_graph
from ssdkit.testing import environment

HERE = os.path.join(os.path.dirname(__file__), "data", "cse_oracle")
_spec = importlib.util.spec_from_file_location("cse_oracle_cases", os.path.join(HERE, "cse_cases.py"))
_cases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_cases)
CASES = _cases.CASES

ORACLE = json.load(open(os.path.join(HERE, "cse_oracle.json")))


def _bind(sym, shapes, flag):
    with environment("MXNET_ELIMINATE_COMMON_EXPR", flag):
        ex = sym.simple_bind(mx.cpu(), grad_req="null", **shapes)
    _cases.fill(ex)
    return ex


def _strip_counters(names):
    """Automatic names carry process-wide counters (_plus3): compare their shape, not the number."""
    import re
    return [re.sub(r"^(_[a-z]+?)\d+", r"\1#", n) for n in names]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("flag", ["0", "1"])
def test_optimized_graph_matches_mxnet(case, flag):
    with mx.name.NameManager():
        sym, shapes = case(mx)
    want = ORACLE[case.__name__]["off" if flag == "0" else "on"]
    ex = _bind(sym, shapes, flag)
    outs = ex.forward(is_train=False)
    optimized = ex.get_optimized_symbol()
    assert _strip_counters(optimized.list_outputs()) == _strip_counters(want["outputs"])
    assert _strip_counters(optimized.get_internals().list_outputs()) == _strip_counters(want["internals"])
    for got, values in zip(outs, want["values"]):
        np.testing.assert_allclose(got.asnumpy().ravel(), values, rtol=1e-6)


def test_gradients_equal_with_and_without_elimination():
    a, b = mx.sym.var("a"), mx.sym.var("b")
    d = a * b + 1
    sym = mx.sym.Group([d * d + b, d * d + b])
    grads = []
    for flag in ("0", "1"):
        with environment("MXNET_ELIMINATE_COMMON_EXPR", flag):
            ex = sym.simple_bind(mx.cpu(), grad_req="add", a=(3,), b=(3,))
        ex.arg_dict["a"][:] = np.array([0.5, 1.0, 2.0])
        ex.arg_dict["b"][:] = np.array([1.5, -1.0, 0.25])
        ex.forward(is_train=True)
        ex.backward([mx.nd.ones((3,)), mx.nd.ones((3,)) * 2])
        grads.append([g.asnumpy() for g in ex.grad_arrays])
    for off, on in zip(*grads):
        np.testing.assert_allclose(off, on, rtol=1e-6)


def test_user_symbol_unchanged_and_env_off():
    a = mx.sym.var("a")
    sym = mx.sym.exp(a) + mx.sym.exp(a)
    before = sym.get_internals().list_outputs()
    assert len(eliminate_common_expr(sym).get_internals()) == 3
    assert sym.get_internals().list_outputs() == before
    with environment("MXNET_ELIMINATE_COMMON_EXPR", "0"):
        assert optimize_bound_graph(sym) is sym


def test_random_ops_never_merge():
    a, b = mx.sym.var("a"), mx.sym.var("b")
    sym = mx.sym.sample_uniform(a, b) - mx.sym.sample_uniform(a, b)
    assert len(eliminate_common_expr(sym).get_internals()) == len(sym.get_internals())


def test_hybridized_block_merges_and_keeps_values():
    class Twice(mx.gluon.HybridBlock):
        def hybrid_forward(self, F, x):
            return F.exp(x) * F.exp(x)

    net = Twice()
    x = mx.nd.array([0.1, 0.2])
    x.attach_grad()
    with mx.autograd.record():
        y0 = net(x)
    y0.backward()
    g0 = x.grad.asnumpy()
    net.hybridize()
    with mx.autograd.record():
        y1 = net(x)
    y1.backward()
    np.testing.assert_allclose(y1.asnumpy(), y0.asnumpy(), rtol=1e-6)
    np.testing.assert_allclose(x.grad.asnumpy(), g0, rtol=1e-6)
    from ssdkit.gluon.cached_op import CachedGraph
    x = mx.sym.var("x")
    steps = CachedGraph(mx.sym.exp(x, name="e") * mx.sym.exp(x, name="f"), ["x"], []).executor.steps
    assert [s.name for s in steps][0] == "e" and len(steps) == 2   # one exp runs, read twice


def test_every_op_drawing_random_numbers_is_marked():
    import inspect
    from ssdkit.ops.registry import _REGISTRY
    def source(op):
        try:
            return inspect.getsource(type(op))
        except (OSError, TypeError):   # classes made by a factory function: their module's source
            return inspect.getsource(inspect.getmodule(type(op)))
    unmarked = [name for name, op in _REGISTRY.items() if "get_rng" in source(op) and not op.random]
    assert unmarked == [], (f"{unmarked} draw random numbers (get_rng) but do not declare `random = True`: "
                            "bind/hybridize would merge two such nodes into one draw")
