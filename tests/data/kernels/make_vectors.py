"""Regenerate tests/data/kernels/mxnet_kernels.{npz,json}: MXNet 1.9.1 outputs and input gradients of Convolution,
Deconvolution and Pooling cases beyond ../shared/reference (groups, dilation, non-square, negative flip
padding, adj, 'full' windows past the padding, ties).

Run with the separate MXNet environment (never imported by ssdkit or its tests):

    /work/venv-mxnet/bin/python tests/data/kernels/make_vectors.py
"""
import json
from pathlib import Path

import mxnet as mx
import numpy as np
from mxnet import autograd, nd

HERE = Path(__file__).resolve().parent

CONV = {
    "conv_s2p1_nonsquare": dict(shape=(2, 3, 7, 8), num_filter=4, kernel=(3, 3), stride=(2, 2), pad=(1, 1)),
    "conv_dilate_mixed": dict(shape=(2, 3, 9, 11), num_filter=5, kernel=(3, 2), stride=(1, 2),
                              pad=(2, 1), dilate=(2, 3)),
    "conv_groups_grid": dict(shape=(2, 4, 20, 18), num_filter=6, kernel=(3, 3), pad=(1, 1), num_group=2),
    "conv_grid_nobias": dict(shape=(3, 3, 17, 20), num_filter=5, kernel=(3, 3), pad=(1, 1), no_bias=True),
    "conv_1x1_s2": dict(shape=(2, 5, 9, 8), num_filter=3, kernel=(1, 1), stride=(2, 2)),
    "conv_bigpad": dict(shape=(1, 2, 6, 5), num_filter=3, kernel=(3, 3), pad=(3, 3)),
    "conv_depthwise": dict(shape=(2, 4, 18, 17), num_filter=4, kernel=(3, 3), pad=(1, 1), num_group=4),
    "conv_5x5_s3": dict(shape=(2, 3, 16, 19), num_filter=4, kernel=(5, 5), stride=(3, 3), pad=(2, 1)),
}
DECONV = {
    "deconv_k4s2p1": dict(shape=(2, 3, 5, 5), num_filter=2, kernel=(4, 4), stride=(2, 2), pad=(1, 1)),
    "deconv_adj_groups": dict(shape=(2, 4, 4, 5), num_filter=6, kernel=(3, 3), stride=(2, 2), pad=(1, 1),
                              adj=(1, 1), num_group=2, no_bias=False),
    # no target_shape case: MXNet 1.9.1 with MKLDNN fails on it ("could not create a descriptor for a
    # dilated deconvolution forward propagation primitive"); without MKLDNN it equals explicit pad/adj
    "deconv_s1_dilate": dict(shape=(1, 3, 6, 18), num_filter=2, kernel=(3, 3), pad=(1, 2), dilate=(1, 2)),
}
POOL = {
    "pool_max_full_pad": dict(shape=(2, 3, 10, 11), kernel=(3, 3), stride=(2, 2), pad=(1, 1),
                              pool_type="max", pooling_convention="full"),
    "pool_avg_full_incl": dict(shape=(2, 3, 10, 10), kernel=(3, 3), stride=(2, 2), pad=(1, 1),
                               pool_type="avg", pooling_convention="full"),
    "pool_avg_excl_pad": dict(shape=(2, 3, 7, 9), kernel=(3, 3), stride=(1, 1), pad=(1, 1),
                              pool_type="avg", count_include_pad=False),
    "pool_avg_k2s2p1_excl": dict(shape=(2, 2, 7, 8), kernel=(2, 2), stride=(2, 2), pad=(1, 1),
                                 pool_type="avg", count_include_pad=False),
    "pool_sum_k2s1": dict(shape=(2, 3, 6, 7), kernel=(2, 2), stride=(1, 1), pool_type="sum"),
    "pool_max_s_gt_k_full": dict(shape=(2, 2, 7, 7), kernel=(2, 2), stride=(3, 3),
                                 pool_type="max", pooling_convention="full"),
    "pool_global_avg": dict(shape=(2, 3, 5, 6), global_pool=True, kernel=(1, 1), pool_type="avg"),
    "pool_global_sum": dict(shape=(2, 3, 5, 6), global_pool=True, kernel=(1, 1), pool_type="sum"),
    "pool_max_ties_overlap": dict(shape=(2, 2, 6, 7), kernel=(3, 3), stride=(1, 1), pad=(1, 1),
                                  pool_type="max", ties=True),
    "pool_max_ties_2x2": dict(shape=(2, 2, 6, 8), kernel=(2, 2), stride=(2, 2), pool_type="max", ties=True),
    "pool_max_k2s2_odd": dict(shape=(2, 3, 9, 7), kernel=(2, 2), stride=(2, 2), pool_type="max"),
}


def run(op, data, params, extra):
    """Forward + backward under autograd; returns arrays keyed like ../shared/reference."""
    arrays = {"in_data": data}
    args = [nd.array(data)]
    for name, value in extra.items():
        arrays["in_" + name] = value
        args.append(nd.array(value))
    for arg in args:
        arg.attach_grad()
    with autograd.record():
        out = op(*args, **params)
    head = np.random.standard_normal(out.shape).astype(np.float32)
    out.backward(nd.array(head))
    arrays.update(out=out.asnumpy(), head_grad=head, grad_data=args[0].grad.asnumpy())
    for name, arg in zip(extra, args[1:]):
        arrays["grad_" + name] = arg.grad.asnumpy()
    return arrays


def main():
    np.random.seed(0)
    store, meta = {}, {}
    for name, spec in CONV.items():
        spec = dict(spec)
        shape = spec.pop("shape")
        c, f, k, g = shape[1], spec["num_filter"], spec["kernel"], spec.get("num_group", 1)
        extra = {"weight": np.random.standard_normal((f, c // g) + k).astype(np.float32)}
        if not spec.get("no_bias", False):
            extra["bias"] = np.random.standard_normal(f).astype(np.float32)
        store_case(store, meta, name, run(nd.Convolution, np.random.standard_normal(shape).astype(np.float32),
                                          spec, extra), spec)
    for name, spec in DECONV.items():
        spec = dict(spec)
        shape = spec.pop("shape")
        spec.setdefault("no_bias", True)
        c, f, k, g = shape[1], spec["num_filter"], spec["kernel"], spec.get("num_group", 1)
        extra = {"weight": np.random.standard_normal((c, f // g) + k).astype(np.float32)}
        if not spec["no_bias"]:
            extra["bias"] = np.random.standard_normal(f).astype(np.float32)
        store_case(store, meta, name, run(nd.Deconvolution, np.random.standard_normal(shape).astype(np.float32),
                                          spec, extra), spec)
    for name, spec in POOL.items():
        spec = dict(spec)
        shape, ties = spec.pop("shape"), spec.pop("ties", False)
        data = (np.random.randint(0, 3, shape) if ties else np.random.standard_normal(shape)).astype(np.float32)
        store_case(store, meta, name, run(nd.Pooling, data, spec, {}), spec)
    np.savez_compressed(HERE / "mxnet_kernels.npz", **store)
    (HERE / "mxnet_kernels.json").write_text(json.dumps(meta, indent=1, sort_keys=True))
    print(f"{len(meta)} cases written with mxnet {mx.__version__}")


def store_case(store, meta, name, arrays, params):
    meta[name] = {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}
    for key, value in arrays.items():
        store[f"{name}/{key}"] = value


if __name__ == "__main__":
    main()
