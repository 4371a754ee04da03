"""2-D pooling (MXNet ``Pooling``: max / avg / sum, 'valid' / 'full', global) forward and backward.

Semantics follow MXNet 1.9.1's CPU kernels (src/operator/nn/pool.h):

* max: the maximum over the window's positions inside the image, starting from the lowest finite value
  (a NaN never wins; an all-padding window gives ``finfo.min``); the gradient goes to the FIRST position
  in row-major window order whose value equals the output.
* avg: the window sum divided by ``pool_size``. With ``count_include_pad`` that is the window clipped to
  the padded image (``H + pad``) -- so a 'full'-convention window hanging past the padding counts only
  what lies inside it; without, the window clipped to the image itself.
* sum: the window sum.

Windows are strided views of the (padded) input, one per kernel tap: a Python loop runs over the KH*KW
taps, never over pixels. The N*C planes are processed in cache-sized chunks, spread over all cores (numpy
releases the GIL in its loops). Large non-overlapping kernels (global pooling) reduce a window view. With numba,
max pooling whose windows tile the image (kernel = stride, no padding) runs compiled loops instead
(:mod:`.norm_pool_jit`: the same numbers, one read of each array).

Examples
--------
>>> import numpy as np
>>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
>>> y, saved = pool2d_forward(x, kernel=2, stride=2)
>>> y[0, 0]
array([[ 5.,  7.],
       [13., 15.]], dtype=float32)
>>> pool2d_backward(saved, np.ones_like(y))[0, 0, :2]
array([[0., 0., 0., 0.],
       [0., 1., 0., 1.]], dtype=float32)
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ...base import MXNetError, ShapeError, as_tuple, check_ndim
from .geometry import POOL_TYPES, pool2d_out_shape
from .parallel import parallel_for
from .arena import empty
from .maxpool2 import max_pool2_applies, max_pool2_planes
from .scratch import scratch
from . import norm_pool_jit as compiled

__all__ = ["pool2d_forward", "pool2d_backward", "pool2d_geometry", "pool2d_forward_planes", "pool2d_backward_planes",
           "max_pool_index_planes", "route_by_index_planes", "PoolSaved", "TAP_LOOP_MAX", "CHUNK_PLANE_ELEMS"]

#: Kernels with more taps than this, whose windows do not overlap (global pooling), are reduced as one
#: window view instead of a loop over taps.
TAP_LOOP_MAX = 64
#: Input elements per chunk of planes: 256 Ki float32 = 1 MiB, so a chunk's several passes (one per tap)
#: re-read cache rather than memory.
CHUNK_PLANE_ELEMS = 1 << 18


class PoolSaved:
    """What :func:`pool2d_backward` needs: geometry, pooling type, and for max pooling input and output
    (``x``, ``y``: ``None`` until :func:`pool2d_forward` sets them).

    Examples
    --------
    >>> pool2d_forward(np.zeros((1, 1, 2, 2), np.float32), kernel=2, pool_type="sum")[1].pool_type
    'sum'
    """

    __slots__ = ("x", "y", "shape", "out_hw", "kernel", "stride", "pad", "pool_type", "divisor",
                 "padded_hw")

    def __init__(self, shape, out_hw, kernel, stride, pad, pool_type, divisor, padded_hw):
        self.x, self.y, self.shape, self.out_hw = None, None, tuple(shape), out_hw
        self.kernel, self.stride, self.pad = kernel, stride, pad
        self.pool_type, self.divisor, self.padded_hw = pool_type, divisor, padded_hw

    def tiles_exactly(self):
        """True when the windows cover the (unpadded) input exactly once: 2x2 stride 2 on even sizes."""
        (kh, kw), (sh, sw), (ph, pw) = self.kernel, self.stride, self.pad
        return ((kh, kw) == (sh, sw) and (ph, pw) == (0, 0)
                and self.padded_hw == (self.out_hw[0] * kh, self.out_hw[1] * kw) == self.shape[2:])


def _divisor(size, out, k, s, p, count_include_pad):
    """MXNet's per-output-index ``pool_size`` factor along one axis (a vector over output positions)."""
    start = np.arange(out) * s - p
    end = np.minimum(start + k, size + p)
    if not count_include_pad:
        start, end = np.maximum(start, 0), np.minimum(end, size)
    return end - start


def _canvas(planes, pad, padded_hw, fill):
    """``planes (P, H, W)`` at offset ``pad`` in a ``padded_hw`` canvas of ``fill`` (or planes itself)."""
    (ph, pw), (hp, wp) = pad, padded_hw
    p, h, w = planes.shape
    if (ph, pw) == (0, 0) and (hp, wp) == (h, w):
        return planes
    canvas = np.full((p, hp, wp), fill, planes.dtype)
    canvas[:, ph:ph + h, pw:pw + w] = planes
    return canvas


