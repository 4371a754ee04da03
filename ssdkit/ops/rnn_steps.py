"""One direction of one recurrent layer, forward through time and back: the numerics under the ``RNN`` op.

A direction owns its weights ``w`` (a dict of views into the packed parameter vector: ``wx (G*H, I)``,
``wh (G*H, R)``, ``bx (G*H,)``, ``bh (G*H,)`` and, for a projected LSTM, ``whr (P, H)``; R is P or H).
The input-to-hidden product of every time step is one GEMM done by the caller (``xw = x @ wx.T + bx``);
:func:`run` loops over time with batch x hidden arrays and :func:`run_backward` walks the steps in reverse,
returning the gradient of ``xw`` for the caller to turn into ``dx``, ``dwx`` and ``dbx``.

Gate order inside the ``G*H`` rows is MXNet's (and cuDNN's): LSTM ``i, f, g, o``; GRU ``r, z, n``.

Examples
--------
>>> rng = np.random.default_rng(0)
>>> w = {"wh": rng.standard_normal((2, 2)), "bh": np.zeros(2), "whr": None}
>>> xw = rng.standard_normal((3, 1, 2))
>>> ys, (hT, cT), tape = run("rnn_tanh", xw, np.zeros((1, 2)), None, w, reverse=False)
>>> bool(np.allclose(ys[-1], hT))
True
"""
import numpy as np

__all__ = ["GATES", "run", "run_backward"]

#: gates per mode: rows of the i2h/h2h weights are ``GATES[mode] * state_size``
GATES = {"rnn_relu": 1, "rnn_tanh": 1, "lstm": 4, "gru": 3}


def _sigmoid(x):
    from scipy.special import expit  # overflow-safe and keeps float32
    return expit(x)


def _step(mode, xw_t, h, c, w, clip):
    """One time step: ``(new h (N, R), new c or None, cache for the backward step)``."""
    hh = h @ w["wh"].T + w["bh"]
    if mode == "rnn_tanh":
        out = np.tanh(xw_t + hh)
        return out, None, (h, out)
    if mode == "rnn_relu":
        out = np.maximum(xw_t + hh, 0)
        return out, None, (h, out)
    if mode == "gru":
        H = h.shape[1]
        xr, xz, xn = xw_t[:, :H], xw_t[:, H:2 * H], xw_t[:, 2 * H:]
        r = _sigmoid(xr + hh[:, :H])
        z = _sigmoid(xz + hh[:, H:2 * H])
        hn = hh[:, 2 * H:]
        n = np.tanh(xn + r * hn)
        out = (1 - z) * n + z * h
        return out, None, (h, r, z, n, hn)
    H = c.shape[1]
    a = xw_t + hh
    i, f, o = _sigmoid(a[:, :H]), _sigmoid(a[:, H:2 * H]), _sigmoid(a[:, 3 * H:])
    g = np.tanh(a[:, 2 * H:3 * H])
    c_new = f * c + i * g
    inside = None
    if clip is not None:
        lo, hi, stop_nan = clip
        inside = (c_new > lo) & (c_new < hi)
        c_new = np.fmin(np.fmax(c_new, lo), hi) if stop_nan else np.clip(c_new, lo, hi)
    tc = np.tanh(c_new)
    hf = o * tc
    out = hf if w["whr"] is None else hf @ w["whr"].T
    return out, c_new, (h, c, i, f, g, o, tc, hf, inside)


def _step_backward(mode, dh, dc, cache, w, grads):
    """Backward of :func:`_step`: ``(d xw_t, d h_prev, d c_prev)``; adds to ``grads['wh'|'bh'|'whr']``."""
    if mode in ("rnn_tanh", "rnn_relu"):
        h_prev, out = cache
        dx_part = dh_part = dh * (1 - out * out) if mode == "rnn_tanh" else dh * (out > 0)
        dh_direct = 0
    elif mode == "gru":
        h_prev, r, z, n, hn = cache
        dn = dh * (1 - z)
        dz = dh * (h_prev - n)
        dan = dn * (1 - n * n)
        dar = dan * hn * r * (1 - r)
        daz = dz * z * (1 - z)
        dx_part = np.concatenate([dar, daz, dan], axis=1)
        dh_part = np.concatenate([dar, daz, dan * r], axis=1)
        dh_direct = dh * z
    else:
        h_prev, c_prev, i, f, g, o, tc, hf, inside = cache
        if w["whr"] is not None:
            grads["whr"] += dh.T @ hf
            dh = dh @ w["whr"]
        dcell = dc + dh * o * (1 - tc * tc)
        if inside is not None:
            dcell = dcell * inside
        dx_part = dh_part = np.concatenate(
            [dcell * g * i * (1 - i), dcell * c_prev * f * (1 - f), dcell * i * (1 - g * g),
             dh * tc * o * (1 - o)], axis=1)
        dc = dcell * f
        dh_direct = 0
    grads["wh"] += dh_part.T @ h_prev
    grads["bh"] += dh_part.sum(axis=0)
    return dx_part, dh_part @ w["wh"] + dh_direct, dc


def run(mode, xw, h0, c0, w, reverse, active=None, clip=None):
    """Run one direction over ``T`` steps of ``xw (T, N, G*H)`` from ``h0 (N, R)`` (and ``c0`` for LSTM).

    ``active (T, N, 1)`` (optional) marks the valid steps of each sequence: an inactive step keeps the state
    and outputs zeros (cuDNN's variable-length semantics). Returns ``(ys (T, N, R), (hT, cT), tape)``.
    """
    T = xw.shape[0]
    h, c = h0, c0
    ys = np.zeros((T,) + h0.shape, xw.dtype)
    tape = [None] * T
    for s in range(T):
        t = T - 1 - s if reverse else s
        out, c_new, cache = _step(mode, xw[t], h, c, w, clip)
        if active is not None:
            m = active[t]
            out_masked = out * m
            h = np.where(m, out, h)
            c = None if c is None else np.where(m, c_new, c)
            out = out_masked
        else:
            h, c = out, c_new
        ys[t] = out
        tape[t] = cache
    return ys, (h, c), (tape, reverse, active)


def run_backward(mode, tape, w, dys, dhT, dcT):
    """Gradients of :func:`run`: ``(d xw (T, N, G*H), dh0, dc0, {'wh', 'bh', 'whr'})``."""
    steps, reverse, active = tape
    T = len(steps)
    grads = {"wh": np.zeros_like(w["wh"]), "bh": np.zeros_like(w["bh"]),
             "whr": None if w["whr"] is None else np.zeros_like(w["whr"])}
    dxw = None
    dh, dc = dhT, dcT
    order = range(T) if reverse else range(T - 1, -1, -1)
    for t in order:
        dh_total = dh + dys[t]
        if active is not None:  # an inactive step passes the state through and outputs a constant zero
            m = active[t]
            carry_h, carry_c = dh * (1 - m), None if dc is None else dc * (1 - m)
            dh_total, dc_in = dh_total * m, None if dc is None else dc * m
        else:
            dc_in = dc
        dx_part, dh, dc = _step_backward(mode, dh_total, dc_in, steps[t], w, grads)
        if active is not None:
            dx_part = dx_part * m
            dh = dh + carry_h
            dc = None if dc is None else dc + carry_c
        if dxw is None:
            dxw = np.zeros((T,) + dx_part.shape, dx_part.dtype)
        dxw[t] = dx_part
    return dxw, dh, dc, grads
