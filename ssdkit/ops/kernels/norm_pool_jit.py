"""Compiled loops (numba, through :mod:`.jit`) for the memory-bound passes of BatchNorm, ReLU and max pooling.

numpy makes one trip through memory (or cache) per operation; these loops make one per pass: the fused
BatchNorm-ReLU-max-pool forward reads the input once and writes only the pooled values and the winning taps,
its backward rebuilds the routed, masked gradient of each window in registers, and plain max pooling finds and
routes each window's winner in one read. They compute exactly what the numpy kernels compute (the same float32
operations in the same order; reductions are accumulated in float64, numpy's in float32 pairwise sums), and
callers (:mod:`ssdkit.ops.batchnorm`, :mod:`.pool`) use them only when :meth:`.jit.Kernel.compiled` gives one.

Layout: ``planes (P, H, W)`` are the rows of one run (one plane = one channel of one image); per-plane vectors
(``scale``, ``shift``, the gradient coefficients ``a``, ``b``, ``c``) have length ``P``; windows are
``kh x kw`` with stride ``(kh, kw)`` and no padding ('valid': rows and columns past the last window are not
covered). Each call handles one run; callers spread runs over the cores (:mod:`.parallel`), as the kernels
release the GIL.

Examples
--------
>>> import numpy as np
>>> planes = np.array([[[1., -2., 3., 0.], [-1., 5., 2., 2.]]], np.float32)
>>> pooled, index = np.empty((1, 1, 2), np.float32), np.empty((1, 1, 2), np.uint8)
>>> scale_shift_relu_max_pool(planes, np.ones(1, np.float32), np.zeros(1, np.float32), pooled, index, 2, 2)
>>> pooled, index                        # the ReLU'd window maxima and their row-major taps
(array([[[5., 3.]]], dtype=float32), array([[[3, 0]]], dtype=uint8))
"""
import numpy as np

from .jit import kernel

__all__ = ["scale_shift_relu_max_pool", "grad_moments", "routed_grad_input", "masked_grad_input", "max_pool_planes",
           "max_pool_grad_planes", "PLAIN", "RELU_MASKED", "POOL_ROUTED"]


@kernel
def scale_shift_relu_max_pool(planes, scale, shift, pooled, index, kh, kw):
    """``pooled = maxpool(relu(planes * scale + shift))`` per plane, with the first winning tap in ``index``.

    The maximum starts from ``finfo.min`` and takes a tap only when strictly greater (a NaN never wins, ties go
    to the first tap in row-major window order), as :func:`.pool.max_pool_index_planes` on the ReLU output.

    Examples
    --------
    >>> import numpy as np
    >>> p, i = np.empty((1, 1, 1), np.float32), np.empty((1, 1, 1), np.uint8)
    >>> scale_shift_relu_max_pool(-np.ones((1, 2, 2), np.float32), np.ones(1, np.float32),
    ...                           np.zeros(1, np.float32), p, i, 2, 2)
    >>> float(p[0, 0, 0]), int(i[0, 0, 0])
    (0.0, 0)
    """
    lowest = np.finfo(planes.dtype).min
    zero = planes.dtype.type(0)
    for r in range(planes.shape[0]):
        s, t = scale[r], shift[r]
        for i in range(pooled.shape[1]):
            best, win = pooled[r, i], index[r, i]
            if kh == 2 and kw == 2:       # MaxPool2D(2): straight-line code the compiler turns into SIMD
                top, bottom = planes[r, 2 * i], planes[r, 2 * i + 1]
                for j in range(best.shape[0]):
                    v0, v1 = top[2 * j] * s + t, top[2 * j + 1] * s + t
                    v2, v3 = bottom[2 * j] * s + t, bottom[2 * j + 1] * s + t
                    v0, v1 = (zero if v0 < zero else v0), (zero if v1 < zero else v1)
                    v2, v3 = (zero if v2 < zero else v2), (zero if v3 < zero else v3)
                    m = v0 if v0 > lowest else lowest
                    k = 0
                    k = 1 if v1 > m else k
                    m = v1 if v1 > m else m
                    k = 2 if v2 > m else k
                    m = v2 if v2 > m else m
                    k = 3 if v3 > m else k
                    m = v3 if v3 > m else m
                    best[j], win[j] = m, k
                continue
            for j in range(best.shape[0]):
                m, k = lowest, 0
                for dh in range(kh):
                    for dw in range(kw):
                        v = planes[r, i * kh + dh, j * kw + dw] * s + t
                        v = zero if v < zero else v
                        if v > m:
                            m, k = v, dh * kw + dw
                best[j], win[j] = m, k


