"""Write autograd_oracle.npz / autograd_oracle.json: higher-order gradients and get_symbol from MXNet 1.9.1.

Run with the oracle venv: /work/mxvenv/bin/python tests/data/symbolic_oracle/make_autograd_oracle.py
"""
import json
import os

import mxnet as mx
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
UNARY = ["sin", "cos", "tan", "tanh", "sigmoid", "log", "relu", "square", "exp", "sqrt", "reciprocal", "abs",
         "arctan", "log1p", "expm1", "rsqrt", "cbrt", "rcbrt", "sinh", "cosh", "radians"]


def nth_grads(op, x, heads):
    """Gradients of orders 1..len(heads) of op(x), each with its head gradient."""
    x = mx.nd.array(x)
    x.attach_grad()
    out = []
    with mx.autograd.record():
        y = getattr(mx.nd, op)(x)
        for head in heads:
            try:  # MXNet 1.9.1 stops at the order where a _backward_* op has no gradient of its own
                y = mx.autograd.grad(y, [x], head_grads=mx.nd.array(head), create_graph=True, retain_graph=True)[0]
            except mx.MXNetError:
                break
            out.append(y.asnumpy())
    return out


def dense(x, hidden):
    net = mx.gluon.nn.Dense(hidden, flatten=True)
    net.initialize(mx.init.Constant(0.5))
    x = mx.nd.array(x)
    x.attach_grad()
    with mx.autograd.record():
        y = net(x)
        w = net.weight.data()
        o_y = mx.nd.arange(y.size).reshape(y.shape)
        x_grad = mx.autograd.grad(y, x, head_grads=o_y, create_graph=True, retain_graph=True)[0]
        o_x = mx.nd.arange(x_grad.size).reshape(x_grad.shape)
        w_grad_grad = mx.autograd.grad(x_grad, w, head_grads=o_x, create_graph=False)[0]
    return x_grad.asnumpy(), w_grad_grad.asnumpy()


def main():
    # first: MXNet numbers get_symbol's var<i> / node_<i> names per process
    x = mx.nd.ones((1,))
    z = mx.nd.ones((1,))
    x.attach_grad()
    z.attach_grad()
    with mx.autograd.record():
        y = x * x + 2 * z - 1
    with open(os.path.join(HERE, "autograd_oracle.json"), "w") as f:
        json.dump({"unary": UNARY, "get_symbol": mx.autograd.get_symbol(y).tojson()}, f, indent=1)
    rng = np.random.RandomState(0)
    arrays = {"x": rng.uniform(0.2, 1.2, size=(2, 3)).astype(np.float32)}
    heads = [rng.normal(size=(2, 3)).astype(np.float32) for _ in range(3)]
    for i, h in enumerate(heads):
        arrays[f"head{i}"] = h
    for op in UNARY:
        for order, g in enumerate(nth_grads(op, arrays["x"], heads), 1):
            arrays[f"{op}/order{order}"] = g
    arrays["dense/x"] = rng.normal(size=(2, 3, 2)).astype(np.float32)
    arrays["dense/x_grad"], arrays["dense/w_grad_grad"] = dense(arrays["dense/x"], 3)
    np.savez(os.path.join(HERE, "autograd_oracle.npz"), **arrays)



if __name__ == "__main__":
    main()
