"""Regenerate the GluonCV 0.10 / MXNet 1.9.1 oracle for ssdkit.model_zoo.vgg_atrous (tests/test_vgg_atrous.py).

Usage: /work/mxvenv/bin/python tests/data/vgg_atrous_oracle/make_vgg_atrous_oracle.py [gluoncv source root]
GluonCV's own ``gluoncv/model_zoo/ssd/vgg_atrous.py`` is loaded from a GluonCV 0.10 source tree (default
/work/ref/gluoncv; the file imports only mxnet) and run on real MXNet. Writes vgg_atrous.json (parameter names and
shapes in order, output shapes, for 300 and 512) and vgg_atrous.npz: for each size, every output's sum, sum of
squares and 4096 elements at fixed positions when all parameters are ``seeded_values`` (tests/data/model_zoo_oracle).
"""
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "model_zoo_oracle"))
from seeded import seeded_values, seeded_input  # noqa: E402

SAMPLES = 4096


def main():
    import mxnet as mx
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/ref/gluoncv")
    spec = importlib.util.spec_from_file_location("gluoncv_vgg_atrous",
                                                  root / "gluoncv" / "model_zoo" / "ssd" / "vgg_atrous.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    meta, arrays = {}, {}
    for size, build in ((300, module.vgg16_atrous_300), (512, module.vgg16_atrous_512)):
        with mx.name.NameManager():
            net = build()
        net.initialize()
        shape = (1, 3, size, size)
        outs = net(mx.nd.zeros(shape))
        params = list(net.collect_params().values())
        for p, v in zip(params, seeded_values([(p.name, p.shape) for p in params])):
            if not p.name.endswith("init_scale"):  # the constant stays GluonCV's
                p.set_data(mx.nd.array(v))
        outs = net(mx.nd.array(seeded_input(shape)))
        meta[str(size)] = {"prefix": net.prefix, "params": [[p.name, list(p.shape)] for p in params],
                           "outputs": [list(o.shape) for o in outs], "input": list(shape)}
        rs = np.random.RandomState(size)
        for i, o in enumerate(outs):
            flat = o.asnumpy().reshape(-1).astype(np.float64)
            index = rs.randint(0, flat.size, SAMPLES)
            arrays[f"{size}/{i}/stats"] = np.array([flat.sum(), (flat ** 2).sum()])
            arrays[f"{size}/{i}/index"] = index
            arrays[f"{size}/{i}/values"] = flat[index].astype(np.float32)
        print(size, [o.shape for o in outs], flush=True)
    json.dump(meta, open(HERE / "vgg_atrous.json", "w"), separators=(",", ":"))
    np.savez_compressed(HERE / "vgg_atrous.npz", **arrays)


if __name__ == "__main__":
    main()
