"""Direct 3x3 stride-1 pad-1 convolution for thin layers on large maps, compiled by numba (:mod:`.jit`).

ToySSD's first layers (3->16 and 16->16 channels at 256x256, 16->32 and 32->32 at 128x128) are GEMMs too
thin for BLAS: a 16 x 27 or 48 x 48 weight against a patch matrix of millions of columns, which OpenBLAS
packs at a fraction of its speed, after a gathering copy of three to nine times the input. Here every
output row is computed straight from a zero-padded band of input rows that stays in cache: the loop over
the row's pixels is vectorized (AVX-512 / AVX2 by LLVM), two filters and two output rows at a time share
the twelve input loads of their 36 multiply-adds, and the weights sit in registers. No patch matrix, no
packing, one pass over the output. The weight gradient works the same way: per pair of filters and input
channel, 18 running sums (2 filters x 9 taps) over a band's pixels, read once from cache.

Used by :mod:`.conv` only where it is measured faster than the GEMM path (:func:`direct_wins`) and only
when the compiled path is available (numba installed, ``SSDKIT_JIT`` not 0); otherwise the GEMM path runs.
The kernels are plain loops, so without numba they are still correct, only far too slow to use.

Examples
--------
>>> import numpy as np
>>> x = np.ones((1, 1, 3, 3), np.float32)
>>> w = np.ones((2, 1, 3, 3), np.float32)
>>> direct_forward(x, w)[0, 0]
array([[4., 6., 4.],
       [6., 9., 6.],
       [4., 6., 4.]], dtype=float32)
>>> direct_weight_grad(x, np.ones((1, 2, 3, 3), np.float32))[0, 0]
array([[4., 6., 4.],
       [6., 9., 6.],
       [4., 6., 4.]], dtype=float32)
"""
import numpy as np

from .arena import empty
from .jit import jit_available, kernel
from .parallel import WORKERS, parallel_for
from .scratch import scratch

__all__ = ["direct_forward", "direct_weight_grad", "direct_wins", "DIRECT"]

#: Use the direct kernels where :func:`direct_wins` says so (tests switch it off to compare the paths).
DIRECT = True
#: Input elements (channels x rows x padded width) of one work unit's band: rows per unit are chosen so the
#: band (and the output rows it makes) stay in the core's L2 cache.
BAND_ELEMS = 1 << 16
#: Rows of a band: at least this many (a band's padding rows are copied twice).
MIN_BAND_ROWS = 8
#: Work units per core at least (units are whole images when there are enough, else parts of images).
UNITS_PER_WORKER = 4
#: The layers the direct kernels are measured faster on (batches; quietbench, fwd + data + weight gradient
#: ms against the GEMM path): at most this many input and output channels ...
#: ToySSD batch 32: 3->16 @256 62 vs 102, 16->16 @256 190 vs 301, 16->32 @128 92 vs 119, 32->32 @128 174 vs
#: 209, 32->64 @64 99 vs 114, 64->64 @64 189 vs 205; batch 8: VGG16's 3->64 @300 94 vs 120 and 64->64 @300
#: 924 vs 1186, ResNet-50 SSD-512's 64->64 @128 179 vs 227.
MAX_CHANNELS = 64
#: ... on maps of at least this many pixels.
MIN_PIXELS = 64 * 64
#: One image (inference latency) also runs direct from this many pixels with at most ONE_IMAGE_MAX_CHANNELS
#: input channels and ONE_IMAGE_MAX_FILTERS filters: at batch 1 the GEMM path has few columns per core (quiet box,
#: forward with folded BatchNorm and ReLU: 32->64 @64 1.3 vs 1.5-1.6 ms, 32->128 @64 1.9 vs 2.5,
#: 16->64 @128 2.1 vs 3.0, 3->64 @224 1.9-2.1 vs 3.2; 64->64 @64 even, 64->128 @32 the GEMM 1.7x faster).
ONE_IMAGE_MIN_PIXELS = 64 * 64
ONE_IMAGE_MAX_CHANNELS = 32
ONE_IMAGE_MAX_FILTERS = 128
#: The fastmath flags: FMA contraction and reassociation (the weight gradient's sums run in vector lanes);
#: NaN and infinity keep their IEEE behaviour.
_FAST = {"contract", "reassoc"}


