"""What people asked, with the APIs that answered them: every labelled query is a phrase of its answers.

Seven writers who never saw the search code wrote queries from the list of API names alone, each with the names
that fairly answer it (``_asked/dev_*.py`` and the already scored ``_asked/heldout_*.py``; the story is in
benchmarks/help_queries/README.md). Curated phrases (the other concept modules) say what an API does in the
library's and other frameworks' words; these say it in the words of people looking for it, much as a search
engine learns from its query log. Left out on purpose: a held-out set still to be scored (it lives in
benchmarks/help_queries until then) and tests/help_queries.py, which the test suite scores.

Measured leave-one-writer-out (phrases from five writers, queries of the sixth): top-1 507 -> 513 and top-3
572 -> 579 of 600; on the one set no tuning had seen (dev_f), 81 -> 85 top-1 and 92 -> 95 top-3 of 100.

Examples
--------
>>> any("gluon.nn.Flatten" in targets.split() for targets, _ in CONCEPTS)
True
"""
import importlib
import pkgutil

from . import _asked

__all__ = ["CONCEPTS", "asked_queries"]


def asked_queries():
    """Every ``(query, answers)`` pair of the scored blind sets, in file order.

    Examples
    --------
    >>> pairs = asked_queries()
    >>> len(pairs) > 1000, all(isinstance(q, str) and answers for q, answers in pairs)
    (True, True)
    """
    pairs = []
    for info in sorted(pkgutil.iter_modules(_asked.__path__), key=lambda m: m.name):
        pairs += importlib.import_module(f"{_asked.__name__}.{info.name}").QUERIES
    return pairs


# "|" separates a concept's phrases, so a query holding one (none do today) must not split into two
CONCEPTS = tuple((answers, query.replace("|", " ")) for query, answers in asked_queries())
