"""Opt-in: make ``import mxnet`` (and every ``mxnet.x.y``) resolve to ssdkit, for code you cannot edit.

Nothing here runs unless you ask: call :func:`alias_mxnet` before the code under test imports mxnet, or start a
script with ``python -m ssdkit.run script.py [args]``. The alias refuses to install when a real ``mxnet`` is
importable, so it never hides an MXNet installation.

Under the alias ``mxnet`` is a thin module over ``ssdkit``: every attribute is ssdkit's, except that
``mxnet.__version__`` reports the MXNet API level ssdkit implements (:data:`MXNET_API_VERSION`, which version
checks such as GluonCV's ``mxnet>=1.4.0,<2.0.0`` read) and ``mxnet.ssdkit_version`` tells ssdkit's own version.
Submodules are ssdkit's very module objects (``mxnet.gluon is ssdkit.gluon``), so classes are never duplicated;
the renames ssdkit declares in its ``_LAZY`` table apply (``mxnet.test_utils`` is ``ssdkit.testing``).

Examples
--------
>>> import sys, ssdkit
>>> had_mxnet = "mxnet" in sys.modules
>>> mxnet = alias_mxnet()
>>> import mxnet.gluon.nn
>>> mxnet.gluon.nn is ssdkit.gluon.nn, mxnet.__version__, mxnet.ssdkit_version == ssdkit.__version__
(True, '1.9.1', True)
>>> from mxnet.test_utils import assert_almost_equal
>>> assert_almost_equal is ssdkit.testing.assert_almost_equal
True
>>> if not had_mxnet: remove_alias()
"""
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types

__all__ = ["alias_mxnet", "remove_alias", "is_aliased", "MXNET_API_VERSION", "MXNetAliasError"]

#: The MXNet release whose Python API ssdkit implements; what ``mxnet.__version__`` reports under the alias.
MXNET_API_VERSION = "1.9.1"
_PREFIX = "mxnet."


class MXNetAliasError(ImportError):
    """The alias cannot be installed: a real mxnet is importable or already imported.

    Examples
    --------
    >>> issubclass(MXNetAliasError, ImportError)
    True
    """


class _MXNetFacade(types.ModuleType):
    """The module ``mxnet`` under the alias: reads and writes go to ssdkit, the version is MXNet's API level."""

    def __getattr__(self, name):
        import ssdkit
        return getattr(ssdkit, name)

    def __setattr__(self, name, value):
        # ``mxnet.foo = x`` (monkey-patching) must reach the code that reads ``ssdkit.foo``
        if name.startswith("__") or name == "ssdkit_version":
            super().__setattr__(name, value)
        else:
            import ssdkit
            setattr(ssdkit, name, value)

    def __dir__(self):
        import ssdkit
        return sorted(set(dir(ssdkit)) | {"__version__", "ssdkit_version"})


def _target(fullname):
    """``mxnet.test_utils.x`` -> ``ssdkit.testing.x`` through ssdkit's declared renames."""
    import ssdkit
    head, _, tail = fullname[len(_PREFIX):].partition(".")
    head = ssdkit._LAZY.get(head, head)
    return "ssdkit." + head + ("." + tail if tail else "")


class _SameModuleLoader(importlib.abc.Loader):
    """Hands the import system ssdkit's already-loaded module instead of a fresh copy."""

    def __init__(self, module):
        self.module = module
        self.spec = module.__spec__

    def create_module(self, spec):
        return self.module

    def exec_module(self, module):
        module.__spec__ = self.spec  # the import system stamped the alias spec on it: keep ssdkit's own


class _AliasFinder(importlib.abc.MetaPathFinder):
    """Finds ``mxnet.<x>`` as ssdkit's ``ssdkit.<x>``; a name ssdkit lacks fails as a missing module."""

    def find_spec(self, fullname, path=None, target=None):
        if not fullname.startswith(_PREFIX):
            return None
        wanted = _target(fullname)
        try:
            module = importlib.import_module(wanted)
        except ModuleNotFoundError as err:
            if err.name and (wanted == err.name or wanted.startswith(err.name + ".")):
                raise ModuleNotFoundError(f"No module named {fullname!r}: ssdkit (aliased as mxnet) has no "
                                          f"{err.name!r}", name=fullname) from None
            raise
        return importlib.util.spec_from_loader(fullname, _SameModuleLoader(module))


def is_aliased():
    """True when ``mxnet`` currently resolves to ssdkit through this alias.

    Examples
    --------
    >>> isinstance(is_aliased(), bool)
    True
    """
    return isinstance(sys.modules.get("mxnet"), _MXNetFacade)


def _real_mxnet_location():
    """Where a real mxnet would be imported from, or None (looking past this alias)."""
    spec = importlib.machinery.PathFinder.find_spec("mxnet")
    if spec is None:
        return None
    return spec.origin or ", ".join(spec.submodule_search_locations or []) or "an unknown location"


def alias_mxnet():
    """Make ``import mxnet`` resolve to ssdkit from now on in this process; returns the ``mxnet`` module.

    Safe to call twice. Raises :class:`MXNetAliasError` when a real mxnet is already imported or importable
    (uninstall it, or run that code on MXNet itself).

    Examples
    --------
    >>> import sys
    >>> had = "mxnet" in sys.modules
    >>> mx = alias_mxnet()
    >>> mx.nd.ones((2,)).shape, sys.modules["mxnet"] is mx
    ((2,), True)
    >>> if not had: remove_alias()
    """
    import ssdkit
    current = sys.modules.get("mxnet")
    if isinstance(current, _MXNetFacade):
        return current
    if current is not None:
        raise MXNetAliasError(f"cannot alias mxnet to ssdkit: a module 'mxnet' is already imported from "
                              f"{getattr(current, '__file__', None) or current!r}")
    location = _real_mxnet_location()
    if location is not None:
        raise MXNetAliasError(f"cannot alias mxnet to ssdkit: a real mxnet is importable from {location}; "
                              f"uninstall it (pip uninstall mxnet) or run this code on MXNet itself")
    facade = _MXNetFacade("mxnet", "ssdkit aliased as mxnet (ssdkit.alias_mxnet)")
    facade.__version__ = MXNET_API_VERSION
    facade.ssdkit_version = ssdkit.__version__
    facade.__path__ = []  # a package, so `import mxnet.x` asks the finders (ours answers first)
    facade.__file__ = ssdkit.__file__
    if not any(isinstance(f, _AliasFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _AliasFinder())
    sys.modules["mxnet"] = facade
    return facade


def remove_alias():
    """Undo :func:`alias_mxnet`: forget ``mxnet`` and its aliased submodules, remove the finder.

    Examples
    --------
    >>> remove_alias() if is_aliased() else None
    """
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _AliasFinder)]
    if is_aliased():
        for name in [n for n in sys.modules if n == "mxnet" or n.startswith(_PREFIX)]:
            del sys.modules[name]
