"""Image ops of MXNet 1.9.1 (``mx.nd.image.*`` / ``mx.sym.image.*``): to_tensor, normalize, flips, crop,
resize. Images are ``(H, W, C)`` (or ``(N, H, W, C)`` where MXNet accepts a batch); tensors ``(C, H, W)``.

Gradients follow MXNet's registrations: normalize and crop have true gradients; the flips (and the colour
ops in :mod:`.image_color`) pass the output gradient through unchanged, as MXNet's ``_copy`` gradient does;
to_tensor and resize have none (MXNet fails at backward too).

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("_image_to_tensor")
>>> (t,), _ = op.forward(op.parse_params({}), [np.full((2, 3, 3), 255, np.uint8)], False)
>>> t.shape, float(t.max())
((3, 2, 3), 1.0)
"""
import numpy as np

from ..base import MXNetError, ShapeError, get_rng
from .cv_resize import cv_resize
from .registry import Op, Param, register

__all__ = ["check_image", "saturate", "resized_size", "IMAGE_CHANNELS"]

#: Channel counts MXNet's image ops accept (grey or RGB).
IMAGE_CHANNELS = (1, 3)
_TO_TENSOR_SCALE = np.float32(255.0)


def check_image(op_name, shape, batch=False, any_channels=False):
    """Raise ShapeError unless ``shape`` is ``(H, W, C)`` (or ``(N, H, W, C)`` when ``batch``) with C 1 or 3
    (any C with ``any_channels``).

    Examples
    --------
    >>> check_image("crop", (4, 5, 3), batch=True)
    >>> check_image("flip", (2, 4, 5, 3))
    Traceback (most recent call last):
    ...
    ssdkit.base.ShapeError: _image_flip: expects an image of shape (H, W, C), got (2, 4, 5, 3)
    """
    name = op_name if op_name.startswith("_image_") else f"_image_{op_name}"
    ranks = (3, 4) if batch else (3,)
    if len(shape) not in ranks:
        layout = "(H, W, C) or (N, H, W, C)" if batch else "(H, W, C)"
        raise ShapeError(f"{name}: expects an image of shape {layout}, got {tuple(shape)}")
    if not any_channels and shape[-1] not in IMAGE_CHANNELS:
        raise ShapeError(f"{name}: the channel axis must hold 1 or 3 channels, got shape {tuple(shape)}")


def saturate(values, dtype):
    """Store float results as ``dtype`` the way MXNet's image ops do: uint8 is clipped to [0, 255] then
    truncated; other types are plain casts.

    Examples
    --------
    >>> saturate(np.array([-3.0, 7.9, 300.0], np.float32), np.uint8).tolist()
    [0, 7, 255]
    """
    if np.dtype(dtype) == np.uint8:
        return np.clip(values, 0, 255).astype(np.uint8)
    return values.astype(dtype, copy=False)


class _ImageOp(Op):
    """An ``_image_*`` op; its symbols are named after the short name (``resize0``), as MXNet's."""

    @property
    def hint(self):
        return self.name[len("_image_"):]


class _PassThroughGradient(_ImageOp):
    """Image ops whose MXNet gradient is ``_copy``: the output gradient comes back unchanged."""

    def infer_shape(self, p, shapes):
        if shapes[0] is not None:
            check_image(self.name, shapes[0])
        return shapes, [shapes[0]]

    def backward(self, p, saved, out_grads):
        return [out_grads[0]]


@register
class _image_to_tensor(_ImageOp):
    """(H, W, C) or (N, H, W, C) in [0, 255] -> float32 (C, H, W) or (N, C, H, W) in [0, 1]."""
    differentiable = False

    def infer_shape(self, p, shapes):
        shape = shapes[0]
        if shape is None:
            return shapes, [None]
        check_image(self.name, shape, batch=True, any_channels=True)
        return shapes, [tuple(shape[:-3]) + (shape[-1],) + tuple(shape[-3:-1])]

    def infer_type(self, p, dtypes):
        return dtypes, [np.dtype(np.float32)]

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        moved = np.moveaxis(x, -1, -3).astype(np.float32)
        return [moved / _TO_TENSOR_SCALE], None


@register
class _image_normalize(_ImageOp):
    """``(x - mean[c]) / std[c]`` over the channel axis of (C, H, W) or (N, C, H, W)."""
    params = {"mean": Param("floats", (0.0, 0.0, 0.0, 0.0)), "std": Param("floats", (1.0, 1.0, 1.0, 1.0))}

    def infer_shape(self, p, shapes):
        shape = shapes[0]
        if shape is None:
            return shapes, [None]
        if len(shape) not in (3, 4):
            raise ShapeError(f"_image_normalize: expects a tensor of shape (C, H, W) or (N, C, H, W), "
                             f"got {tuple(shape)}")
        channels = shape[-3]
        if channels not in IMAGE_CHANNELS:
            raise ShapeError(f"_image_normalize: the channel axis (-3) must hold 1 or 3 channels, "
                             f"got shape {tuple(shape)}")
        for name in ("mean", "std"):
            if len(p[name]) not in (1, channels):
                raise MXNetError(f"_image_normalize: {name} must have 1 or {channels} values for input "
                                 f"{tuple(shape)}, got {p[name]}")
        return shapes, [tuple(shape)]

    @staticmethod
    def _column(values, channels):
        """MXNet reads 1 value or the first 3; shaped to broadcast over (C, H, W)."""
        vals = values[:1] * channels if len(values) == 1 else values[:channels]
        return np.asarray(vals, np.float32).reshape(channels, 1, 1)

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        self.infer_shape(p, [x.shape])
        channels = x.shape[-3]
        mean, std = self._column(p.mean, channels), self._column(p.std, channels)
        work = x.astype(np.float32, copy=False) if x.dtype != np.float64 else x
        return [saturate((work - mean.astype(work.dtype)) / std.astype(work.dtype), x.dtype)], (channels, x.dtype)

    def backward(self, p, saved, out_grads):
        channels, dtype = saved
        inverse = 1.0 / self._column(p.std, channels).astype(np.float64)   # MXNet: grad * (1.0 / std) in double
        return [(out_grads[0].astype(np.float64) * inverse).astype(out_grads[0].dtype)]


