"""Regenerate the MXNet 1.9.1 oracle for the gluon / optimizer / lr_scheduler / loss tests (needs mxnet).

Usage: /work/venv-mxnet/bin/python tests/data/gluon_oracle/make_gluon_oracle.py
Writes gluon_oracle.json (texts, reprs, messages, schedules) and gluon_oracle.npz (arrays) next to this file.
ssdkit and its tests never import mxnet; only this generator does (inside main()).
"""
import contextlib
import io
import json
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent

OPTIMIZER_CASES = {
    "sgd_plain": ("sgd", {"learning_rate": 0.1}),
    "sgd_mom_wd": ("sgd", {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01, "rescale_grad": 0.5}),
    "sgd_mom_clip": ("sgd", {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01, "clip_gradient": 0.05}),
    "sgd_wd_clip": ("sgd", {"learning_rate": 0.1, "wd": 0.1, "clip_gradient": 0.1}),
    "nag_mom": ("nag", {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01, "clip_gradient": 0.2}),
    "nag_plain": ("nag", {"learning_rate": 0.1, "wd": 0.01}),
    "adam_default": ("adam", {}),
    "adam_wd_clip": ("adam", {"learning_rate": 0.01, "wd": 0.01, "clip_gradient": 0.1, "rescale_grad": 2.0}),
    "rmsprop": ("rmsprop", {"learning_rate": 0.01, "wd": 0.01}),
    "rmsprop_centered": ("rmsprop", {"learning_rate": 0.01, "centered": True, "clip_weights": 0.5,
                                     "clip_gradient": 0.3}),
    "adagrad": ("adagrad", {"learning_rate": 0.1, "wd": 0.01, "clip_gradient": 0.3}),
    "adadelta": ("adadelta", {"rho": 0.9, "epsilon": 1e-5, "wd": 0.01}),
}
OPT_SHAPES = [(3, 4), (5,)]
OPT_STEPS = 4


def optimizers(mx, arrays, meta):
    rs = np.random.RandomState(1)
    weights0 = [rs.uniform(-1, 1, s).astype(np.float32) for s in OPT_SHAPES]
    grads = [[rs.uniform(-1, 1, s).astype(np.float32) for s in OPT_SHAPES] for _ in range(OPT_STEPS)]
    for i, w in enumerate(weights0):
        arrays[f"opt/w0_{i}"] = w
    for t, gs in enumerate(grads):
        for i, g in enumerate(gs):
            arrays[f"opt/grad{t}_{i}"] = g
    meta["optimizers"] = {"shapes": OPT_SHAPES, "steps": OPT_STEPS, "cases": {}}
    for case, (name, kwargs) in OPTIMIZER_CASES.items():
        opt = mx.optimizer.create(name, **kwargs)
        upd = mx.optimizer.get_updater(opt)
        ws = [mx.nd.array(w) for w in weights0]
        for t in range(OPT_STEPS):
            upd([0, 1], [mx.nd.array(g) for g in grads[t]], ws)
            for i, w in enumerate(ws):
                arrays[f"opt/{case}/step{t}_{i}"] = w.asnumpy()
        meta["optimizers"]["cases"][case] = {"name": name, "kwargs": kwargs, "num_update": opt.num_update}
    # an lr scheduler driven by the optimizer's update count
    sched = mx.lr_scheduler.FactorScheduler(step=2, factor=0.5, base_lr=0.1)
    opt = mx.optimizer.create("sgd", learning_rate=0.1, momentum=0.5, lr_scheduler=sched)
    upd = mx.optimizer.get_updater(opt)
    ws = [mx.nd.array(w) for w in weights0]
    lrs = []
    for t in range(OPT_STEPS):
        upd([0, 1], [mx.nd.array(g) for g in grads[t]], ws)
        lrs.append(opt.learning_rate)
        for i, w in enumerate(ws):
            arrays[f"opt/sgd_factor_sched/step{t}_{i}"] = w.asnumpy()
    meta["optimizers"]["sgd_factor_sched_lrs"] = lrs


