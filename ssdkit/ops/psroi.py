"""Position-sensitive ROI pooling of R-FCN: ``_contrib_PSROIPooling`` and ``_contrib_DeformablePSROIPooling``
(Dai 2017), as MXNet 1.9.1 computes them on the CPU.

``rois`` is ``(R, 5)`` ``[batch_index, x1, y1, x2, y2]`` in image pixels; corners are rounded (halves away
from zero) and scaled by ``spatial_scale``. Each region is cut into ``pooled_size x pooled_size`` bins and
output channel ``ctop`` of bin ``(i, j)`` reads input channel ``(ctop * group_size + gi) * group_size + gj``
(``gi = floor(i * group_size / pooled_size)``), so ``data`` needs ``output_dim * group_size ** 2`` channels.

* PSROIPooling averages the whole pixels of a bin (integer bounds ``floor`` / ``ceil``, clipped; an empty
  bin gives 0). Sums use a summed-area table, the backward a 2-D difference table: no loop at all.
* DeformablePSROIPooling averages ``sample_per_part ** 2`` bilinear samples per bin, the bin shifted by
  ``trans[r, 2 * class + (0 | 1), part_i, part_j] * trans_std`` times the region's width | height (``class =
  ctop // (output_dim // num_classes)``); samples more than half a pixel outside the map are left out of the
  average. The gradient of ``trans`` is MXNet's: the bilinear slopes at the clamped sample point.

Both give ``rois`` a zero gradient (as MXNet). Computed in float32 for float16/float32 data, else float64.

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("_contrib_PSROIPooling")
>>> p = op.parse_params({"spatial_scale": 1.0, "output_dim": 1, "pooled_size": 2})
>>> x = np.arange(4 * 16, dtype=np.float32).reshape(1, 4, 4, 4)    # channel k: bin k of the 2x2 grid
>>> op.forward(p, [x, np.array([[0, 0, 0, 3, 3]], np.float32)], False)[0][0][0, 0].tolist()
[[2.5, 20.5], [42.5, 60.5]]
"""
import numpy as np

from ..base import MXNetError, ShapeError
from .registry import Op, Param, register
from .roi import _c_round

__all__ = []


def _compute_dtype(dtype):
    return np.float64 if dtype == np.float64 else np.float32


def _roi_frame(rois, scale, shift, ct):
    """``(batch, x0, y0, width, height)`` of each region in feature-map units, MXNet's arithmetic: rounded
    corners, ``x2 + 1`` as the end, ``shift`` subtracted (Deformable's half pixel), sides at least 0.1."""
    corners = _c_round(rois[:, 1:5].astype(ct))
    scale = ct(np.float32(scale))          # MXNet's parameter is a C float
    start = (corners[:, :2] * scale).astype(np.float64) - shift
    end = ((corners[:, 2:] + 1).astype(ct) * scale).astype(np.float64) - shift
    start, end = start.astype(ct), end.astype(ct)
    size = np.maximum(end - start, ct(0.1))
    return rois[:, 0].astype(np.int64), start[:, 0], start[:, 1], size[:, 0], size[:, 1]


def _group_channels(output_dim, pooled, group, ct):
    """``(output_dim, P, P)`` input channel read by each output channel and bin."""
    g = np.floor(np.arange(pooled).astype(ct) * ct(group) / ct(pooled)).astype(np.int64).clip(0, group - 1)
    return (np.arange(output_dim)[:, None, None] * group + g[None, :, None]) * group + g[None, None, :]


class _PSBase(Op):
    inputs = ("data", "rois")

    def _group(self, p):
        return p.group_size or p.pooled_size

    def _check(self, p, data, rois, rest=()):
        if not 0.0 <= p.spatial_scale <= 1.0:
            raise MXNetError(f"{self.name}: spatial_scale must be in [0, 1], got {p.spatial_scale}")
        if len(data) != 4:
            raise ShapeError(f"{self.name}: data must be 4-D (N, C, H, W), got shape {tuple(data)}")
        if len(rois) != 2 or rois[1] != 5:
            raise ShapeError(f"{self.name}: rois must be (R, 5) [batch_index, x1, y1, x2, y2], got shape "
                             f"{tuple(rois)}")
        need = p.output_dim * self._group(p) ** 2
        if data[1] < need:
            raise ShapeError(f"{self.name}: data has {data[1]} channels, expected output_dim * group_size^2 = "
                             f"{p.output_dim} * {self._group(p)}^2 = {need}")

    def _batches(self, rois, n_img):
        batch = rois[:, 0].astype(np.int64)
        bad = (batch < 0) | (batch >= n_img)
        if bad.any():
            r = int(np.flatnonzero(bad)[0])
            raise MXNetError(f"{self.name}: rois[{r}, 0] = {rois[r, 0]} is not an image index of data "
                             f"(batch of {n_img})")

    def _check_dtypes(self, inputs):
        for name, a in zip(self.inputs[1:], inputs[1:]):
            if a.dtype != inputs[0].dtype:
                raise MXNetError(f"{self.name}: {name} has dtype {a.dtype}, data has {inputs[0].dtype} "
                                 f"(MXNet needs one dtype)")


