"""ssdkit: the MXNet Gluon programming model and the SSD detection stack in pure Python.

Use it as ``import ssdkit as mx``; tutorials written for MXNet 1.x Gluon run unchanged.

Examples
--------
>>> import ssdkit as mx
>>> print(mx.nd.ones((2, 2)).sum().asscalar())
4.0
"""
__version__ = "0.1.0"

from . import base
from .base import MXNetError

base.keep_freed_memory()
from . import context
from .context import Context, cpu, gpu, cpu_pinned, current_context, num_gpus
from . import profiler
from . import ops, autograd
from . import ndarray
from . import ndarray as nd
from . import random

_LAZY = {"sym": "symbol", "symbol": "symbol", "gluon": "gluon", "init": "initializer",
         "initializer": "initializer", "optimizer": "optimizer", "lr_scheduler": "lr_scheduler",
         "metric": "metric", "recordio": "recordio", "image": "image", "img": "image", "io": "io", "viz": "viz",
         "model_zoo": "model_zoo", "detection": "detection", "boxes": "boxes", "distributed": "distributed",
         "kv": "kvstore", "kvstore": "kvstore", "name": "symbol.naming", "test_utils": "testing", "testing": "testing", "executor": "symbol.bind",
         "contrib": "contrib", "operator": "operator",
         "np": "numpy", "numpy": "numpy", "npx": "numpy_extension", "numpy_extension": "numpy_extension",
         "util": "util", "mod": "module", "module": "module", "model": "model", "callback": "callback",
         "attribute": "attribute", "monitor": "monitor", "mon": "monitor", "rnn": "rnn"}
#: Functions and classes MXNet exports at the top level, loaded on first use: name -> (module, attribute).
_LAZY_NAMES = {"AttrScope": ("attribute", "AttrScope"), "np_shape": ("util", "np_shape"),
               "is_np_shape": ("util", "is_np_shape"), "set_np_shape": ("util", "set_np_shape"),
               "use_np_shape": ("util", "use_np_shape"), "is_np_array": ("util", "is_np_array"),
               "np_array": ("util", "np_array"), "use_np_array": ("util", "use_np_array"), "use_np": ("util", "use_np")}


def __getattr__(name):
    # Higher layers load on first use so `import ssdkit` stays fast and lower layers never import upward.
    if name in _LAZY:
        import importlib
        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        if name in ("kv", "kvstore"):   # mx.kv.create('dist_sync'): the MPI store types come with distributed
            importlib.import_module(".distributed", __name__)
        globals()[name] = module
        return module
    if name in _LAZY_NAMES:
        import importlib
        module, attr = _LAZY_NAMES[name]
        value = getattr(importlib.import_module(f".{module}", __name__), attr)
        globals()[name] = value
        return value
    if name == "alias_mxnet":  # opt-in: `import mxnet` resolves to ssdkit from then on (ssdkit/mxnet_alias.py)
        from .mxnet_alias import alias_mxnet
        return alias_mxnet
    if name == "help":
        from .help import help as _help
        return _help
    raise AttributeError(f"module 'ssdkit' has no attribute {name!r}")
