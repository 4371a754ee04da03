"""``VOCDetection``: Pascal VOC in its folder layout, parsed like GluonCV.

``root/VOC<year>/ImageSets/Main/<split>.txt`` lists image ids; ``Annotations/<id>.xml`` holds the boxes and
``JPEGImages/<id>.jpg`` the image. VOC's 1-based pixel corners become 0-based (``- 1``); labels are float32
rows ``[xmin, ymin, xmax, ymax, cls_id, difficult]``. Objects of unknown classes are ignored; boxes outside
the image are logged and dropped (as GluonCV); malformed XML raises an error naming the file.

Examples
--------
>>> len(VOCDetection.CLASSES), VOCDetection.CLASSES[14]
(20, 'person')
"""
import logging
import os
import xml.etree.ElementTree as ET

import numpy as np

from ...base import DTYPE, MXNetError
from ...gluon.data import Dataset
from ...ndarray import NDArray
from ...gluon.data.vision.imageio import read_image

__all__ = ["VOCDetection"]

LABEL_WIDTH = 6          # xmin, ymin, xmax, ymax, cls_id, difficult
_VOC_ORIGIN = 1          # VOC pixel coordinates start at 1
_CORNERS = ("xmin", "ymin", "xmax", "ymax")


def _text(node, tag, path, what):
    child = node.find(tag)
    if child is None or child.text is None:
        raise MXNetError(f"VOCDetection: {path}: {what} has no <{tag}> element")
    return child.text


def _number(node, tag, path, what):
    text = _text(node, tag, path, what)
    try:
        return float(text)
    except ValueError:
        raise MXNetError(f"VOCDetection: {path}: <{tag}> of {what} is {text!r}, not a number") from None


