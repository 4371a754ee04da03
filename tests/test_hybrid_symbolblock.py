"""SymbolBlock as MXNet 1.9.1 builds it: every output of a multi-output graph, parameter names inside a
parent's name_scope (GluonCV's FeatureExpander), checked against tests/data/hybrid_oracle (real MXNet)."""
import json
from pathlib import Path

import numpy as np
import pytest

import ssdkit as mx
from ssdkit import nd
from ssdkit.gluon import nn, SymbolBlock

ORACLE = json.loads((Path(__file__).resolve().parent / "data" / "hybrid_oracle" / "hybrid_oracle.json").read_text())


class Outer(mx.gluon.HybridBlock):
    """A SymbolBlock over a backbone's internals plus extra symbols, built inside this block's name_scope."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            backbone = nn.HybridSequential()
            with backbone.name_scope():
                backbone.add(nn.Conv2D(4, 3, padding=1), nn.BatchNorm(), nn.Activation("relu"))
            data = mx.sym.var("data")
            internals = backbone(data).get_internals()
            feat = internals[backbone.prefix + "relu0_fwd_output"]
            extra = mx.sym.Convolution(feat, num_filter=2, kernel=(3, 3), pad=(1, 1), name="extra_conv")
            extra = mx.sym.BatchNorm(extra, name="extra_bn")
            self.features = SymbolBlock([feat, extra], data, params=backbone.collect_params())
            self.head = nn.Dense(2)

    def hybrid_forward(self, F, x):
        feat, extra = self.features(x)
        return self.head(extra), feat


def _outer():
    with mx.name.NameManager():
        outer = Outer()
        second = SymbolBlock(mx.sym.var("z") * 2, mx.sym.var("z"))
    return outer, second


def test_symbolblock_in_a_name_scope_names_parameters_as_mxnet():
    want = ORACLE["symbolblock_in_scope"]
    outer, second = _outer()
    assert list(outer.collect_params().keys()) == want["collect_params"]
    assert list(outer.features.collect_params().keys()) == want["features_params"]
    assert (outer.features.name, outer.features.prefix) == (want["features_name"], want["features_prefix"])
    assert (second.name, second.prefix) == (want["second_name"], want["second_prefix"])
    assert outer(mx.sym.var("data"))[0].list_arguments() == want["outer_symbol_arguments"]


def test_symbolblock_in_a_name_scope_runs_imperative_hybridized_and_trains():
    outer, _ = _outer()
    outer.initialize()
    x = nd.array(np.random.default_rng(1).standard_normal((2, 3, 6, 6)))
    with mx.autograd.train_mode():   # resolve deferred shapes with batch statistics:
        outer(x)                     # as in MXNet, initialize() drew the graph's moving_var from Uniform
    outer.collect_params()["outer0_extra_bn_moving_var"].set_data(nd.ones((2,)))
    eager = [o.asnumpy() for o in outer(x)]
    assert [list(o.shape) for o in eager] == ORACLE["symbolblock_in_scope"]["output_shapes"]
    outer.hybridize()
    for got, want in zip(outer(x), eager):
        np.testing.assert_allclose(got.asnumpy(), want, rtol=1e-5, atol=1e-6)
    with mx.autograd.record():
        head, _ = outer(x)
    head.backward()
    assert np.abs(outer.collect_params()["outer0_extra_conv_weight"].grad().asnumpy()).sum() > 0


def test_symbolblock_returns_every_output_as_mxnet(tmp_path):
    want = ORACLE["multi_output"]

    class Two(mx.gluon.HybridBlock):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            with self.name_scope():
                self.a, self.b = nn.Dense(3), nn.Dense(2)

        def hybrid_forward(self, F, x):
            return self.a(x), [self.b(x), F.relu(x)]

    with mx.name.NameManager():
        net = Two(prefix="two_")
    net.initialize()
    net.hybridize()
    x = nd.ones((2, 5))
    out = net(x)
    assert [type(out).__name__, type(out[1]).__name__] == want["hybridized_structure"]
    net.export(str(tmp_path / "two"))
    back = SymbolBlock.imports(str(tmp_path / "two-symbol.json"), ["data"], str(tmp_path / "two-0000.params"))
    got = back(x)
    assert type(got).__name__ == want["imports_type"]
    assert [list(o.shape) for o in got] == want["imports_shapes"]
    assert [s.name for s in back(mx.sym.var("data"))] == want["imports_outputs"]
    np.testing.assert_allclose(got[1].asnumpy(), out[1][0].asnumpy(), rtol=1e-6)
    sym = mx.sym.var("data")
    outs = net(sym)
    internals = mx.sym.Group([outs[0], outs[1][0]]).get_internals()
    one = SymbolBlock([internals["two_dense0_fwd_output"]], sym, params=net.collect_params())
    assert type(one(x)).__name__ == want["one_in_list_type"]
    grouped = SymbolBlock(mx.sym.Group([internals["two_dense0_fwd_output"], internals["two_dense1_fwd_output"]]),
                          sym, params=net.collect_params())
    assert (type(grouped(x)).__name__, len(grouped(x))) == (want["group_type"], want["group_len"])


def test_symbolblock_save_parameters_keys_strip_the_common_prefix(tmp_path):
    outer, _ = _outer()
    keys = sorted(outer.features._collect_params_with_prefix())
    assert "extra_conv_weight" in keys and "hybridsequential0_conv0_weight" in keys