@kernel(fastmath=_FAST, boundscheck=False)
def _forward_rows(x, w, r0, r1, step, scale, bias, relu, band, spare, out):
    """Rows ``r0:r1`` of ``out (F, H, W)`` = 3x3 pad-1 convolution of ``x (C, H, W)`` with ``w (F, C, 3, 3)``,
    times ``scale[f]`` (when non-empty), plus ``bias[f]`` (when non-empty), ReLU'd when ``relu``, in bands
    of ``step`` rows. Scratch: ``band (C, step + 3, W + 2)``; ``spare (3, W)``: the row / filter past the end
    of an odd count is computed there and dropped (three distinct rows: were two outputs the same row, LLVM's
    overlap check would take the scalar loop)."""
    n_c, h, width = x.shape
    n_f = w.shape[0]
    for top in range(r0, r1, step):
        rows = min(r1, top + step) - top
        # band[c, i, 1 + j] = x[c, top - 1 + i, j]; zero outside the image and in the extra last row
        for c in range(n_c):
            for i in range(rows + 3):
                row = top - 1 + i
                band[c, i, 0] = 0
                band[c, i, width + 1] = 0
                if 0 <= row < h and i < rows + 2:
                    for j in range(width):
                        band[c, i, j + 1] = x[c, row, j]
                else:
                    for j in range(width):
                        band[c, i, j + 1] = 0
        for i in range(0, rows, 2):
            for f in range(0, n_f, 2):
                g = f + 1 < n_f                      # a second filter exists
                o00 = out[f, top + i]
                o01 = out[f, top + i + 1] if i + 1 < rows else spare[0]
                o10 = out[f + 1, top + i] if g else spare[1]
                o11 = out[f + 1, top + i + 1] if g and i + 1 < rows else spare[2]
                for j in range(width):
                    o00[j] = 0
                    o01[j] = 0
                    o10[j] = 0
                    o11[j] = 0
                for c in range(n_c):
                    p0, p1, p2, p3 = band[c, i], band[c, i + 1], band[c, i + 2], band[c, i + 3]
                    a0, a1, a2 = w[f, c, 0, 0], w[f, c, 0, 1], w[f, c, 0, 2]
                    a3, a4, a5 = w[f, c, 1, 0], w[f, c, 1, 1], w[f, c, 1, 2]
                    a6, a7, a8 = w[f, c, 2, 0], w[f, c, 2, 1], w[f, c, 2, 2]
                    ff = f + 1 if g else f           # no second filter: the first again, into spare
                    b0, b1, b2 = w[ff, c, 0, 0], w[ff, c, 0, 1], w[ff, c, 0, 2]
                    b3, b4, b5 = w[ff, c, 1, 0], w[ff, c, 1, 1], w[ff, c, 1, 2]
                    b6, b7, b8 = w[ff, c, 2, 0], w[ff, c, 2, 1], w[ff, c, 2, 2]
                    for j in range(width):
                        x00, x01, x02 = p0[j], p0[j + 1], p0[j + 2]
                        x10, x11, x12 = p1[j], p1[j + 1], p1[j + 2]
                        x20, x21, x22 = p2[j], p2[j + 1], p2[j + 2]
                        x30, x31, x32 = p3[j], p3[j + 1], p3[j + 2]
                        o00[j] += (a0 * x00 + a1 * x01 + a2 * x02 + a3 * x10 + a4 * x11 + a5 * x12
                                   + a6 * x20 + a7 * x21 + a8 * x22)
                        o01[j] += (a0 * x10 + a1 * x11 + a2 * x12 + a3 * x20 + a4 * x21 + a5 * x22
                                   + a6 * x30 + a7 * x31 + a8 * x32)
                        o10[j] += (b0 * x00 + b1 * x01 + b2 * x02 + b3 * x10 + b4 * x11 + b5 * x12
                                   + b6 * x20 + b7 * x21 + b8 * x22)
                        o11[j] += (b0 * x10 + b1 * x11 + b2 * x12 + b3 * x20 + b4 * x21 + b5 * x22
                                   + b6 * x30 + b7 * x31 + b8 * x32)
                ff = f + 1 if g else f
                for fo, o in ((f, o00), (f, o01), (ff, o10), (ff, o11)):
                    if scale.size:
                        s = scale[fo]
                        for j in range(width):
                            o[j] *= s
                    if bias.size:
                        b = bias[fo]
                        for j in range(width):
                            o[j] += b
                    if relu:
                        for j in range(width):
                            if o[j] < 0:
                                o[j] = 0


