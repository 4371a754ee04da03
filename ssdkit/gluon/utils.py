"""``mx.gluon.utils``: batch splitting across contexts, global-norm gradient clipping, file hashes, hook handles.

Examples
--------
>>> import ssdkit as mx
>>> [p.shape for p in split_data(mx.nd.zeros((5, 2)), 2, even_split=False)]
[(3, 2), (2, 2)]
"""
import hashlib
import os
import warnings
import weakref
from collections import OrderedDict

import numpy as np

from ..base import MXNetError, DTYPE
from ..context import Context
from .. import ndarray as nd

__all__ = ["split_data", "split_and_load", "clip_global_norm", "check_sha1", "HookHandle", "shape_is_known",
           "download", "OfflineDownloadError"]

_CLIP_EPS = 1e-8          # MXNet's guard in max_norm / (total_norm + eps)
_HASH_CHUNK = 1 << 20     # read files in 1 MiB chunks when hashing


def split_data(data, num_slice, batch_axis=0, even_split=True):
    """Split ``data`` into ``num_slice`` pieces along ``batch_axis`` (views when ``batch_axis`` is 0).

    Parameters
    ----------
    data : NDArray
    num_slice : int
    batch_axis : int
    even_split : bool
        Refuse sizes that do not divide evenly; otherwise the first pieces get one extra row.

    Returns
    -------
    list of NDArray
        ``num_slice`` arrays whose ``batch_axis`` sizes sum to ``data.shape[batch_axis]``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> [p.shape for p in split_data(mx.nd.zeros((2, 6)), 4, batch_axis=1, even_split=False)]
    [(2, 2), (2, 2), (2, 1), (2, 1)]
    """
    size = data.shape[batch_axis]
    if even_split and size % num_slice != 0:
        raise MXNetError(
            "data with shape %s cannot be evenly split into %d slices along axis %d. "
            "Use a batch size that's multiple of %d or set even_split=False to allow "
            "uneven partitioning of data." % (str(data.shape), num_slice, batch_axis, num_slice))
    each, extras = divmod(size, num_slice)
    sizes = [0] + extras * [each + 1] + (num_slice - extras) * [each]
    bounds = np.cumsum(sizes)
    if batch_axis == 0:
        return [data[int(bounds[i]):int(bounds[i + 1])] for i in range(num_slice)]
    return [nd.slice_axis(data, axis=batch_axis, begin=int(bounds[i]), end=int(bounds[i + 1]))
            for i in range(num_slice)]


def split_and_load(data, ctx_list, batch_axis=0, even_split=True):
    """Split ``data`` along ``batch_axis`` and place one piece on each context of ``ctx_list``.

    Parameters
    ----------
    data : NDArray or array-like
    ctx_list : list of Context

    Returns
    -------
    list of NDArray, one per context.

    Examples
    --------
    >>> import ssdkit as mx
    >>> [p.shape for p in split_and_load(mx.nd.zeros((4, 3)), [mx.cpu(0), mx.cpu(1)])]
    [(2, 3), (2, 3)]
    """
    if isinstance(ctx_list, Context):
        ctx_list = [ctx_list]
    if not isinstance(data, nd.NDArray):
        data = nd.array(data, ctx=ctx_list[0])
    if len(ctx_list) == 1:
        return [data.as_in_context(ctx_list[0])]
    slices = split_data(data, len(ctx_list), batch_axis, even_split)
    return [s.as_in_context(ctx) for s, ctx in zip(slices, ctx_list)]


def clip_global_norm(arrays, max_norm, check_isfinite=True):
    """Rescale ``arrays`` in place so that their joint L2 norm is at most ``max_norm``.

    Parameters
    ----------
    arrays : list of NDArray
        Typically the gradients of all parameters.
    max_norm : float
    check_isfinite : bool
        Warn when the norm is NaN or infinite.

    Returns
    -------
    numpy.float32 (or a 1-element NDArray when ``check_isfinite`` is False)
        The joint norm before clipping.

    Examples
    --------
    >>> import ssdkit as mx
    >>> g = [mx.nd.array([3.0, 4.0])]
    >>> float(clip_global_norm(g, 1.0)), g[0].asnumpy()
    (5.0, array([0.6, 0.8], dtype=float32))
    """
    if not arrays:
        raise MXNetError("clip_global_norm: expects a non-empty list of arrays")
    squares = [np.dot(a._data.reshape(-1), a._data.reshape(-1)) for a in arrays]
    total_norm = np.sqrt(np.sum(np.asarray(squares, dtype=DTYPE), dtype=DTYPE))
    if check_isfinite and not np.isfinite(total_norm):
        warnings.warn(UserWarning("nan or inf is detected. Clipping results will be undefined."), stacklevel=2)
    scale = min(DTYPE(max_norm) / (total_norm + DTYPE(_CLIP_EPS)), DTYPE(1.0))
    for a in arrays:
        a._data *= a._data.dtype.type(scale)
    return total_norm if check_isfinite else nd.array([total_norm])


