"""Image datasets: images packed in a RecordIO file, or image files in one folder per class; MNIST,
FashionMNIST, CIFAR10 and CIFAR100 (from :mod:`.downloaded`) are importable from here too, as in MXNet.

Examples
--------
>>> import os, tempfile
>>> import numpy as np
>>> from ssdkit.recordio import IRHeader, MXIndexedRecordIO, pack_img
>>> d = tempfile.mkdtemp()
>>> with MXIndexedRecordIO(os.path.join(d, "x.idx"), os.path.join(d, "x.rec"), "w") as w:
...     w.write_idx(0, pack_img(IRHeader(0, 3.0, 0, 0), np.zeros((4, 5, 3), np.uint8), img_fmt=".png"))
>>> img, label = ImageRecordDataset(os.path.join(d, "x.rec"))[0]
>>> img.shape, img.dtype, label
((4, 5, 3), <class 'numpy.uint8'>, 3.0)
"""
import os
import warnings

from ....base import MXNetError
from ....ndarray import NDArray
from ....recordio import unpack
from ..dataset import Dataset, RecordFileDataset
from .downloaded import CIFAR10, CIFAR100, MNIST, FashionMNIST  # noqa: F401  (MXNet's module holds them all)
from .imageio import decode_image, read_image

__all__ = ["MNIST", "FashionMNIST", "CIFAR10", "CIFAR100", "ImageRecordDataset", "ImageFolderDataset"]

#: File extensions ImageFolderDataset picks up (as MXNet).
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png")


class ImageRecordDataset(RecordFileDataset):
    """Samples ``(image, label)`` from a ``.rec`` file of packed images (``IRHeader`` + encoded image).

    Parameters
    ----------
    filename : str
        Path of the ``.rec`` file (its ``.idx`` must sit next to it).
    flag : {1, 0}
        1: RGB ``(H, W, 3)``; 0: grey ``(H, W, 1)``.
    transform : callable, optional
        ``transform(image, label) -> sample``.

    Returns
    -------
    image : NDArray, uint8, (H, W, 3) or (H, W, 1)
    label : float or numpy.ndarray of float32 (the header's label)

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from ssdkit.recordio import IRHeader, MXIndexedRecordIO, pack_img
    >>> d = tempfile.mkdtemp()
    >>> with MXIndexedRecordIO(os.path.join(d, "g.idx"), os.path.join(d, "g.rec"), "w") as w:
    ...     w.write_idx(0, pack_img(IRHeader(0, [1, 2], 0, 0), np.zeros((2, 2), np.uint8), img_fmt=".png"))
    >>> img, label = ImageRecordDataset(os.path.join(d, "g.rec"), flag=0)[0]
    >>> img.shape, label.tolist()
    ((2, 2, 1), [1.0, 2.0])
    """

    def __init__(self, filename, flag=1, transform=None):
        super().__init__(filename)
        self._flag = flag
        self._transform = transform

    def __getitem__(self, idx):
        header, payload = unpack(super().__getitem__(idx))
        where = f"{self.filename} record #{idx} (id {header.id})"
        image = NDArray(decode_image(payload, self._flag, where=where))
        if self._transform is not None:
            return self._transform(image, header.label)
        return image, header.label


class ImageFolderDataset(Dataset):
    """Images in ``root/<class name>/<file>``; the label is the class folder's index in sorted order.

    Parameters
    ----------
    root : str
    flag : {1, 0}
        1: RGB; 0: grey.
    transform : callable, optional
        ``transform(image, label) -> sample``.

    Attributes
    ----------
    synsets : list of str
        Class names; ``synsets[label]``.
    items : list of (str, int)
        ``(filename, label)`` pairs.

    Examples
    --------
    >>> import os, tempfile
    >>> from PIL import Image
    >>> root = tempfile.mkdtemp()
    >>> for cls in ("cat", "dog"):
    ...     os.mkdir(os.path.join(root, cls))
    ...     Image.new("RGB", (2, 2)).save(os.path.join(root, cls, "a.png"))
    >>> ds = ImageFolderDataset(root); ds.synsets, len(ds), ds[1][1]
    (['cat', 'dog'], 2, 1)
    """

    def __init__(self, root, flag=1, transform=None):
        self._root = os.path.expanduser(os.fspath(root))
        self._flag = flag
        self._transform = transform
        self._exts = IMAGE_EXTENSIONS
        self._list_images(self._root)

    def _list_images(self, root):
        self.synsets, self.items = [], []
        if not os.path.isdir(root):
            raise MXNetError(f"ImageFolderDataset: root {root!r} is not a directory")
        for folder in sorted(os.listdir(root)):
            path = os.path.join(root, folder)
            if not os.path.isdir(path):
                warnings.warn(f"ImageFolderDataset: ignoring {path}, which is not a directory", stacklevel=3)
                continue
            label = len(self.synsets)
            self.synsets.append(folder)
            for filename in sorted(os.listdir(path)):
                filename = os.path.join(path, filename)
                if os.path.splitext(filename)[1].lower() not in self._exts:
                    warnings.warn(f"ImageFolderDataset: ignoring {filename}; only {', '.join(self._exts)} "
                                  f"files are read", stacklevel=3)
                    continue
                self.items.append((filename, label))

    def __getitem__(self, idx):
        filename, label = self.items[idx]
        image = NDArray(read_image(filename, self._flag))
        if self._transform is not None:
            return self._transform(image, label)
        return image, label

    def __len__(self):
        return len(self.items)
