"""Layer 1: the one operator registry. Every op is declared here once and serves nd, sym and autograd.

An op is a subclass of :class:`Op` registered with :func:`register`. It declares

* ``inputs`` — input names (``aux`` names the auxiliary states among them, e.g. BatchNorm's moving stats),
* ``params`` — name -> :class:`Param` (parsed from Python values or from MXNet JSON strings such as ``"(3, 3)"``),
* ``infer_shape(p, shapes)`` — fills unknown input shapes (``None``) where it can and returns output shapes,
* ``forward(p, inputs, is_train)`` -> ``(outputs, saved)`` where ``saved`` is what backward needs,
* ``backward(p, saved, out_grads)`` -> one gradient (or ``None``) per input: the vector-Jacobian product
  (``backward_some`` adds which inputs need one, for ops that can skip the others' work).

Forward and backward of an op stand side by side in one class; the ndarray layer calls them imperatively,
the autograd tape replays backward, and the symbol executor runs the same objects.

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("relu")
>>> p = op.parse_params({})
>>> (y,), saved = op.forward(p, [np.array([-1., 2.], np.float32)], False)
>>> y
array([0., 2.], dtype=float32)
>>> op.backward(p, saved, [np.ones(2, np.float32)])[0]
array([0., 1.], dtype=float32)
"""
import numpy as np

from ..base import MXNetError, ShapeError, DTYPE
from . import aliases as _table
from .literal import LiteralError, NotALiteral, read_literal
from .kernels.arena import current as _current_arena

__all__ = ["Op", "Param", "Params", "REQUIRED", "PROBE", "register", "get_op", "list_ops", "alias_of", "ARRAY_METHODS"]

#: Methods NDArray and Symbol both offer as the op of that name with the array first (``x.clip(0, 1)``).
ARRAY_METHODS = {name: name for name in (
    "expand_dims", "squeeze", "swapaxes", "split", "slice", "slice_axis", "slice_like", "one_hot", "clip",
    "topk", "sort", "argsort", "norm", "softmax", "log_softmax", "abs", "exp", "log", "sqrt", "square", "sign",
    "relu", "sigmoid", "tanh", "broadcast_to", "broadcast_like", "tile", "repeat", "zeros_like", "ones_like",
    # MXNet's other fluent methods
    "round", "rint", "fix", "floor", "ceil", "trunc", "sin", "cos", "tan", "arcsin", "arccos", "arctan",
    "degrees", "radians", "sinh", "cosh", "arcsinh", "arccosh", "arctanh", "expm1", "log10", "log2", "log1p",
    "rsqrt", "cbrt", "rcbrt", "reciprocal", "log_softmax", "softmin", "flip", "nansum", "nanprod",
    "argmax_channel", "shape_array", "size_array", "broadcast_axes", "pad", "diag", "reshape_like",
    "depth_to_space", "space_to_depth")}

REQUIRED = object()  # marks a parameter without default
PROBE = "probe"      # Op.partial_shapes value: partial input shapes are probed (see ssdkit/symbol/inference.py)
_REGISTRY = {}       # canonical name -> Op instance
_ALIASES = {}        # alias (e.g. "Concat", "MultiBoxPrior") -> canonical name


def _parse_literal(value):
    """MXNet JSON stores every attribute as a string: turn ``"(3, 3)"``, ``"True"``, ``"0.5"`` back to Python.

    Text that is no literal (``"relu"``) stays text; text too long or nested too deep raises
    :class:`~ssdkit.ops.literal.LiteralError` (see :mod:`ssdkit.ops.literal`).
    """
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text in ("None", "none"):
        return None
    if text in ("True", "true"):
        return True
    if text in ("False", "false"):
        return False
    try:
        return read_literal(text)
    except NotALiteral:
        return text


class Param:
    """One declared operator parameter: a kind (int, float, bool, str, shape, floats, dtype, any) and a default.

    Examples
    --------
    >>> Param("shape", ()).parse("(3, 3)", "Convolution", "kernel")
    (3, 3)
    >>> Param("bool", False).parse("1", "Convolution", "no_bias")
    True
    """

    def __init__(self, kind, default=REQUIRED, choices=None):
        self.kind, self.default, self.choices = kind, default, choices

    def parse(self, value, op_name, name):
        """Convert a Python value or MXNet JSON string to this kind; MXNetError names op and parameter."""
        try:
            value = _parse_literal(value)
        except LiteralError as err:
            raise MXNetError(f"{op_name}: parameter {name} {err}") from None
        if value is None:
            return None
        try:
            if self.kind == "int":
                value = int(value)
            elif self.kind == "float":
                value = float(value)
            elif self.kind == "bool":
                value = bool(int(value)) if isinstance(value, (str, int, np.integer)) else bool(value)
            elif self.kind == "str":
                value = str(value)
            elif self.kind == "shape":
                value = (int(value),) if np.isscalar(value) else tuple(int(v) for v in value)
            elif self.kind == "floats":
                value = (float(value),) if np.isscalar(value) else tuple(float(v) for v in value)
            elif self.kind == "dtype":
                value = np.dtype(value).name
        except (TypeError, ValueError):
            raise MXNetError(f"{op_name}: parameter {name} expects {self.kind}, got {value!r:.80}") from None
        if self.choices is not None and value not in self.choices:
            raise MXNetError(f"{op_name}: parameter {name} must be one of {self.choices}, got {value!r:.80}")
        return value


