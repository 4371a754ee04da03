"""What the three tools share: the dataset choices, building batch sources, rebuilding a trained model
from its checkpoint, and logging to a file and the console.

Examples
--------
>>> sorted(DATASETS)
['coco', 'pikachu', 'rec', 'voc']
"""
import argparse
import json
import logging
import os
import sys

from .. import nd
from ..base import MXNetError
from ..gluon import SymbolBlock
from ..datagen import ForeignFolderError, ensure_pikachu
from ..model_zoo import get_model
from .checkpoint import load_checkpoint
from .data import PIXEL_MEAN, PIXEL_STD, DatasetBatches, RecordBatches, check_class_ids

__all__ = ["DATASETS", "DEFAULT_DATASET_ROOT", "add_dataset_arguments", "open_dataset", "model_description",
           "load_trained_model", "setup_logging", "positive_int", "non_negative_int", "positive_float",
           "non_negative_float", "parse_classes"]

DATASETS = {
    "pikachu": "the synthetic pikachu set, generated under --dataset-root when missing",
    "rec": "train.rec/.idx and val.rec/.idx under --dataset-root (ImageDetIter label layout)",
    "voc": "Pascal VOC under --dataset-root (VOC2007 trainval for training, VOC2007 test for validation)",
    "coco": "MS COCO under --dataset-root (instances_train2017 / instances_val2017)",
}
PIKACHU_SIZE = 256      # pixels of the generated images (the network input may differ: --data-shape)
#: The only missing folder the tools create on their own (to generate the pikachu set in); any other
#: ``--dataset-root`` must exist, so a typo is reported instead of filled with 1,100 generated images.
DEFAULT_DATASET_ROOT = "datasets/pikachu"
#: Names of a few parameters shown when a checkpoint does not fit a network.
_NAMES_SHOWN = 3


def _checked(text, kind, convert, accept):
    try:
        value = convert(text)
    except ValueError:
        value = None
    if value is None or not accept(value):
        raise argparse.ArgumentTypeError(f"expected {kind}, got {text!r}")
    return value


def positive_int(text):
    """argparse type: an integer > 0 (batch sizes, epochs, image counts, input sides).

    Examples
    --------
    >>> p = argparse.ArgumentParser(); _ = p.add_argument("--n", type=positive_int)
    >>> p.parse_args(["--n", "3"]).n
    3
    >>> positive_int("0")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: expected a positive integer, got '0'
    """
    return _checked(text, "a positive integer", int, lambda v: v > 0)


def non_negative_int(text):
    """argparse type: an integer >= 0 (intervals and limits where 0 means never or all).

    Examples
    --------
    >>> non_negative_int("0")
    0
    """
    return _checked(text, "an integer >= 0", int, lambda v: v >= 0)


def positive_float(text):
    """argparse type: a finite number > 0 (learning rates, thresholds of clipping).

    Examples
    --------
    >>> positive_float("0.5")
    0.5
    """
    return _checked(text, "a positive number", float, lambda v: 0 < v < float("inf"))


def non_negative_float(text):
    """argparse type: a finite number >= 0 (weight decay, momentum, warm-up epochs).

    Examples
    --------
    >>> non_negative_float("0")
    0.0
    """
    return _checked(text, "a number >= 0", float, lambda v: 0 <= v < float("inf"))


def parse_classes(text):
    """``--classes a,b`` -> ``['a', 'b']`` (None stays None); an empty name is an error.

    Examples
    --------
    >>> parse_classes("pikachu, raichu"), parse_classes(None)
    (['pikachu', 'raichu'], None)
    """
    if text is None:
        return None
    names = [c.strip() for c in text.split(",")]
    if not all(names):
        raise MXNetError(f"--classes {text!r}: every class needs a name (comma-separated, none empty)")
    return names


