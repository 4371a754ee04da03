"""Regenerate the MXNet 1.9.1 oracle for tests/test_numpy.py (needs mxnet; ssdkit never imports it).

Usage: /work/mxvenv/bin/python tests/data/numpy_oracle/make_numpy_oracle.py
Evaluates every case of cases.py with ``from mxnet import np, npx; npx.set_np()`` and writes
numpy_oracle.json (kinds, dtypes, shapes, texts, error flags) and numpy_oracle.npz (values and gradients).
"""
import json
import sys
from pathlib import Path

import numpy as onp

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import cases  # noqa: E402


def describe(value, key, arrays, np):
    """A JSON-able record of a result; arrays go to ``arrays`` under ``key``."""
    if isinstance(value, np.ndarray):
        arrays[key] = value.asnumpy()
        return {"kind": "array", "dtype": str(value.dtype), "shape": list(value.shape)}
    if isinstance(value, (list, tuple)):
        return {"kind": type(value).__name__,
                "items": [describe(v, f"{key}/{i}", arrays, np) for i, v in enumerate(value)]}
    if isinstance(value, onp.ndarray):
        arrays[key] = value
        return {"kind": "numpy", "dtype": str(value.dtype), "shape": list(value.shape)}
    if isinstance(value, onp.generic):
        return {"kind": "scalar", "value": value.item(), "pytype": type(value).__name__}
    if isinstance(value, (bool, int, float, str)) or value is None:
        return {"kind": "py", "value": value, "pytype": type(value).__name__}
    raise TypeError(f"{key}: cannot record {type(value)}")


def main():
    import mxnet as mx
    from mxnet import np, npx, autograd
    npx.set_np()
    env = {"mx": mx, "np": np, "npx": npx, "onp": onp, "autograd": autograd}
    exec(cases.PRELUDE, env)
    arrays, meta = {}, {"values": {}, "shapes": {}, "grads": {}, "errors": {}}
    failed = []
    for name, expr in cases.VALUES.items():
        try:
            meta["values"][name] = describe(eval(expr, env), f"v/{name}", arrays, np)
        except Exception as err:  # noqa: BLE001 - listed so the case can be dropped from cases.py
            failed.append(f"{name}: {type(err).__name__}: {str(err).splitlines()[0][:120]}")
    for name, expr in cases.SHAPES.items():
        with autograd.record():  # dropout mode='always' draws either way
            value = eval(expr, env)
        meta["shapes"][name] = {"dtype": str(value.dtype), "shape": list(value.shape)}
    for name, (expr, wrt) in cases.GRADS.items():
        genv = dict(env)
        exec(cases.GRAD_PRELUDE, genv)
        names = ["M2"] if wrt == "M2" else list(wrt)
        for n in names:
            genv[n].attach_grad()
        try:
            with autograd.record():
                out = eval(expr, genv)
            out.backward()
        except Exception as err:  # noqa: BLE001
            failed.append(f"{name}: {type(err).__name__}: {str(err).splitlines()[0][:120]}")
            continue
        arrays[f"g/{name}/out"] = out.asnumpy()
        for n in names:
            arrays[f"g/{name}/{n}"] = genv[n].grad.asnumpy()
        meta["grads"][name] = {"wrt": names, "dtype": str(out.dtype), "shape": list(out.shape)}
    for name, expr in cases.ERRORS.items():
        try:
            value = eval(expr, env)
            if hasattr(value, "asnumpy"):
                value.asnumpy()  # MXNet raises operator errors when the value is read
            meta["errors"][name] = None
        except Exception as err:  # noqa: BLE001 - the oracle records which expressions MXNet rejects
            meta["errors"][name] = type(err).__name__
        finally:
            npx.set_np()
    if failed:
        print("MXNet rejects (drop these from cases.py):\n  " + "\n  ".join(failed))
        return
    onp.savez_compressed(HERE / "numpy_oracle.npz", **arrays)
    (HERE / "numpy_oracle.json").write_text(json.dumps(meta, indent=1, sort_keys=True))
    print(f"{len(meta['values'])} value cases, {len(meta['shapes'])} shape cases, {len(meta['grads'])} gradient "
          f"cases, {len(meta['errors'])} error cases")


if __name__ == "__main__":
    main()
