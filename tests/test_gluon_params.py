"""Parameter / ParameterDict semantics, save_parameters / load_parameters (structural keys, MXNet's files, the
legacy prefixed layout, error texts), Block.summary text and gluon.utils — against MXNet 1.9.1 oracles."""
import contextlib
import io
import json
import warnings
from pathlib import Path

import numpy as np
import pytest

import ssdkit as mx
from ssdkit import autograd, gluon, nd
from ssdkit.base import MXNetError
from ssdkit.gluon import nn
from ssdkit.symbol.naming import NameManager

DATA = Path(__file__).resolve().parent / "data"
NAMING = json.loads((DATA / "mxnet" / "gluon_naming.json").read_text())
ORACLE = json.loads((DATA / "gluon_oracle" / "gluon_oracle.json").read_text())
TEXTS = ORACLE["texts"]
ARR = np.load(DATA / "gluon_oracle" / "gluon_oracle.npz")


# ---------------------------------------------------------------- Parameter
def test_parameter_error_texts_match_mxnet():
    with pytest.raises(RuntimeError) as err:
        gluon.Parameter("lonely", shape=(2, 2)).data()
    assert str(err.value) == TEXTS["param_uninitialized"]
    with pytest.raises(MXNetError) as err:
        gluon.Parameter("noshape", shape=(3, 0)).initialize()
    assert str(err.value) == TEXTS["param_invalid_shape"]
    s = gluon.Parameter("nograd", shape=(2,), grad_req="null")
    s.initialize()
    with pytest.raises(RuntimeError) as err:
        s.grad()
    assert str(err.value) == TEXTS["param_null_grad"]
    t = gluon.Parameter("shape_t", shape=(3, 0))
    with pytest.raises(AssertionError) as err:
        t.shape = (4, 5)
    assert str(err.value) == TEXTS["param_shape_mismatch"]
    t.shape = (3, 7)
    assert t.shape == (3, 7)
    assert repr(gluon.Constant("c", [[1, 2], [3, 4]])) == TEXTS["constant_repr"]


# MXNet 1.9.1's assertion texts (printed by /work/mxvenv's mxnet for these calls)
STORAGE_TEXTS = {
    "stype": "stype for Parameter 'weight' must be one of 'default', 'row_sparse', or 'csr', but got 'invalid'",
    "grad_stype": "grad_stype for Parameter 'weight' must be one of 'default', 'row_sparse', or 'csr', but got "
                  "'invalid'",
    "symbol_block": "SymbolBlock doesn't support Parameter 'w' because its storage type is 'row_sparse'."}


@pytest.mark.parametrize("what", ["stype", "grad_stype"])
def test_unknown_storage_type_is_an_assertion_as_mxnet(what):
    with pytest.raises(AssertionError) as err:
        gluon.Parameter("weight", shape=(10, 10), **{what: "invalid"})
    assert str(err.value) == STORAGE_TEXTS[what]
    with pytest.raises(MXNetError, match="only dense"):   # a known sparse storage is refused, not asserted
        gluon.Parameter("weight", shape=(10, 10), **{what: "row_sparse"})


def test_symbol_block_refuses_a_row_sparse_variable_as_mxnet():
    data, w = mx.sym.var("data"), mx.sym.var("w", stype="row_sparse")
    with pytest.raises(AssertionError) as err:
        gluon.SymbolBlock(mx.sym.dot(data, w), data)
    assert str(err.value) == STORAGE_TEXTS["symbol_block"]
    assert isinstance(gluon.SymbolBlock(mx.sym.dot(data, mx.sym.var("w", stype="default")), data),
                      gluon.SymbolBlock)


