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


def _horizontal(flat, channels, x_index, weights, acc_dtype):
    """Sum over taps of ``src[:, x_index[:, k]] * weights[:, k]`` in tap order, on images flattened to
    ``(rows, W * C)`` (numpy is fast along one long contiguous axis, slow broadcasting over C = 3)."""
    lanes = np.arange(channels)
    rows = term = None
    for k in range(x_index.shape[1]):
        columns = (x_index[:, k, None] * channels + lanes).ravel()
        picked = np.take(flat, columns, axis=1, mode="clip")
        if rows is None:
            rows = picked.astype(acc_dtype)
            rows *= np.repeat(weights[:, k], channels)
            term = np.empty_like(rows)
        else:
            np.multiply(picked, np.repeat(weights[:, k], channels), out=term, casting="unsafe")
            rows += term
    return rows


def _separable(src, w, h, interp, area_mode):
    x_index, x_weights = _taps(src.shape[1], w, interp, area_mode, snap_edges=True)
    y_index, y_weights = _taps(src.shape[0], h, interp, area_mode, snap_edges=False)
    ksize, channels = x_weights.shape[1], src.shape[2]
    used, y_index = np.unique(y_index, return_inverse=True)   # resample only the source rows used
    y_index = y_index.reshape(h, ksize)
    flat = src[used].reshape(len(used), -1)
    if src.dtype == np.uint8:
        acc = np.int32   # horizontal sums stay below 2**31; the vertical pass widens where needed
        ax = _round_even_f32(x_weights * np.float32(COEF_SCALE)).astype(acc)
        by = _round_even_f32(y_weights * np.float32(COEF_SCALE)).astype(acc)
        rows = _horizontal(flat, channels, x_index, ax, acc)
        if ksize == 2:   # OpenCV's VResizeLinear on 8 bits: two rounded 16-bit products, then >> 2
            r0, r1 = rows[y_index[:, 0]] >> 4, rows[y_index[:, 1]] >> 4
            out = (((by[:, 0, None] * r0) >> 16) + ((by[:, 1, None] * r1) >> 16) + 2) >> 2
        else:
            out = _vertical_u8(rows, y_index, by, w * channels)
        return np.clip(out, 0, 255).astype(np.uint8).reshape(h, w, channels)
    work = np.float64 if src.dtype == np.float64 else np.float32
    return _float_pass(flat, channels, x_index, x_weights, y_index, y_weights, work).astype(
        src.dtype, copy=False).reshape(h, w, channels)


def _float_pass(flat, channels, x_index, x_weights, y_index, y_weights, work):
    """Horizontal then vertical weighted sums in ``work`` precision, each in tap order, as OpenCV's float
    resize passes accumulate (``(h, w * C)`` result)."""
    xw, yw = x_weights.astype(work), y_weights.astype(work)
    rows = _horizontal(flat, channels, x_index, xw, work)
    out = yw[:, 0, None] * rows[y_index[:, 0]]
    for k in range(1, y_index.shape[1]):
        out = out + yw[:, k, None] * rows[y_index[:, k]]
    return out


def _vertical_u8(rows, y_index, by, row_len):
    """OpenCV's 8-bit bicubic/Lanczos vertical pass on ``(rows, w * C)`` sums: integer
    ``(sum + 2**21) >> 22``, except that bicubic runs the first ``8 * (row_len // 8)`` values of each row
    through float32 SIMD code (weights scaled by ``2**-22``, summed in order, rounded half to even)."""
    ksize = by.shape[1]
    vec = (row_len // 8) * 8 if ksize == 4 else 0
    out = np.empty((len(y_index), row_len), np.int64)
    if vec:
        scale = np.float32(1.0 / (COEF_SCALE * COEF_SCALE))
        head = rows[:, :vec].astype(np.float32)
        acc = np.take(head, y_index[:, 0], axis=0)
        acc *= by[:, 0, None].astype(np.float32) * scale
        term = np.empty_like(acc)
        for k in range(1, ksize):
            np.take(head, y_index[:, k], axis=0, out=term, mode="clip")
            term *= by[:, k, None].astype(np.float32) * scale
            acc += term
        out[:, :vec] = _round_even_f32(acc)
    if vec < row_len:
        tail = rows[:, vec:].astype(np.int64)
        total = tail[y_index[:, 0]] * by[:, 0, None]
        for k in range(1, ksize):
            total += tail[y_index[:, k]] * by[:, k, None]
        out[:, vec:] = (total + (1 << (2 * COEF_BITS - 1))) >> (2 * COEF_BITS)
    return out


def _area_fast(src, scale_x, scale_y):
    """Integer-factor shrinking: the mean of each ``scale_y x scale_x`` block (OpenCV's ResizeAreaFast)."""
    h, w = src.shape[0] // scale_y, src.shape[1] // scale_x
    integer = src.dtype == np.uint8
    total = None
    for i in range(scale_y):
        for j in range(scale_x):
            part = src[i:h * scale_y:scale_y, j:w * scale_x:scale_x].astype(np.int32 if integer else
                                                                                np.float64 if src.dtype == np.float64
                                                                                else np.float32)
            total = part if total is None else total + part
    if integer:
        if scale_x == 2 and scale_y == 2 and src.shape[2] in (1, 3, 4):
            return ((total + 2) >> 2).astype(np.uint8)   # OpenCV's SIMD 2x2 path rounds half up
        return np.clip(_round_even_f32(total.astype(np.float32) * np.float32(1.0 / (scale_x * scale_y))),
                       0, 255).astype(np.uint8)
    return (total * total.dtype.type(1.0 / (scale_x * scale_y))).astype(src.dtype)


def _area_taps(src_len, dst_len):
    """OpenCV's computeResizeAreaTab as dense ``(dst_len, K)`` source indices and float32 weights, each row
    in OpenCV's order and padded with weight 0 (adding ``0 * x`` at the end leaves a float sum unchanged)."""
    scale = src_len / dst_len
    taps = []
    for d in range(dst_len):
        f1 = d * scale
        f2 = f1 + scale
        cell = min(scale, src_len - f1)
        s1, s2 = math.ceil(f1), math.floor(f2)
        s2 = min(s2, src_len - 1)
        s1 = min(s1, s2)
        row = []
        if s1 - f1 > 1e-3:
            row.append((s1 - 1, (s1 - f1) / cell))
        row.extend((s, 1.0 / cell) for s in range(s1, s2))
        if f2 - s2 > 1e-3:
            row.append((s2, min(min(f2 - s2, 1.0), cell) / cell))
        taps.append(row)
    width = max(len(row) for row in taps)
    index = np.zeros((dst_len, width), np.int64)
    weights = np.zeros((dst_len, width), np.float32)
    for d, row in enumerate(taps):
        index[d, :len(row)] = [s for s, _ in row]
        weights[d, :len(row)] = [a for _, a in row]
    return index, weights


def _area_general(src, w, h):
    """Non-integer shrinking: each output pixel averages the source area it covers (OpenCV's ResizeArea,
    float32 accumulation for uint8 and float32 images)."""
    x_index, x_weights = _area_taps(src.shape[1], w)
    y_index, y_weights = _area_taps(src.shape[0], h)
    work = np.float64 if src.dtype == np.float64 else np.float32
    out = _float_pass(src.reshape(src.shape[0], -1), src.shape[2], x_index, x_weights, y_index, y_weights, work)
    out = out.reshape(h, w, src.shape[2])
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
