"""``gluon.ParameterDict``: an ordered name -> Parameter mapping with a name prefix, sharing, bulk
initialize / zero_grad / setattr, and save / load in MXNet's ``.params`` layout.

Examples
--------
>>> import ssdkit as mx
>>> pd = ParameterDict("net_")
>>> w = pd.get("weight", shape=(2, 2)); list(pd.keys())
['net_weight']
>>> pd.initialize(mx.init.Zero()); float(pd["net_weight"].data().asnumpy().sum())
0.0
"""
from collections import OrderedDict

import numpy as np

from .. import initializer
from .. import ndarray as nd
from ..base import MXNetError
from .parameter import Parameter, Constant, ParameterLoadError
from .utils import _indent, _brief_print_list

__all__ = ["ParameterDict"]

_NAMING_HELP = ("For more info on naming, please see "
                "https://mxnet.io/api/python/docs/tutorials/packages/gluon/blocks/naming.html")


def _merge_shape(desired, stored):
    """MXNet's rule for re-requesting a shared parameter: unknown (0) dims take the other side's size."""
    if len(desired) != len(stored):
        return None
    merged = []
    for want, have in zip(desired, stored):
        if want != have and want > 0 and have > 0:
            return None
        merged.append(have if want in (0, -1) else want)
    return tuple(merged)


