"""Symbol.bind / simple_bind and the Executor (MXNet 1.x's symbolic API) on the one graph executor."""
import numpy as np
import pytest

import ssdkit as mx
from ssdkit.base import MXNetError


def _fc():
    return mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=3, name="fc")


def test_bind_list_and_dict_forward_backward_equal_autograd():
    rng = np.random.default_rng(0)
    x, w, b = (rng.standard_normal(s).astype(np.float32) for s in [(4, 5), (3, 5), (3,)])
    head = rng.standard_normal((4, 3)).astype(np.float32)
    grads = [mx.nd.zeros(a.shape) for a in (x, w, b)]
    ex = _fc().bind(mx.cpu(), [mx.nd.array(a) for a in (x, w, b)], args_grad=grads)
    out = ex.forward(is_train=True)[0]
    ex.backward(mx.nd.array(head))
    xs = [mx.nd.array(a) for a in (x, w, b)]
    for a in xs:
        a.attach_grad()
    with mx.autograd.record():
        y = mx.nd.FullyConnected(*xs, num_hidden=3)
    y.backward(mx.nd.array(head))
    np.testing.assert_allclose(out.asnumpy(), y.asnumpy(), rtol=1e-6)
    for g, a in zip(grads, xs):
        np.testing.assert_allclose(g.asnumpy(), a.grad.asnumpy(), rtol=1e-5, atol=1e-6)
    ex2 = _fc().bind(mx.cpu(), {"fc_bias": xs[2], "data": xs[0], "fc_weight": xs[1]})
    np.testing.assert_array_equal(ex2.forward()[0].asnumpy(), out.asnumpy())
    assert list(ex.output_dict) == ["fc_output"] and ex.grad_arrays[0] is grads[0]


def test_grad_req_add_null_and_backward_after_inference_forward():
    ex = _fc().simple_bind(mx.cpu(), data=(2, 4), grad_req={"data": "null", "fc_weight": "add",
                                                           "fc_bias": "write"})
    assert ex.grad_dict.keys() == {"fc_weight", "fc_bias"} and ex.grad_arrays[0] is None
    ex.arg_dict["data"][:] = 1
    for _ in range(2):
        ex.forward()  # is_train=False, then backward: allowed, as in MXNet
        ex.backward(mx.nd.ones((2, 3)))
    np.testing.assert_array_equal(ex.grad_dict["fc_weight"].asnumpy(), np.full((3, 4), 4, np.float32))
    np.testing.assert_array_equal(ex.grad_dict["fc_bias"].asnumpy(), np.full((3,), 2, np.float32))


def test_batchnorm_aux_states_update_in_training():
    data = mx.sym.var("data")
    bn = mx.sym.BatchNorm(data, fix_gamma=False, momentum=0.5, name="bn")
    ex = bn.simple_bind(mx.cpu(), data=(4, 2))
    assert list(ex.aux_dict) == ["bn_moving_mean", "bn_moving_var"]
    ex.arg_dict["bn_gamma"][:] = 1
    ex.aux_dict["bn_moving_var"][:] = 1
    batch = np.array([[1, 2], [3, 4], [5, 6], [7, 8]], np.float32)
    ex.forward(is_train=True, data=mx.nd.array(batch))
    ex.backward(mx.nd.ones((4, 2)))
    np.testing.assert_allclose(ex.aux_dict["bn_moving_mean"].asnumpy(), 0.5 * batch.mean(0), rtol=1e-6)


def test_reshape_shares_memory_like_mxnet():
    ex = mx.sym.FullyConnected(mx.sym.var("x"), num_hidden=4, name="fc").simple_bind(mx.cpu(), x=(5, 4),
                                                                                     grad_req="null")
    ex.arg_arrays[0][:] = 1
    ex.arg_arrays[1][:] = 1
    small = ex.reshape(x=(3, 4))
    small.forward()
    assert (small.outputs[0].asnumpy() == 4).all() and (ex.outputs[0].asnumpy()[:3] == 4).all()
    big = ex.reshape(allow_up_sizing=True, x=(6, 4))
    big.arg_arrays[0][:] = 0
    assert (ex.arg_arrays[0].asnumpy() == 1).all() and big.arg_arrays[1] is ex.arg_arrays[1]
    with pytest.raises(MXNetError, match="allow_up_sizing"):
        ex.reshape(x=(9, 4))


def test_monitor_and_errors():
    ex = mx.sym.relu(mx.sym.var("x"), name="r").simple_bind(mx.cpu(), x=(2,))
    seen = []
    ex.set_monitor_callback(lambda name, arr: seen.append((name, arr.shape)), monitor_all=True)
    ex.forward()
    assert seen == [(b"x", (2,)), (b"r_input0", (2,)), (b"r_output", (2,))]  # MXNet 1.9.1 reports the variable too
    with pytest.raises(MXNetError, match="arguments are \\['x'\\]"):
        ex.forward(y=mx.nd.ones((2,)))
    with pytest.raises(MXNetError, match="bound with shape \\(2,\\), got \\(3,\\)"):
        ex.forward(x=mx.nd.ones((3,)))
    with pytest.raises(MXNetError, match="lack \\['fc_bias'\\]"):
        _fc().bind(mx.cpu(), {"data": mx.nd.ones((1, 2)), "fc_weight": mx.nd.ones((3, 2))})
    with pytest.raises(MXNetError, match="cannot be inferred"):
        (mx.sym.var("a") + mx.sym.var("b")).simple_bind(mx.cpu())
    with pytest.raises(MXNetError, match="grad_req must be one of"):
        _fc().simple_bind(mx.cpu(), data=(1, 2), grad_req="sometimes")
