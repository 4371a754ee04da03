"""Small contrib math ops: quadratic, div_sqrt_dim, gradientmultiplier, the straight-through estimators
round_ste / sign_ste, allclose, box_encode / box_decode (normalized center offsets) and _histogram.

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("_contrib_quadratic")
>>> p = op.parse_params({"a": 1, "b": 2, "c": 3})
>>> (y,), saved = op.forward(p, [np.array([1., 2.])], False)
>>> y, op.backward(p, saved, [np.ones(2)])[0]
(array([ 6., 11.]), array([4., 6.]))
"""
import numpy as np

from .. import boxes
from ..base import ShapeError
from .indexing import ZeroGradOp
from .registry import Op, Param, register

__all__ = []


class _Elementwise(Op):
    def infer_shape(self, p, shapes):
        return shapes, [shapes[0]]


@register
class _contrib_quadratic(_Elementwise):
    """``a * x**2 + b * x + c`` elementwise."""
    params = {"a": Param("float", 0.0), "b": Param("float", 0.0), "c": Param("float", 0.0)}

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        return [(p.a * x * x + p.b * x + p.c).astype(x.dtype, copy=False)], x

    def backward(self, p, saved, out_grads):
        x = saved
        return [(out_grads[0] * (2 * p.a * x + p.b)).astype(x.dtype, copy=False)]


@register
class _contrib_div_sqrt_dim(_Elementwise):
    """``data / sqrt(data.shape[-1])`` (the attention-score scaling)."""

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        scale = 1 / np.sqrt(x.shape[-1])
        return [(x * scale).astype(x.dtype, copy=False)], scale

    def backward(self, p, saved, out_grads):
        g = out_grads[0]
        return [(g * saved).astype(g.dtype, copy=False)]


@register
class _contrib_gradientmultiplier(_Elementwise):
    """Identity forward; the backward multiplies the gradient by ``scalar`` (gradient reversal with -1)."""
    params = {"scalar": Param("float", 1.0), "is_int": Param("bool", True)}

    def forward(self, p, inputs, is_train):
        return [inputs[0].copy()], None

    def backward(self, p, saved, out_grads):
        g = out_grads[0]
        return [(g * p.scalar).astype(g.dtype, copy=False)]


def _round_half_away(x):
    return np.where(x >= 0, np.floor(x + 0.5), np.ceil(x - 0.5))


class _StraightThrough(_Elementwise):
    """A non-differentiable rounding whose gradient is passed through unchanged (straight-through estimator)."""
    fn = None

    def forward(self, p, inputs, is_train):
        x = inputs[0]
        return [type(self).fn(x).astype(x.dtype, copy=False)], None

    def backward(self, p, saved, out_grads):
        return [out_grads[0]]


@register
class _contrib_round_ste(_StraightThrough):
    """Round to the nearest integer (halves away from zero); the gradient passes straight through."""
    fn = staticmethod(_round_half_away)


@register
class _contrib_sign_ste(_StraightThrough):
    """Sign (-1, 0, 1); the gradient passes straight through."""
    fn = staticmethod(np.sign)


@register
class _contrib_allclose(Op):
    """1 when every ``|a - b| <= atol + rtol * |b|`` (NaNs equal if ``equal_nan``), else 0, as a 0-d array."""
    inputs = ("a", "b")
    params = {"rtol": Param("float", 1e-05), "atol": Param("float", 1e-08), "equal_nan": Param("bool", True)}
    differentiable = False

    def infer_shape(self, p, shapes):
        return shapes, [()]

    def infer_type(self, p, dtypes):
        return dtypes, [np.dtype(np.uint8)]  # what MXNet 1.9.1's nd returns (its type rule is not applied)

    def forward(self, p, inputs, is_train):
        a, b = inputs
        if a.shape != b.shape:
            raise ShapeError(f"{self.name}: a has shape {a.shape}, b has shape {b.shape}; they must be equal")
        same = np.allclose(a, b, rtol=p.rtol, atol=p.atol, equal_nan=p.equal_nan)
        return [np.array(int(same), np.uint8)], None