def _tap_views(arr, kernel, stride, out_hw):
    """Yield, per kernel tap in row-major order, the ``(..., OH, OW)`` strided view of ``arr`` it reads."""
    (kh_n, kw_n), (sh, sw), (oh, ow) = kernel, stride, out_hw
    for kh in range(kh_n):
        for kw in range(kw_n):
            yield arr[..., kh:kh + (oh - 1) * sh + 1:sh, kw:kw + (ow - 1) * sw + 1:sw]


def _windows(arr, kernel, stride, out_hw):
    """The ``(P, OH, OW, KH, KW)`` window view of ``arr (P, H, W)``."""
    view = sliding_window_view(arr, kernel, axis=(1, 2), writeable=arr.flags.writeable)
    return view[:, ::stride[0], ::stride[1]][:, :out_hw[0], :out_hw[1]]


def _disjoint(kernel, stride, out_hw):
    """Whether no two windows share an input position: along each axis the stride covers the kernel, or
    there is a single window (global pooling, whose stride is 1)."""
    return all(o == 1 or s >= k for k, s, o in zip(kernel, stride, out_hw))


def _use_windows(kernel, stride, out_hw):
    return kernel[0] * kernel[1] > TAP_LOOP_MAX and _disjoint(kernel, stride, out_hw)


