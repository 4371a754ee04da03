"""OpenCV 3.4's ``cv::resize`` (the version MXNet 1.9.1 links) on ``(H, W, C)`` numpy images, in numpy.

MXNet's ``image.resize`` op and ``mx.image.imresize`` call ``cv::resize``; this module reproduces its
arithmetic so results equal MXNet's: float32 images to float32 rounding, uint8 images through OpenCV's
11-bit fixed-point coefficients and its rounding of each step. ``interp`` codes are OpenCV's:
0 nearest, 1 bilinear, 2 bicubic, 3 area, 4 Lanczos (8x8).

How OpenCV samples (and so how this does): output pixel ``d`` maps to source ``(d + 0.5) * scale - 0.5``
(``scale = src / dst``); bilinear, bicubic and Lanczos weight 2, 4 and 8 neighbours, borders replicated;
nearest takes ``floor(d * scale)``; area averages the covered source cells when shrinking (exact integer
factors take a faster path with its own rounding) and blends like bilinear when enlarging; bilinear
shrinking by exactly 2 is area averaging.

Examples
--------
>>> img = np.arange(16, dtype=np.float32).reshape(4, 4, 1)
>>> cv_resize(img, 2, 2, 1)[..., 0]
array([[ 2.5,  4.5],
       [10.5, 12.5]], dtype=float32)
>>> cv_resize(img.astype(np.uint8), 8, 8, 0)[::2, ::2, 0].tolist() == img[..., 0].tolist()
True
"""
import math

import numpy as np

from ..base import MXNetError

__all__ = ["cv_resize", "INTERP_NAMES"]

#: OpenCV interpolation codes accepted by :func:`cv_resize`.
INTERP_NAMES = {0: "nearest", 1: "bilinear", 2: "bicubic", 3: "area", 4: "lanczos4"}
COEF_BITS = 11                   # INTER_RESIZE_COEF_BITS: fixed-point weights of uint8 resizing
COEF_SCALE = 1 << COEF_BITS
_CUBIC_A = np.float32(-0.75)
_DBL_EPSILON = np.finfo(np.float64).eps
_FLT_EPSILON = np.finfo(np.float32).eps
_S45 = 0.70710678118654752440084436210485
_LANCZOS_CS = ((1, 0), (-_S45, -_S45), (0, 1), (_S45, -_S45), (-1, 0), (_S45, _S45), (0, -1), (-_S45, _S45))


def _round_even_f32(v):
    """cvRound of float values: round half to even."""
    return np.rint(v)


def _cubic_coeffs(x):
    a = _CUBIC_A
    x = x.astype(np.float32)
    one = np.float32(1)
    x1 = x + one
    c0 = ((a * x1 - np.float32(5) * a) * x1 + np.float32(8) * a) * x1 - np.float32(4) * a
    c1 = ((a + np.float32(2)) * x - (a + np.float32(3))) * x * x + one
    y = one - x
    c2 = ((a + np.float32(2)) * y - (a + np.float32(3))) * y * y + one
    c3 = one - c0 - c1 - c2
    return np.stack([c0, c1, c2, c3], axis=1).astype(np.float32)


def _lanczos4_coeffs(x):
    out = np.zeros((len(x), 8), np.float32)
    for row, fx in enumerate(np.asarray(x, np.float32)):
        if fx < _FLT_EPSILON:
            out[row, 3] = 1
            continue
        y0 = -(float(fx) + 3) * math.pi * 0.25
        s0, c0 = math.sin(y0), math.cos(y0)
        total = np.float32(0)
        for i in range(8):
            y = -(float(fx) + 3 - i) * math.pi * 0.25
            out[row, i] = np.float32((_LANCZOS_CS[i][0] * s0 + _LANCZOS_CS[i][1] * c0) / (y * y))
            total = np.float32(total + out[row, i])
        out[row] *= np.float32(1) / total
    return out


