"""Regenerate the MXNet 1.9.1 oracle for the deformable convolutions (needs mxnet).

Usage: /work/mxvenv/bin/python tests/data/deformable_oracle/make_deformable_oracle.py
Writes deformable_oracle.json (cases, names, reprs) and deformable_oracle.npz (arrays) next to this file.
ssdkit and its tests never import mxnet; only this generator does (inside main()).
"""
import json
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent

# name -> (data shape, op parameters, offset kind); offsets "wide" reach past every border, "int" are whole
# pixels (sampling points on the grid and on the borders), "edge" put points inside the last row / column
OP_CASES = {
    "plain": ((2, 4, 6, 7), {"kernel": (3, 3), "num_filter": 3, "pad": (1, 1)}, "wide"),
    "groups_dg": ((2, 4, 5, 6), {"kernel": (3, 3), "num_filter": 6, "pad": (1, 1), "num_group": 2,
                                 "num_deformable_group": 2}, "wide"),
    "dg4_nobias": ((1, 8, 6, 6), {"kernel": (3, 2), "num_filter": 4, "num_deformable_group": 4,
                                  "no_bias": True}, "wide"),
    "stride_dilate": ((2, 3, 9, 8), {"kernel": (3, 3), "num_filter": 2, "stride": (2, 2), "dilate": (2, 2),
                                     "pad": (2, 1)}, "wide"),
    "one_by_one": ((2, 3, 4, 5), {"kernel": (1, 1), "num_filter": 2}, "wide"),
    "int_offsets": ((1, 2, 5, 5), {"kernel": (3, 3), "num_filter": 2, "pad": (1, 1)}, "int"),
    "edge_rows": ((1, 2, 5, 6), {"kernel": (2, 2), "num_filter": 2}, "edge"),
}


def _offsets(rs, kind, shape):
    if kind == "int":
        return rs.randint(-2, 3, shape).astype(np.float32)
    if kind == "edge":   # push points into [H-1, H) and [W-1, W) from any tap
        return (rs.uniform(3.1, 3.9, shape)).astype(np.float32)
    return rs.uniform(-2.5, 2.5, shape).astype(np.float32)