@register
class _contrib_PSROIPooling(_PSBase):
    """Position-sensitive average pooling of each region into ``pooled_size x pooled_size`` bins
    (R-FCN); output ``(R, output_dim, pooled_size, pooled_size)``. See :mod:`ssdkit.ops.psroi`."""
    name = "_contrib_PSROIPooling"
    hint = "psroipooling"
    params = {"spatial_scale": Param("float"), "output_dim": Param("int"), "pooled_size": Param("int"),
              "group_size": Param("int", 0)}

    def infer_shape(self, p, shapes):
        data, rois = shapes
        if data is None or rois is None:
            return shapes, [None]
        self._check(p, data, rois)
        return shapes, [(rois[0], p.output_dim, p.pooled_size, p.pooled_size)]

    def _bins(self, p, rois, height, width, ct):
        """Clipped integer bin bounds ``(R, P)`` along h and w, and each bin's pixel count."""
        batch, x0, y0, w, h = _roi_frame(rois, p.spatial_scale, 0.0, ct)
        steps = np.arange(p.pooled_size + 1).astype(ct)
        bounds = []
        for start, size, limit in ((y0, h, height), (x0, w, width)):
            edge = (steps[None, :] * (size / ct(p.pooled_size))[:, None] + start[:, None]).astype(ct)
            lo = np.floor(edge[:, :-1]).astype(np.int64).clip(0, limit)
            hi = np.ceil(edge[:, 1:]).astype(np.int64).clip(0, limit)
            bounds += [lo, np.maximum(hi, lo)]      # an empty bin covers nothing
        h0, h1, w0, w1 = bounds
        area = (h1 - h0)[:, :, None] * (w1 - w0)[:, None, :]
        return batch, h0, h1, w0, w1, area

    def _corners(self, p, batch, h0, h1, w0, w1, channels):
        """Index tuples of the four summed-area corners, each ``(R, D, P, P)``, with their signs."""
        b = batch[:, None, None, None]
        c = channels[None]
        hs = (h0[:, None, :, None], h1[:, None, :, None])
        ws = (w0[:, None, None, :], w1[:, None, None, :])
        return [((b, c, hs[i], ws[j]), 1 if i == j else -1) for i in (0, 1) for j in (0, 1)]

    def forward(self, p, inputs, is_train):
        x, rois = inputs
        _, (out_shape,) = self.infer_shape(p, [x.shape, rois.shape])
        self._check_dtypes(inputs)
        self._batches(rois, x.shape[0])
        ct = _compute_dtype(x.dtype)
        batch, h0, h1, w0, w1, area = self._bins(p, rois, x.shape[2], x.shape[3], ct)
        channels = _group_channels(p.output_dim, p.pooled_size, self._group(p), ct)
        table = np.zeros(x.shape[:2] + (x.shape[2] + 1, x.shape[3] + 1))
        table[:, :, 1:, 1:] = x.astype(np.float64).cumsum(2).cumsum(3)
        total = sum(sign * table[index] for index, sign in self._corners(p, batch, h0, h1, w0, w1, channels))
        area = area[:, None]
        y = np.where(area > 0, total / np.maximum(area, 1), 0.0)
        return [y.astype(x.dtype)], (x.shape, rois)

    def backward(self, p, saved, out_grads):
        shape, rois = saved
        g = out_grads[0]
        ct = _compute_dtype(g.dtype)
        batch, h0, h1, w0, w1, area = self._bins(p, rois, shape[2], shape[3], ct)
        channels = _group_channels(p.output_dim, p.pooled_size, self._group(p), ct)
        area = area[:, None]
        share = np.where(area > 0, g.astype(np.float64) / np.maximum(area, 1), 0.0)
        table = shape[:2] + (shape[2] + 1, shape[3] + 1)
        diff = sum(np.bincount(np.ravel_multi_index(np.broadcast_arrays(*index), table).reshape(-1),
                               (sign * share).reshape(-1), int(np.prod(table)))
                   for index, sign in self._corners(p, batch, h0, h1, w0, w1, channels))
        dx = diff.reshape(table).cumsum(2).cumsum(3)[:, :, :-1, :-1]
        return [dx.astype(g.dtype), np.zeros(rois.shape, g.dtype)]


