"""MXNet 1.9.1's interleaved multi-head attention matmuls (``src/operator/contrib/transformer.cc``), used by
GluonNLP's BERT and transformer: the projections of all heads sit interleaved in the last axis of one
``(seq_length, batch, ...)`` array, so attention runs without transposing them out first.

Layouts (``H`` heads of ``D`` values; the batched outputs are ordered batch-major: ``b * H + h``):

* ``queries_keys_values``: ``(L, B, H * 3 * D)``, per head its query, key and value;
* ``queries``: ``(Lq, B, H * D)``; ``keys_values``: ``(Lk, B, H * 2 * D)``, per head its key and value;
* ``attention``: ``(B * H, Lq, Lk)``.

``*_qk`` give ``(q / sqrt(D)) k^T`` per head, ``(B * H, Lq, Lk)``; ``*_valatt`` give ``attention @ v`` back in
the interleaved layout ``(Lq, B, H * D)``. Gradients flow to the parts each op reads; the other parts of the
interleaved input get zeros.

Examples
--------
>>> import ssdkit as mx
>>> qkv = mx.nd.arange(12).reshape((2, 1, 6))     # L=2, B=1, one head with D=2: q, k, v per step
>>> mx.nd.contrib.interleaved_matmul_selfatt_qk(qkv, heads=1).asnumpy().round(2)
array([[[ 2.12,  6.36],
        [23.33, 78.49]]], dtype=float32)
"""
import numpy as np

from ..base import ShapeError
from .registry import Op, Param, register

__all__ = []


