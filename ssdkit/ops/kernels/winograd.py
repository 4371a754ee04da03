"""Winograd F(2x2, 3x3) convolution: 3x3, stride 1, dilation 1, one group, any padding.

Each 2x2 output tile is ``Y = A^T [ (G w G^T) * (B^T d B) ] A`` for the 4x4 input tile ``d`` around it
(Lavin & Gray, 2015): the 36 multiplies of the direct convolution become 16 per (input, output channel)
pair, done as 16 GEMMs ``M[k] (F, T) = U[k] (F, C) @ V[k] (C, T)`` over T tiles, one batched
``np.matmul`` per cache-sized block of tiles. The transforms are sums and differences of whole planes:

* input   ``V = B^T d B``: rows then columns, each output a difference or sum of two inputs. The block's
  input band is stored with even and odd rows and columns apart, so every slice the transform reads is
  a long contiguous run (numpy's per-run overhead, not arithmetic, is what costs on short runs).
* weights ``U = G w G^T`` with ``G = [[1, 0, 0], [1/2, 1/2, 1/2], [1/2, -1/2, 1/2], [0, 0, 1]]``.
* output  ``Y = A^T M A``: each output the sum of three inputs, with signs.
* weight gradient: the exact adjoint of the forward (``dU[k] = dM[k] @ V[k].T`` summed over tiles with
  ``dM = A dY A^T``, then ``dW = G^T dU G``); the data gradient is the forward with the flipped kernel.

The matrices (``B^T``, ``G``, ``A^T`` for interpolation points 0, 1, -1, infinity) have entries 0, +-1 and
+-1/2, so float32 rounding stays near the direct convolution's (measured in tests/test_winograd.py).

Blocks are ``(n0, n1, i0, i1)``: images ``n0:n1`` and tile rows ``i0:i1``; :mod:`.parallel` spreads them
over the cores, each thread with its own scratch buffers.

Examples
--------
>>> import numpy as np
>>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
>>> winograd_forward(x, np.ones((1, 1, 3, 3), np.float32), pad=(0, 0))[0, 0]
array([[45., 54.],
       [81., 90.]], dtype=float32)
"""
import numpy as np

from .arena import empty
from .blas import gemm
from .parallel import WORKERS, parallel_for
from .scratch import scratch

__all__ = ["winograd_applies", "winograd_wins", "winograd_forward", "winograd_weight_grad",
           "winograd_blocks"]

