"""detection.data: RecordFileDetection, VOC and COCO loaders on tiny files written here, GluonCV-style box and
image transforms, and the SSD presets (boxes stay on the object)."""
import json
import logging

import numpy as np
import pytest
from PIL import Image

import ssdkit as mx
from ssdkit.base import DTYPE, MXNetError
from ssdkit.boxes.coder import normalized_center_decode
from ssdkit.detection.data import COCODetection, RecordFileDetection, VOCDetection
from ssdkit.detection.data.transforms import SSDDefaultTrainTransform, SSDDefaultValTransform, ssd
from ssdkit.detection.data.transforms import bbox as tbbox
from ssdkit.detection.data.transforms import image as timage
from ssdkit.gluon.data import DataLoader, batchify
from ssdkit.image.color import LUMA, hue_matrix
from ssdkit.recordio import IRHeader, MXIndexedRecordIO, make_det_label, pack_img


# -- RecordFileDetection -------------------------------------------------------------------------------

def _det_rec(tmp_path, count=4, size=(30, 40)):
    rec, idx = str(tmp_path / "det.rec"), str(tmp_path / "det.idx")
    with MXIndexedRecordIO(idx, rec, "w") as writer:
        for i in range(count):
            label = make_det_label([[i % 2, .1, .2, .6, .7, 9.0]], header_width=4, extra_header=[1, 2])
            writer.write_idx(i, pack_img(IRHeader(0, label, i, 0), np.full(size + (3,), 60, np.uint8),
                                         img_fmt=".png"))
    return rec


def test_record_file_detection_layout(tmp_path):
    rec = _det_rec(tmp_path)
    img, label = RecordFileDetection(rec)[1]
    assert img.shape == (30, 40, 3) and label.dtype == np.float32
    np.testing.assert_allclose(label, [[4, 6, 24, 21, 1, 9]], rtol=1e-5)
    _, raw = RecordFileDetection(rec, coord_normalized=False)[0]
    np.testing.assert_allclose(raw, [[.1, .2, .6, .7, 0, 9]], rtol=1e-6)


# -- VOC -----------------------------------------------------------------------------------------------

def _voc_object(name, box, difficult="0"):
    coords = "".join(f"<{t}>{v}</{t}>" for t, v in zip(("xmin", "ymin", "xmax", "ymax"), box))
    return f"<object><name>{name}</name><difficult>{difficult}</difficult><bndbox>{coords}</bndbox></object>"


