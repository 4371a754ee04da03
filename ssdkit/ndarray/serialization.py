"""``mx.nd.save`` / ``mx.nd.load`` in MXNet's binary NDArray-list layout (``.params`` files), without pickle.

Layout (little-endian): uint64 0x112, uint64 0, uint64 count, then per array: uint32 magic 0xF993FAC9,
int32 storage type (0 = dense), int32 ndim, int64 dims, int32 dev_type, int32 dev_id, int32 dtype flag,
raw data; then uint64 name count and per name uint64 length + UTF-8 bytes. Arrays written by MXNet with
the older magic 0xF993FAC8 (int32 ndim, int64 dims), the oldest layout (no magic: uint32 ndim, uint32 dims)
and the numpy-shape magic 0xF993FACA are read too, as MXNet 1.9.1 reads them: ndim 0 is a 0-d array, except
under 0xF993FAC9 where it marks an empty "none" array, which MXNet's ``nd.load`` refuses and so does this one.

Examples
--------
>>> import tempfile, os, ssdkit as mx
>>> path = os.path.join(tempfile.mkdtemp(), "x.params")
>>> mx.nd.save(path, {"w": mx.nd.ones((2, 3))})
>>> {k: v.shape for k, v in mx.nd.load(path).items()}
{'w': (2, 3)}
"""
import math
import struct

import numpy as np

from ..util import is_np_shape
from ..base import MXNetError, DTYPE_FLAGS, DTYPE_FLAG_OF, atomic_write
from .ndarray import NDArray

__all__ = ["save", "load", "load_frombuffer", "load_raw_bytes", "save_tobytes", "ParamFileError"]

LIST_MAGIC = 0x112
V1_MAGIC, V2_MAGIC, V3_MAGIC = 0xF993FAC8, 0xF993FAC9, 0xF993FACA
CPU_DEV_TYPE = 1
_MAX_ARRAY_BYTES = np.iinfo(np.intp).max
#: The smallest array a file can hold: the oldest layout's 0-d uint8 (ndim, context, dtype flag, 1 byte). A file
#: whose array count needs more bytes than it has is refused before any array is built.
MIN_ARRAY_BYTES = 4 + 8 + 4 + 1


class ParamFileError(MXNetError):
    """A parameter file is truncated, has a wrong magic number or an unknown dtype; names the file.

    Examples
    --------
    >>> issubclass(ParamFileError, MXNetError)
    True
    """


def _encode_array(array):
    source = array._data if isinstance(array, NDArray) else np.asarray(array)
    data = np.ascontiguousarray(source).reshape(source.shape)  # ascontiguousarray makes a 0-d array 1-d
    if data.dtype not in DTYPE_FLAG_OF:
        raise MXNetError(f"save: dtype {data.dtype} has no MXNet type flag; cast to one of "
                         f"{sorted(str(d) for d in DTYPE_FLAG_OF)}")
    # under NumPy shape semantics MXNet writes the V3 layout, where ndim 0 is a scalar (not "no array")
    parts = [struct.pack("<Ii", V3_MAGIC if is_np_shape() else V2_MAGIC, 0), struct.pack("<i", data.ndim),
             struct.pack(f"<{data.ndim}q", *data.shape)]
    if data.ndim == 0 and not is_np_shape():
        # MXNet's legacy shape semantics treat ndim 0 as "no array"; store a 0-d value as shape (1,)
        parts = [struct.pack("<Ii", V2_MAGIC, 0), struct.pack("<iq", 1, 1)]
    parts += [struct.pack("<iii", CPU_DEV_TYPE, 0, DTYPE_FLAG_OF[data.dtype]), data.astype(data.dtype.newbyteorder("<"),
                                                                                    copy=False).tobytes()]
    return b"".join(parts)