def trainer(mx, arrays, meta):
    gluon, nd, autograd = mx.gluon, mx.nd, mx.autograd
    rs = np.random.RandomState(2)
    w0, b0 = rs.uniform(-1, 1, (2, 3)).astype(np.float32), rs.uniform(-1, 1, (3,)).astype(np.float32)
    w = gluon.Parameter("net_weight", shape=(2, 3), lr_mult=0.5)
    b = gluon.Parameter("net_bias", shape=(3,), wd_mult=0.0)
    w.initialize(mx.init.Constant(nd.array(w0)))
    b.initialize(mx.init.Constant(nd.array(b0)))
    tr = gluon.Trainer([w, b], "sgd", {"learning_rate": 0.2, "momentum": 0.9, "wd": 0.05})
    arrays["trainer/w0"], arrays["trainer/b0"] = w0, b0
    for t in range(3):
        xw = rs.uniform(-1, 1, (2, 3)).astype(np.float32)
        xb = rs.uniform(-1, 1, (3,)).astype(np.float32)
        arrays[f"trainer/xw{t}"], arrays[f"trainer/xb{t}"] = xw, xb
        with autograd.record():
            loss = (w.data() * nd.array(xw)).sum() + (b.data() * nd.array(xb)).sum()
        loss.backward()
        tr.step(4)
        arrays[f"trainer/w{t + 1}"] = w.data().asnumpy()
        arrays[f"trainer/b{t + 1}"] = b.data().asnumpy()
    tr.set_learning_rate(0.05)
    meta["trainer"] = {"learning_rate_after_set": tr.learning_rate, "batch_size": 4}
    # the stale-gradient error text
    with autograd.record():
        loss = (w.data() * 2).sum()
    loss.backward()
    try:
        tr.step(1)
    except UserWarning as err:
        meta["trainer"]["stale_grad_message"] = str(err)


def schedulers(mx, meta):
    ls = mx.lr_scheduler
    cases = {
        "factor": (ls.FactorScheduler, dict(step=3, factor=0.5, stop_factor_lr=1e-3, base_lr=0.1)),
        "factor_warmup": (ls.FactorScheduler, dict(step=4, factor=0.9, base_lr=0.2, warmup_steps=5,
                                                   warmup_begin_lr=0.01)),
        "multifactor": (ls.MultiFactorScheduler, dict(step=[5, 10, 15], factor=0.1, base_lr=0.1,
                                                      warmup_steps=3, warmup_begin_lr=0.001)),
        "poly": (ls.PolyScheduler, dict(max_update=20, base_lr=0.1, pwr=2, final_lr=0.001, warmup_steps=5)),
        "cosine": (ls.CosineScheduler, dict(max_update=20, base_lr=0.1, final_lr=0.01, warmup_steps=4,
                                            warmup_begin_lr=0.02, warmup_mode="constant")),
        "cosine_plain": (ls.CosineScheduler, dict(max_update=10, base_lr=1.0)),
    }
    out = {}
    for name, (cls, kwargs) in cases.items():
        sched = cls(**kwargs)
        out[name] = {"kwargs": kwargs, "class": cls.__name__, "lrs": [sched(n) for n in range(26)]}
    meta["schedulers"] = out


