"""A save prefix (``runs/toyssd``) belongs to one training run at a time.

* :class:`PrefixLock`: ``<prefix>.lock`` holds the PID of the run writing there; a second writer is refused
  ("runs/toyssd is being written by PID N"). The lock is an OS file lock, released when its process ends
  however it ends, so the file a killed run leaves behind is simply taken over.
* :func:`claim_prefix`: a new run never replaces the checkpoints of an earlier one — it refuses, naming
  ``--resume`` (continue it) and ``--overwrite`` (discard it first); ``--overwrite`` removes the earlier run's
  checkpoint files, so nothing of it is left to mix with the new one.
* :func:`sweep_orphans`: weight/state generations no checkpoint JSON names any more and temporary files of
  interrupted saves (a crash between writing a file and committing its JSON) are removed once the lock is held.

Examples
--------
>>> import os, tempfile
>>> prefix = os.path.join(tempfile.mkdtemp(), "toyssd")
>>> with PrefixLock(prefix) as lock:
...     int(open(lock.path).read()) == os.getpid()
True
>>> os.path.exists(prefix + ".lock")
False
"""
import json
import os
import re

from ..base import MXNetError
from .checkpoint import checkpoint_paths

try:
    import fcntl
except ImportError:   # Windows: a byte-range lock with the same lifetime
    fcntl = None
    import msvcrt

__all__ = ["PrefixLock", "claim_prefix", "describe_run", "sweep_orphans", "RUN_TAGS"]

#: The checkpoint tags a training run writes.
RUN_TAGS = ("last", "best")
_GENERATION = r"\.[0-9a-f]{12}\.(params|states)"


def _try_lock(handle):
    if fcntl is not None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    else:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)


class PrefixLock:
    """Exclusive right to write checkpoints under ``prefix`` (a context manager).

    Parameters
    ----------
    prefix : str
        The ``--save-prefix``; the lock file is ``<prefix>.lock``.

    Examples
    --------
    >>> import os, tempfile
    >>> prefix = os.path.join(tempfile.mkdtemp(), "run")
    >>> first = PrefixLock(prefix).acquire()
    >>> PrefixLock(prefix).acquire()
    Traceback (most recent call last):
    ...
    ssdkit.base.MXNetError: ...run is being written by PID ... (lock file ...run.lock): wait for it to finish, stop it, or give another --save-prefix
    >>> first.release()
    """

    def __init__(self, prefix):
        self.prefix = prefix
        self.path = f"{prefix}.lock"
        self.previous_owner = None   # the PID a taken-over lock file named, if any
        self._handle = None

    def acquire(self):
        """Take the lock or raise MXNetError naming the PID that holds it; returns ``self``."""
        while True:
            try:
                os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
                handle = open(self.path, "a+")
            except OSError as err:
                raise MXNetError(f"cannot create the lock file {self.path} of --save-prefix {self.prefix}: "
                                 f"{err.strerror or err}") from None
            try:
                _try_lock(handle)
            except OSError:
                handle.seek(0)
                owner = handle.read().strip() or "?"
                handle.close()
                raise MXNetError(f"{self.prefix} is being written by PID {owner} (lock file {self.path}): wait "
                                 f"for it to finish, stop it, or give another --save-prefix") from None
            try:   # the holder may have removed the file between our open and lock: lock the current file
                if os.path.samestat(os.fstat(handle.fileno()), os.stat(self.path)):
                    break
            except FileNotFoundError:
                pass
            handle.close()
        handle.seek(0)
        self.previous_owner = handle.read().strip() or None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._handle = handle
        return self

    def release(self):
        """Remove the lock file and let go (safe to call twice)."""
        if self._handle is None:
            return
        try:
            os.remove(self.path)
        except OSError:
            pass
        self._handle.close()
        self._handle = None

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()


