"""mx.mod.Module, mx.model checkpoints, mx.callback and the Module-era loss heads against MXNet 1.9.1 oracle
data (tests/data/module_oracle, made by make_module_oracle.py)."""
import json
import logging
import os

import numpy as np
import pytest

import ssdkit as mx

HERE = os.path.join(os.path.dirname(__file__), "data", "module_oracle")
ORACLE = np.load(os.path.join(HERE, "module_oracle.npz"))
META = json.load(open(os.path.join(HERE, "module_oracle.json")))["cases"]
HEADS = [k for k, v in META.items() if isinstance(v, dict) and "op" in v]


@pytest.mark.parametrize("key", HEADS)
def test_loss_head_forward_and_gradient_equal_mxnet(key):
    case = META[key]
    make = getattr(mx.sym, case["op"])
    data, label = ORACLE[key + "/data"], ORACLE[key + "/label"]
    s = make(mx.sym.var("data"), mx.sym.var("label"), **case["params"])
    ex = s.simple_bind(mx.cpu(), data=data.shape, label=label.shape, grad_req={"data": "write", "label": "null"})
    ex.arg_dict["data"][:] = data
    ex.arg_dict["label"][:] = label
    out = ex.forward(is_train=True)[0]
    ex.backward(mx.nd.array(np.random.randn(*out.shape)))   # the head gradient is ignored, as in MXNet
    np.testing.assert_allclose(out.asnumpy(), ORACLE[key + "/out"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ex.grad_dict["data"].asnumpy(), ORACLE[key + "/grad"], rtol=1e-5, atol=1e-6)


def test_loss_heads_infer_label_shapes_as_mxnet():
    fc = mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=1, name="fc")
    assert mx.sym.LinearRegressionOutput(fc, name="lro").infer_shape(data=(4, 3))[0][-1] == (4,)
    sm = mx.sym.SoftmaxOutput(mx.sym.var("data"), name="softmax")
    assert sm.list_arguments() == ["data", "softmax_label"]
    assert sm.infer_shape(data=(2, 5, 3))[0][-1] == (2, 5)
    with pytest.raises(mx.MXNetError, match="label shape"):
        sm.infer_shape(data=(2, 5), softmax_label=(3,))


def _mlp():
    data = mx.sym.var("data")
    h = mx.sym.Activation(mx.sym.FullyConnected(data, num_hidden=8, name="fc1"), act_type="relu", name="relu1")
    h = mx.sym.BatchNorm(h, name="bn1")
    return mx.sym.SoftmaxOutput(mx.sym.FullyConnected(h, num_hidden=3, name="fc2"), name="softmax")


def _init(prefix="fit"):
    args = {k.split("/")[-1]: mx.nd.array(ORACLE[k]) for k in ORACLE.files if k.startswith(prefix + "/init_arg/")}
    auxs = {k.split("/")[-1]: mx.nd.array(ORACLE[k]) for k in ORACLE.files if k.startswith(prefix + "/init_aux/")}
    return args, auxs


