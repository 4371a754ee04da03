"""Layer 4: the Symbol graph. A Symbol is a list of output entries ``(node, index)``; a node is an op from
the registry (or ``None`` for a variable), a name, parsed params and input entries. Nothing is computed here.

Examples
--------
>>> import ssdkit as mx
>>> data = mx.sym.var('data')
>>> net = mx.sym.FullyConnected(data, num_hidden=4, name='fc1')
>>> net.list_arguments()
['data', 'fc1_weight', 'fc1_bias']
>>> net.infer_shape(data=(2, 3))[1]
[(2, 4)]
"""
import warnings

import numpy as np

from ..base import MXNetError, ShapeError, numeric_types, DTYPE_FLAGS, DTYPE_FLAG_OF, NotImplementedForSymbol
from ..util import is_np_array, is_np_shape
from ..ops import get_op
from . import naming

__all__ = ["Symbol", "Node", "var", "Variable", "Group", "dtype_of_flag", "compose"]

def dtype_of_flag(text):
    """A numpy dtype from an MXNet ``__dtype__`` attribute (a type flag such as ``"0"``) or a dtype name.

    Examples
    --------
    >>> dtype_of_flag("0"), dtype_of_flag("int64")
    (dtype('float32'), dtype('int64'))
    """
    text = str(text)
    return np.dtype(DTYPE_FLAGS[int(text)]) if text.isdigit() else np.dtype(text)


class Node:
    """One graph node. ``op`` is None for variables; ``inputs`` are ``(Node, output_index)`` entries.

    Examples
    --------
    >>> Node(None, "null", "x", None, [], {}).is_variable
    True
    """
    __slots__ = ("op", "op_name", "name", "params", "inputs", "attrs")

    def __init__(self, op, op_name, name, params, inputs, attrs):
        self.op, self.op_name, self.name, self.params, self.inputs, self.attrs = (
            op, op_name, name, params, inputs, attrs)

    @property
    def is_variable(self):
        """True for input variables (no op)."""
        return self.op is None

    def num_outputs(self):
        """Visible outputs of this node."""
        return 1 if self.op is None else self.op.output_count(self.params)

    def output_names(self):
        """``<name>_output`` names of this node's outputs (a variable's own name)."""
        if self.op is None:
            return [self.name]
        return [f"{self.name}_{n}" if self.name else n for n in self.op.output_names(self.params)]


def topological_nodes(entries):
    """Nodes reachable from ``entries`` in MXNet's order (post-order DFS, inputs left to right).

    Examples
    --------
    >>> import ssdkit as mx
    >>> [n.name for n in topological_nodes(mx.sym.elemwise_add(mx.sym.var('a'), mx.sym.var('b'), name='s')._outputs)]
    ['a', 'b', 's']
    """
    order, seen = [], set()
    for head, _ in entries:
        stack = [(head, iter(head.inputs))]
        if id(head) in seen:
            continue
        seen.add(id(head))
        while stack:
            node, children = stack[-1]
            for child, _ in children:
                if id(child) not in seen:
                    seen.add(id(child))
                    stack.append((child, iter(child.inputs)))
                    break
            else:
                stack.pop()
                order.append(node)
    return order


def _aux_variable_ids(nodes):
    aux = set()
    for node in nodes:
        if node.op is not None and node.op.aux:
            names = node.op.input_names(node.params)
            aux.update(id(src) for (src, _), n in zip(node.inputs, names) if n in node.op.aux and src.is_variable)
    return aux


_SYMBOL_ADVICE = ("inside hybrid_forward the inputs are Symbols when the block is hybridized or exported, "
                  "so their values and shapes are unknown; use F.* operators (e.g. F.reshape with 0/-1 codes, "
                  "F.slice_like, F.broadcast_like, F.where) instead of Python control flow or .shape")


