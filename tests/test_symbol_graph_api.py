"""Smaller pieces of MXNet 1.9.1's symbol API: atomic symbols, batch_take, debug_str's memory line, binding
through an op without a gradient."""
import numpy as np
import pytest

import ssdkit as mx


def test_atomic_symbol_is_the_head_op_without_inputs_or_name():
    s = mx.sym.RNN(mx.sym.var("data"), mx.sym.var("param"), mx.sym.var("h0"), mx.sym.var("h1"), state_size=10,
                   num_layers=2, bidirectional=True, state_outputs=True, mode="lstm", name="rnn")
    atom = s._gen_atomic_symbol()
    # MXNet 1.9.1: [] ['output', 'state_output', 'statecell_output'] and the given parameters
    assert atom.list_arguments() == []
    assert atom.list_outputs() == ["output", "state_output", "statecell_output"]
    assert atom.list_attr() == {"state_outputs": "True", "mode": "lstm", "bidirectional": "True",
                                "num_layers": "2", "state_size": "10"}


def test_batch_take_picks_one_clipped_index_per_row():
    a = mx.nd.array([[1, 2], [3, 4], [5, 6]])
    out = mx.nd.batch_take(a, mx.nd.array([1, 0, 5], dtype="int32"))
    np.testing.assert_array_equal(out.asnumpy(), [2, 3, 6])


def test_binding_a_backward_through_an_op_without_gradient_fails():
    y = mx.sym.batch_take(mx.sym.var("x"), mx.sym.var("idx"))
    types = {"x": np.float32, "idx": np.int32}
    with pytest.raises(mx.MXNetError, match="batch_take is non-differentiable"):
        y.simple_bind(mx.cpu(), x=(4, 3), idx=(4,), type_dict=types)
    ex = mx.sym.stop_gradient(y).simple_bind(mx.cpu(), x=(4, 3), idx=(4,), type_dict=types)
    ex.forward()
    ex.backward()
    assert y.simple_bind(mx.cpu(), x=(4, 3), idx=(4,), type_dict=types, grad_req="null").forward()[0].shape == (4,)


def test_debug_str_counts_gradient_buffers_only_when_backward_needs_them():
    data = mx.sym.var("data")
    for _ in range(4):
        data = data * data

    def total(sym, **kwargs):
        text = sym.simple_bind(mx.cpu(), data=(8, 256, 256), **kwargs).debug_str()
        return int(text.rsplit("Total ", 1)[1].split(" MB")[0])
    assert total(data) == 16 and total(data, grad_req="null") == 8 == total(mx.sym.stop_gradient(data))
