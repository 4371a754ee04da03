"""Core ops against MXNet 1.9.1's own outputs and gradients (outputs 1e-4, gradients 2e-3)."""
import numpy as np
import pytest

import ssdkit as mx
from reference import load_reference, case_names, OUT_TOL, GRAD_TOL


def _case(name):
    meta, z = load_reference()
    return meta[name], {k.split("/", 1)[1]: z[k] for k in z.files if k.split("/", 1)[0] == name}


def _run(fn, inputs, head_grad):
    arrays = [mx.nd.array(x) for x in inputs]
    for a in arrays:
        a.attach_grad()
    with mx.autograd.record():
        out = fn(*arrays)
    out.backward(mx.nd.array(head_grad))
    return out.asnumpy(), [a.grad.asnumpy() for a in arrays]


@pytest.mark.parametrize("name", case_names("conv"))
def test_convolution(name):
    meta, a = _case(name)
    params = {k: tuple(v) if isinstance(v, list) else v for k, v in meta.items()}
    out, (gd, gw, gb) = _run(lambda d, w, b: mx.nd.Convolution(d, w, b, **params),
                             [a["in_data"], a["in_weight"], a["in_bias"]], a["head_grad"])
    np.testing.assert_allclose(out, a["out"], **OUT_TOL)
    for got, key in ((gd, "grad_data"), (gw, "grad_weight"), (gb, "grad_bias")):
        np.testing.assert_allclose(got, a[key], **GRAD_TOL)


@pytest.mark.parametrize("name", case_names("pool"))
def test_pooling(name):
    meta, a = _case(name)
    params = {k: tuple(v) if isinstance(v, list) else v for k, v in meta.items()}
    out, (gd,) = _run(lambda d: mx.nd.Pooling(d, **params), [a["in_data"]], a["head_grad"])
    np.testing.assert_allclose(out, a["out"], **OUT_TOL)
    np.testing.assert_allclose(gd, a["grad_data"], **GRAD_TOL)


def test_batchnorm_training():
    meta, a = _case("bn_train")
    mean, var = mx.nd.zeros(3), mx.nd.ones(3)
    out, (gd, gg, gb) = _run(lambda d, g, b: mx.nd.BatchNorm(d, g, b, mean, var, **meta),
                             [a["in_data"], a["in_gamma"], a["in_beta"]], a["head_grad"])
    np.testing.assert_allclose(out, a["out"], **OUT_TOL)
    for got, key in ((gd, "grad_data"), (gg, "grad_gamma"), (gb, "grad_beta")):
        np.testing.assert_allclose(got, a[key], **GRAD_TOL)
    # training updates the moving statistics in place: momentum 0.9 toward the batch statistics
    batch_mean = a["in_data"].mean(axis=(0, 2, 3))
    np.testing.assert_allclose(mean.asnumpy(), 0.1 * batch_mean, rtol=1e-5, atol=1e-6)


def test_batchnorm_inference():
    meta, a = _case("bn_infer")
    args = [mx.nd.array(a[k]) for k in ("in_data", "gamma", "beta", "moving_mean", "moving_var")]
    with mx.autograd.predict_mode():
        out = mx.nd.BatchNorm(*args, use_global_stats=True, fix_gamma=False, **meta)
    np.testing.assert_allclose(out.asnumpy(), a["out"], **OUT_TOL)


def test_fully_connected():
    meta, a = _case("dense0")
    out, (gd, gw, gb) = _run(lambda d, w, b: mx.nd.FullyConnected(d, w, b, **meta),
                             [a["in_data"], a["in_weight"], a["in_bias"]], a["head_grad"])
    np.testing.assert_allclose(out, a["out"], **OUT_TOL)
    for got, key in ((gd, "grad_data"), (gw, "grad_weight"), (gb, "grad_bias")):
        np.testing.assert_allclose(got, a[key], **GRAD_TOL)


@pytest.mark.parametrize("name,fn", [("relu", mx.nd.relu), ("sigmoid", mx.nd.sigmoid),
                                     ("smooth_l1", lambda x: mx.nd.smooth_l1(x, scalar=1.0))])
def test_elementwise(name, fn):
    _, a = _case(name)
    out, (gd,) = _run(fn, [a["in_data"]], a["head_grad"])
    np.testing.assert_allclose(out, a["out"], **OUT_TOL)
    np.testing.assert_allclose(gd, a["grad_data"], **GRAD_TOL)


def test_shape_errors_name_the_operands():
    with pytest.raises(mx.base.ShapeError, match=r"Convolution: weight has 5 input channels, data has 3"):
        mx.nd.Convolution(mx.nd.zeros((2, 3, 9, 9)), mx.nd.zeros((4, 5, 3, 3)), mx.nd.zeros(4),
                          kernel=(3, 3), num_filter=4)
    with pytest.raises(ValueError, match=r"broadcast_add: lhs shape \(2, 3\) and rhs shape \(4,\)"):
        mx.nd.zeros((2, 3)) + mx.nd.zeros(4)
    with pytest.raises(mx.MXNetError, match="FullyConnected: required parameter num_hidden"):
        mx.nd.FullyConnected(mx.nd.zeros((2, 3)), mx.nd.zeros((4, 3)), mx.nd.zeros(4))
