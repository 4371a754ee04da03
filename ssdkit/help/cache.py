"""A disk cache of the help catalog, so ``ssdkit-help`` answers without importing the whole library.

Building the catalog means importing every public module (gluon, image, metric, viz ...), which costs more
than ranking. The catalog is saved as JSON (never pickle) next to a fingerprint of ssdkit's source files
(path, size, modification time), the ssdkit version and the Python version; any change rebuilds it.

Where: ``$SSDKIT_HELP_CACHE`` if set (``off`` disables the cache), else
``$XDG_CACHE_HOME/ssdkit/help-catalog.json`` (``~/.cache/...``). A cache that cannot be read or written is
ignored: help then builds in memory as usual.

Examples
--------
>>> import os, tempfile
>>> from ssdkit.help.catalog import Entry
>>> path = os.path.join(tempfile.mkdtemp(), "c.json")
>>> save([Entry("ssdkit.a", "function", "A.", "", ["x"], "ssdkit.a")], path)
True
>>> load(path)[0].params
['x']
"""
import hashlib
import json
import os
import sys
from dataclasses import astuple, fields
from pathlib import Path

from .catalog import Entry

__all__ = ["cache_path", "fingerprint", "load", "save"]

FORMAT = 1                      # bump when Entry or the catalog walk changes meaning
ENV_VAR = "SSDKIT_HELP_CACHE"
DISABLED = ("off", "0", "no", "false")
_PACKAGE = Path(__file__).resolve().parents[1]
_FIELDS = [f.name for f in fields(Entry)]


def cache_path():
    """The cache file, or None when disabled by ``SSDKIT_HELP_CACHE=off``.

    Returns
    -------
    pathlib.Path or None
    """
    configured = os.environ.get(ENV_VAR)
    if configured is not None:
        return None if configured.strip().lower() in DISABLED + ("",) else Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "ssdkit" / "help-catalog.json"


def fingerprint():
    """A digest of ssdkit's source files (names, sizes, mtimes), its version and the Python version.

    Returns
    -------
    str
    """
    import ssdkit
    digest = hashlib.sha1(f"{FORMAT}|{ssdkit.__version__}|{sys.version_info[:2]}|{_PACKAGE}".encode())
    for path in sorted(_PACKAGE.rglob("*.py")):
        stat = path.stat()
        digest.update(f"{path.relative_to(_PACKAGE)}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def load(path=None):
    """The cached entries if the cache matches the current sources, else None.

    Parameters
    ----------
    path : str or Path, optional
        Default :func:`cache_path`.

    Returns
    -------
    list of Entry or None
    """
    path = path or cache_path()
    if path is None:
        return None
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        if data.get("fingerprint") != fingerprint() or data.get("fields") != _FIELDS:
            return None
        return [Entry(*row) for row in data["entries"]]
    except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return None   # a damaged cache is rebuilt


def save(entries, path=None):
    """Write ``entries`` with the current fingerprint (atomically); returns False when it cannot.

    Parameters
    ----------
    entries : list of Entry
    path : str or Path, optional
        Default :func:`cache_path`.

    Returns
    -------
    bool
    """
    path = path or cache_path()
    if path is None:
        return False
    path = Path(path)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump({"fingerprint": fingerprint(), "fields": _FIELDS,
                       "entries": [astuple(e) for e in entries]}, f)
        os.replace(tmp, path)
        return True
    except OSError:
        try:
            tmp.unlink()
        except OSError:
            pass
        return False
