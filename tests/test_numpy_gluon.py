"""Gluon under npx.set_np(): parameters, layer outputs, losses, Trainer, DataLoader batches and hybridized blocks
give mx.np arrays with the same values and gradients as the nd path; .params files interchange both ways;
as_np_ndarray / as_nd_ndarray share buffer and autograd history."""
import numpy as onp
import pytest

import ssdkit as mx
from ssdkit import np, npx, nd, autograd, gluon
from ssdkit.gluon import nn


@pytest.fixture
def np_mode():
    npx.set_np()
    yield
    npx.reset_np()


def _convnet(prefix):
    net = nn.HybridSequential(prefix=prefix)
    with net.name_scope():
        net.add(nn.Conv2D(4, 3, padding=1), nn.BatchNorm(), nn.Activation("relu"), nn.MaxPool2D(),
                nn.Flatten(), nn.Dense(3))
    return net


def _run(net, x, y, hybridize):
    if hybridize:
        net.hybridize()
    x = x.copy()
    x.attach_grad()
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    with autograd.record():
        out = net(x)
        loss = loss_fn(out, y)
    loss.backward()
    return out, loss, x.grad, {k: p.grad() for k, p in net.collect_params().items() if p.grad_req != "null"}


@pytest.mark.parametrize("hybridize", [False, True])
def test_np_network_matches_nd(hybridize):
    rng = onp.random.default_rng(0)
    xv, yv = rng.standard_normal((2, 3, 6, 6)).astype(onp.float32), onp.array([0, 2], onp.float32)
    mx.random.seed(1)
    ref = _convnet("ref_")
    ref.initialize(mx.init.Xavier())
    ref_out, ref_loss, ref_dx, ref_grads = _run(ref, nd.array(xv), nd.array(yv), hybridize)
    npx.set_np()
    try:
        mx.random.seed(1)
        net = _convnet("ref_")
        net.initialize(mx.init.Xavier())
        out, loss, dx, grads = _run(net, np.array(xv), np.array(yv), hybridize)
        assert all(type(p.data()) is np.ndarray for p in net.collect_params().values())
    finally:
        npx.reset_np()
    for got in (out, loss, dx, *grads.values()):
        assert type(got) is np.ndarray
    onp.testing.assert_allclose(out.asnumpy(), ref_out.asnumpy(), rtol=1e-5, atol=1e-6)
    onp.testing.assert_allclose(loss.asnumpy(), ref_loss.asnumpy(), rtol=1e-5, atol=1e-6)
    onp.testing.assert_allclose(dx.asnumpy(), ref_dx.asnumpy(), rtol=1e-5, atol=1e-6)
    for k in ref_grads:
        onp.testing.assert_allclose(grads[k].asnumpy(), ref_grads[k].asnumpy(), rtol=1e-5, atol=1e-6)


def test_trainer_and_losses_on_np_arrays(np_mode):
    net = nn.Dense(2, in_units=3)
    net.initialize(mx.init.Constant(0.5))
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    x, y = np.ones((4, 3)), np.zeros((4, 2))
    for loss_fn in (gluon.loss.L2Loss(), gluon.loss.L1Loss(), gluon.loss.HuberLoss(),
                    gluon.loss.SigmoidBinaryCrossEntropyLoss()):
        with autograd.record():
            loss = loss_fn(net(x), y)
        assert type(loss) is np.ndarray and loss.shape == (4,)
    with autograd.record():
        loss = gluon.loss.L2Loss()(net(x), y)
    loss.backward()
    trainer.step(4)
    # d/dw of mean_j 0.5 (1.5 - 0)^2 over 2 outputs, summed over 4 rows, scaled by 1/4: 1.5 / 2 per input unit
    onp.testing.assert_allclose(net.weight.data().asnumpy(), onp.full((2, 3), 0.5 - 0.1 * 0.75), rtol=1e-6)
    assert type(net.weight.data()) is np.ndarray and type(net.weight.grad()) is np.ndarray


def test_dataloader_batches_are_np_arrays(np_mode):
    data = gluon.data.ArrayDataset(np.arange(12).reshape(6, 2), np.arange(6))
    for workers in (0, 2):
        batches = list(gluon.data.DataLoader(data, batch_size=4, num_workers=workers))
        x, y = batches[0]
        assert type(x) is np.ndarray and type(y) is np.ndarray
        assert x.shape == (4, 2) and y.dtype == onp.float32
        onp.testing.assert_array_equal(batches[1][0].asnumpy(), onp.arange(8, 12).reshape(2, 2))
    assert type(gluon.data.batchify.Stack()([onp.ones(2), onp.zeros(2)])) is np.ndarray