#: Elements (floats) of a block's transformed tiles, input and output together: 16 * (C + F) * T
#: (measured against 2**17..2**20 on ToySSD's 32- to 128-channel layers: best or within noise).
BLOCK_ELEMS = 1 << 19
#: Blocks per core at least, when the work allows (keeps both cores busy to the end).
BLOCKS_PER_WORKER = 3
#: The forward's blocks, and the summed runs' blocks of the weight gradient, hold at least this many tiles:
#: each block's 16 GEMMs stream all of ``U`` (16*F*C floats, 16 MB for 512 channels), so with many channels
#: BLOCK_ELEMS alone would give GEMMs a few dozen columns wide, whose packing of ``U`` costs more than
#: their multiplies (and the gradient's GEMMs as short a K). Measured (quietbench, batch 8): SSD-300's
#: 512->512@38 forward 1.9x faster, 256->256@75 1.3x, weight gradients of 128 to 256 channels 1.1-1.2x.
MIN_BLOCK_TILES = 512
#: ... from this many input plus output channels: below, the wider blocks' scratch (per thread, kept)
#: outweighs their gain: ToySSD's 128-channel layers at batch 32 ran the step 3 % faster but raised its
#: peak RSS 1399 -> 1498 MB (0.48x -> 0.51x PyTorch's 2930 MB; the target is <= 0.5x).
MIN_BLOCK_TILES_CHANNELS = 512
#: When the forward has too few tiles for MIN_BLOCK_TILES-wide blocks on every core (SSD-512's 512-channel
#: 16x16 layers at batch 8: 576 tiles), the cores split the filters instead, over blocks of up to this many
#: tiles, so each streams half of ``U`` once per block.
SPLIT_FORWARD_TILES = 2048
#: Measured crossover against the im2col GEMM: Winograd's transforms cost per channel what its GEMMs save
#: per channel pair, so it wins from this many input and output channels. Measured with the machine to
#: ourselves (benchmark under real-time priority; a loaded box misleads: other processes thrashing the
#: shared cache slow the GEMMs more than the transforms), fwd / data / weight gradient, batch 32:
#: 32->32@128 im2col 1.88x / 1.87x / 1.63x faster, 32->64@64 1.37x / 1.42x / 1.35x, 64->64@64 1.05x /
#: 1.12x / 1.22x, 64->128@32 1.16x / 1.10x / 1.20x; 128->128@32 Winograd 1.14x / 1.20x / 1.22x, at 16x16
#: about even; 256 and 512 channels (SSD-300 at batch 8): Winograd 1.0-1.3x. With MIN_BLOCK_TILES, 64-channel
#: layers on wide maps (SSD-300's 64->64@300, 64->128@150) measured 1.1-1.3x faster alone, yet SSD-300's
#: training step ran 2-8 % slower with them on Winograd (quietbench A/B, twice): they stay on im2col.
MIN_CHANNELS = 128
#: ... and from this output width (narrower maps waste the junk tile column and run tiny GEMMs).
MIN_WIDTH = 16
#: ... and from this batch: with few images the transforms of few tiles cost more than the multiplies they
#: save (quiet box, ToySSD inference on one 256x256 image: 64-70 ms with Winograd, 41 ms on im2col).
MIN_BATCH = 8
#: ... or from SMALL_BATCH images when they hold MIN_TILES tiles or more (SSD-300's layers at batch 2,
#: quietbench: 512->512@38, 760 tiles, fwd / data / weight gradient 1.4x / 1.35x / 1.3x; 256->512@38
#: 1.3x / 1.3x / 1.0x; 256->256@75 1.4x / 1.3x / 1.0x; 128->128@64 1.1x each; left on im2col: SSD-512's
#: 256->256@32, 544 tiles, 1.0x / 0.85x / 0.55x, and 512->512@19, 220 tiles, 0.95x).
SMALL_BATCH = 2
MIN_TILES = 700
#: ... and, for the forward and data gradient, when the computed 2x2 tiles (with the junk column) are at
#: least this share of the output: odd maps waste a tile row and column (19x19: 0.82; measured on
#: SSD-300's 19x19 layers at batch 8, CPU time: im2col 1.2x faster for 512->512, 1.75x for the 1024->126
#: data gradient; the weight gradient stays faster on Winograd, 1.05-1.12x). Even maps from 16 up: >= 0.88.
#: Since the parallel weight transforms and MIN_BLOCK_TILES, 512->512@19 runs 1.3-1.4x faster forward and
#: 1.2-1.3x data gradient on Winograd (quietbench, batch 8, twice), hence 0.81 (19x19: 0.82 in; 17x17: 0.80 out).
MIN_TILE_USE = 0.81
#: Use Winograd where it wins (tests switch it off to compare the paths).
WINOGRAD = True
#: The weight gradient sums its blocks in this many fixed runs per core (result independent of threads).
RUNS_PER_WORKER = 2
#: From this many gradient elements (16 * F * C; 512x512 has 4M) the weight gradient splits the filters
#: over the cores instead of summing runs (see :func:`winograd_weight_grad`) ...
SPLIT_GRAD_ELEMS = 1 << 21
#: ... when each core gets at least this many filters ...
SPLIT_MIN_FILTERS = 64
#: ... in blocks of at least this many tiles (the K of each block's GEMMs: a short K re-reads and re-writes
#: the whole accumulator for few multiply-adds).
SPLIT_BLOCK_TILES = 128


def winograd_applies(w_shape, stride, dilate, groups):
    """Whether F(2x2, 3x3) computes this convolution: a 3x3 kernel, stride 1, dilation 1, one group.

    Examples
    --------
    >>> winograd_applies((8, 4, 3, 3), (1, 1), (1, 1), 1), winograd_applies((8, 4, 3, 3), (2, 2), (1, 1), 1)
    (True, False)
    """
    return tuple(w_shape[2:]) == (3, 3) and tuple(stride) == (1, 1) and tuple(dilate) == (1, 1) \
        and groups == 1