class Symbol:
    """A symbolic expression with one or more outputs (``mx.sym.Symbol``).

    Examples
    --------
    >>> import ssdkit as mx
    >>> a, b = mx.sym.var('a'), mx.sym.var('b')
    >>> c = 2 * a + b
    >>> c.list_arguments(), len(c.get_internals().list_outputs())
    (['a', 'b'], 4)
    """
    __array_priority__ = 1000.0
    #: MXNet's two symbol kinds: True for the NumPy interface's (``F.np`` results, ``as_np_ndarray()``, the input
    #: of a hybridized block called with mx.np arrays), False for a legacy one from ``as_nd_ndarray()``, None
    #: when nothing said (an op's result takes True or False from its inputs, True first). A hybridized block
    #: returns mx.np arrays for the first kind and NDArrays for the second.
    _np = None

    def __init__(self, outputs):
        self._outputs = list(outputs)

    def _of_kind(self, np_kind):
        """This graph as a symbol of the given kind (see :attr:`_np`)."""
        symbol = Symbol(self._outputs)
        symbol._np = np_kind
        return symbol

    # ------------------------------------------------------------- structure
    @property
    def name(self):
        """The name of the node behind every output (one node, even with several outputs); None for groups of
        different nodes, as MXNet."""
        node = self._outputs[0][0]
        return node.name if all(n is node for n, _ in self._outputs) else None

    def _nodes(self):
        return topological_nodes(self._outputs)

    def list_outputs(self):
        """Output names: ``<node>_output`` (``_output0``... for multi-output ops), a variable's own name."""
        return [node.output_names()[i] for node, i in self._outputs]

    def list_arguments(self):
        """Variables that are not auxiliary states, in graph order."""
        nodes = self._nodes()
        aux = _aux_variable_ids(nodes)
        return [n.name for n in nodes if n.is_variable and id(n) not in aux]

    def list_auxiliary_states(self):
        """Variables an op updates as state (BatchNorm's moving mean and variance)."""
        nodes = self._nodes()
        aux = _aux_variable_ids(nodes)
        return [n.name for n in nodes if n.is_variable and id(n) in aux]

    def list_inputs(self):
        """All variables, arguments and auxiliary states, in graph order."""
        return [n.name for n in self._nodes() if n.is_variable]

    def get_internals(self):
        """A group of every output of every node, variables included (MXNet's ``get_internals``).

        Examples
        --------
        >>> import ssdkit as mx
        >>> mx.sym.relu(mx.sym.var('x'), name='r').get_internals().list_outputs()
        ['x', 'r_output']
        """
        return Symbol([(n, i) for n in self._nodes() for i in range(n.num_outputs())])

    def get_children(self):
        """The inputs of this symbol's node(s), grouped (each node once, as MXNet); None for a variable.

        Examples
        --------
        >>> import ssdkit as mx
        >>> parts = mx.sym.split(mx.sym.var('data'), num_outputs=3, name='s')
        >>> parts.get_children().list_outputs(), mx.sym.var('x').get_children()
        (['data'], None)
        """
        nodes = []
        for node, _ in self._outputs:
            if all(node is not seen for seen in nodes):
                nodes.append(node)
        entries = [e for node in nodes for e in node.inputs]
        return Symbol(entries) if entries else None

    def _gen_atomic_symbol(self):
        """This symbol's head op alone, with its attributes but no inputs and no name (MXNet's atomic symbol).

        Examples
        --------
        >>> import ssdkit as mx
        >>> a = mx.sym.split(mx.sym.var('x'), num_outputs=2, name='s')._gen_atomic_symbol()
        >>> a.list_outputs(), a.list_arguments()
        (['output0', 'output1'], [])
        """
        node = self._outputs[0][0]
        if node.is_variable:
            raise MXNetError(f"Symbol._gen_atomic_symbol: {node.name} is a variable, not an operator")
        atom = Node(node.op, node.op_name, "", node.params, [], dict(node.attrs))
        return Symbol([(atom, i) for i in range(atom.num_outputs())])

    def __len__(self):
        return len(self._outputs)

    def __iter__(self):
        return (Symbol([e]) for e in self._outputs)

    def as_np_ndarray(self):
        """This graph as a NumPy-interface symbol (MXNet's ``_Symbol``: a hybridized block returning it gives
        mx.np arrays).

        Examples
        --------
        >>> s = var("x").as_np_ndarray(); s._np, s.list_outputs()
        (True, ['x'])
        """
        return self._of_kind(True)

    def as_nd_ndarray(self):
        """This graph as a legacy symbol (a hybridized block returning it gives NDArrays).

        Examples
        --------
        >>> var("x").as_np_ndarray().as_nd_ndarray()._np
        False
        """
        return self._of_kind(False)

    def dot(self, other):
        """``self.dot(other)``: NumPy's dot under NumPy array semantics (MXNet's np symbol), else nd's dot.

        Examples
        --------
        >>> var("a").dot(var("b")).infer_shape(a=(2, 3), b=(3, 4))[1]
        [(2, 4)]
        """
        from .register import call
        return call("_np_dot" if is_np_array() else "dot", [self, other], {}, None)

    def __getitem__(self, index):
        if is_np_array() and len(self._outputs) == 1 and not isinstance(index, str):
            # an np symbol indexes its values (MXNet's _Symbol); a legacy one selects outputs
            from ..ops.numpy_ops import format_index
            from .register import call
            return call("_npi_basic_index", [self], {"key": format_index(index)}, None)
        if isinstance(index, str):
            names = self.list_outputs()
            if index not in names:
                raise MXNetError(f"Symbol: no output named {index!r}; outputs are {names[:8]}"
                                 f"{'...' if len(names) > 8 else ''}")
            return Symbol([self._outputs[names.index(index)]])
        if isinstance(index, slice):
            return Symbol(self._outputs[index])
        if not -len(self._outputs) <= index < len(self._outputs):
            raise MXNetError(f"Symbol: output index {index} out of range for {len(self._outputs)} outputs")
        return Symbol([self._outputs[index]])

    def attr(self, key):
        """The attribute ``key`` of this symbol's node as a string (an op parameter given at creation, an
        ``attr=`` entry, ``lr_mult`` for ``__lr_mult__``...), or None.

        Examples
        --------
        >>> v = var('w', lr_mult=2, attr={'mood': 'calm'})
        >>> v.attr('mood'), v.attr('lr_mult'), v.attr('__lr_mult__'), v.attr('color')
        ('calm', '2', '2', None)
        """
        return self.list_attr().get(key)

    def list_attr(self, recursive=False):
        """This node's attributes as MXNet lists them: the op parameters given at creation and the
        annotations, hidden keys (``lr_mult``...) under both spellings.

        Examples
        --------
        >>> import ssdkit as mx
        >>> c = mx.sym.Convolution(var('d'), kernel=(1, 1), num_filter=1, name='c', attr={'wd_mult': 'x'})
        >>> sorted(c.list_attr().items())
        [('__wd_mult__', 'x'), ('kernel', '(1, 1)'), ('num_filter', '1'), ('wd_mult', 'x')]
        """
        if recursive:
            raise DeprecationWarning("Symbol.list_attr with recursive=True has been deprecated. "
                                     "Please use attr_dict instead.")
        from ..attribute import listed
        node = self._outputs[0][0]
        attrs = dict(node.attrs)
        if node.params is not None:
            attrs.update(node.params.to_attrs())
        return listed(attrs)

    def attr_dict(self):
        """``{node name: list_attr()}`` of every node in the graph that has attributes.

        Examples
        --------
        >>> (var('a', attr={'a1': 'a2'}) + var('b', attr={'b1': 'b2'})).attr_dict()
        {'a': {'a1': 'a2'}, 'b': {'b1': 'b2'}}
        """
        out = {}
        for node in self._nodes():
            attrs = Symbol([(node, 0)]).list_attr()
            if attrs:
                out[node.name] = attrs
        return out

    def _set_attr(self, **kwargs):
        """Set attributes (string values) on this symbol's node; ``name`` renames the node.

        Examples
        --------
        >>> s = var('x'); s._set_attr(mood='ok', lr_mult='3'); sorted(s.list_attr().items())
        [('__lr_mult__', '3'), ('lr_mult', '3'), ('mood', 'ok')]
        """
        from ..attribute import stored_key
        node = self._outputs[0][0]
        if any(n is not node for n, _ in self._outputs):
            raise MXNetError("Symbol._set_attr only works for non-grouped symbols")
        for key, value in kwargs.items():
            if not isinstance(value, str):
                raise ValueError("Set Attr only accepts string values")
            if key == "name":
                node.name = value
            else:
                node.attrs[stored_key(key)] = value

    def __getstate__(self):
        return {"handle": self.tojson()}  # pickled as its MXNet JSON, as MXNet does

    def __setstate__(self, state):
        from .serialization import load_json
        self._outputs = load_json(state["handle"])._outputs

    def __repr__(self):
        if len(self._outputs) == 1:
            return f"<Symbol {self.name}>"
        return f"<Symbol group [{', '.join(self.list_outputs())}]>"

    def __copy__(self):
        return Symbol(self._outputs)

    def __deepcopy__(self, memo):
        from .serialization import load_json  # a JSON round trip is the one deep copy
        return load_json(self.tojson())

    # ----------------------------------------------------- misuse in hybrid_forward
    @property
    def shape(self):
        """Not available: a Symbol has no values yet (raises MXNetError saying what to use instead)."""
        raise MXNetError(f"Symbol {self.name} has no .shape: " + _SYMBOL_ADVICE)

    def __bool__(self):
        raise _SymbolTruthError(bool, "__bool__")

    def asnumpy(self):
        """Not available: a Symbol holds no values (raises MXNetError saying what to use instead)."""
        raise MXNetError(f"Symbol {self.name} holds no values: " + _SYMBOL_ADVICE)

    asscalar = asnumpy

    # ------------------------------------------------------------- inference
    def infer_shape(self, *args, **kwargs):
        """Infer all shapes from some input shapes: ``(arg_shapes, out_shapes, aux_shapes)``, or
        ``(None, None, None)`` with a warning naming the undecided arguments when some stay unknown.

        Input shapes go by position (in :meth:`list_arguments` order) or by name; a 0 (``-1`` under
        ``mx.np_shape()``) marks an unknown dimension.

        Examples
        --------
        >>> import ssdkit as mx
        >>> c = mx.sym.Convolution(mx.sym.var('data'), kernel=(3, 3), num_filter=8, name='c')
        >>> c.infer_shape(data=(1, 3, 10, 10))[0]
        [(1, 3, 10, 10), (8, 3, 3, 3), (8,)]
        """
        arg, out, aux = self._infer_shape_raw(args, kwargs)
        if all(_known(s) for s in arg + out + aux):
            return arg, out, aux
        unknown = [f"{n}: {_public_shape(s)}" for n, s in zip(self.list_arguments(), arg) if not _known(s)]
        warnings.warn("Cannot decide shape for the following arguments (0s in shape means unknown dimensions). "
                      "Consider providing them as input:\n\t" + "\n\t".join(unknown[:10]
                                                                            + (["..."] if len(unknown) > 10 else [])),
                      stacklevel=2)
        return None, None, None

    def infer_shape_partial(self, *args, **kwargs):
        """Like :meth:`infer_shape`, but what stays unknown is reported as MXNet does: a shape with 0 for
        each unknown dimension and ``()`` for an unknown shape (``-1`` and ``None`` under ``mx.np_shape()``).

        Examples
        --------
        >>> import ssdkit as mx
        >>> y = mx.sym.FullyConnected(mx.sym.var('x'), mx.sym.var('w'), num_hidden=4, no_bias=True)
        >>> y.infer_shape_partial(x=(0, 3))
        ([(0, 3), (4, 3)], [(0, 4)], [])
        >>> mx.sym.sin(mx.sym.var('d')).infer_shape_partial()
        ([()], [()], [])
        """
        arg, out, aux = self._infer_shape_raw(args, kwargs)
        return [_public_shape(s) for s in arg], [_public_shape(s) for s in out], [_public_shape(s) for s in aux]

    def _infer_shape_raw(self, args, kwargs):
        """Shapes with ssdkit's internal marks (0 = unknown dim, None = unknown shape) for library callers."""
        from .inference import infer_shapes
        names = self.list_arguments()
        if len(args) > len(names):
            raise MXNetError(f"infer_shape: {len(args)} positional shapes for {len(names)} arguments {names}")
        known = {n: _internal_shape(s) for n, s in zip(names, args) if s is not None}
        known.update({k: _internal_shape(v) for k, v in kwargs.items() if v is not None})
        shapes = infer_shapes(self._nodes(), known)
        pick = lambda names: [shapes.get(("var", n)) for n in names]  # noqa: E731
        return pick(names), [shapes.get(_entry_key(e)) for e in self._outputs], \
            pick(self.list_auxiliary_states())

    def _infer_type_table(self, args, kwargs):
        from .inference import infer_types
        def name_of(t):  # numpy types and dtypes as MXNet accepts them, strings and flags as they are
            return t if t is None or isinstance(t, (str, int)) else np.dtype(t).name
        names = self.list_arguments()
        known = {k: name_of(v) for k, v in zip(names, args)}
        known.update({k: name_of(v) for k, v in kwargs.items()})
        types = infer_types(self._nodes(), known)
        pick = lambda names: [_public_type(types.get(("var", n))) for n in names]  # noqa: E731
        return (pick(names), [_public_type(types.get(_entry_key(e))) for e in self._outputs],
                pick(self.list_auxiliary_states()))

    def infer_type(self, *args, **kwargs):
        """Infer dtypes from some input dtypes: ``(arg_types, out_types, aux_types)`` as numpy types
        (``numpy.float32``...), or ``(None, None, None)`` with a warning when some stay undecided.

        Examples
        --------
        >>> import ssdkit as mx
        >>> fc = mx.sym.FullyConnected(mx.sym.var('x'), num_hidden=2, name='fc')
        >>> fc.infer_type(x='float16')[0]
        [<class 'numpy.float16'>, <class 'numpy.float16'>, <class 'numpy.float16'>]
        """
        arg, out, aux = self._infer_type_table(args, kwargs)
        if any(t is None for t in arg + out + aux):
            unknown = [f"{n}: None" for n, t in zip(self.list_arguments(), arg) if t is None]
            warnings.warn("Cannot decide type for the following arguments. Consider providing them as input:\n\t"
                          + "\n\t".join(unknown[:10]), stacklevel=2)
            return None, None, None
        return arg, out, aux

    def infer_type_partial(self, *args, **kwargs):
        """:meth:`infer_type` for graphs whose argument types are not all given: what nothing decides
        stays None.

        Examples
        --------
        >>> import ssdkit as mx
        >>> mx.sym.Cast(mx.sym.var('d'), dtype='float16').infer_type_partial()
        ([None], [<class 'numpy.float16'>], [])
        """
        return self._infer_type_table(args, kwargs)

    # ------------------------------------------------------------- files
    def tojson(self, remove_amp_cast=True):
        """The graph serialized to a JSON string in MXNet's layout (nodes, arg_nodes, node_row_ptr, heads, attrs)."""
        from .serialization import to_json
        return to_json(self)

    def save(self, fname, remove_amp_cast=True):
        """Write :meth:`tojson` to ``fname``."""
        from .serialization import save
        save(self, fname)

    # ------------------------------------------------------------- execution
    def eval(self, ctx=None, **kwargs):
        """Evaluate with NDArray inputs given by name; returns the list of output NDArrays.

        Examples
        --------
        >>> import ssdkit as mx
        >>> (mx.sym.var('x') * 2).eval(x=mx.nd.ones((2,)))[0].asnumpy()
        array([2., 2.], dtype=float32)
        """
        from .executor import evaluate
        return evaluate(self, kwargs)

    def bind(self, ctx, args, args_grad=None, grad_req="write", aux_states=None, group2ctx=None,
             shared_exec=None):
        """Bind to arrays and return an :class:`~ssdkit.symbol.bind.Executor` (MXNet 1.x's symbolic API).

        Examples
        --------
        >>> import ssdkit as mx
        >>> ex = (mx.sym.var('x') + 1).bind(mx.cpu(), {'x': mx.nd.zeros((2,))})
        >>> ex.forward()[0].asnumpy()
        array([1., 1.], dtype=float32)
        """
        from .bind import bind
        return bind(self, ctx, args, args_grad, grad_req, aux_states, group2ctx, shared_exec)

    def simple_bind(self, ctx, grad_req="write", type_dict=None, stype_dict=None, group2ctx=None,
                    shared_arg_names=None, shared_exec=None, shared_buffer=None, **kwargs):
        """Bind to new zero arrays shaped from the input shapes in ``kwargs``; returns an Executor.

        Examples
        --------
        >>> import ssdkit as mx
        >>> mx.sym.var('x').simple_bind(mx.cpu(), x=(2, 3)).arg_dict['x'].shape
        (2, 3)
        """
        from .bind import simple_bind
        return simple_bind(self, ctx, grad_req, type_dict, stype_dict, group2ctx, shared_arg_names,
                           shared_exec, shared_buffer, **kwargs)

    # ------------------------------------------------------------- arithmetic
    def _binary(self, other, op_name, scalar_name, reflected=False):
        from . import register
        if op_name in _NP_NAMES and isinstance(other, (Symbol,) + numeric_types) and is_np_array() and \
                self._np is not False:  # a legacy symbol (as_nd_ndarray()) keeps the legacy operators
            from .numpy import np as np_namespace  # under npx.set_np, operators follow NumPy's (broadcasting)
            lhs, rhs = (other, self) if reflected else (self, other)
            return getattr(np_namespace, _NP_NAMES[op_name])(lhs, rhs)
        if isinstance(other, Symbol):
            lhs, rhs = (other, self) if reflected else (self, other)
            return register.call(op_name, [lhs, rhs], {}, None, hint=_HINTS.get(op_name))
        if isinstance(other, numeric_types):
            # MXNet calls most of these through CamelCase aliases (_MulScalar), so nodes are named _mulscalar0;
            # comparisons and _rpower_scalar keep their own names (_greater_scalar0)
            hint = scalar_name if scalar_name in _SNAKE_SCALARS else scalar_name.replace("_scalar", "scalar")
            return register.call(scalar_name, [self], {"scalar": other}, None, hint=hint)
        if hasattr(other, "_data"):
            raise MXNetError("cannot mix an NDArray with a Symbol in one expression: inside hybrid_forward use "
                             "only the F.* inputs and parameters (all Symbols once hybridized)")
        return NotImplemented

    def __add__(self, o): return self._binary(o, "elemwise_add", "_plus_scalar")
    def __radd__(self, o): return self._binary(o, "elemwise_add", "_plus_scalar", True)
    def __sub__(self, o): return self._binary(o, "elemwise_sub", "_minus_scalar")
    def __rsub__(self, o): return self._binary(o, "elemwise_sub", "_rminus_scalar", True)
    def __mul__(self, o): return self._binary(o, "elemwise_mul", "_mul_scalar")
    def __rmul__(self, o): return self._binary(o, "elemwise_mul", "_mul_scalar", True)
    def __truediv__(self, o): return self._binary(o, "elemwise_div", "_div_scalar")
    def __rtruediv__(self, o): return self._binary(o, "elemwise_div", "_rdiv_scalar", True)
    def __mod__(self, o): return self._binary(o, "_mod", "_mod_scalar")
    def __rmod__(self, o): return self._binary(o, "_mod", "_rmod_scalar", True)
    def __pow__(self, o): return self._binary(o, "_power", "_power_scalar")
    def __rpow__(self, o): return self._binary(o, "_power", "_rpower_scalar", True)
    def __eq__(self, o): return self._binary(o, "_equal", "_equal_scalar")
    def __ne__(self, o): return self._binary(o, "_not_equal", "_not_equal_scalar")
    def __gt__(self, o): return self._binary(o, "_greater", "_greater_scalar")
    def __ge__(self, o): return self._binary(o, "_greater_equal", "_greater_equal_scalar")
    def __lt__(self, o): return self._binary(o, "_lesser", "_lesser_scalar")
    def __le__(self, o): return self._binary(o, "_lesser_equal", "_lesser_equal_scalar")
    __div__, __rdiv__ = __truediv__, __rtruediv__

    def __neg__(self):
        return self.__mul__(-1.0)   # as MXNet: a _mul_scalar node (named _mulscalarN), not 'negative'

    def __call__(self, *args, **kwargs):
        """A copy of this graph with the variables named in ``kwargs`` replaced by those Symbols (MXNet's
        general composition: keywords only); ``name`` renames the copy's head node.

        Examples
        --------
        >>> import ssdkit as mx
        >>> fc = mx.sym.FullyConnected(name='fc', num_hidden=4)
        >>> net = fc(fc_data=mx.sym.relu(mx.sym.var('x')), name='head')
        >>> net.name, net.list_arguments()
        ('head', ['x', 'fc_weight', 'fc_bias'])
        """
        name = kwargs.pop("name", None)
        if args:
            raise MXNetError("Symbol.__call__: general composition only supports keyword arguments (variable name "
                             f"= Symbol), got {len(args)} positional argument(s)")
        free = set(self.list_arguments()) | set(self.list_auxiliary_states())
        unknown = sorted(k for k in kwargs if k not in free)
        if unknown:
            raise MXNetError(f"Symbol.__call__: {unknown} are not variables of this symbol; its variables are "
                             f"{sorted(free)[:12]}")
        composed = compose(self, kwargs)
        if name is not None and len(composed._outputs) == 1 and not composed._outputs[0][0].is_variable:
            composed._outputs[0][0].name = name
        return composed

    def __abs__(self):
        """``abs(sym)``: the ``abs`` operator.

        Examples
        --------
        >>> import ssdkit as mx
        >>> abs(mx.sym.var('x')).eval(x=mx.nd.array([-2.0, 3.0]))[0].asnumpy()
        array([2., 3.], dtype=float32)
        """
        from .register import call
        return call("abs", [self], {}, None)

    def __hash__(self):
        return id(self)