def _voc(tmp_path, annotations, size=(50, 40)):
    root = tmp_path / "voc"
    folder = root / "VOC2007"
    for sub in ("ImageSets/Main", "Annotations", "JPEGImages"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    names = sorted(annotations)
    (folder / "ImageSets/Main/trainval.txt").write_text("\n".join(names) + "\n\n")
    for name, body in annotations.items():
        Image.new("RGB", size, (9, 9, 9)).save(folder / "JPEGImages" / f"{name}.jpg")
        xml = f"<annotation><size><width>{size[0]}</width><height>{size[1]}</height></size>{body}</annotation>"
        (folder / "Annotations" / f"{name}.xml").write_text(xml)
    return root


def test_voc_parsing_like_gluoncv(tmp_path, caplog):
    root = _voc(tmp_path, {
        "000001": _voc_object("Dog ", (1, 1, 21, 31), "1") + _voc_object("unicorn", (1, 1, 5, 5))
        + _voc_object("person", (10, 5, 60, 20)),   # xmax beyond the 50-pixel width: dropped with a warning
        "000002": _voc_object("cat", (5, 6, 7, 8), "x") + _voc_object("car", (2, 2, 50, 40))})
    with caplog.at_level(logging.WARNING):
        ds = VOCDetection(str(root))
    assert "xmax" in caplog.text and "000001.xml" in caplog.text
    img, label = ds[0]
    assert img.shape == (40, 50, 3) and len(ds) == 2 and label.dtype == np.float32
    np.testing.assert_array_equal(label, [[0, 0, 20, 30, 11, 1]])
    np.testing.assert_array_equal(ds[1][1], [[4, 5, 6, 7, 7, 0], [1, 1, 49, 39, 6, 0]])
    lazy = VOCDetection(str(root), preload_label=False, index_map={c: 100 + i for i, c in enumerate(ds.classes)})
    assert lazy[1][1][:, 4].tolist() == [107, 106]
    flipped = VOCDetection(str(root), transform=lambda x, y: (x, tbbox.flip(y, (50, 40), flip_x=True)))
    assert flipped[0][1][0, :4].tolist() == [30, 0, 50, 30]


def test_voc_errors_name_the_file(tmp_path):
    root = _voc(tmp_path, {"a": _voc_object("dog", (1, 1, 5, 5)) + "<object>"})
    with pytest.raises(MXNetError, match=r"malformed XML in .*a\.xml"):
        VOCDetection(str(root))
    root = _voc(tmp_path / "2", {"b": "<object><name>dog</name></object>"})
    with pytest.raises(MXNetError, match=r"b\.xml: object #0 \(dog\) has no <bndbox>"):
        VOCDetection(str(root))
    (root / "VOC2007" / "Annotations" / "b.xml").write_text("<annotation></annotation>")
    with pytest.raises(MXNetError, match="no <size>"):
        VOCDetection(str(root))
    with pytest.raises(MXNetError, match="test.txt"):
        VOCDetection(str(root), splits=((2007, "test"),))


# -- COCO ----------------------------------------------------------------------------------------------

class Pets(COCODetection):
    CLASSES = ["cat", "dog"]


def _coco(tmp_path, annotations, images=None):
    root = tmp_path / "coco"
    (root / "annotations").mkdir(parents=True, exist_ok=True)
    (root / "val2017").mkdir(exist_ok=True)
    images = images or [{"id": 9, "file_name": "b.jpg", "width": 20, "height": 10},
                        {"id": 3, "file_name": "a.jpg", "width": 20, "height": 10}]
    for entry in images:
        if isinstance(entry.get("file_name"), str) and entry["width"] > 0:   # deliberately broken entries: no file
            Image.new("RGB", (entry["width"], entry["height"])).save(root / "val2017" / entry["file_name"])
    doc = {"categories": [{"id": 7, "name": "cat"}, {"id": 2, "name": "dog"}], "images": images,
           "annotations": annotations}
    (root / "annotations" / "instances_val2017.json").write_text(json.dumps(doc))
    return root


ANNOTATIONS = [
    {"id": 1, "image_id": 3, "category_id": 2, "bbox": [2, 3, 5, 4], "area": 20},
    {"id": 2, "image_id": 3, "category_id": 7, "bbox": [15, 5, 10, 10], "area": 100, "iscrowd": 1},
    {"id": 3, "image_id": 3, "category_id": 7, "bbox": [1, 1, 1, 1], "area": 1},
    {"id": 4, "image_id": 9, "category_id": 7, "bbox": [0, 0, 4, 4], "area": 16, "ignore": 1},
]


def test_coco_parsing_like_gluoncv(tmp_path):
    root = _coco(tmp_path, ANNOTATIONS)
    ds = Pets(str(root))
    assert len(ds) == 1 and ds.json_id_to_contiguous == {7: 0, 2: 1} and ds.contiguous_id_to_json[1] == 2
    img, label = ds[0]
    assert img.shape == (10, 20, 3) and label.dtype == np.float32
    # crowd box clipped to the image; the 1x1 box has zero extent after w-1/h-1 and is dropped
    np.testing.assert_array_equal(label, [[2, 3, 6, 6, 1], [15, 5, 19, 9, 0]])
    no_crowd = Pets(str(root), use_crowd=False, min_object_area=2)
    np.testing.assert_array_equal(no_crowd[0][1], [[2, 3, 6, 6, 1]])
    keep_empty = Pets(str(root), skip_empty=False)
    assert len(keep_empty) == 2 and keep_empty[1][1].tolist() == [[-1] * 5]
    assert keep_empty.get_im_aspect_ratio() == [2.0, 2.0]


def test_coco_errors_name_the_file(tmp_path):
    root = _coco(tmp_path, ANNOTATIONS)
    path = root / "annotations" / "instances_val2017.json"
    with pytest.raises(MXNetError, match="category names"):
        COCODetection(str(root))
    path.write_text('{"images": [], "annotations": [')
    with pytest.raises(MXNetError, match="malformed JSON in .*instances_val2017.json"):
        Pets(str(root))
    path.write_text('{"images": []}')
    with pytest.raises(MXNetError, match="missing or wrong"):
        Pets(str(root))
    _coco(tmp_path, [{"id": 5, "image_id": 3, "category_id": 99, "bbox": [1, 1, 3, 3], "area": 9}])
    with pytest.raises(MXNetError, match="annotation 5 of image 3 is malformed"):
        Pets(str(root))
    path.write_bytes(b"\x80{}")
    with pytest.raises(MXNetError, match="malformed JSON"):
        Pets(str(root))
    for image in ({"id": 3, "width": 20, "height": 10}, {"id": 3, "file_name": {"a": 1}, "width": 20, "height": 10},
                  {"id": 3, "coco_url": 5, "width": 20, "height": 10}, {"id": 3, "file_name": "a.jpg", "width": 0,
                                                                        "height": 10}):
        _coco(tmp_path, ANNOTATIONS[:1], images=[image])
        with pytest.raises(MXNetError, match=r"instances_val2017\.json: image entry .* is malformed"):
            Pets(str(root))
    _coco(tmp_path, [dict(ANNOTATIONS[0], image_id=[3])])
    with pytest.raises(MXNetError, match="image_id"):
        Pets(str(root))
    _coco(tmp_path, [], images=[{"id": 1, "file_name": "a.jpg", "width": 5, "height": 5}])
    (root / "val2017" / "a.jpg").unlink()
    with pytest.raises(MXNetError, match="image 1 not found"):
        Pets(str(root), skip_empty=False)


# -- box transforms ------------------------------------------------------------------------------------

def test_bbox_transforms():
    boxes = np.array([[10, 20, 30, 40, 3], [0, 0, 5, 5, 1]], np.float32)
    np.testing.assert_array_equal(tbbox.flip(tbbox.flip(boxes, (100, 50), True, True), (100, 50), True, True),
                                  boxes)
    np.testing.assert_array_equal(tbbox.translate(boxes, 5, -5)[0], [15, 15, 35, 35, 3])
    np.testing.assert_allclose(tbbox.resize(boxes, (100, 50), (50, 100))[0], [5, 40, 15, 80, 3])
    cropped = tbbox.crop(boxes, (8, 18, 12, 30))
    np.testing.assert_array_equal(cropped, [[2, 2, 12, 22, 3]])
    assert len(tbbox.crop(boxes, (0, 0, 20, 20), allow_outside_center=False)) == 1
    with pytest.raises(MXNetError, match=r"\(N, 4\+\)"):
        tbbox.flip(np.zeros(4), (1, 1))


@pytest.mark.parametrize("seed", range(8))
def test_random_crop_with_constraints_keeps_centers_inside(seed):
    mx.random.seed(seed)
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 150, (3, 2))
    boxes = np.concatenate([xy, xy + rng.uniform(10, 80, (3, 2)), np.arange(3)[:, None]], 1).astype(DTYPE)
    out, (x, y, w, h) = tbbox.random_crop_with_constraints(boxes, (240, 200))
    assert 0 <= x and 0 <= y and x + w <= 240 and y + h <= 200 and len(out)
    assert (out[:, :2] >= 0).all() and (out[:, 2] <= w).all() and (out[:, 3] <= h).all()
    centers = (boxes[:, :2] + boxes[:, 2:4]) / 2
    inside = ((centers >= [x, y]) & (centers < [x + w, y + h])).all(axis=1)
    assert sorted(out[:, 4].tolist()) == np.flatnonzero(inside).tolist()


