"""MNIST, FashionMNIST, CIFAR10 and CIFAR100 read from their published binary formats in a local folder.

MXNet downloads these files; ssdkit never downloads. Put the files MXNet would fetch into ``root``
(default ``$MXNET_HOME/datasets/<name>``, ``~/.mxnet/datasets/<name>`` without MXNET_HOME); when they are
missing, the error lists them, the folder and MXNet's download address. MNIST-style sets read the idx
files (``train-images-idx3-ubyte.gz`` ..., gzip or uncompressed); CIFAR reads the binary-version batches
(``data_batch_1.bin`` ... / ``train.bin``), from ``root``, from the archive's own sub-folder
(``cifar-10-batches-bin``, ``cifar-100-binary``), or extracted from the ``.tar.gz`` archive in ``root``.
MXNet also checks each file's SHA-1; ssdkit checks the formats (magic numbers, counts, sizes) instead, so
subsets and rebuilt files load too.

Samples are ``(image, label)``: an NDArray uint8 image ``(28, 28, 1)`` or ``(32, 32, 3)`` and a numpy
int32 label, as MXNet; ``transform(image, label)`` is applied when given.

Examples
--------
>>> import gzip, os, struct, tempfile
>>> import numpy as np
>>> root = tempfile.mkdtemp()
>>> for name, magic, shape in (("t10k-images-idx3-ubyte.gz", 2051, (2, 28, 28)),
...                            ("t10k-labels-idx1-ubyte.gz", 2049, (2,))):
...     with gzip.open(os.path.join(root, name), "wb") as f:
...         _ = f.write(struct.pack(">" + "I" * (1 + len(shape)), magic, *shape) + bytes(int(np.prod(shape))))
>>> ds = MNIST(root, train=False); len(ds), ds[0][0].shape, int(ds[1][1])
(2, (28, 28, 1), 0)
"""
import gzip
import os
import struct
import tarfile

import numpy as np

from ....base import MXNetError, data_dir
from ....ndarray import array
from ..dataset import Dataset

__all__ = ["MNIST", "FashionMNIST", "CIFAR10", "CIFAR100", "DatasetFilesMissing", "MXNET_REPO_URL"]

#: Where MXNet 1.9.1 downloads Gluon datasets from (``$MXNET_GLUON_REPO`` overrides it there too).
MXNET_REPO_URL = "https://apache-mxnet.s3-accelerate.dualstack.amazonaws.com/"
_IDX_IMAGES, _IDX_LABELS = 2051, 2049   # idx magic numbers: uint8 3-D images, uint8 1-D labels
_CIFAR_PIXELS = 3 * 32 * 32


class DatasetFilesMissing(MXNetError, FileNotFoundError):
    """The files of a dataset are not in its root folder (ssdkit does not download).

    Examples
    --------
    >>> issubclass(DatasetFilesMissing, FileNotFoundError)
    True
    """


def _repo_url(namespace, filename):
    base = os.environ.get("MXNET_GLUON_REPO", MXNET_REPO_URL)
    return f"{base.rstrip('/')}/gluon/dataset/{namespace}/{filename}"


class _LocalDataset(Dataset):
    """MXNet's ``_DownloadedDataset`` without the download: ``_get_data`` fills ``_data`` and ``_label``."""
    _namespace = None

    def __init__(self, root, transform):
        super().__init__()
        self._transform = transform
        self._data = None
        self._label = None
        self._root = os.path.expanduser(os.fspath(root))
        self._get_data()

    def __getitem__(self, idx):
        if self._transform is not None:
            return self._transform(self._data[idx], self._label[idx])
        return self._data[idx], self._label[idx]

    def __len__(self):
        return len(self._label)

    def _missing(self, names, archive=None):
        """Raise DatasetFilesMissing naming the files, the folder and MXNet's download address(es)."""
        also = f" (nor the archive {archive} to extract them from)" if archive else ""
        urls = "\n".join(f"  {_repo_url(self._namespace, name)}" for name in ([archive] if archive else names))
        raise DatasetFilesMissing(
            f"{type(self).__name__}: {', '.join(names)} not found in {self._root}{also}; ssdkit does not "
            f"download. Put the files there (or pass root=); MXNet downloads them from:\n{urls}")


