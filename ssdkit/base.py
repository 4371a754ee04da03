"""Layer 0: error types, dtype defaults and shape-check helpers shared by every layer.

Nothing here imports from the rest of ssdkit, so every module may import it.

Examples
--------
>>> from ssdkit.base import MXNetError, ShapeError, check_ndim
>>> issubclass(ShapeError, MXNetError) and issubclass(MXNetError, ValueError)
True
>>> check_ndim("Convolution", "data", (2, 3), 4)
Traceback (most recent call last):
...
ssdkit.base.ShapeError: Convolution: data must be 4-D, got shape (2, 3)
"""
import numpy as np

__all__ = ["MXNetError", "ShapeError", "DeferredInitializationError", "DTYPE", "check_writable",
           "DTYPE_FLAGS", "DTYPE_FLAG_OF", "check_ndim", "check_equal", "as_tuple", "numeric_types", "get_rng", "seed_rng", "atomic_write", "keep_freed_memory",
           "string_types", "integer_types", "mx_real_t", "py_str", "data_dir", "NotImplementedForSymbol"]

#: The default element type of every array ssdkit creates (MXNet's default too).
DTYPE = np.float32

#: MXNet's dtype flags, as stored in .params files and in symbols' "__dtype__" attributes.
DTYPE_FLAGS = {0: np.dtype(np.float32), 1: np.dtype(np.float64), 2: np.dtype(np.float16), 3: np.dtype(np.uint8),
               4: np.dtype(np.int32), 5: np.dtype(np.int8), 6: np.dtype(np.int64), 7: np.dtype(np.bool_)}
DTYPE_FLAG_OF = {v: k for k, v in DTYPE_FLAGS.items()}

#: Python and numpy scalar types accepted wherever MXNet accepts a number.
numeric_types = (int, float, np.integer, np.floating, np.bool_)


class MXNetError(ValueError):
    """The base error of ssdkit, named as MXNet's so ``except mx.base.MXNetError`` ports unchanged.

    Examples
    --------
    >>> try:
    ...     raise MXNetError("Reshape: cannot reshape (2, 3) into (4,)")
    ... except ValueError as err:
    ...     print(err)
    Reshape: cannot reshape (2, 3) into (4,)
    """


class ShapeError(MXNetError):
    """An operand has a shape the operation cannot accept; the message names operand, expected and actual.

    Examples
    --------
    >>> str(ShapeError("FullyConnected: weight expects (5, 3), got (5, 4)"))
    'FullyConnected: weight expects (5, 3), got (5, 4)'
    """


class DeferredInitializationError(MXNetError):
    """A parameter whose shape is not known yet was read before the first forward pass.

    Examples
    --------
    >>> issubclass(DeferredInitializationError, MXNetError)
    True
    """


def check_ndim(op, operand, shape, ndim):
    """Raise :class:`ShapeError` unless ``shape`` has ``ndim`` dimensions.

    Examples
    --------
    >>> check_ndim("Pooling", "data", (1, 3, 4, 4), 4)
    """
    if len(shape) != ndim:
        raise ShapeError(f"{op}: {operand} must be {ndim}-D, got shape {tuple(shape)}")


def check_equal(op, what, expected, actual, context=""):
    """Raise :class:`ShapeError` in Chainer's "expected / actual" style unless the two are equal.

    Examples
    --------
    >>> check_equal("Convolution", "weight input channels", 3, 5, " (data shape (2, 3, 9, 9))")
    Traceback (most recent call last):
    ...
    ssdkit.base.ShapeError: Convolution: weight input channels expected 3, got 5 (data shape (2, 3, 9, 9))
    """
    if expected != actual:
        raise ShapeError(f"{op}: {what} expected {expected}, got {actual}{context}")


def as_tuple(value, length, name="value"):
    """Return ``value`` as a tuple of ``length`` ints, repeating a scalar as MXNet does for kernel/stride.

    Examples
    --------
    >>> as_tuple(3, 2)
    (3, 3)
    >>> as_tuple((1, 2), 2)
    (1, 2)
    """
    if isinstance(value, numeric_types):
        return (int(value),) * length
    value = tuple(int(v) for v in value)
    if len(value) != length:
        raise MXNetError(f"{name} must have {length} values, got {value}")
    return value


class _RandomState:
    """The one random generator behind ``mx.random``, dropout and augmentation (seeded by ``mx.random.seed``)."""
    generator = np.random.default_rng()


def get_rng():
    """The process-wide numpy Generator that every random op draws from.

    Examples
    --------
    >>> seed_rng(1); a = get_rng().random(); seed_rng(1); a == get_rng().random()
    True
    """
    return _RandomState.generator


def seed_rng(seed):
    """Re-seed the process-wide generator (``mx.random.seed`` calls this).

    Examples
    --------
    >>> seed_rng(0)
    """
    _RandomState.generator = np.random.default_rng(seed)


def keep_freed_memory():
    """Ask glibc's malloc to keep freed memory for reuse instead of returning it to the system.

    Training allocates and frees many arrays of tens to hundreds of MB per step; by default glibc serves
    those with fresh ``mmap`` pages that the kernel must fault in and zero every time (a large share of
    a step). Keeping them in the heap works like MXNet's pooled storage manager. Called once on import;
    set ``SSDKIT_POOLED_MEMORY=0`` to leave malloc alone. Returns True when the setting took effect.

    Examples
    --------
    >>> keep_freed_memory() in (True, False)
    True
    """
    import ctypes
    import ctypes.util
    import os
    if os.environ.get("SSDKIT_POOLED_MEMORY", "1") == "0":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        m_trim_threshold, m_mmap_max = -1, -4
        return bool(libc.mallopt(m_mmap_max, 0)) and bool(libc.mallopt(m_trim_threshold, 1 << 40))
    except (OSError, AttributeError):  # not glibc: nothing to tune
        return False


