"""Region-of-interest pooling: ``ROIPooling`` (max over integer bins) and ``contrib.ROIAlign`` (average of
bilinear samples), as MXNet 1.9.1 computes them on the CPU.

``rois`` is ``(R, 5)``: ``[batch_index, x1, y1, x2, y2]`` in input-image coordinates, scaled to the feature
map by ``spatial_scale``. The output is ``(R, C, pooled_h, pooled_w)``; ``rois`` gets a zero gradient.
A Python loop runs over the boxes (and for ROIPooling over the bins of a box), never over pixels:
ROIAlign's samples of one box are separable, ``B_y @ x @ B_x.T`` with one weight matrix per axis.

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("ROIPooling")
>>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
>>> rois = np.array([[0, 0, 0, 3, 3]], np.float32)
>>> op.forward(op.parse_params({"pooled_size": (2, 2), "spatial_scale": 1.0}), [x, rois], False)[0][0][0, 0]
array([[ 5.,  7.],
       [13., 15.]], dtype=float32)
"""
import numpy as np

from ..base import ShapeError
from .registry import Op, Param, register

__all__ = []


def _c_round(v):
    """C's round(): halves away from zero."""
    return np.sign(v) * np.floor(np.abs(v) + 0.5)


class _ROIBase(Op):
    inputs = ("data", "rois")

    def _check(self, data, rois, channels_div=1):
        if len(data) != 4:
            raise ShapeError(f"{self.name}: data must be 4-D (N, C, H, W), got shape {tuple(data)}")
        if len(rois) != 2 or rois[1] != 5:
            raise ShapeError(f"{self.name}: rois must be (R, 5) [batch_index, x1, y1, x2, y2], got shape "
                             f"{tuple(rois)}")
        if data[1] % channels_div:
            raise ShapeError(f"{self.name}: data channels {data[1]} must be divisible by "
                             f"pooled_h * pooled_w = {channels_div} (position_sensitive)")

    def _pooled(self, p):
        size = tuple(p.pooled_size)
        return (size[0], size[0]) if len(size) == 1 else size[:2]