@pytest.mark.parametrize("key", ["fit_sgd", "fit_adam", "fit_sgd_2ctx"])
def test_fit_two_epochs_equals_mxnet(key):
    case = META[key]
    X, Y = ORACLE["fit/X"], ORACLE["fit/Y"]
    contexts = [mx.cpu(i) for i in range(case["contexts"])]
    mod = mx.mod.Module(_mlp(), context=contexts)
    it = mx.io.NDArrayIter(X, Y, batch_size=case["batch_size"])
    val = mx.io.NDArrayIter(X[:10], Y[:10], batch_size=case["batch_size"])
    args, auxs = _init()
    seen = []
    mod.fit(it, eval_data=val, num_epoch=2, optimizer=case["optimizer"], optimizer_params=case["optimizer_params"],
            arg_params=args, aux_params=auxs, batch_end_callback=lambda p: seen.append(p.eval_metric.get()[1]))
    got_args, got_aux = mod.get_params()
    for name, value in got_args.items():
        np.testing.assert_allclose(value.asnumpy(), ORACLE[f"{key}/arg/{name}"], rtol=1e-4, atol=1e-5, err_msg=name)
    for name, value in got_aux.items():
        np.testing.assert_allclose(value.asnumpy(), ORACLE[f"{key}/aux/{name}"], rtol=1e-4, atol=1e-5, err_msg=name)
    np.testing.assert_allclose(mod.predict(val).asnumpy(), ORACLE[f"{key}/predict"], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(seen, case["batch_metrics"], atol=1e-6)
    score = mod.score(val, ["acc", "ce"])
    assert [n for n, _ in score] == [n for n, _ in case["score"]]
    np.testing.assert_allclose([v for _, v in score], [v for _, v in case["score"]], rtol=1e-4)


def test_forward_backward_input_grads_and_reshape_equal_mxnet():
    X, Y = ORACLE["fit/X"], ORACLE["fit/Y"]
    mod = mx.mod.Module(_mlp())
    mod.bind([("data", (4, 6))], [("softmax_label", (4,))], inputs_need_grad=True)
    mod.set_params(*_init())
    mod.forward(mx.io.DataBatch([mx.nd.array(X[:4])], [mx.nd.array(Y[:4])]), is_train=True)
    mod.backward()
    np.testing.assert_allclose(mod.get_outputs()[0].asnumpy(), ORACLE["fb/out"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(mod.get_input_grads()[0].asnumpy(), ORACLE["fb/input_grad"], rtol=1e-4, atol=1e-6)
    mod.forward(mx.io.DataBatch([mx.nd.array(X[:3])], [mx.nd.array(Y[:3])]), is_train=False)
    np.testing.assert_allclose(mod.get_outputs()[0].asnumpy(), ORACLE["fb/out_reshaped"], rtol=1e-5, atol=1e-6)
    assert [[n, list(s)] for n, s in mod.output_shapes] == META["fb/output_shapes"]
    assert mod.data_shapes[0].shape == (3, 6) and mod.label_shapes[0].name == "softmax_label"


def test_checkpoint_round_trip_with_optimizer_states(tmp_path):
    X, Y = ORACLE["fit/X"], ORACLE["fit/Y"]
    prefix = str(tmp_path / "mlp")
    mod = mx.mod.Module(_mlp())
    it = mx.io.NDArrayIter(X, Y, batch_size=5)
    args, auxs = _init()
    mod.fit(it, num_epoch=1, optimizer_params={"learning_rate": 0.1, "momentum": 0.9}, arg_params=args,
            aux_params=auxs, epoch_end_callback=mx.callback.module_checkpoint(mod, prefix, save_optimizer_states=True))
    assert sorted(os.listdir(tmp_path)) == ["mlp-0001.params", "mlp-0001.states", "mlp-symbol.json"]
    # continue training in the original and in a reloaded copy: same parameters
    mod2 = mx.mod.Module.load(prefix, 1, load_optimizer_states=True)
    mod2.bind(it.provide_data, it.provide_label)
    mod2.init_optimizer(optimizer_params={"learning_rate": 0.1, "momentum": 0.9})
    for m in (mod, mod2):
        it.reset()
        for batch in it:
            m.forward_backward(batch)
            m.update()
    for name, value in mod.get_params()[0].items():
        np.testing.assert_allclose(mod2.get_params()[0][name].asnumpy(), value.asnumpy(), rtol=1e-6, err_msg=name)
    sym, a, x = mx.model.load_checkpoint(prefix, 1)
    assert sym.list_arguments() == mod.symbol.list_arguments() and sorted(x) == ["bn1_moving_mean", "bn1_moving_var"]


def test_fixed_params_are_not_updated_and_errors_name_the_problem():
    mod = mx.mod.Module(_mlp(), fixed_param_names=["fc1_weight"])
    mod.bind([("data", (5, 6))], [("softmax_label", (5,))])
    with pytest.raises(mx.MXNetError, match="init_params"):
        mod.forward(mx.io.DataBatch([mx.nd.ones((5, 6))], [mx.nd.zeros((5,))]))
    args, auxs = _init()
    mod.init_params(arg_params=args, aux_params=auxs)
    mod.init_optimizer(optimizer_params={"learning_rate": 1.0})
    mod.forward_backward(mx.io.DataBatch([mx.nd.array(ORACLE["fit/X"][:5])], [mx.nd.array(ORACLE["fit/Y"][:5])]))
    mod.update()
    now = mod.get_params()[0]
    np.testing.assert_array_equal(now["fc1_weight"].asnumpy(), args["fc1_weight"].asnumpy())
    assert not np.allclose(now["fc2_weight"].asnumpy(), args["fc2_weight"].asnumpy())
    with pytest.raises(mx.MXNetError, match="not presented"):
        mx.mod.Module(_mlp()).bind([("data", (5, 6))]) or None
        m = mx.mod.Module(_mlp()); m.bind([("data", (5, 6))], for_training=False)
        m.init_params(arg_params={"fc1_weight": args["fc1_weight"]})
    with pytest.raises(mx.MXNetError, match="label shapes are given for"):
        mx.mod.Module(_mlp()).bind([("data", (5, 6))], [("label", (5,))])


def test_callbacks_log(caplog):
    metric = mx.metric.create("acc")
    metric.update([mx.nd.array([0, 1])], [mx.nd.array([[1, 0], [0, 1]])])
    speed = mx.callback.Speedometer(batch_size=2, frequent=2)
    with caplog.at_level(logging.INFO):
        for n in range(3):
            speed(mx.model.BatchEndParam(epoch=0, nbatch=n, eval_metric=metric, locals=None))
        mx.callback.log_train_metric(1)(mx.model.BatchEndParam(0, 0, metric, None))
    assert "Speed:" in caplog.text and "accuracy=1.000000" in caplog.text and "Train-accuracy" in caplog.text


def test_save_params_load_params_round_trip(tmp_path):
    mod = mx.mod.Module(_mlp())
    mod.bind([("data", (5, 6))], [("softmax_label", (5,))], for_training=False)
    mod.set_params(*_init())
    mod.save_params(str(tmp_path / "p.params"))
    other = mx.mod.Module(_mlp())
    other.bind([("data", (5, 6))], [("softmax_label", (5,))], for_training=False)
    other.init_params(mx.init.Zero())
    other.load_params(str(tmp_path / "p.params"))
    for name, value in _init()[0].items():
        np.testing.assert_array_equal(other.get_params()[0][name].asnumpy(), value.asnumpy())
    assert sorted(mx.nd.load(str(tmp_path / "p.params")))[0] == "arg:bn1_beta"


def _bucket_sym_gen(key):
    data = mx.sym.var("data")
    summed = mx.sym.sum(mx.sym.FullyConnected(data, num_hidden=2, name="fc"), axis=1)   # weights shared by buckets
    return mx.sym.make_loss(summed * float(key)), ("data",), None


def test_bucketing_module_shares_parameters_and_gradients():
    mod = mx.mod.BucketingModule(_bucket_sym_gen, default_bucket_key=4)
    mod.bind([("data", (2, 4))], grad_req="add")
    mod.init_params(mx.init.One())
    mod.init_optimizer(optimizer_params={"learning_rate": 0.1, "rescale_grad": 1.0})
    batch = lambda key: mx.io.DataBatch([mx.nd.ones((2, 4))], bucket_key=key,  # noqa: E731
                                        provide_data=[mx.io.DataDesc("data", (2, 4))])
    mod.forward_backward(batch(4))
    grad = mod._curr_module._exec_group.execs[0].grad_dict["fc_bias"]
    np.testing.assert_array_equal(grad.asnumpy(), [8.0, 8.0])      # d(4 * sum)/d bias over 2 rows
    mod.forward_backward(batch(3))   # another bucket: its own module, the same gradient arrays ('add')
    assert sorted(mod._buckets) == [3, 4] and mod._curr_module._grad_req == "add"
    assert mod._buckets[3]._exec_group.execs[0].arg_dict["fc_weight"] is \
        mod._buckets[4]._exec_group.execs[0].arg_dict["fc_weight"]
    np.testing.assert_array_equal(mod._curr_module._exec_group.execs[0].grad_dict["fc_bias"].asnumpy(), [14.0, 14.0])
    mod.update()
    np.testing.assert_allclose(mod.get_params()[0]["fc_bias"].asnumpy(), [-1.4, -1.4], rtol=1e-6)   # biases start at 0 (MXNet names them)


def test_bind_takes_label_descs_in_any_order_and_feeds_by_their_order():
    # an iterator gives its labels sorted by name; the module's label_names may list them otherwise
    x, a, b = mx.sym.var("x"), mx.sym.var("a"), mx.sym.var("b")
    net = mx.sym.MakeLoss(mx.sym.sum(x * 0 + a * 2 + b * 3, axis=1))
    mod = mx.mod.Module(net, data_names=["x"], label_names=["b", "a"])
    it = mx.io.NDArrayIter({"x": np.zeros((2, 1))}, {"a": np.ones((2, 1)), "b": np.full((2, 1), 10.0)}, batch_size=2)
    mod.bind(it.provide_data, it.provide_label, for_training=False)
    mod.init_params()
    mod.forward(next(iter(it)), is_train=False)
    assert mod.get_outputs()[0].asnumpy().tolist() == [32.0, 32.0]   # a=1 -> 2, b=10 -> 30
    with pytest.raises(mx.MXNetError, match="label shapes are given for"):
        mod.bind(it.provide_data, [("c", (2, 1))], force_rebind=True)


# ---------------------------------------------------------------------- model parallelism and bucketing details
def test_group2ctx_places_inputs_and_their_gradients():
    with mx.AttrScope(ctx_group="dev1"):
        a = mx.sym.var("a") * 2
    with mx.AttrScope(ctx_group="dev2"):
        c = a + mx.sym.var("b")
    mod = mx.mod.Module(c, context=[mx.cpu(0)], data_names=["a", "b"], label_names=None,
                        group2ctxs={"dev1": mx.cpu(1), "dev2": mx.cpu(2)})
    mod.bind(data_shapes=[("a", (2, 3)), ("b", (2, 3))], inputs_need_grad=True)
    mod.init_params()
    mod.forward(mx.io.DataBatch([mx.nd.ones((2, 3)), mx.nd.ones((2, 3))]), is_train=True)
    mod.backward([mx.nd.ones((2, 3))])
    grad_a, grad_b = mod.get_input_grads()
    assert (grad_a.context, grad_b.context) == (mx.cpu(1), mx.cpu(2))
    np.testing.assert_array_equal(grad_a.asnumpy(), np.full((2, 3), 2.0))


def test_prepare_group2ctxs_spreads_groups_over_devices():
    from ssdkit.module.executor_group import prepare_group2ctxs
    assert prepare_group2ctxs(None, 2) == [None, None]
    assert prepare_group2ctxs({"g": [mx.cpu(3)]}, 2) == [{"g": mx.cpu(3)}, {"g": mx.cpu(3)}]
    with pytest.raises(mx.base.MXNetError):
        prepare_group2ctxs({"g": [mx.cpu(1), mx.cpu(2)]}, 3)


def _fc_sym_gen(key):
    # automatic names: every bucket must see the same ones (BucketingModule runs sym_gen under a fresh NameManager)
    out = mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=2)
    return mx.sym.LinearRegressionOutput(out, mx.sym.var("label")), ("data",), ("label",)


def test_bucketing_checkpoint_round_trip_in_mxnet_layout(tmp_path):
    mod = mx.mod.BucketingModule(_fc_sym_gen, default_bucket_key=4)
    mod.bind([("data", (2, 4))], [("label", (2, 2))])
    mod.init_params(mx.init.Uniform(0.5))
    mod.switch_bucket(3, [("data", (2, 4))], [("label", (2, 2))])
    assert sorted(mod._buckets[3].get_params()[0]) == sorted(mod._buckets[4].get_params()[0])
    prefix = str(tmp_path / "bucket")
    mod.save_checkpoint(prefix, 2)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["bucket-0002.params", "bucket-3-symbol.json", "bucket-4-symbol.json", "bucket.buckets"]
    loaded = mx.mod.BucketingModule.load(prefix, 2, sym_gen=_fc_sym_gen, default_bucket_key=4)
    loaded.bind([("data", (2, 4))], [("label", (2, 2))])
    for name, value in mod.get_params()[0].items():
        np.testing.assert_array_equal(loaded.get_params()[0][name].asnumpy(), value.asnumpy())
    batch = mx.io.DataBatch([mx.nd.ones((2, 4))], [mx.nd.zeros((2, 2))], bucket_key=3,
                            provide_data=[mx.io.DataDesc("data", (2, 4))],
                            provide_label=[mx.io.DataDesc("label", (2, 2))])
    loaded.forward(batch, is_train=False)  # the loaded bucket 3 binds on first use
    mod.forward(batch, is_train=False)
    np.testing.assert_allclose(loaded.get_outputs()[0].asnumpy(), mod.get_outputs()[0].asnumpy())


def test_executor_groups_share_their_input_arrays():
    from ssdkit.module.executor_group import DataParallelExecutorGroup
    small = mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=3, name="fc1")
    large = mx.sym.FullyConnected(small, num_hidden=3, name="fc2")
    shapes = [("data", (4, 5))]
    first = DataParallelExecutorGroup(small, [mx.cpu(0), mx.cpu(1)], [1, 1], shapes, None,
                                      ["fc1_weight", "fc1_bias"], for_training=True, inputs_need_grad=False)
    assert [sorted(d) for d in first.shared_data_arrays] == [["data"], ["data"]]
    second = DataParallelExecutorGroup(large, [mx.cpu(0), mx.cpu(1)], [1, 1], shapes, None,
                                       ["fc1_weight", "fc1_bias"], for_training=True, inputs_need_grad=False,
                                       shared_group=first)
    # fc2's parameters are not shared parameters: they join the shared input arrays, as in MXNet
    assert second.shared_data_arrays is first.shared_data_arrays
    assert sorted(second.shared_data_arrays[0]) == ["data", "fc2_bias", "fc2_weight"]
    for k in range(2):
        assert second.execs[k].arg_dict["data"] is first.execs[k].arg_dict["data"]
        assert mx.test_utils.same_array(second.execs[k].arg_dict["fc1_weight"], first.execs[k].arg_dict["fc1_weight"])
