"""ssdkit.ops.kernels.blas.gemm: the in-place (and accumulating) GEMM through numpy's OpenBLAS, against
numpy on every operand layout it accepts and on the ones it hands to numpy (other dtypes, strides)."""
import numpy as np
import pytest

from ssdkit.ops.kernels import blas


def _layouts(m, rng):
    """``m`` as a C-contiguous array, as a transposed (Fortran) layout, and as a strided view."""
    wide = np.zeros((m.shape[0], m.shape[1] + 3), m.dtype)
    wide[:, 1:m.shape[1] + 1] = m
    return {"c": m.copy(), "f": np.asfortranarray(m), "view": wide[:, 1:m.shape[1] + 1]}


@pytest.mark.parametrize("use_blas", [True, False], ids=["blas", "numpy"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_every_layout_and_accumulate(monkeypatch, use_blas, dtype):
    monkeypatch.setattr(blas, "USE_BLAS", use_blas)
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((7, 5)).astype(dtype), rng.standard_normal((5, 6)).astype(dtype)
    start = rng.standard_normal((7, 6)).astype(dtype)
    expected = a.astype(np.float64) @ b.astype(np.float64)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    for a_l in _layouts(a, rng).values():
        for b_l in _layouts(b, rng).values():
            for out in _layouts(start, rng).values():
                assert blas.gemm(a_l, b_l, out, accumulate=True) is out
                np.testing.assert_allclose(out, start + expected, rtol=tol, atol=tol)
                blas.gemm(a_l, b_l, out)
                np.testing.assert_allclose(out, expected, rtol=tol, atol=tol)


def test_blas_and_numpy_agree_to_rounding(monkeypatch):
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((40, 300)).astype(np.float32), rng.standard_normal((300, 50)).astype(np.float32)
    results = []
    for use_blas in (True, False):
        monkeypatch.setattr(blas, "USE_BLAS", use_blas)
        out = np.ones((40, 50), np.float32)
        results.append(blas.gemm(a, b.T.copy().T, out, accumulate=True))
    np.testing.assert_allclose(results[0], results[1], rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("case", ["half", "mixed", "one-row", "empty", "step-2"])
def test_other_operands_go_through_numpy(case):
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 5))
    if case == "half":
        a, b = a.astype(np.float16), b.astype(np.float16)
    elif case == "mixed":
        a = a.astype(np.float32)
    elif case == "one-row":
        a = a[:1]
    elif case == "empty":
        a, b = a[:, :0], b[:0]
    else:
        a = np.repeat(a, 2, axis=1)[:, ::2]
    out = np.full((a.shape[0], 5), 2, np.result_type(a, b))
    blas.gemm(a, b, out, accumulate=True)
    np.testing.assert_allclose(out, 2 + a.astype(np.float64) @ b, rtol=1e-2 if case == "half" else 1e-6)


def test_shapes_must_chain():
    with pytest.raises(ValueError, match=r"\(2, 3\) @ \(4, 5\) -> \(2, 5\)"):
        blas.gemm(np.zeros((2, 3)), np.zeros((4, 5)), np.zeros((2, 5)))


def test_numpys_bundled_openblas_is_found():
    """numpy's wheels bundle OpenBLAS (as in this project's CI): there the fast path must be live."""
    from ssdkit.ops.kernels.parallel import openblas_paths
    bundled = any("numpy" in path for path in openblas_paths())
    assert blas.BLAS_FOUND or not bundled
