"""The opt-in `import mxnet` alias (ssdkit.alias_mxnet, python -m ssdkit.run), mx.contrib and mxnet.base names.

Each alias test runs in a fresh interpreter: the alias changes sys.modules for the whole process.
"""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _python(code, *args, cwd=None, extra_path=None):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [extra_path, str(ROOT)])))
    return subprocess.run([sys.executable, *args] if not code else [sys.executable, "-c", textwrap.dedent(code)],
                          capture_output=True, text=True, env=env, cwd=cwd, timeout=120)


def test_alias_resolves_every_submodule_to_ssdkits_own_module():
    out = _python("""
        import ssdkit
        ssdkit.alias_mxnet()
        import mxnet as mx, mxnet.gluon.nn, mxnet.ndarray.contrib
        from mxnet import nd, gluon, autograd, contrib, test_utils
        from mxnet.contrib.ndarray import MultiBoxPrior
        from mxnet.base import string_types, numeric_types, integer_types, MXNetError, py_str, _as_list
        assert mx.gluon.nn is ssdkit.gluon.nn and nd is ssdkit.nd and test_utils is ssdkit.testing
        assert contrib.nd.MultiBoxPrior is MultiBoxPrior is ssdkit.nd.contrib.MultiBoxPrior
        assert isinstance("a", string_types) and isinstance(3, integer_types) and issubclass(MXNetError, Exception)
        assert mx.__version__ == "1.9.1" and mx.ssdkit_version == ssdkit.__version__ != "1.9.1"
        assert ssdkit.__version__ == mx.ssdkit_version
        mx.my_attribute = 5                   # writes reach ssdkit, as code patching mxnet expects
        assert ssdkit.my_attribute == 5
        assert ssdkit.alias_mxnet() is mx     # idempotent
        try:
            import mxnet.no_such_module
        except ModuleNotFoundError as err:
            assert "ssdkit" in str(err), err
        else:
            raise AssertionError("missing module imported")
        print("ok")
    """)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


def test_alias_refuses_when_a_real_mxnet_is_importable(tmp_path):
    fake = tmp_path / "mxnet"
    fake.mkdir()
    (fake / "__init__.py").write_text("__version__ = '1.9.1'\n")
    out = _python("""
        import ssdkit
        from ssdkit.mxnet_alias import MXNetAliasError
        try:
            ssdkit.alias_mxnet()
        except MXNetAliasError as err:
            print(err)
    """, extra_path=str(tmp_path))
    assert "a real mxnet is importable from" in out.stdout and str(fake) in out.stdout, out.stderr
    run = _python(None, "-m", "ssdkit.run", "whatever.py", extra_path=str(tmp_path))
    assert run.returncode == 1 and "real mxnet" in run.stderr


def test_alias_is_never_installed_behind_the_users_back():
    out = _python("import ssdkit, ssdkit.gluon, sys; print('mxnet' in sys.modules)")
    assert out.stdout.strip() == "False", out.stderr


def test_run_executes_a_script_as_main_with_its_arguments(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent("""
        import sys
        import mxnet as mx
        from mxnet import nd
        if __name__ == "__main__":
            print(mx.__version__, sys.argv[1:], nd.ones((2, 2)).sum().asscalar())
    """))
    out = _python(None, "-m", "ssdkit.run", str(script), "--epochs", "2")
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["1.9.1", "['--epochs',", "'2']", "4.0"]
    usage = _python(None, "-m", "ssdkit.run")
    assert usage.returncode == 2 and "usage" in usage.stderr
