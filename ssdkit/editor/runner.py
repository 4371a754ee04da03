"""The explicit "run exported code" action: the Python the editor exports from a document runs in a child
process (never in the server), built with no arguments, given the loaded weights, and called on random inputs
of the drawn input shapes. The code run is the editor's own export of the document, not text sent by the page.

Examples
--------
>>> doc = {"nodes": [{"name": "x", "op": "null", "shape": [2, 3]},
...                  {"name": "fc", "op": "FullyConnected", "attrs": {"num_hidden": "4"}}],
...        "edges": [{"src": "x", "out": 0, "dst": "fc", "slot": "data"}], "outputs": [["fc", 0]]}
>>> r = run_exported(doc)
>>> r["ok"], r["outputs"], r["parameters"]
(True, [[2, 4]], ['fc_bias', 'fc_weight'])
"""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from .codegen import export_python
from .document import live_nodes
from .shapes import input_shapes

__all__ = ["run_exported", "RUN_TIMEOUT"]

RUN_TIMEOUT = 300
_ROOT = str(Path(__file__).resolve().parents[2])

_DRIVER = r"""
import json, sys
import numpy as np
sys.path.insert(0, sys.argv[1])
from ssdkit import nd
import net as exported
shapes = json.loads(sys.argv[2])
block = exported.Net()
if sys.argv[3]:
    block.collect_params().load(sys.argv[3])
else:
    block.initialize()
rng = np.random.RandomState(0)
args = [nd.array(rng.uniform(-1, 1, size=shapes[name])) for name in exported.INPUTS]
out = block(*args)
out = list(out) if isinstance(out, (list, tuple)) else [out]
print(json.dumps({"ok": True, "outputs": [list(o.shape) for o in out],
                  "first_values": [[float(v) for v in o.asnumpy().ravel()[:4]] for o in out],
                  "parameters": sorted(block.collect_params())}))
"""


def run_exported(doc, params=None, timeout=RUN_TIMEOUT):
    """Export ``doc`` to Python, run it in a child process and report output shapes and parameter names.

    Returns
    -------
    dict
        ``{ok, outputs, first_values, parameters, code}`` or ``{ok: False, error, code}``.
    """
    code = export_python(doc, params)
    shapes = input_shapes(doc)
    live = set(live_nodes(doc))
    missing = [n["name"] for n in doc["nodes"] if n["op"] == "null" and n["name"] in live and n["name"] not in shapes]
    if missing:
        return {"ok": False, "error": f"input {missing[0]} has no shape: set it in the side panel to run the code",
                "code": code}
    from .server import weights_for
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "net.py").write_text(code, encoding="utf-8")
        param_file = ""
        if params:
            from .. import nd
            param_file = os.path.join(tmp, "net.params")
            nd.save(param_file, weights_for(doc, params))
        names = {k: list(v) for k, v in shapes.items()}
        env = dict(os.environ, PYTHONPATH=_ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
        try:
            done = subprocess.run([sys.executable, "-c", _DRIVER, tmp, json.dumps(names), param_file],
                                  capture_output=True, text=True, timeout=timeout, env=env, cwd=tmp)
        except subprocess.TimeoutExpired:
            return {"ok": False, "error": f"the exported code ran longer than {timeout} s", "code": code}
    if done.returncode:
        lines = done.stderr.strip().splitlines()
        return {"ok": False, "error": "\n".join(lines[-6:]), "code": code}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["code"] = code
    return result
