"""Spatial rearranging and resampling ops on NCHW data: Pad, UpSampling, Crop, depth_to_space, space_to_depth,
contrib.BilinearResize2D and contrib.AdaptiveAvgPooling2D, as MXNet 1.9.1 computes them.

Resizing and adaptive pooling are separable: each is ``A_h @ x @ A_w.T`` with one small matrix per axis
(:func:`bilinear_matrix`, :func:`adaptive_avg_matrix`), so the backward is ``A_h.T @ g @ A_w``.

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("depth_to_space")
>>> x = np.arange(4, dtype=np.float32).reshape(1, 4, 1, 1)
>>> op.forward(op.parse_params({"block_size": 2}), [x], False)[0][0][0, 0].tolist()
[[0.0, 1.0], [2.0, 3.0]]
"""
import numpy as np

from ..base import MXNetError, ShapeError
from .registry import Op, Param, register, get_op

__all__ = ["bilinear_matrix", "adaptive_avg_matrix"]


def _check_4d(op, operand, shape):
    if shape is not None and len(shape) != 4:
        raise ShapeError(f"{op}: {operand} must be 4-D (N, C, H, W), got shape {tuple(shape)}")


@register(aliases=("pad",))
class Pad(Op):
    """Pad 4-D or 5-D data with a constant, the edge values or their reflection (``pad_width`` holds a
    before/after pair per axis; the first two pairs, batch and channel, must be 0)."""
    params = {"mode": Param("str", "constant", ("constant", "edge", "reflect")), "pad_width": Param("shape"),
              "constant_value": Param("float", 0.0)}

    def _pairs(self, p, shape):
        if len(shape) not in (4, 5) or len(p.pad_width) != 2 * len(shape):
            raise ShapeError(f"Pad: data must be 4-D or 5-D with 2 pad_width values per axis, got data shape "
                             f"{tuple(shape)} and pad_width {p.pad_width}")
        pairs = list(zip(p.pad_width[::2], p.pad_width[1::2]))
        if any(pairs[:2]) and pairs[:2] != [(0, 0), (0, 0)]:
            raise MXNetError(f"Pad: pad_width of the batch and channel axes must be 0, got {p.pad_width}")
        if p.mode == "reflect" and any(max(a, b) >= d for (a, b), d in zip(pairs[2:], shape[2:])):
            raise ShapeError(f"Pad: reflect padding {p.pad_width} must be smaller than each axis "
                             f"(data shape {tuple(shape)})")
        return pairs

    def infer_shape(self, p, shapes):
        if shapes[0] is None:
            return shapes, [None]
        pairs = self._pairs(p, shapes[0])
        return shapes, [tuple(d + a + b for d, (a, b) in zip(shapes[0], pairs))]

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        pairs = self._pairs(p, x.shape)
        if p.mode == "constant":
            return [np.pad(x, pairs, constant_values=x.dtype.type(p.constant_value))], (pairs, None, x.shape)
        # edge / reflect: every output element reads one input element; remember which for the backward
        index = np.pad(np.arange(x.size).reshape(x.shape), pairs, mode=p.mode)
        return [x.reshape(-1)[index]], (pairs, index, x.shape)

    def backward(self, p, saved, out_grads):
        pairs, index, shape = saved
        g = out_grads[0]
        if index is None:
            return [g[tuple(slice(a, a + d) for (a, _), d in zip(pairs, shape))]]
        return [np.bincount(index.ravel(), g.ravel(), minlength=int(np.prod(shape))).reshape(shape).astype(g.dtype)]