def _umask():
    """The process umask, read without changing it where the system says it (Linux); else set and restored."""
    import os
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def check_writable(fname, what="save"):
    """Raise MXNetError naming ``fname`` unless a file can be written there: call it before the work whose
    result goes there, so that a typo'd or read-only output fails in a second, not after an hour.

    Examples
    --------
    >>> import os, tempfile
    >>> check_writable(os.path.join(tempfile.mkdtemp(), "out.params"))
    >>> check_writable("/nonexistent-dir/out.params", "ssdkit-train")
    Traceback (most recent call last):
    ...
    ssdkit.base.MXNetError: ssdkit-train: cannot write /nonexistent-dir/out.params: the folder /nonexistent-dir does not exist
    """
    import os
    target = os.path.realpath(fname)
    directory = os.path.dirname(target)
    if os.path.isdir(target):
        raise MXNetError(f"{what}: cannot write {fname}: it is a folder")
    if not os.path.isdir(directory):
        raise MXNetError(f"{what}: cannot write {fname}: the folder {directory} does not exist")
    if not os.access(directory, os.W_OK | os.X_OK) or (os.path.exists(target) and not os.access(target, os.W_OK)):
        raise MXNetError(f"{what}: cannot write {fname}: permission denied")


def atomic_write(fname, payload, what="save"):
    """Write ``payload`` (bytes) to ``fname`` so a crash or a full disk never leaves a half-written file:
    a temp file in the same directory, flushed and fsynced, then ``os.replace``. Errors name ``fname``.

    The file gets the mode a plain ``open`` would give: an existing file keeps its mode, a new one gets
    ``0o666`` less the umask (0644 under umask 022). A symbolic link is written through: its target is
    replaced, the link stays.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "f.bin"); atomic_write(path, b"abc")
    >>> open(path, "rb").read()
    b'abc'
    """
    import os
    import stat
    import tempfile
    target = os.path.realpath(fname)   # through symbolic links: replace what the link points at
    directory = os.path.dirname(target)
    handle, tmp = None, None
    try:
        try:
            mode = stat.S_IMODE(os.stat(target).st_mode)
        except FileNotFoundError:
            mode = 0o666 & ~_umask()
        handle, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=directory)
        with open(handle, "wb") as f:
            f.write(payload)
            f.flush()
            os.fchmod(f.fileno(), mode)
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except OSError as err:
        if tmp is not None and os.path.exists(tmp):
            os.remove(tmp)
        raise MXNetError(f"{what}: could not write {fname}: {err.strerror or err}") from err


# ---- names MXNet's ``mxnet.base`` exports that Gluon-era code imports (GluonCV, MXNet's own tests) ----

#: ``isinstance(x, string_types)``: a text value (MXNet keeps the Python 2 spelling).
string_types = (str,)
#: Python and numpy integer types.
integer_types = (int, np.integer)
#: MXNet's default real type.
mx_real_t = np.float32
#: MXNet's placeholder for an argument that was not given (ops treat it as absent).
_Null = None


def py_str(value):
    """Bytes from a C API as ``str`` (MXNet's ``base.py_str``); a ``str`` passes through.

    Examples
    --------
    >>> py_str(b"relu"), py_str("relu")
    ('relu', 'relu')
    """
    return value.decode("utf-8") if isinstance(value, (bytes, bytearray)) else value


def _as_list(obj):
    """``obj`` if it is a list or tuple, else ``[obj]`` (MXNet's ``base._as_list``).

    Examples
    --------
    >>> _as_list(3), _as_list((1, 2))
    ([3], (1, 2))
    """
    return obj if isinstance(obj, (list, tuple)) else [obj]


def data_dir():
    """Where MXNet-era code keeps downloads and model files: ``$MXNET_HOME`` or ``~/.mxnet``.

    Examples
    --------
    >>> import os
    >>> data_dir() == os.environ.get("MXNET_HOME", os.path.join(os.path.expanduser("~"), ".mxnet"))
    True
    """
    import os
    return os.environ.get("MXNET_HOME", os.path.join(os.path.expanduser("~"), ".mxnet"))


class NotImplementedForSymbol(MXNetError):
    """A method NDArray has but Symbol cannot offer (``sym.asnumpy()``), named as MXNet names it.

    Examples
    --------
    >>> str(NotImplementedForSymbol(len, "__len__"))
    'Function len (namely operator "__len__") is not implemented for Symbol and only available in NDArray.'
    """

    def __init__(self, function, alias=None, *args):
        super().__init__()
        self.function = getattr(function, "__name__", str(function))
        self.alias = alias
        self.args = [str(type(a)) for a in args]

    def __str__(self):
        text = f"Function {self.function}"
        if self.alias:
            text += f' (namely operator "{self.alias}")'
        if self.args:
            text += " with arguments (" + ", ".join(self.args) + ")"
        return text + " is not implemented for Symbol and only available in NDArray."
