"""Deformable convolutions: ``_contrib_DeformableConvolution`` (v1, Dai 2017) and
``_contrib_ModulatedDeformableConvolution`` (v2, Zhu 2018), as MXNet 1.9.1 computes them.

A deformable convolution is an ordinary convolution whose kernel taps read the input at learned fractional
positions: tap ``(i, j)`` of output pixel ``(ho, wo)`` samples channel ``c`` at
``(ho * stride - pad + i * dilate + offset_h, wo * stride - pad + j * dilate + offset_w)`` by bilinear
interpolation. ``offset`` is ``(N, dg * kh * kw * 2, Ho, Wo)``, the h and w offsets of tap ``k = i * kw + j``
of deformable group ``g`` at channels ``g * 2K + 2k`` and ``g * 2K + 2k + 1``; the input channels split into
``num_deformable_group`` (dg) equal parts, part ``g`` sampled with offset part ``g``. v2 multiplies every
sample by ``mask`` ``(N, dg * kh * kw, Ho, Wo)`` (channel ``g * K + k``). The samples form an im2col column
matrix (rows ``(channel, i, j)``) multiplied by the weight per ``num_group`` as in Convolution.

The two versions read the image border differently, each as its MXNet CPU kernel does:

* v1 samples only points with ``0 <= h < H`` and ``0 <= w < W`` (else 0); in the last row / column
  (``h >= H - 1``) it reads that row without interpolating, so the slope across it is zero.
* v2 samples points with ``-1 < h < H`` and ``-1 < w < W``; neighbours outside the image read as 0.

Gradients are the exact vector-Jacobian products of those piecewise-bilinear functions (data: the bilinear
weights scattered back; offsets: the weights' slopes times the neighbours; mask: the unmasked samples),
which is what MXNet's col2im / col2im_coord kernels compute. Vectorized over every pixel and tap.

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("_contrib_DeformableConvolution")
>>> p = op.parse_params({"kernel": (1, 1), "num_filter": 1, "no_bias": True})
>>> x = np.arange(4, dtype=np.float32).reshape(1, 1, 2, 2)
>>> offset = np.full((1, 2, 2, 2), 0.5, np.float32)       # every tap half a pixel down and right
>>> op.forward(p, [x, offset, np.ones((1, 1, 1, 1), np.float32)], False)[0][0][0, 0].tolist()
[[1.5, 2.0], [2.5, 3.0]]
"""
import numpy as np

from ..base import MXNetError, ShapeError, as_tuple
from .registry import Op, Param, register

__all__ = ["deformable_columns"]

_CORNERS = ((0, 0), (0, 1), (1, 0), (1, 1))   # (dh, dw) of the four bilinear neighbours


def _params(modulated):
    params = {"kernel": Param("shape"), "stride": Param("shape", ()), "dilate": Param("shape", ()),
              "pad": Param("shape", ()), "num_filter": Param("int"), "num_group": Param("int", 1),
              "num_deformable_group": Param("int", 1), "workspace": Param("int", 1024),
              "no_bias": Param("bool", False), "layout": Param("str", None, ("NCW", "NCHW", "NCDHW"))}
    if modulated:
        params["im2col_step"] = Param("int", 64)
    return params


def _geometry(p):
    """(kernel, stride, pad, dilate) with MXNet's defaults; only 2-D kernels exist (as MXNet)."""
    if len(p.kernel) != 2:
        raise MXNetError(f"deformable convolution: only 2-D kernels are implemented (as MXNet), got kernel={p.kernel}")
    return (p.kernel, as_tuple(p.stride or 1, 2, "stride"), as_tuple(p.pad or 0, 2, "pad"),
            as_tuple(p.dilate or 1, 2, "dilate"))


