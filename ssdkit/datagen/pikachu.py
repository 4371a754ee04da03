"""The synthetic pikachu detection set: random poses of a drawn figure on procedural backgrounds,
written as MXNet-style RecordIO (``train.rec/.idx``, ``val.rec/.idx``) that ``ImageDetIter`` reads.

Each record is a JPEG packed with an :class:`~ssdkit.recordio.IRHeader` whose label is
``[2, 5, cls_id, xmin, ymin, xmax, ymax, ...]`` (one 5-value object after a 2-value header per
figure; corners normalized to [0, 1]). Image ``i`` of a split depends only on ``(seed, split, i)``,
so the files are byte-identical whatever the number of workers.

Examples
--------
>>> img, objects = render_sample(0, seed=0, size=64)
>>> img.shape, objects.shape, int(objects[0, 0])
((64, 64, 3), (1, 5), 0)
"""
import json
import multiprocessing
import os

import numpy as np
from PIL import Image, ImageFilter

from ..base import MXNetError
from ..recordio import IRHeader, MXIndexedRecordIO, make_det_label, pack_img
from .backgrounds import random_background
from .figures import CLASS_NAMES, DRAWERS

__all__ = ["render_sample", "generate_pikachu", "ensure_pikachu", "check_generator_folder", "ForeignFolderError",
           "CLASS_NAMES", "GENERATOR_VERSION"]

#: Bump whenever rendering changes, so :func:`ensure_pikachu` regenerates stale data.
GENERATOR_VERSION = 1
#: ``meta.json`` of a folder this generator made (or is making) carries this value under ``"generator"``.
GENERATOR_MARK = "ssdkit.datagen.pikachu"
SPLITS = {"train": 0, "val": 1}
ALPHA_SOLID = 128           # alpha above which a pixel counts as part of the figure (and its box)
HEIGHT_RANGE = (0.22, 0.7)  # figure height as a fraction of the image side, before rotation
MIN_VISIBLE = 0.55          # a figure cut by the border keeps at least this share of its pixels
CROP_PROBABILITY = 0.3      # how often a figure may be cut by the image border
MAX_BOX_IOU = 0.2           # overlap allowed between figures of one image
MAX_TRIES = 40
JPEG_QUALITY = 95


def _rng(seed, split, index):
    return np.random.default_rng(np.random.SeedSequence([int(seed), SPLITS[split], int(index)]))


def _posed_sprite(rng, class_id, size):
    """Draw one object and apply flip, scale, aspect and rotation; returns float32 RGBA (h, w, 4)."""
    sprite = DRAWERS[class_id](rng)
    sprite = sprite.crop(sprite.getbbox())
    if rng.random() < 0.5:
        sprite = sprite.transpose(Image.FLIP_LEFT_RIGHT)
    height = size * rng.uniform(*HEIGHT_RANGE)
    width = height * sprite.width / sprite.height * rng.uniform(0.8, 1.25)
    sprite = sprite.resize((max(2, round(width)), max(2, round(height))), Image.LANCZOS)
    angle = float(np.clip(rng.normal(0, 18), -50, 50)) if rng.random() < 0.9 else rng.uniform(-120, 120)
    sprite = sprite.rotate(angle, Image.BICUBIC, expand=True)
    rgba = np.asarray(sprite, dtype=np.float32).copy()
    rgba[..., :3] *= rng.uniform(0.75, 1.15)   # lighting of this object
    return rgba


def _place(rng, alpha, size, boxes):
    """Pick a top-left corner so the sprite is (mostly) visible and does not overlap earlier boxes."""
    h, w = alpha.shape
    total = float(alpha.sum())
    for _ in range(MAX_TRIES):
        if rng.random() < CROP_PROBABILITY:
            x0, y0 = (int(rng.uniform(-0.45 * n, size - 0.55 * n)) for n in (w, h))
        else:
            x0, y0 = (int(rng.uniform(0, max(size - n, 0) + 1)) if n <= size else (size - n) // 2
                      for n in (w, h))
        visible = alpha[max(0, -y0):size - y0, max(0, -x0):size - x0].sum()
        box = (max(x0, 0), max(y0, 0), min(x0 + w, size), min(y0 + h, size))
        if visible >= MIN_VISIBLE * total and all(_iou(box, b) <= MAX_BOX_IOU for b in boxes):
            return x0, y0, box
    return None