def _read_json(path):
    try:
        with open(path) as handle:
            record = json.load(handle)
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def describe_run(prefix):
    """One phrase about the run whose checkpoints are under ``prefix``, or None when there is none.

    Examples
    --------
    >>> import os, tempfile
    >>> prefix = os.path.join(tempfile.mkdtemp(), "run"); describe_run(prefix) is None
    True
    >>> _ = open(prefix + "-last.json", "w").write('{"epoch": 5, "batch": 0, "best_map": 0.99, "args": {"epochs": 5}}')
    >>> describe_run(prefix)
    'a finished run (5 of 5 epochs, best VOC07 mAP 0.9900)'
    """
    found = [path for tag in RUN_TAGS for path in checkpoint_paths(prefix, tag).values() if os.path.exists(path)]
    if not found:
        return None
    record = _read_json(checkpoint_paths(prefix, "last")["json"]) or {}
    epoch, total = record.get("epoch"), (record.get("args") or {}).get("epochs")
    if not isinstance(epoch, int) or not isinstance(total, int):
        return f"the checkpoint files of another run ({', '.join(os.path.basename(p) for p in found[:3])})"
    best = record.get("best_map")
    score = f", best VOC07 mAP {best:.4f}" if isinstance(best, (int, float)) and best >= 0 else ""
    if epoch >= total and not record.get("batch"):
        return f"a finished run ({epoch} of {total} epochs{score})"
    return f"an unfinished run (stopped at epoch {epoch} batch {record.get('batch', 0)} of {total} epochs{score})"


def _run_files(prefix):
    """Every checkpoint file of ``prefix``: the fixed names, their generations and stale temporary files."""
    directory = os.path.dirname(os.path.abspath(prefix)) or "."
    base = os.path.basename(prefix)
    tags = "|".join(RUN_TAGS)
    pattern = re.compile(rf"(\.)?{re.escape(base)}-({tags})(\.(params|states|json)|{_GENERATION})(\..*\.tmp)?$")
    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        return []
    return [os.path.join(directory, n) for n in names if pattern.fullmatch(n)
            and (n.startswith(".") == n.endswith(".tmp"))]


def sweep_orphans(prefix):
    """Remove generation files of ``prefix`` that no checkpoint JSON names and temporary files left by
    interrupted saves; returns the removed names. Call it only while holding the :class:`PrefixLock`.

    Examples
    --------
    >>> import os, tempfile
    >>> prefix = os.path.join(tempfile.mkdtemp(), "run")
    >>> _ = open(prefix + "-last.0123456789ab.params", "wb").write(b"x")
    >>> sweep_orphans(prefix)
    ['run-last.0123456789ab.params']
    """
    named = set()
    for tag in RUN_TAGS:
        record = _read_json(checkpoint_paths(prefix, tag)["json"]) or {}
        for value in record.values():   # the files it names, and generations kept for readers (lists)
            named |= {v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)}
    removed = []
    for path in sorted(_run_files(prefix)):
        name = os.path.basename(path)
        orphan = name.endswith(".tmp") or (re.search(_GENERATION + "$", name) and name not in named)
        if orphan:
            try:
                os.remove(path)
                removed.append(name)
            except OSError:
                pass
    return removed


def claim_prefix(prefix, resume=False, overwrite=False):
    """Check that a run may write under ``prefix`` (hold the :class:`PrefixLock` first).

    A new run (not ``resume``) refuses a prefix holding an earlier run's checkpoints, naming ``--resume`` and
    ``--overwrite``; with ``overwrite`` those checkpoints are removed first. Returns the removed names.

    Examples
    --------
    >>> import os, tempfile
    >>> prefix = os.path.join(tempfile.mkdtemp(), "run")
    >>> _ = open(prefix + "-best.params", "wb").write(b"x")
    >>> claim_prefix(prefix)
    Traceback (most recent call last):
    ...
    ssdkit.base.MXNetError: --save-prefix ...run already holds the checkpoint files of another run (run-best.params): --resume continues it, --overwrite discards it, or give another --save-prefix
    >>> claim_prefix(prefix, overwrite=True)
    ['run-best.params']
    """
    if resume:
        return []
    description = describe_run(prefix)
    if description is None:
        return []
    if not overwrite:
        raise MXNetError(f"--save-prefix {prefix} already holds {description}: --resume continues it, "
                         f"--overwrite discards it, or give another --save-prefix")
    removed = []
    for path in sorted(_run_files(prefix)):
        os.remove(path)
        removed.append(os.path.basename(path))
    return removed
