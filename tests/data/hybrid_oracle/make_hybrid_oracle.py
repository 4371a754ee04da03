"""Oracle for issue 17 (hybridize): op-hook callbacks, SymbolBlock outputs and names inside name_scope.

Run with real MXNet 1.9.1:  /work/mxvenv/bin/python tests/data/hybrid_oracle/make_hybrid_oracle.py
Writes hybrid_oracle.json next to this file (see README.md). ssdkit never imports mxnet.
"""
import json
import os
import tempfile

import numpy as np
import mxnet as mx
from mxnet import autograd, gluon, nd
from mxnet.base import py_str
from mxnet.gluon import nn

HERE = os.path.dirname(os.path.abspath(__file__))


class Ops(gluon.HybridBlock):
    """One block over the F ops SSD-style code uses, to learn MXNet's input/output names per op."""

    def hybrid_forward(self, F, x, y):
        a = F.broadcast_add(x, y)
        b = x + y
        c = a * 2.0
        d = F.concat(b, c, dim=1)
        e = F.transpose(d, axes=(0, 2, 3, 1))
        f = F.flatten(e)
        g = F.reshape(f, shape=(0, -1, 4))
        h = F.softmax(g, axis=-1)
        i = F.slice_axis(h, axis=1, begin=0, end=2)
        j = F.contrib.MultiBoxPrior(x, sizes=[0.5], ratios=[1, 2])
        k = F.relu(i) + F.sigmoid(i) - F.exp(-i)
        m = F.sum(k, axis=1)
        n = F.Dropout(m, p=0.0)
        o = F.LeakyReLU(n, act_type="leaky", slope=0.1)
        p = F.elemwise_mul(o, o)
        q = F.mean(p) + F.max(j)
        return q


class MoreOps(gluon.HybridBlock):
    """Ops whose MXNet monitor names come from their registration (FListInputNames / FListOutputNames)."""

    def hybrid_forward(self, F, x, idx):
        a = F.one_hot(idx, depth=4)
        b = F.repeat(x, repeats=2, axis=1)
        c = F.tile(x, reps=(1, 2))
        d = F.squeeze(F.expand_dims(x, axis=1), axis=1)
        e = F.log_softmax(x, axis=-1) + F.where(x > 0, x, -x)
        f = F.broadcast_add(F.take(x, idx), F.pick(x, idx, axis=1).expand_dims(1))
        g = F.stack(x, x, axis=0)
        h0, h1 = F.split(x, num_outputs=2, axis=1)
        i = F.SwapAxis(g, dim1=0, dim2=1)
        j = F.broadcast_add(F.batch_dot(g, F.swapaxes(g, 1, 2)), F.dot(x, x, transpose_b=True))
        k = F.broadcast_like(F.slice_axis(h0, axis=1, begin=0, end=1), x) + F.slice_like(b, x) + F.slice_like(F.reshape_like(c, b), x)
        m = F.SoftmaxActivation(F.clip(x, -1, 1)) + F.Embedding(idx, F.ones_like(x), input_dim=4, output_dim=4)
        a0 = F.abs(h0)   # one node: MXNet's CachedOp would merge two identical abs nodes
        boxes = F.concat(a0, a0 + 1, dim=1)
        n = F.broadcast_add(F.contrib.box_iou(boxes, boxes), F.contrib.box_nms(F.concat(x, boxes, dim=1).expand_dims(0)).sum())
        o = F.broadcast_maximum(x, F.zeros_like(x)) - F.broadcast_div(x, x + 5) * F.square(x)
        return [a, b, c, d, e, f, g, h1, i, j, k, m, n, o]


def hook_run(block, inputs, monitor_all, train):
    calls = []

    def callback(name, opr_name, arr):
        calls.append([type(name).__name__, py_str(name), py_str(opr_name)])

    block.register_op_hook(callback, monitor_all)
    if train:
        with autograd.record():
            out = block(*inputs)
    else:
        out = block(*inputs)
    return calls, out


