"""Reliability, parameter and optimizer-state files: wrong shapes, missing and extra keys, pickled payloads,
truncated and corrupted files, a full disk and a killed writer. Loading either succeeds or raises an
MXNetError naming the file and what is wrong; nothing is ever unpickled; a failed save leaves the previous
file intact. See /work/notes/reliability_matrix.md for the case list.
"""
import ast
import errno
import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import ssdkit as mx
from ssdkit.base import MXNetError
from ssdkit.gluon import nn

REPO = Path(__file__).resolve().parents[1]
ENOSPC = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def mlp(hidden=3, extra_layer=False):
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(nn.Dense(hidden, in_units=4), nn.Dense(2, in_units=hidden))
        if extra_layer:
            net.add(nn.Dense(2, in_units=2))
    net.initialize()
    return net


def trained(net, optimizer="adam", steps=1):
    trainer = mx.gluon.Trainer(net.collect_params(), optimizer, {"learning_rate": 0.1})
    for _ in range(steps):
        with mx.autograd.record():
            loss = net(mx.nd.ones((2, 4))).sum()
        loss.backward()
        trainer.step(2)
    return trainer


def saved(tmp_path, net, name="net.params"):
    path = str(tmp_path / name)
    net.save_parameters(path)
    return path


def parameter_values(net):
    return {k: p.data().asnumpy().copy() for k, p in net.collect_params().items()}


# -- load_parameters: shapes and keys ------------------------------------------------------------------

def test_wrong_shape_names_parameter_and_both_shapes(tmp_path):
    path = saved(tmp_path, mlp(hidden=3))
    net = mlp(hidden=5)
    before = parameter_values(net)
    with pytest.raises(MXNetError, match=r"dense0_weight.*expected \(5, 4\) vs saved \(3, 4\)"):
        net.load_parameters(path)
    assert all(np.array_equal(v, before[k]) for k, v in parameter_values(net).items())


def test_missing_key_names_key_file_and_the_way_out(tmp_path):
    path = saved(tmp_path, mlp())
    with pytest.raises(MXNetError, match=r"'2\.weight' is missing in file '.*net\.params'.*allow_missing=True"):
        mlp(extra_layer=True).load_parameters(path)
    mlp(extra_layer=True).load_parameters(path, allow_missing=True)


def test_extra_key_names_key_file_and_the_way_out(tmp_path):
    path = saved(tmp_path, mlp(extra_layer=True))
    with pytest.raises(MXNetError, match=r"'2\.weight' loaded from file '.*net\.params'.*ignore_extra=True"):
        mlp().load_parameters(path)
    mlp().load_parameters(path, ignore_extra=True)


def test_every_missing_key_is_listed(tmp_path):
    arrays = mx.nd.load(saved(tmp_path, mlp()))
    del arrays["0.weight"], arrays["1.bias"]
    path = str(tmp_path / "partial.params")
    mx.nd.save(path, arrays)
    with pytest.raises(MXNetError) as err:
        mlp().load_parameters(path)
    assert "0.weight" in str(err.value) and "1.bias" in str(err.value)


def test_every_extra_key_and_the_expected_keys_are_listed(tmp_path):
    arrays = mx.nd.load(saved(tmp_path, mlp()))
    arrays["9.weight"] = arrays["2.gamma"] = mx.nd.zeros((1,))
    path = str(tmp_path / "extra.params")
    mx.nd.save(path, arrays)
    with pytest.raises(MXNetError) as err:
        mlp().load_parameters(path)
    message = str(err.value)
    assert "9.weight" in message and "2.gamma" in message and "0.weight" in message


def test_unnamed_array_list_is_refused(tmp_path):
    path = str(tmp_path / "list.params")
    mx.nd.save(path, [mx.nd.ones((3, 4))])
    with pytest.raises(MXNetError, match=r"list\.params holds an unnamed list"):
        mlp().load_parameters(path)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(MXNetError, match=r"cannot read .*absent\.params"):
        mlp().load_parameters(str(tmp_path / "absent.params"))


# -- pickled payloads are refused, never unpickled ------------------------------------------------------

