"""gluon.data: datasets, samplers, batchify, DataLoader (processes, threads, seeding, errors) and transport."""
import random

import numpy as np
import pytest

import ssdkit as mx
from ssdkit.base import MXNetError, get_rng
from ssdkit.gluon.data import (ArrayDataset, BatchSampler, DataLoader, IntervalSampler, RandomSampler,
                               RecordFileDataset, SequentialSampler, SimpleDataset, batchify, vision)
from ssdkit.gluon.data._transport import TransportError, decode, encode
from ssdkit.gluon.data._workers import WorkerError
from ssdkit.recordio import IRHeader, MXIndexedRecordIO, pack_img


# -- datasets ------------------------------------------------------------------------------------------

def test_dataset_views():
    ds = SimpleDataset(list(range(10)))
    assert list(ds.transform(lambda x: x * 2).take(3)) == [0, 2, 4]
    assert list(ds.filter(lambda x: x % 4 == 0)) == [0, 4, 8]
    assert [list(ds.shard(3, i)) for i in range(3)] == [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert list(ds.sample(IntervalSampler(10, 5))) == [0, 5, 1, 6, 2, 7, 3, 8, 4, 9]
    calls = []
    eager = ds.transform(lambda x: calls.append(x) or x, lazy=False)
    assert len(calls) == 10 and eager[3] == 3 and len(calls) == 10
    pairs = ArrayDataset(np.arange(3), ["a", "b", "c"]).transform_first(lambda x: x + 10)
    assert pairs[2] == (12, "c")
    with pytest.raises(MXNetError, match="same length"):
        ArrayDataset([1, 2], [1])
    with pytest.raises(MXNetError, match="Sampler"):
        ds.sample([1, 2])


def test_array_dataset_unwraps_1d_ndarrays():
    x, y = ArrayDataset(mx.nd.ones((2, 3)), mx.nd.array([4, 5]))[1]
    assert isinstance(x, mx.nd.NDArray) and isinstance(y, np.float32) and y == 5


# -- samplers ------------------------------------------------------------------------------------------

def test_batch_sampler_modes():
    assert list(BatchSampler(SequentialSampler(7), 3, "keep")) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(BatchSampler(SequentialSampler(7), 3, "discard")) == [[0, 1, 2], [3, 4, 5]]
    roll = BatchSampler(SequentialSampler(7), 3, "rollover")
    assert len(roll) == 2 and list(roll) == [[0, 1, 2], [3, 4, 5]]
    assert len(roll) == 2 and list(roll) == [[6, 0, 1], [2, 3, 4]] and list(roll) == [[5, 6, 0], [1, 2, 3], [4, 5, 6]]
    with pytest.raises(MXNetError, match="last_batch"):
        BatchSampler(SequentialSampler(3), 2, "wrap")
    with pytest.raises(MXNetError, match="batch_size"):
        BatchSampler(SequentialSampler(3), 0)


def test_random_sampler_follows_mx_random_seed():
    mx.random.seed(3)
    first = list(RandomSampler(20))
    mx.random.seed(3)
    assert list(RandomSampler(20)) == first and sorted(first) == list(range(20))


# -- batchify ------------------------------------------------------------------------------------------

def test_pad_stack_tuple():
    labels = [np.ones((2, 5)), np.ones((0, 5)), np.ones((1, 5))]
    padded, lengths = batchify.Pad(ret_length=True)(labels)
    assert padded.shape == (3, 2, 5) and padded.dtype == np.float32 and lengths.asnumpy().tolist() == [2, 0, 1]
    assert (padded.asnumpy()[1] == -1).all() and (padded.asnumpy()[2, 1] == -1).all()
    wide = batchify.Pad(axis=1, pad_val=0, dtype="int32")([np.ones((2, 1)), np.ones((2, 3))])
    assert wide.shape == (2, 2, 3) and wide.dtype == np.int32
    with pytest.raises(MXNetError, match="only along axis"):
        batchify.Pad()([np.ones((1, 5)), np.ones((1, 6))])
    with pytest.raises(MXNetError, match="Pad"):
        batchify.Stack()([np.ones(2), np.ones(3)])
    with pytest.raises(MXNetError, match="2 functions"):
        batchify.Tuple(batchify.Stack(), batchify.Stack())([(1,)])
    images, boxes = batchify.Tuple([batchify.Stack(), batchify.Pad()])([(np.zeros((3, 2, 2)), np.ones((1, 5)))] * 2)
    assert images.shape == (2, 3, 2, 2) and boxes.shape == (2, 1, 5)


def test_default_batchify_dtypes():
    batch = batchify.default_batchify_fn([(np.zeros(2, np.uint8), 1, 0.5), (np.ones(2, np.uint8), 2, 1.5)])
    assert [b.dtype for b in batch] == [np.uint8, np.int64, np.float32]
    nd_batch = batchify.default_batchify_fn([mx.nd.ones((2,)), mx.nd.zeros((2,))])
    assert nd_batch.shape == (2, 2)


# -- transport -----------------------------------------------------------------------------------------

def test_transport_round_trip():
    value = {"a": (np.arange(6, dtype=np.int16).reshape(2, 3), [np.float32(2.5), None, True]),
             "nd": mx.nd.ones((2, 2)), 3: b"\x00\x01", "nan": float("nan"), "empty": np.zeros((0, 4))}
    skeleton, buffers = encode(value)
    out = decode(skeleton, [b.copy() for b in buffers])
    assert out["a"][0].dtype == np.int16 and out["a"][0].tolist() == [[0, 1, 2], [3, 4, 5]]
    assert out["a"][1][0] == np.float32(2.5) and out["a"][1][1:] == [None, True]
    assert isinstance(out["nd"], mx.nd.NDArray) and out[3] == b"\x00\x01" and np.isnan(out["nan"])
    assert out["empty"].shape == (0, 4)
    with pytest.raises(TransportError, match="cannot send"):
        encode(object())
    with pytest.raises(TransportError, match="dtype object"):
        encode(np.array([None]))


# -- DataLoader ----------------------------------------------------------------------------------------

class NoisyDataset(SimpleDataset):
    """Samples that draw from all three random sources (as ported transforms do)."""

    def __getitem__(self, idx):
        return (np.float32(idx) + get_rng().random(3).astype(np.float32), np.random.rand(), random.random(), idx)


def _epochs(loader, count=2):
    return [[tuple(np.asarray(field).copy() for field in batch) for batch in loader] for _ in range(count)]


def test_loader_batches_identical_with_0_and_2_workers():
    ds = NoisyDataset(list(range(11)))
    runs = {}
    for workers in (0, 2):
        mx.random.seed(123)
        loader = DataLoader(ds, batch_size=3, shuffle=True, num_workers=workers)
        runs[workers] = _epochs(loader)
        loader.close()
    for epoch0, epoch2 in zip(runs[0], runs[2]):
        assert len(epoch0) == len(epoch2) == 4
        for a, b in zip(epoch0, epoch2):
            for x, y in zip(a, b):
                np.testing.assert_array_equal(x, y)
    first, second = runs[0]
    assert not np.array_equal(first[0][0], second[0][0])          # a new epoch draws new numbers
    values = np.concatenate([b[1] for b in first])
    assert len(np.unique(values)) == len(values)                # no two samples share a random stream


def test_loader_last_batch_modes():
    ds = ArrayDataset(np.arange(7))
    sizes = {mode: [len(b) for b in DataLoader(ds, batch_size=3, last_batch=mode)]
             for mode in ("keep", "discard", "rollover")}
    assert sizes == {"keep": [3, 3, 1], "discard": [3, 3], "rollover": [3, 3]}
    roll = DataLoader(ds, batch_size=3, last_batch="rollover", num_workers=2)
    assert [b.asnumpy().tolist() for b in roll][-1] == [3, 4, 5]
    assert [b.asnumpy().tolist() for b in roll][0] == [6, 0, 1]
    roll.close()


def test_loader_argument_errors():
    with pytest.raises(MXNetError, match="batch_size"):
        DataLoader([1, 2])
    with pytest.raises(MXNetError, match="shuffle"):
        DataLoader([1, 2], batch_size=1, shuffle=True, sampler=SequentialSampler(2))
    with pytest.raises(MXNetError, match="batch_sampler"):
        DataLoader([1, 2], batch_size=1, batch_sampler=BatchSampler(SequentialSampler(2), 1))
    assert len(DataLoader([1, 2, 3], batch_size=2)) == 2


def _explode(x):
    if x == 4:
        raise ValueError("sample four is broken")
    return x


def test_worker_errors_are_reported_with_traceback():
    loader = DataLoader(SimpleDataset(list(range(6))).transform(_explode), batch_size=2, num_workers=2)
    with pytest.raises(WorkerError, match="sample four is broken(.|\n)*worker traceback"):
        list(loader)
    bad = DataLoader(SimpleDataset([1, 2]), batch_size=2, num_workers=1, batchify_fn=lambda samples: object())
    with pytest.raises(WorkerError, match="cannot send"):
        list(bad)
    loader.close()
    bad.close()


def test_abandoned_epoch_does_not_leak_into_the_next():
    loader = DataLoader(ArrayDataset(np.arange(20)), batch_size=2, num_workers=2, prefetch=6)
    for i, _ in enumerate(loader):
        if i == 1:
            break
    assert [b.asnumpy().tolist() for b in loader][0] == [0, 1]
    loader.close()


def test_thread_pool_and_ndarray_samples():
    ds = SimpleDataset([mx.nd.full((2,), i) for i in range(5)])
    batches = list(DataLoader(ds, batch_size=2, num_workers=2, thread_pool=True))
    assert [b.asnumpy()[:, 0].tolist() for b in batches] == [[0, 1], [2, 3], [4]]
    numpy_out = list(DataLoader(ds, batch_size=5, num_workers=1, batchify_fn=lambda s: np.stack(
        [np.asarray(x) for x in s])))
    assert isinstance(numpy_out[0], np.ndarray) and numpy_out[0].shape == (5, 2)


# -- file datasets -------------------------------------------------------------------------------------

def _image_rec(tmp_path, count=3):
    rec, idx = str(tmp_path / "img.rec"), str(tmp_path / "img.idx")
    with MXIndexedRecordIO(idx, rec, "w") as writer:
        for i in range(count):
            writer.write_idx(i, pack_img(IRHeader(0, float(i), i, 0), np.full((4, 6, 3), i * 10, np.uint8),
                                         img_fmt=".png"))
    return rec


def test_record_datasets(tmp_path):
    rec = _image_rec(tmp_path)
    assert len(RecordFileDataset(rec)) == 3
    img, label = vision.ImageRecordDataset(rec)[2]
    assert img.shape == (4, 6, 3) and (img.asnumpy() == 20).all() and label == 2.0
    grey, _ = vision.ImageRecordDataset(rec, flag=0)[1]
    assert grey.shape == (4, 6, 1)
    with pytest.raises(IndexError):
        RecordFileDataset(rec)[3]
    (tmp_path / "lonely.rec").write_bytes(b"")
    with pytest.raises(MXNetError, match="lonely.idx"):
        RecordFileDataset(str(tmp_path / "lonely.rec"))


def test_record_dataset_through_workers(tmp_path):
    ds = vision.ImageRecordDataset(_image_rec(tmp_path, 6)).transform_first(lambda img: img.astype("float32"))
    loader = DataLoader(ds, batch_size=4, num_workers=2)
    images, labels = zip(*loader)
    assert [x.shape for x in images] == [(4, 4, 6, 3), (2, 4, 6, 3)]
    assert labels[0].asnumpy().tolist() == [0, 1, 2, 3] and images[1].asnumpy()[1].mean() == 50
    loader.close()


def test_image_folder_dataset(tmp_path):
    from PIL import Image
    for cls in ("b_dogs", "a_cats"):
        (tmp_path / cls).mkdir()
        Image.new("RGB", (3, 2), (1, 2, 3)).save(tmp_path / cls / "x.png")
    (tmp_path / "a_cats" / "notes.txt").write_text("not an image")
    with pytest.warns(UserWarning, match="notes.txt"):
        ds = vision.ImageFolderDataset(str(tmp_path))
    assert ds.synsets == ["a_cats", "b_dogs"] and [label for _, label in ds.items] == [0, 1]
    img, label = ds[1]
    assert img.shape == (2, 3, 3) and img.asnumpy()[0, 0].tolist() == [1, 2, 3] and label == 1


def _sleepy(payload, task):
    import time
    time.sleep(task)
    return task


def _die(payload, task):
    import os
    os._exit(3)


def test_worker_timeout_and_death_are_explained():
    from ssdkit.gluon.data._workers import WorkerPool
    pool = WorkerPool(1, _sleepy, None, base_seed=0, timeout=1, name="Probe")
    with pytest.raises(WorkerError, match=r"Probe: worker 0 returned nothing for task 0 within 1 s"):
        pool.result(pool.submit(5, [0]))
    assert pool.closed
    pool = WorkerPool(1, _die, None, base_seed=0, name="Probe")
    with pytest.raises(WorkerError, match=r"worker 0 .*exit code 3"):
        pool.result(pool.submit(0, [0]))


def test_image_folder_dataset_missing_root(tmp_path):
    with pytest.raises(MXNetError, match="no-such-folder"):
        vision.ImageFolderDataset(str(tmp_path / "no-such-folder"))


def test_pin_memory_batches_report_the_pinned_context_as_mxnet():
    import ssdkit as mx
    from ssdkit import gluon
    data = gluon.data.ArrayDataset(np.ones((5, 2), np.float32), np.arange(5))
    for x, y in gluon.data.DataLoader(data, 2, pin_memory=True, pin_device_id=0):
        assert x.context == mx.context.cpu_pinned(0) and y.context == mx.context.cpu_pinned(0)
        assert x.as_in_context(mx.cpu()).context == mx.cpu()
    assert next(iter(gluon.data.DataLoader(data, 2)))[0].context == mx.cpu()