# MXNet's symbol operators name their nodes _plus0, _minus0, ... (the hint of the internal op _Plus etc.)
_SNAKE_SCALARS = frozenset(["_equal_scalar", "_not_equal_scalar", "_greater_scalar", "_greater_equal_scalar",
                            "_lesser_scalar", "_lesser_equal_scalar", "_rpower_scalar"])
# under npx.set_np() a Symbol's operators are NumPy's (MXNet's numpy symbol class): op -> mx.sym.np function
_NP_NAMES = {"elemwise_add": "add", "elemwise_sub": "subtract", "elemwise_mul": "multiply",
             "elemwise_div": "true_divide", "_mod": "mod", "_power": "power", "_equal": "equal",
             "_not_equal": "not_equal", "_greater": "greater", "_greater_equal": "greater_equal", "_lesser": "less",
             "_lesser_equal": "less_equal"}


_HINTS = {"elemwise_add": "_plus", "elemwise_sub": "_minus", "elemwise_mul": "_mul", "elemwise_div": "_div"}


def var(name, attr=None, shape=None, lr_mult=None, wd_mult=None, dtype=None, init=None, stype=None, **kwargs):
    """A named input variable; ``shape`` may contain 0 for unknown dims.

    Examples
    --------
    >>> v = var('w', shape=(2, 0), lr_mult=0.5)
    >>> v.attr('__shape__'), v.attr('__lr_mult__')
    ('(2, 0)', '0.5')
    """
    if not isinstance(name, str):
        raise TypeError("Expect a string for variable `name`")
    from ..attribute import AttrScope, stored_key
    attrs = {stored_key(k): v for k, v in AttrScope.active().get(attr).items()}
    dtype_flag = None if dtype is None else DTYPE_FLAG_OF[np.dtype(dtype)]
    storage = None if stype is None else _STORAGE_TYPES.get(stype, stype)
    for key, value in (("__shape__", shape), ("__lr_mult__", lr_mult), ("__wd_mult__", wd_mult),
                       ("__dtype__", dtype_flag), ("__init__", init), ("__storage_type__", storage)):
        if value is not None:
            if key == "__shape__":  # MXNet writes str(shape): an int n is the shape (n,)
                attrs[key] = str(value) if isinstance(value, (int, np.integer)) else str(tuple(value))
            else:
                attrs[key] = value.dumps() if hasattr(value, "dumps") else str(value)
    for key, value in kwargs.items():
        if not (key.startswith("__") and key.endswith("__")):
            raise ValueError(f"Attribute name={key} is not supported. Additional attributes must start and end "
                             "with double underscores, e.g, __yourattr__")
        attrs[key] = str(value)
    return Symbol([(Node(None, "null", name, None, [], attrs), 0)])