class _Trap:
    """Unpickling this object creates a file: proof that someone unpickled."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (Path(self.marker),))


def pickled_payloads(tmp_path):
    marker = tmp_path / "UNPICKLED"
    files = {}
    files["pickle.params"] = pickle.dumps({"0.weight": _Trap(marker)})
    np.save(tmp_path / "obj.npy", np.array([_Trap(marker)], dtype=object), allow_pickle=True)
    files["npy.params"] = (tmp_path / "obj.npy").read_bytes()
    np.savez(tmp_path / "obj.npz", w=np.array([_Trap(marker)], dtype=object))
    files["npz.params"] = (tmp_path / "obj.npz").read_bytes()
    files["obj.npz"] = files["npz.params"]
    for name, payload in files.items():
        (tmp_path / name).write_bytes(payload)
    return marker, [str(tmp_path / name) for name in files]


@pytest.fixture
def no_unpickling(monkeypatch):
    """Fail at once if anything calls pickle.load(s) or np.load(allow_pickle=True)."""
    def refuse(*args, **kwargs):
        raise AssertionError("pickle was called while loading a file")

    real_np_load = np.load

    def checked_np_load(*args, **kwargs):
        assert not kwargs.get("allow_pickle", False), "np.load(allow_pickle=True) was called"
        return real_np_load(*args, **kwargs)

    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(np, "load", checked_np_load)


def test_pickled_payloads_are_refused_by_every_loader(tmp_path, no_unpickling):
    marker, paths = pickled_payloads(tmp_path)
    net = mlp()
    trainer = trained(mlp())
    for path in paths:
        with pytest.raises(MXNetError, match=f"{Path(path).name}: not an MXNet NDArray file"):
            mx.nd.load(path)
        with pytest.raises(MXNetError, match=Path(path).name):
            net.load_parameters(path)
        with pytest.raises(MXNetError):
            trainer.load_states(path)
    assert not marker.exists()


def _imports_and_np_loads(path):
    """(imported module names, np.load calls that do not pass allow_pickle=False) of one source file."""
    tree = ast.parse(path.read_text(), str(path))
    imported, loose_loads = set(), []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "load" \
                and isinstance(node.func.value, ast.Name) and node.func.value.id in ("np", "numpy"):
            flags = {kw.arg: kw.value for kw in node.keywords}
            safe = isinstance(flags.get("allow_pickle"), ast.Constant) and flags["allow_pickle"].value is False
            if not safe:
                loose_loads.append(f"{path}:{node.lineno}")
    return imported, loose_loads


def test_library_and_scripts_never_import_pickle_nor_load_numpy_pickles():
    unpicklers = {"pickle", "cPickle", "_pickle", "dill", "cloudpickle", "shelve", "marshal", "joblib"}
    offenders = []
    for path in sorted([*REPO.glob("ssdkit/**/*.py"), *REPO.glob("scripts/*.py")]):
        imported, loose_loads = _imports_and_np_loads(path)
        offenders += [f"{path}: imports {name}" for name in imported & unpicklers] + loose_loads
    assert not offenders, "\n".join(offenders)


# -- truncated and corrupted files -------------------------------------------------------------------

def test_every_truncation_of_a_params_file_is_a_named_error(tmp_path):
    raw = Path(saved(tmp_path, mlp())).read_bytes()
    path = tmp_path / "cut.params"
    for cut in range(len(raw)):
        path.write_bytes(raw[:cut])
        with pytest.raises(MXNetError, match=r"cut\.params: truncated while reading"):
            mlp().load_parameters(str(path))


def test_trailing_garbage_is_a_named_error(tmp_path):
    path = Path(saved(tmp_path, mlp()))
    path.write_bytes(path.read_bytes() + b"junk")
    with pytest.raises(MXNetError, match=r"net\.params: 4 unexpected trailing bytes"):
        mlp().load_parameters(str(path))


def states_file(tmp_path, optimizer="adam"):
    trainer = trained(mlp(), optimizer)
    path = str(tmp_path / "trainer.states")
    trainer.save_states(path)
    return trainer, path


def test_truncated_trainer_states_raise_mxnet_error(tmp_path):
    trainer, path = states_file(tmp_path)
    raw = Path(path).read_bytes()
    for cut in range(0, len(raw), 7):
        Path(path).write_bytes(raw[:cut])
        with pytest.raises(MXNetError, match="truncated"):
            trainer.load_states(path)


def test_trainer_states_errors_name_the_file(tmp_path):
    trainer, path = states_file(tmp_path)
    Path(path).write_bytes(Path(path).read_bytes()[:100])
    with pytest.raises(MXNetError, match=r"trainer\.states"):
        trainer.load_states(path)


def _header_span(raw):
    """Byte range of the JSON header inside a states file (it is the last array, before the names)."""
    start = raw.index(b'{"format"')
    return start, raw.index(b"}}", start) + 2


def test_corrupted_trainer_states_header_raises_mxnet_error(tmp_path):
    trainer, path = states_file(tmp_path)
    raw = Path(path).read_bytes()
    start, end = _header_span(raw)
    failures = []
    for pos in range(start, end):
        for bit in (0, 7):
            damaged = bytearray(raw)
            damaged[pos] ^= 1 << bit
            Path(path).write_bytes(bytes(damaged))
            try:
                trainer.load_states(path)
            except MXNetError:
                pass
            except Exception as err:   # noqa: BLE001 -- any other type is the failure being counted
                failures.append(f"byte {pos} bit {bit}: {type(err).__name__}: {err}")
    assert not failures, f"{len(failures)} corruptions escaped as non-MXNet errors, e.g. {failures[:3]}"


def test_failed_load_states_leaves_the_trainer_unchanged(tmp_path):
    _, adam_path = states_file(tmp_path, "adam")
    trainer = trained(mlp(), "sgd")
    before = trainer._updaters[0].get_states(dump_optimizer=True)
    with pytest.raises(MXNetError, match="saved by Adam"):
        trainer.load_states(adam_path)
    assert trainer._updaters[0].get_states(dump_optimizer=True) == before


def test_states_of_another_model_are_refused_naming_the_parameter(tmp_path):
    _, path = states_file(tmp_path)                 # hidden layer of 3
    net = mlp(hidden=5)
    trainer = trained(net)
    with pytest.raises(MXNetError, match=r"\(5, 4\).*\(3, 4\)|\(3, 4\).*\(5, 4\)"):
        trainer.load_states(path)
        with mx.autograd.record():
            loss = net(mx.nd.ones((2, 4))).sum()
        loss.backward()
        trainer.step(2)


# -- a full disk and a killed writer ---------------------------------------------------------------------

class _DiskFull:
    """A writable file object that writes half of what it is given, then raises ENOSPC."""

    def __init__(self, handle):
        self._handle = handle

    def write(self, data):
        self._handle.write(data[:len(data) // 2])
        raise ENOSPC

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._handle.close()

    def __getattr__(self, name):
        return getattr(self._handle, name)


@pytest.fixture
def full_disk(monkeypatch):
    """Call the returned function to make every file opened for writing fail half-way with ENOSPC."""
    import builtins
    real_open = builtins.open

    def opener(file, mode="r", *args, **kwargs):
        handle = real_open(file, mode, *args, **kwargs)
        return _DiskFull(handle) if any(flag in mode for flag in "wax") else handle

    return lambda: monkeypatch.setattr(builtins, "open", opener)


def test_enospc_while_saving_parameters_keeps_the_previous_file(tmp_path, full_disk):
    net = mlp()
    path = saved(tmp_path, net)
    good = Path(path).read_bytes()
    trained(net)   # new values that will fail to save
    full_disk()
    with pytest.raises(MXNetError, match=r"could not write .*net\.params: No space left on device"):
        net.save_parameters(path)
    assert Path(path).read_bytes() == good
    assert sorted(os.listdir(tmp_path)) == ["net.params"]   # no temp file left behind


def test_enospc_at_fsync_keeps_the_previous_file(tmp_path, monkeypatch):
    net = mlp()
    path = saved(tmp_path, net)
    good = Path(path).read_bytes()

    def fsync(fd):
        raise ENOSPC

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(MXNetError, match="No space left on device"):
        mlp().save_parameters(path)
    assert Path(path).read_bytes() == good and sorted(os.listdir(tmp_path)) == ["net.params"]


def test_enospc_while_saving_trainer_states_keeps_the_previous_file(tmp_path, full_disk):
    trainer, path = states_file(tmp_path)
    good = Path(path).read_bytes()
    full_disk()
    with pytest.raises(MXNetError, match="No space left on device"):
        trainer.save_states(path)
    assert Path(path).read_bytes() == good


KILL_DURING_SAVE = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, {repo!r})
    import ssdkit as mx
    from ssdkit.gluon import nn
    net = nn.Dense(64, in_units=64)
    net.initialize(mx.init.Constant(7.0))

    class Dying:   # the checkpoint writer dies (SIGKILL) after writing half of the bytes
        def __init__(self, handle):
            self.handle = handle
        def write(self, data):
            self.handle.write(data[:len(data) // 2]); self.handle.flush()
            os.kill(os.getpid(), signal.SIGKILL)
        def __enter__(self):
            return self
        def __exit__(self, *exc):
            self.handle.close()
        def __getattr__(self, name):
            return getattr(self.handle, name)

    import builtins
    real_open = builtins.open
    builtins.open = lambda f, mode="r", *a, **k: Dying(real_open(f, mode, *a, **k)) if "w" in mode \\
        else real_open(f, mode, *a, **k)
    net.save_parameters(sys.argv[1])
""")


def test_kill_9_while_saving_parameters_keeps_the_previous_file(tmp_path):
    net = nn.Dense(64, in_units=64)
    net.initialize(mx.init.Constant(1.0))
    path = saved(tmp_path, net)
    good = Path(path).read_bytes()
    proc = subprocess.run([sys.executable, "-c", KILL_DURING_SAVE.format(repo=str(REPO)), path],
                          capture_output=True, timeout=120)
    assert proc.returncode == -9, proc.stderr.decode()[-2000:]
    assert Path(path).read_bytes() == good
    restored = nn.Dense(64, in_units=64)
    restored.load_parameters(path)
    assert (restored.weight.data().asnumpy() == 1.0).all()
