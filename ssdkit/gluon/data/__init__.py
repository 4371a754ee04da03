"""``mx.gluon.data`` (layer 5): datasets, samplers, batchify functions and the DataLoader.

Examples
--------
>>> from ssdkit.gluon import data
>>> loader = data.DataLoader(data.ArrayDataset([1, 2, 3], [4, 5, 6]), batch_size=2)
>>> [[x.asnumpy().tolist(), y.asnumpy().tolist()] for x, y in loader]
[[[1, 2], [4, 5]], [[3], [6]]]
"""
from . import batchify, vision
from .dataloader import DataLoader, default_batchify_fn, default_mp_batchify_fn
from .dataset import ArrayDataset, Dataset, RecordFileDataset, SimpleDataset
from .sampler import BatchSampler, FilterSampler, IntervalSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["Dataset", "SimpleDataset", "ArrayDataset", "RecordFileDataset", "Sampler", "SequentialSampler",
           "RandomSampler", "FilterSampler", "BatchSampler", "IntervalSampler", "DataLoader",
           "default_batchify_fn", "default_mp_batchify_fn", "batchify", "vision"]
