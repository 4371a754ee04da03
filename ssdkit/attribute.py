"""Layer 4: ``mx.AttrScope`` — attributes given to every symbol created inside a ``with`` block — and the
rules MXNet applies to attribute keys.

A few keys are "hidden" (``ctx_group``, ``lr_mult``, ``wd_mult``, ``force_mirroring``, ``mirror_stage``,
``profiler_scope``): MXNet stores them as ``__key__``, lists them under both spellings and refuses keys that
merely end with one (``my_lr_mult``).

Examples
--------
>>> import ssdkit as mx
>>> with mx.AttrScope(ctx_group='dev1'):
...     x = mx.sym.var('x')
>>> x.attr('ctx_group'), x.attr('__ctx_group__')
('dev1', 'dev1')
"""
import threading
import warnings
from collections import defaultdict

from .base import MXNetError

__all__ = ["AttrScope", "HIDDEN_KEYS", "stored_key", "listed", "unique_subgraph_name"]

#: Attribute keys MXNet stores as ``__key__`` and lists under both spellings.
HIDDEN_KEYS = ("ctx_group", "lr_mult", "wd_mult", "force_mirroring", "mirror_stage", "profiler_scope")


def stored_key(key):
    """The key an attribute is stored under: ``lr_mult`` -> ``__lr_mult__``; others unchanged.

    Raises MXNetError for a key that only ends with a hidden key (``w_lr_mult``), as MXNet does.

    Examples
    --------
    >>> stored_key('lr_mult'), stored_key('__mood__'), stored_key('mood')
    ('__lr_mult__', '__mood__', 'mood')
    """
    for hidden in HIDDEN_KEYS:
        if key == hidden:
            return f"__{key}__"
        if key.endswith(hidden) and not key.startswith("__"):
            raise MXNetError(f"setting variable attributes with {key} is deprecated. please instead use\n"
                             f"w = Variable({hidden}=value)\nsym = YourSymbolName({key[:-len(hidden) - 1]}=w)")
    return key


def listed(attrs):
    """Attributes as ``list_attr`` shows them: hidden keys under ``__key__`` and their plain name.

    Examples
    --------
    >>> listed({'__lr_mult__': '2', '__mood__': 'ok'})
    {'__lr_mult__': '2', 'lr_mult': '2', '__mood__': 'ok'}
    """
    out = {}
    for key, value in attrs.items():
        out[key] = value
        if key.startswith("__") and key.endswith("__") and key[2:-2] in HIDDEN_KEYS:
            out[key[2:-2]] = value
    return out


class AttrScope:
    """Attributes (string to string) that every symbol created inside ``with AttrScope(...)`` receives;
    attributes given to the symbol itself win, inner scopes extend outer ones.

    Examples
    --------
    >>> import ssdkit as mx
    >>> with AttrScope(__group__='4'):
    ...     with AttrScope(__init_bias__='0.0'):
    ...         fc = mx.sym.FullyConnected(mx.sym.var('d'), num_hidden=2, name='fc')
    >>> fc.attr('__group__'), fc.attr('__init_bias__')
    ('4', '0.0')
    """
    _current = threading.local()

    def __init__(self, **kwargs):
        self._old_scope = None
        for value in kwargs.values():
            if not isinstance(value, str):
                raise ValueError("Attributes need to be string")
        self._attr = kwargs

    def get(self, attr):
        """The scope's attributes updated with ``attr`` (the ones given at symbol creation), as a new dict.

        Examples
        --------
        >>> AttrScope(a='1', b='2').get({'b': '3'})
        {'a': '1', 'b': '3'}
        """
        out = dict(self._attr)
        out.update(attr or {})
        return out

    def __enter__(self):
        self._old_scope = AttrScope.active()
        attr = dict(self._old_scope._attr)
        attr.update(self._attr)
        self._attr = attr
        AttrScope._current.value = self
        return self

    def __exit__(self, *exc):
        AttrScope._current.value = self._old_scope

    @staticmethod
    def active():
        """The innermost scope of this thread (an empty one outside any ``with``).

        Examples
        --------
        >>> AttrScope.active().get(None)
        {}
        """
        if not hasattr(AttrScope._current, "value"):
            AttrScope._current.value = AttrScope()
        return AttrScope._current.value


class _CurrentProperty:
    """``AttrScope.current``: MXNet's deprecated class property for the active scope (warns on use)."""

    def __get__(self, obj, cls):
        warnings.warn("AttrScope.current has been deprecated. It is advised to use the `with` statement with "
                      "AttrScope.", DeprecationWarning, stacklevel=2)
        return AttrScope.active()


AttrScope.current = _CurrentProperty()


#: How many control-flow subgraphs of each name were made (MXNet's ``AttrScope._subgraph_names``).
AttrScope._subgraph_names = defaultdict(int)


def unique_subgraph_name(name):
    """``name`` (under the enclosing subgraph's name) with a count making it unique, as MXNet names
    control-flow subgraphs (``foreach0``, ``cond_then1``, ``outer0$inner0``).

    Examples
    --------
    >>> AttrScope._subgraph_names.clear(); unique_subgraph_name("c_pred"), unique_subgraph_name("c_pred")
    ('c_pred0', 'c_pred1')
    """
    outer = AttrScope.active()._attr.get("__subgraph_name__", "")
    if outer:
        name = f"{outer}${name}"
    AttrScope._subgraph_names[name] += 1
    return f"{name}{AttrScope._subgraph_names[name] - 1}"
