"""Write rnn_oracle.npz / rnn_oracle.json: MXNet 1.9.1's legacy mx.rnn cells unrolled on fixed inputs.

Run with the oracle venv: /work/mxvenv/bin/python tests/data/symbolic_oracle/make_rnn_oracle.py
"""
import json
import os
import sys

import mxnet as mx
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from rnn_cases import RNN_CASES  # noqa: E402


def main():
    rng = np.random.RandomState(3)
    arrays, meta = {}, {}
    for name, build in RNN_CASES.items():
        with mx.name.NameManager():
            outputs = build(mx)
        shapes = dict(zip(outputs.list_arguments(), outputs.infer_shape(t0=(2, 3), t1=(2, 3), t2=(2, 3))[0]))
        feed = {}
        for arg in outputs.list_arguments():
            feed[arg] = rng.uniform(-0.5, 0.5, size=shapes[arg]).astype(np.float32)
            arrays[f"{name}/in/{arg}"] = feed[arg]
        for i, out in enumerate(outputs.eval(**{k: mx.nd.array(v) for k, v in feed.items()})):
            arrays[f"{name}/out{i}"] = out.asnumpy()
        meta[name] = {"arguments": outputs.list_arguments(), "outputs": outputs.list_outputs(),
                      "tojson": outputs.tojson()}
    np.savez(os.path.join(HERE, "rnn_oracle.npz"), **arrays)
    with open(os.path.join(HERE, "rnn_oracle.json"), "w") as f:
        json.dump(meta, f, indent=1)


if __name__ == "__main__":
    main()