def hook_values(block, inputs):
    """name -> sum of the array the callback got (monitor_all=True, predict mode)."""
    values = {}

    def callback(name, opr_name, arr):
        arr = nd.NDArray(mx.base.ctypes.cast(arr, mx.base.NDArrayHandle), writable=False)
        values[py_str(name)] = float(arr.asnumpy().astype(np.float64).sum())

    block.register_op_hook(callback, True)
    block(*inputs)
    return values


def bn_train_values():
    """BatchNorm + Dropout(0.5) under autograd.record(): every reported array (Dropout's mask: its value set)."""
    with mx.name.NameManager():
        net = nn.HybridSequential(prefix="bn_")
        with net.name_scope():
            net.add(nn.BatchNorm(), nn.Dropout(0.5))
    net.initialize()
    net.hybridize()
    x = nd.array(np.random.default_rng(3).standard_normal((4, 3, 5, 5)).astype(np.float32))
    values = {}

    def callback(name, opr_name, arr):
        arr = nd.NDArray(mx.base.ctypes.cast(arr, mx.base.NDArrayHandle), writable=False).asnumpy()
        key = py_str(name)
        values[key] = (sorted(set(np.round(arr.ravel(), 6).tolist())) if key.endswith("_mask")
                       else arr.astype(np.float64).ravel().tolist()[:12])

    net.register_op_hook(callback, False)
    with autograd.record():
        net(x)
    return values


def op_hooks():
    out = {}
    rng = np.random.default_rng(0)
    with mx.name.NameManager():
        seq = nn.HybridSequential(prefix="net_")
        with seq.name_scope():
            seq.add(nn.Conv2D(4, 3, padding=1), nn.BatchNorm(), nn.Activation("relu"), nn.MaxPool2D(),
                    nn.Flatten(), nn.Dense(3), nn.Dropout(0.5))
    seq.initialize(mx.init.Xavier())
    seq.hybridize()
    x = nd.array(rng.standard_normal((2, 3, 8, 8)).astype(np.float32))
    for monitor_all in (False, True):
        for train in (False, True):
            calls, _ = hook_run(seq, [x], monitor_all, train)
            out[f"seq/monitor_all={monitor_all}/train={train}"] = calls
    out["seq/values"] = hook_values(seq, [x])
    out["bn_train/values"] = bn_train_values()
    with mx.name.NameManager():
        ops = Ops(prefix="ops_")
    ops.initialize()
    ops.hybridize()
    x = nd.array(rng.standard_normal((2, 4, 4, 4)).astype(np.float32))
    y = nd.array(rng.standard_normal((2, 4, 4, 4)).astype(np.float32))
    for monitor_all in (False, True):
        calls, _ = hook_run(ops, [x, y], monitor_all, False)
        out[f"ops/monitor_all={monitor_all}"] = calls
    with mx.name.NameManager():
        more = MoreOps(prefix="more_")
    more.initialize()
    more.hybridize()
    x = nd.array(rng.standard_normal((4, 4)).astype(np.float32))
    idx = nd.array([0, 2, 1, 3])
    calls, _ = hook_run(more, [x, idx], True, False)
    out["more/monitor_all=True"] = calls
    # exported, then imported: the hook on a SymbolBlock
    with tempfile.TemporaryDirectory() as tmp:
        seq.export(os.path.join(tmp, "seq"))
        back = gluon.SymbolBlock.imports(os.path.join(tmp, "seq-symbol.json"), ["data"],
                                         os.path.join(tmp, "seq-0000.params"))
        x = nd.array(rng.standard_normal((2, 3, 8, 8)).astype(np.float32))
        calls, _ = hook_run(back, [x], False, False)
        out["imported/monitor_all=False"] = calls
    return out


