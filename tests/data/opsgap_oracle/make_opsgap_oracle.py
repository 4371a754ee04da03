"""Regenerate the MXNet 1.9.1 oracle for the operators ssdkit added from MXNet's breadth: softmax_cross_entropy,
the legacy *_v1 ops, IdentityAttachKLSparseReg, the interleaved self/enc-dec attention matmuls, hawkesll,
group_adagrad_update and the quantization ops.

Usage: /work/mxvenv/bin/python tests/data/opsgap_oracle/make_opsgap_oracle.py
Writes opsgap_oracle.json (cases) and opsgap_oracle.npz (arrays) next to this file. MXNet runs with
MXNET_MKLDNN_ENABLED=0, so its CPU operators take their plain (non-MKLDNN) path, the one ssdkit mirrors.
ssdkit and its tests never import mxnet; only this generator does (inside main()).

Each case binds the symbol ``mx.sym.<op>(vars..., **attrs)`` with MXNet's executor: arguments, auxiliary
states, ``grad_req`` per argument, one forward (``is_train``) and, when some argument takes a gradient, one
backward with random head gradients. Stored per case (npz prefix ``<case>/``): ``arg/<name>``,
``aux/<name>`` (before), ``out<i>``, ``head<i>``, ``grad/<name>``, ``arg_after/<name>`` and
``aux_after/<name>`` (after backward: BatchNorm_v1 resets a fixed gamma, aux states move).
"""
import json
import os
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def _rs(group):
    """One random stream per group of cases, so adding a group leaves the others' data unchanged."""
    return np.random.RandomState(sum(ord(c) * (i + 1) for i, c in enumerate(group)) % (2 ** 31))


def cases():
    """(case name, op path under mx.sym, {arg: array}, {aux: array}, attrs, {arg: grad_req}, is_train)."""
    out = []

    def add(name, op, args, attrs=None, grads=None, aux=None, is_train=True):
        grads = {k: "write" for k in args} if grads is None else grads
        out.append((name, op, args, aux or {}, attrs or {}, grads, is_train))

    r = _rs("softmax_cross_entropy")
    f = lambda *s: r.uniform(-2, 2, s).astype(np.float32)  # noqa: E731
    add("sce_basic", "softmax_cross_entropy", {"data": f(4, 5), "label": np.array([0, 4, 2, 2], np.float32)},
        grads={"data": "write", "label": "null"})
    add("sce_wide", "softmax_cross_entropy", {"data": f(3, 7) * 20, "label": np.array([6, 0, 3.7], np.float32)},
        grads={"data": "write", "label": "null"})
    add("sce_doc", "softmax_cross_entropy", {"data": np.array([[1, 2, 3], [11, 7, 5]], np.float32),
                                             "label": np.array([2, 0], np.float32)},
        grads={"data": "write", "label": "null"})

    r = _rs("legacy_v1")
    f = lambda *s: r.uniform(-1, 1, s).astype(np.float32)  # noqa: E731
    add("conv_v1", "Convolution_v1", {"data": f(2, 4, 7, 6), "weight": f(6, 2, 3, 3), "bias": f(6)},
        {"kernel": (3, 3), "num_filter": 6, "num_group": 2, "stride": (2, 1), "pad": (1, 2), "dilate": (1, 2)})
    add("conv_v1_nobias", "Convolution_v1", {"data": f(1, 3, 5, 5), "weight": f(2, 3, 2, 2)},
        {"kernel": (2, 2), "num_filter": 2, "no_bias": True})
    for conv in ("valid", "full"):
        for kind in ("max", "avg", "sum"):
            add(f"pool_v1_{kind}_{conv}", "Pooling_v1", {"data": f(2, 3, 7, 6)},
                {"kernel": (3, 2), "stride": (2, 2), "pad": (1, 1), "pool_type": kind, "pooling_convention": conv})
    add("pool_v1_max_negative_pad", "Pooling_v1", {"data": f(1, 2, 4, 4) - 2.0},
        {"kernel": (2, 2), "stride": (2, 2), "pad": (1, 1)})
    add("pool_v1_max_ties", "Pooling_v1", {"data": np.round(f(1, 2, 5, 5) * 2)},
        {"kernel": (3, 3), "stride": (1, 1), "pad": (1, 1)})
    add("pool_v1_global_avg", "Pooling_v1", {"data": f(2, 3, 4, 5)}, {"kernel": (1, 1), "global_pool": True,
                                                                      "pool_type": "avg"})
    add("pool_v1_default", "Pooling_v1", {"data": f(1, 2, 4, 4)}, {"kernel": (2, 2)})
    bn = lambda c: {"moving_mean": f(c), "moving_var": r.uniform(0.5, 2, c).astype(np.float32)}  # noqa: E731
    add("bn_v1_train", "BatchNorm_v1", {"data": f(4, 3, 2, 3), "gamma": f(3) + 1.5, "beta": f(3)},
        {"fix_gamma": False}, aux=bn(3))
    add("bn_v1_train_fixgamma_meanvar", "BatchNorm_v1", {"data": f(5, 4) * 3, "gamma": f(4) + 1.5, "beta": f(4)},
        {"output_mean_var": True, "momentum": 0.7, "eps": 1e-4}, aux=bn(4))
    add("bn_v1_predict", "BatchNorm_v1", {"data": f(3, 2, 3, 2), "gamma": f(2) + 1.5, "beta": f(2)},
        {"fix_gamma": False, "output_mean_var": True}, aux=bn(2), is_train=False)
    add("bn_v1_global_stats", "BatchNorm_v1", {"data": f(3, 2, 2, 2), "gamma": f(2) + 1.5, "beta": f(2)},
        {"fix_gamma": False, "use_global_stats": True}, aux=bn(2))
    add("kl_sparse_reg", "IdentityAttachKLSparseReg", {"data": r.uniform(0.05, 0.95, (6, 4)).astype(np.float32)},
        {"penalty": 0.01}, aux={"moving_avg": r.uniform(0.2, 0.6, 4).astype(np.float32)})
    add("kl_sparse_reg_defaults", "IdentityAttachKLSparseReg",
        {"data": r.uniform(0.05, 0.95, (3, 5)).astype(np.float32)},
        aux={"moving_avg": r.uniform(0.2, 0.6, 5).astype(np.float32)})
    add("kl_sparse_reg_3d", "IdentityAttachKLSparseReg",
        {"data": r.uniform(0.05, 0.95, (2, 3, 3)).astype(np.float32)},
        {"sparseness_target": 0.3, "momentum": 0.5, "penalty": 0.1},
        aux={"moving_avg": r.uniform(0.2, 0.6, 3).astype(np.float32)})
    return out


