"""``mx.npx.image``: the registry's ``_image_*`` ops (MXNet's ``_npx__image_*``) on ``mx.np.ndarray`` —
to_tensor, normalize, resize, crop, flips, random colour ops, lighting — same ops as ``mx.nd.image``.

Examples
--------
>>> from ssdkit import np, npx
>>> npx.image.to_tensor(np.ones((4, 2, 3), dtype="uint8")).shape
(3, 4, 2)
"""
from ..ops import list_ops
from . import _npx_function

_PREFIX = "_image_"
__all__ = sorted(name[len(_PREFIX):] for name in list_ops() if name.startswith(_PREFIX))

for _name in __all__:
    globals()[_name] = _npx_function(_name, _PREFIX + _name)