def add_dataset_arguments(parser, default_root=DEFAULT_DATASET_ROOT):
    """Add ``--dataset``, ``--dataset-root``, ``--num-train``/``--num-val`` (pikachu), ``--classes`` (rec).

    Examples
    --------
    >>> import argparse
    >>> p = argparse.ArgumentParser(); add_dataset_arguments(p)
    >>> p.parse_args(["--dataset", "voc"]).dataset_root
    'datasets/pikachu'
    """
    parser.add_argument("--dataset", default="pikachu", choices=sorted(DATASETS),
                        help="; ".join(f"{k}: {v}" for k, v in DATASETS.items()))
    parser.add_argument("--dataset-root", default=default_root, help="dataset folder (default %(default)s)")
    parser.add_argument("--num-train", type=positive_int, default=1000, help="pikachu: training images to generate")
    parser.add_argument("--num-val", type=positive_int, default=100, help="pikachu: validation images to generate")
    parser.add_argument("--classes", default=None,
                        help="rec: comma-separated class names (default: meta.json's 'classes' or class0..)")


def _rec_classes(root, classes_arg):
    if classes_arg:
        return parse_classes(classes_arg)
    meta = os.path.join(root, "meta.json")
    if not os.path.exists(meta):
        raise MXNetError(f"--dataset rec: give --classes (there is no {meta} with a 'classes' list)")
    try:
        with open(meta) as handle:
            content = json.load(handle)
    except (OSError, ValueError) as err:
        raise MXNetError(f"--dataset rec: cannot read {meta}: {err}") from None
    names = content.get("classes") if isinstance(content, dict) else None
    if names is None:
        raise MXNetError(f"--dataset rec: give --classes (no 'classes' in {meta})")
    if not isinstance(names, list) or not names or not all(isinstance(n, str) and n.strip() for n in names):
        raise MXNetError(f"--dataset rec: 'classes' in {meta} must be a non-empty list of names such as "
                         f'["pikachu", "raichu"], got {json.dumps(names)[:80]}')
    return list(names)


def _dataset_root(args):
    """``--dataset-root``, checked to exist (only the default root of the pikachu set may be created)."""
    root = os.path.expanduser(args.dataset_root)
    if os.path.isdir(root):
        return root
    if os.path.exists(root):
        raise MXNetError(f"--dataset-root {args.dataset_root} is a file, not a folder")
    if args.dataset == "pikachu" and os.path.normpath(root) == os.path.normpath(DEFAULT_DATASET_ROOT):
        return root
    hint = (f" (the synthetic set is generated into a missing folder only at the default "
            f"{DEFAULT_DATASET_ROOT}; create the folder first to generate it there)" if args.dataset == "pikachu"
            else "")
    raise MXNetError(f"--dataset-root {args.dataset_root} does not exist{hint}")


def _ensure_pikachu(root, args, progress):
    try:
        return ensure_pikachu(root, num_train=args.num_train, num_val=args.num_val, size=PIKACHU_SIZE,
                              num_workers=2, progress=progress)
    except ForeignFolderError as err:
        has_rec = any(os.path.exists(os.path.join(root, f"{split}.rec")) for split in ("train", "val"))
        hint = ("did you mean --dataset rec?" if has_rec else
                "give --dataset-root an empty or new folder for the synthetic set")
        raise MXNetError(f"--dataset pikachu: {err}; {hint}") from None


