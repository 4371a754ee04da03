"""ResNet-50 v1 (mx.gluon.model_zoo.vision) against the same architecture in PyTorch eager (benchmark only).

One interleaved run: each implementation in its own worker process, alternating for ``--rounds`` rounds.
Training: batch 16, 224x224, softmax cross-entropy, one SGD step (momentum 0.9, wd 1e-4), ssdkit hybridized.
Inference: one 224x224 image, predict mode (ssdkit hybridized, PyTorch ``eval()`` under ``no_grad``).
Then per-layer convolution GFLOPS of ResNet-50's distinct layers next to the 2048^3 numpy matmul.

    python benchmarks/bench_resnet.py                 # everything (~10-15 minutes on 2 cores)
    python benchmarks/bench_resnet.py --no-layers --rounds 1

PyTorch's model is MXNet's ResNet-50 v1, not torchvision's v1.5: the stride sits on each stage's first 1x1
convolution, and the bottleneck's two 1x1 convolutions have biases, as in MXNet.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]

IMPLS = ("ssdkit-hybridized", "torch-eager")
STAGES = ((3, 256, 1), (4, 512, 2), (6, 1024, 2), (3, 2048, 2))   # (blocks, channels, stride) of ResNet-50 v1


def torch_resnet50_v1(classes=1000):
    """MXNet's ResNet-50 v1 in PyTorch (same layers, strides, biases and pooling)."""
    import torch.nn as tnn

    class Bottleneck(tnn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            mid = cout // 4
            self.body = tnn.Sequential(
                tnn.Conv2d(cin, mid, 1, stride), tnn.BatchNorm2d(mid), tnn.ReLU(),
                tnn.Conv2d(mid, mid, 3, 1, 1, bias=False), tnn.BatchNorm2d(mid), tnn.ReLU(),
                tnn.Conv2d(mid, cout, 1), tnn.BatchNorm2d(cout))
            self.downsample = (tnn.Sequential(tnn.Conv2d(cin, cout, 1, stride, bias=False), tnn.BatchNorm2d(cout))
                               if cin != cout else None)

        def forward(self, x):
            residual = self.downsample(x) if self.downsample is not None else x
            return (self.body(x) + residual).relu()

    layers = [tnn.Conv2d(3, 64, 7, 2, 3, bias=False), tnn.BatchNorm2d(64), tnn.ReLU(), tnn.MaxPool2d(3, 2, 1)]
    cin = 64
    for blocks, cout, stride in STAGES:
        for i in range(blocks):
            layers.append(Bottleneck(cin, cout, stride if i == 0 else 1))
            cin = cout
    layers += [tnn.AdaptiveAvgPool2d(1), tnn.Flatten(), tnn.Linear(2048, classes)]
    return tnn.Sequential(*layers)


def _time(fn, repeats):
    fn()   # warm-up: deferred initialization, tracing, allocator
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _ssdkit_worker(kind, batch, steps):
    import ssdkit as mx
    from ssdkit.gluon.model_zoo import vision
    mx.random.seed(0)
    net = vision.resnet50_v1()
    net.initialize(mx.init.Xavier(magnitude=2))
    net.hybridize()
    x = mx.nd.random.uniform(shape=(batch, 3, 224, 224))
    if kind == "infer":
        return {"images_per_s": batch / _time(lambda: net(x).wait_to_read(), steps)}
    y = mx.nd.array(np.arange(batch) % 1000)
    trainer = mx.gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.01, "momentum": 0.9, "wd": 1e-4})
    ce = mx.gluon.loss.SoftmaxCrossEntropyLoss()

    def step():
        with mx.autograd.record():
            loss = ce(net(x), y)
        loss.backward()
        trainer.step(batch)
        loss.wait_to_read()
    return {"images_per_s": batch / _time(step, steps)}


