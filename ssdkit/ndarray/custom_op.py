"""Custom operators written in Python (``mx.operator``): ``CustomOp``, ``CustomOpProp``, ``register`` and the
registry op ``Custom`` that runs them — imperatively (``nd.Custom``, recorded by autograd) and in graphs
(``sym.Custom``, hybridized blocks), as MXNet 1.9.1 does.

A ``CustomOpProp`` subclass, registered under a name, declares arguments, outputs, shapes and types and
creates the ``CustomOp`` that computes: ``forward(is_train, req, in_data, out_data, aux)`` fills the outputs
(``self.assign(dst, req, src)`` honours ``req``) and ``backward(req, out_grad, in_data, out_data, in_grad, aux)``
fills the input gradients. Every keyword given to ``Custom`` besides ``op_type`` reaches the prop's
constructor as a string, as MXNet passes them.

Examples
--------
>>> import ssdkit as mx
>>> class Square(CustomOp):
...     def forward(self, is_train, req, in_data, out_data, aux):
...         self.assign(out_data[0], req[0], in_data[0] * in_data[0])
...     def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
...         self.assign(in_grad[0], req[0], 2 * in_data[0] * out_grad[0])
>>> @register("doc_square")
... class SquareProp(CustomOpProp):
...     def create_operator(self, ctx, shapes, dtypes):
...         return Square()
>>> x = mx.nd.array([1.0, 3.0]); x.attach_grad()
>>> with mx.autograd.record():
...     y = mx.nd.Custom(x, op_type="doc_square")
>>> y.backward(); y.asnumpy(), x.grad.asnumpy()
(array([1., 9.], dtype=float32), array([2., 6.], dtype=float32))
"""
import numpy as np

from .. import autograd
from ..base import MXNetError, DTYPE
from ..context import cpu
from ..ops.registry import Op, Params, register as register_op, get_op
from .ndarray import NDArray

__all__ = ["CustomOp", "CustomOpProp", "register", "get_prop_class", "registered_op_types"]

_PROPS = {}  # op_type -> CustomOpProp subclass


class CustomOp:
    """Base class of the object that computes a custom operator (made by ``CustomOpProp.create_operator``).

    Examples
    --------
    >>> import ssdkit as mx
    >>> out = mx.nd.zeros((2,))
    >>> CustomOp().assign(out, "add", mx.nd.ones((2,))); out.asnumpy()
    array([1., 1.], dtype=float32)
    """

    def __init__(self):
        pass

    def forward(self, is_train, req, in_data, out_data, aux):
        """Fill ``out_data`` (NDArrays) from ``in_data``; ``req[i]`` says how (``'write'``, ``'add'``, ``'null'``)."""

    def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
        """Fill ``in_grad`` from ``out_grad``, ``in_data`` and ``out_data`` according to ``req``."""

    def assign(self, dst, req, src):
        """``dst[:] = src`` for ``'write'``/``'inplace'``, ``dst[:] += src`` for ``'add'``, nothing for ``'null'``."""
        if req == "null":
            return
        if req in ("write", "inplace"):
            dst[:] = src
        elif req == "add":
            dst[:] += src
        else:
            raise MXNetError(f"CustomOp.assign: req must be 'null', 'write', 'inplace' or 'add', got {req!r}")


