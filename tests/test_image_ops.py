"""nd.image.* ops, nd.flip and gluon.data.vision.transforms against MXNet 1.9.1 oracles
(tests/data/image_ops_oracle/make_image_ops_oracle.py), plus the randomness MXNet's draws cannot pin."""
from pathlib import Path

import numpy as np
import pytest

import ssdkit as mx
from ssdkit.base import get_rng
from ssdkit.gluon.data.vision import transforms as T
from ssdkit.ops.image_color import adjust_brightness, adjust_contrast, adjust_hue, adjust_saturation

ORACLE = Path(__file__).resolve().parent / "data" / "image_ops_oracle" / "image_ops_oracle.npz"
DATA = np.load(ORACLE)
CASES = sorted(k[3:] for k in DATA.files if k.startswith("in_"))


def _nd(x):
    return mx.nd.array(x, dtype=x.dtype)


def _check(case, got):
    want = DATA["out_" + case]
    assert got.shape == want.shape, case
    assert got.dtype == want.dtype, (case, got.dtype, want.dtype)
    if want.dtype == np.uint8:
        np.testing.assert_array_equal(got, want, err_msg=case)
    else:
        np.testing.assert_allclose(got.astype(np.float64), want, rtol=1e-6, atol=1e-6 * max(1, np.abs(want).max()),
                                   err_msg=case)


