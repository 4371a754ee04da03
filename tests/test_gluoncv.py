"""Opt-in: GluonCV 0.10.5.post0 imports under `import mxnet` -> ssdkit and trains + validates an SSD preset
through its own library (model zoo, SSD transforms and target generator, batchify, SSDMultiBoxLoss,
VOC07MApMetric). Skipped, with a message, when gluoncv is not installed; install it with

    pip install --no-deps gluoncv==0.10.5.post0 portalocker

With ``GLUONCV_TRAIN_SSD`` set to GluonCV's ``scripts/detection/ssd/train_ssd.py``, a second test runs that
script's own ``get_dataloader``, ``train`` and ``validate`` on a tiny dataset. Each runs in a fresh
interpreter (the alias changes sys.modules). GluonCV 0.10 refuses torch>=2 when torch is
importable, so the script hides torch from the import system.
"""
import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(importlib.util.find_spec("gluoncv") is None,
                                reason="gluoncv is not installed (pip install --no-deps gluoncv==0.10.5.post0 "
                                       "portalocker) - the GluonCV compatibility test is skipped")

SCRIPT = textwrap.dedent('''
    import sys
    class _HideTorch:  # GluonCV 0.10 refuses torch>=2; only its mxnet path is wanted here
        def find_spec(self, name, path=None, target=None):
            if name == "torch" or name.startswith("torch."):
                raise ModuleNotFoundError("torch hidden for GluonCV 0.10", name=name)
    sys.meta_path.insert(0, _HideTorch())
    import numpy as np
    import ssdkit
    ssdkit.alias_mxnet()
    import mxnet as mx
    from mxnet import gluon, autograd
    import gluoncv as gcv
    assert gcv._found_mxnet, "GluonCV did not find mxnet"
    from gluoncv.model_zoo import get_model
    from gluoncv.data.transforms.presets.ssd import SSDDefaultTrainTransform, SSDDefaultValTransform
    from gluoncv.data.batchify import Tuple, Stack, Pad
    from gluoncv.utils.metrics.voc_detection import VOC07MApMetric

    class Squares(gluon.data.Dataset):
        """Noise images with one bright rectangle each, labelled [x0, y0, x1, y1, class, difficult]."""
        def __init__(self, n, seed):
            rng = np.random.RandomState(seed)
            self.items = []
            for _ in range(n):
                img = rng.randint(0, 255, (96, 128, 3)).astype(np.uint8)
                x0, y0 = rng.randint(0, 60), rng.randint(0, 40)
                img[y0:y0 + 40, x0:x0 + 50] = 255
                box = np.array([[x0, y0, x0 + 50, y0 + 40, 0, 0]], np.float32)
                self.items.append((mx.nd.array(img, dtype="uint8"), box))
        def __len__(self):
            return len(self.items)
        def __getitem__(self, i):
            return self.items[i]

    mx.random.seed(0)
    net = get_model("ssd_300_mobilenet0.25_custom", classes=["square"], pretrained_base=False)
    net.initialize()
    with autograd.train_mode():
        _, _, anchors = net(mx.nd.zeros((1, 3, 300, 300)))
    train = gluon.data.DataLoader(Squares(4, 0).transform(SSDDefaultTrainTransform(300, 300, anchors)), 2,
                                  shuffle=True, batchify_fn=Tuple(Stack(), Stack(), Stack()), last_batch="rollover")
    val = gluon.data.DataLoader(Squares(2, 1).transform(SSDDefaultValTransform(300, 300)), 2,
                                batchify_fn=Tuple(Stack(), Pad(pad_val=-1)))
    loss_fn = gcv.loss.SSDMultiBoxLoss()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.001, "wd": 0.0005, "momentum": 0.9})
    losses = []
    for data, cls_targets, box_targets in train:
        with autograd.record():
            cls_preds, box_preds, _ = net(data)
            sum_loss, cls_loss, box_loss = loss_fn([cls_preds], [box_preds], [cls_targets], [box_targets])
            autograd.backward(sum_loss)
        trainer.step(1)
        losses.append(float(cls_loss[0].mean().asscalar()))
    assert len(losses) == 2 and all(np.isfinite(losses)), losses
    metric = VOC07MApMetric(iou_thresh=0.5, class_names=["square"])
    net.set_nms(nms_thresh=0.45, nms_topk=400)
    for data, label in val:
        ids, scores, bboxes = net(data)
        assert ids.shape[:2] == scores.shape[:2] == bboxes.shape[:2] and bboxes.shape[-1] == 4
        metric.update(bboxes, ids, scores, label.slice_axis(axis=-1, begin=0, end=4),
                      label.slice_axis(axis=-1, begin=4, end=5), None)
    names, values = metric.get()
    assert names == ["square", "mAP"] and all(0.0 <= v <= 1.0 for v in values), (names, values)
    print("gluoncv ssd ok", losses)
''')


