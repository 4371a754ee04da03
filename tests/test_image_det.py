"""mx.image.ImageDetIter and the detection augmenters: MXNet 1.9.1 oracles, box consistency, determinism,
worker parity and bad input."""
import json
import warnings
from pathlib import Path

import numpy as np
import pytest

import ssdkit as mx
from ssdkit.base import MXNetError
from ssdkit.image import DetHorizontalFlipAug, DetRandomCropAug, DetRandomPadAug, ImageDetIter
from ssdkit.recordio import IRHeader, MXIndexedRecordIO, MXRecordIO, make_det_label, pack, pack_img

ORACLE_DIR = Path(__file__).resolve().parent / "data" / "image_oracle"
SIZE = 16


def _oracle():
    if not (ORACLE_DIR / "oracle.json").exists():
        pytest.skip("image oracle missing (run tests/data/image_oracle/make_image_oracle.py)")
    return json.loads((ORACLE_DIR / "oracle.json").read_text()), np.load(ORACLE_DIR / "oracle.npz")


def write_rec(tmp_path, items, name="d", indexed=True):
    """items: (flat label, image array (RGB) or raw bytes); returns the .rec path (and writes .idx)."""
    rec_path, idx_path = str(tmp_path / f"{name}.rec"), str(tmp_path / f"{name}.idx")
    writer = MXIndexedRecordIO(idx_path, rec_path, "w") if indexed else MXRecordIO(rec_path, "w")
    for i, (label, image) in enumerate(items):
        header = IRHeader(0, np.asarray(label, np.float32), i, 0)
        record = pack(header, image) if isinstance(image, bytes) else pack_img(header, image, img_fmt=".png",
                                                                               rgb=True)
        writer.write_idx(i, record) if indexed else writer.write(record)
    writer.close()
    return rec_path


def box_image(width, height, box):
    """Black image with a white rectangle covering the pixel box [x1, y1, x2, y2)."""
    img = np.zeros((height, width, 3), np.uint8)
    x1, y1, x2, y2 = box
    img[y1:y2, x1:x2] = 255
    return img


def white_extent(img):
    """Normalized [xmin, ymin, xmax, ymax] of the white pixels."""
    arr = np.asarray(img)
    ys, xs = np.nonzero(arr[..., 0] > 127)
    h, w = arr.shape[:2]
    return np.array([xs.min() / w, ys.min() / h, (xs.max() + 1) / w, (ys.max() + 1) / h])


# -- MXNet oracles -------------------------------------------------------------------------------------

def test_crop_rules_match_mxnet():
    oracle, _ = _oracle()
    for case in oracle["crop_rules"]:
        label = np.array(case["label"], np.float32)
        aug = DetRandomCropAug(min_object_covered=case["min_object_covered"],
                               min_eject_coverage=case["min_eject_coverage"])
        x, y, w, h = case["crop"]
        ok = aug._coverage_ok(label, *(np.array([v], float) for v in (x, y, w, h)), case["height"], case["width"])
        assert bool(ok[0] and w * h >= 2) == case["ok"], case
        updated = aug._update_labels(label, (x, y, w, h), case["height"], case["width"])
        if case["updated"] is None:
            assert updated is None, case
        else:
            np.testing.assert_allclose(updated, case["updated"], rtol=1e-5, atol=1e-6)


def test_pad_rules_match_mxnet():
    oracle, _ = _oracle()
    for case in oracle["pad_rules"]:
        out = DetRandomPadAug()._update_labels(np.array(case["label"], np.float32), case["pad"], case["height"],
                                               case["width"])
        np.testing.assert_allclose(out, case["updated"], rtol=1e-5, atol=1e-6)


def test_create_det_augmenter_matches_mxnet_dumps():
    oracle, _ = _oracle()
    augs = mx.image.CreateDetAugmenter((3, 256, 256), mean=True, rand_crop=1, min_object_covered=0.95,
                                       max_attempts=200, rand_pad=0.5, rand_mirror=True, brightness=0.1,
                                       hue=0.1, pca_noise=0.1, rand_gray=0.1)
    dumps = [a.dumps() if isinstance(a.dumps(), str) else json.dumps(a.dumps()) for a in augs]
    assert [json.loads(d) for d in dumps] == [json.loads(d) for d in oracle["geometry"]["det_augmenters"]]


