"""mx.image functions and classification augmenters; decoding and geometry against MXNet 1.9.1 oracles."""
import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import ssdkit as mx
from ssdkit.base import MXNetError
from ssdkit.gluon.data.vision.imageio import ImageDecodeError

ORACLE_DIR = Path(__file__).resolve().parent / "data" / "image_oracle"


def _oracle():
    if not (ORACLE_DIR / "oracle.json").exists():
        pytest.skip("image oracle missing (run tests/data/image_oracle/make_image_oracle.py)")
    return json.loads((ORACLE_DIR / "oracle.json").read_text()), np.load(ORACLE_DIR / "oracle.npz")


def _png(array, mode=None):
    buf = io.BytesIO()
    Image.fromarray(array, mode).save(buf, "PNG")
    return buf.getvalue()


# -- decoding ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["grey", "bgra"])
def test_imdecode_matches_mxnet_on_png(name):
    _, arrays = _oracle()
    png = arrays[f"png_{name}"].tobytes()
    np.testing.assert_array_equal(mx.image.imdecode(png).asnumpy(), arrays[f"decoded_{name}_rgb"])
    np.testing.assert_array_equal(mx.image.imdecode(png, flag=0).asnumpy(), arrays[f"decoded_{name}_grey"])
    np.testing.assert_array_equal(mx.image.imdecode(png, to_rgb=False).asnumpy(), arrays[f"decoded_{name}_bgr"])


def test_imdecode_sixteen_bit_and_palette_images():
    grey16 = (np.arange(12, dtype=np.uint16).reshape(3, 4) * 5000)
    out = mx.image.imdecode(_png(grey16)).asnumpy()
    np.testing.assert_array_equal(out[..., 0], (grey16 >> 8).astype(np.uint8))
    palette = Image.new("P", (3, 2))
    palette.putpalette([10, 20, 30] * 256)
    buf = io.BytesIO()
    palette.save(buf, "PNG")
    assert mx.image.imdecode(buf.getvalue()).asnumpy()[0, 0].tolist() == [10, 20, 30]


def test_imdecode_errors_name_the_source():
    with pytest.raises(ImageDecodeError, match="cannot decode 5 bytes"):
        mx.image.imdecode(b"hello")
    with pytest.raises(MXNetError, match="empty"):
        mx.image.imdecode(b"")
    with pytest.raises(MXNetError, match="bytes"):
        mx.image.imdecode("text")
    with pytest.raises(MXNetError, match="cannot read"):
        mx.image.imread("/nonexistent/x.png")


def test_imdecode_accepts_ndarray_buffer():
    png = _png(np.full((2, 3, 3), 7, np.uint8))
    buf = mx.nd.array(np.frombuffer(png, np.uint8), dtype="uint8")
    assert mx.image.imdecode(buf).asnumpy().tolist() == np.full((2, 3, 3), 7).tolist()


# -- geometry ------------------------------------------------------------------------------------------

def test_geometry_matches_mxnet():
    oracle, _ = _oracle()
    geo = oracle["geometry"]
    for src, crop, expected in geo["scale_down"]:
        assert list(mx.image.scale_down(tuple(src), tuple(crop))) == expected
    img = mx.nd.zeros((37, 53, 3), dtype="uint8")
    for crop, expected in geo["center_crop"]:
        assert list(mx.image.center_crop(img, tuple(crop))[1]) == expected
    for size, expected in geo["resize_short"]:
        assert list(mx.image.resize_short(img, size).shape) == expected


@pytest.mark.parametrize("interp", [0, 1, 2, 3, 4, 9, 10])
def test_imresize_keeps_constant_images_and_dtypes(interp):
    u8 = mx.nd.array(np.full((9, 13, 3), 77), dtype="uint8")
    out = mx.image.imresize(u8, 20, 5, interp=interp)
    assert out.shape == (5, 20, 3) and out.dtype == np.uint8 and (out.asnumpy() == 77).all()
    f32 = mx.nd.full((9, 13, 2), 0.25)
    out = mx.image.imresize(f32, 4, 6, interp=interp)
    assert out.shape == (6, 4, 2) and out.dtype == np.float32
    np.testing.assert_allclose(out.asnumpy(), 0.25, atol=1e-6)


def test_imresize_rejects_bad_input():
    with pytest.raises(MXNetError, match="unknown interp"):
        mx.image.imresize(mx.nd.zeros((2, 2, 3)), 3, 3, interp=7)
    with pytest.raises(MXNetError, match="positive"):
        mx.image.imresize(mx.nd.zeros((2, 2, 3)), 0, 3)
    with pytest.raises(MXNetError, match=r"\(H, W, C\)"):
        mx.image.imresize(mx.nd.zeros((2, 2)), 3, 3)