def _chunks(planes, plane_elems):
    """Plane ranges ``(p0, p1)`` of about CHUNK_PLANE_ELEMS input elements: the parallel work units."""
    step = max(1, CHUNK_PLANE_ELEMS // max(1, plane_elems))
    return [(p0, min(planes, p0 + step)) for p0 in range(0, planes, step)]


def pool2d_forward(x, kernel=(1, 1), stride=(1, 1), pad=(0, 0), pool_type="max",
                   pooling_convention="valid", count_include_pad=True, global_pool=False):
    """MXNet ``Pooling`` forward on NCHW data.

    Parameters
    ----------
    x : ndarray (N, C, H, W)
    kernel, stride, pad : int or tuple of 2 int
        Ignored with ``global_pool`` (which uses the whole map, stride 1, no padding).
    pool_type : {'max', 'avg', 'sum'}
    pooling_convention : {'valid', 'full'}
        'full' rounds the output size up; its last windows may hang past the padding.
    count_include_pad : bool
        avg only: divide by the window size including padding (MXNet's default) or only real pixels.
    global_pool : bool

    Returns
    -------
    y : ndarray (N, C, OH, OW)
    saved : PoolSaved
        Pass to :func:`pool2d_backward`; it references ``x`` and ``y`` (do not modify them in place).

    Examples
    --------
    >>> x = np.arange(9, dtype=np.float32).reshape(1, 1, 3, 3)
    >>> pool2d_forward(x, 3, 2, 1, "avg", "full", count_include_pad=False)[0][0, 0]
    array([[2., 3.],
           [5., 6.]], dtype=float32)
    >>> pool2d_forward(x, global_pool=True, pool_type="sum")[0].ravel()
    array([36.], dtype=float32)
    """
    saved = pool2d_geometry(x.shape, x.dtype, kernel, stride, pad, pool_type, pooling_convention,
                            count_include_pad, global_pool)
    n, c, h, w = x.shape
    planes = np.ascontiguousarray(x).reshape(n * c, h, w)
    y = empty((n * c,) + saved.out_hw, x.dtype)
    fast = compiled.max_pool_planes.compiled() if _compiled_max(saved) else None
    if max_pool2_applies(saved, x):         # one image, MaxPool2D(2): one compiled pass (inference latency)
        max_pool2_planes(planes, y)
    elif fast is not None:                  # a batch: the compiled loops on every core
        (kh, kw) = saved.kernel
        parallel_for(_chunks(n * c, h * w), lambda _, rng: fast(planes[slice(*rng)], y[slice(*rng)], kh, kw))
    else:
        parallel_for(_chunks(n * c, h * w), lambda _, rng: pool2d_forward_planes(saved, planes[slice(*rng)],
                                                                                 y[slice(*rng)]))
    y = y.reshape((n, c) + saved.out_hw)
    if pool_type == "max":      # avg/sum backward needs only the geometry: x is not kept alive
        saved.x, saved.y = x, y
    return y, saved


def pool2d_geometry(shape, dtype, kernel=(1, 1), stride=(1, 1), pad=(0, 0), pool_type="max",
                    pooling_convention="valid", count_include_pad=True, global_pool=False):
    """The checked geometry of a pooling of NCHW data of ``shape``, as a :class:`PoolSaved` without arrays.

    Parameters are those of :func:`pool2d_forward`; ``dtype`` is the data's (for the avg divisor). With
    :func:`pool2d_forward_planes` and :func:`pool2d_backward_planes` a caller pools runs of planes itself,
    e.g. while they are still in cache from the step that produced them.

    Examples
    --------
    >>> g = pool2d_geometry((1, 2, 5, 5), np.float32, kernel=2, stride=2)
    >>> g.out_hw, g.tiles_exactly()
    ((2, 2), False)
    """
    check_ndim("Pooling", "data", shape, 4)
    if pool_type not in POOL_TYPES:
        raise MXNetError(f"Pooling: pool_type must be one of {POOL_TYPES}, got {pool_type!r}")
    n, c, h, w = shape
    if global_pool:
        kernel, stride, pad = (h, w), (1, 1), (0, 0)
    kernel, stride = as_tuple(kernel, 2, "kernel"), as_tuple(stride, 2, "stride")
    pad = as_tuple(pad, 2, "pad")
    _, _, oh, ow = pool2d_out_shape(shape, kernel, stride, pad, pooling_convention)
    # the canvas must hold every window: 'full' windows may reach past the bottom/right padding
    padded_hw = tuple(max(size + 2 * p, (o - 1) * s + k)
                      for size, p, o, s, k in zip((h, w), pad, (oh, ow), stride, kernel))
    divisor = None
    if pool_type == "avg":
        divisor = np.outer(_divisor(h, oh, kernel[0], stride[0], pad[0], count_include_pad),
                           _divisor(w, ow, kernel[1], stride[1], pad[1], count_include_pad)).astype(dtype)
    return PoolSaved(shape, (oh, ow), kernel, stride, pad, pool_type, divisor, padded_hw)


def pool2d_forward_planes(geometry, planes, out):
    """Pool a run of planes ``(P, H, W)`` into ``out (P, OH, OW)`` with a :func:`pool2d_geometry`.

    Examples
    --------
    >>> g = pool2d_geometry((1, 1, 2, 4), np.float32, kernel=2, stride=2)
    >>> out = np.empty((1, 1, 2), np.float32)
    >>> pool2d_forward_planes(g, np.arange(8, dtype=np.float32).reshape(1, 2, 4), out); out
    array([[[5., 7.]]], dtype=float32)
    """
    lowest = np.finfo(planes.dtype).min
    kernel, stride, out_hw = geometry.kernel, geometry.stride, geometry.out_hw
    src = _canvas(planes, geometry.pad, geometry.padded_hw, lowest if geometry.pool_type == "max" else 0)
    if _use_windows(kernel, stride, out_hw):
        win = _windows(src, kernel, stride, out_hw)
        if geometry.pool_type == "max":
            np.fmax.reduce(win, axis=(3, 4), initial=lowest, out=out)
        else:
            win.sum(axis=(3, 4), dtype=out.dtype, out=out)
    else:
        taps = _tap_views(src, kernel, stride, out_hw)
        if geometry.pool_type == "max":
            # fmax from the lowest finite value: NaN never wins, exactly like MXNet's `>` scan
            np.fmax(next(taps), lowest, out=out)
        else:
            np.copyto(out, next(taps))
        combine = np.fmax if geometry.pool_type == "max" else np.add
        for view in taps:
            combine(out, view, out=out)
    if geometry.divisor is not None:
        with np.errstate(divide="ignore", invalid="ignore"):    # MXNet divides empty windows too
            out /= geometry.divisor


def max_pool_index_planes(geometry, planes, out, index):
    """Max-pool a run of planes ``(P, H, W)`` into ``out (P, OH, OW)`` and note which tap won in ``index``.

    ``out`` is exactly :func:`pool2d_forward_planes`'s (same taps, same order). ``index (P, OH, OW)`` (uint8)
    is the first kernel tap in row-major window order holding the maximum -- the position Pooling's backward
    routes the gradient to -- for every window whose maximum is a value above ``finfo.min``; a window of
    NaNs and ``finfo.min`` only gets 0 (the fused BatchNorm-ReLU-pool masks those windows: their maximum is
    not positive). Only for unpadded geometries with at most 255 taps. Keeping ``index`` instead of the
    planes lets a backward route the gradient without reading the planes again
    (:func:`route_by_index_planes`).

    Examples
    --------
    >>> g = pool2d_geometry((1, 1, 2, 4), np.float32, kernel=2, stride=2)
    >>> out, index = np.empty((1, 1, 2), np.float32), np.empty((1, 1, 2), np.uint8)
    >>> max_pool_index_planes(g, np.array([[[1., 7., 3., 3.], [7., 0., 3., 2.]]], np.float32), out, index)
    >>> out, index                          # ties: the first tap in row-major order wins
    (array([[[7., 3.]]], dtype=float32), array([[[1, 0]]], dtype=uint8))
    """
    if geometry.pad != (0, 0) or geometry.kernel[0] * geometry.kernel[1] > 255:
        raise MXNetError(f"max_pool_index_planes: needs an unpadded kernel of at most 255 taps, got kernel "
                         f"{geometry.kernel} and pad {geometry.pad}")
    lowest = np.finfo(planes.dtype).min
    (kh, kw), (oh, ow) = geometry.kernel, geometry.out_hw
    if geometry.kernel == geometry.stride:
        # disjoint windows: one copy sorts the planes tap-major, so the 4 * (KH*KW - 1) passes below run
        # on contiguous taps (several times faster than on stride-2 views)
        by_tap = scratch("pool_by_tap", (len(planes), kh, kw, oh, ow), planes.dtype)
        covered = planes[:, :oh * kh, :ow * kw].reshape(len(planes), oh, kh, ow, kw)
        np.copyto(by_tap, covered.transpose(0, 2, 4, 1, 3))
        taps = iter(by_tap.reshape(len(planes), kh * kw, oh, ow).transpose(1, 0, 2, 3))
    else:
        taps = _tap_views(planes, geometry.kernel, geometry.stride, geometry.out_hw)
    np.fmax(next(taps), lowest, out=out)
    index[...] = 0
    wins = scratch("pool_wins", out.shape, np.dtype(bool))
    tap = scratch("pool_tap", out.shape, np.dtype(np.uint8))
    for k, view in enumerate(taps, 1):
        # strictly greater: a later tap equal to the running maximum never takes over (the first one wins),
        # and a NaN never does; taps count up, so the latest winner is the largest tap number so far
        np.greater(view, out, out=wins)
        np.multiply(wins, np.uint8(k), out=tap)
        np.maximum(index, tap, out=index)
        np.fmax(out, view, out=out)


def route_by_index_planes(geometry, grads, index, dx):
    """Write ``grads (P, OH, OW)`` to the taps named by ``index`` (:func:`max_pool_index_planes`) in
    ``dx (P, H, W)``; every other position of ``dx`` becomes 0.

    Examples
    --------
    >>> g = pool2d_geometry((1, 1, 2, 3), np.float32, kernel=2, stride=2)
    >>> dx = np.full((1, 2, 3), np.nan, np.float32)
    >>> route_by_index_planes(g, np.array([[[5.]]], np.float32), np.array([[[2]]], np.uint8), dx); dx
    array([[[0., 0., 0.],
            [5., 0., 0.]]], dtype=float32)
    """
    if not geometry.tiles_exactly():
        dx[...] = 0                  # positions no window covers, and overlapping windows, start at 0
    chosen = np.empty(index.shape, bool)
    disjoint = _disjoint(geometry.kernel, geometry.stride, geometry.out_hw)
    for k, view in enumerate(_tap_views(dx, geometry.kernel, geometry.stride, geometry.out_hw)):
        np.equal(index, k, out=chosen)
        if disjoint:
            np.multiply(grads, chosen, out=view)
        else:
            view += grads * chosen


def _compiled_max(geometry):
    """Whether the compiled max-pool loops (:mod:`.norm_pool_jit`) serve this geometry: max pooling with
    windows that tile the image from its corner (kernel = stride, no padding, none hanging past the edge)."""
    return (geometry.pool_type == "max" and geometry.kernel == geometry.stride and geometry.pad == (0, 0)
            and geometry.padded_hw == tuple(geometry.shape[2:]))


def pool2d_backward(saved, dy):
    """MXNet ``Pooling`` backward: the gradient w.r.t. the input.

    Parameters
    ----------
    saved : PoolSaved
        From :func:`pool2d_forward`.
    dy : ndarray (N, C, OH, OW)

    Returns
    -------
    dx : ndarray (N, C, H, W)

    Examples
    --------
    >>> x = np.array([[[[1., 3.], [3., 0.]]]], np.float32)     # a tie: the first 3 takes it all
    >>> y, saved = pool2d_forward(x, kernel=2)
    >>> pool2d_backward(saved, np.full_like(y, 5.))[0, 0]
    array([[0., 5.],
           [0., 0.]], dtype=float32)
    """
    n, c, h, w = saved.shape
    if dy.shape != (n, c) + saved.out_hw:
        raise ShapeError(f"Pooling backward: output gradient expected shape {(n, c) + saved.out_hw}, "
                         f"got {dy.shape}")
    dx = empty((n * c, h, w), dy.dtype)
    grads = np.ascontiguousarray(dy).reshape((n * c,) + saved.out_hw)
    planes = None if saved.x is None else np.ascontiguousarray(saved.x).reshape(n * c, h, w)
    outs = None if saved.y is None else np.ascontiguousarray(saved.y).reshape(grads.shape)

    fast = compiled.max_pool_grad_planes.compiled() if _compiled_max(saved) else None

    def run(_, rng):
        part = slice(*rng)
        if fast is not None:
            fast(planes[part], outs[part], grads[part], dx[part], *saved.kernel)
            return
        pool2d_backward_planes(saved, grads[part], dx[part],
                               None if planes is None else planes[part], None if outs is None else outs[part])

    parallel_for(_chunks(n * c, h * w), run)
    return dx.reshape(n, c, h, w)


def pool2d_backward_planes(geometry, dy, dx, planes, out):
    """Write the input gradient of a run of planes into ``dx (P, H, W)`` from ``dy (P, OH, OW)``.

    ``planes`` and ``out`` are the run's pooled input and output (max pooling only; else ``None``).

    Examples
    --------
    >>> g = pool2d_geometry((1, 1, 2, 2), np.float32, kernel=2, stride=2)
    >>> x = np.array([[[1., 3.], [3., 0.]]], np.float32)
    >>> dx = np.empty_like(x)
    >>> pool2d_backward_planes(g, np.full((1, 1, 1), 5, np.float32), dx, x, np.full((1, 1, 1), 3, np.float32))
    >>> dx
    array([[[0., 5.],
            [0., 0.]]], dtype=float32)
    """
    kernel, stride, (ph, pw) = geometry.kernel, geometry.stride, geometry.pad
    (hp, wp), out_hw, h, w = geometry.padded_hw, geometry.out_hw, dx.shape[1], dx.shape[2]
    # the 2x2/2 case writes every input position once: no zeroing, no padded canvas
    exact = geometry.tiles_exactly()
    grad = dx if exact else np.zeros((dx.shape[0], hp, wp), dx.dtype)
    disjoint = _disjoint(kernel, stride, out_hw)
    if geometry.pool_type == "max":
        src = _canvas(planes, geometry.pad, geometry.padded_hw, np.finfo(planes.dtype).min)
        _max_backward(src, out, dy, grad, kernel, stride, out_hw, disjoint)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            share = dy / geometry.divisor if geometry.pool_type == "avg" else dy
        if _use_windows(kernel, stride, out_hw):
            # disjoint windows: every canvas position belongs to at most one window
            _windows(grad, kernel, stride, out_hw)[...] = share[..., None, None]
        else:
            for view in _tap_views(grad, kernel, stride, out_hw):
                if disjoint:
                    np.copyto(view, share)
                else:
                    view += share
    if not exact:
        dx[...] = grad[:, ph:ph + h, pw:pw + w]


def _max_backward(src, out, dy, grad, kernel, stride, out_hw, disjoint):
    """Route each output gradient to the first window position equal to the output (MXNet's rule)."""
    if _use_windows(kernel, stride, out_hw):
        win = _windows(src, kernel, stride, out_hw)
        flat = (win == out[..., None, None]).reshape(win.shape[:3] + (-1,))
        first = flat.argmax(axis=3)                  # first True in row-major window order
        found = np.take_along_axis(flat, first[..., None], axis=3)[..., 0]
        onehot = (np.arange(flat.shape[3]) == first[..., None]) & found[..., None]
        _windows(grad, kernel, stride, out_hw)[...] = (onehot * dy[..., None]).reshape(win.shape)
        return
    hit = np.empty(out.shape, bool)
    first = np.empty(out.shape, bool)
    found = np.zeros(out.shape, bool)              # windows whose gradient is already routed
    for view, target in zip(_tap_views(src, kernel, stride, out_hw),
                            _tap_views(grad, kernel, stride, out_hw)):
        np.equal(view, out, out=hit)
        np.greater(hit, found, out=first)          # hit and not found: bool ops are cheap passes
        np.logical_or(found, hit, out=found)
        if disjoint:
            np.multiply(dy, first, out=target)
        else:
            target += dy * first