class CustomOpProp:
    """Base class of a custom operator's description: arguments, outputs, shapes, types, backward needs.

    Parameters
    ----------
    need_top_grad : bool
        Whether backward uses the output gradients (False for loss-like ops that make their own).

    Examples
    --------
    >>> prop = CustomOpProp()
    >>> prop.list_arguments(), prop.list_outputs(), prop.infer_shape([[2, 3]])
    (['data'], ['output'], ([[2, 3]], ([2, 3],), ()))
    """

    def __init__(self, need_top_grad=True):
        self.need_top_grad_ = need_top_grad

    def infer_shape(self, in_shape):
        """``(in_shape, out_shapes, aux_shapes)``; by default every output has the first input's shape."""
        return in_shape, (in_shape[0],) * len(self.list_outputs()), ()

    def infer_type(self, in_type):
        """``(in_types, out_types, aux_types)``; by default everything has the first input's type."""
        return in_type, [in_type[0]] * len(self.list_outputs()), [in_type[0]] * len(self.list_auxiliary_states())

    def infer_storage_type(self, in_stype):
        """Dense storage throughout (sparse storage is not implemented in ssdkit)."""
        if any(s != "default" for s in in_stype):
            raise MXNetError(f"CustomOpProp: storage types {in_stype} are not supported; ssdkit arrays are dense")
        return in_stype, ["default"] * len(self.list_outputs()), ["default"] * len(self.list_auxiliary_states())

    def list_outputs(self):
        """Output names (default ``['output']``)."""
        return ["output"]

    def list_arguments(self):
        """Argument (input) names (default ``['data']``)."""
        return ["data"]

    def list_auxiliary_states(self):
        """Auxiliary state names (default none)."""
        return []

    def declare_backward_dependency(self, out_grad, in_data, out_data):
        """Ids of the blobs backward reads: output gradients (if ``need_top_grad``), inputs and outputs."""
        return (list(out_grad) if self.need_top_grad_ else []) + list(in_data) + list(out_data)

    def create_operator(self, ctx, in_shapes, in_dtypes):
        """The :class:`CustomOp` that computes, for these input shapes and types."""
        return CustomOp()


def register(reg_name):
    """Class decorator: register a :class:`CustomOpProp` subclass as ``op_type=reg_name``.

    Examples
    --------
    >>> @register("doc_identity")
    ... class IdentityProp(CustomOpProp):
    ...     pass
    >>> get_prop_class("doc_identity") is IdentityProp
    True
    """
    def do_register(prop_cls):
        if not (isinstance(prop_cls, type) and issubclass(prop_cls, CustomOpProp)):
            raise MXNetError(f"operator.register({reg_name!r}): expects a CustomOpProp subclass, got {prop_cls!r}")
        _PROPS[reg_name] = prop_cls
        return prop_cls
    return do_register


def get_prop_class(op_type):
    """The CustomOpProp subclass registered as ``op_type``.

    Examples
    --------
    >>> get_prop_class("no such op")
    Traceback (most recent call last):
    ...
    ssdkit.base.MXNetError: Custom: no custom operator registered as op_type='no such op' (registered: ...)
    """
    try:
        return _PROPS[op_type]
    except KeyError:
        raise MXNetError(f"Custom: no custom operator registered as op_type={op_type!r} "
                         f"(registered: {sorted(_PROPS)}); decorate its CustomOpProp with "
                         f"@mx.operator.register(name)") from None


def registered_op_types():
    """Names of the registered custom operators.

    Examples
    --------
    >>> isinstance(registered_op_types(), list)
    True
    """
    return sorted(_PROPS)


def _wrap(values):
    return [NDArray(np.asarray(v)) for v in values]


