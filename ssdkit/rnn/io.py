"""Sentence data for the legacy RNN API: :func:`encode_sentences` turns words into integer codes and
:class:`BucketSentenceIter` batches sentences of similar length (MXNet's bucketing for ``BucketingModule``).

Examples
--------
>>> encode_sentences([['a', 'b'], ['b', 'c']], start_label=1)
([[1, 2], [2, 3]], {'\\n': -1, 'a': 1, 'b': 2, 'c': 3})
"""
import bisect
import random

import numpy as np

from .. import ndarray
from ..base import MXNetError
from ..io import DataIter, DataBatch, DataDesc

__all__ = ["encode_sentences", "BucketSentenceIter"]


def encode_sentences(sentences, vocab=None, invalid_label=-1, invalid_key="\n", start_label=0, unknown_token=None):
    """Codes of the words of ``sentences`` and the vocabulary ``{word: code}`` used.

    Without ``vocab`` a new one is built (``invalid_key`` maps to ``invalid_label``, new words take codes from
    ``start_label`` on, skipping ``invalid_label``). With ``vocab``, a word it lacks is an error unless
    ``unknown_token`` is given: then, as MXNet does, the unknown token takes the next free code at every
    unknown word.

    Examples
    --------
    >>> encode_sentences([['a', 'b', 'c'], ['b', 'c', 'd']], vocab={'a': 1, 'b': 2, 'c': 3}, unknown_token='UNK')
    ([[1, 2, 3], [2, 3, 0]], {'a': 1, 'b': 2, 'c': 3, 'UNK': 0})
    """
    new_vocab = vocab is None
    if new_vocab:
        vocab = {invalid_key: invalid_label}
    code = start_label
    encoded = []
    for sentence in sentences:
        row = []
        for word in sentence:
            if word not in vocab:
                if not (new_vocab or unknown_token):
                    raise MXNetError(f"encode_sentences: unknown token {word!r} (give unknown_token to map it)")
                if code == invalid_label:
                    code += 1
                word = unknown_token or word
                vocab[word] = code
                code += 1
            row.append(vocab[word])
        encoded.append(row)
    return encoded, vocab


class BucketSentenceIter(DataIter):
    """Batches of encoded sentences padded with ``invalid_label`` to their bucket's length; the label is the
    sentence shifted by one step. ``buckets`` default to every length at least ``batch_size`` sentences have;
    longer sentences than the largest bucket are dropped. ``layout`` 'NT' (batch major) or 'TN'.

    Examples
    --------
    >>> it = BucketSentenceIter([[1, 2], [3, 4], [5, 6, 7]], batch_size=2, buckets=[2, 3])
    WARNING: discarded 0 sentences longer than the largest bucket.
    >>> batch = next(iter(it)); batch.bucket_key, batch.data[0].shape
    (2, (2, 2))
    """

    def __init__(self, sentences, batch_size, buckets=None, invalid_label=-1, data_name="data",
                 label_name="softmax_label", dtype="float32", layout="NT"):
        super().__init__(batch_size)
        if not buckets:
            counts = np.bincount([len(s) for s in sentences])
            buckets = [length for length, n in enumerate(counts) if n >= batch_size]
        buckets = sorted(buckets)
        self.data = [[] for _ in buckets]
        dropped = 0
        for sentence in sentences:
            b = bisect.bisect_left(buckets, len(sentence))
            if b == len(buckets):
                dropped += 1
                continue
            row = np.full((buckets[b],), invalid_label, dtype=dtype)
            row[:len(sentence)] = sentence
            self.data[b].append(row)
        self.data = [np.asarray(rows, dtype=dtype) for rows in self.data]
        print(f"WARNING: discarded {dropped} sentences longer than the largest bucket.")
        self.batch_size, self.buckets, self.dtype = batch_size, buckets, dtype
        self.data_name, self.label_name, self.invalid_label = data_name, label_name, invalid_label
        self.layout, self.major_axis = layout, layout.find("N")
        if self.major_axis not in (0, 1):
            raise ValueError(f"Invalid layout {layout}: Must by NT (batch major) or TN (time major)")
        self.default_bucket_key = max(buckets)
        shape = self._shape(self.default_bucket_key)
        self.provide_data = [DataDesc(data_name, shape, layout=layout)]
        self.provide_label = [DataDesc(label_name, shape, layout=layout)]
        self.idx = [(b, start) for b, rows in enumerate(self.data)
                    for start in range(0, len(rows) - batch_size + 1, batch_size)]
        self.curr_idx = 0
        self.nddata, self.ndlabel = [], []
        self.reset()

    def _shape(self, length):
        return (self.batch_size, length) if self.major_axis == 0 else (length, self.batch_size)

    def reset(self):
        """Shuffle the batch order and the sentences within each bucket; start over."""
        self.curr_idx = 0
        random.shuffle(self.idx)
        for rows in self.data:
            np.random.shuffle(rows)
        self.nddata, self.ndlabel = [], []
        for rows in self.data:
            label = np.empty_like(rows)
            if rows.size:
                label[:, :-1], label[:, -1] = rows[:, 1:], self.invalid_label
            self.nddata.append(ndarray.array(rows, dtype=self.dtype))
            self.ndlabel.append(ndarray.array(label, dtype=self.dtype))

    def next(self):
        """The next :class:`~ssdkit.io.DataBatch` (with its ``bucket_key``)."""
        if self.curr_idx == len(self.idx):
            raise StopIteration
        b, start = self.idx[self.curr_idx]
        self.curr_idx += 1
        data = self.nddata[b][start:start + self.batch_size]
        label = self.ndlabel[b][start:start + self.batch_size]
        if self.major_axis == 1:
            data, label = data.T, label.T
        return DataBatch([data], [label], pad=0, bucket_key=self.buckets[b],
                         provide_data=[DataDesc(self.data_name, data.shape, layout=self.layout)],
                         provide_label=[DataDesc(self.label_name, label.shape, layout=self.layout)])
