"""Oracle for control flow from MXNet 1.9.1: symbolic foreach / while_loop / cond graphs (their MXNet JSON,
outputs and input gradients) and a hybridized Gluon block running an RNN-style foreach. Run with MXNet's python:

    /work/mxvenv/bin/python tests/data/opsmath_oracle/make_control_flow_oracle.py

Writes control_flow_oracle.json (graphs as MXNet writes them, inputs, outputs, gradients as lists).
"""
import json
import os

import mxnet as mx
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
RNG = np.random.RandomState(3)


def graphs():
    d, s, w = mx.sym.var("d"), mx.sym.var("s"), mx.sym.var("w")
    outs, states = mx.sym.contrib.foreach(lambda x, st: (mx.sym.tanh(x * w + st[0]), [st[0] * 0.5 + x]), d, [s])
    foreach = mx.sym.Group([outs] + states)
    i, v = mx.sym.var("i"), mx.sym.var("v")
    o, final = mx.sym.contrib.while_loop(lambda i, v: i < 3, lambda i, v: (mx.sym.sin(v * w), [i + 1, v * w + 1]),
                                         [i, v], max_iterations=5)
    while_loop = mx.sym.Group([o] + final)
    a, b = mx.sym.var("a"), mx.sym.var("b")
    cond = mx.sym.contrib.cond(a.sum() > 0, lambda: a * b, lambda: mx.sym.exp(a) - b)
    return {
        "foreach": (foreach, {"d": RNG.randn(4, 3), "s": RNG.randn(3), "w": RNG.randn(3)}),
        "while_loop": (while_loop, {"i": np.zeros(1), "v": RNG.randn(2), "w": RNG.randn(2)}),
        "cond_then": (cond, {"a": np.abs(RNG.randn(2)), "b": RNG.randn(2)}),
        "cond_else": (cond, {"a": -np.abs(RNG.randn(2)), "b": RNG.randn(2)}),
    }


def run_graph(sym, inputs):
    args = {k: mx.nd.array(v) for k, v in inputs.items()}
    grads = {k: mx.nd.zeros(v.shape) for k, v in inputs.items()}
    ex = sym.bind(mx.cpu(), args, args_grad=grads)
    outs = ex.forward(is_train=True)
    heads = [RNG.randn(*o.shape) for o in outs]
    ex.backward([mx.nd.array(h) for h in heads])
    return {"inputs": {k: v.tolist() for k, v in inputs.items()}, "heads": [h.tolist() for h in heads],
            "outputs": [o.asnumpy().tolist() for o in outs],
            "grads": {k: g.asnumpy().tolist() for k, g in grads.items()}}


class Step(mx.gluon.HybridBlock):
    """An Elman step over a sequence with F.contrib.foreach; weights are Dense layers."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.i2h = mx.gluon.nn.Dense(4, flatten=False, in_units=3)
            self.h2h = mx.gluon.nn.Dense(4, flatten=False, use_bias=False, in_units=4)

    def hybrid_forward(self, F, x, h0):
        def step(xt, states):
            h = F.tanh(self.i2h(xt) + self.h2h(states[0]))
            return h, [h]
        outs, states = F.contrib.foreach(step, x, [h0])
        return outs, states[0]


def gluon_case():
    mx.random.seed(0)
    net = Step(prefix="step_")
    net.initialize(mx.init.Xavier())
    x, h0 = RNG.randn(5, 2, 3), RNG.randn(2, 4)
    params = {k: v.data().asnumpy().tolist() for k, v in net.collect_params().items()}
    net.hybridize()
    xs, hs = mx.nd.array(x), mx.nd.array(h0)
    xs.attach_grad()
    with mx.autograd.record():
        outs, last = net(xs, hs)
        loss = (outs * outs).sum() + last.sum()
    loss.backward()
    return {"x": x.tolist(), "h0": h0.tolist(), "params": params, "outs": outs.asnumpy().tolist(),
            "last": last.asnumpy().tolist(), "dx": xs.grad.asnumpy().tolist(),
            "param_grads": {k: v.grad().asnumpy().tolist() for k, v in net.collect_params().items()}}


def main():
    out = {"mxnet": mx.__version__, "graphs": {}}
    for name, (sym, inputs) in graphs().items():
        case = run_graph(sym, inputs)
        case["json"] = sym.tojson()
        out["graphs"][name] = case
    out["gluon_foreach"] = gluon_case()
    with open(os.path.join(HERE, "control_flow_oracle.json"), "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
