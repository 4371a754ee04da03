"""Moving batches between processes without pickle: a JSON skeleton plus raw array buffers over a socket.

A value is split into a JSON-able *skeleton* and a list of contiguous numpy buffers. NDArrays travel as
their numpy buffer with a tag, so the receiver rebuilds NDArrays and numpy arrays as they were sent;
nothing executable ever crosses the boundary, and a connection peer cannot make the reader run code.

Supported leaves: ``None``, ``bool``, ``int``, ``float``, ``str``, ``bytes``, numpy scalars and arrays of
numeric/bool dtype, NDArrays; containers: ``list``, ``tuple``, ``dict`` (any keys of the leaf types).

Examples
--------
>>> import numpy as np
>>> skeleton, buffers = encode((np.arange(3, dtype=np.int32), [1.5, "a"], None))
>>> out = decode(skeleton, [np.array(b, copy=True) for b in buffers])
>>> out[0], out[1], out[2]
(array([0, 1, 2], dtype=int32), [1.5, 'a'], None)
"""
import json
import struct

import numpy as np

from ...base import MXNetError
from ...ndarray import NDArray

__all__ = ["encode", "decode", "send", "recv", "TransportError"]


class TransportError(MXNetError):
    """A value cannot be sent to (or was not received from) another process.

    Examples
    --------
    >>> issubclass(TransportError, MXNetError)
    True
    """


_SCALARS = (type(None), bool, int, float, str)
_LENGTH = struct.Struct("<Q")   # byte length of the JSON skeleton that opens a message


def _array_node(arr, tag, buffers):
    arr = np.ascontiguousarray(arr)
    if arr.dtype.hasobject or arr.dtype.kind not in "biufc":
        raise TransportError(f"cannot send an array of dtype {arr.dtype} to another process "
                             f"(only numeric and bool arrays travel)")
    buffers.append(arr)
    return {"t": tag, "dtype": arr.dtype.str, "shape": list(arr.shape)}


def _encode(obj, buffers):
    if isinstance(obj, _SCALARS):
        if isinstance(obj, float) and not np.isfinite(obj):
            return {"t": "float", "v": repr(obj)}
        return obj
    if isinstance(obj, NDArray):
        return _array_node(np.asarray(obj), "nd", buffers)
    if isinstance(obj, np.ndarray):
        return _array_node(obj, "np", buffers)
    if isinstance(obj, np.generic):
        node = _array_node(np.asarray(obj), "scalar", buffers)
        return node
    if isinstance(obj, (bytes, bytearray, memoryview)):
        buffers.append(np.frombuffer(bytes(obj), np.uint8))
        return {"t": "bytes", "n": len(obj)}
    if isinstance(obj, list):
        return [_encode(x, buffers) for x in obj]
    if isinstance(obj, tuple):
        return {"t": "tuple", "v": [_encode(x, buffers) for x in obj]}
    if isinstance(obj, dict):
        return {"t": "dict", "k": [_encode(k, buffers) for k in obj], "v": [_encode(v, buffers) for v in obj.values()]}
    raise TransportError(f"cannot send a {type(obj).__module__}.{type(obj).__name__} to another process; "
                         f"return NDArrays, numpy arrays, numbers, strings or lists/tuples/dicts of them")


def encode(obj):
    """Split ``obj`` into a JSON-able skeleton and the numpy buffers it refers to (in order).

    Returns
    -------
    skeleton : object
    buffers : list of numpy.ndarray (contiguous)

    Examples
    --------
    >>> skeleton, buffers = encode({"x": np.zeros(2, np.float32)})
    >>> skeleton["t"], len(buffers)
    ('dict', 1)
    """
    buffers = []
    return _encode(obj, buffers), buffers


def _decode(node, arrays):
    if isinstance(node, list):
        return [_decode(x, arrays) for x in node]
    if not isinstance(node, dict):
        return node
    tag = node["t"]
    if tag == "tuple":
        return tuple(_decode(x, arrays) for x in node["v"])
    if tag == "dict":
        return {_decode(k, arrays): _decode(v, arrays) for k, v in zip(node["k"], node["v"])}
    if tag == "float":
        return float(node["v"])
    arr = next(arrays)
    if tag == "bytes":
        return arr.tobytes()
    if tag == "nd":
        return NDArray(arr)
    if tag == "scalar":
        return arr[()]
    return arr


def decode(skeleton, buffers):
    """Rebuild the value :func:`encode` split; ``buffers`` are the received arrays (already shaped).

    Examples
    --------
    >>> skeleton, buffers = encode(("a", np.ones(1)))
    >>> decode(skeleton, buffers)
    ('a', array([1.]))
    """
    return _decode(skeleton, iter(buffers))


def _specs(skeleton):
    """(dtype, shape) of every buffer in skeleton order."""
    if isinstance(skeleton, list):
        for x in skeleton:
            yield from _specs(x)
    elif isinstance(skeleton, dict):
        tag = skeleton["t"]
        if tag == "tuple":
            yield from _specs(skeleton["v"])
        elif tag == "dict":
            yield from _specs(skeleton["k"])
            yield from _specs(skeleton["v"])
        elif tag == "bytes":
            yield np.dtype(np.uint8), (skeleton["n"],)
        elif tag in ("nd", "np", "scalar"):
            yield np.dtype(skeleton["dtype"]), tuple(skeleton["shape"])


def _send_all(sock, view):
    if len(view):
        sock.sendall(view)


def send(sock, obj):
    """Send ``obj`` over a stream socket: an 8-byte length, the JSON skeleton, then the raw buffers.

    Examples
    --------
    >>> import socket
    >>> a, b = socket.socketpair()
    >>> send(a, [np.arange(2), "ok"]); recv(b)
    [array([0, 1]), 'ok']
    """
    skeleton, buffers = encode(obj)
    head = json.dumps(skeleton).encode("utf-8")
    sock.sendall(_LENGTH.pack(len(head)) + head)
    for buf in buffers:
        _send_all(sock, memoryview(buf.reshape(-1)).cast("B"))


def _recv_into(sock, view):
    """Fill ``view`` from the socket (the kernel copies straight into the numpy buffer)."""
    got = 0
    while got < len(view):
        count = sock.recv_into(view[got:])
        if not count:
            raise EOFError(f"connection closed after {got} of {len(view)} bytes")
        got += count


def recv(sock):
    """Receive a value written by :func:`send`; arrays arrive straight in writable numpy memory.

    Raises
    ------
    EOFError
        The peer closed the connection.

    Examples
    --------
    >>> import socket
    >>> a, b = socket.socketpair()
    >>> send(a, (1, b"xy")); recv(b)
    (1, b'xy')
    """
    length = bytearray(_LENGTH.size)
    _recv_into(sock, memoryview(length))
    head = bytearray(_LENGTH.unpack(length)[0])
    _recv_into(sock, memoryview(head))
    skeleton = json.loads(head.decode("utf-8"))
    arrays = []
    for dtype, shape in _specs(skeleton):
        arr = np.empty(shape, dtype)
        _recv_into(sock, memoryview(arr.reshape(-1)).cast("B"))
        arrays.append(arr)
    return decode(skeleton, arrays)