class Params(dict):
    """Parsed operator parameters with attribute access; ``given`` remembers what the caller set (for JSON).

    Examples
    --------
    >>> p = Params({"axis": 1}, given=("axis",))
    >>> p.axis, p.given
    (1, ('axis',))
    """

    def __init__(self, values, given=(), raw=None):
        super().__init__(values)
        self.given = tuple(given)
        self.raw = {k: raw[k] for k in self.given if k in raw} if raw else {}

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def to_attrs(self):
        """The user-given parameters as MXNet JSON attribute strings: as the caller wrote them (``str`` of
        the value, a dtype by name, as MXNet's symbol functions do), else from the parsed value.

        Examples
        --------
        >>> Params({"kernel": (3, 3), "no_bias": True}, given=("kernel", "no_bias")).to_attrs()
        {'kernel': '(3, 3)', 'no_bias': 'True'}
        >>> Params({"scalar": 2.0}, given=("scalar",), raw={"scalar": 2}).to_attrs()
        {'scalar': '2'}
        """
        return {k: _attr_text(self.raw[k]) if k in self.raw else str(self[k]) for k in self.given}


def _attr_text(value):
    if isinstance(value, str):
        return value
    if isinstance(value, (np.dtype, type)):
        try:
            return np.dtype(value).name
        except TypeError:
            return str(value)
    return str(value)