def losses(mx, arrays, meta):
    gluon, nd, autograd = mx.gluon, mx.nd, mx.autograd
    rs = np.random.RandomState(3)

    class FocalLoss(gluon.loss.Loss):  # straight-dope notebook cell 35
        def __init__(self, axis=-1, alpha=0.25, gamma=2, batch_axis=0, **kwargs):
            super(FocalLoss, self).__init__(None, batch_axis, **kwargs)
            self._axis = axis
            self._alpha = alpha
            self._gamma = gamma

        def hybrid_forward(self, F, output, label):
            output = F.softmax(output)
            pt = F.pick(output, label, axis=self._axis, keepdims=True)
            loss = -self._alpha * ((1 - pt) ** self._gamma) * F.log(pt)
            return F.mean(loss, axis=self._batch_axis, exclude=True)

    pred = rs.uniform(-2, 2, (4, 5)).astype(np.float32)
    pred3 = rs.uniform(-2, 2, (3, 4, 2)).astype(np.float32)
    sparse = rs.randint(0, 5, (4,)).astype(np.float32)
    dense = rs.uniform(0, 1, (4, 5)).astype(np.float32)
    dense /= dense.sum(axis=1, keepdims=True)
    signs = np.sign(rs.uniform(-1, 1, (4, 5))).astype(np.float32)
    binary = (rs.uniform(0, 1, (4, 5)) > 0.5).astype(np.float32)
    probs = rs.uniform(0.05, 0.95, (4, 5)).astype(np.float32)
    sample_weight = rs.uniform(0, 1, (4, 1)).astype(np.float32)
    pos_weight = rs.uniform(0.5, 2, (5,)).astype(np.float32)
    label3 = rs.randint(0, 4, (3, 2)).astype(np.float32)
    L = gluon.loss
    cases = {
        "l2": (L.L2Loss(), pred, dense, ()),
        "l2_weighted": (L.L2Loss(weight=2.0), pred, dense, (sample_weight,)),
        "l1": (L.L1Loss(), pred, dense, ()),
        "l1_sw": (L.L1Loss(), pred, dense, (sample_weight,)),
        "softmax_ce": (L.SoftmaxCrossEntropyLoss(), pred, sparse, ()),
        "softmax_ce_sw": (L.SoftmaxCrossEntropyLoss(weight=0.5), pred, sparse, (sample_weight,)),
        "softmax_ce_dense": (L.SoftmaxCELoss(sparse_label=False), pred, dense, ()),
        "softmax_ce_logits": (L.SoftmaxCELoss(from_logits=True), -np.abs(pred), sparse, ()),
        "softmax_ce_axis1": (L.SoftmaxCELoss(axis=1), pred3, label3, ()),
        "sigmoid_bce": (L.SigmoidBCELoss(), pred, binary, ()),
        "sigmoid_bce_pos": (L.SigmoidBCELoss(), pred, binary, (None, pos_weight)),
        "sigmoid_bce_from_sigmoid": (L.SigmoidBCELoss(from_sigmoid=True), probs, binary, (sample_weight,)),
        "kldiv": (L.KLDivLoss(), np.log(probs), dense, ()),
        "kldiv_logits": (L.KLDivLoss(from_logits=False), pred, dense, ()),
        "huber": (L.HuberLoss(rho=0.5), pred, dense, ()),
        "hinge": (L.HingeLoss(), pred, signs, ()),
        "squared_hinge": (L.SquaredHingeLoss(margin=0.5), pred, signs, ()),
        "logistic": (L.LogisticLoss(), pred, signs, ()),
        "logistic_binary": (L.LogisticLoss(label_format="binary"), pred, binary, ()),
        "focal": (FocalLoss(), pred, sparse, ()),
    }
    meta["losses"] = {}
    head = rs.uniform(0.5, 1.5, (4,)).astype(np.float32)
    for name, (loss, p, lab, extra) in cases.items():
        x = nd.array(p)
        x.attach_grad()
        extra_nd = [None if e is None else nd.array(e) for e in extra]
        with autograd.record():
            out = loss(x, nd.array(lab), *extra_nd)
        hg = head[:out.shape[0]]
        out.backward(nd.array(hg))
        arrays[f"loss/{name}/pred"] = p
        arrays[f"loss/{name}/label"] = lab
        for i, e in enumerate(extra):
            if e is not None:
                arrays[f"loss/{name}/extra{i}"] = e
        arrays[f"loss/{name}/out"] = out.asnumpy()
        arrays[f"loss/{name}/head_grad"] = hg
        arrays[f"loss/{name}/grad"] = x.grad.asnumpy()
        meta["losses"][name] = {"repr": repr(loss), "extra_none": [e is None for e in extra]}


