"""``ssdkit-detect`` / ``python scripts/detect.py``: run a trained detector on images and draw the results.

Inputs are image files, glob patterns, folders, or RecordIO files (``datasets/pikachu/val.rec``: every record's
image; its ``.idx`` must sit beside it). For each image a PNG with the boxes, class names and scores drawn (at
the image's own resolution) goes to ``--output-dir``, and every detection above ``--thresh`` goes to
``detections.json`` there (pixel boxes of the original image and normalized boxes, the PNG written for each
input, and the inputs that could not be read).

Nothing the user has is overwritten: the output folder may not hold an input, output names never collide
(``a/x.png`` and ``b/x.png`` give ``x.png`` and ``x-2.png``), and files of the output folder that an earlier
run did not write are kept (a new name is chosen). An image that cannot be decoded (damaged, truncated, too
large) is skipped and counted; ``detections.json`` is written in every case.

The model is a checkpoint written by ``ssdkit-train`` (``--params runs/toyssd-best.params``: the JSON next to
it names the network, classes and input size) or an exported pair (``--symbol x-symbol.json --params
x-0000.params --classes pikachu``).

Examples
--------
>>> build_parser().parse_args(["a.jpg", "--params", "m.params"]).thresh
0.5
"""
import argparse
import glob
import json
import os
import sys

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .. import image, nd
from ..base import MXNetError
from ..recordio import MXIndexedRecordIO, unpack
from .common import load_trained_model, parse_classes, positive_int, setup_logging
from .evaluate import DEFAULT_NMS, predict

__all__ = ["build_parser", "main", "find_images", "preprocess", "draw_detections", "label_box", "output_names",
           "PALETTE"]

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".ppm", ".gif", ".tif", ".tiff", ".webp")
RECORD_EXTENSION = ".rec"
#: Box colours, one per class id (cycled).
PALETTE = ((230, 25, 75), (60, 180, 75), (0, 130, 200), (245, 130, 48), (145, 30, 180), (70, 240, 240),
           (240, 50, 230), (210, 245, 60), (250, 190, 212), (0, 128, 128))
LINE_WIDTH = 3
#: Label font height: this fraction of the image's shorter side, within [FONT_MIN, FONT_MAX] pixels.
FONT_FRACTION, FONT_MIN, FONT_MAX = 1 / 18, 12, 48
LABEL_PAD = 2
RESULTS_NAME = "detections.json"


def build_parser():
    """The command-line interface.

    Examples
    --------
    >>> build_parser().parse_args(["imgs/", "--params", "m.params", "--thresh", "0.3"]).inputs
    ['imgs/']
    """
    p = argparse.ArgumentParser(prog="ssdkit-detect", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("inputs", nargs="+", help="image files, glob patterns, folders or .rec files")
    p.add_argument("--params", required=True, help="checkpoint .params (or .json) of ssdkit-train, or exported "
                                                   "-0000.params with --symbol")
    p.add_argument("--symbol", default=None, help="exported -symbol.json (then --classes is required)")
    p.add_argument("--network", default=None, help="zoo model name (for a bare .params without its JSON)")
    p.add_argument("--classes", default=None, help="comma-separated class names (overrides the checkpoint's)")
    p.add_argument("--data-shape", type=positive_int, default=None, help="input side (default: the checkpoint's)")
    p.add_argument("--thresh", type=float, default=0.5, help="minimum score drawn and reported")
    p.add_argument("--nms-thresh", type=float, default=DEFAULT_NMS["nms_thresh"])
    p.add_argument("--nms-topk", type=int, default=DEFAULT_NMS["nms_topk"], help="boxes entering NMS (-1: all)")
    p.add_argument("--output-dir", default="detections", help="where the PNGs and detections.json go")
    p.add_argument("--batch-size", type=positive_int, default=8)
    return p


def _record_images(path):
    """``(name, stem, reader)`` for every record of a ``.rec`` file (with its ``.idx``)."""
    idx = os.path.splitext(path)[0] + ".idx"
    if not os.path.exists(idx):
        raise MXNetError(f"ssdkit-detect: {path} needs its index {idx} to be read record by record")
    with MXIndexedRecordIO(idx, path, "r") as rec:
        keys = list(rec.keys)
    stem = os.path.splitext(os.path.basename(path))[0]

    def reader(key):
        def read():
            with MXIndexedRecordIO(idx, path, "r") as rec:
                return image.imdecode(unpack(rec.read_idx(key))[1]).asnumpy()
        return read
    return [(f"{path}#{key}", f"{stem}-{key}", reader(key)) for key in keys]


def _file_image(path):
    return (path, os.path.splitext(os.path.basename(path))[0], lambda: image.imread(path).asnumpy())


def find_images(inputs):
    """Image paths from files, globs and folders (folders: their images, sorted), without duplicates.

    Examples
    --------
    >>> import os, tempfile
    >>> d = tempfile.mkdtemp(); _ = [open(os.path.join(d, n), "w").close() for n in ("b.png", "a.jpg", "c.txt")]
    >>> [os.path.basename(p) for p in find_images([d])]
    ['a.jpg', 'b.png']
    """
    found = []
    for item in inputs:
        if os.path.isdir(item):
            found += sorted(os.path.join(item, n) for n in os.listdir(item) if n.lower().endswith(IMAGE_EXTENSIONS))
        elif os.path.exists(item):
            found.append(item)
        else:
            matches = sorted(glob.glob(item))
            if not matches:
                raise MXNetError(f"ssdkit-detect: {item!r} does not exist (not a file, a folder or a pattern "
                                 f"matching files)")
            found += [m for m in matches if m.lower().endswith(IMAGE_EXTENSIONS + (RECORD_EXTENSION,))]
    return list(dict.fromkeys(found))


def _sources(paths):
    """``(name, stem, read)`` per image: files as they are, ``.rec`` files record by record."""
    items = []
    for path in paths:
        items += _record_images(path) if path.lower().endswith(RECORD_EXTENSION) else [_file_image(path)]
    return items


def _prepare(pixels, data_shape, mean, std):
    resized = image.imresize(nd.array(pixels, dtype=np.uint8), data_shape, data_shape, interp=1)
    normalized = (resized.asnumpy().astype(np.float32) - np.asarray(mean, np.float32)) / np.asarray(std, np.float32)
    return nd.array(normalized.transpose(2, 0, 1))


def preprocess(path, data_shape, mean, std):
    """Read an image as RGB (the library's decoder, ``mx.image.imread``), resize it to ``data_shape`` square
    (bilinear) and normalize it.

    Returns
    -------
    x : NDArray, (3, data_shape, data_shape) float32
    original : PIL.Image.Image
        The image as read (RGB), for drawing.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "a.png"); Image.new("RGB", (40, 20), (100, 50, 0)).save(path)
    >>> x, img = preprocess(path, 16, (100, 50, 0), (1, 1, 1))
    >>> x.shape, img.size, float(abs(x).max().asscalar())
    ((3, 16, 16), (40, 20), 0.0)
    """
    pixels = image.imread(path).asnumpy()
    return _prepare(pixels, data_shape, mean, std), Image.fromarray(pixels)


def _font(img):
    size = int(min(max(round(min(img.size) * FONT_FRACTION), FONT_MIN), FONT_MAX))
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):   # Pillow < 10.1 or without FreeType: the fixed bitmap font
        return ImageFont.load_default()