class Op:
    """Base class of every operator; see the module docstring for the contract.

    Examples
    --------
    >>> get_op("Concat") is get_op("concat")
    True
    """
    name = None
    inputs = ("data",)
    aux = ()
    params = {}
    num_outputs = 1
    hidden_outputs = 0   # outputs MXNet keeps internally (BatchNorm's saved mean/var); counted in JSON row pointers
    differentiable = True
    no_gradient = False      # MXNet registers no gradient at all (binding a backward through it fails), not zeros
    random = False           # draws from mx.random's generator: two calls differ (graph passes never merge two)
    hint = None          # the name-manager hint for symbols (MXNet uses the lower-cased op name)
    key_var_num_args = None  # ops such as Concat take any number of inputs; this param counts them
    input_var_attrs = {}     # input name -> attributes of the variable created when a symbol call omits it
    partial_shapes = False   # True: infer_shape copes with 0 (unknown) dims itself; PROBE: the symbol layer runs it
                             # with probe sizes for unknown dims (dimension-wise rules: dot, transpose, Pooling)
    same_shape = False       # every input and output has one shape (unary maths): inference unifies them both ways
    any_params = False       # Custom takes whatever keywords its Python prop accepts (parse_params decides)
    param_free = False       # MXNet declares no parameter struct: extra keywords are accepted and unused (as MXNet)
    writes_out = False       # forward(p, inputs, is_train, out) writes into the caller's out buffers (update ops)

    def parse_params(self, kwargs):
        """Check names, fill defaults and convert values; unknown or missing parameters raise MXNetError."""
        unknown = set(kwargs) - set(self.params)
        if unknown and self.param_free and not self.params:
            kwargs, unknown = {}, set()
        if unknown:
            raise MXNetError(f"{self.name}: unknown parameter(s) {sorted(unknown)}; "
                             f"accepted: {sorted(self.params)}")
        values = {}
        for name, spec in self.params.items():
            if name in kwargs:
                values[name] = spec.parse(kwargs[name], self.name, name)
            elif spec.default is REQUIRED:
                raise MXNetError(f"{self.name}: required parameter {name} is missing")
            else:
                values[name] = spec.default
        return Params(values, given=[k for k in kwargs], raw=kwargs)

    def input_names(self, p):
        """Names of the inputs this call takes (e.g. Convolution drops ``bias`` when ``no_bias``)."""
        if self.key_var_num_args:
            return [f"arg{i}" for i in range(p[self.key_var_num_args])]
        return list(self.inputs)

    def output_count(self, p):
        """Visible outputs for these parameters."""
        return self.num_outputs

    def output_names(self, p):
        """Output suffixes as MXNet lists them (``output`` or ``output0..``)."""
        n = self.output_count(p)
        return ["output"] if n == 1 else [f"output{i}" for i in range(n)]

    def hidden_count(self, p):
        """Outputs MXNet computes but does not show for these parameters (counted in JSON row pointers).

        Examples
        --------
        >>> op = get_op("_contrib_Proposal")
        >>> op.hidden_count(op.parse_params({})), op.hidden_count(op.parse_params({"output_score": True}))
        (1, 0)
        """
        return self.hidden_outputs

    def hidden_values(self, p, saved, is_train):
        """``(suffix, array)`` of outputs MXNet computes beside the visible ones in this call (BatchNorm's
        batch ``mean`` and ``var``, Dropout's ``mask``), read from ``saved``; op hooks report them."""
        return []

    def infer_shape(self, p, shapes):
        """Default rule: run forward on zero-stride zeros when every input shape is known."""
        if any(s is None for s in shapes):
            return shapes, [None] * self.output_count(p)
        zeros = [np.broadcast_to(np.zeros((), DTYPE), s) for s in shapes]
        with _current_arena(None):        # a probe's outputs die at once: no process-wide arena should keep their memory
            outputs, _ = self.forward(p, zeros, False)
        return shapes, [o.shape for o in outputs]

    def infer_input_shapes(self, p, in_shapes, out_shapes):
        """Backward rule: complete partial input shapes (0 or None = unknown) from known output shapes.

        Returns one shape (or None) per input. The default learns nothing; ``Reshape`` and
        ``_rnn_param_concat`` override it so a deferred RNN weight is found from the packed vector's size.

        Examples
        --------
        >>> get_op("Reshape").infer_input_shapes(get_op("Reshape").parse_params({"shape": (-1,)}), [(4, 0)], [(12,)])
        [(4, 3)]
        """
        return [None] * len(in_shapes)

    def infer_type(self, p, dtypes):
        """Default rule: outputs take the first known input dtype."""
        known = [d for d in dtypes if d is not None]
        dtype = known[0] if known else np.dtype(DTYPE)
        return [d if d is not None else dtype for d in dtypes], [dtype] * self.output_count(p)

    def forward(self, p, inputs, is_train):
        """``(outputs, saved)`` from numpy inputs; ``saved`` is what :meth:`backward` needs."""
        raise MXNetError(f"{self.name}: forward is not defined")

    def backward(self, p, saved, out_grads):
        """One gradient per input (the vector-Jacobian product of ``out_grads``)."""
        if self.no_gradient:
            raise MXNetError(f"Operator {self.name} is non-differentiable because it didn't register FGradient "
                             "attribute (as in MXNet 1.9.1)")
        raise MXNetError(f"{self.name} is not differentiable")

    @property
    def recorded(self):
        """Whether autograd records a call whose inputs are only variables: every op with a gradient, zeros
        included (MXNet's comparisons, ``argmax``: a backward from their output writes zero gradients), as
        MXNet records every op; ops without any backward are left off the tape, except those MXNet registers
        no gradient for (``no_gradient``): recorded, a backward through them raises as MXNet's does."""
        return self.differentiable or self.no_gradient or type(self).backward is not Op.backward

    def backward_some(self, p, saved, out_grads, needs):
        """:meth:`backward` told which inputs need a gradient (``needs``, one bool per input).

        Inputs that need none may get ``None``. Ops whose gradients share no work override this to skip
        the unneeded ones (a network's first convolution never computes the gradient of its images);
        every other op computes them all.

        Examples
        --------
        >>> op = get_op("Convolution")
        >>> p = op.parse_params({"kernel": (1, 1), "num_filter": 1, "no_bias": True})
        >>> _, saved = op.forward(p, [np.ones((1, 1, 2, 2), np.float32), np.ones((1, 1, 1, 1), np.float32)], True)
        >>> [g is None for g in op.backward_some(p, saved, [np.ones((1, 1, 2, 2), np.float32)], (False, True))]
        [True, False]
        """
        return self.backward(p, saved, out_grads)


def register(cls=None, *, aliases=()):
    """Class decorator: instantiate the op once and file it under its name and aliases.

    Examples
    --------
    >>> "Convolution" in list_ops()
    True
    """
    def wrap(c):
        op = c()
        op.name = op.name or c.__name__
        if op.name in _REGISTRY:
            raise MXNetError(f"operator {op.name} is registered twice")
        _REGISTRY[op.name] = op
        for alias in aliases:
            _ALIASES[alias] = op.name
        return c
    return wrap(cls) if cls is not None else wrap