def test_grad_req_write_add_null():
    p = gluon.Parameter("w", shape=(2,), grad_req="add")
    p.initialize(mx.init.One())
    for _ in range(2):
        with autograd.record():
            y = (p.data() * 3).sum()
        y.backward()
    assert p.grad().asnumpy().tolist() == [6.0, 6.0]
    p.zero_grad()
    assert p.grad().asnumpy().tolist() == [0.0, 0.0]
    p.grad_req = "null"
    assert p._grad is None
    with autograd.record():
        y = (p.data() * 3).sum()
    with pytest.raises(MXNetError):
        y.backward()
    p.grad_req = "write"
    assert p.grad().shape == (2,)
    frozen = gluon.Parameter("frozen", shape=(1,), differentiable=False)
    assert frozen.grad_req == "null"


def test_parameter_init_precedence_and_contexts():
    own = gluon.Parameter("own_weight", shape=(2,), init=mx.init.Constant(3.0))
    own.initialize(default_init=mx.init.Zero())       # the parameter's own init wins over the global one
    assert own.data().asnumpy().tolist() == [3.0, 3.0]
    explicit = gluon.Parameter("x_weight", shape=(2,), init=mx.init.Constant(3.0))
    explicit.initialize(init=mx.init.One())           # an explicit init argument wins over both
    assert explicit.data().asnumpy().tolist() == [1.0, 1.0]
    multi = gluon.Parameter("m", shape=(2,))
    multi.initialize(mx.init.One(), ctx=[mx.cpu(0), mx.cpu(1)])
    assert len(multi.list_data()) == 2 and multi.list_ctx() == [mx.cpu(0), mx.cpu(1)]
    multi.set_data(nd.array([5, 6]))
    assert [d.asnumpy().tolist() for d in multi.list_data()] == [[5, 6], [5, 6]]
    assert multi.data(mx.cpu(1)) is multi.list_data()[1]
    multi.reset_ctx(mx.cpu(0))
    assert multi.list_ctx() == [mx.cpu(0)] and multi.data().asnumpy().tolist() == [5, 6]
    with pytest.raises(MXNetError, match="cpu"):
        gluon.Parameter("g", shape=(1,)).initialize(ctx=mx.gpu(0))


def test_parameter_dict_get_shares_and_checks():
    pd = gluon.ParameterDict("net_")
    w = pd.get("weight", shape=(3, 0))
    assert pd.get("weight", shape=(3, 4)) is w and w.shape == (3, 4)
    with pytest.raises(MXNetError, match="does not match with stored"):
        pd.get("weight", shape=(5, 4))
    shared = gluon.ParameterDict("net_", shared=pd)
    assert shared.get("weight") is w
    c = pd.get_constant("const", [1.0, 2.0])
    assert c.grad_req == "null" and pd.get_constant("const") is c
    with pytest.raises(KeyError):
        pd.get_constant("missing")
    pd.setattr("lr_mult", 0.1)
    assert w.lr_mult == 0.1 and c.lr_mult == 0.1


def test_parameter_var_carries_attributes():
    p = gluon.Parameter("fc_weight", shape=(3, 4), lr_mult=2.0, wd_mult=0.5)
    v = p.var()
    assert v.name == "fc_weight" and p.var() is v
    attrs = v.list_attr()
    assert attrs["__shape__"] == "(3, 4)" and attrs["__lr_mult__"] == "2.0" and attrs["__wd_mult__"] == "0.5"


# ---------------------------------------------------------------- save / load
def _save_keys_net():
    with NameManager():
        net = nn.HybridSequential()
        with net.name_scope():
            inner = nn.HybridSequential()
            with inner.name_scope():
                inner.add(nn.Dense(4, in_units=3), nn.BatchNorm(in_channels=4), nn.Dense(2, in_units=4))
            net.add(inner)
            net.add(nn.Dense(5, in_units=2))
            inner2 = nn.HybridSequential()
            with inner2.name_scope():
                inner2.add(nn.Conv2D(2, 1, in_channels=1, use_bias=False))
            net.add(inner2)
    return net