def save_tobytes(data):
    """Serialize an NDArray, a list of them or a dict name -> NDArray to bytes in MXNet's layout.

    Examples
    --------
    >>> len(save_tobytes([])) == 32
    True
    """
    if isinstance(data, (NDArray, np.ndarray)):
        data = [data]
    if isinstance(data, dict):
        names, arrays = list(data.keys()), list(data.values())
        if not all(isinstance(n, str) for n in names):
            raise MXNetError("save: dict keys must be strings")
    elif isinstance(data, (list, tuple)):
        names, arrays = [], list(data)
    else:
        raise MXNetError(f"save: expects an NDArray, a list or a dict of NDArrays, got {type(data).__name__}")
    chunks = [struct.pack("<QQQ", LIST_MAGIC, 0, len(arrays))]
    chunks += [_encode_array(a) for a in arrays]
    chunks.append(struct.pack("<Q", len(names)))
    for n in names:
        raw = n.encode("utf-8")
        chunks.append(struct.pack("<Q", len(raw)) + raw)
    return b"".join(chunks)


def save(fname, data):
    """Write arrays to ``fname`` atomically (temp file in the same directory, fsync, rename).

    Parameters
    ----------
    fname : str
    data : NDArray, list of NDArray or dict of str -> NDArray

    Examples
    --------
    >>> import tempfile, os
    >>> save(os.path.join(tempfile.mkdtemp(), "a.nd"), [NDArray(np.zeros(2, np.float32))])
    """
    atomic_write(fname, save_tobytes(data))


