"""Imports only go downward (../shared/STYLE.md): a module may import its own layer or lower ones."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "ssdkit"

# top-level module or package of ssdkit -> layer number
LAYERS = {
    "base": 0, "_numpy_op_doc": 0, "localserve": 0, "context": 0, "profiler": 0, "runtime": 0, "util": 0,
    "ops": 1, "boxes": 1, "recordio": 1, "datagen": 1,
    "autograd": 2,
    "ndarray": 3, "random": 3, "operator": 3, "numpy": 3, "numpy_extension": 3, "numpy_op_signature": 3, "numpy_dispatch_protocol": 3,
    "symbol": 4, "attribute": 4,
    "gluon": 5, "contrib": 5, "initializer": 5, "optimizer": 5, "lr_scheduler": 5, "metric": 5,
    "kvstore": 5,   # the process-local store a Trainer uses; its MPI store types live in distributed (6)
    "detection": 6, "image": 6, "io": 6, "distributed": 6, "module": 6, "model": 6, "callback": 6, "rnn": 6, "monitor": 6,
    "model_zoo": 7, "viz": 7,
    "apps": 8,   # the command-line tools (ssdkit-train/-detect/-eval) over the public API
    "help": 9, "docserve": 9, "editor": 9, "testing": 9, "mxnet_alias": 9, "run": 9,   # tools over the whole library; nothing in the library imports them
}


def _module_parts(path):
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    return parts[:-1] if parts[-1] == "__init__" else parts, parts[-1] == "__init__"


def _imported(path):
    """Yield top-level ssdkit submodule names this file imports (absolute and relative)."""
    parts, is_pkg = _module_parts(path)
    package = parts if is_pkg else parts[:-1]
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names = alias.name.split(".")
                if names[0] == "ssdkit" and len(names) > 1:
                    yield names[1], node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - (node.level - 1)] if node.level > 1 else package
                target = base + (node.module.split(".") if node.module else [])
            else:
                target = node.module.split(".") if node.module else []
            if not target or target[0] != "ssdkit":
                continue
            if len(target) > 1:
                yield target[1], node.lineno
            else:  # from ssdkit import x / from . import x at the package root
                for alias in node.names:
                    yield alias.name, node.lineno


def _layer_of(path):
    parts, _ = _module_parts(path)
    return parts[1] if len(parts) > 1 else None


FILES = sorted(p for p in PACKAGE.rglob("*.py"))


def test_every_module_has_a_layer():
    unknown = sorted({_layer_of(p) for p in FILES} - set(LAYERS) - {None})
    assert not unknown, f"add these ssdkit modules to LAYERS in tests/test_layering.py: {unknown}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_go_downward(path):
    own = _layer_of(path)
    if own is None:  # ssdkit/__init__.py is the facade over every layer
        return
    bad = [(name, line, LAYERS[name]) for name, line in _imported(path)
           if name in LAYERS and LAYERS[name] > LAYERS.get(own, 99)]
    assert not bad, "\n".join(f"{path.relative_to(ROOT)}:{line} (layer {LAYERS[own]}) imports ssdkit.{name} "
                              f"(layer {layer})" for name, line, layer in bad)


def test_the_checker_catches_an_upward_import(tmp_path):
    fake = PACKAGE / "ops" / "_layering_probe.py"
    try:
        fake.write_text("from ..gluon import nn\n")
        assert [n for n, _ in _imported(fake)] == ["gluon"]
    finally:
        fake.unlink()
