"""Safe by default (issue 18, program items): the tools never lose a user's files, never exit 0 having done
nothing, and say clearly what is wrong. One test (or a few) per item, on a tiny generated pikachu set
(8 + 4 images, data shape 64); each fails on the code before the fix."""
import hashlib
import io
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import ssdkit as mx
from ssdkit.apps import detect, eval as eval_app, train
from ssdkit.datagen import generate_pikachu
from ssdkit.recordio import IRHeader, MXIndexedRecordIO, make_det_label, pack_img, unpack_img
try:
    from tiny_pikachu import TINY, make_tiny_set, train_tiny
except ImportError:  # tests/ imported as a package
    from tests.tiny_pikachu import TINY, make_tiny_set, train_tiny

ROOT = Path(os.environ.get("SSDKIT_DOCS_ROOT", Path(__file__).resolve().parents[1]))


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return make_tiny_set(tmp_path_factory)


@pytest.fixture(scope="module")
def trained(data, tmp_path_factory):
    return train_tiny(data, tmp_path_factory, epochs=1)


def _digests(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(Path(folder).iterdir())}


def _write_rec(folder, split, labels, size=32):
    """A user's own detection .rec/.idx: one image per label list ``[[cls, x0, y0, x1, y1], ...]``."""
    with MXIndexedRecordIO(str(folder / f"{split}.idx"), str(folder / f"{split}.rec"), "w") as rec:
        for i, objects in enumerate(labels):
            pixels = np.full((size, size, 3), 40 * i % 255, np.uint8)
            rec.write_idx(i, pack_img(IRHeader(0, make_det_label(objects), i, 0), pixels, img_fmt=".png"))


def _user_rec_set(folder, classes=("cat", "dog"), train_labels=None, val_labels=None):
    folder.mkdir(exist_ok=True)
    _write_rec(folder, "train", train_labels or [[[i % 2, .1, .1, .6, .6]] for i in range(8)])
    _write_rec(folder, "val", val_labels or [[[1, .2, .2, .7, .7]] for _ in range(4)])
    (folder / "meta.json").write_text(json.dumps({"classes": classes}))
    return folder


def _log_of(prefix):
    return Path(f"{prefix}_train.log").read_text()


# -- 1. never write into a folder holding files the generator did not make ------------------------------------
def test_the_pikachu_default_refuses_a_users_rec_folder(tmp_path):
    mine = _user_rec_set(tmp_path / "mydata")
    before = _digests(mine)
    args = ["--dataset-root", str(mine), "--save-prefix", str(tmp_path / "run"), "--epochs", "1"] + TINY
    assert train.main(args) == 2
    assert _digests(mine) == before
    assert "did you mean --dataset rec?" in _log_of(tmp_path / "run")


def test_eval_with_the_pikachu_default_leaves_a_users_rec_folder_alone(trained, tmp_path, capsys):
    mine = _user_rec_set(tmp_path / "mydata", classes=["pikachu"],
                         train_labels=[[[0, .1, .1, .6, .6]]] * 4, val_labels=[[[0, .2, .2, .7, .7]]] * 4)
    before = _digests(mine)
    assert eval_app.main(["--params", f"{trained}-best.params", "--dataset-root", str(mine), "--no-coco"]) == 2
    assert _digests(mine) == before
    assert "did you mean --dataset rec?" in capsys.readouterr().err