def winograd_wins(x_shape, w_shape, stride, pad, dilate, groups, dtype=np.float32, weight_grad=False):
    """Whether the convolution of ``x_shape`` by ``w_shape`` should run here rather than as im2col GEMMs:
    it applies, the padding is not negative, the work is float32 or float64 (half precision would lose
    the transforms' extra rounding against its 11-bit mantissa), and the layer is past the measured
    crossover (for its ``weight_grad`` or else for the forward and data gradient).

    Examples
    --------
    >>> winograd_wins((8, 128, 32, 32), (128, 128, 3, 3), (1, 1), (1, 1), (1, 1), 1)
    True
    >>> winograd_wins((8, 3, 256, 256), (16, 3, 3, 3), (1, 1), (1, 1), (1, 1), 1)     # too thin
    False
    >>> winograd_wins((1, 128, 32, 32), (128, 128, 3, 3), (1, 1), (1, 1), (1, 1), 1)   # one image
    False
    >>> [winograd_wins((8, 512, 17, 17), (512, 512, 3, 3), (1, 1), (1, 1), (1, 1), 1, weight_grad=grad)
    ...  for grad in (False, True)]                                              # odd map
    [False, True]
    """
    if not (WINOGRAD and winograd_applies(w_shape, stride, dilate, groups) and min(pad) >= 0
            and np.dtype(dtype) in (np.float32, np.float64)
            and min(w_shape[:2]) >= MIN_CHANNELS and x_shape[3] + 2 * pad[1] - 2 >= MIN_WIDTH
            and x_shape[0] >= min(MIN_BATCH, SMALL_BATCH)):
        return False
    oh, ow, th, tw = _tiles(x_shape, pad)
    if x_shape[0] < MIN_BATCH and x_shape[0] * th * (tw + 1) < MIN_TILES:
        return False
    return weight_grad or oh * ow >= MIN_TILE_USE * (2 * th) * (2 * (tw + 1))


