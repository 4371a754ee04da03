"""``mx.mod`` / ``mx.module``: MXNet 1.x's Module API — symbolic models bound to executors, trained with
``fit`` and run with ``predict`` / ``score``.

Examples
--------
>>> import numpy as np, ssdkit as mx
>>> net = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(mx.sym.var('data'), num_hidden=2, name='fc'), name='softmax')
>>> mod = mx.mod.Module(net)
>>> mod.bind([('data', (2, 3))], [('softmax_label', (2,))]); mod.init_params()
>>> sorted(mod.get_params()[0])
['fc_bias', 'fc_weight']
"""
from .base_module import BaseModule
from .module import Module
from .bucketing_module import BucketingModule

__all__ = ["BaseModule", "Module", "BucketingModule"]
