"""``_contrib_hawkesll``: MXNet 1.9.1's log likelihood of univariate Hawkes processes with exponential decay
(``src/operator/contrib/hawkes_ll``), and its gradient with respect to the process parameters.

For sample ``i`` and mark ``k`` the conditional intensity is ``lda[i, k] + alpha[k] * beta[k] *
sum exp(-beta[k] (t - t_j))`` over earlier points of that mark. Points arrive as left-aligned ragged rows:
``lags[i, j]`` is the time since the previous point, ``marks[i, j]`` its process (an integer in ``[0, K)``),
and the first ``valid_length[i]`` of them count (``j < valid_length[i]``, so 2.5 counts three). The
observation window is ``(0, max_time[i]]``. ``state[i, k]`` carries the decayed sum of earlier points
(``s_k(0)``); ``out_state`` is ``s_k(max_time)``. Outputs: the log likelihood ``(N,)`` and ``out_state``
``(N, K)``.

Gradients go to ``lda``, ``alpha`` and ``beta`` (scaled by the log likelihood's output gradient; the
``out_state`` gradient is not propagated, as in MXNet); ``state`` gets zeros, and the observations (lags,
marks, valid_length, max_time) none: asking for one is an error, as MXNet's check.

Examples
--------
>>> import ssdkit as mx
>>> ll, state = mx.nd.contrib.hawkesll(
...     mx.nd.array([[1.0]]), mx.nd.array([0.5]), mx.nd.array([2.0]), mx.nd.zeros((1, 1)),
...     mx.nd.array([[1.0, 0.5]]), mx.nd.array([[0, 0]], dtype="int32"), mx.nd.array([2.0]), mx.nd.array([2.0]))
>>> ll.asnumpy().round(4), state.asnumpy().round(4)
(array([-2.4351], dtype=float32), array([[0.5032]], dtype=float32))
"""
import numpy as np

from ..base import MXNetError, ShapeError
from .registry import Op, register

__all__ = []

_NAMES = ("lda", "alpha", "beta", "state", "lags", "marks", "valid_length", "max_time")
_OBSERVED = (4, 5, 6, 7)   # the observations: never differentiated


def _expected_shapes(shapes):
    """Each input's expected shape from ``lda`` (N, K) and ``lags`` (N, T)."""
    (n, k), t = shapes[0], shapes[4][1]
    return [(n, k), (k,), (k,), (n, k), (n, t), (n, t), (n,), (n,)]


def _marks(marks, k):
    index = marks.astype(np.int64)
    if np.any(index != marks) or np.any((index < 0) | (index >= k)):
        raise MXNetError(f"hawkesll: marks must be integers in [0, {k}) (one per process), got values "
                         f"{np.unique(marks)[:8].tolist()}")
    return index


def _walk(inputs, on_point):
    """Visit the valid points in time order, one sequence position for all samples at a time.

    ``on_point(rows, ci, d, ed)`` gets the samples having a point at this position, their marks, the time since
    the previous point of that mark and ``exp(-beta d)``; returns the per-(sample, mark) time of the last point.
    """
    lda, alpha, beta, _, lags, marks, valid_length, _ = inputs
    n, k = lda.shape
    ci_all = _marks(marks, k)
    t = np.zeros(n, lda.dtype)
    last = np.zeros((n, k), lda.dtype)
    for j in range(lags.shape[1]):
        rows = np.nonzero(j < valid_length)[0]
        if not len(rows):
            continue
        ci = ci_all[rows, j]
        t[rows] += lags[rows, j]
        d = t[rows] - last[rows, ci]
        ed = np.exp(-beta[ci] * d)
        on_point(rows, ci, d, ed)
        last[rows, ci] = t[rows]
    return last