def check_sha1(filename, sha1_hash):
    """Whether the SHA-1 digest of ``filename`` equals ``sha1_hash`` (hex string).

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "f.txt"); _ = open(path, "w").write("abc")
    >>> check_sha1(path, "a9993e364706816aba3e25717850c26c9cd0d89d")
    True
    """
    sha1 = hashlib.sha1()
    with open(filename, "rb") as f:
        for chunk in iter(lambda: f.read(_HASH_CHUNK), b""):
            sha1.update(chunk)
    return sha1.hexdigest() == sha1_hash


class OfflineDownloadError(OSError):
    """``download`` was asked for a file that is not on disk (or fails its SHA-1); ssdkit does not download.

    Examples
    --------
    >>> issubclass(OfflineDownloadError, OSError)
    True
    """


def download(url, path=None, overwrite=False, sha1_hash=None, retries=5, verify_ssl=True):
    """The local file of ``url``: ``path`` (a file, or a folder to put the URL's file name in; default the
    current folder). ssdkit never downloads: a file already there (and matching ``sha1_hash`` when given,
    unless ``overwrite``) is returned, otherwise :class:`OfflineDownloadError` names the URL and the path.

    Examples
    --------
    >>> download("https://example.com/data/train.rec", path="/nonexistent/train.rec")
    Traceback (most recent call last):
    ...
    ssdkit.gluon.utils.OfflineDownloadError: download: ssdkit does not download; fetch https://example.com/data/train.rec yourself and put it at /nonexistent/train.rec
    """
    name = url.split("/")[-1].split("?")[0]
    if path is None:
        fname = name
    else:
        path = os.path.expanduser(path)
        fname = os.path.join(path, name) if os.path.isdir(path) else path
    if os.path.exists(fname) and not overwrite and (sha1_hash is None or check_sha1(fname, sha1_hash)):
        return fname
    why = "" if not os.path.exists(fname) else " (the file there does not match the SHA-1)" if sha1_hash else ""
    raise OfflineDownloadError(f"download: ssdkit does not download; fetch {url} yourself and put it at "
                               f"{fname}{why}")


def shape_is_known(shape):
    """Whether every dimension of ``shape`` is known (MXNet marks unknown dimensions with 0).

    Examples
    --------
    >>> shape_is_known((3, 0)), shape_is_known((3, 4)), shape_is_known(None)
    (False, True, False)
    """
    if shape is None or len(shape) == 0:
        return False
    for dim in shape:
        if dim == 0:
            return False
        if dim < 0:
            raise MXNetError(f"shape dimension size cannot be negative, got shape {tuple(shape)}")
    return True


class HookHandle:
    """A removable handle for a forward (pre-)hook; ``detach()`` or use it as a ``with`` block.

    Examples
    --------
    >>> hooks = OrderedDict(); h = HookHandle(); h.attach(hooks, print); len(hooks)
    1
    >>> h.detach(); len(hooks)
    0
    """

    def __init__(self):
        self._hooks_dict_ref = None
        self._id = None

    def attach(self, hooks_dict, hook):
        """Register ``hook`` in ``hooks_dict`` (a block's hook table); a handle attaches once."""
        if self._hooks_dict_ref is not None:
            raise MXNetError("HookHandle: the same handle cannot be attached twice")
        self._id = id(hook)
        hooks_dict[self._id] = hook
        self._hooks_dict_ref = weakref.ref(hooks_dict)

    def detach(self):
        """Remove the hook (no-op when already removed or the block is gone)."""
        hooks_dict = self._hooks_dict_ref() if self._hooks_dict_ref is not None else None
        if hooks_dict is not None and self._id in hooks_dict:
            del hooks_dict[self._id]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.detach()


def _indent(text, num_spaces):
    """Indent every line of ``text`` but the first (MXNet's nested repr layout)."""
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    return "\n".join([lines[0]] + [num_spaces * " " + line for line in lines[1:]])


def _brief_print_list(lst, limit=7):
    """``'a', 'b', ..., 'z'``: at most ``limit`` quoted names, as in MXNet's error messages."""
    lst = list(lst)
    if len(lst) > limit:
        return _brief_print_list(lst[:limit // 2], limit) + ", ..., " + _brief_print_list(lst[-limit // 2:], limit)
    return ", ".join(["'%s'" % str(i) for i in lst])
