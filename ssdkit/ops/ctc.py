"""``CTCLoss``: connectionist temporal classification loss (Graves et al., 2006) with MXNet 1.9.1's interface.

Inputs ``data (T, N, C)`` unnormalized activations (a softmax over C is applied inside), ``label (N, L)`` class
indices, and optionally ``data_lengths (N,)`` / ``label_lengths (N,)``. With ``blank_label='first'`` class 0 is
the blank and labels are padded with 0; with ``'last'`` class C-1 is the blank and the padding is -1. Without
label lengths a label ends at its first padding value. The output is the negative log-likelihood per sample
``(N,)``; the gradient w.r.t. ``data`` is ``softmax - posterior`` over the valid time steps (zero past a
sequence's length), computed with the forward-backward recursions in log space.

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("CTCLoss"); p = op.parse_params({})
>>> data = np.zeros((2, 1, 2), np.float32)          # two steps, uniform over {blank, 'a'}
>>> loss = op.forward(p, [data, np.array([[1.0]], np.float32)], False)[0][0]
>>> np.round(loss, 4)   # paths 'a-', '-a', 'aa' of probability 1/4 each: -log(3/4)
array([0.2877], dtype=float32)
"""
import numpy as np

from ..base import ShapeError
from .registry import Op, Param, register

__all__ = []


def _logsumexp(*terms):
    stacked = np.stack(terms)
    top = np.max(stacked, axis=0)
    safe = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        return safe + np.log(np.sum(np.exp(stacked - safe), axis=0))


def _one_sequence(log_probs, label, blank):
    """``(loss, gradient w.r.t. the activations)`` of one sequence: log_probs (T, C), label (L,)."""
    steps, classes = log_probs.shape
    ext = np.full(2 * len(label) + 1, blank, np.int64)
    ext[1::2] = label
    size = len(ext)
    # a path may skip the blank between two different labels
    skip = np.zeros(size, bool)
    skip[2:] = (ext[2:] != blank) & (ext[2:] != ext[:-2])
    emit = log_probs[:, ext]                                    # (T, S)
    alpha = np.full((steps, size), -np.inf)
    alpha[0, 0] = emit[0, 0]
    if size > 1:
        alpha[0, 1] = emit[0, 1]
    for t in range(1, steps):
        prev = alpha[t - 1]
        one = np.concatenate([[-np.inf], prev[:-1]])
        two = np.where(skip, np.concatenate([[-np.inf, -np.inf], prev[:-2]]), -np.inf)
        alpha[t] = _logsumexp(prev, one, two) + emit[t]
    beta = np.full((steps, size), -np.inf)                      # beta excludes the emission at t
    beta[-1, -1] = 0.0
    if size > 1:
        beta[-1, -2] = 0.0
    for t in range(steps - 2, -1, -1):
        nxt = beta[t + 1] + emit[t + 1]
        one = np.concatenate([nxt[1:], [-np.inf]])
        skip_next = np.concatenate([skip[2:], [False, False]])
        two = np.where(skip_next, np.concatenate([nxt[2:], [-np.inf, -np.inf]]), -np.inf)
        beta[t] = _logsumexp(nxt, one, two)
    log_likelihood = _logsumexp(alpha[-1, -1], alpha[-1, -2]) if size > 1 else alpha[-1, -1]
    posterior = np.zeros((steps, classes))
    with np.errstate(invalid="ignore"):
        np.add.at(posterior.T, ext, np.exp(alpha + beta - log_likelihood).T)
    return -log_likelihood, np.exp(log_probs) - posterior


@register(aliases=("_contrib_CTCLoss", "_contrib_ctc_loss", "ctc_loss"))
class CTCLoss(Op):
    """CTC loss per sample; see the module docstring."""
    inputs = ("data", "label", "data_lengths", "label_lengths")
    params = {"use_data_lengths": Param("bool", False), "use_label_lengths": Param("bool", False),
              "blank_label": Param("str", "first", choices=("first", "last"))}
    hint = "ctcloss"

    def input_names(self, p):
        return ["data", "label"] + (["data_lengths"] if p.use_data_lengths else []) + (
            ["label_lengths"] if p.use_label_lengths else [])

    def infer_shape(self, p, shapes):
        data, label = shapes[0], shapes[1]
        if data is None:
            return shapes, [None]
        if len(data) != 3:
            raise ShapeError(f"CTCLoss: data must be 3-D (sequence length, batch, alphabet size), got {data}")
        if label is not None and (len(label) != 2 or label[0] != data[1]):
            raise ShapeError(f"CTCLoss: label must be (batch, max label length) with batch {data[1]}, got {label}")
        filled = list(shapes)
        for i in range(2, len(shapes)):
            filled[i] = (data[1],)
        return filled, [(data[1],)]

    def infer_type(self, p, dtypes):
        dtype = dtypes[0] if dtypes[0] is not None else np.dtype(np.float32)
        return [d if d is not None else dtype for d in dtypes], [dtype]

    def _lengths(self, p, inputs):
        data, label = inputs[0], inputs[1]
        steps, batch, classes = data.shape
        rest = list(inputs[2:])
        data_len = rest.pop(0).astype(np.int64) if p.use_data_lengths else np.full(batch, steps, np.int64)
        if p.use_label_lengths:
            label_len = rest.pop(0).astype(np.int64)
        else:
            pad = 0 if p.blank_label == "first" else -1
            is_pad = label.astype(np.int64) == pad
            label_len = np.where(is_pad.any(axis=1), is_pad.argmax(axis=1), label.shape[1])
        return data_len, label_len

    def forward(self, p, inputs, is_train):
        data, label = inputs[0], inputs[1]
        steps, batch, classes = data.shape
        blank = 0 if p.blank_label == "first" else classes - 1
        data_len, label_len = self._lengths(p, inputs)
        losses = np.zeros(batch, data.dtype)
        grads = np.zeros(data.shape, np.float64)
        for n in range(batch):
            t_n = int(data_len[n])
            x = data[:t_n, n].astype(np.float64)
            shifted = x - x.max(axis=1, keepdims=True)
            log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
            loss, grad = _one_sequence(log_probs, label[n, :int(label_len[n])].astype(np.int64), blank)
            losses[n] = loss
            grads[:t_n, n] = grad
        return [losses], (grads.astype(data.dtype), [np.zeros_like(a) for a in inputs[1:]])

    def backward(self, p, saved, out_grads):
        grads, others = saved
        return [grads * out_grads[0][None, :, None].astype(grads.dtype)] + others
