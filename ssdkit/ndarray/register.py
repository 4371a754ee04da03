"""Generate the ``nd`` functions from the op registry: one function per op, no second implementation.

A generated function takes the op's inputs (NDArrays, positionally or by name), then its parameters
(positionally in declared order or by keyword), ``out=`` and ``name=`` (ignored, as in MXNet's nd).

Examples
--------
>>> import ssdkit as mx
>>> mx.nd.clip(mx.nd.array([-2, 0.5, 3]), 0, 1).asnumpy()
array([0. , 0.5, 1. ], dtype=float32)
"""
import numpy as np

from ..base import MXNetError
from ..ops import get_op, list_ops, alias_of
from ..ops.registry import split_arguments, REQUIRED, ARRAY_METHODS
from .ndarray import NDArray, invoke_op

__all__ = ["make_function", "public_name", "populate", "describe", "install_methods"]


def make_function(op_name, display_name=None):
    """A Python function calling the registered op ``op_name`` on NDArrays.

    Examples
    --------
    >>> relu = make_function("relu")
    >>> relu(NDArray(np.array([-1., 2.], np.float32))).asnumpy()
    array([0., 2.], dtype=float32)
    """
    op = get_op(op_name)
    is_array = lambda a: isinstance(a, NDArray)  # noqa: E731

    def function(*args, out=None, name=None, **kwargs):
        for key in [k for k in kwargs if k.startswith("__") and k.endswith("__")]:
            del kwargs[key]  # hidden attributes (``__layout__``) mean nothing to an imperative call, as in MXNet
        inputs, kwargs = split_arguments(op, args, kwargs, is_array)
        params = op.parse_params(kwargs)
        arrays = inputs if op.key_var_num_args else _ordered_inputs(op, params, inputs)
        for n, a in zip(op.input_names(params), arrays):
            if not isinstance(a, NDArray):
                raise MXNetError(f"{op.name}: input {n} must be an NDArray, got {type(a).__name__}")
        results = invoke_op(op, arrays, params, out)
        return results[0] if len(results) == 1 else results

    function.__name__ = function.__qualname__ = display_name or op_name
    function.__doc__ = describe(op, "NDArrays")
    return function


def _ordered_inputs(op, params, named):
    """The inputs this call uses, in order; a missing or superfluous one is an error naming it."""
    wanted = op.input_names(params)
    missing = [n for n in wanted if named.get(n) is None]
    if missing:
        raise MXNetError(f"{op.name}: missing input array(s) {missing}; expected inputs {wanted}")
    extra = [n for n, v in named.items() if n not in wanted and v is not None]
    if extra:
        raise MXNetError(f"{op.name}: input(s) {extra} given but not used with these parameters "
                         f"(inputs are {wanted})")
    return [named[n] for n in wanted]


def describe(op, operand_kind):
    """The docstring of a generated function: the op, its inputs and parameters with defaults.

    Examples
    --------
    >>> from ssdkit.ops import get_op
    >>> describe(get_op("relu"), "NDArrays").splitlines()[0]
    'The registered operator ``relu`` on NDArrays.'
    """
    params = ", ".join(f"{k}={'required' if v.default is REQUIRED else repr(v.default)}"
                       for k, v in op.params.items())
    return (f"The registered operator ``{op.name}`` on {operand_kind}.\n\n"
            f"Inputs: {', '.join(op.inputs) or '(none)'}.\nParameters: {params or '(none)'}.")


def public_name(op_name):
    """Where an op appears: ('contrib', 'MultiBoxPrior'), ('image', 'to_tensor'), ('internal', '_plus_scalar')
    or ('', 'relu').

    Examples
    --------
    >>> public_name("_contrib_box_nms")
    ('contrib', 'box_nms')
    """
    if op_name.startswith("_contrib_"):
        return "contrib", op_name[len("_contrib_"):]
    if op_name.startswith("_image_"):
        return "image", op_name[len("_image_"):]
    if op_name.startswith("_linalg_"):
        return "linalg", op_name[len("_linalg_"):]
    if op_name.startswith("_"):
        return "internal", op_name
    return "", op_name


def populate(namespaces, factory=make_function, skip=()):
    """Fill ``namespaces`` {'': module dict, 'contrib': ..., 'internal': ...} with one function per op name and alias;
    ops of a namespace missing from ``namespaces`` (e.g. 'image') are left out.

    Examples
    --------
    >>> ns = {"": {}, "contrib": {}, "internal": {}}
    >>> populate(ns); "Convolution" in ns[""] and "MultiBoxPrior" in ns["contrib"]
    True
    """
    for op_name in list_ops(include_aliases=True):
        where, short = public_name(op_name)
        if short in skip or where not in namespaces:
            continue
        namespaces[where].setdefault(short, factory(op_name, short))


def install_methods(cls, factory):
    """Give ``cls`` (NDArray or Symbol) the methods of :data:`ssdkit.ops.registry.ARRAY_METHODS`, each the
    function ``factory(op_name)`` with the array as first argument.

    Examples
    --------
    >>> import ssdkit as mx
    >>> mx.nd.array([-2, 3]).clip(0, 1).asnumpy()
    array([0., 1.], dtype=float32)
    """
    for method_name, op_name in ARRAY_METHODS.items():
        if method_name in vars(cls) or alias_of(op_name) not in list_ops():
            continue  # the class's own method (NDArray.squeeze with MXNet's ``inplace``) stays; no op, no method
        function = factory(op_name)

        def method(self, *args, _function=function, **kwargs):
            return _function(self, *args, **kwargs)
        method.__name__ = method.__qualname__ = method_name
        method.__doc__ = (f"``x.{method_name}(...)`` is ``F.{op_name}(x, ...)``.\n\n" + (function.__doc__ or ""))
        setattr(cls, method_name, method)


install_methods(NDArray, make_function)
