"""``ssdkit-train`` / ``python scripts/train.py``: train a zoo detector, validate, checkpoint, resume.

The default run generates the synthetic pikachu set (if missing) and trains the straight-dope ToySSD on it,
validating VOC07 mAP@0.5 every ``--val-interval`` epochs. Checkpoints ``<save-prefix>-last`` (every epoch,
and on Ctrl-C or SIGTERM mid-epoch) and ``<save-prefix>-best`` (best validation mAP) hold the weights, the
optimizer state and a JSON with the position (epoch, batch), the RNG state and the model description;
``--resume`` continues exactly where a run stopped. A NaN/inf loss stops the run naming the epoch and batch
(or is skipped with ``--skip-nan-batches``); weights with NaN are never written. A save prefix belongs to one
run: a new run refuses a prefix holding an earlier run's checkpoints (``--resume`` continues it,
``--overwrite`` discards it) and ``<save-prefix>.lock`` refuses a second run while one is writing there.

Examples
--------
>>> args = build_parser().parse_args(["--epochs", "3", "--no-hybridize"])
>>> args.network, args.epochs, args.hybridize, args.loss
('toyssd', 3, False, 'ssd')
"""
import argparse
import json
import math
import os
import signal
import sys
import time

import numpy as np

from .. import autograd, distributed as dist, gluon, init, nd
from .. import random as mx_random
from ..base import MXNetError, get_rng
from ..detection.loss import SmoothL1Loss, SSDMultiBoxLoss, SSDTargetGenerator
from ..metric import MAE, Accuracy
from ..model_zoo import ToySSD, get_model, get_model_list
from .checkpoint import load_checkpoint, params_are_finite, save_checkpoint
from .common import (add_dataset_arguments, model_description, non_negative_float, non_negative_int, open_dataset,
                     positive_float, positive_int, setup_logging)
from .evaluate import dropped_note, evaluate
from .runs import PrefixLock, claim_prefix, sweep_orphans

__all__ = ["build_parser", "main", "learning_rate"]

EXIT_INTERRUPTED = 130     # the shell's code for a run ended by SIGINT
EXIT_NAN = 3
#: A finite loss this many times its first value, or above DIVERGED_LOSS, is reported (once) as diverging.
DIVERGENCE_FACTOR = 1e6
DIVERGED_LOSS = 1e8