def test_params_files_interchange(tmp_path):
    path = str(tmp_path / "w.params")
    npx.set_np()
    try:
        net = _convnet("io_")
        net.initialize()
        net(np.ones((1, 3, 4, 4)))
        net.save_parameters(path)
        npx.save(str(tmp_path / "a.npx"), {"x": np.arange(3)})
    finally:
        npx.reset_np()
    other = _convnet("io_")
    other.load_parameters(path)
    for (k, a), b in zip(net.collect_params().items(), other.collect_params().values()):
        assert type(b.data()) is nd.NDArray
        onp.testing.assert_array_equal(a.data().asnumpy(), b.data().asnumpy())
    assert nd.load(str(tmp_path / "a.npx"))["x"].asnumpy().tolist() == [0.0, 1.0, 2.0]
    other.save_parameters(path)
    npx.set_np()
    try:
        again = _convnet("io_")
        again.load_parameters(path)
        assert all(type(p.data()) is np.ndarray for p in again.collect_params().values())
    finally:
        npx.reset_np()


def test_conversions_share_buffer_and_tape():
    x = nd.array([1.0, 2.0])
    x.attach_grad()
    with autograd.record():
        y = x.as_np_ndarray()
        z = (y * y).sum()
    assert type(z) is np.ndarray and z.shape == ()
    z.backward()
    onp.testing.assert_array_equal(x.grad.asnumpy(), [2.0, 4.0])
    a = np.array([1.0, 2.0])
    b = a.as_nd_ndarray()
    b[:] = 5
    assert a.tolist() == [5.0, 5.0] and type(b) is nd.NDArray


def test_use_np_decorator_scopes_parameters():
    @npx.use_np
    class Net(gluon.HybridBlock):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.w = self.params.get("w", shape=(2, 2))

        def hybrid_forward(self, F, x, w):
            return F.np.dot(x, w)

    net = Net()
    net.initialize(mx.init.One())
    out = net(np.ones((1, 2)))
    assert type(out) is np.ndarray and out.tolist() == [[2.0, 2.0]]
    assert not npx.is_np_array()


class _NumpyInterfaceBlock(gluon.HybridBlock):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.dense = nn.Dense(4, flatten=False)

    def hybrid_forward(self, F, x, y):
        z = F.np.concatenate([x, F.np.exp(y)], axis=1)
        z = F.npx.reshape(z, (-2, -1)) * 2 + 1
        s = F.np.sum(self.dense(z), axis=1, keepdims=True)
        parts = F.np.split(z, [2], axis=1)
        return (F.np.where(s > 0, s, F.np.zeros_like(s)) + F.np.std(z, axis=1, keepdims=True)
                + F.np.matmul(parts[0], F.np.ones((2, 1))) - F.np.max(F.npx.relu(parts[1]), axis=1, keepdims=True))


def test_hybrid_forward_with_F_np_hybridizes(np_mode):
    from ssdkit.testing import check_gluon_hybridize_consistency
    x, y = np.random.uniform(size=(3, 2)), np.random.normal(size=(3, 5))
    check_gluon_hybridize_consistency(_NumpyInterfaceBlock, [x, y])
    net = _NumpyInterfaceBlock()
    net.initialize()
    net.hybridize()
    out = net(x, y)
    assert type(out) is np.ndarray and out.shape == (3, 1)


def test_npx_save_keeps_scalars_and_empty_shapes(tmp_path, np_mode):
    path = str(tmp_path / "s.npx")
    arrays = [np.array(3.5), np.zeros((2, 0, 1)), np.arange(4, dtype='int32')]
    npx.save(path, arrays)
    loaded = npx.load(path)
    assert [(a.shape, str(a.dtype)) for a in loaded] == [((), "float32"), ((2, 0, 1), "float32"), ((4,), "int32")]
    assert loaded[0].item() == 3.5


class _SlicingBlock(gluon.HybridBlock):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.layer = nn.Dense(4, flatten=False)

    def hybrid_forward(self, F, x, y):
        x = F.np.split(x, 1)[0]
        return self.layer(x[:, -1, :] + y[:, -1, :, ::2].dot(F.np.ones((3, 6))))


def test_hybridized_np_slicing_exports_and_imports(tmp_path, np_mode):
    data = [np.random.normal(0, 1, (3, 5, 2, 6)), np.random.normal(0, 1, (3, 5, 2, 6))]
    net = _SlicingBlock()
    net.hybridize()
    net.initialize()
    out = net(*data)
    net.export(str(tmp_path / "slice"))
    imported = gluon.SymbolBlock.imports(str(tmp_path / "slice-symbol.json"), ["data0", "data1"],
                                         param_file=str(tmp_path / "slice-0000.params"))
    onp.testing.assert_allclose(imported(*data).asnumpy(), out.asnumpy(), rtol=1e-6, atol=1e-6)
    x, y = (d.asnumpy() for d in data)
    ref = (x[:, -1, :] + y[:, -1, :, ::2] @ onp.ones((3, 6))) @ net.layer.weight.data().asnumpy().T
    onp.testing.assert_allclose(out.asnumpy(), ref + net.layer.bias.data().asnumpy(), rtol=1e-5, atol=1e-5)