def test_the_generator_refuses_a_folder_of_other_files(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(mx.base.MXNetError, match="did not make"):
        generate_pikachu(tmp_path, 2, 1, size=32, num_workers=0, progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


# -- 2. a new run never overwrites a finished one; one writer per prefix; no orphans ---------------------------
def test_a_second_run_on_a_prefix_is_refused_and_keeps_the_first(trained, data, capsys):
    best = Path(f"{trained}-best.params").read_bytes()
    args = ["--dataset-root", str(data), "--save-prefix", str(trained), "--epochs", "1"] + TINY
    assert train.main(args) == 2
    err = capsys.readouterr().err
    assert "already holds a finished run" in err and "--resume" in err and "--overwrite" in err
    assert Path(f"{trained}-best.params").read_bytes() == best


def test_overwrite_replaces_the_earlier_run_without_leftovers(data, tmp_path):
    prefix = tmp_path / "over"
    args = ["--dataset-root", str(data), "--save-prefix", str(prefix), "--epochs", "1"] + TINY
    assert train.main(args) == 0
    first = {p.name for p in tmp_path.iterdir()}
    assert train.main(args + ["--overwrite"]) == 0
    names = {p.name for p in tmp_path.iterdir()}
    generations = [n for n in names if re.search(r"\.[0-9a-f]{12}\.(params|states)$", n)]
    assert len(generations) == 4      # last and best: weights and states of the new run only
    assert len(names) == len(first) and not any(n.endswith((".tmp", ".lock")) for n in names)


def test_a_held_lock_refuses_a_second_writer_naming_the_pid(data, tmp_path, capsys):
    from ssdkit.apps.runs import PrefixLock
    prefix = tmp_path / "locked"
    with PrefixLock(str(prefix)):
        assert train.main(["--dataset-root", str(data), "--save-prefix", str(prefix), "--epochs", "1"] + TINY) == 2
    assert f"is being written by PID {os.getpid()}" in capsys.readouterr().err
    assert not list(tmp_path.glob("locked-*"))


def test_a_stale_lock_of_a_dead_process_is_taken_over_and_orphans_are_swept(data, tmp_path):
    prefix = tmp_path / "stale"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    Path(f"{prefix}.lock").write_text(f"{dead.pid}\n")
    orphan = Path(f"{prefix}-last.0123456789ab.params")
    orphan.write_bytes(b"left by an interrupted save")
    temporary = tmp_path / ".stale-last.params.abcdef.tmp"
    temporary.write_bytes(b"half")
    assert train.main(["--dataset-root", str(data), "--save-prefix", str(prefix), "--epochs", "1"] + TINY) == 0
    assert not orphan.exists() and not temporary.exists() and not Path(f"{prefix}.lock").exists()
    assert f"left by PID {dead.pid}" in _log_of(prefix)


def test_resume_of_a_finished_run_is_not_a_silent_success(trained, data, capsys):
    args = ["--dataset-root", str(data), "--save-prefix", str(trained), "--epochs", "1", "--resume"] + TINY
    assert train.main(args) == 2
    assert "already finished its 1 epochs" in capsys.readouterr().err


# -- 3./4. detect: never overwrite an input, unique names, bad images skipped, JSON always written -------------
def _png(path, value=(120, 60, 30), size=(40, 30)):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, value).save(path)
    return path


def test_detect_refuses_an_output_folder_holding_its_inputs(trained, tmp_path):
    photo = _png(tmp_path / "photos" / "x.png")
    before = photo.read_bytes()
    assert detect.main([str(tmp_path / "photos"), "--params", f"{trained}-best.params",
                        "--output-dir", str(tmp_path / "photos")]) == 2
    assert photo.read_bytes() == before and sorted(p.name for p in (tmp_path / "photos").iterdir()) == ["x.png"]


def test_detect_output_names_never_collide_nor_replace_foreign_files(trained, tmp_path):
    inputs = [_png(tmp_path / "a" / "x.png"), _png(tmp_path / "b" / "x.png", (0, 0, 255)),
              _png(tmp_path / "a" / "x.jpg")]
    out = tmp_path / "out"
    mine = _png(out / "x.png", (1, 2, 3))
    before = mine.read_bytes()
    assert detect.main([str(p) for p in inputs] + ["--params", f"{trained}-best.params", "--output-dir",
                                                   str(out), "--thresh", "0"]) == 0
    result = json.loads((out / "detections.json").read_text())
    written = list(result["outputs"].values())
    assert len(result["images"]) == 3 and len(set(written)) == 3 and all(Path(p).exists() for p in written)
    assert mine.read_bytes() == before
    # a second run into the same folder replaces its own earlier outputs, not the foreign file
    assert detect.main([str(p) for p in inputs] + ["--params", f"{trained}-best.params", "--output-dir",
                                                   str(out), "--thresh", "0"]) == 0
    assert json.loads((out / "detections.json").read_text())["outputs"] == result["outputs"]
    assert mine.read_bytes() == before


def test_detect_skips_and_counts_bad_images_and_still_writes_the_json(trained, tmp_path):
    folder = tmp_path / "imgs"
    good = _png(folder / "good.png")
    (folder / "garbage.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (9, 9, 9)).save(buf, "JPEG")
    (folder / "truncated.jpg").write_bytes(buf.getvalue()[:200])
    out = tmp_path / "out"
    assert detect.main([str(folder), "--params", f"{trained}-best.params", "--output-dir", str(out)]) == 0
    result = json.loads((out / "detections.json").read_text())
    assert list(result["images"]) == [str(good)]
    assert sorted(Path(p).name for p in result["skipped"]) == ["garbage.png", "truncated.jpg"]


def test_detect_decodes_16_bit_pngs_as_training_does(tmp_path):
    path = tmp_path / "deep.png"
    Image.fromarray(np.full((4, 4), 0x8000, np.uint16)).save(path)
    x, original = detect.preprocess(str(path), 4, (0, 0, 0), (1, 1, 1))
    assert float(x.asnumpy().max()) == 128.0 and original.getpixel((0, 0)) == (128, 128, 128)


# -- 5. an epoch without a batch is an error --------------------------------------------------------------------
def test_a_batch_larger_than_the_set_is_an_error_not_an_untrained_checkpoint(data, tmp_path, capsys):
    prefix = tmp_path / "big"
    args = ["--dataset-root", str(data), "--save-prefix", str(prefix), "--epochs", "2"] + TINY + ["--batch-size", "16"]
    assert train.main(args) == 2
    assert "gives no batch per epoch: 8 images, --batch-size 16" in capsys.readouterr().err
    assert not Path(f"{prefix}-last.json").exists()


def test_a_set_whose_every_class_id_is_invalid_does_not_train(tmp_path, capsys):
    mine = _user_rec_set(tmp_path / "bad", train_labels=[[[-2, .1, .1, .6, .6]]] * 8)
    assert train.main(["--dataset", "rec", "--dataset-root", str(mine), "--save-prefix", str(tmp_path / "r"),
                       "--epochs", "1"] + TINY) == 2
    assert "key 0: object class id -2.0" in capsys.readouterr().err
    assert not Path(f"{tmp_path / 'r'}-last.json").exists()


# -- 6./7. class names and ids ------------------------------------------------------------------------------------
def test_meta_json_classes_must_be_a_list_of_names(tmp_path, capsys):
    mine = _user_rec_set(tmp_path / "str", classes="cat,dog")
    assert train.main(["--dataset", "rec", "--dataset-root", str(mine), "--save-prefix", str(tmp_path / "r"),
                       "--epochs", "1"] + TINY) == 2
    assert "must be a non-empty list of names" in capsys.readouterr().err


def test_a_class_id_beyond_the_classes_names_the_record(tmp_path, capsys):
    labels = [[[i % 2, .1, .1, .6, .6]] for i in range(8)]
    labels[5] = [[7, .1, .1, .6, .6]]
    mine = _user_rec_set(tmp_path / "ids", train_labels=labels)
    assert train.main(["--dataset", "rec", "--dataset-root", str(mine), "--save-prefix", str(tmp_path / "r"),
                       "--epochs", "1"] + TINY) == 2
    err = capsys.readouterr().err
    assert "train.rec key 5: object class id 7.0 is not one of the 2 classes" in err


def test_eval_says_how_many_images_it_dropped(tmp_path, capsys):
    mine = _user_rec_set(tmp_path / "drop", classes=["pikachu"], train_labels=[[[0, .1, .1, .6, .6]]] * 4,
                         val_labels=[[[0, .2, .2, .7, .7]]] * 3 + [[[0, .5, .5, .5, .9]]])   # an empty box
    net = mx.model_zoo.get_model("toyssd", classes=["pikachu"])
    net.initialize()
    net(mx.nd.zeros((1, 3, 64, 64)))
    net.save_parameters(str(tmp_path / "w.params"))
    assert eval_app.main(["--params", str(tmp_path / "w.params"), "--network", "toyssd", "--data-shape", "64",
                          "--classes", "pikachu", "--dataset", "rec", "--dataset-root", str(mine), "--no-coco"]) == 0
    captured = capsys.readouterr()
    assert "dropped 1 of 4 images (no valid object)" in captured.err
    assert re.search(r"images dropped +1", captured.out)


# -- 9. a diverging (finite) loss warns once -----------------------------------------------------------------------
def test_a_diverging_loss_warns_once(data, tmp_path, monkeypatch):
    original = train._Objective.__call__
    calls = {"n": 0}

    def exploding(self, net, outputs, label):
        loss, cls_loss, box_loss, extra = original(self, net, outputs, label)
        calls["n"] += 1
        return (loss * 1e9 if calls["n"] > 1 else loss), cls_loss, box_loss, extra

    monkeypatch.setattr(train._Objective, "__call__", exploding)
    prefix = tmp_path / "div"
    assert train.main(["--dataset-root", str(data), "--save-prefix", str(prefix), "--epochs", "2",
                       "--val-interval", "0"] + TINY) == 0
    assert _log_of(prefix).count("the loss is diverging") == 1


# -- 14. non-positive numbers are argparse errors -----------------------------------------------------------------
@pytest.mark.parametrize("tool, argv", [
    (train, ["--batch-size", "0"]), (train, ["--epochs", "-1"]), (train, ["--data-shape", "0"]),
    (train, ["--lr", "0"]), (train, ["--num-train", "0"]), (train, ["--val-batch-size", "-2"]),
    (detect, ["a.png", "--params", "m.params", "--batch-size", "-1"]),
    (eval_app, ["--params", "m.params", "--batch-size", "0"]),
])
def test_non_positive_numbers_are_argument_errors(tool, argv, capsys):
    with pytest.raises(SystemExit) as stop:
        tool.build_parser().parse_args(argv)
    assert stop.value.code == 2
    assert "expected a positive" in capsys.readouterr().err


# -- 15. missing paths say so ----------------------------------------------------------------------------------------
def test_a_mistyped_dataset_root_is_reported_not_filled(tmp_path, capsys):
    typo = tmp_path / "pikachuu"
    assert train.main(["--dataset-root", str(typo), "--save-prefix", str(tmp_path / "r")] + TINY) == 2
    assert f"--dataset-root {typo} does not exist" in capsys.readouterr().err
    assert not typo.exists()
    assert train.main(["--dataset", "rec", "--dataset-root", str(typo), "--save-prefix", str(tmp_path / "r")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_a_missing_params_file_is_reported(capsys, tmp_path):
    missing = tmp_path / "nope.params"
    assert eval_app.main(["--params", str(missing)]) == 2
    assert f"--params {missing} does not exist" in capsys.readouterr().err


# -- 16. a checkpoint of another network --------------------------------------------------------------------------
def test_a_checkpoint_of_another_network_says_what_it_is(trained, data, capsys):
    assert eval_app.main(["--params", f"{trained}-best.params", "--network", "ssd_256_tinyvgg_pikachu",
                          "--dataset-root", str(data), "--num-train", "8", "--num-val", "4"]) == 2
    err = capsys.readouterr().err
    assert "--network ssd_256_tinyvgg_pikachu overrides the checkpoint's own record" in err
    line = next(l for l in err.splitlines() if "error:" in l)
    assert "this checkpoint is a toyssd, not ssd_256_tinyvgg_pikachu" in line and len(line) < 600
    assert not re.search(r"\.[0-9a-f]{12}\.params", line)   # the content-named file the user never gave


def test_one_layers_file_in_a_sequential_names_the_structural_keys(tmp_path):
    layer = mx.gluon.nn.Dense(2, in_units=3)
    layer.initialize()
    layer.save_parameters(str(tmp_path / "dense.params"))
    net = mx.gluon.nn.Sequential()
    net.add(mx.gluon.nn.Dense(2, in_units=3))
    net.initialize()
    with pytest.raises(mx.base.MXNetError, match=r"missing: '0\.weight', '0\.bias'"):
        net.load_parameters(str(tmp_path / "dense.params"))


# -- newcomer friction -------------------------------------------------------------------------------------------------
def test_detect_reads_the_images_of_a_rec_file(trained, data, tmp_path):
    out = tmp_path / "out"
    assert detect.main([str(data / "val.rec"), "--params", f"{trained}-best.params", "--output-dir", str(out),
                        "--thresh", "0"]) == 0
    result = json.loads((out / "detections.json").read_text())
    assert sorted(Path(p).name for p in result["outputs"].values()) == [f"val-{k}.png" for k in range(4)]
    with MXIndexedRecordIO(str(data / "val.idx"), str(data / "val.rec"), "r") as rec:
        _, first = unpack_img(rec.read_idx(0))
    assert Image.open(out / "val-0.png").size == first.shape[1::-1]


def test_viz_draws_a_training_checkpoint(trained, tmp_path, capsys):
    from ssdkit.viz.cli import main as viz_main
    page = tmp_path / "toyssd.html"
    assert viz_main([f"{trained}-best.params", "-o", str(page)]) == 0
    assert page.exists() and "toyssd" in page.read_text()


def test_log_lines_go_through_tqdm_write(monkeypatch):
    import tqdm
    from ssdkit.apps.common import setup_logging
    written = []
    monkeypatch.setattr(tqdm.tqdm, "write", classmethod(lambda cls, s, file=None, **kw: written.append(s)))
    setup_logging().info("[Epoch 0 Batch 3] hello")
    assert written and written[0].endswith("[Epoch 0 Batch 3] hello")
    logging.getLogger("ssdkit.apps").handlers.clear()


def test_the_detect_label_stays_inside_the_image_in_a_readable_size():
    img = Image.new("RGB", (256, 256))
    out = detect.draw_detections(img, [{"class_id": 0, "score": 0.97, "box": [200, 1, 255, 60]}], ["pikachu"])
    red = np.all(np.asarray(out) == detect.PALETTE[0], axis=2)
    rows = np.flatnonzero(red[:, 250:].any(axis=1))
    # the label's filled rectangle: inside the image, to the left of the right edge, at least 14 pixels tall
    filled = np.flatnonzero(red.sum(axis=1) > 50)
    assert filled.size >= 14 and rows.min() >= 0
    assert red[:, :200].any()   # moved left so the text fits, instead of running off the right edge


def test_docs_agree_on_one_time_figure_and_the_small_fixes():
    readme = (ROOT / "README.md").read_text()
    toyssd = (ROOT / "docs" / "train_toyssd.md").read_text()
    training = (ROOT / "docs" / "training.md").read_text()
    assert "15 minutes" not in toyssd and "README" in toyssd
    assert "second time" in readme and "--overwrite" in readme and "--overwrite" in training
    assert "datasets/pikachu/val.rec" in training
    porting = (ROOT / "docs" / "porting.md").read_text()
    missing = porting[porting.index("**Not there"):].split("\n\n")[1]   # the list of what is missing
    assert "mx.rtc" in missing and "mx.profiler" not in missing
    assert ".venv/" in (ROOT / ".gitignore").read_text().split()


def test_the_sweep_keeps_generations_a_checkpoint_still_names(tmp_path):
    from ssdkit.apps.runs import sweep_orphans
    prefix = tmp_path / "run"
    kept, current, orphan = (f"run-last.{c * 12}.params" for c in "abc")
    Path(f"{prefix}-last.json").write_text(json.dumps({"params": current, "previous_generation": [kept]}))
    for name in (kept, current, orphan):
        (tmp_path / name).write_bytes(b"w")
    assert sweep_orphans(str(prefix)) == [orphan]
    assert (tmp_path / kept).exists() and (tmp_path / current).exists()
