"""Reliability, fuzzed parsers: every file reader raises only its documented error type (an MXNetError
subclass) on damaged input -- never IndexError, KeyError, struct.error, UnicodeDecodeError, a numpy
internal or a hang.

Inputs are valid files mutated by bit flips, truncation, insertion, deletion and boundary integers, JSON
documents with a value swapped for a random one, and plain random bytes. Each target runs a bounded number
of derandomized examples (the same on every machine), so the whole file takes a few seconds.
See /work/notes/reliability_matrix.md for the case list.
"""
import functools
import json
import re
import struct
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import ssdkit as mx
from ssdkit.base import MXNetError
from ssdkit.recordio import (IRHeader, MXIndexedRecordIO, MXRecordIO, RecordIOError, make_det_label, pack,
                             pack_img, parse_det_label, unpack, unpack_img)

MXNET_DATA = Path(__file__).resolve().parent / "data" / "mxnet"
FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
#: Integers a length or count field is most likely to break on.
BOUNDARY_INTS = (0, 1, 2, 3, 4, 5, 0x7F, 0xFF, 0x7FFFFFFF, 0xFFFFFFFF, 0xCED7230A, 0xF993FAC9)


# -- mutation strategies ------------------------------------------------------------------------------

@st.composite
def mutated(draw, seed_bytes):
    """``seed_bytes`` with 1-4 random edits (bit flip, truncation, insertion, deletion, boundary word)."""
    data = bytearray(seed_bytes)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(("flip", "truncate", "insert", "delete", "word")))
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif kind == "truncate":
            del data[pos:]
        elif kind == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=16))
        elif kind == "delete":
            del data[pos:pos + draw(st.integers(1, 16))]
        elif kind == "word" and len(data) >= pos + 4:
            data[pos:pos + 4] = struct.pack("<I", draw(st.sampled_from(BOUNDARY_INTS)))
    return bytes(data)


def damaged(seed_bytes):
    """Mutations of a valid file, or plain random bytes."""
    return st.one_of(mutated(seed_bytes), st.binary(max_size=256))


#: Characters of strings in random JSON (an explicit alphabet keeps hypothesis from building its
#: Unicode tables, seconds per run); includes what attribute parsers split on and a non-ASCII letter.
TEXT = st.text(alphabet="ab01-.,()[] _xé", max_size=8)
#: Keys random objects use: mostly the ones the loaders look up, so edits reach deep code paths.
KEYS = st.one_of(st.sampled_from(("op", "name", "inputs", "attrs", "heads", "nodes", "id", "image_id",
                                  "bbox", "area", "width", "height", "file_name", "category_id")), TEXT)
JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2 ** 70, 2 ** 70),
                         st.floats(allow_nan=False), TEXT)
JSON_VALUES = st.recursive(JSON_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                                 st.dictionaries(KEYS, inner, max_size=4)),
                           max_leaves=8)


def _containers(doc, path=()):
    """Paths of every list item and dict value in a JSON document."""
    items = doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else ()
    for key, value in items:
        yield path + (key,)
        yield from _containers(value, path + (key,))


@st.composite
def json_edited(draw, doc):
    """``doc`` (a parsed JSON document) with 1-3 values replaced by random JSON values or deleted."""
    doc = json.loads(json.dumps(doc))
    for _ in range(draw(st.integers(1, 3))):
        paths = list(_containers(doc))
        if not paths:
            break
        path = paths[draw(st.integers(0, len(paths) - 1))]
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        if draw(st.booleans()):
            parent[path[-1]] = draw(JSON_VALUES)
        else:
            del parent[path[-1]]
    return doc


