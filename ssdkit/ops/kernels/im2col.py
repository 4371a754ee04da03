"""Cache-blocked patch matrices (im2col / col2im) and the GEMM drivers of every 2-D convolution.

A convolution ``src (N, Cs, H, W) -> dst (N, Cd, OH, OW)`` is cut into *blocks*: a band of output rows of
one image when images are large, several whole images when they are small. A block's patch matrix
``cols (Cs/groups * KH * KW, block columns)`` is built in a reused buffer of about :data:`CHUNK_ELEMS`
floats that stays in cache, so the GEMM reading it reads cache, not memory, and the batch's full patch
matrix (1.2 GB for a 16-channel 256x256 batch of 32) never exists.

Two gatherings, chosen per geometry:

* **grid** (stride 1, pad >= 0, wide rows): the block's input rows are copied once into a zero-bordered
  band ``(Cg, rows + KH - 1, W + 2*pad)``. On that band, kernel tap ``(kh, kw)`` of output pixel ``j``
  (counted on the padded-width grid) sits at ``j + kh*dh*Wp + kw*dw``, so the whole patch matrix is ONE
  strided view and ONE long contiguous-run copy. The GEMM then computes ``Wp - OW`` junk columns per
  row (under 1% at 256x256), cropped away when the output block is stored.
* **taps** (anything else): one strided copy per kernel tap; border strips that read padding are zeroed.

The Python loops run over blocks, groups and kernel taps; never over pixels or channels.

Examples
--------
>>> import numpy as np
>>> x = np.arange(2 * 1 * 3 * 3, dtype=np.float32).reshape(2, 1, 3, 3)
>>> plan = Plan(x.shape, (2, 2), (1, 1), (0, 0), (1, 1), 1, (2, 2))
>>> w = np.ones((1, 4), np.float32)           # a 2x2 box filter: sums of each 2x2 window
>>> gemm_forward(x, [w], plan, 1)[0, 0]
array([[ 8., 12.],
       [20., 24.]], dtype=float32)
"""
import threading

import numpy as np
from numpy.lib.stride_tricks import as_strided

__all__ = ["Plan", "CHUNK_ELEMS", "GRID_MIN_WIDTH", "gemm_forward", "gemm_weight_grad", "gemm_col2im",
           "scratch"]

#: Elements of one block's patch matrix: 2**20 float32 = 4 MiB, within the 32 MiB L3 next to the GEMM's
#: packed panels (benchmarks/bench_conv.py --chunks compares sizes).
CHUNK_ELEMS = 1 << 20
#: Narrowest output row the grid gathering is used for; below it the junk columns cost more than the
#: per-tap copies they save (a 4-wide row with pad 1 would waste a third of the GEMM).
GRID_MIN_WIDTH = 16

_local = threading.local()


def scratch(name, shape, dtype):
    """A reused per-thread work buffer of ``shape`` (contents undefined); never handed to callers.

    Reuse matters: a fresh multi-megabyte array pays its page faults on every call.

    Parameters
    ----------
    name : str
        Buffer identity; two buffers alive at once need two names.
    shape : tuple of int
    dtype : numpy dtype

    Returns
    -------
    ndarray of ``shape``, C-contiguous.

    Examples
    --------
    >>> scratch("doc", (2, 3), np.float32).shape
    (2, 3)
    """
    cache = getattr(_local, "buffers", None)
    if cache is None:
        cache = _local.buffers = {}
    size = int(np.prod(shape))
    key = (name, np.dtype(dtype).str)
    buf = cache.get(key)
    if buf is None or buf.size < size:
        buf = cache[key] = np.empty(max(size, 1), dtype)
    return buf[:size].reshape(shape)


