"""``ssdkit-detect`` / ``python scripts/detect.py``: run a trained detector on images and draw the results.

Inputs are image files, glob patterns or folders. For each image a PNG with the boxes, class names and
scores drawn (at the image's own resolution) goes to ``--output-dir``, and every detection above
``--thresh`` goes to ``detections.json`` there (pixel boxes of the original image and normalized boxes).

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
from PIL import Image, ImageDraw

from .. import image, nd
from ..base import MXNetError
from .common import load_trained_model, setup_logging
from .evaluate import DEFAULT_NMS, predict

__all__ = ["build_parser", "main", "find_images", "preprocess", "draw_detections", "PALETTE"]

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".ppm", ".gif", ".tif", ".tiff", ".webp")
#: Box colours, one per class id (cycled).
PALETTE = ((230, 25, 75), (60, 180, 75), (0, 130, 200), (245, 130, 48), (145, 30, 180), (70, 240, 240),
           (240, 50, 230), (210, 245, 60), (250, 190, 212), (0, 128, 128))
LINE_WIDTH = 3


def build_parser():
    """The command-line interface.

    Examples
    --------
    >>> build_parser().parse_args(["imgs/", "--params", "m.params", "--thresh", "0.3"]).inputs
    ['imgs/']
    """
    p = argparse.ArgumentParser(prog="ssdkit-detect", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("inputs", nargs="+", help="image files, glob patterns or folders")
    p.add_argument("--params", required=True, help="checkpoint .params (or .json) of ssdkit-train, or exported "
                                                   "-0000.params with --symbol")
    p.add_argument("--symbol", default=None, help="exported -symbol.json (then --classes is required)")
    p.add_argument("--network", default=None, help="zoo model name (for a bare .params without its JSON)")
    p.add_argument("--classes", default=None, help="comma-separated class names (overrides the checkpoint's)")
    p.add_argument("--data-shape", type=int, default=None, help="input side (default: the checkpoint's)")
    p.add_argument("--thresh", type=float, default=0.5, help="minimum score drawn and reported")
    p.add_argument("--nms-thresh", type=float, default=DEFAULT_NMS["nms_thresh"])
    p.add_argument("--nms-topk", type=int, default=DEFAULT_NMS["nms_topk"])
    p.add_argument("--output-dir", default="detections", help="where the PNGs and detections.json go")
    p.add_argument("--batch-size", type=int, default=8)
    return p


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
                raise MXNetError(f"ssdkit-detect: {item!r} is not a file, a folder or a pattern matching files")
            found += [m for m in matches if m.lower().endswith(IMAGE_EXTENSIONS)]
    return list(dict.fromkeys(found))


def preprocess(path, data_shape, mean, std):
    """Read an image as RGB, resize it to ``data_shape`` square (bilinear) and normalize it.

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
    try:
        original = Image.open(path).convert("RGB")
    except OSError as err:
        raise MXNetError(f"ssdkit-detect: cannot read image {path}: {err}") from None
    pixels = nd.array(np.asarray(original), dtype=np.uint8)
    resized = image.imresize(pixels, data_shape, data_shape, interp=1).asnumpy().astype(np.float32)
    normalized = (resized - np.asarray(mean, np.float32)) / np.asarray(std, np.float32)
    return nd.array(normalized.transpose(2, 0, 1)), original


def draw_detections(img, detections, classes):
    """A copy of ``img`` with each detection's box and ``'name score'`` label drawn.

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
    for det in detections:
        color = PALETTE[det["class_id"] % len(PALETTE)]
        x0, y0, x1, y1 = det["box"]
        pen.rectangle([x0, y0, x1, y1], outline=color, width=LINE_WIDTH)
        name = classes[det["class_id"]] if det["class_id"] < len(classes) else str(det["class_id"])
        text = f"{name} {det['score']:.2f}"
        left, top, right, bottom = pen.textbbox((x0, y0), text)
        top_y = max(y0 - (bottom - top) - 4, 0)
        pen.rectangle([x0, top_y, x0 + right - left + 4, top_y + bottom - top + 4], fill=color)
        pen.text((x0 + 2, top_y + 2), text, fill=(255, 255, 255))
    return canvas


def _detections_of(ids, scores, boxes, width, height, thresh):
    keep = (ids >= 0) & (scores >= thresh)
    scale = np.array([width, height, width, height], np.float32)
    return [{"class_id": int(c), "score": float(s), "box": [float(v) for v in np.clip(b, 0, 1) * scale],
             "box_normalized": [float(v) for v in b]}
            for c, s, b in zip(ids[keep], scores[keep], boxes[keep])]


def main(argv=None):
    """Parse ``argv``, detect, write the PNGs and JSON; return the exit code (2: bad arguments or inputs).

    Examples
    --------
    >>> main(["missing.png", "--params", "missing.params", "--network", "toyssd", "--classes", "a"])
    2
    """
    args = build_parser().parse_args(argv)
    log = setup_logging()
    try:
        classes = [c.strip() for c in args.classes.split(",")] if args.classes else None
        net, model = load_trained_model(args.params, args.network, classes, args.data_shape, args.symbol)
        paths = find_images(args.inputs)
        if not paths:
            raise MXNetError("ssdkit-detect: no images found in " + ", ".join(args.inputs))
    except MXNetError as err:
        log.error("error: %s", err)
        return 2
    os.makedirs(args.output_dir, exist_ok=True)
    side, results = model["data_shape"], {}
    for start in range(0, len(paths), args.batch_size):
        chunk = paths[start:start + args.batch_size]
        inputs = [preprocess(p, side, model["pixel_mean"], model["pixel_std"]) for p in chunk]
        ids, scores, boxes = predict(net, nd.stack(*[x for x, _ in inputs]), nms_thresh=args.nms_thresh,
                                     nms_topk=args.nms_topk, post_nms=DEFAULT_NMS["post_nms"])
        for i, (path, (_, original)) in enumerate(zip(chunk, inputs)):
            dets = _detections_of(ids[i], scores[i], boxes[i], original.width, original.height, args.thresh)
            for det in dets:
                det["class"] = model["classes"][det["class_id"]]
            out = os.path.join(args.output_dir, os.path.splitext(os.path.basename(path))[0] + ".png")
            draw_detections(original, dets, model["classes"]).save(out)
            results[path] = dets
            log.info("%s: %d detection(s) -> %s", path, len(dets), out)
    with open(os.path.join(args.output_dir, "detections.json"), "w") as handle:
        json.dump({"model": model, "thresh": args.thresh, "images": results}, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