@register
class UpSampling(Op):
    """Upsample NCHW data by an integer ``scale``: 'nearest' repeats pixels (several inputs are upsampled to
    the first one's size times ``scale``, then concatenated on channels or summed); 'bilinear' is a
    depthwise Deconvolution with the given ``weight`` (kernel ``2 * scale - scale % 2``)."""
    inputs = ()
    key_var_num_args = "num_args"
    params = {"scale": Param("int"), "num_filter": Param("int", 0),
              "sample_type": Param("str", choices=("nearest", "bilinear")),
              "multi_input_mode": Param("str", "concat", ("concat", "sum")), "num_args": Param("int"),
              "workspace": Param("int", 512)}

    def input_names(self, p):
        if p.sample_type == "bilinear":
            return ["data", "weight"]
        return [f"arg{i}" for i in range(p.num_args)]

    def _deconv(self, p):
        kernel, pad = 2 * p.scale - p.scale % 2, int(np.ceil((p.scale - 1) / 2.0))
        params = {"kernel": (kernel, kernel), "stride": (p.scale, p.scale), "pad": (pad, pad),
                  "num_filter": p.num_filter, "num_group": p.num_filter, "no_bias": True}
        deconv = get_op("Deconvolution")
        return deconv, deconv.parse_params(params), kernel

    def infer_shape(self, p, shapes):
        if any(s is None for s in shapes[:1]):
            return shapes, [None]
        data = shapes[0]
        _check_4d("UpSampling", "data", data)
        out_hw = (data[2] * p.scale, data[3] * p.scale)
        if p.sample_type == "bilinear":
            if len(shapes) != 2:
                raise MXNetError(f"UpSampling: bilinear takes 2 inputs (data, weight), got {len(shapes)}")
            kernel = 2 * p.scale - p.scale % 2
            return [data, (data[1], 1, kernel, kernel)], [(data[0], data[1]) + out_hw]
        if any(s is None for s in shapes):
            return shapes, [None]
        channels = 0
        for i, s in enumerate(shapes):
            _check_4d("UpSampling", f"arg{i}", s)
            if out_hw[0] % s[2] or out_hw[1] % s[3]:
                raise ShapeError(f"UpSampling: input arg{i} of shape {tuple(s)} does not divide the output "
                                 f"size {out_hw}")
            if p.multi_input_mode == "sum" and channels not in (0, s[1]):
                raise ShapeError(f"UpSampling: multi_input_mode='sum' needs equal channels, got {channels} "
                                 f"and {s[1]} (arg{i})")
            channels = s[1] if p.multi_input_mode == "sum" else channels + s[1]
        return shapes, [(data[0], channels) + out_hw]

    def forward(self, p, inputs, is_train):
        _, (out,) = self.infer_shape(p, [x.shape for x in inputs])
        if p.sample_type == "bilinear":
            deconv, dp, _ = self._deconv(p)
            (y,), saved = deconv.forward(dp, inputs, is_train)
            return [y], saved
        parts = []
        for x in inputs:
            s = out[2] // x.shape[2]
            parts.append(x.repeat(s, axis=2).repeat(s, axis=3))
        y = sum(parts[1:], parts[0]) if p.multi_input_mode == "sum" else np.concatenate(parts, axis=1)
        return [y.astype(inputs[0].dtype, copy=False)], [x.shape for x in inputs]

    def backward(self, p, saved, out_grads):
        g = out_grads[0]
        if p.sample_type == "bilinear":
            deconv, dp, _ = self._deconv(p)
            return deconv.backward(dp, saved, out_grads)
        grads, begin = [], 0
        for shape in saved:
            s = g.shape[2] // shape[2]
            part = g if p.multi_input_mode == "sum" else g[:, begin:begin + shape[1]]
            begin += shape[1]
            grads.append(part.reshape(shape[0], shape[1], shape[2], s, shape[3], s).sum(axis=(3, 5)))
        return grads


