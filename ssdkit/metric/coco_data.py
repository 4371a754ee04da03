"""Read COCO ground truth and box results into flat arrays with pycocotools' selection rules.

pycocotools (``COCO.loadRes`` + ``COCOeval._prepare``) evaluates every image of ``gt['images']`` and
every category of ``gt['categories']``; ground truths of other images or categories and detections of
other categories are dropped, a detection of an unknown image is an error. A detection's area is
``w * h`` of its box, a ground truth's area is its ``area`` field, and crowd ground truths are the
ignored ones.

Examples
--------
>>> gt = {"images": [{"id": 7}], "categories": [{"id": 1}],
...       "annotations": [{"id": 1, "image_id": 7, "category_id": 1, "bbox": [0, 0, 4, 5],
...                        "area": 20, "iscrowd": 0}]}
>>> data = load_coco(gt, [{"image_id": 7, "category_id": 1, "bbox": [1, 1, 2, 2], "score": 0.5}])
>>> data.gt_area.tolist(), data.dt_area.tolist()
([20.0], [4.0])
"""
import json
from dataclasses import dataclass
from os import PathLike

import numpy as np

from ..base import MXNetError

__all__ = ["CocoArrays", "load_coco", "MAX_DETS_PER_PAIR"]

#: pycocotools keeps at most this many detections per (image, category): its largest ``maxDets``.
MAX_DETS_PER_PAIR = 100
#: Float type of boxes, areas and IoUs: pycocotools compares IoUs computed in C doubles with the
#: thresholds, so float32 would move boxes across the 0.5 ... 0.95 boundaries.
COCO_FLOAT = np.float64


@dataclass
class CocoArrays:
    """Ground truths and kept detections as flat arrays, grouped by (category, image) pair.

    Ground truths are ordered by pair then file order; detections by pair, then descending score
    (stable, so ties keep file order), and only each pair's first ``MAX_DETS_PER_PAIR`` are kept.
    ``*_pair`` is ``category_index * num_images + image_index`` (indices into the sorted id lists).

    Attributes
    ----------
    img_ids, cat_ids : numpy.ndarray, shape (I,), (K,)
        Sorted unique ids of the evaluated images and categories.
    gt_pair : int64 (G,); gt_box : float64 (G, 4) ``[x, y, w, h]``; gt_area : float64 (G,);
    gt_crowd : bool (G,); gt_id_nonzero : bool (G,)
    dt_pair : int64 (D,); dt_box : float64 (D, 4); dt_area : float64 (D,); dt_score : float64 (D,);
    dt_rank : int64 (D,)
        Position of the detection within its pair after the score sort.
    """
    img_ids: np.ndarray
    cat_ids: np.ndarray
    gt_pair: np.ndarray
    gt_box: np.ndarray
    gt_area: np.ndarray
    gt_crowd: np.ndarray
    gt_id_nonzero: np.ndarray
    dt_pair: np.ndarray
    dt_box: np.ndarray
    dt_area: np.ndarray
    dt_score: np.ndarray
    dt_rank: np.ndarray


def _read_json(value, what):
    if isinstance(value, (str, PathLike)):
        try:
            with open(value, encoding="utf-8") as handle:
                return json.load(handle)
        except (OSError, ValueError, RecursionError) as err:   # also undecodable bytes and absurd nesting
            raise MXNetError(f"coco_eval: cannot read {what} file {str(value)!r}: {err}") from None
    return value


def _field(records, key, what, default=None):
    try:
        return [r[key] if default is None else r.get(key, default) for r in records]
    except (KeyError, TypeError):
        bad = next(i for i, r in enumerate(records) if not isinstance(r, dict) or key not in r)
        raise MXNetError(f"coco_eval: {what} entry {bad} has no {key!r} field: {records[bad]!r}") from None


def _boxes(records, what):
    boxes = _field(records, "bbox", what)
    try:
        array = np.array(boxes, dtype=COCO_FLOAT).reshape(len(records), 4)
    except (ValueError, TypeError):
        bad = next(i for i, b in enumerate(boxes) if np.size(b) != 4)
        raise MXNetError(f"coco_eval: {what} entry {bad} bbox must be [x, y, w, h], got {boxes[bad]!r}") from None
    return array


def _index_of(ids, known):
    """Positions of ``ids`` in the sorted array ``known`` and whether each is present."""
    ids = np.asarray(ids)
    if len(known) == 0 or len(ids) == 0:
        return np.zeros(len(ids), np.int64), np.zeros(len(ids), bool)
    pos = np.clip(np.searchsorted(known, ids), 0, len(known) - 1)
    return pos.astype(np.int64), known[pos] == ids