def _taps(src_len, dst_len, interp, area_mode, snap_edges):
    """Source indices (clamped to the border) and float32 weights, one row of ``ksize`` per output pixel.

    ``snap_edges``: OpenCV's horizontal bilinear pass gives weight 1 to the edge pixel outside the image;
    its vertical pass keeps the computed weights and only clamps the rows.
    """
    inv_scale = dst_len / src_len
    scale = 1.0 / inv_scale
    d = np.arange(dst_len, dtype=np.float64)
    if area_mode:
        s = np.floor(d * scale).astype(np.int64)
        f = ((d + 1) - (s + 1) * inv_scale).astype(np.float32)
        f = np.where(f <= 0, np.float32(0), f - np.floor(f)).astype(np.float32)
    else:
        f = ((d + 0.5) * scale - 0.5).astype(np.float32)
        s = np.floor(f).astype(np.int64)
        f = (f - s.astype(np.float32)).astype(np.float32)
    if interp in (1, 3):
        ksize = 2
        if snap_edges:
            low, high = s < 0, s >= src_len - 1
            f = np.where(low | high, np.float32(0), f).astype(np.float32)
            s = np.where(low, 0, np.where(high, src_len - 1, s))
        weights = np.stack([np.float32(1) - f, f], axis=1).astype(np.float32)
    elif interp == 2:
        ksize, weights = 4, _cubic_coeffs(f)
    else:
        ksize, weights = 8, _lanczos4_coeffs(f)
    index = s[:, None] - (ksize // 2 - 1) + np.arange(ksize)[None, :]
    return np.clip(index, 0, src_len - 1), weights


def _separable(src, w, h, interp, area_mode):
    x_index, x_weights = _taps(src.shape[1], w, interp, area_mode, snap_edges=True)
    y_index, y_weights = _taps(src.shape[0], h, interp, area_mode, snap_edges=False)
    ksize = x_weights.shape[1]
    if src.dtype == np.uint8:
        ax = _round_even_f32(x_weights * np.float32(COEF_SCALE)).astype(np.int64)
        by = _round_even_f32(y_weights * np.float32(COEF_SCALE)).astype(np.int64)
        s = src.astype(np.int64)
        rows = sum(s[:, x_index[:, k], :] * ax[None, :, k, None] for k in range(ksize))
        if ksize == 2:   # OpenCV's VResizeLinear on 8 bits: two rounded 16-bit products, then >> 2
            r0, r1 = rows[y_index[:, 0]], rows[y_index[:, 1]]
            out = (((by[:, 0, None, None] * (r0 >> 4)) >> 16) + ((by[:, 1, None, None] * (r1 >> 4)) >> 16) + 2) >> 2
            return np.clip(out, 0, 255).astype(np.uint8)
        total = sum(rows[y_index[:, k]] * by[:, k, None, None] for k in range(ksize))
        return _cubic_rows_u8(total, rows, y_index, by, w * src.shape[2])
    work = np.float64 if src.dtype == np.float64 else np.float32
    s = src.astype(work, copy=False)
    xw, yw = x_weights.astype(work), y_weights.astype(work)
    rows = s[:, x_index[:, 0], :] * xw[None, :, 0, None]
    for k in range(1, ksize):
        rows = rows + s[:, x_index[:, k], :] * xw[None, :, k, None]
    out = yw[:, 0, None, None] * rows[y_index[:, 0]]
    for k in range(1, ksize):
        out = out + yw[:, k, None, None] * rows[y_index[:, k]]
    return out.astype(src.dtype, copy=False)


def _cubic_rows_u8(total, rows, y_index, by, row_len):
    """OpenCV's 8-bit cubic/Lanczos vertical pass: integer ``(sum + 2**21) >> 22`` per element, except
    that bicubic runs the first ``8 * (row_len // 8)`` values of each row through float32 SIMD code
    (weights scaled by ``2**-22``, summed in order, rounded half to even)."""
    out = (total + (1 << (2 * COEF_BITS - 1))) >> (2 * COEF_BITS)
    if by.shape[1] == 4:
        flat = out.reshape(out.shape[0], -1)
        vec = (row_len // 8) * 8
        scale = np.float32(1.0 / (COEF_SCALE * COEF_SCALE))
        picked = [rows[y_index[:, k]].reshape(out.shape[0], -1)[:, :vec].astype(np.float32) for k in range(4)]
        acc = picked[0] * (by[:, 0, None].astype(np.float32) * scale)
        for k in range(1, 4):
            acc = acc + picked[k] * (by[:, k, None].astype(np.float32) * scale)
        flat[:, :vec] = _round_even_f32(acc)
    return np.clip(out, 0, 255).astype(np.uint8)


def _area_fast(src, scale_x, scale_y):
    h, w = src.shape[0] // scale_y, src.shape[1] // scale_x
    block = src[:h * scale_y, :w * scale_x].reshape(h, scale_y, w, scale_x, src.shape[2])
    if src.dtype == np.uint8:
        total = block.astype(np.int64).sum(axis=(1, 3))
        if scale_x == 2 and scale_y == 2 and src.shape[2] in (1, 3, 4):
            return ((total + 2) >> 2).astype(np.uint8)
        return np.clip(_round_even_f32(total.astype(np.float32) * np.float32(1.0 / (scale_x * scale_y))),
                       0, 255).astype(np.uint8)
    work = np.float64 if src.dtype == np.float64 else np.float32
    total = block.astype(work).sum(axis=(1, 3))
    return (total * work(1.0 / (scale_x * scale_y))).astype(src.dtype)


def _area_table(src_len, dst_len, scale):
    """OpenCV's computeResizeAreaTab as (dst index, src index, weight) arrays."""
    di, si, alpha = [], [], []
    for d in range(dst_len):
        f1 = d * scale
        f2 = f1 + scale
        cell = min(scale, src_len - f1)
        s1, s2 = math.ceil(f1), math.floor(f2)
        s2 = min(s2, src_len - 1)
        s1 = min(s1, s2)
        if s1 - f1 > 1e-3:
            di.append(d); si.append(s1 - 1); alpha.append((s1 - f1) / cell)
        for s in range(s1, s2):
            di.append(d); si.append(s); alpha.append(1.0 / cell)
        if f2 - s2 > 1e-3:
            di.append(d); si.append(s2); alpha.append(min(min(f2 - s2, 1.0), cell) / cell)
    return np.array(di), np.array(si), np.array(alpha, np.float32)


def _accumulate(values, di, si, alpha, dst_len, axis_len_first):
    """Sum ``values[si] * alpha`` into ``dst[di]`` in table order (OpenCV's float accumulation order)."""
    out = np.zeros((dst_len,) + values.shape[1:], np.float32)
    order = np.zeros(len(di), np.int64)
    counts = np.zeros(dst_len, np.int64)
    for k, d in enumerate(di):
        order[k] = counts[d]
        counts[d] += 1
    for step in range(int(counts.max()) if len(counts) else 0):
        pick = order == step
        term = values[si[pick]] * alpha[pick].reshape((-1,) + (1,) * (values.ndim - 1))
        out[di[pick]] = out[di[pick]] + term
    return out


def _area_general(src, w, h):
    xdi, xsi, xa = _area_table(src.shape[1], w, src.shape[1] / w)
    ydi, ysi, ya = _area_table(src.shape[0], h, src.shape[0] / h)
    values = src.astype(np.float32)
    rows = _accumulate(values.transpose(1, 0, 2), xdi, xsi, xa, w, False).transpose(1, 0, 2)
    out = _accumulate(rows, ydi, ysi, ya, h, True)
    if src.dtype == np.uint8:
        return np.clip(_round_even_f32(out), 0, 255).astype(np.uint8)
    return out.astype(src.dtype)


def _nearest(src, w, h):
    ifx, ify = 1.0 / (w / src.shape[1]), 1.0 / (h / src.shape[0])
    xs = np.minimum(np.floor(np.arange(w) * ifx).astype(np.int64), src.shape[1] - 1)
    ys = np.minimum(np.floor(np.arange(h) * ify).astype(np.int64), src.shape[0] - 1)
    return src[ys][:, xs]


def cv_resize(src, w, h, interp=1):
    """``src`` ``(H, W, C)`` resized to ``(h, w, C)`` as OpenCV 3.4's ``cv::resize`` computes it.

    Parameters
    ----------
    src : numpy.ndarray, (H, W, C), uint8, float32 or float64
    w, h : int
        Output width and height (positive).
    interp : int
        OpenCV code: 0 nearest, 1 bilinear, 2 bicubic, 3 area, 4 Lanczos.

    Returns
    -------
    numpy.ndarray, (h, w, C), the dtype of ``src``

    Examples
    --------
    >>> cv_resize(np.full((3, 5, 2), 7, np.uint8), 4, 6, 2).shape
    (6, 4, 2)
    """
    w, h, interp = int(w), int(h), int(interp)
    if interp not in INTERP_NAMES:
        raise MXNetError(f"resize: interp must be one of {sorted(INTERP_NAMES)} (OpenCV codes), got {interp}")
    if w <= 0 or h <= 0:
        raise MXNetError(f"resize: output width and height must be positive, got w={w}, h={h}")
    if src.ndim != 3 or src.shape[0] == 0 or src.shape[1] == 0:
        raise MXNetError(f"resize: expects a non-empty (H, W, C) image, got shape {src.shape}")
    if src.dtype not in (np.uint8, np.float32, np.float64):
        raise MXNetError(f"resize: OpenCV resizes uint8, float32 or float64 images, got {src.dtype}")
    if (h, w) == src.shape[:2]:
        return src.copy()
    if interp == 0:
        return _nearest(src, w, h)
    scale_x, scale_y = src.shape[1] / w, src.shape[0] / h
    iscale_x, iscale_y = int(round(scale_x)), int(round(scale_y))
    area_fast = abs(scale_x - iscale_x) < _DBL_EPSILON and abs(scale_y - iscale_y) < _DBL_EPSILON
    if interp == 1 and area_fast and iscale_x == 2 and iscale_y == 2:
        interp = 3
    if interp == 3 and scale_x >= 1 and scale_y >= 1:
        return _area_fast(src, iscale_x, iscale_y) if area_fast else _area_general(src, w, h)
    return _separable(src, w, h, interp, area_mode=interp == 3)
