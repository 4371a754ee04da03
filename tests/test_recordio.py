"""RecordIO: dmlc-core framing byte for byte, round trips, index files, defensive reading, image and
detection-label records, and (when present) files written by MXNet 1.9.1 itself."""
import copy
import hashlib
import json
import multiprocessing
import os
import struct
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from ssdkit import recordio
from ssdkit.base import MXNetError
from ssdkit.recordio import (IRHeader, MXIndexedRecordIO, MXRecordIO, RecordIOError, make_det_label,
                             pack, pack_img, parse_det_label, unpack, unpack_img)

MAGIC = 0xCED7230A
MAGIC_BYTES = b"\x0a\x23\xd7\xce"   # little-endian on disk
MXNET_DATA = Path(__file__).resolve().parent / "data" / "mxnet"


def frame(cflag, payload):
    """One part as dmlc-core writes it, built independently of the code under test."""
    pad = (-len(payload)) % 4
    return MAGIC_BYTES + struct.pack("<I", (cflag << 29) | len(payload)) + payload + b"\0" * pad


def write_all(path, payloads):
    with MXRecordIO(str(path), "w") as rec:
        for p in payloads:
            rec.write(p)


def read_all(path):
    out = []
    with MXRecordIO(str(path), "r") as rec:
        while (item := rec.read()) is not None:
            out.append(item)
    return out


# -- framing, byte for byte --------------------------------------------------------------------------

def test_two_record_file_bytes_match_spec(tmp_path):
    path = tmp_path / "two.rec"
    write_all(path, [b"abc", b""])
    assert path.read_bytes() == frame(0, b"abc") + frame(0, b"")
    assert path.read_bytes()[:12] == bytes.fromhex("0a23d7ce" "03000000" "61626300")
    assert read_all(path) == [b"abc", b""]


def test_hand_built_file_is_read(tmp_path):
    path = tmp_path / "hand.rec"
    path.write_bytes(frame(0, b"hello") + frame(0, b"1234"))
    assert read_all(path) == [b"hello", b"1234"]


def test_aligned_magic_splits_into_parts():
    payload = MAGIC_BYTES + b"abcd" + MAGIC_BYTES + MAGIC_BYTES + b"xy"
    expected = frame(1, b"") + frame(2, b"abcd") + frame(2, b"") + frame(3, b"xy")
    assert recordio._frame(payload) == expected


def test_unaligned_magic_is_not_split():
    payload = b"z" + MAGIC_BYTES + b"zzz"
    assert recordio._frame(payload) == frame(0, payload)


def test_multi_part_record_is_rejoined(tmp_path):
    path = tmp_path / "parts.rec"
    path.write_bytes(frame(1, b"ab\0\0") + frame(3, b"c") + frame(0, b"next"))
    assert read_all(path) == [b"ab\0\0" + MAGIC_BYTES + b"c", b"next"]


# -- round trips -------------------------------------------------------------------------------------

def _with_magic(data, slots):
    words = bytearray(data)
    for slot in slots:
        at = slot * 4
        if at + 4 <= len(words):
            words[at:at + 4] = MAGIC_BYTES
    return bytes(words)


payloads = st.builds(_with_magic, st.binary(max_size=64), st.lists(st.integers(0, 15), max_size=4))


@settings(max_examples=60, deadline=None)
@given(st.lists(payloads, max_size=12))
def test_round_trip_random_payloads(tmp_path_factory, items):
    path = tmp_path_factory.mktemp("rt") / "x.rec"
    write_all(path, items)
    assert read_all(path) == items
    assert path.stat().st_size % 4 == 0


def test_many_records_and_reset(tmp_path):
    path = tmp_path / "many.rec"
    items = [os.urandom(i % 37) for i in range(2000)]
    write_all(path, items)
    with MXRecordIO(str(path), "r") as rec:
        assert [rec.read() for _ in items] == items
        assert rec.read() is None
        rec.reset()
        assert rec.read() == items[0]