class _Reader:
    def __init__(self, buf, source):
        self.buf, self.pos, self.source = memoryview(buf), 0, source

    def take(self, n, what):
        if n < 0 or self.pos + n > len(self.buf):
            raise ParamFileError(f"{self.source}: truncated while reading {what} at byte {self.pos} "
                                 f"(needs {n} bytes, {len(self.buf) - self.pos} left)")
        chunk = self.buf[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def unpack(self, fmt, what):
        return struct.unpack(fmt, self.take(struct.calcsize(fmt), what))


def _decode_array(r, index):
    what = f"array {index}"
    (magic,) = r.unpack("<I", what + " magic")
    if magic in (V2_MAGIC, V3_MAGIC):
        (stype,) = r.unpack("<i", what + " storage type")
        if stype != 0:
            raise ParamFileError(f"{r.source}: {what} is sparse (storage type {stype}); only dense arrays load")
        (ndim,) = r.unpack("<i", what + " ndim")
    elif magic == V1_MAGIC:
        (ndim,) = r.unpack("<i", what + " ndim")
    else:  # the oldest layout starts directly with a uint32 ndim
        ndim = magic
    if not 0 <= ndim <= 32:
        raise ParamFileError(f"{r.source}: {what} has an invalid magic/ndim {magic:#x}")
    dim_format = "q" if magic in (V1_MAGIC, V2_MAGIC, V3_MAGIC) else "I"
    shape = r.unpack(f"<{ndim}{dim_format}", what + " shape") if ndim else ()
    if magic == V3_MAGIC and not is_np_shape() and (ndim == 0 or 0 in shape):
        # a scalar or zero-size array means something else without np shape semantics; MXNet 1.9.1 refuses
        # every such file there, ssdkit only the arrays whose meaning would change
        raise ParamFileError(f"{r.source}: {what} (shape {shape}) was saved in np shape semantics, must be loaded "
                             f"in the same semantics (with mx.np_shape() or npx.set_np())")
    if magic == V2_MAGIC and is_np_shape() and 0 in shape:
        raise ParamFileError(f"{r.source}: {what} was not saved in np shape semantics: its 0 dims of shape "
                             f"{shape} mean 'unknown' there; load it without np shape semantics (as MXNet 1.9.1)")
    if ndim == 0 and magic == V2_MAGIC:
        raise ParamFileError(f"{r.source}: {what} is an empty 'none' array (ndim 0); MXNet 1.9.1 refuses to load "
                             f"those too (unknown storage type -1)")
    if any(d < 0 for d in shape):
        raise ParamFileError(f"{r.source}: {what} has a negative dimension in shape {shape}")
    r.unpack("<ii", what + " context")
    (flag,) = r.unpack("<i", what + " dtype flag")
    if flag not in DTYPE_FLAGS:
        raise ParamFileError(f"{r.source}: {what} has unknown dtype flag {flag}")
    dtype = np.dtype(DTYPE_FLAGS[flag]).newbyteorder("<")
    count = math.prod(shape)   # Python ints: a damaged shape must not wrap around like an int64 product
    if math.prod(d for d in shape if d) * dtype.itemsize > _MAX_ARRAY_BYTES:   # numpy refuses even empty ones
        raise ParamFileError(f"{r.source}: {what} has shape {shape}, too large for any array")
    raw = r.take(count * dtype.itemsize, what + " data")
    return NDArray(np.frombuffer(raw, dtype=dtype).astype(dtype.newbyteorder("="), copy=True).reshape(shape))


def load_frombuffer(buf, source="<buffer>"):
    """Parse bytes in MXNet's layout: a dict when names are stored, else a list.

    Examples
    --------
    >>> load_frombuffer(save_tobytes({"a": NDArray(np.ones(1, np.float32))}))["a"].asnumpy()
    array([1.], dtype=float32)
    """
    r = _Reader(buf, source)
    header, _reserved = r.unpack("<QQ", "file header")
    if header != LIST_MAGIC:
        raise ParamFileError(f"{source}: not an MXNet NDArray file (magic {header:#x}, expected {LIST_MAGIC:#x})")
    (count,) = r.unpack("<Q", "array count")
    if count * MIN_ARRAY_BYTES > len(r.buf) - r.pos:
        raise ParamFileError(f"{source}: truncated while reading array count {count}: {count} arrays need at "
                             f"least {count * MIN_ARRAY_BYTES} bytes, {len(r.buf) - r.pos} left")
    arrays = [_decode_array(r, i) for i in range(count)]
    (num_names,) = r.unpack("<Q", "name count")
    if num_names not in (0, count):
        raise ParamFileError(f"{source}: {num_names} names for {count} arrays")
    names = []
    for i in range(num_names):
        (length,) = r.unpack("<Q", f"name {i} length")
        try:
            names.append(bytes(r.take(length, f"name {i}")).decode("utf-8"))
        except UnicodeDecodeError:
            raise ParamFileError(f"{source}: name {i} is not valid UTF-8") from None
    if r.pos != len(r.buf):
        raise ParamFileError(f"{source}: {len(r.buf) - r.pos} unexpected trailing bytes")
    return dict(zip(names, arrays)) if names else arrays


def load_raw_bytes(buf, source="<raw bytes>"):
    """One array from the bytes MXNet's ``NDArray.__getstate__`` keeps (``MXNDArraySaveRawBytes``: a single
    array in the file layout, without the list header), on the CPU whatever context it was saved from.

    Examples
    --------
    >>> raw = save_tobytes([NDArray(np.arange(3, dtype=np.float32))])[24:-8]   # strip list header and names
    >>> load_raw_bytes(raw).asnumpy()
    array([0., 1., 2.], dtype=float32)
    """
    r = _Reader(buf, source)
    array = _decode_array(r, 0)
    if r.pos != len(r.buf):
        raise ParamFileError(f"{source}: {len(r.buf) - r.pos} unexpected trailing bytes after the array")
    return array


def load(fname):
    """Read a file written by :func:`save` or by MXNet's ``mx.nd.save`` / ``export``.

    Parameters
    ----------
    fname : str
        Path of the file (a ``.params`` file of ``save_parameters`` / ``export``, a ``.nd`` file of :func:`save`).

    Returns
    -------
    list of NDArray or dict of str -> NDArray
        A dict of name -> array when the arrays were saved with names (as every ``.params`` file is), else a list.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "b.nd"); save(p, [NDArray(np.ones(3, np.float32))])
    >>> load(p)[0].shape
    (3,)
    """
    try:
        with open(fname, "rb") as f:
            buf = f.read()
    except OSError as err:
        raise MXNetError(f"load: cannot read {fname}: {err.strerror or err}") from err
    return load_frombuffer(buf, fname)
