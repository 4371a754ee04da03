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
from ..ops import get_op, list_ops
from .ndarray import NDArray, invoke_op

__all__ = ["make_function", "public_name", "populate"]


def make_function(op_name, display_name=None):
    """A Python function calling the registered op ``op_name`` on NDArrays.

    Examples
    --------
    >>> relu = make_function("relu")
    >>> relu(NDArray(np.array([-1., 2.], np.float32))).asnumpy()
    array([0., 2.], dtype=float32)
    """
    op = get_op(op_name)
    declared_inputs = list(op.inputs)
    param_order = list(op.params)

    def function(*args, out=None, name=None, **kwargs):
        arrays, named = [], {}
        args = list(args)
        if op.key_var_num_args:  # concat/stack: every leading NDArray is an input
            while args and isinstance(args[0], (NDArray, list, tuple)) and not (
                    isinstance(args[0], (list, tuple)) and args[0] and not isinstance(args[0][0], NDArray)):
                item = args.pop(0)
                arrays.extend(item if isinstance(item, (list, tuple)) else [item])
            kwargs.setdefault(op.key_var_num_args, len(arrays))
        else:
            slots = iter(declared_inputs)
            while args and (isinstance(args[0], NDArray) or args[0] is None):
                slot = next(slots, None)
                if slot is None:
                    raise MXNetError(f"{op.name}: too many array arguments; inputs are {declared_inputs}")
                named[slot] = args.pop(0)
        for pname, value in zip([p for p in param_order if p not in kwargs], args):
            kwargs[pname] = value
        if len(args) > len(param_order):
            raise MXNetError(f"{op.name}: too many positional arguments")
        for key in list(kwargs):
            if key in declared_inputs:
                named[key] = kwargs.pop(key)
        params = op.parse_params(kwargs)
        if not op.key_var_num_args:
            wanted = op.input_names(params)
            missing = [n for n in wanted if named.get(n) is None]
            if missing:
                raise MXNetError(f"{op.name}: missing input array(s) {missing}; expected inputs {wanted}")
            extra = [n for n, v in named.items() if n not in wanted and v is not None]
            if extra:
                raise MXNetError(f"{op.name}: input(s) {extra} given but not used with these parameters "
                                 f"(inputs are {wanted})")
            arrays = [named[n] for n in wanted]
        for n, a in zip(op.input_names(params), arrays):
            if not isinstance(a, NDArray):
                raise MXNetError(f"{op.name}: input {n} must be an NDArray, got {type(a).__name__}")
        results = invoke_op(op, arrays, params, out)
        return results[0] if len(results) == 1 else results

    function.__name__ = display_name or op_name
    function.__doc__ = (f"The registered operator ``{op.name}`` on NDArrays.\n\n"
                        f"Inputs: {', '.join(declared_inputs) or '(none)'}; parameters: "
                        f"{', '.join(param_order) or '(none)'}.")
    return function


def public_name(op_name):
    """Where an op appears: ('contrib', 'MultiBoxPrior'), ('internal', '_plus_scalar') or ('', 'relu').

    Examples
    --------
    >>> public_name("_contrib_box_nms")
    ('contrib', 'box_nms')
    """
    if op_name.startswith("_contrib_"):
        return "contrib", op_name[len("_contrib_"):]
    if op_name.startswith("_"):
        return "internal", op_name
    return "", op_name


def populate(namespaces, factory=make_function, skip=()):
    """Fill ``namespaces`` {'': module dict, 'contrib': ..., 'internal': ...} with one function per op name and alias.

    Examples
    --------
    >>> ns = {"": {}, "contrib": {}, "internal": {}}
    >>> populate(ns); "Convolution" in ns[""] and "MultiBoxPrior" in ns["contrib"]
    True
    """
    for op_name in list_ops(include_aliases=True):
        where, short = public_name(op_name)
        if short in skip:
            continue
        namespaces[where].setdefault(short, factory(op_name, short))
