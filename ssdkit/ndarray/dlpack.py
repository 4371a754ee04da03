"""DLPack exchange: ``to_dlpack_for_read`` / ``to_dlpack_for_write`` hand an NDArray's memory to another
framework and ``from_dlpack`` wraps any DLPack producer (an exported NDArray, a numpy array, a torch tensor)
as an NDArray sharing its memory, as MXNet's functions of these names do.

Examples
--------
>>> import ssdkit as mx
>>> a = mx.nd.array([1, 2, 3])
>>> b = from_dlpack(to_dlpack_for_write(a)); b[0] = 7
>>> a.asnumpy()
array([7., 2., 3.], dtype=float32)
"""
import numpy as np

from .ndarray import NDArray

__all__ = ["DLPackTensor", "to_dlpack_for_read", "to_dlpack_for_write", "from_dlpack"]


class DLPackTensor:
    """An exported NDArray buffer: any DLPack consumer (``from_dlpack`` of ssdkit, numpy or torch) reads it.

    Examples
    --------
    >>> np.from_dlpack(DLPackTensor(np.arange(3.0))).tolist()
    [0.0, 1.0, 2.0]
    """

    def __init__(self, data):
        self._data = data

    def __dlpack__(self, *args, **kwargs):
        """The DLPack capsule of the buffer."""
        return self._data.__dlpack__(*args, **kwargs)

    def __dlpack_device__(self):
        """The buffer's device (the CPU)."""
        return self._data.__dlpack_device__()


def to_dlpack_for_read(data):
    """Export ``data``'s memory for another framework to read (call after the last write to ``data``).

    Examples
    --------
    >>> import ssdkit as mx
    >>> from_dlpack(to_dlpack_for_read(mx.nd.ones((2,)))).asnumpy()
    array([1., 1.], dtype=float32)
    """
    return DLPackTensor(np.ascontiguousarray(data._data))


def to_dlpack_for_write(data):
    """Export ``data``'s memory for another framework to write into.

    Examples
    --------
    >>> import ssdkit as mx
    >>> to_dlpack_for_write(mx.nd.ones((2,))).__dlpack_device__()[0]
    1
    """
    return DLPackTensor(data._data)


def from_dlpack(dlpack):
    """An NDArray sharing the memory of a DLPack producer (anything with ``__dlpack__``).

    Examples
    --------
    >>> from_dlpack(np.arange(2.0)).shape
    (2,)
    """
    if not hasattr(dlpack, "__dlpack__"):
        raise ValueError(f"from_dlpack: expected an object with __dlpack__ (a DLPack producer), "
                         f"got {type(dlpack).__name__}")
    return NDArray(np.from_dlpack(dlpack))