def test_random_crop_with_constraints_empty_and_tight_constraint():
    mx.random.seed(0)
    empty, crop = tbbox.random_crop_with_constraints(np.zeros((0, 5), DTYPE), (50, 40))
    assert empty.shape == (0, 5) and crop[2] <= 50 and crop[3] <= 40
    box = np.array([[10, 10, 30, 30, 0]], DTYPE)
    for seed in range(5):
        mx.random.seed(seed)
        out, (x, y, w, h) = tbbox.random_crop_with_constraints(box, (60, 60), constraints=((0.6, None),))
        if (x, y, w, h) != (0, 0, 60, 60):
            window = np.array([[x, y, x + w, y + h]], DTYPE)
            assert mx.boxes.box_iou(box[:, :4], window)[0, 0] >= 0.6


# -- image transforms ----------------------------------------------------------------------------------

def test_random_expand_places_the_image_at_its_offset():
    mx.random.seed(2)
    img = np.random.default_rng(0).integers(0, 255, (6, 8, 3)).astype(np.uint8)
    out, (x, y, w, h) = timage.random_expand(img, max_ratio=3, fill=[1, 2, 3])
    out = out.asnumpy()
    assert out.shape == (h, w, 3)
    np.testing.assert_array_equal(out[y:y + 6, x:x + 8], img)
    mask = np.ones((h, w), bool)
    mask[y:y + 6, x:x + 8] = False
    assert (out[mask] == [1, 2, 3]).all()
    with pytest.raises(MXNetError, match="fill"):
        timage.random_expand(img, fill=[1, 2])


