"""Layer 3: the NDArray (a numpy buffer + autograd bookkeeping) and :func:`invoke`, the one path from an
array call to the op registry and the tape.

Examples
--------
>>> import ssdkit as mx
>>> a = mx.nd.array([[1, 2, 3], [4, 5, 6]])
>>> a
<BLANKLINE>
[[1. 2. 3.]
 [4. 5. 6.]]
<NDArray 2x3 @cpu(0)>
>>> (a * 2 + 1).sum(axis=1).asnumpy()
array([15., 33.], dtype=float32)
"""
import numpy as np

from .. import autograd
from ..base import MXNetError, ShapeError, DTYPE, numeric_types
from ..context import Context, cpu, check_cpu
from ..ops import get_op, Op
from ..profiler import recorder as _profiler

__all__ = ["NDArray", "invoke", "invoke_op"]

#: Python's ``slice`` under the name MXNet's ndarray module exports it (MXNet's tests import it from here).
py_slice = slice


def _has_shape_rule(op):
    return type(op).infer_shape is not Op.infer_shape


def invoke_op(op, inputs, params, out=None, share=False):
    """Run ``op`` on NDArrays with parsed ``params``: check shapes, forward, and record on the tape.

    Returns the list of output NDArrays. Outputs never share memory with the inputs (an op's result is a
    new array in MXNet; numpy reshapes and transposes would give views) unless ``share`` (``x.reshape``).

    Examples
    --------
    >>> from ssdkit.ops import get_op
    >>> op = get_op("exp")
    >>> invoke_op(op, [NDArray(np.zeros(2, np.float32))], op.parse_params({}))[0].asnumpy()
    array([1., 1.], dtype=float32)
    """
    arrays = [x._data for x in inputs]
    if _has_shape_rule(op):
        op.infer_shape(params, [a.shape for a in arrays])
    forward_args = (params, arrays, autograd.is_training())
    if out is not None and op.writes_out:   # update ops write the new weight straight into out (often the weight)
        forward_args += ([o._data for o in (out if isinstance(out, (list, tuple)) else [out])],)
    try:
        if _profiler.imperative_on:
            outputs, saved = _profiler.run_op(op.name, op.forward, forward_args)
        else:
            outputs, saved = op.forward(*forward_args)
    except (ValueError, IndexError, TypeError, ArithmeticError) as err:
        if isinstance(err, MXNetError):
            raise
        shapes = ", ".join(f"{n}{a.shape}" for n, a in zip(op.input_names(params), arrays))
        raise MXNetError(f"{op.name}: cannot compute with inputs {shapes} and parameters "
                         f"{dict(params)}: {err}") from None
    if not share:
        outputs = [_unaliased(o, arrays) for o in outputs]
    make = _result_class(inputs)
    results = [make(o) for o in outputs]
    if op.recorded or any(x._entry is not None for x in inputs):
        needs = autograd.gradient_needs(inputs)
        def backward(grads):
            if _profiler.imperative_on:
                return _profiler.run_op(_profiler.backward_name(op.name), op.backward_some,
                                        (params, saved, grads, needs))
            return op.backward_some(params, saved, grads, needs)
        autograd.record_node(backward, inputs, results, op.name, _graph_backward(op, params, saved, inputs, results),
                             op, params)
    if out is not None:
        outs = out if isinstance(out, (list, tuple)) else [out]
        for dst, src in zip(outs, results):
            if src._data is not dst._data:
                dst._data[...] = src._data
        return list(outs)
    return results


def _unaliased(output, arrays):
    """``output``, copied when it is a view into one of the input buffers."""
    if isinstance(output, np.ndarray) and output.base is not None and any(
            np.may_share_memory(output, a) for a in arrays):
        return output.copy()
    return output


def _graph_backward(op, params, saved, inputs, results):
    """The recorded form of this op application's backward, for ``autograd.grad(create_graph=True)``."""
    out_data = [r._data for r in results]
    make = type(results[0]) if results else NDArray

    def graph_backward(node, out_grads):
        from .higher_order import traced_backward
        outputs = []
        for i, data in enumerate(out_data):  # the outputs as recorded entries of this node
            out = make(data)
            out._entry = (node, i)
            outputs.append(out)
        return traced_backward(op, params, saved, inputs, outputs, out_data, out_grads)
    return graph_backward


