"""Layer 6: detection pieces built on the lower layers (``detection.data``: datasets and transforms).

Examples
--------
>>> import ssdkit as mx
>>> mx.detection.data.VOCDetection.CLASSES[0]
'aeroplane'
"""


def __getattr__(name):
    # subpackages load on first use, so importing one detection module does not pull in the others
    if name == "data":
        import importlib
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'ssdkit.detection' has no attribute {name!r}")
