"""The fused recurrent op ``RNN`` (MXNet's: modes rnn_relu, rnn_tanh, lstm, gru; stacked, bidirectional,
dropout between layers, LSTM projection) and ``_rnn_param_concat``, which packs the layer weights.

The parameter vector is laid out exactly as MXNet packs it: first every weight, layer by layer and direction
by direction (``i2h (G*H, I)``, ``h2h (G*H, R)`` and, with a projection, ``h2r (P, H)``), then every bias
(``i2h (G*H,)``, ``h2h (G*H,)``) in the same order. G is the gate count (1, 4 or 3), R is the projection size
P or the state size H. The per-step numerics are :mod:`ssdkit.ops.rnn_steps`.

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("RNN")
>>> p = op.parse_params({"state_size": 2, "num_layers": 1, "mode": "gru", "state_outputs": True})
>>> op.infer_shape(p, [(5, 3, 4), None, None])[0]
[(5, 3, 4), (48,), (1, 3, 2)]
>>> op.output_names(p)
['output', 'state_output']
"""
import numpy as np

from ..base import MXNetError, ShapeError, get_rng
from .registry import Op, Param, register, check_shape
from .shape import concat
from . import rnn_steps
from .rnn_steps import GATES

__all__ = ["rnn_param_size", "unpack_parameters"]


def _sizes(p):
    """``(directions, state size H, recurrent size R, projection P or 0, gates G)``."""
    proj = p.projection_size or 0
    return (2 if p.bidirectional else 1), p.state_size, proj or p.state_size, proj, GATES[p.mode]


def _layout(p, input_size):
    """``[(layer, direction, {name: (offset, shape)})]`` for the packed vector, weights first then biases."""
    D, H, R, P, G = _sizes(p)
    entries, offset = [], 0
    for layer in range(p.num_layers):
        ni = input_size if layer == 0 else R * D
        for d in range(D):
            spec = {"wx": (G * H, ni), "wh": (G * H, R)}
            if P:
                spec["whr"] = (P, H)
            placed = {}
            for name, shape in spec.items():
                placed[name] = (offset, shape)
                offset += int(np.prod(shape))
            entries.append((layer, d, placed))
    for _, _, placed in entries:
        for name in ("bx", "bh"):
            placed[name] = (offset, (G * H,))
            offset += G * H
    return entries, offset


def rnn_param_size(p, input_size):
    """Length of the packed parameter vector (MXNet's ``GetRnnParamSize``).

    Examples
    --------
    >>> from ssdkit.ops import get_op
    >>> p = get_op("RNN").parse_params({"state_size": 3, "num_layers": 2, "mode": "lstm", "bidirectional": 1})
    >>> rnn_param_size(p, 5)
    504
    """
    return _layout(p, input_size)[1]


def unpack_parameters(p, flat, input_size):
    """Views ``[[{'wx', 'wh', 'whr', 'bx', 'bh'} per direction] per layer]`` into the packed vector ``flat``.

    Examples
    --------
    >>> from ssdkit.ops import get_op
    >>> p = get_op("RNN").parse_params({"state_size": 1, "num_layers": 1, "mode": "rnn_tanh"})
    >>> w = unpack_parameters(p, np.arange(5.0), 2)[0][0]
    >>> w["wx"].tolist(), w["wh"].tolist(), w["bx"].tolist(), w["bh"].tolist(), w["whr"]
    ([[0.0, 1.0]], [[2.0]], [3.0], [4.0], None)
    """
    entries, _ = _layout(p, input_size)
    D = _sizes(p)[0]
    layers = [[None] * D for _ in range(p.num_layers)]
    for layer, d, placed in entries:
        views = {name: flat[off:off + int(np.prod(shape))].reshape(shape) for name, (off, shape) in placed.items()}
        views.setdefault("whr", None)
        layers[layer][d] = views
    return layers