def _torch_worker(kind, batch, steps):
    import torch
    torch.manual_seed(0)
    net = torch_resnet50_v1()
    x = torch.rand(batch, 3, 224, 224)
    if kind == "infer":
        net.eval()

        def forward():
            with torch.no_grad():
                net(x)
        return {"images_per_s": batch / _time(forward, steps)}
    y = torch.arange(batch) % 1000
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)

    def step():
        loss = torch.nn.functional.cross_entropy(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return {"images_per_s": batch / _time(step, steps)}


def run_worker(script, *args):
    """Run ``python script *args`` in a fresh process; its last stdout line as JSON (or ``{"error": ...}``)."""
    out = subprocess.run([sys.executable, os.path.abspath(script), *map(str, args)], capture_output=True, text=True)
    if out.returncode != 0:
        return {"error": (out.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def _spawn(impl, kind, batch, steps):
    return run_worker(__file__, "--worker", impl, "--kind", kind, "--batch", batch, "--steps", steps)


def resnet50_convs(batch=16, side=224):
    """ResNet-50 v1's convolutions: {(c, f, kernel, stride, pad, input size): count}."""
    convs = {(3, 64, 7, 2, 3, side): 1}
    size, cin = side // 4, 64
    for blocks, cout, stride in STAGES:
        for i in range(blocks):
            s = stride if i == 0 else 1
            mid, out_size = cout // 4, size // s
            for key in ((cin, mid, 1, s, 0, size), (mid, mid, 3, 1, 1, out_size), (mid, cout, 1, 1, 0, out_size)):
                convs[key] = convs.get(key, 0) + 1
            if cin != cout:
                key = (cin, cout, 1, s, 0, size)
                convs[key] = convs.get(key, 0) + 1
            cin, size = cout, out_size
    return convs


def layer_table(batch, reps, use_torch, convs=None):
    """Per distinct conv (default ResNet-50's; else ``{(c, f, k, s, p, d, size): count}``): forward /
    backward-data / backward-weight GFLOPS and % of the matmul."""
    from bench_conv import best_of, matmul_gflops, torch_module
    from ssdkit.ops.kernels import conv2d_backward, conv2d_forward
    reference = matmul_gflops(2048, 2048, 2048, reps)
    torch = torch_module() if use_torch else None
    print(f"matmul 2048^3: {reference:.1f} GFLOPS; load average {os.getloadavg()[0]:.1f}; batch {batch}")
    if convs is None:
        convs = {(c, f, k, s, p, 1, size): n for (c, f, k, s, p, size), n in resnet50_convs(batch).items()}
    print("layer (c->f kxk/s @size) x count |  forward     |  bwd-data    |  bwd-weight  | ours ms x n | torch ms x n")
    rng = np.random.default_rng(0)
    totals = np.zeros(2)
    for (c, f, k, s, p, d, size), count in convs.items():
        x = rng.standard_normal((batch, c, size, size), dtype=np.float32)
        w = rng.standard_normal((f, c, k, k), dtype=np.float32) * 0.05
        y, saved = conv2d_forward(x, w, None, stride=s, pad=p, dilate=d)
        dy = rng.standard_normal(y.shape, dtype=np.float32)
        times = best_of([lambda: conv2d_forward(x, w, None, stride=s, pad=p, dilate=d),
                         lambda: conv2d_backward(saved, dy, need_dw=False, need_db=False),
                         lambda: conv2d_backward(saved, dy, need_dx=False, need_db=False)], reps)
        torch_ms = 0.0
        if torch is not None:
            tx, tw = (torch.from_numpy(a.copy()).requires_grad_() for a in (x, w))
            tdy = torch.from_numpy(dy)

            def torch_step():
                tx.grad = tw.grad = None
                torch.nn.functional.conv2d(tx, tw, None, stride=s, padding=p, dilation=d).backward(tdy)
            torch_ms = 1e3 * best_of([torch_step], reps)[0] * count
            time.sleep(0.5)
        flops = 2 * y.size * c * k * k / 1e9
        ours_ms = 1e3 * sum(times) * count
        totals += (ours_ms, torch_ms)
        cells = " | ".join(f"{flops / t:6.1f} {100 * flops / t / reference:4.0f}%" for t in times)
        print(f"{c:4d}->{f:<4d} {k}x{k}/{s}{'d' + str(d) if d > 1 else '  '} @{size:3d} x{count:2d} | {cells} | {ours_ms:11.1f} | "
              f"{torch_ms:12.1f}", flush=True)
    print(f"{'all convolutions':33s}|{'':44s}| {totals[0]:11.1f} | {totals[1]:12.1f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", choices=IMPLS, help=argparse.SUPPRESS)
    parser.add_argument("--kind", choices=("train", "infer"), default="train")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--no-layers", action="store_true", help="skip the per-layer table")
    args = parser.parse_args(argv)
    if args.worker:
        work = _torch_worker if args.worker == "torch-eager" else _ssdkit_worker
        print(json.dumps(work(args.kind, args.batch, args.steps)))
        return 0
    try:
        import torch  # noqa: F401
        impls = IMPLS
    except ImportError:
        impls = IMPLS[:1]
        print("PyTorch not installed: its columns are skipped (pip install torch==2.13.0 to compare)")
    print(f"ResNet-50 v1, 224x224; training batch {args.batch} (SGD step), inference batch 1; median of "
          f"{args.steps} steps per worker, {args.rounds} interleaved rounds; load average {os.getloadavg()[0]:.1f}")
    results = {}
    for kind, batch, steps in (("train", args.batch, args.steps), ("infer", 1, 4 * args.steps)):
        for r in range(args.rounds):
            for impl in impls:
                res = _spawn(impl, kind, batch, steps)
                results.setdefault((kind, impl), []).append(res)
                print(f"  {kind} round {r + 1} {impl:18s} {json.dumps(res)}", flush=True)
    print("\n== ResNet-50 v1 summary (images/s) ==")
    med = {key: statistics.median([r["images_per_s"] for r in runs if "images_per_s" in r] or [float("nan")])
           for key, runs in results.items()}
    for kind in ("train", "infer"):
        line = "   ".join(f"{impl} {med[(kind, impl)]:7.2f}" for impl in impls)
        ratio = (f"   ssdkit / PyTorch {med[(kind, impls[0])] / med[(kind, impls[1])]:.2f}x (target >= 1.0x)"
                 if len(impls) == 2 else "")
        print(f"{kind:6s} {line}{ratio}")
    if not args.no_layers:
        print("\n== ResNet-50 v1 convolutions: GFLOPS and % of the 2048^3 matmul; ms x count (fwd + both bwd) ==")
        layer_table(args.batch, 2, len(impls) == 2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
