"""The math, linear-algebra and indexing operators equal MXNet 1.9.1: outputs and gradients of every case in
tests/data/opsmath_oracle (made by make_opsmath_oracle.py with real MXNet)."""
import json
from pathlib import Path

import numpy as np
import pytest

import ssdkit as mx

DATA = Path(__file__).parent / "data" / "opsmath_oracle"
ORACLE = np.load(DATA / "opsmath_oracle.npz")
META = json.loads((DATA / "opsmath_oracle.json").read_text())["cases"]
TOL = {"float64": dict(rtol=1e-7, atol=1e-9), "float32": dict(rtol=1e-5, atol=1e-6)}


def _function(path):
    fn = mx.nd
    for part in path.split("."):
        fn = getattr(fn, part)
    return fn


@pytest.mark.parametrize("case", sorted(META))
def test_op_equals_mxnet(case):
    meta = META[case]
    inputs = [ORACLE[f"{case}/in{i}"] for i in range(meta["inputs"])]
    arrays = [mx.nd.array(x, dtype=x.dtype) for x in inputs]
    for a, f in zip(arrays, meta["grad"]):
        if f:
            a.attach_grad()
    with mx.autograd.record():
        params = {k: tuple(v) if isinstance(v, list) else v for k, v in meta["params"].items()}  # JSON lists
        out = _function(meta["path"])(*arrays, **params)
    outs = out if isinstance(out, (list, tuple)) else [out]
    assert len(outs) == meta["outputs"]
    tol = TOL[meta["dtype"]]
    for i, o in enumerate(outs):
        want = ORACLE[f"{case}/out{i}"]
        assert o.shape == want.shape, (i, o.shape, want.shape)
        np.testing.assert_allclose(o.asnumpy(), want, err_msg=f"output {i}", **tol)
    if any(meta["grad"]):
        heads = [mx.nd.array(ORACLE[f"{case}/head{i}"], dtype=meta["dtype"]) for i in range(len(outs))]
        mx.autograd.backward(list(outs), heads)
        for i, (a, f) in enumerate(zip(arrays, meta["grad"])):
            if f:
                np.testing.assert_allclose(a.grad.asnumpy(), ORACLE[f"{case}/grad{i}"], err_msg=f"grad {i}", **tol)


def test_amp_multicast_follows_mxnet_type_rule():
    """float32 wins unless cast_narrow (then float16 wins); float64 and integers pass unchanged (MXNet's
    AMPMultiCastType); the gradient comes back in each input's dtype."""
    h, f, d = mx.nd.ones(2, dtype="float16"), mx.nd.ones(2), mx.nd.ones(2, dtype="float64")
    assert [y.dtype for y in mx.nd.amp_multicast(h, f, d, num_outputs=3)] == [np.float32, np.float32, np.float64]
    assert [y.dtype for y in mx.nd.amp_multicast(h, f, num_outputs=2, cast_narrow=True)] == [np.float16] * 2
    assert mx.nd.amp_cast(mx.nd.ones(2, dtype="int32"), dtype="float16").dtype == np.int32
    h.attach_grad()
    with mx.autograd.record():
        y = mx.nd.amp_multicast(h, f, num_outputs=2)[0]
    y.backward()
    assert h.grad.dtype == np.float16 and h.grad.asnumpy().tolist() == [1.0, 1.0]


def test_linalg_symbol_and_errors():
    """sym.linalg builds graphs with MXNet's shapes; wrong shapes name the operand and the shapes."""
    a, b = mx.sym.var("a"), mx.sym.var("b")
    out = mx.sym.linalg.gemm2(a, b, transpose_b=True)
    assert out.infer_shape(a=(2, 3, 4), b=(2, 5, 4))[1] == [(2, 3, 5)]
    u, lam = mx.sym.linalg.syevd(a)
    assert mx.sym.Group([u, lam]).infer_shape(a=(3, 4, 4))[1] == [(3, 4, 4), (3, 4)]
    with pytest.raises(mx.base.MXNetError, match="A of shape"):
        mx.nd.linalg.gemm2(mx.nd.ones((2, 3)), mx.nd.ones((4, 5)))
    with pytest.raises(mx.base.MXNetError, match="square"):
        mx.nd.linalg.potrf(mx.nd.ones((2, 3)))
    with pytest.raises(mx.base.MXNetError, match="positive-definite"):
        mx.nd.linalg.potrf(-mx.nd.ones((2, 2)))


def test_unique_zipfian_samples_unique_log_uniform_ids():
    mx.random.seed(1)
    ids, tries = mx.nd._internal._sample_unique_zipfian(range_max=1000, shape=(4, 50))
    assert ids.shape == (4, 50) and tries.shape == (4,) and ids.dtype == np.int64
    rows = ids.asnumpy()
    assert all(len(set(r)) == 50 for r in rows) and rows.min() >= 0 and rows.max() < 1000
    assert (tries.asnumpy() >= 50).all()
    # log-uniform: P(id < 31) = log(32) / log(1001) ~ 0.5 for a first draw
    first = mx.nd._internal._sample_unique_zipfian(range_max=1000, shape=(4000, 1))[0].asnumpy()
    assert abs((first < 31).mean() - np.log(32) / np.log(1001)) < 0.04
