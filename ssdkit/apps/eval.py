"""``ssdkit-eval`` / ``python scripts/eval.py``: evaluate a trained detector on a dataset's validation split.

Prints a table of VOC07 (11-point) mAP@0.5, VOC (area) mAP@0.5 with the per-class APs, and the 12 COCO box
numbers (AP@[.5:.95], AP50, AP75, AP small/medium/large, AR@1/10/100, AR small/medium/large; areas measured
at the network input size). ``--json`` also writes them to a file.

Examples
--------
>>> build_parser().parse_args(["--params", "runs/toyssd-best.params"]).dataset
'pikachu'
"""
import argparse
import json
import sys

from ..base import MXNetError
from .common import (add_dataset_arguments, load_trained_model, non_negative_int, open_dataset, parse_classes,
                     positive_int, setup_logging)
from .evaluate import DEFAULT_NMS, dropped_note, evaluate, format_table

__all__ = ["build_parser", "main"]


def build_parser():
    """The command-line interface.

    Examples
    --------
    >>> build_parser().parse_args(["--params", "m.params", "--no-coco"]).coco
    False
    """
    p = argparse.ArgumentParser(prog="ssdkit-eval", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--params", required=True, help="checkpoint .params (or .json) of ssdkit-train, or exported "
                                                   "-0000.params with --symbol")
    p.add_argument("--symbol", default=None, help="exported -symbol.json (then --classes is required)")
    p.add_argument("--network", default=None, help="zoo model name (for a bare .params without its JSON)")
    p.add_argument("--data-shape", type=positive_int, default=None, help="input side (default: the checkpoint's)")
    add_dataset_arguments(p)
    p.add_argument("--batch-size", type=positive_int, default=32)
    p.add_argument("--num-workers", type=non_negative_int, default=0)
    p.add_argument("--nms-thresh", type=float, default=DEFAULT_NMS["nms_thresh"])
    p.add_argument("--nms-topk", type=int, default=DEFAULT_NMS["nms_topk"], help="boxes entering NMS (-1: all)")
    p.add_argument("--post-nms", type=int, default=DEFAULT_NMS["post_nms"], help="boxes kept per image (-1: all)")
    p.add_argument("--coco", action=argparse.BooleanOptionalAction, default=True, help="also the 12 COCO numbers")
    p.add_argument("--json", default=None, help="also write the results to this JSON file")
    return p


def main(argv=None):
    """Parse ``argv``, evaluate, print the table; return the exit code (2: bad arguments or data).

    Examples
    --------
    >>> main(["--params", "missing.params", "--network", "toyssd"])
    2
    """
    args = build_parser().parse_args(argv)
    log = setup_logging()
    try:
        classes = parse_classes(args.classes)
        net, model = load_trained_model(args.params, args.network, classes, args.data_shape, args.symbol)
        side = model["data_shape"]
        data_classes, sources = open_dataset(args, side, {"val": args.batch_size}, args.num_workers, progress=False)
        if len(data_classes) != len(model["classes"]):
            raise MXNetError(f"the model predicts {len(model['classes'])} classes {model['classes']}, the dataset "
                             f"has {len(data_classes)} {data_classes}")
        result = evaluate(net, sources["val"], model["classes"], side, coco=args.coco,
                          nms_thresh=args.nms_thresh, nms_topk=args.nms_topk, post_nms=args.post_nms)
    except MXNetError as err:
        log.error("error: %s", err)
        return 2
    note = dropped_note(result)
    if note:
        log.warning("warning: %s", note)
    print(format_table(result))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(dict(result, model=model), handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