@pytest.mark.parametrize("mode", ["pad", "discard", "roll_over"])
@pytest.mark.parametrize("indexed", [True, False])
def test_image_det_iter_matches_mxnet(mode, indexed):
    oracle, arrays = _oracle()
    key = f"det_{mode}_{'idx' if indexed else 'seq'}"
    kwargs = {"path_imgidx": str(ORACLE_DIR / "det.idx")} if indexed else {}
    it = ImageDetIter(3, (3, SIZE, SIZE), path_imgrec=str(ORACLE_DIR / "det.rec"), last_batch_handle=mode,
                      mean=True, std=True, **kwargs)
    assert list(it.label_shape) == oracle["det_iter"][key]["label_shape"]
    got = []
    for epoch in range(2):
        for j, batch in enumerate(it):
            np.testing.assert_allclose(batch.data[0].asnumpy(), arrays[f"{key}_e{epoch}_b{j}_data"], rtol=1e-6,
                                       atol=1e-5)
            got.append({"epoch": epoch, "label": batch.label[0].asnumpy().tolist(), "pad": batch.pad})
        it.reset()
    expected = oracle["det_iter"][key]["batches"]
    assert [(g["epoch"], g["pad"]) for g in got] == [(e["epoch"], e["pad"]) for e in expected]
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g["label"], e["label"], rtol=1e-6)


@pytest.mark.parametrize("mode", ["pad", "discard", "roll_over"])
def test_image_iter_labels_match_mxnet(mode):
    oracle, _ = _oracle()
    it = mx.image.ImageIter(3, (3, SIZE, SIZE), path_imgrec=str(ORACLE_DIR / "cls.rec"),
                            path_imgidx=str(ORACLE_DIR / "cls.idx"), last_batch_handle=mode)
    got = []
    for epoch in range(2):
        got += [{"epoch": epoch, "label": b.label[0].asnumpy().tolist(), "pad": b.pad} for b in it]
        it.reset()
    assert got == oracle["cls_iter"][mode]


# -- the notebook's call and the batch layout ----------------------------------------------------------

@pytest.fixture(scope="module")
def pikachu(tmp_path_factory):
    datagen = pytest.importorskip("ssdkit.datagen")
    root = tmp_path_factory.mktemp("pikachu")
    datagen.generate_pikachu(str(root), num_train=12, num_val=5, size=64, num_workers=0, progress=False)
    return root


def test_notebook_call_works_unchanged(pikachu):
    data_dir = str(pikachu) + "/"
    train = mx.image.ImageDetIter(batch_size=32, data_shape=(3, 256, 256), path_imgrec=data_dir + 'train.rec',
                                  path_imgidx=data_dir + 'train.idx', shuffle=True, mean=True, rand_crop=1,
                                  min_object_covered=0.95, max_attempts=200)
    val = mx.image.ImageDetIter(batch_size=32, data_shape=(3, 256, 256), path_imgrec=data_dir + 'val.rec',
                                shuffle=False, mean=True)
    batch = train.next()
    x, y = batch.data[0], batch.label[0]
    assert x.shape == (32, 3, 256, 256) and x.dtype == np.float32 and y.shape == (32, 1, 5)
    assert batch.pad == 32 - 12 and str(batch).startswith("DataBatch: data shapes: [(32, 3, 256, 256)]")
    # 'pad' refills once from the start (12 + 12 samples); MXNet leaves the rest of the batch empty
    boxes, empty = y.asnumpy()[:24, 0], y.asnumpy()[24:]
    assert (empty == -1).all() and (x.asnumpy()[24:] == 0).all()
    assert (boxes[:, 0] == 0).all() and (boxes[:, 1:] >= 0).all() and (boxes[:, 1:] <= 1).all()
    assert (boxes[:, 3] > boxes[:, 1]).all() and (boxes[:, 4] > boxes[:, 2]).all()
    assert train.provide_data[0] == ("data", (32, 3, 256, 256)) and train.provide_label[0] == ("label", (32, 1, 5))
    train.reset()
    assert len(list(train)) == 1 and len(list(val)) == 1


