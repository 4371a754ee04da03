"""Write monitor_oracle.json: mx.mon.Monitor rows from MXNet 1.9.1 for monitor_cases.run.

Run with the oracle venv: /work/mxvenv/bin/python tests/data/symbolic_oracle/make_monitor_oracle.py
"""
import json
import os
import sys

import mxnet as mx

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from monitor_cases import run  # noqa: E402

if __name__ == "__main__":
    rows = run(mx)
    with open(os.path.join(HERE, "monitor_oracle.json"), "w") as f:
        json.dump(rows, f, indent=1)
