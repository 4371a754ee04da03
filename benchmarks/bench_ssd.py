"""SSD-300 VGG16-atrous and SSD-512 ResNet-50 v1 training step: ssdkit (hybridized) against the same architecture
in PyTorch eager (benchmarks/torch_ssd.py), one interleaved run, then per-layer convolution GFLOPS.

A step: forward, MultiBoxTarget (the same numpy code on both sides, as scripts/benchmark.py's ToySSD step),
softmax cross-entropy + smooth L1, backward, SGD (momentum 0.9, wd 5e-4). One object per image.

    python benchmarks/bench_ssd.py                          # both nets, batch 8, 2 timed steps, 1 round
    python benchmarks/bench_ssd.py --nets ssd_300_vgg16_atrous_voc --batch 4 --no-layers
"""
import argparse
import json
import os
import resource
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]

NETS = {"ssd_300_vgg16_atrous_voc": 300, "ssd_512_resnet50_v1_voc": 512}
IMPLS = ("ssdkit-hybridized", "torch-eager")


def _labels(batch):
    box = np.array([[[14, .2, .25, .6, .7]]], np.float32)
    return np.tile(box, (batch, 1, 1))


def _ssdkit_worker(name, batch, steps):
    import ssdkit as mx
    from bench_resnet import _time
    mx.random.seed(0)
    net = mx.model_zoo.get_model(name)
    net.initialize(mx.init.Xavier(magnitude=2))
    net.hybridize()
    side = NETS[name]
    x = mx.nd.random.uniform(shape=(batch, 3, side, side))
    labels = mx.nd.array(_labels(batch))
    trainer = mx.gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.01, "momentum": 0.9, "wd": 5e-4})
    ce = mx.gluon.loss.SoftmaxCrossEntropyLoss()

    def step():
        with mx.autograd.record():
            cls_preds, box_preds, anchors = net(x)
            box_t, box_m, cls_t = mx.nd.contrib.MultiBoxTarget(anchors, labels, cls_preds.transpose((0, 2, 1)))
            loss = ce(cls_preds, cls_t) + mx.nd.smooth_l1((box_preds.reshape((0, -1)) - box_t) * box_m,
                                                          scalar=1.0).mean(axis=1)
        loss.backward()
        trainer.step(batch)
        loss.wait_to_read()
    return {"images_per_s": batch / _time(step, steps)}


def _torch_worker(name, batch, steps):
    import torch
    import ssdkit as mx
    from bench_resnet import _time
    from ssdkit.boxes import multibox_prior, multibox_target
    from torch_ssd import torch_ssd
    torch.manual_seed(0)
    net = torch_ssd(name)
    side = NETS[name]
    x = torch.rand(batch, 3, side, side)
    preset = mx.model_zoo.get_model(name)      # anchor sizes / ratios only (not initialized)
    net.eval()
    with torch.no_grad():
        shapes = net(x[:1])[2]
    net.train()
    anchors = np.concatenate([multibox_prior(h, w, s, r) for (h, w), s, r in
                              zip(shapes, preset._anchor_sizes, preset._anchor_ratios)], 1)
    labels = _labels(batch)
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)

    def step():
        cls, box, _ = net(x)
        box_t, box_m, cls_t = multibox_target(anchors, labels, cls.detach().permute(0, 2, 1).numpy())
        box_t, box_m, cls_t = (torch.from_numpy(a) for a in (box_t, box_m, cls_t))
        loss = torch.nn.functional.cross_entropy(cls.reshape(-1, 21), cls_t.reshape(-1).long(), reduction="none")
        loss = loss.reshape(batch, -1).mean(1) + torch.nn.functional.smooth_l1_loss(
            (box.reshape(batch, -1) - box_t) * box_m, torch.zeros_like(box_t), reduction="none").mean(1)
        opt.zero_grad()
        loss.mean().backward()
        opt.step()
    return {"images_per_s": batch / _time(step, steps)}


def _spawn(impl, name, batch, steps):
    from bench_resnet import run_worker
    return run_worker(__file__, "--worker", impl, "--nets", name, "--batch", batch, "--steps", steps)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", choices=IMPLS, help=argparse.SUPPRESS)
    parser.add_argument("--nets", nargs="+", choices=sorted(NETS), default=sorted(NETS, key=NETS.get))
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--steps", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--no-layers", action="store_true", help="skip the per-layer table")
    parser.add_argument("--layer-batch", type=int, help="batch of the per-layer table (default: --batch)")
    args = parser.parse_args(argv)
    if args.worker:
        work = _torch_worker if args.worker == "torch-eager" else _ssdkit_worker
        result = work(args.nets[0], args.batch, args.steps)
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return 0
    try:
        import torch  # noqa: F401
        impls = IMPLS
    except ImportError:
        impls = IMPLS[:1]
        print("PyTorch not installed: its columns are skipped (pip install torch==2.13.0 to compare)")
    for name in args.nets:
        print(f"{name}: training batch {args.batch}, {NETS[name]}x{NETS[name]}, median of {args.steps} steps per "
              f"worker, {args.rounds} interleaved round(s); load average {os.getloadavg()[0]:.1f}", flush=True)
        results = {impl: [] for impl in impls}
        for r in range(args.rounds):
            for impl in impls:
                res = _spawn(impl, name, args.batch, args.steps)
                results[impl].append(res)
                print(f"  round {r + 1} {impl:18s} {json.dumps(res)}  (load {os.getloadavg()[0]:.1f})", flush=True)
        med = {i: statistics.median([r["images_per_s"] for r in runs if "images_per_s" in r] or [float("nan")])
               for i, runs in results.items()}
        line = "   ".join(f"{i} {v:6.3f} images/s" for i, v in med.items())
        ratio = f"   ssdkit / PyTorch {med[impls[0]] / med[impls[1]]:.2f}x (target >= 1.0x)" if len(impls) == 2 else ""
        print(f"{name}: {line}{ratio}", flush=True)
    if not args.no_layers:
        from bench_resnet import layer_table
        from torch_ssd import ssd_convs
        for name in args.nets:
            print(f"\n== {name} convolutions: GFLOPS and % of the 2048^3 matmul; ms x count (fwd + both bwd) ==")
            layer_table(args.layer_batch or args.batch, 2, len(impls) == 2, ssd_convs(name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