def test_labels_are_padded_and_keep_extra_columns(tmp_path):
    objs = [[0, .1, .1, .5, .5, 7], [1, .2, .2, .6, .7, 8]]
    items = [(make_det_label(objs[:n], header_width=3), np.zeros((8, 8, 3), np.uint8)) for n in (1, 2, 1)]
    it = ImageDetIter(2, (3, 8, 8), path_imgrec=write_rec(tmp_path, items), last_batch_handle="discard")
    assert it.label_shape == (2, 6)
    label = it.next().label[0].asnumpy()
    np.testing.assert_allclose(label[0], [objs[0], [-1] * 6], rtol=1e-6)
    np.testing.assert_allclose(label[1], objs, rtol=1e-6)


def test_invalid_boxes_dropped_and_empty_samples_skipped(tmp_path):
    items = [(make_det_label([[0, .5, .1, .5, .4], [0, .1, .1, .3, .3]]), np.zeros((8, 8, 3), np.uint8)),
             (make_det_label([[0, .5, .5, .4, .9]]), np.zeros((8, 8, 3), np.uint8)),   # no valid box
             (make_det_label([[1, .2, .2, .9, .9]]), np.zeros((8, 8, 3), np.uint8))]
    it = ImageDetIter(2, (3, 8, 8), path_imgrec=write_rec(tmp_path, items))
    assert it.label_shape == (1, 5)
    label = it.next().label[0].asnumpy()
    np.testing.assert_allclose(label[:, 0], [[0, .1, .1, .3, .3], [1, .2, .2, .9, .9]], rtol=1e-6)
    assert it.skipped == 1 and it.skip_reasons["no valid object"] == 1


def test_grey_rgba_and_odd_sizes_become_rgb_of_data_shape(tmp_path):
    label = make_det_label([[0, .1, .1, .9, .9]])
    items = [(label, np.full((7, 5), 200, np.uint8)), (label, np.full((9, 13, 4), 50, np.uint8)),
             (label, np.full((31, 17, 3), 90, np.uint8))]
    it = ImageDetIter(3, (3, 12, 10), path_imgrec=write_rec(tmp_path, items))
    data = it.next().data[0].asnumpy()
    assert data.shape == (3, 3, 12, 10)
    np.testing.assert_allclose(data[:, :, 2:-2, 2:-2].mean(axis=(1, 2, 3)), [200, 50, 90], atol=1)


def test_image_list_source_and_path_root(tmp_path):
    from PIL import Image
    Image.fromarray(np.full((6, 6, 3), 30, np.uint8)).save(tmp_path / "a.png")
    lst = tmp_path / "list.lst"
    lst.write_text("0\t2\t5\t1\t0.1\t0.2\t0.5\t0.6\ta.png\n")
    it = ImageDetIter(1, (3, 6, 6), path_imglist=str(lst), path_root=str(tmp_path))
    batch = it.next()
    assert batch.data[0].asnumpy().mean() == 30
    np.testing.assert_allclose(batch.label[0].asnumpy()[0, 0], [1, .1, .2, .5, .6], rtol=1e-6)


def test_reshape_and_sync_label_shape(tmp_path):
    one = write_rec(tmp_path, [(make_det_label([[0, .1, .1, .5, .5]]), np.zeros((4, 4, 3), np.uint8))], "one")
    three = write_rec(tmp_path, [(make_det_label([[0, .1, .1, .5, .5]] * 3), np.zeros((4, 4, 3), np.uint8))], "three")
    train, val = ImageDetIter(1, (3, 4, 4), path_imgrec=three), ImageDetIter(1, (3, 4, 4), path_imgrec=one)
    assert train.sync_label_shape(val) is val and val.label_shape == (3, 5)
    assert val.next().label[0].shape == (1, 3, 5)
    padded = ImageDetIter(1, (3, 4, 4), path_imgrec=three, label_pad_width=8)
    label = padded.next().label[0].asnumpy()
    assert label.shape == (1, 8, 5) and (label[0, 3:] == -1).all() and (label[0, :3, 0] == 0).all()
    with pytest.raises(MXNetError, match="label_pad_width=2"):
        ImageDetIter(1, (3, 4, 4), path_imgrec=three, label_pad_width=2)
    with pytest.raises(MXNetError, match="reduce"):
        train.reshape(label_shape=(2, 5))
    with pytest.raises(MXNetError, match="width"):
        train.reshape(label_shape=(4, 6))


