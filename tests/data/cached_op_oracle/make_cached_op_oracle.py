"""Oracle for hybridized recording (inline_limit) and autograd.get_symbol of a hybridized call, made by MXNet 1.9.1.

Run with the oracle venv (never from ssdkit's tests):  /work/mxvenv/bin/python make_cached_op_oracle.py
Writes cached_op_oracle.json: for a HybridSequential of Dense layers hybridized with each inline_limit (and
static_alloc), the ops and output names of get_symbol(y) -- one _CachedOp node or the inlined operators.
"""
import json
from pathlib import Path

import mxnet as mx


def recorded(layers, **flags):
    net = mx.gluon.nn.HybridSequential(prefix="net_")
    with net.name_scope():
        for _ in range(layers):
            net.add(mx.gluon.nn.Dense(4))
    net.initialize()
    net.hybridize(**flags)
    x = mx.nd.ones((2, 3))
    x.attach_grad()
    with mx.autograd.record():
        y = net(x)
    sym = mx.autograd.get_symbol(y)
    found = {"ops": [n["op"] for n in json.loads(sym.tojson())["nodes"]], "list_outputs": sym.list_outputs(),
             "num_arguments": len(sym.list_arguments())}   # read before backward frees the recorded graph
    y.backward()
    return found


cases = {}
for layers in (1, 2, 3):
    for limit in (0, 1, 2, 3):
        cases[f"dense{layers}_inline{limit}"] = recorded(layers, inline_limit=limit)
    cases[f"dense{layers}_static_alloc"] = recorded(layers, static_alloc=True)
    cases[f"dense{layers}_default"] = recorded(layers)
out = Path(__file__).with_name("cached_op_oracle.json")
out.write_text(json.dumps({"mxnet_version": mx.__version__, "cases": cases}, indent=1, sort_keys=True))
print("wrote", out)
