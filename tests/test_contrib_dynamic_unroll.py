"""gluon.contrib.rnn.dynamic_unroll gives what the cell's own unroll gives (outputs and final states), with and
without valid_length, in both layouts, imperative and hybridized -- MXNet's definition of it."""
import numpy as np
import pytest

import ssdkit as mx
from ssdkit.gluon import rnn
from ssdkit.gluon.contrib.rnn import dynamic_unroll, rnn_cell


class _Unrolled(mx.gluon.HybridBlock):
    def __init__(self, cell, layout, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.cell = cell
        self.layout = layout

    def hybrid_forward(self, F, inputs, states, valid_length):
        return dynamic_unroll(self.cell, inputs, states, valid_length=valid_length, layout=self.layout)


@pytest.mark.parametrize("layout", ["TNC", "NTC"])
@pytest.mark.parametrize("make,num_states", [(rnn.RNNCell, 1), (rnn.LSTMCell, 2), (rnn.GRUCell, 1)])
@pytest.mark.parametrize("hybridize", [False, True])
def test_dynamic_unroll_equals_static_unroll(layout, make, num_states, hybridize):
    rng = np.random.default_rng(0)
    seq, batch = 4, 3
    shape = (seq, batch, 5) if layout == "TNC" else (batch, seq, 5)
    x = mx.nd.array(rng.standard_normal(shape))
    states = [mx.nd.array(rng.standard_normal((batch, 6))) for _ in range(num_states)]
    valid = mx.nd.array([1, 4, 2])
    net = _Unrolled(make(6, prefix="c_"), layout)
    net.initialize()
    if hybridize:
        net.hybridize()
    out, got_states = net(x, states, valid)
    want, want_states = net.cell.unroll(seq, x, states, layout=layout, merge_outputs=True, valid_length=valid)
    np.testing.assert_allclose(out.asnumpy(), want.asnumpy(), rtol=1e-5, atol=1e-6)
    for g, w in zip(got_states, want_states):
        np.testing.assert_allclose(g.asnumpy(), w.asnumpy(), rtol=1e-5, atol=1e-6)


def test_rnn_cell_module_path_is_mxnets():
    assert rnn_cell.dynamic_unroll is dynamic_unroll and rnn_cell.LSTMPCell is mx.gluon.contrib.rnn.LSTMPCell
