"""The docs site's search box: ``ssdkit-help``'s engine, each hit with its page on the site and an example.

Examples
--------
>>> hits = search_hits("remove overlapping boxes", site=None, n=3)
>>> any("box_nms" in h["name"] for h in hits), sorted(hits[0])
(True, ['example', 'kind', 'name', 'summary', 'url'])
"""
import importlib
import inspect
from pathlib import Path

__all__ = ["search_hits", "page_of", "first_example"]

OPERATORS_PAGE = "ssdkit_docs/operators.html"
LANDING_PAGE = "ssdkit_docs.html"


def _resolve(name):
    """The object a dotted API name points at (``ssdkit.gluon.Block.usage``), or None."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for attr in parts[cut:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return None
        return obj
    return None


def _candidates(dotted):
    """(page, anchor) pairs for a dotted path, the longest module part first: a.b.C.m -> a/b/C.html#m,
    a/b.html#C.m, a.html#b.C.m."""
    parts = dotted.split(".")
    return [("/".join(parts[:k]) + ".html", ".".join(parts[k:])) for k in range(len(parts) - 1, 0, -1)]


def _has_anchor(site, page, anchor, cache={}):
    path = Path(site) / page
    if path not in cache:
        cache[path] = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else None
    text = cache[path]
    return text is not None and (not anchor or f'id="{anchor}"' in text)


def page_of(name, site=None):
    """The site-relative URL documenting API ``name``: the page (and anchor) pdoc wrote for it.

    Tried in order: the defining module + qualified name, then the name as listed (``ssdkit.gluon.Trainer``),
    each from the longest module path down; registry operators go to the operators page. Without ``site``
    the first guess is returned; with it, only a page holding the anchor counts (else the landing page).

    Examples
    --------
    >>> page_of("ssdkit.gluon.Block.usage")
    'ssdkit/gluon/block.html#Block.usage'
    """
    obj = _resolve(name)
    target = inspect.unwrap(obj) if callable(obj) else obj
    module, qualname = getattr(target, "__module__", None), getattr(target, "__qualname__", None)
    if inspect.ismodule(target):
        module, qualname = target.__name__, ""
    guesses = []
    if module and module.startswith("ssdkit") and qualname is not None and "<" not in qualname:
        parts = module.split(".")
        # the defining module's page, then each package above it that re-exports the name
        guesses += [("/".join(parts[:k]) + ".html", qualname) for k in range(len(parts), 0, -1)]
    if module and module.startswith(("ssdkit.ndarray.register", "ssdkit.symbol.register", "ssdkit.ops")):
        guesses.insert(0, (OPERATORS_PAGE, ":~:text=" + name.rsplit(".", 1)[-1]))
    guesses += _candidates(name)
    if site is None:
        page, anchor = guesses[0]
        return page + ("#" + anchor if anchor else "")
    for page, anchor in guesses:
        check = "" if anchor.startswith(":~:") else anchor
        if _has_anchor(site, page, check):
            return page + ("#" + anchor if anchor else "")
    return LANDING_PAGE


def first_example(name):
    """The first ``>>>`` example of ``name``'s docstring as plain code (prompts removed), or ''.

    Examples
    --------
    >>> print(first_example("ssdkit.kv.create").splitlines()[0])
    import ssdkit as mx
    """
    obj = _resolve(name)
    doc = inspect.getdoc(obj) or ""
    lines, code, started = doc.splitlines(), [], False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith(">>>"):
            started = True
            code.append(stripped[4:])
        elif stripped.startswith("...") and started:
            code.append(stripped[4:])
        elif started and not stripped:
            break
    return "\n".join(c.split("  # doctest:")[0].rstrip() for c in code)


def search_hits(query, site=None, n=8):
    """Hits of ``query`` as dicts: ``name``, ``kind``, ``summary``, ``url`` (on the site), ``example``."""
    from ..help import search
    return [{"name": r.name, "kind": r.kind, "summary": r.summary, "url": page_of(r.name, site),
             "example": first_example(r.name)} for r in search(query, n=n)]
