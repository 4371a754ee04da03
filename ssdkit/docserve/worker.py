"""The Python session behind one docs page: a separate process that runs examples as a notebook does.

``python -m ssdkit.docserve.worker`` first writes ``{"ready": true}`` (its imports are done), then reads one
JSON request per line on stdin (``{"code": "..."}``) and answers one JSON line on its own stdout: ``{"output", "images", "html", "error"}``. Names defined by one example
stay for the next (one namespace per session). Code runs statement by statement as in the interactive
interpreter: the value of an expression statement is shown by its ``repr`` (unless None). What the code prints
goes to ``output``; pictures come back as base64 PNGs: matplotlib figures, a PIL image or an object with
``_repr_png_`` as the last value, and PNG files the code wrote into the session's folder. An object with
``_repr_html_`` (the graph viewer) comes back as HTML. A traceback is cut to the frames of the example itself.

The server sets the limits (CPU time, memory) before this process starts; see :mod:`.sessions`.

Examples
--------
>>> run_code("x = 2\\nx * 21", {})["output"]
'42\\n'
>>> run_code("1 / 0", {})["error"].splitlines()[-1]
'ZeroDivisionError: division by zero'
"""
import ast
import base64
import contextlib
import io
import json
import os
import sys
import traceback

__all__ = ["run_code", "main"]

SOURCE_NAME = "<example>"
MAX_IMAGES = 8
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_OUTPUT_CHARS = 200_000


def _png_of(value):
    """PNG bytes of a PIL image or an object with ``_repr_png_``, else None."""
    if hasattr(value, "_repr_png_"):
        data = value._repr_png_()
        return data if isinstance(data, bytes) else None
    if type(value).__module__.startswith("PIL.") and hasattr(value, "save"):
        buf = io.BytesIO()
        value.save(buf, format="PNG")
        return buf.getvalue()
    return None


def _figures():
    """PNGs of open matplotlib figures (then closed), when the example used pyplot."""
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is None:
        return []
    pngs = []
    for num in plt.get_fignums():
        buf = io.BytesIO()
        plt.figure(num).savefig(buf, format="png")
        pngs.append(buf.getvalue())
    plt.close("all")
    return pngs


def _new_pngs(before):
    found = []
    for name in sorted(os.listdir(".")):
        if name.lower().endswith(".png") and os.path.isfile(name):
            stamp = os.stat(name).st_mtime_ns
            if before.get(name) != stamp and os.path.getsize(name) <= MAX_IMAGE_BYTES:
                with open(name, "rb") as f:
                    found.append(f.read())
    return found


def _png_stamps():
    return {n: os.stat(n).st_mtime_ns for n in os.listdir(".") if n.lower().endswith(".png")}


def _user_traceback(err):
    """The traceback cut to the example's own frames (library frames below them are dropped)."""
    frames = [f for f in traceback.extract_tb(err.__traceback__) if f.filename == SOURCE_NAME]
    lines = ["Traceback (most recent call last):\n"] if frames else []
    lines += traceback.format_list(frames)
    lines += traceback.format_exception_only(type(err), err)
    return "".join(lines)


def run_code(code, namespace):
    """Run ``code`` in ``namespace`` as the interactive interpreter would; return the reply dict.

    Examples
    --------
    >>> ns = {}
    >>> run_code("a = [1, 2]", ns)["output"], run_code("a + [3]", ns)["output"]
    ('', '[1, 2, 3]\\n')
    """
    out = io.StringIO()
    reply = {"output": "", "images": [], "html": [], "error": None}
    shown = []
    stamps = _png_stamps()
    try:
        tree = ast.parse(code, SOURCE_NAME, "exec")
    except SyntaxError as err:
        reply["error"] = "".join(traceback.format_exception_only(type(err), err))
        return reply
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            for node in tree.body:
                if isinstance(node, ast.Expr):
                    value = eval(compile(ast.Expression(node.value), SOURCE_NAME, "eval"), namespace)
                    if value is not None:
                        namespace["_"] = value
                        shown.append(value)
                        if hasattr(value, "_repr_html_"):
                            reply["html"].append(value._repr_html_())
                        elif _png_of(value) is None:
                            print(repr(value))
                else:
                    exec(compile(ast.Module([node], type_ignores=[]), SOURCE_NAME, "exec"), namespace)
        except KeyboardInterrupt:
            reply["error"] = "KeyboardInterrupt"
        except BaseException as err:  # noqa: BLE001 - the reader wants every error, SystemExit included
            reply["error"] = _user_traceback(err)
    images = [p for p in (_png_of(v) for v in shown[-1:]) if p] + _figures() + _new_pngs(stamps)
    reply["images"] = [base64.b64encode(p).decode("ascii") for p in images[:MAX_IMAGES]]
    text = out.getvalue()
    reply["output"] = text if len(text) <= MAX_OUTPUT_CHARS else text[:MAX_OUTPUT_CHARS] + "\n... (output cut)\n"
    return reply


def main():
    """Serve requests from stdin until it closes (one namespace for the whole session)."""
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8", buffering=1)
    sys.stdout = sys.stderr = io.StringIO()  # nothing but replies may reach the channel
    namespace = {"__name__": "__main__"}
    channel.write(json.dumps({"ready": True}) + "\n")  # imports done: the session's time limit starts now
    for line in sys.stdin:
        try:
            request = json.loads(line)
            reply = run_code(str(request["code"]), namespace)
        except MemoryError:
            reply = {"output": "", "images": [], "html": [], "error": "MemoryError: the example needed more "
                     "memory than this session may use"}
        except (ValueError, KeyError) as err:
            reply = {"output": "", "images": [], "html": [], "error": f"bad request to the session: {err}"}
        channel.write(json.dumps(reply) + "\n")


if __name__ == "__main__":
    main()
