"""``mx.np.ndarray``: an NDArray with NumPy's semantics — 0-d arrays, NumPy indexing and broadcasting, and
MXNet np's dtype rules — on the same buffer, autograd tape and op registry as ``mx.nd.NDArray``.

It subclasses NDArray (as in MXNet), so every registry op accepts it, and an op given an ``mx.np.ndarray``
returns ``mx.np.ndarray`` outputs.

Examples
--------
>>> import ssdkit as mx
>>> x = mx.np.array([[1, 2], [3, 4]])
>>> x
array([[1., 2.],
       [3., 4.]])
>>> x.sum(), x[1, 0], x[x > 2]
(array(10.), array(3.), array([3., 4.]))
>>> x.attach_grad()
>>> with mx.autograd.record():
...     y = (x * x).sum()
>>> y.backward(); x.grad
array([[2., 4.],
       [6., 8.]])
"""
import numpy as onp

from .. import autograd
from ..base import MXNetError, ShapeError
from ..ndarray.ndarray import NDArray, invoke
from . import _ufunc

__all__ = ["ndarray"]


def _np_key(key):
    """An index with mx.np arrays turned into numpy index arrays (bool stays a mask, numbers become int64)."""
    def one(k):
        if isinstance(k, NDArray):
            return k._data if k._data.dtype == onp.bool_ else k._data.astype(onp.int64)
        if isinstance(k, list) and k and all(isinstance(v, (bool, onp.bool_)) for v in k):
            return onp.array(k, onp.bool_)
        return k
    return tuple(one(k) for k in key) if isinstance(key, tuple) else one(key)


def _is_basic(key):
    key = key if isinstance(key, tuple) else (key,)
    return all(k is None or k is Ellipsis or isinstance(k, (int, onp.integer, slice)) for k in key)


