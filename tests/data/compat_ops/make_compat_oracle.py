"""Oracle for ops added for MXNet-era code: contrib.bipartite_matching (ties, thresholds, topk, ascending,
batches), contrib.SyncBatchNorm in one process (train/predict forward, backward, moving statistics,
output_mean_var) and NDArray integer-indexing shapes. Run with MXNet 1.9.1's python:

    /work/mxvenv/bin/python tests/data/compat_ops/make_compat_oracle.py
"""
import json
import os

import mxnet as mx
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def bipartite_cases():
    rng = np.random.RandomState(0)
    cases = {"random": (rng.rand(2, 7, 5).astype(np.float32), {"threshold": 0.2}),
             "ties": (np.array([[0.5, 0.5, 0.1], [0.5, 0.5, 0.5], [0.3, 0.5, 0.5]], np.float32), {"threshold": 0.0}),
             "threshold": (rng.rand(6, 4).astype(np.float32), {"threshold": 0.6}),
             "topk": (rng.rand(8, 6).astype(np.float32), {"threshold": 0.0, "topk": 2}),
             "ascend": (rng.rand(3, 5, 4).astype(np.float32), {"threshold": 0.7, "is_ascend": True}),
             "wide": (rng.rand(3, 9).astype(np.float32), {"threshold": 0.1})}
    out = {}
    for name, (data, params) in cases.items():
        rows, cols = mx.nd.contrib.bipartite_matching(mx.nd.array(data), **params)
        out[f"bm_{name}_data"] = data
        out[f"bm_{name}_rows"] = rows.asnumpy()
        out[f"bm_{name}_cols"] = cols.asnumpy()
    return out, {name: params for name, (_, params) in cases.items()}


def syncbn_cases():
    rng = np.random.RandomState(1)
    x = rng.randn(4, 3, 5, 2).astype(np.float32) * 2 + 1
    gamma, beta = rng.rand(3).astype(np.float32) + 0.5, rng.randn(3).astype(np.float32)
    mean0, var0 = rng.randn(3).astype(np.float32), rng.rand(3).astype(np.float32) + 0.5
    dy = rng.randn(*x.shape).astype(np.float32)
    out = {"sbn_x": x, "sbn_gamma": gamma, "sbn_beta": beta, "sbn_mean0": mean0, "sbn_var0": var0, "sbn_dy": dy}
    for train in (True, False):
        tag = "train" if train else "predict"
        xs, g, b = mx.nd.array(x), mx.nd.array(gamma), mx.nd.array(beta)
        mm, mv = mx.nd.array(mean0), mx.nd.array(var0)
        for a in (xs, g, b):
            a.attach_grad()
        with mx.autograd.record(train_mode=train):
            y, m, v = mx.nd.contrib.SyncBatchNorm(xs, g, b, mm, mv, fix_gamma=False, eps=1e-4, momentum=0.8,
                                                  output_mean_var=True, key="sbn0")
        y.backward(mx.nd.array(dy))
        for k, val in {"y": y, "mean": m, "var": v, "dx": xs.grad, "dgamma": g.grad, "dbeta": b.grad,
                       "moving_mean": mm, "moving_var": mv}.items():
            out[f"sbn_{tag}_{k}"] = val.asnumpy()
    return out


def indexing_shapes():
    a1 = mx.nd.arange(5)
    a2 = mx.nd.arange(12).reshape((3, 4))
    a3 = mx.nd.arange(24).reshape((2, 3, 4))
    cases = {"1d[0]": a1[0], "1d[-1]": a1[-1], "1d[1:3]": a1[1:3], "2d[0]": a2[0], "2d[1, 2]": a2[1, 2],
             "2d[:, 1]": a2[:, 1], "2d[1][2]": a2[1][2], "3d[0, 1]": a3[0, 1], "3d[1, 2, 3]": a3[1, 2, 3],
             "3d[:, 0, 1]": a3[:, 0, 1], "2d[-1]": a2[-1]}
    return {k: {"shape": list(v.shape), "value": v.asnumpy().tolist()} for k, v in cases.items()}


