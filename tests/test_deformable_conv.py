"""Deformable convolutions v1 / v2 (ops and gluon.contrib.cnn layers) equal MXNet 1.9.1: outputs, gradients,
symbol names, parameter names, shapes and reprs from tests/data/deformable_oracle (made by real MXNet).

MXNet's CPU backward of the modulated (v2) op is "only implemented in GPU", so v2 gradients are pinned by
central differences and by v2 == v1 where the two agree (mask 1, sampling points inside the image)."""
import json
import re
from pathlib import Path

import numpy as np
import pytest

import ssdkit as mx
from ssdkit.base import MXNetError
from ssdkit.gluon.contrib.cnn import DeformableConvolution, ModulatedDeformableConvolution
from ssdkit.testing import check_op_gradient

HERE = Path(__file__).resolve().parent / "data" / "deformable_oracle"
META = json.loads((HERE / "deformable_oracle.json").read_text())
DATA = np.load(HERE / "deformable_oracle.npz")
V1, V2 = "_contrib_DeformableConvolution", "_contrib_ModulatedDeformableConvolution"


def _params(raw):
    return {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}


@pytest.mark.parametrize("key", sorted(META["ops"]))
def test_op_matches_mxnet(key):
    case = META["ops"][key]
    names = case["inputs"]
    arrays = [mx.nd.array(DATA[f"{key}/{n}"]) for n in names]
    modulated = case["op"].startswith("Modulated")
    for a in arrays:
        a.attach_grad()
    with mx.autograd.record():
        out = getattr(mx.nd.contrib, case["op"])(*arrays, **_params(case["params"]))
    np.testing.assert_allclose(out.asnumpy(), DATA[f"{key}/out"], rtol=1e-5, atol=1e-5, err_msg=key)
    out.backward(mx.nd.array(DATA[f"{key}/head"]))
    if modulated:
        return
    for name, a in zip(names, arrays):
        np.testing.assert_allclose(a.grad.asnumpy(), DATA[f"{key}/grad_{name}"], rtol=1e-4, atol=1e-4,
                                   err_msg=f"{key} gradient of {name}")


@pytest.mark.parametrize("key", sorted(META["ops"]))
def test_symbol_names_and_executor(key):
    case = META["ops"][key]
    params = _params(case["params"])
    with mx.name.NameManager():
        auto = getattr(mx.sym.contrib, case["op"])(mx.sym.var("d"), **params)
    assert auto.name == case["symbol_name"]
    assert auto.list_arguments() == case["arguments"]
    sym = getattr(mx.sym.contrib, case["op"])(mx.sym.var("data"), name="op", **params)
    args = {n: mx.nd.array(DATA[f"{key}/{n}"]) for n in case["inputs"]}
    shapes = sym.infer_shape(**{n: a.shape for n, a in args.items() if n in ("data", "op_offset", "op_mask")})
    assert [tuple(s) for s in shapes[0]] == [a.shape for a in args.values()]
    exe = sym.bind(mx.cpu(), args)
    np.testing.assert_allclose(exe.forward()[0].asnumpy(), DATA[f"{key}/out"], rtol=1e-5, atol=1e-5)


def test_float64_matches_mxnet():
    params = _params(META["float64"]["params"])
    arrays = [mx.nd.array(DATA[f"float64/{n}"], dtype=np.float64) for n in ("data", "offset", "weight", "bias")]
    for a in arrays:
        a.attach_grad()
    with mx.autograd.record():
        out = mx.nd.contrib.DeformableConvolution(*arrays, **params)
    out.backward(mx.nd.array(DATA["float64/head"], dtype=np.float64))
    assert out.dtype == np.float64
    np.testing.assert_allclose(out.asnumpy(), DATA["float64/out"], rtol=1e-12, atol=1e-12)
    for name, a in zip(("data", "offset", "weight", "bias"), arrays):
        np.testing.assert_allclose(a.grad.asnumpy(), DATA[f"float64/grad_{name}"], rtol=1e-10, atol=1e-10,
                                   err_msg=name)


R = np.random.default_rng(3)


def _off_grid(shape, spread=2.3):
    """Offsets whose sampling points keep 0.12 px or more from every grid line (central differences need it)."""
    return np.round(R.uniform(-spread, spread, shape) * 4) / 4 + 0.37


@pytest.mark.parametrize("op", [V1, V2])
@pytest.mark.parametrize("groups, dg, geometry", [
    (1, 1, {"pad": (1, 1)}), (2, 2, {"pad": (1, 1)}), (1, 2, {"stride": (2, 2), "dilate": (2, 1), "pad": (2, 1)})])