def _tiles(x_shape, pad):
    """``(OH, OW, tile rows, tile columns)`` of a 3x3 stride-1 convolution of ``x_shape``."""
    oh, ow = x_shape[2] + 2 * pad[0] - 2, x_shape[3] + 2 * pad[1] - 2
    return oh, ow, -(-oh // 2), -(-ow // 2)


def winograd_blocks(n, c, f, th, tw, elems=None, min_blocks=None):
    """``(n0, n1, i0, i1)`` blocks of about ``elems`` (default :data:`BLOCK_ELEMS`) transformed elements,
    and at least ``min_blocks`` (default ``BLOCKS_PER_WORKER`` per core) when there are enough tile rows.

    Examples
    --------
    >>> winograd_blocks(1, 64, 64, 1, 4)
    [(0, 1, 0, 1)]
    """
    min_blocks = BLOCKS_PER_WORKER * WORKERS if min_blocks is None else min_blocks
    per_row = 16 * (c + f) * (tw + 1)
    rows = max(1, (BLOCK_ELEMS if elems is None else elems) // per_row)
    rows = min(rows, max(1, -(-n * th // min_blocks)))
    if rows >= th:
        images = max(1, min(rows // th, -(-n // min_blocks)))
        return [(n0, min(n, n0 + images), 0, th) for n0 in range(0, n, images)]
    return [(i, i + 1, r0, min(th, r0 + rows)) for i in range(n) for r0 in range(0, th, rows)]


_G = np.array([[1, 0, 0], [.5, .5, .5], [.5, -.5, .5], [0, 0, 1]])
#: ``U[4*s + k] = sum_ij G[k, i] G[s, j] w[i, j]`` as a (16, 9) matrix over ``w``'s flat 3x3 taps.
_TO_TILES = np.einsum("ki,sj->skij", _G, _G).reshape(16, 9)
#: ``dW[3*i + j] = sum_sk G[k, i] G[s, j] dU[4*s + k]``, with the deferred negations of dM's row and column 3.
_SIGNS = np.array([1, 1, 1, -1])
_FROM_TILES = _TO_TILES * np.outer(_SIGNS, _SIGNS).reshape(16, 1)
#: Filters per unit of the parallel weight transforms.
TRANSFORM_CHUNKS_PER_WORKER = 2


def _filter_chunks(f):
    count = min(f, TRANSFORM_CHUNKS_PER_WORKER * WORKERS)
    return [(i * f // count, (i + 1) * f // count) for i in range(count)]


def _block_elems(c, f):
    """Transformed elements per block for ``c`` input and ``f`` output channels (see MIN_BLOCK_TILES)."""
    return max(BLOCK_ELEMS, MIN_BLOCK_TILES * 16 * (c + f)) if c + f >= MIN_BLOCK_TILES_CHANNELS else BLOCK_ELEMS


def _weight_transform(w, scale=None):
    """``U (16, F, C)``: ``G w G^T`` per channel pair in float64 (times ``scale[f]`` per filter when
    given), returned in ``w.dtype``, batch index ``4*s + k`` for tile row ``k`` and tile column ``s``
    (the order :func:`_input_tiles` writes).

    One (16, 9) @ (9, Fc*C) float64 GEMM per chunk of filters, the chunks on every core with one-thread
    BLAS (a whole-array GEMM outside the parallel region would wake the BLAS's threads; plane sums with
    stacked temporaries took 100 ms for 512x512 channels on one core)."""
    f, c = w.shape[:2]
    u = np.empty((16, f, c), w.dtype)
    flat = w.reshape(f, c, 9)

    def run(_, chunk):
        f0, f1 = chunk
        part = _TO_TILES @ flat[f0:f1].reshape(-1, 9).T.astype(np.float64)       # (16, Fc*C)
        part = part.reshape(16, f1 - f0, c)
        if scale is not None:
            part *= scale[f0:f1].astype(np.float64)[:, None]
        u[:, f0:f1] = part

    parallel_for(_filter_chunks(f), run)
    return u


def _input_tiles(x, pad, tw, block):
    """``V (4, 4, C, nb, ti, tw + 1)``: ``V[s, k] = (B^T d B)[k, s]`` for every 4x4 input tile ``d`` of
    the block (zero padding).

    Tile column ``tw`` is junk (wrapped from the next tile row; the very last is zero): keeping it lets
    the column transform run over whole planes as one flat run. Callers never copy it out and zero it
    on the gradient side."""
    n0, n1, i0, i1 = block
    _, c, h, w = x.shape
    nb, ti, wh = n1 - n0, i1 - i0, tw + 1
    # band[q, p, c, n, i, j] = padded x[n0 + n, c, 2*(i0 + i) + p, 2*j + q]: row and column parities apart
    band = scratch("wino_band", (2, 2, c, nb, ti + 1, wh), x.dtype)
    for p in (0, 1):
        first = 2 * i0 + p - pad[0]                      # x row of band row (p, 0)
        i_lo = max(0, -(first // 2) if first < 0 else 0)  # band rows reading x rows >= 0
        i_hi = max(i_lo, min(ti + 1, (h - 1 - first) // 2 + 1))
        for q in (0, 1):
            col0 = (q - pad[1]) % 2                      # first x column with this parity
            j0 = (col0 + pad[1]) // 2
            count = max(0, min((w - col0 + 1) // 2, wh - j0))
            plane = band[q, p]
            plane[:, :, :i_lo] = 0
            plane[:, :, i_hi:] = 0
            plane[:, :, i_lo:i_hi, :j0] = 0
            plane[:, :, i_lo:i_hi, j0 + count:] = 0
            if count and i_hi > i_lo:
                rows = slice(first + 2 * i_lo, first + 2 * i_hi - 1, 2)
                np.copyto(plane[:, :, i_lo:i_hi, j0:j0 + count],
                          x[n0:n1, :, rows, col0:col0 + 2 * count - 1:2].transpose(1, 0, 2, 3))
    # rows: t[q, k] = (B^T d)[k]; tile row k of tile i is band row (parity k % 2, index i + k // 2)
    r0, r1, r2, r3 = band[:, 0, ..., :ti, :], band[:, 1, ..., :ti, :], band[:, 0, ..., 1:, :], band[:, 1, ..., 1:, :]
    t = scratch("wino_t", (2, 4, c, nb, ti, wh), x.dtype)
    np.subtract(r0, r2, out=t[:, 0])
    np.add(r1, r2, out=t[:, 1])
    np.subtract(r2, r1, out=t[:, 2])
    np.subtract(r1, r3, out=t[:, 3])
    # columns likewise, each parity plane as one flat run (tile column s of tile j: parity s % 2,
    # index j + s // 2, i.e. the next element); the last element has no right neighbour
    flat = t.reshape(2, -1)
    s0, s1, s2, s3 = flat[0, :-1], flat[1, :-1], flat[0, 1:], flat[1, 1:]
    v = scratch("wino_v", (4, flat.shape[1]), x.dtype)
    np.subtract(s0, s2, out=v[0, :-1])
    np.add(s1, s2, out=v[1, :-1])
    np.subtract(s2, s1, out=v[2, :-1])
    np.subtract(s1, s3, out=v[3, :-1])
    v[:, -1] = 0
    return v.reshape(4, 4, c, nb, ti, wh)


def _output_tiles(m, out, nb, ti, wh):
    """``out (F, nb, rows, OW) = A^T M A`` from ``M (16, F, nb*ti*wh)`` (batch index ``4*s + k``;
    ``wh`` counts the junk column); output pixel ``(2*i + a, 2*j + b)`` is ``Y[a, b, :, :, i, j]``.

    ``Y`` is computed in contiguous scratch and then copied out (4 strided copies): measured 1.4x faster
    than doing the sums straight into the strided output."""
    f = out.shape[0]
    m = m.reshape(4, 4, -1)
    s = scratch("wino_s", (2, 4, m.shape[2]), m.dtype)             # s[a, col] = (A^T M)[a, col]
    np.add(m[:, 0], m[:, 1], out=s[0])
    s[0] += m[:, 2]
    np.subtract(m[:, 1], m[:, 2], out=s[1])
    s[1] -= m[:, 3]
    y = scratch("wino_y", (2, 2, m.shape[2]), m.dtype)
    np.add(s[:, 0], s[:, 1], out=y[:, 0])
    y[:, 0] += s[:, 2]
    np.subtract(s[:, 1], s[:, 2], out=y[:, 1])
    y[:, 1] -= s[:, 3]
    y = y.reshape(2, 2, f, nb, ti, wh)
    for a in (0, 1):
        for b in (0, 1):
            part = out[:, :, a::2, b::2]
            np.copyto(part, y[a, b, :, :, :part.shape[2], :part.shape[3]])


def winograd_forward(x, w, pad=(1, 1), bias=None, relu=False, dtype=None, scale=None):
    """``y = conv(x, w) * scale + bias``, then ``max(y, 0)`` when ``relu``: 3x3, stride 1, by F(2x2, 3x3).

    Parameters
    ----------
    x : ndarray (N, C, H, W)
    w : ndarray (F, C, 3, 3)
    pad : tuple of 2 int (>= 0)
    bias : ndarray (F,) or None
    relu : bool
    dtype : numpy dtype or None
        Result dtype (default ``x.dtype``); the work runs in it.
    scale : ndarray (F,) or None
        Per filter factor, folded into the transformed weights (exact in float64 before rounding).

    Returns
    -------
    ndarray (N, F, H + 2*pad_h - 2, W + 2*pad_w - 2)

    Examples
    --------
    >>> y = winograd_forward(np.ones((1, 1, 3, 3), np.float32), np.ones((1, 1, 3, 3), np.float32))
    >>> y[0, 0]
    array([[4., 6., 4.],
           [6., 9., 6.],
           [4., 6., 4.]], dtype=float32)
    """
    dtype = np.dtype(x.dtype if dtype is None else dtype)
    x = x.astype(dtype, copy=False)
    n, c = x.shape[:2]
    f = w.shape[0]
    oh, ow, th, tw = _tiles(x.shape, pad)
    u = _weight_transform(w.astype(dtype, copy=False), scale)
    bias = None if bias is None else bias.astype(dtype, copy=False)
    dst = empty((n, f, oh, ow), dtype)          # the graph executor's arena, if any (as conv_forward's)

    elems = _block_elems(c, f)
    blocks = winograd_blocks(n, c, f, th, tw, elems)
    if (f >= SPLIT_MIN_FILTERS * WORKERS and c + f >= MIN_BLOCK_TILES_CHANNELS
            and n * th * (tw + 1) < MIN_BLOCK_TILES * len(blocks)):
        # too few tiles for wide blocks on every core: each core takes its share of the filters (of U)
        # over wide blocks of all tiles (the input transform, cheap at such channel counts, done twice)
        parts = [(i * f // WORKERS, (i + 1) * f // WORKERS) for i in range(WORKERS)]
        per_part = -(-f // WORKERS)
        blocks = winograd_blocks(n, c, per_part, th, tw, max(BLOCK_ELEMS, SPLIT_FORWARD_TILES * 16 * (c + per_part)), 1)
        units = [(block, f0, f1) for block in blocks for f0, f1 in parts]
        u_parts = {f0: np.ascontiguousarray(u[:, f0:f1]) for f0, f1 in parts}
    else:
        units = [(block, 0, f) for block in blocks]
        u_parts = {0: u}

    def run(_, unit):
        (n0, n1, i0, i1), f0, f1 = unit
        nb, ti = n1 - n0, i1 - i0
        v = _input_tiles(x, pad, tw, (n0, n1, i0, i1))
        m = scratch("wino_m", (16, f1 - f0, nb * ti * (tw + 1)), dtype)
        np.matmul(u_parts[f0], v.reshape(16, c, -1), out=m)
        if bias is not None:      # A^T e1 e1^T A is all ones: the bias enters through M[s=1, k=1]
            m[5] += bias[f0:f1, None]
        out = dst[n0:n1, f0:f1, 2 * i0:min(oh, 2 * i1)].transpose(1, 0, 2, 3)
        _output_tiles(m, out, nb, ti, tw + 1)
        if relu:
            np.maximum(out, 0, out=out)

    parallel_for(units, run)
    return dst


def _grad_tiles(dy, tw, block):
    """``dM (4, 4, F, nb, ti, tw + 1)``: ``dM[s, k] = (A dY A^T)[k, s]`` for the block's 2x2
    output-gradient tiles, with row 3 and column 3 negated (the caller flips them back once on the
    summed product); zero in the junk column, so :func:`_input_tiles`' junk never reaches the sum."""
    n0, n1, i0, i1 = block
    _, f, oh, ow = dy.shape
    nb, ti, wh = n1 - n0, i1 - i0, tw + 1
    d = scratch("wino_dy", (2, 2, f, nb, ti, wh), dy.dtype)          # d[a, b]: pixels (2i + a, 2j + b)
    part = dy[n0:n1, :, 2 * i0:min(oh, 2 * i1)].transpose(1, 0, 2, 3)
    for a in (0, 1):
        for b in (0, 1):
            src = part[:, :, a::2, b::2]
            rows, cols = src.shape[2:]
            d[a, b, :, :, rows:] = 0
            d[a, b, :, :, :rows, cols:] = 0
            np.copyto(d[a, b, :, :, :rows, :cols], src)
    d = d.reshape(2, 2, -1)
    # rows (A dY): d0, d0 + d1, d0 - d1, -d1 (negation deferred)
    r = scratch("wino_r", (4, 2, d.shape[2]), dy.dtype)
    np.copyto(r[0], d[0])
    np.add(d[0], d[1], out=r[1])
    np.subtract(d[0], d[1], out=r[2])
    np.copyto(r[3], d[1])
    dm = scratch("wino_dm", (4, 4, d.shape[2]), dy.dtype)
    np.copyto(dm[0], r[:, 0])
    np.add(r[:, 0], r[:, 1], out=dm[1])
    np.subtract(r[:, 0], r[:, 1], out=dm[2])
    np.copyto(dm[3], r[:, 1])
    return dm.reshape(4, 4, f, nb, ti, wh)


def winograd_weight_grad(x, dy, pad=(1, 1)):
    """Gradient w.r.t. the weight of ``dy``'s 3x3 stride-1 convolution of ``x``, by F(2x2, 3x3).

    Each block's 16 products ``dM[k] @ V[k].T`` are added in place into an accumulator (:func:`.blas.gemm`).
    Small gradients are summed in fixed runs of blocks, one accumulator per run; from
    :data:`SPLIT_GRAD_ELEMS` on, the units split the filters instead (each owns its rows of the gradient
    and runs every block, transforming the input again: cheap next to its GEMMs at such channel counts),
    so the accumulators together are one gradient, not one per run, and need no final sum.

    Parameters
    ----------
    x : ndarray (N, C, H, W)
    dy : ndarray (N, F, OH, OW)
    pad : tuple of 2 int

    Returns
    -------
    ndarray (F, C, 3, 3) in ``dy.dtype``

    Examples
    --------
    >>> winograd_weight_grad(np.ones((1, 1, 3, 3), np.float32), np.ones((1, 1, 3, 3), np.float32))[0, 0]
    array([[4., 6., 4.],
           [6., 9., 6.],
           [4., 6., 4.]], dtype=float32)
    """
    dtype = dy.dtype
    x = x.astype(dtype, copy=False)
    n, c = x.shape[:2]
    f = dy.shape[1]
    _, _, th, tw = _tiles(x.shape, pad)
    split = 16 * f * c >= SPLIT_GRAD_ELEMS and f >= SPLIT_MIN_FILTERS * WORKERS
    if split:
        parts = [(i * f // WORKERS, (i + 1) * f // WORKERS) for i in range(WORKERS)]
        per_part = -(-f // WORKERS)
        blocks = winograd_blocks(n, c, per_part, th, tw, max(BLOCK_ELEMS, SPLIT_BLOCK_TILES * 16 * (c + per_part)))
        units = [(i, f0, f1, blocks) for i, (f0, f1) in enumerate(parts)]
    else:
        blocks = winograd_blocks(n, c, f, th, tw, _block_elems(c, f))
        # fixed consecutive runs summed in order: the result does not depend on which thread took which run
        runs = min(len(blocks), RUNS_PER_WORKER * WORKERS)
        units = [(i, 0, f, blocks[i * len(blocks) // runs:(i + 1) * len(blocks) // runs]) for i in range(runs)]

    def run(sums, unit):
        index, f0, f1, run_blocks = unit
        total = sums[index] = np.zeros((16, f1 - f0, c), dtype)
        part = dy[:, f0:f1]
        partial = None if split else scratch("wino_du", total.shape, dtype)
        for block in run_blocks:
            v = _input_tiles(x, pad, tw, block).reshape(16, c, -1)
            dm = _grad_tiles(part, tw, block).reshape(16, f1 - f0, -1)
            if split:         # large: added in place (no partial as large as the gradient)
                for k in range(16):
                    gemm(dm[k], v[k].T, total[k], accumulate=True)
            else:             # small: one batched product and one add beat 16 calls
                np.matmul(dm, v.transpose(0, 2, 1), out=partial)
                total += partial
        if split:             # this unit's filters are complete: transform them here, on this core
            sums[index] = _weights_from_tiles(total.astype(np.float64), dtype)

    sums = {}
    for found in parallel_for(units, run, dict):
        sums.update(found)
    if split:
        return np.concatenate([sums[index] for index in sorted(sums)])
    du = np.zeros((16, f, c), np.float64)
    for index in sorted(sums):            # runs: summed in order
        du += sums[index]
    return _weights_from_tiles(du, dtype)


def _weights_from_tiles(du, dtype):
    """``dW (F, C, 3, 3) = G^T dU G`` in ``dtype`` from the summed tile products ``du (16, F, C)``
    (float64), undoing the deferred negations of dM's row 3 and column 3 (folded into the matrix)."""
    f, c = du.shape[1:]
    dw = np.empty((f, c, 9), dtype)
    flat = du.reshape(16, f * c)

    def run(_, chunk):
        f0, f1 = chunk
        dw[f0:f1] = (flat[:, f0 * c:f1 * c].T @ _FROM_TILES).reshape(f1 - f0, c, 9)

    parallel_for(_filter_chunks(f), run)
    return dw.reshape(f, c, 3, 3)
