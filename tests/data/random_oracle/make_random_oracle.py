"""Regenerate the MXNet 1.9.1 oracle for the densities (random_pdf_*) and the symbolic samplers (needs mxnet).

Usage: /work/mxvenv/bin/python tests/data/random_oracle/make_random_oracle.py
Writes random_oracle.json (cases, symbol names, arguments, outputs, messages) and random_oracle.npz (arrays)
next to this file. ssdkit and its tests never import mxnet; only this generator does (inside main()).
"""
import json
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent

# dist -> (sample maker(rs, shape), parameter makers(rs, shape)); parameters (2, 3), samples (2, 3, 4)
PDF_CASES = {
    "uniform": (lambda rs, s: rs.uniform(-0.5, 0.5, s), [lambda rs, s: rs.uniform(-2, -1, s),
                                                          lambda rs, s: rs.uniform(1, 2, s)]),
    "normal": (lambda rs, s: rs.normal(0, 2, s), [lambda rs, s: rs.uniform(-1, 1, s),
                                                   lambda rs, s: rs.uniform(0.5, 2, s)]),
    "gamma": (lambda rs, s: rs.uniform(0.2, 4, s), [lambda rs, s: rs.uniform(0.5, 3, s),
                                                     lambda rs, s: rs.uniform(0.5, 2, s)]),
    "exponential": (lambda rs, s: rs.uniform(0.1, 3, s), [lambda rs, s: rs.uniform(0.5, 3, s)]),
    "poisson": (lambda rs, s: rs.randint(0, 8, s), [lambda rs, s: rs.uniform(0.5, 6, s)]),
    "negative_binomial": (lambda rs, s: rs.randint(0, 8, s), [lambda rs, s: rs.randint(1, 6, s),
                                                              lambda rs, s: rs.uniform(0.2, 0.8, s)]),
    "generalized_negative_binomial": (lambda rs, s: rs.randint(0, 8, s), [lambda rs, s: rs.uniform(0.5, 3, s),
                                                                          lambda rs, s: rs.uniform(0.1, 1, s)]),
}


def pdf_cases(mx, arrays, meta):
    rs = np.random.RandomState(5)
    meta["pdf"] = {}
    for dtype in ("float32", "float64"):
        for dist, (make_sample, make_params) in PDF_CASES.items():
            values = [make_sample(rs, (2, 3, 4))] + [m(rs, (2, 3)) for m in make_params]
            meta["pdf"].setdefault(dist, {"inputs": len(values)})
            for is_log in (False, True):
                key = f"{dist}/{dtype}/{int(is_log)}"
                nds = [mx.nd.array(v, dtype=dtype) for v in values]
                for a in nds:
                    a.attach_grad()
                with mx.autograd.record():
                    out = getattr(mx.nd, f"random_pdf_{dist}")(*nds, is_log=is_log)
                head = rs.uniform(-1, 1, out.shape)
                out.backward(mx.nd.array(head, dtype=dtype))
                for i, v in enumerate(values):
                    arrays[f"{key}/in{i}"] = v.astype(dtype)
                    arrays[f"{key}/grad{i}"] = nds[i].grad.asnumpy()
                arrays[f"{key}/out"] = out.asnumpy()
                arrays[f"{key}/head"] = head.astype(dtype)
    # dirichlet: alpha (2, 3), samples (2, 4, 3); and one vector sample
    for dtype in ("float32", "float64"):
        alpha = rs.uniform(0.5, 2.5, (2, 3))
        sample = rs.dirichlet([1.0, 2.0, 3.0], (2, 4))
        for is_log in (False, True):
            key = f"dirichlet/{dtype}/{int(is_log)}"
            nds = [mx.nd.array(v, dtype=dtype) for v in (sample, alpha)]
            for a in nds:
                a.attach_grad()
            with mx.autograd.record():
                out = mx.nd.random_pdf_dirichlet(*nds, is_log=is_log)
            head = rs.uniform(-1, 1, out.shape)
            out.backward(mx.nd.array(head, dtype=dtype))
            for i, v in enumerate((sample, alpha)):
                arrays[f"{key}/in{i}"] = v.astype(dtype)
                arrays[f"{key}/grad{i}"] = nds[i].grad.asnumpy()
            arrays[f"{key}/out"] = out.asnumpy()
            arrays[f"{key}/head"] = head.astype(dtype)
    meta["pdf"]["dirichlet"] = {"inputs": 2}
    single = mx.nd.random_pdf_dirichlet(mx.nd.array([0.2, 0.3, 0.5]), mx.nd.array([1.0, 2.0, 3.0]))
    meta["dirichlet_single"] = {"shape": list(single.shape), "value": float(single.asnumpy()[0])}
    meta["pdf_arguments"] = {dist: getattr(mx.sym, f"random_pdf_{dist}")(mx.sym.var("x")).list_arguments()
                             for dist in list(PDF_CASES) + ["dirichlet"]}


