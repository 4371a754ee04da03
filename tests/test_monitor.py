"""mx.mon.Monitor on an Executor and through Module.install_monitor, pinned to
tests/data/symbolic_oracle/monitor_oracle.json (real MXNet 1.9.1)."""
import importlib.util
import json
from pathlib import Path

import numpy as np

import ssdkit as mx

HERE = Path(__file__).resolve().parent / "data" / "symbolic_oracle"
_spec = importlib.util.spec_from_file_location("monitor_cases", HERE / "monitor_cases.py")
CASES = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(CASES)


# gradients nobody asked for (the data's, the label's): MXNet reports its buffer unwritten (leftover values),
# ssdkit the computed gradient or zeros; only their names are compared
UNWRITTEN = {"fc_backward_output0", "reg_backward_output1"}


def test_monitor_rows_match_mxnet():
    want = json.loads((HERE / "monitor_oracle.json").read_text())
    got = CASES.run(mx)
    assert len(got) == len(want)
    for got_rows, want_rows in zip(got, want):
        assert [(r[0], r[1]) for r in got_rows] == [(r[0], r[1]) for r in want_rows]
        for g, w in zip(got_rows, want_rows):
            if g[1] in UNWRITTEN:
                continue
            np.testing.assert_allclose(g[2], w[2], rtol=1e-5)
