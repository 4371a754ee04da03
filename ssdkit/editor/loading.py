"""What ``ssdkit-editor MODEL`` opens: a ``-symbol.json`` (with its ``.params`` when found), an export prefix, an
``ssdkit-train`` checkpoint, a zoo name (``ssdkit.model_zoo`` or ``gluon.model_zoo.vision``), or nothing.

A network given as a Block (zoo, checkpoint) is initialised, run once on zeros of the input shape and read back
through ``HybridBlock.export``'s graph, so the editor sees exactly what an export would write.

Examples
--------
>>> doc, params = load_model("toyssd", shape=(1, 3, 64, 64))
>>> doc["nodes"][0]["name"], doc["nodes"][0]["shape"], len(doc["outputs"])
('data', [1, 3, 64, 64], 3)
"""
import glob
import json
import os
import tempfile

from ..base import MXNetError
from .document import from_symbol_json

__all__ = ["load_model", "find_params", "block_model", "block_groups", "zoo_names", "blank_document"]


def blank_document():
    """An empty canvas.

    Examples
    --------
    >>> blank_document()["outputs"]
    []
    """
    return {"nodes": [], "edges": [], "outputs": [], "groups": {}}


def zoo_names():
    """Names a MODEL argument may take from the model zoos.

    Examples
    --------
    >>> "toyssd" in zoo_names() and "resnet18_v1" in zoo_names()
    True
    """
    from ..model_zoo import get_model_list
    from ..gluon.model_zoo.vision import get_model_list as vision_list
    return list(get_model_list()) + list(vision_list())


def find_params(symbol_file):
    """The ``.params`` beside ``<prefix>-symbol.json`` (the highest epoch), or None.

    Examples
    --------
    >>> find_params("/nonexistent/net-symbol.json") is None
    True
    """
    prefix = symbol_file[:-len("-symbol.json")] if symbol_file.endswith("-symbol.json") else None
    if prefix is None:
        return None
    found = sorted(glob.glob(glob.escape(prefix) + "-[0-9][0-9][0-9][0-9].params"))
    return found[-1] if found else (prefix + ".params" if os.path.isfile(prefix + ".params") else None)


def _read_params(path):
    from ..ndarray import load
    arrays = load(path)
    if not isinstance(arrays, dict):
        raise MXNetError(f"{path}: holds a list of arrays, not named parameters")
    return {k[4:] if k.startswith(("arg:", "aux:")) else k: v for k, v in arrays.items()}


def block_model(net, shape, initialized=False):
    """``(document, {name: NDArray})`` of a Gluon HybridBlock run once on zeros of ``shape``.

    Examples
    --------
    >>> from ssdkit.gluon import nn
    >>> net = nn.HybridSequential(prefix="s_")
    >>> with net.name_scope():
    ...     net.add(nn.Dense(3))
    >>> doc, params = block_model(net, (1, 5))
    >>> sorted(params), doc["nodes"][1]["params"]
    (['s_dense0_bias', 's_dense0_weight'], {'weight': 's_dense0_weight', 'bias': 's_dense0_bias'})
    """
    from .. import nd
    if not initialized:
        net.initialize()
    net.hybridize()
    net(nd.zeros(tuple(shape)))
    with tempfile.TemporaryDirectory() as tmp:
        sym_file, param_file = net.export(os.path.join(tmp, "net"))
        with open(sym_file, "r", encoding="utf-8") as fh:
            doc = from_symbol_json(json.load(fh))
        params = _read_params(param_file)
    for node in doc["nodes"]:
        if node["op"] == "null" and node["name"] == "data":
            node["shape"] = list(shape)
    block_groups(net, doc)
    return doc, params


def _subtree_prefixes(block):
    out = {block.prefix}
    for child in block._children.values():
        out |= _subtree_prefixes(child)
    return out