def _result_class(inputs):
    """Outputs take the class of the first input that is not a plain NDArray: ``mx.np.ndarray`` (a subclass)
    in, ``mx.np.ndarray`` out, so one registry op serves nd and np."""
    for x in inputs:
        if type(x) is not NDArray:
            return type(x)
    return NDArray


def invoke(op_name, inputs, out=None, **kwargs):
    """Call a registered op by name on NDArrays; returns one NDArray or a list for multi-output ops.

    Examples
    --------
    >>> invoke("relu", [NDArray(np.array([-1., 1.], np.float32))]).asnumpy()
    array([0., 1.], dtype=float32)
    """
    op = get_op(op_name)
    params = op.parse_params(kwargs)
    results = invoke_op(op, inputs, params, out)
    return results[0] if len(results) == 1 else results


def _to_nd(value, like):
    if isinstance(value, NDArray):
        return value
    return NDArray(np.asarray(value, dtype=like.dtype))


def check_dense(what, stype):
    """Refuse a sparse storage type with an error naming it: ssdkit's arrays are dense only.

    ``None`` and ``'default'`` (dense) pass; anything else raises MXNetError rather than quietly giving a
    dense array where MXNet would give a sparse one.

    Examples
    --------
    >>> check_dense("zeros", "default")
    >>> check_dense("zeros", "csr")
    Traceback (most recent call last):
    ...
    ssdkit.base.MXNetError: zeros: sparse storage 'csr' is not supported by ssdkit (arrays are dense); use ...
    """
    if stype not in (None, "default"):
        raise MXNetError(f"{what}: sparse storage {stype!r} is not supported by ssdkit (arrays are dense); use "
                         "dense arrays (stype 'default')")


