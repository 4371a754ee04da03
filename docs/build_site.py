"""Build the static HTML documentation: the tutorials of docs/ and the API reference, rendered by pdoc.

    python docs/build_site.py                 # -> build/docs/index.html
    python docs/build_site.py -o site/        # another output directory

pdoc renders modules, so the tutorials become the docstrings of small generated modules (package
``ssdkit_docs`` under ``build/docs_src``): ``ssdkit_docs`` is the landing page, one submodule per tutorial,
and ``ssdkit_docs.operators`` lists every ``nd``/``sym`` operator (the registry generates those functions,
so pdoc would not list them on its own). The build fails when a module cannot be imported or a page
cannot be rendered.
"""
import argparse
import re
import shutil
import sys
import time
import warnings
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
PACKAGE = "ssdkit_docs"
# Tutorials in reading order (file stem); the title is each page's first heading.
TUTORIALS = ("sequential_vs_hybrid", "hybridize", "intermediate_outputs", "train_toyssd", "training", "porting",
             "model_zoo", "editor")
FATAL_WARNINGS = ("Error importing", "Error loading", "Error parsing", "Cannot")
_MD_LINK = re.compile(r"\]\(([\w-]+)\.md(#[\w-]*)?\)")

LANDING = """\
ssdkit: the MXNet Gluon programming model and the SSD object-detection stack in pure Python (numpy).

`import ssdkit as mx` — Gluon code and SSD tutorials written for MXNet 1.x run on a modern Python,
CPU only, with nothing to compile.

## Tutorials

{tutorials}

## API reference

* `ssdkit` — the package: `ssdkit.ndarray` (`mx.nd`), `ssdkit.autograd`, `ssdkit.symbol` (`mx.sym`),
  `ssdkit.gluon`, `ssdkit.initializer` (`mx.init`), `ssdkit.optimizer`, `ssdkit.lr_scheduler`,
  `ssdkit.metric`, `ssdkit.recordio`, `ssdkit.image`, `ssdkit.io`, `ssdkit.detection`, `ssdkit.boxes`,
  `ssdkit.model_zoo`, `ssdkit.viz`, `ssdkit.profiler` ...
* [Operators](ssdkit_docs/operators.html) — every `mx.nd` / `mx.sym` operator with its inputs and parameters.

## Searching the API in your own words

```python
import ssdkit as mx
mx.help("remove overlapping boxes")      # ranked API names, one per line
```

or `ssdkit-help "learning rate decay" -n 5` in a shell (`--json` for tools). PyTorch and MXNet
vocabulary and typos are understood.
"""


def _title(markdown):
    first = next((ln for ln in markdown.splitlines() if ln.startswith("# ")), "# Untitled")
    return first[2:].strip().replace("`", "")


def _module_source(doc):
    # the page text is the module's docstring; repr() keeps any quotes or backslashes intact
    return f"__doc__ = {doc!r}\n"


def operators_page():
    """Markdown table of the registry's nd/sym functions, from the help catalog."""
    from ssdkit.help.catalog import build_catalog
    groups = {}  # op group -> {short name: (summary, params)}
    for e in build_catalog():
        if e.kind == "op" and e.name.startswith(("ssdkit.nd.", "ssdkit.sym.")):
            short = e.name.split(".", 2)[2]
            groups.setdefault(e.group, {}).setdefault(short, (e.summary.replace(" (symbolic)", ""), e.params))
    lines = ["All operators of the registry. Each is `mx.nd.<name>` (computes on NDArrays) and "
             "`mx.sym.<name>` (adds a graph node); `contrib.` ones live in `mx.nd.contrib` / `mx.sym.contrib`. "
             "Names on one row are aliases of one operator.",
             "", "| operator | what it does | inputs and parameters |", "|---|---|---|"]
    rows = []
    for group, names in groups.items():
        canonical = group.split(":", 1)[1].replace("_contrib_", "contrib.")
        ordered = sorted(names, key=lambda n: (n != canonical, n.lower()))
        summary, params = names[ordered[0]]
        rows.append((ordered[0].lower(), f"| {', '.join(f'`{n}`' for n in ordered)} | {summary.replace('|', '/')} "
                                         f"| {', '.join(params)} |"))
    lines += [row for _, row in sorted(rows)]
    return "# Operators\n\n" + "\n".join(lines) + "\n"


