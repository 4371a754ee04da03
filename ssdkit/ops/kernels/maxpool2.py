"""MaxPool2D(2) of one image -- max, 2x2 windows, stride 2, no padding -- in one compiled pass (numba, :mod:`.jit`;
the loop is :func:`.norm_pool_jit.max_pool_planes`, which batches use too).

The numpy path (:func:`.pool.pool2d_forward_planes`) makes four passes, one per kernel tap, each over a
stride-2 view; this loop reads every input value once and writes every output once, taps in row-major
order and MXNet's rule (start from the lowest finite value, a later tap wins only when greater: a NaN
never wins, the first of equal maxima is kept). Used by :func:`.pool.pool2d_forward` for float32 batches
of one image (inference latency) when the compiled path is available: quiet box, ToySSD's six 2x2 poolings
at batch 1 take 1.9 ms on the numpy path, 0.2 ms this way.

Examples
--------
>>> import numpy as np
>>> x = np.arange(16, dtype=np.float32).reshape(1, 4, 4)
>>> out = np.empty((1, 2, 2), np.float32)
>>> max_pool2_planes(x, out)
>>> out[0]
array([[ 5.,  7.],
       [13., 15.]], dtype=float32)
"""
import numpy as np

from .norm_pool_jit import max_pool_planes
from .parallel import WORKERS, parallel_for

__all__ = ["max_pool2_planes", "max_pool2_applies", "MAXPOOL2"]

#: Use the compiled pass where it applies (tests switch it off to compare the paths).
MAXPOOL2 = True
#: Input elements per core before the work is split over the cores: waking a helper thread costs more than
#: the pass over ToySSD's largest map saves (quiet box: 16x256x256 0.08 ms on one core, 0.16-0.22 on two).
PARALLEL_MIN_ELEMS = 1 << 21


def max_pool2_applies(geometry, x):
    """Whether :func:`max_pool2_planes` computes the pooling ``geometry`` (a :class:`.pool.PoolSaved`) of
    ``x``: max, 2x2, stride 2, no padding, every window inside the image, float32, one image, and the
    compiled path is available.

    Examples
    --------
    >>> from ssdkit.ops.kernels.pool import pool2d_geometry
    >>> x = np.zeros((2, 3, 4, 4), np.float32)
    >>> max_pool2_applies(pool2d_geometry(x.shape, x.dtype, 2, 2), x)       # two images
    False
    """
    (oh, ow), (h, w) = geometry.out_hw, x.shape[2:]
    return (MAXPOOL2 and x.shape[0] == 1 and x.dtype == np.float32 and geometry.pool_type == "max"
            and geometry.kernel == geometry.stride == (2, 2) and geometry.pad == (0, 0)
            and 2 * oh <= h and 2 * ow <= w and max_pool_planes.compiled() is not None)


def max_pool2_planes(planes, out):
    """Max-pool float32 ``planes (P, H, W)`` by 2x2 windows of stride 2 into ``out (P, OH, OW)``
    (``2*OH <= H``, ``2*OW <= W``; extra last rows/columns are not read), on every core for large inputs.

    Examples
    --------
    >>> out = np.empty((1, 1, 1), np.float32)
    >>> max_pool2_planes(np.array([[[1, np.nan, 3], [2, 0, 9]]], np.float32), out); out.ravel()
    array([2.], dtype=float32)
    """
    pool = max_pool_planes.compiled() or max_pool_planes.function    # the loop of .norm_pool_jit, 2x2 windows
    count = planes.shape[0]
    parts = min(WORKERS, count) if planes.size >= PARALLEL_MIN_ELEMS * WORKERS else 1
    if parts <= 1:
        pool(planes, out, 2, 2)
        return
    bounds = [count * i // parts for i in range(parts + 1)]
    parallel_for([(bounds[i], bounds[i + 1]) for i in range(parts)],
                 lambda _, unit: pool(planes[unit[0]:unit[1]], out[unit[0]:unit[1]], 2, 2))
