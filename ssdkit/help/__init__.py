"""Search ssdkit's API in your own words: ``mx.help("remove overlapping boxes")``.

The search is offline and needs nothing beyond ssdkit: it ranks every public name (``mx.nd``, ``mx.sym``,
``mx.gluon`` with its layers, losses, data and Block methods, ``mx.init``, optimizers, schedulers, metrics,
RecordIO, images, detection, boxes, viz ...) by its docstring, its parameters and a curated table of
paraphrases, PyTorch and MXNet vocabulary, and forgives typos. The index is built on the first query
(a fraction of a second) and kept in memory; the catalog it is built from is also cached on disk
(:mod:`ssdkit.help.cache`) so the command line need not import the whole library.

From a shell: ``ssdkit-help "save model" -n 5`` or ``python -m ssdkit.help --json "anchor boxes"``.

Examples
--------
>>> import ssdkit as mx
>>> search("remove overlapping boxes", n=3)[0].name
'ssdkit.nd.contrib.box_nms'
>>> mx.help("colect params", n=1)  # doctest: +ELLIPSIS
ssdkit.gluon.Block.collect_params  — ...
"""
import builtins
import sys
import threading
import types

from . import cache
from .catalog import build_catalog
from .ranking import Index, Result

__all__ = ["help", "search", "format_results", "get_index", "Result", "DEFAULT_COUNT"]

DEFAULT_COUNT = 10
SUMMARY_WIDTH = 100     # characters of summary shown per line; the name is never cut
_lock = threading.Lock()
_index = None


def get_index():
    """The search index, built on first use and cached for the process.

    Returns
    -------
    Index
    """
    global _index
    with _lock:
        if _index is None:
            entries = cache.load()
            if entries is None:
                failures = []
                entries = build_catalog(failures)
                if not failures:  # never keep a catalog with holes from a broken import
                    cache.save(entries)
            _index = Index(entries)
        return _index


def search(query, n=DEFAULT_COUNT):
    """Ranked API names for a free-text ``query``.

    Parameters
    ----------
    query : str
        Words as you would say them: ``"learning rate decay"``, ``"torch.cat"``, ``"hybridise"``.
    n : int
        How many results (default 10).

    Returns
    -------
    list of Result
        Best first; each has ``name``, ``kind``, ``summary``, ``score`` and ``aliases``.

    Examples
    --------
    >>> search("anchor boxes", n=2)[0].name
    'ssdkit.nd.contrib.MultiBoxPrior'
    """
    return get_index().search(str(query), n=max(int(n), 0))


def format_results(results):
    """One line per result: the fully qualified name, padded, then ``—`` and the one-line summary.

    Parameters
    ----------
    results : list of Result

    Returns
    -------
    str

    Examples
    --------
    >>> print(format_results([Result("ssdkit.nd.concat", "op", "Concatenate arrays.", 1.0)]))
    ssdkit.nd.concat  — Concatenate arrays.
    """
    width = max((len(r.name) for r in results), default=0)
    lines = []
    for r in results:
        summary = r.summary or "(no docstring)"
        if len(summary) > SUMMARY_WIDTH:
            summary = summary[:SUMMARY_WIDTH - 1].rstrip() + "…"
        lines.append(f"{r.name.ljust(width)}  — {summary}")
    return "\n".join(lines)


def help(query=None, n=DEFAULT_COUNT):  # noqa: A001 - the name MXNet users will try first
    """Print the APIs that best match ``query``, one per line, best first.

    Given an object instead of a string, shows Python's own help for it (``mx.help(mx.nd.concat)``).

    Parameters
    ----------
    query : str or object, optional
        Free text; without it, prints how to use this function.
    n : int
        How many results (default 10).

    Examples
    --------
    >>> help("learning rate decay", n=1)  # doctest: +ELLIPSIS
    ssdkit.lr_scheduler.FactorScheduler  — ...
    """
    if query is None:
        print('Search the ssdkit API in plain words, e.g. mx.help("remove overlapping boxes") or '
              'mx.help("torch.no_grad", n=3); mx.help(obj) shows the docstring of obj.')
        return
    if not isinstance(query, str):
        builtins.help(query)
        return
    results = search(query, n)
    print(format_results(results) if results else f"No API matches {query!r}.")


class _CallableModule(types.ModuleType):
    """Importing ``ssdkit.help`` binds the module as ``ssdkit.help``: keep ``mx.help("...")`` a call."""

    def __call__(self, query=None, n=DEFAULT_COUNT):
        return help(query, n)


sys.modules[__name__].__class__ = _CallableModule
