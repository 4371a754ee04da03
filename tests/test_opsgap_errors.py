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
