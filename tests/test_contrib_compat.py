"""mx.contrib (nd, sym, autograd) as MXNet 1.9.1 has them."""
import numpy as np

import ssdkit as mx
from ssdkit import contrib
from ssdkit.contrib import autograd as cag


def test_contrib_namespaces_are_the_registry_functions():
    from ssdkit.contrib.ndarray import MultiBoxPrior, MultiBoxTarget, MultiBoxDetection, box_nms
    assert contrib.nd is contrib.ndarray and contrib.sym is contrib.symbol
    assert MultiBoxPrior is mx.nd.contrib.MultiBoxPrior and box_nms is mx.nd.contrib.box_nms
    assert contrib.sym.MultiBoxPrior is mx.sym.contrib.MultiBoxPrior
    anchors = contrib.nd.MultiBoxPrior(mx.nd.zeros((1, 3, 2, 2)), sizes=[0.5], ratios=[1, 2])
    assert anchors.shape == (1, 8, 4)
    assert callable(MultiBoxTarget) and callable(MultiBoxDetection)


def test_contrib_autograd_old_api():
    x = mx.nd.array([1.0, 2.0, 3.0])
    grads, loss = cag.grad_and_loss(lambda a: (a * a * a).sum())(x)
    np.testing.assert_allclose(grads[0].asnumpy(), 3 * x.asnumpy() ** 2)
    assert float(loss.asscalar()) == 36.0
    g = mx.nd.zeros((3,))
    cag.mark_variables([x], [g])
    with cag.train_section():
        assert mx.autograd.is_recording() and mx.autograd.is_training()
        y = x * 2
        with cag.test_section():
            assert not mx.autograd.is_recording()
    cag.compute_gradient([y])
    assert g.asnumpy().tolist() == [2, 2, 2]
    assert not mx.autograd.is_recording()
    w = mx.nd.array([1.0, 4.0])
    dw = cag.grad(lambda a, b: a * b, argnum=[1])(mx.nd.array([5.0, 6.0]), w)
    assert dw[0].asnumpy().tolist() == [5, 6]
