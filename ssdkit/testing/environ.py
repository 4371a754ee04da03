"""Test-harness helpers of MXNet's ``test_utils``: ``environment`` (set environment variables for a block),
``discard_stderr``, ``retry``, and ``download``, which never reaches the network here: it returns a file
already in place and otherwise raises a clear error saying where to put it.

Examples
--------
>>> import os
>>> with environment("SSDKIT_EXAMPLE_VAR", "1"):
...     os.environ["SSDKIT_EXAMPLE_VAR"]
'1'
>>> "SSDKIT_EXAMPLE_VAR" in os.environ
False
"""
import contextlib
import os
import platform
import sys

from ..gluon.utils import download as _gluon_download, OfflineDownloadError

__all__ = ["environment", "discard_stderr", "retry", "download", "OfflineDownloadError", "is_cd_run",
           "is_aarch64_run"]


@contextlib.contextmanager
def environment(*args):
    """``with environment(name, value):`` or ``with environment({name: value, ...}):`` sets environment variables
    (``None`` unsets one) for the block and restores the previous values afterwards, even on error.

    Examples
    --------
    >>> with environment({"SSDKIT_A": "x", "SSDKIT_B": None}):
    ...     os.environ.get("SSDKIT_A"), os.environ.get("SSDKIT_B")
    ('x', None)
    """
    if len(args) == 1 and isinstance(args[0], dict):
        wanted = dict(args[0])
    elif len(args) == 2:
        wanted = {args[0]: args[1]}
    else:
        raise TypeError("environment: expects one dict or a name and a value")
    snapshot = {name: os.environ.get(name) for name in wanted}

    def apply(values):
        for name, value in values.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = str(value)
    apply(wanted)
    try:
        yield
    finally:
        apply(snapshot)


@contextlib.contextmanager
def discard_stderr():
    """Silence the process's standard error (file descriptor 2) inside the block.

    Examples
    --------
    >>> with discard_stderr():
    ...     print("hidden", file=sys.stderr)
    """
    try:
        fileno = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # stderr replaced by an object without a descriptor
        yield
        return
    sys.stderr.flush()
    saved = os.dup(fileno)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), fileno)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, fileno)
            os.close(saved)


def retry(n):
    """Decorator: run a stochastic test up to ``n`` times; it fails only if every run fails.

    Examples
    --------
    >>> calls = []
    >>> @retry(3)
    ... def flaky():
    ...     calls.append(1)
    ...     assert len(calls) > 1
    >>> flaky(); len(calls)
    2
    """
    if n <= 0:
        raise ValueError(f"retry: n must be positive, got {n}")

    def decorate(f):
        def wrapper(*args, **kwargs):
            for i in range(n):
                try:
                    return f(*args, **kwargs)
                except AssertionError:
                    if i == n - 1:
                        raise
        wrapper.__name__, wrapper.__doc__ = f.__name__, f.__doc__
        return wrapper
    return decorate


def is_cd_run():
    """Whether the tests run as MXNet's continuous-delivery job (``CD_JOB=1``).

    Examples
    --------
    >>> with environment("CD_JOB", "1"):
    ...     is_cd_run()
    True
    """
    return os.environ.get("CD_JOB", 0) == "1"


def is_aarch64_run():
    """Whether this machine is an aarch64 (ARM 64) one.

    Examples
    --------
    >>> is_aarch64_run() == (platform.machine() == "aarch64")
    True
    """
    return platform.machine() == "aarch64"


def download(url, fname=None, dirname=None, overwrite=False, retries=5):
    """The local path of ``url``'s file (``fname``, or its last URL part, under ``dirname``), via
    :func:`ssdkit.gluon.utils.download`: a file already there is returned, otherwise
    :class:`OfflineDownloadError` says where to put it (ssdkit never downloads).

    Examples
    --------
    >>> download("https://example.com/data/train.rec", dirname="/nonexistent")
    Traceback (most recent call last):
    ...
    ssdkit.gluon.utils.OfflineDownloadError: download: ssdkit does not download; fetch https://example.com/data/train.rec yourself and put it at /nonexistent/train.rec
    """
    if fname is None:
        fname = url.split("/")[-1].split("?")[0]
    if dirname is not None:
        fname = os.path.join(dirname, fname)
    return _gluon_download(url, path=fname, overwrite=overwrite, retries=retries)