def _valid(lo, hi, first, step, size):
    """Output indices ``o`` in ``[lo, hi)`` whose input index ``first + o * step`` lies in ``[0, size)``."""
    start = max(lo, -(first // step) if first < 0 else 0)   # -(first // step) == ceil(-first / step)
    stop = min(hi, (size - 1 - first) // step + 1)
    return start, max(start, stop)


class Plan:
    """Geometry of one GEMM convolution ``src (N, Cs, H, W) -> dst (N, Cd, OH, OW)`` and its blocking.

    Parameters
    ----------
    src_shape : tuple of 4 int
    kernel, stride, pad, dilate : tuple of 2 int
        ``pad`` may be negative (cropping), as in the flipped convolution of a data gradient.
    groups : int
    out_hw : tuple of 2 int
        ``(OH, OW)``, given explicitly so transposed geometries need no formula here.

    Examples
    --------
    >>> plan = Plan((2, 3, 8, 8), (3, 3), (1, 1), (1, 1), (1, 1), 1, (8, 8))
    >>> plan.k_rows, plan.grid, plan.row_cols
    (27, False, 8)
    """

    def __init__(self, src_shape, kernel, stride, pad, dilate, groups, out_hw):
        self.n, self.c, self.h, self.w = src_shape
        self.kernel, self.stride, self.pad, self.dilate = kernel, stride, pad, dilate
        self.groups, (self.oh, self.ow) = groups, out_hw
        self.cg = self.c // groups
        self.k_rows = self.cg * kernel[0] * kernel[1]
        self.grid = stride == (1, 1) and min(pad) >= 0 and self.ow >= GRID_MIN_WIDTH
        self.wp = self.w + 2 * pad[1]
        # GEMM columns per output row: the padded width on the grid, the true width otherwise
        self.row_cols = self.wp if self.grid else self.ow

    def blocks(self):
        """Yield ``(n0, n1, r0, r1)``: images ``n0:n1``, output rows ``r0:r1``, about CHUNK_ELEMS each.

        Examples
        --------
        >>> list(Plan((3, 1, 2, 2), (1, 1), (1, 1), (0, 0), (1, 1), 1, (2, 2)).blocks())
        [(0, 3, 0, 2)]
        """
        cols = max(1, CHUNK_ELEMS // self.k_rows)
        per_image = self.oh * self.row_cols
        if per_image >= cols:
            rows = max(1, cols // self.row_cols)
            for n in range(self.n):
                for r0 in range(0, self.oh, rows):
                    yield n, n + 1, r0, min(self.oh, r0 + rows)
        else:
            images = max(1, cols // per_image)
            for n0 in range(0, self.n, images):
                yield n0, min(self.n, n0 + images), 0, self.oh

    def taps(self, r0, r1):
        """Yield per kernel tap ``(kh, kw, out_rows, out_cols, in_rows, in_cols)`` as slices.

        ``out_rows`` are relative to ``r0``; output positions outside them read padding (zero).

        Examples
        --------
        >>> plan = Plan((1, 1, 3, 3), (3, 3), (1, 1), (1, 1), (1, 1), 1, (3, 3))
        >>> next(plan.taps(0, 3))[2:4]
        (slice(1, 3, None), slice(1, 3, None))
        """
        (kh_n, kw_n), (sh, sw), (ph, pw), (dh, dw) = self.kernel, self.stride, self.pad, self.dilate
        for kh in range(kh_n):
            fh = kh * dh - ph
            a, b = _valid(r0, r1, fh, sh, self.h)
            for kw in range(kw_n):
                fw = kw * dw - pw
                c, d = _valid(0, self.ow, fw, sw, self.w)
                yield (kh, kw, slice(a - r0, b - r0), slice(c, d),
                       slice(a * sh + fh, (b - 1) * sh + fh + 1, sh),
                       slice(c * sw + fw, (d - 1) * sw + fw + 1, sw))

    # ---- patch matrices -------------------------------------------------------------------------
    def gather(self, src, n0, n1, r0, r1, c0):
        """Patch matrix ``(Cg*KH*KW, columns)`` of ``src[n0:n1, c0:c0+Cg]`` for output rows ``r0:r1``.

        Columns run over (image, output row, ``row_cols``); the result lives in a scratch buffer.
        """
        nb, rows = n1 - n0, r1 - r0
        if self.grid:
            return self._gather_grid(src, n0, n1, r0, r1, c0)
        kh, kw = self.kernel
        cols = scratch("cols", (self.cg, kh, kw, nb, rows, self.ow), src.dtype)
        part = src[n0:n1, c0:c0 + self.cg]
        for kh, kw, orows, ocols, irows, icols in self.taps(r0, r1):
            dest = cols[:, kh, kw]
            if orows.start == orows.stop or ocols.start == ocols.stop:
                dest[...] = 0
                continue
            # zero the border strips that read padding, then copy the interior in one strided copy
            dest[:, :, :orows.start] = 0
            dest[:, :, orows.stop:] = 0
            dest[:, :, :, :ocols.start] = 0
            dest[:, :, :, ocols.stop:] = 0
            np.copyto(dest[:, :, orows, ocols], part[:, :, irows, icols].transpose(1, 0, 2, 3))
        return cols.reshape(self.k_rows, -1)

    def _gather_grid(self, src, n0, n1, r0, r1, c0):
        (kh_n, kw_n), (ph, pw), (dh, dw) = self.kernel, self.pad, self.dilate
        nb, rows, wp = n1 - n0, r1 - r0, self.wp
        band_rows = rows + (kh_n - 1) * dh
        plane = band_rows * wp
        slack = (kw_n - 1) * dw      # the last junk columns read this far past the band
        flat = scratch("band", (nb * self.cg * plane + slack,), src.dtype)
        band = flat[:nb * self.cg * plane].reshape(nb, self.cg, band_rows, wp)
        flat[nb * self.cg * plane:] = 0
        lo, hi = max(0, r0 - ph), min(self.h, r0 - ph + band_rows)     # input rows inside the band
        top, bottom = lo - (r0 - ph), lo - (r0 - ph) + max(0, hi - lo)
        band[:, :, :top] = 0
        band[:, :, bottom:] = 0
        band[:, :, top:bottom, :pw] = 0
        band[:, :, top:bottom, pw + self.w:] = 0
        band[:, :, top:bottom, pw:pw + self.w] = src[n0:n1, c0:c0 + self.cg, lo:hi]
        item = flat.itemsize
        view = as_strided(flat, shape=(self.cg, kh_n, kw_n, nb, rows * wp),
                          strides=(plane * item, dh * wp * item, dw * item, self.cg * plane * item, item),
                          writeable=False)
        cols = scratch("cols", view.shape, src.dtype)
        np.copyto(cols, view)
        return cols.reshape(self.k_rows, -1)

    def scatter_add(self, cols2d, n0, n1, r0, r1, c0, dst):
        """Add the patch matrix ``cols2d`` (taps layout) back into ``dst[n0:n1, c0:c0+Cg]`` (col2im)."""
        kh, kw = self.kernel
        cols = cols2d.reshape(self.cg, kh, kw, n1 - n0, r1 - r0, self.ow)
        part = dst[n0:n1, c0:c0 + self.cg]
        for kh, kw, orows, ocols, irows, icols in self.taps(r0, r1):
            if orows.start == orows.stop or ocols.start == ocols.stop:
                continue
            target = part[:, :, irows, icols]
            np.add(target, cols[:, kh, kw, :, orows, ocols].transpose(1, 0, 2, 3), out=target)

    # ---- output-side matrices, column-aligned with gather() -------------------------------------
    def out_matrix(self, dst, n0, n1, r0, r1, c0, count):
        """Where a GEMM writes output channels ``c0:c0+count`` of a block, and whether that is ``dst``
        itself (one image in the taps layout) or scratch that :meth:`store` must crop/transpose out."""
        if not self.grid and n1 - n0 == 1:
            return dst[n0, c0:c0 + count, r0:r1].reshape(count, -1), True
        return scratch("gemm_out", (count, (n1 - n0) * (r1 - r0) * self.row_cols), dst.dtype), False

    def store(self, mat, direct, dst, n0, n1, r0, r1, c0, bias=None):
        """Finish an output block written by a GEMM into ``mat`` (from :meth:`out_matrix`): add ``bias``
        and, unless ``direct``, copy the block into ``dst`` without the junk grid columns."""
        count = mat.shape[0]
        if direct:
            if bias is not None:
                mat += bias[:, None]
            return
        block = dst[n0:n1, c0:c0 + count, r0:r1]
        grid = mat.reshape(count, n1 - n0, r1 - r0, self.row_cols)[..., :self.ow].transpose(1, 0, 2, 3)
        if bias is None:
            np.copyto(block, grid)
        else:
            np.add(grid, bias[:, None, None], out=block)

    def rows_matrix(self, dy, n0, n1, r0, r1, c0, count):
        """``dy[n0:n1, c0:c0+count, r0:r1]`` as a ``(count, columns)`` matrix aligned with :meth:`gather`;
        junk grid columns are zero so they add nothing to a weight gradient."""
        if not self.grid and n1 - n0 == 1:
            return dy[n0, c0:c0 + count, r0:r1].reshape(count, -1)
        buf = scratch("dy_block", (count, n1 - n0, r1 - r0, self.row_cols), dy.dtype)
        buf[..., self.ow:] = 0
        np.copyto(buf[..., :self.ow], dy[n0:n1, c0:c0 + count, r0:r1].transpose(1, 0, 2, 3))
        return buf.reshape(count, -1)


def gemm_forward(src, wmats, plan, out_channels, bias=None, dtype=None):
    """``dst[:, group g] = wmats[g] @ patches(src, group g)`` (+ bias), block by block.

    Parameters
    ----------
    src : ndarray (N, Cs, H, W)
    wmats : list of ndarray (Fg, Cg*KH*KW), one per group
    plan : Plan
    out_channels : int
        ``Cd = groups * Fg``.
    bias : ndarray (Cd,) or None
    dtype : numpy dtype or None
        Result dtype (default ``src.dtype``).

    Returns
    -------
    ndarray (N, Cd, OH, OW)

    Examples
    --------
    >>> x = np.ones((1, 2, 2, 2), np.float32)
    >>> plan = Plan(x.shape, (1, 1), (1, 1), (0, 0), (1, 1), 2, (2, 2))
    >>> ws = [np.full((1, 1), 2., np.float32), np.full((1, 1), 3., np.float32)]
    >>> gemm_forward(x, ws, plan, 2)[0, :, 0, 0]
    array([2., 3.], dtype=float32)
    """
    dtype = src.dtype if dtype is None else dtype
    fg = out_channels // plan.groups
    dst = np.empty((plan.n, out_channels, plan.oh, plan.ow), dtype)
    for n0, n1, r0, r1 in plan.blocks():
        for g, wmat in enumerate(wmats):
            cols = plan.gather(src, n0, n1, r0, r1, g * plan.cg)
            out, direct = plan.out_matrix(dst, n0, n1, r0, r1, g * fg, fg)
            np.matmul(wmat, cols, out=out)
            plan.store(out, direct, dst, n0, n1, r0, r1, g * fg,
                       None if bias is None else bias[g * fg:(g + 1) * fg])
    return dst


def gemm_weight_grad(src, dy, plan):
    """Per group ``dW_g = sum over blocks of dy_block (Fg, P) @ cols_block.T (P, Cg*KH*KW)``.

    Parameters
    ----------
    src : ndarray (N, Cs, H, W)
        The forward input.
    dy : ndarray (N, Cd, OH, OW)
        Gradient of the forward output.
    plan : Plan

    Returns
    -------
    list of ndarray (Fg, Cg*KH*KW), one per group.

    Examples
    --------
    >>> x = np.ones((1, 1, 2, 2), np.float32)
    >>> plan = Plan(x.shape, (1, 1), (1, 1), (0, 0), (1, 1), 1, (2, 2))
    >>> gemm_weight_grad(x, np.ones((1, 1, 2, 2), np.float32), plan)[0]
    array([[4.]], dtype=float32)
    """
    fg = dy.shape[1] // plan.groups
    grads = [np.zeros((fg, plan.k_rows), dy.dtype) for _ in range(plan.groups)]
    partial = np.empty((fg, plan.k_rows), dy.dtype)
    for n0, n1, r0, r1 in plan.blocks():
        for g in range(plan.groups):
            cols = plan.gather(src, n0, n1, r0, r1, g * plan.cg)
            np.matmul(plan.rows_matrix(dy, n0, n1, r0, r1, g * fg, fg), cols.T, out=partial)
            grads[g] += partial
    return grads


def gemm_col2im(dy, wmats, plan):
    """Data gradient by GEMM + scatter: ``dx += col2im(wmats[g].T @ dy_block)``, for any stride.

    Parameters
    ----------
    dy : ndarray (N, Cd, OH, OW)
    wmats : list of ndarray (Fg, Cg*KH*KW)
    plan : Plan
        Geometry of the forward convolution ``(N, Cs, H, W) -> (N, Cd, OH, OW)``; must not be a grid plan.

    Returns
    -------
    ndarray (N, Cs, H, W)

    Examples
    --------
    >>> plan = Plan((1, 1, 3, 3), (1, 1), (2, 2), (0, 0), (1, 1), 1, (2, 2))
    >>> gemm_col2im(np.ones((1, 1, 2, 2), np.float32), [np.ones((1, 1), np.float32)], plan)[0, 0]
    array([[1., 0., 1.],
           [0., 0., 0.],
           [1., 0., 1.]], dtype=float32)
    """
    fg = dy.shape[1] // plan.groups
    dx = np.zeros((plan.n, plan.c, plan.h, plan.w), dy.dtype)
    for n0, n1, r0, r1 in plan.blocks():
        cols = scratch("cols", (plan.k_rows, (n1 - n0) * (r1 - r0) * plan.ow), dy.dtype)
        for g, wmat in enumerate(wmats):
            np.matmul(wmat.T, plan.rows_matrix(dy, n0, n1, r0, r1, g * fg, fg), out=cols)
            plan.scatter_add(cols, n0, n1, r0, r1, g * plan.cg, dx)
    return dx
