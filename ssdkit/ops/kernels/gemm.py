"""The GEMM side of every convolution direction, block by block (blocks from :class:`.im2col.Plan`),
with the blocks spread over the cores (:func:`.parallel.parallel_for`).

For a group with weight ``w (Fg, Cg, KH, KW)`` and a block's gathered matrix ``cols``:

* standard: ``out = w.reshape(Fg, Cg*KH*KW) @ cols``; weight gradient ``dy_block @ cols.T``.
* stacked (see :mod:`.im2col`): ``Z = W_rows @ cols`` with ``W_rows[kh*Fg + f, c*KW + kw] = w[f, c, kh, kw]``,
  then ``out[:, j] = sum_kh Z[kh-th Fg rows, j + kh*dh*W]``: KH row-shifted adds of cache-resident
  blocks. The weight gradient multiplies ``cols.T`` by ``dy`` copied at the KH row shifts, in one GEMM.

Examples
--------
>>> import numpy as np
>>> from .im2col import Plan
>>> x = np.arange(2 * 1 * 3 * 3, dtype=np.float32).reshape(2, 1, 3, 3)
>>> plan = Plan(x.shape, (2, 2), (1, 1), (0, 0), (1, 1), 1, (2, 2))
>>> conv_forward(x, np.ones((1, 1, 2, 2), np.float32), plan)[0, 0]      # sums of 2x2 windows
array([[ 8., 12.],
       [20., 24.]], dtype=float32)
"""
import numpy as np

from .blas import gemm
from .im2col import Plan, block_of
from .parallel import WORKERS, parallel_for
from .scratch import scratch
from .arena import empty

__all__ = ["conv_forward", "conv_weight_grad", "conv_col2im"]

#: The weight gradient is summed in this many fixed runs of blocks per core (balance vs. memory: one
#: gradient-sized accumulator per run).
RUNS_PER_WORKER = 4
#: A GEMM whose small side is this small (elements: a weight or weight gradient of 16 x 27 for a
#: 3-channel input) runs in pieces of CHUNK_COLS columns: BLAS packs the long operand of such a GEMM at a
#: fraction of its speed; in cache-sized pieces ToySSD's 3->16 layer runs its weight-gradient GEMM 2.1x and
#: its forward GEMM 1.3x faster (measured; no gain from 48 x 48 up, so larger GEMMs run whole).
SMALL_MATRIX_ELEMS = 1024
CHUNK_COLS = 2048
#: From this many weight-gradient elements (F x C*KH*KW) the weight gradient splits the filters over the
#: cores rather than summing runs of blocks (see :func:`conv_weight_grad`) ...
SPLIT_GRAD_ELEMS = 1 << 20
#: ... when each core gets at least this many filters ...
SPLIT_MIN_FILTERS = 64
#: ... in blocks of at least this many columns (the K of each block's GEMM: a short K re-reads and
#: re-writes the whole accumulator for few multiply-adds).
SPLIT_BLOCK_COLS = 256
#: With fewer filters than that, a weight gradient of at least SPLIT_CHANNELS_MIN_ELEMS elements whose input
#: channels divide over the cores, this many or more each, splits the input channels over the cores
#: instead (see :func:`_weight_grad_by_channels`).
SPLIT_CHANNELS_MIN = 64
SPLIT_CHANNELS_MIN_ELEMS = 1 << 16
#: From this many weight elements (F x C*KH*KW) the forward's column blocks are at least WIDE_BLOCK_COLS
#: wide: every block's GEMM packs the whole weight again, and CHUNK_ELEMS alone gives a 512-channel 3x3
#: layer blocks 113 columns wide, where that packing costs a third of the multiplies.
WIDE_MIN_WEIGHT = 1 << 18
WIDE_BLOCK_COLS = 512
#: The forward splits the filters (rather than the output columns) over the cores when the output has at
#: most this many columns (N*OH*OW) per filter and fewer than SPLIT_FORWARD_MAX_COLS in all, given
#: SPLIT_MIN_FILTERS filters per core. Measured (CPU time) on ResNet-50's layers: at batch 1 1.1-2.1x on
#: the 14x14 and 7x7 maps; 128 filters on 784 columns lost (0.8x), and so did batch 16's 7x7 maps (784
#: columns, 0.9-0.98x: their column blocks are wide enough already).
SPLIT_FORWARD_COLS_PER_FILTER = 2
SPLIT_FORWARD_MAX_COLS = 512


