"""Bad input to the operators added from MXNet's breadth is an MXNetError naming the operand, expected and actual;
MXNet's GPU-only contrib ops stop with MXNet's own CPU message."""
import numpy as np
import pytest

import ssdkit as mx


def test_softmax_cross_entropy_checks_shapes_labels_and_label_gradient():
    with pytest.raises(mx.MXNetError, match=r"data must be 2-D .* got shape \(2, 3, 1\)"):
        mx.nd.softmax_cross_entropy(mx.nd.ones((2, 3, 1)), mx.nd.zeros((2,)))
    with pytest.raises(mx.MXNetError, match=r"batch sizes differ: data shape \(2, 3\), label shape \(3,\)"):
        mx.nd.softmax_cross_entropy(mx.nd.ones((2, 3)), mx.nd.zeros((3,)))
    with pytest.raises(mx.MXNetError, match=r"label 3.0 is not a class index of data with 3 classes"):
        mx.nd.softmax_cross_entropy(mx.nd.ones((2, 3)), mx.nd.array([0, 3]))
    x, label = mx.nd.ones((2, 3)), mx.nd.array([0, 1])
    label.attach_grad()
    with mx.autograd.record():
        loss = mx.nd.softmax_cross_entropy(x, label)
    with pytest.raises(mx.MXNetError, match="cannot take the gradient with respect to label"):
        loss.backward()


def test_legacy_ops_refuse_what_mxnet_cannot_run():
    with pytest.raises(mx.MXNetError, match="Convolution_v1: only 2-D kernels run"):
        mx.nd.Convolution_v1(mx.nd.ones((1, 1, 3, 3, 3)), mx.nd.ones((1, 1, 2, 2, 2)), mx.nd.zeros(1),
                             kernel=(2, 2, 2), num_filter=1)
    with pytest.raises(mx.MXNetError, match="Pooling_v1: data must be 4-D"):
        mx.nd.Pooling_v1(mx.nd.ones((1, 1, 3)), kernel=(2,))
    with pytest.raises(mx.MXNetError, match="Pooling_v1: parameter pool_type must be one of"):
        mx.nd.Pooling_v1(mx.nd.ones((1, 1, 3, 3)), kernel=(2, 2), pool_type="lp")
    with pytest.raises(mx.MXNetError, match=r"BatchNorm_v1: data must be 2-D or 4-D .* \(2, 3, 4\)"):
        mx.nd.BatchNorm_v1(mx.nd.ones((2, 3, 4)), mx.nd.ones(3), mx.nd.zeros(3), mx.nd.zeros(3), mx.nd.ones(3))
    with pytest.raises(mx.MXNetError, match=r"moving_avg of shape \(3,\); they must agree"):
        mx.nd.IdentityAttachKLSparseReg(mx.nd.ones((2, 3, 4)), mx.nd.zeros(3))


def test_legacy_symbols_list_mxnet_names():
    bn = mx.sym.BatchNorm_v1(mx.sym.var("x"), name="bn")
    assert bn.list_arguments() == ["x", "bn_gamma", "bn_beta"]
    assert bn.list_auxiliary_states() == ["bn_moving_mean", "bn_moving_var"]
    reg = mx.sym.IdentityAttachKLSparseReg(mx.sym.var("x"), name="reg")
    assert reg.list_auxiliary_states() == ["reg_moving_avg"]
    assert reg.infer_shape(x=(4, 3))[2] == [(3,)]


@pytest.mark.parametrize("name,args,params,message", [
    ("fft", [(2, 4)], {}, "fft is only available for GPU."),
    ("ifft", [(2, 8)], {}, "ifft is only available for GPU."),
    ("count_sketch", [(2, 3), (1, 3), (1, 3)], {"out_dim": 4}, "CountSketch is only available for GPU."),
])
def test_gpu_only_contrib_ops_stop_with_mxnets_message(name, args, params, message):
    arrays = [mx.nd.ones(s) for s in args]
    with pytest.raises(mx.MXNetError, match=message):
        getattr(mx.nd.contrib, name)(*arrays, **params)
    names = [f"a{i}" for i in range(len(args))]
    sym = getattr(mx.sym.contrib, name)(*[mx.sym.var(n) for n in names], **params)
    out = sym.infer_shape(**dict(zip(names, args)))[1]
    assert out == [{"fft": (2, 8), "ifft": (2, 4), "count_sketch": (2, 4)}[name]]
    with pytest.raises(mx.MXNetError, match=message):
        sym.bind(mx.cpu(), dict(zip(names, arrays))).forward()


