"""Gluon naming, structure, reprs and warnings against MXNet 1.9.1 (tests/data/mxnet/gluon_naming.json and
tests/data/gluon_oracle/gluon_oracle.json). Each case runs under a fresh NameManager (fresh global counters),
as each oracle case ran in a fresh MXNet process."""
import contextlib
import io
import json
import warnings
from pathlib import Path

import pytest

import ssdkit as mx
from ssdkit import gluon, nd
from ssdkit.gluon import nn
from ssdkit.symbol.naming import NameManager

DATA = Path(__file__).resolve().parent / "data"
NAMING = json.loads((DATA / "mxnet" / "gluon_naming.json").read_text())
TEXTS = json.loads((DATA / "gluon_oracle" / "gluon_oracle.json").read_text())["texts"]


def _names_shapes(block):
    return [[p.name, list(p.shape)] for p in block.collect_params().values()]


def _recorded(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    return [{"category": w.category.__name__, "message": str(w.message)} for w in caught]


def test_naming_edges_small():
    with NameManager():
        blocks = [nn.Dense(2) for _ in range(4)] + [nn.Conv2D(2, 3) for _ in range(4)]
        blocks += [nn.Activation("relu"), nn.Sequential(), nn.HybridSequential()]
    assert [[type(b).__name__, b.prefix] for b in blocks] == NAMING["naming_edges_small"]


def _outside_scope_blocks():
    return [nn.Dense(2), nn.Dense(3), nn.Conv2D(2, 3), nn.Conv2D(2, 3), nn.Conv2D(2, 3), nn.Conv2D(2, 3),
            nn.Activation("relu"), nn.Activation("sigmoid"), nn.BatchNorm(), nn.MaxPool2D(), nn.Flatten(),
            nn.Sequential(), nn.HybridSequential(), nn.Sequential(), nn.Dropout(0.5), nn.Embedding(10, 4),
            nn.LeakyReLU(0.1), nn.GlobalAvgPool2D(), nn.AvgPool2D(), nn.Conv2DTranspose(2, 3), nn.PReLU(),
            nn.ELU(), nn.Lambda("tanh"), nn.Lambda(lambda x: x), nn.HybridLambda("tanh"),
            nn.HybridLambda(lambda F, x: x), nn.Dense(2)]


class MyNet(gluon.Block):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.dense = nn.Dense(2)
            self.scale = self.params.get("scale", shape=(1,))

    def forward(self, x):
        return self.dense(x) * self.scale.data()


class My_Hybrid_Block(gluon.HybridBlock):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.conv = nn.Conv2D(2, 3)

    def hybrid_forward(self, F, x):
        return self.conv(x)


class ListHolder(gluon.Block):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.layers = [nn.Dense(2), nn.Dense(3)]

    def forward(self, x):
        return self.layers[1](self.layers[0](x))


class DictHolder(gluon.Block):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.layers = {"a": nn.Dense(2)}
            self.pair = (nn.Dense(2), nn.Dense(3))


def test_naming_edges_in_process_order():
    edges = NAMING["naming_edges"]
    with NameManager():
        blocks = _outside_scope_blocks()
        got = [[type(b).__name__, b.prefix, b.name, list(b.collect_params().keys())] for b in blocks]
        assert got == edges["outside_scope"]

        d = nn.Dense(2, prefix="")
        assert [d.prefix, d.name, list(d.collect_params().keys())] == edges["prefix_empty_dense"]
        hs = nn.HybridSequential(prefix="")
        with hs.name_scope():
            hs.add(nn.Dense(2), nn.Dense(2))
        assert [hs.prefix, hs.name, list(hs.collect_params().keys())] == edges["prefix_empty_hybridseq"]
        for prefix, key in (("mydense_", "prefix_custom"), ("noUnderscore", "prefix_no_underscore")):
            d = nn.Dense(2, prefix=prefix)
            assert [d.prefix, d.name, list(d.collect_params().keys())] == edges[key]

        outer = nn.Sequential()
        with outer.name_scope():
            inner = nn.Sequential()
            with inner.name_scope():
                inner.add(nn.Dense(2), nn.Dense(2), nn.Activation("relu"))
            outer.add(inner, nn.Dense(3))
            hybrid = nn.HybridSequential()
            late = nn.Dense(4)
            hybrid.add(late)
            outer.add(hybrid)
        prefixes = [outer.prefix, inner.prefix] + [c.prefix for c in inner] + [outer[1].prefix, hybrid.prefix,
                                                                                late.prefix]
        assert {"prefixes": prefixes, "params": list(outer.collect_params().keys())} == edges["nested_sequential"]

        plain = nn.HybridSequential()
        plain.add(nn.Dense(2), nn.Dense(2))
        assert {"prefixes": [plain.prefix] + [c.prefix for c in plain],
                "params": list(plain.collect_params().keys())} == edges["no_name_scope_children"]

        nets = [MyNet(), MyNet(), My_Hybrid_Block()]
        custom = edges["custom_subclass"]
        assert [b.prefix for b in nets] + [nets[0].dense.prefix, nets[2].conv.prefix] == custom["prefixes"]
        assert [list(b.collect_params().keys()) for b in nets] == custom["params"]
        assert list(nets[0].collect_params(".*weight").keys()) == custom["select_weight"]
        assert list(nets[0].collect_params(".*weight|.*scale").keys()) == custom["select_multi"]

        a = nn.Dense(3, in_units=2)
        b = nn.Dense(3, in_units=2, params=a.collect_params())
        shared = edges["shared_params"]
        assert [a.prefix, b.prefix] == shared["prefixes"]
        assert list(b.collect_params().keys()) == shared["params_b"]
        assert (b.weight is a.weight) == shared["same_object"]

        holder = ListHolder()
        expected = edges["list_holder"]
        assert holder.prefix == expected["prefix"]
        assert [layer.prefix for layer in holder.layers] == expected["layer_prefixes"]
        params = {}
        assert _recorded(lambda: params.update(holder.collect_params())) == expected["warn_collect_params"]
        assert list(params) == expected["params"]
        assert _recorded(holder.initialize) == expected["warn_initialize"]
        assert repr(holder) == expected["repr"]

        dict_holder = DictHolder()
        assert dict_holder.prefix == edges["dict_holder"]["prefix"]
        assert _recorded(dict_holder.collect_params) == edges["dict_holder"]["warn_collect_params"]

        twice = nn.Dense(2, in_units=2)
        twice.initialize()
        assert _recorded(twice.initialize) == edges["initialize_twice_warning"]
        assert [nn.Sequential().prefix, nn.HybridSequential().prefix] == edges["seq_vs_hybridseq"]


def test_layer_reprs_prefixes_and_params():
    with NameManager():
        layers = {
            "dense_relu": nn.Dense(5, activation="relu", in_units=3), "dense": nn.Dense(3),
            "dense_nobias": nn.Dense(3, use_bias=False, flatten=False),
            "conv_full": nn.Conv2D(4, 3, strides=2, padding=1, dilation=2, use_bias=False, activation="relu",
                                   in_channels=2),
            "conv_groups": nn.Conv2D(4, (1, 3), groups=2, in_channels=2),
            "convT": nn.Conv2DTranspose(4, 3, strides=2, padding=1, output_padding=1, in_channels=2),
            "maxpool": nn.MaxPool2D(3, 2, 1, ceil_mode=True), "avgpool": nn.AvgPool2D(),
            "avgpool_nopad": nn.AvgPool2D(3, padding=1, count_include_pad=False), "gavg": nn.GlobalAvgPool2D(),
            "gmax": nn.GlobalMaxPool2D(), "dropout": nn.Dropout(0.3), "dropout_axes": nn.Dropout(0.5, axes=(1,)),
            "embedding": nn.Embedding(10, 4), "leaky": nn.LeakyReLU(0.1), "prelu": nn.PReLU(), "elu": nn.ELU(),
            "selu": nn.SELU(), "gelu": nn.GELU(), "swish": nn.Swish(), "lambda_str": nn.Lambda("tanh"),
            "hybridlambda_fn": nn.HybridLambda(lambda F, x: x), "flatten": nn.Flatten(),
            "bn_noscale": nn.BatchNorm(scale=False, in_channels=3, momentum=0.8), "act_tanh": nn.Activation("tanh"),
        }
        assert {k: repr(v) for k, v in layers.items()} == TEXTS["layer_repr"]
        assert {k: v.prefix for k, v in layers.items()} == TEXTS["layer_prefix"]
        got = {k: [[p.name, list(p.shape), p.grad_req] for p in v.collect_params().values()]
               for k, v in layers.items()}
        assert got == TEXTS["layer_params"]
        dense = nn.Dense(3, in_units=2, prefix="d_")
        assert repr(dense.collect_params()) == TEXTS["paramdict_repr"]
        assert repr(gluon.ParameterDict()) == TEXTS["paramdict_repr_noprefix"]
        assert repr(dense.weight) == TEXTS["parameter_repr"]


def test_sequential_slicing_shares_children():
    with NameManager():
        net = nn.HybridSequential()
        with net.name_scope():
            net.add(nn.Dense(2), nn.Dense(3), nn.Dense(4))
        sub = net[1:]
    expected = TEXTS["slice"]
    got = {"prefix": sub.prefix, "len": len(sub), "type": type(sub).__name__, "same_child": sub[0] is net[1],
           "params": list(sub.collect_params().keys())}
    assert got == expected
    assert [b.name for b in net] == ["hybridsequential0_dense0", "hybridsequential0_dense1",
                                     "hybridsequential0_dense2"]


def test_structural_errors_and_warnings_verbatim():
    with NameManager():
        hs = nn.HybridSequential(prefix="hs_")
        with pytest.raises(ValueError) as err:
            hs.add(nn.Lambda("tanh", prefix="lam_"))
        assert str(err.value) == TEXTS["hybrid_child_error"].replace("mxnet.gluon.nn.basic_layers",
                                                                       "ssdkit.gluon.nn.basic_layers")
        holder = gluon.Block(prefix="holder_")
        holder.layer = nn.Dense(2)
        with pytest.raises(TypeError) as err:
            holder.layer = 3
        assert str(err.value) == TEXTS["attr_type_error"].replace("mxnet.", "ssdkit.")
        seq = nn.Sequential(prefix="seq_")
        seq.add(nn.Dense(2), nn.Dense(3))
        assert [w["message"] for w in _recorded(seq.hybridize)] == TEXTS["sequential_hybridize_warning"]


def test_mixed_ndarray_symbol_inputs_rejected():
    class Add(gluon.HybridBlock):
        def hybrid_forward(self, F, a, b):
            return a + b
    with pytest.raises(ValueError, match="mixed NDArrays and Symbols"):
        Add(prefix="add_")(nd.ones((1,)), mx.sym.var("b"))


def _hybrid_seq_net():
    with NameManager():
        net = nn.HybridSequential()
        with net.name_scope():
            net.add(nn.Conv2D(8, 3), nn.BatchNorm(), nn.Activation("relu"), nn.MaxPool2D(), nn.Flatten(),
                    nn.Dense(10))
    return net


def test_hybrid_sequential_symbol_names_match_mxnet():
    oracle = NAMING["hybrid_seq"]
    net = _hybrid_seq_net()
    assert _names_shapes(net) == oracle["params_before_init"]
    sym = net(mx.sym.var("data"))
    assert sym.get_internals().list_outputs() == oracle["internals_list_outputs"]
    for key in ("list_outputs", "list_arguments", "list_auxiliary_states", "list_inputs"):
        assert getattr(sym, key)() == oracle[key]
    assert sym.tojson() == oracle["tojson"]


def test_toyssd_training_loss_reprs():
    oracle = NAMING["toyssd_training_blocks"]
    assert repr(gluon.loss.FocalLoss()) == oracle["focal_repr"]


def test_summary_text_matches_mxnet():
    oracle = NAMING["hybrid_seq"]
    net = _hybrid_seq_net()
    net.initialize()
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        net.summary(nd.zeros((1, 3, 16, 16)))
    assert buf.getvalue() == oracle["summary_text"]
    assert repr(net) == oracle["repr"]
    assert _names_shapes(net) == oracle["params_after_summary"]
