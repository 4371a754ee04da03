"""Generate the ``sym`` functions from the op registry: calling one adds a node, computing nothing.

Missing inputs become variables named ``<node>_<input>`` (``fc1_weight``), as in MXNet.

Examples
--------
>>> import ssdkit as mx
>>> bn = mx.sym.BatchNorm(mx.sym.var('x'), name='bn')
>>> bn.list_arguments(), bn.list_auxiliary_states()
(['x', 'bn_gamma', 'bn_beta'], ['bn_moving_mean', 'bn_moving_var'])
"""
from ..attribute import AttrScope, stored_key
from ..base import MXNetError
from ..ops import get_op
from ..ops.registry import split_arguments
from ..ops.aliases import mxnet_name
from . import naming
from .symbol import Symbol, Node, var

__all__ = ["call", "make_function"]



#: Keywords MXNet turns into ``__key__`` node attributes that the node's automatically created variables share.

def _entry(op_name, input_name, value):
    if not isinstance(value, Symbol):
        raise MXNetError(f"{op_name}: input {input_name} must be a Symbol, got {type(value).__name__}"
                         + (" (an NDArray cannot be mixed with Symbols; inside hybrid_forward use only the "
                            "F.* inputs and parameters)" if hasattr(value, "_data") else ""))
    if len(value._outputs) != 1:
        raise MXNetError(f"{op_name}: input {input_name} is a group of {len(value._outputs)} outputs; "
                         f"pick one with sym[i]")
    return value._outputs[0]


def call(op_name, inputs, kwargs, name, hint=None, attr=None):
    """Add one ``op_name`` node; ``inputs`` is a list (variadic ops) or dict name -> Symbol.

    Examples
    --------
    >>> call("relu", {"data": var("x")}, {}, "r").list_outputs()
    ['r_output']
    """
    op = get_op(op_name)
    params = op.parse_params(kwargs)
    node_name = naming.current().get(name, hint or op.hint or op_name.lower())
    attr = dict(attr or {})
    # MXNet's variables created for missing inputs carry their node's attributes and given parameters
    var_attrs = {**attr, **params.to_attrs()}
    if op.key_var_num_args:
        entries = [_entry(op_name, f"arg{i}", s) for i, s in enumerate(inputs)]
    else:
        named = inputs if isinstance(inputs, dict) else dict(zip(op.input_names(params), inputs))
        entries = []
        for input_name in op.input_names(params):
            value = named.get(input_name)
            if value is None:  # MXNet creates the missing argument as a variable
                value = _auto_variable(f"{node_name}_{input_name}",
                                       {**op.input_var_attrs.get(input_name, {}), **var_attrs})
            entries.append(_entry(op_name, input_name, value))
            _default_init(entries[-1][0], op.input_var_attrs.get(input_name))
    node = Node(op, mxnet_name(op_name), node_name, params, entries, attr)
    result = Symbol([(node, i) for i in range(node.num_outputs())])
    kinds = {getattr(value, "_np", None) for value in (inputs.values() if isinstance(inputs, dict) else inputs)}
    result._np = True if True in kinds else False if False in kinds else None  # the inputs' symbol kind
    return result


def _default_init(node, attrs):
    """A given variable without an initializer takes the op's default for that input (BatchNorm's moving_var
    one, ...), as MXNet's FSetInputVarAttrOnCompose marks it when composing."""
    if attrs and node.is_variable and "__init__" not in node.attrs:
        node.attrs.update(attrs)


def _auto_variable(name, attrs):
    return Symbol([(Node(None, "null", name, None, [], dict(attrs)), 0)])


def make_function(op_name, display_name=None, hint=None):
    """A Python function adding ``op_name`` nodes, with the same arguments as the nd function; ``hint`` names
    its nodes (``hint0``, ...) instead of the op's own hint (MXNet names nodes after the function called).

    Examples
    --------
    >>> make_function("Flatten")(var("x"), name="f").list_outputs()
    ['f_output']
    """
    op = get_op(op_name)
    is_symbol = lambda a: isinstance(a, Symbol)  # noqa: E731

    def function(*args, name=None, attr=None, out=None, **kwargs):
        kwargs.update(AttrScope.active().get(attr))  # as MXNet: scope and attr= entries join the keywords
        attr = {}
        for key in [k for k in kwargs if k not in op.params]:
            # ``__layout__=...`` stays a node attribute, ``lr_mult=0`` becomes ``__lr_mult__`` (not op parameters)
            stored = stored_key(key)
            if stored.startswith("__") and stored.endswith("__"):
                attr[stored] = str(kwargs.pop(key))
        inputs, kwargs = split_arguments(op, args, kwargs, is_symbol)
        return call(op_name, inputs, kwargs, name, hint=hint, attr=attr)

    from ..ndarray.register import describe
    function.__name__ = function.__qualname__ = display_name or op_name
    function.__doc__ = describe(op, "Symbols (adds a graph node)")
    return function