def label_box(box, text_size, image_size):
    """Where a label of ``text_size`` goes for ``box``: above it, or inside its top when there is no room
    above; always inside the image (as far as the label fits).

    Parameters
    ----------
    box : (x0, y0, x1, y1)
        Pixel corners of the detection.
    text_size : (width, height)
    image_size : (width, height)

    Returns
    -------
    (left, top, right, bottom) of the label's filled rectangle; the text starts at ``left + 2, top + 2``.

    Examples
    --------
    >>> label_box((200, 2, 255, 60), (70, 14), (256, 256))      # no room above, none on the right
    (182, 2, 256, 20)
    """
    width, height = text_size[0] + 2 * LABEL_PAD, text_size[1] + 2 * LABEL_PAD
    left = min(max(int(box[0]), 0), max(image_size[0] - width, 0))
    top = int(box[1]) - height
    if top < 0:
        top = max(int(box[1]), 0)
    top = min(top, max(image_size[1] - height, 0))
    return left, top, left + width, top + height


def draw_detections(img, detections, classes):
    """A copy of ``img`` with each detection's box and ``'name score'`` label drawn (the label's font scales
    with the image and the label stays inside it).

    Parameters
    ----------
    img : PIL.Image.Image
    detections : list of dict
        With ``class_id``, ``score`` and ``box`` (pixel corners).
    classes : list of str

    Examples
    --------
    >>> out = draw_detections(Image.new("RGB", (20, 20)), [{"class_id": 0, "score": 0.9, "box": [2, 2, 9, 9]}], ["a"])
    >>> out.getpixel((2, 5))
    (230, 25, 75)
    """
    canvas = img.copy()
    pen = ImageDraw.Draw(canvas)
    font = _font(canvas)
    for det in detections:
        color = PALETTE[det["class_id"] % len(PALETTE)]
        x0, y0, x1, y1 = det["box"]
        pen.rectangle([x0, y0, x1, y1], outline=color, width=LINE_WIDTH)
        name = classes[det["class_id"]] if det["class_id"] < len(classes) else str(det["class_id"])
        text = f"{name} {det['score']:.2f}"
        left, top, right, bottom = pen.textbbox((0, 0), text, font=font)
        box = label_box((x0, y0, x1, y1), (right - left, bottom - top), canvas.size)
        pen.rectangle(box, fill=color)
        pen.text((box[0] + LABEL_PAD - left, box[1] + LABEL_PAD - top), text, fill=(255, 255, 255), font=font)
    return canvas


def _detections_of(ids, scores, boxes, width, height, thresh):
    keep = (ids >= 0) & (scores >= thresh)
    scale = np.array([width, height, width, height], np.float32)
    return [{"class_id": int(c), "score": float(s), "box": [float(v) for v in np.clip(b, 0, 1) * scale],
             "box_normalized": [float(v) for v in b]}
            for c, s, b in zip(ids[keep], scores[keep], boxes[keep])]