@settings(max_examples=30, deadline=None)
@given(st.lists(payloads, min_size=1, max_size=10), st.randoms())
def test_indexed_random_access(tmp_path_factory, items, rnd):
    d = tmp_path_factory.mktemp("idx")
    idx, rec_path = str(d / "a.idx"), str(d / "a.rec")
    keys = rnd.sample(range(10_000), len(items))
    with MXIndexedRecordIO(idx, rec_path, "w") as rec:
        offsets = []
        for key, item in zip(keys, items):
            offsets.append(rec.tell())
            rec.write_idx(key, item)
    lines = Path(idx).read_text().splitlines()
    assert lines == [f"{k}\t{o}" for k, o in zip(keys, offsets)]
    reader = MXIndexedRecordIO(idx, rec_path, "r")
    assert reader.keys == keys
    order = list(range(len(items)))
    rnd.shuffle(order)
    for i in order:
        assert reader.read_idx(keys[i]) == items[i]
    reader.close()


def test_tell_matches_mxnet_docstring(tmp_path):
    # MXNet's own docstring: writing 'record_%d' five times reports 16, 32, 48, 64, 80.
    with MXIndexedRecordIO(str(tmp_path / "t.idx"), str(tmp_path / "t.rec"), "w") as rec:
        positions = []
        for i in range(5):
            rec.write_idx(i, b"record_%d" % i)
            positions.append(rec.tell())
    assert positions == [16, 32, 48, 64, 80]


def test_reader_survives_fork_and_copy(tmp_path):
    idx, path = str(tmp_path / "f.idx"), str(tmp_path / "f.rec")
    with MXIndexedRecordIO(idx, path, "w") as rec:
        for i in range(20):
            rec.write_idx(i, b"payload-%d" % i)
    reader = MXIndexedRecordIO(idx, path, "r")
    assert reader.read() == b"payload-0"
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_child_read, args=(reader, (17, 3), queue))   # inherited, not pickled
    child.start()
    got = [queue.get(timeout=30) for _ in range(3)]
    child.join(timeout=30)
    assert got == [b"payload-17", b"payload-3", b"payload-4"]
    assert reader.read() == b"payload-1"       # the parent's position is untouched
    clone = copy.deepcopy(reader)                 # how a spawned worker receives a reader
    assert clone.read() == b"payload-2" and clone.read_idx(19) == b"payload-19"
    reader.close()


def _child_read(reader, keys, queue):
    for key in keys:
        queue.put(reader.read_idx(key))
    queue.put(reader.read())


# -- defensive reading -------------------------------------------------------------------------------

def _expect(match, fn, *args):
    with pytest.raises(RecordIOError, match=match) as info:
        fn(*args)
    assert isinstance(info.value, MXNetError)
    return str(info.value)


def test_wrong_magic_names_file_and_record(tmp_path):
    path = tmp_path / "bad.rec"
    path.write_bytes(frame(0, b"good") + b"\xde\xad\xbe\xef" + frame(0, b"x")[4:])
    rec = MXRecordIO(str(path), "r")
    assert rec.read() == b"good"
    msg = _expect("bad magic 0xefbeadde", rec.read)
    assert str(path) in msg and "record #1" in msg and "offset 12" in msg


def test_truncated_payload(tmp_path):
    path = tmp_path / "trunc.rec"
    write_all(path, [b"first", b"second-record"])
    path.write_bytes(path.read_bytes()[:-6])
    rec = MXRecordIO(str(path), "r")
    assert rec.read() == b"first"
    msg = _expect("run past the end", rec.read)
    assert str(path) in msg and "record #1" in msg


def test_truncated_header(tmp_path):
    path = tmp_path / "trunc.rec"
    path.write_bytes(frame(0, b"abcd") + MAGIC_BYTES + b"\x01")
    rec = MXRecordIO(str(path), "r")
    rec.read()
    _expect("inside a frame header", rec.read)


def test_length_beyond_file_size(tmp_path):
    path = tmp_path / "long.rec"
    path.write_bytes(MAGIC_BYTES + struct.pack("<I", (1 << 29) - 1) + b"abcd")
    msg = _expect("536870911 bytes", MXRecordIO(str(path), "r").read)
    assert "12-byte file" in msg