def _iou(a, b):
    iw = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _composite(canvas, owner, rgba, x0, y0, label):
    """Alpha-blend ``rgba`` at (x0, y0) into ``canvas`` and mark its solid pixels in ``owner``."""
    size = canvas.shape[0]
    ys, xs = slice(max(0, y0), min(size, y0 + rgba.shape[0])), slice(max(0, x0), min(size, x0 + rgba.shape[1]))
    part = rgba[ys.start - y0:ys.stop - y0, xs.start - x0:xs.stop - x0]
    a = part[..., 3:] / 255.0
    canvas[ys, xs] = canvas[ys, xs] * (1 - a) + part[..., :3] * a
    owner[ys, xs][part[..., 3] > ALPHA_SOLID] = label


def _finish(rng, canvas):
    """Camera effects on the whole image: colour cast, contrast, blur, sensor noise."""
    cast = rng.uniform(0.85, 1.15, 3).astype(np.float32)
    contrast, brightness = rng.uniform(0.75, 1.2), rng.uniform(-20, 20)
    mean = float((canvas.mean(axis=(0, 1)) * cast).mean())
    canvas *= cast * np.float32(contrast)                     # (x * cast - mean) * contrast + mean + b
    canvas += np.float32(mean * (1 - contrast) + brightness)
    image = np.clip(canvas, 0, 255).astype(np.uint8)
    if rng.random() < 0.3:
        image = np.asarray(Image.fromarray(image).filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.2))))
    noise = rng.standard_normal(image.shape, dtype=np.float32) * np.float32(rng.uniform(0, 10))
    noise += image
    return np.clip(noise, 0, 255, out=noise).astype(np.uint8)