#: ``grad_moments`` modes: how the input gradient g' of a BatchNorm is made from ``grad``.
PLAIN, RELU_MASKED, POOL_ROUTED = 0, 1, 2


@kernel
def grad_moments(planes, grad, scale, shift, pooled, index, kh, kw, mode, sums, dots):
    """Per plane, ``sum(g')`` and ``sum(g' * planes)`` for a BatchNorm backward, in float64.

    ``g'`` is ``grad`` itself (``mode`` PLAIN); or ``grad`` masked by the fused ReLU, recomputed from the input as
    ``planes * scale + shift > 0`` (RELU_MASKED); or ``grad (P, OH, OW)`` of the fused max-pool, masked where the
    window maximum ``pooled`` is not positive and routed to the tap ``index`` names (POOL_ROUTED). The fused
    ``g'`` is never stored. Every mode adds the same values in the same order -- line by line, four lanes by
    column -- so a fused and an unfused chain give the same bits, as on the numpy path.

    Examples
    --------
    >>> import numpy as np
    >>> x, none = np.arange(4, dtype=np.float32).reshape(1, 2, 2), np.zeros((1, 1, 1), np.float32)
    >>> sums, dots = np.empty(1), np.empty(1)
    >>> grad_moments(x, np.full((1, 1, 1), 2, np.float32), none[0, 0], none[0, 0], np.ones((1, 1, 1), np.float32),
    ...              np.full((1, 1, 1), 3, np.uint8), 2, 2, POOL_ROUTED, sums, dots)
    >>> sums, dots                  # g' = 2 at the last tap (x = 3)
    (array([2.]), array([6.]))
    """
    one, zero = grad.dtype.type(1), grad.dtype.type(0)
    h, w = planes.shape[1], planes.shape[2]
    oh, ow = grad.shape[1], grad.shape[2]
    line_grad = np.empty(w, grad.dtype)
    for r in range(planes.shape[0]):
        s0 = s1 = s2 = s3 = 0.0
        d0 = d1 = d2 = d3 = 0.0
        for y in range(h):
            line = planes[r, y]
            if mode == PLAIN:
                g_line = grad[r, y]
            elif mode == RELU_MASKED:
                s, t, g_in = scale[r], shift[r], grad[r, y]
                for x in range(w):
                    line_grad[x] = g_in[x] * (one if line[x] * s + t > zero else zero)
                g_line = line_grad
            else:
                i, dh = y // kh, y % kh
                covered = ow * kw if i < oh else 0
                for x in range(covered, w):
                    line_grad[x] = zero
                if i < oh:
                    grads, maxima, winners = grad[r, i], pooled[r, i], index[r, i]
                    # numpy's route multiplies the losing taps by the 0 of its mask too (a NaN stays NaN)
                    if kw == 2:
                        for j in range(ow):
                            g = grads[j] * (one if maxima[j] > zero else zero)
                            k = winners[j] - 2 * dh
                            line_grad[2 * j] = g if k == 0 else g * zero
                            line_grad[2 * j + 1] = g if k == 1 else g * zero
                    else:
                        for j in range(ow):
                            g = grads[j] * (one if maxima[j] > zero else zero)
                            for dw in range(kw):
                                line_grad[j * kw + dw] = g if winners[j] == dh * kw + dw else g * zero
                g_line = line_grad
            quads = w - w % 4
            for x in range(0, quads, 4):
                g0, g1, g2, g3 = g_line[x], g_line[x + 1], g_line[x + 2], g_line[x + 3]
                s0 += g0
                s1 += g1
                s2 += g2
                s3 += g3
                d0 += g0 * line[x]
                d1 += g1 * line[x + 1]
                d2 += g2 * line[x + 2]
                d3 += g3 * line[x + 3]
            for x in range(quads, w):
                g = g_line[x]
                if x == quads:
                    s0 += g
                    d0 += g * line[x]
                elif x == quads + 1:
                    s1 += g
                    d1 += g * line[x]
                else:
                    s2 += g
                    d2 += g * line[x]
        sums[r], dots[r] = ((s0 + s1) + s2) + s3, ((d0 + d1) + d2) + d3


