"""Oracle data for ssdkit's Module API and loss-head ops, made with real MXNet 1.9.1.

Run with /work/mxvenv/bin/python (mxnet 1.9.1) from this folder: writes module_oracle.npz + module_oracle.json.
Every case starts from fixed parameters stored in the npz, so no random number generator has to agree.
"""
import json
import logging

import mxnet as mx
import numpy as np

rng = np.random.RandomState(0)
arrays, meta = {}, {}


def put(key, value):
    arrays[key] = np.asarray(value.asnumpy() if hasattr(value, "asnumpy") else value)


# ---------------------------------------------------------------- loss heads: forward and input gradient
def head_case(key, make, data, label, **kwargs):
    d, l = mx.sym.var("data"), mx.sym.var("label")
    s = make(d, l, **kwargs)
    ex = s.simple_bind(mx.cpu(), data=data.shape, label=label.shape, grad_req={"data": "write", "label": "null"})
    ex.arg_dict["data"][:] = data
    ex.arg_dict["label"][:] = label
    out = ex.forward(is_train=True)[0]
    ex.backward(mx.nd.array(rng.randn(*out.shape)))   # ignored by the heads (unless out_grad)
    put(key + "/data", data); put(key + "/label", label); put(key + "/out", out)
    put(key + "/grad", ex.grad_dict["data"])
    meta[key] = {"op": make.__name__, "params": kwargs}


x2 = rng.randn(4, 5).astype(np.float32)
lab = np.array([0, 3, 4, 1], np.float32)
head_case("softmax_null", mx.sym.SoftmaxOutput, x2, lab)
head_case("softmax_batch", mx.sym.SoftmaxOutput, x2, lab, normalization="batch", grad_scale=2.0)
head_case("softmax_valid_ignore", mx.sym.SoftmaxOutput, x2, np.array([0, -1, 4, -1], np.float32),
          normalization="valid", use_ignore=True)
head_case("softmax_smooth", mx.sym.SoftmaxOutput, x2, lab, smooth_alpha=0.1)
head_case("softmax_prob_label", mx.sym.SoftmaxOutput, x2, np.abs(rng.rand(4, 5)).astype(np.float32))
x4 = rng.randn(2, 3, 2, 2).astype(np.float32)
lab4 = rng.randint(0, 3, (2, 2, 2)).astype(np.float32)
head_case("softmax_multi", mx.sym.SoftmaxOutput, x4, lab4, multi_output=True)
head_case("softmax_multi_valid", mx.sym.SoftmaxOutput, x4, lab4, multi_output=True, normalization="valid",
          use_ignore=True, ignore_label=1)
head_case("softmax_preserve", mx.sym.SoftmaxOutput, rng.randn(2, 3, 4).astype(np.float32),
          rng.randint(0, 4, (2, 3)).astype(np.float32), preserve_shape=True)
xr = rng.randn(4, 3).astype(np.float32)
yr = rng.randn(4, 3).astype(np.float32)
head_case("linear", mx.sym.LinearRegressionOutput, xr, yr, grad_scale=0.5)
head_case("logistic", mx.sym.LogisticRegressionOutput, xr, (yr > 0).astype(np.float32))
head_case("mae", mx.sym.MAERegressionOutput, xr, yr)
head_case("linear_1d_label", mx.sym.LinearRegressionOutput, rng.randn(4, 1).astype(np.float32),
          rng.randn(4).astype(np.float32))

# ---------------------------------------------------------------- Module.fit: an MLP, 2 epochs, SGD
def mlp():
    data = mx.sym.var("data")
    h = mx.sym.Activation(mx.sym.FullyConnected(data, num_hidden=8, name="fc1"), act_type="relu", name="relu1")
    h = mx.sym.BatchNorm(h, name="bn1")
    out = mx.sym.FullyConnected(h, num_hidden=3, name="fc2")
    return mx.sym.SoftmaxOutput(out, name="softmax")


X = rng.randn(20, 6).astype(np.float32)
Y = rng.randint(0, 3, 20).astype(np.float32)
put("fit/X", X); put("fit/Y", Y)
probe = mx.mod.Module(mlp())
probe.bind([("data", (5, 6))], [("softmax_label", (5,))])
probe.init_params(mx.init.Xavier())
init_args, init_aux = probe.get_params()
for k, v in init_args.items():
    put("fit/init_arg/" + k, v)
for k, v in init_aux.items():
    put("fit/init_aux/" + k, v + 0.5)   # non-trivial moving stats


def fit_case(key, contexts, optimizer, optimizer_params, batch_size=5, last="pad"):
    mod = mx.mod.Module(mlp(), context=contexts)
    it = mx.io.NDArrayIter(X, Y, batch_size=batch_size, last_batch_handle=last)
    val = mx.io.NDArrayIter(X[:10], Y[:10], batch_size=batch_size)
    args = {k: mx.nd.array(arrays["fit/init_arg/" + k]) for k in init_args}
    auxs = {k: mx.nd.array(arrays["fit/init_aux/" + k]) for k in init_aux}
    seen = []
    mod.fit(it, eval_data=val, num_epoch=2, optimizer=optimizer, optimizer_params=optimizer_params,
            arg_params=args, aux_params=auxs, eval_metric="acc",
            batch_end_callback=lambda p: seen.append(p.eval_metric.get()[1]))
    a, x = mod.get_params()
    for k, v in a.items():
        put(f"{key}/arg/{k}", v)
    for k, v in x.items():
        put(f"{key}/aux/{k}", v)
    put(f"{key}/predict", mod.predict(val))
    score = mod.score(val, ["acc", "ce"])
    meta[key] = {"contexts": len(contexts), "optimizer": optimizer, "optimizer_params": dict(optimizer_params),
                 "batch_size": batch_size, "score": [[n, float(v)] for n, v in score],
                 "batch_metrics": [float(v) for v in seen]}
    return mod


fit_case("fit_sgd", [mx.cpu()], "sgd", {"learning_rate": 0.1, "momentum": 0.9, "wd": 1e-4})
fit_case("fit_adam", [mx.cpu()], "adam", {"learning_rate": 0.01})
fit_case("fit_sgd_2ctx", [mx.cpu(0), mx.cpu(1)], "sgd", {"learning_rate": 0.1, "momentum": 0.9, "wd": 1e-4},
         batch_size=6)

# ---------------------------------------------------------------- forward/backward with inputs_need_grad
mod = mx.mod.Module(mlp())
mod.bind([("data", (4, 6))], [("softmax_label", (4,))], inputs_need_grad=True)
mod.set_params({k: mx.nd.array(arrays["fit/init_arg/" + k]) for k in init_args},
               {k: mx.nd.array(arrays["fit/init_aux/" + k]) for k in init_aux})
mod.forward(mx.io.DataBatch([mx.nd.array(X[:4])], [mx.nd.array(Y[:4])]), is_train=True)
mod.backward()
put("fb/out", mod.get_outputs()[0]); put("fb/input_grad", mod.get_input_grads()[0])
mod.forward(mx.io.DataBatch([mx.nd.array(X[:3])], [mx.nd.array(Y[:3])]), is_train=False)  # reshapes
put("fb/out_reshaped", mod.get_outputs()[0])
meta["fb/output_shapes"] = [[n, list(s)] for n, s in mod.output_shapes]

np.savez_compressed("module_oracle.npz", **arrays)
with open("module_oracle.json", "w") as f:
    json.dump({"mxnet": mx.__version__, "cases": meta}, f, indent=1, sort_keys=True)
print(len(arrays), "arrays")
