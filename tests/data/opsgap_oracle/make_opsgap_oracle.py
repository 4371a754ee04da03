"""Regenerate the MXNet 1.9.1 oracle for the operators ssdkit added from MXNet's breadth: softmax_cross_entropy,
the legacy *_v1 ops, IdentityAttachKLSparseReg, the interleaved self/enc-dec attention matmuls, hawkesll,
group_adagrad_update and the quantization ops.

Usage:
    /work/mxvenv/bin/python tests/data/opsgap_oracle/make_opsgap_oracle.py      # mxnet 1.9.1 (MKLDNN build)
    <venv with mxnet-native==1.8.0.post0>/bin/python tests/data/opsgap_oracle/make_opsgap_oracle.py
The first writes opsgap_oracle.json / .npz (MXNET_MKLDNN_ENABLED=0 where MXNet honours it). MXNet 1.9.1's
pip build always runs the quantization ops through oneDNN, whatever that variable says; their plain CPU
kernels (the ones ssdkit mirrors) run in the last pip build without MKLDNN, mxnet-native 1.8.0.post0: the second
command writes quantization_oracle.json / .npz from it.
ssdkit and its tests never import mxnet; only this generator does (inside main()).

Each case binds the symbol ``mx.sym.<op>(vars..., **attrs)`` with MXNet's executor: arguments, auxiliary
states, ``grad_req`` per argument, one forward (``is_train``) and, when some argument takes a gradient, one
backward with random head gradients. Stored per case (npz prefix ``<case>/``): ``arg/<name>``,
``aux/<name>`` (before), ``out<i>``, ``head<i>``, ``grad/<name>``, ``arg_after/<name>`` and
``aux_after/<name>`` (after backward: BatchNorm_v1 resets a fixed gamma, aux states move); the JSON case entry
holds MXNet's ``tojson()`` graph of the op on plain variables.
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

    r = _rs("interleaved_matmul")
    f = lambda *s: r.uniform(-1, 1, s).astype(np.float32)  # noqa: E731
    for name, (L, Lk, B, H, D) in {"one_head": (3, 4, 1, 1, 2), "heads": (5, 3, 2, 3, 4),
                                   "wide": (2, 6, 3, 2, 8)}.items():
        add(f"selfatt_qk_{name}", "contrib.interleaved_matmul_selfatt_qk", {"queries_keys_values": f(L, B, H * 3 * D)},
            {"heads": H})
        add(f"selfatt_valatt_{name}", "contrib.interleaved_matmul_selfatt_valatt",
            {"queries_keys_values": f(L, B, H * 3 * D), "attention": f(B * H, L, L)}, {"heads": H})
        add(f"encdec_qk_{name}", "contrib.interleaved_matmul_encdec_qk",
            {"queries": f(L, B, H * D), "keys_values": f(Lk, B, H * 2 * D)}, {"heads": H})
        add(f"encdec_valatt_{name}", "contrib.interleaved_matmul_encdec_valatt",
            {"keys_values": f(Lk, B, H * 2 * D), "attention": f(B * H, L, Lk)}, {"heads": H})

    r = _rs("hawkesll")
    N, T, K = 4, 6, 3
    lags = r.uniform(0.05, 1.5, (N, T)).astype(np.float32)
    hawkes = {"lda": r.uniform(0.5, 2, (N, K)).astype(np.float32), "alpha": r.uniform(0.1, 0.8, K).astype(np.float32),
              "beta": r.uniform(0.5, 3, K).astype(np.float32), "state": r.uniform(0, 1.5, (N, K)).astype(np.float32),
              "lags": lags, "marks": r.randint(0, K, (N, T)).astype(np.int32),
              "valid_length": np.array([6, 3, 0, 4.5], np.float32),
              "max_time": (lags.sum(axis=1) + r.uniform(0.1, 2, N)).astype(np.float32)}
    learn = {k: "write" if k in ("lda", "alpha", "beta", "state") else "null" for k in hawkes}
    add("hawkesll", "contrib.hawkesll", hawkes, grads=learn)
    doc = {"lda": np.tile(np.array([1.5, 2.0, 3.0], np.float32), (4, 1)),
           "alpha": np.array([0.2, 0.3, 0.4], np.float32), "beta": np.array([1.0, 2.0, 3.0], np.float32),
           "state": np.zeros((4, 3), np.float32),
           "lags": np.array([[6, 7, 8, 9], [1, 2, 3, 4], [3, 4, 5, 6], [8, 9, 10, 11]], np.float32),
           "marks": np.zeros((4, 4), np.int32), "valid_length": np.array([1, 2, 3, 4], np.float32),
           "max_time": np.full(4, 100.0, np.float32)}
    add("hawkesll_doc", "contrib.hawkesll", doc, grads=learn)
    return out


def nd_cases():
    """Imperative calls MXNet runs only through mx.nd (a row_sparse gradient; ops without gradients):
    (case name, op path under mx.nd, [(input name, array, storage)], attrs, write the result into input i)."""
    out = []
    r = _rs("group_adagrad_update")
    for name, attrs in {"plain": {"lr": 0.1}, "clip_rescale": {"lr": 0.05, "clip_gradient": 0.3, "rescale_grad": 2.0,
                                                             "epsilon": 1e-3},
                        "clip_zero": {"lr": 0.5, "clip_gradient": 0.0}}.items():
        weight = r.uniform(-1, 1, (5, 3)).astype(np.float32)
        grad = r.uniform(-1, 1, (5, 3)).astype(np.float32)
        history = r.uniform(0, 0.5, (5, 1)).astype(np.float32)
        out.append((f"group_adagrad_{name}", "contrib.group_adagrad_update",
                    [("weight", weight, "default"), ("grad", grad, "row_sparse"), ("history", history, "default")],
                    attrs, 0))
    return out


def quantization_cases():
    """nd_cases of the quantization ops, for an MXNet without MKLDNN (see main)."""
    out = []
    r = _rs("quantization")
    f32 = lambda *a: np.array(a, np.float32)  # noqa: E731
    x = r.uniform(-1.5, 2.5, (3, 4)).astype(np.float32)
    halves = f32(2.5, -2.5, 0.5, -0.5, 126.5, -126.5, 127.4, 0.0, -200.0, 1.49999)
    doc = np.array([[0.1392, 0.5928], [0.6027, 0.8579]], np.float32)

    def add(name, op, inputs, attrs):
        out.append((name, op, [(k, v, "default") for k, v in inputs], attrs, None))

    add("quantize_doc_int8", "contrib.quantize", [("data", doc), ("min_range", f32(0)), ("max_range", f32(1))],
        {"out_type": "int8"})
    add("quantize_int8", "contrib.quantize", [("data", x), ("min_range", f32(-1)), ("max_range", f32(2))],
        {"out_type": "int8"})
    add("quantize_int8_halves", "contrib.quantize", [("data", halves), ("min_range", f32(-127)),
                                                     ("max_range", f32(127))], {"out_type": "int8"})
    add("quantize_uint8", "contrib.quantize", [("data", x), ("min_range", f32(-1.5)), ("max_range", f32(2.5))], {})
    add("quantize_uint8_outside", "contrib.quantize", [("data", x), ("min_range", f32(-1)),
                                                       ("max_range", f32(2))], {"out_type": "uint8"})
    add("quantize_v2_int8", "contrib.quantize_v2", [("data", x)], {})
    add("quantize_v2_uint8", "contrib.quantize_v2", [("data", x)], {"out_type": "uint8"})
    add("quantize_v2_auto_uncalibrated", "contrib.quantize_v2", [("data", x)], {"out_type": "auto"})
    add("quantize_v2_auto_positive", "contrib.quantize_v2", [("data", np.abs(x))],
        {"out_type": "auto", "min_calib_range": 0.0, "max_calib_range": 2.0})
    add("quantize_v2_auto_negative", "contrib.quantize_v2", [("data", x)],
        {"out_type": "auto", "min_calib_range": -1.0, "max_calib_range": 1.0})
    add("quantize_v2_int8_halves", "contrib.quantize_v2", [("data", halves)],
        {"min_calib_range": -127.0, "max_calib_range": 127.0})
    add("quantize_v2_int8_input", "contrib.quantize_v2", [("data", r.randint(-127, 128, (2, 3)).astype(np.int8))], {})
    add("quantize_v2_uint8_input", "contrib.quantize_v2", [("data", r.randint(0, 256, (2, 3)).astype(np.uint8))],
        {"out_type": "uint8", "min_calib_range": 0.0, "max_calib_range": 4.0})
    add("dequantize_int8", "contrib.dequantize", [("data", r.randint(-127, 128, (3, 4)).astype(np.int8)),
                                                 ("min_range", f32(-0.7)), ("max_range", f32(1.3))], {})
    add("dequantize_uint8", "contrib.dequantize", [("data", r.randint(0, 256, (3, 4)).astype(np.uint8)),
                                                  ("min_range", f32(-0.7)), ("max_range", f32(1.3))],
        {"out_type": "float32"})
    q32 = r.randint(-2 ** 30, 2 ** 30, (3, 4)).astype(np.int32)
    add("requantize_uncalibrated", "contrib.requantize", [("data", q32), ("min_range", f32(-50)),
                                                          ("max_range", f32(40))], {})
    add("requantize_calibrated", "contrib.requantize", [("data", q32), ("min_range", f32(-50)),
                                                        ("max_range", f32(40))],
        {"min_calib_range": -10.0, "max_calib_range": 8.0})
    add("requantize_auto_uint8", "contrib.requantize", [("data", q32), ("min_range", f32(-50)),
                                                        ("max_range", f32(40))],
        {"out_type": "auto", "min_calib_range": 0.0, "max_calib_range": 8.0})
    return out


def run_nd_case(mx, arrays, meta, case):
    name, op, inputs, attrs, out_index = case
    nds = [mx.nd.array(v, dtype=v.dtype).tostype(stype) for _, v, stype in inputs]
    kwargs = dict(attrs)
    if out_index is not None:
        kwargs["out"] = nds[out_index]
    try:
        result = _sym(mx.nd, op)(*nds, **kwargs)
        results = list(result) if isinstance(result, (list, tuple)) else [result]
        mx.nd.waitall()
    except mx.base.MXNetError as err:   # recorded: ssdkit must refuse the call too
        results = []
        meta.setdefault("errors", {})[name] = str(err).strip().splitlines()[-1]
    for (k, v, _), after in zip(inputs, nds):
        arrays[f"{name}/arg/{k}"] = v
        arrays[f"{name}/arg_after/{k}"] = after.asnumpy()
    for i, o in enumerate(results):
        arrays[f"{name}/out{i}"] = o.asnumpy()
    meta["nd_cases"].append({"name": name, "op": op, "attrs": attrs, "args": [k for k, _, _ in inputs],
                             "outputs": len(results), "out_index": out_index})


def _sym(namespace, path):
    fn = namespace
    for part in path.split("."):
        fn = getattr(fn, part)
    return fn


def run_case(mx, arrays, meta, case):
    name, op, args, aux, attrs, grads, is_train = case
    variables = [mx.sym.var(k, dtype=v.dtype.name) for k, v in args.items()]
    aux_vars = {k: mx.sym.var(k, dtype=v.dtype.name) for k, v in aux.items()}   # legacy ops: by name only
    sym = _sym(mx.sym, op)(*variables, name="op", **aux_vars, **attrs)
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
    plain = _sym(mx.sym, op)(*[mx.sym.var(k) for k in args], name="op", **{k: mx.sym.var(k) for k in aux}, **attrs)
    graph = json.loads(plain.tojson())
    meta["cases"].append({"json": {k: graph[k] for k in ("nodes", "arg_nodes", "node_row_ptr", "heads")},
                          "name": name, "op": op, "attrs": {k: list(v) if isinstance(v, tuple) else v
                                                            for k, v in attrs.items()},
                          "args": list(args), "aux": list(aux), "grad_req": grads, "is_train": is_train,
                          "outputs": len(outs), "output_names": sym.list_outputs(), "backward": backward})


def main():
    os.environ["MXNET_MKLDNN_ENABLED"] = "0"   # the plain CPU operators where MXNet lets this choose
    import mxnet as mx
    arrays, meta = {}, {"mxnet": mx.__version__, "cases": [], "nd_cases": []}
    if mx.runtime.Features().is_enabled("MKLDNN"):   # MXNet 1.9.1: everything but the quantization ops
        stem = "opsgap_oracle"
        for case in cases():
            run_case(mx, arrays, meta, case)
        for case in nd_cases():
            run_nd_case(mx, arrays, meta, case)
    else:   # mxnet-native: the quantization ops' plain CPU kernels (an MKLDNN build always runs oneDNN's)
        stem = "quantization_oracle"
        for case in quantization_cases():
            run_nd_case(mx, arrays, meta, case)
    np.savez_compressed(HERE / f"{stem}.npz", **arrays)
    (HERE / f"{stem}.json").write_text(json.dumps(meta, indent=1) + "\n")
    print(f"{stem}: {len(meta['cases']) + len(meta['nd_cases'])} cases, {len(arrays)} arrays")


if __name__ == "__main__":
    main()
