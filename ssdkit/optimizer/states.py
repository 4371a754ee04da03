"""Pickle-free optimizer checkpoints: per-index states (None, an NDArray or nested tuples/lists of them) and the
optimizer's scalar attributes, stored as one blob in MXNet's NDArray-file layout — arrays ``state:<n>.<i>.<j>``
plus a uint8 array holding a JSON header (structure, indices, scalars).

Examples
--------
>>> import ssdkit as mx
>>> blob = states_to_bytes({0: (mx.nd.ones((2,)), None)}, {"num_update": 3})
>>> states, scalars = states_from_bytes(blob)
>>> states[0][0].asnumpy(), states[0][1], scalars
(array([1., 1.], dtype=float32), None, {'num_update': 3})
"""
import json

import numpy as np

from .. import ndarray as nd
from ..base import MXNetError

__all__ = ["encodable", "encode", "decode", "states_to_bytes", "states_from_bytes"]

HEADER_KEY = "__ssdkit_optimizer_header__"
STATES_FORMAT = "ssdkit-optimizer-states-v1"


def encodable(value):
    """Whether ``value`` is made of JSON scalars, lists, tuples and dicts only.

    Examples
    --------
    >>> encodable({0: (1, "a")}), encodable(object())
    (True, False)
    """
    if value is None or isinstance(value, (bool, int, float, str, np.integer, np.floating)):
        return True
    if isinstance(value, (list, tuple)):
        return all(encodable(v) for v in value)
    if isinstance(value, dict):
        return all(encodable(k) and encodable(v) for k, v in value.items())
    return False


def encode(value):
    """JSON form that keeps int/str dict keys and tuples apart (plain JSON would turn keys into strings).

    Examples
    --------
    >>> decode(json.loads(json.dumps(encode({0: (1, 2)}))))
    {0: (1, 2)}
    """
    if isinstance(value, dict):
        return {"__dict__": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    return value


def decode(value):
    """Inverse of :func:`encode`.

    Examples
    --------
    >>> decode({"__tuple__": [1, [2]]})
    (1, [2])
    """
    if isinstance(value, dict):
        if "__dict__" in value:
            return {decode(k): decode(v) for k, v in value["__dict__"]}
        return tuple(decode(v) for v in value["__tuple__"])
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def _flatten_state(state, prefix, arrays):
    """Store the NDArrays of a (nested) state under ``prefix.i.j`` keys; return the structure (JSON)."""
    if state is None:
        return None
    if isinstance(state, nd.NDArray):
        arrays[prefix] = state
        return "array"
    if isinstance(state, (list, tuple)):
        return {"tuple" if isinstance(state, tuple) else "list":
                [_flatten_state(s, f"{prefix}.{i}", arrays) for i, s in enumerate(state)]}
    raise MXNetError(f"optimizer state of type {type(state).__name__} cannot be saved")


def _unflatten_state(layout, prefix, arrays):
    if layout is None:
        return None
    if layout == "array":
        return arrays[prefix]
    kind, items = next(iter(layout.items()))
    values = [_unflatten_state(item, f"{prefix}.{i}", arrays) for i, item in enumerate(items)]
    return tuple(values) if kind == "tuple" else values


def states_to_bytes(states, scalars=None):
    """Serialize ``{index: state}`` and optional JSON-able ``scalars`` (the optimizer's attributes).

    Returns
    -------
    bytes in MXNet's NDArray-file layout.
    """
    arrays, entries = {}, []
    for n, (idx, state) in enumerate(states.items()):
        entries.append({"index": encode(idx), "layout": _flatten_state(state, f"state:{n}", arrays)})
    header = {"format": STATES_FORMAT, "entries": entries, "optimizer": scalars}
    arrays[HEADER_KEY] = nd.NDArray(np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8).copy())
    return nd.save_tobytes(arrays)


def states_from_bytes(blob, source="<optimizer states>"):
    """Parse :func:`states_to_bytes` output; returns ``(states, scalars or None)``.

    Any damage raises MXNetError naming ``source`` (the file name when there is one).
    """
    arrays = nd.load_frombuffer(blob, source)
    if not isinstance(arrays, dict) or HEADER_KEY not in arrays:
        raise MXNetError(f"{source}: not an ssdkit optimizer-states file (no header); MXNet's pickled states "
                         "are not read for safety")
    try:
        header = json.loads(bytes(arrays[HEADER_KEY]._data.astype(np.uint8)).decode("utf-8"))
        if not isinstance(header, dict) or header.get("format") != STATES_FORMAT:
            raise MXNetError(f"{source}: unknown optimizer-states format")
        states = {decode(e["index"]): _unflatten_state(e["layout"], f"state:{n}", arrays)
                  for n, e in enumerate(header["entries"])}
        scalars = header["optimizer"]
        if scalars is not None and not isinstance(scalars, dict):
            raise TypeError("optimizer scalars are not an object")
    except MXNetError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError, StopIteration, RecursionError) as err:
        raise MXNetError(f"{source}: damaged optimizer-states header ({type(err).__name__}: {err})") from None
    return states, scalars
