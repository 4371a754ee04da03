"""Turn whatever the user passes (JSON, a file, a Symbol, a Block) into a :class:`GraphModel` with shapes.

The symbol layer is imported lazily and only when it is really needed (a Block to trace, or shape
inference requested for plain JSON), so viewing an exported ``-symbol.json`` needs nothing else.

Examples
--------
>>> m = load_model('{"nodes": [{"op": "null", "name": "x", "inputs": []}], "heads": [[0, 0, 0]]}',
...                shapes={"x": (1, 2)})
>>> m.out_shape(0)
(1, 2)
"""
import json

from ..base import MXNetError
from .model import GraphModel, load_conf

__all__ = ["load_model", "infer_entry_shapes"]


def infer_entry_shapes(symbol, shape, caller="viz"):
    """``{entry name: shape}`` of every internal output of ``symbol`` given input shapes.

    Parameters
    ----------
    symbol : Symbol-like
        Needs ``get_internals()`` returning an object with ``infer_shape(**shape)`` and ``list_outputs()``.
    shape : dict
        ``{input name: shape tuple}``.
    caller : str
        Named in error messages.

    Returns
    -------
    dict

    Examples
    --------
    >>> class Internals:
    ...     def infer_shape(self, **kw): return [], [kw["x"], (1, 4)], []
    ...     def list_outputs(self): return ["x", "fc_output"]
    >>> class Sym:
    ...     def get_internals(self): return Internals()
    >>> infer_entry_shapes(Sym(), {"x": (1, 2)})
    {'x': (1, 2), 'fc_output': (1, 4)}
    """
    if not isinstance(shape, dict):
        raise MXNetError(f"{caller}: shape must be a dict {{input name: shape tuple}}, got {type(shape).__name__}")
    internals = symbol.get_internals()
    names = internals.list_outputs()
    _, out_shapes, _ = internals.infer_shape(**shape)
    if out_shapes is None and hasattr(internals, "infer_shape_partial"):
        # Some symbol layers leave the variables among the internals unresolved; take their shapes
        # from the whole symbol's argument and auxiliary shapes instead.
        _, out_shapes, _ = internals.infer_shape_partial(**shape)
        args, _, aux = symbol.infer_shape(**shape)
        known = dict(zip(symbol.list_arguments(), args or []))
        known.update(zip(symbol.list_auxiliary_states(), aux or []))
        out_shapes = [s if s else known.get(n) for n, s in zip(names, out_shapes)]
    if out_shapes is None or any(not s for s in out_shapes):
        raise MXNetError(f"{caller}: input shape is incomplete: {shape} does not determine every output")
    return {name: tuple(s) for name, s in zip(names, out_shapes)}


def _symbol_from_block(block, caller):
    from .. import symbol as sym_mod  # L4, only for tracing a Block
    out = block(sym_mod.var("data"))
    if isinstance(out, (list, tuple)):
        out = sym_mod.Group(list(out))
    if not hasattr(out, "tojson"):
        raise MXNetError(f"{caller}: calling the block on sym.var('data') gave {type(out).__name__}, not a Symbol")
    return out


def _symbol_from_json(text, caller):
    try:
        from .. import symbol as sym_mod
    except ImportError as err:
        raise MXNetError(f"{caller}: shape= on plain JSON needs ssdkit.symbol for shape inference, which "
                         f"failed to import ({err}); pass shapes={{entry name: shape}} instead") from err
    loader = getattr(sym_mod, "load_json", None) or getattr(sym_mod, "fromjson", None)
    if loader is None:
        raise MXNetError(f"{caller}: shape= on plain JSON needs ssdkit.symbol.load_json; "
                         "pass shapes={entry name: shape} instead")
    return loader(text)


def load_model(source, shape=None, shapes=None, hide_weights=True, caller="viz"):
    """Read ``source`` into a :class:`GraphModel`.

    Parameters
    ----------
    source : dict or str or os.PathLike or Symbol or Block
        MXNet symbol JSON (dict, text, or path to ``*-symbol.json``), an object with ``tojson()``,
        or a Block (traced on ``sym.var('data')``).
    shape : dict, optional
        Input shapes; shapes of all entries are then inferred through the symbol layer.
    shapes : dict, optional
        Entry shapes given directly (``{entry name: shape}``, names as ``get_internals().list_outputs()``).
    hide_weights : bool
        Hide weight-like variables.
    caller : str
        Named in error messages.

    Returns
    -------
    GraphModel

    Examples
    --------
    >>> load_model({"nodes": [{"op": "null", "name": "w_weight", "inputs": []}], "heads": []}).hidden
    [True]
    """
    symbol = None
    if not isinstance(source, (dict, str, bytes)) and not hasattr(source, "__fspath__"):
        if hasattr(source, "tojson"):
            symbol = source
        elif callable(source) and hasattr(source, "collect_params"):
            symbol = _symbol_from_block(source, caller)
        else:
            raise MXNetError(f"{caller}: expected MXNet symbol JSON, a path, a Symbol or a Block, "
                             f"got {type(source).__name__}")
    conf = load_conf(symbol.tojson() if symbol is not None else source)
    if shape is not None and shapes is None:
        if symbol is None:
            GraphModel.from_json(conf)  # report a malformed file before trying the symbol layer
            symbol = _symbol_from_json(json.dumps(conf), caller)
        shapes = infer_entry_shapes(symbol, shape, caller)
    return GraphModel.from_json(conf, shapes=shapes, hide_weights=hide_weights)
