"""Training checkpoints: ``<prefix>-<tag>.params`` (``save_parameters``), ``.states``
(``Trainer.save_states``) and ``.json`` (epoch, batch, lr, RNG state, best mAP, model description, and the
sha256 of the two binary files).

Every file is written atomically (``ssdkit.base.atomic_write``: a temporary file in the same directory,
fsync'ed, then ``os.replace`` — ``nd.save`` and ``save_states`` use it too). The JSON goes last and names the
hashes of the other two, so a reader that finds a JSON either gets the matching weights or a clear error —
never a half-written mix.

Examples
--------
>>> import os, tempfile, ssdkit as mx
>>> d = mx.gluon.nn.Dense(2, in_units=2); d.initialize()
>>> paths = save_checkpoint(os.path.join(tempfile.mkdtemp(), "m"), "last", d, None, {"epoch": 3})
>>> sorted(os.path.basename(p) for p in os.listdir(os.path.dirname(paths["json"])))
['m-last.json', 'm-last.params']
"""
import hashlib
import json
import os

import numpy as np

from ..base import MXNetError, atomic_write

__all__ = ["save_checkpoint", "load_checkpoint", "checkpoint_paths", "find_checkpoint", "params_are_finite"]

CHECKPOINT_VERSION = 1
_HASH_CHUNK = 1 << 20


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
    os.makedirs(os.path.dirname(os.path.abspath(paths["json"])), exist_ok=True)
    net.save_parameters(paths["params"])
    record = dict(meta, version=CHECKPOINT_VERSION, params=os.path.basename(paths["params"]),
                  params_sha256=_sha256(paths["params"]))
    if trainer is not None:
        trainer.save_states(paths["states"])
        record.update(states=os.path.basename(paths["states"]), states_sha256=_sha256(paths["states"]))
    atomic_write(paths["json"], json.dumps(record, indent=2, sort_keys=True).encode(), "save_checkpoint")
    return paths


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
    >>> record["params_path"] == prefix + "-best.params", record["states_path"]
    (True, None)
    >>> load_checkpoint(prefix + "-last")
    Traceback (most recent call last):
    ...
    ssdkit.base.MXNetError: load_checkpoint: no checkpoint at ...-last.json (looked for the JSON written next to the .params file by ssdkit-train)
    """
    json_path = find_checkpoint(path)
    try:
        with open(json_path) as handle:
            record = json.load(handle)
    except FileNotFoundError:
        raise MXNetError(f"load_checkpoint: no checkpoint at {json_path} (looked for the JSON written next to "
                         f"the .params file by ssdkit-train)") from None
    except ValueError as err:
        raise MXNetError(f"load_checkpoint: {json_path} is not valid JSON ({err})") from None
    directory = os.path.dirname(json_path)
    record["params_path"] = os.path.join(directory, record["params"])
    record["states_path"] = os.path.join(directory, record["states"]) if record.get("states") else None
    if verify:
        for kind in ("params", "states"):
            target = record.get(f"{kind}_path")
            if target is None:
                continue
            if not os.path.exists(target):
                raise MXNetError(f"load_checkpoint: {json_path} names {target}, which is missing")
            if _sha256(target) != record[f"{kind}_sha256"]:
                raise MXNetError(f"load_checkpoint: {target} does not match the hash recorded in {json_path} "
                                 f"(a newer or partial file?)")
    return record