# -- augmentation keeps boxes with the pixels -----------------------------------------------------------

def test_flip_twice_is_identity():
    img = mx.nd.array(np.random.default_rng(0).integers(0, 255, (6, 9, 3)), dtype="uint8")
    label = np.array([[2, .1, .2, .4, .9, 5]], np.float32)
    flip = DetHorizontalFlipAug(1.0)
    out_img, out_label = flip(*flip(img, label))
    np.testing.assert_array_equal(out_img.asnumpy(), img.asnumpy())
    np.testing.assert_allclose(out_label, label, atol=1e-7)


@pytest.mark.parametrize("seed", range(6))
def test_crop_pad_flip_keep_boxes_on_the_object(seed):
    mx.random.seed(seed)
    rng = np.random.default_rng(seed)
    width, height = 120, 90
    x1, y1 = int(rng.integers(0, 80)), int(rng.integers(0, 50))
    box = (x1, y1, x1 + int(rng.integers(15, 40)), y1 + int(rng.integers(15, 40)))
    img = mx.nd.array(box_image(width, height, box), dtype="uint8")
    label = np.array([[0, box[0] / width, box[1] / height, box[2] / width, box[3] / height]], np.float32)
    augs = [DetRandomCropAug(min_object_covered=0.5, area_range=(0.1, 1.0), max_attempts=100),
            DetRandomPadAug(area_range=(1.2, 3.0), pad_val=(0, 0, 0)), DetHorizontalFlipAug(0.5)]
    for aug in augs:
        img, label = aug(img, label)
        assert label.shape[0] == 1
        h, w = img.shape[:2]
        np.testing.assert_allclose(label[0, 1:5], white_extent(img), atol=1.01 / min(h, w))


def test_random_crop_respects_min_object_covered_and_bounds():
    rng = np.random.default_rng(0)
    for trial in range(60):
        mx.random.seed(trial)
        k = int(rng.integers(1, 4))
        xy = rng.uniform(0, 0.7, (k, 2))
        label = np.concatenate([np.zeros((k, 1)), xy, np.minimum(xy + rng.uniform(0.05, 0.5, (k, 2)), 1)], 1)
        label = label.astype(np.float32)
        moc = float(rng.choice([0.3, 0.7, 0.95]))
        aug = DetRandomCropAug(min_object_covered=moc, area_range=(0.1, 1.0), max_attempts=50)
        crop = aug._random_crop_proposal(label, 100, 120)
        if not crop:
            continue
        x, y, w, h, new_label = crop
        assert ((new_label[:, 1:5] >= 0) & (new_label[:, 1:5] <= 1)).all()
        window = np.array([x / 120, y / 100, (x + w) / 120, (y + h) / 100])
        iw = np.clip(np.minimum(label[:, 3], window[2]) - np.maximum(label[:, 1], window[0]), 0, None)
        ih = np.clip(np.minimum(label[:, 4], window[3]) - np.maximum(label[:, 2], window[1]), 0, None)
        coverage = iw * ih / ((label[:, 3] - label[:, 1]) * (label[:, 4] - label[:, 2]))
        assert (coverage[coverage > 0] > moc).all()


def test_disabled_crop_leaves_sample_alone():
    aug = DetRandomCropAug(area_range=(0.5, 0.1))
    label = np.array([[0, .1, .1, .2, .2]], np.float32)
    img = mx.nd.zeros((5, 5, 3))
    assert not aug.enabled and aug(img, label)[1] is label


# -- determinism and workers ---------------------------------------------------------------------------

