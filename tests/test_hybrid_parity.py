"""Every HybridBlock in ssdkit gives the same outputs and gradients imperative and hybridized
(MXNet's check_layer_forward), and the same again after export -> SymbolBlock.imports."""
import inspect

import numpy as np
import pytest

import ssdkit as mx
from ssdkit.gluon import nn, HybridBlock, SymbolBlock

# class name -> (constructor, input shape); a new HybridBlock in gluon.nn without an entry fails the suite
LAYERS = {
    "Dense": (lambda: nn.Dense(5, activation="tanh"), (3, 4)),
    "Conv2D": (lambda: nn.Conv2D(4, 3, strides=2, padding=1, groups=1, activation="relu"), (2, 3, 9, 9)),
    "Conv2DTranspose": (lambda: nn.Conv2DTranspose(3, 4, strides=2, padding=1), (2, 2, 5, 5)),
    "BatchNorm": (lambda: nn.BatchNorm(), (4, 3, 5, 5)),
    "Activation": (lambda: nn.Activation("sigmoid"), (3, 4)),
    "LeakyReLU": (lambda: nn.LeakyReLU(0.1), (3, 4)),
    "PReLU": (lambda: nn.PReLU(), (3, 4)),
    "ELU": (lambda: nn.ELU(), (3, 4)),
    "SELU": (lambda: nn.SELU(), (3, 4)),
    "GELU": (lambda: nn.GELU(), (3, 4)),
    "Swish": (lambda: nn.Swish(), (3, 4)),
    "MaxPool2D": (lambda: nn.MaxPool2D(3, 2, ceil_mode=True), (2, 3, 9, 9)),
    "AvgPool2D": (lambda: nn.AvgPool2D(3, 2, padding=1, count_include_pad=False), (2, 3, 9, 9)),
    "GlobalMaxPool2D": (lambda: nn.GlobalMaxPool2D(), (2, 3, 5, 5)),
    "GlobalAvgPool2D": (lambda: nn.GlobalAvgPool2D(), (2, 3, 5, 5)),
    "Flatten": (lambda: nn.Flatten(), (2, 3, 4)),
    "Dropout": (lambda: nn.Dropout(0.0), (3, 4)),
    "Embedding": (lambda: nn.Embedding(10, 3), None),
    "HybridLambda": (lambda: nn.HybridLambda("tanh"), (3, 4)),
    "Identity": (lambda: nn.Identity(), (3, 4)),
    "HybridSequential": (lambda: _seq(), (2, 3, 8, 8)),
    "Conv1D": (lambda: nn.Conv1D(4, 3, strides=2, padding=1, groups=1, activation="relu"), (2, 3, 9)),
    "Conv3D": (lambda: nn.Conv3D(2, (2, 3, 2), padding=(1, 0, 1)), (2, 3, 4, 5, 4)),
    "Conv1DTranspose": (lambda: nn.Conv1DTranspose(3, 4, strides=2, padding=1, output_padding=1), (2, 2, 5)),
    "Conv3DTranspose": (lambda: nn.Conv3DTranspose(2, 2, strides=2), (1, 2, 2, 3, 2)),
    "MaxPool1D": (lambda: nn.MaxPool1D(3, 2, ceil_mode=True), (2, 3, 9)),
    "MaxPool3D": (lambda: nn.MaxPool3D(2, padding=1), (1, 2, 4, 5, 3)),
    "AvgPool1D": (lambda: nn.AvgPool1D(3, 2, padding=1, count_include_pad=False), (2, 3, 9)),
    "AvgPool3D": (lambda: nn.AvgPool3D(2, 1), (1, 2, 3, 4, 3)),
    "GlobalMaxPool1D": (lambda: nn.GlobalMaxPool1D(), (2, 3, 5)),
    "GlobalMaxPool3D": (lambda: nn.GlobalMaxPool3D(), (2, 3, 2, 3, 2)),
    "GlobalAvgPool1D": (lambda: nn.GlobalAvgPool1D(), (2, 3, 5)),
    "GlobalAvgPool3D": (lambda: nn.GlobalAvgPool3D(), (2, 3, 2, 3, 2)),
    "ReflectionPad2D": (lambda: nn.ReflectionPad2D(2), (2, 3, 4, 5)),
    "BatchNormReLU": (lambda: nn.BatchNormReLU(), (4, 3, 5, 5)),
    "InstanceNorm": (lambda: nn.InstanceNorm(scale=True), (2, 3, 4, 4)),
    "LayerNorm": (lambda: nn.LayerNorm(), (2, 3, 5)),
    "GroupNorm": (lambda: nn.GroupNorm(num_groups=2), (2, 4, 3, 3)),
}


def _seq():
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(nn.Conv2D(4, 3, padding=1), nn.BatchNorm(), nn.Activation("relu"), nn.MaxPool2D(), nn.Flatten(),
                nn.Dense(3))
    return net


def _hybrid_classes():
    # SymbolBlock is covered by every case below (export -> SymbolBlock.imports)
    return sorted(n for n, c in vars(nn).items() if inspect.isclass(c) and issubclass(c, HybridBlock)
                  and c not in (HybridBlock, SymbolBlock) and not n.startswith("_"))


def test_every_nn_hybrid_block_has_a_parity_case():
    missing = [n for n in _hybrid_classes() if n not in LAYERS]
    assert not missing, f"add parity cases to tests/test_hybrid_parity.py for {missing}"


