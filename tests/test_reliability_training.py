"""Reliability of ``ssdkit-train`` (ssdkit.apps.train, scripts/train.py) run as a subprocess on a tiny
generated pikachu set (12 training images, data shape 64, 2 epochs of 4 batches):

* a NaN/inf loss stops the run naming epoch and batch (or the batch is skipped with --skip-nan-batches), and
  no checkpoint ever holds NaN weights;
* SIGINT mid-epoch writes a resumable checkpoint and exits cleanly (code 130);
* resuming reproduces an uninterrupted run bit for bit (data order, augmentation, optimizer, lr schedule);
* kill -9 or a full disk (ENOSPC) while a checkpoint is written leaves the previous checkpoint usable and
  reports a clear error.

Faults are injected by a small driver that wraps the training module before calling its ``main``: the loss
of one batch is multiplied by NaN (``_Objective.__call__``), or the N-th ``checkpoint.atomic_write`` dies
half-way (SIGKILL) or hits ENOSPC at fsync. See /work/notes/reliability_matrix.md for the case list.
"""
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("ssdkit.apps.train", reason="ssdkit.apps.train (the training tool) is not in this tree yet")

import ssdkit as mx  # noqa: E402 -- after the skip above
from ssdkit.apps.checkpoint import load_checkpoint  # noqa: E402
from ssdkit.datagen import ensure_pikachu  # noqa: E402
from ssdkit.recordio import IRHeader, MXIndexedRecordIO, make_det_label, pack, pack_img  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
NUM_TRAIN, NUM_VAL, BATCH = 12, 4, 3          # 4 batches per epoch
BATCHES_PER_EPOCH = NUM_TRAIN // BATCH
PIKACHU_SIDE = 256                            # what ssdkit-train generates (ssdkit.apps.common.PIKACHU_SIZE)
RUN_TIMEOUT = 300
EXIT_INTERRUPTED, EXIT_NAN = 130, 3
#: atomic_write calls of the second checkpoint (after epoch 1): weights, optimizer states, JSON
SECOND_SAVE = {"params": 4, "states": 5, "json": 6}

DRIVER = r'''
import errno, json, os, signal, sys, time
config = json.loads(sys.argv[1])
sys.path.insert(0, config["repo"])
from ssdkit.apps import checkpoint, train

if config.get("nan_at_call") or config.get("batch_sleep"):
    original = train._Objective.__call__
    calls = [0]
    def objective(self, net, outputs, label):
        out = original(self, net, outputs, label)
        calls[0] += 1
        time.sleep(config.get("batch_sleep", 0))   # lets the test send SIGINT in the middle of an epoch
        if calls[0] == config.get("nan_at_call"):
            return (out[0] * float("nan"),) + tuple(out[1:])
        return out
    train._Objective.__call__ = objective

if config.get("fault_at_write"):
    # every checkpoint file goes through ssdkit.base.atomic_write (weights, optimizer states, JSON, in order)
    from ssdkit import base
    from ssdkit.gluon import trainer as trainer_module
    from ssdkit.ndarray import serialization
    real_atomic_write, real_fsync = base.atomic_write, os.fsync
    writes = [0]
    def atomic_write(path, payload, what="save"):
        writes[0] += 1
        if writes[0] != config["fault_at_write"]:
            return real_atomic_write(path, payload, what)
        if config["fault"] == "kill":   # die half-way through writing the temporary file
            tmp = os.path.join(os.path.dirname(os.path.abspath(path)), "." + os.path.basename(path) + ".dying.tmp")
            with open(tmp, "wb") as handle:
                handle.write(payload[:len(payload) // 2])
            os.kill(os.getpid(), signal.SIGKILL)
        def full(fd):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        os.fsync = full
        try:
            return real_atomic_write(path, payload, what)
        finally:
            os.fsync = real_fsync
    for module in (base, checkpoint, trainer_module, serialization):
        module.atomic_write = atomic_write

sys.exit(train.main(sys.argv[2:]))
'''


@pytest.fixture(scope="module")
def pikachu(tmp_path_factory):
    root = tmp_path_factory.mktemp("pikachu")
    ensure_pikachu(str(root), num_train=NUM_TRAIN, num_val=NUM_VAL, size=PIKACHU_SIDE, num_workers=2,
                   progress=False)
    return root


def train_argv(root, prefix, *extra, epochs=2):
    return ["--dataset", "pikachu", "--dataset-root", str(root), "--num-train", str(NUM_TRAIN),
            "--num-val", str(NUM_VAL), "--data-shape", "64", "--batch-size", str(BATCH), "--epochs", str(epochs),
            "--val-interval", "0", "--log-interval", "1", "--no-progress", "--save-prefix", str(prefix), *extra]


def driver_command(argv, **faults):
    return [sys.executable, "-c", DRIVER, json.dumps(dict(faults, repo=str(REPO))), *argv]


def run_train(argv, **faults):
    proc = subprocess.run(driver_command(argv, **faults), capture_output=True, text=True, timeout=RUN_TIMEOUT,
                          cwd=str(REPO))
    return proc.returncode, proc.stderr