def _batches(it, epochs=2):
    out = []
    for _ in range(epochs):
        out += [(b.data[0].asnumpy(), b.label[0].asnumpy(), b.pad) for b in it]
        it.reset()
    return out


def _train_iter(rec, **kwargs):
    return ImageDetIter(4, (3, 24, 24), path_imgrec=rec, path_imgidx=rec[:-4] + ".idx", shuffle=True, mean=True,
                        rand_crop=1, rand_pad=0.5, rand_mirror=True, min_object_covered=0.7, brightness=0.2,
                        hue=0.1, **kwargs)


@pytest.fixture(scope="module")
def small_rec(tmp_path_factory):
    rng = np.random.default_rng(0)
    path = tmp_path_factory.mktemp("det")
    items = []
    for i in range(10):
        x1, y1 = rng.integers(0, 20, 2)
        box = (int(x1), int(y1), int(x1) + 10, int(y1) + 12)
        items.append((make_det_label([[i % 2, box[0] / 40, box[1] / 36, box[2] / 40, box[3] / 36]]),
                      box_image(40, 36, box)))
    return write_rec(path, items)


def test_runs_repeat_under_mx_random_seed(small_rec):
    mx.random.seed(42)
    first = _batches(_train_iter(small_rec))
    mx.random.seed(42)
    second = _batches(_train_iter(small_rec))
    mx.random.seed(43)
    third = _batches(_train_iter(small_rec))
    assert all(np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1]) for a, b in zip(first, second))
    assert not all(np.array_equal(a[0], b[0]) for a, b in zip(first, third))
    assert not np.array_equal(first[0][1], first[3][1])   # epochs differ (reshuffled, re-augmented)


def test_workers_give_identical_batches(small_rec):
    mx.random.seed(7)
    inline = _batches(_train_iter(small_rec))
    mx.random.seed(7)
    it = _train_iter(small_rec, num_workers=2)
    parallel = _batches(it)
    it.close()
    assert len(inline) == len(parallel) == 6
    for a, b in zip(inline, parallel):
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])
        assert a[2] == b[2]


def test_draw_next_yields_rgb_images(small_rec):
    it = ImageDetIter(2, (3, 24, 24), path_imgrec=small_rec, mean=True)
    images = list(it.draw_next(color=(255, 0, 0), mean=True))
    assert len(images) == 10 and images[0].shape == (24, 24, 3) and images[0].dtype == np.uint8
    assert (images[0][..., 0] == 255).any()


# -- bad input -----------------------------------------------------------------------------------------

def _items_with_broken_image():
    good = (make_det_label([[0, .1, .1, .8, .8]]), np.full((8, 8, 3), 9, np.uint8))
    return [good, good, (make_det_label([[0, .1, .1, .8, .8]]), b"\x89PNG broken"), good, good]


def test_undecodable_image_names_file_and_record(tmp_path):
    rec = write_rec(tmp_path, _items_with_broken_image())
    it = ImageDetIter(2, (3, 8, 8), path_imgrec=rec, path_imgidx=rec[:-4] + ".idx")
    it.next()
    with pytest.raises(MXNetError, match=r"d\.rec key 2: cannot decode"):
        it.next()
    seq = ImageDetIter(5, (3, 8, 8), path_imgrec=rec)
    with pytest.raises(MXNetError, match=r"d\.rec record #2"):
        seq.next()


@pytest.mark.parametrize("num_workers", [0, 2])
def test_skip_mode_counts_warns_and_reports(tmp_path, num_workers):
    rec = write_rec(tmp_path, _items_with_broken_image())
    it = ImageDetIter(2, (3, 8, 8), path_imgrec=rec, path_imgidx=rec[:-4] + ".idx", on_error="skip",
                      last_batch_handle="discard", num_workers=num_workers)
    with pytest.warns(UserWarning, match="skipping sample.*key 2"):
        batches = list(it)
    assert len(batches) == 2 and it.skipped == 1 and it.skip_reasons == {"undecodable image": 1}
    with pytest.warns(UserWarning, match="skipped 1 sample"):
        it.reset()
    assert it.skipped == 0
    it.close()


