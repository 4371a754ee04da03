"""Training checkpoints: ``<prefix>-<tag>.params`` (``save_parameters``), ``.states``
(``Trainer.save_states``) and ``.json`` (epoch, batch, lr, RNG state, best mAP, model description, and the
names and sha256 of the weight and state files).

Every file is written atomically (``ssdkit.base.atomic_write``: a temporary file in the same directory,
fsync'ed, then ``os.replace`` — ``nd.save`` and ``save_states`` use it too), and the JSON is the single commit
point: each saved weight/state file also gets a content-named hard link (``<prefix>-<tag>.<sha12>.params``),
which is what the JSON names. Replacing ``<prefix>-<tag>.params`` therefore never touches the files the
current JSON points at: a crash (or a full disk) anywhere before the new JSON is in place leaves the previous
checkpoint loadable, and afterwards the new one is complete. The links of a generation are removed one save
after the JSON stopped naming them (the JSON lists them as ``previous_generation``), so a reader that read the
previous JSON just before a save still finds its files; :func:`load_checkpoint` also reads the JSON once more
when the files it names changed under it. ``<prefix>-<tag>.params`` itself always holds the newest weights, for
tools that read a bare ``.params``.

Examples
--------
>>> import os, re, tempfile, ssdkit as mx
>>> d = mx.gluon.nn.Dense(2, in_units=2); d.initialize()
>>> paths = save_checkpoint(os.path.join(tempfile.mkdtemp(), "m"), "last", d, None, {"epoch": 3})
>>> [re.sub("[0-9a-f]{12}", "<sha12>", n) for n in sorted(os.listdir(os.path.dirname(paths["json"])))]
['m-last.<sha12>.params', 'm-last.json', 'm-last.params']
"""
import hashlib
import json
import os
import re

import numpy as np

from ..base import MXNetError, atomic_write

__all__ = ["save_checkpoint", "load_checkpoint", "checkpoint_paths", "find_checkpoint", "params_are_finite"]

CHECKPOINT_VERSION = 1
GENERATION_DIGITS = 12      # hex digits of the sha256 in the content-named link of a weight/state file
_HASH_CHUNK = 1 << 20
READ_ATTEMPTS = 2           # a reader racing a save reads the JSON once more


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_HASH_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def checkpoint_paths(prefix, tag):
    """The three files of checkpoint ``tag`` under ``prefix``.

    Returns
    -------
    dict
        ``{'params': ..., 'states': ..., 'json': ...}``

    Examples
    --------
    >>> checkpoint_paths("runs/toyssd", "best")["params"]
    'runs/toyssd-best.params'
    """
    return {kind: f"{prefix}-{tag}.{kind}" for kind in ("params", "states", "json")}


def params_are_finite(net):
    """True when every initialized parameter of ``net`` holds only finite values.

    Examples
    --------
    >>> import ssdkit as mx
    >>> d = mx.gluon.nn.Dense(2, in_units=2); d.initialize()
    >>> params_are_finite(d)
    True
    """
    for param in net.collect_params().values():
        if param._data is not None and not all(np.isfinite(a.asnumpy()).all() for a in param.list_data()):
            return False
    return True


def save_checkpoint(prefix, tag, net, trainer, meta):
    """Write checkpoint ``tag``: weights, optimizer states, then the JSON ``meta`` (+ file hashes).

    Parameters
    ----------
    prefix : str
        e.g. ``runs/toyssd``.
    tag : str
        e.g. ``'last'``, ``'best'``.
    net : Block
    trainer : gluon.Trainer or None
    meta : dict
        JSON-serializable training state (epoch, batch, lr, rng, best_map, model description...).

    Returns
    -------
    dict
        The paths written.

    Examples
    --------
    >>> import os, tempfile, ssdkit as mx
    >>> d = mx.gluon.nn.Dense(2, in_units=2); d.initialize()
    >>> paths = save_checkpoint(os.path.join(tempfile.mkdtemp(), "m"), "last", d, None, {"epoch": 3})
    >>> load_checkpoint(paths["json"])["epoch"]
    3
    """
    if not params_are_finite(net):
        raise MXNetError(f"save_checkpoint: refusing to write {prefix}-{tag}: the weights hold NaN or inf")
    paths = checkpoint_paths(prefix, tag)
    directory = os.path.dirname(os.path.abspath(paths["json"]))
    os.makedirs(directory, exist_ok=True)
    previous, older = _generation_files(paths["json"])
    record = dict(meta, version=CHECKPOINT_VERSION)
    writers = [("params", net.save_parameters)] + ([("states", trainer.save_states)] if trainer is not None else [])
    for kind, write in writers:
        write(paths[kind])
        digest = _sha256(paths[kind])
        generation = f"{prefix}-{tag}.{digest[:GENERATION_DIGITS]}.{kind}"
        _link(paths[kind], generation)
        record.update({kind: os.path.basename(generation), f"{kind}_sha256": digest})
    current = {record[kind] for kind, _ in writers}
    record["previous_generation"] = sorted(previous - current)   # kept until the next save, for readers
    atomic_write(paths["json"], json.dumps(record, indent=2, sort_keys=True).encode(), "save_checkpoint")
    for name in older - current - previous:   # two saves old: no JSON of this tag has named them for a save
        try:
            os.remove(os.path.join(directory, name))
        except OSError:
            pass
    return paths