class ParameterDict:
    """Parameters by full name; ``get(name)`` creates or retrieves ``prefix + name`` (from ``shared`` first).

    Parameters
    ----------
    prefix : str
    shared : ParameterDict, optional
        Where ``get`` looks before creating (parameter sharing between blocks).

    Examples
    --------
    >>> a = ParameterDict("a_"); w = a.get("w", shape=(1,))
    >>> b = ParameterDict("a_", shared=a); b.get("w") is w
    True
    """

    def __init__(self, prefix="", shared=None):
        self._prefix = prefix
        self._params = OrderedDict()
        self._shared = shared

    def __repr__(self):
        name = self._prefix + " " if self._prefix else ""
        content = "\n".join(_indent(f"  {v}", 2) for v in self.values())
        return f"{name}(\n{content}\n)"

    def __getitem__(self, key):
        return self._params[key]

    def __iter__(self):
        return iter(self._params)

    def __len__(self):
        return len(self._params)

    def __contains__(self, key):
        return key in self._params

    def items(self):
        """(name, Parameter) pairs in insertion order."""
        return self._params.items()

    def keys(self):
        """Full parameter names in insertion order."""
        return self._params.keys()

    def values(self):
        """Parameters in insertion order."""
        return self._params.values()

    @property
    def prefix(self):
        """The prefix prepended to names created by :meth:`get`."""
        return self._prefix

    def _get_impl(self, name):
        if name in self._params:
            return self._params[name]
        if self._shared is not None and name in self._shared._params:
            self._params[name] = self._shared._params[name]
            return self._params[name]
        return None

    def get(self, name, **kwargs):
        """Retrieve or create the Parameter ``prefix + name``; ``kwargs`` are Parameter arguments.

        Re-requesting an existing parameter checks the attributes (unknown shape dims are filled in).

        Examples
        --------
        >>> pd = ParameterDict("d_"); p = pd.get("w", shape=(3, 0)); pd.get("w", shape=(3, 4)).shape
        (3, 4)
        """
        name = self.prefix + name
        param = self._get_impl(name)
        if param is None:
            param = Parameter(name, **kwargs)
            self._params[name] = param
            return param
        for key, value in kwargs.items():
            existing = getattr(param, key, None)
            if existing is None:
                setattr(param, key, value)
                continue
            if key == "shape" and value is not None:
                merged = _merge_shape(tuple(value), tuple(existing))
                if merged is not None:
                    param._shape = merged
                    continue
            elif key == "dtype" and np.dtype(value) == np.dtype(existing):
                continue
            if value is not None and value != existing:
                raise MXNetError(f"Cannot retrieve Parameter '{name}' because desired attribute does not match "
                                 f"with stored for attribute '{key}': desired '{value}' vs stored '{existing}'.")
        return param

    def get_constant(self, name, value=None):
        """Retrieve or create the :class:`Constant` ``prefix + name``.

        Examples
        --------
        >>> ParameterDict("k_").get_constant("c", [1, 2]).shape
        (2,)
        """
        name = self.prefix + name
        param = self._get_impl(name)
        if param is None:
            if value is None:
                raise KeyError(f"No constant named '{name}'. Please specify value if you want to create a new "
                               "constant.")
            param = Constant(name, value)
            self._params[name] = param
        elif value is not None:
            if not isinstance(param, Constant):
                raise MXNetError(f"Parameter '{name}' already exists but it is not a constant.")
            value = value.asnumpy() if isinstance(value, nd.NDArray) else np.asarray(value)
            if param.shape != value.shape or not (param.value.asnumpy() == value).all():
                raise MXNetError(f"Constant '{name}' already exists but it's value doesn't match new value")
        return param

    def update(self, other):
        """Copy all Parameters of ``other`` (a dict or ParameterDict) into self."""
        for key, value in other.items():
            if key in self._params and self._params[key] is not value:
                raise MXNetError("Cannot update self with other because they have different Parameters with "
                                 f"the same name '{key}'")
        for key, value in other.items():
            self._params[key] = value

    def initialize(self, init=initializer.Uniform(), ctx=None, verbose=False, force_reinit=False):
        """Initialize every Parameter; ``init`` is the default for those without their own initializer.

        As in MXNet, the default initializer fills every parameter without its own ``init`` through its weight
        rule (whatever the name), which is why layers give biases ``init='zeros'``.

        Examples
        --------
        >>> import ssdkit as mx
        >>> pd = ParameterDict(); _ = pd.get("x_bias", shape=(2,), init="zeros"); _ = pd.get("x_weight", shape=(2,))
        >>> pd.initialize(mx.init.One()); pd["x_bias"].data().asnumpy(), pd["x_weight"].data().asnumpy()
        (array([0., 0.], dtype=float32), array([1., 1.], dtype=float32))
        """
        if verbose:
            init.set_verbosity(verbose=verbose)
        for param in self.values():
            param.initialize(None, ctx, init, force_reinit=force_reinit)

    def zero_grad(self):
        """Set every gradient buffer to 0."""
        for param in self.values():
            param.zero_grad()

    def reset_ctx(self, ctx):
        """Move every Parameter to ``ctx``."""
        for param in self.values():
            param.reset_ctx(ctx)

    def list_ctx(self):
        """All contexts the Parameters live on."""
        contexts = []
        for param in self.values():
            contexts += [c for c in param.list_ctx() if c not in contexts]
        return contexts

    def setattr(self, name, value):
        """Set attribute ``name`` (e.g. ``'grad_req'``, ``'lr_mult'``) on every Parameter.

        Examples
        --------
        >>> pd = ParameterDict(); _ = pd.get("w", shape=(1,)); pd.setattr("lr_mult", 0.5); pd["w"].lr_mult
        0.5
        """
        for param in self.values():
            setattr(param, name, value)

    def save(self, filename, strip_prefix=""):
        """Write the (context-averaged) values to ``filename`` keyed by name minus ``strip_prefix``.

        Examples
        --------
        >>> import ssdkit as mx, tempfile, os
        >>> pd = ParameterDict("n_"); _ = pd.get("w", shape=(2,)); pd.initialize()
        >>> f = os.path.join(tempfile.mkdtemp(), "p.params"); pd.save(f, strip_prefix="n_")
        >>> list(mx.nd.load(f))
        ['w']
        """
        arg_dict = {}
        for param in self.values():
            if not param.name.startswith(strip_prefix):
                raise MXNetError(
                    f"Prefix '{strip_prefix}' is to be striped before saving, but Parameter's name '{param.name}' "
                    f"does not start with '{strip_prefix}'. this may be due to your Block shares parameters from "
                    "other Blocks or you forgot to use 'with name_scope()' when creating child blocks. "
                    + _NAMING_HELP)
            arg_dict[param.name[len(strip_prefix):]] = param._reduce()
        nd.save(filename, arg_dict)

    def load(self, filename, ctx=None, allow_missing=False, ignore_extra=False, restore_prefix="",
             cast_dtype=False, dtype_source="current"):
        """Load values saved by :meth:`save` (or MXNet), prepending ``restore_prefix`` to stored names."""
        if restore_prefix:
            for name in self.keys():
                if not name.startswith(restore_prefix):
                    raise MXNetError(f"restore_prefix is '{restore_prefix}' but Parameters name '{name}' does not "
                                     f"start with '{restore_prefix}'. " + _NAMING_HELP)
        self.load_dict(nd.load(filename), ctx, allow_missing, ignore_extra, restore_prefix, filename,
                       cast_dtype, dtype_source)

    def load_dict(self, param_dict, ctx=None, allow_missing=False, ignore_extra=False, restore_prefix="",
                  filename=None, cast_dtype=False, dtype_source="current"):
        """Load from a dict name -> NDArray (``arg:``/``aux:`` prefixes of exported files are dropped)."""
        lprefix = len(restore_prefix)
        if isinstance(param_dict, dict):
            loaded = [(k[4:] if k.startswith(("arg:", "aux:")) else k, v) for k, v in param_dict.items()]
        else:
            loaded = param_dict
        arg_dict = {restore_prefix + k: v for k, v in loaded}
        source = f"file: {filename}" if filename else "param_dict"
        if not allow_missing:
            for name in self.keys():
                if name not in arg_dict:
                    raise ParameterLoadError(
                        f"Parameter '{name[lprefix:]}' is missing in {source}, which contains parameters: "
                        f"{_brief_print_list(arg_dict.keys())}. Please make sure source and target networks have "
                        "the same prefix." + _NAMING_HELP)
        for name, value in arg_dict.items():
            if name not in self._params:
                if not ignore_extra:
                    raise ParameterLoadError(
                        f"Parameter '{name[lprefix:]}' loaded from {source} is not present in ParameterDict, "
                        f"choices are: {_brief_print_list(self._params.keys())}. Set ignore_extra to True to "
                        "ignore. Please make sure source and target networks have the same prefix." + _NAMING_HELP)
                continue
            self[name]._load_init(value, ctx, cast_dtype=cast_dtype, dtype_source=dtype_source)
