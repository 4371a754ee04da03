"""Geometry, cache blocking and patch gathering (im2col / col2im) of a 2-D convolution.

A convolution ``src (N, Cs, H, W) -> dst (N, Cd, OH, OW)`` is cut into *blocks*: a band of output rows of
one image when images are large, several whole images when they are small. A block's patch matrix is
built in a reused buffer of about :data:`CHUNK_ELEMS` floats that stays in cache, so the GEMM reading it
reads cache, not memory, and the batch's full patch matrix (1.2 GB for a 16-channel 256x256 batch of 32)
never exists. :mod:`.gemm` runs the GEMMs; this module decides the blocks and fills the matrices.

Gatherings, chosen per geometry:

* **rows** (stride 1 and 'same' width, ``2*pad_w == dilate_w*(KW-1)``, e.g. every 3x3 pad-1 layer of
  ToySSD): a block is whole output rows, and consecutive rows of an NCHW plane are one run in memory,
  so kernel tap ``(kh, kw)`` of output pixel ``j`` (counted along the rows) sits at
  ``plane[j + kh*dh*W + kw*dw - pad_w]``: the patch matrix is ONE strided view of the input, read by
  ONE long-run copy straight from ``src`` (blocks touching the top/bottom padding first copy their rows
  into a zero-bordered band). Taps that wrapped into the neighbouring row read padding and are zeroed
  afterwards (a few columns per row). A 1x1 kernel needs no copy at all.
* **stacked rows** (rows geometry with enough rows per block): only the KW horizontal taps are gathered,
  over the block's rows plus the (KH-1)*dh halo; :mod:`.gemm` multiplies them by all KH kernel rows at
  once and adds the KH row-shifted results. A third of the copying, and a GEMM three times taller
  (better use of each packed panel) -- what makes the 16-channel layers fast.
* **taps** (anything else): one strided copy per kernel tap; border strips that read padding are zeroed.
* **positions** (taps geometry with fewer output pixels than kernel taps, e.g. a 224x224 kernel over a
  224x224 image): one strided copy per output pixel of its whole window, so the loop runs over the
  smaller of the two counts (50176 taps would be 50176 tiny copies for one output pixel).

Python loops run over blocks, groups and kernel taps (or output pixels when they are fewer than the taps);
never over channels.

Examples
--------
>>> import numpy as np
>>> plan = Plan((2, 1, 3, 3), (2, 2), (1, 1), (0, 0), (1, 1), 1, (2, 2))
>>> x = np.arange(18, dtype=np.float32).reshape(2, 1, 3, 3)
>>> plan.gather(x, 0, 1, 0, 2, 0)[:, 0]      # the 4 taps of output pixel (0, 0) of image 0
array([0., 1., 3., 4.], dtype=float32)
"""
import numpy as np
from numpy.lib.stride_tricks import as_strided

from .parallel import WORKERS
from .scratch import scratch

__all__ = ["Plan", "CHUNK_ELEMS"]