def test_gradients_match_central_differences(op, groups, dg, geometry):
    n, c, h, w = 2, 4, 6, 5
    params = dict(kernel=(3, 3), num_filter=4, num_group=groups, num_deformable_group=dg, **geometry)
    out_shape = mx.nd.Convolution(mx.nd.zeros((n, c, h, w)), mx.nd.zeros((4, c // groups, 3, 3)), mx.nd.zeros(4),
                                  kernel=(3, 3), num_filter=4, num_group=groups,
                                  **geometry).shape
    inputs = [R.uniform(-1, 1, (n, c, h, w)), _off_grid((n, dg * 18) + out_shape[2:])]
    if op == V2:
        inputs.append(R.uniform(0, 2, (n, dg * 9) + out_shape[2:]))
    inputs += [R.uniform(-1, 1, (4, c // groups, 3, 3)), R.uniform(-1, 1, 4)]
    check_op_gradient(op, inputs, params, eps=1e-6, rtol=1e-5, atol=1e-8)


def test_modulated_with_unit_mask_is_v1_inside_the_image():
    """Away from the borders both sampling rules are plain bilinear: v2 with mask 1 equals v1, gradients too."""
    x = R.uniform(-1, 1, (2, 4, 8, 9)).astype(np.float32)
    taps_i, taps_j = np.divmod(np.arange(9), 3)
    base = np.stack(np.broadcast_arrays((np.arange(6)[None, :, None] + taps_i[:, None, None]),
                                        (np.arange(7)[None, None, :] + taps_j[:, None, None])), axis=1)
    points = np.clip(base + R.uniform(-0.9, 0.9, (2, 2, 9, 2, 6, 7)), 0.05, np.array([7, 8])[:, None, None] - 0.05)
    offset = (points - base).reshape(2, 2 * 18, 6, 7).astype(np.float32)
    weight = R.uniform(-1, 1, (6, 4, 3, 3)).astype(np.float32)
    head = mx.nd.array(R.uniform(-1, 1, (2, 6, 6, 7)))
    params = dict(kernel=(3, 3), num_filter=6, num_deformable_group=2, no_bias=True)
    results = []
    for mask in (None, np.ones((2, 2 * 9, 6, 7), np.float32)):
        arrays = [mx.nd.array(a) for a in ((x, offset, weight) if mask is None else (x, offset, mask, weight))]
        for a in arrays:
            a.attach_grad()
        with mx.autograd.record():
            op = mx.nd.contrib.DeformableConvolution if mask is None else mx.nd.contrib.ModulatedDeformableConvolution
            out = op(*arrays, **params)
        out.backward(head)
        grads = [a.grad.asnumpy() for a in arrays]
        results.append([out.asnumpy()] + (grads if mask is None else grads[:2] + grads[3:]))
    for got, want in zip(results[1], results[0]):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_border_rules_differ_as_mxnet():
    """v1 reads the last row without interpolating and nothing above row 0; v2 fades to zero outside."""
    x = mx.nd.array(np.arange(1, 7, dtype=np.float32).reshape(1, 1, 2, 3))
    weight = mx.nd.ones((1, 1, 1, 1))
    offset = mx.nd.array(np.array([0.5, 0.0, -0.5, 0.0], np.float32).reshape(1, 4, 1, 1).repeat(2, 2)
                         .repeat(3, 3)[:, :2])
    v1 = mx.nd.contrib.DeformableConvolution(x, offset, weight, kernel=(1, 1), num_filter=1, no_bias=True)
    v2 = mx.nd.contrib.ModulatedDeformableConvolution(x, offset, mx.nd.ones((1, 1, 2, 3)), weight, kernel=(1, 1),
                                                      num_filter=1, no_bias=True)
    # row 0 + 0.5 interpolates rows 0 and 1 in both; row 1 + 0.5 is the last row in v1, half of it in v2
    np.testing.assert_allclose(v1.asnumpy()[0, 0], [[2.5, 3.5, 4.5], [4, 5, 6]])
    np.testing.assert_allclose(v2.asnumpy()[0, 0], [[2.5, 3.5, 4.5], [2, 2.5, 3]])


def test_shape_errors_name_the_operand():
    x, w = mx.nd.zeros((1, 4, 5, 5)), mx.nd.zeros((2, 4, 3, 3))
    with pytest.raises(mx.base.ShapeError, match=r"offset must have shape .*\(1, 18, 3, 3\).*got \(1, 18, 5, 5\)"):
        mx.nd.contrib.DeformableConvolution(x, mx.nd.zeros((1, 18, 5, 5)), w, kernel=(3, 3), num_filter=2,
                                            no_bias=True)
    with pytest.raises(mx.base.ShapeError, match=r"mask must have shape"):
        mx.nd.contrib.ModulatedDeformableConvolution(x, mx.nd.zeros((1, 18, 3, 3)), mx.nd.zeros((1, 18, 3, 3)), w,
                                                     kernel=(3, 3), num_filter=2, no_bias=True)
    with pytest.raises(MXNetError, match="num_deformable_group 3 must divide the input channels"):
        mx.nd.contrib.DeformableConvolution(x, mx.nd.zeros((1, 54, 3, 3)), w, kernel=(3, 3), num_filter=2,
                                            num_deformable_group=3, no_bias=True)
    with pytest.raises(MXNetError, match="only 2-D kernels"):
        mx.nd.contrib.DeformableConvolution(mx.nd.zeros((1, 4, 5)), mx.nd.zeros((1, 6, 3)), mx.nd.zeros((2, 4, 3)),
                                            kernel=(3,), num_filter=2, no_bias=True)


def _strip_counter(name):
    return re.sub(r"\d+_", "_", name, count=1)


@pytest.mark.parametrize("key", sorted(META["blocks"]))
@pytest.mark.parametrize("hybridize", [False, True])
def test_block_matches_mxnet(key, hybridize):
    case = META["blocks"][key]
    cls = {"DeformableConvolution": DeformableConvolution,
           "ModulatedDeformableConvolution": ModulatedDeformableConvolution}[case["class"]]
    kwargs = _params(case["kwargs"])
    with mx.name.NameManager():
        block = cls(**kwargs)
    fresh = {name: [list(p.shape), p.init if isinstance(p.init, str) or p.init is None else p.init.dumps()]
             for name, p in block.collect_params().items()}
    assert {_strip_counter(k): v for k, v in fresh.items()} == \
        {_strip_counter(k): v for k, v in case["fresh"].items()}
    assert repr(block) == case["repr_before"]
    block.initialize(mx.init.Uniform(0.5))
    if hybridize:
        block.hybridize()
    x = mx.nd.array(DATA[f"{key}/x"])
    block(x)
    names = list(block.collect_params())
    assert [_strip_counter(n) for n in names] == [_strip_counter(n) for n in case["params"]]
    assert [list(p.shape) for p in block.collect_params().values()] == case["shapes"]
    assert repr(block) == case["repr_after"]
    for i, p in enumerate(block.collect_params().values()):
        p.set_data(mx.nd.array(DATA[f"{key}/param{i}"]))
    x.attach_grad()
    with mx.autograd.record():
        y = block(x)
    np.testing.assert_allclose(y.asnumpy(), DATA[f"{key}/out"], rtol=1e-4, atol=1e-5)
    y.backward(mx.nd.array(DATA[f"{key}/head"]))
    if f"{key}/grad_x" not in DATA:   # v2: MXNet has no CPU backward to compare with
        return
    np.testing.assert_allclose(x.grad.asnumpy(), DATA[f"{key}/grad_x"], rtol=1e-4, atol=1e-4)
    for i, p in enumerate(block.collect_params().values()):
        np.testing.assert_allclose(p.grad().asnumpy(), DATA[f"{key}/grad_param{i}"], rtol=1e-4, atol=1e-4,
                                   err_msg=p.name)


@pytest.mark.parametrize("cls", [DeformableConvolution, ModulatedDeformableConvolution])
def test_block_export_and_import_agree(cls, tmp_path):
    block = cls(6, kernel_size=(3, 2), padding=1, num_deformable_group=2, activation="relu")
    block.initialize(mx.init.Uniform(0.3))
    x = mx.nd.array(R.uniform(-1, 1, (2, 4, 7, 6)))
    block(x)   # shapes known
    for p in block.collect_params().values():   # offsets away from zero so sampling is really deformed
        p.set_data(mx.nd.array(R.uniform(-0.3, 0.3, p.shape)))
    want = block(x).asnumpy()
    block.hybridize()
    np.testing.assert_allclose(block(x).asnumpy(), want, rtol=1e-5, atol=1e-6)
    block.export(str(tmp_path / "dc"))
    loaded = mx.gluon.SymbolBlock.imports(str(tmp_path / "dc-symbol.json"), ["data"],
                                          str(tmp_path / "dc-0000.params"))
    np.testing.assert_allclose(loaded(x).asnumpy(), want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cls", ["DeformableConvolution", "ModulatedDeformableConvolution"])
def test_mxnet_export_imports_and_runs(cls):
    """MXNet's own export of a layer (symbol JSON + .params) loads as a SymbolBlock and gives MXNet's output."""
    key = f"layer/{cls}/act_nobias"
    loaded = mx.gluon.SymbolBlock.imports(str(HERE / f"export_{cls}-symbol.json"), ["data"],
                                          str(HERE / f"export_{cls}-0000.params"))
    np.testing.assert_allclose(loaded(mx.nd.array(DATA[f"{key}/x"])).asnumpy(), DATA[f"{key}/out"], rtol=1e-4,
                               atol=1e-5)