def _op_call(case, F=mx.nd):
    img = F.image
    parts = case.split("_")
    if case.startswith("resize_keep"):
        return lambda a: img.resize(a, 4, True)
    if case == "resize_batch":
        return lambda a: img.resize(a, (5, 7))
    if case.startswith("resize_"):
        interp = int(parts[3][1:])
        w, h = (int(v) for v in parts[4].split("x"))
        return lambda a: img.resize(a, (w, h), False, interp)
    if case.startswith("to_tensor"):
        return img.to_tensor
    if case.startswith(("brightness", "contrast", "saturation", "hue")):
        f = float(parts[-1])
        return lambda a: getattr(img, "random_" + parts[0])(a, f, f)
    simple = {
        "normalize_rgb": lambda a: img.normalize(a, (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),
        "normalize_scalar": lambda a: img.normalize(a, 0.5, 0.25),
        "normalize_batch": lambda a: img.normalize(a, (0.1, 0.2, 0.3), (0.7, 0.8, 0.9)),
        "normalize_grey": lambda a: img.normalize(a, 0.3, 2.0),
        "flip_left_right": img.flip_left_right, "flip_top_bottom": img.flip_top_bottom,
        "crop": lambda a: img.crop(a, 1, 2, 3, 2), "crop_batch": lambda a: img.crop(a, 2, 0, 4, 5),
        "nd_flip": lambda a: F.flip(a, axis=1), "nd_reverse": lambda a: F.reverse(a, axis=(0, 2)),
    }
    if case in simple:
        return simple[case]
    if case.startswith("lighting"):
        return lambda a: img.adjust_lighting(a, (0.3, -0.2, 0.1))
    if case.startswith("random_lighting0"):
        return lambda a: img.random_lighting(a, 0.0)
    return None


OP_CASES = [c for c in CASES if not c.startswith(("t_", "rotate"))]


@pytest.mark.parametrize("case", OP_CASES)
def test_op_matches_mxnet(case):
    fn = _op_call(case)
    assert fn is not None, f"no call for oracle case {case}"
    x = _nd(DATA["in_" + case])
    if "head_" + case not in DATA.files:
        _check(case, fn(x).asnumpy())
        return
    x.attach_grad()
    with mx.autograd.record():
        y = fn(x)
    y.backward(_nd(DATA["head_" + case]))
    _check(case, y.asnumpy())
    np.testing.assert_allclose(x.grad.asnumpy(), DATA["grad_" + case], rtol=1e-6, atol=1e-7, err_msg=case)


@pytest.mark.parametrize("case", ["resize_float32_c3_i1_5x4", "normalize_batch", "crop", "hue_uint8_c3_0.45"])
def test_symbol_graph_gives_the_same(case):
    fn = _op_call(case, mx.sym)
    x = DATA["in_" + case]
    net = fn(mx.sym.var("x"))
    _check(case, net.eval(x=_nd(x))[0].asnumpy())


TRANSFORMS = {
    "t_cast": lambda: T.Cast("float16"), "t_to_tensor": T.ToTensor, "t_resize": lambda: T.Resize(7),
    "t_resize_keep": lambda: T.Resize(7, keep_ratio=True), "t_resize_cubic": lambda: T.Resize((9, 5), interpolation=2),
    "t_center_crop": lambda: T.CenterCrop((8, 6)), "t_center_crop_big": lambda: T.CenterCrop(12, interpolation=3),
    "t_crop_resize": lambda: T.CropResize(2, 1, 8, 6), "t_crop_resize_size": lambda: T.CropResize(2, 1, 8, 6, (5, 4), 1),
    "t_resized_crop_full": lambda: T.RandomResizedCrop(10, scale=(1.0, 1.0), ratio=(1.4, 1.4)),
    "t_brightness0": lambda: T.RandomBrightness(0), "t_contrast0": lambda: T.RandomContrast(0),
    "t_saturation0": lambda: T.RandomSaturation(0), "t_hue0": lambda: T.RandomHue(0),
    "t_lighting0": lambda: T.RandomLighting(0),
    "t_compose": lambda: T.Compose([T.Resize((12, 8)), T.CenterCrop(6), T.ToTensor(),
                                    T.Normalize((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))]),
    "t_compose_hybrid": lambda: T.Compose([T.ToTensor(), T.Normalize(0.5, 0.25)]),
}


@pytest.mark.parametrize("case", sorted(TRANSFORMS))
@pytest.mark.parametrize("hybridize", [False, True])
def test_transform_matches_mxnet(case, hybridize):
    block = TRANSFORMS[case]()
    if hybridize:
        block.hybridize()
    _check(case, block(_nd(DATA["in_" + case])).asnumpy())


def test_every_transform_case_is_checked():
    assert sorted(c for c in CASES if c.startswith("t_")) == sorted(TRANSFORMS)


# -- randomness: the drawn factor is reproduced with MXNet's math -----------------------------------------

IMG = np.random.default_rng(5).integers(0, 256, (6, 5, 3)).astype(np.float32)


@pytest.mark.parametrize("op,adjust", [("random_brightness", adjust_brightness), ("random_contrast", adjust_contrast),
                                       ("random_saturation", adjust_saturation), ("random_hue", adjust_hue)])
def test_random_factor_is_uniform_in_range_and_applied_with_mxnet_math(op, adjust):
    mx.random.seed(7)
    low, high = 0.6, 1.4
    out = getattr(mx.nd.image, op)(mx.nd.array(IMG), low, high).asnumpy()
    mx.random.seed(7)
    alpha = np.float32(get_rng().uniform(low, high))   # the same draw the op made
    assert low <= alpha <= high
    np.testing.assert_array_equal(out, adjust(IMG, alpha))
    draws = {float(getattr(mx.nd.image, op)(mx.nd.array(IMG), low, high).asnumpy().sum()) for _ in range(5)}
    assert len(draws) > 1


def test_random_flips_pick_each_outcome():
    x = mx.nd.array(IMG)
    mx.random.seed(1)
    for op, axis in (("random_flip_left_right", 1), ("random_flip_top_bottom", 0)):
        seen = set()
        for _ in range(40):
            y = getattr(mx.nd.image, op)(x).asnumpy()
            if np.array_equal(y, IMG):
                seen.add("same")
            else:
                np.testing.assert_array_equal(y, np.flip(IMG, axis))
                seen.add("flipped")
        assert seen == {"same", "flipped"}


def test_color_jitter_single_component_is_that_adjustment():
    for seed in range(5):
        mx.random.seed(seed)
        out = mx.nd.image.random_color_jitter(mx.nd.array(IMG), 0.3, 0, 0, 0).asnumpy()
        mx.random.seed(seed)
        rng = get_rng()
        rng.permutation(4)                          # the order draw comes first, as in MXNet
        alpha = np.float32(1.0 + np.float32(rng.uniform(-0.3, 0.3)))
        assert 0.7 <= alpha <= 1.3
        np.testing.assert_array_equal(out, adjust_brightness(IMG, alpha))


def test_random_lighting_adds_one_rgb_offset():
    mx.random.seed(4)
    out = mx.nd.image.random_lighting(mx.nd.array(IMG), 0.1).asnumpy()
    offset = (out - IMG).reshape(-1, 3)
    np.testing.assert_allclose(offset, np.broadcast_to(offset[0], offset.shape), atol=1e-4)
    assert np.abs(offset[0]).max() > 0


def test_random_resized_crop_windows_and_random_apply():
    mx.random.seed(2)
    x = mx.nd.array(np.arange(20 * 30 * 3).reshape(20, 30, 3) % 251, dtype="uint8")
    shapes = {T.RandomResizedCrop((8, 6))(x).shape for _ in range(5)}
    assert shapes == {(6, 8, 3)}
    applied = [T.RandomApply(T.Cast("float64"), p=0.5)(mx.nd.ones((1,))).dtype for _ in range(40)]
    assert set(applied) == {np.float32, np.float64}


def test_image_op_errors_name_the_op_and_shape():
    with pytest.raises(mx.base.MXNetError, match="_image_flip_left_right.*got \\(1, 2, 2, 3\\)"):
        mx.nd.image.flip_left_right(mx.nd.ones((1, 2, 2, 3)))
    with pytest.raises(mx.base.MXNetError, match="std must have 1 or 3 values"):
        mx.nd.image.normalize(mx.nd.ones((3, 2, 2)), 0.5)
    with pytest.raises(mx.base.MXNetError, match="does not fit"):
        mx.nd.image.crop(mx.nd.ones((4, 4, 3)), 2, 0, 3, 1)
    with pytest.raises(mx.base.MXNetError, match="interp"):
        mx.nd.image.resize(mx.nd.ones((4, 4, 3)), 2, interp=7)
    with pytest.raises(mx.base.MXNetError, match="differentia"):
        x = mx.nd.ones((2, 2, 3))
        x.attach_grad()
        with mx.autograd.record():
            y = mx.nd.image.to_tensor(x)
        y.backward()


# -- BilinearSampler and rotation ---------------------------------------------------------------------------

def test_bilinear_sampler_forward_and_gradients_match_mxnet():
    data, grid = _nd(DATA["sampler_data"]), _nd(DATA["sampler_grid"])
    data.attach_grad()
    grid.attach_grad()
    with mx.autograd.record():
        out = mx.nd.BilinearSampler(data, grid)
    out.backward(_nd(DATA["sampler_head"]))
    np.testing.assert_allclose(out.asnumpy(), DATA["sampler_out"], rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(data.grad.asnumpy(), DATA["sampler_grad_data"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(grid.grad.asnumpy(), DATA["sampler_grad_grid"], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("angle", [30, -75, 90, 180])
@pytest.mark.parametrize("zoom", ["none", "in", "out"])
def test_imrotate_matches_mxnet(angle, zoom):
    out = mx.image.imrotate(_nd(DATA["rotate_in"]), angle, zoom_in=zoom == "in", zoom_out=zoom == "out")
    np.testing.assert_allclose(out.asnumpy(), DATA[f"rotate_{angle}_{zoom}"], rtol=1e-5, atol=1e-5)


def test_rotate_batch_and_transform_match_mxnet():
    out = mx.image.imrotate(_nd(DATA["rotate_batch_in"]), mx.nd.array([15, -40]))
    np.testing.assert_allclose(out.asnumpy(), DATA["rotate_batch"], rtol=1e-5, atol=1e-5)
    out = T.Rotate(45, zoom_out=True)(_nd(DATA["rotate_in"]))
    np.testing.assert_allclose(out.asnumpy(), DATA["rotate_transform"], rtol=1e-5, atol=1e-5)


def test_random_rotation_draws_an_angle_in_range():
    img = mx.nd.array(np.random.default_rng(1).random((1, 5, 5)))
    mx.random.seed(6)
    out = T.RandomRotation((-20, 20))(img).asnumpy()
    mx.random.seed(6)
    get_rng().random()                              # the apply-or-not draw
    angle = get_rng().uniform(-20, 20)
    np.testing.assert_array_equal(out, mx.image.imrotate(img, angle).asnumpy())
    assert T.RandomRotation((-20, 20), rotate_with_proba=0)(img) is img
    with pytest.raises(TypeError, match="float32"):
        T.Rotate(10)(mx.nd.ones((1, 2, 2), dtype="uint8"))
    with pytest.raises(ValueError, match="ordered"):
        T.RandomRotation((5, 1))


def test_npx_image_is_the_same_ops_on_np_arrays():
    from ssdkit import np as mnp, npx
    case = "normalize_rgb"
    out = npx.image.normalize(mnp.array(DATA["in_" + case]), (0.485, 0.456, 0.406), (0.229, 0.224, 0.225))
    assert isinstance(out, mnp.ndarray)
    _check(case, out.asnumpy())
    assert sorted(npx.image.__all__) == sorted(n for n in dir(mx.nd.image) if not n.startswith("_") and n != "populate")


def test_hybridized_transforms_name_nodes_as_mxnet_and_survive_export(tmp_path):
    net = mx.gluon.nn.HybridSequential()
    net.add(T.Resize((5, 4)), T.CropResize(0, 0, 4, 3), T.ToTensor(), T.Normalize((0.1, 0.2, 0.3), (0.5, 0.5, 0.5)))
    x = mx.nd.array(np.random.default_rng(0).integers(0, 256, (6, 8, 3)), dtype="uint8")
    eager = net(x).asnumpy()
    net.hybridize()
    np.testing.assert_array_equal(net(x).asnumpy(), eager)
    # MXNet 1.9.1 exports resize0_resize0, cropresize0_crop0, totensor0_to_tensor0, normalize0_normalize0 for
    # the first such blocks of a process (block prefix + the op's short name)
    import json
    net.export(str(tmp_path / "t"))
    nodes = json.loads((tmp_path / "t-symbol.json").read_text())["nodes"]
    short = ["resize", "crop", "to_tensor", "normalize"]
    assert [(n["op"], n["name"]) for n in nodes] == [("null", "data")] + [
        (f"_image_{op}", f"{block.prefix}{op}0") for op, block in zip(short, net)]
    assert nodes[1]["attrs"] == {"interp": "1", "keep_ratio": "False", "size": "(5, 4)"}
    loaded = mx.gluon.SymbolBlock.imports(str(tmp_path / "t-symbol.json"), ["data"])
    np.testing.assert_array_equal(loaded(x).asnumpy(), eager)