class VOCDetection(Dataset):
    """Pascal VOC detection dataset.

    Parameters
    ----------
    root : str, default '~/.mxnet/datasets/voc'
        Folder holding ``VOC2007``, ``VOC2012``, ...
    splits : sequence of (year or folder name, split name), default ((2007, 'trainval'),)
    transform : callable, optional
        ``transform(image, label) -> sample``.
    index_map : dict, optional
        Class name -> id (default: position in :attr:`CLASSES`).
    preload_label : bool, default True
        Parse every annotation when the dataset is built.

    Returns
    -------
    image : NDArray, uint8, (H, W, 3)
    label : numpy.ndarray, float32, (K, 6)

    Examples
    --------
    >>> import os, tempfile
    >>> from PIL import Image
    >>> root = tempfile.mkdtemp(); voc = os.path.join(root, "VOC2007")
    >>> for sub in ("ImageSets/Main", "Annotations", "JPEGImages"):
    ...     os.makedirs(os.path.join(voc, sub))
    >>> _ = open(os.path.join(voc, "ImageSets/Main/trainval.txt"), "w").write("000001\\n")
    >>> Image.new("RGB", (20, 10)).save(os.path.join(voc, "JPEGImages/000001.jpg"))
    >>> xml = ("<annotation><size><width>20</width><height>10</height></size><object><name>dog</name>"
    ...        "<difficult>1</difficult><bndbox><xmin>2</xmin><ymin>3</ymin><xmax>11</xmax><ymax>10</ymax>"
    ...        "</bndbox></object></annotation>")
    >>> _ = open(os.path.join(voc, "Annotations/000001.xml"), "w").write(xml)
    >>> img, label = VOCDetection(root)[0]
    >>> img.shape, label.tolist()
    ((10, 20, 3), [[1.0, 2.0, 10.0, 9.0, 11.0, 1.0]])
    """

    CLASSES = ("aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow",
               "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train",
               "tvmonitor")

    def __init__(self, root=os.path.join("~", ".mxnet", "datasets", "voc"), splits=((2007, "trainval"),),
                 transform=None, index_map=None, preload_label=True):
        self._root = os.path.expanduser(os.fspath(root))
        self._transform = transform
        self._splits = splits
        self._im_shapes = {}
        self._items = self._load_items(splits)
        self._anno_path = os.path.join("{}", "Annotations", "{}.xml")
        self._image_path = os.path.join("{}", "JPEGImages", "{}.jpg")
        self.index_map = index_map or dict(zip(self.classes, range(self.num_class)))
        self._label_cache = [self._load_label(i) for i in range(len(self))] if preload_label else None

    def __str__(self):
        return f"{type(self).__name__}({','.join(str(year) + name for year, name in self._splits)})"

    @property
    def classes(self):
        """Category names (lower case).

        Examples
        --------
        >>> VOCDetection.__new__(VOCDetection).classes[:2]
        ('aeroplane', 'bicycle')
        """
        names = type(self).CLASSES
        if not all(c.islower() for c in names):
            raise MXNetError(f"{type(self).__name__}: class names must be lower case, got {names}")
        return names

    @property
    def num_class(self):
        """Number of categories.

        Examples
        --------
        >>> len(VOCDetection.CLASSES)
        20
        """
        return len(self.classes)

    def __len__(self):
        return len(self._items)

    def __getitem__(self, idx):
        folder, name = self._items[idx]
        label = self._label_cache[idx] if self._label_cache is not None else self._load_label(idx)
        img = NDArray(read_image(self._image_path.format(folder, name), 1))
        if self._transform is not None:
            return self._transform(img, label.copy())
        return img, label.copy()

    def _load_items(self, splits):
        ids = []
        for subfolder, name in splits:
            folder = os.path.join(self._root, f"VOC{subfolder}" if isinstance(subfolder, int) else subfolder)
            listing = os.path.join(folder, "ImageSets", "Main", f"{name}.txt")
            try:
                with open(listing) as handle:
                    ids += [(folder, line.strip()) for line in handle if line.strip()]
            except OSError as err:
                raise MXNetError(f"VOCDetection: cannot read split list {listing!r}: {err}") from None
        return ids

    def _parse(self, path):
        try:
            return ET.parse(path).getroot()
        except ET.ParseError as err:
            raise MXNetError(f"VOCDetection: malformed XML in {path}: {err}") from None
        except OSError as err:
            raise MXNetError(f"VOCDetection: cannot read annotation {path!r}: {err}") from None

    def _load_label(self, idx):
        """Parse one annotation file into a float32 (K, 6) array."""
        path = self._anno_path.format(*self._items[idx])
        root = self._parse(path)
        size = root.find("size")
        if size is None:
            raise MXNetError(f"VOCDetection: {path}: the annotation has no <size> element")
        width, height = _number(size, "width", path, "<size>"), _number(size, "height", path, "<size>")
        self._im_shapes[idx] = (width, height)
        rows = []
        for number, obj in enumerate(root.iter("object")):
            what = f"object #{number}"
            cls_name = _text(obj, "name", path, what).strip().lower()
            if cls_name not in self.classes:
                continue
            difficult = obj.find("difficult")
            try:
                difficult = int(difficult.text) if difficult is not None and difficult.text else 0
            except ValueError:
                difficult = 0
            box = obj.find("bndbox")
            if box is None:
                raise MXNetError(f"VOCDetection: {path}: {what} ({cls_name}) has no <bndbox>")
            xmin, ymin, xmax, ymax = (_number(box, tag, path, f"{what} <bndbox>") - _VOC_ORIGIN for tag in _CORNERS)
            problem = self._validate_label(xmin, ymin, xmax, ymax, width, height)
            if problem:
                logging.warning("VOCDetection: invalid box in %s, %s: %s", path, what, problem)
                continue
            rows.append([xmin, ymin, xmax, ymax, self.index_map[cls_name], difficult])
        return np.array(rows, DTYPE).reshape(-1, LABEL_WIDTH)

    @staticmethod
    def _validate_label(xmin, ymin, xmax, ymax, width, height):
        """An empty string for a valid box, else what is wrong (GluonCV's checks)."""
        if not 0 <= xmin < width:
            return f"xmin must be in [0, {width}), got {xmin}"
        if not 0 <= ymin < height:
            return f"ymin must be in [0, {height}), got {ymin}"
        if not xmin < xmax <= width:
            return f"xmax must be in (xmin, {width}], got {xmax}"
        if not ymin < ymax <= height:
            return f"ymax must be in (ymin, {height}], got {ymax}"
        return ""
