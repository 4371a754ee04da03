"""Anchor (prior) boxes: MXNet ``MultiBoxPrior`` and a GluonCV-style SSD anchor grid.

Examples
--------
>>> multibox_prior(2, 2, sizes=(0.5,), ratios=(1,)).shape
(1, 4, 4)
"""
import numpy as np

from ..base import DTYPE, MXNetError, numeric_types

__all__ = ["multibox_prior", "ssd_anchor_grid", "anchors_per_location"]

AUTO_STEP = -1.0  # MXNet's "derive the step from the feature map size"


def _floats(op, name, value, length=None, nonempty=True):
    vals = (float(value),) if isinstance(value, numeric_types) else tuple(float(v) for v in value)
    if nonempty and not vals:
        raise MXNetError(f"{op}: {name} must not be empty")
    if length is not None and len(vals) != length:
        raise MXNetError(f"{op}: {name} must have {length} values, got {vals}")
    return vals


def anchors_per_location(sizes, ratios):
    """Number of anchors MultiBoxPrior places at each feature-map cell: ``len(sizes) + len(ratios) - 1``.

    Parameters
    ----------
    sizes, ratios : sequence of float

    Returns
    -------
    int

    Examples
    --------
    >>> anchors_per_location((0.2, 0.272), (1, 2, 0.5))
    4
    """
    return len(_floats("MultiBoxPrior", "sizes", sizes)) + len(_floats("MultiBoxPrior", "ratios", ratios)) - 1


def multibox_prior(height, width, sizes=(1.0,), ratios=(1.0,), clip=False, steps=(AUTO_STEP, AUTO_STEP),
                   offsets=(0.5, 0.5)):
    """Anchor boxes of one feature map, equal to MXNet 1.9.1 ``contrib.MultiBoxPrior``.

    Each cell ``(r, c)`` gets the anchors ``(sizes[i], ratios[0])`` for every size, then
    ``(sizes[0], ratios[j])`` for ``j >= 1``; width ``size * H / W * sqrt(ratio)``, height
    ``size / sqrt(ratio)``, centred at ``((c + offsets[1]) * step_x, (r + offsets[0]) * step_y)``.
    Anchors are ordered cell-major (row, column, anchor). Arithmetic is float32 in MXNet's order.

    Parameters
    ----------
    height, width : int
        Feature-map size (``data.shape[2:4]`` of the MXNet op).
    sizes : sequence of float
        Anchor sizes relative to the image.
    ratios : sequence of float
        Aspect ratios (width / height).
    clip : bool
        Clip coordinates into ``[0, 1]``.
    steps : (float, float)
        ``(step_y, step_x)``; a non-positive value means ``(1 / height, 1 / width)``.
    offsets : (float, float)
        ``(offset_y, offset_x)`` of the centre inside a cell, each in ``[0, 1]``.

    Returns
    -------
    numpy.ndarray, shape (1, height * width * (len(sizes) + len(ratios) - 1), 4), float32
        Corner boxes ``[xmin, ymin, xmax, ymax]``.

    Examples
    --------
    >>> multibox_prior(1, 2, sizes=(0.5,), ratios=(1, 4))
    array([[[0.125, 0.25 , 0.375, 0.75 ],
            [0.   , 0.375, 0.5  , 0.625],
            [0.625, 0.25 , 0.875, 0.75 ],
            [0.5  , 0.375, 1.   , 0.625]]], dtype=float32)
    """
    op = "MultiBoxPrior"
    sizes, ratios = _floats(op, "sizes", sizes), _floats(op, "ratios", ratios)
    steps, offsets = _floats(op, "steps", steps, 2), _floats(op, "offsets", offsets, 2)
    height, width = int(height), int(width)
    if height <= 0 or width <= 0:
        raise MXNetError(f"{op}: feature map height and width must be > 0, got ({height}, {width})")
    if not all(0.0 <= o <= 1.0 for o in offsets):
        raise MXNetError(f"{op}: offsets must lie in [0, 1], got {offsets}")
    if steps[0] * steps[1] < 0:
        raise MXNetError(f"{op}: steps must both be given or both be auto (<= 0), got {steps}")
    f32 = np.float32
    if steps[0] <= 0 or steps[1] <= 0:
        step_y, step_x = f32(1) / f32(height), f32(1) / f32(width)
    else:
        step_y, step_x = f32(steps[0]), f32(steps[1])
    center_y = (np.arange(height, dtype=DTYPE) + f32(offsets[0])) * step_y
    center_x = (np.arange(width, dtype=DTYPE) + f32(offsets[1])) * step_x
    # (size, ratio) pairs per cell in MXNet's order
    size_col = np.array(sizes + (sizes[0],) * (len(ratios) - 1), DTYPE)
    sqrt_ratio = np.sqrt(np.array((ratios[0],) * len(sizes) + ratios[1:], DTYPE))
    half_w = size_col * f32(height) / f32(width) * sqrt_ratio / f32(2)
    half_h = size_col / sqrt_ratio / f32(2)
    cy = center_y[:, None, None]
    cx = center_x[None, :, None]
    out = np.empty((height, width, len(size_col), 4), DTYPE)
    out[..., 0] = cx - half_w
    out[..., 1] = cy - half_h
    out[..., 2] = cx + half_w
    out[..., 3] = cy + half_h
    if clip:
        np.clip(out, 0, 1, out=out)
    return out.reshape(1, -1, 4)