@register(aliases=("_npx_rnn",))
class RNN(Op):
    """Fused recurrent network over a whole sequence (cuDNN-style LSTM, GRU, ReLU/tanh RNN): stacked layers,
    bidirectional, dropout between layers, LSTM projection; the op under gluon.rnn.LSTM/GRU/RNN.

    Inputs ``data (T, N, I)``, the packed ``parameters`` vector, ``state (L*D, N, R)``, for LSTM
    ``state_cell (L*D, N, H)`` and with ``use_sequence_length`` the valid lengths ``(N,)``. Outputs
    ``(T, N, D*R)`` and, with ``state_outputs``, the final states.
    """
    inputs = ("data", "parameters", "state", "state_cell", "sequence_length")
    random = True   # dropout between layers (p > 0, training)
    params = {"state_size": Param("int"), "num_layers": Param("int"), "bidirectional": Param("bool", False),
              "mode": Param("str", choices=tuple(GATES)), "p": Param("float", 0.0),
              "state_outputs": Param("bool", False), "projection_size": Param("any", None),
              "lstm_state_clip_min": Param("any", None), "lstm_state_clip_max": Param("any", None),
              "lstm_state_clip_nan": Param("bool", False), "use_sequence_length": Param("bool", False)}

    def parse_params(self, kwargs):
        p = super().parse_params(kwargs)
        if p.projection_size is not None:
            p["projection_size"] = int(p.projection_size)
            if p.mode != "lstm":
                raise MXNetError(f"RNN: projection_size is only supported for mode 'lstm', got mode {p.mode!r}")
            if p.projection_size > p.state_size:
                raise MXNetError(f"RNN: state_size ({p.state_size}) must be at least projection_size "
                                 f"({p.projection_size})")
        lo, hi = p.lstm_state_clip_min, p.lstm_state_clip_max
        if lo is not None or hi is not None:
            if p.mode != "lstm" or lo is None or hi is None or float(hi) < float(lo):
                raise MXNetError("RNN: state clipping needs mode 'lstm' and both lstm_state_clip_min <= "
                                 f"lstm_state_clip_max; got mode {p.mode!r}, min {lo}, max {hi}")
            p["lstm_state_clip_min"], p["lstm_state_clip_max"] = float(lo), float(hi)
        if not 0 <= p.p < 1:
            raise MXNetError(f"RNN: dropout p must be in [0, 1), got {p.p}")
        return p

    def input_names(self, p):
        names = ["data", "parameters", "state"] + (["state_cell"] if p.mode == "lstm" else [])
        return names + (["sequence_length"] if p.use_sequence_length else [])

    def output_count(self, p):
        return 1 if not p.state_outputs else (3 if p.mode == "lstm" else 2)

    def output_names(self, p):
        return ["output", "state_output", "statecell_output"][:self.output_count(p)]

    def infer_shape(self, p, shapes):
        data = shapes[0]
        if data is None:
            return shapes, [None] * self.output_count(p)
        if len(data) != 3:
            raise ShapeError(f"RNN: data must be 3-D (sequence length, batch, input size), got shape {data}")
        T, N, I = data
        D, H, R, _, _ = _sizes(p)
        full = [data, (rnn_param_size(p, I),), (D * p.num_layers, N, R)]
        if p.mode == "lstm":
            full.append((D * p.num_layers, N, H))
        if p.use_sequence_length:
            full.append((N,))
        names = self.input_names(p)
        for name, want, got in zip(names[1:], full[1:], shapes[1:]):
            if got is not None:
                check_shape("RNN", name, want, got, f" (data shape {data}, mode {p.mode}, state_size {H}, "
                                                    f"num_layers {p.num_layers}, bidirectional {D == 2})")
        outs = [(T, N, D * R), (D * p.num_layers, N, R), (D * p.num_layers, N, H)]
        return full, outs[:self.output_count(p)]

    def forward(self, p, inputs, is_train):
        x, flat, hx = inputs[0], inputs[1], inputs[2]
        cx = inputs[3] if p.mode == "lstm" else None
        T, N, I = x.shape
        D = _sizes(p)[0]
        weights = unpack_parameters(p, flat, I)
        active = None
        if p.use_sequence_length:
            lengths = inputs[-1].astype(np.int64)
            active = (np.arange(T)[:, None] < lengths[None, :])[:, :, None].astype(x.dtype)
        clip = None if p.lstm_state_clip_min is None else (p.lstm_state_clip_min, p.lstm_state_clip_max,
                                                           p.lstm_state_clip_nan)
        layer_in, hy, cy, saved_layers = x, [], [], []
        for layer in range(p.num_layers):
            outs, tapes = [], []
            for d in range(D):
                w, k = weights[layer][d], layer * D + d
                xw = layer_in @ w["wx"].T + w["bx"]
                ys, (h, c), tape = rnn_steps.run(p.mode, xw, hx[k], None if cx is None else cx[k], w,
                                                 reverse=d == 1, active=active, clip=clip)
                outs.append(ys)
                tapes.append(tape)
                hy.append(h)
                cy.append(c)
            y = outs[0] if D == 1 else np.concatenate(outs, axis=2)
            mask = None
            if is_train and p.p > 0 and layer < p.num_layers - 1:
                keep = 1 - p.p
                mask = (get_rng().random(y.shape, dtype=np.float32) >= p.p).astype(y.dtype) / y.dtype.type(keep)
                y = y * mask
            saved_layers.append((layer_in, tapes, mask))
            layer_in = y
        outputs = [layer_in]
        if p.state_outputs:
            outputs.append(np.stack(hy))
            if p.mode == "lstm":
                outputs.append(np.stack(cy))
        return outputs, (weights, saved_layers, flat.shape, flat.dtype, len(inputs), hx.shape, active)

    def backward(self, p, saved, out_grads):
        weights, saved_layers, flat_shape, flat_dtype, n_inputs, state_shape, active = saved
        D, H, R, _, _ = _sizes(p)
        dflat = np.zeros(flat_shape, flat_dtype)
        dweights = unpack_parameters(p, dflat, saved_layers[0][0].shape[2])
        L = p.num_layers
        dhy = out_grads[1] if p.state_outputs else np.zeros(state_shape, flat_dtype)
        dcy = None
        if p.mode == "lstm":
            dcy = out_grads[2] if p.state_outputs else np.zeros(state_shape[:2] + (H,), flat_dtype)
        dhx = np.zeros(state_shape, flat_dtype)
        dcx = None if dcy is None else np.zeros_like(dcy)
        dy = out_grads[0]
        for layer in range(L - 1, -1, -1):
            layer_in, tapes, mask = saved_layers[layer]
            if mask is not None:
                dy = dy * mask
            dx = np.zeros(layer_in.shape, flat_dtype)
            for d in range(D):
                w, dw, k = weights[layer][d], dweights[layer][d], layer * D + d
                dys = dy[:, :, d * R:(d + 1) * R]
                dxw, dh0, dc0, g = rnn_steps.run_backward(p.mode, tapes[d], w, dys, dhy[k],
                                                          None if dcy is None else dcy[k])
                dxw2 = dxw.reshape(-1, dxw.shape[2])
                dw["wx"][...] = dxw2.T @ layer_in.reshape(-1, layer_in.shape[2])
                dw["bx"][...] = dxw2.sum(axis=0)
                dw["wh"][...], dw["bh"][...] = g["wh"], g["bh"]
                if g["whr"] is not None:
                    dw["whr"][...] = g["whr"]
                dx += dxw @ w["wx"]
                dhx[k] = dh0
                if dcx is not None:
                    dcx[k] = dc0
            dy = dx
        grads = [dy, dflat, dhx]
        if p.mode == "lstm":
            grads.append(dcx)
        if p.use_sequence_length:
            grads.append(None)
        return grads


@register(aliases=("_npi_rnn_param_concat",))
class _rnn_param_concat(concat):
    """MXNet's ``_rnn_param_concat``: concat of the flattened layer weights (the RNN layers' packing step)."""
    name = "_rnn_param_concat"

    def infer_input_shapes(self, p, in_shapes, out_shapes):
        """MXNet's rule: one or two inputs of unknown length share what the packed output has left over."""
        out = out_shapes[0]
        unknown = [i for i, s in enumerate(in_shapes) if s is None or 0 in s]
        if out is None or len(out) != 1 or not out[0] or not 1 <= len(unknown) <= 2:
            return [None] * len(in_shapes)
        residual = out[0] - sum(s[0] for i, s in enumerate(in_shapes) if i not in unknown)
        if residual <= 0 or residual % len(unknown):
            raise ShapeError(f"_rnn_param_concat: the packed parameters have {out[0]} values, the known inputs "
                             f"{residual - out[0] and out[0] - residual} already; {len(unknown)} input(s) left")
        return [(residual // len(unknown),) if i in unknown else None for i in range(len(in_shapes))]
