"""Write cse_oracle.json: for each graph of cases.py, what MXNet 1.9.1's bound executor runs with
MXNET_ELIMINATE_COMMON_EXPR 0 and 1 (get_optimized_symbol's outputs and internals) and its forward values.

Run with the oracle venv: /work/mxvenv/bin/python tests/data/cse_oracle/make_cse_oracle.py
"""
import json
import os
import sys

import mxnet as mx

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from cse_cases import CASES, fill  # noqa: E402


def run(sym, shapes, flag):
    os.environ['MXNET_ELIMINATE_COMMON_EXPR'] = flag
    ex = sym.simple_bind(mx.cpu(), grad_req='null', **shapes)
    fill(ex)
    outs = ex.forward(is_train=False)
    opt = ex.get_optimized_symbol()
    return {'outputs': opt.list_outputs(), 'internals': opt.get_internals().list_outputs(),
            'values': [o.asnumpy().ravel().tolist() for o in outs]}


def main():
    result = {}
    for case in CASES:
        sym, shapes = case(mx)
        result[case.__name__] = {'shapes': shapes, 'off': run(sym, shapes, '0'), 'on': run(sym, shapes, '1')}
    with open(os.path.join(HERE, 'cse_oracle.json'), 'w') as f:
        json.dump(result, f, indent=1, sort_keys=True)


if __name__ == '__main__':
    main()