def build_parser():
    """The command-line interface (GluonCV ``train_ssd.py``-style names).

    Examples
    --------
    >>> build_parser().parse_args(["--lr-decay-epoch", "8,12"]).lr_decay_epoch
    '8,12'
    """
    p = argparse.ArgumentParser(prog="ssdkit-train", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--network", default="toyssd", choices=get_model_list(), help="zoo model")
    p.add_argument("--data-shape", type=positive_int, default=256, help="input side in pixels")
    p.add_argument("--batch-size", type=positive_int, default=16, help="training batch size")
    add_dataset_arguments(p)
    p.add_argument("--epochs", type=positive_int, default=5, help="total training epochs")
    p.add_argument("--optimizer", default="adam", choices=("sgd", "nag", "adam"), help="optimizer")
    p.add_argument("--lr", type=positive_float, default=0.002, help="base learning rate (the notebook: sgd 0.1)")
    p.add_argument("--lr-mode", default="cosine", choices=("step", "cosine"), help="learning rate schedule")
    p.add_argument("--lr-decay", type=positive_float, default=0.1, help="step mode: factor at each decay epoch")
    p.add_argument("--lr-decay-epoch", default="", help="step mode: comma-separated epochs to decay at")
    p.add_argument("--warmup-epochs", type=non_negative_float, default=0.3, help="linear warm-up from 0 (fractional epochs)")
    p.add_argument("--wd", type=non_negative_float, default=5e-4, help="weight decay")
    p.add_argument("--momentum", type=non_negative_float, default=0.9, help="sgd/nag momentum")
    p.add_argument("--clip-gradient", type=positive_float, default=None, help="clip each gradient element to +-value")
    p.add_argument("--loss", default="ssd", choices=("ssd", "notebook"),
                   help="ssd: softmax CE with 3:1 hard-negative mining + smooth-L1, per positive anchor "
                        "(GluonCV); notebook: FocalLoss + masked SmoothL1 over all anchors (straight-dope)")
    p.add_argument("--rand-mirror", action=argparse.BooleanOptionalAction, default=True,
                   help="random horizontal flips (rec/pikachu training)")
    p.add_argument("--val-interval", type=non_negative_int, default=1, help="validate every N epochs (0: never)")
    p.add_argument("--val-batch-size", type=positive_int, default=32)
    p.add_argument("--save-prefix", default="runs/toyssd",
                   help="checkpoint and log prefix; a new run refuses a prefix holding an earlier run's "
                        "checkpoints (see --resume and --overwrite)")
    p.add_argument("--resume", nargs="?", const="auto", default=None,
                   help="continue from a checkpoint (.json/.params); without a value: <save-prefix>-last")
    p.add_argument("--overwrite", action="store_true",
                   help="start a new run on a --save-prefix that holds an earlier run, deleting its checkpoints")
    p.add_argument("--start-epoch", type=non_negative_int, default=None,
                   help="with --resume of a bare .params file: the epoch to start at")
    p.add_argument("--log-interval", type=non_negative_int, default=20, help="log every N batches (0: never)")
    p.add_argument("--num-workers", type=non_negative_int, default=0, help="data decoding processes")
    p.add_argument("--seed", type=int, default=233, help="seed of data order, augmentation and init")
    p.add_argument("--hybridize", action=argparse.BooleanOptionalAction, default=True,
                   help="run the network as a cached graph")
    p.add_argument("--skip-nan-batches", action="store_true", help="skip batches whose loss is NaN/inf")
    p.add_argument("--max-batches", type=non_negative_int, default=0, help="stop each epoch after N batches (0: all)")
    p.add_argument("--no-progress", action="store_true", help="no tqdm bars (log lines only)")
    p.add_argument("--distributed", action="store_true",
                   help="data-parallel over MPI ranks (mpirun -np N ...): --batch-size is the global batch, "
                        "each rank reads its part of the .rec; rank 0 logs, validates and saves (rec/pikachu)")
    return p


def learning_rate(args, progress, batches_per_epoch=None):
    """The learning rate after ``progress`` epochs (fractional): linear warm-up, then step or cosine decay.

    Examples
    --------
    >>> a = build_parser().parse_args(["--lr", "0.1", "--lr-mode", "step", "--lr-decay-epoch", "2",
    ...                                "--warmup-epochs", "0"])
    >>> learning_rate(a, 1.5), round(learning_rate(a, 2.0), 6)
    (0.1, 0.01)
    >>> a = build_parser().parse_args(["--lr", "0.1", "--epochs", "4", "--warmup-epochs", "1"])
    >>> learning_rate(a, 0.5), learning_rate(a, 1.0), round(learning_rate(a, 4.0), 6)
    (0.05, 0.1, 0.0)
    """
    if args.warmup_epochs > 0 and progress < args.warmup_epochs:
        return args.lr * progress / args.warmup_epochs
    if args.lr_mode == "cosine":
        span = max(args.epochs - args.warmup_epochs, 1e-12)
        done = min(max(progress - args.warmup_epochs, 0.0) / span, 1.0)
        return args.lr * 0.5 * (1.0 + math.cos(math.pi * done))
    steps = [float(e) for e in args.lr_decay_epoch.split(",") if e.strip()]
    return args.lr * args.lr_decay ** sum(progress >= s for s in steps)


class _Interrupt:
    """SIGINT (Ctrl-C) or SIGTERM sets a flag the loop checks between batches; a second signal acts at once."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self):
        self.requested = False
        self._previous = {sig: signal.signal(sig, self._handle) for sig in self.SIGNALS}

    def _handle(self, signum, frame):
        self.requested = True
        self.restore()

    def restore(self):
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)


class _Objective:
    """Targets + loss of one batch for the chosen ``--loss``; also the notebook's anchor metrics."""

    def __init__(self, kind):
        self.kind = kind
        self._targets = SSDTargetGenerator()
        self._ssd_loss = SSDMultiBoxLoss()
        self._focal, self._smooth_l1 = gluon.loss.FocalLoss(), SmoothL1Loss()

    def __call__(self, net, outputs, label):
        """(loss to backward, cls loss, box loss, (cls_target, cls_preds, box target, box pred, box mask))."""
        if isinstance(net, ToySSD):
            anchors, cls_preds, box_flat = outputs
        else:
            cls_preds, box_flat, anchors = outputs
            box_flat = box_flat.reshape((0, -1))
        if self.kind == "notebook":
            box_t, box_m, cls_t = nd.contrib.MultiBoxTarget(anchors, label, nd.transpose(cls_preds, axes=(0, 2, 1)))
            cls_loss, box_loss = self._focal(cls_preds, cls_t), self._smooth_l1(box_flat, box_t, box_m)
            return cls_loss + box_loss, cls_loss, box_loss, (cls_t, cls_preds, box_t, box_flat, box_m)
        cls_t, box_t, box_m = self._targets(anchors, label)
        total, cls_loss, box_loss = self._ssd_loss(cls_preds, box_flat.reshape((0, -1, 4)), cls_t, box_t)
        return total[0], cls_loss[0], box_loss[0], (cls_t, cls_preds, box_t.reshape((0, -1)), box_flat,
                                                    box_m.reshape((0, -1)))

    def step_size(self, batch):
        # the SSD loss is already normalized by the number of positives; the notebook's is a per-image mean
        return 1 if self.kind == "ssd" else batch


def _rng_state():
    return get_rng().bit_generator.state


def _json_default(value):
    if isinstance(value, np.integer):
        return int(value)
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def _check_has_batches(source, batch_size, args):
    """An epoch without a batch would 'train' nothing and still write checkpoints: refuse it up front."""
    if len(source) == 0:
        raise MXNetError(f"the training set gives no batch per epoch: {source.num_images} images, --batch-size "
                         f"{batch_size} (the last partial batch is dropped); lower --batch-size"
                         + (" or raise --num-train" if args.dataset == "pikachu" else ""))


class _Run:
    """One training run: data, model, trainer, position, and the loop."""

    def __init__(self, args, log, job=None):
        self.args, self.log, self.job = args, log, job
        self.is_root = job is None or job.is_root
        if job is None:   # (a distributed job seeded every rank with seed + rank in dist.setup)
            mx_random.seed(args.seed)   # before building anything that draws: data order, augmentation, init
        augment = {"rand_mirror": True} if args.rand_mirror else None
        sizes = {"train": job.batch_size if job else args.batch_size}
        if args.val_interval > 0 and self.is_root:
            sizes["val"] = args.val_batch_size
        if job is not None:   # rank 0 generates a missing pikachu set while the others wait
            if job.is_root:
                open_dataset(args, args.data_shape, {}, progress=not args.no_progress)
            dist.barrier()
        self.classes, self.sources = open_dataset(args, args.data_shape, sizes, args.num_workers,
                                                  not args.no_progress, augment,
                                                  shard=job.iter_shard if job else None)
        _check_has_batches(self.sources["train"], sizes["train"], args)
        self.net = get_model(args.network, classes=self.classes)
        self.net.initialize(init.Xavier(magnitude=2))
        with autograd.predict_mode():
            self.net(nd.zeros((1, 3, args.data_shape, args.data_shape)))   # resolve deferred shapes
        if args.hybridize:
            self.net.hybridize()
        options = {"learning_rate": args.lr, "wd": args.wd}
        if args.optimizer != "adam":
            options["momentum"] = args.momentum
        if args.clip_gradient:
            options["clip_gradient"] = args.clip_gradient
        if job is None:
            self.trainer = gluon.Trainer(self.net.collect_params(), args.optimizer, options)
        else:   # root's initial weights go to every rank; gradients are summed over ranks at each step
            self.trainer = dist.prepare_trainer(self.net.collect_params(), args.optimizer, options)
        self.objective = _Objective(args.loss)
        self.model = model_description(args.network, self.classes, args.data_shape)
        self.epoch, self.batch, self.best_map, self.history = 0, 0, -1.0, []
        self.interrupt = None
        self.first_loss, self.warned_divergence = None, False

    # -- checkpoints -------------------------------------------------------------------------------
    def _meta(self):
        return {"epoch": self.epoch, "batch": self.batch, "best_map": self.best_map,
                "lr": self.trainer.learning_rate, "rng_state": _rng_state(), "model": self.model,
                "history": self.history, "args": dict(vars(self.args))}

    def save(self, tag):
        if not self.is_root:
            return
        paths = save_checkpoint(self.args.save_prefix, tag, self.net, self.trainer,
                                json.loads(json.dumps(self._meta(), default=_json_default)))
        self.log.info("saved %s (epoch %d, batch %d)", paths["params"], self.epoch, self.batch)

    def resume(self, path):
        if path == "auto":
            path = f"{self.args.save_prefix}-last.json"
        if path.endswith(".params") and not os.path.exists(path[:-len(".params")] + ".json"):
            self.net.load_parameters(path)   # bare weights (e.g. the notebook's): start at --start-epoch
            self.epoch = self.args.start_epoch or 0
            self.log.info("loaded weights %s; starting at epoch %d", path, self.epoch)
            return
        record = load_checkpoint(path)
        if record["model"]["network"] != self.args.network:
            raise MXNetError(f"--resume {path}: the checkpoint is a {record['model']['network']!r} model, "
                             f"this run trains {self.args.network!r}")
        self.net.load_parameters(record["params_path"])
        if record.get("states_path"):
            self.trainer.load_states(record["states_path"])
        self.epoch, self.batch = int(record["epoch"]), int(record["batch"])
        if self.args.start_epoch is not None:
            self.epoch, self.batch = self.args.start_epoch, 0
        self.best_map, self.history = float(record["best_map"]), list(record.get("history", []))
        get_rng().bit_generator.state = record["rng_state"]
        self.log.info("resumed from %s at epoch %d batch %d (best mAP %.4f)", path, self.epoch, self.batch,
                      self.best_map)
        if self.epoch >= self.args.epochs:
            raise MXNetError(f"--resume {path}: that run already finished its {self.epoch} epochs; give --epochs "
                             f"with more than {self.epoch} to train further")

    # -- the loop ----------------------------------------------------------------------------------
    def _anyone(self, flag):
        """True when ``flag`` holds on any rank (every rank must call this at the same point)."""
        return _any_rank(self.job, flag)

    def _progress(self, total, initial, desc):
        from tqdm import tqdm
        return tqdm(total=total, initial=initial, desc=desc, unit="batch",
                    disable=self.args.no_progress or not self.is_root,
                    dynamic_ncols=True, mininterval=1.0 if sys.stderr.isatty() else 30.0, leave=False)

    def train_epoch(self, epoch):
        """Train one epoch from ``self.batch``; 0, or the exit code of an interruption (checkpoint written) or of
        a non-finite loss (nothing written)."""
        args, source = self.args, self.sources["train"]
        total = min(len(source), args.max_batches) if args.max_batches > 0 else len(source)
        cls_acc, box_mae = Accuracy(), MAE()
        sums, count, skipped, seen, tic = np.zeros(3), 0, 0, 0, time.time()
        bar = self._progress(total, self.batch, f"epoch {epoch}")
        start, yielded = self.batch, 0
        for i, data, label, _ in source.epoch(epoch, skip=self.batch):
            if i >= total:
                break
            yielded += 1
            self.trainer.set_learning_rate(learning_rate(args, epoch + i / total))
            with autograd.record():
                outputs = self.net(data)
                loss, cls_loss, box_loss, extra = self.objective(self.net, outputs, label)
            values = np.array([float(loss.sum().asscalar()), float(cls_loss.sum().asscalar()),
                               float(box_loss.sum().asscalar())])
            if self._anyone(not np.isfinite(values).all()):   # every rank skips or stops together
                message = f"non-finite loss {values[0]} at epoch {epoch} batch {i}"
                if not args.skip_nan_batches:
                    self.log.error("%s: stopping (the last checkpoint is untouched; lower --lr or use "
                                   "--skip-nan-batches)", message)
                    bar.close()
                    return EXIT_NAN
                self.log.warning("%s: skipped", message)
                skipped += 1
            else:
                self._watch_divergence(values[0], epoch, i)
                loss.backward()
                self.trainer.step(self.objective.step_size(data.shape[0]))
                sums += values
                count += 1
                cls_t, cls_preds, box_t, box_p, box_m = extra
                cls_acc.update([cls_t], [nd.transpose(cls_preds, axes=(0, 2, 1))])
                box_mae.update([box_t], [box_p * box_m])
            seen += data.shape[0] * (self.job.size if self.job else 1)   # samples/s over every rank
            self.batch = i + 1
            rate = seen / max(time.time() - tic, 1e-9)
            bar.set_postfix(loss=f"{sums[0] / max(count, 1):.4f}", sps=f"{rate:.1f}", refresh=False)
            bar.update(1)   # redraws at most every mininterval seconds
            if args.log_interval and (i + 1) % args.log_interval == 0:
                self.log.info("[Epoch %d Batch %d] %.1f samples/s lr=%.5f loss=%.4f cls=%.4f box=%.4f %s=%.5f "
                              "%s=%.6f", epoch, i, rate, self.trainer.learning_rate, *(sums / max(count, 1)),
                              *cls_acc.get(), *box_mae.get())
            if self._anyone(self.interrupt.requested):
                bar.close()
                self.log.info("interrupted at epoch %d batch %d", epoch, i)
                self.save("last")
                return EXIT_INTERRUPTED
        bar.close()
        if yielded == 0 and start == 0:
            raise MXNetError(f"epoch {epoch} gave no batch: every sample of the training set was skipped (see "
                             f"the warnings above: images without a valid object or class id)")
        mean = sums / max(count, 1)
        record = {"epoch": epoch, "loss": mean[0], "cls_loss": mean[1], "box_loss": mean[2],
                  "anchor_accuracy": cls_acc.get()[1], "box_mae": box_mae.get()[1], "skipped": skipped,
                  "seconds": time.time() - tic, "samples_per_second": seen / max(time.time() - tic, 1e-9)}
        self.history.append(record)
        self.log.info("[Epoch %d] loss=%.4f cls=%.4f box=%.4f anchor accuracy=%.5f box MAE=%.6f "
                      "%.1f samples/s %.0f s", epoch, mean[0], mean[1], mean[2], record["anchor_accuracy"],
                      record["box_mae"], record["samples_per_second"], record["seconds"])
        return 0

    def _watch_divergence(self, loss, epoch, batch):
        """Warn once when a finite loss explodes (the run goes on: a NaN would stop it)."""
        if self.first_loss is None:
            self.first_loss = abs(loss)
            return
        huge = loss > DIVERGED_LOSS or (self.first_loss > 0 and loss > DIVERGENCE_FACTOR * self.first_loss)
        if huge and not self.warned_divergence:
            self.warned_divergence = True
            self.log.warning("warning: the loss is diverging: %.4g at epoch %d batch %d, against %.4g at the first "
                             "batch (lower --lr, or add --clip-gradient)", loss, epoch, batch, self.first_loss)

    def validate(self, epoch):
        tic = time.time()
        result = evaluate(self.net, self.sources["val"], self.classes, self.args.data_shape)
        self.history[-1].update(voc07_map=result["voc07_map"], voc_map=result["voc_map"])
        self.log.info("[Epoch %d] validation VOC07 mAP@0.5=%.4f VOC mAP=%.4f (%d images, %.0f s)", epoch,
                      result["voc07_map"], result["voc_map"], result["num_images"], time.time() - tic)
        note = dropped_note(result)
        if note:
            self.log.warning("warning: validation %s", note)
        return result["voc07_map"]

    def run(self):
        args = self.args
        self.interrupt = _Interrupt()
        try:
            start = time.time()
            for epoch in range(self.epoch, args.epochs):
                self.epoch = epoch
                status = self.train_epoch(epoch)
                if status:
                    return status
                self.epoch, self.batch = epoch + 1, 0
                if not params_are_finite(self.net):
                    self.log.error("the weights hold NaN/inf after epoch %d: stopping without a checkpoint", epoch)
                    return EXIT_NAN
                if self.is_root and args.val_interval > 0 and \
                        ((epoch + 1) % args.val_interval == 0 or epoch + 1 == args.epochs):
                    score = self.validate(epoch)
                    if score > self.best_map:
                        self.best_map = score
                        self.save("best")
                self.save("last")
                if self._anyone(self.interrupt.requested):
                    self.log.info("interrupted after epoch %d", epoch)
                    return EXIT_INTERRUPTED
            self.log.info("done: %d epochs, best VOC07 mAP %.4f, %.0f s", args.epochs, self.best_map,
                          time.time() - start)
            return 0
        finally:
            self.interrupt.restore()
            for source in self.sources.values():
                source.close()


def main(argv=None):
    """Parse ``argv`` (default ``sys.argv[1:]``), train, and return the exit code: 0 done, 2 bad arguments or
    data, 3 non-finite loss, 130 interrupted (checkpoint written).

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> main(["--dataset", "rec", "--dataset-root", d, "--classes", "a", "--save-prefix", d + "/run"])
    2
    """
    args = build_parser().parse_args(argv)
    job = dist.setup(args.batch_size, seed=args.seed) if args.distributed else None
    root = job is None or job.is_root
    log = setup_logging(quiet=not root)
    lock = PrefixLock(args.save_prefix) if root else None
    try:
        notes, failed = [], None
        try:
            if root:   # before anything is written under the prefix, the log included
                lock.acquire()
                notes = _claim(args, lock)
        except MXNetError as err:
            failed = err
        if _any_rank(job, failed is not None) and failed is None:
            failed = MXNetError("rank 0 could not claim --save-prefix (see its message)")
        if failed is not None:
            log.error("error: %s", failed)
            return 2
        log = setup_logging(f"{args.save_prefix}_train.log" if root else None, quiet=not root)
        log.info("ssdkit-train %s", " ".join(sys.argv[1:] if argv is None else argv))
        for note in notes:
            log.info("%s", note)
        if job is not None:
            log.info("distributed: %d ranks, %d images per rank and step", job.size, job.batch_size)
        run = _Run(args, log, job)
        if args.resume:
            run.resume(args.resume)
        return run.run()
    except MXNetError as err:
        log.error("error: %s", err)
        return 2
    finally:
        if lock is not None:
            lock.release()
        if job is not None:
            dist.shutdown()


def _claim(args, lock):
    """With the lock held: refuse (or, with --overwrite, clear) an earlier run, then drop orphaned files;
    returns the lines to log."""
    notes = []
    if lock.previous_owner:
        notes.append(f"took over {lock.path} left by PID {lock.previous_owner}, which is no longer running")
    removed = claim_prefix(args.save_prefix, resume=bool(args.resume), overwrite=args.overwrite)
    if removed:
        notes.append(f"--overwrite: removed the earlier run's {', '.join(removed)}")
    orphans = sweep_orphans(args.save_prefix)
    if orphans:
        notes.append(f"removed {len(orphans)} file(s) no checkpoint names (left by an interrupted save): "
                     f"{', '.join(orphans)}")
    return notes


def _any_rank(job, flag):
    if job is None:
        return bool(flag)
    return bool(dist.allreduce(np.array([float(flag)]), average=False)[0] > 0)


if __name__ == "__main__":
    sys.exit(main())