@register
class _contrib_box_encode(ZeroGradOp):
    """Training targets as normalized center offsets of matched corner boxes, and masks of positive samples."""
    inputs = ("samples", "matches", "anchors", "refs", "means", "stds")
    num_outputs = 2

    def infer_shape(self, p, shapes):
        anchors = shapes[2]
        return shapes, [None if anchors is None else tuple(anchors)] * 2

    def compute(self, p, inputs):
        samples, matches, anchors, refs, means, stds = inputs
        targets, masks = boxes.coder.normalized_center_encode(samples, matches, anchors, refs,
                                                              tuple(stds.tolist()), tuple(means.tolist()))
        return [targets.astype(anchors.dtype, copy=False), masks.astype(anchors.dtype, copy=False)]


@register
class _contrib_box_decode(ZeroGradOp):
    """Corner boxes from normalized center offsets ``data`` (B, N, 4) and anchors (1, N, 4) in ``format``."""
    inputs = ("data", "anchors")
    params = {"std0": Param("float", 1.0), "std1": Param("float", 1.0), "std2": Param("float", 1.0),
              "std3": Param("float", 1.0), "clip": Param("float", -1.0),
              "format": Param("str", "center", ("corner", "center"))}

    def infer_shape(self, p, shapes):
        data, anchors = shapes
        if data is not None and (len(data) != 3 or data[-1] != 4):
            raise ShapeError(f"{self.name}: data must be (B, N, 4), got {tuple(data)}")
        if anchors is not None and (len(anchors) < 3 or anchors[-1] != 4):
            raise ShapeError(f"{self.name}: anchors must be (1, N, 4), got {tuple(anchors)}")
        return shapes, [data]

    def compute(self, p, inputs):
        x, anchors = inputs
        self.infer_shape(p, [x.shape, anchors.shape])
        a = anchors.reshape(-1, 4)[: x.shape[1]]
        if p.format == "corner":
            a = boxes.corner_to_center(a)
        ax, ay, aw, ah = a[:, 0], a[:, 1], a[:, 2], a[:, 3]
        ox = x[..., 0] * p.std0 * aw + ax
        oy = x[..., 1] * p.std1 * ah + ay
        dw, dh = x[..., 2] * p.std2, x[..., 3] * p.std3
        if p.clip > 0:
            dw, dh = np.minimum(dw, p.clip), np.minimum(dh, p.clip)
        ow, oh = np.exp(dw) * aw * 0.5, np.exp(dh) * ah * 0.5
        return [np.stack([ox - ow, oy - oh, ox + ow, oy + oh], axis=-1).astype(x.dtype, copy=False)]


@register
class _histogram(Op):
    """Counts of ``data`` in ``bin_cnt`` equal bins over ``range``, or in the bins whose edges are ``bins``;
    returns the int64 counts and the float bin edges."""
    inputs = ("data", "bins")
    params = {"bin_cnt": Param("int", None), "range": Param("floats", None)}
    num_outputs = 2
    differentiable = False

    def input_names(self, p):
        return ["data"] if p.bin_cnt is not None else ["data", "bins"]

    def infer_shape(self, p, shapes):
        if p.bin_cnt is not None:
            return shapes, [(p.bin_cnt,), (p.bin_cnt + 1,)]
        edges = shapes[1] if len(shapes) > 1 else None
        return shapes, [None if edges is None else (edges[0] - 1,), edges]

    def forward(self, p, inputs, is_train):
        data = inputs[0]
        if p.bin_cnt is not None:
            if p.range is None or len(p.range) != 2:
                raise ShapeError(f"{self.name}: range must be (low, high) with bin_cnt, got {p.range}")
            counts, edges = np.histogram(data, bins=p.bin_cnt, range=p.range)
            edges = edges.astype(data.dtype)
        else:
            edges = inputs[1]
            counts, _ = np.histogram(data, bins=edges.astype(np.float64))
        return [counts.astype(np.int64), edges.copy()], None
