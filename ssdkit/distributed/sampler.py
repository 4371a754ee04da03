"""Data sharding: every rank reads a disjoint, equal-size part of the dataset each epoch.

All ranks draw the same permutation (seeded by ``(seed, epoch)``, independent of ``mx.random``, which
each rank may seed differently for augmentation), then rank ``r`` of ``R`` takes positions
``r, r + R, r + 2R, ...``. Equal sizes matter: every rank must run the same number of steps, since each
step is a collective. The tail is padded with samples from the start of the permutation (each sample is
seen at least once per epoch) or dropped (``drop_remainder=True``: each at most once).

Examples
--------
>>> [shard_indices(5, 2, r, shuffle=False).tolist() for r in range(2)]
[[0, 2, 4], [1, 3, 0]]
>>> [shard_indices(5, 2, r, shuffle=False, drop_remainder=True).tolist() for r in range(2)]
[[0, 2], [1, 3]]
"""
import numpy as np

from ..base import MXNetError
from ..gluon.data import Sampler
from . import comm

__all__ = ["shard_indices", "shard_size", "DistributedSampler"]


def _non_negative(name, value):
    if int(value) != value or value < 0:
        raise MXNetError(f"DistributedSampler: {name} must be a non-negative integer, got {value!r}")
    return int(value)


def shard_size(num_samples, num_shards, drop_remainder=False):
    """Samples per shard: ``ceil(num_samples / num_shards)``, or the floor with ``drop_remainder``.

    Examples
    --------
    >>> shard_size(10, 4), shard_size(10, 4, drop_remainder=True)
    (3, 2)
    """
    return num_samples // num_shards if drop_remainder else -(-num_samples // num_shards)


def shard_indices(num_samples, num_shards, shard, shuffle=True, seed=0, epoch=0, drop_remainder=False):
    """Dataset indices of one shard for one epoch.

    Parameters
    ----------
    num_samples : int
    num_shards : int
        Usually :func:`ssdkit.distributed.size`.
    shard : int
        Usually :func:`ssdkit.distributed.rank`.
    shuffle : bool
    seed : int
        Must be the same on every rank.
    epoch : int
        Selects the permutation; a new one each epoch.
    drop_remainder : bool
        Drop the ``num_samples % num_shards`` tail instead of padding it.

    Returns
    -------
    numpy.ndarray of shape (shard_size(num_samples, num_shards, drop_remainder),), int64

    Examples
    --------
    >>> a, b = (shard_indices(6, 2, r, seed=3) for r in range(2))
    >>> sorted(a.tolist() + b.tolist())
    [0, 1, 2, 3, 4, 5]
    """
    num_samples = _non_negative("num_samples", num_samples)
    num_shards = _non_negative("num_shards", num_shards)
    if num_shards < 1 or not 0 <= shard < num_shards or int(shard) != shard:
        raise MXNetError(f"DistributedSampler: shard must be an integer in [0, num_shards={num_shards}), "
                         f"got {shard!r}")
    per_shard = shard_size(num_samples, num_shards, drop_remainder)
    if num_samples == 0:
        return np.zeros(0, np.int64)
    order = (np.random.default_rng([_non_negative("seed", seed), _non_negative("epoch", epoch)])
             .permutation(num_samples) if shuffle else np.arange(num_samples, dtype=np.int64))
    order = np.resize(order, per_shard * num_shards)      # pads by wrapping around, or truncates
    return order[int(shard)::num_shards]


class DistributedSampler(Sampler):
    """A gluon ``Sampler`` over this rank's shard; a new shared permutation every epoch.

    Each pass (``iter``) uses the current epoch and then advances it, so the permutation changes every
    epoch without bookkeeping; :meth:`set_epoch` sets it explicitly (e.g. when resuming).

    Parameters
    ----------
    length : int
        Dataset size.
    shuffle : bool, default True
    seed : int, default 0
        Same on every rank.
    num_shards, shard : int, optional
        Default :func:`~ssdkit.distributed.size` and :func:`~ssdkit.distributed.rank`.
    drop_remainder : bool, default False

    Examples
    --------
    >>> from ssdkit.gluon.data import DataLoader, ArrayDataset
    >>> sampler = DistributedSampler(5, shuffle=False, num_shards=2, shard=1)
    >>> len(sampler), [b.asnumpy().tolist() for b in DataLoader(ArrayDataset(list(range(5))), 2, sampler=sampler)]
    (3, [[1, 3], [0]])
    """

    def __init__(self, length, shuffle=True, seed=0, num_shards=None, shard=None, drop_remainder=False):
        self._length = _non_negative("length", length)
        self._num_shards = comm.size() if num_shards is None else num_shards
        self._shard = comm.rank() if shard is None else shard
        self._shuffle, self._seed, self._drop = shuffle, _non_negative("seed", seed), drop_remainder
        self._epoch = 0
        shard_indices(0, self._num_shards, self._shard)     # validates num_shards and shard now

    def set_epoch(self, epoch):
        """Use the permutation of ``epoch`` on the next pass.

        Examples
        --------
        >>> s = DistributedSampler(4, num_shards=2, shard=0); s.set_epoch(3); list(s) == list(
        ...     shard_indices(4, 2, 0, seed=0, epoch=3))
        True
        """
        self._epoch = _non_negative("epoch", epoch)

    def __iter__(self):
        indices = shard_indices(self._length, self._num_shards, self._shard, self._shuffle, self._seed,
                                self._epoch, self._drop)
        self._epoch += 1
        return iter(indices.tolist())

    def __len__(self):
        return shard_size(self._length, self._num_shards, self._drop)
