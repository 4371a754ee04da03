"""``python -m ssdkit.run script.py [args]``: run an MXNet-era script with ``import mxnet`` resolving to ssdkit.

The script runs as ``__main__`` with ``sys.argv`` set to the script and its arguments, exactly as
``python script.py [args]`` would run it, after :func:`ssdkit.mxnet_alias.alias_mxnet` (which refuses when a
real mxnet is importable). ``python -m ssdkit.run -m package.module [args]`` runs a module instead.

Examples
--------
>>> import os, subprocess, sys, tempfile
>>> script = os.path.join(tempfile.mkdtemp(), "uses_mxnet.py")
>>> _ = open(script, "w").write("import mxnet as mx, sys\\nprint(mx.__version__, mx.nd.ones((2,)).shape, sys.argv[1:])\\n")
>>> subprocess.run([sys.executable, "-m", "ssdkit.run", script, "--lr", "0.1"], capture_output=True,
...                text=True).stdout
"1.9.1 (2,) ['--lr', '0.1']\\n"
"""
import os
import runpy
import sys

from .mxnet_alias import alias_mxnet, MXNetAliasError

USAGE = "usage: python -m ssdkit.run script.py [args ...]   |   python -m ssdkit.run -m module [args ...]"


def main(argv=None):
    """Alias mxnet to ssdkit, then run the script (or ``-m`` module) named by ``argv[0]`` with the rest.

    Examples
    --------
    >>> main([])
    2
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help") or (argv[0] == "-m" and len(argv) < 2):
        print(USAGE, file=sys.stderr)
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    try:
        alias_mxnet()
    except MXNetAliasError as err:
        print(f"ssdkit.run: {err}", file=sys.stderr)
        return 1
    if argv[0] == "-m":
        sys.argv = argv[1:]
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = argv
        sys.path.insert(0, os.path.dirname(os.path.abspath(argv[0])))
        runpy.run_path(argv[0], run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