def reprs_and_messages(mx, meta):
    gluon, nd = mx.gluon, mx.nd
    nn = gluon.nn
    out = {}
    with mx.name.NameManager():
        layers = {
            "dense_relu": nn.Dense(5, activation="relu", in_units=3),
            "dense": nn.Dense(3),
            "dense_nobias": nn.Dense(3, use_bias=False, flatten=False),
            "conv_full": nn.Conv2D(4, 3, strides=2, padding=1, dilation=2, use_bias=False, activation="relu",
                                   in_channels=2),
            "conv_groups": nn.Conv2D(4, (1, 3), groups=2, in_channels=2),
            "convT": nn.Conv2DTranspose(4, 3, strides=2, padding=1, output_padding=1, in_channels=2),
            "maxpool": nn.MaxPool2D(3, 2, 1, ceil_mode=True),
            "avgpool": nn.AvgPool2D(),
            "avgpool_nopad": nn.AvgPool2D(3, padding=1, count_include_pad=False),
            "gavg": nn.GlobalAvgPool2D(),
            "gmax": nn.GlobalMaxPool2D(),
            "dropout": nn.Dropout(0.3),
            "dropout_axes": nn.Dropout(0.5, axes=(1,)),
            "embedding": nn.Embedding(10, 4),
            "leaky": nn.LeakyReLU(0.1),
            "prelu": nn.PReLU(),
            "elu": nn.ELU(),
            "selu": nn.SELU(),
            "gelu": nn.GELU(),
            "swish": nn.Swish(),
            "lambda_str": nn.Lambda("tanh"),
            "hybridlambda_fn": nn.HybridLambda(lambda F, x: x),
            "flatten": nn.Flatten(),
            "bn_noscale": nn.BatchNorm(scale=False, in_channels=3, momentum=0.8),
            "act_tanh": nn.Activation("tanh"),
        }
        out["layer_repr"] = {k: repr(v) for k, v in layers.items()}
        out["layer_prefix"] = {k: v.prefix for k, v in layers.items()}
        out["layer_params"] = {k: [[p.name, list(p.shape), p.grad_req] for p in v.collect_params().values()]
                               for k, v in layers.items()}
        dense = nn.Dense(3, in_units=2, prefix="d_")
        out["paramdict_repr"] = repr(dense.collect_params())
        out["paramdict_repr_noprefix"] = repr(gluon.ParameterDict())
        out["parameter_repr"] = repr(dense.weight)
        out["constant_repr"] = repr(gluon.Constant("c", [[1, 2], [3, 4]]))
        # parameter errors
        p = gluon.Parameter("lonely", shape=(2, 2))
        for what, fn in (("uninitialized", p.data), ):
            try:
                fn()
            except RuntimeError as err:
                out["param_" + what] = str(err)
        q = gluon.Parameter("deferred", shape=(3, 0), allow_deferred_init=True)
        q.initialize()
        try:
            q.data()
        except gluon.parameter.DeferredInitializationError as err:
            out["param_deferred"] = str(err)
        r = gluon.Parameter("noshape", shape=(3, 0))
        try:
            r.initialize()
        except ValueError as err:
            out["param_invalid_shape"] = str(err)
        s = gluon.Parameter("nograd", shape=(2,), grad_req="null")
        s.initialize()
        try:
            s.grad()
        except RuntimeError as err:
            out["param_null_grad"] = str(err)
        t = gluon.Parameter("shape_t", shape=(3, 0))
        try:
            t.shape = (4, 5)
        except AssertionError as err:
            out["param_shape_mismatch"] = str(err)
        # hybrid child error, attribute type error, sequential warning
        hs = nn.HybridSequential(prefix="hs_")
        try:
            hs.add(nn.Lambda("tanh", prefix="lam_"))
        except ValueError as err:
            out["hybrid_child_error"] = str(err)

        class Holder(gluon.Block):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.layer = nn.Dense(2)

        h = Holder(prefix="holder_")
        try:
            h.layer = 3
        except TypeError as err:
            out["attr_type_error"] = str(err)
        seq = nn.Sequential(prefix="seq_")
        seq.add(nn.Dense(2), nn.Dense(3))
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            seq.hybridize()
        out["sequential_hybridize_warning"] = [str(x.message) for x in w]
        # slicing a Sequential
        with mx.name.NameManager():
            net = nn.HybridSequential()
            with net.name_scope():
                net.add(nn.Dense(2), nn.Dense(3), nn.Dense(4))
            sub = net[1:]
            out["slice"] = {"prefix": sub.prefix, "len": len(sub), "type": type(sub).__name__,
                            "same_child": sub[0] is net[1],
                            "params": list(sub.collect_params().keys())}
    out["initializer_dumps"] = {
        "xavier": mx.init.Xavier(rnd_type="gaussian", factor_type="in", magnitude=2).dumps(),
        "uniform": mx.init.Uniform(0.1).dumps(), "normal": mx.init.Normal().dumps(),
        "zero": mx.init.Zero().dumps(), "constant": mx.init.Constant(0.5).dumps(),
        "msra": mx.init.MSRAPrelu().dumps(),
    }
    meta["texts"] = out


