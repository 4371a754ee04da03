"""The optional compiled-kernel path: numba when it is installed and not switched off, else nothing.

ssdkit needs only numpy. A kernel may also be written as plain loops over arrays for numba to compile
(``pip install ssdkit[fast]``); its caller asks :meth:`Kernel.compiled` for the compiled function and takes
its pure-numpy path when the answer is ``None``: numba is not installed, fails to import, or the environment
variable ``SSDKIT_JIT`` is ``0`` (read at every call, so a test can switch it). Both paths must give the same
numbers; the tests run with and without it.

numba is imported at the first :meth:`Kernel.compiled` call, never when ssdkit is imported (it takes seconds),
and each kernel is compiled at its first call (a second or so) and cached on disk (``cache=True``) so later
processes only load it. Kernels are compiled with ``nogil=True``: spread them over the cores with
:mod:`.parallel` (Python threads) like the numpy kernels, rather than with numba's ``prange``, whose own
thread pool would compete with those threads and with the BLAS's.

Examples
--------
>>> import numpy as np
>>> @kernel
... def add_one(a, out):
...     for i in range(a.shape[0]):
...         out[i] = a[i] + 1
>>> a, out = np.arange(3.0), np.empty(3)
>>> fast = add_one.compiled()                    # None without numba or with SSDKIT_JIT=0
>>> if fast is not None:
...     fast(a, out)
... else:
...     _ = np.add(a, 1, out=out)                # the pure-numpy path
>>> out
array([1., 2., 3.])
>>> add_one(a, out) is None                      # calling the Kernel runs whichever exists
True
"""
import functools
import os
import threading

__all__ = ["jit_available", "kernel", "Kernel", "ENV_VAR"]

#: Environment variable that switches the compiled path off when set to ``0`` (or ``false``, ``no``, ``off``).
ENV_VAR = "SSDKIT_JIT"
_OFF = {"0", "false", "no", "off"}

_numba = []                         # [module or None] once the import was tried
_import_lock = threading.Lock()


def _import_numba():
    """The numba module, or None when it cannot be imported (tried once per process)."""
    with _import_lock:
        if not _numba:
            try:
                import numba
            except Exception:       # not installed, or broken against this numpy: the numpy path serves
                numba = None
            _numba.append(numba)
        return _numba[0]


def jit_available():
    """True when compiled kernels will be used: numba imports and ``SSDKIT_JIT`` is not ``0``.

    The first call with the variable unset imports numba (seconds); with ``SSDKIT_JIT=0`` it is never imported.

    Examples
    --------
    >>> import os
    >>> jit_available() == (os.environ.get("SSDKIT_JIT", "1") != "0" and _import_numba() is not None)
    True
    """
    if os.environ.get(ENV_VAR, "1").strip().lower() in _OFF:
        return False
    return _import_numba() is not None


def _cachable(function):
    """Whether numba can cache ``function`` on disk: it must be named and defined in a real source file."""
    filename = function.__code__.co_filename
    return function.__name__ != "<lambda>" and not filename.startswith("<") and os.path.isfile(filename)


class Kernel:
    """A loop function numba may compile, compiled lazily at the first :meth:`compiled` call that wants it.

    Parameters
    ----------
    function : callable
        Plain Python over numpy arrays in numba's supported subset (loops, scalars, array indexing).
    options : dict
        Extra ``numba.njit`` options (e.g. ``fastmath=True``, ``error_model="numpy"``); ``nogil`` and
        ``cache`` default to True.

    Examples
    --------
    >>> double = Kernel(lambda x: 2 * x)
    >>> double(3)                                # compiled or not, the same answer
    6
    >>> double.__name__
    '<lambda>'
    """

    def __init__(self, function, **options):
        self.function = function
        self.options = {"nogil": True, "cache": True, **options}
        functools.update_wrapper(self, function)     # name, docstring (doctests find it through __wrapped__)
        self._compiled = None
        self._lock = threading.Lock()

    def compiled(self):
        """The numba-compiled function, or None when the compiled path is unavailable or switched off.

        Examples
        --------
        >>> k = Kernel(lambda x: x + 1)
        >>> f = k.compiled()
        >>> f is None or f(1) == 2
        True
        """
        if not jit_available():
            return None
        if self._compiled is None:
            with self._lock:
                if self._compiled is None:
                    numba = _import_numba()
                    options = dict(self.options)
                    if not _cachable(self.function):
                        options["cache"] = False
                    self._compiled = numba.njit(**options)(self.function)
        return self._compiled

    def __call__(self, *args):
        """Run the compiled function when available, else the plain Python one (slow: for tests, tiny arrays)."""
        fast = self.compiled()
        return (fast or self.function)(*args)


def kernel(function=None, **options):
    """Decorator making a :class:`Kernel` of a loop function; ``@kernel`` or ``@kernel(fastmath=True)``.

    Examples
    --------
    >>> import numpy as np
    >>> @kernel(fastmath=False)
    ... def total(a):
    ...     s = 0.0
    ...     for v in a:
    ...         s += v
    ...     return s
    >>> float(total(np.arange(4.0)))
    6.0
    >>> total.compiled() is None or total.compiled()(np.ones(2)) == 2.0
    True
    """
    if function is None:
        return lambda f: Kernel(f, **options)
    return Kernel(function, **options)