def load_coco(gt, dt):
    """Parse ground truth and results into :class:`CocoArrays`.

    Parameters
    ----------
    gt : dict or path
        COCO annotation dict (``images``, ``categories``, ``annotations`` with ``image_id``,
        ``category_id``, ``bbox`` ``[x, y, w, h]``, ``area``, ``iscrowd``, ``id``) or a JSON file.
        ``area`` defaults to ``w * h``, ``iscrowd`` to 0 when missing (pycocotools requires both).
    dt : list or path
        Results ``[{"image_id", "category_id", "bbox": [x, y, w, h], "score"}]`` or a JSON file.

    Returns
    -------
    CocoArrays

    Examples
    --------
    >>> gt = {"images": [{"id": 1}, {"id": 2}], "categories": [{"id": 3}], "annotations": []}
    >>> load_coco(gt, []).img_ids.tolist()
    [1, 2]
    """
    gt, dt = _read_json(gt, "ground truth"), _read_json(dt, "results")
    if not isinstance(gt, dict) or "images" not in gt or "categories" not in gt:
        raise MXNetError("coco_eval: ground truth must be a dict with 'images' and 'categories' "
                         f"(and 'annotations'), got {type(gt).__name__}"
                         f"{' with keys ' + str(sorted(gt)) if isinstance(gt, dict) else ''}")
    if not isinstance(dt, list):
        raise MXNetError(f"coco_eval: results must be a list of detections, got {type(dt).__name__}")
    img_ids = np.unique(np.asarray(_field(gt["images"], "id", "images")))
    cat_ids = np.unique(np.asarray(_field(gt["categories"], "id", "categories")))
    anns = gt.get("annotations", [])

    gt_img, img_ok = _index_of(_field(anns, "image_id", "annotations"), img_ids)
    gt_cat, cat_ok = _index_of(_field(anns, "category_id", "annotations"), cat_ids)
    gt_box = _boxes(anns, "annotations")
    areas = _field(anns, "area", "annotations", default=np.nan)
    gt_area = np.array(areas, dtype=COCO_FLOAT).reshape(-1)
    gt_area = np.where(np.isnan(gt_area), gt_box[:, 2] * gt_box[:, 3], gt_area)
    gt_crowd = np.array([bool(int(c)) for c in _field(anns, "iscrowd", "annotations", default=0)], bool)
    gt_id_nonzero = np.array([i != 0 for i in _field(anns, "id", "annotations", default=-1)], bool)
    keep = img_ok & cat_ok
    gt_pair = gt_cat * len(img_ids) + gt_img
    order = np.flatnonzero(keep)[np.argsort(gt_pair[keep], kind="stable")]

    dt_img_raw = _field(dt, "image_id", "results")
    dt_img, dt_img_ok = _index_of(dt_img_raw, img_ids)
    if not dt_img_ok.all():
        unknown = sorted({str(i) for i, ok in zip(dt_img_raw, dt_img_ok) if not ok})
        raise MXNetError(f"coco_eval: results refer to images not in the ground truth: {unknown[:10]}"
                         f"{' ...' if len(unknown) > 10 else ''} (pycocotools: 'Results do not correspond "
                         "to current coco set')")
    dt_cat, dt_cat_ok = _index_of(_field(dt, "category_id", "results"), cat_ids)
    dt_box = _boxes(dt, "results")
    dt_score = np.array(_field(dt, "score", "results"), dtype=COCO_FLOAT).reshape(-1)
    dt_pair = dt_cat * len(img_ids) + dt_img
    kept = np.flatnonzero(dt_cat_ok)
    # per pair: highest score first, ties in file order (pycocotools' mergesort on -score)
    kept = kept[np.lexsort((kept, -dt_score[kept], dt_pair[kept]))]
    pair_sorted = dt_pair[kept]
    first = np.searchsorted(pair_sorted, pair_sorted, side="left")
    rank = np.arange(len(kept)) - first
    kept, rank = kept[rank < MAX_DETS_PER_PAIR], rank[rank < MAX_DETS_PER_PAIR]
    return CocoArrays(
        img_ids=img_ids, cat_ids=cat_ids,
        gt_pair=gt_pair[order], gt_box=gt_box[order], gt_area=gt_area[order], gt_crowd=gt_crowd[order],
        gt_id_nonzero=gt_id_nonzero[order],
        dt_pair=dt_pair[kept], dt_box=dt_box[kept], dt_area=dt_box[kept, 2] * dt_box[kept, 3],
        dt_score=dt_score[kept], dt_rank=rank.astype(np.int64))