Variable = var
_STORAGE_TYPES = {"default": 0, "row_sparse": 1, "csr": 2}


def Group(symbols):
    """One symbol whose outputs are the outputs of ``symbols``, in order.

    Examples
    --------
    >>> Group([var('a'), var('b')]).list_outputs()
    ['a', 'b']
    """
    symbols = list(symbols)
    if not symbols or not all(isinstance(s, Symbol) for s in symbols):
        raise MXNetError("Group: expects a non-empty list of Symbols")
    return Symbol([e for s in symbols for e in s._outputs])


class _SymbolTruthError(NotImplementedForSymbol):
    """``bool(symbol)``: MXNet's NotImplementedForSymbol, with advice for hybrid_forward code."""

    def __str__(self):
        return super().__str__() + " The truth value of a Symbol is unknown until it runs: " + _SYMBOL_ADVICE


def _entry_key(entry):
    """The inference-table key of a graph entry: variables by name, op outputs by (node id, index)."""
    node, index = entry
    return ("var", node.name) if node.is_variable else (id(node), index)


def _known(shape):
    return shape is not None and 0 not in shape


def _internal_shape(shape):
    """A user's shape with ssdkit's unknown mark (0): under ``np_shape`` MXNet writes unknown dims as -1."""
    shape = (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(d) for d in shape)
    return tuple(0 if d < 0 else d for d in shape)


