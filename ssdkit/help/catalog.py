"""The catalog the help search ranks: every public name of ssdkit with its summary, docstring and parameters.

The walk starts from the namespaces users type (``mx.nd``, ``mx.sym``, ``mx.gluon.nn``, ``mx.init`` ...),
follows public submodules, and lists classes with the public methods and properties they define. Each object
is listed once, under the first (most familiar) name it was reached by. A module that fails to import is
skipped with a debug log line, so the catalog keeps working while parts of the library are missing.

Examples
--------
>>> entries = build_catalog()
>>> e = next(e for e in entries if e.name == "ssdkit.gluon.Block.collect_params")
>>> e.kind, e.summary.startswith("A ParameterDict")
('method', True)
"""
import importlib
import inspect
import logging
import pkgutil
import re
from collections import defaultdict
from dataclasses import dataclass, field

from .direction import name_io
from .op_summaries import OP_SUMMARIES

__all__ = ["Entry", "ROOTS", "build_catalog", "clean_doc"]

log = logging.getLogger(__name__)

# Namespaces in the order users know them: the first name an object is reached by becomes its listed name.
ROOTS = ("nd", "nd.contrib", "nd.random", "nd.image", "sym", "sym.contrib", "sym.image", "autograd", "gluon", "gluon.nn", "gluon.loss",
         "gluon.data", "gluon.data.vision", "gluon.data.vision.transforms", "gluon.utils", "gluon.model_zoo",
         "gluon.model_zoo.vision", "gluon.contrib.nn", "gluon.intermediate", "gluon.usage", "init", "optimizer",
         "lr_scheduler", "metric", "recordio", "image", "io", "model_zoo", "detection", "detection.data",
         "viz", "profiler", "boxes", "random", "datagen", "name", "test_utils", "context", "base",
         "contrib", "contrib.autograd", "mxnet_alias", "operator", "kv", "executor", "np", "np.random", "np.linalg",
         "npx", "util", "runtime", "docserve")
# Internals that are public to the library's own layers but are not user API.
SKIP_MODULES = ("ssdkit.ops", "ssdkit.help", "ssdkit.testing.")
# Registry-generated functions carry this first line; the curated summary (op_summaries) replaces it.
_GENERATED = re.compile(r"The registered operator ``(\w+)`` on (NDArrays|Symbols)")
_EXAMPLES = re.compile(r"^\s*Examples\s*\n\s*-{3,}\s*$", re.M)
# Words every generated op or numpydoc docstring carries ("adds a graph node", "Parameters"): they would make
# "add", "node" or "parameter" look common and weigh nothing in a query.
_BOILERPLATE = re.compile(r"The registered operator ``\w+`` on (?:NDArrays|Symbols)(?: \(adds a graph node\))?\.|"
                          r"^(?:Inputs|Parameters): (?:\(none\)\.)?|"
                          r"^\s*(?:Parameters|Returns|Yields|Raises|Attributes|Notes|See Also|References|Warns|"
                          r"Other Parameters)\s*\n\s*-{3,}\s*$", re.M)
_MAX_DOC_CHARS = 4000  # index the description and parameters, not pages of notes
FLUENT_CLASSES = ("ssdkit.nd.NDArray", "ssdkit.sym.Symbol", "ssdkit.np.ndarray")
# mx.np / mx.npx functions named as a registry op (np.where, npx.sequence_mask / SequenceMask) are that op for a reader
TWIN_NAMESPACES = ("ssdkit.np.", "ssdkit.npx.")
RANDOM_NAMESPACES = ("ssdkit.nd.random", "ssdkit.np.random")  # their samplers X are the ops random_X  # their methods named as ops call those ops


@dataclass
class Entry:
    """One searchable name.

    Attributes
    ----------
    name : str
        Fully qualified name as users type it (``ssdkit.nd.contrib.MultiBoxPrior``).
    kind : str
        ``module``, ``class``, ``function``, ``method``, ``property`` or ``op`` (registry operator).
    summary : str
        One line.
    doc : str
        Docstring text without examples.
    params : list of str
        Parameter names.
    group : str
        Entries with one group are one API under several names (``nd.concat`` and ``sym.concat``).
    """
    name: str
    kind: str
    summary: str
    doc: str = ""
    params: list = field(default_factory=list)
    group: str = ""


def clean_doc(doc):
    """Docstring text without its Examples section and doctest lines, capped in length.

    Examples
    --------
    >>> clean_doc("Add.\\n\\nExamples\\n--------\\n>>> add(1, 2)\\n3")
    'Add.'
    """
    if not doc:
        return ""
    match = _EXAMPLES.search(doc)
    if match:
        doc = doc[:match.start()]
    lines = [ln for ln in doc.splitlines() if not ln.lstrip().startswith((">>>", "... "))]
    return _BOILERPLATE.sub("", "\n".join(lines)).strip()[:_MAX_DOC_CHARS]


_ROLE = re.compile(r":(?:func|class|meth|mod|attr|obj|data|exc|ref):`~?([^`<]*?)(?:\s*<[^>]*>)?`")


