"""Layer 4: MXNet's name manager — automatic names ``hint + counter`` and ``Prefix`` scopes.

Gluon blocks use the same manager: a block created outside any parent scope takes its prefix from the
current manager's counter (``dense0_``), and a HybridBlock traced with symbols runs under
``Prefix(block.prefix)`` so its ops are named ``hybridsequential0_conv0_fwd``.

Examples
--------
>>> with NameManager():
...     print(current().get(None, "conv"), current().get(None, "conv"), current().get("data", "var"))
conv0 conv1 data
>>> with Prefix("net0_"):
...     current().get(None, "flatten")
'net0_flatten0'
"""
import threading

__all__ = ["NameManager", "Prefix", "current"]


class _Current(threading.local):
    def __init__(self):
        self.stack = []


_CURRENT = _Current()


class NameManager:
    """Gives ``hint0, hint1, ...`` to unnamed symbols and blocks; a ``with`` block makes it current.

    Examples
    --------
    >>> NameManager().get(None, "dense")
    'dense0'
    """

    def __init__(self):
        self._counter = {}

    def get(self, name, hint):
        """``name`` itself when given, else ``hint`` followed by this manager's next count for it."""
        if name:
            return name
        count = self._counter.get(hint, 0)
        self._counter[hint] = count + 1
        return f"{hint}{count}"

    def __enter__(self):
        _CURRENT.stack.append(self)
        return self

    def __exit__(self, *exc):
        _CURRENT.stack.pop()


class Prefix(NameManager):
    """A name manager that prepends ``prefix`` to every name, given or automatic.

    Examples
    --------
    >>> Prefix("mynet_").get("fwd", "convolution")
    'mynet_fwd'
    """

    def __init__(self, prefix):
        super().__init__()
        self._prefix = prefix

    def get(self, name, hint):
        """The prefixed name (given or automatic)."""
        return self._prefix + super().get(name, hint)


_DEFAULT = NameManager()


def current():
    """The innermost active name manager (a process-wide default outside any ``with``).

    Examples
    --------
    >>> isinstance(current(), NameManager)
    True
    """
    return _CURRENT.stack[-1] if _CURRENT.stack else _DEFAULT
