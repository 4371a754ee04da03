"""``gluon.Block``: the base of every layer and model — MXNet's naming (prefix scopes), child/parameter
registration, ``collect_params``, save/load of parameters, forward hooks, ``apply``, ``cast`` and ``summary``.

Naming follows MXNet exactly: a block created outside any parent's ``name_scope()`` takes ``hint + N_`` from the
current name manager's global counters (``dense0_``, ``conv3_``); inside a parent's scope the counter is the
parent's own and the parent prefix is prepended (``hybridsequential0_conv0_``).

Examples
--------
>>> import ssdkit as mx
>>> from ssdkit.symbol.naming import NameManager
>>> class Net(Block):
...     def __init__(self, **kwargs):
...         super().__init__(**kwargs)
...         with self.name_scope():
...             self.fc = mx.gluon.nn.Dense(2, in_units=3)
...     def forward(self, x):
...         return self.fc(x)
>>> with NameManager():
...     net = Net()
>>> net.prefix, list(net.collect_params().keys())
('net0_', ['net0_dense0_weight', 'net0_dense0_bias'])
"""
import re
import threading
import weakref
import warnings
from collections import OrderedDict, defaultdict

from .. import initializer
from .. import ndarray as nd
from ..base import MXNetError
from ..symbol import naming
from .parameter import Parameter, ParameterLoadError, shape_fits
from .parameter_dict import ParameterDict
from .utils import _indent, _brief_print_list, HookHandle
from ..util import is_np_array

__all__ = ["Block"]

_CONTAINER_WARNING = ('"{name}" is an unregistered container with Blocks. Note that Blocks inside the list, tuple '
                      "or dict will not be registered automatically. Make sure to register them using "
                      "register_child() or switching to nn.Sequential/nn.HybridSequential instead. ")


class _BlockScope:
    """The ``with block.name_scope():`` scope: children get the block's prefix and per-scope counters."""
    _current = threading.local()

    def __init__(self, block):
        self._block = block
        self._counter = {}
        self._old_scope = None
        self._name_scope = None

    @staticmethod
    def create(prefix, params, hint):
        """The prefix and ParameterDict of a new block with alias ``hint``."""
        current = getattr(_BlockScope._current, "value", None)
        if current is None:
            if prefix is None:
                prefix = naming.current().get(None, hint) + "_"
            params = ParameterDict(prefix) if params is None else ParameterDict(params.prefix, params)
            return prefix, params
        if prefix is None:
            count = current._counter.get(hint, 0)
            prefix = f"{hint}{count}_"
            current._counter[hint] = count + 1
        if params is None:
            parent = current._block.params
            params = ParameterDict(parent.prefix + prefix, parent._shared)
        else:
            params = ParameterDict(params.prefix, params)
        return current._block.prefix + prefix, params

    def __enter__(self):
        if self._block._empty_prefix:
            return self
        self._old_scope = getattr(_BlockScope._current, "value", None)
        _BlockScope._current.value = self
        self._name_scope = naming.Prefix(self._block.prefix)
        self._name_scope.__enter__()
        return self

    def __exit__(self, *exc):
        if self._block._empty_prefix:
            return
        self._name_scope.__exit__(*exc)
        self._name_scope = None
        _BlockScope._current.value = self._old_scope


def _holds_unregistered_block(data, children):
    if isinstance(data, (list, tuple)):
        return any(_holds_unregistered_block(x, children) for x in data)
    if isinstance(data, dict):
        return any(_holds_unregistered_block(x, children) for x in data.values())
    return isinstance(data, Block) and data not in children



def _one_layer_hint(block, loaded, params):
    """When a file of one layer (keys ``weight``, ``bias``) meets a container (keys ``0.weight``, ...): a
    sentence naming the structural keys the file lacks; else an empty string."""
    nested = [key for key in params if "." in key]
    if not loaded or not nested or any(key in params for key in loaded):
        return ""
    if not set(loaded) <= {key.rsplit(".", 1)[1] for key in nested}:
        return ""
    return (f". The file's keys {_brief_print_list(sorted(loaded))} have no block path: they are one layer's "
            f"parameters (that layer's save_parameters), while this {type(block).__name__} takes structural keys; "
            f"missing: {_brief_print_list(nested)}. Load the file into the layer itself, e.g. "
            f"net[0].load_parameters(...)")


