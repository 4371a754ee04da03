"""Score the help search on query files: top-1 / top-3 / top-10 hit rates and every top-3 miss.

A query file defines ``QUERIES = [(query, "space-separated acceptable names relative to ssdkit."), ...]``
(the format of tests/help_queries.py, benchmarks/help_queries/*.py and ssdkit/help/concepts/_asked/*.py).
A query counts as found at rank r when the r-th result, or one of the names it stands for (its aliases), is an acceptable name. Acceptable
names absent from the catalog (modules not installed) are dropped; a query left with none is skipped.

Run: ``python benchmarks/score_help.py tests/help_queries.py [more files] [-k 3] [-q]``
"""
import argparse
import importlib.util
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ssdkit.help import get_index, search  # noqa: E402


def load_queries(path):
    """The ``QUERIES`` list of a query file."""
    spec = importlib.util.spec_from_file_location(Path(path).stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.QUERIES


def rank_of(results, wanted):
    """1-based rank of the first result that is (or stands for) a wanted name, or None."""
    for rank, result in enumerate(results, 1):
        if ({result.name} | set(result.aliases)) & wanted:
            return rank
    return None


def score(path, k=3, quiet=False):
    """Print the rates for one file (and its misses unless ``quiet``); return ``(hits in top k, scored)``."""
    names = {e.name for e in get_index().entries}
    rows, skipped, unknown = [], [], set()
    start = time.perf_counter()
    for query, expected in load_queries(path):
        full = {f"ssdkit.{n}" for n in expected.split()}
        unknown |= full - names
        wanted = full & names
        if not wanted:
            skipped.append(query)
            continue
        results = search(query, 10)
        rows.append((query, expected, rank_of(results, wanted), results))
    per_query_ms = (time.perf_counter() - start) / max(len(rows), 1) * 1e3
    n = len(rows)
    ranks = [r[2] for r in rows]
    top1 = sum(r == 1 for r in ranks)
    topk = sum(r is not None and r <= k for r in ranks)
    top10 = sum(r is not None for r in ranks)
    print(f"== {path}: {n} scored, top-1 {top1}/{n} = {top1 / max(n, 1):.1%}, top-{k} {topk}/{n} = "
          f"{topk / max(n, 1):.1%}, top-10 {top10}/{n} ({per_query_ms:.1f} ms/query)")
    if skipped:
        print(f"   skipped (no acceptable name in the catalog): {skipped}")
    if unknown and not quiet:
        print(f"   acceptable names not in the catalog: {sorted(unknown)}")
    if not quiet:
        for query, expected, rank, results in rows:
            if rank is None or rank > k:
                got = ", ".join(r.name.replace("ssdkit.", "", 1) for r in results[:k])
                print(f"  MISS {query!r} (rank {rank}) want [{expected}]\n        got: {got}")
    return topk, n


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+")
    parser.add_argument("-k", type=int, default=3)
    parser.add_argument("-q", "--quiet", action="store_true", help="rates only, no misses")
    args = parser.parse_args(argv)
    total = [0, 0]
    for path in args.files:
        hits, n = score(path, args.k, args.quiet)
        total[0] += hits
        total[1] += n
    if len(args.files) > 1:
        print(f"== all: top-{args.k} {total[0]}/{total[1]} = {total[0] / max(total[1], 1):.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
