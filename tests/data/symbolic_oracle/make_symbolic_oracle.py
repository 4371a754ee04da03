"""Write symbolic_oracle.json: what MXNet 1.9.1 infers for the graphs in cases.py.

Run with the oracle venv: /work/mxvenv/bin/python tests/data/symbolic_oracle/make_symbolic_oracle.py
"""
import json
import os
import sys
import warnings

import mxnet as mx
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from cases import CASES, TYPE_CASES, ATTR_CASES  # noqa: E402


def shapes(values):
    return None if values is None else [None if s is None else list(s) for s in values]


def main():
    out = {"shapes": {}, "types": {}}
    for name, build in CASES.items():
        with mx.name.NameManager():
            sym, given, np_mode = build(mx)
        with mx.np_shape(np_mode), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            arg, res, aux = sym.infer_shape_partial(**given)
            full = sym.infer_shape(**given)
        out["shapes"][name] = {"arguments": sym.list_arguments(), "aux_names": sym.list_auxiliary_states(),
                               "args": shapes(arg), "outs": shapes(res), "aux": shapes(aux),
                               "complete": full[0] is not None}
    for name, build in TYPE_CASES.items():
        with mx.name.NameManager():
            sym, given = build(mx)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            arg, res, aux = sym.infer_type_partial(**given)
            full = sym.infer_type(**given)
        name_of = lambda ts: [None if t is None else np.dtype(t).name for t in ts]  # noqa: E731
        out["types"][name] = {"args": name_of(arg), "outs": name_of(res), "aux": name_of(aux),
                              "complete": full[0] is not None}
    out["attrs"] = {}
    for name, build in ATTR_CASES.items():
        with mx.name.NameManager():
            sym = build(mx)
        out["attrs"][name] = {"list_attr": sym.list_attr(), "attr_dict": sym.attr_dict(), "tojson": sym.tojson()}
    with mx.np_shape(True):
        out["np_shape_json"] = mx.sym.relu(mx.sym.var('x'), name='r').tojson()
    with open(os.path.join(HERE, "symbolic_oracle.json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
