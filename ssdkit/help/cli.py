"""``ssdkit-help``: search the ssdkit API in plain words from a shell.

``ssdkit-help "remove overlapping boxes"`` prints the best ten names, one per line; ``-n K`` changes how
many, ``--json`` prints a JSON list of ``{"rank", "name", "kind", "summary", "score", "aliases"}``.
Exit status: 0 with results, 1 when nothing matches, 2 on a usage error.

Examples
--------
>>> main(["anchor boxes", "-n", "1"])  # doctest: +ELLIPSIS
ssdkit.nd.contrib.MultiBoxPrior  — ...
0
"""
import argparse
import json
import sys

from . import DEFAULT_COUNT, format_results, search

__all__ = ["main"]

ECHO_WIDTH = 80  # characters of a query repeated in the "no API matches" line


def _parser():
    p = argparse.ArgumentParser(prog="ssdkit-help", description=__doc__.splitlines()[0])
    p.add_argument("query", nargs="+", help="words describing what you look for (quote them or not)")
    p.add_argument("-n", type=int, default=DEFAULT_COUNT, metavar="K", help="number of results (default 10)")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    return p


def main(argv=None):
    """Run the command line; returns the exit status.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name (default: ``sys.argv[1:]``).

    Returns
    -------
    int
    """
    args = _parser().parse_args(argv)
    if args.n < 1:
        print("ssdkit-help: -n must be at least 1", file=sys.stderr)
        return 2
    query = " ".join(args.query)
    results = search(query, args.n)
    if args.json:
        print(json.dumps([dict(rank=k, **r.as_dict()) for k, r in enumerate(results, 1)], indent=1,
                         ensure_ascii=False))
    elif results:
        print(format_results(results))
    else:
        shown = query if len(query) <= ECHO_WIDTH else query[:ECHO_WIDTH] + "..."  # a pasted 100 kB stays a line
        print(f"ssdkit-help: no API matches {shown!r}", file=sys.stderr)
    return 0 if results else 1
