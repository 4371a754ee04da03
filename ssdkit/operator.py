"""``mx.operator``: custom operators written in Python — ``CustomOp``, ``CustomOpProp`` and ``register``;
run them with ``mx.nd.Custom(..., op_type=name)`` or ``mx.sym.Custom`` (see :mod:`ssdkit.ndarray.custom_op`).

Examples
--------
>>> import ssdkit as mx
>>> @mx.operator.register("doc_relu6")
... class Relu6Prop(mx.operator.CustomOpProp):
...     def create_operator(self, ctx, shapes, dtypes):
...         return Relu6()
>>> class Relu6(mx.operator.CustomOp):
...     def forward(self, is_train, req, in_data, out_data, aux):
...         self.assign(out_data[0], req[0], mx.nd.clip(in_data[0], 0, 6))
>>> mx.nd.Custom(mx.nd.array([-1, 3, 9]), op_type="doc_relu6").asnumpy()
array([0., 3., 6.], dtype=float32)
"""
from .ndarray.custom_op import CustomOp, CustomOpProp, register, get_prop_class, registered_op_types

__all__ = ["CustomOp", "CustomOpProp", "register", "get_prop_class", "registered_op_types",
           "get_all_registered_operators"]


def get_all_registered_operators():
    """Names of every operator in the registry, aliases included (MXNet's list of its C++ operators).

    Examples
    --------
    >>> "Convolution" in get_all_registered_operators()
    True
    """
    from .ops import list_ops
    return list_ops(include_aliases=True)