def test_save_parameters_keys_and_mxnet_file(tmp_path):
    oracle = NAMING["save_keys"]
    net = _save_keys_net()
    net.initialize(mx.init.Uniform(1.0))
    assert list(net.collect_params().keys()) == oracle["collect_params"]
    assert list(net._collect_params_with_prefix().keys()) == oracle["collect_params_with_prefix"]
    f = str(tmp_path / "net.params")
    net.save_parameters(f)
    saved = nd.load(f)
    assert list(saved.keys()) == oracle["save_parameters_keys"]
    assert {k: list(v.shape) for k, v in saved.items()} == oracle["save_parameters_shapes"]
    net.collect_params().save(f)
    assert list(nd.load(f).keys()) == oracle["paramdict_save_keys"]
    net.collect_params().save(f, strip_prefix=net.prefix)
    assert list(nd.load(f).keys()) == oracle["paramdict_save_strip_prefix_keys"]
    # the file MXNet wrote loads into the same structure
    fresh = _save_keys_net()
    fresh.load_parameters(str(DATA / "mxnet" / "nested_save_parameters.params"))
    expected = np.load(DATA / "mxnet" / "nested_save_parameters.npz")
    for key, param in fresh._collect_params_with_prefix().items():
        np.testing.assert_array_equal(param.data().asnumpy(), expected[key])


def test_save_load_round_trip_gives_identical_outputs(tmp_path):
    net = _save_keys_net()
    net.initialize(mx.init.Xavier())
    x = nd.array(np.random.RandomState(0).uniform(size=(2, 3)))
    with autograd.record():                       # moves the BatchNorm running statistics
        net[0](x)
    expected = net[1](net[0](x)).asnumpy()
    f = str(tmp_path / "rt.params")
    net.save_parameters(f)
    other = _save_keys_net()
    other.load_parameters(f)
    np.testing.assert_array_equal(other[1](other[0](x)).asnumpy(), expected)


def test_batchnorm_predict_mode_uses_running_stats():
    """save_keys oracle: net[1](inner(x)) in predict mode, with MXNet's saved values, equals MXNet's output."""
    oracle = NAMING["save_keys"]
    net = _save_keys_net()
    net.load_parameters(str(DATA / "mxnet" / "nested_save_parameters.params"))
    out = net[1](net[0](nd.array(oracle["inner_forward_input"])))
    np.testing.assert_allclose(out.asnumpy(), np.array(oracle["inner_forward_output"]), rtol=1e-5, atol=1e-6)


def _three_nets():
    def make(units):
        net = nn.HybridSequential()
        with net.name_scope():
            net.add(*[nn.Dense(u, in_units=i) for i, u in units])
        return net
    return make([(2, 3), (3, 4)]), make([(2, 3), (3, 4), (4, 5)]), make([(2, 3)]), make([(2, 3), (5, 4)])


def test_load_parameters_error_texts_match_mxnet(tmp_path):
    texts = ORACLE["load_errors"]
    with NameManager():
        a, b, c, e = _three_nets()
        a.initialize()
        f = str(tmp_path / "a.params")
        a.save_parameters(f)
        with pytest.raises(AssertionError) as err:
            b.load_parameters(f)
        # MXNet's sentence word for word, then (ssdkit) every missing key
        assert str(err.value).replace(f, "<FILE>").startswith(texts["missing"])
        with pytest.raises(ValueError) as err:
            c.load_parameters(f)
        assert str(err.value).replace(f, "<FILE>").startswith(texts["extra"])
        with pytest.raises(AssertionError) as err:
            e.load_parameters(f)
        assert str(err.value).replace(f, "<FILE>").startswith(texts["shape"])  # then the file key
        b.load_parameters(f, allow_missing=True)
        np.testing.assert_array_equal(b[1].weight.data().asnumpy(), a[1].weight.data().asnumpy())
        c.load_parameters(f, ignore_extra=True)
        # MXNet's legacy files hold prefix-stripped names; they load by name
        g = str(tmp_path / "legacy.params")
        a.collect_params().save(g, strip_prefix=a.prefix)
        assert sorted(nd.load(g).keys()) == texts["legacy_keys"]
        twin = _three_nets()[0]
        twin.load_parameters(g)
        np.testing.assert_array_equal(twin[0].weight.data().asnumpy(), a[0].weight.data().asnumpy())
        with pytest.raises(AssertionError) as err:
            c.load_parameters(g)
        assert str(err.value).replace(g, "<FILE>") == texts["legacy_extra"]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            twin.load_params(f)
        assert "load_params is deprecated" in str(caught[0].message)


