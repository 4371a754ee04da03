"""Oracle for the math, linear-algebra and indexing operators (outputs AND gradients) from MXNet 1.9.1.

Each case calls ``mx.nd.<path>(*inputs, **params)`` under autograd with random head gradients and records the
outputs and the gradient of every float input. Run with MXNet 1.9.1's python:

    /work/mxvenv/bin/python tests/data/opsmath_oracle/make_opsmath_oracle.py

Writes opsmath_oracle.npz (arrays, keys ``<case>/in<i>``, ``/out<i>``, ``/grad<i>``, ``/head<i>``) and
opsmath_oracle.json (per case: path, params, input count, which inputs are differentiated, output count).
"""
import json
import os

import mxnet as mx
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
RNG = np.random.RandomState(0)


def spd(*batch_n):
    *batch, n = batch_n
    a = RNG.rand(*batch, n, n)
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def lower(*shape):
    return np.tril(RNG.rand(*shape) + 1.0) + np.eye(shape[-1])


def r(*shape):
    return RNG.uniform(-1, 1, shape)


def cases():
    """(name, path, inputs, params, differentiate-input flags or None for all float inputs)."""
    c = []
    dtype = {"": "float64"}  # linalg in float64; the other ops in float32 (MXNet 1.9.1 mishandles some in float64)

    def add(name, path, inputs, params=None, grad=None):
        params = dict(params or {})
        params.setdefault("__dtype__", dtype[""])
        c.append((name, path, inputs, params, grad))
    # ------------------------------------------------------------------ linalg
    add("gemm", "linalg.gemm", [r(2, 3, 4), r(2, 4, 5), r(2, 3, 5)], {"alpha": 0.7, "beta": 1.5})
    add("gemm_t", "linalg.gemm", [r(4, 3), r(5, 4), r(3, 5)], {"transpose_a": True, "transpose_b": True})
    add("gemm_axis", "linalg.gemm", [r(3, 2, 4), r(4, 2, 5), r(3, 2, 5)], {"axis": 0})
    add("gemm2", "linalg.gemm2", [r(2, 3, 4), r(2, 4, 5)], {"alpha": 2.0})
    add("gemm2_ta", "linalg.gemm2", [r(4, 3), r(4, 5)], {"transpose_a": True})
    add("gemm2_tb_axis", "linalg.gemm2", [r(3, 2, 4), r(5, 2, 4)], {"transpose_b": True, "axis": -3})
    add("potrf", "linalg.potrf", [spd(2, 4)])
    add("potrf_upper", "linalg.potrf", [spd(3)], {"lower": False})
    add("potri", "linalg.potri", [lower(2, 3, 3)])
    add("potri_upper", "linalg.potri", [np.swapaxes(lower(3, 3), -1, -2)], {"lower": False})
    for tr in (False, True):
        for rs in (False, True):
            for lo in (False, True):
                tag = f"{int(tr)}{int(rs)}{int(lo)}"
                b = r(2, 3, 4) if rs else r(2, 4, 3)
                a = lower(2, 4, 4) if lo else np.swapaxes(lower(2, 4, 4), -1, -2)
                params = {"transpose": tr, "rightside": rs, "lower": lo, "alpha": 1.3}
                add(f"trmm_{tag}", "linalg.trmm", [a + 0.3 * r(2, 4, 4), b], params)
                add(f"trsm_{tag}", "linalg.trsm", [a + 0.3 * r(2, 4, 4) * 0, b], params)
    add("syrk", "linalg.syrk", [r(2, 3, 4)], {"alpha": 0.5})
    add("syrk_t", "linalg.syrk", [r(3, 4)], {"transpose": True})
    add("gelqf", "linalg.gelqf", [r(2, 3, 5)])
    add("gelqf_sq", "linalg.gelqf", [r(4, 4)])
    add("syevd", "linalg.syevd", [spd(2, 4)])
    add("sumlogdiag", "linalg.sumlogdiag", [spd(2, 3)])
    add("sumlogdiag_2d", "linalg.sumlogdiag", [spd(3)])
    add("extractdiag", "linalg.extractdiag", [r(2, 4, 4)])
    add("extractdiag_off", "linalg.extractdiag", [r(4, 4)], {"offset": -2})
    add("makediag", "linalg.makediag", [r(2, 3)], {"offset": 1})
    add("extracttrian", "linalg.extracttrian", [r(2, 4, 4)])
    add("extracttrian_up", "linalg.extracttrian", [r(4, 4)], {"lower": False})
    add("extracttrian_off", "linalg.extracttrian", [r(4, 4)], {"offset": 1})
    add("extracttrian_neg", "linalg.extracttrian", [r(4, 4)], {"offset": -1, "lower": False})
    add("maketrian", "linalg.maketrian", [r(2, 6)])
    add("maketrian_up", "linalg.maketrian", [r(6)], {"lower": False, "offset": 1})
    add("maketrian_neg", "linalg.maketrian", [r(3)], {"offset": -2})
    add("det", "linalg.det", [r(2, 3, 3) + 2 * np.eye(3)])
    add("det_2d", "linalg.det", [r(3, 3) + 2 * np.eye(3)])
    add("slogdet", "linalg.slogdet", [r(2, 3, 3) - 2 * np.eye(3)])
    add("inverse", "linalg.inverse", [r(2, 3, 3) + 2 * np.eye(3)])
    # ------------------------------------------------------------------ special functions, nan reductions
    dtype[""] = "float32"
    pos = lambda *shape: RNG.uniform(0.5, 3.0, shape)
    add("gamma", "gamma", [pos(2, 3)])
    add("gammaln", "gammaln", [pos(2, 3)])
    add("erfinv", "erfinv", [r(2, 3) * 0.9])
    add("rcbrt", "rcbrt", [pos(2, 3)])
    with_nan = r(3, 4)
    with_nan[0, 1] = with_nan[2, 3] = np.nan
    add("nansum", "nansum", [with_nan], {"axis": 1})
    add("nansum_all", "nansum", [with_nan])
    add("nanprod", "nanprod", [with_nan + 2], {"axis": 0, "keepdims": True})
    # ------------------------------------------------------------------ indexing
    add("gather_nd", "gather_nd", [r(3, 4, 2), np.array([[0, 2, 1], [1, 3, 0]], np.float64)], grad=[True, False])
    add("gather_nd_neg", "gather_nd", [r(3, 4), np.array([[-1, 0], [2, -2]], np.float64)], grad=[False, False])
    add("scatter_nd", "scatter_nd", [r(3, 2), np.array([[0, 2, 1], [1, 3, 0]], np.float64)],
        {"shape": (3, 4, 2)}, grad=[True, False])
    add("ravel", "ravel_multi_index", [np.array([[3, 6, 6], [4, 5, 1]], np.float64)], {"shape": (7, 6)})
    add("ravel_neg", "ravel_multi_index", [np.array([[3, 6, 6], [4, 5, 1]], np.float64)], {"shape": (-1, 6)})
    add("unravel", "unravel_index", [np.array([22, 41, 37], np.float64)], {"shape": (7, 6)})
    add("unravel_neg", "unravel_index", [np.array([22, 41, 37], np.float64)], {"shape": (-1, 6)})
    add("diag_2d", "diag", [r(4, 4)], {"k": 1, "__dtype__": "float32"})
    add("diag_1d", "diag", [r(3)], {"k": -1, "__dtype__": "float32"})
    add("diag_nd", "diag", [r(2, 3, 4)], {"k": -1, "axis1": 2, "axis2": 0, "__dtype__": "float32"})
    add("khatri_rao", "khatri_rao", [r(2, 3), r(4, 3), r(1, 3)], grad=[False, False, False])
    add("batch_take", "batch_take", [r(3, 4), np.array([0, 5, -1], np.int32)], grad=[False, False])
    add("argmax_channel", "argmax_channel", [r(2, 3, 4)], grad=[False])
    add("fill_element_0index", "fill_element_0index", [r(3, 4), r(3), np.array([1, 0, 3], np.float64)],
        {"__dtype__": "float32"}, grad=[False, False, False])
    add("slice_assign", "_internal._slice_assign", [r(3, 4), r(2, 2)], {"begin": (0, 1), "end": (3, 4),
                                                                       "step": (2, 2)}, grad=[False, False])
    add("slice_assign_scalar", "_internal._slice_assign_scalar", [r(3, 4)], {"begin": (1,), "end": (3,),
                                                                          "scalar": 2.0}, grad=[False])
    add("split_v2", "split_v2", [r(2, 6)], {"indices_or_sections": (1, 3), "axis": 1})
    add("split_v2_squeeze", "split_v2", [r(3, 2)], {"indices_or_sections": 3, "squeeze_axis": True})
    add("boolean_mask", "contrib.boolean_mask", [r(4, 3), np.array([1, 0, 1, 1], np.float64)],
        grad=[True, False])
    add("index_copy", "contrib.index_copy", [r(5, 3), np.array([3, 0], np.float64), r(2, 3)],
        grad=[True, False, True])
    add("index_array", "contrib.index_array", [r(2, 3)], grad=[False])
    add("index_array_axes", "contrib.index_array", [r(2, 3, 4)], {"axes": (2, 0)}, grad=[False])
    add("arange_like", "contrib.arange_like", [r(2, 3)], {"start": 1.5, "step": 0.5, "repeat": 2}, grad=[False])
    add("arange_like_axis", "contrib.arange_like", [r(2, 5)], {"axis": -1}, grad=[False])
    # ------------------------------------------------------------------ contrib math
    add("quadratic", "contrib.quadratic", [r(2, 3)], {"a": 0.5, "b": -1.0, "c": 2.0})
    add("div_sqrt_dim", "contrib.div_sqrt_dim", [r(2, 3, 4)])
    add("gradientmultiplier", "contrib.gradientmultiplier", [r(2, 3)], {"scalar": -0.5})
    add("round_ste", "contrib.round_ste", [r(2, 3) * 3])
    add("sign_ste", "contrib.sign_ste", [r(2, 3)])
    anchors = np.sort(RNG.rand(1, 5, 4), axis=-1)[..., [0, 1, 2, 3]]
    anchors = np.concatenate([anchors[..., :2], anchors[..., :2] + 0.1 + RNG.rand(1, 5, 2)], -1)
    refs = np.concatenate([RNG.rand(2, 3, 2), RNG.rand(2, 3, 2) + 1.2], -1)
    add("box_encode", "contrib.box_encode", [np.array([[1, -1, 1, 0, 1], [0, 1, 1, -1, 1]], np.float64),
                                             np.array([[0, 2, 1, 0, 2], [1, 0, 2, 1, 0]], np.float64),
                                             np.repeat(anchors, 2, 0), refs, np.array([0.1, 0.1, 0.2, 0.2]),
                                             np.array([0.1, 0.1, 0.2, 0.2])], grad=[False] * 6)
    add("box_decode", "contrib.box_decode", [r(2, 5, 4), anchors], {"std0": 0.1, "std1": 0.1, "std2": 0.2,
                                                                      "std3": 0.2, "format": "corner"},
        grad=[False, False])
    add("box_decode_center", "contrib.box_decode", [r(2, 5, 4) * 3, anchors], {"clip": 1.0}, grad=[False, False])
    return c