def _flip(x, axis):
    return np.ascontiguousarray(np.flip(x, axis))


@register
class _image_flip_left_right(_PassThroughGradient):
    def forward(self, p, inputs, is_train):
        return [_flip(inputs[0], 1)], None


@register
class _image_flip_top_bottom(_PassThroughGradient):
    def forward(self, p, inputs, is_train):
        return [_flip(inputs[0], 0)], None


class _RandomFlip(_PassThroughGradient):
    axis = None
    random = True

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        keep = get_rng().random() < 0.5   # MXNet: bernoulli(0.5) true keeps the image
        return [x.copy() if keep else _flip(x, self.axis)], None


@register
class _image_random_flip_left_right(_RandomFlip):
    axis = 1


@register
class _image_random_flip_top_bottom(_RandomFlip):
    axis = 0


@register
class _image_crop(_ImageOp):
    """The window ``x:x+width`` by ``y:y+height`` of (H, W, C) or (N, H, W, C); gradient: zeros outside it."""
    params = {"x": Param("int"), "y": Param("int"), "width": Param("int"), "height": Param("int")}

    def infer_shape(self, p, shapes):
        shape = shapes[0]
        if shape is None:
            return shapes, [None]
        check_image("_image_crop", shape, batch=True)
        if p.width <= 0 or p.height <= 0:
            raise MXNetError(f"_image_crop: width and height must be positive, got width={p.width}, "
                             f"height={p.height}")
        if p.x < 0 or p.y < 0 or p.x + p.width > shape[-2] or p.y + p.height > shape[-3]:
            raise MXNetError(f"_image_crop: window x={p.x}, y={p.y}, width={p.width}, height={p.height} "
                             f"does not fit in an image of width {shape[-2]} and height {shape[-3]}")
        return shapes, [tuple(shape[:-3]) + (p.height, p.width, shape[-1])]

    def _window(self, p):
        return (Ellipsis, slice(p.y, p.y + p.height), slice(p.x, p.x + p.width), slice(None))

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        self.infer_shape(p, [x.shape])
        return [x[self._window(p)].copy()], x.shape

    def backward(self, p, saved, out_grads):
        grad = np.zeros(saved, out_grads[0].dtype)
        grad[self._window(p)] = out_grads[0]
        return [grad]


def resized_size(height, width, size, keep_ratio):
    """MXNet's output ``(height, width)`` of ``image.resize``: ``size`` is ``(w, h)``, or one int for a
    square, or with ``keep_ratio`` the short edge (the long edge scaled with integer division).

    Examples
    --------
    >>> resized_size(40, 60, (20,), True), resized_size(40, 60, (30, 10), False)
    ((20, 30), (10, 30))
    """
    size = tuple(size)
    if len(size) not in (1, 2):
        raise MXNetError(f"_image_resize: size must have 1 or 2 values (width, height), got {size}")
    if any(v <= 0 for v in size):
        raise MXNetError(f"_image_resize: size must be positive, got {size}")
    if len(size) == 2:
        return size[1], size[0]
    if not keep_ratio:
        return size[0], size[0]
    if height > width:
        return height * size[0] // width, size[0]
    return size[0], width * size[0] // height


@register
class _image_resize(_ImageOp):
    """OpenCV resize (see :mod:`.cv_resize`) of (H, W, C) or (N, H, W, C) to ``size``."""
    params = {"size": Param("shape", ()), "keep_ratio": Param("bool", False), "interp": Param("int", 1)}
    differentiable = False

    def infer_shape(self, p, shapes):
        shape = shapes[0]
        if shape is None:
            return shapes, [None]
        check_image(self.name, shape, batch=True, any_channels=True)
        h, w = resized_size(shape[-3], shape[-2], p.size, p.keep_ratio)
        return shapes, [tuple(shape[:-3]) + (h, w, shape[-1])]

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        (_,), (out_shape,) = self.infer_shape(p, [x.shape])
        h, w = out_shape[-3:-1]
        if x.ndim == 3:
            return [cv_resize(x, w, h, p.interp)], None
        return [np.stack([cv_resize(img, w, h, p.interp) for img in x]) if len(x)
                else np.zeros(out_shape, x.dtype)], None
