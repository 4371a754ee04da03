"""gluon.contrib.data.IntervalSampler yields MXNet 1.9.1's order (its docstring's examples) and works as a
DataLoader sampler."""
import pytest

import ssdkit as mx
from ssdkit.gluon.contrib.data import IntervalSampler


def test_interval_order_with_and_without_rollover():
    assert list(IntervalSampler(13, interval=3)) == [0, 3, 6, 9, 12, 1, 4, 7, 10, 2, 5, 8, 11]
    assert list(IntervalSampler(13, interval=3, rollover=False)) == [0, 3, 6, 9, 12]
    assert sorted(IntervalSampler(10, 3)) == list(range(10))
    assert list(IntervalSampler(4, 4)) == [0, 1, 2, 3]
    assert len(IntervalSampler(10, 3, rollover=False)) == 10   # MXNet reports length either way


def test_interval_larger_than_length_is_refused():
    with pytest.raises(AssertionError, match="Interval 5 must be smaller than or equal to length 4"):
        IntervalSampler(4, 5)


def test_drives_a_dataloader():
    data = mx.gluon.data.ArrayDataset(mx.nd.arange(6))
    loader = mx.gluon.data.DataLoader(data, batch_size=3, sampler=IntervalSampler(6, 2))
    assert [b.asnumpy().tolist() for b in loader] == [[0, 2, 4], [1, 3, 5]]