def test_load_parameters_cast_dtype(tmp_path):
    net = nn.Dense(2, in_units=2, prefix="c_")
    net.initialize()
    net.cast("float64")
    f = str(tmp_path / "d.params")
    net.save_parameters(f)
    other = nn.Dense(2, in_units=2, prefix="c_")
    with pytest.raises(AssertionError, match="dtype incompatible"):
        other.load_parameters(f)
    other.load_parameters(f, cast_dtype=True)
    assert other.weight.data().dtype == np.float32
    np.testing.assert_allclose(other.weight.data().asnumpy(), net.weight.data().asnumpy(), rtol=1e-6)


# ---------------------------------------------------------------- summary and utils
class TwoHeads(gluon.Block):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.body = nn.Sequential()
            with self.body.name_scope():
                self.body.add(nn.Dense(4, in_units=3, activation="relu"), nn.Dense(4, in_units=4))
            self.head_a = nn.Dense(2, in_units=4)
            self.head_b = nn.Dense(2, in_units=4, params=self.head_a.params)
            self.bn = nn.BatchNorm(in_channels=4)

    def forward(self, x):
        h = self.bn(self.body(x))
        return self.head_a(h), [self.head_b(h), h]


def test_summary_with_shared_params_and_nested_outputs():
    with NameManager():
        net = TwoHeads()
    net.initialize()
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        net.summary(nd.ones((2, 3)))
    assert buf.getvalue() == ORACLE["summary_two_heads"]
    assert repr(net) == ORACLE["repr_two_heads"]
    with pytest.warns(UserWarning, match="All children of this Sequential"):
        net.hybridize()   # a plain Block is not hybridized itself; hybrid children are, which summary refuses
    with pytest.raises(MXNetError, match="must not be hybridized"):
        net.summary(nd.ones((2, 3)))


def test_split_and_clip_utilities(tmp_path):
    utils = gluon.utils
    parts = utils.split_data(nd.arange(14).reshape((7, 2)), 3, even_split=False)
    assert [list(p.shape) for p in parts] == ORACLE["split_uneven_shapes"]
    with pytest.raises(ValueError) as err:
        utils.split_data(nd.arange(14).reshape((7, 2)), 3)
    assert str(err.value) == ORACLE["split_error"]
    parts = utils.split_data(nd.arange(12).reshape((2, 6)), 4, batch_axis=1, even_split=False)
    assert [list(p.shape) for p in parts] == ORACLE["split_axis1_shapes"]
    loaded = utils.split_and_load(np.ones((4, 2), np.float32), [mx.cpu(0), mx.cpu(1)])
    assert [p.shape for p in loaded] == [(2, 2), (2, 2)]
    arrays = [nd.array(ARR["clip/in0"]), nd.array(ARR["clip/in1"])]
    norm = utils.clip_global_norm(arrays, 1.0)
    assert float(norm) == pytest.approx(ORACLE["clip_global_norm"], rel=1e-6)
    for i, a in enumerate(arrays):
        np.testing.assert_allclose(a.asnumpy(), ARR[f"clip/out{i}"], rtol=1e-6)
    f = tmp_path / "blob.bin"
    f.write_bytes(b"ssdkit")
    assert utils.check_sha1(str(f), "8a0a48ec4f3e2a8e5e6a52ea7f2a1e2a2b6d1e0c") is False
    import hashlib
    assert utils.check_sha1(str(f), hashlib.sha1(b"ssdkit").hexdigest())