@pytest.mark.parametrize("seed", range(5))
def test_paste_window_equals_crop_of_full_canvas(seed):
    mx.random.seed(seed)
    rng = np.random.default_rng(seed)
    img = rng.integers(0, 255, (7, 9, 3)).astype(np.float32)
    canvas = timage.expand_params(7, 9, max_ratio=3)
    full = timage.paste(img, canvas, fill=[4, 5, 6]).asnumpy()
    x, y = int(rng.integers(0, canvas[2])), int(rng.integers(0, canvas[3]))
    w, h = int(rng.integers(1, canvas[2] - x + 1)), int(rng.integers(1, canvas[3] - y + 1))
    window = timage.paste(img, canvas, fill=[4, 5, 6], window=(x, y, w, h)).asnumpy()
    np.testing.assert_array_equal(window, full[y:y + h, x:x + w])


def _gluoncv_colour_reference(img, seed):
    """GluonCV's random_color_distort applied step by step, drawing numbers in the same order."""
    mx.random.seed(seed)
    rng = mx.base.get_rng()
    x = img.astype(np.float64)
    if rng.uniform(0, 1) > 0.5:
        x = x + rng.uniform(-32, 32)

    def contrast(x):
        return x * rng.uniform(0.5, 1.5) if rng.uniform(0, 1) > 0.5 else x

    def saturation(x):
        if rng.uniform(0, 1) > 0.5:
            alpha = rng.uniform(0.5, 1.5)
            return x * alpha + (x @ LUMA.astype(np.float64))[..., None] * (1 - alpha)
        return x

    def hue(x):
        return x @ hue_matrix(rng.uniform(-18, 18)).astype(np.float64) if rng.uniform(0, 1) > 0.5 else x

    for step in ((contrast, saturation, hue) if rng.integers(0, 2) else (saturation, hue, contrast)):
        x = step(x)
    return x


@pytest.mark.parametrize("seed", range(10))
def test_color_distort_equals_gluoncv_sequence(seed):
    img = np.random.default_rng(seed).integers(0, 256, (5, 7, 3)).astype(np.uint8)
    expected = _gluoncv_colour_reference(img, seed)
    mx.random.seed(seed)
    out = timage.random_color_distort(img)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.asnumpy(), expected, rtol=1e-4, atol=1e-3)


def test_resize_helpers_and_tensor():
    img = np.zeros((60, 100, 3), np.uint8)
    assert timage.resize_short_within(img, 30, 1000, mult_base=8).shape == (32, 48, 3)
    assert timage.resize_long(img, 50).shape == (30, 50, 3)
    out, flips = timage.random_flip(np.arange(6).reshape(2, 3, 1), px=1, py=1)
    assert flips == (True, True) and out.asnumpy().ravel().tolist() == [5, 4, 3, 2, 1, 0]
    tensor = timage.normalize(timage.to_tensor(np.full((2, 2, 3), 255, np.uint8)), (0.5,) * 3, (0.25,) * 3)
    assert tensor.shape == (3, 2, 2) and np.allclose(tensor.asnumpy(), 2.0)