def run_case(path, inputs, params, grad, dtype):
    fn = mx.nd
    for part in path.split("."):  # "_internal._x" and "contrib.x" reach the sub-modules
        fn = getattr(fn, part)
    arrays = [mx.nd.array(x, dtype=x.dtype if x.dtype.kind in "iu" else dtype) for x in inputs]
    flags = grad if grad is not None else [x.dtype.kind == "f" for x in inputs]
    for a, f in zip(arrays, flags):
        if f:
            a.attach_grad()
    with mx.autograd.record():
        out = fn(*arrays, **params)
    outs = out if isinstance(out, (list, tuple)) else [out]
    heads = [RNG.uniform(-1, 1, o.shape).astype(dtype) for o in outs]
    if any(flags):
        mx.autograd.backward(list(outs), [mx.nd.array(h, dtype=dtype) for h in heads])
    grads = [a.grad.asnumpy() if f else None for a, f in zip(arrays, flags)]
    return [o.asnumpy() for o in outs], heads, grads, flags


def main():
    arrays, meta = {}, {}
    for name, path, inputs, params, grad in cases():
        dtype = params.pop("__dtype__", "float64")
        inputs = [np.asarray(x) if np.asarray(x).dtype.kind in "iub" else np.asarray(x, dtype) for x in inputs]
        outs, heads, grads, flags = run_case(path, inputs, params, grad, dtype)
        for i, x in enumerate(inputs):
            arrays[f"{name}/in{i}"] = x
        for i, (o, h) in enumerate(zip(outs, heads)):
            arrays[f"{name}/out{i}"] = o
            arrays[f"{name}/head{i}"] = h
        for i, g in enumerate(grads):
            if g is not None:
                arrays[f"{name}/grad{i}"] = g
        meta[name] = {"path": path, "params": params, "inputs": len(inputs), "outputs": len(outs),
                      "grad": [bool(f) for f in flags], "dtype": dtype}
    np.savez_compressed(os.path.join(HERE, "opsmath_oracle.npz"), **arrays)
    with open(os.path.join(HERE, "opsmath_oracle.json"), "w") as f:
        json.dump({"mxnet": mx.__version__, "cases": meta}, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
