"""``ssdkit-docs``: serve the documentation with runnable examples on this machine.

    ssdkit-docs                     # build the site once if needed, serve it, open the browser
    ssdkit-docs --no-browser        # just print the URL (it carries this launch's token)
    ssdkit-docs --site build/docs --port 8765 --timeout 60

The first line printed is the URL to open. The site is ``docs/build_site.py``'s output (built with pdoc the
first time, ~1-2 minutes; ``pip install -e ".[docs]"`` provides pdoc); ``--rebuild`` builds it again.
"""
import argparse
import subprocess
import sys
from pathlib import Path

from .assets import ASSET_DIR
from .server import DocsServer

ROOT = Path(__file__).resolve().parents[2]
BUILDER = ROOT / "docs" / "build_site.py"


def _positive(text):
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {text}")
    return value


def build_site(site):
    """Build the site with docs/build_site.py (needs the source checkout and pdoc). The builder replaces its output
    folder, so a folder holding anything but an earlier build is refused."""
    site = Path(site)
    if site.exists() and any(site.iterdir()) and not (site / ASSET_DIR / "runner.js").is_file():
        raise SystemExit(f"ssdkit-docs: {site} holds files the docs builder did not make; building would replace "
                         "them. Give --site a new or empty folder (or a site docs/build_site.py built)")
    if not BUILDER.is_file():
        raise SystemExit(f"ssdkit-docs: no site at {site} and no docs/build_site.py beside the package to build "
                         "one; give --site DIR (a folder built by docs/build_site.py)")
    try:
        import pdoc  # noqa: F401 - only checked here, the builder imports it
    except ImportError:
        raise SystemExit('ssdkit-docs: building the site needs pdoc: pip install -e ".[docs]"') from None
    print(f"ssdkit-docs: building the documentation site into {site} (once; ~1-2 minutes)...", file=sys.stderr)
    done = subprocess.run([sys.executable, str(BUILDER), "--output", str(site)])
    if done.returncode:
        raise SystemExit(f"ssdkit-docs: the site build failed (exit {done.returncode})")


def main(argv=None):
    """Entry point of ``ssdkit-docs``."""
    parser = argparse.ArgumentParser(prog="ssdkit-docs", description=__doc__.splitlines()[0])
    parser.add_argument("--site", default=str(ROOT / "build" / "docs"), help="the built site (default: %(default)s)")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--no-browser", action="store_true", help="print the URL, do not open a browser")
    parser.add_argument("--rebuild", action="store_true", help="build the site again first")
    parser.add_argument("--timeout", type=_positive, default=120, help="seconds one example may run (default 120)")
    parser.add_argument("--memory-mb", type=int, default=4096, help="memory of each page's session (default 4096)")
    parser.add_argument("--cpu-seconds", type=int, default=1800, help="CPU seconds of each session (default 1800)")
    args = parser.parse_args(argv)
    site = Path(args.site)
    if args.rebuild or not (site / "index.html").is_file():
        build_site(site)
    server = DocsServer(site, port=args.port, timeout=args.timeout, memory_mb=args.memory_mb,
                        cpu_seconds=args.cpu_seconds)
    return server.launch("examples run in a Python session per page on this machine", browser=not args.no_browser)


if __name__ == "__main__":
    sys.exit(main())