# -- SSD presets ---------------------------------------------------------------------------------------

def _box_sample(width, height, box):
    img = np.zeros((height, width, 3), np.uint8)
    img[box[1]:box[3], box[0]:box[2]] = 255
    return img, np.array([list(box) + [0]], np.float32)


@pytest.mark.parametrize("seed", range(8))
def test_ssd_train_transform_keeps_boxes_on_the_object(seed, monkeypatch):
    # without colour distortion the object stays white on black, so its pixels can be found again
    monkeypatch.setattr(ssd, "random_color_distort", lambda img: mx.nd.array(np.asarray(img, DTYPE)))
    mx.random.seed(seed)
    img, label = _box_sample(96, 72, (20, 15, 60, 50))
    x, y = SSDDefaultTrainTransform(64, 64, mean=(0, 0, 0), std=(1, 1, 1))(img, label)
    assert x.shape == (3, 64, 64) and y.dtype == np.float32 and len(y) == 1
    ys, xs = np.nonzero(x.asnumpy()[0] > 0.5)
    extent = [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]
    np.testing.assert_allclose(y[0, :4], extent, atol=2.0)


def test_ssd_train_transform_targets_decode_to_the_box():
    anchors = np.array([[[32, 32, 40, 40], [32, 32, 20, 20], [8, 8, 10, 10], [56, 56, 10, 10]]], np.float32)
    img, label = _box_sample(64, 64, (12, 12, 52, 52))
    mx.random.seed(0)
    transform = SSDDefaultTrainTransform(64, 64, anchors)
    x, cls_t, box_t = transform(img, label)
    mx.random.seed(0)
    _, bbox = SSDDefaultTrainTransform(64, 64)(img, label)
    assert cls_t.shape == (4,) and box_t.shape == (4, 4)
    positive = cls_t.asnumpy() > 0
    assert positive.any() and (cls_t.asnumpy()[positive] == 1).all() and (cls_t.asnumpy()[~positive] == 0).all()
    decoded = normalized_center_decode(box_t.asnumpy()[positive], anchors[0][positive], stds=(0.1, 0.1, 0.2, 0.2))
    np.testing.assert_allclose(decoded, np.repeat(bbox[:1, :4], positive.sum(), 0), rtol=1e-4, atol=1e-3)


def test_ssd_val_transform_and_errors():
    img, label = _box_sample(40, 20, (4, 2, 20, 10))
    x, y = SSDDefaultValTransform(80, 80)(img, label)
    assert x.shape == (3, 80, 80)
    np.testing.assert_allclose(y, [[8, 8, 40, 40, 0]])
    with pytest.raises(MXNetError, match=r"\(N, 5\+\)"):
        SSDDefaultValTransform(8, 8)(img, label[:, :4])
    with pytest.raises(MXNetError, match="anchors"):
        SSDDefaultTrainTransform(8, 8, anchors=np.zeros((4, 4)))


def test_loader_over_record_detection_with_workers_matches_inline(tmp_path):
    ds = RecordFileDetection(_det_rec(tmp_path, count=5)).transform(SSDDefaultTrainTransform(32, 32))
    fn = batchify.Tuple(batchify.Stack(), batchify.Pad(pad_val=-1))
    runs = []
    for workers in (0, 2):
        mx.random.seed(9)
        loader = DataLoader(ds, batch_size=2, shuffle=True, batchify_fn=fn, num_workers=workers)
        runs.append([(x.asnumpy(), y.asnumpy()) for x, y in loader])
        loader.close()
    assert [x.shape for x, _ in runs[0]] == [(2, 3, 32, 32), (2, 3, 32, 32), (1, 3, 32, 32)]
    for (x0, y0), (x2, y2) in zip(*runs):
        np.testing.assert_array_equal(x0, x2)
        np.testing.assert_array_equal(y0, y2)