def sha(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def checkpoint_of(prefix, tag="last"):
    """The verified checkpoint record (hashes checked) and its weights."""
    record = load_checkpoint(f"{prefix}-{tag}.json")
    return record, mx.nd.load(record["params_path"])


def assert_finite(arrays, where):
    bad = [name for name, array in arrays.items() if not np.isfinite(array.asnumpy()).all()]
    assert not bad, f"{where} holds non-finite weights: {bad[:5]}"


def assert_clean_exit(stderr):
    assert "Traceback" not in stderr, stderr[-3000:]


@pytest.fixture(scope="module")
def straight_run(pikachu, tmp_path_factory):
    """Two epochs without interruption: the reference for every resume."""
    prefix = tmp_path_factory.mktemp("straight") / "m"
    code, stderr = run_train(train_argv(pikachu, prefix))
    assert code == 0, stderr[-3000:]
    return prefix


# -- NaN / inf ---------------------------------------------------------------------------------------

def test_nan_loss_stops_naming_epoch_and_batch_and_keeps_the_checkpoint(pikachu, tmp_path):
    prefix = tmp_path / "m"
    nan_call = BATCHES_PER_EPOCH + 3          # epoch 1, batch 2
    code, stderr = run_train(train_argv(pikachu, prefix), nan_at_call=nan_call)
    assert code == EXIT_NAN, stderr[-3000:]
    assert re.search(r"non-finite loss nan at epoch 1 batch 2: stopping", stderr), stderr[-3000:]
    assert_clean_exit(stderr)
    record, weights = checkpoint_of(prefix)
    assert (record["epoch"], record["batch"]) == (1, 0)     # the checkpoint written after epoch 0
    assert_finite(weights, "the last checkpoint")


def test_exploding_learning_rate_never_checkpoints_nan_weights(pikachu, tmp_path):
    """Through the public CLI only: the lr jumps by 1e30 at epoch 1 (step schedule)."""
    prefix = tmp_path / "m"
    code, stderr = run_train(train_argv(pikachu, prefix, "--lr-mode", "step", "--lr-decay", "1e30",
                                        "--lr-decay-epoch", "1", "--warmup-epochs", "0"))
    assert code == EXIT_NAN, stderr[-3000:]
    assert re.search(r"(non-finite loss .* at epoch 1 batch \d+|NaN/inf after epoch 1)", stderr), stderr[-3000:]
    assert_clean_exit(stderr)
    for params in tmp_path.glob("*.params"):
        assert_finite(mx.nd.load(str(params)), params.name)
    assert checkpoint_of(prefix)[0]["epoch"] == 1


def test_skip_nan_batches_skips_counts_and_finishes(pikachu, tmp_path):
    prefix = tmp_path / "m"
    code, stderr = run_train(train_argv(pikachu, prefix, "--skip-nan-batches"), nan_at_call=BATCHES_PER_EPOCH + 3)
    assert code == 0, stderr[-3000:]
    assert re.search(r"non-finite loss nan at epoch 1 batch 2: skipped", stderr), stderr[-3000:]
    record, weights = checkpoint_of(prefix)
    assert record["epoch"] == 2 and [epoch["skipped"] for epoch in record["history"]] == [0, 1]
    assert_finite(weights, "the last checkpoint")


# -- SIGINT and exact resume -----------------------------------------------------------------------

def interrupt_after_first_batch_line(argv, epoch=0):
    """Start a run whose batches take a little longer, send SIGINT once batch 0 of ``epoch`` is logged."""
    proc = subprocess.Popen(driver_command(argv, batch_sleep=0.3), stderr=subprocess.PIPE, text=True,
                            cwd=str(REPO))
    lines = []
    try:
        for line in proc.stderr:
            lines.append(line)
            if f"[Epoch {epoch} Batch 0]" in line:
                proc.send_signal(signal.SIGINT)
                break
        rest = proc.communicate(timeout=RUN_TIMEOUT)[1]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, "".join(lines) + rest


@pytest.mark.parametrize("epoch", [0, 1])
def test_sigint_mid_epoch_saves_a_resumable_checkpoint_and_resume_is_exact(pikachu, straight_run, tmp_path, epoch):
    prefix = tmp_path / "m"
    argv = train_argv(pikachu, prefix)
    code, stderr = interrupt_after_first_batch_line(argv, epoch)
    assert code == EXIT_INTERRUPTED, stderr[-3000:]
    assert_clean_exit(stderr)
    stopped = re.search(rf"interrupted at epoch {epoch} batch (\d+)", stderr)
    assert stopped and int(stopped.group(1)) < BATCHES_PER_EPOCH - 1, stderr[-3000:]   # really mid-epoch
    record, weights = checkpoint_of(prefix)
    assert (record["epoch"], record["batch"]) == (epoch, int(stopped.group(1)) + 1)
    assert_finite(weights, "the interrupted checkpoint")
    assert not list(tmp_path.glob(".*.tmp")), "temporary files left behind"

    code, stderr = run_train(argv + ["--resume"])
    assert code == 0, stderr[-3000:]
    assert sha(f"{prefix}-last.params") == sha(f"{straight_run}-last.params")
    assert sha(f"{prefix}-last.states") == sha(f"{straight_run}-last.states")


def test_resume_at_an_epoch_boundary_is_bit_identical(pikachu, tmp_path):
    """N epochs straight == k epochs, stop, resume to N (a step schedule, which does not depend on N)."""
    schedule = ["--lr-mode", "step", "--lr-decay-epoch", "1"]
    straight, split = tmp_path / "straight" / "m", tmp_path / "split" / "m"
    assert run_train(train_argv(pikachu, straight, *schedule))[0] == 0
    assert run_train(train_argv(pikachu, split, *schedule, epochs=1))[0] == 0
    code, stderr = run_train(train_argv(pikachu, split, *schedule, "--resume"))
    assert code == 0 and "resumed from" in stderr, stderr[-3000:]
    assert sha(f"{split}-last.params") == sha(f"{straight}-last.params")
    assert sha(f"{split}-last.states") == sha(f"{straight}-last.states")


# -- kill -9 and ENOSPC while a checkpoint is written ----------------------------------------------------



def test_kill_9_while_writing_the_weights_keeps_the_previous_checkpoint(pikachu, straight_run, tmp_path):
    prefix = tmp_path / "m"
    argv = train_argv(pikachu, prefix)
    code, stderr = run_train(argv, fault_at_write=SECOND_SAVE["params"], fault="kill")
    assert code == -signal.SIGKILL, stderr[-3000:]
    record, weights = checkpoint_of(prefix)
    assert record["epoch"] == 1
    assert_finite(weights, "the previous checkpoint")
    code, stderr = run_train(argv + ["--resume"])
    assert code == 0, stderr[-3000:]
    assert sha(f"{prefix}-last.params") == sha(f"{straight_run}-last.params")


@pytest.mark.parametrize("stage", ["states", "json"])
def test_kill_9_later_in_the_checkpoint_keeps_the_previous_checkpoint(pikachu, tmp_path, stage):
    prefix = tmp_path / "m"
    code, stderr = run_train(train_argv(pikachu, prefix), fault_at_write=SECOND_SAVE[stage], fault="kill")
    assert code == -signal.SIGKILL, stderr[-3000:]
    assert checkpoint_of(prefix)[0]["epoch"] in (1, 2)


def test_enospc_while_writing_the_weights_is_a_clear_error(pikachu, tmp_path):
    prefix = tmp_path / "m"
    code, stderr = run_train(train_argv(pikachu, prefix), fault_at_write=SECOND_SAVE["params"], fault="enospc")
    assert code not in (0, -signal.SIGKILL), stderr[-3000:]
    assert re.search(r"error: .*m-last\.params.*No space left on device", stderr), stderr[-3000:]
    assert_clean_exit(stderr)
    record, weights = checkpoint_of(prefix)
    assert record["epoch"] == 1
    assert_finite(weights, "the previous checkpoint")
    assert not list(tmp_path.glob(".*.tmp")), "temporary files left behind"


@pytest.mark.parametrize("stage", ["states", "json"])
def test_enospc_later_in_the_checkpoint_is_a_clear_error(pikachu, tmp_path, stage):
    prefix = tmp_path / "m"
    code, stderr = run_train(train_argv(pikachu, prefix), fault_at_write=SECOND_SAVE[stage], fault="enospc")
    assert code != 0 and "No space left on device" in stderr, stderr[-3000:]
    assert_clean_exit(stderr)
    assert checkpoint_of(prefix)[0]["epoch"] == 1


# -- bad training data -------------------------------------------------------------------------------

def _rec_set(root, train_records):
    root.mkdir()
    for split, records in (("train", train_records), ("val", train_records[:1])):
        with MXIndexedRecordIO(str(root / f"{split}.idx"), str(root / f"{split}.rec"), "w") as writer:
            for i, record in enumerate(records):
                writer.write_idx(i, record)
    return root


def _rec_argv(root, prefix):
    argv = train_argv(root, prefix, "--classes", "pikachu", epochs=1)
    argv[argv.index("pikachu")] = "rec"   # --dataset rec
    return argv


def test_training_on_an_empty_rec_is_a_clear_error(tmp_path):
    root = _rec_set(tmp_path / "data", [])
    code, stderr = run_train(_rec_argv(root, tmp_path / "run" / "m"))
    assert code == 2 and re.search(r"error: .*no sample with a valid object in .*train\.rec", stderr), stderr[-3000:]
    assert_clean_exit(stderr)


def test_training_on_an_undecodable_image_names_file_and_key(tmp_path):
    good = [pack_img(IRHeader(0, make_det_label([[0, .1, .1, .6, .6]]), i, 0), np.full((32, 32, 3), 90, np.uint8))
            for i in range(6)]
    good[4] = pack(IRHeader(0, make_det_label([[0, .1, .1, .6, .6]]), 4, 0), b"not an image")
    root = _rec_set(tmp_path / "data", good)
    code, stderr = run_train(_rec_argv(root, tmp_path / "run" / "m"))
    assert code == 2 and re.search(r"error: .*train\.rec key 4: cannot decode", stderr), stderr[-3000:]
    assert_clean_exit(stderr)
