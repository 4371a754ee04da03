"""Write rnn_oracle.npz + rnn_oracle.json: MXNet 1.9.1's outputs, final states and gradients for every case
of rnn_cases.py. Run with the MXNet venv: ``/work/mxvenv/bin/python tests/data/rnn_oracle/make_rnn_oracle.py``."""
import json
import os
import sys

import numpy as np
import mxnet as mx

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import rnn_cases  # noqa: E402


def main():
    arrays, meta = {}, {"mxnet": mx.__version__, "cases": {}}
    for group, is_layer in ((rnn_cases.LAYERS, True), (rnn_cases.CELLS, False)):
        for index, (name, spec, opts) in enumerate(group):
            rng = np.random.RandomState(1000 + index + (0 if is_layer else 500))
            mx.random.seed(0)
            values = lambda pname, shape: rng.uniform(-0.5, 0.5, shape).astype(np.float32)  # noqa: E731
            result, texts = rnn_cases.run_case(mx, name, spec, opts, is_layer, param_value=values, rng=rng)
            meta["cases"][name] = dict(texts, layer=is_layer)
            arrays.update({f"{name}/{k}": v for k, v in result.items()})
            print(name, texts["repr"].replace("\n", " "))
    np.savez_compressed(os.path.join(HERE, "rnn_oracle.npz"), **arrays)
    with open(os.path.join(HERE, "rnn_oracle.json"), "w") as f:
        json.dump(meta, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