def symbolblock_in_scope():
    """GluonCV's FeatureExpander pattern: a SymbolBlock over a backbone's internals, built in a name_scope."""

    class Outer(gluon.HybridBlock):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            with self.name_scope():
                backbone = nn.HybridSequential()
                with backbone.name_scope():
                    backbone.add(nn.Conv2D(4, 3, padding=1), nn.BatchNorm(), nn.Activation("relu"))
                data = mx.sym.var("data")
                internals = backbone(data).get_internals()
                feat = internals[backbone.prefix + "relu0_fwd_output"]
                extra = mx.sym.Convolution(feat, num_filter=2, kernel=(3, 3), pad=(1, 1), name="extra_conv")
                extra = mx.sym.BatchNorm(extra, name="extra_bn")
                self.features = gluon.SymbolBlock([feat, extra], data, params=backbone.collect_params())
                self.head = nn.Dense(2)

        def hybrid_forward(self, F, x):
            feat, extra = self.features(x)
            return self.head(extra), feat

    with mx.name.NameManager():
        outer = Outer()
        second = gluon.SymbolBlock(mx.sym.var("z") * 2, mx.sym.var("z"))
    outer.initialize()
    x = nd.array(np.random.default_rng(1).standard_normal((2, 3, 6, 6)).astype(np.float32))
    result = {
        "collect_params": list(outer.collect_params().keys()),
        "features_params": list(outer.features.collect_params().keys()),
        "features_name": outer.features.name, "features_prefix": outer.features.prefix,
        "second_name": second.name, "second_prefix": second.prefix,
        "outer_symbol_arguments": outer(mx.sym.var("data"))[0].list_arguments(),
    }
    outer.hybridize()
    result["output_shapes"] = [list(o.shape) for o in outer(x)]
    return result


def multi_output():
    """SymbolBlock.imports of a graph with several heads returns a list of all of them."""
    class Two(gluon.HybridBlock):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            with self.name_scope():
                self.a, self.b = nn.Dense(3), nn.Dense(2)

        def hybrid_forward(self, F, x):
            return self.a(x), [self.b(x), F.relu(x)]

    res = {}
    with mx.name.NameManager():
        net = Two(prefix="two_")
    net.initialize()
    net.hybridize()
    x = nd.ones((2, 5))
    out = net(x)
    res["hybridized_structure"] = [type(out).__name__, type(out[1]).__name__]
    with tempfile.TemporaryDirectory() as tmp:
        net.export(os.path.join(tmp, "two"))
        back = gluon.SymbolBlock.imports(os.path.join(tmp, "two-symbol.json"), ["data"],
                                         os.path.join(tmp, "two-0000.params"))
        got = back(x)
        res["imports_type"] = type(got).__name__
        res["imports_shapes"] = [list(o.shape) for o in got]
        res["imports_outputs"] = back(mx.sym.var("data")).list_outputs() if not isinstance(
            back(mx.sym.var("data")), list) else [s.name for s in back(mx.sym.var("data"))]
    sym = mx.sym.var("data")
    outs = net(sym)
    internals = mx.sym.Group([outs[0], outs[1][0]]).get_internals()
    one = gluon.SymbolBlock([internals["two_dense0_fwd_output"]], sym, params=net.collect_params())
    res["one_in_list_type"] = type(one(x)).__name__
    grouped = gluon.SymbolBlock(mx.sym.Group([internals["two_dense0_fwd_output"],
                                              internals["two_dense1_fwd_output"]]), sym,
                                params=net.collect_params())
    res["group_type"] = type(grouped(x)).__name__
    res["group_len"] = len(grouped(x))
    return res


def main():
    result = {"_mxnet_version": mx.__version__, "op_hooks": op_hooks(),
              "symbolblock_in_scope": symbolblock_in_scope(), "multi_output": multi_output()}
    with open(os.path.join(HERE, "hybrid_oracle.json"), "w") as f:
        json.dump(result, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
