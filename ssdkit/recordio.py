"""MXNet-compatible RecordIO: the dmlc-core framing, ``.idx`` index files, image records and detection labels.

Byte layout (dmlc-core ``recordio.h``; every integer little-endian uint32)::

    record := part+          part := MAGIC  LREC  payload  zero-pad-to-4
    LREC   := cflag << 29 | length        (cflag 0 whole, 1 first, 2 middle, 3 last part)

A payload that contains ``MAGIC`` at a 4-byte-aligned offset is written as several parts split at those
words (the word itself is dropped and re-inserted on read), so a reader that lost its place can always
resynchronise on the next ``MAGIC``. An ``.idx`` file holds one ``key<TAB>offset`` line per record.

Image arrays follow MXNet, which used OpenCV: :func:`unpack_img` returns and :func:`pack_img` expects
**BGR** channel order (what ``mx.recordio.unpack_img`` gives), so ported code such as
``img[:, :, ::-1]`` for display keeps working. Pass ``rgb=True`` to either for RGB arrays.

Examples
--------
>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "tmp.rec")
>>> with MXRecordIO(path, "w") as rec:
...     for i in range(3):
...         rec.write(b"record_%d" % i)
>>> with MXRecordIO(path, "r") as rec:
...     print(rec.read(), rec.read(), rec.read(), rec.read())
b'record_0' b'record_1' b'record_2' None
"""
import io
import numbers
import os
import struct
from collections import namedtuple

import numpy as np

from .base import MXNetError

__all__ = ["RecordIOError", "MXRecordIO", "MXIndexedRecordIO", "IRHeader", "pack", "unpack",
           "pack_img", "unpack_img", "parse_det_label", "make_det_label"]

#: dmlc-core's magic word; its top 3 bits (6) exceed every cflag, so a length word never equals it.
MAGIC = 0xCED7230A
_MAGIC_BYTES = struct.pack("<I", MAGIC)
_FRAME = struct.Struct("<II")            # magic, lrec
_CFLAG_SHIFT = 29
_LENGTH_MASK = (1 << _CFLAG_SHIFT) - 1
#: Largest payload one part can describe (dmlc-core refuses records of 2**29 bytes or more).
MAX_RECORD_BYTES = _LENGTH_MASK
CFLAG_WHOLE, CFLAG_FIRST, CFLAG_MIDDLE, CFLAG_LAST = 0, 1, 2, 3
_ALIGN = 4


class RecordIOError(MXNetError):
    """A RecordIO file, index or record is malformed, or the reader/writer was misused.

    Examples
    --------
    >>> issubclass(RecordIOError, MXNetError)
    True
    """


def _padded(length):
    return (length + _ALIGN - 1) // _ALIGN * _ALIGN


def _as_bytes(buf, what):
    if isinstance(buf, (bytes, bytearray, memoryview)):
        return bytes(buf)
    raise RecordIOError(f"{what}: expects bytes, got {type(buf).__name__} (encode text first)")