def _check_all_np(out):
    """Under ``npx.set_np()`` a block's outputs must be mx.np arrays or NumPy-interface symbols (MXNet's check)."""
    from ..numpy.multiarray import ndarray as np_ndarray
    if isinstance(out, (list, tuple)):
        for item in out:
            _check_all_np(item)
    elif (isinstance(out, nd.NDArray) and not isinstance(out, np_ndarray)) or getattr(out, "_np", None) is False:
        raise TypeError("Block's output ndarrays/symbols must be of type `mxnet.numpy.ndarray` or "
                        f"`mxnet.symbol.numpy._Symbol`, while got output type {type(out)}")


class Block:
    """Base class of layers and models: override ``forward(self, *args)``.

    Parameters
    ----------
    prefix : str, optional
        Name prefix of this block's parameters and children (default: alias + counter + '_').
    params : ParameterDict, optional
        Share these parameters (e.g. ``Dense(20, params=other.collect_params())``).

    Examples
    --------
    >>> import ssdkit as mx
    >>> b = mx.gluon.nn.Dense(2, prefix="fc_"); b.name, b.prefix
    ('fc', 'fc_')
    """

    def __init__(self, prefix=None, params=None):
        self._empty_prefix = prefix == ""
        self._prefix, self._params = _BlockScope.create(prefix, params, self._alias())
        self._name = self._prefix[:-1] if self._prefix.endswith("_") else self._prefix
        self._scope = _BlockScope(self)
        self._children = OrderedDict()
        self._reg_params = {}
        self._forward_hooks = OrderedDict()
        self._forward_pre_hooks = OrderedDict()

    def __repr__(self):
        modstr = "\n".join(f"  ({key}): {_indent(repr(block), 2)}"
                           for key, block in self.__dict__.items() if isinstance(block, Block))
        return f"{self.__class__.__name__}(\n{modstr}\n)"

    def __setattr__(self, name, value):
        if hasattr(self, name):
            existing = getattr(self, name)
            if isinstance(existing, (Parameter, Block)) and not isinstance(value, type(existing)):
                raise TypeError(f"Changing attribute type for {name} from {type(existing)} to {type(value)}"
                                "is not allowed.")
        if isinstance(value, Block):
            self.register_child(value, name)
        elif isinstance(value, Parameter):
            if name in self._reg_params:
                raise MXNetError(f"Overriding Parameter attribute {name} is not allowed. If you want to share "
                                 "parameters between blocks, please set 'params' at Block construction instead.")
            self._reg_params[name] = value
        super().__setattr__(name, value)

    def _check_container_with_block(self):
        children = set(self._children.values())
        for key, value in self.__dict__.items():
            if isinstance(value, (list, tuple, dict)) and not (key.startswith("__") or key == "_children"):
                if _holds_unregistered_block(value, children):
                    warnings.warn(_CONTAINER_WARNING.format(name=self.__class__.__name__ + "." + key),
                                  stacklevel=3)

    def _alias(self):
        return self.__class__.__name__.lower()

    @property
    def prefix(self):
        """Prefix of this block (ends with '_' unless given otherwise)."""
        return self._prefix

    @property
    def name(self):
        """The prefix without its trailing '_'."""
        return self._name

    def name_scope(self):
        """A ``with`` scope: blocks and symbols created inside take this block's prefix."""
        return self._scope

    @property
    def params(self):
        """This block's own ParameterDict (children's parameters are not included)."""
        return self._params

    def collect_params(self, select=None):
        """A ParameterDict of this block's and all descendants' Parameters.

        Parameters
        ----------
        select : str, optional
            Regular expression; keep parameters whose full name it matches (``re.match``).

        Examples
        --------
        >>> import ssdkit as mx
        >>> list(mx.gluon.nn.Dense(2, prefix="fc_").collect_params(".*bias").keys())
        ['fc_bias']
        """
        self._check_container_with_block()
        ret = ParameterDict(self._params.prefix)
        if not select:
            ret.update(self.params)
        else:
            pattern = re.compile(select)
            ret.update({name: value for name, value in self.params.items() if pattern.match(name)})
        for child in self._children.values():
            ret.update(child.collect_params(select=select))
        ret._owner = weakref.ref(self)  # lets a Trainer name blocks in its stale-gradient error
        return ret

    def _collect_params_with_prefix(self, prefix=""):
        if prefix:
            prefix += "."
        ret = {prefix + key: val for key, val in self._reg_params.items()}
        for name, child in self._children.items():
            ret.update(child._collect_params_with_prefix(prefix + name))
        return ret

    # ------------------------------------------------------------------ save / load
    def save_parameters(self, filename, deduplicate=False):
        """Save parameter values keyed by structure (``0.0.weight``, ``body.1.gamma``), not by name.

        Parameters
        ----------
        filename : str
        deduplicate : bool
            Store a parameter shared by several blocks only once.

        Examples
        --------
        >>> import ssdkit as mx, tempfile, os
        >>> net = mx.gluon.nn.Dense(2, in_units=3); net.initialize()
        >>> f = os.path.join(tempfile.mkdtemp(), "n.params"); net.save_parameters(f); sorted(mx.nd.load(f))
        ['bias', 'weight']
        """
        params = self._collect_params_with_prefix()
        if deduplicate:
            reverse = {v: k for k, v in params.items()}
            params = {k: v for v, k in reverse.items()}
        nd.save(filename, {key: param._reduce() for key, param in params.items()})

    def save_params(self, filename):
        """Deprecated: save by full parameter name minus this block's prefix (use save_parameters)."""
        warnings.warn("save_params is deprecated. Please use save_parameters. Note that if you want load from "
                      "SymbolBlock later, please use export instead. For details, see "
                      "https://mxnet.apache.org/tutorials/gluon/save_load_params.html")
        self.collect_params().save(filename, strip_prefix=self.prefix)

    def load_parameters(self, filename, ctx=None, allow_missing=False, ignore_extra=False, cast_dtype=False,
                        dtype_source="current"):
        """Load values written by :meth:`save_parameters` (or by MXNet's save_parameters / save_params).

        Files whose keys hold no '.' are MXNet's older prefixed-name format and load by name instead.

        Parameters
        ----------
        filename : str
        ctx : Context or list of Context, optional
        allow_missing : bool
            Skip parameters absent from the file instead of raising.
        ignore_extra : bool
            Ignore arrays in the file that no parameter of this block takes.
        cast_dtype : bool
        dtype_source : {'current', 'saved'}
        """
        loaded = nd.load(filename)
        if not isinstance(loaded, dict):
            raise MXNetError(f"load_parameters: {filename} holds an unnamed list of arrays; expected arrays "
                             "keyed by parameter name (written by save_parameters)")
        params = self._collect_params_with_prefix()
        if not loaded and not params:
            return
        if not any("." in key for key in loaded):
            hint = _one_layer_hint(self, loaded, params)
            pdict = self.collect_params()
            for name in pdict.keys():
                if not name.startswith(self.prefix):
                    raise MXNetError(f"restore_prefix is '{self.prefix}' but Parameters name '{name}' does not "
                                     f"start with '{self.prefix}'" + hint)
            try:
                pdict.load_dict(loaded, ctx, allow_missing, ignore_extra, self.prefix, filename, cast_dtype,
                                dtype_source)
            except ParameterLoadError as err:
                if not hint:
                    raise
                raise ParameterLoadError(str(err) + hint) from None
            return
        if not allow_missing:
            keys_of = defaultdict(list)
            for key, param in params.items():
                keys_of[param].append(key)
            missing = [key for key, param in params.items() if not any(k in loaded for k in keys_of[param])]
            if missing:  # MXNet's sentence, then every missing key
                raise ParameterLoadError(
                    f"Parameter '{missing[0]}' is missing in file '{filename}', which contains parameters: "
                    f"{_brief_print_list(loaded.keys())}. Set allow_missing=True to ignore missing parameters."
                    + (f" All missing: {missing}" if len(missing) > 1 else ""))
        extra = [key for key in loaded if key not in params]
        if extra and not ignore_extra:
            raise ParameterLoadError(
                f"Parameter '{extra[0]}' loaded from file '{filename}' is not present in ParameterDict, which "
                f"contains parameters {_brief_print_list(self._params.keys())}. Set ignore_extra=True to ignore. "
                f"(The block takes {_brief_print_list(params.keys())}; the file also has {extra}.)")
        misfits = [(key, params[key], value.shape) for key, value in loaded.items()
                   if key in params and params[key].shape and not shape_fits(params[key].shape, value.shape)]
        if misfits:  # checked before anything loads, so a wrong file leaves the block as it was
            key, param, saved = misfits[0]
            raise ParameterLoadError(
                f"Failed loading Parameter '{param.name}' from saved params: shape incompatible expected "
                f"{param.shape} vs saved {saved} (key '{key}' of file '{filename}'"
                + (f"; {len(misfits)} parameters differ, the first: "
                   + ", ".join(f"{k} {p.shape} vs {s}" for k, p, s in misfits[:5]) if len(misfits) > 1 else "")
                + ")")
        for key, value in loaded.items():
            if key in params:
                params[key]._load_init(value, ctx, cast_dtype=cast_dtype, dtype_source=dtype_source)

    def load_params(self, filename, ctx=None, allow_missing=False, ignore_extra=False):
        """Deprecated alias of :meth:`load_parameters`."""
        warnings.warn("load_params is deprecated. Please use load_parameters.")
        self.load_parameters(filename, ctx, allow_missing, ignore_extra)

    # ------------------------------------------------------------------ structure
    def register_child(self, block, name=None):
        """Register ``block`` as a child (attributes holding Blocks are registered automatically)."""
        if name is None:
            name = str(len(self._children))
        self._children[name] = block

    def register_forward_pre_hook(self, hook):
        """Call ``hook(block, inputs)`` before every forward; returns a removable :class:`HookHandle`."""
        handle = HookHandle()
        handle.attach(self._forward_pre_hooks, hook)
        return handle

    def register_forward_hook(self, hook):
        """Call ``hook(block, inputs, outputs)`` after every forward; returns a removable :class:`HookHandle`.

        Examples
        --------
        >>> import ssdkit as mx
        >>> net = mx.gluon.nn.Dense(1, in_units=1); net.initialize(); seen = []
        >>> h = net.register_forward_hook(lambda b, i, o: seen.append(o.shape))
        >>> _ = net(mx.nd.ones((2, 1))); h.detach(); _ = net(mx.nd.ones((2, 1))); seen
        [(2, 1)]
        """
        handle = HookHandle()
        handle.attach(self._forward_hooks, hook)
        return handle

    def register_op_hook(self, callback, monitor_all=False):
        """Install ``callback`` on every hybridized descendant (used by the cached graph)."""
        for child in self._children.values():
            child.register_op_hook(callback, monitor_all)

    def apply(self, fn):
        """Apply ``fn(block)`` to every descendant, then to self; returns self."""
        for child in self._children.values():
            child.apply(fn)
        fn(self)
        return self

    def initialize(self, init=initializer.Uniform(), ctx=None, verbose=False, force_reinit=False):
        """Initialize all parameters (``collect_params().initialize(...)``).

        Parameters
        ----------
        init : Initializer
            Default for parameters without their own initializer.
        ctx : Context or list of Context
        verbose : bool
        force_reinit : bool
        """
        self.collect_params().initialize(init, ctx, verbose, force_reinit)

    def hybridize(self, active=True, **kwargs):
        """Hybridize every HybridBlock descendant (a plain Block itself runs imperatively)."""
        for child in self._children.values():
            child.hybridize(active, **kwargs)

    def cast(self, dtype):
        """Cast all parameters (recursively) to ``dtype``."""
        for child in self._children.values():
            child.cast(dtype)
        for param in self.params.values():
            param.cast(dtype)

    def __call__(self, *args):
        for hook in self._forward_pre_hooks.values():
            hook(self, args)
        out = self.forward(*args)
        for hook in self._forward_hooks.values():
            hook(self, args, out)
        if is_np_array():
            _check_all_np(out)
        return out

    def forward(self, *args):
        """The computation; subclasses override it (positional NDArray arguments)."""
        raise MXNetError(f"{type(self).__name__} is a Block without a forward(self, *args) method; define it")

    def intermediate(self, *inputs, names=None):
        """Outputs of inner layers in one forward: an ordered dict name -> output.

        ``names`` are descendant paths (``'body.1'``), Gluon names (``'hybridsequential0_conv0'``) or, for
        HybridBlocks, graph op outputs (``'..._fwd_output'``); default every descendant. Works hybridized
        or not — no SymbolBlock needed. See :mod:`ssdkit.gluon.intermediate`.

        Examples
        --------
        >>> import ssdkit as mx
        >>> net = mx.gluon.nn.HybridSequential(prefix='m_')
        >>> with net.name_scope():
        ...     net.add(mx.gluon.nn.Dense(3), mx.gluon.nn.Dense(2))
        >>> net.initialize()
        >>> {k: v.shape for k, v in net.intermediate(mx.nd.ones((1, 4))).items()}
        {'0': (1, 3), '1': (1, 2)}
        """
        from .intermediate import intermediate_outputs
        return intermediate_outputs(self, *inputs, names=names)

    def intermediate_names(self, include_ops=False):
        """The names :meth:`intermediate` accepts (descendant paths; op outputs too with ``include_ops``).

        Examples
        --------
        >>> import ssdkit as mx
        >>> net = mx.gluon.nn.HybridSequential(prefix='m_')
        >>> with net.name_scope():
        ...     net.add(mx.gluon.nn.Dense(3, activation='relu'))
        >>> net.intermediate_names()
        ['0', '0.act']
        """
        from .intermediate import intermediate_names
        return intermediate_names(self, include_ops)

    def summary(self, *inputs):
        """Print MXNet's table of layer output shapes and parameter counts for one forward of ``inputs``.

        The block must be initialized and not hybridized. After the table come the registered children the
        forward never called and those called more than once (shared weights), when there are any.
        """
        from .summary import print_summary
        print_summary(self, *inputs)

    def usage(self, *inputs, gradients=True):
        """Which registered children one forward of ``inputs`` calls: a :class:`~ssdkit.gluon.usage.BlockUsage`
        with ``never_called``, ``called_twice`` and (with ``gradients``) ``no_gradient``.

        Works hybridized or not; parameter values and gradients are left as they were. See
        :func:`ssdkit.gluon.usage.block_usage`.

        Examples
        --------
        >>> import ssdkit as mx
        >>> seq = mx.gluon.nn.Sequential(prefix='u_')
        >>> seq.add(mx.gluon.nn.Dense(2, in_units=2)); seq.initialize()
        >>> print(seq.usage(mx.nd.ones((1, 2))))
        Every registered child of Sequential 'u' was called exactly once. Every trainable parameter got a gradient.
        """
        from .usage import block_usage
        return block_usage(self, *inputs, gradients=gradients)


def __getattr__(name):
    # MXNet keeps HybridBlock in block.py; it lives in hybrid_block.py here (imported lazily: it imports Block)
    if name == "HybridBlock":
        from .hybrid_block import HybridBlock
        return HybridBlock
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
