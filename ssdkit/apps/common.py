"""What the three tools share: the dataset choices, building batch sources, rebuilding a trained model
from its checkpoint, and logging to a file and the console.

Examples
--------
>>> sorted(DATASETS)
['coco', 'pikachu', 'rec', 'voc']
"""
import json
import logging
import os
import sys

from .. import nd
from ..base import MXNetError
from ..gluon import SymbolBlock
from ..datagen import ensure_pikachu
from ..model_zoo import get_model
from .checkpoint import load_checkpoint
from .data import PIXEL_MEAN, PIXEL_STD, DatasetBatches, RecordBatches

__all__ = ["DATASETS", "add_dataset_arguments", "open_dataset", "model_description", "load_trained_model",
           "setup_logging"]

DATASETS = {
    "pikachu": "the synthetic pikachu set, generated under --dataset-root when missing",
    "rec": "train.rec/.idx and val.rec/.idx under --dataset-root (ImageDetIter label layout)",
    "voc": "Pascal VOC under --dataset-root (VOC2007 trainval for training, VOC2007 test for validation)",
    "coco": "MS COCO under --dataset-root (instances_train2017 / instances_val2017)",
}
PIKACHU_SIZE = 256      # pixels of the generated images (the network input may differ: --data-shape)


def add_dataset_arguments(parser, default_root="datasets/pikachu"):
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
    parser.add_argument("--num-train", type=int, default=1000, help="pikachu: training images to generate")
    parser.add_argument("--num-val", type=int, default=100, help="pikachu: validation images to generate")
    parser.add_argument("--classes", default=None,
                        help="rec: comma-separated class names (default: meta.json's 'classes' or class0..)")


def _rec_classes(root, classes_arg):
    if classes_arg:
        return [c.strip() for c in classes_arg.split(",") if c.strip()]
    meta = os.path.join(root, "meta.json")
    if os.path.exists(meta):
        with open(meta) as handle:
            names = json.load(handle).get("classes")
        if names:
            return list(names)
    raise MXNetError(f"--dataset rec: give --classes (no 'classes' in {meta})")


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
    root = os.path.expanduser(args.dataset_root)
    if args.dataset == "pikachu":
        meta = ensure_pikachu(root, num_train=args.num_train, num_val=args.num_val, size=PIKACHU_SIZE,
                              num_workers=2, progress=progress)
        classes = list(meta["classes"])
    elif args.dataset == "rec":
        classes = _rec_classes(root, args.classes)
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
    if record is not None:
        description = dict(record["model"])
        params = record["params_path"]
    elif network is None or classes is None:
        raise MXNetError(f"{params} has no checkpoint JSON next to it: give --network and --classes")
    else:
        description = model_description(network, classes, data_shape or PIKACHU_SIZE)
    for key, value in (("network", network), ("data_shape", data_shape)):
        if value is not None:
            description[key] = value
    if classes is not None:
        description["classes"] = list(classes)
    net = get_model(description["network"], classes=description["classes"])
    net.initialize()
    side = description["data_shape"]
    net(nd.zeros((1, 3, side, side)))   # resolve deferred shapes before loading
    net.load_parameters(params)
    return net, description


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
    console = logging.StreamHandler(sys.stderr)
    console.setFormatter(formatter)
    logger.addHandler(console)
    if log_file:
        os.makedirs(os.path.dirname(os.path.abspath(log_file)), exist_ok=True)
        handler = logging.FileHandler(log_file)
        handler.setFormatter(formatter)
        logger.addHandler(handler)
    logger.propagate = False
    return logger