def _frame(buf):
    """Return the on-disk bytes of one record: parts split at aligned MAGIC words, padded to 4 bytes."""
    if len(buf) > MAX_RECORD_BYTES:
        raise RecordIOError(f"MXRecordIO.write: record of {len(buf)} bytes exceeds the RecordIO "
                            f"limit of {MAX_RECORD_BYTES} bytes")
    aligned = len(buf) // _ALIGN * _ALIGN
    words = np.frombuffer(buf, dtype="<u4", count=aligned // _ALIGN)
    cuts = (np.flatnonzero(words == MAGIC) * _ALIGN).tolist()
    out, start = [], 0
    for cut in cuts:
        out += [_FRAME.pack(MAGIC, (CFLAG_FIRST if start == 0 else CFLAG_MIDDLE) << _CFLAG_SHIFT
                            | (cut - start)), buf[start:cut]]
        start = cut + _ALIGN
    out += [_FRAME.pack(MAGIC, (CFLAG_LAST if cuts else CFLAG_WHOLE) << _CFLAG_SHIFT | (len(buf) - start)),
            buf[start:], bytes(_padded(len(buf)) - len(buf))]
    return b"".join(out)


class MXRecordIO:
    """Sequential reader (``flag='r'``) or writer (``flag='w'``, truncates) of a RecordIO file.

    Parameters
    ----------
    uri : str or os.PathLike
        Path of the ``.rec`` file.
    flag : {'r', 'w'}
        Read or write.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "a.rec")
    >>> with MXRecordIO(path, "w") as rec:
    ...     rec.write(b"abc")
    ...     rec.tell()
    12
    >>> os.path.getsize(path)  # 8-byte frame + 3 bytes + 1 byte of padding
    12
    """

    def __init__(self, uri, flag):
        self.uri = os.fspath(uri)
        self.flag = flag
        self.is_open = False
        self._file = None
        self.open()

    # -- lifecycle -------------------------------------------------------------------------------
    def open(self):
        """Open the file (called by the constructor); a writer truncates it.

        Examples
        --------
        >>> import os, tempfile
        >>> rec = MXRecordIO(os.path.join(tempfile.mkdtemp(), "o.rec"), "w")
        >>> rec.close(); rec.open(); rec.is_open
        True
        """
        if self.flag not in ("r", "w"):
            raise RecordIOError(f"MXRecordIO({self.uri!r}): flag must be 'r' or 'w', got {self.flag!r}")
        self.close()
        self.writable = self.flag == "w"
        try:
            self._file = open(self.uri, "wb" if self.writable else "rb")
        except OSError as err:
            raise RecordIOError(f"MXRecordIO: cannot open {self.uri!r} for "
                                f"{'writing' if self.writable else 'reading'}: {err}") from err
        self._size = 0 if self.writable else os.fstat(self._file.fileno()).st_size
        self._pos = 0
        self._count = 0          # records read since the last seek/reset, to name them in errors
        self._origin = "record"  # how the current record is named in errors ("record", "key 7", ...)
        self._pid = os.getpid()
        self.is_open = True

    def close(self):
        """Flush (writer) and close the file; closing twice is harmless.

        Examples
        --------
        >>> import os, tempfile
        >>> rec = MXRecordIO(os.path.join(tempfile.mkdtemp(), "c.rec"), "w")
        >>> rec.close(); rec.close(); rec.is_open
        False
        """
        handle, self._file = getattr(self, "_file", None), None
        self.is_open = False
        if handle is not None and not handle.closed:
            handle.close()   # flushes buffered writes

    def reset(self):
        """Rewind a reader to the first record; a writer starts over on an empty file (as MXNet).

        Examples
        --------
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "r.rec")
        >>> with MXRecordIO(path, "w") as rec:
        ...     rec.write(b"x")
        >>> rec = MXRecordIO(path, "r"); _ = rec.read(); rec.reset(); rec.read()
        b'x'
        """
        if self.writable:
            self.open()
        else:
            self._seek_offset(0, "record")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()

    def __getstate__(self):
        # Lets DataLoader workers receive a reader: only the path and position travel, never a handle.
        if self.is_open and self.writable:
            raise RecordIOError(f"MXRecordIO({self.uri!r}): a writer cannot be sent to another process")
        state = {k: v for k, v in self.__dict__.items() if k != "_file"}
        state["_file"] = None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        if self.is_open:
            self._reopen_reader()

    def _reopen_reader(self):
        # After fork the OS file offset is shared with the parent: take a private handle.
        self._file = open(self.uri, "rb")
        self._file.seek(self._pos)
        self._pid = os.getpid()

    def _check(self, op, want_writer):
        if not self.is_open:
            raise RecordIOError(f"MXRecordIO.{op}: {self.uri!r} is closed")
        if self.writable != want_writer:
            raise RecordIOError(f"MXRecordIO.{op}: {self.uri!r} was opened with flag {self.flag!r}")
        if self._pid != os.getpid():
            if want_writer:
                raise RecordIOError(f"MXRecordIO.{op}: {self.uri!r} was opened for writing in "
                                    f"process {self._pid}; write from that process only")
            self._reopen_reader()

    # -- writing ---------------------------------------------------------------------------------
    def write(self, buf):
        """Append one record.

        Parameters
        ----------
        buf : bytes
            Payload, at most ``2**29 - 1`` bytes.

        Examples
        --------
        >>> import os, tempfile
        >>> with MXRecordIO(os.path.join(tempfile.mkdtemp(), "w.rec"), "w") as rec:
        ...     rec.write(b"")
        ...     rec.tell()
        8
        """
        self._check("write", want_writer=True)
        data = _frame(_as_bytes(buf, "MXRecordIO.write"))   # fully built before anything is written
        self._file.write(data)
        self._pos += len(data)

    def tell(self):
        """Return the byte offset where the next record will be written (or read).

        Examples
        --------
        >>> import os, tempfile
        >>> with MXRecordIO(os.path.join(tempfile.mkdtemp(), "t.rec"), "w") as rec:
        ...     rec.tell()
        0
        """
        if not self.is_open:
            raise RecordIOError(f"MXRecordIO.tell: {self.uri!r} is closed")
        return self._pos

    # -- reading ---------------------------------------------------------------------------------
    def _fail(self, offset, problem):
        if self._origin == "record":
            name = f"record #{self._count}"
        else:   # counted from the last seek
            name = self._origin if self._count == 0 else f"record #{self._count} after {self._origin}"
        raise RecordIOError(f"{self.uri}: {name} at offset {offset}: {problem}")

    def _seek_offset(self, offset, origin):
        self._file.seek(offset)
        self._pos, self._count, self._origin = offset, 0, origin

    def read(self):
        """Return the next record's payload, or ``None`` at the end of the file.

        Returns
        -------
        bytes or None

        Examples
        --------
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "r.rec")
        >>> with MXRecordIO(path, "w") as rec:
        ...     rec.write(b"\\x0a\\x23\\xd7\\xce" + b"tail")   # starts with the magic word
        >>> MXRecordIO(path, "r").read()
        b'\\n#\\xd7\\xcetail'
        """
        self._check("read", want_writer=False)
        start = pos = self._pos
        parts = []
        while True:
            head = self._file.read(_FRAME.size)
            if not head and not parts:
                return None
            if len(head) < _FRAME.size:
                self._fail(start, f"file ends inside a frame header at byte {pos + len(head)} "
                                  f"(truncated file)")
            magic, lrec = _FRAME.unpack(head)
            if magic != MAGIC:
                self._fail(start, f"bad magic 0x{magic:08x} at byte {pos}, expected 0x{MAGIC:08x} "
                                  f"(not a RecordIO file, or a wrong .idx offset)")
            cflag, length = lrec >> _CFLAG_SHIFT, lrec & _LENGTH_MASK
            expected = (CFLAG_WHOLE, CFLAG_FIRST) if not parts else (CFLAG_MIDDLE, CFLAG_LAST)
            if cflag not in expected:
                self._fail(start, f"part at byte {pos} has cflag {cflag}, expected one of {expected}")
            end = pos + _FRAME.size + _padded(length)
            if end > self._size:
                self._size = os.fstat(self._file.fileno()).st_size   # the file may have grown
            if end > self._size:
                self._fail(start, f"part at byte {pos} declares {length} bytes, which run past the "
                                  f"end of the {self._size}-byte file (truncated file)")
            chunk = self._file.read(_padded(length))
            if len(chunk) < _padded(length):
                self._fail(start, f"file ends inside the part at byte {pos} (truncated while reading)")
            parts.append(chunk[:length])
            pos = end
            if cflag in (CFLAG_WHOLE, CFLAG_LAST):
                break
            parts.append(_MAGIC_BYTES)
        self._pos = pos
        self._count += 1
        return b"".join(parts)


class MXIndexedRecordIO(MXRecordIO):
    """RecordIO with an ``.idx`` file (``key<TAB>offset`` lines) for random access by key.

    Parameters
    ----------
    idx_path : str or os.PathLike
        Path of the ``.idx`` file.
    uri : str or os.PathLike
        Path of the ``.rec`` file.
    flag : {'r', 'w'}
        Read or write.
    key_type : callable, default int
        Converts keys read from (or given for) the index.

    Attributes
    ----------
    keys : list
        Keys in file order (a list attribute, as in MXNet).
    idx : dict
        Key -> byte offset.

    Examples
    --------
    >>> import os, tempfile
    >>> d = tempfile.mkdtemp()
    >>> with MXIndexedRecordIO(os.path.join(d, "a.idx"), os.path.join(d, "a.rec"), "w") as rec:
    ...     for i in range(3):
    ...         rec.write_idx(i, b"record_%d" % i)
    >>> rec = MXIndexedRecordIO(os.path.join(d, "a.idx"), os.path.join(d, "a.rec"), "r")
    >>> rec.keys, rec.read_idx(2)
    ([0, 1, 2], b'record_2')
    >>> open(os.path.join(d, "a.idx")).read()
    '0\\t0\\n1\\t16\\n2\\t32\\n'
    """

    def __init__(self, idx_path, uri, flag, key_type=int):
        self.idx_path = os.fspath(idx_path)
        self.key_type = key_type
        self.idx, self.keys, self._fidx = {}, [], None
        super().__init__(uri, flag)

    def open(self):
        """Open both files; a reader loads and validates the whole index.

        Examples
        --------
        >>> import os, tempfile
        >>> d = tempfile.mkdtemp()
        >>> MXIndexedRecordIO(os.path.join(d, "e.idx"), os.path.join(d, "e.rec"), "w").keys
        []
        """
        super().open()
        self.idx, self.keys = {}, []
        try:
            # the reader takes bytes so that a damaged (non-UTF-8) index fails naming its line
            self._fidx = open(self.idx_path, "w" if self.writable else "rb")
        except OSError as err:
            self.close()
            raise RecordIOError(f"MXIndexedRecordIO: cannot open index {self.idx_path!r}: {err}") from err
        if not self.writable:
            with self._fidx:
                self._load_index(self._fidx)

    def _load_index(self, lines):
        for lineno, raw in enumerate(lines, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                raise RecordIOError(f"{self.idx_path}:{lineno}: not UTF-8 text ({err.reason} at byte "
                                    f"{err.start}); is this an .idx file?") from None
            fields = line.strip().split("\t")
            if fields == [""]:
                continue   # blank line
            where = f"{self.idx_path}:{lineno}: {line.strip()!r}"
            if len(fields) != 2:
                raise RecordIOError(f"{where}: expected 'key<TAB>offset'")
            try:
                key, offset = self.key_type(fields[0]), int(fields[1])
            except ValueError as err:
                raise RecordIOError(f"{where}: cannot parse key/offset ({err})") from err
            if not 0 <= offset < self._size:
                raise RecordIOError(f"{where}: offset {offset} of key {key!r} is outside "
                                    f"{self.uri} ({self._size} bytes)")
            self.idx[key] = offset
            self.keys.append(key)

    def close(self):
        """Close the record file and flush/close the index.

        Examples
        --------
        >>> import os, tempfile
        >>> d = tempfile.mkdtemp()
        >>> rec = MXIndexedRecordIO(os.path.join(d, "c.idx"), os.path.join(d, "c.rec"), "w")
        >>> rec.close(); rec.is_open
        False
        """
        super().close()
        fidx, self._fidx = getattr(self, "_fidx", None), None
        if fidx is not None and not fidx.closed:
            fidx.close()

    def __getstate__(self):
        state = super().__getstate__()
        state["_fidx"] = None
        return state

    def seek(self, idx):
        """Move the reader to the record of key ``idx``.

        Examples
        --------
        >>> import os, tempfile
        >>> d = tempfile.mkdtemp()
        >>> with MXIndexedRecordIO(os.path.join(d, "s.idx"), os.path.join(d, "s.rec"), "w") as rec:
        ...     rec.write_idx(5, b"five")
        >>> rec = MXIndexedRecordIO(os.path.join(d, "s.idx"), os.path.join(d, "s.rec"), "r")
        >>> rec.seek(5); rec.read()
        b'five'
        """
        self._check("seek", want_writer=False)
        if idx not in self.idx:
            raise RecordIOError(f"MXIndexedRecordIO.seek: key {idx!r} is not in {self.idx_path} "
                                f"({len(self.keys)} keys)")
        self._seek_offset(self.idx[idx], f"key {idx!r}")

    def read_idx(self, idx):
        """Return the payload of the record with key ``idx``.

        Examples
        --------
        >>> import os, tempfile
        >>> d = tempfile.mkdtemp()
        >>> with MXIndexedRecordIO(os.path.join(d, "i.idx"), os.path.join(d, "i.rec"), "w", str) as rec:
        ...     rec.write_idx("a", b"A")
        >>> MXIndexedRecordIO(os.path.join(d, "i.idx"), os.path.join(d, "i.rec"), "r", str).read_idx("a")
        b'A'
        """
        self.seek(idx)
        return self.read()

    def write_idx(self, idx, buf):
        """Append a record and its ``key<TAB>offset`` index line.

        Examples
        --------
        >>> import os, tempfile
        >>> d = tempfile.mkdtemp()
        >>> with MXIndexedRecordIO(os.path.join(d, "w.idx"), os.path.join(d, "w.rec"), "w") as rec:
        ...     rec.write_idx(0, b"abcd"); rec.write_idx(1, b"e")
        ...     rec.idx
        {0: 0, 1: 12}
        """
        try:
            key = self.key_type(idx)
        except (TypeError, ValueError) as err:
            raise RecordIOError(f"MXIndexedRecordIO.write_idx: key {idx!r} is not a valid "
                                f"{getattr(self.key_type, '__name__', self.key_type)}: {err}") from err
        if not _index_key_ok(str(key)):
            # the index is 'key<TAB>offset' lines of UTF-8: such a key would write a line its reader cannot read back
            raise RecordIOError(f"MXIndexedRecordIO.write_idx: key {str(key)[:60]!r} of {self.idx_path} is empty, "
                                f"has surrounding blanks, or holds a tab, a line break or text UTF-8 cannot encode")
        pos = self.tell()
        self.write(buf)   # the index line only follows a record that was written
        self._fidx.write(f"{key}\t{pos}\n")
        self.idx[key] = pos
        self.keys.append(key)


def _index_key_ok(text):
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return bool(text) and text == text.strip() and not any(c in text for c in "\t\n\r")


# -- image records: IRHeader + optional float32 label array + payload ----------------------------------

IRHeader = namedtuple("HEADER", ["flag", "label", "id", "id2"])
IRHeader.__doc__ = """Header of an image record (struct ``'IfQQ'``, 24 bytes, little-endian).

Parameters
----------
flag : int
    0 for a scalar ``label``; otherwise the number of float32 labels stored after the header.
label : float or array_like
    A scalar label, or a 1-D array (:func:`pack` sets ``flag`` to its size).
id, id2 : int
    Record id (unsigned 64-bit) and its high-order companion (usually 0).

Examples
--------
>>> IRHeader(0, 1.5, 7, 0)
HEADER(flag=0, label=1.5, id=7, id2=0)
"""
_IR_FORMAT = struct.Struct("<IfQQ")
_IR_SIZE = _IR_FORMAT.size   # 24
_JPEG_FORMATS = (".jpg", ".jpeg")
_PNG_MAX_COMPRESSION = 9


def pack(header, s):
    """Prefix ``s`` with an :class:`IRHeader` (and the float32 label array when the label is an array).

    Parameters
    ----------
    header : IRHeader or 4-tuple
        ``label`` may be a number (stored in the header, ``flag`` forced to 0) or an array of K values
        (``flag`` set to K, the header's label field to 0, the K float32 values put before ``s``).
    s : bytes
        Payload.

    Returns
    -------
    bytes
        ``24 + 4 K + len(s)`` bytes.

    Examples
    --------
    >>> len(pack(IRHeader(0, 3.0, 1, 0), b"xy")), len(pack(IRHeader(0, [1, 2, 3], 1, 0), b"xy"))
    (26, 38)
    """
    header = IRHeader(*header)
    s = _as_bytes(s, "pack")
    if isinstance(header.label, numbers.Number):
        header = header._replace(flag=0)
    else:
        label = np.asarray(header.label, dtype=np.float32).ravel()
        header = header._replace(flag=label.size, label=0.0)
        s = label.astype("<f4").tobytes() + s
    try:
        return _IR_FORMAT.pack(*header) + s
    except struct.error as err:
        raise RecordIOError(f"pack: header {tuple(header)} does not fit 'IfQQ' "
                            f"(flag/id/id2 must be non-negative integers): {err}") from err


def unpack(s):
    """Split a record into its :class:`IRHeader` and payload; array labels come back as float32 arrays.

    Parameters
    ----------
    s : bytes
        A record as returned by :meth:`MXRecordIO.read`.

    Returns
    -------
    header : IRHeader
        ``label`` is a float (``flag == 0``) or a float32 array of shape ``(flag,)``.
    payload : bytes

    Examples
    --------
    >>> header, payload = unpack(pack(IRHeader(0, [4, 5], 9, 0), b"img"))
    >>> header.flag, header.label.tolist(), header.id, payload
    (2, [4.0, 5.0], 9, b'img')
    """
    s = _as_bytes(s, "unpack")
    if len(s) < _IR_SIZE:
        raise RecordIOError(f"unpack: record has {len(s)} bytes, fewer than the {_IR_SIZE}-byte IRHeader")
    header = IRHeader(*_IR_FORMAT.unpack_from(s))
    s = s[_IR_SIZE:]
    if header.flag > 0:
        nbytes = 4 * header.flag
        if len(s) < nbytes:
            raise RecordIOError(f"unpack: header flag {header.flag} announces {header.flag} float32 "
                                f"labels ({nbytes} bytes) but only {len(s)} bytes follow the header")
        header = header._replace(label=np.frombuffer(s, dtype="<f4", count=header.flag).astype(np.float32))
        s = s[nbytes:]
    return header, s


def pack_img(header, img, quality=95, img_fmt=".jpg", *, rgb=False):
    """Encode an image array with Pillow and :func:`pack` it.

    Parameters
    ----------
    header : IRHeader
    img : numpy.ndarray, uint8, shape (H, W), (H, W, 3) or (H, W, 4)
        **BGR(A)** channel order as in MXNet/OpenCV, unless ``rgb=True``.
    quality : int
        JPEG quality 1-100, or PNG compression level (clipped to 0-9) as in MXNet.
    img_fmt : str
        ``'.jpg'``/``'.jpeg'``, ``'.png'`` or another extension Pillow can write.
    rgb : bool, keyword-only
        ``img`` is in RGB(A) order.

    Returns
    -------
    bytes

    Examples
    --------
    >>> img = np.zeros((2, 3, 3), np.uint8); img[..., 0] = 255          # pure blue in BGR
    >>> h, out = unpack_img(pack_img(IRHeader(0, 1.0, 0, 0), img, img_fmt=".png"))
    >>> out.shape, out[0, 0].tolist(), unpack_img(pack_img(h, img, img_fmt=".png"), rgb=True)[1][0, 0].tolist()
    ((2, 3, 3), [255, 0, 0], [0, 0, 255])
    """
    from PIL import Image   # Pillow is only needed for image records

    img = np.asarray(img)
    if img.dtype != np.uint8 or not (img.ndim == 2 or (img.ndim == 3 and img.shape[2] in (3, 4))):
        raise RecordIOError(f"pack_img: img must be uint8 (H, W), (H, W, 3) or (H, W, 4), "
                            f"got {img.dtype} {img.shape}")
    if img.ndim == 3 and not rgb:
        img = img[..., [2, 1, 0, 3][:img.shape[2]]]
    fmt = img_fmt.lower()
    if fmt in _JPEG_FORMATS:
        if img.ndim == 3 and img.shape[2] == 4:
            raise RecordIOError("pack_img: JPEG cannot store an alpha channel; use img_fmt='.png'")
        options = {"format": "JPEG", "quality": int(quality)}
    elif fmt == ".png":
        options = {"format": "PNG", "compress_level": int(np.clip(quality, 0, _PNG_MAX_COMPRESSION))}
    else:
        options = {"format": Image.registered_extensions().get(fmt)}
        if options["format"] is None:
            raise RecordIOError(f"pack_img: unknown image format {img_fmt!r}")
    out = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(img)).save(out, **options)
    return pack(header, out.getvalue())


def unpack_img(s, iscolor=-1, *, rgb=False):
    """Unpack an image record and decode its image with Pillow (EXIF orientation is not applied).

    Parameters
    ----------
    s : bytes
        A record as returned by :meth:`MXRecordIO.read`.
    iscolor : int
        As OpenCV's imdecode flag: 1 -> (H, W, 3) colour, 0 -> (H, W) grey,
        -1 -> as stored ((H, W) for grey images, (H, W, 4) when there is alpha).
    rgb : bool, keyword-only
        Return RGB(A) instead of MXNet's **BGR(A)** order.

    Returns
    -------
    header : IRHeader
    img : numpy.ndarray, uint8 (uint16 for 16-bit grey PNG)

    Examples
    --------
    >>> grey = np.arange(6, dtype=np.uint8).reshape(2, 3)
    >>> s = pack_img(IRHeader(0, 0.0, 0, 0), grey, img_fmt=".png")
    >>> unpack_img(s)[1].shape, unpack_img(s, 1)[1].shape, unpack_img(s, 0)[1].tolist()
    ((2, 3), (2, 3, 3), [[0, 1, 2], [3, 4, 5]])
    """
    from PIL import Image, UnidentifiedImageError

    header, payload = unpack(s)
    try:
        pil = Image.open(io.BytesIO(payload))
        pil.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as err:
        # Pillow reports damaged headers as ValueError too; a damaged size can look like a decompression bomb
        raise RecordIOError(f"unpack_img: record id {header.id}: cannot decode {len(payload)}-byte "
                            f"image payload: {err}") from err
    if iscolor > 0:
        mode = "RGB"
    elif iscolor == 0:
        mode = "L"
    elif pil.mode in ("L", "I;16", "I;16B", "I;16L"):
        mode = pil.mode
    else:
        has_alpha = "A" in pil.mode or "transparency" in pil.info
        mode = "RGBA" if has_alpha else "RGB"
    img = np.asarray(pil if pil.mode == mode else pil.convert(mode))
    if img.ndim == 3 and not rgb:
        img = img[..., [2, 1, 0, 3][:img.shape[2]]]
    return header, np.ascontiguousarray(img)


# -- detection labels: [A, B, A-2 extra header values, K objects of B values] -----------------------

DET_MIN_HEADER_WIDTH = 2    # A itself and B
DET_MIN_OBJECT_WIDTH = 5    # cls_id, xmin, ymin, xmax, ymax


def parse_det_label(label, where="label"):
    """Split a flat detection label into its header and a (K, B) object array.

    The layout (MXNet's ``ImageDetIter``) is ``[A, B, extra header (A - 2 values), obj_0, ..., obj_K-1]``
    where each object is ``B >= 5`` values ``cls_id, xmin, ymin, xmax, ymax, extra...`` (normalized
    corners). A and B are read from the data.

    Parameters
    ----------
    label : array_like, shape (N,)
        E.g. ``unpack(s)[0].label``.
    where : str
        Names the record in error messages (e.g. ``"train.rec key 12"``).

    Returns
    -------
    header : numpy.ndarray, float32, shape (A,)
        ``[A, B, extra...]``.
    objects : numpy.ndarray, float32, shape (K, B)

    Examples
    --------
    >>> header, objs = parse_det_label([2, 5, 0, .1, .2, .3, .4])
    >>> header.tolist(), objs.shape
    ([2.0, 5.0], (1, 5))
    """
    if hasattr(label, "asnumpy"):
        label = label.asnumpy()
    raw = np.asarray(label, dtype=np.float32).ravel()
    if raw.size < DET_MIN_HEADER_WIDTH:
        raise RecordIOError(f"parse_det_label: {where}: needs at least [A, B], got {raw.size} values")
    width_a, width_b = raw[0], raw[1]
    if not (np.isfinite(width_a) and np.isfinite(width_b)):   # int() below would raise a bare ValueError
        raise RecordIOError(f"parse_det_label: {where}: header width A={width_a} and object width "
                            f"B={width_b} must be finite integers")
    if not (width_a == int(width_a) >= DET_MIN_HEADER_WIDTH and width_b == int(width_b) >= DET_MIN_OBJECT_WIDTH):
        raise RecordIOError(f"parse_det_label: {where}: header width A={width_a} must be an integer >= "
                            f"{DET_MIN_HEADER_WIDTH} and object width B={width_b} an integer >= "
                            f"{DET_MIN_OBJECT_WIDTH}")
    width_a, width_b = int(width_a), int(width_b)
    if raw.size < width_a or (raw.size - width_a) % width_b:
        raise RecordIOError(f"parse_det_label: {where}: {raw.size} values do not fit a {width_a}-value "
                            f"header plus whole objects of {width_b} values")
    return raw[:width_a].copy(), raw[width_a:].reshape(-1, width_b).copy()


def make_det_label(objects, header_width=2, extra_header=None):
    """Build the flat label ``[A, B, extra_header..., objects.ravel()]`` read by :func:`parse_det_label`.

    Parameters
    ----------
    objects : array_like, shape (K, B), B >= 5
        Rows ``cls_id, xmin, ymin, xmax, ymax, extra...``; K may be 0.
    header_width : int
        A, at least 2.
    extra_header : array_like, shape (A - 2,), optional
        Values between B and the objects (zeros when omitted).

    Returns
    -------
    numpy.ndarray, float32, shape (A + K B,)

    Examples
    --------
    >>> make_det_label([[0, .1, .2, .3, .4]]).tolist()[:3]
    [2.0, 5.0, 0.0]
    """
    objects = np.asarray(objects, dtype=np.float32)
    if objects.ndim != 2 or objects.shape[1] < DET_MIN_OBJECT_WIDTH:
        raise RecordIOError(f"make_det_label: objects must be (K, B) with B >= {DET_MIN_OBJECT_WIDTH}, "
                            f"got shape {objects.shape}")
    if int(header_width) != header_width or header_width < DET_MIN_HEADER_WIDTH:
        raise RecordIOError(f"make_det_label: header_width must be an integer >= "
                            f"{DET_MIN_HEADER_WIDTH}, got {header_width}")
    extra = np.zeros(int(header_width) - DET_MIN_HEADER_WIDTH, np.float32) if extra_header is None \
        else np.asarray(extra_header, dtype=np.float32).ravel()
    if extra.size != header_width - DET_MIN_HEADER_WIDTH:
        raise RecordIOError(f"make_det_label: extra_header needs header_width - 2 = "
                            f"{header_width - DET_MIN_HEADER_WIDTH} values, got {extra.size}")
    head = np.array([header_width, objects.shape[1]], dtype=np.float32)
    return np.concatenate([head, extra, objects.ravel()])
