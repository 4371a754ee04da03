"""Smoke tests of the three tools on a tiny generated pikachu set (8 + 4 images, data shape 64): training with
checkpoints, exact resume after an interruption, NaN handling, detection (checkpoint and exported model),
evaluation; plus the straight-dope notebook's own training loop."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import ssdkit as mx
from ssdkit.apps import detect, eval as eval_app, train
from ssdkit.apps.common import load_trained_model
from ssdkit.recordio import MXIndexedRecordIO, unpack_img
try:
    from tiny_pikachu import TINY, make_tiny_set, train_tiny
except ImportError:  # tests/ imported as a package
    from tests.tiny_pikachu import TINY, make_tiny_set, train_tiny

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return make_tiny_set(tmp_path_factory)


@pytest.fixture(scope="module")
def trained(data, tmp_path_factory):
    return train_tiny(data, tmp_path_factory, epochs=2)


def _arrays(params_path):
    return {k: v.asnumpy() for k, v in mx.nd.load(str(params_path)).items()}


def test_training_writes_checkpoints_log_and_history(trained):
    record = json.loads(Path(f"{trained}-last.json").read_text())
    assert (record["epoch"], record["batch"], record["model"]["network"]) == (2, 0, "toyssd")
    assert record["model"]["classes"] == ["pikachu"] and record["model"]["data_shape"] == 64
    assert [h["epoch"] for h in record["history"]] == [0, 1]
    assert all(0 <= h["voc07_map"] <= 1 and np.isfinite(h["loss"]) for h in record["history"])
    assert Path(f"{trained}-best.params").exists() and Path(f"{trained}-last.states").exists()
    log = Path(f"{trained}_train.log").read_text()
    assert "[Epoch 1] validation VOC07 mAP@0.5=" in log and "samples/s" in log
    leftovers = [p.name for p in Path(trained).parent.iterdir() if p.name.endswith(".tmp")]
    assert not leftovers


@pytest.mark.parametrize("extra", [["--loss", "notebook", "--optimizer", "sgd", "--lr", "0.1", "--lr-mode", "step",
                                    "--lr-decay-epoch", "1", "--no-hybridize"],
                                   ["--network", "ssd_256_tinyvgg_pikachu", "--optimizer", "nag"]])
def test_other_losses_optimizers_and_networks_train(data, tmp_path, extra):
    prefix = tmp_path / "other"
    assert train.main(["--dataset-root", str(data), "--save-prefix", str(prefix), "--epochs", "2"] + TINY + extra) == 0
    record = json.loads(Path(f"{prefix}-last.json").read_text())
    assert record["args"]["loss"] == extra[1] if extra[0] == "--loss" else record["model"]["network"] == extra[1]
    assert all(np.isfinite(h["loss"]) for h in record["history"])


class _StopAfter:
    """Stands in for the SIGINT flag: 'pressed' after the loop checked it ``count`` times."""

    def __init__(self, count):
        self.count = count

    @property
    def requested(self):
        self.count -= 1
        return self.count < 0

    def restore(self):
        pass


def test_resume_after_an_interruption_is_exact(data, tmp_path, monkeypatch):
    common = ["--dataset-root", str(data), "--epochs", "2", "--val-interval", "0", "--seed", "7"] + TINY
    straight = tmp_path / "straight"
    assert train.main(common + ["--save-prefix", str(straight)]) == 0

    interrupted = tmp_path / "interrupted"
    monkeypatch.setattr(train, "_Interrupt", lambda: _StopAfter(1))    # stop after the second batch of epoch 0
    assert train.main(common + ["--save-prefix", str(interrupted)]) == train.EXIT_INTERRUPTED
    record = json.loads(Path(f"{interrupted}-last.json").read_text())
    assert (record["epoch"], record["batch"]) == (0, 2)
    monkeypatch.setattr(train, "_Interrupt", lambda: _StopAfter(10 ** 6))
    assert train.main(common + ["--save-prefix", str(interrupted), "--resume"]) == 0

    want, got = _arrays(f"{straight}-last.params"), _arrays(f"{interrupted}-last.params")
    assert sorted(want) == sorted(got)
    for key in want:
        np.testing.assert_array_equal(got[key], want[key], err_msg=key)


def test_nan_loss_stops_naming_the_batch_and_keeps_the_checkpoint(data, tmp_path, monkeypatch, caplog):
    prefix = tmp_path / "nan"
    original = train._Objective.__call__
    calls = {"n": 0}

    def poisoned(self, net, outputs, label):
        loss, cls_loss, box_loss, extra = original(self, net, outputs, label)
        calls["n"] += 1
        return (loss * float("nan") if calls["n"] == 4 else loss), cls_loss, box_loss, extra

    monkeypatch.setattr(train._Objective, "__call__", poisoned)
    args = ["--dataset-root", str(data), "--save-prefix", str(prefix), "--epochs", "3", "--val-interval", "0"] + TINY
    assert train.main(args) == train.EXIT_NAN
    log = Path(f"{prefix}_train.log").read_text()
    assert "non-finite loss nan at epoch 1 batch 1" in log
    record = json.loads(Path(f"{prefix}-last.json").read_text())
    assert record["epoch"] == 1     # the checkpoint of epoch 0 is untouched
    assert all(np.isfinite(a).all() for a in _arrays(f"{prefix}-last.params").values())

    calls["n"] = 0
    assert train.main(args + ["--save-prefix", str(tmp_path / "skip"), "--skip-nan-batches"]) == 0
    assert "epoch 1 batch 1: skipped" in Path(f"{tmp_path / 'skip'}_train.log").read_text()


def test_distributed_training_over_two_mpi_ranks(data, tmp_path):
    import importlib.util
    import shutil
    from test_distributed_mpi import mpi_env, mpirun_command
    launcher = shutil.which("mpirun") or shutil.which("mpiexec")
    if launcher is None or importlib.util.find_spec("mpi4py") is None:
        pytest.skip("needs mpirun and mpi4py")
    prefix = tmp_path / "dist"
    cmd = mpirun_command(launcher, 2, [sys.executable, str(ROOT / "scripts" / "train.py"), "--distributed",
                                       "--dataset-root", str(data), "--save-prefix", str(prefix), "--epochs", "2",
                                       "--data-shape", "64", "--batch-size", "8", "--num-train", "8", "--num-val",
                                       "4", "--no-progress", "--log-interval", "1"])
    done = subprocess.run(cmd, env=mpi_env(), cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    log = Path(f"{prefix}_train.log").read_text()
    assert "distributed: 2 ranks, 4 images per rank and step" in log
    assert "[Epoch 1] validation VOC07 mAP@0.5=" in log and log.count("[Epoch 0 Batch") == 1   # 8 images: 1 step
    assert json.loads(Path(f"{prefix}-last.json").read_text())["epoch"] == 2


def test_sigint_mid_epoch_saves_and_exits(data, tmp_path):
    prefix = tmp_path / "sig"
    cmd = [sys.executable, str(ROOT / "scripts" / "train.py"), "--dataset-root", str(data), "--save-prefix",
           str(prefix), "--epochs", "1000", "--val-interval", "0", "--max-batches", "2"] + TINY
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for line in proc.stdout:
            if "Batch 0]" in line:
                proc.send_signal(signal.SIGINT)
                break
        output = proc.communicate(timeout=120)[0]
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == train.EXIT_INTERRUPTED, output
    assert "interrupted" in output and "Traceback" not in output
    assert json.loads(Path(f"{prefix}-last.json").read_text())["epoch"] < 1000


def _val_images(data, folder, count=2):
    folder.mkdir()
    from PIL import Image
    with MXIndexedRecordIO(str(data / "val.idx"), str(data / "val.rec"), "r") as rec:
        for k in range(count):
            _, img = unpack_img(rec.read_idx(k))
            Image.fromarray(np.ascontiguousarray(np.asarray(img)[:, :, ::-1])).save(folder / f"val{k}.png")
    return folder


def test_detect_draws_pngs_and_writes_json(trained, data, tmp_path):
    images = _val_images(data, tmp_path / "images")
    out = tmp_path / "out"
    assert detect.main([str(images), "--params", f"{trained}-best.params", "--output-dir", str(out),
                        "--thresh", "0"]) == 0
    result = json.loads((out / "detections.json").read_text())
    assert sorted(Path(p).name for p in result["images"]) == ["val0.png", "val1.png"]
    assert sorted(p.name for p in out.glob("*.png")) == ["val0.png", "val1.png"]
    for dets in result["images"].values():
        assert dets and all(d["class"] == "pikachu" and 0 <= d["score"] <= 1 and len(d["box"]) == 4 for d in dets)


def test_detect_with_an_exported_model(trained, data, tmp_path):
    net, _ = load_trained_model(f"{trained}-best.params")
    net.hybridize()
    net(mx.nd.zeros((1, 3, 64, 64)))
    net.export(str(tmp_path / "toyssd"))
    images = _val_images(data, tmp_path / "images", 1)
    out = tmp_path / "out"
    assert detect.main([str(images / "*.png"), "--symbol", str(tmp_path / "toyssd-symbol.json"), "--params",
                        str(tmp_path / "toyssd-0000.params"), "--classes", "pikachu", "--data-shape", "64",
                        "--output-dir", str(out), "--thresh", "0"]) == 0
    assert (out / "val0.png").exists()


def test_detect_reports_missing_inputs(trained, capsys):
    assert detect.main(["/nonexistent/*.jpg", "--params", f"{trained}-best.params"]) == 2


def test_eval_prints_voc_and_coco_tables(trained, data, capsys, tmp_path):
    out_json = tmp_path / "metrics.json"
    assert eval_app.main(["--params", f"{trained}-best.params", "--dataset-root", str(data), "--num-train", "8",
                          "--num-val", "4", "--json", str(out_json)]) == 0
    table = capsys.readouterr().out
    for name in ("VOC07 mAP@0.5", "VOC mAP@0.5", "AP07 pikachu", "COCO AP50", "COCO ARl"):
        assert name in table
    result = json.loads(out_json.read_text())
    assert result["num_images"] == 4 and len(result["coco"]) == 12


def test_the_wrapper_scripts_show_help():
    for name in ("train", "detect", "eval"):
        done = subprocess.run([sys.executable, str(ROOT / "scripts" / f"{name}.py"), "--help"], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0 and f"ssdkit-{name}" in done.stdout


def test_the_notebook_training_loop_runs_unchanged(tmp_path):
    sys.path.insert(0, str(ROOT / "docs"))
    try:
        import notebook_training_loop as notebook
    finally:
        sys.path.pop(0)
    (name1, acc), (name2, mae) = notebook.main(str(tmp_path), data_shape=64, batch_size=4, epochs=1, max_batches=2,
                                               num_images=(8, 4))
    assert (name1, name2) == ("accuracy", "mae") and 0 < acc <= 1 and mae >= 0
    assert (tmp_path / "ssd_1.params").exists() and (tmp_path / "pikachu_train.rec").exists()