def test_interleaved_matmuls_check_layouts():
    with pytest.raises(mx.MXNetError, match=r"queries_keys_values.shape\[2\] must be a multiple of heads \* 3 = 6"):
        mx.nd.contrib.interleaved_matmul_selfatt_qk(mx.nd.ones((2, 1, 9)), heads=2)
    with pytest.raises(mx.MXNetError, match=r"attention must have shape .* = \(2, 3, 3\) .* got \(2, 3, 4\)"):
        mx.nd.contrib.interleaved_matmul_selfatt_valatt(mx.nd.ones((3, 1, 12)), mx.nd.ones((2, 3, 4)), heads=2)
    with pytest.raises(mx.MXNetError, match="keys_values must have queries' batch and twice its projections"):
        mx.nd.contrib.interleaved_matmul_encdec_qk(mx.nd.ones((2, 1, 4)), mx.nd.ones((3, 1, 6)), heads=2)
    with pytest.raises(mx.MXNetError, match=r"attention must have shape \(batch \* heads"):
        mx.nd.contrib.interleaved_matmul_encdec_valatt(mx.nd.ones((3, 2, 8)), mx.nd.ones((2, 4, 3)), heads=2)
    qk = mx.sym.contrib.interleaved_matmul_selfatt_qk(mx.sym.var("qkv"), heads=4)
    assert qk.infer_shape(qkv=(5, 2, 96))[1] == [(8, 5, 5)]


def _hawkes_inputs(marks):
    return [mx.nd.ones((1, 2)), mx.nd.ones(2) * 0.5, mx.nd.ones(2), mx.nd.zeros((1, 2)), mx.nd.ones((1, 3)),
            mx.nd.array(marks, dtype="int32"), mx.nd.array([3]), mx.nd.array([5])]


def test_hawkesll_checks_marks_shapes_and_observation_gradients():
    with pytest.raises(mx.MXNetError, match=r"marks must be integers in \[0, 2\)"):
        mx.nd.contrib.hawkesll(*_hawkes_inputs([[0, 2, 1]]))
    bad = _hawkes_inputs([[0, 1, 1]])
    bad[1] = mx.nd.ones(3)
    with pytest.raises(mx.MXNetError, match=r"hawkesll: alpha must have shape \(2,\)"):
        mx.nd.contrib.hawkesll(*bad)
    inputs = _hawkes_inputs([[0, 1, 1]])
    inputs[4].attach_grad()
    with mx.autograd.record():
        ll, _ = mx.nd.contrib.hawkesll(*inputs)
    with pytest.raises(mx.MXNetError, match=r"no gradient with respect to the observations \['lags'\]"):
        ll.backward()
    names = mx.sym.contrib.hawkesll(*[mx.sym.var(n) for n in "abcdefgh"], name="h").list_outputs()
    assert names == ["h_output", "h_out_state"]


def test_group_adagrad_update_checks_history_rows():
    with pytest.raises(mx.MXNetError, match=r"history needs one row per weight row \(3\), got shape \(2, 1\)"):
        mx.nd.contrib.group_adagrad_update(mx.nd.ones((3, 2)), mx.nd.ones((3, 2)), mx.nd.zeros((2, 1)), lr=0.1)


def test_quantization_ops_check_types():
    lo, hi = mx.nd.array([-1.0]), mx.nd.array([1.0])
    with pytest.raises(mx.MXNetError, match="dequantize: data must be int8 or uint8"):
        mx.nd.contrib.dequantize(mx.nd.ones((2,)), lo, hi)
    with pytest.raises(mx.MXNetError, match="requantize: data must be int32"):
        mx.nd.contrib.requantize(mx.nd.ones((2,)), lo, hi)
    with pytest.raises(mx.MXNetError, match="writes int8 only"):
        mx.nd.contrib.requantize(mx.nd.ones((2,), dtype="int32"), lo, hi, out_type="uint8")
    with pytest.raises(mx.MXNetError, match=r"min_range must have shape \(1,\)"):
        mx.nd.contrib.quantize(mx.nd.ones((2,)), mx.nd.ones((2,)), hi)
    q = mx.sym.contrib.quantize_v2(mx.sym.var("x"), out_type="auto", min_calib_range=0.0, max_calib_range=1.0)
    assert q.infer_type(x="float32")[1][0] == np.uint8
