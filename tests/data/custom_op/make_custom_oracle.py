"""Oracle for ssdkit's Custom op: a two-input, two-output Python custom operator with a string parameter,
run by MXNet 1.9.1 imperatively (autograd), as a symbol (names, JSON attributes, shapes) and hybridized.

Run with MXNet's python: /work/mxvenv/bin/python tests/data/custom_op/make_custom_oracle.py
"""
import json
import os

import mxnet as mx
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


class ScaledMix(mx.operator.CustomOp):
    def __init__(self, scale):
        super().__init__()
        self.scale = scale

    def forward(self, is_train, req, in_data, out_data, aux):
        a, b = in_data
        self.assign(out_data[0], req[0], self.scale * a * b)
        self.assign(out_data[1], req[1], mx.nd.sum(a, axis=1))

    def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
        a, b = in_data
        g0, g1 = out_grad
        self.assign(in_grad[0], req[0], self.scale * g0 * b + g1.reshape((-1, 1)))
        self.assign(in_grad[1], req[1], self.scale * g0 * a)


@mx.operator.register("scaled_mix")
class ScaledMixProp(mx.operator.CustomOpProp):
    def __init__(self, scale="1.0"):
        super().__init__(need_top_grad=True)
        self.scale = float(scale)

    def list_arguments(self):
        return ["lhs", "rhs"]

    def list_outputs(self):
        return ["prod", "rowsum"]

    def infer_shape(self, in_shape):
        return in_shape, [in_shape[0], [in_shape[0][0]]], []

    def create_operator(self, ctx, shapes, dtypes):
        return ScaledMix(self.scale)


def main():
    rng = np.random.RandomState(0)
    a, b = rng.randn(3, 4).astype(np.float32), rng.randn(3, 4).astype(np.float32)
    g0, g1 = rng.randn(3, 4).astype(np.float32), rng.randn(3).astype(np.float32)
    x, y = mx.nd.array(a), mx.nd.array(b)
    x.attach_grad(); y.attach_grad()
    with mx.autograd.record():
        p, r = mx.nd.Custom(x, y, op_type="scaled_mix", scale=2.5)
    mx.autograd.backward([p, r], [mx.nd.array(g0), mx.nd.array(g1)])
    s = mx.sym.Custom(mx.sym.var("a"), mx.sym.var("b"), op_type="scaled_mix", scale=2.5, name="mix")
    _, out_shapes, _ = s.infer_shape(a=(3, 4), b=(3, 4))
    node = json.loads(s.tojson())["nodes"][-1]
    np.savez(os.path.join(HERE, "custom_oracle.npz"), a=a, b=b, g0=g0, g1=g1, prod=p.asnumpy(), rowsum=r.asnumpy(),
             grad_a=x.grad.asnumpy(), grad_b=y.grad.asnumpy())
    with open(os.path.join(HERE, "custom_oracle.json"), "w") as f:
        json.dump({"list_outputs": s.list_outputs(), "list_arguments": s.list_arguments(),
                   "out_shapes": [list(t) for t in out_shapes], "node": node}, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
