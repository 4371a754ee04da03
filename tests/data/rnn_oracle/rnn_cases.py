"""The gluon.rnn oracle cases and the one runner that executes a case against a library module.

``make_rnn_oracle.py`` runs every case with MXNet 1.9.1 (``run_case(mxnet, ...)``) and stores inputs, parameter
values, outputs, final states and gradients; ``tests/test_gluon_rnn.py`` runs the same cases with ssdkit and
compares. This file never imports either library: the module is passed in.
"""
import numpy as np

T, N, C, H = 4, 3, 5, 4

LAYERS = []
for mode in ("RNN_relu", "RNN_tanh", "LSTM", "GRU"):
    kind, act = (mode.split("_") + [None])[:2]
    base = {"hidden_size": H}
    if act:
        base["activation"] = act
    LAYERS += [
        (f"{mode}_l1", (kind, dict(base)), {"layout": "TNC", "states": True}),
        (f"{mode}_l2_bi_ntc", (kind, dict(base, num_layers=2, bidirectional=True, layout="NTC")),
         {"layout": "NTC", "states": True}),
        (f"{mode}_l2_nostates", (kind, dict(base, num_layers=2)), {"layout": "TNC", "states": False}),
    ]
LAYERS.append(("LSTM_l3_bi_dropout_predict", ("LSTM", {"hidden_size": H, "num_layers": 3, "bidirectional": True,
                                                        "dropout": 0.5}),
               {"layout": "TNC", "states": True, "train": False}))
# MXNet's CPU kernel runs a projected LSTM in inference only: forward outputs and states, no gradients
LAYERS.append(("LSTMP_l2_bi_forward", ("LSTM", {"hidden_size": H, "num_layers": 2, "bidirectional": True,
                                                 "projection_size": 2}),
               {"layout": "TNC", "states": True, "forward_only": True}))


def _cell(kind, **kw):
    return (kind, kw)


CELLS = [
    ("RNNCell_tanh_ntc_merge", _cell("RNNCell", hidden_size=H), {"layout": "NTC", "merge": True}),
    ("RNNCell_relu_tnc_list", _cell("RNNCell", hidden_size=H, activation="relu"), {"layout": "TNC", "merge": False}),
    ("LSTMCell_ntc_merge_begin", _cell("LSTMCell", hidden_size=H), {"layout": "NTC", "merge": True, "states": True}),
    ("LSTMCell_valid_length", _cell("LSTMCell", hidden_size=H), {"layout": "NTC", "merge": True,
                                                                   "valid_length": [4, 2, 1]}),
    ("GRUCell_tnc_list_begin", _cell("GRUCell", hidden_size=H), {"layout": "TNC", "merge": False, "states": True}),
    ("GRUCell_valid_length_list", _cell("GRUCell", hidden_size=H), {"layout": "TNC", "merge": False,
                                                                      "valid_length": [1, 4, 3]}),
    ("Sequential_lstm_gru", ("SequentialRNNCell", [_cell("LSTMCell", hidden_size=H),
                                                    _cell("GRUCell", hidden_size=3)]),
     {"layout": "NTC", "merge": True, "states": True}),
    ("HybridSequential_rnn_dropout_lstm", ("HybridSequentialRNNCell", [_cell("RNNCell", hidden_size=H),
                                                                       _cell("DropoutCell", rate=0.5),
                                                                       _cell("LSTMCell", hidden_size=3)]),
     {"layout": "TNC", "merge": False, "train": False}),
    ("Bidirectional_lstm_gru", ("BidirectionalCell", [_cell("LSTMCell", hidden_size=H),
                                                       _cell("GRUCell", hidden_size=H)]),
     {"layout": "NTC", "merge": True, "states": True}),
    ("Bidirectional_valid_length", ("BidirectionalCell", [_cell("GRUCell", hidden_size=3),
                                                           _cell("RNNCell", hidden_size=3)]),
     {"layout": "TNC", "merge": False, "valid_length": [2, 4, 3]}),
    ("Residual_gru", ("ResidualCell", _cell("GRUCell", hidden_size=C), {}), {"layout": "NTC", "merge": True}),
    ("Residual_gru_valid_length", ("ResidualCell", _cell("GRUCell", hidden_size=C), {}),
     {"layout": "NTC", "merge": False, "valid_length": [3, 1, 4]}),
    ("Zoneout_lstm_predict", ("ZoneoutCell", _cell("LSTMCell", hidden_size=H),
                              {"zoneout_outputs": 0.5, "zoneout_states": 0.5}),
     {"layout": "NTC", "merge": True, "train": False}),
    ("LSTMPCell_ntc_merge_begin", _cell("contrib.LSTMPCell", hidden_size=H, projection_size=2),
     {"layout": "NTC", "merge": True, "states": True}),
    ("LSTMPCell_valid_length", _cell("contrib.LSTMPCell", hidden_size=H, projection_size=3),
     {"layout": "TNC", "merge": False, "valid_length": [2, 4, 1]}),
    ("VariationalDropout_gru_predict", ("contrib.VariationalDropoutCell", _cell("GRUCell", hidden_size=H),
                                        {"drop_inputs": 0.5, "drop_states": 0.5, "drop_outputs": 0.5}),
     {"layout": "NTC", "merge": True, "train": False}),
    ("Stacked_bidirectional", ("SequentialRNNCell", [("BidirectionalCell", [_cell("LSTMCell", hidden_size=3),
                                                                             _cell("LSTMCell", hidden_size=3)]),
                                                      _cell("GRUCell", hidden_size=H)]),
     {"layout": "NTC", "merge": True}),
]