def symbol_calls(mx):
    """The symbolic sampler calls and their input shapes, made with either library (tests/test_random_pdf_sym.py
    makes the same calls with ssdkit)."""
    r, v = mx.sym.random, mx.sym.var
    calls = {
        "uniform": lambda: r.uniform(-1, 2, shape=(2, 3)),
        "uniform_sym": lambda: r.uniform(v("lo"), v("hi"), shape=4),
        "normal": lambda: r.normal(shape=(3,), dtype="float64"),
        "normal_sym": lambda: r.normal(v("mu"), v("sigma"), shape=(2,)),
        "randn": lambda: r.randn(2, 5, loc=1.0),
        "randn_sym": lambda: r.randn(3, loc=v("mu"), scale=v("sigma")),
        "exponential": lambda: r.exponential(0.5, shape=(2,)),
        "exponential_sym": lambda: r.exponential(v("scale"), shape=(2,)),
        "gamma": lambda: r.gamma(2.0, 3.0, shape=(4,)),
        "poisson_sym": lambda: r.poisson(v("lam"), shape=(3,)),
        "negative_binomial": lambda: r.negative_binomial(3, 0.5, shape=(2,)),
        "generalized_negative_binomial_sym": lambda: r.generalized_negative_binomial(v("mu"), v("alpha")),
        "multinomial": lambda: r.multinomial(v("p"), shape=3),
        "multinomial_noprob": lambda: r.multinomial(v("p"), shape=(2, 2), get_prob=False),
        "shuffle": lambda: r.shuffle(v("a")),
        "randint": lambda: r.randint(0, 9, shape=(2,)),
        "normal_like": lambda: r.normal_like(v("d"), loc=2.0),
        "zipfian": lambda: mx.sym.Group(list(mx.sym.contrib.rand_zipfian(v("true"), 6, 10))),
    }
    shapes = {"uniform_sym": {"lo": (2,), "hi": (2,)}, "normal_sym": {"mu": (3,), "sigma": (3,)},
              "randn_sym": {"mu": (2,), "sigma": (2,)}, "exponential_sym": {"scale": (5,)},
              "poisson_sym": {"lam": (2, 2)}, "generalized_negative_binomial_sym": {"mu": (3,), "alpha": (3,)},
              "multinomial": {"p": (2, 4)}, "multinomial_noprob": {"p": (4,)}, "shuffle": {"a": (5, 2)},
              "normal_like": {"d": (3, 2)}, "zipfian": {"true": (4,)}}
    return calls, shapes


def symbol_cases(mx, meta):
    """Names, arguments, outputs and shapes of the symbolic samplers."""
    calls, shapes = symbol_calls(mx)
    r, v = mx.sym.random, mx.sym.var
    meta["symbols"] = {}
    for key, make in calls.items():
        with mx.name.NameManager():
            s = make()
        arg_shapes, out_shapes, _ = s.infer_shape(**shapes.get(key, {}))
        _, out_types, _ = s.infer_type(**{k: np.float32 for k in shapes.get(key, {})})
        meta["symbols"][key] = {"name": s.name, "arguments": s.list_arguments(), "outputs": s.list_outputs(),
                                "out_shapes": [list(o) for o in out_shapes],
                                "out_types": [np.dtype(t).name for t in out_types]}
    errors = {}
    for key, make in {"mixed": lambda: r.normal(v("a"), 1.0), "text": lambda: r.normal("x", 1.0)}.items():
        try:
            make()
        except Exception as err:   # noqa: BLE001  (the oracle records whatever MXNet raises)
            errors[key] = [type(err).__name__, str(err).replace("mxnet.symbol.symbol.Symbol", "<Symbol>")]
    meta["errors"] = errors


def main():
    import mxnet as mx
    arrays, meta = {}, {"mxnet": mx.__version__}
    pdf_cases(mx, arrays, meta)
    symbol_cases(mx, meta)
    np.savez_compressed(HERE / "random_oracle.npz", **arrays)
    (HERE / "random_oracle.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")
    print(len(arrays), "arrays")


if __name__ == "__main__":
    main()