@kernel
def routed_grad_input(planes, dy, pooled, index, kh, kw, a, b, c, with_stats, dx):
    """``dx = a * g' + b * planes + c`` per plane (``a * g'`` alone unless ``with_stats``), ``g'`` as in
    :func:`grad_moments` (POOL_ROUTED); positions no window covers get ``b * planes + c``.

    Examples
    --------
    >>> import numpy as np
    >>> dx = np.empty((1, 2, 2), np.float32)
    >>> routed_grad_input(np.zeros((1, 2, 2), np.float32), np.full((1, 1, 1), 2, np.float32),
    ...                   np.ones((1, 1, 1), np.float32), np.full((1, 1, 1), 1, np.uint8), 2, 2,
    ...                   np.full(1, 3, np.float32), np.zeros(1, np.float32), np.zeros(1, np.float32), False, dx)
    >>> dx[0]
    array([[0., 6.],
           [0., 0.]], dtype=float32)
    """
    one, zero = dy.dtype.type(1), dy.dtype.type(0)
    h, w = planes.shape[1], planes.shape[2]
    oh, ow = dy.shape[1], dy.shape[2]
    for r in range(planes.shape[0]):
        ar, br, cr = a[r], b[r], c[r]
        for y in range(h):
            line, out = planes[r, y], dx[r, y]
            covered = ow * kw if y < oh * kh else 0
            for x in range(covered, w):                   # positions no window covers: g' = 0
                out[x] = (zero * ar + line[x] * br) + cr if with_stats else zero * ar
            if covered == 0:
                continue
            i, dh = y // kh, y % kh
            grads, pooled_row, winners = dy[r, i], pooled[r, i], index[r, i]
            for dw in range(kw):
                k = dh * kw + dw
                for j in range(ow):
                    g = grads[j] * (one if pooled_row[j] > zero else zero)
                    g = g if winners[j] == k else g * zero     # numpy's route multiplies by the 0 of the mask too
                    x = j * kw + dw
                    out[x] = (g * ar + line[x] * br) + cr if with_stats else g * ar


@kernel
def masked_grad_input(rows, grad, scale, shift, a, b, c, with_stats, dx):
    """``dx = a * g' + b * rows + c`` per row (``a * g'`` alone unless ``with_stats``), ``g'`` as in
    :func:`grad_moments` (RELU_MASKED).

    Examples
    --------
    >>> import numpy as np
    >>> dx = np.empty((1, 2), np.float32)
    >>> masked_grad_input(np.array([[-1., 2.]], np.float32), np.ones((1, 2), np.float32), np.ones(1, np.float32),
    ...                   np.zeros(1, np.float32), np.full(1, 2, np.float32), np.ones(1, np.float32),
    ...                   np.zeros(1, np.float32), True, dx)
    >>> dx
    array([[-1.,  4.]], dtype=float32)
    """
    one, zero = grad.dtype.type(1), grad.dtype.type(0)
    for r in range(rows.shape[0]):
        s, t, ar, br, cr = scale[r], shift[r], a[r], b[r], c[r]
        for k in range(rows.shape[1]):
            x = rows[r, k]
            v = grad[r, k] * (one if x * s + t > zero else zero) * ar
            if with_stats:
                v = v + x * br
                v = v + cr
            dx[r, k] = v


