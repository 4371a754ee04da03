"""Cache-blocked patch matrices (im2col / col2im) and the GEMM drivers of every 2-D convolution.

A convolution ``src (N, Cs, H, W) -> dst (N, Cd, OH, OW)`` is cut into *blocks*: a band of output rows of
one image when images are large, several whole images when they are small. A block's patch matrix
``cols (Cs/groups * KH * KW, block columns)`` is built in a reused buffer of about :data:`CHUNK_ELEMS`
floats that stays in cache, so the GEMM reading it reads cache, not memory, and the batch's full patch
matrix (1.2 GB for a 16-channel 256x256 batch of 32) never exists.

Two gatherings, chosen per geometry:

* **rows** (stride 1 and 'same' width, ``2*pad_w == dilate_w*(KW-1)``, e.g. every 3x3 pad-1 layer of
  ToySSD): a block is whole output rows, and in memory consecutive rows of an NCHW plane are one run,
  so kernel tap ``(kh, kw)`` of output pixel ``j`` (counted along the rows) sits at
  ``plane[j + kh*dh*W + kw*dw - pad_w]``: the whole patch matrix is ONE strided view of the input, read
  by ONE long-run copy straight from ``src`` (blocks touching the top/bottom padding first copy their
  rows into a zero-bordered band). The taps that wrapped into the neighbouring row read padding and
  are zeroed afterwards (a few columns per row). A 1x1 kernel needs no copy at all.
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
import math
import threading

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .parallel import WORKERS, parallel_map, split

__all__ = ["Plan", "CHUNK_ELEMS", "gemm_forward", "gemm_weight_grad", "gemm_col2im", "scratch"]

#: Elements of one block's patch matrix: 2**20 float32 = 4 MiB, within the 32 MiB L3 next to the GEMM's
#: packed panels (benchmarks/bench_conv.py --chunks compares sizes).
CHUNK_ELEMS = 1 << 20

#: With parallel parts, blocks are cut smaller so each part gets a few of them, but not below this size.
MIN_BLOCK_ELEMS = 1 << 16
BLOCKS_PER_PART = 2
#: Use the rows gathering where it applies (tests switch it off to compare it with the per-tap one).
ROWS_GATHERING = True

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
    size = math.prod(shape)
    buf = cache.get((name, dtype))
    if buf is None or buf.size < size:
        buf = cache[(name, dtype)] = np.empty(max(size, 1), dtype)
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
    >>> plan.k_rows, plan.rows_mode
    (27, True)
    """

    def __init__(self, src_shape, kernel, stride, pad, dilate, groups, out_hw):
        self.n, self.c, self.h, self.w = src_shape
        self.kernel, self.stride, self.pad, self.dilate = kernel, stride, pad, dilate
        self.groups, (self.oh, self.ow) = groups, out_hw
        self.cg = self.c // groups
        self.k_rows = self.cg * kernel[0] * kernel[1]
        # stride 1 and 'same' width (OW == W): gather whole rows, see the module docstring
        self.rows_mode = ROWS_GATHERING and (stride == (1, 1) and min(pad) >= 0 and 2 * pad[1] == (kernel[1] - 1) * dilate[1])

    def blocks(self, parts=1):
        """``(n0, n1, r0, r1)`` blocks: images ``n0:n1``, output rows ``r0:r1``, about CHUNK_ELEMS each,
        and at least ``BLOCKS_PER_PART * parts`` of them when the work allows blocks of MIN_BLOCK_ELEMS.

        Examples
        --------
        >>> Plan((3, 1, 2, 2), (1, 1), (1, 1), (0, 0), (1, 1), 1, (2, 2)).blocks()
        [(0, 3, 0, 2)]
        """
        cols = max(1, CHUNK_ELEMS // self.k_rows)
        if parts > 1:
            share = -(-self.n * self.oh * self.ow // (BLOCKS_PER_PART * parts))
            cols = min(cols, max(share, MIN_BLOCK_ELEMS // self.k_rows, 1))
        per_image = self.oh * self.ow
        if per_image >= cols:
            rows = max(1, cols // self.ow)
            return [(n, n + 1, r0, min(self.oh, r0 + rows))
                    for n in range(self.n) for r0 in range(0, self.oh, rows)]
        images = max(1, cols // per_image)
        return [(n0, min(self.n, n0 + images), 0, self.oh) for n0 in range(0, self.n, images)]

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

        Columns run over (image, output row, output column); the result is scratch or a view of ``src``.
        """
        nb, rows = n1 - n0, r1 - r0
        if self.rows_mode:
            return self._gather_rows(src, n0, n1, r0, r1, c0)
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

    def _gather_rows(self, src, n0, n1, r0, r1, c0):
        (kh_n, kw_n), (ph, pw), (dh, dw) = self.kernel, self.pad, self.dilate
        nb, rows, h, w = n1 - n0, r1 - r0, self.h, self.w
        band_rows = rows + (kh_n - 1) * dh
        first = r0 - ph                                    # input row of the band's first row
        item = src.itemsize
        direct = (nb == 1 and first >= 0 and first + band_rows <= h and src.flags.c_contiguous)
        if direct:
            flat = src.reshape(-1)
            start = ((n0 * self.c + c0) * h + first) * w - pw
            stop = start + (self.cg - 1) * h * w + band_rows * w + 2 * pw
            direct = start >= 0 and stop <= flat.size      # the wrapped reads stay inside src
        if direct:
            base, plane, image = flat[start:], h * w, self.c * h * w
        else:
            plane, image = band_rows * w, self.cg * band_rows * w
            # pw elements of slack on both sides: the wrapped reads of the first/last column land there
            flat = scratch("band", (nb * image + 2 * pw,), src.dtype)
            band = flat[pw:pw + nb * image].reshape(nb, self.cg, band_rows, w)
            lo = max(0, first)                                       # input rows inside the band
            hi = max(lo, min(h, first + band_rows))
            top, bottom = lo - first, hi - first
            band[:, :, :top] = 0
            band[:, :, bottom:] = 0
            band[:, :, top:bottom] = src[n0:n1, c0:c0 + self.cg, lo:hi]
            base = flat
        view = as_strided(base, shape=(self.cg, kh_n, kw_n, nb, rows * w),
                          strides=(plane * item, dh * w * item, dw * item, image * item, item),
                          writeable=False)
        if self.k_rows == self.cg and nb == 1:
            return view.reshape(self.cg, -1)               # 1x1 kernel: src itself is the patch matrix
        cols = scratch("cols", view.shape, src.dtype)
        np.copyto(cols, view)
        # a tap reading column -pw..-1 or W..W+pw-1 wrapped into the neighbouring row: that is padding
        by_col = cols.reshape(self.cg, kh_n, kw_n, nb, rows, w)
        for kw in range(kw_n):
            shift = kw * dw - pw
            # one integer-indexed column at a time: numpy then strides along rows, not 1-long runs
            for col in (range(-shift) if shift < 0 else range(w - shift, w)):
                by_col[:, :, kw, :, :, col] = 0
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
        itself (a one-image block) or scratch that :meth:`store` must transpose into ``dst``."""
        if n1 - n0 == 1:
            return dst[n0, c0:c0 + count, r0:r1].reshape(count, -1), True
        return scratch("gemm_out", (count, (n1 - n0) * (r1 - r0) * self.ow), dst.dtype), False

    def store(self, mat, direct, dst, n0, n1, r0, r1, c0, bias=None):
        """Finish an output block written by a GEMM into ``mat`` (from :meth:`out_matrix`): add ``bias``
        and, unless ``direct``, copy the (channel, image, ...) block into ``dst``'s (image, channel, ...)."""
        count = mat.shape[0]
        if direct:
            if bias is not None:
                mat += bias[:, None]
            return
        block = dst[n0:n1, c0:c0 + count, r0:r1]
        by_image = mat.reshape(count, n1 - n0, r1 - r0, self.ow).transpose(1, 0, 2, 3)
        if bias is None:
            np.copyto(block, by_image)
        else:
            np.add(by_image, bias[:, None, None], out=block)

    def rows_matrix(self, dy, n0, n1, r0, r1, c0, count):
        """``dy[n0:n1, c0:c0+count, r0:r1]`` as a ``(count, columns)`` matrix aligned with :meth:`gather`
        (a view for one-image blocks, else a transposed copy in scratch)."""
        if n1 - n0 == 1:
            return dy[n0, c0:c0 + count, r0:r1].reshape(count, -1)
        buf = scratch("dy_block", (count, n1 - n0, r1 - r0, self.ow), dy.dtype)
        np.copyto(buf, dy[n0:n1, c0:c0 + count, r0:r1].transpose(1, 0, 2, 3))
        return buf.reshape(count, -1)


def gemm_forward(src, wmats, plan, out_channels, bias=None, dtype=None):
    """``dst[:, group g] = wmats[g] @ patches(src, group g)`` (+ bias), block by block on all cores.

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

    def run(blocks):
        for n0, n1, r0, r1 in blocks:
            for g, wmat in enumerate(wmats):
                cols = plan.gather(src, n0, n1, r0, r1, g * plan.cg)
                out, direct = plan.out_matrix(dst, n0, n1, r0, r1, g * fg, fg)
                np.matmul(wmat, cols, out=out)
                plan.store(out, direct, dst, n0, n1, r0, r1, g * fg,
                           None if bias is None else bias[g * fg:(g + 1) * fg])

    parallel_map(run, split(plan.blocks(WORKERS), WORKERS))
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

    def run(blocks):
        grads = np.zeros((plan.groups, fg, plan.k_rows), dy.dtype)
        partial = np.empty((fg, plan.k_rows), dy.dtype)
        for n0, n1, r0, r1 in blocks:
            for g in range(plan.groups):
                cols = plan.gather(src, n0, n1, r0, r1, g * plan.cg)
                np.matmul(plan.rows_matrix(dy, n0, n1, r0, r1, g * fg, fg), cols.T, out=partial)
                grads[g] += partial
        return grads

    return list(sum(parallel_map(run, split(plan.blocks(WORKERS), WORKERS))))


def gemm_col2im(dy, wmats, plan):
    """Data gradient by GEMM + scatter: ``dx += col2im(wmats[g].T @ dy_block)``, for any stride.

    Parameters
    ----------
    dy : ndarray (N, Cd, OH, OW)
    wmats : list of ndarray (Fg, Cg*KH*KW)
    plan : Plan
        Geometry of the forward convolution ``(N, Cs, H, W) -> (N, Cd, OH, OW)``.

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

    def run(blocks):
        for n0, n1, r0, r1 in blocks:
            cols = scratch("cols", (plan.k_rows, (n1 - n0) * (r1 - r0) * plan.ow), dy.dtype)
            for g, wmat in enumerate(wmats):
                np.matmul(wmat.T, plan.rows_matrix(dy, n0, n1, r0, r1, g * fg, fg), out=cols)
                plan.scatter_add(cols, n0, n1, r0, r1, g * plan.cg, dx)

    # the bands of one image overlap in dx: give each part whole images so no two parts add to one pixel
    blocks = plan.blocks(WORKERS)
    parts = split(sorted({block[0] for block in blocks}), WORKERS)
    parallel_map(run, [[block for block in blocks if block[0] in set(images)] for images in parts])
    return dx
