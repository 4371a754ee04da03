"""``ssdkit-editor``: draw, tap, wire and export networks in the browser; or export without the page.

    ssdkit-editor                              # a blank canvas; files go to the current folder
    ssdkit-editor model-symbol.json            # an MXNet export (its -0000.params found beside it)
    ssdkit-editor runs/toyssd-best.params      # an ssdkit-train checkpoint
    ssdkit-editor resnet18_v1 --shape data=1,3,224,224   # a zoo network
    ssdkit-editor MODEL --port 8765 --no-browser
    ssdkit-editor export MODEL -o net.py       # a HybridBlock module named as the graph
    ssdkit-editor export MODEL -o net-symbol.json   # MXNet symbol JSON (+ net-0000.params with weights)

The first line printed is the URL to open (it carries this launch's token). The server listens on 127.0.0.1
and reads and writes files only in ``--folder`` (default: the model's folder, else the current one).

Examples
--------
>>> import os, tempfile
>>> out = os.path.join(tempfile.mkdtemp(), "toy.py")
>>> main(["export", "toyssd", "--shape", "data=1,3,64,64", "-o", out])  # doctest: +ELLIPSIS
wrote ...toy.py
wrote ...toy.params
0
"""
import argparse
import json
import os
import sys

from ..base import MXNetError, check_writable

__all__ = ["main"]


def _shape(text):
    from ..viz.cli import parse_shape
    return parse_shape(text)


def _load(model, shape):
    """The document and weights of MODEL; ``--shape NAME=...`` also sets that input's shape in the drawing."""
    from .loading import load_model
    doc, params = load_model(model, shape=shape[1] if shape else None)
    for node in doc["nodes"]:
        if shape and node["op"] == "null" and node["name"] == shape[0]:
            node["shape"] = list(shape[1])
    return doc, params


def _export(argv):
    p = argparse.ArgumentParser(prog="ssdkit-editor export",
                                description="Export MODEL as a Python HybridBlock module or MXNet symbol JSON.")
    p.add_argument("model", help="a -symbol.json, an export prefix, a checkpoint, an editor document or a zoo name")
    p.add_argument("-o", "--output", required=True,
                   help="NAME.py (a HybridBlock module) or NAME-symbol.json (+ NAME-0000.params with weights)")
    p.add_argument("--shape", type=_shape, metavar="NAME=D1,D2,...", help="input shape (zoo networks)")
    p.add_argument("--class-name", default="Net", help="the HybridBlock's class name (default Net)")
    args = p.parse_args(argv)
    from . import export_python, to_symbol_json
    from .server import weights_for
    doc, params = _load(args.model, args.shape)
    out = args.output
    check_writable(out, "ssdkit-editor")
    if out.endswith(".py"):
        with open(out, "w", encoding="utf-8") as fh:
            fh.write(export_python(doc, params, class_name=args.class_name))
        written = [out]
        if params:
            from .. import nd
            param_file = out[:-3] + ".params"
            nd.save(param_file, weights_for(doc, params))
            written.append(param_file)
    elif out.endswith(".json"):
        with open(out, "w", encoding="utf-8") as fh:
            json.dump(to_symbol_json(doc), fh, indent=2)
        written = [out]
        if params:
            from .. import nd
            stem = out[:-len("-symbol.json")] if out.endswith("-symbol.json") else out[:-5]
            nd.save(stem + "-0000.params", weights_for(doc, params))
            written.append(stem + "-0000.params")
    else:
        raise MXNetError(f"ssdkit-editor export: -o {out!r} must end in .py or -symbol.json")
    for path in written:
        print(f"wrote {path}")
    return 0


def _serve(argv):
    p = argparse.ArgumentParser(prog="ssdkit-editor", description=__doc__.splitlines()[0])
    p.add_argument("model", nargs="?", help="a -symbol.json, an export prefix, a checkpoint, an editor document, "
                                            "a zoo name, or nothing for a blank canvas")
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    p.add_argument("--no-browser", action="store_true", help="print the URL, do not open a browser")
    p.add_argument("--folder", help="the only folder the editor reads and writes (default: the model's folder, "
                                    "else the current one)")
    p.add_argument("--shape", type=_shape, metavar="NAME=D1,D2,...",
                   help="an input's shape, for shape inference (and the size zoo networks are traced at)")
    args = p.parse_args(argv)
    from .server import EditorServer
    doc, params = _load(args.model, args.shape)
    folder = args.folder or (os.path.dirname(os.path.abspath(args.model))
                             if args.model and os.path.exists(args.model) else os.getcwd())
    title = os.path.basename(args.model) if args.model else "untitled"
    server = EditorServer(folder, doc, params, title=title, port=args.port)
    return server.launch(f"files are read and written in {server.folder}", browser=not args.no_browser)


def main(argv=None):
    """Entry point of ``ssdkit-editor``; returns the exit status (1 on a user error)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv[:1] == ["export"]:
            return _export(argv[1:])
        return _serve(argv)
    except (MXNetError, OSError, ValueError) as err:
        print(f"ssdkit-editor: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