@register_op
class Custom(Op):
    """A custom operator written in Python (``op_type`` names a registered CustomOpProp); the prop decides
    the inputs, outputs, shapes and types, its CustomOp computes forward and backward."""
    params = {}
    any_params = True
    hint = "custom"

    def parse_params(self, kwargs):
        if "op_type" not in kwargs:
            raise MXNetError("Custom: required parameter op_type is missing")
        values = {k: (v if k == "op_type" else _as_string(v)) for k, v in kwargs.items()}
        return Params(values, given=list(kwargs))

    def prop(self, p):
        """The CustomOpProp instance for these parameters (made once per distinct parameter set)."""
        key = tuple(sorted(p.items()))
        cache = self.__dict__.setdefault("_props", {})
        if key not in cache:
            prop = get_prop_class(p["op_type"])(**{k: v for k, v in p.items() if k != "op_type"})
            if prop.list_auxiliary_states():
                raise MXNetError(f"Custom {p['op_type']!r}: auxiliary states {prop.list_auxiliary_states()} are "
                                 f"not supported by ssdkit's Custom op")
            cache[key] = prop
        return cache[key]

    def input_names(self, p):
        return list(self.prop(p).list_arguments())

    def output_count(self, p):
        return len(self.prop(p).list_outputs())

    def output_names(self, p):
        return list(self.prop(p).list_outputs())

    def infer_shape(self, p, shapes):
        if any(s is None for s in shapes):
            return shapes, [None] * self.output_count(p)
        result = self.prop(p).infer_shape([list(s) for s in shapes])
        ins, outs = result[0], result[1]
        return [tuple(s) for s in ins], [tuple(s) for s in outs]

    def infer_type(self, p, dtypes):
        known = [d for d in dtypes if d is not None]
        filled = [np.dtype(d) if d is not None else (known[0] if known else np.dtype(DTYPE)) for d in dtypes]
        result = self.prop(p).infer_type([d.type for d in filled])
        return [np.dtype(d) for d in result[0]], [np.dtype(d) for d in result[1]]

    def forward(self, p, inputs, is_train):
        prop = self.prop(p)
        shapes = [list(x.shape) for x in inputs]
        _, out_shapes = self.infer_shape(p, [x.shape for x in inputs])
        _, out_types = self.infer_type(p, [x.dtype for x in inputs])
        operator = prop.create_operator(cpu(), shapes, [x.dtype.type for x in inputs])
        in_data = _wrap(inputs)
        out_data = [NDArray(np.zeros(s, t)) for s, t in zip(out_shapes, out_types)]
        with autograd.pause():
            operator.forward(is_train=is_train, req=["write"] * len(out_data), in_data=in_data,
                             out_data=out_data, aux=[])
        outputs = [o._data for o in out_data]
        return outputs, (operator, in_data, out_data)

    def backward(self, p, saved, out_grads):
        operator, in_data, out_data = saved
        in_grad = [NDArray(np.zeros(x.shape, x.dtype)) for x in in_data]
        with autograd.pause():
            operator.backward(req=["write"] * len(in_grad), out_grad=_wrap(out_grads), in_data=in_data,
                              out_data=out_data, in_grad=in_grad, aux=[])
        return [g._data for g in in_grad]


def _as_string(value):
    """MXNet hands every keyword of ``Custom`` to the prop as a string (tuples as ``(1, 2)``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return str(tuple(value))
    return str(value)


def split_custom_arguments(args, kwargs, is_array):
    """(inputs, params) of a ``Custom`` call: positional arrays in order, keyword arrays by argument name.

    Examples
    --------
    >>> split_custom_arguments(["X"], {"op_type": "t", "scale": 2}, lambda a: a == "X")
    (['X'], {'op_type': 't', 'scale': 2})
    """
    inputs = list(args)
    params = {k: v for k, v in kwargs.items() if not is_array(v)}
    named = {k: v for k, v in kwargs.items() if is_array(v)}
    if named:
        names = Custom.input_names(_CUSTOM, Custom.parse_params(_CUSTOM, params))
        unknown = sorted(set(named) - set(names))
        if unknown:
            raise MXNetError(f"Custom {params.get('op_type')!r}: unknown input(s) {unknown}; arguments are {names}")
        slots = dict(zip(names, inputs))
        slots.update(named)
        inputs = [slots.get(n) for n in names]
    return inputs, params


def custom(*args, out=None, name=None, **kwargs):
    """``nd.Custom(*inputs, op_type=..., **params)``: run a registered Python custom operator on NDArrays.

    Examples
    --------
    >>> import ssdkit as mx
    >>> @register("doc_double")
    ... class DoubleProp(CustomOpProp):
    ...     def create_operator(self, ctx, shapes, dtypes):
    ...         class Double(CustomOp):
    ...             def forward(self, is_train, req, in_data, out_data, aux):
    ...                 self.assign(out_data[0], req[0], in_data[0] * 2)
    ...         return Double()
    >>> custom(mx.nd.ones((2,)), op_type="doc_double").asnumpy()
    array([2., 2.], dtype=float32)
    """
    from .ndarray import invoke_op
    inputs, params = split_custom_arguments(args, kwargs, lambda a: isinstance(a, NDArray))
    p = _CUSTOM.parse_params(params)
    wanted = _CUSTOM.input_names(p)
    if len(inputs) != len(wanted) or any(x is None for x in inputs):
        raise MXNetError(f"Custom {p['op_type']!r}: expects inputs {wanted}, got {len(inputs)} array(s)")
    results = invoke_op(_CUSTOM, inputs, p, out)
    return results[0] if len(results) == 1 else results


custom.__name__ = custom.__qualname__ = "Custom"

_CUSTOM = get_op("Custom")  # the instance register_op made above