@kernel
def max_pool_planes(planes, out, kh, kw):
    """Max pooling of ``planes (P, H, W)`` into ``out (P, OH, OW)``: from ``finfo.min``, a NaN never wins.

    Examples
    --------
    >>> import numpy as np
    >>> out = np.empty((1, 1, 2), np.float32)
    >>> max_pool_planes(np.arange(8, dtype=np.float32).reshape(1, 2, 4), out, 2, 2); out
    array([[[5., 7.]]], dtype=float32)
    """
    lowest = np.finfo(planes.dtype).min
    for r in range(planes.shape[0]):
        for i in range(out.shape[1]):
            if kh == 2 and kw == 2:       # MaxPool2D(2): straight-line code the compiler turns into SIMD
                top, bottom, best = planes[r, 2 * i], planes[r, 2 * i + 1], out[r, i]
                for j in range(best.shape[0]):
                    v0, v1, v2, v3 = top[2 * j], top[2 * j + 1], bottom[2 * j], bottom[2 * j + 1]
                    m = v0 if v0 > lowest else lowest
                    m = v1 if v1 > m else m
                    m = v2 if v2 > m else m
                    best[j] = v3 if v3 > m else m
                continue
            for j in range(out.shape[2]):
                best = lowest
                for dh in range(kh):
                    for dw in range(kw):
                        v = planes[r, i * kh + dh, j * kw + dw]
                        if v > best:
                            best = v
                out[r, i, j] = best


@kernel
def max_pool_grad_planes(planes, out, dy, dx, kh, kw):
    """Route ``dy`` to the first position of each window (row-major) equal to its maximum ``out``; every other
    position of ``dx`` gets ``dy * 0`` inside a window (numpy's mask product), 0 outside every window.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[[1., 3.], [3., 0.]]], np.float32)
    >>> dx = np.empty_like(x)
    >>> max_pool_grad_planes(x, np.full((1, 1, 1), 3, np.float32), np.full((1, 1, 1), 5, np.float32), dx, 2, 2)
    >>> dx
    array([[[0., 5.],
            [0., 0.]]], dtype=float32)
    """
    zero = dy.dtype.type(0)
    h, w = planes.shape[1], planes.shape[2]
    oh, ow = out.shape[1], out.shape[2]
    for r in range(planes.shape[0]):
        for y in range(oh * kh, h):
            for x in range(w):
                dx[r, y, x] = zero
        for y in range(oh * kh):
            for x in range(ow * kw, w):
                dx[r, y, x] = zero
        for i in range(oh):
            if kh == 2 and kw == 2:       # straight-line, as in max_pool_planes
                top, bottom = planes[r, 2 * i], planes[r, 2 * i + 1]
                dtop, dbottom, maxima, grads = dx[r, 2 * i], dx[r, 2 * i + 1], out[r, i], dy[r, i]
                for j in range(ow):
                    m, g = maxima[j], grads[j]
                    h0, h1, h2, h3 = top[2 * j] == m, top[2 * j + 1] == m, bottom[2 * j] == m, bottom[2 * j + 1] == m
                    f1 = h1 > h0                  # hit and no earlier hit (bool algebra: no branches)
                    f2 = h2 > (h0 | h1)
                    f3 = h3 > (h0 | h1 | h2)
                    dtop[2 * j] = g if h0 else g * zero
                    dtop[2 * j + 1] = g if f1 else g * zero
                    dbottom[2 * j] = g if f2 else g * zero
                    dbottom[2 * j + 1] = g if f3 else g * zero
                continue
            for j in range(ow):
                m, g = out[r, i, j], dy[r, i, j]
                found = False
                for dh in range(kh):
                    for dw in range(kw):
                        y, x = i * kh + dh, j * kw + dw
                        if not found and planes[r, y, x] == m:
                            found = True
                            dx[r, y, x] = g
                        else:
                            dx[r, y, x] = g * zero
