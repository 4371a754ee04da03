"""Reliability, bad data: damaged RecordIO files, undecodable images, malformed detection labels, odd
images and empty sets, read through ImageDetIter, gluon.data datasets / DataLoader and the detection
datasets. Each case either raises an MXNetError naming the file and the record (or line), or -- when the
caller asks with ``on_error='skip'`` -- skips the sample with a warning and reports the count at the end of
the epoch. See /work/notes/reliability_matrix.md for the case list.
"""
import io
import os
import struct
import warnings
import zlib

import numpy as np
import pytest
from PIL import Image

import ssdkit as mx
from ssdkit.base import MXNetError
from ssdkit.detection.data import RecordFileDetection
from ssdkit.gluon.data import DataLoader
from ssdkit.gluon.data.vision import ImageFolderDataset, ImageRecordDataset
from ssdkit.recordio import IRHeader, MXIndexedRecordIO, RecordIOError, make_det_label, pack, pack_img

GOOD_BOX = [[0, .1, .1, .6, .6]]
DATA_SHAPE = (3, 8, 8)
BAD_KEY = 1   # the damaged record of every four-record file below


def det_record(i, objects=GOOD_BOX, image=None, label=None):
    """An image record with MXNet's detection label (PNG, so pixels survive exactly)."""
    image = np.full((16, 16, 3), 50, np.uint8) if image is None else image
    label = make_det_label(objects) if label is None else np.asarray(label, np.float32)
    return pack_img(IRHeader(0, label, i, 0), image, img_fmt=".png")


def write_rec(tmp_path, records, name="data"):
    rec, idx = tmp_path / f"{name}.rec", tmp_path / f"{name}.idx"
    with MXIndexedRecordIO(str(idx), str(rec), "w") as writer:
        for i, record in enumerate(records):
            writer.write_idx(i, record)
    return str(rec), str(idx)


def with_bad_record(tmp_path, bad):
    """Four records, the second one replaced by ``bad``."""
    return write_rec(tmp_path, [det_record(0), bad, det_record(2), det_record(3)])


def det_iter(rec, idx=None, batch_size=2, **kwargs):
    return mx.image.ImageDetIter(batch_size, DATA_SHAPE, path_imgrec=rec, path_imgidx=idx, **kwargs)


def count_epoch(it):
    """Samples delivered in one pass (padding excluded)."""
    return sum(batch.data[0].shape[0] - batch.pad for batch in it)


def offsets(idx):
    return [int(line.split("\t")[1]) for line in open(idx).read().splitlines()]


def undecodable():
    return pack(IRHeader(0, make_det_label(GOOD_BOX), BAD_KEY, 0), b"definitely not an image")


def bomb_png():
    """A valid-looking PNG whose header claims 100000 x 100000 pixels (CRC fixed up)."""
    buf = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buf, "PNG")
    png = bytearray(buf.getvalue())
    png[16:24] = struct.pack(">II", 100_000, 100_000)
    png[29:33] = struct.pack(">I", zlib.crc32(bytes(png[12:29])))
    return bytes(png)


# -- undecodable images ------------------------------------------------------------------------------

def test_undecodable_image_through_image_det_iter_names_file_and_key(tmp_path):
    rec, idx = with_bad_record(tmp_path, undecodable())
    with pytest.raises(MXNetError, match=rf"data\.rec key {BAD_KEY}: cannot decode"):
        count_epoch(det_iter(rec, idx))


def test_undecodable_image_skipped_counted_and_reported_at_epoch_end(tmp_path):
    rec, idx = with_bad_record(tmp_path, undecodable())
    it = det_iter(rec, idx, on_error="skip")
    with pytest.warns(UserWarning, match=rf"skipping sample: .*data\.rec key {BAD_KEY}"):
        assert count_epoch(it) == 3
    assert it.skipped == 1 and it.skip_reasons == {"undecodable image": 1}
    with pytest.warns(UserWarning, match=r"skipped 1 sample\(s\) in epoch 0 \(1 undecodable image\)"):
        it.reset()
    assert it.skipped == 0


@pytest.mark.parametrize("make", [ImageRecordDataset, RecordFileDetection], ids=lambda c: c.__name__)
def test_undecodable_image_through_datasets_names_file_and_record(tmp_path, make):
    rec, _ = with_bad_record(tmp_path, undecodable())
    dataset = make(rec)
    dataset[0]
    with pytest.raises(MXNetError, match=rf"data\.rec record #{BAD_KEY}.*cannot decode"):
        dataset[BAD_KEY]


