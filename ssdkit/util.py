"""Layer 0: MXNet's two NumPy switches, ``mx.util`` names — NumPy *shape* semantics (``()`` is a scalar's
shape) and NumPy *array* semantics (Gluon creates ``mx.np.ndarray`` parameters and batches).

Both are flags of the current thread, changed with :func:`set_np` / :func:`reset_np`, scoped with
:func:`np_shape` / :func:`np_array`, or bound to a function or class with :func:`use_np`.

Examples
--------
>>> from ssdkit import util
>>> util.is_np_array()
False
>>> with util.np_array(True):
...     util.is_np_array()
True
"""
import functools
import inspect
import threading

__all__ = ["set_np_shape", "is_np_shape", "np_shape", "use_np_shape", "set_np_array", "is_np_array", "np_array",
           "use_np_array", "use_np", "set_np", "reset_np"]


class _Flags(threading.local):
    shape = False
    array = False


_FLAGS = _Flags()


class _Scope:
    """A ``with`` scope that sets one flag and restores it on exit (MXNet's _NumpyShapeScope / ArrayScope)."""

    def __init__(self, flag, active):
        self._flag, self._active, self._old = flag, bool(active), None

    def __enter__(self):
        self._old = getattr(_FLAGS, self._flag)
        setattr(_FLAGS, self._flag, self._active)
        return self

    def __exit__(self, *exc):
        setattr(_FLAGS, self._flag, self._old)


def set_np_shape(active):
    """Turn NumPy shape semantics on or off; returns the previous state.

    Turning it off while NumPy array semantics is on is refused (ValueError), as in MXNet.

    Examples
    --------
    >>> set_np_shape(True)
    False
    >>> set_np_shape(False)
    True
    """
    if not active and _FLAGS.array:
        raise ValueError("Deactivating NumPy shape semantics while NumPy array semantics is still active is not "
                         "allowed. Please consider calling `npx.reset_np()` to deactivate both of them.")
    old, _FLAGS.shape = _FLAGS.shape, bool(active)
    return old


def is_np_shape():
    """Whether NumPy shape semantics is on.

    Examples
    --------
    >>> is_np_shape()
    False
    """
    return _FLAGS.shape


def np_shape(active=True):
    """A ``with`` scope with NumPy shape semantics on (or off).

    Examples
    --------
    >>> with np_shape():
    ...     is_np_shape()
    True
    """
    return _Scope("shape", active)


def set_np_array(active):
    """Turn NumPy array semantics on or off; returns the previous state (MXNet's ``_set_np_array``).

    Examples
    --------
    >>> set_np_array(False)
    False
    """
    old, _FLAGS.array = _FLAGS.array, bool(active)
    return old


def is_np_array():
    """Whether NumPy array semantics is on: Gluon then creates ``mx.np.ndarray`` parameters and batches.

    Examples
    --------
    >>> is_np_array()
    False
    """
    return _FLAGS.array


def np_array(active=True):
    """A ``with`` scope with NumPy array semantics on (or off).

    Examples
    --------
    >>> with np_array():
    ...     is_np_array()
    True
    """
    return _Scope("array", active)


def _scoped(scope_factory, what):
    def decorate(func):
        if inspect.isclass(func):
            for name, member in inspect.getmembers(
                    func, lambda f: inspect.isfunction(f) or inspect.ismethod(f) or isinstance(f, property)):
                if isinstance(member, property):
                    setattr(func, name, property(decorate(member.__get__), member.__set__, member.__delattr__,
                                                 member.__doc__))
                else:
                    setattr(func, name, decorate(member))
            return func
        if not callable(func):
            raise TypeError(f"{what} can only decorate classes and callable objects, while received a "
                            f"{type(func)}")

        @functools.wraps(func)
        def wrapped(*args, **kwargs):
            with scope_factory():
                return func(*args, **kwargs)
        return wrapped
    return decorate


def use_np_shape(func):
    """Decorator: run ``func`` (or every method of a class) with NumPy shape semantics on.

    Examples
    --------
    >>> use_np_shape(is_np_shape)()
    True
    """
    return _scoped(lambda: np_shape(True), "use_np_shape")(func)


def use_np_array(func):
    """Decorator: run ``func`` (or every method of a class) with NumPy array semantics on.

    Examples
    --------
    >>> use_np_array(is_np_array)()
    True
    """
    return _scoped(lambda: np_array(True), "use_np_array")(func)


def use_np(func):
    """Decorator: run ``func`` (or every method of a class) with NumPy shape and array semantics on.

    Examples
    --------
    >>> @use_np
    ... def f():
    ...     return is_np_shape(), is_np_array()
    >>> f()
    (True, True)
    """
    return use_np_shape(use_np_array(func))


def set_np(shape=True, array=True):
    """Turn NumPy shape and array semantics on (the first line of d2l: ``npx.set_np()``).

    Array semantics needs shape semantics: ``set_np(shape=False, array=True)`` raises ValueError.

    Examples
    --------
    >>> set_np(); is_np_array()
    True
    >>> reset_np(); is_np_array()
    False
    """
    if not shape and array:
        raise ValueError("NumPy Shape semantics is required in using NumPy array semantics.")
    set_np_array(array)
    set_np_shape(shape)


def reset_np():
    """Turn NumPy shape and array semantics off.

    Examples
    --------
    >>> reset_np(); is_np_shape()
    False
    """
    set_np(shape=False, array=False)
