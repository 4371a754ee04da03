"""``mx.sym.image``: the registry's ``_image_*`` ops as symbol functions.

Examples
--------
>>> import ssdkit as mx
>>> mx.sym.image.to_tensor(mx.sym.var("x")).infer_shape(x=(4, 2, 3))[1]
[(3, 4, 2)]
"""
from ..ndarray.register import populate
from .register import make_function

populate({"image": globals()}, factory=make_function)