@kernel(fastmath=_FAST, boundscheck=False)
def _weight_grad_rows(x, dy, r0, r1, step, xband, dyband, zeros, dw):
    """``dw (F, C, 9)`` (float64) += the weight gradient of the 3x3 pad-1 convolution over output rows
    ``r0:r1`` of one image, in bands of ``step`` rows: ``x (C, H, W)``, ``dy (F, H, W)``. Scratch:
    ``xband (C, (step+2)*(W+2) + 2)``, ``dyband (F, step*(W+2))``, ``zeros (step*(W+2),)``.

    Output pixel ``p = i*(W+2) + j`` of the band (``j >= W``: zero ``dy``, a dropped wrap-around) reads tap
    ``(kh, kw)`` at ``xband[c, p + kh*(W+2) + kw]``."""
    n_c, h, width = x.shape
    n_f = dy.shape[0]
    for top in range(r0, r1, step):
        rows = min(r1, top + step) - top
        wp = width + 2
        span = rows * wp
        for c in range(n_c):
            xc = xband[c]
            xc[(rows + 2) * wp:] = 0
            for i in range(rows + 2):
                row = top - 1 + i
                base = i * wp
                xc[base] = 0
                xc[base + wp - 1] = 0
                if 0 <= row < h:
                    for j in range(width):
                        xc[base + 1 + j] = x[c, row, j]
                else:
                    for j in range(width):
                        xc[base + 1 + j] = 0
        for f in range(n_f):
            for i in range(rows):
                base = i * wp
                for j in range(width):
                    dyband[f, base + j] = dy[f, top + i, j]
                dyband[f, base + width] = 0
                dyband[f, base + width + 1] = 0
        for i in range(span):
            zeros[i] = 0
        zero = zeros[0]
        for f in range(0, n_f, 2):
            g = f + 1 < n_f
            d0 = dyband[f]
            d1 = dyband[f + 1] if g else zeros
            for c in range(n_c):
                xc = xband[c]
                v0, v1, v2 = xc[0:], xc[1:], xc[2:]
                v3, v4, v5 = xc[wp:], xc[wp + 1:], xc[wp + 2:]
                v6, v7, v8 = xc[2 * wp:], xc[2 * wp + 1:], xc[2 * wp + 2:]
                s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = s8 = zero
                t0 = t1 = t2 = t3 = t4 = t5 = t6 = t7 = t8 = zero
                for p in range(span):
                    e0, e1 = d0[p], d1[p]
                    y0, y1, y2, y3, y4, y5, y6, y7, y8 = v0[p], v1[p], v2[p], v3[p], v4[p], v5[p], v6[p], v7[p], v8[p]
                    s0, s1, s2 = s0 + e0 * y0, s1 + e0 * y1, s2 + e0 * y2
                    s3, s4, s5 = s3 + e0 * y3, s4 + e0 * y4, s5 + e0 * y5
                    s6, s7, s8 = s6 + e0 * y6, s7 + e0 * y7, s8 + e0 * y8
                    t0, t1, t2 = t0 + e1 * y0, t1 + e1 * y1, t2 + e1 * y2
                    t3, t4, t5 = t3 + e1 * y3, t4 + e1 * y4, t5 + e1 * y5
                    t6, t7, t8 = t6 + e1 * y6, t7 + e1 * y7, t8 + e1 * y8
                for k, total in enumerate((s0, s1, s2, s3, s4, s5, s6, s7, s8)):
                    dw[f, c, k] += total
                if g:
                    for k, total in enumerate((t0, t1, t2, t3, t4, t5, t6, t7, t8)):
                        dw[f + 1, c, k] += total

def direct_wins(x_shape, w_shape, stride, pad, dilate, groups, dtype):
    """Whether :mod:`.conv` runs this convolution by the direct kernels: compiled path available, float32,
    3x3 stride 1 pad 1, one group; batches: few channels (:data:`MAX_CHANNELS`) on a large map
    (:data:`MIN_PIXELS`); one image: up to :data:`ONE_IMAGE_MAX_CHANNELS` input channels and
    :data:`ONE_IMAGE_MAX_FILTERS` filters from :data:`ONE_IMAGE_MIN_PIXELS`.

    Examples
    --------
    >>> direct_wins((2, 3, 256, 256), (16, 3, 3, 3), (1, 1), (1, 1), (1, 1), 1, np.float64)
    False
    >>> wins = [direct_wins((n, 32, 64, 64), (128, 32, 3, 3), (1, 1), (1, 1), (1, 1), 1, np.float32)
    ...         for n in (1, 2)]                                                # one image only
    >>> wins == [jit_available(), False]
    True
    """
    return (DIRECT and np.dtype(dtype) == np.float32 and tuple(w_shape[2:]) == (3, 3) and groups == 1
            and tuple(stride) == (1, 1) and tuple(pad) == (1, 1) and tuple(dilate) == (1, 1)
            and (x_shape[0] > 1 and max(x_shape[1], w_shape[0]) <= MAX_CHANNELS
                 and x_shape[2] * x_shape[3] >= MIN_PIXELS
                 or x_shape[0] == 1 and x_shape[1] <= ONE_IMAGE_MAX_CHANNELS and w_shape[0] <= ONE_IMAGE_MAX_FILTERS
                 and x_shape[2] * x_shape[3] >= ONE_IMAGE_MIN_PIXELS)
            and jit_available())