def gluon_contrib_cases():
    """PixelShuffle outputs, HybridConcurrent / SyncBatchNorm parameter names and the SyncBatchNorm JSON node."""
    from mxnet.gluon.contrib import nn as cnn
    from mxnet.gluon import nn
    arrays = {"ps1": cnn.PixelShuffle1D(2)(mx.nd.arange(24).reshape((1, 8, 3))).asnumpy(),
              "ps2": cnn.PixelShuffle2D((2, 3))(mx.nd.arange(180).reshape((1, 12, 3, 5))).asnumpy(),
              "ps3": cnn.PixelShuffle3D((2, 1, 2))(mx.nd.arange(96).reshape((1, 8, 2, 3, 2))).asnumpy()}
    net = cnn.HybridConcurrent(axis=1, prefix="cat_")
    with net.name_scope():
        net.add(nn.Dense(3), nn.Dense(2), cnn.Identity())
    net.initialize()
    arrays["concurrent_out"] = net(mx.nd.arange(8).reshape((2, 4))).shape
    sbn = cnn.SyncBatchNorm(in_channels=3, prefix="sbn_")
    sym = sbn(mx.sym.var("data"))
    node = json.loads(sym.tojson())["nodes"][-1]
    meta = {"concurrent_params": sorted(net.collect_params().keys()), "syncbn_params": sorted(sbn.collect_params().keys()),
            "syncbn_node": {"op": node["op"], "name": node["name"], "attrs": node["attrs"]},
            "concurrent_shape": list(arrays.pop("concurrent_out"))}
    return arrays, meta



def broadcast_like_cases():
    """broadcast_like with lhs_axes / rhs_axes (GluonCV's box coders use it)."""
    rng = np.random.RandomState(2)
    lhs, rhs = rng.randn(2, 1, 3).astype(np.float32), rng.randn(4, 5, 6).astype(np.float32)
    out = mx.nd.broadcast_like(mx.nd.array(lhs), mx.nd.array(rhs), lhs_axes=(1,), rhs_axes=(1,))
    out2 = mx.nd.broadcast_like(mx.nd.array(rhs[:1, :1, :3]), mx.nd.array(rhs), lhs_axes=(0, 1), rhs_axes=(2, 0))
    return {"bl_lhs": lhs, "bl_rhs": rhs, "bl_out": out.asnumpy(), "bl_out2": out2.asnumpy()}


def l2_normalization_cases():
    """L2Normalization outputs and input gradients in its three modes."""
    rng = np.random.RandomState(3)
    x, dy = rng.randn(2, 3, 4, 2).astype(np.float32), rng.randn(2, 3, 4, 2).astype(np.float32)
    out = {"l2n_x": x, "l2n_dy": dy}
    for mode in ("instance", "channel", "spatial"):
        data = mx.nd.array(x)
        data.attach_grad()
        with mx.autograd.record():
            y = mx.nd.L2Normalization(data, mode=mode, eps=1e-6)
        y.backward(mx.nd.array(dy))
        out[f"l2n_{mode}_y"], out[f"l2n_{mode}_dx"] = y.asnumpy(), data.grad.asnumpy()
    return out


def main():
    arrays, bm_params = bipartite_cases()
    arrays.update(syncbn_cases())
    arrays.update(broadcast_like_cases())
    arrays.update(l2_normalization_cases())
    extra, gluon_meta = gluon_contrib_cases()
    arrays.update({f"gluon_{k}": v for k, v in extra.items()})
    np.savez(os.path.join(HERE, "compat_ops_oracle.npz"), **arrays)
    with open(os.path.join(HERE, "compat_ops_oracle.json"), "w") as f:
        json.dump({"bipartite_params": bm_params, "indexing": indexing_shapes(), "gluon_contrib": gluon_meta},
                  f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
