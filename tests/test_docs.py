"""Run the tutorials in docs/: every ```python block of a page, in order, in one fresh namespace.

Each page runs in its own temporary directory. A block may be preceded by an HTML comment
``<!-- requires: ssdkit.model_zoo:ToySSD -->`` (a module, optionally ``:attribute``); when that is not in
the tree yet, the page stops there and the test is skipped naming what is missing (blocks before it have
run and passed). Tracebacks point at the Markdown file's own line numbers.
"""
import importlib
import re
import time
import traceback
import warnings
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
TUTORIALS = sorted(p for p in DOCS.glob("*.md") if p.name != "index.md")
# ```python fences, with an optional "<!-- requires: ... -->" comment right before
BLOCK = re.compile(r"(?:<!--\s*requires:\s*(?P<req>[^>]*?)\s*-->\s*\n)?^```python[^\n]*\n(?P<code>.*?)^```\s*$",
                   re.S | re.M)
PAGE_BUDGET_S = 20  # each page must stay small; a warning names a page over it


def code_blocks(path):
    """(first line number, code, requirement or None) of each ```python block of a Markdown file."""
    text = path.read_text(encoding="utf-8")
    for m in BLOCK.finditer(text):
        line = text.count("\n", 0, m.start("code")) + 1
        yield line, m.group("code"), (m.group("req") or None)


def missing(requirement):
    """None if ``module[:attr]`` imports, else a sentence saying what is missing."""
    module, _, attr = requirement.partition(":")
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and (module == exc.name or module.startswith(exc.name + ".")):
            return f"{module} is not in the tree yet"
        raise  # the module exists but something it imports is broken: that must fail, not skip
    if attr and not hasattr(mod, attr):
        return f"{module}.{attr} is not in the tree yet"
    return None


def run_page(path):
    """Execute the page's blocks; returns (seconds, skip reason or None)."""
    namespace = {"__name__": f"docs.{path.stem}"}
    start = time.perf_counter()
    for line, code, requirement in code_blocks(path):
        for req in (requirement or "").split():
            reason = missing(req)
            if reason:
                return time.perf_counter() - start, f"{path.name} line {line}: {reason}"
        # pad with blank lines so tracebacks show the Markdown file's line numbers
        compiled = compile("\n" * (line - 1) + code, str(path), "exec")
        try:
            exec(compiled, namespace)  # noqa: S102 - running our own tutorials is the point
        except Exception:
            pytest.fail(f"{path.name}: the block at line {line} failed:\n{traceback.format_exc()}", pytrace=False)
    return time.perf_counter() - start, None


def test_there_are_tutorials():
    assert {p.name for p in TUTORIALS} >= {"sequential_vs_hybrid.md", "hybridize.md", "intermediate_outputs.md",
                                           "train_toyssd.md", "porting.md"}
    for page in TUTORIALS:
        assert list(code_blocks(page)), f"{page.name} has no ```python block"


@pytest.mark.parametrize("page", TUTORIALS, ids=lambda p: p.stem)
def test_tutorial_runs(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    seconds, skipped = run_page(page)
    if skipped:
        pytest.skip(skipped)
    if seconds > PAGE_BUDGET_S:  # a note, not a failure: timings vary with the machine's load
        warnings.warn(f"{page.name} took {seconds:.1f} s; keep tutorials under {PAGE_BUDGET_S} s")


def test_requirement_markers():
    assert missing("ssdkit.gluon:HybridBlock") is None
    assert "not in the tree" in missing("ssdkit.gluon:NoSuchThing")
    assert "not in the tree" in missing("ssdkit.no_such_module")
    assert "not in the tree" in missing("ssdkit.no_such_package.module")