def _public_shape(shape):
    """A partial shape as MXNet reports it: () / 0 dims, or None / -1 dims under ``np_shape``."""
    if is_np_shape():
        return None if shape is None else tuple(-1 if d == 0 else d for d in shape)
    return () if shape is None else shape


def _public_type(dtype):
    return None if dtype is None else np.dtype(dtype).type


def _shape_of(node):
    text = node.attrs.get("__shape__")
    if text is None:
        return None
    from ..ops.registry import _parse_literal
    shape = _parse_literal(text)
    return _internal_shape(shape) if shape is not None else None


def compose(symbol, replacements):
    """A copy of ``symbol`` whose variables (inputs) named in ``replacements`` are replaced by those Symbols.

    This is how a SymbolBlock called with Symbols splices its graph into a larger one.

    Examples
    --------
    >>> y = compose(var('x') * 2, {'x': var('data')})
    >>> y.list_arguments()
    ['data']
    """
    for name, value in replacements.items():
        if not isinstance(value, Symbol) or len(value._outputs) != 1:
            raise MXNetError(f"compose: the replacement for {name!r} must be a single-output Symbol")
    copies = {}
    for node in topological_nodes(symbol._outputs):
        if node.is_variable and node.name in replacements:
            copies[id(node)] = replacements[node.name]._outputs[0]
            continue
        inputs = []
        for src, i in node.inputs:
            mapped = copies[id(src)]
            inputs.append(mapped if isinstance(mapped, tuple) else (mapped, i))
        copies[id(node)] = Node(node.op, node.op_name, node.name, node.params, inputs, dict(node.attrs))
    outputs = []
    for node, i in symbol._outputs:
        mapped = copies[id(node)]
        outputs.append(mapped if isinstance(mapped, tuple) else (mapped, i))
    return Symbol(outputs)