def render_sample(index, seed=0, split="train", size=256, objects_per_image=1, num_classes=1):
    """Render image ``index`` of a split and its objects.

    Parameters
    ----------
    index : int
        Image number within the split; with ``seed`` and ``split`` it fully determines the result.
    seed : int
    split : {'train', 'val'}
    size : int
        Side of the square image in pixels.
    objects_per_image : int
        Objects drawn per image (fewer when no free place is found for the later ones).
    num_classes : int
        1 (pikachu only) to ``len(CLASS_NAMES)``; each object's class is drawn uniformly.

    Returns
    -------
    image : numpy.ndarray, uint8, shape (size, size, 3), RGB
    objects : numpy.ndarray, float32, shape (K, 5)
        Rows ``cls_id, xmin, ymin, xmax, ymax``: the tight normalized box of the visible pixels.

    Examples
    --------
    >>> _, objs = render_sample(3, size=64, objects_per_image=2)
    >>> bool(((objs[:, 1:] >= 0) & (objs[:, 1:] <= 1)).all())
    True
    """
    if split not in SPLITS:
        raise MXNetError(f"render_sample: split must be one of {sorted(SPLITS)}, got {split!r}")
    if not 1 <= num_classes <= len(CLASS_NAMES):
        raise MXNetError(f"render_sample: num_classes must be in 1..{len(CLASS_NAMES)}, got {num_classes}")
    rng = _rng(seed, split, index)
    canvas = random_background(rng, size).astype(np.float32)
    owner = np.full((size, size), -1, np.int32)
    boxes, classes = [], []
    for k in range(max(1, int(objects_per_image))):
        class_id = int(rng.integers(num_classes))
        rgba = _posed_sprite(rng, class_id, size)
        spot = _place(rng, rgba[..., 3], size, boxes)
        if spot is None:
            if k == 0:   # the first object always fits somewhere: centre it
                spot = ((size - rgba.shape[1]) // 2, (size - rgba.shape[0]) // 2, None)
            else:
                continue
        _composite(canvas, owner, rgba, spot[0], spot[1], len(classes))
        boxes.append(spot[2] or (0, 0, size, size))
        classes.append(class_id)
    objects = []
    for label, class_id in enumerate(classes):   # boxes of what is visible after occlusion and cropping
        rows, cols = np.nonzero(owner == label)
        if rows.size:
            objects.append([class_id, cols.min() / size, rows.min() / size,
                            (cols.max() + 1) / size, (rows.max() + 1) / size])
    return _finish(rng, canvas), np.array(objects, np.float32).reshape(-1, 5)


def _render_record(task):
    seed, split, index, size, objects_per_image, num_classes = task
    image, objects = render_sample(index, seed, split, size, objects_per_image, num_classes)
    return pack_img(IRHeader(0, make_det_label(objects), index, 0), image, JPEG_QUALITY, ".jpg", rgb=True)


class ForeignFolderError(MXNetError):
    """The folder holds files the pikachu generator did not make, so it refuses to write there.

    Examples
    --------
    >>> issubclass(ForeignFolderError, MXNetError)
    True
    """


def _is_generator_meta(meta):
    # older sets carry no mark but always had these three keys
    return isinstance(meta, dict) and (meta.get("generator") == GENERATOR_MARK
                                       or {"version", "label_layout", "files"} <= set(meta))


def check_generator_folder(root):
    """Refuse (:class:`ForeignFolderError`) a folder the generator may not write into: one that holds files
    but no ``meta.json`` written by this generator. A missing or empty folder is fine.

    Examples
    --------
    >>> import os, tempfile
    >>> root = tempfile.mkdtemp(); check_generator_folder(root)
    >>> _ = open(os.path.join(root, "train.rec"), "wb").write(b"mine")
    >>> check_generator_folder(root)
    Traceback (most recent call last):
    ...
    ssdkit.datagen.pikachu.ForeignFolderError: pikachu generator: ... holds files it did not make (train.rec) and no meta.json of the generator; refusing to write there
    """
    root = os.fspath(root)
    try:
        names = sorted(os.listdir(root))
    except FileNotFoundError:
        return
    except OSError as err:
        raise ForeignFolderError(f"pikachu generator: cannot list {root}: {err}") from None
    if not names:
        return
    meta_path = os.path.join(root, "meta.json")
    reason = "no meta.json of the generator"
    if "meta.json" in names:
        try:
            with open(meta_path) as f:
                if _is_generator_meta(json.load(f)):
                    return
        except (OSError, ValueError) as err:
            reason = f"an unreadable meta.json ({err})"
        else:
            reason = "a meta.json the generator did not write"
    shown = ", ".join(names[:4]) + (f", ... ({len(names)} entries)" if len(names) > 4 else "")
    raise ForeignFolderError(f"pikachu generator: {root} holds files it did not make ({shown}) and {reason}; "
                             f"refusing to write there")


def _write_meta(meta_path, meta):
    with open(meta_path + ".part", "w") as f:
        json.dump(meta, f, indent=2)
    os.replace(meta_path + ".part", meta_path)


def _split_paths(root, prefix, split):
    return (os.path.join(root, f"{prefix}{split}.idx"), os.path.join(root, f"{prefix}{split}.rec"))


def _write_split(root, prefix, split, count, config, pool, progress):
    from tqdm import tqdm

    idx_path, rec_path = _split_paths(root, prefix, split)
    tasks = [(config["seed"], split, i, config["size"], config["objects_per_image"], config["num_classes"])
             for i in range(count)]
    records = pool.imap(_render_record, tasks, chunksize=8) if pool else map(_render_record, tasks)
    # Write beside the final names and rename at the end: an interrupted run never looks complete.
    with MXIndexedRecordIO(idx_path + ".part", rec_path + ".part", "w") as rec:
        for i, buf in enumerate(tqdm(records, total=count, desc=f"pikachu {split}", disable=not progress)):
            rec.write_idx(i, buf)
    os.replace(rec_path + ".part", rec_path)
    os.replace(idx_path + ".part", idx_path)
    return {os.path.basename(rec_path): os.path.getsize(rec_path), os.path.basename(idx_path): count}


def generate_pikachu(root, num_train=1000, num_val=100, size=256, seed=0, num_workers=2,
                     objects_per_image=1, progress=True, num_classes=1, prefix=""):
    """Generate the synthetic pikachu set: ``{prefix}train.rec/.idx``, ``{prefix}val.rec/.idx`` and
    ``meta.json`` under ``root``.

    Parameters
    ----------
    root : str or os.PathLike
        Output directory (created if missing).
    num_train, num_val : int
        Images per split.
    size : int
        Image side in pixels.
    seed : int
        Base seed; image ``i`` uses ``(seed, split, i)``.
    num_workers : int
        Worker processes (0 or 1: render in this process). Does not change the output.
    objects_per_image : int
        Objects per image (1 as in MXNet's pikachu set).
    progress : bool
        Show a tqdm bar per split.
    num_classes : int
        1 for pikachu only; 2-3 add the labeled classes ``CLASS_NAMES[1:]``.
    prefix : str
        File-name prefix, e.g. ``'pikachu_'`` for the names used by the straight-dope notebook.

    Returns
    -------
    dict
        The metadata written to ``meta.json``.

    Raises
    ------
    ForeignFolderError
        ``root`` holds files but no ``meta.json`` of this generator (see :func:`check_generator_folder`):
        nothing is written.

    Examples
    --------
    >>> import tempfile
    >>> meta = generate_pikachu(tempfile.mkdtemp(), 2, 1, size=32, num_workers=0, progress=False)
    >>> meta["num_train"], meta["files"]["val.idx"]
    (2, 1)
    """
    root = os.fspath(root)
    check_generator_folder(root)
    os.makedirs(root, exist_ok=True)
    config = {"generator": GENERATOR_MARK, "version": GENERATOR_VERSION, "seed": int(seed), "size": int(size),
              "num_train": int(num_train), "num_val": int(num_val),
              "objects_per_image": int(objects_per_image), "num_classes": int(num_classes),
              "prefix": prefix, "classes": list(CLASS_NAMES[:num_classes]),
              "label_layout": "[2, 5, cls_id, xmin, ymin, xmax, ymax] per object, normalized corners"}
    meta_path = os.path.join(root, "meta.json")
    # claims the folder for the generator, and is never "complete" (no settings) until this run ends
    _write_meta(meta_path, {"generator": GENERATOR_MARK, "complete": False})
    pool = multiprocessing.Pool(num_workers) if num_workers > 1 else None
    try:
        files = {}
        for split, count in (("train", num_train), ("val", num_val)):
            files.update(_write_split(root, prefix, split, count, config, pool, progress))
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    meta = dict(config, files=files)
    _write_meta(meta_path, meta)
    return meta


def _is_complete(root, meta, wanted):
    if any(meta.get(k) != v for k, v in wanted.items()):
        return False
    for name, expected in meta.get("files", {}).items():
        path = os.path.join(root, name)
        if not os.path.exists(path):
            return False
        if name.endswith(".rec") and os.path.getsize(path) != expected:
            return False
        if name.endswith(".idx"):
            with open(path) as f:
                if sum(1 for line in f if line.strip()) != expected:
                    return False
    return len(meta.get("files", {})) == 2 * len(SPLITS)


def ensure_pikachu(root, num_train=1000, num_val=100, size=256, seed=0, num_workers=2,
                   objects_per_image=1, progress=True, num_classes=1, prefix=""):
    """Generate the set under ``root`` unless a complete one with the same settings is there.

    Completeness: ``meta.json`` matches the settings and :data:`GENERATOR_VERSION`, every ``.rec``
    has the recorded size and every ``.idx`` the recorded number of lines.
    Parameters are those of :func:`generate_pikachu`.

    Returns
    -------
    dict
        The metadata of the (existing or new) set.

    Examples
    --------
    >>> import tempfile
    >>> root = tempfile.mkdtemp()
    >>> first = ensure_pikachu(root, 2, 1, size=32, num_workers=0, progress=False)
    >>> ensure_pikachu(root, 2, 1, size=32, num_workers=0, progress=False) == first
    True
    """
    wanted = {"version": GENERATOR_VERSION, "seed": int(seed), "size": int(size),
              "num_train": int(num_train), "num_val": int(num_val),
              "objects_per_image": int(objects_per_image), "num_classes": int(num_classes), "prefix": prefix}
    meta_path = os.path.join(os.fspath(root), "meta.json")
    try:
        with open(meta_path) as f:
            meta = json.load(f)
        if _is_complete(os.fspath(root), meta, wanted):
            return meta
    except (OSError, ValueError):
        pass   # missing or unreadable meta.json: generate
    return generate_pikachu(root, num_train, num_val, size, seed, num_workers, objects_per_image,
                            progress, num_classes, prefix)