def write_pages(src):
    """Write the generated ``ssdkit_docs`` package into ``src``; returns the tutorial titles."""
    pkg = src / PACKAGE
    if pkg.exists():
        shutil.rmtree(pkg)
    pkg.mkdir(parents=True)
    items = []
    for stem in TUTORIALS:
        text = (DOCS / f"{stem}.md").read_text(encoding="utf-8")
        text = _MD_LINK.sub(lambda m: f"]({m.group(1)}.html{m.group(2) or ''})", text)
        (pkg / f"{stem}.py").write_text(_module_source(text), encoding="utf-8")
        items.append(f"* [{_title(text)}]({PACKAGE}/{stem}.html)")
    (pkg / "operators.py").write_text(_module_source(operators_page()), encoding="utf-8")
    (pkg / "__init__.py").write_text(_module_source(LANDING.format(tutorials="\n".join(items))), encoding="utf-8")
    return items


def materialize_lazy_exports():
    """Make names that modules serve lazily (module ``__getattr__``) real attributes, so pdoc sees them.

    pdoc reads a module's ``__dict__``; ``ssdkit.gluon.SymbolBlock`` for one is loaded on first access.
    """
    import importlib
    import pkgutil
    import ssdkit
    for info in pkgutil.walk_packages(ssdkit.__path__, "ssdkit."):
        try:
            importlib.import_module(info.name)
        except Exception:  # noqa: BLE001 - pdoc reports the import error itself, with the module's name
            continue
    for name, module in list(sys.modules.items()):
        if name.startswith("ssdkit") and hasattr(module, "__getattr__") and hasattr(module, "__all__"):
            for attr in module.__all__:
                if attr not in vars(module):
                    try:
                        setattr(module, attr, getattr(module, attr))
                    except Exception:  # noqa: BLE001 - pdoc will name the unresolvable export
                        pass


def build(output):
    """Render the site into ``output``; raises RuntimeError on import or rendering errors."""
    import pdoc
    import pdoc.render
    src = output.parent / "docs_src"
    sys.path[:0] = [str(src), str(ROOT)]
    write_pages(src)
    materialize_lazy_exports()
    if output.exists():
        shutil.rmtree(output)
    pdoc.render.configure(docformat="numpy", footer_text="ssdkit", search=True, show_source=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pdoc.pdoc(PACKAGE, "ssdkit", output_directory=output)
    fatal = [str(w.message) for w in caught if str(w.message).startswith(FATAL_WARNINGS)]
    for w in caught:
        print(f"pdoc warning: {w.message}", file=sys.stderr)
    if fatal:
        raise RuntimeError("documentation build failed:\n" + "\n".join(fatal))
    # every page gets the runner script: examples editable and runnable under ssdkit-docs, shown read-only with
    # a hint when the site is opened from disk or published
    from ssdkit.docserve.assets import write_assets
    write_assets(output)
    if (DOCS / "images").is_dir():   # pictures the tutorials show (images/x.png beside their pages)
        shutil.copytree(DOCS / "images", output / PACKAGE / "images")
    # the landing page is the generated package's page
    (output / "index.html").write_text(
        f'<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0; url={PACKAGE}.html">'
        f'<a href="{PACKAGE}.html">ssdkit documentation</a>\n', encoding="utf-8")
    return sorted(output.rglob("*.html"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", default=str(ROOT / "build" / "docs"), help="output directory")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        pages = build(Path(args.output).resolve())
    except RuntimeError as err:
        print(err, file=sys.stderr)
        return 1
    print(f"{len(pages)} pages in {args.output} ({time.perf_counter() - start:.1f} s); open index.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
