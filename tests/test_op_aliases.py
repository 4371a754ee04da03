"""MXNet 1.9.1's op spellings: one table (ssdkit/ops/aliases.py), checked against MXNet's own op list."""
import json
from pathlib import Path

import numpy as np
import pytest

import ssdkit as mx
from ssdkit.ops import get_op, list_ops
from ssdkit.ops.aliases import MXNET_ALIASES, missing_groups, mxnet_name

MXNET_OPS = json.loads((Path(__file__).parent / "data" / "mxnet_ops" / "mxnet_ops.json").read_text())
SKIPPED = ("_np", "_sparse_", "_backward")


def test_table_is_mxnets_own():
    expected = {k: tuple(sorted(a for a in v if not a.startswith(SKIPPED)))
                for k, v in MXNET_OPS.items() if not k.startswith("_backward")}
    expected = {k: v for k, v in expected.items() if v}
    assert MXNET_ALIASES == expected


def _served(name):
    try:
        get_op(name)
        return True
    except mx.MXNetError:
        return False


@pytest.mark.parametrize("canonical", sorted(MXNET_ALIASES))
def test_every_alias_is_the_same_op(canonical):
    names = [n for n in (canonical,) + MXNET_ALIASES[canonical] if _served(n)]
    assert len({id(get_op(n)) for n in names}) <= 1


def test_missing_groups_are_listed_not_faked():
    missing = missing_groups(_served)
    for name in missing:
        assert not any(_served(n) for n in (name,) + MXNET_ALIASES[name])
    assert "_random_uniform" not in missing and "sum" not in missing


@pytest.mark.parametrize("name, canonical", [
    ("random_uniform", "_random_uniform"), ("uniform", "_random_uniform"), ("random_normal", "_random_normal"),
    ("normal", "_random_normal"), ("sum_axis", "sum"), ("broadcast_plus", "broadcast_add"),
    ("broadcast_minus", "broadcast_sub"), ("elemwise_add", "broadcast_add"), ("_plus", "broadcast_add"),
    ("_Plus", "broadcast_add"), ("choose_element_0index", "pick"), ("SliceChannel", "split"),
    ("broadcast_axes", "broadcast_axis"), ("_MulScalar", "_mul_scalar")])
def test_spellings_reach_the_registered_op(name, canonical):
    assert get_op(name) is get_op(canonical)
    assert name in list_ops(include_aliases=True)


def test_nd_and_sym_functions_of_old_spellings():
    x = mx.nd.array([[1, 2, 3], [4, 5, 6]])
    assert mx.nd.sum_axis(x, axis=1).asnumpy().tolist() == [6, 15]
    assert mx.nd.broadcast_plus(x, mx.nd.ones((1, 3))).asnumpy()[0].tolist() == [2, 3, 4]
    assert mx.nd.elemwise_add(x, x).asnumpy()[1].tolist() == [8, 10, 12]
    assert mx.nd.choose_element_0index(x, mx.nd.array([2, 0])).asnumpy().tolist() == [3, 4]
    assert mx.nd._internal._Plus(x, x).shape == (2, 3)
    y = mx.sym.broadcast_plus(mx.sym.var("a"), mx.sym.var("b"), name="p")
    assert json.loads(y.tojson())["nodes"][-1]["op"] == "broadcast_add"
    z = mx.sym.random_uniform(shape=(2, 3), name="r")
    assert json.loads(z.tojson())["nodes"][-1]["op"] == "_random_uniform"
    assert z.infer_shape()[1] == [(2, 3)]


def test_symbol_json_writes_mxnets_name():
    assert mxnet_name("_plus") == "elemwise_add" and mxnet_name("concat") == "Concat"
    node = json.loads(mx.sym.concat(mx.sym.var("a"), mx.sym.var("b"), name="c").tojson())["nodes"][-1]
    assert node["op"] == "Concat"
    assert mx.sym.load_json(mx.sym.sum_axis(mx.sym.var("a"), axis=1).tojson()).infer_shape(a=(2, 3))[1] == [(2,)]


def test_random_ops_seeded_and_shaped():
    mx.random.seed(3)
    a = mx.nd.random_uniform(low=-1, high=1, shape=(200,))
    mx.random.seed(3)
    b = mx.nd.random.uniform(-1, 1, shape=(200,))
    assert (a.asnumpy() == b.asnumpy()).all() and a.dtype == np.float32
    assert -1 <= a.asnumpy().min() and a.asnumpy().max() < 1
    assert mx.nd.random.normal().shape == (1,)                      # MXNet: one sample when no shape
    assert mx.nd.random.randint(0, 4, shape=(3,)).dtype == np.int32
    per_element = mx.nd.random.normal(mx.nd.array([0.0, 100.0]), mx.nd.array([1e-3, 1e-3]), shape=(4,))
    assert per_element.shape == (2, 4) and abs(per_element.asnumpy()[1].mean() - 100) < 0.1
    assert mx.nd.random.gamma(2.0, 3.0, shape=(4000,)).asnumpy().mean() == pytest.approx(6.0, rel=0.1)
    assert mx.nd.random.exponential(2.0, shape=(4000,)).asnumpy().mean() == pytest.approx(2.0, rel=0.1)
    samples, logp = mx.nd.random.multinomial(mx.nd.array([[0.0, 1.0], [1.0, 0.0]]), shape=3, get_prob=True)
    assert samples.asnumpy().tolist() == [[1, 1, 1], [0, 0, 0]] and np.allclose(logp.asnumpy(), 0)
    with mx.autograd.record():
        x = mx.nd.random.uniform(shape=(2,))
    assert x.shape == (2,)