def open_dataset(args, data_shape, batch_sizes, num_workers=0, progress=True, augment=None, shard=None):
    """Class names and one batch source per split of ``batch_sizes`` (``'train'`` shuffles and augments).

    Parameters
    ----------
    args : argparse.Namespace
        With the fields of :func:`add_dataset_arguments`.
    data_shape : int
    batch_sizes : dict
        ``{'train': 32, 'val': 32}`` (either may be missing).
    num_workers : int
    progress : bool
        Show the generation bars of the pikachu set.
    augment : dict, optional
        Extra training augmentation (rec/pikachu: ``CreateDetAugmenter`` arguments).
    shard : dict, optional
        ``{'num_parts': N, 'part_index': k}``: the training source reads part ``k`` of ``N`` (rec/pikachu).

    Returns
    -------
    classes : list of str
    sources : dict
        split -> :class:`RecordBatches` or :class:`DatasetBatches`.

    Examples
    --------
    >>> import argparse, tempfile
    >>> p = argparse.ArgumentParser(); add_dataset_arguments(p)
    >>> args = p.parse_args(["--dataset-root", tempfile.mkdtemp(), "--num-train", "2", "--num-val", "1"])
    >>> classes, sources = open_dataset(args, 32, {"val": 1}, progress=False)
    >>> classes, sources["val"].image_size, len(sources["val"])
    (['pikachu'], 256, 1)
    """
    root = _dataset_root(args)
    if args.dataset == "pikachu":
        meta = _ensure_pikachu(root, args, progress)
        classes = list(meta["classes"])
    elif args.dataset == "rec":
        classes = _rec_classes(root, args.classes)
        for split in batch_sizes:   # a class id the model has no output for would train silently wrong
            path = os.path.join(root, f"{split}.rec")
            if os.path.exists(path) and os.path.exists(os.path.join(root, f"{split}.idx")):
                check_class_ids(path, classes)
    if args.dataset in ("pikachu", "rec"):
        sources = {split: RecordBatches(os.path.join(root, f"{split}.rec"), size, data_shape,
                                        train=split == "train", num_workers=num_workers,
                                        augment=augment if split == "train" else None,
                                        shard=shard if split == "train" else None)
                   for split, size in batch_sizes.items()}
        if args.dataset == "pikachu":
            for source in sources.values():
                source.image_size = meta["size"]
        return classes, sources
    if shard is not None:
        raise MXNetError(f"--distributed reads parts of RecordIO files: use --dataset pikachu or rec, "
                         f"not {args.dataset}")
    from ..detection.data import COCODetection, VOCDetection
    if args.dataset == "voc":
        names = {"train": ((2007, "trainval"),), "val": ((2007, "test"),)}
        datasets = {split: VOCDetection(root, splits=names[split]) for split in batch_sizes}
        classes = list(VOCDetection.CLASSES)
    else:
        names = {"train": "instances_train2017", "val": "instances_val2017"}
        datasets = {split: COCODetection(root, splits=names[split], skip_empty=split == "train")
                    for split in batch_sizes}
        classes = list(COCODetection.CLASSES)
    return classes, {split: DatasetBatches(ds, batch_sizes[split], data_shape, train=split == "train",
                                           num_workers=num_workers) for split, ds in datasets.items()}


def model_description(network, classes, data_shape):
    """What detect/eval need to rebuild and feed a trained model (stored in the checkpoint JSON).

    Examples
    --------
    >>> model_description("toyssd", ["pikachu"], 256)["pixel_mean"]
    [123.68, 116.28, 103.53]
    """
    return {"network": network, "classes": list(classes), "data_shape": int(data_shape),
            "pixel_mean": list(PIXEL_MEAN), "pixel_std": list(PIXEL_STD)}


