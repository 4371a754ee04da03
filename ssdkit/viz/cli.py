"""``ssdkit-viz``: draw an MXNet ``*-symbol.json`` as HTML, SVG or DOT, or print its layer table.

A training checkpoint of ``ssdkit-train`` works too (``ssdkit-viz runs/toyssd-best.params``): the JSON written
next to it names the zoo network, its classes and input size, and the network is traced from the model zoo.

Examples
--------
>>> parse_shape("data=1,3,256,256")
('data', (1, 3, 256, 256))
"""
import argparse
import json
import os
import sys

from ..base import MXNetError, check_writable
from .plot import plot_network
from .summary import print_summary

__all__ = ["main", "parse_shape", "checkpoint_network"]


def parse_shape(text):
    """Parse ``NAME=D1,D2,...`` (as given to ``--shape``) into ``(name, shape tuple)``.

    Examples
    --------
    >>> parse_shape("label=1,8,5")
    ('label', (1, 8, 5))
    """
    name, sep, dims = text.partition("=")
    try:
        shape = tuple(int(d) for d in dims.replace("x", ",").split(",") if d.strip())
    except ValueError:
        shape = ()
    if not sep or not name or not shape:
        raise argparse.ArgumentTypeError(f"--shape expects NAME=D1,D2,... (e.g. data=1,3,256,256), got {text!r}")
    return name, shape


def checkpoint_network(path):
    """``(network Block, input side)`` of an ``ssdkit-train`` checkpoint (its ``.params`` or ``.json``), or
    None when ``path`` is not one (e.g. a ``-symbol.json``).

    Examples
    --------
    >>> import json, os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "run-best.json")
    >>> _ = open(path, "w").write(json.dumps({"model": {"network": "toyssd", "classes": ["a"], "data_shape": 64}}))
    >>> net, side = checkpoint_network(path[:-5] + ".params"); type(net).__name__, side
    ('ToySSD', 64)
    >>> checkpoint_network("model-symbol.json") is None
    True
    """
    stem, ext = os.path.splitext(path)
    json_path = stem + ".json" if ext in (".params", ".states") else path
    if not json_path.endswith(".json") or not os.path.exists(json_path):
        return None
    try:
        with open(json_path, "r", encoding="utf-8") as fh:
            record = json.load(fh)
    except (OSError, ValueError):
        return None
    model = record.get("model") if isinstance(record, dict) else None
    if not isinstance(model, dict) or not isinstance(model.get("network"), str):
        return None
    from ..model_zoo import get_model
    return get_model(model["network"], classes=list(model.get("classes") or [])), int(model.get("data_shape", 256))


def _parser():
    p = argparse.ArgumentParser(prog="ssdkit-viz", description=__doc__.splitlines()[0])
    p.add_argument("symbol", help="MXNet symbol JSON file (e.g. model-symbol.json) or an ssdkit-train checkpoint "
                                  "(e.g. runs/toyssd-best.params)")
    p.add_argument("-o", "--output", help="output file; .html, .svg or .dot (default: <symbol>.html)")
    p.add_argument("--shape", action="append", type=parse_shape, default=[], metavar="NAME=D1,D2,...",
                   help="input shape for shape inference (needs ssdkit.symbol); repeatable")
    p.add_argument("--shapes", metavar="JSON", help="file with {entry name: shape} for the edge labels")
    p.add_argument("--title", help="title of the picture (default: the file name)")
    p.add_argument("--collapse", action="append", default=[], metavar="GROUP",
                   help="draw this name-scope group collapsed; repeatable")
    p.add_argument("--show-weights", action="store_true", help="draw weight and bias variables too")
    p.add_argument("--summary", action="store_true", help="print the layer table instead of drawing")
    return p


def main(argv=None):
    """Run the command line; returns the process exit status (0 on success, 1 on a user error).

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name (default: ``sys.argv[1:]``).

    Returns
    -------
    int

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "tiny-symbol.json")
    >>> _ = open(path, "w").write('{"nodes": [{"op": "null", "name": "data", "inputs": []}], "heads": [[0, 0, 0]]}')
    >>> main([path, "-o", path.replace(".json", ".svg")]) == 0  # doctest: +ELLIPSIS
    wrote ...tiny-symbol.svg
    True
    """
    args = _parser().parse_args(argv)
    try:
        shapes = None
        if args.shapes:
            with open(args.shapes, "r", encoding="utf-8") as fh:
                shapes = json.load(fh)
        shape = dict(args.shape) or None
        source = args.symbol
        trained = checkpoint_network(source)
        if trained is not None:   # the zoo network of a checkpoint, traced at its input size
            from .. import symbol as sym
            outputs = trained[0](sym.var("data"))
            source = sym.Group(list(outputs)) if isinstance(outputs, (list, tuple)) else outputs
            shape = shape or {"data": (1, 3, trained[1], trained[1])}
        if args.summary:
            print_summary(source, shape=shape, shapes=shapes)
            return 0
        stem = os.path.basename(args.symbol)
        stem = stem[:-len("-symbol.json")] if stem.endswith("-symbol.json") else os.path.splitext(stem)[0]
        output = args.output or os.path.splitext(args.symbol)[0] + ".html"
        check_writable(output, "ssdkit-viz")   # before the work, not after it
        graph = plot_network(source, shape=shape, shapes=shapes, title=args.title or stem,
                             hide_weights=not args.show_weights, collapsed=args.collapse)
        path = graph.save(output)
    except (MXNetError, OSError, ValueError) as err:
        print(f"ssdkit-viz: {err}", file=sys.stderr)
        return 1
    print(f"wrote {path}")
    return 0
