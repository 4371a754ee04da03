"""Partial shape and dtype inference as MXNet 1.9.1 does it, pinned to tests/data/symbolic_oracle (real MXNet)."""
import importlib.util
import json
import warnings
from pathlib import Path

import numpy as np
import pytest

import ssdkit as mx

HERE = Path(__file__).resolve().parent / "data" / "symbolic_oracle"
ORACLE = json.loads((HERE / "symbolic_oracle.json").read_text())
_spec = importlib.util.spec_from_file_location("symbolic_oracle_cases", HERE / "cases.py")
CASES = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(CASES)


def _lists(values):
    return [None if s is None else list(s) for s in values]


@pytest.mark.parametrize("name", sorted(CASES.CASES))
def test_partial_shapes_match_mxnet(name):
    want = ORACLE["shapes"][name]
    with mx.name.NameManager():
        sym, given, np_mode = CASES.CASES[name](mx)
    with mx.np_shape(np_mode), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        arg, out, aux = sym.infer_shape_partial(**given)
        full = sym.infer_shape(**given)
    assert sym.list_arguments() == want["arguments"]
    assert (_lists(arg), _lists(out), _lists(aux)) == (want["args"], want["outs"], want["aux"])
    assert (full[0] is not None) == want["complete"]


@pytest.mark.parametrize("name", sorted(CASES.TYPE_CASES))
def test_partial_types_match_mxnet(name):
    want = ORACLE["types"][name]
    with mx.name.NameManager():
        sym, given = CASES.TYPE_CASES[name](mx)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        arg, out, aux = sym.infer_type_partial(**given)
        full = sym.infer_type(**given)
    name_of = lambda ts: [None if t is None else np.dtype(t).name for t in ts]  # noqa: E731
    assert (name_of(arg), name_of(out), name_of(aux)) == (want["args"], want["outs"], want["aux"])
    assert (full[0] is not None) == want["complete"]


def test_incomplete_inference_warns_and_names_the_arguments():
    net = mx.sym.FullyConnected(mx.sym.var("x"), num_hidden=2, name="fc")
    with pytest.warns(UserWarning, match=r"Cannot decide shape .*\n\tx: \(\)"):
        assert net.infer_shape() == (None, None, None)


def test_given_shapes_override_the_variable_attribute():
    a = mx.sym.var("a", shape=(2, 3))
    c = mx.sym.elemwise_add(a, mx.sym.var("b"))
    assert c.infer_shape() == ([(2, 3), (2, 3)], [(2, 3)], [])
    assert c.infer_shape(a=(5, 6)) == ([(5, 6), (5, 6)], [(5, 6)], [])


def test_clashing_shapes_name_the_node_and_both_shapes():
    a = mx.sym.var("a", shape=(2, 3))
    b = mx.sym.var("b", shape=(4, 3))
    with pytest.raises(mx.base.ShapeError, match=r"operator sum0.*\(2, 3\).*\(4, 3\)|operator sum0.*\(4, 3\).*\(2, 3\)"):
        mx.sym.elemwise_add(a, b, name="sum0").infer_shape()


def test_shape_known_only_backward_reaches_a_weight():
    w = mx.sym.var("weight")
    wt = mx.sym._internal._identity_with_attr_like_rhs(mx.sym.broadcast_add(w, mx.sym.var("s", shape=(1,))), w)
    net = mx.sym.FullyConnected(mx.sym.var("data"), wt, num_hidden=11, no_bias=True)
    args = dict(zip(net.list_arguments(), net.infer_shape(data=(7, 100))[0]))
    assert args["weight"] == (11, 100)


@pytest.mark.parametrize("name", sorted(CASES.ATTR_CASES))
def test_attributes_match_mxnet(name):
    want = ORACLE["attrs"][name]
    with mx.name.NameManager():
        sym = CASES.ATTR_CASES[name](mx)
    assert sym.list_attr() == want["list_attr"]
    assert sym.attr_dict() == want["attr_dict"]
    assert sym.tojson() == want["tojson"]


def test_json_written_under_np_shape_says_so():
    with mx.np_shape(True):
        assert mx.sym.relu(mx.sym.var("x"), name="r").tojson() == ORACLE["np_shape_json"]


def test_attribute_keys_as_mxnet_checks_them():
    with pytest.raises(mx.MXNetError, match="my_lr_mult is deprecated"):
        mx.sym.var("z", attr={"my_lr_mult": "3"})
    with pytest.raises(ValueError, match="Attributes need to be string"):
        mx.AttrScope(a=1)
    with pytest.raises(ValueError, match="Attribute name=foo is not supported"):
        mx.sym.var("z", foo="bar")


def test_symbols_pickle_as_their_json():
    import pickle
    with mx.AttrScope(__group__="4"):
        fc = mx.sym.FullyConnected(mx.sym.var("d"), num_hidden=3, name="fc")
    copy = pickle.loads(pickle.dumps(fc))
    assert copy.tojson() == fc.tojson() and copy.attr("__group__") == "4"