def _bilinear_taps(py, px, height, width, clamp):
    """The four neighbours of each sampling point: flat indices ``h * width + w`` (kept inside the image),
    weights, and the weights' slopes along h and along w (zero for a neighbour that is not read).

    ``clamp`` selects v1's border rule, else v2's (see the module docstring).
    """
    dtype = py.dtype.type
    if clamp:
        valid = (py >= 0) & (px >= 0) & (py < height) & (px < width)
    else:
        valid = (py > -1) & (px > -1) & (py < height) & (px < width)
    h0, w0 = np.floor(py), np.floor(px)
    lh, lw = py - h0, px - w0
    slope_h = slope_w = dtype(1)
    if clamp:   # the last row / column is read as is: no fraction, no slope
        edge_h, edge_w = h0 >= height - 1, w0 >= width - 1
        lh, lw = np.where(edge_h, dtype(0), lh), np.where(edge_w, dtype(0), lw)
        slope_h, slope_w = (~edge_h).astype(py.dtype), (~edge_w).astype(py.dtype)
    hh, hw = dtype(1) - lh, dtype(1) - lw
    fractions = {(0, 0): (hh, hw, -1, -1), (0, 1): (hh, lw, -1, 1), (1, 0): (lh, hw, 1, -1), (1, 1): (lh, lw, 1, 1)}
    h0, w0 = h0.astype(np.int64), w0.astype(np.int64)
    taps = []
    for dh, dw in _CORNERS:
        fh, fw, sh, sw = fractions[(dh, dw)]
        hc, wc = h0 + dh, w0 + dw
        if clamp:
            hc, wc = np.minimum(hc, height - 1), np.minimum(wc, width - 1)
        read = valid & (hc >= 0) & (hc < height) & (wc >= 0) & (wc < width)
        index = np.clip(hc, 0, height - 1) * width + np.clip(wc, 0, width - 1)
        zero = dtype(0)
        taps.append((index, np.where(read, fh * fw, zero), np.where(read, sh * fw * slope_h, zero),
                     np.where(read, sw * fh * slope_w, zero)))
    return taps


def _sampling_points(p, offset, height, width, out_hw):
    """Fractional sampling rows and columns ``(N, dg, K, Ho * Wo)`` in the offset's dtype."""
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = _geometry(p)
    n, ho, wo = offset.shape[0], out_hw[0], out_hw[1]
    off = offset.reshape(n, p.num_deformable_group, kh * kw, 2, ho, wo)
    taps_i, taps_j = np.divmod(np.arange(kh * kw), kw)
    rows = (np.arange(ho) * sh - ph)[None, :, None] + (taps_i * dh)[:, None, None]     # (K, Ho, 1)
    cols = (np.arange(wo) * sw - pw)[None, None, :] + (taps_j * dw)[:, None, None]     # (K, 1, Wo)
    dtype = offset.dtype
    py = rows.astype(dtype) + off[:, :, :, 0]
    px = cols.astype(dtype) + off[:, :, :, 1]
    shape = (n, p.num_deformable_group, kh * kw, ho * wo)
    return py.reshape(shape), px.reshape(shape)


