"""``mx.contrib.ndarray`` (``mx.contrib.nd``): the contrib operators on NDArrays, the very functions of
``mx.nd.contrib`` (MXNet registers its ``_contrib_*`` ops in both places).

Examples
--------
>>> import ssdkit as mx
>>> from ssdkit.contrib.ndarray import box_iou
>>> box_iou(mx.nd.array([[0, 0, 2, 2]]), mx.nd.array([[1, 1, 3, 3]])).asnumpy()
array([[0.14285715]], dtype=float32)
"""
from ..ndarray import contrib as _source

__all__ = sorted(n for n in vars(_source) if not n.startswith("_") and callable(getattr(_source, n))
                 and n != "populate")
globals().update({n: getattr(_source, n) for n in __all__})