def only_raises(allowed, fn, *args):
    """Run ``fn``; documented errors are fine, anything else propagates and fails the example."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(*args)
    except allowed as err:
        assert str(err), f"{type(err).__name__} without a message"
        return None


# -- RecordIO ---------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def _seed_recordio():
    """``(rec bytes, idx bytes)`` of a small indexed .rec: a multi-part record (payload holding the magic
    word), an image record with a detection label and a scalar-label record."""
    image = pack_img(IRHeader(0, make_det_label([[0, .1, .2, .5, .6], [1, .3, .3, .9, .8]]), 7, 0),
                     np.full((5, 4, 3), 9, np.uint8), img_fmt=".png")
    with tempfile.TemporaryDirectory() as d:
        rec, idx = Path(d) / "seed.rec", Path(d) / "seed.idx"
        with MXIndexedRecordIO(str(idx), str(rec), "w") as w:
            w.write_idx(0, b"head" + struct.pack("<I", 0xCED7230A) + b"tail")
            w.write_idx(1, image)
            w.write_idx(2, pack(IRHeader(0, 3.0, 2, 0), b"xyz"))
        return rec.read_bytes(), idx.read_bytes()


def _read_every_record(path):
    with MXRecordIO(str(path), "r") as reader:
        for _ in range(64):   # a damaged file cannot hold more records than this; guards against loops
            record = reader.read()
            if record is None:
                return
            _inspect_record(record)
        raise AssertionError("reader did not reach the end of a small damaged file")


def _inspect_record(record):
    header, _ = only_raises(RecordIOError, unpack, record) or (None, None)
    if header is not None and header.flag > 0:
        only_raises(RecordIOError, parse_det_label, header.label, "fuzz")
    only_raises(RecordIOError, unpack_img, record)


@FUZZ
@given(data=st.data())
def test_recordio_reader_raises_only_recordio_error(tmp_path_factory, data):
    d = tmp_path_factory.mktemp("rec")
    seed, _ = _seed_recordio()
    path = d / "fuzz.rec"
    path.write_bytes(data.draw(damaged(seed)))
    only_raises(RecordIOError, _read_every_record, path)


@FUZZ
@given(data=st.data())
def test_recordio_index_reader_raises_only_recordio_error(tmp_path_factory, data):
    d = tmp_path_factory.mktemp("idx")
    seed_rec, seed_idx = _seed_recordio()
    (d / "fuzz.rec").write_bytes(data.draw(st.one_of(st.just(seed_rec), mutated(seed_rec))))
    (d / "fuzz.idx").write_bytes(data.draw(damaged(seed_idx)))

    def read_by_key():
        with MXIndexedRecordIO(str(d / "fuzz.idx"), str(d / "fuzz.rec"), "r") as reader:
            for key in reader.keys:
                record = only_raises(RecordIOError, reader.read_idx, key)
                if record is not None:
                    _inspect_record(record)

    only_raises(RecordIOError, read_by_key)


@FUZZ
@given(label=st.lists(st.floats(width=32), max_size=24))
def test_det_label_parser_raises_only_recordio_error(label):
    only_raises(RecordIOError, parse_det_label, np.array(label, np.float32), "fuzz")


# -- .params (MXNet NDArray files) ------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def _seed_params():
    arrays = {"0.weight": mx.nd.array(np.arange(6, dtype=np.float32).reshape(2, 3)),
              "0.bias": mx.nd.array(np.array([1, 2], np.int64), dtype="int64"),
              "mask": mx.nd.array(np.array([1, 0, 1], np.uint8), dtype="uint8")}
    return mx.nd.save_tobytes(arrays)


@functools.lru_cache(maxsize=None)
def _seed_params_mxnet():
    path = MXNET_DATA / "nd_save_np_shape.params"
    return path.read_bytes() if path.exists() else _seed_params()


@FUZZ
@given(data=st.data())
def test_params_reader_raises_only_mxnet_error(data):
    seed = data.draw(st.sampled_from((_seed_params(), _seed_params_mxnet())))
    buf = data.draw(damaged(seed))
    loaded = only_raises(MXNetError, mx.nd.load_frombuffer, buf, "fuzz.params")
    if loaded is not None:   # whatever loads must be usable arrays
        for array in (loaded.values() if isinstance(loaded, dict) else loaded):
            assert isinstance(array.asnumpy(), np.ndarray)


@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_params_file_reader_names_the_file(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("params") / "fuzz.params"
    path.write_bytes(data.draw(mutated(_seed_params())))
    try:
        mx.nd.load(str(path))
    except MXNetError as err:
        assert str(path) in str(err)


# -- symbol JSON -------------------------------------------------------------------------------------

def _seed_symbol_doc():
    return json.loads(_seed_symbol_json())


@functools.lru_cache(maxsize=None)
def _seed_symbol_json():
    data = mx.sym.var("data")
    conv = mx.sym.Convolution(data, kernel=(3, 3), num_filter=4, pad=(1, 1), name="conv0")
    bn = mx.sym.BatchNorm(conv, name="bn0")
    act = mx.sym.Activation(bn, act_type="relu", name="relu0")
    pool = mx.sym.Pooling(act, kernel=(2, 2), stride=(2, 2), pool_type="max", name="pool0")
    out = mx.sym.FullyConnected(mx.sym.flatten(pool), num_hidden=3, name="fc0")
    return out.tojson()


def _load_symbol(text):
    symbol = mx.sym.load_json(text)
    symbol.list_outputs()
    symbol.list_arguments()
    symbol.tojson()
    return symbol


@FUZZ
@given(data=st.data())
def test_symbol_json_loader_raises_only_mxnet_error_on_edited_documents(data):
    doc = data.draw(json_edited(_seed_symbol_doc()))
    only_raises(MXNetError, _load_symbol, json.dumps(doc))


@FUZZ
@given(data=st.data())
def test_symbol_json_loader_raises_only_mxnet_error_on_damaged_bytes(data):
    path = MXNET_DATA / "hybridseq-symbol.json"
    seed = path.read_bytes() if path.exists() else _seed_symbol_json().encode()
    raw = data.draw(damaged(seed))
    only_raises(MXNetError, _load_symbol, raw.decode("utf-8", errors="replace"))


@settings(max_examples=30, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_symbol_file_reader_handles_undecodable_bytes(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("sym") / "fuzz-symbol.json"
    path.write_bytes(data.draw(mutated(_seed_symbol_json().encode())))
    only_raises(MXNetError, mx.sym.load, str(path))


# -- VOC XML and COCO JSON (ssdkit.detection.data) ----------------------------------------------------

VOC_XML = (b"<annotation><size><width>20</width><height>10</height></size>"
           b"<object><name>dog</name><difficult>1</difficult><bndbox><xmin>2</xmin><ymin>3</ymin>"
           b"<xmax>11</xmax><ymax>10</ymax></bndbox></object>"
           b"<object><name>cat</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>5</xmax><ymax>5</ymax>"
           b"</bndbox></object></annotation>")


def _voc_root(tmp_path, xml_bytes):
    from PIL import Image
    voc = tmp_path / "VOC2007"
    for sub in ("ImageSets/Main", "Annotations", "JPEGImages"):
        (voc / sub).mkdir(parents=True, exist_ok=True)
    (voc / "ImageSets/Main/trainval.txt").write_text("000001\n")
    Image.new("RGB", (20, 10)).save(voc / "JPEGImages/000001.jpg")
    (voc / "Annotations/000001.xml").write_bytes(xml_bytes)
    return tmp_path


def _load_voc(root):
    from ssdkit.detection.data import VOCDetection
    dataset = VOCDetection(str(root))
    image, label = dataset[0]
    assert label.ndim == 2 and label.shape[1] == 6
    return image, label


#: Element texts most likely to break number parsing and box validation.
TRICKY_TEXTS = ("", " ", "nan", "inf", "-inf", "1e309", "-1", "0", "20.5", "0x10", "1,5", "é", "&amp;", "dog",
                "<x/>", "99999999999999999999")


@st.composite
def voc_edited(draw):
    """VOC_XML with 1-3 element texts replaced by tricky values."""
    xml = VOC_XML.decode()
    for _ in range(draw(st.integers(1, 3))):
        texts = [(m.start(1), m.end(1)) for m in re.finditer(r">([^<]*)<", xml)]
        start, end = texts[draw(st.integers(0, len(texts) - 1))]
        xml = xml[:start] + draw(st.sampled_from(TRICKY_TEXTS)) + xml[end:]
    return xml.encode()


@FUZZ
@given(data=st.data())
def test_voc_loader_raises_only_mxnet_error(tmp_path_factory, data):
    root = _voc_root(tmp_path_factory.mktemp("voc"), data.draw(st.one_of(damaged(VOC_XML), voc_edited())))
    only_raises(MXNetError, _load_voc, root)


def _coco_doc():
    return {"categories": [{"id": 17, "name": "cat"}, {"id": 18, "name": "dog"}],
            "images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 8},
                       {"id": 2, "file_name": "a.jpg", "width": 10, "height": 8}],
            "annotations": [{"id": 5, "image_id": 1, "category_id": 18, "bbox": [1, 2, 4, 3], "area": 12},
                            {"id": 6, "image_id": 2, "category_id": 17, "bbox": [0, 0, 5, 5], "area": 25,
                             "iscrowd": 0}]}


def _coco_root(tmp_path, text):
    from PIL import Image
    (tmp_path / "annotations").mkdir(exist_ok=True)
    (tmp_path / "val").mkdir(exist_ok=True)
    Image.new("RGB", (10, 8)).save(tmp_path / "val" / "a.jpg")
    (tmp_path / "annotations" / "instances_val.json").write_bytes(text)
    return tmp_path


def _load_coco(root):
    from ssdkit.detection.data import COCODetection

    class Pets(COCODetection):
        CLASSES = ["cat", "dog"]

    dataset = Pets(str(root), splits="instances_val")
    for i in range(len(dataset)):
        _, label = dataset[i]
        assert label.ndim == 2 and label.shape[1] == 5
    dataset.get_im_aspect_ratio()


@FUZZ
@given(data=st.data())
def test_coco_loader_raises_only_mxnet_error_on_edited_documents(tmp_path_factory, data):
    doc = data.draw(json_edited(_coco_doc()))
    root = _coco_root(tmp_path_factory.mktemp("coco"), json.dumps(doc).encode())
    only_raises(MXNetError, _load_coco, root)


@FUZZ
@given(data=st.data())
def test_coco_loader_raises_only_mxnet_error_on_damaged_bytes(tmp_path_factory, data):
    root = _coco_root(tmp_path_factory.mktemp("coco"), data.draw(damaged(json.dumps(_coco_doc()).encode())))
    only_raises(MXNetError, _load_coco, root)


def _coco_with(edit):
    doc = _coco_doc()
    edit(doc)
    return json.dumps(doc).encode()


COCO_CASES = {
    "not-utf8": b"\x80" + json.dumps(_coco_doc()).encode(),
    "image-without-file-name": _coco_with(lambda doc: doc["images"][0].pop("file_name")),
    "file-name-not-a-string": _coco_with(lambda doc: doc["images"][0].update(file_name={"a": 1})),
    "unhashable-image-id": _coco_with(lambda doc: doc["annotations"][0].update(image_id=[1])),
    "coco-url-not-a-string": _coco_with(lambda doc: doc["images"][0].update(coco_url=5)),
}


@pytest.mark.parametrize("text", COCO_CASES.values(), ids=COCO_CASES.keys())
def test_coco_loader_names_the_file_for_each_known_damage(tmp_path, text):
    root = _coco_root(tmp_path, text)
    with pytest.raises(MXNetError, match=r"instances_val\.json"):
        _load_coco(root)