def op_cases(mx, arrays, meta):
    rs = np.random.RandomState(7)
    meta["ops"] = {}
    for case, (dshape, params, kind) in OP_CASES.items():
        for op_name in ("DeformableConvolution", "ModulatedDeformableConvolution"):
            key = f"{op_name}/{case}"
            kh, kw = params["kernel"]
            dg = params.get("num_deformable_group", 1)
            sym = getattr(mx.sym.contrib, op_name)(mx.sym.var("data"), name="op", **params)
            data = rs.uniform(-1, 1, dshape).astype(np.float32)
            weight_shape = (params["num_filter"], dshape[1] // params.get("num_group", 1), kh, kw)
            # output size from the MXNet shape rule, via a plain Convolution of the same geometry
            conv = mx.sym.Convolution(mx.sym.var("data"), **{k: v for k, v in params.items()
                                                               if k != "num_deformable_group"})
            out_shape = conv.infer_shape(data=dshape)[1][0]
            inputs = {"data": data, "op_offset": _offsets(rs, kind, (dshape[0], dg * 2 * kh * kw) + out_shape[2:])}
            if op_name.startswith("Modulated"):
                inputs["op_mask"] = rs.uniform(0, 1.5, (dshape[0], dg * kh * kw) + out_shape[2:]).astype(np.float32)
            inputs["op_weight"] = rs.uniform(-1, 1, weight_shape).astype(np.float32)
            if not params.get("no_bias", False):
                inputs["op_bias"] = rs.uniform(-1, 1, (params["num_filter"],)).astype(np.float32)
            assert sym.list_arguments() == list(inputs), (sym.list_arguments(), list(inputs))
            head = rs.uniform(-1, 1, out_shape).astype(np.float32)
            modulated = op_name.startswith("Modulated")
            exe = sym.bind(mx.cpu(), {k: mx.nd.array(v) for k, v in inputs.items()},
                           args_grad=None if modulated else {k: mx.nd.zeros(v.shape) for k, v in inputs.items()})
            out = exe.forward(is_train=not modulated)[0].asnumpy()
            for name, value in inputs.items():
                arrays[f"{key}/{name}"] = value
            arrays[f"{key}/out"] = out
            arrays[f"{key}/head"] = head
            if not modulated:   # MXNet's CPU backward of the modulated op is "only implemented in GPU"
                exe.backward([mx.nd.array(head)])
                for name, grad in exe.grad_dict.items():
                    arrays[f"{key}/grad_{name}"] = grad.asnumpy()
            with mx.name.NameManager():   # the automatic names of a symbol made without a name
                auto = getattr(mx.sym.contrib, op_name)(mx.sym.var("d"), **params)
            meta["ops"][key] = {"op": op_name, "params": params, "inputs": list(inputs),
                                "symbol_name": auto.name, "arguments": auto.list_arguments()}
    # float64 runs the same kernels in double
    dshape, params, kind = OP_CASES["groups_dg"]
    data = rs.uniform(-1, 1, dshape)
    offset = rs.uniform(-2.5, 2.5, (2, 36, 5, 6))
    weight = rs.uniform(-1, 1, (6, 2, 3, 3))
    bias = rs.uniform(-1, 1, (6,))
    head = rs.uniform(-1, 1, (2, 6, 5, 6))
    nd = [mx.nd.array(a, dtype=np.float64) for a in (data, offset, weight, bias)]
    for a in nd:
        a.attach_grad()
    with mx.autograd.record():
        y = mx.nd.contrib.DeformableConvolution(*nd, **params)
    y.backward(mx.nd.array(head, dtype=np.float64))
    for name, value in zip(("data", "offset", "weight", "bias", "head", "out"), (data, offset, weight, bias, head, y)):
        arrays[f"float64/{name}"] = value if isinstance(value, np.ndarray) else value.asnumpy()
    for name, a in zip(("data", "offset", "weight", "bias"), nd):
        arrays[f"float64/grad_{name}"] = a.grad.asnumpy()
    meta["float64"] = {"params": params, "dtype": str(y.dtype)}


# gluon.contrib.cnn blocks: constructor keywords; inputs (2, 5, 9, 10)
BLOCK_CASES = {
    "plain": {"channels": 4, "kernel_size": (3, 3), "padding": 1},
    "act_nobias": {"channels": 4, "kernel_size": (3, 2), "activation": "relu", "use_bias": False,
                   "offset_use_bias": False},
    "dg_stride": {"channels": 5, "kernel_size": 3, "strides": 2, "num_deformable_group": 5, "dilation": 2},
    "groups": {"channels": 6, "kernel_size": (1, 3), "groups": 1, "in_channels": 5, "offset_use_bias": False},
}
BLOCK_INPUT = (2, 5, 9, 10)


def block_cases(mx, arrays, meta):
    from mxnet.gluon.contrib.cnn import DeformableConvolution, ModulatedDeformableConvolution
    rs = np.random.RandomState(11)
    meta["blocks"] = {}
    for cls in (DeformableConvolution, ModulatedDeformableConvolution):
        for case, kwargs in BLOCK_CASES.items():
            key = f"layer/{cls.__name__}/{case}"
            with mx.name.NameManager():   # fresh name counters: prefix deformable_conv0_ / ...
                block = cls(**kwargs)
            fresh = {name: (list(p.shape), p.init if isinstance(p.init, str) or p.init is None else p.init.dumps())
                     for name, p in block.collect_params().items()}
            repr_before = repr(block)
            block.initialize(mx.init.Uniform(0.5))
            x = mx.nd.array(rs.uniform(-1, 1, BLOCK_INPUT).astype(np.float32))
            block(x)   # resolves deferred shapes
            values = {}
            for name, p in block.collect_params().items():
                v = rs.uniform(-0.3, 0.3, p.shape).astype(np.float32)
                p.set_data(mx.nd.array(v))
                values[name] = v
            x.attach_grad()
            with mx.autograd.record():
                y = block(x)
            head = rs.uniform(-1, 1, y.shape).astype(np.float32)
            block_grads = {}
            if cls is DeformableConvolution:
                y.backward(mx.nd.array(head))
                block_grads = {name: p.grad().asnumpy() for name, p in block.collect_params().items()}
                arrays[f"{key}/grad_x"] = x.grad.asnumpy()
            arrays[f"{key}/x"] = x.asnumpy()
            arrays[f"{key}/out"] = y.asnumpy()
            arrays[f"{key}/head"] = head
            for i, (name, v) in enumerate(values.items()):
                arrays[f"{key}/param{i}"] = v
                if name in block_grads:
                    arrays[f"{key}/grad_param{i}"] = block_grads[name]
            if case == "act_nobias":   # MXNet's own export, for ssdkit's SymbolBlock.imports
                block.hybridize()
                block(x)
                block.export(str(HERE / f"export_{cls.__name__}"))
            meta["blocks"][key] = {"class": cls.__name__, "kwargs": kwargs, "fresh": fresh,
                                   "params": list(values), "shapes": [list(v.shape) for v in values.values()],
                                   "repr_before": repr_before, "repr_after": repr(block)}


def main():
    import mxnet as mx
    arrays, meta = {}, {"mxnet": mx.__version__}
    op_cases(mx, arrays, meta)
    block_cases(mx, arrays, meta)
    np.savez_compressed(HERE / "deformable_oracle.npz", **arrays)
    (HERE / "deformable_oracle.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")
    print(len(arrays), "arrays")


if __name__ == "__main__":
    main()
