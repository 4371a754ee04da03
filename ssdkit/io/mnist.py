"""``MNISTIter``: batches from MNIST's idx files (``*-images-idx3-ubyte``, ``*-labels-idx1-ubyte``), pixels
scaled by 1/256 as MXNet does, the incomplete last batch dropped.

Examples
--------
>>> import os, struct, tempfile, numpy as np
>>> d = tempfile.mkdtemp(); img, lab = os.path.join(d, 'i'), os.path.join(d, 'l')
>>> _ = open(img, 'wb').write(struct.pack('>IIII', 2051, 3, 2, 2) + bytes(range(12)))
>>> _ = open(lab, 'wb').write(struct.pack('>II', 2049, 3) + bytes([7, 8, 9]))
>>> it = MNISTIter(image=img, label=lab, batch_size=2, shuffle=False)
>>> b = next(it); b.data[0].shape, b.label[0].asnumpy()
((2, 1, 2, 2), array([7., 8.], dtype=float32))
"""
import struct

import numpy as np

from ..base import MXNetError
from .batch_loader import BatchLoaderIter

__all__ = ["MNISTIter", "read_idx"]

_IMAGES, _LABELS = 2051, 2049


def read_idx(path, magic):
    """The array stored in an MNIST idx file (``magic`` 2051: images (n, rows, cols); 2049: labels (n,)).

    Examples
    --------
    >>> import os, struct, tempfile
    >>> p = os.path.join(tempfile.mkdtemp(), 'l'); _ = open(p, 'wb').write(struct.pack('>II', 2049, 2) + b'\\x01\\x02')
    >>> read_idx(p, 2049)
    array([1, 2], dtype=uint8)
    """
    try:
        with open(path, "rb") as f:
            blob = f.read()
    except OSError as err:
        raise MXNetError(f"MNISTIter: cannot read {path!r}: {err}") from None
    dims = 3 if magic == _IMAGES else 1
    head = 4 * (1 + dims)
    if len(blob) < head:
        raise MXNetError(f"MNISTIter: {path!r} is too short for an idx header ({len(blob)} bytes)")
    found, *shape = struct.unpack(">" + "I" * (1 + dims), blob[:head])
    if found != magic:
        raise MXNetError(f"MNISTIter: {path!r} has magic number {found}, expected {magic}")
    size = int(np.prod(shape))
    if len(blob) - head < size:
        raise MXNetError(f"MNISTIter: {path!r} holds {len(blob) - head} bytes of data, its header {shape} needs {size}")
    return np.frombuffer(blob, np.uint8, size, head).reshape(shape)


class MNISTIter(BatchLoaderIter):
    """MNIST batches: data ``(batch, 1, 28, 28)`` (``(batch, 784)`` with ``flat``) in [0, 1), labels ``(batch,)``.

    Parameters
    ----------
    image, label : str
        Paths of the idx files.
    batch_size : int, default 128
    shuffle : bool, default True
        Shuffle once, with a generator seeded by ``seed`` (ssdkit's own order, not MXNet's).
    flat : bool, default False
    seed : int, default 0
    num_parts, part_index : int
        Read only part ``part_index`` of ``num_parts`` equal parts (distributed training).
    silent, prefetch_buffer, ctx, dtype : accepted for MXNet compatibility.
    """

    def __init__(self, image="./train-images-idx3-ubyte", label="./train-labels-idx1-ubyte", batch_size=128,
                 shuffle=True, flat=False, seed=0, silent=False, num_parts=1, part_index=0, prefetch_buffer=4,
                 ctx="cpu", dtype=None, data_name="data", label_name="softmax_label"):
        images, labels = read_idx(image, _IMAGES), read_idx(label, _LABELS)
        if len(images) != len(labels):
            raise MXNetError(f"MNISTIter: {image!r} has {len(images)} images, {label!r} {len(labels)} labels")
        lo, hi = len(images) * part_index // num_parts, len(images) * (part_index + 1) // num_parts
        images, labels = images[lo:hi], labels[lo:hi]
        if shuffle:
            order = np.random.RandomState(seed).permutation(len(images))
            images, labels = images[order], labels[order]
        keep = len(images) // batch_size * batch_size   # MXNet drops the incomplete last batch
        if keep == 0:
            raise MXNetError(f"MNISTIter: {len(images)} images make no full batch of {batch_size}")
        data = images[:keep].astype(np.float32) / 256.0
        data = data.reshape(keep, -1) if flat else data.reshape(keep, 1, *images.shape[1:])
        super().__init__(data, labels[:keep].astype(np.float32), batch_size, round_batch=False,
                         data_name=data_name, label_name=label_name)
