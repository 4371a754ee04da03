"""``mx.contrib.symbol`` (``mx.contrib.sym``): the contrib operators on Symbols, the very functions of
``mx.sym.contrib``.

Examples
--------
>>> import ssdkit as mx
>>> from ssdkit.contrib.symbol import MultiBoxPrior
>>> MultiBoxPrior(mx.sym.var("x"), sizes=[0.5], name="anchors").list_outputs()
['anchors_output']
"""
from ..symbol import contrib as _source

__all__ = sorted(n for n in vars(_source) if not n.startswith("_") and callable(getattr(_source, n))
                 and n not in ("populate", "make_function"))
globals().update({n: getattr(_source, n) for n in __all__})
