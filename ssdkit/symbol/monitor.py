"""The names ``register_op_hook`` callbacks receive, as MXNet 1.9.1's cached graph gives them.

MXNet names a monitored value ``<node name>_<input or output name>``. An op registered with input names
(``FListInputNames``: FullyConnected's ``data, weight, bias``; binary ops' ``lhs, rhs``) uses them, every
other op ``input0, input1, ...``; an op registered with output names (``FListOutputNames``: ``output``)
uses them, every other op the output index ``0, 1, ...``. The two sets below are those registrations for
the MXNet ops ssdkit has (read from MXNet 1.9.1's operator sources and checked against real MXNet's callbacks
in ``tests/data/hybrid_oracle``); names are MXNet's canonical op names, as a graph's JSON writes them.

Examples
--------
>>> import ssdkit as mx
>>> node = mx.sym.FullyConnected(mx.sym.var('x'), num_hidden=2, name='fc')._outputs[0][0]
>>> value_names(node)
(['fc_data', 'fc_weight', 'fc_bias'], ['fc_output'])
>>> value_names(mx.sym.relu(mx.sym.var('x'), name='r')._outputs[0][0])
(['r_input0'], ['r_0'])
"""

__all__ = ["LISTED_INPUTS", "LISTED_OUTPUTS", "value_names", "report"]

_BINARY = ("add", "sub", "mul", "div", "mod", "power", "maximum", "minimum", "hypot", "equal", "not_equal",
           "greater", "greater_equal", "lesser", "lesser_equal", "logical_and", "logical_or", "logical_xor")

#: MXNet ops registered with input names (FListInputNames); the others' inputs are ``input0, input1, ...``.
LISTED_INPUTS = frozenset(
    ["BatchNorm", "Concat", "Convolution", "Deconvolution", "Dropout", "Embedding", "FullyConnected",
     "LeakyReLU", "Pooling", "SliceChannel", "SwapAxis", "_contrib_MultiBoxDetection", "_contrib_MultiBoxPrior",
     "_contrib_MultiBoxTarget", "_contrib_box_iou", "batch_dot", "broadcast_like", "dot", "elemwise_add",
     "elemwise_div", "elemwise_mul", "elemwise_sub", "log_softmax", "one_hot", "pick", "repeat", "reshape_like",
     "slice_like", "softmax", "squeeze", "stack", "take", "tile", "where"]
    + [f"broadcast_{b}" for b in _BINARY] + [f"_{b}" for b in _BINARY[4:]])  # _add.._div: elemwise_* aliases

#: MXNet ops registered with output names (FListOutputNames); the others' outputs are ``0, 1, ...``.
LISTED_OUTPUTS = frozenset(
    ["Activation", "BatchNorm", "Concat", "Convolution", "Deconvolution", "Dropout", "FullyConnected", "LeakyReLU",
     "Pooling", "SliceChannel", "SoftmaxActivation", "SwapAxis", "_contrib_MultiBoxDetection",
     "_contrib_MultiBoxPrior", "_contrib_MultiBoxTarget", "elemwise_add", "softmax"])


def value_names(node):
    """``(input names, output names)`` of an op node as MXNet's monitor callback names them."""
    op, params = node.op, node.params
    inputs = (op.input_names(params) if node.op_name in LISTED_INPUTS
              else [f"input{i}" for i in range(len(node.inputs))])
    outputs = (op.output_names(params) if node.op_name in LISTED_OUTPUTS
               else [str(i) for i in range(op.output_count(params))])
    return [f"{node.name}_{n}" for n in inputs], [f"{node.name}_{n}" for n in outputs]


def report(callback, names, op_name, arrays):
    """Call ``callback(name, op_name, array)`` per value, MXNet's way: names as bytes, arrays as NDArrays."""
    from ..ndarray import NDArray
    op_bytes = op_name.encode()
    for name, value in zip(names, arrays):
        if value is not None:
            callback(name.encode(), op_bytes, NDArray(value))