def block_groups(net, doc):
    """Draw a Block's structure: each child block that holds layers of its own (a stage, a body, a head) becomes
    a group named after it, holding the nodes its layers made; a child sharing its parent's prefix (a plain
    ``features`` container) is looked through. Groups that would not export as one piece are left out.

    Examples
    --------
    >>> from ssdkit.gluon import nn
    >>> net = nn.HybridSequential(prefix="n_")
    >>> with net.name_scope():
    ...     body = nn.HybridSequential(prefix="body_")
    ...     with body.name_scope():
    ...         body.add(nn.Dense(4), nn.Activation("relu"))
    ...     net.add(body, nn.Dense(2))
    >>> doc, _ = block_model(net, (1, 3))
    >>> [(n["name"], n.get("group")) for n in doc["nodes"] if n["op"] != "null"]
    [('n_body_dense0_fwd', 'body'), ('n_body_relu0_fwd', 'body'), ('n_dense0_fwd', None)]
    """
    from .codegen import check_groups
    from ..gluon import nn
    found = []

    def walk(block, seen):
        for attr, child in block._children.items():
            layer = type(child).__module__.startswith(nn.__name__) and not isinstance(child, nn.Sequential) \
                and not isinstance(child, nn.HybridSequential)
            if not child._children or layer:   # a layer (Dense with its activation) is one thing, not a block
                continue
            if child.prefix in seen:
                walk(child, seen)
                continue
            name = attr if not attr.isdigit() else child.prefix[len(block.prefix):].strip("_") or f"block{attr}"
            found.append((name, sorted(_subtree_prefixes(child) - seen, key=len, reverse=True)))
    walk(net, {net.prefix, ""})
    taken = set()
    for name, prefixes in found:
        while name in taken:
            name += "_"
        members = [n for n in doc["nodes"] if n["op"] != "null" and not n.get("group")
                   and any(n["name"].startswith(p) for p in prefixes)]
        if len(members) < 2:
            continue
        for node in members:
            node["group"] = name
        doc.setdefault("groups", {})[name] = {"collapsed": False}
        if not check_groups(doc):
            for node in members:
                del node["group"]
            del doc["groups"][name]
        else:
            taken.add(name)
    return doc


def _confined(folder):
    """A check that a file lies inside ``folder`` (None: no confinement)."""
    def check(path):
        if folder is None:
            return path
        from ..localserve import inside
        if inside(folder, os.path.relpath(os.path.realpath(path), os.path.realpath(folder))) is None:
            raise MXNetError(f"refused: {path} lies outside the editor's folder {folder}")
        return path
    return check


def load_model(source, shape=None, folder=None):
    """``(document, params or None)`` of a MODEL argument (see the module doc); None gives a blank canvas.

    ``shape`` is the input shape used for Blocks (default: the checkpoint's input size, else 1x3x224x224;
    toyssd and the ssd presets 1x3x256x256). With ``folder``, every file read (the model and the weights or
    checkpoint record found beside it) must lie inside that folder, symbolic links resolved.
    """
    if source is None:
        return blank_document(), None
    check = _confined(folder)
    if folder is not None:
        for beside in (os.path.splitext(source)[0] + ".json", source, source + "-symbol.json"):
            if os.path.exists(beside):
                check(beside)
    from ..viz.cli import checkpoint_network
    trained = checkpoint_network(source) if os.path.exists(os.path.splitext(source)[0] + ".json") else None
    if trained is not None:
        net, side = trained
        net.initialize()
        params_file = os.path.splitext(source)[0] + ".params"
        shape = tuple(shape or (1, 3, side, side))
        if os.path.isfile(check(params_file) if os.path.exists(params_file) else params_file):
            from .. import nd
            net(nd.zeros(shape))
            net.load_parameters(params_file)
        return block_model(net, shape, initialized=True)
    if not os.path.exists(source) and os.path.isfile(source + "-symbol.json"):
        source = source + "-symbol.json"
    if source.endswith(".params") and not os.path.isfile(source[:-7] + ".json"):
        stem = source[:-7]
        stem = stem[:-5] if len(stem) > 5 and stem[-5] == "-" and stem[-4:].isdigit() else stem
        if os.path.isfile(stem + "-symbol.json"):
            doc, _ = load_model(stem + "-symbol.json", folder=folder)
            return doc, _read_params(check(source))
    if os.path.isfile(source):
        try:
            with open(source, "r", encoding="utf-8") as fh:
                conf = json.load(fh)
        except ValueError as err:
            raise MXNetError(f"{source}: not valid JSON ({err})") from None
        if isinstance(conf, dict) and "format" in conf and "edges" in conf:   # an editor document
            return conf, None
        doc = from_symbol_json(conf)
        found = find_params(source)
        return doc, (_read_params(check(found)) if found else None)
    if folder is not None:
        raise MXNetError(f"not found in {folder}: {source}")
    names = {n.lower(): n for n in zoo_names()}
    if source.lower() in names:
        name = names[source.lower()]
        from ..model_zoo import get_model_list, get_model
        if name in get_model_list():
            net = get_model(name)
            default = (1, 3, 256, 256)
        else:
            from ..gluon.model_zoo.vision import get_model as vision_model
            net = vision_model(name)
            default = (1, 3, 224, 224)
        return block_model(net, tuple(shape or default))
    raise MXNetError(f"ssdkit-editor: {source!r} is no file, export prefix or zoo name "
                     f"(zoo names: {', '.join(sorted(names.values())[:8])}, ...)")