@pytest.mark.parametrize("num_workers", [0, 2])
def test_undecodable_image_through_data_loader_names_file_and_record(tmp_path, num_workers):
    rec, _ = with_bad_record(tmp_path, undecodable())
    dataset = RecordFileDetection(rec).transform(lambda img, label: (img.asnumpy().mean(), len(label)))
    with pytest.raises(MXNetError, match=rf"data\.rec record #{BAD_KEY}.*cannot decode"):
        list(DataLoader(dataset, batch_size=2, num_workers=num_workers))


def test_undecodable_file_in_image_folder_dataset_names_the_file(tmp_path):
    for cls in ("a", "b"):
        (tmp_path / cls).mkdir()
    Image.new("RGB", (3, 3)).save(tmp_path / "a" / "ok.png")
    (tmp_path / "b" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 truncated jpeg")
    dataset = ImageFolderDataset(str(tmp_path))
    assert dataset[0][0].shape == (3, 3, 3)
    with pytest.raises(MXNetError, match=r"b/broken\.jpg: cannot decode"):
        dataset[1]


def test_image_header_claiming_huge_size_is_an_undecodable_image(tmp_path):
    bad = pack(IRHeader(0, make_det_label(GOOD_BOX), BAD_KEY, 0), bomb_png())
    rec, idx = with_bad_record(tmp_path, bad)
    it = det_iter(rec, idx, on_error="skip")
    with pytest.warns(UserWarning, match="skipping sample"):
        assert count_epoch(it) == 3
    assert it.skip_reasons == {"undecodable image": 1}


def test_image_header_claiming_huge_size_through_recordio_unpack_img():
    with pytest.raises(RecordIOError, match="record id 3: cannot decode"):
        mx.recordio.unpack_img(pack(IRHeader(0, 1.0, 3, 0), bomb_png()))


# -- damaged RecordIO framing and index -----------------------------------------------------------------

def truncate_last_record(rec, idx, cut=30):
    size = os.path.getsize(rec)
    with open(rec, "r+b") as handle:
        handle.truncate(size - cut)
    return len(offsets(idx)) - 1


def flip_magic(rec, idx, key=2):
    data = bytearray(open(rec, "rb").read())
    data[offsets(idx)[key]] ^= 0xFF
    open(rec, "wb").write(bytes(data))
    return key


DAMAGES = {"truncated": (truncate_last_record, r"truncated file"), "bad-magic": (flip_magic, r"bad magic")}


@pytest.mark.parametrize("indexed", [True, False], ids=["indexed", "sequential"])
@pytest.mark.parametrize("damage, problem", DAMAGES.values(), ids=DAMAGES.keys())
def test_damaged_rec_names_file_record_offset_and_problem(tmp_path, damage, problem, indexed):
    rec, idx = write_rec(tmp_path, [det_record(i) for i in range(4)])
    key = damage(rec, idx)
    where = f"key {key}" if indexed else f"record #{key}"
    with pytest.raises(RecordIOError, match=rf"data\.rec: {where} at offset {offsets(idx)[key]}: .*{problem}"):
        count_epoch(det_iter(rec, idx if indexed else None))


@pytest.mark.parametrize("damage, problem", DAMAGES.values(), ids=DAMAGES.keys())
def test_damaged_rec_through_record_file_detection(tmp_path, damage, problem):
    rec, idx = write_rec(tmp_path, [det_record(i) for i in range(4)])
    key = damage(rec, idx)
    dataset = RecordFileDetection(rec)
    dataset[0]
    with pytest.raises(RecordIOError, match=rf"data\.rec: key {key} at offset \d+: .*{problem}"):
        dataset[key]


def test_file_that_is_not_recordio_is_refused(tmp_path):
    path = tmp_path / "archive.rec"
    path.write_bytes(b"PK\x03\x04" + bytes(100))
    with pytest.raises(RecordIOError, match=r"archive\.rec: record #0 at offset 0: bad magic .*not a RecordIO"):
        count_epoch(det_iter(str(path)))


@pytest.mark.parametrize("damage, problem", DAMAGES.values(), ids=DAMAGES.keys())
def test_damaged_record_skipped_when_asked(tmp_path, damage, problem):
    rec, idx = write_rec(tmp_path, [det_record(i) for i in range(4)])
    damage(rec, idx)
    it = det_iter(rec, idx, on_error="skip")
    with pytest.warns(UserWarning, match="skipping sample"):
        assert count_epoch(it) == 3
    assert it.skipped == 1


def test_idx_offset_past_eof_names_the_index_line(tmp_path):
    rec, idx = write_rec(tmp_path, [det_record(i) for i in range(4)])
    lines = open(idx).read().splitlines()
    lines[3] = "3\t999999"
    open(idx, "w").write("\n".join(lines) + "\n")
    with pytest.raises(RecordIOError, match=r"data\.idx:4: .*offset 999999 of key 3 is outside .*data\.rec"):
        det_iter(rec, idx)
    with pytest.raises(RecordIOError, match=r"data\.idx:4:"):
        RecordFileDetection(rec)


def test_idx_offset_inside_a_record_names_the_key(tmp_path):
    rec, idx = write_rec(tmp_path, [det_record(i) for i in range(4)])
    lines = open(idx).read().splitlines()
    lines[3] = "3\t12"
    open(idx, "w").write("\n".join(lines) + "\n")
    with pytest.raises(RecordIOError, match=r"data\.rec: key 3 at offset 12: bad magic .*wrong \.idx offset"):
        RecordFileDetection(rec)[3]


@pytest.mark.parametrize("line", [b"3\tabc", b"3\t1\t2", b"\xff\xfe3\t0"], ids=["offset", "fields", "not-utf8"])
def test_unparsable_idx_line_is_named(tmp_path, line):
    rec, idx = write_rec(tmp_path, [det_record(i) for i in range(4)])
    lines = open(idx, "rb").read().splitlines()
    lines[2] = line
    open(idx, "wb").write(b"\n".join(lines) + b"\n")
    with pytest.raises(RecordIOError, match=r"data\.idx:3: "):
        det_iter(rec, idx)


def test_missing_rec_or_idx_is_named(tmp_path):
    rec, idx = write_rec(tmp_path, [det_record(0)])
    with pytest.raises(RecordIOError, match=r"cannot open .*nope\.rec"):
        det_iter(str(tmp_path / "nope.rec"))
    with pytest.raises(RecordIOError, match=r"cannot open index .*nope\.idx"):
        det_iter(rec, str(tmp_path / "nope.idx"))
    os.remove(idx)
    with pytest.raises(MXNetError, match=r"index file .*data\.idx' does not exist"):
        RecordFileDetection(rec)


# -- detection labels (MXNet's A/B layout) ----------------------------------------------------------

BAD_LABELS = {
    "trailing-values": [2, 5, 0, .1, .1, .6],                # 4 values after the header: not whole objects
    "header-longer-than-label": [4, 5, 0, .1, .1, .6],      # A = 4 but only 6 values in all
    "object-width-below-5": [2, 3, 0, .1, .1, .6],          # B = 3
    "fractional-header-width": [2.5, 5, 0, .1, .1, .6, .6],
    "nan-header-width": [np.nan, 5, 0, .1, .1, .6, .6],
    "inf-object-width": [2, np.inf, 0, .1, .1, .6, .6],
    "single-value": [2],
}


@pytest.mark.parametrize("label", BAD_LABELS.values(), ids=BAD_LABELS.keys())
def test_label_not_matching_its_header_names_the_record(tmp_path, label):
    rec, idx = with_bad_record(tmp_path, det_record(BAD_KEY, label=label))
    with pytest.raises(RecordIOError, match=rf"parse_det_label: .*data\.rec key {BAD_KEY}: "):
        count_epoch(det_iter(rec, idx))
    with pytest.raises(RecordIOError, match=rf"parse_det_label: .*data\.rec record #{BAD_KEY}: "):
        RecordFileDetection(rec)[BAD_KEY]


@pytest.mark.parametrize("label", BAD_LABELS.values(), ids=BAD_LABELS.keys())
def test_label_not_matching_its_header_skipped_when_asked(tmp_path, label):
    rec, idx = with_bad_record(tmp_path, det_record(BAD_KEY, label=label))
    it = det_iter(rec, idx, on_error="skip")
    with pytest.warns(UserWarning, match=rf"skipping sample: parse_det_label: .*key {BAD_KEY}"):
        assert count_epoch(it) == 3
    assert it.skip_reasons == {"bad label": 1}
    with pytest.warns(UserWarning, match=r"skipped 1 sample\(s\) in epoch 0 \(1 bad label\)"):
        it.reset()


def test_inverted_boxes_are_dropped_and_an_emptied_sample_counted(tmp_path):
    """MXNet drops boxes with xmax <= xmin or ymax <= ymin; a sample left without objects is skipped."""
    rec, idx = write_rec(tmp_path, [det_record(0, [[0, .1, .1, .6, .6], [1, .6, .1, .2, .5]]),
                                    det_record(1, [[0, .6, .6, .1, .1]]), det_record(2), det_record(3)])
    it = det_iter(rec, idx, batch_size=3)
    batch = it.next()
    labels = batch.label[0].asnumpy()
    assert labels.shape == (3, 1, 5)          # the inverted second box of record 0 is gone
    np.testing.assert_allclose(labels[0, 0], [0, .1, .1, .6, .6], rtol=1e-6)
    assert it.skip_reasons == {"no valid object": 1}
    count_epoch(it)
    with pytest.warns(UserWarning, match=r"skipped 1 sample\(s\) in epoch 0 \(1 no valid object\)"):
        it.reset()


def test_boxes_outside_unit_square_name_the_record(tmp_path):
    rec, idx = with_bad_record(tmp_path, det_record(BAD_KEY, [[0, -.5, .1, 1.7, .6]]))
    with pytest.raises(MXNetError, match=rf"data\.rec key {BAD_KEY}: .*outside"):
        count_epoch(det_iter(rec, idx))
    it = det_iter(rec, idx, on_error="skip")
    with pytest.warns(UserWarning, match=rf"key {BAD_KEY}"):
        assert count_epoch(it) == 3


# -- empty sets ---------------------------------------------------------------------------------------

def test_empty_rec_names_the_file(tmp_path):
    rec, idx = write_rec(tmp_path, [])
    with pytest.raises(MXNetError, match=r"no sample with a valid object in .*data\.rec"):
        det_iter(rec, idx)
    assert len(RecordFileDetection(rec)) == 0
    assert list(DataLoader(RecordFileDetection(rec), batch_size=2)) == []


def test_rec_without_any_valid_box_names_the_file(tmp_path):
    rec, idx = write_rec(tmp_path, [det_record(i, [[0, .5, .5, .5, .9]]) for i in range(3)])
    with pytest.raises(MXNetError, match=r"no sample with a valid object in .*data\.rec"):
        det_iter(rec, idx)


def test_empty_image_folder_has_no_samples(tmp_path):
    assert len(ImageFolderDataset(str(tmp_path))) == 0


def test_missing_image_folder_is_an_mxnet_error(tmp_path):
    with pytest.raises(MXNetError, match="no-such-folder"):
        ImageFolderDataset(str(tmp_path / "no-such-folder"))


# -- odd images ---------------------------------------------------------------------------------------

ODD_IMAGES = {"1x1": np.full((1, 1, 3), 7, np.uint8), "7x13-grey": np.full((7, 13), 7, np.uint8),
              "13x7-rgba": np.full((13, 7, 4), 7, np.uint8), "300x5": np.full((300, 5, 3), 7, np.uint8)}


def test_odd_sizes_grey_and_rgba_images_become_three_channel_batches(tmp_path):
    rec, idx = write_rec(tmp_path, [det_record(i, image=img) for i, img in enumerate(ODD_IMAGES.values())])
    it = det_iter(rec, idx, batch_size=4)
    batch = it.next()
    assert batch.data[0].shape == (4,) + DATA_SHAPE and batch.pad == 0
    assert np.isfinite(batch.data[0].asnumpy()).all()
    dataset = RecordFileDetection(rec)
    shapes = [dataset[i][0].shape for i in range(len(dataset))]
    assert shapes == [(1, 1, 3), (7, 13, 3), (13, 7, 3), (300, 5, 3)]
    np.testing.assert_allclose(dataset[3][1][0, :4], [.1 * 5, .1 * 300, .6 * 5, .6 * 300], rtol=1e-5)


@pytest.mark.parametrize("mode", ["L", "LA", "RGBA", "P", "I;16", "CMYK"])
def test_image_folder_dataset_decodes_every_mode_to_rgb(tmp_path, mode):
    (tmp_path / "cls").mkdir()
    suffix = ".jpg" if mode == "CMYK" else ".png"
    Image.new(mode, (5, 3)).save(tmp_path / "cls" / f"img{suffix}")
    image, label = ImageFolderDataset(str(tmp_path))[0]
    assert image.shape == (3, 5, 3) and image.dtype == np.uint8 and label == 0


def test_warnings_do_not_leak_from_clean_epochs(tmp_path):
    rec, idx = write_rec(tmp_path, [det_record(i) for i in range(3)])
    it = det_iter(rec, idx, on_error="skip")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert count_epoch(it) == 3
        it.reset()
