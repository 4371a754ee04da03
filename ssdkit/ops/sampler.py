"""``BilinearSampler``: sample NCHW data at grid positions in [-1, 1] with bilinear weights, zero outside.

``grid`` is ``(N, 2, H', W')``: channel 0 the x (width) coordinate, channel 1 the y coordinate, -1 the first
pixel and 1 the last; the output is ``(N, C, H', W')``. The arithmetic follows MXNet 1.9.1's CPU kernel:
weights in the data type, the four products summed in double, neighbours outside the image read as 0.
Gradients flow to ``data`` (scattered bilinear weights) and to ``grid`` (the weights' slopes).

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("BilinearSampler")
>>> data = np.arange(4, dtype=np.float32).reshape(1, 1, 2, 2)
>>> grid = np.zeros((1, 2, 1, 1), np.float32)          # the centre of the image
>>> op.forward(op.parse_params({}), [data, grid], False)[0][0].ravel().tolist()
[1.5]
"""
import numpy as np

from ..base import ShapeError
from .registry import Op, Param, register

__all__ = []


def _corners(data, grid):
    """Per output pixel: corner indices, in-image masks and the top-left weights (data dtype)."""
    _, _, in_h, in_w = data.shape
    dtype = data.dtype.type
    x_real = (grid[:, 0] + dtype(1)) * dtype(in_w - 1) / dtype(2)
    y_real = (grid[:, 1] + dtype(1)) * dtype(in_h - 1) / dtype(2)
    x0 = np.floor(x_real).astype(np.int64)
    y0 = np.floor(y_real).astype(np.int64)
    wx = (1.0 - (x_real - x0)).astype(data.dtype)     # weight of the left column
    wy = (1.0 - (y_real - y0)).astype(data.dtype)     # weight of the top row
    corners = []
    for dy in (0, 1):
        for dx in (0, 1):
            ys, xs = y0 + dy, x0 + dx
            inside = (xs >= 0) & (xs <= in_w - 1) & (ys >= 0) & (ys <= in_h - 1)
            corners.append((np.clip(ys, 0, in_h - 1), np.clip(xs, 0, in_w - 1), inside))
    return corners, wx, wy


def _gather(data, ys, xs, inside):
    """``data[n, :, ys, xs]`` as (N, C, H', W'), zero where the corner is outside the image."""
    n = np.arange(data.shape[0])[:, None, None]
    values = data[n, :, ys, xs]                        # (N, H', W', C)
    return np.moveaxis(np.where(inside[..., None], values, 0), -1, 1)


@register
class BilinearSampler(Op):
    """Bilinear sampling of ``data`` (N, C, H, W) at ``grid`` (N, 2, H', W') positions in [-1, 1]."""
    inputs = ("data", "grid")
    params = {"cudnn_off": Param("any", None)}
    hidden_outputs = 1   # MXNet's internal ``tmp`` output

    def infer_shape(self, p, shapes):
        data, grid = shapes
        if data is None or grid is None:
            return shapes, [None]
        if len(data) != 4 or len(grid) != 4:
            raise ShapeError(f"BilinearSampler: data must be (N, C, H, W) and grid (N, 2, H', W'), "
                             f"got data {tuple(data)} and grid {tuple(grid)}")
        if grid[0] != data[0] or grid[1] != 2:
            raise ShapeError(f"BilinearSampler: grid must be ({data[0]}, 2, H', W') for data {tuple(data)}, "
                             f"got {tuple(grid)}")
        return shapes, [(data[0], data[1], grid[2], grid[3])]

    def forward(self, p, inputs, is_train):
        data, grid = inputs
        self.infer_shape(p, [data.shape, grid.shape])
        grid = grid.astype(data.dtype, copy=False)
        corners, wx, wy = _corners(data, grid)
        tl, tr, bl, br = (_gather(data, *c) for c in corners)
        wx, wy = wx[:, None], wy[:, None]
        one = 1.0
        out = ((tl * wy * wx).astype(np.float64)
               + (tr * wy).astype(np.float64) * (one - wx.astype(np.float64))
               + bl.astype(np.float64) * (one - wy.astype(np.float64)) * wx
               + br.astype(np.float64) * (one - wy.astype(np.float64)) * (one - wx.astype(np.float64)))
        return [out.astype(data.dtype)], (data, grid, corners, wx, wy, (tl, tr, bl, br))

    def backward(self, p, saved, out_grads):
        data, grid, corners, wx, wy, (tl, tr, bl, br) = saved
        g = out_grads[0].astype(np.float64)
        wx64, wy64 = wx.astype(np.float64), wy.astype(np.float64)
        weights = (wy64 * wx64, wy64 * (1 - wx64), (1 - wy64) * wx64, (1 - wy64) * (1 - wx64))
        grad_data = np.zeros(data.shape, np.float64)
        n = np.arange(data.shape[0])[:, None, None]
        for (ys, xs, inside), weight in zip(corners, weights):
            contribution = np.moveaxis(np.where(inside[:, None], g * weight, 0), 1, -1)   # (N, H', W', C)
            np.add.at(grad_data, (n, slice(None), ys, xs), contribution)
        mixed = tl - tr - bl + br
        gy = -(g * (tr - br + mixed * wx64)).sum(axis=1)
        gx = -(g * (bl - br + mixed * wy64)).sum(axis=1)
        _, _, in_h, in_w = data.shape
        grad_grid = np.stack([gx * (in_w - 1) / 2, gy * (in_h - 1) / 2], axis=1)
        return [grad_data.astype(data.dtype), grad_grid.astype(grid.dtype)]
