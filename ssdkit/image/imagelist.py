"""Image lists (``.lst``): ``index<TAB>label(s)<TAB>path`` per line, as im2rec writes them and MXNet's ImageIter reads.

Read as MXNet 1.9.1 reads them: every line is a sample, in file order, and a repeated index names the entry of
its last line (MXNet keeps every line in its sequence but one entry per index in its table). A damaged line
raises :class:`~ssdkit.base.MXNetError` naming the file, the line and the field, never repeating the line's
bytes: a list may name (or be) any file, and its content is not the error reader's to see.

Examples
--------
>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "a.lst")
>>> _ = open(path, "w").write("0\\t1\\ta.png\\n1\\t0\\tb.png\\n0\\t2\\tc.png\\n")
>>> table, keys = read_image_list(path)
>>> keys, table[0][1], table[0][0].tolist()
([0, 1, 0], 'c.png', [2.0])
"""
import numpy as np

from ..base import MXNetError

__all__ = ["read_image_list"]

#: A line longer than this is no image-list line (a list is text of short lines; this bounds one line's memory).
MAX_LINE_BYTES = 1 << 20


def read_image_list(path, dtype="float32"):
    """``({index: (labels, relative path)}, [index of every line])`` of the image list at ``path``.

    Parameters
    ----------
    path : str
        The ``.lst`` file.
    dtype : str
        Label dtype.

    Returns
    -------
    table : dict
        int index -> (numpy array of labels, path string); a repeated index keeps its last line.
    keys : list of int
        The index of every non-blank line, in file order (repeats included).

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "b.lst")
    >>> _ = open(path, "w").write("7\\tone\\tx.png\\n")
    >>> read_image_list(path)
    Traceback (most recent call last):
    ...
    ssdkit.base.MXNetError: ...b.lst:1: label 1 is not a number
    """
    table, keys = {}, []
    try:
        handle = open(path, "rb")
    except OSError as err:
        raise MXNetError(f"image list {path}: cannot read ({err.strerror or err})") from None
    with handle:
        for lineno, raw in enumerate(iter(lambda: handle.readline(MAX_LINE_BYTES + 1), b""), 1):
            where = f"{path}:{lineno}"
            if len(raw) > MAX_LINE_BYTES:
                raise MXNetError(f"{where}: a line longer than {MAX_LINE_BYTES} bytes; is this an image list?")
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                raise MXNetError(f"{where}: not UTF-8 text (byte {err.start}); is this an image list?") from None
            fields = line.strip().split("\t")
            if fields == [""]:
                continue
            if len(fields) < 3:
                raise MXNetError(f"{where}: {len(fields)} tab-separated field(s), expected "
                                 f"'index<TAB>label(s)<TAB>path'")
            try:
                index = int(fields[0])
            except ValueError:
                raise MXNetError(f"{where}: the index (field 1) is not an integer") from None
            labels = []
            for k, text in enumerate(fields[1:-1], 1):
                try:
                    labels.append(float(text))
                except ValueError:
                    raise MXNetError(f"{where}: label {k} is not a number") from None
            table[index] = (np.array(labels, dtype=dtype), fields[-1])
            keys.append(index)
    return table, keys
