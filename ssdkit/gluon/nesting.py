"""Nested block inputs/outputs: flatten (NDArray | Symbol | None | nested lists) to a flat list plus a format,
regroup a flat list by that format, and find which array types and contexts appear (MXNet's helpers).

Formats: ``0`` one array, ``-1`` None, ``k > 0`` a multi-output symbol of ``k`` outputs, a list for a sequence.

Examples
--------
>>> import ssdkit as mx
>>> a, b = mx.nd.zeros((1,)), mx.nd.ones((2,))
>>> flat, fmt = flatten([a, [b, None]], "input"); fmt
[0, [0, -1]]
>>> [x.shape if x is not None else None for x in regroup(flat, fmt)[1]]
[(2,), None]
"""
import sys

from ..base import MXNetError
from ..ndarray import NDArray

__all__ = ["flatten", "regroup", "is_symbol", "gather_type_ctx_info"]


def is_symbol(value):
    """Whether ``value`` is an ``ssdkit.symbol.Symbol`` (without importing the symbol layer).

    Examples
    --------
    >>> is_symbol(3)
    False
    """
    module = sys.modules.get("ssdkit.symbol")
    cls = getattr(module, "Symbol", None)
    return cls is not None and isinstance(value, cls)


def gather_type_ctx_info(args):
    """``(has_symbol, has_ndarray, contexts, first_context)`` over a nested structure.

    Examples
    --------
    >>> import ssdkit as mx
    >>> gather_type_ctx_info([mx.nd.zeros((1,)), None])[:2]
    (False, True)
    """
    if isinstance(args, NDArray):
        return False, True, {args.context}, args.context
    if is_symbol(args):
        return True, False, set(), None
    if isinstance(args, (list, tuple)):
        has_sym = has_nd = False
        contexts, first = set(), None
        for item in args:
            s, n, c, f = gather_type_ctx_info(item)
            has_sym, has_nd = has_sym or s, has_nd or n
            first = first if first is not None else f
            contexts |= c
            if has_sym and has_nd:
                break
        return has_sym, has_nd, contexts, first
    return False, False, set(), None


def flatten(args, what):
    """Flatten nested inputs/outputs; returns ``(flat_list, format)``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> flatten(mx.nd.zeros((1,)), "input")[1]
    0
    """
    if isinstance(args, NDArray):
        return [args], 0
    if is_symbol(args):
        count = len(args.list_outputs())
        return [args], count if count > 1 else 0
    if args is None:
        return [None], -1
    if not isinstance(args, (list, tuple)):
        raise MXNetError(f"When hybridized, the {what} of HybridBlock must be (nested) list of Symbol or NDArray, "
                         f"but got {args} of type {type(args)}")
    flat, fmts = [], []
    for item in args:
        items, fmt = flatten(item, what)
        flat.extend(items)
        fmts.append(fmt)
    return flat, fmts


def regroup(args, fmt):
    """Rebuild the nested structure described by ``fmt`` from the flat list ``args``.

    Examples
    --------
    >>> regroup([1, 2, 3], [0, [0, 0]])
    [1, [2, 3]]
    """
    def merge(items, fmt):
        if isinstance(fmt, int):
            if fmt < -1:
                raise MXNetError(f"Unsupported encoded format {fmt}.")
            if fmt == 0:
                return items[0], items[1:]
            if fmt == -1:
                if items[0] is not None:
                    raise MXNetError("We do not support passing types that are not None when the initial "
                                     "HybridBlock has received NoneType and has been hybridized. "
                                     f"Received arg = {items[0]}, fmt = {fmt}.")
                return None, items[1:]
            return items[:fmt], items[fmt:]
        if not isinstance(items, (list, tuple)):
            raise MXNetError("When hybridized, the output of HybridBlock must be (nested) list of Symbol or "
                             f"NDArray, but got {items} of type {type(items)}")
        out = []
        for sub in fmt:
            value, items = merge(items, sub)
            out.append(value)
        return out, items
    return merge(args, fmt)[0]
