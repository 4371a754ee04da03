"""Layer 6: detection pieces built on the lower layers (``detection.data``: datasets and transforms;
``detection.loss``: SSD targets and the multibox loss).

Examples
--------
>>> import ssdkit as mx
>>> mx.detection.data.VOCDetection.CLASSES[0]
'aeroplane'
>>> mx.detection.SSDMultiBoxLoss()
SSDMultiBoxLoss(
<BLANKLINE>
)
"""

_SUBMODULES = ("data", "loss")
_LOSS_NAMES = ("SSDMultiBoxLoss", "SSDTargetGenerator", "SmoothL1Loss")

__all__ = list(_SUBMODULES + _LOSS_NAMES)


def __getattr__(name):
    # subpackages load on first use, so importing one detection module does not pull in the others
    import importlib
    if name in _SUBMODULES:
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    if name in _LOSS_NAMES:
        value = getattr(importlib.import_module(".loss", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'ssdkit.detection' has no attribute {name!r}")