# NDArray-style methods on Symbols come from the registry's ARRAY_METHODS (installed in symbol/__init__.py);
# these few differ in signature.
_METHOD_OPS = {"transpose": "transpose", "flatten": "Flatten", "sum": "sum", "mean": "mean", "max": "max",
               "min": "min", "prod": "prod", "argmax": "argmax", "argmin": "argmin", "take": "take",
               "pick": "pick", "clip": "clip"}


# under npx.set_np() these methods are mx.sym.np's functions (MXNet's numpy symbol class): x.max(axis=())
_NP_METHODS = ("flatten", "sum", "mean", "max", "min", "prod", "argmax", "argmin", "std", "var", "cumsum", "all",
               "any", "clip")


def _method(op_name, name=None):
    def method(self, *args, **kwargs):
        if name in _NP_METHODS and is_np_array():
            from .numpy import np as np_namespace
            if name == "flatten":
                return np_namespace.reshape(self, (-1,))
            from ..numpy._methods import _METHOD_ARGS  # the method's argument order (np.sum's differs)
            if args and name in _METHOD_ARGS:
                kwargs.update(zip(_METHOD_ARGS[name], args))
                args = ()
            return getattr(np_namespace, name)(self, *args, **kwargs)
        if op_name is None:
            raise AttributeError(f"Symbol.{name} exists under npx.set_np() only (the NumPy interface)")
        from .register import make_function
        return make_function(op_name)(self, *args, **kwargs)
    method.__name__ = name or op_name
    method.__doc__ = (f"``F.{op_name}(self, ...)`` as a method (adds a graph node)" if op_name else
                      f"``F.np.{name}(self, ...)`` as a method") + (
        f"; ``F.np.{name}`` under npx.set_np()." if name in _NP_METHODS else ".")
    return method


for _name, _op in _METHOD_OPS.items():
    setattr(Symbol, _name, _method(_op, _name))
for _name in ("std", "var", "cumsum", "all", "any"):
    setattr(Symbol, _name, _method(None, _name))


def _reshape(self, *shape, **kwargs):
    """``Reshape`` with MXNet's special codes; ``x.reshape((0, -1))`` or ``x.reshape(shape=(0, -1))``."""
    from .register import make_function
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    if shape:
        kwargs["shape"] = tuple(shape)
    return make_function("Reshape")(self, **kwargs)


def _astype(self, dtype, **kwargs):
    """``Cast`` to ``dtype``."""
    from .register import make_function
    return make_function("Cast")(self, dtype=np.dtype(dtype).name, **kwargs)


def _split_v2(self, indices_or_sections, axis=0, squeeze_axis=False):
    """Split into equal sections (an int) or at cut points (a tuple); ``sym.split_v2(self, ...)``."""
    from .register import make_function
    from ..ops.indexing import split_v2_params
    return make_function("_split_v2")(self, **split_v2_params(indices_or_sections, axis, squeeze_axis))


Symbol.reshape, Symbol.astype, Symbol.split_v2 = _reshape, _astype, _split_v2