def test_fixed_crop_and_random_crop_windows():
    img = np.arange(10 * 12 * 3, dtype=np.uint8).reshape(10, 12, 3)
    np.testing.assert_array_equal(mx.image.fixed_crop(mx.nd.array(img, dtype="uint8"), 2, 3, 4, 5).asnumpy(),
                                  img[3:8, 2:6])
    mx.random.seed(0)
    out, (x0, y0, w, h) = mx.image.random_crop(mx.nd.array(img, dtype="uint8"), (4, 5))
    np.testing.assert_array_equal(out.asnumpy(), img[y0:y0 + h, x0:x0 + w])


def test_copy_make_border_types():
    img = mx.nd.array(np.arange(6).reshape(1, 6, 1))
    assert mx.image.copyMakeBorder(img, 0, 0, 2, 0, type=3).asnumpy().ravel()[:3].tolist() == [0, 0, 0]
    assert mx.image.copyMakeBorder(img, 0, 0, 2, 0, type=2).asnumpy().ravel()[:3].tolist() == [2, 1, 0]
    assert mx.image.copyMakeBorder(img, 0, 0, 0, 2, type=4).asnumpy().ravel()[-2:].tolist() == [0, 1]
    assert mx.image.copyMakeBorder(img, 1, 0, 0, 0, value=9).asnumpy()[0].ravel().tolist() == [9] * 6


# -- augmenters ----------------------------------------------------------------------------------------

def test_create_augmenter_normalizes_like_mxnet():
    img = mx.nd.array(np.random.default_rng(0).integers(0, 256, (8, 8, 3)), dtype="uint8")
    augs = mx.image.CreateAugmenter((3, 8, 8), mean=True, std=True)
    out = img
    for aug in augs:
        out = aug(out)
    expected = (img.asnumpy().astype(np.float32) - np.array([123.68, 116.28, 103.53], np.float32)) \
        / np.array([58.395, 57.12, 57.375], np.float32)
    np.testing.assert_allclose(out.asnumpy(), expected, rtol=1e-6)


def test_colour_augmenters_are_affine_and_float32():
    mx.random.seed(3)
    img = mx.nd.array(np.random.default_rng(1).uniform(0, 255, (5, 6, 3)))
    for aug in (mx.image.BrightnessJitterAug(0.3), mx.image.ContrastJitterAug(0.3),
                mx.image.SaturationJitterAug(0.3), mx.image.HueJitterAug(0.3),
                mx.image.LightingAug(0.1, (55.46, 4.794, 1.148), np.eye(3)), mx.image.RandomGrayAug(1.0)):
        out = aug(img)
        assert out.shape == img.shape and out.dtype == np.float32, type(aug).__name__
    gray = mx.nd.full((2, 2, 3), 50.0)   # grey stays grey under saturation and contrast jitter
    for aug in (mx.image.SaturationJitterAug(0.5), mx.image.ContrastJitterAug(0.5)):
        np.testing.assert_allclose(aug(gray).asnumpy(), 50.0, rtol=1e-5)


def test_horizontal_flip_twice_is_identity_and_seeded():
    img = mx.nd.array(np.arange(24).reshape(2, 4, 3))
    flip = mx.image.HorizontalFlipAug(1.0)
    np.testing.assert_array_equal(flip(flip(img)).asnumpy(), img.asnumpy())
    runs = []
    for _ in range(2):
        mx.random.seed(11)
        runs.append([mx.image.HorizontalFlipAug(0.5)(img).asnumpy()[0, 0, 0] for _ in range(10)])
    assert runs[0] == runs[1] and len(set(runs[0])) == 2


def test_random_sized_crop_and_resize_aug_shapes():
    mx.random.seed(0)
    img = mx.nd.zeros((30, 40, 3), dtype="uint8")
    assert mx.image.RandomSizedCropAug((8, 6), 0.2, (0.5, 2))(img).shape == (6, 8, 3)
    assert mx.image.ResizeAug(15)(img).shape == (15, 20, 3)
    assert mx.image.ForceResizeAug((7, 9))(img).shape == (9, 7, 3)
    with pytest.raises(MXNetError, match="rand_crop"):
        mx.image.CreateAugmenter((3, 8, 8), rand_resize=True)


def test_image_claiming_an_absurd_size_is_undecodable():
    import struct
    import zlib
    png = bytearray(_png(np.zeros((4, 4, 3), np.uint8)))
    png[16:24] = struct.pack(">II", 100_000, 100_000)
    png[29:33] = struct.pack(">I", zlib.crc32(bytes(png[12:29])))
    with pytest.raises(ImageDecodeError, match="cannot decode"):
        mx.image.imdecode(bytes(png))