def _read_idx(path, magic, ndim):
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rb") as fin:
            header = fin.read(4 * (1 + ndim))
            payload = fin.read()
    except (OSError, EOFError) as err:
        raise MXNetError(f"{path}: cannot read an idx file: {err}") from None
    if len(header) < 4 * (1 + ndim):
        raise MXNetError(f"{path}: truncated idx header ({len(header)} bytes)")
    found, *dims = struct.unpack(">" + "I" * (1 + ndim), header)
    if found != magic:
        raise MXNetError(f"{path}: idx magic number {found}, expected {magic}")
    if len(payload) != int(np.prod(dims)):
        raise MXNetError(f"{path}: header says {dims} ({int(np.prod(dims))} bytes), the file holds {len(payload)}")
    return np.frombuffer(payload, np.uint8).reshape(dims)


class MNIST(_LocalDataset):
    """The MNIST handwritten digits: ``(28, 28, 1)`` uint8 images, int32 labels 0-9.

    Parameters
    ----------
    root : str, default ``$MXNET_HOME/datasets/mnist``
        Folder holding ``train-images-idx3-ubyte.gz``, ``train-labels-idx1-ubyte.gz``,
        ``t10k-images-idx3-ubyte.gz``, ``t10k-labels-idx1-ubyte.gz`` (or the same without ``.gz``).
    train : bool, default True
        The training set, else the test set.
    transform : callable, optional
        ``transform(image, label) -> sample``.

    Examples
    --------
    >>> try:
    ...     MNIST("/nonexistent/mnist")
    ... except DatasetFilesMissing as err:
    ...     print(str(err).splitlines()[0][:60])
    MNIST: train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.g
    """
    _namespace = "mnist"
    _files = {True: ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
              False: ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")}

    def __init__(self, root=os.path.join(data_dir(), "datasets", "mnist"), train=True, transform=None):
        self._train = train
        super().__init__(root, transform)

    def _find(self, name):
        for candidate in (name, name[:-len(".gz")]):
            path = os.path.join(self._root, candidate)
            if os.path.isfile(path):
                return path
        return None

    def _get_data(self):
        names = self._files[bool(self._train)]
        paths = [self._find(name) for name in names]
        if None in paths:
            self._missing([n for n, p in zip(names, paths) if p is None])
        images = _read_idx(paths[0], _IDX_IMAGES, 3)
        label = _read_idx(paths[1], _IDX_LABELS, 1).astype(np.int32)
        if len(images) != len(label):
            raise MXNetError(f"{type(self).__name__}: {paths[0]} holds {len(images)} images but {paths[1]} "
                             f"{len(label)} labels")
        self._data = array(images[..., None], dtype=np.uint8)
        self._label = label


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST, MNIST's drop-in replacement: same files and layout.

    Parameters
    ----------
    root : str, default ``$MXNET_HOME/datasets/fashion-mnist``
    train : bool, default True
    transform : callable, optional

    Examples
    --------
    >>> FashionMNIST._namespace
    'fashion-mnist'
    """
    _namespace = "fashion-mnist"

    def __init__(self, root=os.path.join(data_dir(), "datasets", "fashion-mnist"), train=True, transform=None):
        super().__init__(root, train, transform)


class CIFAR10(_LocalDataset):
    """CIFAR-10 (binary version): ``(32, 32, 3)`` uint8 images, int32 labels 0-9.

    Parameters
    ----------
    root : str, default ``$MXNET_HOME/datasets/cifar10``
        Folder holding ``data_batch_1.bin`` ... ``data_batch_5.bin`` and ``test_batch.bin`` (directly or in
        ``cifar-10-batches-bin/``), or the archive ``cifar-10-binary.tar.gz`` to extract them from.
    train : bool, default True
    transform : callable, optional

    Examples
    --------
    >>> try:
    ...     CIFAR10("/nonexistent/c10", train=False)
    ... except DatasetFilesMissing as err:
    ...     print(str(err).splitlines()[0][:43])
    CIFAR10: test_batch.bin not found in /nonex
    """
    _namespace = "cifar10"
    _archive = "cifar-10-binary.tar.gz"
    _subfolder = "cifar-10-batches-bin"
    _train_files = tuple(f"data_batch_{i}.bin" for i in range(1, 6))
    _test_files = ("test_batch.bin",)
    _label_bytes = 1

    def __init__(self, root=os.path.join(data_dir(), "datasets", "cifar10"), train=True, transform=None):
        self._train = train
        super().__init__(root, transform)

    def _label_column(self):
        return 0

    def _locate(self, name):
        for folder in (self._root, os.path.join(self._root, self._subfolder)):
            path = os.path.join(folder, name)
            if os.path.isfile(path):
                return path
        return None

    def _extract(self, names):
        """Extract the named batches (and nothing else) from the archive in ``root`` into ``root``."""
        archive = os.path.join(self._root, self._archive)
        if not os.path.isfile(archive):
            return
        try:
            with tarfile.open(archive) as tar:
                for member in tar.getmembers():
                    base = os.path.basename(member.name)
                    if member.isfile() and base in names and not os.path.exists(os.path.join(self._root, base)):
                        with tar.extractfile(member) as src, open(os.path.join(self._root, base), "xb") as dst:
                            dst.write(src.read())
        except (tarfile.TarError, OSError, EOFError) as err:
            raise MXNetError(f"{type(self).__name__}: cannot read the archive {archive}: {err}") from None

    def _read_batch(self, path):
        row = self._label_bytes + _CIFAR_PIXELS
        with open(path, "rb") as fin:
            raw = np.frombuffer(fin.read(), np.uint8)
        if raw.size == 0 or raw.size % row:
            raise MXNetError(f"{type(self).__name__}: {path} holds {raw.size} bytes, not a whole number of "
                             f"{row}-byte records (label byte(s) + 3x32x32 pixels)")
        raw = raw.reshape(-1, row)
        images = raw[:, self._label_bytes:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
        return images, raw[:, self._label_column()].astype(np.int32)

    def _get_data(self):
        names = self._train_files if self._train else self._test_files
        if any(self._locate(n) is None for n in names):
            self._extract(names)
        paths = [self._locate(n) for n in names]
        if None in paths:
            self._missing([n for n, p in zip(names, paths) if p is None], self._archive)
        images, labels = zip(*(self._read_batch(p) for p in paths))
        self._data = array(np.concatenate(images), dtype=np.uint8)
        self._label = np.concatenate(labels)


class CIFAR100(CIFAR10):
    """CIFAR-100 (binary version): ``(32, 32, 3)`` uint8 images with coarse (20) or fine (100) int32 labels.

    Parameters
    ----------
    root : str, default ``$MXNET_HOME/datasets/cifar100``
        Folder holding ``train.bin`` and ``test.bin`` (directly or in ``cifar-100-binary/``), or
        ``cifar-100-binary.tar.gz``.
    fine_label : bool, default False
        The 100 fine classes, else the 20 coarse super-classes.
    train : bool, default True
    transform : callable, optional

    Examples
    --------
    >>> CIFAR100._train_files, CIFAR100._label_bytes
    (('train.bin',), 2)
    """
    _namespace = "cifar100"
    _archive = "cifar-100-binary.tar.gz"
    _subfolder = "cifar-100-binary"
    _train_files = ("train.bin",)
    _test_files = ("test.bin",)
    _label_bytes = 2

    def __init__(self, root=os.path.join(data_dir(), "datasets", "cifar100"), fine_label=False, train=True,
                 transform=None):
        self._fine_label = fine_label
        super().__init__(root, train, transform)

    def _label_column(self):
        return 0 + bool(self._fine_label)