def _run(block, x, head):
    for p in block.collect_params().values():
        if p.grad_req != "null":
            p.zero_grad()
    x = x.copy()
    x.attach_grad()
    with mx.autograd.record():
        y = block(x)
    y.backward(head)
    grads = {k: p.grad().asnumpy() for k, p in block.collect_params().items() if p.grad_req != "null"}
    return y.asnumpy(), x.grad.asnumpy(), grads


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_imperative_hybridized_and_exported_agree(name, tmp_path):
    make, shape = LAYERS[name]
    rng = np.random.default_rng(0)
    block = make()
    x = mx.nd.array(rng.integers(0, 10, (4, 3))) if shape is None else mx.nd.array(rng.standard_normal(shape))
    block.initialize(mx.init.Xavier())
    with mx.autograd.predict_mode():
        y = block(x)
    head = mx.nd.array(rng.standard_normal(y.shape))
    before = {k: p.data().asnumpy().copy() for k, p in block.collect_params().items()}
    y0, dx0, g0 = _run(block, x, head)
    after_imperative = {k: p.data().asnumpy().copy() for k, p in block.collect_params().items()}
    for k, p in block.collect_params().items():  # undo running-stat updates before the hybridized pass
        p.set_data(mx.nd.array(before[k]))
    block.hybridize()
    y1, dx1, g1 = _run(block, x, head)
    np.testing.assert_allclose(y1, y0, rtol=1e-5, atol=1e-5)
    if shape is not None:
        np.testing.assert_allclose(dx1, dx0, rtol=1e-4, atol=1e-5)
    for k in g0:
        np.testing.assert_allclose(g1[k], g0[k], rtol=1e-4, atol=1e-5, err_msg=k)
    for k, p in block.collect_params().items():
        np.testing.assert_allclose(p.data().asnumpy(), after_imperative[k], rtol=1e-5, atol=1e-6, err_msg=k)
    with mx.autograd.predict_mode():
        want = block(x).asnumpy()
    block.export(str(tmp_path / "m"))
    back = SymbolBlock.imports(str(tmp_path / "m-symbol.json"), ["data"], str(tmp_path / "m-0000.params"))
    np.testing.assert_allclose(back(x).asnumpy(), want, rtol=1e-5, atol=1e-5)


# mode switches: training and predict calls alternate (train -> predict -> train -> predict); layers that differ
# by mode (BatchNorm's batch vs running statistics, Dropout's mask) must give the same results imperative and
# hybridized at every step, and the exported (predict-mode) graph the predict result.
MODES = ("train", "predict", "train", "predict")
MODE_LAYERS = dict(LAYERS, Dropout_half=(lambda: nn.Dropout(0.5), (3, 4)),
                   BatchNorm_no_scale=(lambda: nn.BatchNorm(momentum=0.5, scale=False), (4, 3, 5, 5)))


def _mode_sequence(block, x, head):
    results = []
    for k, mode in enumerate(MODES):
        mx.random.seed(k)   # Dropout draws the same mask imperative and hybridized
        if mode == "train":
            results.append(_run(block, x, head))
        else:
            results.append((block(x).asnumpy(),))
        results[-1] += ({n: p.data().asnumpy().copy() for n, p in block.collect_params().items()},)
    return results


@pytest.mark.parametrize("name", sorted(MODE_LAYERS))
def test_mode_switches_agree_imperative_hybridized_and_exported(name, tmp_path):
    make, shape = MODE_LAYERS[name]
    rng = np.random.default_rng(1)
    block = make()
    x = mx.nd.array(rng.integers(0, 10, (4, 3))) if shape is None else mx.nd.array(rng.standard_normal(shape))
    block.initialize(mx.init.Xavier())
    with mx.autograd.predict_mode():
        head = mx.nd.array(rng.standard_normal(block(x).shape))
    start = {k: p.data().asnumpy().copy() for k, p in block.collect_params().items()}
    imperative = _mode_sequence(block, x, head)
    for k, p in block.collect_params().items():
        p.set_data(mx.nd.array(start[k]))
    block.hybridize()
    hybridized = _mode_sequence(block, x, head)
    for step, (mode, want, got) in enumerate(zip(MODES, imperative, hybridized)):
        where = f"{name}: step {step} ({mode})"
        np.testing.assert_allclose(got[0], want[0], rtol=1e-5, atol=1e-5, err_msg=where)
        if mode == "train":
            if shape is not None:
                np.testing.assert_allclose(got[1], want[1], rtol=1e-4, atol=1e-5, err_msg=where)
            for k in want[2]:
                np.testing.assert_allclose(got[2][k], want[2][k], rtol=1e-4, atol=1e-5, err_msg=f"{where} {k}")
        for k in want[-1]:   # running statistics after each step
            np.testing.assert_allclose(got[-1][k], want[-1][k], rtol=1e-5, atol=1e-6, err_msg=f"{where} {k}")
    if name in ("BatchNorm", "Dropout_half", "HybridSequential"):   # the predict branch really differs
        assert not np.allclose(imperative[0][0], imperative[1][0])
    block.export(str(tmp_path / "m"))
    back = SymbolBlock.imports(str(tmp_path / "m-symbol.json"), ["data"], str(tmp_path / "m-0000.params"))
    np.testing.assert_allclose(back(x).asnumpy(), hybridized[-1][0], rtol=1e-5, atol=1e-5)
