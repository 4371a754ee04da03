"""Rotated ROIAlign: ``_contrib_RROIAlign`` (Ma 2018, text detection), as MXNet 1.9.1 computes it on the CPU.

``rois`` is ``(R, 6)`` ``[batch_index, centre_x, centre_y, width, height, theta_degrees]`` in image pixels,
scaled by ``spatial_scale`` (sides at least 1). The rotated box is cut into ``pooled_size = (ph, pw)`` bins;
each bin averages a ``sampling_ratio``-square grid of bilinear samples (adaptive ``ceil(side / bins)`` per
axis when ``sampling_ratio <= 0``), a grid point ``(xx, yy)`` relative to the centre sampled at
``(xx cos t + yy sin t + cx, yy cos t - xx sin t + cy)``. Samples more than a pixel outside the map read 0;
the others are clamped into the map as in ROIAlign. Output ``(R, C, ph, pw)``.

MXNet registers no gradient for RROIAlign (its backward aborts), so ssdkit declares none either: a backward
through it raises, as MXNet's does. A loop over regions finds their samples' bilinear taps; one sparse (region bin, image pixel) matrix of
the weights then reads every channel in a single product.

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("_contrib_RROIAlign")
>>> p = op.parse_params({"pooled_size": (1, 2), "spatial_scale": 1.0, "sampling_ratio": 1})
>>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
>>> op.forward(p, [x, np.array([[0, 1.5, 1.5, 2, 2, 0]], np.float32)], False)[0][0].tolist()
[[[[7.0, 8.0]]]]
"""
import numpy as np

from ..base import MXNetError, ShapeError
from .registry import Op, Param, register

__all__ = []


def _rotated_taps(roi, ph, pw, ratio, height, width, ct):
    """Flat pixel indices ``(4, ph, pw, n)`` and bilinear weights of every sample of one region, and the
    sample count per bin (the divisor), in MXNet's float arithmetic."""
    scale = ct(ratio[0])
    cx, cy, roi_w, roi_h = (roi[1:5].astype(ct) * scale).astype(ct)
    theta = ct(np.float64(roi[5].astype(ct)) * np.pi / 180.0)
    roi_w, roi_h = max(roi_w, ct(1)), max(roi_h, ct(1))
    bin_h, bin_w = ct(roi_h / ct(ph)), ct(roi_w / ct(pw))
    sampling = ratio[1]
    grid_h = sampling if sampling > 0 else int(np.ceil(roi_h / ct(ph)))
    grid_w = sampling if sampling > 0 else int(np.ceil(roi_w / ct(pw)))
    start_h, start_w = ct(-roi_h / ct(2)), ct(-roi_w / ct(2))
    yy = ((start_h + np.arange(ph).astype(ct)[:, None] * bin_h).astype(ct)
          + (np.arange(grid_h).astype(ct) + ct(0.5)) * bin_h / ct(grid_h)).astype(ct)       # (ph, gh)
    xx = ((start_w + np.arange(pw).astype(ct)[:, None] * bin_w).astype(ct)
          + (np.arange(grid_w).astype(ct) + ct(0.5)) * bin_w / ct(grid_w)).astype(ct)       # (pw, gw)
    yy, xx = yy[:, None, :, None], xx[None, :, None, :]                                     # (ph, pw, gh, gw)
    cos, sin = np.cos(theta), np.sin(theta)
    x = (xx * cos + yy * sin + cx).astype(ct)
    y = (yy * cos - xx * sin + cy).astype(ct)
    inside = (y >= -1.0) & (y <= height) & (x >= -1.0) & (x <= width)
    y, x = np.maximum(y, ct(0)), np.maximum(x, ct(0))
    y_low, x_low = y.astype(np.int64), x.astype(np.int64)
    top_y, top_x = y_low >= height - 1, x_low >= width - 1
    y_low, x_low = np.where(top_y, height - 1, y_low), np.where(top_x, width - 1, x_low)
    y_high, x_high = np.where(top_y, y_low, y_low + 1), np.where(top_x, x_low, x_low + 1)
    ly = np.where(top_y, ct(0), y - y_low.astype(ct))
    lx = np.where(top_x, ct(0), x - x_low.astype(ct))
    hy, hx = ct(1) - ly, ct(1) - lx
    index = np.stack([y_low * width + x_low, y_low * width + x_high, y_high * width + x_low,
                      y_high * width + x_high])
    weight = np.where(inside, np.stack([hy * hx, hy * lx, ly * hx, ly * lx]), ct(0))
    index = np.where(inside, index, 0)
    shape = (4, ph, pw, grid_h * grid_w)
    return index.reshape(shape), weight.reshape(shape), ct(grid_h * grid_w)


