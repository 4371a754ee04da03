"""Higher-order gradients (autograd.grad(create_graph=True)) and autograd.get_symbol, pinned to
tests/data/symbolic_oracle/autograd_oracle.* (real MXNet 1.9.1)."""
import json
from pathlib import Path

import numpy as np
import pytest

import ssdkit as mx

HERE = Path(__file__).resolve().parent / "data" / "symbolic_oracle"
ARRAYS = np.load(HERE / "autograd_oracle.npz")
META = json.loads((HERE / "autograd_oracle.json").read_text())


@pytest.mark.parametrize("op", META["unary"])
def test_nth_order_unary_gradients_match_mxnet(op):
    orders = sorted(int(k.split("order")[1]) for k in ARRAYS.files if k.startswith(f"{op}/order"))
    x = mx.nd.array(ARRAYS["x"])
    x.attach_grad()
    with mx.autograd.record():
        y = getattr(mx.nd, op)(x)
        for order in orders:
            y = mx.autograd.grad(y, [x], head_grads=mx.nd.array(ARRAYS[f"head{order - 1}"]), create_graph=True,
                                 retain_graph=True)[0]
            np.testing.assert_allclose(y.asnumpy(), ARRAYS[f"{op}/order{order}"], rtol=2e-5, atol=2e-6,
                                       err_msg=f"{op} order {order}")


def test_dense_second_order_matches_mxnet():
    net = mx.gluon.nn.Dense(3, flatten=True)
    net.initialize(mx.init.Constant(0.5))
    x = mx.nd.array(ARRAYS["dense/x"])
    x.attach_grad()
    with mx.autograd.record():
        y = net(x)
        o_y = mx.nd.arange(y.size).reshape(y.shape)
        x_grad = mx.autograd.grad(y, x, head_grads=o_y, create_graph=True, retain_graph=True)[0]
        o_x = mx.nd.arange(x_grad.size).reshape(x_grad.shape)
        w_grad_grad = mx.autograd.grad(x_grad, net.weight.data(), head_grads=o_x)[0]
    np.testing.assert_allclose(x_grad.asnumpy(), ARRAYS["dense/x_grad"], rtol=1e-6)
    np.testing.assert_allclose(w_grad_grad.asnumpy(), ARRAYS["dense/w_grad_grad"], rtol=1e-6)


def test_recorded_gradient_backpropagates_into_grad():
    x = mx.nd.ones((1,))
    x.attach_grad()
    with mx.autograd.record():
        z = mx.nd.elemwise_add(mx.nd.exp(x), x)
    dx, = mx.autograd.grad(z, [x], create_graph=True)
    dx.backward()
    np.testing.assert_allclose(dx.asnumpy(), [np.e + 1], rtol=1e-6)
    np.testing.assert_allclose(x.grad.asnumpy(), [np.e], rtol=1e-6)


def test_untraceable_second_order_says_so():
    x = mx.nd.array([[1.0, 2.0]])
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.softmax(x)
        g = mx.autograd.grad(y, [x], head_grads=mx.nd.array([[1.0, 0.0]]), create_graph=True)[0]
        with pytest.raises(mx.MXNetError, match="higher-order gradient"):
            mx.autograd.grad(g, [x])


def test_get_symbol_is_the_recorded_graph_as_mxnet_writes_it():
    x, z = mx.nd.ones((1,)), mx.nd.ones((1,))
    x.attach_grad()
    z.attach_grad()
    with mx.autograd.record():
        y = x * x + 2 * z - 1
    assert mx.autograd.get_symbol(y).tojson() == META["get_symbol"]
