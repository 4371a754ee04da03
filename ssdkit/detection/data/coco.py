"""``COCODetection``: MS COCO instance annotations read with ``json`` (no pycocotools), filtered like GluonCV.

``root/annotations/<split>.json`` holds ``images``, ``annotations`` and ``categories``. Category ids map
to contiguous ids in the file's category order (``json_id_to_contiguous``); boxes ``[x, y, w, h]`` become
corners ``[x, y, x + w - 1, y + h - 1]`` clipped to the image (GluonCV's convention). Labels are float32
rows ``[xmin, ymin, xmax, ymax, cls_id]``.

Examples
--------
>>> len(COCODetection.CLASSES), COCODetection.CLASSES[0]
(80, 'person')
"""
import json
import os
from collections import defaultdict

import numpy as np

from ...base import DTYPE, MXNetError
from ...gluon.data import Dataset
from ...gluon.data.vision.imageio import read_image
from ...ndarray import NDArray

__all__ = ["COCODetection"]

LABEL_WIDTH = 5
EMPTY_ROW = (-1.0, -1.0, -1.0, -1.0, -1.0)   # stands for "no object" when skip_empty=False
_REQUIRED_KEYS = ("images", "annotations", "categories")


def _xywh_to_clipped_xyxy(box, width, height):
    x, y, w, h = (float(v) for v in box)
    xmax, ymax = x + max(w - 1, 0), y + max(h - 1, 0)
    return (min(width - 1, max(0, x)), min(height - 1, max(0, y)),
            min(width - 1, max(0, xmax)), min(height - 1, max(0, ymax)))