@register
class _contrib_RROIAlign(Op):
    """Rotated ROIAlign: average of bilinear samples in each of ``pooled_size`` bins of each rotated box
    ``[batch_index, cx, cy, w, h, theta_degrees]``; output ``(R, C, ph, pw)``. See :mod:`ssdkit.ops.rroi`."""
    name = "_contrib_RROIAlign"
    hint = "rroialign"
    inputs = ("data", "rois")
    differentiable = False
    no_gradient = True   # MXNet 1.9.1 registers no gradient for it
    params = {"pooled_size": Param("shape"), "spatial_scale": Param("float"), "sampling_ratio": Param("int", -1)}

    def _pooled(self, p):
        if len(p.pooled_size) != 2 or min(p.pooled_size) <= 0:
            raise MXNetError(f"{self.name}: pooled_size must be two positive sizes (h, w), got {p.pooled_size}")
        if not 0.0 <= p.spatial_scale <= 1.0:
            raise MXNetError(f"{self.name}: spatial_scale must be in [0, 1], got {p.spatial_scale}")
        return p.pooled_size

    def infer_shape(self, p, shapes):
        data, rois = shapes
        ph, pw = self._pooled(p)
        if data is None or rois is None:
            return shapes, [None]
        if len(data) != 4:
            raise ShapeError(f"{self.name}: data must be 4-D (N, C, H, W), got shape {tuple(data)}")
        if len(rois) != 2 or rois[1] != 6:
            raise ShapeError(f"{self.name}: rois must be (R, 6) [batch_index, cx, cy, w, h, theta], got "
                             f"shape {tuple(rois)}")
        return shapes, [(rois[0], data[1], ph, pw)]

    def forward(self, p, inputs, is_train):
        x, rois = inputs
        _, (out_shape,) = self.infer_shape(p, [x.shape, rois.shape])
        if rois.dtype != x.dtype:
            raise MXNetError(f"{self.name}: rois has dtype {rois.dtype}, data has {x.dtype} (MXNet needs one dtype)")
        ct = np.float64 if x.dtype == np.float64 else np.float32
        n_img, channels, height, width = x.shape
        ph, pw = self._pooled(p)
        from scipy import sparse as _sparse   # imported on first use: scipy.sparse is slow to import
        pixels = np.ascontiguousarray(x.reshape(n_img, channels, -1).transpose(0, 2, 1)).reshape(-1, channels)
        rows, cols, weights = [], [], []
        bins = np.arange(ph * pw).reshape(1, ph, pw, 1)
        for r, roi in enumerate(rois):
            batch = int(roi[0])
            if not 0 <= batch < n_img:
                raise MXNetError(f"{self.name}: rois[{r}, 0] = {roi[0]} is not an image index of data "
                                 f"(batch of {n_img})")
            index, weight, count = _rotated_taps(roi, ph, pw, (np.float32(p.spatial_scale), p.sampling_ratio),
                                                 height, width, ct)
            rows.append(np.broadcast_to(r * ph * pw + bins, index.shape).reshape(-1))
            cols.append((batch * height * width + index).reshape(-1))
            weights.append((weight / count).reshape(-1))
        # one sparse (region bin, image pixel) matrix of summed sample weights reads every channel at once
        taps = _sparse.csr_matrix((np.concatenate(weights).astype(np.float64) if weights else np.zeros(0),
                                   (np.concatenate(rows) if rows else np.zeros(0, int),
                                    np.concatenate(cols) if cols else np.zeros(0, int))),
                                  shape=(len(rois) * ph * pw, n_img * height * width))
        y = (taps @ pixels.astype(np.float64)).reshape(len(rois), ph, pw, channels).transpose(0, 3, 1, 2)
        y = np.ascontiguousarray(y.astype(x.dtype))
        return [y], None
