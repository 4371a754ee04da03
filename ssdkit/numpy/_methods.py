"""The NumPy-style methods of ``mx.np.ndarray`` (``x.sum(axis=0)``, ``x.reshape(2, -1)``, ...): each is the
``mx.np`` function of that name with the array first.

Examples
--------
>>> import ssdkit as mx
>>> x = mx.np.arange(6).reshape(2, 3)
>>> x.sum(axis=0), x.transpose().shape, x.argmax()
(array([3., 5., 7.]), (3, 2), array(5, dtype=int64))
"""
from . import reductions, manipulation, products, rearrange, _ufunc
from .multiarray import ndarray

__all__ = ["install"]


def _shape_args(args, kwargs, key):
    if key in kwargs:
        return kwargs.pop(key)
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return args


def reshape(self, *args, **kwargs):
    """``x.reshape(2, -1)`` or ``x.reshape((2, -1))``: NumPy's reshape (see ``mx.np.reshape``)."""
    order = kwargs.pop("order", "C")
    shape = _shape_args(args, kwargs, "newshape") if "newshape" in kwargs else _shape_args(args, kwargs, "shape")
    if kwargs:
        raise TypeError(f"reshape: unexpected keyword arguments {sorted(kwargs)}")
    return manipulation.reshape(self, shape, order)


def transpose(self, *axes):
    """``x.transpose()``, ``x.transpose(1, 0)`` or ``x.transpose((1, 0))``."""
    axes = _shape_args(axes, {}, "axes")
    return manipulation.transpose(self, tuple(axes) or None)


def flatten(self, order="C"):
    """A 1-D copy of the elements (NumPy's ``flatten``; ``npx.batch_flatten`` keeps the first axis)."""
    return manipulation.ravel(self).copy()


def round(self, decimals=0, out=None):  # noqa: A001 - numpy's method name
    """Round to ``decimals`` places (half to even, as numpy)."""
    from . import round as np_round
    return np_round(self, decimals, out)


_FROM = {
    reductions: ("sum", "mean", "max", "min", "prod", "argmax", "argmin", "std", "var", "cumsum", "all", "any"),
    manipulation: ("swapaxes", "squeeze", "repeat", "tile", "broadcast_to", "clip", "argsort", "take", "nonzero",
                   "ravel"),
    rearrange: ("flip", "diagonal", "trace"),
    products: ("dot",),
}


# NumPy's (and MXNet's) method argument order where the function's differs (np.sum puts keepdims before out)
_METHOD_ARGS = {"sum": ("axis", "dtype", "out", "keepdims"), "max": ("axis", "out", "keepdims"),
                "min": ("axis", "out", "keepdims"), "all": ("axis", "out", "keepdims"),
                "any": ("axis", "out", "keepdims")}


def _method(function):
    order = _METHOD_ARGS.get(function.__name__)

    def method(self, *args, **kwargs):
        if order and args:
            if len(args) > len(order):
                raise TypeError(f"{function.__name__}() takes at most {len(order)} positional arguments")
            kwargs.update(zip(order, args))
            args = ()
        return function(self, *args, **kwargs)
    method.__name__ = method.__qualname__ = function.__name__
    method.__doc__ = f"``x.{function.__name__}(...)`` is ``mx.np.{function.__name__}(x, ...)``.\n\n" + (
        function.__doc__ or "")
    return method


def _clip(self, min=None, max=None, out=None):  # noqa: A002 - numpy's argument names
    return manipulation.clip(self, min, max, out)


def install():
    """Attach the methods to :class:`ndarray` (done once on import of ``mx.np``).

    Examples
    --------
    >>> install()
    """
    for module, names in _FROM.items():
        for name in names:
            setattr(ndarray, name, _method(getattr(module, name)))
    for function in (reshape, transpose, flatten, round):
        setattr(ndarray, function.__name__, function)
    _clip.__doc__ = "``x.clip(min, max)``: values limited to ``[min, max]`` (either may be None)."
    ndarray.clip = _clip
    for name in ("exp", "log", "sqrt", "square", "abs", "sign", "sin", "cos", "tanh", "floor", "ceil"):
        setattr(ndarray, name, _method(_ufunc.unary_function(name)))