def test_missing_end_part(tmp_path):
    path = tmp_path / "open.rec"
    path.write_bytes(frame(1, b"abcd"))
    _expect("truncated file", MXRecordIO(str(path), "r").read)


def test_bad_cflag_sequence(tmp_path):
    path = tmp_path / "seq.rec"
    path.write_bytes(frame(2, b"abcd"))
    _expect("cflag 2", MXRecordIO(str(path), "r").read)
    path.write_bytes(frame(1, b"abcd") + frame(0, b"x"))
    _expect("cflag 0", MXRecordIO(str(path), "r").read)


def test_index_offset_past_eof(tmp_path):
    idx, path = tmp_path / "p.idx", tmp_path / "p.rec"
    write_all(path, [b"a", b"b"])
    idx.write_text("0\t0\n1\t12\n2\t4096\n")
    msg = _expect("offset 4096 of key 2", MXIndexedRecordIO, str(idx), str(path), "r")
    assert f"{idx}:3" in msg and "24 bytes" in msg


def test_index_offset_inside_record(tmp_path):
    idx, path = tmp_path / "m.idx", tmp_path / "m.rec"
    write_all(path, [b"abcdefgh", b"b"])
    idx.write_text("0\t0\n1\t8\n")
    rec = MXIndexedRecordIO(str(idx), str(path), "r")
    assert rec.read_idx(0) == b"abcdefgh"
    msg = _expect("bad magic", rec.read_idx, 1)
    assert "key 1 at offset 8" in msg and str(path) in msg
    rec.close()
    data = bytearray(path.read_bytes())
    data[16:20] = b"XXXX"                    # break the second record's magic
    path.write_bytes(bytes(data))
    idx.write_text("0\t0\n")
    rec = MXIndexedRecordIO(str(idx), str(path), "r")
    assert rec.read_idx(0) == b"abcdefgh"
    assert "record #1 after key 0 at offset 16" in _expect("bad magic", rec.read)


def test_malformed_index_and_unknown_key(tmp_path):
    idx, path = tmp_path / "x.idx", tmp_path / "x.rec"
    write_all(path, [b"a"])
    idx.write_text("0 0\n")
    _expect(r"x.idx:1.*key<TAB>offset", MXIndexedRecordIO, str(idx), str(path), "r")
    idx.write_text("zero\t0\n")
    _expect("cannot parse", MXIndexedRecordIO, str(idx), str(path), "r")
    idx.write_text("0\t0\n\n")
    rec = MXIndexedRecordIO(str(idx), str(path), "r")
    _expect("key 5 is not in", rec.read_idx, 5)


def test_misuse(tmp_path):
    path = str(tmp_path / "u.rec")
    with pytest.raises(RecordIOError, match="flag"):
        MXRecordIO(path, "a")
    writer = MXRecordIO(path, "w")
    _expect("expects bytes, got str", writer.write, "text")
    _expect("opened with flag 'w'", writer.read)
    writer.close()
    _expect("closed", writer.write, b"x")
    _expect("cannot open", MXRecordIO, str(tmp_path / "missing.rec"), "r")


def test_close_flushes_and_empty_file_reads_none(tmp_path):
    path = tmp_path / "flush.rec"
    writer = MXRecordIO(str(path), "w")
    writer.write(b"x" * 10)
    writer.close()
    assert path.stat().st_size == 20
    write_all(path, [])
    assert MXRecordIO(str(path), "r").read() is None


# -- IRHeader / pack / unpack --------------------------------------------------------------------------

def test_pack_layout_scalar_and_array_label():
    s = pack(IRHeader(7, 2.5, 11, 3), b"data")
    assert s == struct.pack("<IfQQ", 0, 2.5, 11, 3) + b"data"   # flag forced to 0 for a scalar label
    s = pack(IRHeader(0, [1, 2], 11, 0), b"data")
    assert s[:24] == struct.pack("<IfQQ", 2, 0.0, 11, 0)
    assert s[24:32] == np.array([1, 2], "<f4").tobytes() and s[32:] == b"data"
    header, payload = unpack(s)
    assert header.flag == 2 and header.label.dtype == np.float32 and payload == b"data"
    assert unpack(pack(IRHeader(0, 4.0, 1, 0), b""))[0] == IRHeader(0, 4.0, 1, 0)