def _units(n, channels, h, width):
    """``(band rows, [(image, r0, r1), ...])``: bands of about BAND_ELEMS input elements (at least
    MIN_BAND_ROWS rows, even), and work units of whole bands, an image each or, with fewer images than
    UNITS_PER_WORKER * cores, parts of images (each unit costs a call: about 15 us)."""
    step = max(MIN_BAND_ROWS, BAND_ELEMS // (channels * (width + 2)))
    step = min(h, step + step % 2)
    bands = -(-h // step)
    parts = min(bands, -(-UNITS_PER_WORKER * WORKERS // n))
    cuts = [step * (b * bands // parts) for b in range(parts)] + [h]
    return step, [(i, cuts[k], cuts[k + 1]) for i in range(n) for k in range(parts)]


def _run(fn, *args):
    """``fn`` compiled when the compiled path is on, else the plain loops (correct, slow: tiny tests only)."""
    compiled = fn.compiled()
    return (compiled or fn.function)(*args)


def direct_forward(x, w, bias=None, relu=False, scale=None, dtype=None):
    """3x3 stride-1 pad-1 convolution ``x (N, C, H, W)`` by ``w (F, C, 3, 3)``, times ``scale``, plus ``bias``,
    then ReLU when ``relu`` (as :func:`.gemm.conv_forward`), one band of rows per work unit on every core.

    Examples
    --------
    >>> y = direct_forward(np.ones((1, 2, 2, 2), np.float32), np.ones((3, 2, 3, 3), np.float32),
    ...                    bias=np.arange(3, dtype=np.float32))
    >>> y[0, :, 0, 0]
    array([ 8.,  9., 10.], dtype=float32)
    """
    dtype = np.dtype(x.dtype if dtype is None else dtype)
    n, c, h, width = x.shape
    x = np.ascontiguousarray(x, dtype)
    w = np.ascontiguousarray(w, dtype)
    none = np.zeros(0, dtype)
    scale = none if scale is None else np.ascontiguousarray(scale, dtype)
    bias = none if bias is None else np.ascontiguousarray(bias, dtype)
    out = empty((n, w.shape[0], h, width), dtype)

    step, units = _units(n, c, h, width)

    def run(_, unit):
        i, r0, r1 = unit
        band = scratch("direct_band", (c, step + 3, width + 2), dtype)
        spare = scratch("direct_spare", (3, width), dtype)
        _run(_forward_rows, x[i], w, r0, r1, step, scale, bias, relu, band, spare, out[i])

    parallel_for(units, run)
    return out


def direct_weight_grad(x, dy):
    """Weight gradient ``(F, C, 3, 3)`` of the 3x3 stride-1 pad-1 convolution of ``x (N, C, H, W)`` given
    ``dy (N, F, H, W)``: band sums in float64, summed in a fixed order (the result does not depend on
    which core took which band).

    Examples
    --------
    >>> direct_weight_grad(np.ones((1, 1, 2, 2), np.float32), np.ones((1, 1, 2, 2), np.float32))[0, 0]
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]], dtype=float32)
    """
    n, c, h, width = x.shape
    f = dy.shape[1]
    x, dy = np.ascontiguousarray(x), np.ascontiguousarray(dy, x.dtype)
    step, units = _units(n, max(c, f), h, width)
    sums = np.zeros((len(units), f, c, 9))

    def run(_, index):
        i, r0, r1 = units[index]
        span = step * (width + 2)
        xband = scratch("direct_band", (c, span + 2 * (width + 2) + 2), x.dtype)
        dyband = scratch("direct_dy", (f, span), x.dtype)
        zeros = scratch("direct_zeros", (span,), x.dtype)
        _run(_weight_grad_rows, x[i], dy[i], r0, r1, step, xband, dyband, zeros, sums[index])

    parallel_for(list(range(len(units))), run)
    return sums.sum(axis=0).astype(x.dtype).reshape(f, c, 3, 3)