@register
class _contrib_DeformablePSROIPooling(_PSBase):
    """Position-sensitive pooling of bilinear samples, each bin shifted by learned offsets ``trans``
    ``(R, 2 * num_classes, part_size, part_size)`` (omitted with ``no_trans``); output ``(R, output_dim,
    pooled_size, pooled_size)``. See :mod:`ssdkit.ops.psroi`."""
    name = "_contrib_DeformablePSROIPooling"
    hint = "deformablepsroipooling"
    inputs = ("data", "rois", "trans")
    hidden_outputs = 1   # MXNet's top_count: samples averaged per output value
    params = {"spatial_scale": Param("float"), "output_dim": Param("int"), "group_size": Param("int"),
              "pooled_size": Param("int"), "part_size": Param("int", 0), "sample_per_part": Param("int", 1),
              "trans_std": Param("float", 0.0), "no_trans": Param("bool", False)}

    def input_names(self, p):
        return ["data", "rois"] if p.no_trans else ["data", "rois", "trans"]

    def _group(self, p):
        return p.group_size

    def _part(self, p):
        return p.part_size or p.pooled_size

    def infer_shape(self, p, shapes):
        data, rois = shapes[:2]
        if data is None or rois is None:
            return shapes, [None]
        self._check(p, data, rois)
        if not 0.0 <= p.trans_std <= 1.0:
            raise MXNetError(f"{self.name}: trans_std must be in [0, 1], got {p.trans_std}")
        if not p.no_trans and shapes[2] is not None:
            trans, part = shapes[2], self._part(p)
            if (len(trans) != 4 or trans[0] != rois[0] or trans[1] % 2 or not trans[1]
                    or p.output_dim % (trans[1] // 2) or tuple(trans[2:]) != (part, part)):
                raise ShapeError(f"{self.name}: trans must be (R, 2 * num_classes, part_size, part_size) = "
                                 f"({rois[0]}, 2 * k, {part}, {part}) with output_dim {p.output_dim} divisible "
                                 f"by k, got {tuple(trans)}")
        return shapes, [(rois[0], p.output_dim, p.pooled_size, p.pooled_size)]

    def _samples(self, p, x_shape, rois, trans, ct):
        """Sampling points ``(R, D, P, P, S, S)`` (clamped rows / columns, validity), the trans entry each
        output reads, the region sizes and the channels."""
        pooled, spp, part, dim = p.pooled_size, p.sample_per_part, self._part(p), p.output_dim
        height, width = x_shape[2], x_shape[3]
        batch, x0, y0, roi_w, roi_h = _roi_frame(rois, p.spatial_scale, 0.5, ct)
        bin_w, bin_h = roi_w / ct(pooled), roi_h / ct(pooled)
        sub_w, sub_h = bin_w / ct(spp), bin_h / ct(spp)
        bins = np.arange(pooled).astype(ct)
        part_of = np.floor(bins / ct(pooled) * ct(part)).astype(np.int64)
        classes = 1 if trans is None else trans.shape[1] // 2
        class_id = np.arange(dim) // (dim // classes)
        r = np.arange(len(rois))[:, None, None, None]
        where = (r, class_id[None, :, None, None], part_of[None, None, :, None], part_of[None, None, None, :])
        if trans is None:
            shift_x = shift_y = np.zeros((len(rois), dim, pooled, pooled), ct)
        else:
            std = ct(np.float32(p.trans_std))
            t = trans.astype(ct).reshape(len(rois), classes, 2, trans.shape[2], trans.shape[3])
            shift_x = t[r, where[1], 0, where[2], where[3]] * std
            shift_y = t[r, where[1], 1, where[2], where[3]] * std
        col = bins[None, None, None, :] * bin_w[:, None, None, None] + x0[:, None, None, None]
        row = bins[None, None, :, None] * bin_h[:, None, None, None] + y0[:, None, None, None]
        col = (col + shift_x * roi_w[:, None, None, None]).astype(ct)
        row = (row + shift_y * roi_h[:, None, None, None]).astype(ct)
        steps = np.arange(spp).astype(ct)
        px = col[..., None, None] + steps[None, :] * sub_w[:, None, None, None, None, None]
        py = row[..., None, None] + steps[:, None] * sub_h[:, None, None, None, None, None]
        px, py = px.astype(ct), py.astype(ct)
        valid = (px >= -0.5) & (px <= width - 0.5) & (py >= -0.5) & (py <= height - 0.5)
        px, py = px.clip(ct(0), ct(width - 1)), py.clip(ct(0), ct(height - 1))
        channels = _group_channels(dim, pooled, p.group_size, ct)
        return batch, px, py, valid, where, roi_w, roi_h, channels

    def _taps(self, x_shape, batch, px, py, channels):
        """Flat indices into data of the four neighbours ``(x0y0, x0y1, x1y0, x1y1)`` and the fractions."""
        height, width = x_shape[2], x_shape[3]
        ix0, iy0 = np.floor(px).astype(np.int64), np.floor(py).astype(np.int64)
        ix1, iy1 = np.ceil(px).astype(np.int64), np.ceil(py).astype(np.int64)
        plane = ((batch[:, None, None, None] * x_shape[1] + channels[None]) * height * width)[..., None, None]
        index = [plane + yy * width + xx for xx, yy in ((ix0, iy0), (ix0, iy1), (ix1, iy0), (ix1, iy1))]
        return index, px - ix0.astype(px.dtype), py - iy0.astype(py.dtype)

    def forward(self, p, inputs, is_train):
        x, rois = inputs[:2]
        trans = None if p.no_trans else inputs[2]
        _, (out_shape,) = self.infer_shape(p, [a.shape for a in inputs] + [None] * (3 - len(inputs)))
        self._check_dtypes(inputs)
        self._batches(rois, x.shape[0])
        ct = _compute_dtype(x.dtype)
        batch, px, py, valid, where, roi_w, roi_h, channels = self._samples(p, x.shape, rois, trans, ct)
        index, dx, dy = self._taps(x.shape, batch, px, py, channels)
        flat = x.astype(ct).reshape(-1)
        one = ct(1)
        value = ((one - dx) * (one - dy) * flat[index[0]] + (one - dx) * dy * flat[index[1]]
                 + dx * (one - dy) * flat[index[2]] + dx * dy * flat[index[3]])
        count = valid.sum(axis=(-2, -1))
        total = np.where(valid, value, ct(0)).sum(axis=(-2, -1), dtype=np.float64)
        y = np.where(count > 0, total / np.maximum(count, 1), 0.0)
        return [y.astype(x.dtype)], (x, rois, trans)

    def backward(self, p, saved, out_grads):
        x, rois, trans = saved
        shape, g = x.shape, out_grads[0]
        ct = _compute_dtype(g.dtype)
        batch, px, py, valid, where, roi_w, roi_h, channels = self._samples(p, shape, rois, trans, ct)
        index, dx, dy = self._taps(shape, batch, px, py, channels)
        count = valid.sum(axis=(-2, -1))
        share = np.where(count > 0, g.astype(np.float64) / np.maximum(count, 1), 0.0)[..., None, None]
        share = np.where(valid, share, 0.0)
        weights = ((1 - dx) * (1 - dy), (1 - dx) * dy, dx * (1 - dy), dx * dy)
        size = int(np.prod(shape))
        grad = sum(np.bincount(i.reshape(-1), (w * share).reshape(-1), size) for i, w in zip(index, weights))
        grads = [grad.reshape(shape).astype(g.dtype), np.zeros(rois.shape, g.dtype)]
        if trans is not None:
            flat_x = x.astype(ct).reshape(-1)
            u00, u01, u10, u11 = (flat_x[i].astype(np.float64) for i in index)
            std = np.float64(np.float32(p.trans_std))
            d_x = (u11 * dy + u10 * (1 - dy) - u01 * dy - u00 * (1 - dy)) * share * std
            d_y = (u11 * dx + u01 * (1 - dx) - u10 * dx - u00 * (1 - dx)) * share * std
            d_x = (d_x * roi_w[:, None, None, None, None, None]).sum(axis=(-2, -1))
            d_y = (d_y * roi_h[:, None, None, None, None, None]).sum(axis=(-2, -1))
            r, cls, ph, pw = np.broadcast_arrays(*where)
            t_shape = trans.shape
            flat = ((r * t_shape[1] + 2 * cls) * t_shape[2] + ph) * t_shape[3] + pw
            dt = (np.bincount(flat.reshape(-1), d_x.reshape(-1), trans.size)
                  + np.bincount((flat + t_shape[2] * t_shape[3]).reshape(-1), d_y.reshape(-1), trans.size))
            grads.append(dt.reshape(t_shape).astype(g.dtype))
        return grads