def test_unpack_errors():
    _expect("fewer than the 24-byte", unpack, b"short")
    _expect("announces 3 float32", unpack, struct.pack("<IfQQ", 3, 0, 0, 0) + b"\0" * 8)
    _expect("does not fit", pack, IRHeader(0, 1.0, -1, 0), b"")


def test_pack_img_png_round_trip_is_exact_and_bgr():
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (5, 7, 3), dtype=np.uint8)
    header, out = unpack_img(pack_img(IRHeader(0, 1.0, 3, 0), img, img_fmt=".png"))
    assert header.id == 3 and np.array_equal(out, img)
    _, as_rgb = unpack_img(pack_img(IRHeader(0, 1.0, 3, 0), img, img_fmt=".png"), rgb=True)
    assert np.array_equal(as_rgb, img[..., ::-1])
    from PIL import Image
    import io
    payload = unpack(pack_img(IRHeader(0, 0.0, 0, 0), img, img_fmt=".png"))[1]
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(payload))), img[..., ::-1])  # file holds RGB


def test_pack_img_jpeg_and_grey_modes():
    img = np.full((16, 16, 3), (40, 120, 200), np.uint8)
    _, out = unpack_img(pack_img(IRHeader(0, 0.0, 0, 0), img, quality=95))
    assert out.shape == img.shape and np.abs(out.astype(int) - img).max() <= 3
    _, grey = unpack_img(pack_img(IRHeader(0, 0.0, 0, 0), img), iscolor=0)
    expected = 0.114 * 40 + 0.587 * 120 + 0.299 * 200   # BGR weights of the ITU-R 601 luma
    assert grey.shape == (16, 16) and abs(int(grey[8, 8]) - expected) <= 3
    rgba = np.zeros((2, 2, 4), np.uint8)
    _expect("alpha", pack_img, IRHeader(0, 0.0, 0, 0), rgba)
    assert unpack_img(pack_img(IRHeader(0, 0.0, 0, 0), rgba, img_fmt=".png"))[1].shape == (2, 2, 4)
    _expect("uint8", pack_img, IRHeader(0, 0.0, 0, 0), img.astype(np.float32))
    _expect("unknown image format", pack_img, IRHeader(0, 0.0, 0, 0), img, 95, ".nope")
    _expect("cannot decode", unpack_img, pack(IRHeader(0, 0.0, 9, 0), b"not an image"))


# -- detection labels --------------------------------------------------------------------------------

@settings(max_examples=50, deadline=None)
@given(st.integers(2, 6), st.integers(5, 8), st.integers(0, 5), st.data())
def test_det_label_round_trip(width_a, width_b, count, data):
    objects = np.array(data.draw(st.lists(st.lists(st.floats(0, 1, width=32), min_size=width_b,
                                                   max_size=width_b), min_size=count, max_size=count)),
                       dtype=np.float32).reshape(count, width_b)
    extra = np.arange(width_a - 2, dtype=np.float32) + 100
    flat = make_det_label(objects, width_a, extra)
    assert flat.dtype == np.float32 and flat.shape == (width_a + count * width_b,)
    header, parsed = parse_det_label(flat)
    assert header.tolist() == [width_a, width_b] + extra.tolist()
    assert np.array_equal(parsed, objects)
    # and through a packed record, as ImageDetIter reads it
    got, _ = unpack(pack(IRHeader(0, flat, 0, 0), b""))
    assert np.array_equal(parse_det_label(got.label)[1], objects)


def test_det_label_errors_name_the_record():
    msg = _expect("do not fit", parse_det_label, [2, 5, 0, .1, .2, .3], "train.rec key 4")
    assert "train.rec key 4" in msg
    _expect("object width B=4", parse_det_label, [2, 4, 0, .1, .2, .3])
    _expect("header width A=1.5", parse_det_label, [1.5, 5, 0, .1, .2, .3, .4])
    _expect("at least", parse_det_label, [2])
    _expect(r"\(K, B\)", make_det_label, [0, .1, .2, .3, .4])
    _expect("extra_header", make_det_label, np.zeros((1, 5)), 4, [1.0])
    assert make_det_label(np.zeros((0, 6))).tolist() == [2.0, 6.0]
    assert parse_det_label(np.array([4, 5, 256, 256]))[1].shape == (0, 5)