def _split(x, heads, parts):
    """``(L, B, H * parts * D)`` as a view ``(L, B, H, parts, D)`` (the shape rule checked it first)."""
    L, B, C = x.shape
    return x.reshape(L, B, heads, parts, C // (heads * parts))


def _check_width(op, operand, shape, heads, parts):
    if heads < 1 or shape[2] % (heads * parts):
        raise ShapeError(f"{op}: {operand}.shape[2] must be a multiple of heads * {parts} = {heads * parts} "
                         f"(heads={heads}), got shape {tuple(shape)}")


def _batched(part):
    """``(L, B, H, D)`` -> ``(B * H, L, D)``: one matrix per batch entry and head."""
    L, B, H, D = part.shape
    return part.transpose(1, 2, 0, 3).reshape(B * H, L, D)


def _interleaved(batched, batch):
    """``(B * H, L, D)`` -> ``(L, B, H, D)`` (inverse of :func:`_batched`)."""
    BH, L, D = batched.shape
    return batched.reshape(batch, BH // batch, L, D).transpose(2, 0, 1, 3)


def _scale(d, dtype):
    return dtype.type(1.0 / np.sqrt(np.float32(d)))   # MXNet: 1.0 / sqrt(static_cast<float>(head_dim))


def _gradient_of_parts(shape, dtype, parts, grads):
    """Gradient of an interleaved input ``(L, B, H * parts * D)``: ``grads`` {part index: (L, B, H, D)}."""
    out = np.zeros(shape, dtype)
    view = out.reshape(shape[0], shape[1], -1, parts, grads[next(iter(grads))].shape[-1])
    for index, g in grads.items():
        view[:, :, :, index, :] = g
    return out


def _check_3d(op, operand, shape):
    if len(shape) != 3:
        raise ShapeError(f"{op}: {operand} must be 3-D, got shape {tuple(shape)}")


class _Interleaved(Op):
    params = {"heads": Param("int")}


def _scores_grads(g, q, k):
    """Gradients of ``q @ k^T`` (batched) w.r.t. ``q`` and ``k`` given the scores' gradient ``g``."""
    return np.matmul(g, k), np.matmul(g.transpose(0, 2, 1), q)


def _weighted_grads(g, att, v):
    """Gradients of ``att @ v`` (batched) w.r.t. ``v`` and ``att`` given the output's gradient ``g``."""
    return np.matmul(att.transpose(0, 2, 1), g), np.matmul(g, v.transpose(0, 2, 1))


@register
class _contrib_interleaved_matmul_selfatt_qk(_Interleaved):
    """Self-attention scores ``(q / sqrt(D)) k^T`` of each head from interleaved ``queries_keys_values``."""
    inputs = ("queries_keys_values",)

    def infer_shape(self, p, shapes):
        qkv = shapes[0]
        if qkv is None:
            return shapes, [None]
        _check_3d(self.name, "queries_keys_values", qkv)
        _check_width(self.name, "queries_keys_values", qkv, p.heads, 3)
        return shapes, [(p.heads * qkv[1], qkv[0], qkv[0])]

    def forward(self, p, inputs, is_train):
        qkv = inputs[0]
        self.infer_shape(p, [qkv.shape])
        t = _split(qkv, p.heads, 3)
        q, k = _batched(t[:, :, :, 0]), _batched(t[:, :, :, 1])
        scale = _scale(t.shape[-1], qkv.dtype)
        return [np.matmul(q, k.transpose(0, 2, 1)) * scale], (q, k, scale, qkv.shape)

    def backward(self, p, saved, out_grads):
        q, k, scale, shape = saved
        dq, dk = _scores_grads(out_grads[0] * scale, q, k)
        return [_gradient_of_parts(shape, q.dtype, 3, {0: _interleaved(dq, shape[1]),
                                                        1: _interleaved(dk, shape[1])})]


@register
class _contrib_interleaved_matmul_selfatt_valatt(_Interleaved):
    """``attention @ v`` of each head, with ``v`` from interleaved ``queries_keys_values``."""
    inputs = ("queries_keys_values", "attention")

    def infer_shape(self, p, shapes):
        qkv, att = shapes
        if qkv is None:
            return shapes, [None]
        _check_3d(self.name, "queries_keys_values", qkv)
        _check_width(self.name, "queries_keys_values", qkv, p.heads, 3)
        want = (qkv[1] * p.heads, qkv[0], qkv[0])
        if att is not None and tuple(att) != want:
            raise ShapeError(f"{self.name}: attention must have shape (batch * heads, seq_length, seq_length) = "
                             f"{want} for queries_keys_values of shape {tuple(qkv)}, got {tuple(att)}")
        return [qkv, want], [(qkv[0], qkv[1], qkv[2] // 3)]

    def forward(self, p, inputs, is_train):
        qkv, att = inputs
        self.infer_shape(p, [qkv.shape, att.shape])
        v = _batched(_split(qkv, p.heads, 3)[:, :, :, 2])
        out = _interleaved(np.matmul(att, v), qkv.shape[1])
        return [out.reshape(qkv.shape[0], qkv.shape[1], -1)], (v, att, qkv.shape)

    def backward(self, p, saved, out_grads):
        v, att, shape = saved
        dv, datt = _weighted_grads(_batched(out_grads[0].reshape(shape[0], shape[1], p.heads, -1)), att, v)
        return [_gradient_of_parts(shape, v.dtype, 3, {2: _interleaved(dv, shape[1])}), datt]


@register
class _contrib_interleaved_matmul_encdec_qk(_Interleaved):
    """Encoder-decoder attention scores ``(q / sqrt(D)) k^T`` of each head: ``queries`` and interleaved
    ``keys_values``."""
    inputs = ("queries", "keys_values")

    def infer_shape(self, p, shapes):
        q, kv = shapes
        if q is None or kv is None:
            return shapes, [None]
        _check_3d(self.name, "queries", q)
        _check_3d(self.name, "keys_values", kv)
        if q[2] * 2 != kv[2] or q[1] != kv[1]:
            raise ShapeError(f"{self.name}: keys_values must have queries' batch and twice its projections, "
                             f"got queries {tuple(q)} and keys_values {tuple(kv)}")
        _check_width(self.name, "queries", q, p.heads, 1)
        return shapes, [(q[1] * p.heads, q[0], kv[0])]

    def forward(self, p, inputs, is_train):
        q_in, kv = inputs
        self.infer_shape(p, [q_in.shape, kv.shape])
        q = _batched(_split(q_in, p.heads, 1)[:, :, :, 0])
        k = _batched(_split(kv, p.heads, 2)[:, :, :, 0])
        scale = _scale(q.shape[-1], q_in.dtype)
        return [np.matmul(q, k.transpose(0, 2, 1)) * scale], (q, k, scale, q_in.shape, kv.shape)

    def backward(self, p, saved, out_grads):
        q, k, scale, q_shape, kv_shape = saved
        dq, dk = _scores_grads(out_grads[0] * scale, q, k)
        return [_interleaved(dq, q_shape[1]).reshape(q_shape),
                _gradient_of_parts(kv_shape, q.dtype, 2, {0: _interleaved(dk, kv_shape[1])})]


@register
class _contrib_interleaved_matmul_encdec_valatt(_Interleaved):
    """``attention @ v`` of each head, with ``v`` from interleaved ``keys_values``."""
    inputs = ("keys_values", "attention")

    def infer_shape(self, p, shapes):
        kv, att = shapes
        if kv is None or att is None:
            return shapes, [None]
        _check_3d(self.name, "keys_values", kv)
        _check_3d(self.name, "attention", att)
        if att[2] != kv[0] or att[0] != kv[1] * p.heads:
            raise ShapeError(f"{self.name}: attention must have shape (batch * heads, query length, "
                             f"{kv[0]}) = ({kv[1] * p.heads}, _, {kv[0]}) for keys_values {tuple(kv)} and "
                             f"heads={p.heads}, got {tuple(att)}")
        _check_width(self.name, "keys_values", kv, p.heads, 2)
        return shapes, [(att[1], kv[1], kv[2] // 2)]

    def forward(self, p, inputs, is_train):
        kv, att = inputs
        self.infer_shape(p, [kv.shape, att.shape])
        v = _batched(_split(kv, p.heads, 2)[:, :, :, 1])
        out = _interleaved(np.matmul(att, v), kv.shape[1])
        return [out.reshape(att.shape[1], kv.shape[1], -1)], (v, att, kv.shape)

    def backward(self, p, saved, out_grads):
        v, att, kv_shape = saved
        dv, datt = _weighted_grads(_batched(out_grads[0].reshape(att.shape[1], kv_shape[1], p.heads, -1)), att, v)
        return [_gradient_of_parts(kv_shape, v.dtype, 2, {1: _interleaved(dv, kv_shape[1])}), datt]