def get_op(name):
    """The op registered under ``name`` or one of its aliases.

    Examples
    --------
    >>> get_op("FullyConnected").inputs
    ('data', 'weight', 'bias')
    """
    try:
        return _REGISTRY[alias_of(name)]
    except KeyError:
        raise MXNetError(f"operator {name!r} is not registered in ssdkit") from None


def alias_of(name):
    """Canonical name for an alias (or the name itself).

    Examples
    --------
    >>> alias_of("Concat"), alias_of("broadcast_plus"), alias_of("_Plus")
    ('concat', 'broadcast_add', 'broadcast_add')
    """
    if name in _REGISTRY:
        return name
    if name in _ALIASES:
        return _ALIASES[name]
    found = _table.resolve(name, _is_registered)  # MXNet's alias table (ops/aliases.py)
    return name if found is None else _ALIASES.get(found, found)


def _is_registered(name):
    return name in _REGISTRY or name in _ALIASES


def list_ops(include_aliases=False):
    """Sorted names of all registered ops.

    Examples
    --------
    >>> "exp" in list_ops()
    True
    """
    names = set(_REGISTRY)
    if include_aliases:
        names |= set(_ALIASES)
        tabled = set(_table.MXNET_ALIASES) | set(_table.STAND_INS) | set(_table.SSDKIT_SPELLINGS)
        tabled |= {a for group in _table.MXNET_ALIASES.values() for a in group}
        names |= {n for n in tabled if alias_of(n) in _REGISTRY}
    return sorted(names)


def check_shape(op_name, operand, expected, actual, context=""):
    """Raise ShapeError unless ``actual`` equals ``expected`` (``None``/0 in expected match anything).

    Examples
    --------
    >>> check_shape("FullyConnected", "weight", (5, 0), (5, 3))
    """
    ok = len(expected) == len(actual) and all(e in (None, 0) or e == a for e, a in zip(expected, actual))
    if not ok:
        raise ShapeError(f"{op_name}: {operand} expected shape {tuple(expected)}, got {tuple(actual)}{context}")


def split_arguments(op, args, kwargs, is_array):
    """Sort a call's positional and keyword arguments into ``(inputs, params)`` the way MXNet's generated
    functions do: leading arrays fill the declared inputs, further positionals fill parameters in declared
    order, and keywords naming an input are inputs. ``inputs`` is a list for variadic ops (concat) and a
    dict name -> array otherwise. ``is_array`` tells arrays (NDArray or Symbol) from values.

    Examples
    --------
    >>> op = get_op("clip")
    >>> split_arguments(op, ["X", 0, 1], {}, lambda a: a == "X")
    ({'data': 'X'}, {'a_min': 0, 'a_max': 1})
    """
    args, kwargs = list(args), dict(kwargs)
    if op.key_var_num_args:
        inputs = []
        while args and (is_array(args[0]) or (isinstance(args[0], (list, tuple)) and args[0]
                                              and all(is_array(a) for a in args[0]))):
            item = args.pop(0)
            inputs.extend(item if isinstance(item, (list, tuple)) else [item])
        kwargs.setdefault(op.key_var_num_args, len(inputs))
    else:
        inputs, positional = {}, []
        while args and (is_array(args[0]) or args[0] is None):
            positional.append(args.pop(0))
        while positional and positional[-1] is None:
            positional.pop()  # an omitted trailing input (Dense's bias=None with no_bias) is no input
        for key in [k for k in kwargs if k in op.inputs]:
            inputs[key] = kwargs.pop(key)
    free = [p for p in op.params if p not in kwargs]
    if len(args) > len(free):
        raise MXNetError(f"{op.name}: too many positional arguments {args!r}")
    kwargs.update(zip(free, args))
    if not op.key_var_num_args:
        # leading arrays fill the inputs this call takes (RNN without state_cell: data, parameters, state, ...)
        slots = list(op.inputs)
        if len(positional) > 2 and type(op).input_names is not Op.input_names:
            try:
                slots = op.input_names(op.parse_params(kwargs))
            except MXNetError:
                pass
        while len(positional) > len(slots) and positional[-1] is None:
            positional.pop()   # Convolution(x, w, None, no_bias=True): an absent bias, as MXNet accepts
        if len(positional) > len(slots):
            raise MXNetError(f"{op.name}: too many array arguments; inputs are {slots}")
        inputs.update(zip(slots, positional))
    return inputs, kwargs