def _earlier_outputs(output_dir):
    """PNG names an earlier run wrote into ``output_dir`` (free to replace); MXNetError if its
    detections.json was not written by ssdkit-detect."""
    path = os.path.join(output_dir, RESULTS_NAME)
    if not os.path.exists(path):
        return set()
    try:
        with open(path) as handle:
            earlier = json.load(handle)
    except (OSError, ValueError):
        earlier = None
    if not isinstance(earlier, dict) or not isinstance(earlier.get("images"), dict):
        raise MXNetError(f"ssdkit-detect: {path} was not written by ssdkit-detect; give another --output-dir")
    outputs = earlier.get("outputs") if isinstance(earlier.get("outputs"), dict) else {}
    return {os.path.basename(str(v)) for v in outputs.values()}


def output_names(stems, taken):
    """One PNG name per stem, unique, avoiding the names in ``taken`` (``x.png``, then ``x-2.png``, ...).

    Examples
    --------
    >>> output_names(["x", "x", "y"], {"y.png"})
    ['x.png', 'x-2.png', 'y-2.png']
    """
    taken, names = set(taken), []
    for stem in stems:
        name, n = f"{stem}.png", 1
        while name in taken:
            n += 1
            name = f"{stem}-{n}.png"
        taken.add(name)
        names.append(name)
    return names


def _plan_outputs(items, paths, output_dir):
    """The output path of every item; refuses an output folder that holds an input."""
    out_real = os.path.realpath(output_dir)
    for path in paths:
        if os.path.dirname(os.path.realpath(path)) == out_real:
            raise MXNetError(f"ssdkit-detect: --output-dir {output_dir} holds the input {path}; the drawn images "
                             f"would land among (and could replace) the inputs: give another --output-dir")
    existing = set(os.listdir(output_dir)) if os.path.isdir(output_dir) else set()
    keep = existing - _earlier_outputs(output_dir) - {RESULTS_NAME}
    return [os.path.join(output_dir, n) for n in output_names([stem for _, stem, _ in items], keep)]


def _detect_batch(net, model, args, batch, results, outputs, log):
    x = nd.stack(*[prepared for _, _, prepared, _ in batch])
    ids, scores, boxes = predict(net, x, nms_thresh=args.nms_thresh, nms_topk=args.nms_topk,
                                 post_nms=DEFAULT_NMS["post_nms"])
    for i, (name, out, _, original) in enumerate(batch):
        dets = _detections_of(ids[i], scores[i], boxes[i], original.width, original.height, args.thresh)
        for det in dets:
            det["class"] = model["classes"][det["class_id"]]
        draw_detections(original, dets, model["classes"]).save(out)
        results[name], outputs[name] = dets, out
        log.info("%s: %d detection(s) -> %s", name, len(dets), out)


def main(argv=None):
    """Parse ``argv``, detect, write the PNGs and JSON; return the exit code (0: at least one image done,
    2: bad arguments or inputs, or no image could be read).

    Examples
    --------
    >>> main(["missing.png", "--params", "missing.params", "--network", "toyssd", "--classes", "a"])
    2
    """
    args = build_parser().parse_args(argv)
    log = setup_logging()
    try:
        classes = parse_classes(args.classes)
        net, model = load_trained_model(args.params, args.network, classes, args.data_shape, args.symbol)
        paths = find_images(args.inputs)
        items = _sources(paths)
        if not items:
            raise MXNetError("ssdkit-detect: no images found in " + ", ".join(args.inputs))
        targets = _plan_outputs(items, paths, args.output_dir)
    except MXNetError as err:
        log.error("error: %s", err)
        return 2
    os.makedirs(args.output_dir, exist_ok=True)
    side, results, outputs, skipped, batch = model["data_shape"], {}, {}, {}, []
    for (name, _, read), out in zip(items, targets):
        try:
            pixels = read()
        except MXNetError as err:   # undecodable, truncated, a decompression bomb, a damaged record
            skipped[name] = str(err)
            log.warning("warning: skipping %s: %s", name, err)
            continue
        batch.append((name, out, _prepare(pixels, side, model["pixel_mean"], model["pixel_std"]),
                      Image.fromarray(pixels)))
        if len(batch) == args.batch_size:
            _detect_batch(net, model, args, batch, results, outputs, log)
            batch = []
    if batch:
        _detect_batch(net, model, args, batch, results, outputs, log)
    with open(os.path.join(args.output_dir, RESULTS_NAME), "w") as handle:
        json.dump({"model": model, "thresh": args.thresh, "images": results, "outputs": outputs,
                   "skipped": skipped}, handle, indent=2)
    if skipped:
        log.warning("warning: %d of %d images could not be read and were skipped (listed under 'skipped' in %s)",
                    len(skipped), len(items), os.path.join(args.output_dir, RESULTS_NAME))
    return 0 if results else 2


if __name__ == "__main__":
    sys.exit(main())