def _matmul_by_columns(mat, cols, out):
    """``out = mat @ cols``, in pieces of CHUNK_COLS columns when ``mat`` is small (see above)."""
    if mat.size > SMALL_MATRIX_ELEMS:
        np.matmul(mat, cols, out=out)
        return
    for j in range(0, cols.shape[1], CHUNK_COLS):
        np.matmul(mat, cols[:, j:j + CHUNK_COLS], out=out[:, j:j + CHUNK_COLS])


def _weight_mats(w, plan):
    """Per group, the GEMM left operand for ``w (Cd, Cg, KH, KW)``: standard or row-stacked."""
    fg = w.shape[0] // plan.groups
    groups = [w[g * fg:(g + 1) * fg] for g in range(plan.groups)]
    if plan.stacked:
        return [np.ascontiguousarray(wg.transpose(2, 0, 1, 3)).reshape(plan.kernel[0] * fg, -1)
                for wg in groups]
    return [wg.reshape(fg, -1) for wg in groups]


def _add_shifted(z, out, plan):
    """``out (Fg, nb, rows*W) = sum_kh z[kh rows block, :, kh*dh*W : ...]``: the stacked sum."""
    kh_n, shift, span = plan.kernel[0], plan.dilate[0] * plan.w, out.shape[2]
    fg, nb = out.shape[:2]
    z = z.reshape(kh_n, fg, nb, -1)
    np.add(z[0, :, :, :span], z[1, :, :, shift:shift + span], out=out)
    for kh in range(2, kh_n):
        np.add(out, z[kh, :, :, kh * shift:kh * shift + span], out=out)


def finish(out, scale, bias, relu):
    """``out = max(out * scale + bias, 0)`` in place, each step only when asked, on a cache-resident block
    whose axis 0 (or 1, then of a 4-d array) is the output channel.

    Examples
    --------
    >>> out = np.ones((2, 1, 3))
    >>> finish(out, np.array([2., 3.]), np.array([-3., 0.]), relu=True)[:, 0, 0]
    array([0., 3.])
    """
    if scale is not None:
        out *= scale[:, None, None]
    if bias is not None:
        out += bias[:, None, None]
    if relu:
        np.maximum(out, 0, out=out)
    return out


def forward_splits_filters(plan, filters):
    """Whether :func:`conv_forward` splits the filters over the cores rather than the output columns:
    one group, not stacked, enough filters, and few output columns per filter
    (:data:`SPLIT_FORWARD_COLS_PER_FILTER`; column blocks would be narrow GEMMs each streaming the whole
    weight).

    Examples
    --------
    >>> from .im2col import Plan
    >>> forward_splits_filters(Plan((1, 512, 7, 7), (3, 3), (1, 1), (1, 1), (1, 1), 1, (7, 7), 512), 512)
    True
    """
    return (plan.groups == 1 and not plan.stacked and filters >= SPLIT_MIN_FILTERS * WORKERS
            and plan.n * plan.oh * plan.ow <= min(SPLIT_FORWARD_COLS_PER_FILTER * filters,
                                                  SPLIT_FORWARD_MAX_COLS - 1))


