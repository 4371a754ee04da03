"""Sampling grids: ``GridGenerator`` (an affine matrix or an optical flow -> positions in [-1, 1]) and
``SpatialTransformer`` (GridGenerator's affine grid, then ``BilinearSampler``), as MXNet 1.9.1.

A grid is ``(N, 2, H, W)``: channel 0 the x (width) position, channel 1 the y position, -1 the first
pixel and 1 the last (what :mod:`ssdkit.ops.sampler` reads).

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("GridGenerator")
>>> identity = np.array([[1, 0, 0, 0, 1, 0]], np.float32)
>>> grid = op.forward(op.parse_params({"transform_type": "affine", "target_shape": (2, 3)}), [identity], False)[0][0]
>>> grid[0, 0].tolist(), grid[0, 1].tolist()
([[-1.0, 0.0, 1.0], [-1.0, 0.0, 1.0]], [[-1.0, -1.0, -1.0], [1.0, 1.0, 1.0]])
"""
import numpy as np

from ..base import MXNetError, ShapeError
from .registry import Op, Param, register, get_op

__all__ = ["affine_target_grid"]


def affine_target_grid(height, width, dtype=np.float32):
    """``(3, height * width)``: each output pixel's normalized ``x``, ``y`` and 1 (MXNet's ``grid_dst``).

    Examples
    --------
    >>> affine_target_grid(1, 2).tolist()
    [[-1.0, 1.0], [-1.0, -1.0], [1.0, 1.0]]
    """
    xs = -1.0 + np.arange(width) * (2.0 / (width - 1)) if width > 1 else np.full(width, -1.0)
    ys = -1.0 + np.arange(height) * (2.0 / (height - 1)) if height > 1 else np.full(height, -1.0)
    grid = np.stack([np.tile(xs, height), np.repeat(ys, width), np.ones(height * width)])
    return grid.astype(dtype)


@register
class GridGenerator(Op):
    """Sampling grid from an affine matrix ``(N, 6)`` (for ``target_shape`` (H, W)) or from an optical flow
    ``(N, 2, H, W)`` added to each pixel's own position ('warp')."""
    hidden_outputs = 1   # MXNet's grid_dst
    params = {"transform_type": Param("str", choices=("affine", "warp")), "target_shape": Param("shape", (0, 0))}

    def infer_shape(self, p, shapes):
        data = shapes[0]
        if data is None:
            return shapes, [None]
        if p.transform_type == "affine":
            if len(data) != 2 or data[1] != 6:
                raise ShapeError(f"GridGenerator: affine data must be (N, 6), got shape {tuple(data)}")
            if len(p.target_shape) != 2 or min(p.target_shape) <= 0:
                raise MXNetError(f"GridGenerator: affine needs target_shape (H, W) > 0, got {p.target_shape}")
            return shapes, [(data[0], 2) + tuple(p.target_shape)]
        if len(data) != 4 or data[1] != 2:
            raise ShapeError(f"GridGenerator: warp data must be a flow (N, 2, H, W), got shape {tuple(data)}")
        return shapes, [tuple(data)]

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        _, (out,) = self.infer_shape(p, [x.shape])
        if p.transform_type == "affine":
            target = affine_target_grid(out[2], out[3], x.dtype)
            y = np.matmul(x.reshape(-1, 2, 3), target).reshape(out)
            return [y.astype(x.dtype, copy=False)], target
        n, _, h, w = x.shape
        half = np.array([(w - 1) / 2.0, (h - 1) / 2.0], x.dtype).reshape(1, 2, 1, 1)
        own = np.stack(np.meshgrid(np.arange(w), np.arange(h))).astype(x.dtype)[None]
        return [((x + own) / half - 1).astype(x.dtype)], half

    def backward(self, p, saved, out_grads):
        g = out_grads[0]
        if p.transform_type == "affine":
            dtheta = np.matmul(g.reshape(g.shape[0], 2, -1), saved.T)
            return [dtheta.reshape(g.shape[0], 6).astype(g.dtype)]
        return [(g / saved).astype(g.dtype)]


@register
class SpatialTransformer(Op):
    """Warp NCHW ``data`` by the affine matrices ``loc`` (N, 6) onto a ``target_shape`` grid with bilinear
    sampling (GridGenerator then BilinearSampler)."""
    inputs = ("data", "loc")
    hidden_outputs = 2   # MXNet's grid_dst and grid_src
    params = {"target_shape": Param("shape", (0, 0)), "transform_type": Param("str", "affine", ("affine",)),
              "sampler_type": Param("str", "bilinear", ("bilinear",)), "cudnn_off": Param("any", None)}

    def _parts(self, p):
        grid = get_op("GridGenerator")
        sampler = get_op("BilinearSampler")
        return (grid, grid.parse_params({"transform_type": "affine", "target_shape": p.target_shape}),
                sampler, sampler.parse_params({}))

    def infer_shape(self, p, shapes):
        data, loc = shapes
        if data is None:
            return shapes, [None]
        if len(data) != 4:
            raise ShapeError(f"SpatialTransformer: data must be 4-D (N, C, H, W), got shape {tuple(data)}")
        grid, gp, _, _ = self._parts(p)
        grid.infer_shape(gp, [loc if loc is not None else (data[0], 6)])
        return [data, (data[0], 6)], [tuple(data[:2]) + tuple(p.target_shape)]

    def forward(self, p, inputs, is_train):
        data, loc = inputs
        self.infer_shape(p, [data.shape, loc.shape])
        grid, gp, sampler, sp = self._parts(p)
        (g,), grid_saved = grid.forward(gp, [loc.astype(data.dtype, copy=False)], is_train)
        (y,), sampler_saved = sampler.forward(sp, [data, g], is_train)
        return [y], (grid_saved, sampler_saved)

    def backward(self, p, saved, out_grads):
        grid, gp, sampler, sp = self._parts(p)
        grid_saved, sampler_saved = saved
        d_data, d_grid = sampler.backward(sp, sampler_saved, out_grads)
        return [d_data, grid.backward(gp, grid_saved, [d_grid])[0]]