def build(mx, spec):
    """The block described by ``spec`` built with library ``mx`` (children inside the parent's name scope)."""
    kind, arg = spec[0], spec[1]
    rnn = mx.gluon.rnn
    if kind in ("SequentialRNNCell", "HybridSequentialRNNCell"):
        stack = getattr(rnn, kind)()
        with stack.name_scope():
            for child in arg:
                stack.add(build(mx, child))
        return stack
    if kind == "BidirectionalCell":
        return rnn.BidirectionalCell(build(mx, arg[0]), build(mx, arg[1]))
    if kind.startswith("contrib."):
        rnn, kind = mx.gluon.contrib.rnn, kind[len("contrib."):]
    if kind in ("ResidualCell", "ZoneoutCell", "VariationalDropoutCell"):
        return getattr(rnn, kind)(build(mx, arg), **spec[2])
    return getattr(rnn, kind)(**arg)


def make_inputs(rng, opts, state_shapes):
    """Seeded inputs: the sequence, begin states, valid lengths and the head-gradient weights."""
    layout = opts["layout"]
    shape = (T, N, C) if layout == "TNC" else (N, T, C)
    arrays = {"x": rng.uniform(-1, 1, shape).astype(np.float32)}
    for i, s in enumerate(state_shapes):
        arrays[f"state{i}"] = rng.uniform(-0.5, 0.5, s).astype(np.float32)
    if opts.get("valid_length") is not None:
        arrays["valid_length"] = np.array(opts["valid_length"], np.float32)
    return arrays


def run_case(mx, name, block_spec, opts, is_layer, arrays=None, param_value=None, rng=None, hybridize=False):
    """Run one case; returns ``(arrays, texts)``: inputs, parameters (``param:<name>``), outputs ``out``,
    final states ``hT{i}`` and gradients ``grad:x``, ``grad:state{i}``, ``grad:<param name>``; ``texts`` holds
    the parameter names in collect_params order, the block's repr and its save_parameters keys."""
    nd, autograd = mx.nd, mx.autograd
    with mx.name.NameManager():
        block = build(mx, block_spec)
    block.initialize()
    layout, use_states = opts["layout"], opts.get("states", False)
    if arrays is None:
        shapes = [s.shape for s in block.begin_state(batch_size=N, func=nd.zeros)] if use_states else []
        arrays = make_inputs(rng, opts, shapes)
    x = nd.array(arrays["x"])
    states = [nd.array(arrays[f"state{i}"]) for i in range(len([k for k in arrays if k.startswith("state")]))]
    valid = nd.array(arrays["valid_length"]) if "valid_length" in arrays else None

    def forward():
        if is_layer:
            return block(x, states) if use_states else (block(x), [])
        outs, hs = block.unroll(T, x, begin_state=states if use_states else None, layout=layout,
                                merge_outputs=opts["merge"], valid_length=valid)
        if not opts["merge"]:
            outs = nd.stack(*outs, axis=layout.find("T"))
        return outs, hs

    with autograd.predict_mode():
        forward()   # finishes the deferred initialization
    params = block.collect_params()
    names = list(params.keys())
    for pname in names:
        value = param_value(pname, params[pname].shape)
        params[pname].set_data(nd.array(value))
        arrays[f"param:{pname}"] = value
    if hybridize:
        block.hybridize()
    result = dict(arrays)
    names = {"params": names, "repr": repr(block),
             "save_keys": sorted(block._collect_params_with_prefix().keys())}
    if opts.get("forward_only"):
        out, hs = forward()
        result["out"] = out.asnumpy()
        for i, h in enumerate(hs):
            result[f"hT{i}"] = h.asnumpy()
        return result, names
    x.attach_grad()
    for s in states:
        s.attach_grad()
    wrng = np.random.RandomState(7)
    with autograd.record(train_mode=opts.get("train", True)):
        out, hs = forward()
        loss = (out * nd.array(wrng.uniform(-1, 1, out.shape))).sum()
        for h in hs:
            loss = loss + (h * nd.array(wrng.uniform(-1, 1, h.shape))).sum()
    loss.backward()
    result["out"] = out.asnumpy()
    for i, h in enumerate(hs):
        result[f"hT{i}"] = h.asnumpy()
    result["grad:x"] = x.grad.asnumpy()
    for i, s in enumerate(states):
        result[f"grad:state{i}"] = s.grad.asnumpy()
    for pname in names["params"]:
        result[f"grad:{pname}"] = params[pname].grad().asnumpy()
    return result, names
