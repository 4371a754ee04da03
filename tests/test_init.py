"""mx.init: MXNet's dispatch (per-parameter init > explicit init > global default; suffix rules), registry and
``dumps`` strings (tests/data/gluon_oracle), distributions and reproducibility under mx.random.seed."""
import json
from pathlib import Path

import numpy as np
import pytest

import ssdkit as mx
from ssdkit import nd
from ssdkit.base import MXNetError
from ssdkit.initializer import InitDesc

DUMPS = json.loads((Path(__file__).resolve().parent / "data" / "gluon_oracle" /
                    "gluon_oracle.json").read_text())["texts"]["initializer_dumps"]


def test_dumps_match_mxnet():
    inits = {"xavier": mx.init.Xavier(rnd_type="gaussian", factor_type="in", magnitude=2),
             "uniform": mx.init.Uniform(0.1), "normal": mx.init.Normal(), "zero": mx.init.Zero(),
             "constant": mx.init.Constant(0.5), "msra": mx.init.MSRAPrelu()}
    assert {k: v.dumps() for k, v in inits.items()} == DUMPS
    for text in DUMPS.values():
        assert mx.init.create(text).dumps() == text


def test_name_dispatch_and_attrs():
    xavier = mx.init.Xavier()
    arrays = {name: nd.full((2, 3), 7.0) for name in ("fc_weight", "fc_bias", "bn_gamma", "bn_beta",
                                                    "bn_running_mean", "bn_moving_var", "q_min", "q_max")}
    for name, arr in arrays.items():
        xavier(InitDesc(name), arr)
    values = {k: np.unique(v.asnumpy()).tolist() for k, v in arrays.items()}
    assert values["fc_bias"] == [0.0] and values["bn_beta"] == [0.0] and values["bn_gamma"] == [1.0]
    assert values["bn_running_mean"] == [0.0] and values["bn_moving_var"] == [1.0]
    assert values["q_min"] == [0.0] and values["q_max"] == [1.0] and len(values["fc_weight"]) == 6
    with pytest.raises(MXNetError, match="Unknown initialization pattern"):
        xavier(InitDesc("mystery"), nd.zeros((2,)))
    forced = nd.zeros((2,))
    xavier(InitDesc("fc_bias", {"__init__": "ones"}), forced)       # per-parameter init wins over the suffix
    assert forced.asnumpy().tolist() == [1.0, 1.0]
    with pytest.warns(DeprecationWarning):
        legacy = nd.ones((2,))
        mx.init.Uniform()("conv_bias", legacy)
    assert legacy.asnumpy().tolist() == [0.0, 0.0]


@pytest.mark.parametrize("factor_type,rnd_type", [("avg", "uniform"), ("in", "gaussian"), ("out", "uniform")])
def test_xavier_scale(factor_type, rnd_type):
    shape = (64, 32, 3, 3)
    fan_in, fan_out = 32 * 9, 64 * 9
    factor = {"avg": (fan_in + fan_out) / 2, "in": fan_in, "out": fan_out}[factor_type]
    scale = np.sqrt(3.0 / factor)
    w = nd.zeros(shape)
    mx.init.Xavier(rnd_type, factor_type, magnitude=3)(InitDesc("c_weight"), w)
    data = w.asnumpy()
    expected_std = scale / np.sqrt(3) if rnd_type == "uniform" else scale
    assert data.std() == pytest.approx(expected_std, rel=0.05) and data.dtype == np.float32
    if rnd_type == "uniform":
        assert np.abs(data).max() <= scale
    with pytest.raises(MXNetError, match="at least 2D"):
        mx.init.Xavier()(InitDesc("v_weight"), nd.zeros((4,)))


def test_seed_reproducibility_and_other_initializers():
    mx.random.seed(11)
    a = nd.zeros((4, 4)); mx.init.Normal(0.5)(InitDesc("w_weight"), a)
    mx.random.seed(11)
    b = nd.zeros((4, 4)); mx.init.Normal(0.5)(InitDesc("w_weight"), b)
    np.testing.assert_array_equal(a.asnumpy(), b.asnumpy())
    q = nd.zeros((6, 3)); mx.init.Orthogonal(scale=1.0)(InitDesc("q_weight"), q)
    np.testing.assert_allclose(q.asnumpy().T @ q.asnumpy(), np.eye(3), atol=1e-5)
    w = nd.zeros((1, 1, 4, 4)); mx.init.Bilinear()(InitDesc("up_weight"), w)
    np.testing.assert_allclose(w.asnumpy()[0, 0, 0], [0.0625, 0.1875, 0.1875, 0.0625])
    assert mx.init.MSRAPrelu(slope=0).magnitude == 2.0


def test_mixed_and_load(tmp_path):
    mixed = mx.init.Mixed(["bias.*", ".*"], [mx.init.Zero(), mx.init.One()])
    w = nd.zeros((2,)); mixed(InitDesc("bias_weight"), w)
    assert w.asnumpy().tolist() == [0.0, 0.0]
    with pytest.raises(MXNetError, match="did not match any pattern"):
        mx.init.Mixed(["a"], [mx.init.Zero()])(InitDesc("b"), w)
    f = str(tmp_path / "init.params")
    nd.save(f, {"arg:fc_weight": nd.full((2, 2), 4.0)})
    loader = mx.init.Load(f, default_init=mx.init.Zero())
    x = nd.zeros((2, 2)); loader("fc_weight", x)
    assert x.asnumpy().tolist() == [[4, 4], [4, 4]]
    with pytest.raises(MXNetError, match="Shape mismatch"):
        loader("fc_weight", nd.zeros((3,)))


def test_global_init_drives_gluon_parameters_as_mxnet():
    """Gluon passes the global initializer as '__init__', so it fills every parameter without its own init
    (whatever its name); layers give biases and BN statistics their own string initializers."""
    p = mx.gluon.Parameter("custom_bias", shape=(3,))
    p.initialize(default_init=mx.init.One())
    assert p.data().asnumpy().tolist() == [1.0, 1.0, 1.0]
    dense = mx.gluon.nn.Dense(2, in_units=2, prefix="d_")
    dense.initialize(mx.init.One())
    assert dense.bias.data().asnumpy().tolist() == [0.0, 0.0]
    with pytest.raises(MXNetError, match="unknown initializer"):
        mx.init.create("no_such_init")