class COCODetection(Dataset):
    """MS COCO detection dataset.

    Parameters
    ----------
    root : str, default '~/.mxnet/datasets/coco'
    splits : str or sequence of str, default ('instances_val2017',)
        Annotation file names (without ``.json``) under ``root/annotations``.
    transform : callable, optional
        ``transform(image, label) -> sample``.
    min_object_area : float, default 0
        Ignore objects whose ``area`` is smaller.
    skip_empty : bool, default True
        Drop images without a valid object (else they get one ``-1`` row).
    use_crowd : bool, default True
        Keep ``iscrowd`` objects.

    Returns
    -------
    image : NDArray, uint8, (H, W, 3)
    label : numpy.ndarray, float32, (K, 5)

    Examples
    --------
    >>> import json, os, tempfile
    >>> from PIL import Image
    >>> class Pets(COCODetection):
    ...     CLASSES = ["cat", "dog"]
    >>> root = tempfile.mkdtemp(); os.makedirs(os.path.join(root, "annotations")); os.makedirs(os.path.join(root, "val"))
    >>> Image.new("RGB", (10, 8)).save(os.path.join(root, "val", "a.jpg"))
    >>> doc = {"categories": [{"id": 17, "name": "cat"}, {"id": 18, "name": "dog"}],
    ...        "images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 8}],
    ...        "annotations": [{"id": 5, "image_id": 1, "category_id": 18, "bbox": [1, 2, 4, 3], "area": 12}]}
    >>> _ = open(os.path.join(root, "annotations", "instances_val.json"), "w").write(json.dumps(doc))
    >>> ds = Pets(root, splits="instances_val")
    >>> ds[0][1].tolist(), ds.json_id_to_contiguous
    ([[1.0, 2.0, 4.0, 4.0, 1.0]], {17: 0, 18: 1})
    """

    CLASSES = ["person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat",
               "traffic light", "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog",
               "horse", "sheep", "cow", "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella", "handbag",
               "tie", "suitcase", "frisbee", "skis", "snowboard", "sports ball", "kite", "baseball bat",
               "baseball glove", "skateboard", "surfboard", "tennis racket", "bottle", "wine glass", "cup",
               "fork", "knife", "spoon", "bowl", "banana", "apple", "sandwich", "orange", "broccoli", "carrot",
               "hot dog", "pizza", "donut", "cake", "chair", "couch", "potted plant", "bed", "dining table",
               "toilet", "tv", "laptop", "mouse", "remote", "keyboard", "cell phone", "microwave", "oven",
               "toaster", "sink", "refrigerator", "book", "clock", "vase", "scissors", "teddy bear",
               "hair drier", "toothbrush"]

    def __init__(self, root=os.path.join("~", ".mxnet", "datasets", "coco"), splits=("instances_val2017",),
                 transform=None, min_object_area=0, skip_empty=True, use_crowd=True):
        self._root = os.path.expanduser(os.fspath(root))
        self._transform = transform
        self._min_object_area = min_object_area
        self._skip_empty = skip_empty
        self._use_crowd = use_crowd
        self._splits = [splits] if isinstance(splits, str) else list(splits)
        self.index_map = dict(zip(self.classes, range(self.num_class)))
        self.json_id_to_contiguous = None
        self.contiguous_id_to_json = None
        self._items, self._labels, self._im_aspect_ratios = [], [], []
        for split in self._splits:
            self._load_json(split)

    def __str__(self):
        return f"{type(self).__name__}({','.join(self._splits)})"

    @property
    def classes(self):
        """Category names.

        Examples
        --------
        >>> COCODetection.__new__(COCODetection).classes[:2]
        ['person', 'bicycle']
        """
        return list(type(self).CLASSES)

    @property
    def num_class(self):
        """Number of categories.

        Examples
        --------
        >>> len(COCODetection.CLASSES)
        80
        """
        return len(self.classes)

    @property
    def annotation_dir(self):
        """Folder of the annotation files under ``root``.

        Examples
        --------
        >>> COCODetection.annotation_dir.fget(None)
        'annotations'
        """
        return "annotations"

    def get_im_aspect_ratio(self):
        """Width / height of every image, in dataset order (see the class example).

        Examples
        --------
        >>> COCODetection.get_im_aspect_ratio.__name__
        'get_im_aspect_ratio'
        """
        return list(self._im_aspect_ratios)

    def __len__(self):
        return len(self._items)

    def __getitem__(self, idx):
        img = NDArray(read_image(self._items[idx], 1))
        label = self._labels[idx].copy()
        if self._transform is not None:
            return self._transform(img, label)
        return img, label

    def _parse_image_path(self, entry, split):
        """``root/<folder>/<file>`` from ``coco_url`` (as GluonCV), else ``root/<split without 'instances_'>/file_name``."""
        url = entry.get("coco_url")
        if url:
            if not isinstance(url, str) or url.count("/") < 1:
                raise ValueError(f"coco_url {url!r} is not a '.../<folder>/<file>' string")
            folder, filename = url.split("/")[-2:]
            return os.path.join(self._root, folder, filename)
        if not isinstance(entry["file_name"], str):
            raise TypeError(f"file_name {entry['file_name']!r} is not a string")
        return os.path.join(self._root, split.split("_", 1)[-1], entry["file_name"])

    def _read(self, path):
        try:
            with open(path, encoding="utf-8") as handle:
                doc = json.load(handle)
        except OSError as err:
            raise MXNetError(f"COCODetection: cannot read annotation file {path!r}: {err}") from None
        except (ValueError, RecursionError) as err:   # JSONDecodeError, UnicodeDecodeError, absurd nesting
            raise MXNetError(f"COCODetection: malformed JSON in {path}: {err}") from None
        missing = [k for k in _REQUIRED_KEYS if not isinstance(doc, dict) or not isinstance(doc.get(k), list)]
        if missing:
            raise MXNetError(f"COCODetection: {path}: expected lists {list(_REQUIRED_KEYS)}, missing or wrong: {missing}")
        return doc

    def _load_json(self, split):
        path = os.path.join(self._root, self.annotation_dir, split) + ".json"
        doc = self._read(path)
        try:
            names = [c["name"] for c in doc["categories"]]
            mapping = {c["id"]: i for i, c in enumerate(doc["categories"])}
        except (KeyError, TypeError) as err:
            raise MXNetError(f"COCODetection: {path}: every category needs 'id' and 'name' ({err!r})") from None
        if names != self.classes:
            raise MXNetError(f"COCODetection: {path}: category names {names} differ from the dataset's classes "
                             f"{self.classes} (subclass with CLASSES for a custom set)")
        if self.json_id_to_contiguous is None:
            self.json_id_to_contiguous = mapping
            self.contiguous_id_to_json = {v: k for k, v in mapping.items()}
        elif self.json_id_to_contiguous != mapping:
            raise MXNetError(f"COCODetection: {path}: category ids differ from those of the first split")
        by_image = defaultdict(list)
        for ann in doc["annotations"]:
            try:
                by_image[ann["image_id"]].append(ann)
            except (KeyError, TypeError) as err:
                raise MXNetError(f"COCODetection: {path}: annotation {ann!r:.80} needs a number or string "
                                 f"'image_id' ({err!r})") from None
        try:
            entries = sorted(doc["images"], key=lambda e: e["id"])
        except (KeyError, TypeError) as err:
            raise MXNetError(f"COCODetection: {path}: every image needs an 'id' of one type ({err!r})") from None
        for entry in entries:
            image_id, image_path, width, height = self._image_entry(entry, split, path)
            if not os.path.exists(image_path):
                raise MXNetError(f"COCODetection: {path}: image {image_id} not found at {image_path!r}")
            label = self._check_load_bbox(image_id, width, height, by_image[image_id], path)
            if label is None:
                continue
            self._im_aspect_ratios.append(width / height)
            self._items.append(image_path)
            self._labels.append(label)

    def _image_entry(self, entry, split, path):
        """``(id, image path, width, height)`` of one validated image entry."""
        try:
            image_id = entry["id"]
            hash(image_id)
            width, height = float(entry["width"]), float(entry["height"])
            if not (np.isfinite(width) and np.isfinite(height) and width > 0 and height > 0):
                raise ValueError(f"width and height must be positive, got {width} x {height}")
            return image_id, self._parse_image_path(entry, split), width, height
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as err:
            raise MXNetError(f"COCODetection: {path}: image entry {entry!r:.100} is malformed ({err!r}); it needs "
                             f"id, width, height and file_name (or coco_url)") from None

    def _check_load_bbox(self, image_id, width, height, annotations, path):
        """Valid objects of one image as (K, 5) float32; None to skip the image."""
        rows = []
        for ann in annotations:
            try:
                if ann["area"] < self._min_object_area or ann.get("ignore", 0) == 1:
                    continue
                if not self._use_crowd and ann.get("iscrowd", 0):
                    continue
                xmin, ymin, xmax, ymax = _xywh_to_clipped_xyxy(ann["bbox"], width, height)
                if ann["area"] > 0 and xmax > xmin and ymax > ymin:
                    rows.append([xmin, ymin, xmax, ymax, self.json_id_to_contiguous[ann["category_id"]]])
            except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as err:
                raise MXNetError(f"COCODetection: {path}: annotation {ann.get('id')} of image {image_id} "
                                 f"is malformed ({err!r}); needs area, bbox [x, y, w, h] and a known "
                                 f"category_id") from None
        if not rows:
            if self._skip_empty:
                return None
            rows.append(list(EMPTY_ROW))
        return np.array(rows, DTYPE)
