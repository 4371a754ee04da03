"""Layer-1 numeric kernels of the convolution family: pure functions on NCHW numpy arrays.

Convolution, Deconvolution and Pooling exactly as MXNet 1.9.1 computes them on the CPU, each as a
``*_forward(...) -> (y, saved)`` / ``*_backward(saved, dy, ...)`` pair, plus the output-shape rules that
shape inference uses. The operator registry wraps these; nothing here knows about NDArray or autograd.

Arrays are float32 (float64 works for gradient checks); results keep the input dtype. ``saved`` holds
the inputs by reference (never a patch matrix), so callers must not modify those in place before the
backward. Work is spread over all cores by :mod:`.parallel` (Python threads, each with a one-thread BLAS).

Examples
--------
>>> import numpy as np
>>> from ssdkit.ops import kernels
>>> x = np.ones((1, 2, 4, 4), np.float32)
>>> y, saved = kernels.conv2d_forward(x, np.ones((3, 2, 3, 3), np.float32), None, pad=1)
>>> p, _ = kernels.pool2d_forward(y, kernel=2, stride=2)
>>> y.shape, p.shape, kernels.pool2d_out_shape(y.shape, 2, 2)
((1, 3, 4, 4), (1, 3, 2, 2), (1, 3, 2, 2))
"""
from .conv import conv2d_backward, conv2d_forward
from .deconv import conv2d_transpose_backward, conv2d_transpose_forward
from .geometry import (conv2d_out_shape, conv2d_transpose_out_shape, conv2d_transpose_weight_shape,
                       conv2d_weight_shape, deconv2d_infer_pad, pool2d_out_shape)
from .pool import pool2d_backward, pool2d_forward
from .pool_nd import pool_nd_backward, pool_nd_forward

__all__ = ["conv2d_forward", "conv2d_backward", "conv2d_transpose_forward", "conv2d_transpose_backward",
           "pool2d_forward", "pool2d_backward", "conv2d_out_shape", "conv2d_weight_shape",
           "conv2d_transpose_out_shape", "conv2d_transpose_weight_shape", "deconv2d_infer_pad",
           "pool2d_out_shape", "pool_nd_forward", "pool_nd_backward"]