@register(aliases=("_npx_roi_pooling",))
class ROIPooling(_ROIBase):
    """Max pooling of each region of interest into ``pooled_size`` bins (MXNet's integer bin bounds)."""
    hidden_outputs = 1   # MXNet's argmax output
    params = {"pooled_size": Param("shape"), "spatial_scale": Param("float")}

    def infer_shape(self, p, shapes):
        data, rois = shapes
        if data is None or rois is None:
            return shapes, [None]
        self._check(data, rois)
        return shapes, [(rois[0], data[1]) + self._pooled(p)]

    def forward(self, p, inputs, is_train):
        x, rois = inputs
        self.infer_shape(p, [x.shape, rois.shape])
        ph, pw = self._pooled(p)
        n_img, channels, height, width = x.shape
        y = np.zeros((len(rois), channels, ph, pw), x.dtype)
        argmax = []   # per (roi, bin): (batch, h0, w0, flat argmax over the bin per channel, bin width)
        dtype = x.dtype.type
        for r, roi in enumerate(rois):
            batch = int(roi[0])
            if batch < 0 or batch >= n_img:
                continue
            start_w, start_h, end_w, end_h = _c_round(roi[1:5] * dtype(p.spatial_scale)).astype(int)
            bin_h = dtype(max(end_h - start_h + 1, 1)) / dtype(ph)
            bin_w = dtype(max(end_w - start_w + 1, 1)) / dtype(pw)
            for i in range(ph):
                h0 = min(max(int(np.floor(dtype(i) * bin_h)) + start_h, 0), height)
                h1 = min(max(int(np.ceil(dtype(i + 1) * bin_h)) + start_h, 0), height)
                for j in range(pw):
                    w0 = min(max(int(np.floor(dtype(j) * bin_w)) + start_w, 0), width)
                    w1 = min(max(int(np.ceil(dtype(j + 1) * bin_w)) + start_w, 0), width)
                    if h1 <= h0 or w1 <= w0:
                        continue
                    window = x[batch, :, h0:h1, w0:w1].reshape(channels, -1)
                    best = window.argmax(axis=1)
                    y[r, :, i, j] = window[np.arange(channels), best]
                    argmax.append((r, i, j, batch, h0, w0, best, w1 - w0))
        return [y], (x.shape, rois.shape, argmax)

    def backward(self, p, saved, out_grads):
        shape, rois_shape, argmax = saved
        g = out_grads[0]
        dx = np.zeros(shape, g.dtype)
        channels = np.arange(shape[1])
        for r, i, j, batch, h0, w0, best, bin_w in argmax:
            np.add.at(dx, (batch, channels, h0 + best // bin_w, w0 + best % bin_w), g[r, :, i, j])
        return [dx, np.zeros(rois_shape, g.dtype)]


def _sample_matrix(start, bin_size, pooled, grid, size):
    """``(pooled, size)`` weights: each bin's average of ``grid`` bilinear samples along one axis."""
    f32 = np.float32
    offsets = (np.arange(grid, dtype=f32) + f32(0.5)) * bin_size / f32(grid)
    coords = (start + np.arange(pooled, dtype=f32)[:, None] * bin_size + offsets[None, :]).astype(f32)
    valid = (coords >= -1.0) & (coords <= size)
    c = np.maximum(coords, f32(0))
    low = c.astype(np.int64)
    top = low >= size - 1
    low = np.where(top, size - 1, low)
    high = np.where(top, size - 1, low + 1)
    c = np.where(top, low.astype(f32), c)
    frac = (c - low).astype(np.float64)
    mat = np.zeros((pooled, size))
    rows = np.broadcast_to(np.arange(pooled)[:, None], low.shape)
    np.add.at(mat, (rows, low), np.where(valid, 1.0 - frac, 0.0))
    np.add.at(mat, (rows, high), np.where(valid, frac, 0.0))
    return mat / grid


@register
class _contrib_ROIAlign(_ROIBase):
    """Average of bilinear samples in each of ``pooled_size`` bins of each region (Mask R-CNN's ROIAlign);
    ``aligned`` shifts boxes by half a pixel, ``position_sensitive`` reads one channel group per bin."""
    name = "_contrib_ROIAlign"
    params = {"pooled_size": Param("shape"), "spatial_scale": Param("float"), "sample_ratio": Param("int", -1),
              "position_sensitive": Param("bool", False), "aligned": Param("bool", False)}

    def infer_shape(self, p, shapes):
        data, rois = shapes
        if data is None or rois is None:
            return shapes, [None]
        ph, pw = self._pooled(p)
        div = ph * pw if p.position_sensitive else 1
        self._check(data, rois, div)
        return shapes, [(rois[0], data[1] // div, ph, pw)]

    def _box(self, p, roi, ph, pw, height, width):
        """The box's (B_y, B_x) matrices, or None for a box with a negative batch index."""
        f32 = np.float32
        offset = f32(0.5) if p.aligned else f32(0)
        x1, y1, x2, y2 = (roi[1:5].astype(f32) * f32(p.spatial_scale) - offset).astype(f32)
        roi_w, roi_h = f32(x2 - x1), f32(y2 - y1)
        if not p.aligned:
            roi_w, roi_h = max(roi_w, f32(1)), max(roi_h, f32(1))
        bin_h, bin_w = f32(roi_h / f32(ph)), f32(roi_w / f32(pw))
        grid_h = p.sample_ratio if p.sample_ratio > 0 else int(np.ceil(roi_h / f32(ph)))
        grid_w = p.sample_ratio if p.sample_ratio > 0 else int(np.ceil(roi_w / f32(pw)))
        return _sample_matrix(y1, bin_h, ph, grid_h, height), _sample_matrix(x1, bin_w, pw, grid_w, width)

    def _pick(self, full, ph, pw):
        """Position-sensitive: output channel c of bin (i, j) reads input channel c * ph * pw + i * pw + j."""
        grouped = full.reshape(-1, ph, pw, ph, pw)
        i, j = np.meshgrid(np.arange(ph), np.arange(pw), indexing="ij")
        return grouped[:, i, j, i, j]

    def forward(self, p, inputs, is_train):
        x, rois = inputs
        _, (out_shape,) = self.infer_shape(p, [x.shape, rois.shape])
        ph, pw = self._pooled(p)
        y = np.zeros(out_shape, x.dtype)
        boxes = []
        for r, roi in enumerate(rois):
            batch = int(roi[0])
            if batch < 0:
                boxes.append(None)
                continue
            by, bx = self._box(p, roi, ph, pw, x.shape[2], x.shape[3])
            full = np.matmul(np.matmul(by, x[batch].astype(np.float64)), bx.T)
            y[r] = self._pick(full, ph, pw) if p.position_sensitive else full
            boxes.append((batch, by, bx))
        return [y], (x.shape, rois.shape, boxes)

    def backward(self, p, saved, out_grads):
        shape, rois_shape, boxes = saved
        g = out_grads[0].astype(np.float64)
        ph, pw = self._pooled(p)
        dx = np.zeros(shape)
        for r, box in enumerate(boxes):
            if box is None:
                continue
            batch, by, bx = box
            gr = g[r]
            if p.position_sensitive:   # scatter each bin's gradient back to the channel it read
                full = np.zeros((gr.shape[0], ph, pw, ph, pw))
                i, j = np.meshgrid(np.arange(ph), np.arange(pw), indexing="ij")
                full[:, i, j, i, j] = gr
                gr = full.reshape(-1, ph, pw)
            dx[batch] += np.matmul(np.matmul(by.T, gr), bx)
        return [dx.astype(out_grads[0].dtype), np.zeros(rois_shape, out_grads[0].dtype)]