# -- files written by MXNet 1.9.1 (tests/data/mxnet/README.md, section "RecordIO") --------------------

def _mxnet_recordio():
    spec_path = MXNET_DATA / "formats.json"
    if not (spec_path.exists() and (MXNET_DATA / "records.rec").exists()):
        pytest.skip(f"no MXNet-written RecordIO oracle in {MXNET_DATA}")
    return json.loads(spec_path.read_text())["recordio"]


def _sha(data):
    return hashlib.sha256(data).hexdigest()


def test_reads_mxnet_written_records():
    spec = _mxnet_recordio()
    rec_path, idx_path = MXNET_DATA / "records.rec", MXNET_DATA / "records.idx"
    assert [_sha(p) for p in read_all(rec_path)] == spec["sequential_read_sha256"]
    rec = MXIndexedRecordIO(str(idx_path), str(rec_path), "r")
    assert rec.keys == spec["keys"]
    for item in reversed(spec["records"]):        # random access, in an order MXNet did not write
        assert rec.idx[item["key"]] == item["offset"]
        payload = rec.read_idx(item["key"])
        assert len(payload) == item["length"] and _sha(payload) == item["sha256"], item["name"]
        assert rec.tell() == item["end_offset"]
        if "header" in item:
            header, body = unpack(payload)
            expected = item["header"]
            assert (header.flag, header.id, header.id2) == (expected["flag"], expected["id"], expected["id2"])
            assert np.array_equal(np.atleast_1d(header.label), np.atleast_1d(np.float32(expected["label"])))
            assert len(body) == item["body_length"] and _sha(body) == item["body_sha256"]
    rec.close()


def test_writes_the_bytes_mxnet_writes(tmp_path):
    spec = _mxnet_recordio()
    source = MXIndexedRecordIO(str(MXNET_DATA / "records.idx"), str(MXNET_DATA / "records.rec"), "r")
    idx, path = tmp_path / "same.idx", tmp_path / "same.rec"
    with MXIndexedRecordIO(str(idx), str(path), "w") as rec:
        for key in source.keys:
            rec.write_idx(key, source.read_idx(key))
    assert _sha(path.read_bytes()) == spec["rec_sha256"] and path.stat().st_size == spec["file_size"]
    assert idx.read_text() == spec["idx_text"]
    for item in spec["records"]:
        if item["name"].startswith("pack_") and "body_hex" in item:   # pack() itself is byte-exact
            header = IRHeader(0, item["header"]["label"], item["header"]["id"], item["header"]["id2"])
            if item["header"]["flag"] == 0:
                header = header._replace(label=float(item["header"]["label"]))
            assert pack(header, bytes.fromhex(item["body_hex"])).hex() == item["payload_hex"]


def test_decodes_mxnet_image_records_like_mxnet():
    _mxnet_recordio()
    expected = np.load(MXNET_DATA / "records_expected.npz")
    rec = MXIndexedRecordIO(str(MXNET_DATA / "records.idx"), str(MXNET_DATA / "records.rec"), "r")
    _, png = unpack_img(rec.read_idx(10))
    assert np.array_equal(png, expected["pack_img_png/cv2_bgr"])
    assert np.array_equal(png, expected["original_image_bgr"])
    assert np.array_equal(unpack_img(rec.read_idx(10), rgb=True)[1], expected["pack_img_png/mx_imdecode_rgb"])
    header, jpg = unpack_img(rec.read_idx(9))
    assert jpg.shape == (12, 20, 3)
    assert np.abs(jpg.astype(int) - expected["pack_img_jpeg/cv2_bgr"]).max() <= 2   # 0 here; decoders may round
    head, objects = parse_det_label(header.label, "records.rec key 9")
    assert head.tolist() == [2, 5] and objects.shape == (2, 5)
    assert np.allclose(objects[1], [1, .3, .3, .9, .8])
    rec.close()