def ssd_anchor_grid(height, width, sizes, ratios, step, offsets=(0.5, 0.5), clip_to=None):
    """GluonCV ``SSDAnchorGenerator`` anchors in center form ``[x, y, w, h]`` (pixels or any unit of ``step``).

    Each cell gets ``(s_min, s_min)``, ``(s', s')`` with ``s' = sqrt(s_min * s_max)``, then
    ``(s_min * sqrt(r), s_min / sqrt(r))`` for every ratio after the first.

    Parameters
    ----------
    height, width : int
        Feature-map size.
    sizes : (float, float)
        ``(size_min, size_max)``.
    ratios : sequence of float
        Aspect ratios; the first one is only used through the two square anchors.
    step : float
        Distance between neighbouring cell centres.
    offsets : (float, float)
        ``(offset_y, offset_x)`` of the centre inside a cell.
    clip_to : (int, int), optional
        Image ``(H, W)``: clip ``x`` and ``w`` into ``[0, W]``, ``y`` and ``h`` into ``[0, H]`` (GluonCV's
        ``clip=True``).

    Returns
    -------
    numpy.ndarray, shape (1, height * width * (len(ratios) + 1), 4), float32

    Examples
    --------
    >>> ssd_anchor_grid(1, 1, (30, 60), (1, 2), step=8)[0, :, 2:].round(2)
    array([[30.  , 30.  ],
           [42.43, 42.43],
           [42.43, 21.21]], dtype=float32)
    >>> ssd_anchor_grid(1, 1, (30, 60), (1, 2), step=8, clip_to=(32, 40))[0, :, 2:].round(2)
    array([[30.  , 30.  ],
           [40.  , 32.  ],
           [40.  , 21.21]], dtype=float32)
    """
    op = "ssd_anchor_grid"
    sizes, ratios = _floats(op, "sizes", sizes, 2), _floats(op, "ratios", ratios)
    offsets = _floats(op, "offsets", offsets, 2)
    if int(height) <= 0 or int(width) <= 0:
        raise MXNetError(f"{op}: feature map height and width must be > 0, got ({height}, {width})")
    big = np.sqrt(sizes[0] * sizes[1])
    sr = np.sqrt(np.array(ratios[1:], np.float64))
    shape_w = np.concatenate([[sizes[0], big], sizes[0] * sr])
    shape_h = np.concatenate([[sizes[0], big], sizes[0] / sr])
    cy = (np.arange(int(height)) + offsets[0]) * step
    cx = (np.arange(int(width)) + offsets[1]) * step
    grid = np.empty((int(height), int(width), len(shape_w), 4), np.float64)
    grid[..., 0] = cx[None, :, None]
    grid[..., 1] = cy[:, None, None]
    grid[..., 2] = shape_w
    grid[..., 3] = shape_h
    if clip_to is not None:
        im_h, im_w = clip_to
        np.clip(grid, 0, np.array([im_w, im_h, im_w, im_h], np.float64), out=grid)
    return grid.reshape(1, -1, 4).astype(DTYPE)
