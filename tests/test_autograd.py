"""The tape: record/pause/modes, grad_req write/add/null, retain_graph, autograd.grad, Function."""
import numpy as np
import pytest

import ssdkit as mx
from ssdkit import autograd


def test_modes_nest():
    assert not autograd.is_recording() and not autograd.is_training()
    with autograd.record():
        assert autograd.is_recording() and autograd.is_training()
        with autograd.pause():
            assert not autograd.is_recording() and not autograd.is_training()
        with autograd.predict_mode():
            assert autograd.is_recording() and not autograd.is_training()
    with autograd.record(train_mode=False):
        assert not autograd.is_training()
    with autograd.train_mode():
        assert autograd.is_training() and not autograd.is_recording()


def test_grad_req_add_accumulates_and_write_overwrites():
    x = mx.nd.array([1.0, 2.0])
    x.attach_grad(grad_req="add")
    for _ in range(3):
        with autograd.record():
            y = (x * x).sum()
        y.backward()
    np.testing.assert_allclose(x.grad.asnumpy(), [6, 12])
    x.attach_grad()
    for _ in range(2):
        with autograd.record():
            y = (x * 3).sum()
        y.backward()
    np.testing.assert_allclose(x.grad.asnumpy(), [3, 3])


def test_second_backward_needs_retain_graph():
    x = mx.nd.array([2.0])
    x.attach_grad()
    with autograd.record():
        y = x * x
    y.backward(retain_graph=True)
    y.backward()
    with pytest.raises(mx.MXNetError, match="retain_graph=True"):
        y.backward()


def test_shared_subexpressions_and_head_grads():
    x = mx.nd.array([1.0, 2.0, 3.0])
    x.attach_grad()
    with autograd.record():
        h = mx.nd.exp(x)
        y = h * h + h
    y.backward(mx.nd.array([1.0, 0.0, 2.0]))
    e = np.exp([1.0, 2.0, 3.0])
    np.testing.assert_allclose(x.grad.asnumpy(), np.array([1, 0, 2]) * (2 * e * e + e), rtol=1e-5)


def test_grad_function_and_unrecorded_constants():
    x, c = mx.nd.array([1.0, 2.0]), mx.nd.array([5.0, 7.0])
    x.attach_grad()
    with autograd.record():
        y = (x * c).sum()
    (g,) = autograd.grad(y, [x])
    np.testing.assert_allclose(g.asnumpy(), [5, 7])
    assert x.grad.asnumpy().tolist() == [0, 0]  # grad() leaves .grad alone


def test_detach_and_blockgrad_stop_gradients():
    x = mx.nd.array([3.0])
    x.attach_grad()
    with autograd.record():
        y = x * x.detach() + mx.nd.BlockGrad(x) * x
    y.backward()
    np.testing.assert_allclose(x.grad.asnumpy(), [6.0])


def test_backward_without_record_is_an_error():
    with pytest.raises(mx.MXNetError, match="record"):
        mx.nd.ones((1,)).backward()


def test_dropout_only_in_training():
    x = mx.nd.ones((100, 100))
    assert mx.nd.Dropout(x, p=0.5).asnumpy().min() == 1.0
    with autograd.record():
        y = mx.nd.Dropout(x, p=0.5)
    values = set(np.unique(y.asnumpy()).tolist())
    assert values == {0.0, 2.0}


def test_hybridized_backward_frees_saved_arrays_unless_the_graph_is_retained():
    """A hybridized block's backward can run twice with retain_graph=True (same gradients), and without it the
    executor is handed the saved arrays themselves, so it releases each as soon as it is used (peak memory)."""
    import ssdkit as mx
    net = mx.gluon.nn.Dense(2)
    net.initialize()
    net.hybridize()
    with mx.autograd.record():
        y = net(mx.nd.ones((1, 3))).sum()
    assert not mx.autograd.retaining_graph()
    y.backward(retain_graph=True)
    first = net.weight.grad().asnumpy().copy()
    y.backward()
    np.testing.assert_array_equal(net.weight.grad().asnumpy(), first)
    with pytest.raises(mx.MXNetError, match="already freed"):
        y.backward()
