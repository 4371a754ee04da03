"""The optional compiled-kernel gate (ssdkit.ops.kernels.jit): numba only when importable and not switched off.

CI runs this file (and the kernel tests that use compiled kernels) twice: with numba installed (the test
extra) and with SSDKIT_JIT=0; the cases below also force each path in one process.
"""
import subprocess
import sys

import numpy as np
import pytest

from ssdkit.ops.kernels import jit

#: Whether this run takes the compiled path (numba installed and SSDKIT_JIT not 0 when it started).
RUN_COMPILED = jit.jit_available()


@jit.kernel
def _scaled_sum(a, scale):
    total = 0.0
    for i in range(a.shape[0]):
        total += a[i] * scale
    return total


def test_switched_off_by_environment(monkeypatch):
    for value in ("0", "false", "OFF", " no "):
        monkeypatch.setenv(jit.ENV_VAR, value)
        assert not jit.jit_available()
        assert _scaled_sum.compiled() is None
        assert _scaled_sum(np.arange(4.0), 2.0) == 12.0      # the plain Python function ran


def test_without_numba_the_numpy_path_is_taken(monkeypatch):
    monkeypatch.delenv(jit.ENV_VAR, raising=False)
    monkeypatch.setattr(jit, "_numba", [None])              # as if the import had failed
    k = jit.Kernel(lambda x: x * 3)
    assert not jit.jit_available()
    assert k.compiled() is None and k(2) == 6


def test_compiled_when_available(monkeypatch):
    if not RUN_COMPILED:
        pytest.skip("numba is missing or this run has SSDKIT_JIT=0 (CI's run with numba covers this case)")
    monkeypatch.delenv(jit.ENV_VAR, raising=False)
    fast = _scaled_sum.compiled()
    assert fast is not None and fast is _scaled_sum.compiled()      # compiled once
    a = np.random.RandomState(0).rand(1000)
    assert fast(a, 0.5) == pytest.approx(_scaled_sum.function(a, 0.5), rel=1e-12)
    assert fast.targetoptions["nogil"] and _scaled_sum.options["cache"]


def test_cache_only_for_functions_in_files():
    assert jit._cachable(_scaled_sum.function)
    assert not jit._cachable(lambda x: x)
    namespace = {}
    exec("def f(x):\n    return x\n", namespace)
    assert not jit._cachable(namespace["f"])


def test_decorator_forms():
    plain = jit.kernel(lambda x: x)
    with_options = jit.kernel(fastmath=True)(lambda x: x)
    assert isinstance(plain, jit.Kernel) and isinstance(with_options, jit.Kernel)
    assert with_options.options == {"nogil": True, "cache": True, "fastmath": True}


def test_importing_ssdkit_does_not_import_numba():
    code = "import sys, ssdkit, ssdkit.gluon; print('numba' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