def test_label_size_not_matching_header_names_record(tmp_path):
    items = [(make_det_label([[0, .1, .1, .5, .5]]), np.zeros((4, 4, 3), np.uint8)),
             (np.array([2, 5, 0, .1, .1, .5], np.float32), np.zeros((4, 4, 3), np.uint8))]
    rec = write_rec(tmp_path, items)
    with pytest.raises(MXNetError, match=r"d\.rec key 1: 6 values do not fit"):
        ImageDetIter(1, (3, 4, 4), path_imgrec=rec, path_imgidx=rec[:-4] + ".idx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        it = ImageDetIter(1, (3, 4, 4), path_imgrec=rec, path_imgidx=rec[:-4] + ".idx", on_error="skip")
        assert len(list(it)) == 1 and it.skip_reasons == {"bad label": 1}


def test_constructor_errors(tmp_path):
    rec = write_rec(tmp_path, [(make_det_label([[0, .5, .5, .4, .4]]), np.zeros((4, 4, 3), np.uint8))])
    with pytest.raises(MXNetError, match="no sample with a valid object"):
        ImageDetIter(1, (3, 4, 4), path_imgrec=rec)
    with pytest.raises(MXNetError, match="3-channel"):
        ImageDetIter(1, (1, 4, 4), path_imgrec=rec)
    with pytest.raises(MXNetError, match="path_imgidx"):
        ImageDetIter(1, (3, 4, 4), path_imgrec=rec, shuffle=True)
    with pytest.raises(MXNetError, match="on_error"):
        ImageDetIter(1, (3, 4, 4), path_imgrec=rec, on_error="ignore")


def test_wrong_output_size_is_explained(tmp_path):
    rec = write_rec(tmp_path, [(make_det_label([[0, .1, .1, .9, .9]]), np.zeros((6, 6, 3), np.uint8))])
    it = ImageDetIter(1, (3, 4, 4), path_imgrec=rec, aug_list=[])
    with pytest.raises(MXNetError, match="ForceResizeAug"):
        it.next()


def test_boxes_outside_the_unit_square_are_a_bad_label(tmp_path):
    items = [(make_det_label([[0, .1, .1, .5, .5]]), np.zeros((4, 4, 3), np.uint8)),
             (make_det_label([[0, -.5, .1, 1.7, .6]]), np.zeros((4, 4, 3), np.uint8)),
             (make_det_label([[0, -.01, 0, 1.01, 1]]), np.zeros((4, 4, 3), np.uint8))]   # rounding is tolerated
    rec = write_rec(tmp_path, items)
    with pytest.raises(MXNetError, match=r"d\.rec key 1: object box .* outside the unit square"):
        ImageDetIter(1, (3, 4, 4), path_imgrec=rec, path_imgidx=rec[:-4] + ".idx")
    it = ImageDetIter(1, (3, 4, 4), path_imgrec=rec, path_imgidx=rec[:-4] + ".idx", on_error="skip")
    with pytest.warns(UserWarning, match="key 1"):
        assert len(list(it)) == 2
    assert it.skip_reasons == {"bad label": 1}


def test_damaged_record_with_index_is_skipped_when_asked(tmp_path):
    items = [(make_det_label([[0, .1, .1, .5, .5]]), np.zeros((4, 4, 3), np.uint8))] * 3
    rec = write_rec(tmp_path, items)
    offset = int(open(rec[:-4] + ".idx").read().splitlines()[1].split("\t")[1])
    data = bytearray(open(rec, "rb").read())
    data[offset] ^= 0xFF   # break the magic word of record 1
    open(rec, "wb").write(bytes(data))
    with pytest.raises(MXNetError, match="bad magic"):
        list(ImageDetIter(1, (3, 4, 4), path_imgrec=rec, path_imgidx=rec[:-4] + ".idx"))
    it = ImageDetIter(1, (3, 4, 4), path_imgrec=rec, path_imgidx=rec[:-4] + ".idx", on_error="skip")
    with pytest.warns(UserWarning, match="skipping sample.*key 1.*bad magic"):
        assert len(list(it)) == 2
    assert it.skip_reasons == {"damaged record": 1}