def test_gluoncv_ssd_trains_and_validates_under_the_alias():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=900)
    assert out.returncode == 0 and "gluoncv ssd ok" in out.stdout, out.stderr[-3000:]


TRAIN_SSD = os.environ.get("GLUONCV_TRAIN_SSD", "")

SCRIPT_FUNCTIONS = textwrap.dedent('''
    import argparse, importlib.util, os, sys, tempfile
    class _HideTorch:
        def find_spec(self, name, path=None, target=None):
            if name == "torch" or name.startswith("torch."):
                raise ModuleNotFoundError("torch hidden for GluonCV 0.10", name=name)
    sys.meta_path.insert(0, _HideTorch())
    import numpy as np
    import ssdkit
    ssdkit.alias_mxnet()
    import mxnet as mx
    from mxnet import gluon
    spec = importlib.util.spec_from_file_location("train_ssd", sys.argv[1])
    train_ssd = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(train_ssd)          # GluonCV's script, unchanged: its own imports and functions

    class Squares(gluon.data.Dataset):
        def __init__(self, n, seed):
            rng = np.random.RandomState(seed)
            self.items = []
            for _ in range(n):
                img = rng.randint(0, 255, (96, 128, 3)).astype(np.uint8)
                x0, y0 = rng.randint(0, 60), rng.randint(0, 40)
                img[y0:y0 + 40, x0:x0 + 50] = 255
                box = np.array([[x0, y0, x0 + 50, y0 + 40, 0, 0]], np.float32)
                self.items.append((mx.nd.array(img, dtype="uint8"), box))
        def __len__(self):
            return len(self.items)
        def __getitem__(self, i):
            return self.items[i]

    net = train_ssd.get_model("ssd_300_mobilenet0.25_custom", classes=["square"], pretrained_base=False)
    net.initialize()
    ctx = [mx.cpu()]
    train_data, val_data = train_ssd.get_dataloader(net, Squares(4, 0), Squares(2, 1), 300, 2, 0, ctx[0])
    prefix = os.path.join(tempfile.mkdtemp(), "ssd")
    args = argparse.Namespace(horovod=False, amp=False, dali=False, lr=0.001, wd=0.0005, momentum=0.9,
                              lr_decay=0.1, lr_decay_epoch="160,200", save_prefix=prefix, start_epoch=0, epochs=1,
                              batch_size=2, log_interval=1, val_interval=1, save_interval=0)
    metric = train_ssd.VOC07MApMetric(iou_thresh=0.5, class_names=["square"])
    train_ssd.train(net, train_data, val_data, metric, ctx, args)
    log = open(prefix + "_train.log").read()
    assert "[Epoch 0] Training cost" in log and "[Epoch 0] Validation" in log, log
    print("train_ssd functions ok")
''')


@pytest.mark.skipif(not os.path.isfile(TRAIN_SSD), reason="set GLUONCV_TRAIN_SSD to GluonCV 0.10's "
                    "scripts/detection/ssd/train_ssd.py (the pip package does not ship the scripts)")
def test_gluoncv_train_ssd_script_functions():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    out = subprocess.run([sys.executable, "-c", SCRIPT_FUNCTIONS, TRAIN_SSD], capture_output=True, text=True,
                         env=env, timeout=900)
    assert out.returncode == 0 and "train_ssd functions ok" in out.stdout, out.stderr[-3000:]
