"""``mx.gluon.contrib``: the contributed Gluon layers Gluon-era code uses — ``contrib.nn`` (Concurrent,
HybridConcurrent, Identity, SyncBatchNorm, PixelShuffle1D/2D/3D), ``contrib.rnn`` (LSTMPCell,
VariationalDropoutCell), ``contrib.cnn`` (DeformableConvolution, ModulatedDeformableConvolution), ``contrib.data`` (IntervalSampler) and
``contrib.estimator`` (Estimator and its event handlers).

Examples
--------
>>> import ssdkit as mx
>>> net = mx.gluon.contrib.nn.HybridConcurrent(axis=1)
>>> net.add(mx.gluon.nn.Dense(2), mx.gluon.contrib.nn.Identity())
>>> net.initialize(); net(mx.nd.ones((1, 3))).shape
(1, 5)
"""
from . import nn
from . import rnn
from . import estimator
from . import cnn
from . import data

__all__ = ["nn", "rnn", "estimator", "cnn", "data"]