def conv_forward(src, w, plan, bias=None, dtype=None, relu=False, scale=None):
    """``dst = conv(src, w) * scale + bias``, then ``max(dst, 0)`` when ``relu``, for the geometry ``plan``.

    Scale, bias and ReLU are applied block by block while each output block is still in cache (no extra
    pass). Small output maps with many filters (:func:`forward_splits_filters`) give each core a share of
    the filters instead of a share of the output columns.

    Parameters
    ----------
    src : ndarray (N, Cs, H, W)
    w : ndarray (Cd, Cs/groups, KH, KW)
    plan : Plan
    bias : ndarray (Cd,) or None
    dtype : numpy dtype or None
        Result dtype (default ``src.dtype``).
    relu : bool
    scale : ndarray (Cd,) or None
        Per output channel factor (a folded BatchNorm's ``gamma / std``), applied before the bias.

    Returns
    -------
    ndarray (N, Cd, OH, OW)

    Examples
    --------
    >>> from .im2col import Plan
    >>> x = np.ones((1, 2, 2, 2), np.float32)
    >>> plan = Plan(x.shape, (1, 1), (1, 1), (0, 0), (1, 1), 2, (2, 2))
    >>> conv_forward(x, np.array([2., 3.], np.float32).reshape(2, 1, 1, 1), plan)[0, :, 0, 0]
    array([2., 3.], dtype=float32)
    """
    dtype = src.dtype if dtype is None else dtype
    fg = w.shape[0] // plan.groups
    mats = _weight_mats(w, plan)
    dst = empty((plan.n, w.shape[0], plan.oh, plan.ow), dtype)   # the graph executor's arena, if any
    if forward_splits_filters(plan, fg):
        units = [(block, i * fg // WORKERS, (i + 1) * fg // WORKERS) for block in plan.blocks(1)
                 for i in range(WORKERS)]
    else:
        wide = WIDE_BLOCK_COLS if fg * plan.k_rows >= WIDE_MIN_WEIGHT else 1
        units = [(block, 0, fg) for block in plan.blocks(WORKERS, wide)]

    def run(_, unit):
        (n0, n1, r0, r1), f0, f1 = unit
        for g, mat in enumerate(mats):
            cols = plan.gather(src, n0, n1, r0, r1, g * plan.cg)
            c0 = g * fg + f0                      # first output channel of this unit in this group
            out = block_of(dst, n0, n1, r0, r1, c0, f1 - f0)
            if plan.stacked:
                z = scratch("gemm_out", (mat.shape[0], cols.shape[1]), dtype)
                np.matmul(mat, cols, out=z)
                _add_shifted(z, out, plan)
            elif n1 - n0 == 1:                       # the GEMM writes the output block in place
                _matmul_by_columns(mat[f0:f1], cols, out[:, 0])
            else:
                z = scratch("gemm_out", (f1 - f0, cols.shape[1]), dtype)
                _matmul_by_columns(mat[f0:f1], cols, z)
                np.copyto(out, z.reshape(out.shape))
            finish(out, None if scale is None else scale[c0:c0 + f1 - f0],
                    None if bias is None else bias[c0:c0 + f1 - f0], relu)

    parallel_for(units, run)
    return dst


def _dy_rows(dy, plan, n0, n1, r0, r1, f0, fg):
    """The output gradient of a block as the GEMM's left operand, column-aligned with the gather."""
    block = block_of(dy, n0, n1, r0, r1, f0, fg)
    if not plan.stacked:
        if n1 - n0 == 1:
            return block[:, 0]
        buf = scratch("dy_rows", block.shape, dy.dtype)
        np.copyto(buf, block)
        return buf.reshape(fg, -1)
    # stacked: kernel row kh pairs dy with the gathered rows kh*dh lower: dy copied at KH shifts
    kh_n, shift, span = plan.kernel[0], plan.dilate[0] * plan.w, block.shape[2]
    buf = scratch("dy_rows", (kh_n, fg, n1 - n0, span + plan.halo * plan.w), dy.dtype)
    for kh in range(kh_n):
        buf[kh, :, :, :kh * shift] = 0
        buf[kh, :, :, kh * shift + span:] = 0
        buf[kh, :, :, kh * shift:kh * shift + span] = block
    return buf.reshape(kh_n * fg, -1)


def conv_weight_grad(src, dy, plan, w_shape):
    """Gradient w.r.t. the weight of ``dst = conv(src, w)``, summed over the blocks.

    Small gradients are summed in fixed runs of blocks, one accumulator per run. From
    :data:`SPLIT_GRAD_ELEMS` on (one group, not stacked) the units split the filters instead: each owns
    its rows of the gradient, gathers every block itself (cheap next to its GEMMs at such sizes) and adds
    each block's product in place (:func:`.blas.gemm`), so there is one gradient-sized accumulator in all,
    no partial product of that size per block, and no final sum.

    Parameters
    ----------
    src : ndarray (N, Cs, H, W)
    dy : ndarray (N, Cd, OH, OW)
    plan : Plan
    w_shape : tuple of 4 int
        ``(Cd, Cs/groups, KH, KW)``.

    Returns
    -------
    ndarray of ``w_shape``

    Examples
    --------
    >>> from .im2col import Plan
    >>> plan = Plan((1, 1, 2, 2), (1, 1), (1, 1), (0, 0), (1, 1), 1, (2, 2))
    >>> conv_weight_grad(np.ones((1, 1, 2, 2), np.float32), np.ones((1, 1, 2, 2), np.float32), plan,
    ...                  (1, 1, 1, 1)).ravel()
    array([4.], dtype=float32)
    """
    fg = w_shape[0] // plan.groups
    rows = plan.kernel[0] * fg if plan.stacked else fg
    split = (plan.groups == 1 and not plan.stacked and rows * plan.gather_rows >= SPLIT_GRAD_ELEMS
             and fg >= SPLIT_MIN_FILTERS * WORKERS)
    if (not split and plan.groups == 1 and WORKERS > 1 and plan.cg % WORKERS == 0
            and plan.cg // WORKERS >= SPLIT_CHANNELS_MIN and fg * plan.k_rows >= SPLIT_CHANNELS_MIN_ELEMS):
        return _weight_grad_by_channels(src, dy, plan, fg).reshape(w_shape)
    if split:
        blocks = plan.blocks(1, SPLIT_BLOCK_COLS)
        units = [(i, i * fg // WORKERS, (i + 1) * fg // WORKERS, blocks) for i in range(WORKERS)]
    else:
        blocks = plan.blocks(WORKERS)
        # a fixed split into consecutive runs of blocks, each summed in order into its own accumulator
        # and the runs summed in order: the result does not depend on which thread took which run
        runs = min(len(blocks), RUNS_PER_WORKER * WORKERS)
        units = [(i, 0, rows, blocks[i * len(blocks) // runs:(i + 1) * len(blocks) // runs])
                 for i in range(runs)]

    def run(sums, unit):
        index, f0, f1, run_blocks = unit
        grads = sums[index] = np.zeros((plan.groups, f1 - f0, plan.gather_rows), dy.dtype)
        partial = None if split else scratch("dw_partial", grads.shape[1:], dy.dtype)
        for n0, n1, r0, r1 in run_blocks:
            for g in range(plan.groups):
                cols = plan.gather(src, n0, n1, r0, r1, g * plan.cg)
                if split:
                    dy_rows = _dy_rows(dy, plan, n0, n1, r0, r1, f0, f1 - f0)
                    gemm(dy_rows, cols.T, grads[g], accumulate=True)
                    continue
                dy_rows = _dy_rows(dy, plan, n0, n1, r0, r1, g * fg, fg)
                step = CHUNK_COLS if partial.size <= SMALL_MATRIX_ELEMS else cols.shape[1]
                for j in range(0, cols.shape[1], step):
                    np.matmul(dy_rows[:, j:j + step], cols[:, j:j + step].T, out=partial)
                    grads[g] += partial

    sums = {}
    for part in parallel_for(units, run, dict):
        sums.update(part)
    grads = np.zeros((plan.groups, rows, plan.gather_rows), dy.dtype)
    for index in sorted(sums):         # runs: summed in order; filter parts: each its own rows
        grads[:, units[index][1]:units[index][2]] += sums[index]
    kh, kw = plan.kernel
    if plan.stacked:      # (groups, KH, Fg, Cg, KW) -> (groups, Fg, Cg, KH, KW)
        grads = grads.reshape(plan.groups, kh, fg, plan.cg, kw).transpose(0, 2, 3, 1, 4)
    return np.ascontiguousarray(grads).reshape(w_shape)


def _weight_grad_by_channels(src, dy, plan, fg):
    """The weight gradient of one-group ``plan`` with its input channels split over the cores, as
    ``(Fg, C, KH, KW)``.

    Each core gathers only its channels' patches (no patch gathered twice, unlike a split of the filters),
    multiplies the whole output gradient by them and adds each block's product in place into its own
    columns of the gradient (:func:`.blas.gemm`): no gradient-sized partial per block, no final sum, and
    blocks as wide as :data:`SPLIT_BLOCK_COLS` however many rows the gathering has. Suits layers with
    few filters and many channels (SSD's class and box predictors: 16 to 126 filters over 512 to 2048
    channels), where the summed runs add a partial as large as the GEMM's work after every block.
    """
    parts = WORKERS
    sub = Plan((plan.n, plan.c, plan.h, plan.w), plan.kernel, plan.stride, plan.pad, plan.dilate, parts,
               (plan.oh, plan.ow), fg * parts)
    blocks = sub.blocks(1, SPLIT_BLOCK_COLS)
    rows = sub.kernel[0] * fg if sub.stacked else fg
    grads = np.zeros((parts, rows, sub.gather_rows), dy.dtype)

    def run(_, part):
        for n0, n1, r0, r1 in blocks:
            cols = sub.gather(src, n0, n1, r0, r1, part * sub.cg)
            gemm(_dy_rows(dy, sub, n0, n1, r0, r1, 0, fg), cols.T, grads[part], accumulate=True)

    parallel_for(list(range(parts)), run)
    kh, kw = plan.kernel
    if sub.stacked:       # (parts, KH, Fg, Cg/parts, KW) -> (Fg, parts, Cg/parts, KH, KW)
        grads = grads.reshape(parts, kh, fg, sub.cg, kw).transpose(2, 0, 3, 1, 4)
    else:                 # (parts, Fg, Cg/parts, KH, KW) -> (Fg, parts, ...)
        grads = grads.reshape(parts, fg, sub.cg, kh, kw).transpose(1, 0, 2, 3, 4)
    return np.ascontiguousarray(grads)


def conv_col2im(dy, w, plan):
    """Gradient w.r.t. ``src`` of ``dst = conv(src, w)`` by GEMM + scatter (any stride; no stacking).

    Parameters
    ----------
    dy : ndarray (N, Cd, OH, OW)
    w : ndarray (Cd, Cs/groups, KH, KW)
    plan : Plan
        A plan that is not stacked (strided geometries never are).

    Returns
    -------
    ndarray (N, Cs, H, W)

    Examples
    --------
    >>> from .im2col import Plan
    >>> plan = Plan((1, 1, 3, 3), (1, 1), (2, 2), (0, 0), (1, 1), 1, (2, 2))
    >>> conv_col2im(np.ones((1, 1, 2, 2), np.float32), np.ones((1, 1, 1, 1), np.float32), plan)[0, 0]
    array([[1., 0., 1.],
           [0., 0., 0.],
           [1., 0., 1.]], dtype=float32)
    """
    fg = w.shape[0] // plan.groups
    mats = [w[g * fg:(g + 1) * fg].reshape(fg, -1) for g in range(plan.groups)]
    dx = np.zeros((plan.n, plan.c, plan.h, plan.w), dy.dtype)

    def run(_, image_blocks):
        for n0, n1, r0, r1 in image_blocks:
            cols = scratch("cols", (plan.k_rows, (n1 - n0) * (r1 - r0) * plan.ow), dy.dtype)
            for g, mat in enumerate(mats):
                np.matmul(mat.T, _dy_rows(dy, plan, n0, n1, r0, r1, g * fg, fg), out=cols)
                plan.scatter_add(cols, n0, n1, r0, r1, g * plan.cg, dx)

    # the bands of one image overlap in dx: a unit is all blocks of whole images, so no two threads
    # ever add to the same pixel
    by_image = {}
    for block in plan.blocks(WORKERS):
        by_image.setdefault(block[0], []).append(block)
    parallel_for(list(by_image.values()), run)
    return dx