def render_markup(text):
    """Sphinx roles and literals as a reader sees them: ``:func:`~a.b.c``` -> ``c``, ````x```` -> ``x``.

    Examples
    --------
    >>> render_markup("Encode and :func:`pack` it (:class:`~ssdkit.nd.NDArray`, ``x``).")
    'Encode and pack it (NDArray, x).'
    """
    def role(match):
        target = match.group(1).strip()
        return target.rsplit(".", 1)[-1] if match.group(0).split("`", 1)[1].startswith("~") else target
    return _ROLE.sub(role, text).replace("``", "")


def _summary(doc):
    first = doc.strip().split("\n\n", 1)[0] if doc else ""
    return render_markup(" ".join(first.split()))


def _params(obj):
    target = obj.__init__ if inspect.isclass(obj) else obj
    try:
        sig = inspect.signature(target)
    except (TypeError, ValueError):
        return []
    return [p.name for p in sig.parameters.values()
            if p.name not in ("self", "cls") and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


def _op_entry(name, doc, op_name, operand):
    from ..ops import get_op
    try:
        op = get_op(op_name)
    except Exception:  # noqa: BLE001 - an unknown op still gets an entry from its docstring
        op = None
    canonical = op.name if op is not None else op_name
    params = list(op.inputs) + list(op.params) if op is not None else []
    own = inspect.cleandoc(type(op).__dict__.get("__doc__") or "") if op is not None else ""
    curated = OP_SUMMARIES.get(canonical, "")
    summary = _summary(own) or curated or _summary(doc)
    if operand == "Symbols":
        summary = f"{summary} (symbolic)"
    return Entry(name, "op", summary, f"{own}\n{curated}\n{clean_doc(doc)}", params, group=f"op:{canonical}")


def _entry(name, obj, kind):
    doc = inspect.getdoc(obj) or ""
    match = _GENERATED.match(doc)
    if match:
        return _op_entry(name, doc, match.group(1), match.group(2))
    doc = clean_doc(doc)
    params = _params(obj) if kind in ("class", "function", "method") else []
    return Entry(name, kind, _summary(doc), doc, params, group=name)


def _resolve(path):
    import ssdkit
    obj = ssdkit
    for part in path.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            if not inspect.ismodule(obj):
                raise
            obj = importlib.import_module(f"{obj.__name__}.{part}")  # a submodule its package does not import
    return obj


def _public_names(module):
    names = getattr(module, "__all__", None)
    if names is not None:
        return list(names)
    return sorted(n for n in vars(module) if not n.startswith("_"))


def _is_ours(obj):
    return (getattr(obj, "__module__", None) or getattr(obj, "__name__", "")).startswith("ssdkit")


def _belongs(obj, module, name):
    """For a module without ``__all__``: is ``obj`` its own public API (not an imported helper)?"""
    if inspect.ismodule(obj):
        return name.split(".", 1)[1] + "." + obj.__name__.rsplit(".", 1)[-1] in ROOTS  # only listed namespaces
    if _GENERATED.match(getattr(obj, "__doc__", None) or ""):
        return True  # registry-generated nd/sym functions
    home = getattr(obj, "__module__", None) or ""
    package = module.__name__ + "." if hasattr(module, "__path__") else None
    return home == module.__name__ or (package is not None and home.startswith(package))


class _Walker:
    def __init__(self):
        self.entries, self.first = [], {}  # id(object) -> its first entry
        self.failures = []                  # modules that exist but failed to import
        self.members = {}                   # (id(class), attr) -> (class, the member's first entry)

    def add(self, name, obj, kind):
        """Add ``obj`` under ``name``; an object met again becomes an alias entry of the same group."""
        first = self.first.get(id(obj))
        if first is not None:
            if kind != "module" and name != first.name:
                self.entries.append(Entry(name, first.kind, first.summary, first.doc, first.params, first.group))
            return False
        entry = _entry(name, obj, kind)
        self.first[id(obj)] = entry
        self.entries.append(entry)
        return True

    def module(self, name, module):
        if not module.__name__.startswith("ssdkit") or module.__name__.startswith(SKIP_MODULES):
            return
        if not self.add(name, module, "module"):
            return
        declared = getattr(module, "__all__", None) is not None
        for attr in _public_names(module):
            try:
                obj = getattr(module, attr)
            except Exception as exc:  # noqa: BLE001 - a lazy attribute whose module fails to import
                self.skip(f"{name}.{attr}", exc)
                continue
            if declared or _belongs(obj, module, name):
                self.member(f"{name}.{attr}", obj, module)

    def skip(self, name, exc):
        log.debug("help: skipping %s: %s", name, exc)
        absent = isinstance(exc, AttributeError) or (isinstance(exc, ModuleNotFoundError)
                                                     and (exc.name or "").startswith("ssdkit"))
        if not absent:
            self.failures.append(f"{name}: {type(exc).__name__}: {exc}")

    def member(self, name, obj, module):
        if inspect.ismodule(obj):
            # follow submodules of this package only (not re-exported helpers such as numpy)
            if obj.__name__.startswith(module.__name__ + ".") or name.count(".") == 1:
                self.module(name, obj)
        elif inspect.isclass(obj):
            if _is_ours(obj) and self.add(name, obj, "class"):
                self.members_of(name, obj)
        elif callable(obj) and _is_ours(obj):
            self.add(name, obj, "function")

    def members_of(self, name, cls):
        for attr, value in vars(cls).items():
            if attr.startswith("_"):
                continue
            if isinstance(value, (staticmethod, classmethod)):
                value = value.__func__
            if isinstance(value, property):
                kind = "property"
            elif inspect.isfunction(value):
                kind = "method"
                # an undocumented override adds nothing to the documented base method
                if not value.__doc__ and any(attr in vars(base) for base in cls.__mro__[1:]):
                    continue
            else:
                continue
            if self.add(f"{name}.{attr}", value, kind):
                self.members[id(cls), attr] = (cls, self.entries[-1])


def _extra_top_modules():
    import ssdkit
    for info in pkgutil.iter_modules(ssdkit.__path__):
        if not info.name.startswith("_"):
            yield info.name


def build_catalog(failures=None):
    """Walk ssdkit's public API into a list of :class:`Entry` (modules that fail to import are skipped).

    Parameters
    ----------
    failures : list, optional
        Receives one line per module that exists but failed to import (absent modules are not failures).

    Returns
    -------
    list of Entry
    """
    walker = _Walker()
    import ssdkit
    for attr in ("Context", "cpu", "gpu", "MXNetError", "current_context", "num_gpus"):
        obj = getattr(ssdkit, attr, None)
        if obj is not None:
            walker.member(f"ssdkit.{attr}", obj, ssdkit)
    roots = list(ROOTS) + [m for m in _extra_top_modules() if m not in ROOTS]
    for path in roots:
        try:
            obj = _resolve(path)
        except Exception as exc:  # noqa: BLE001 - a module still landing must not break help
            walker.skip(f"ssdkit.{path}", exc)
            continue
        if inspect.ismodule(obj):
            walker.module(f"ssdkit.{path}", obj)
    if failures is not None:
        failures.extend(walker.failures)
    _merge_overrides(walker.members)
    return _merge_twins(_merge_fluent_methods(walker.entries))


def _merge_overrides(members):
    """An override is the base method under another name (``Sequential.hybridize`` is ``Block.hybridize``)."""
    for (_, attr), (cls, entry) in members.items():
        for base in reversed(cls.__mro__[1:]):  # the topmost definition names the group
            found = members.get((id(base), attr))
            if found is not None:
                entry.group = found[1].group
                break


def _merge_fluent_methods(entries):
    """``x.sum()`` and ``nd.sum(x)`` are one API: array and symbol methods named as an op join its group."""
    ops = {e.name.rsplit(".", 1)[-1]: e.group for e in entries if e.kind == "op" and e.name.count(".") == 2}
    for e in entries:
        owner, _, attr = e.name.rpartition(".")
        if e.kind == "method" and owner in FLUENT_CLASSES and attr in ops:
            e.group = ops[attr]
    return entries



def _op_key(name):
    return name.lower().replace("_", "")


def _merge_twins(entries):
    """``np.where`` / ``nd.where``, ``npx.sequence_mask`` / ``nd.SequenceMask`` and ``nd.random.normal`` /
    ``nd.random_normal`` are one API under several spellings: their groups become one.

    A function directly in ``mx.np`` or ``mx.npx`` joins the group of the registry op of its name (exactly, or
    ignoring case and underscores when that names one op only); a sampler ``X`` of ``nd.random`` or ``np.random``
    joins the op ``random_X``; a function of ``mx.sym`` joins its ``mx.nd`` namesake unless it reads or writes
    files (``sym.load`` reads a graph, ``nd.load`` arrays). Every other name of the function
    (``mx.random.normal``) moves with it.
    """
    exact, loose = {}, defaultdict(set)
    for e in entries:
        if e.kind == "op" and e.name.count(".") == 2:
            exact.setdefault(e.name.rsplit(".", 1)[-1], e.group)
            loose[_op_key(e.name.rsplit(".", 1)[-1])].add(e.group)
    moved = {}
    functions = {e.name: e for e in entries if e.kind == "function"}
    for e in entries:
        if e.kind != "function" or e.group in moved:
            continue
        prefix, _, attr = e.name.rpartition(".")
        group = None
        if prefix + "." in TWIN_NAMESPACES:
            groups = loose.get(_op_key(attr), ())
            group = exact.get(attr) or (next(iter(groups)) if len(groups) == 1 else None)
        elif prefix in RANDOM_NAMESPACES:
            group = exact.get(f"random_{attr}")
        elif prefix == "ssdkit.sym" and f"ssdkit.nd.{attr}" in functions and name_io(e.name) is None:
            group = functions[f"ssdkit.nd.{attr}"].group  # sym.zeros builds what nd.zeros makes (not so sym.load)
        if group is not None:
            moved[e.group] = group
    for e in entries:
        e.group = moved.get(e.group, e.group)
    return entries