#: Elements of one block's patch matrix: 2**19 float32 = 2 MiB, in the L3 next to the GEMM's packed
#: panels (measured against 2**18..2**21 on ToySSD's layers: best or within noise).
CHUNK_ELEMS = 1 << 19
#: With parallel parts, blocks are cut smaller so each part gets a few of them, but not below this size.
MIN_BLOCK_ELEMS = 1 << 16
BLOCKS_PER_PART = 2
#: ... except for one image (inference latency), whose blocks are cut only to CHUNK_ELEMS and to one per
#: part: a single image has few columns, and the smaller blocks made narrow GEMMs (quiet box, ToySSD at
#: batch 1: 64->128 @32 1.1 ms in 2 blocks against 1.7 ms in 6, 128->24 @16 0.27 against 0.44 ms).
SINGLE_IMAGE_BLOCKS_PER_PART = 1
#: Below this many multiply-adds a convolution runs on one core: waking the other core's thread and
#: sharing the blocks costs more than it saves (measured: the predictor convolutions of one image; a
#: batch of 32 4x4 maps of 128 channels, 4.7M multiply-adds, still gains from two cores).
SERIAL_MAX_MACS = 1 << 22
#: Stack the kernel rows only when a block's rows outnumber its halo rows this many times (the halo
#: rows are computed and thrown away: 2 of 16 rows already cost more than stacking saves).
STACK_MIN_ROWS_PER_HALO = 16
#: ... and only when the gathered matrix keeps a useful GEMM depth (Cg*KW rows): a 3-channel input
#: gives 9, too shallow (measured 2x slower than the standard 27-deep GEMM).
STACK_MIN_GATHER_ROWS = 32
#: Use the rows / stacked / positions gatherings where they apply (tests switch them off to compare the paths).
ROWS_GATHERING = True
STACKING = True
POSITIONS_GATHERING = True


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
    out_channels : int or None
        ``Cd`` (default ``Cs``); sizes the blocks so the GEMM's output block stays in cache too.

    Examples
    --------
    >>> plan = Plan((2, 3, 8, 8), (3, 3), (1, 1), (1, 1), (1, 1), 1, (8, 8))
    >>> plan.k_rows, plan.rows_mode, plan.stacked
    (27, True, False)
    """

    def __init__(self, src_shape, kernel, stride, pad, dilate, groups, out_hw, out_channels=None):
        self.n, self.c, self.h, self.w = src_shape
        self.fg = (self.c if out_channels is None else out_channels) // groups
        self.kernel, self.stride, self.pad, self.dilate = kernel, stride, pad, dilate
        self.groups, (self.oh, self.ow) = groups, out_hw
        self.cg = self.c // groups
        self.k_rows = self.cg * kernel[0] * kernel[1]
        self.rows_mode = (ROWS_GATHERING and stride == (1, 1) and min(pad) >= 0
                          and 2 * pad[1] == (kernel[1] - 1) * dilate[1])
        self.halo = (kernel[0] - 1) * dilate[0]
        self.by_position = (POSITIONS_GATHERING and not self.rows_mode
                            and self.oh * self.ow < kernel[0] * kernel[1])
        self.stacked = False
        if (STACKING and self.rows_mode and self.halo
                and self.cg * kernel[1] >= STACK_MIN_GATHER_ROWS):
            self.stacked = True
            # one image: its blocks are cut for the cores (few columns), so judge the rows they will have
            parts = self._parts(WORKERS) if self.n == 1 else 1
            rows = self._block_cols(parts) // self.ow - self.halo
            self.stacked = min(rows, self.oh) >= STACK_MIN_ROWS_PER_HALO * self.halo

    @property
    def gather_rows(self):
        """Rows of the matrix a block gathers: ``Cg*KW`` when stacked, else ``Cg*KH*KW``."""
        return self.cg * self.kernel[1] if self.stacked else self.k_rows

    def _parts(self, parts):
        """The parts the blocks are cut for: one below SERIAL_MAX_MACS multiply-adds."""
        return 1 if self.n * self.oh * self.ow * self.k_rows * self.fg * self.groups < SERIAL_MAX_MACS else parts

    def _block_cols(self, parts, min_cols=1):
        # the larger of the gathered matrix and the GEMM's output block fills CHUNK_ELEMS
        rows = max(self.gather_rows, self.fg * (self.kernel[0] if self.stacked else 1))
        cols = max(min_cols, CHUNK_ELEMS // rows)
        if parts > 1:
            per_part = SINGLE_IMAGE_BLOCKS_PER_PART if self.n == 1 else BLOCKS_PER_PART
            share = -(-self.n * self.oh * self.ow // (per_part * parts))
            cols = min(cols, max(share, MIN_BLOCK_ELEMS // rows, 1))
        return cols

    def blocks(self, parts=1, min_cols=1):
        """``(n0, n1, r0, r1)`` blocks: images ``n0:n1``, output rows ``r0:r1``, about CHUNK_ELEMS each
        (but at least ``min_cols`` columns), and at least ``BLOCKS_PER_PART * parts`` of them (one image:
        ``SINGLE_IMAGE_BLOCKS_PER_PART * parts``) when the work
        allows blocks of MIN_BLOCK_ELEMS.

        Examples
        --------
        >>> Plan((3, 1, 2, 2), (1, 1), (1, 1), (0, 0), (1, 1), 1, (2, 2)).blocks()
        [(0, 3, 0, 2)]
        """
        parts = self._parts(parts)
        cols = self._block_cols(parts, min_cols)
        halo = self.halo if self.stacked else 0          # stacked blocks also gather their halo rows
        per_image = (self.oh + halo) * self.ow
        if per_image >= cols:
            rows = max(1, cols // self.ow - halo)
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

    def positions(self, r0, r1):
        """Yield per output pixel ``(out_row, out_col, kh, kw, in_rows, in_cols)`` as slices: the kernel taps
        of the pixel that read the input (the others read padding) and the input window they read.

        ``out_row`` is relative to ``r0``.

        Examples
        --------
        >>> plan = Plan((1, 1, 3, 3), (3, 3), (1, 1), (1, 1), (1, 1), 1, (1, 1))
        >>> next(plan.positions(0, 1))[2:4]
        (slice(1, 3, None), slice(1, 3, None))
        """
        (kh_n, kw_n), (sh, sw), (ph, pw), (dh, dw) = self.kernel, self.stride, self.pad, self.dilate
        cols = []
        for ow in range(self.ow):
            a, b = _valid(0, kw_n, ow * sw - pw, dw, self.w)     # taps kw reading columns inside the input
            first = ow * sw - pw + a * dw
            cols.append((ow, slice(a, b), slice(first, first + (b - a - 1) * dw + 1, dw)))
        for oh in range(r0, r1):
            a, b = _valid(0, kh_n, oh * sh - ph, dh, self.h)
            first = oh * sh - ph + a * dh
            rows, taps = slice(first, first + (b - a - 1) * dh + 1, dh), slice(a, b)
            for ow, kw_taps, in_cols in cols:
                yield oh - r0, ow, taps, kw_taps, rows, in_cols

    # ---- gathering ------------------------------------------------------------------------------
    def gather(self, src, n0, n1, r0, r1, c0):
        """The block's matrix of ``src[n0:n1, c0:c0+Cg]`` for output rows ``r0:r1``.

        Standard: ``(Cg*KH*KW, columns)``, columns over (image, output row, output column).
        Stacked: ``(Cg*KW, columns)`` over (image, output row incl. ``halo`` more, output column).
        The result is scratch or a view of ``src``; it is valid until the next gather of this thread.
        """
        if self.stacked:
            return self._gather_rows(src, n0, n1, r0 - self.pad[0], r1 - r0 + self.halo, 1, c0)
        if self.rows_mode:
            return self._gather_rows(src, n0, n1, r0 - self.pad[0], r1 - r0, self.kernel[0], c0)
        nb, rows = n1 - n0, r1 - r0
        kh, kw = self.kernel
        cols = scratch("cols", (self.cg, kh, kw, nb, rows, self.ow), src.dtype)
        part = src[n0:n1, c0:c0 + self.cg]
        if self.by_position:
            cols[...] = 0
            for orow, ocol, khs, kws, irows, icols in self.positions(r0, r1):
                if khs.start < khs.stop and kws.start < kws.stop:
                    np.copyto(cols[:, khs, kws, :, orow, ocol], part[:, :, irows, icols].transpose(1, 2, 3, 0))
            return cols.reshape(self.k_rows, -1)
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

    def _gather_rows(self, src, n0, n1, first, rows, kh_n, c0):
        """Rows gathering of ``kh_n`` kernel rows for ``rows`` output rows whose first reads input row
        ``first`` (negative: padding)."""
        kw_n, pw, (dh, dw) = self.kernel[1], self.pad[1], self.dilate
        nb, h, w = n1 - n0, self.h, self.w
        band_rows = rows + (kh_n - 1) * dh
        item = src.itemsize
        direct = nb == 1 and first >= 0 and first + band_rows <= h and src.flags.c_contiguous
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
            band[:, :, :lo - first] = 0
            band[:, :, hi - first:] = 0
            band[:, :, lo - first:hi - first] = src[n0:n1, c0:c0 + self.cg, lo:hi]
            base = flat
        view = as_strided(base, shape=(self.cg, kh_n, kw_n, nb, rows * w),
                          strides=(plane * item, dh * w * item, dw * item, image * item, item),
                          writeable=False)
        if kh_n * kw_n == 1 and nb == 1:
            return view.reshape(self.cg, -1)               # 1x1 kernel: src itself is the patch matrix
        cols = scratch("cols", view.shape, src.dtype)
        np.copyto(cols, view)
        # a tap reading column -pw..-1 or W..W+pw-1 wrapped into the neighbouring row: that is padding
        by_col = cols.reshape(self.cg, kh_n, kw_n, nb, rows, w)
        for kw in range(kw_n):
            shift = kw * dw - pw
            # one integer-indexed column at a time: numpy then strides along rows, not 1-long runs
            # (a dilation of W or more moves a tap wholly into the padding: every column, not more)
            for col in (range(min(-shift, w)) if shift < 0 else range(max(w - shift, 0), w)):
                by_col[:, :, kw, :, :, col] = 0
        return cols.reshape(self.cg * kh_n * kw_n, -1)

    def scatter_add(self, cols2d, n0, n1, r0, r1, c0, dst):
        """Add a standard patch matrix (taps layout) back into ``dst[n0:n1, c0:c0+Cg]`` (col2im)."""
        kh, kw = self.kernel
        cols = cols2d.reshape(self.cg, kh, kw, n1 - n0, r1 - r0, self.ow)
        part = dst[n0:n1, c0:c0 + self.cg]
        if self.by_position:
            for orow, ocol, khs, kws, irows, icols in self.positions(r0, r1):
                if khs.start < khs.stop and kws.start < kws.stop:
                    target = part[:, :, irows, icols]
                    np.add(target, cols[:, khs, kws, :, orow, ocol].transpose(3, 0, 1, 2), out=target)
            return
        for kh, kw, orows, ocols, irows, icols in self.taps(r0, r1):
            if orows.start == orows.stop or ocols.start == ocols.stop:
                continue
            target = part[:, :, irows, icols]
            np.add(target, cols[:, kh, kw, :, orows, ocols].transpose(1, 0, 2, 3), out=target)


def block_of(arr, n0, n1, r0, r1, c0, count):
    """``arr[n0:n1, c0:c0+count, r0:r1]`` as a ``(count, n1-n0, (r1-r0)*W)`` view (channel first).

    Examples
    --------
    >>> block_of(np.zeros((2, 3, 4, 5)), 0, 2, 1, 3, 1, 2).shape
    (2, 2, 10)
    """
    nb, rows = n1 - n0, r1 - r0
    return arr[n0:n1, c0:c0 + count, r0:r1].reshape(nb, count, rows * arr.shape[3]).transpose(1, 0, 2)