class NDArray:
    """An n-dimensional array on the CPU, MXNet's ``mx.nd.NDArray``.

    Arithmetic broadcasts, scalars keep the array's dtype, and every operation inside
    ``autograd.record()`` is recorded for ``backward``.

    Parameters
    ----------
    data : numpy.ndarray
        The buffer (not copied).
    ctx : Context, optional

    Examples
    --------
    >>> x = NDArray(np.arange(6, dtype=np.float32).reshape(2, 3))
    >>> x.shape, x.dtype, x.size, x.ndim, x.context
    ((2, 3), <class 'numpy.float32'>, 6, 2, cpu(0))
    >>> x.reshape((0, -1, 1)).shape
    (2, 3, 1)
    """
    __array_priority__ = 1000.0  # numpy scalars defer to NDArray operators
    __slots__ = ("_data", "_ctx", "_grad", "_grad_req", "_entry", "_fresh_grad", "__weakref__")

    def __init__(self, data, ctx=None):
        self._data = data if isinstance(data, np.ndarray) else np.asarray(data)
        self._ctx = ctx if ctx is not None else cpu()
        self._grad = None
        self._grad_req = "null"
        self._entry = None
        self._fresh_grad = False  # set by backward when it writes this variable's gradient (stale-grad check)

    # ----------------------------------------------------------------- basics
    def _wrap(self, data):
        return NDArray(data, self._ctx)

    @property
    def shape(self):
        """The shape as a tuple."""
        return self._data.shape

    @property
    def dtype(self):
        """The numpy scalar type (e.g. ``numpy.float32``), as MXNet reports it."""
        return self._data.dtype.type

    @property
    def size(self):
        """Number of elements."""
        return self._data.size

    @property
    def ndim(self):
        """Number of dimensions."""
        return self._data.ndim

    @property
    def context(self):
        """The array's Context (always a CPU context)."""
        return self._ctx

    ctx = context

    @property
    def stype(self):
        """Storage type: always ``'default'`` (dense)."""
        return "default"

    def tostype(self, stype):
        """A copy in storage type ``stype``: ``'default'`` (dense) only; sparse types raise a clear error.

        Examples
        --------
        >>> NDArray(np.ones(2, np.float32)).tostype('default').asnumpy()
        array([1., 1.], dtype=float32)
        >>> NDArray(np.ones(2, np.float32)).tostype('row_sparse')
        Traceback (most recent call last):
        ...
        ssdkit.base.MXNetError: tostype: sparse storage 'row_sparse' is not supported by ssdkit (arrays are dense); ...
        """
        check_dense("tostype", stype if stype is not None else "None")
        return self.copy()

    @property
    def T(self):
        """The transpose (reversed axes)."""
        return self.transpose()

    @property
    def grad(self):
        """The gradient buffer attached by :meth:`attach_grad` (None before); ``backward()`` stores gradients here."""
        return self._grad

    @property
    def handle(self):
        """MXNet exposed a C handle; here the numpy buffer stands in for it."""
        return self._data

    def asnumpy(self):
        """A numpy copy of the values.

        Examples
        --------
        >>> NDArray(np.ones(2, np.float32)).asnumpy()
        array([1., 1.], dtype=float32)
        """
        return self._data.copy()

    def asscalar(self):
        """The value of a one-element array as a numpy scalar.

        Examples
        --------
        >>> print(NDArray(np.array([3.5], np.float32)).asscalar())
        3.5
        """
        if self._data.size != 1:
            raise ShapeError(f"asscalar: the array must have exactly one element, got shape {self.shape}")
        return self._data.reshape(-1)[0]

    def astype(self, dtype, copy=True):
        """A copy converted to ``dtype`` (differentiable, as MXNet's Cast).

        Examples
        --------
        >>> NDArray(np.ones(2, np.float32)).astype('int32').dtype
        <class 'numpy.int32'>
        """
        if not copy and np.dtype(dtype) == self._data.dtype:
            return self
        return invoke("Cast", [self], dtype=np.dtype(dtype).name)

    def copy(self):
        """A deep copy (recorded as ``_copy`` under autograd).

        Examples
        --------
        >>> a = NDArray(np.ones(2, np.float32)); b = a.copy(); b[:] = 0; a.asnumpy()
        array([1., 1.], dtype=float32)
        """
        return invoke("_copy", [self])

    def copyto(self, other):
        """Copy the values into ``other`` (an NDArray of the same shape) or to a new array on a Context.

        Examples
        --------
        >>> a = NDArray(np.ones(2, np.float32)); b = NDArray(np.zeros(2, np.float32))
        >>> a.copyto(b).asnumpy()
        array([1., 1.], dtype=float32)
        """
        if isinstance(other, Context):
            check_cpu(other)
            return type(self)(self._data.copy(), other)
        if other.shape != self.shape:
            raise ShapeError(f"copyto: target shape {other.shape} differs from source shape {self.shape}")
        other._data[...] = self._data
        return other

    def as_in_context(self, context):
        """This array on ``context``: itself when already there, else a copy labelled with ``context``
        (every context is CPU memory here; ``cpu_pinned`` batches move back to ``cpu()`` this way).

        Examples
        --------
        >>> from ssdkit.context import cpu_pinned
        >>> a = NDArray(np.ones(1, np.float32)); a.as_in_context(cpu()) is a, a.as_in_context(cpu_pinned()).context
        (True, cpu_pinned(0))
        """
        check_cpu(context)
        if context == self._ctx:
            return self
        moved = invoke("_copy", [self])   # a recorded copy, as MXNet's copy to another context
        moved._ctx = context
        return moved

    as_in_ctx = as_in_context

    def attach_grad(self, grad_req="write", stype=None):
        """Allocate a zero gradient buffer and make this array a variable for autograd.

        Parameters
        ----------
        grad_req : {'write', 'add', 'null'}
        stype : None or 'default'
            The gradient's storage; a sparse one ('row_sparse', 'csr') raises MXNetError (ssdkit is dense only).

        Examples
        --------
        >>> a = NDArray(np.ones(2, np.float32)); a.attach_grad(); a.grad.asnumpy()
        array([0., 0.], dtype=float32)
        """
        if grad_req not in ("write", "add", "null"):
            raise MXNetError(f"attach_grad: grad_req must be 'write', 'add' or 'null', got {grad_req!r}")
        check_dense("attach_grad", stype)
        self._grad = self._wrap(np.zeros_like(self._data))
        self._grad_req = grad_req
        self._entry = None

    def detach(self):
        """A new array sharing the values but cut from the autograd graph.

        Examples
        --------
        >>> NDArray(np.ones(1, np.float32)).detach().shape
        (1,)
        """
        return self._wrap(self._data)

    def backward(self, out_grad=None, retain_graph=False, train_mode=True):
        """Back-propagate from this array (``out_grad`` defaults to ones).

        Examples
        --------
        >>> a = NDArray(np.array([2.0], np.float32)); a.attach_grad()
        >>> with autograd.record():
        ...     b = a * a
        >>> b.backward(); a.grad.asnumpy()
        array([4.], dtype=float32)
        """
        autograd.backward([self], None if out_grad is None else [out_grad], retain_graph, train_mode)

    def as_np_ndarray(self):
        """This array as an ``mx.np.ndarray``: the same buffer, the same place in the autograd graph.

        Examples
        --------
        >>> a = NDArray(np.ones(2, np.float32)); b = a.as_np_ndarray(); type(b).__module__
        'ssdkit.numpy.multiarray'
        """
        from ..numpy.multiarray import ndarray  # same layer; loaded when first converted
        return _same_array(self, ndarray)

    def as_nd_ndarray(self):
        """This array as a legacy ``mx.nd.NDArray`` (itself for an NDArray).

        Examples
        --------
        >>> a = NDArray(np.ones(2, np.float32)); a.as_nd_ndarray() is a
        True
        """
        return self if type(self) is NDArray else _same_array(self, NDArray)

    def wait_to_read(self):
        """Computation is synchronous here; returns immediately."""

    def tolist(self):
        """Nested Python lists of the values."""
        return self._data.tolist()

    # ------------------------------------------------------------- printing
    def __repr__(self):
        shape = "x".join(str(d) for d in self.shape)
        return f"\n{self._data}\n<{type(self).__name__} {shape} @{self._ctx}>"

    def __str__(self):
        return self.__repr__()

    def __len__(self):
        if not self.ndim:
            raise TypeError("len() of a 0-d NDArray")
        return self.shape[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __bool__(self):
        if self.size == 0:
            return False  # MXNet 1.9.1 answers False for an empty array
        if self.size != 1:
            raise ValueError(f"The truth value of an NDArray with {self.size} elements is ambiguous.")
        return bool(self._data.reshape(-1)[0])

    def __float__(self):
        return float(self.asscalar())

    def __int__(self):
        return int(self.asscalar())

    def __index__(self):
        return int(self.asscalar())

    def __array__(self, dtype=None, copy=None):
        return self._data if dtype is None else self._data.astype(dtype)

    def __hash__(self):
        return id(self)

    def __deepcopy__(self, memo):
        """``copy.deepcopy``: a new array with the same values, dtype and context (no pickling involved).

        Examples
        --------
        >>> import copy
        >>> a = NDArray(np.ones(2, np.float32)); b = copy.deepcopy({"w": a})["w"]; b[:] = 0; a.asnumpy()
        array([1., 1.], dtype=float32)
        """
        clone = type(self)(self._data.copy(), ctx=self.context)
        memo[id(self)] = clone
        return clone

    def __getstate__(self):
        raise MXNetError("NDArray refuses pickling: save arrays with mx.nd.save (a pickle-free format)")

    def __setstate__(self, state):
        """Take the array MXNet's ``__getstate__`` describes, ``{'handle': raw bytes or None}``: the bytes
        are one array in MXNet's binary layout (read by the same checked reader as ``mx.nd.load``, never
        unpickled); an array saved on a GPU comes back on the CPU.

        Examples
        --------
        >>> import struct    # magic, dense, ndim 1, shape (1,), saved on gpu(0), float32, the value 1.0
        >>> raw = struct.pack('<Iiiqiii', 0xF993FAC9, 0, 1, 1, 2, 0, 0) + np.float32(1).tobytes()
        >>> a = NDArray(np.zeros(1, np.float32)); a.__setstate__({'handle': bytearray(raw)})
        >>> a.asnumpy(), a.context
        (array([1.], dtype=float32), cpu(0))
        """
        from .serialization import load_raw_bytes
        if not isinstance(state, dict) or "handle" not in state:
            raise MXNetError(f"NDArray.__setstate__: expects {{'handle': bytes}}, got {type(state).__name__}")
        handle = state["handle"]
        if handle is not None and not isinstance(handle, (bytes, bytearray, memoryview)):
            raise MXNetError(f"NDArray.__setstate__: 'handle' must be bytes, got {type(handle).__name__}")
        data = np.zeros((0,), np.float32) if handle is None else load_raw_bytes(handle, "NDArray state")._data
        NDArray.__init__(self, data, cpu())

    # ------------------------------------------------------------- indexing
    def __getitem__(self, key):
        key = _one_element_view(_index_key(key), self.shape)
        if autograd.is_recording() and (self._entry is not None or self._grad is not None):
            return invoke("_getitem", [self], key=key)
        return self._wrap(self._data[key])  # basic indexing is a view, as in MXNet

    def __setitem__(self, key, value):
        if key is not None and autograd.is_recording() and any(
                isinstance(a, NDArray) and (a._entry is not None or a._grad is not None) for a in (self, value)):
            raise MXNetError("Inplace operations (+=, -=, x[:]=, etc) are not supported when recording with "
                             "autograd.")
        value = value._data if isinstance(value, NDArray) else value
        key = _one_element_view(_index_key(key), self.shape)
        try:
            self._data[key] = value
        except ValueError as err:
            raise ShapeError(f"NDArray.__setitem__: cannot assign a value of shape {np.shape(value)} to "
                             f"index {key!r} of an array of shape {self.shape}: {err}") from None

    # ------------------------------------------------------------ arithmetic
    def _binary(self, other, op, scalar_op, reflected_scalar_op=None, swap=False):
        if isinstance(other, NDArray):
            return invoke(op, [other, self] if swap else [self, other])
        if isinstance(other, numeric_types):
            return invoke(reflected_scalar_op if swap else scalar_op, [self], scalar=float(other))
        if isinstance(other, np.ndarray):
            other = NDArray(other.astype(self._data.dtype, copy=False))
            return invoke(op, [other, self] if swap else [self, other])
        return NotImplemented

    def __add__(self, o): return self._binary(o, "broadcast_add", "_plus_scalar", "_plus_scalar", False)
    def __radd__(self, o): return self._binary(o, "broadcast_add", "_plus_scalar", "_plus_scalar", True)
    def __sub__(self, o): return self._binary(o, "broadcast_sub", "_minus_scalar", "_rminus_scalar", False)
    def __rsub__(self, o): return self._binary(o, "broadcast_sub", "_minus_scalar", "_rminus_scalar", True)
    def __mul__(self, o): return self._binary(o, "broadcast_mul", "_mul_scalar", "_mul_scalar", False)
    def __rmul__(self, o): return self._binary(o, "broadcast_mul", "_mul_scalar", "_mul_scalar", True)
    def __truediv__(self, o): return self._binary(o, "broadcast_div", "_div_scalar", "_rdiv_scalar", False)
    def __rtruediv__(self, o): return self._binary(o, "broadcast_div", "_div_scalar", "_rdiv_scalar", True)
    def __mod__(self, o): return self._binary(o, "broadcast_mod", "_mod_scalar", "_rmod_scalar", False)
    def __rmod__(self, o): return self._binary(o, "broadcast_mod", "_mod_scalar", "_rmod_scalar", True)
    def __pow__(self, o): return self._binary(o, "broadcast_power", "_power_scalar", "_rpower_scalar", False)
    def __rpow__(self, o): return self._binary(o, "broadcast_power", "_power_scalar", "_rpower_scalar", True)
    def __eq__(self, o): return self._binary(o, "broadcast_equal", "_equal_scalar", "_equal_scalar")
    def __ne__(self, o): return self._binary(o, "broadcast_not_equal", "_not_equal_scalar", "_not_equal_scalar")
    def __gt__(self, o): return self._binary(o, "broadcast_greater", "_greater_scalar", "_lesser_scalar")
    def __ge__(self, o): return self._binary(o, "broadcast_greater_equal", "_greater_equal_scalar",
                                             "_lesser_equal_scalar")
    def __lt__(self, o): return self._binary(o, "broadcast_lesser", "_lesser_scalar", "_greater_scalar")
    def __le__(self, o): return self._binary(o, "broadcast_lesser_equal", "_lesser_equal_scalar",
                                             "_greater_equal_scalar")
    def __neg__(self): return invoke("negative", [self])
    def __abs__(self): return invoke("abs", [self])
    __div__, __rdiv__ = __truediv__, __rtruediv__

    def _inplace(self, other, op_name):
        # MXNet's in-place update writes into this buffer; it is not recorded by autograd
        result = getattr(self, op_name)(other)
        self._data[...] = result._data
        return self

    def __iadd__(self, o): return self._inplace(o, "__add__")
    def __isub__(self, o): return self._inplace(o, "__sub__")
    def __imul__(self, o): return self._inplace(o, "__mul__")
    def __itruediv__(self, o): return self._inplace(o, "__truediv__")
    def __imod__(self, o): return self._inplace(o, "__mod__")

    # ------------------------------------------------------------ shape methods
    def reshape(self, *shape, **kwargs):
        """Reshape with MXNet's special codes (0 copy, -1 infer, -2 rest, -3 merge, -4 split).

        Examples
        --------
        >>> NDArray(np.zeros((2, 3, 4), np.float32)).reshape(-3, 0).shape
        (6, 4)
        """
        if "shape" in kwargs:
            shape = kwargs.pop("shape")
        elif len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        op = get_op("Reshape")
        return invoke_op(op, [self], op.parse_params(dict(kwargs, shape=tuple(shape))), share=True)[0]

    def reshape_like(self, *args, **kwargs):
        """Reshape like ``rhs`` (positionally or ``rhs=``), with ``reshape_like``'s begin/end parameters.

        Examples
        --------
        >>> NDArray(np.zeros(6, np.float32)).reshape_like(rhs=NDArray(np.zeros((2, 3), np.float32))).shape
        (2, 3)
        """
        if args and not kwargs and len(args) == 1:
            return self.reshape(args[0].shape)  # a view, as before
        return invoke("reshape_like", [self, kwargs.pop("rhs", args[0] if args else None)], **kwargs)

    def transpose(self, *axes, **kwargs):
        """Permute axes (reversed by default)."""
        axes = kwargs.pop("axes", axes[0] if len(axes) == 1 and isinstance(axes[0], (tuple, list)) else axes)
        return invoke("transpose", [self], axes=tuple(axes or ()))

    def flatten(self, inplace=False):
        """Collapse every axis but the first: (N, ...) -> (N, prod(...)), as MXNet's Flatten; ``inplace`` gives
        a view sharing this array's memory.

        Examples
        --------
        >>> x = NDArray(np.zeros((2, 3, 4), np.float32)); v = x.flatten(inplace=True); v[:] = 1; float(x.asnumpy().sum())
        24.0
        """
        return self.reshape((0, -1)) if inplace else invoke("Flatten", [self])

    def expand_dims(self, axis, inplace=False):
        """Insert a length-1 axis at ``axis``; ``inplace`` gives a view sharing this array's memory.

        Examples
        --------
        >>> NDArray(np.zeros((2, 3), np.float32)).expand_dims(1, inplace=True).shape
        (2, 1, 3)
        """
        if not inplace:
            return invoke("expand_dims", [self], axis=axis)
        shape = list(self.shape)
        shape.insert(axis % (self.ndim + 1), 1)
        return self.reshape(shape)

    def squeeze(self, axis=None, inplace=False):
        """Drop length-1 axes (all, or those in ``axis``); ``inplace`` gives a view sharing this array's memory.

        Examples
        --------
        >>> NDArray(np.zeros((2, 1, 3, 1), np.float32)).squeeze(axis=(1, 3), inplace=True).shape
        (2, 3)
        """
        if not inplace:
            return invoke("squeeze", [self], axis=axis)
        axes = range(self.ndim) if axis is None else [a % self.ndim for a in np.atleast_1d(axis).tolist()]
        shape = [d for i, d in enumerate(self.shape) if not (i in axes and d == 1)]
        return self.reshape(shape or [1])










    def split_v2(self, *args, **kwargs):
        """Split along an axis into equal sections or at indices; see ``nd.split_v2``.

        Examples
        --------
        >>> len(NDArray(np.zeros((2, 6), np.float32)).split_v2(3, axis=1))
        3
        """
        from .pyfuncs import split_v2
        return split_v2(self, *args, **kwargs)

    def to_dlpack_for_read(self):
        """This array's memory as a DLPack producer for reading; see ``nd.to_dlpack_for_read``.

        Examples
        --------
        >>> np.from_dlpack(NDArray(np.ones(2, np.float32)).to_dlpack_for_read()).tolist()
        [1.0, 1.0]
        """
        from .dlpack import to_dlpack_for_read
        return to_dlpack_for_read(self)

    def to_dlpack_for_write(self):
        """This array's memory as a DLPack producer for writing; see ``nd.to_dlpack_for_write``.

        Examples
        --------
        >>> np.from_dlpack(NDArray(np.ones(2, np.float32)).to_dlpack_for_write()).tolist()
        [1.0, 1.0]
        """
        from .dlpack import to_dlpack_for_write
        return to_dlpack_for_write(self)

    @staticmethod
    def _basic_indexing_slice_is_contiguous(slc_key, shape):
        """Whether slicing an array of ``shape`` with one slice per axis gives C-contiguous memory: from the
        last axis on, once an axis is cut to a proper subset, every earlier axis keeps at most one element.

        Examples
        --------
        >>> NDArray._basic_indexing_slice_is_contiguous((slice(0, 1), slice(None)), (3, 4))
        True
        >>> NDArray._basic_indexing_slice_is_contiguous((slice(None), slice(0, 2)), (3, 4))
        False
        """
        lengths = [len(range(*s.indices(n))) for s, n in zip(slc_key, shape)]
        if int(np.prod(lengths)) in (0, 1):
            return True
        is_subset = False
        for s, n, count in zip(reversed(slc_key), reversed(shape), reversed(lengths)):
            step = s.indices(n)[2]
            if count > 1 and step != 1:
                return False
            if is_subset and count > 1:
                return False
            if count < n:
                is_subset = True
        return True

    def take(self, indices, axis=0, mode="clip"):
        """Elements at ``indices`` (a list, numpy array or NDArray) along ``axis``; see ``nd.take``."""
        return invoke("take", [self, _to_nd(indices, self)], axis=axis, mode=mode)

    def pick(self, index, axis=-1, keepdims=False):
        """One element per row picked by ``index`` along ``axis``; see ``nd.pick``."""
        return invoke("pick", [self, _to_nd(index, self)], axis=axis, keepdims=keepdims)











def _same_array(src, cls):
    """A ``cls`` view of ``src``: shared buffer, gradient buffer and tape entry (MXNet shares the handle)."""
    dst = cls(src._data, src._ctx)
    dst._grad = None if src._grad is None else _same_array(src._grad, cls) if type(src._grad) is not cls \
        else src._grad
    dst._grad_req, dst._entry = src._grad_req, src._entry
    return dst


def _reduction(op_name):
    # ``out=`` as every MXNet op takes it; numpy's np.sum(a)/np.argmax(a, axis) call these methods with out=None
    def method(self, axis=None, keepdims=False, exclude=False, out=None):
        if op_name in ("argmax", "argmin"):
            result = invoke(op_name, [self], axis=axis, keepdims=keepdims)
        else:
            result = invoke(op_name, [self], axis=axis, keepdims=keepdims, exclude=exclude)
        if out is None:
            return result
        out[:] = result
        return out
    method.__name__ = op_name
    method.__doc__ = f"{op_name} over ``axis`` (None = all), MXNet's ``keepdims`` and ``exclude``; ``out=`` as MXNet."
    return method


for _name in ("sum", "mean", "max", "min", "prod", "argmax", "argmin"):
    setattr(NDArray, _name, _reduction(_name))


#: MXNet's storage type ids (``__storage_type__`` attributes); ssdkit arrays are all ``default`` (dense).
_STORAGE_TYPE_STR_TO_ID = {"undefined": -1, "default": 0, "row_sparse": 1, "csr": 2}
_STORAGE_TYPE_ID_TO_STR = {v: k for k, v in _STORAGE_TYPE_STR_TO_ID.items()}


def _one_element_view(key, shape):
    """MXNet 1.x never returns a 0-d array: an integer per axis (``a[0]`` of 1-D, ``a[1, 2]`` of 2-D) gives the
    one-element view of shape ``(1,)``; the last integer becomes a length-1 slice.

    Examples
    --------
    >>> _one_element_view(-1, (5,)), _one_element_view((1, 2), (3, 4)), _one_element_view(0, (3, 4))
    (slice(4, 5, None), (1, slice(2, 3, None)), 0)
    """
    ints = key if isinstance(key, tuple) else (key,)
    if not shape or len(ints) != len(shape) or not all(isinstance(k, (int, np.integer))
                                                        and not isinstance(k, (bool, np.bool_)) for k in ints):
        return key
    last = int(ints[-1])
    if not -shape[-1] <= last < shape[-1]:
        return key  # numpy raises the IndexError naming the axis
    last %= shape[-1]
    view = tuple(ints[:-1]) + (slice(last, last + 1),)
    return view if isinstance(key, tuple) else view[0]


def _index_key(key):
    """NDArray indices become numpy indices (integer arrays for advanced indexing)."""
    if isinstance(key, NDArray):
        return key._data.astype(np.int64)
    if isinstance(key, tuple):
        return tuple(k._data.astype(np.int64) if isinstance(k, NDArray) else k for k in key)
    return key