def _sym(mx, path):
    fn = mx.sym
    for part in path.split("."):
        fn = getattr(fn, part)
    return fn


def run_case(mx, arrays, meta, case):
    name, op, args, aux, attrs, grads, is_train = case
    variables = [mx.sym.var(k, dtype=v.dtype.name) for k, v in args.items()]
    aux_vars = {k: mx.sym.var(k, dtype=v.dtype.name) for k, v in aux.items()}   # legacy ops: by name only
    sym = _sym(mx, op)(*variables, name="op", **aux_vars, **attrs)
    assert sym.list_arguments() == list(args), (name, sym.list_arguments(), list(args))
    assert sym.list_auxiliary_states() == list(aux), (name, sym.list_auxiliary_states(), list(aux))
    nd_args = {k: mx.nd.array(v, dtype=v.dtype) for k, v in args.items()}
    nd_aux = {k: mx.nd.array(v, dtype=v.dtype) for k, v in aux.items()}
    nd_grads = {k: mx.nd.zeros(v.shape, dtype=v.dtype) for k, v in args.items()}
    exe = sym.bind(mx.cpu(), nd_args, args_grad=nd_grads, grad_req=grads, aux_states=nd_aux)
    outs = [o.asnumpy() for o in exe.forward(is_train=is_train)]
    for k, v in args.items():
        arrays[f"{name}/arg/{k}"] = v
    for k, v in aux.items():
        arrays[f"{name}/aux/{k}"] = v
    for i, o in enumerate(outs):
        arrays[f"{name}/out{i}"] = o
    backward = any(req != "null" for req in grads.values())
    if backward:
        rs = _rs(name)
        heads = [rs.uniform(-1, 1, o.shape).astype(o.dtype) for o in outs]
        exe.backward([mx.nd.array(h, dtype=h.dtype) for h in heads])
        for i, h in enumerate(heads):
            arrays[f"{name}/head{i}"] = h
        for k, req in grads.items():
            if req != "null":
                arrays[f"{name}/grad/{k}"] = exe.grad_dict[k].asnumpy()
    for k in args:
        arrays[f"{name}/arg_after/{k}"] = nd_args[k].asnumpy()
    for k in aux:
        arrays[f"{name}/aux_after/{k}"] = nd_aux[k].asnumpy()
    meta["cases"].append({"name": name, "op": op, "attrs": {k: list(v) if isinstance(v, tuple) else v
                                                            for k, v in attrs.items()},
                          "args": list(args), "aux": list(aux), "grad_req": grads, "is_train": is_train,
                          "outputs": len(outs), "output_names": sym.list_outputs(), "backward": backward})


def main():
    os.environ["MXNET_MKLDNN_ENABLED"] = "0"   # the plain CPU operators, not oneDNN's
    import mxnet as mx
    arrays, meta = {}, {"mxnet": mx.__version__, "cases": []}
    for case in cases():
        run_case(mx, arrays, meta, case)
    np.savez_compressed(HERE / "opsgap_oracle.npz", **arrays)
    (HERE / "opsgap_oracle.json").write_text(json.dumps(meta, indent=1) + "\n")
    print(f"{len(meta['cases'])} cases, {len(arrays)} arrays")


if __name__ == "__main__":
    main()