@register
class Crop(Op):
    """Crop the H and W axes of NCHW data to ``h_w`` (or to the size of a second input, ``crop_like``) at
    ``offset`` (or centred with ``center_crop``)."""
    inputs = ()
    key_var_num_args = "num_args"
    params = {"num_args": Param("int"), "offset": Param("shape", (0, 0)), "h_w": Param("shape", (0, 0)),
              "center_crop": Param("bool", False)}

    def input_names(self, p):
        return ["data", "crop_like"][:p.num_args] if p.num_args <= 2 else [f"arg{i}" for i in range(p.num_args)]

    def _window(self, p, shapes):
        data = shapes[0]
        _check_4d("Crop", "data", data)
        if p.num_args == 2:
            _check_4d("Crop", "crop_like", shapes[1])
            size = tuple(shapes[1][2:])
        else:
            size = tuple(p.h_w)
        offset = ((data[2] - size[0]) // 2, (data[3] - size[1]) // 2) if p.center_crop else tuple(p.offset)
        if any(o < 0 or o + s > d for o, s, d in zip(offset, size, data[2:])):
            raise ShapeError(f"Crop: a {size} crop at offset {offset} does not fit data of shape {tuple(data)}")
        return offset, size

    def infer_shape(self, p, shapes):
        if any(s is None for s in shapes):
            return shapes, [None]
        _, size = self._window(p, shapes)
        return shapes, [tuple(shapes[0][:2]) + size]

    def forward(self, p, inputs, is_train):
        (oh, ow), (h, w) = self._window(p, [x.shape for x in inputs])
        return [inputs[0][:, :, oh:oh + h, ow:ow + w].copy()], ([x.shape for x in inputs], oh, ow)

    def backward(self, p, saved, out_grads):
        shapes, oh, ow = saved
        g = out_grads[0]
        dx = np.zeros(shapes[0], g.dtype)
        dx[:, :, oh:oh + g.shape[2], ow:ow + g.shape[3]] = g
        return [dx] + [np.zeros(s, g.dtype) for s in shapes[1:]]


class _BlockRearrange(Op):
    """depth_to_space / space_to_depth: a reshape, a transpose and a reshape (DCR order, as MXNet)."""
    params = {"block_size": Param("int")}
    to_space = True

    def _check(self, p, shape):
        _check_4d(self.name, "data", shape)
        b = p.block_size
        if b < 1:
            raise MXNetError(f"{self.name}: block_size must be positive, got {b}")
        if 0 in tuple(shape):
            raise ShapeError(f"{self.name}: every dimension of data must be non-zero, got shape {tuple(shape)}")
        if self.to_space and shape[1] % (b * b):
            raise ShapeError(f"{self.name}: channels {shape[1]} must be divisible by block_size**2 = {b * b}")
        if not self.to_space and (shape[2] % b or shape[3] % b):
            raise ShapeError(f"{self.name}: height and width {tuple(shape[2:])} must be divisible by "
                             f"block_size {b}")

    def _move(self, x, b, to_space):
        n, c, h, w = x.shape
        if to_space:
            y = x.reshape(n, b, b, c // (b * b), h, w).transpose(0, 3, 4, 1, 5, 2)
            return y.reshape(n, c // (b * b), h * b, w * b)
        y = x.reshape(n, c, h // b, b, w // b, b).transpose(0, 3, 5, 1, 2, 4)
        return y.reshape(n, c * b * b, h // b, w // b)

    def infer_shape(self, p, shapes):
        if shapes[0] is None:
            return shapes, [None]
        self._check(p, shapes[0])
        n, c, h, w = shapes[0]
        b = p.block_size
        out = (n, c // (b * b), h * b, w * b) if self.to_space else (n, c * b * b, h // b, w // b)
        return shapes, [out]

    def forward(self, p, inputs, is_train):
        self._check(p, inputs[0].shape)
        return [self._move(inputs[0], p.block_size, self.to_space)], None

    def backward(self, p, saved, out_grads):
        return [self._move(out_grads[0], p.block_size, not self.to_space)]


@register
class depth_to_space(_BlockRearrange):
    """Move blocks of channels into space: (N, C, H, W) -> (N, C / b**2, H * b, W * b)."""
    to_space = True


@register
class space_to_depth(_BlockRearrange):
    """Move b x b spatial blocks into channels: (N, C, H, W) -> (N, C * b**2, H / b, W / b)."""
    to_space = False


def bilinear_matrix(in_size, out_size, align_corners=True):
    """``(out_size, in_size)`` weights of MXNet's bilinear resize along one axis.

    Examples
    --------
    >>> bilinear_matrix(2, 3).tolist()
    [[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]]
    """
    dst = np.arange(out_size, dtype=np.float64)
    if align_corners:
        scale = (in_size - 1) / (out_size - 1) if out_size > 1 else 0.0
        src = np.float32(scale) * dst
    else:
        scale = in_size / out_size
        src = np.maximum(np.float32(scale) * (dst + 0.5) - 0.5, 0.0)
    src = src.astype(np.float32).astype(np.float64)
    low = src.astype(np.int64)
    step = (low < in_size - 1).astype(np.int64)
    lam = src - low
    mat = np.zeros((out_size, in_size))
    np.add.at(mat, (np.arange(out_size), low), 1.0 - lam)
    np.add.at(mat, (np.arange(out_size), low + step), lam)
    return mat


def adaptive_avg_matrix(in_size, out_size):
    """``(out_size, in_size)`` weights of adaptive average pooling along one axis (MXNet's window bounds).

    Examples
    --------
    >>> adaptive_avg_matrix(3, 2).tolist()
    [[0.5, 0.5, 0.0], [0.0, 0.5, 0.5]]
    """
    mat = np.zeros((out_size, in_size))
    for i in range(out_size):
        start = int(np.floor(np.float32(i * in_size) / np.float32(out_size)))
        end = int(np.ceil(np.float32((i + 1) * in_size) / np.float32(out_size)))
        mat[i, start:end] = 1.0 / (end - start)
    return mat


class _Separable(Op):
    """An op computing ``A_h @ x @ A_w.T`` on each (H, W) plane; subclasses give the output size and matrices."""

    def infer_shape(self, p, shapes):
        if shapes[0] is None:
            return shapes, [None]
        _check_4d(self.name, "data", shapes[0])
        return shapes, [tuple(shapes[0][:2]) + self.out_size(p, shapes)]

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        out_h, out_w = self.out_size(p, [i.shape for i in inputs])
        ah, aw = self.matrices(p, x.shape[2:], (out_h, out_w))
        y = np.matmul(np.matmul(ah, x.astype(np.float64)), aw.T)
        return [y.astype(x.dtype)], (ah, aw, [i.shape for i in inputs[1:]])

    def backward(self, p, saved, out_grads):
        ah, aw, others = saved
        g = out_grads[0]
        dx = np.matmul(np.matmul(ah.T, g.astype(np.float64)), aw)
        return [dx.astype(g.dtype)] + [np.zeros(s, g.dtype) for s in others]


@register
class _contrib_BilinearResize2D(_Separable):
    """Bilinear resize of NCHW data to ``height`` x ``width``, a scale, a second input's size ('like'), or
    the next even/odd size (``mode``); ``align_corners`` as MXNet."""
    name = "_contrib_BilinearResize2D"
    inputs = ("data", "like")
    params = {"height": Param("int", 1), "width": Param("int", 1), "scale_height": Param("float", None),
              "scale_width": Param("float", None),
              "mode": Param("str", "size", ("size", "odd_scale", "like", "to_even_down", "to_even_up",
                                            "to_odd_down", "to_odd_up")),
              "align_corners": Param("bool", True)}

    def input_names(self, p):
        return ["data", "like"] if p.mode == "like" else ["data"]

    def out_size(self, p, shapes):
        _, _, h, w = shapes[0]
        if p.mode == "size":   # MXNet tests scale_height for both axes
            if p.scale_height is not None:
                return int(p.scale_height * h), int((p.scale_width or 0.0) * w)
            return p.height, p.width
        if p.mode == "odd_scale":
            return tuple(int(d * s) if d % 2 == 0 else int((d - 1) * s) + 1
                         for d, s in ((h, p.scale_height or 1.0), (w, p.scale_width or 1.0)))
        if p.mode == "like":
            if len(shapes) < 2 or shapes[1] is None:
                raise MXNetError("BilinearResize2D: mode 'like' needs a second input (like)")
            _check_4d(self.name, "like", shapes[1])
            return tuple(shapes[1][2:])
        want = 0 if "even" in p.mode else 1
        step = -1 if p.mode.endswith("down") else 1
        return tuple(d if d % 2 == want else d + step for d in (h, w))

    def matrices(self, p, in_hw, out_hw):
        return tuple(bilinear_matrix(i, o, p.align_corners) for i, o in zip(in_hw, out_hw))


@register
class _contrib_AdaptiveAvgPooling2D(_Separable):
    """Average pooling of NCHW data to a fixed ``output_size`` (one int: square; empty: 1 x 1)."""
    name = "_contrib_AdaptiveAvgPooling2D"
    params = {"output_size": Param("shape", ())}

    def out_size(self, p, shapes):
        size = p.output_size or (1,)
        return (size[0], size[0]) if len(size) == 1 else tuple(size[:2])

    def matrices(self, p, in_hw, out_hw):
        return tuple(adaptive_avg_matrix(i, o) for i, o in zip(in_hw, out_hw))