class ndarray(NDArray):
    """An array with NumPy semantics, MXNet's ``mx.np.ndarray`` (create it with ``mx.np.array``).

    Examples
    --------
    >>> import ssdkit as mx
    >>> a = mx.np.array([1, 2, 3])
    >>> a.dtype, a.shape, a[0].shape
    (dtype('float32'), (3,), ())
    """
    __slots__ = ()

    def _wrap(self, data):
        return ndarray(data, self._ctx)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        """NumPy ufuncs on mx.np arrays run mx.np's function of that name (:mod:`._protocol`)."""
        from ._protocol import array_ufunc
        return array_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        """NumPy functions on mx.np arrays run mx.np's function of that name (:mod:`._protocol`)."""
        from ._protocol import array_function
        return array_function(func, types, args, kwargs)

    @property
    def dtype(self):
        """The dtype as a ``numpy.dtype`` (``dtype('float32')``), as MXNet np reports it."""
        return self._data.dtype

    @property
    def T(self):
        """The transpose (reversed axes)."""
        return self.transpose()

    # ------------------------------------------------------------ printing and conversion
    def __repr__(self):
        text = repr(self._data)
        if "dtype=" in text:
            if self._data.dtype == onp.float32:
                text = text[:text.rindex(",")] + ")"
        elif self._data.dtype not in (onp.float32, onp.bool_):
            text = text[:-1] + f", dtype={self._data.dtype})"
        return text

    def __str__(self):
        return str(self._data)

    def __format__(self, spec):
        if self.ndim == 0:
            return format(self.item(), spec)
        if not spec:
            return format(str(self), spec)
        raise TypeError("Cannot format mxnet.numpy.ndarray with format_spec")

    def item(self, *args):
        """The element as a Python scalar (of a one-element array, or at ``args``).

        Examples
        --------
        >>> import ssdkit as mx
        >>> mx.np.array(2.5).item()
        2.5
        """
        return self._data.item(*args)

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __bool__(self):
        if self.size == 0:
            return False
        if self.size > 1:
            raise ValueError("The truth value of an ndarray with multiple elements is ambiguous.")
        return bool(self.item())

    def __float__(self):
        if self.size != 1:
            raise TypeError("only size-1 arrays can be converted to Python scalars")
        return float(self.item())

    def __int__(self):
        if self.size != 1:
            raise TypeError("only size-1 arrays can be converted to Python scalars")
        return int(self.item())

    def __index__(self):
        if self.ndim != 0 or self._data.dtype.kind not in "iu":
            raise TypeError("only integer scalar arrays can be converted to a scalar index")
        return int(self.item())

    def asscalar(self):
        """The value of a one-element array as a numpy scalar (deprecated in MXNet np: use ``item``)."""
        return super().asscalar()

    def as_np_ndarray(self):
        """Itself (already an ``mx.np.ndarray``)."""
        return self

    def copy(self, order="C"):
        """A copy (recorded under autograd); only ``order='C'``, as in MXNet.

        Examples
        --------
        >>> import ssdkit as mx
        >>> mx.np.array([1, 2]).copy()
        array([1., 2.])
        """
        if order != "C":
            raise NotImplementedError(f"ndarray.copy only supports order='C', while received {order}")
        return invoke("_copy", [self])

    def astype(self, dtype, order="K", casting="unsafe", subok=True, copy=True):
        """A copy converted to ``dtype`` (recorded as Cast under autograd).

        Examples
        --------
        >>> import ssdkit as mx
        >>> mx.np.array([1.7]).astype('int32')
        array([1], dtype=int32)
        """
        if not copy and onp.dtype(dtype) == self._data.dtype:
            return self
        return invoke("Cast", [self], dtype=onp.dtype(dtype).name)

    # ------------------------------------------------------------ indexing
    def __getitem__(self, key):
        if isinstance(key, ndarray) and key.ndim == 0 and key._data.dtype.kind in "iu":
            key = int(key.item())
        key = _np_key(key)
        recording = autograd.is_recording() and (self._entry is not None or self._grad is not None)
        if not recording and _is_basic(key):
            view = self._data[key]  # basic indexing is a view where MXNet's is: a contiguous block, else a copy
            return self._wrap(view if view.flags.c_contiguous else view.copy())
        try:
            if recording:
                return invoke("_getitem", [self], key=key)
            return self._wrap(self._data[key].copy())
        except IndexError as err:
            raise IndexError(f"index {key!r} is invalid for an array of shape {self.shape}: {err}") from None

    def __setitem__(self, key, value):
        if autograd.is_recording() and any(isinstance(v, NDArray) and (v._entry is not None or v._grad is not None)
                                           for v in (self, value)):
            self._record_setitem(_np_key(key), value)
            return
        value = value._data if isinstance(value, NDArray) else value
        key = _np_key(key)
        try:
            try:
                self._data[key] = value
            except ValueError:  # MXNet drops a value's leading length-1 axes beyond the indexed shape
                value = onp.asarray(value)
                target = onp.ndim(self._data[key])
                extra = value.ndim - target
                if extra <= 0 or any(d != 1 for d in value.shape[:extra]):
                    raise
                self._data[key] = value.reshape(value.shape[extra:])
        except ValueError as err:
            raise ShapeError(f"ndarray.__setitem__: cannot assign a value of shape {onp.shape(value)} to index "
                             f"{key!r} of an array of shape {self.shape}: {err}") from None

    def _record_setitem(self, key, value):
        """``self[key] = value`` as a recorded op: this array becomes its result (values and tape entry)."""
        before = self._wrap(self._data.copy())
        before._entry = self._entry
        if not isinstance(value, NDArray):
            value = self._wrap(onp.asarray(value, self._data.dtype))
        result = invoke("_npi_setitem", [before, value], key=key)
        self._data[...] = result._data
        self._entry = result._entry

    # ------------------------------------------------------------ arithmetic (MXNet np dtype rules)
    def __add__(self, o): return _ufunc.binary("add", self, o)
    def __radd__(self, o): return _ufunc.binary("add", o, self)
    def __sub__(self, o): return _ufunc.binary("subtract", self, o)
    def __rsub__(self, o): return _ufunc.binary("subtract", o, self)
    def __mul__(self, o): return _ufunc.binary("multiply", self, o)
    def __rmul__(self, o): return _ufunc.binary("multiply", o, self)
    def __truediv__(self, o): return _ufunc.binary("true_divide", self, o)
    def __rtruediv__(self, o): return _ufunc.binary("true_divide", o, self)
    def __mod__(self, o): return _ufunc.binary("mod", self, o)
    def __rmod__(self, o): return _ufunc.binary("mod", o, self)
    def __pow__(self, o): return _ufunc.binary("power", self, o)
    def __rpow__(self, o): return _ufunc.binary("power", o, self)
    def __eq__(self, o): return _ufunc.binary("equal", self, o) if o is not None else False
    def __ne__(self, o): return _ufunc.binary("not_equal", self, o) if o is not None else True
    def __gt__(self, o): return _ufunc.binary("greater", self, o)
    def __ge__(self, o): return _ufunc.binary("greater_equal", self, o)
    def __lt__(self, o): return _ufunc.binary("less", self, o)
    def __le__(self, o): return _ufunc.binary("less_equal", self, o)
    def __and__(self, o): return _ufunc.binary("logical_and", self, o)
    def __or__(self, o): return _ufunc.binary("logical_or", self, o)
    def __xor__(self, o): return _ufunc.binary("logical_xor", self, o)
    def __invert__(self): return _ufunc.unary("logical_not", self)
    def __neg__(self): return invoke("negative", [self])
    def __abs__(self): return invoke("abs", [self])
    def __matmul__(self, o): return invoke("_npi_matmul", [self, o])
    def __rmatmul__(self, o): return invoke("_npi_matmul", [o, self])
    __div__, __rdiv__ = __truediv__, __rtruediv__
    __hash__ = NDArray.__hash__

    def __floordiv__(self, o):
        raise TypeError(f"unsupported operand type(s) for //: 'ndarray' and '{type(o).__name__}'")

    def _inplace(self, other, name):
        result = _ufunc.binary(name, self, other)
        self._data[...] = result._data
        return self

    def __iadd__(self, o): return self._inplace(o, "add")
    def __isub__(self, o): return self._inplace(o, "subtract")
    def __imul__(self, o): return self._inplace(o, "multiply")
    def __itruediv__(self, o): return self._inplace(o, "true_divide")
    def __imod__(self, o): return self._inplace(o, "mod")

    def __reduce__(self):
        raise MXNetError("mx.np.ndarray refuses pickling: save arrays with npx.save (a pickle-free format)")