@register
class _contrib_hawkesll(Op):
    """Log likelihood of marked univariate Hawkes processes and their end state (see the module docstring)."""
    inputs = _NAMES
    params = {}

    def output_names(self, p):
        return ["output", "out_state"]

    def output_count(self, p):
        return 2

    def infer_shape(self, p, shapes):
        if shapes[0] is None or shapes[4] is None:
            return shapes, [None, None]
        for name, shape, want in zip(_NAMES, shapes, (2, 1, 1, 2, 2, 2, 1, 1)):
            if shape is not None and len(shape) != want:
                raise ShapeError(f"hawkesll: {name} must be {want}-D, got shape {tuple(shape)}")
        expected = _expected_shapes(shapes)
        for name, shape, want in zip(_NAMES, shapes, expected):
            if shape is not None and tuple(shape) != want:
                raise ShapeError(f"hawkesll: {name} must have shape {want} (from lda {tuple(shapes[0])} and lags "
                                 f"{tuple(shapes[4])}), got {tuple(shape)}")
        return expected, [expected[6], expected[0]]

    def infer_type(self, p, dtypes):
        dtype = dtypes[0] if dtypes[0] is not None else np.dtype(np.float32)
        ins = [np.dtype(np.int32) if i == 5 and d is None else (d if d is not None else dtype)
               for i, d in enumerate(dtypes)]
        return ins, [dtype, dtype]

    def forward(self, p, inputs, is_train):
        self.infer_shape(p, [x.shape for x in inputs])
        lda, alpha, beta, state_in, _, _, _, max_time = inputs
        state, ll = state_in.astype(lda.dtype, copy=True), np.zeros(lda.shape[0], lda.dtype)

        def point(rows, ci, d, ed):
            mu, s = lda[rows, ci], state[rows, ci]
            intensity = mu + alpha[ci] * beta[ci] * s * ed
            compensator = mu * d + alpha[ci] * s * (1 - ed)
            ll[rows] += np.log(intensity) - compensator
            state[rows, ci] = 1 + s * ed

        last = _walk(inputs, point)
        d = max_time[:, None] - last
        ed = np.exp(-beta * d)
        ll -= (lda * d + alpha * state * (1 - ed)).sum(axis=1, dtype=lda.dtype)
        return [ll, ed * state], inputs

    def backward(self, p, saved, out_grads):
        return self.backward_some(p, saved, out_grads, (True,) * 4 + (False,) * 4)

    def backward_some(self, p, saved, out_grads, needs):
        asked = [_NAMES[i] for i in _OBSERVED if i < len(needs) and needs[i]]
        if asked:
            raise MXNetError(f"hawkesll: no gradient with respect to the observations {asked} (as MXNet)")
        lda, alpha, beta, state_in, _, _, _, max_time = saved
        phi = state_in.astype(lda.dtype, copy=True)   # the state and its derivative in beta, per point
        dphi = np.zeros_like(phi)
        g_mu, g_alpha, g_beta = np.zeros_like(phi), np.zeros_like(phi), np.zeros_like(phi)

        def point(rows, ci, d, ed):
            a, b, s, ds = alpha[ci], beta[ci], phi[rows, ci], dphi[rows, ci]
            intensity = lda[rows, ci] + a * b * s * ed
            g_mu[rows, ci] += 1 / intensity - d
            g_alpha[rows, ci] += (b * s * ed) / intensity - s * (1 - ed)
            g_beta[rows, ci] += a * ed * (s * (1 - b * d) + b * ds) / intensity - a * (ds * (1 - ed) + s * d * ed)
            dphi[rows, ci] = ed * (-d * s + ds)
            phi[rows, ci] = 1 + s * ed

        last = _walk(saved, point)
        d = max_time[:, None] - last
        ed = np.exp(-beta * d)
        g_mu -= d
        g_alpha -= phi * (1 - ed)
        g_beta -= alpha * (dphi * (1 - ed) + phi * d * ed)
        head = out_grads[0][:, None]
        return [g_mu * head, (g_alpha * head).sum(axis=0), (g_beta * head).sum(axis=0), np.zeros_like(state_in),
                None, None, None, None]