def load_errors(mx, meta):
    gluon, nd = mx.gluon, mx.nd
    nn = gluon.nn
    import tempfile
    import os
    out = {}
    d = tempfile.mkdtemp()
    with mx.name.NameManager():
        a = nn.HybridSequential()
        with a.name_scope():
            a.add(nn.Dense(3, in_units=2), nn.Dense(4, in_units=3))
        a.initialize()
        f = os.path.join(d, "a.params")
        a.save_parameters(f)
        b = nn.HybridSequential()
        with b.name_scope():
            b.add(nn.Dense(3, in_units=2), nn.Dense(4, in_units=3), nn.Dense(5, in_units=4))
        try:
            b.load_parameters(f)
        except AssertionError as err:
            out["missing"] = str(err).replace(f, "<FILE>")
        c = nn.HybridSequential()
        with c.name_scope():
            c.add(nn.Dense(3, in_units=2))
        try:
            c.load_parameters(f)
        except ValueError as err:
            out["extra"] = str(err).replace(f, "<FILE>")
        e = nn.HybridSequential()
        with e.name_scope():
            e.add(nn.Dense(3, in_units=2), nn.Dense(4, in_units=5))
        try:
            e.load_parameters(f)
        except AssertionError as err:
            out["shape"] = str(err).replace(f, "<FILE>")
        # legacy prefixed file (save_params style) -> loads through the ParameterDict path
        g = os.path.join(d, "legacy.params")
        a.collect_params().save(g, strip_prefix=a.prefix)
        out["legacy_keys"] = sorted(nd.load(g).keys())
        try:
            c.load_parameters(g)
        except AssertionError as err:
            out["legacy_extra"] = str(err).replace(g, "<FILE>")
    meta["load_errors"] = out


def summaries(mx, meta):
    gluon, nd = mx.gluon, mx.nd
    nn = gluon.nn

    class TwoHeads(gluon.Block):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            with self.name_scope():
                self.body = nn.Sequential()
                with self.body.name_scope():
                    self.body.add(nn.Dense(4, in_units=3, activation="relu"), nn.Dense(4, in_units=4))
                self.head_a = nn.Dense(2, in_units=4)
                self.head_b = nn.Dense(2, in_units=4, params=self.head_a.params)
                self.bn = nn.BatchNorm(in_channels=4)

        def forward(self, x):
            h = self.bn(self.body(x))
            return self.head_a(h), [self.head_b(h), h]

    with mx.name.NameManager():
        net = TwoHeads()
        net.initialize()
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            net.summary(nd.ones((2, 3)))
        meta["summary_two_heads"] = buf.getvalue()
        meta["repr_two_heads"] = repr(net)


def utils(mx, arrays, meta):
    gluon, nd = mx.gluon, mx.nd
    x = nd.arange(7 * 2).reshape((7, 2))
    parts = gluon.utils.split_data(x, 3, even_split=False)
    meta["split_uneven_shapes"] = [list(p.shape) for p in parts]
    try:
        gluon.utils.split_data(x, 3)
    except ValueError as err:
        meta["split_error"] = str(err)
    parts = gluon.utils.split_data(nd.arange(12).reshape((2, 6)), 4, batch_axis=1, even_split=False)
    meta["split_axis1_shapes"] = [list(p.shape) for p in parts]
    rs = np.random.RandomState(4)
    arrs = [rs.uniform(-1, 1, s).astype(np.float32) for s in ((3, 2), (4,))]
    nds = [nd.array(a) for a in arrs]
    norm = gluon.utils.clip_global_norm(nds, 1.0)
    meta["clip_global_norm"] = float(norm)
    for i, (a, b) in enumerate(zip(arrs, nds)):
        arrays[f"clip/in{i}"] = a
        arrays[f"clip/out{i}"] = b.asnumpy()


def main():
    import mxnet as mx  # only the generator needs MXNet
    arrays, meta = {}, {"_mxnet_version": mx.__version__}
    optimizers(mx, arrays, meta)
    trainer(mx, arrays, meta)
    schedulers(mx, meta)
    losses(mx, arrays, meta)
    reprs_and_messages(mx, meta)
    load_errors(mx, meta)
    summaries(mx, meta)
    utils(mx, arrays, meta)
    np.savez(HERE / "gluon_oracle.npz", **arrays)
    (HERE / "gluon_oracle.json").write_text(json.dumps(meta, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