def _gather(data, dg, index):
    """``data`` (N, C, H, W) read at flat ``index`` (N, dg, K, P) per deformable group: (N, dg, C/dg, K, P)."""
    n, c, h, w = data.shape
    rows = (np.arange(n * c) * (h * w)).reshape(n, dg, c // dg, 1, 1)   # start of each (image, channel) plane
    return np.take(data.reshape(-1), rows + index[:, :, None])


def deformable_columns(p, data, offset, mask, out_hw, clamp):
    """The im2col matrix of a deformable convolution, ``(N, C * K, Ho * Wo)`` (rows ``(channel, i, j)``),
    each sample multiplied by ``mask`` when given; also returns the bilinear taps for the backward.

    Examples
    --------
    >>> from ssdkit.ops import get_op
    >>> p = get_op("_contrib_DeformableConvolution").parse_params({"kernel": (1, 1), "num_filter": 1})
    >>> x = np.arange(4, dtype=np.float32).reshape(1, 1, 2, 2)
    >>> deformable_columns(p, x, np.zeros((1, 2, 2, 2), np.float32), None, (2, 2), True)[0].tolist()
    [[[0.0, 1.0, 2.0, 3.0]]]
    """
    n, c, h, w = data.shape
    dg = p.num_deformable_group
    py, px = _sampling_points(p, offset, h, w, out_hw)
    taps = _bilinear_taps(py, px, h, w, clamp)
    samples = None
    for index, weight, _, _ in taps:   # MXNet's order: w1 * v1 + w2 * v2 + w3 * v3 + w4 * v4
        term = weight[:, :, None] * _gather(data, dg, index)
        samples = term if samples is None else samples + term
    if mask is not None:
        samples = samples * mask.reshape(n, dg, 1, -1, out_hw[0] * out_hw[1])
    return samples.reshape(n, c * py.shape[2], -1), taps


def _batch_last(a, groups):
    """(N, G * R, P) -> (G, R, N * P): one GEMM per group over the whole batch."""
    n, rows, pts = a.shape
    return np.ascontiguousarray(np.moveaxis(a.reshape(n, groups, rows // groups, pts), 0, 2)).reshape(
        groups, rows // groups, n * pts)


def _batch_first(a, n):
    """(G, R, N * P) -> (N, G * R, P), the inverse of :func:`_batch_last`."""
    groups, rows, total = a.shape
    return np.ascontiguousarray(np.moveaxis(a.reshape(groups, rows, n, total // n), 2, 0)).reshape(
        n, groups * rows, total // n)


class _DeformableConvolution(Op):
    """Shape rule, forward and backward shared by both versions; ``modulated`` adds the mask input."""
    modulated = False

    def input_names(self, p):
        names = ["data", "offset"] + (["mask"] if self.modulated else []) + ["weight"]
        return names if p.no_bias else names + ["bias"]

    def _split(self, p, items):
        """(data, offset, mask or None, weight, bias or None) from the inputs in declared order."""
        items = list(items) + [None] * (5 - len(items))
        if not self.modulated:
            items.insert(2, None)
        return items[:5]

    def _out_shape(self, p, data, offset, mask):
        (kh, kw), (sh, sw), (ph, pw), (dh, dw) = _geometry(p)
        name = self.name
        for operand, shape in (("data", data), ("offset", offset), ("mask", mask)):
            if shape is not None and len(shape) != 4:
                raise ShapeError(f"{name}: {operand} must be 4-D (N, C, H, W), got shape {tuple(shape)}")
        if p.layout not in (None, "NCHW"):
            raise MXNetError(f"{name}: 2-D kernels take layout NCHW, got {p.layout}")
        channels, dg, groups = data[1], p.num_deformable_group, p.num_group
        if channels % groups or p.num_filter % groups:
            raise MXNetError(f"{name}: num_group {groups} must divide the input channels ({channels}) and "
                             f"num_filter ({p.num_filter})")
        if dg < 1 or channels % dg:
            raise MXNetError(f"{name}: num_deformable_group {dg} must divide the input channels ({channels})")
        if self.modulated and p.num_filter % dg:
            raise MXNetError(f"{name}: num_deformable_group {dg} must divide num_filter ({p.num_filter})")
        if self.modulated and data[0] > p.im2col_step and data[0] % p.im2col_step:
            raise MXNetError(f"{name}: batch size {data[0]} must be at most or a multiple of im2col_step "
                             f"{p.im2col_step}")
        if kh > data[2] + 2 * ph or kw > data[3] + 2 * pw:
            raise ShapeError(f"{name}: kernel {p.kernel} exceeds the input {tuple(data[2:])} padded by {(ph, pw)}")
        out = (data[0], p.num_filter, (data[2] + 2 * ph - (dh * (kh - 1) + 1)) // sh + 1,
               (data[3] + 2 * pw - (dw * (kw - 1) + 1)) // sw + 1)
        for operand, shape, per_tap in (("offset", offset, 2), ("mask", mask, 1)):
            if shape is None:
                continue
            want = (out[0], dg * kh * kw * per_tap) + out[2:]
            if tuple(shape) != want:
                raise ShapeError(f"{name}: {operand} must have shape (N, num_deformable_group * {per_tap} * "
                                 f"kh * kw, out_h, out_w) = {want} for data {tuple(data)}, got {tuple(shape)}")
        return out

    def infer_shape(self, p, shapes):
        data, offset, mask, weight, bias = self._split(p, shapes)
        if data is None:
            return shapes, [None]
        out = self._out_shape(p, data, offset, mask)
        full_weight = (p.num_filter, data[1] // p.num_group) + tuple(p.kernel)
        for operand, want, got in (("weight", full_weight, weight), ("bias", (p.num_filter,), bias)):
            if got is not None and tuple(got) != want and not (operand == "bias" and p.no_bias):
                raise ShapeError(f"{self.name}: {operand} must have shape {want} for data {tuple(data)}, "
                                 f"got {tuple(got)}")
        full = [data, offset] + ([mask] if self.modulated else []) + [full_weight]   # as MXNet: offset and
        # mask shapes are never inferred
        if not p.no_bias:
            full.append((p.num_filter,))
        return full, [out]

    def forward(self, p, inputs, is_train):
        data, offset, mask, weight, bias = self._split(p, inputs)
        out = self.infer_shape(p, [a.shape for a in inputs])[1][0]
        n, groups = data.shape[0], p.num_group
        cols, _ = deformable_columns(p, data, offset, mask, out[2:], clamp=not self.modulated)
        cols = _batch_last(cols, groups)                                   # (G, C/G * K, N * P)
        y = _batch_first(np.matmul(weight.reshape(groups, p.num_filter // groups, -1), cols), n).reshape(out)
        if bias is not None:
            y += bias.reshape(1, -1, 1, 1).astype(y.dtype, copy=False)
        return [y], (data, offset, mask, weight, cols)

    def backward(self, p, saved, out_grads):
        return self.backward_some(p, saved, out_grads, (True,) * 5)

    def backward_some(self, p, saved, out_grads, needs):
        data, offset, mask, weight, cols = saved
        n, c, h, w = data.shape
        groups, dg = p.num_group, p.num_deformable_group
        g = out_grads[0].astype(data.dtype, copy=False)
        out_hw, pts = g.shape[2:], g.shape[2] * g.shape[3]
        g_gemm = _batch_last(g.reshape(n, p.num_filter, pts), groups)     # (G, F/G, N * P)
        d_weight = np.matmul(g_gemm, np.swapaxes(cols, 1, 2))
        d_cols = _batch_first(np.matmul(np.swapaxes(weight.reshape(groups, p.num_filter // groups, -1), 1, 2),
                                        g_gemm), n)                        # (N, C * K, P)
        k = p.kernel[0] * p.kernel[1]
        d_cols = d_cols.reshape(n, dg, c // dg, k, pts)
        py, px = _sampling_points(p, offset, h, w, out_hw)
        taps = _bilinear_taps(py, px, h, w, clamp=not self.modulated)
        values = [_gather(data, dg, index) for index, _, _, _ in taps]
        mask_b = None if mask is None else mask.reshape(n, dg, 1, k, pts)
        d_masked = d_cols if mask_b is None else d_cols * mask_b               # gradient of the raw samples
        d_offset = np.stack([sum(slope[:, :, None] * v for (_, _, slope, _), v in zip(taps, values)),
                             sum(slope[:, :, None] * v for (_, _, _, slope), v in zip(taps, values))], axis=4)
        d_offset = (d_offset * d_masked[:, :, :, :, None]).sum(axis=2)           # (N, dg, K, 2, P)
        grads = [None, d_offset.reshape(offset.shape).astype(offset.dtype, copy=False)]
        if needs[0]:
            grads[0] = self._scatter(data, dg, taps, d_masked)
        if mask is not None:
            samples = sum(share[:, :, None] * v for (_, share, _, _), v in zip(taps, values))
            grads.append((d_cols * samples).sum(axis=2).reshape(mask.shape).astype(mask.dtype, copy=False))
        grads.append(d_weight.reshape(weight.shape).astype(weight.dtype, copy=False))
        if not p.no_bias:
            grads.append(g.sum(axis=(0, 2, 3)))
        return grads

    @staticmethod
    def _scatter(data, dg, taps, d_samples):
        """Gradient of ``data``: each sample's gradient spread over its four neighbours by their weights."""
        n, c, h, w = data.shape
        k, pts = d_samples.shape[3:]
        base = (np.arange(n * c) * (h * w)).reshape(n, dg, c // dg, 1, 1)
        index = np.concatenate([(base + idx[:, :, None]).ravel() for idx, _, _, _ in taps])
        amount = np.concatenate([(d_samples * wt[:, :, None]).ravel() for _, wt, _, _ in taps])
        total = np.bincount(index, weights=amount, minlength=n * c * h * w)
        return total.reshape(data.shape).astype(data.dtype)


@register
class _contrib_DeformableConvolution(_DeformableConvolution):
    """Deformable convolution v1: ``data`` sampled at offset kernel taps, then convolved with ``weight``."""
    name = "_contrib_DeformableConvolution"
    hint = "deformableconvolution"
    inputs = ("data", "offset", "weight", "bias")
    params = _params(False)


@register
class _contrib_ModulatedDeformableConvolution(_DeformableConvolution):
    """Modulated deformable convolution v2: v1 with every sample scaled by ``mask``.

    Examples
    --------
    >>> from ssdkit.ops import get_op
    >>> op = get_op("_contrib_ModulatedDeformableConvolution")
    >>> p = op.parse_params({"kernel": (1, 1), "num_filter": 1, "no_bias": True})
    >>> x = np.ones((1, 1, 2, 2), np.float32)
    >>> args = [x, np.zeros((1, 2, 2, 2), np.float32), np.full((1, 1, 2, 2), 0.5, np.float32), np.ones((1, 1, 1, 1), np.float32)]
    >>> op.forward(p, args, False)[0][0].ravel().tolist()
    [0.5, 0.5, 0.5, 0.5]
    """
    name = "_contrib_ModulatedDeformableConvolution"
    hint = "modulateddeformableconvolution"
    modulated = True
    inputs = ("data", "offset", "mask", "weight", "bias")
    params = _params(True)