def _generation_files(json_path):
    """``(names the checkpoint JSON at json_path points at, names of the generation before it)``; both
    plain file names in the JSON's folder (a damaged or missing JSON gives empty sets)."""
    try:
        with open(json_path) as handle:
            record = json.load(handle)
    except (OSError, ValueError, RecursionError):
        return set(), set()
    if not isinstance(record, dict):
        return set(), set()
    # only names this tag's saves make are ever deleted, whatever a damaged JSON says
    pattern = re.compile(re.escape(os.path.basename(json_path)[:-len(".json")])
                         + rf"\.[0-9a-f]{{{GENERATION_DIGITS}}}\.(params|states)")
    own = {record.get(k) for k in ("params", "states")}
    older = record.get("previous_generation")
    older = set(older) if isinstance(older, list) else set()
    return ({n for n in own if isinstance(n, str) and pattern.fullmatch(n)},
            {n for n in older if isinstance(n, str) and pattern.fullmatch(n)})


def _link(source, target):
    """``target`` becomes another name of ``source``'s content (a hard link; a copy where links fail)."""
    if os.path.exists(target):
        os.remove(target)   # same content name: an identical file (or a stale one from an interrupted save)
    try:
        os.link(source, target)
    except OSError:
        with open(source, "rb") as handle:
            atomic_write(target, handle.read(), "save_checkpoint")


def find_checkpoint(path):
    """The JSON of a checkpoint given its ``.json``, ``.params`` or ``.states`` path or its ``prefix-tag``.

    Examples
    --------
    >>> find_checkpoint("runs/toyssd-last.params")
    'runs/toyssd-last.json'
    """
    path = os.fspath(path)
    for suffix in (".params", ".states"):
        if path.endswith(suffix):
            return path[:-len(suffix)] + ".json"
    return path if path.endswith(".json") else path + ".json"


def load_checkpoint(path, verify=True):
    """Read a checkpoint's JSON and resolve the paths of its weights and optimizer states.

    Parameters
    ----------
    path : str
        Any path accepted by :func:`find_checkpoint`.
    verify : bool
        Check the sha256 of the files against the JSON.

    Returns
    -------
    dict
        The JSON content with ``params_path`` and ``states_path`` (None when no states were saved) added.

    Examples
    --------
    >>> import os, tempfile, ssdkit as mx
    >>> d = mx.gluon.nn.Dense(2, in_units=2); d.initialize()
    >>> prefix = os.path.join(tempfile.mkdtemp(), "m")
    >>> record = load_checkpoint(save_checkpoint(prefix, "best", d, None, {"epoch": 1})["params"])
    >>> os.path.basename(record["params_path"])[:7], record["params_path"].endswith(".params"), record["states_path"]
    ('m-best.', True, None)
    >>> load_checkpoint(prefix + "-last")
    Traceback (most recent call last):
    ...
    ssdkit.base.MXNetError: load_checkpoint: no checkpoint at ...-last.json (looked for the JSON written next to the .params file by ssdkit-train)
    """
    json_path = find_checkpoint(path)
    for attempt in range(READ_ATTEMPTS):
        record = _read_record(json_path)
        try:
            return _resolve(record, json_path, verify)
        except _ChangedUnderReader as err:   # a save replaced the JSON between our reads: read it again
            if attempt == READ_ATTEMPTS - 1:
                raise MXNetError(str(err)) from None


class _ChangedUnderReader(MXNetError):
    """A file the checkpoint JSON names is missing or differs: maybe a save in progress."""


def _read_record(json_path):
    try:
        with open(json_path) as handle:
            record = json.load(handle)
    except FileNotFoundError:
        raise MXNetError(f"load_checkpoint: no checkpoint at {json_path} (looked for the JSON written next to "
                         f"the .params file by ssdkit-train)") from None
    except OSError as err:
        raise MXNetError(f"load_checkpoint: cannot read {json_path}: {err.strerror or err}") from None
    except (ValueError, RecursionError) as err:
        reason = "nested too deep" if isinstance(err, RecursionError) else str(err)
        raise MXNetError(f"load_checkpoint: {json_path} is not valid JSON ({reason})") from None
    if not isinstance(record, dict):
        raise MXNetError(f"load_checkpoint: {json_path} is damaged: expected a JSON object, found "
                         f"{type(record).__name__}")
    has_states = record.get("states") is not None
    for key, required in (("params", True), ("params_sha256", True), ("states", False), ("states_sha256", has_states)):
        value = record.get(key)
        bad = not isinstance(value, str) or (key in ("params", "states") and os.path.basename(value) != value)
        if (required or value is not None) and bad:
            raise MXNetError(f"load_checkpoint: {json_path} is damaged: {key!r} is {str(value)[:60]!r}, expected "
                             f"a file name in its folder or a hash (a JSON written by ssdkit-train)")
    return record


def _resolve(record, json_path, verify):
    directory = os.path.dirname(json_path)
    record["params_path"] = os.path.join(directory, record["params"])
    record["states_path"] = os.path.join(directory, record["states"]) if record.get("states") else None
    if verify:
        for kind in ("params", "states"):
            target = record.get(f"{kind}_path")
            if target is None:
                continue
            if not os.path.exists(target):
                raise _ChangedUnderReader(f"load_checkpoint: {json_path} names {target}, which is missing")
            if _sha256(target) != record.get(f"{kind}_sha256"):
                raise _ChangedUnderReader(f"load_checkpoint: {target} does not match the hash recorded in "
                                          f"{json_path} (a newer or partial file?)")
    return record