def load_trained_model(params=None, network=None, classes=None, data_shape=None, symbol=None):
    """A model ready for inference and its description.

    Either ``params`` (a checkpoint ``.params``/``.json`` written by ssdkit-train, or a bare ``.params``
    with ``network`` and ``classes`` given) or ``symbol`` (an exported ``-symbol.json``, with ``params``
    the matching ``-0000.params``, and ``classes``).

    Returns
    -------
    net : Block
    description : dict
        As :func:`model_description`.

    Examples
    --------
    >>> import os, tempfile, ssdkit as mx
    >>> net = mx.model_zoo.get_model('toyssd'); net.initialize(); _ = net(mx.nd.zeros((1, 3, 64, 64)))
    >>> path = os.path.join(tempfile.mkdtemp(), "w.params"); net.save_parameters(path)
    >>> loaded, model = load_trained_model(path, network='toyssd', classes=['pikachu'], data_shape=64)
    >>> type(loaded).__name__, model['data_shape']
    ('ToySSD', 64)
    """
    if symbol is not None:
        if params is None or classes is None:
            raise MXNetError("an exported model needs --params (the -0000.params file) and --classes")
        net = SymbolBlock.imports(symbol, ["data"], params)
        return net, model_description("symbol", classes, data_shape or PIKACHU_SIZE)
    if params is None:
        raise MXNetError("give --params (a checkpoint written by ssdkit-train) or --symbol")
    json_path = os.path.splitext(params)[0] + ".json"
    record = load_checkpoint(json_path) if os.path.exists(json_path) else None
    if record is None and not os.path.exists(params):
        raise MXNetError(f"--params {params} does not exist")
    if record is not None:
        description = dict(record["model"])
        if network is not None and network != description["network"]:
            logging.getLogger("ssdkit.apps").warning(
                "warning: --network %s overrides the checkpoint's own record (%s is a %s)", network, params,
                description["network"])
        weights = record["params_path"]
    elif network is None or classes is None:
        raise MXNetError(f"{params} has no checkpoint JSON next to it: give --network and --classes")
    else:
        description = model_description(network, classes, data_shape or PIKACHU_SIZE)
        weights = params
    saved_as = description["network"]
    for key, value in (("network", network), ("data_shape", data_shape)):
        if value is not None:
            description[key] = value
    if classes is not None:
        description["classes"] = list(classes)
    net = get_model(description["network"], classes=description["classes"])
    net.initialize()
    side = description["data_shape"]
    net(nd.zeros((1, 3, side, side)))   # resolve deferred shapes before loading
    try:
        net.load_parameters(weights)
    except MXNetError as err:
        raise MXNetError(_mismatch(params, weights, saved_as if record is not None else None, net,
                                   description["network"], err)) from None
    return net, description


def _mismatch(params, weights, saved_as, net, network, err):
    """A short sentence for weights that do not fit ``net``: what the file is, a few names on each side."""
    def few(names):
        names = sorted(names)
        return ", ".join(names[:_NAMES_SHOWN]) + (f", ... ({len(names)} in all)" if len(names) > _NAMES_SHOWN else "")
    try:
        in_file = set(nd.load(weights))
    except MXNetError:
        return f"cannot load {params}: {err}"
    expected = set(net._collect_params_with_prefix())
    if in_file == expected:   # the same names: shapes differ (e.g. another number of classes)
        return f"cannot load {params} into {network}: {err}"
    if saved_as is not None and saved_as != network:
        head = f"this checkpoint is a {saved_as}, not {network} ({params})"
    else:
        head = f"{params} does not fit {network}"
    return (f"{head}: the file holds {few(in_file - expected) or few(in_file)}; the network takes "
            f"{few(expected - in_file) or few(expected)}")


class _ProgressAwareHandler(logging.StreamHandler):
    """Console lines through ``tqdm.write``: printed above an open progress bar instead of on its line."""

    def __init__(self):
        super().__init__(sys.stderr)

    def emit(self, record):
        from tqdm import tqdm
        try:
            tqdm.write(self.format(record), file=sys.stderr)
        except Exception:   # noqa: BLE001 -- logging's own policy: report, never raise from a handler
            self.handleError(record)


def setup_logging(log_file=None, verbose=False, quiet=False):
    """Log INFO lines (warnings and errors only when ``quiet``) to stderr and, when given, to ``log_file``
    (appended); returns the logger.

    Examples
    --------
    >>> setup_logging().name
    'ssdkit.apps'
    """
    logger = logging.getLogger("ssdkit.apps")
    logger.setLevel(logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    formatter = logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S")
    console = _ProgressAwareHandler()
    console.setFormatter(formatter)
    logger.addHandler(console)
    if log_file:
        os.makedirs(os.path.dirname(os.path.abspath(log_file)), exist_ok=True)
        handler = logging.FileHandler(log_file)
        handler.setFormatter(formatter)
        logger.addHandler(handler)
    logger.propagate = False
    return logger
