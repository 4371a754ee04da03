"""ssdkit performance figures in one run, interleaved, with ratios (issue 8).

Training (batch 32, 256x256, the notebook's ToySSD, one SGD step including MultiBoxTarget): ssdkit
imperative, ssdkit hybridized and PyTorch eager, each in its own worker process (so peak memory is its
own), alternating for ``--rounds`` rounds; then inference latency of one 256x256 image; per-layer conv
GFLOPS next to numpy matmul (benchmarks/bench_conv.py); data-pipeline images/s (benchmarks/bench_data.py);
then ResNet-50 v1 of mx.gluon.model_zoo.vision against the same net in PyTorch (benchmarks/bench_resnet.py);
then the SSD-300 VGG16-atrous and SSD-512 ResNet-50 training steps at batch 8 against their PyTorch twins
(benchmarks/bench_ssd.py).

    python scripts/benchmark.py                # everything (~10 minutes on 2 cores)
    python scripts/benchmark.py --quick        # fewer rounds, no per-layer table
    python scripts/benchmark.py --profile      # also: where each ssdkit training step's time goes, per op
    python scripts/benchmark.py --resnet-only  # only ResNet-50 v1 training / inference and its layer table
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "benchmarks")]

IMPLS = ("ssdkit-imperative", "ssdkit-hybridized", "torch-eager")
PROFILE_ROWS = 12


def _labels(batch):
    import numpy as np
    rng = np.random.default_rng(0)
    xy = rng.uniform(0, 0.5, (batch, 1, 2))
    wh = rng.uniform(0.2, 0.5, (batch, 1, 2))
    return np.concatenate([np.zeros((batch, 1, 1)), xy, xy + wh], axis=2).astype(np.float32)


CONVOLUTION_OPS = ("Convolution", "_backward_Convolution")


def _ssdkit_worker(kind, batch, steps, hybridize, profile=False):
    import numpy as np
    import ssdkit as mx
    from ssdkit.model_zoo.toyssd import ToySSD
    mx.random.seed(0)
    net = ToySSD(1)
    net.initialize(mx.init.Xavier(magnitude=2))
    if hybridize:
        net.hybridize()
    x = mx.nd.random.uniform(shape=(batch if kind == "train" else 1, 3, 256, 256))
    if kind == "infer":
        def forward():
            anchors, cls_preds, box_preds = net(x)
            return mx.nd.softmax(cls_preds).transpose((0, 2, 1)), box_preds, anchors

        return _time_inference(forward, lambda out: mx.nd.contrib.MultiBoxDetection(*out), steps)
    labels = mx.nd.array(_labels(batch))
    trainer = mx.gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1, "wd": 5e-4, "momentum": 0.9})
    ce = mx.gluon.loss.SoftmaxCrossEntropyLoss()

    def step():
        with mx.autograd.record():
            anchors, cls_preds, box_preds = net(x)
            box_t, box_m, cls_t = mx.nd.contrib.MultiBoxTarget(anchors, labels, cls_preds.transpose((0, 2, 1)))
            loss = ce(cls_preds, cls_t) + mx.nd.smooth_l1((box_preds - box_t) * box_m, scalar=1.0).mean(axis=1)
        loss.backward()
        trainer.step(batch)
        return float(loss.mean().asscalar())

    result = _time_steps(step, batch, steps)
    if profile:  # after the timed steps, so their figures are untouched
        result["peak_rss_mb"] = _peak_rss_mb()
        result["profile"] = _profile_step(mx, step)
        result["profile"]["conv_gflop"] = _conv_gflop(mx, ToySSD(1), batch)
        import bench_conv
        result["profile"]["matmul_gflops"] = bench_conv.matmul_gflops(2048, 2048, 2048, 3)
    return result


def _conv_gflop(mx, net, batch):
    """GFLOP of one training step's convolutions (forward, data and weight gradients; a layer fed by the
    input image has no data gradient), counted as direct convolutions, from the shapes one forward pass sees."""
    net.initialize()
    layers = []
    net.apply(lambda block: isinstance(block, mx.gluon.nn.Conv2D) and block.register_forward_hook(
        lambda b, inputs, out: layers.append((b, inputs[0].shape, out.shape))))
    image = mx.nd.zeros((1, 3, 256, 256))
    net(image)
    flop = 0
    for block, in_shape, out_shape in layers:
        kh, kw = block._kwargs["kernel"]
        forward = 2 * in_shape[1] // block._kwargs["num_group"] * out_shape[1] * kh * kw * out_shape[2] * out_shape[3]
        flop += forward * (2 if in_shape == image.shape else 3)
    return flop * batch / 1e9


def _profile_step(mx, step):
    """One more step under mx.profiler: its wall time and the per-op rows, largest total time first."""
    mx.profiler.set_config(aggregate_stats=True, filename=os.devnull)
    mx.profiler.set_state("run")
    start = time.perf_counter()
    step()
    step_ms = 1e3 * (time.perf_counter() - start)
    mx.profiler.set_state("stop")
    ops = json.loads(mx.profiler.dumps(format="json", sort_by="total"))["Time"].get("operator", {})
    return {"step_ms": step_ms, "ops": [[name, s["Count"], s["Total"], s["Min"], s["Max"], s["Avg"]]
                                        for name, s in ops.items()]}


def _print_profile(profile, mode):
    ops, step_ms = profile["ops"], profile["step_ms"]
    print(f"\n== where {mode} training step's time goes (mx.profiler, one step, top {PROFILE_ROWS} ops "
          f"by total time) ==")
    print(f"step {step_ms:.0f} ms, of which {sum(r[2] for r in ops):.0f} ms inside {sum(r[1] for r in ops)} op calls")
    header = ("Total Count", "Time (ms)", "Min Time (ms)", "Max Time (ms)", "Avg Time (ms)", "% of step")
    print("Name".ljust(28) + "".join(c.rjust(15) for c in header))
    for name, count, total, low, high, avg in ops[:PROFILE_ROWS]:
        cells = [str(count)] + [f"{v:.2f}" for v in (total, low, high, avg)] + [f"{100 * total / step_ms:.1f}"]
        print(name.ljust(28) + "".join(c.rjust(15) for c in cells))


def _print_hybridize_ceiling(profile):
    """The most hybridize() can gain while convolutions run the same kernels in both modes (issue 17).

    A graph can fuse, plan memory and drop every other op's overhead, but its convolutions are the imperative ones;
    so even with every non-convolution op free, hybridized / imperative speed is at most
    (imperative step) / (its convolutions). Both come from one profiled step of one process, so the ratio holds on
    a loaded machine too.
    """
    conv_ms = sum(row[2] for row in profile["ops"] if row[0] in CONVOLUTION_OPS)
    print(f"\nhybridize ceiling: the imperative step takes {profile['step_ms']:.0f} ms, its convolutions "
          f"{conv_ms:.0f} ms ({100 * conv_ms / profile['step_ms']:.0f} %); with every other op free a graph would be "
          f"at most {profile['step_ms'] / conv_ms:.2f}x faster")


def _print_speed_limit(profile, torch_ips, target=1.5):
    """What a ``target`` x PyTorch training step leaves for each part, from one profiled hybridized step.

    The convolutions' FLOPs are fixed by the network; at the same worker's 2048^3 matmul rate (this machine's
    practical peak) they need at least conv_gflop / matmul seconds. The step the target allows, minus the time the
    other ops take today, is what the convolutions may take: the GFLOPS they would need is the figure to compare
    with the per-layer table below.
    """
    conv_ms = sum(row[2] for row in profile["ops"] if row[0] in CONVOLUTION_OPS)
    rest_ms = profile["step_ms"] - conv_ms
    gflop, peak = profile["conv_gflop"], profile["matmul_gflops"]
    allowed_ms = profile["batch"] / (target * torch_ips) * 1e3
    print(f"\nspeed limit: a step's convolutions do {gflop:.1f} GFLOP; at this worker's 2048^3 matmul rate "
          f"({peak:.0f} GFLOPS) they need >= {gflop / peak * 1e3:.0f} ms; profiled they took {conv_ms:.0f} ms "
          f"({gflop / conv_ms * 1e3:.0f} GFLOPS, {100 * gflop / conv_ms * 1e3 / peak:.0f} % of matmul), the rest of "
          f"the step {rest_ms:.0f} ms")
    room = allowed_ms - rest_ms
    need = f"{gflop / room * 1e3:.0f} GFLOPS = {100 * gflop / room * 1e3 / peak:.0f} % of matmul" if room > 0 else \
        "more than the whole step allows"
    print(f"{target}x PyTorch ({target * torch_ips:.1f} images/s) allows a {allowed_ms:.0f} ms step: with the other "
          f"ops as today the convolutions would need {need}")


def _peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _torch_worker(kind, batch, steps):
    import numpy as np
    import torch
    from ssdkit.boxes import multibox_detection, multibox_prior, multibox_target
    from torch_toyssd import TorchToySSD
    torch.manual_seed(0)
    net = TorchToySSD(1)
    sizes = ((.2, .272), (.37, .447), (.54, .619), (.71, .79), (.88, .961))
    anchors = np.concatenate([multibox_prior(s, s, sz, (1, 2, .5)) for s, sz in zip((32, 16, 8, 4, 1), sizes)], 1)
    x = torch.rand(batch if kind == "train" else 1, 3, 256, 256)
    if kind == "infer":
        net.eval()

        def forward():
            with torch.no_grad():
                cls, box = net(x)
                return torch.softmax(cls, -1).permute(0, 2, 1).numpy(), box.numpy()

        # the same decoding + NMS code as ssdkit's (numpy), as the training step shares MultiBoxTarget
        return _time_inference(forward, lambda out: multibox_detection(*out, anchors), steps)
    labels = _labels(batch)
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)

    def step():
        cls, box = net(x)
        box_t, box_m, cls_t = multibox_target(anchors, labels, cls.detach().permute(0, 2, 1).numpy())
        box_t, box_m, cls_t = (torch.from_numpy(a) for a in (box_t, box_m, cls_t))
        loss = torch.nn.functional.cross_entropy(cls.reshape(-1, 2), cls_t.reshape(-1).long(), reduction="none")
        loss = loss.reshape(batch, -1).mean(1) + torch.nn.functional.smooth_l1_loss(
            (box - box_t) * box_m, torch.zeros_like(box), reduction="none").mean(1)
        opt.zero_grad()
        loss.mean().backward()
        opt.step()
        return float(loss.mean())

    return _time_steps(step, batch, steps)


def _time_inference(forward, detect, steps):
    """Median milliseconds of ``forward()`` (network + softmax) and of it plus ``detect`` (decoding + NMS)."""
    forward_s, total_s = [], []
    for _ in range(steps + 2):                 # two warm-up runs (tracing, allocator)
        start = time.perf_counter()
        out = forward()
        middle = time.perf_counter()
        detect(out)
        end = time.perf_counter()
        forward_s.append(middle - start)
        total_s.append(end - start)
    return {"forward_ms": 1e3 * statistics.median(forward_s[2:]), "latency_ms": 1e3 * statistics.median(total_s[2:])}


def _time_steps(step, batch, steps):
    step()  # warm-up: deferred init, tracing, allocator
    timings = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        timings.append(time.perf_counter() - start)
    return {"images_per_s": batch / statistics.median(timings)}


def worker(args):
    if args.impl == "torch-eager":
        result = _torch_worker(args.kind, args.batch, args.steps)
    else:
        result = _ssdkit_worker(args.kind, args.batch, args.steps, args.impl == "ssdkit-hybridized",
                                args.profile)
    result.setdefault("peak_rss_mb", _peak_rss_mb())
    print(json.dumps(result))


def _spawn(impl, kind, batch, steps, profile=False):
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", "--impl", impl, "--kind", kind,
           "--batch", str(batch), "--steps", str(steps)] + (["--profile"] if profile else [])
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def _have_torch():
    try:
        import torch  # noqa: F401
        return True
    except ImportError:
        return False


def interleaved(kind, batch, steps, rounds, impls, profile=False):
    """Run each impl's worker ``rounds`` times, alternating; with ``profile`` the last ssdkit ones profile."""
    results = {impl: [] for impl in impls}
    for r in range(rounds):
        for impl in impls:
            res = _spawn(impl, kind, batch, steps, profile and impl.startswith("ssdkit") and r == rounds - 1)
            results[impl].append(res)
            shown = {k: v for k, v in res.items() if k != "profile"}
            print(f"  round {r + 1} {impl:18s} {json.dumps(shown)}", flush=True)
    return results


def _median(runs, key):
    values = [r[key] for r in runs if key in r]
    return statistics.median(values) if values else float("nan")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--impl", choices=IMPLS, default="ssdkit-hybridized")
    parser.add_argument("--kind", choices=("train", "infer"), default="train")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--profile", action="store_true",
                        help="the last ssdkit training workers (hybridized, imperative) also run one step under "
                             "mx.profiler; their per-op tables and the hybridize ceiling follow the summary")
    parser.add_argument("--resnet-only", action="store_true", help="only the ResNet-50 v1 comparison")
    parser.add_argument("--no-resnet", action="store_true", help="skip the ResNet-50 v1 comparison")
    parser.add_argument("--no-ssd", action="store_true", help="skip the SSD-300 / SSD-512 comparison")
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args)
    if args.resnet_only:
        return _resnet(args.quick)
    impls = IMPLS if _have_torch() else IMPLS[:2]
    if len(impls) == 2:
        print("PyTorch not installed: its columns are skipped (pip install torch==2.13.0 to compare)")
    rounds = 1 if args.quick else args.rounds
    print(f"load average {os.getloadavg()[0]:.1f}; training, batch {args.batch}, 256x256, ToySSD, median of "
          f"{args.steps} steps per worker, {rounds} interleaved rounds")
    train = interleaved("train", args.batch, args.steps, rounds, impls, args.profile)
    print("inference, one 256x256 image: network + softmax, then MultiBoxDetection (decoding + NMS; PyTorch's "
          "outputs go through the same numpy code)")
    infer = interleaved("infer", 1, 20, rounds, [i for i in impls if i != "ssdkit-imperative"])
    ips = {i: _median(train[i], "images_per_s") for i in impls}
    rss = {i: _median(train[i], "peak_rss_mb") for i in impls}
    lat = {i: _median(infer[i], "latency_ms") for i in infer}
    fwd = {i: _median(infer[i], "forward_ms") for i in infer}
    print("\n== summary ==")
    for i in impls:
        print(f"{i:18s} train {ips[i]:6.2f} images/s   peak RSS {rss[i]:7.0f} MB" +
              (f"   inference {lat[i]:6.1f} ms (network + softmax {fwd[i]:5.1f} ms)" if i in lat else ""))
    print(f"hybridized / imperative training speed: {ips['ssdkit-hybridized'] / ips['ssdkit-imperative']:.2f}x "
          f"(the hybrid helper's figure)")
    if "torch-eager" in ips:
        print(f"ssdkit hybridized / PyTorch eager training speed: {ips['ssdkit-hybridized'] / ips['torch-eager']:.2f}x"
              f" (target >= 1.5x); imperative {ips['ssdkit-imperative'] / ips['torch-eager']:.2f}x (target >= 1.2x)")
        print(f"PyTorch / ssdkit inference latency: {lat['torch-eager'] / lat['ssdkit-hybridized']:.2f}x "
              f"(target >= 1.5x; network + softmax alone {fwd['torch-eager'] / fwd['ssdkit-hybridized']:.2f}x)")
        print(f"ssdkit / PyTorch peak memory: {rss['ssdkit-hybridized'] / rss['torch-eager']:.2f}x (target <= 0.5x)")
    profiles = {impl: [r["profile"] for r in train[impl] if "profile" in r] for impl in impls[:2]}
    for impl, mode in (("ssdkit-hybridized", "a hybridized"), ("ssdkit-imperative", "an imperative")):
        if profiles[impl]:
            _print_profile(profiles[impl][-1], mode)
    if profiles["ssdkit-imperative"]:
        _print_hybridize_ceiling(profiles["ssdkit-imperative"][-1])
    if profiles["ssdkit-hybridized"] and "torch-eager" in ips:
        _print_speed_limit(dict(profiles["ssdkit-hybridized"][-1], batch=args.batch), ips["torch-eager"])
    if not args.quick:
        import bench_conv
        print("\n== per-layer convolution (benchmarks/bench_conv.py) ==")
        bench_conv.bench_conv(batch=args.batch, reps=3, use_torch=False)
    import bench_data
    print("\n== data pipeline (benchmarks/bench_data.py) ==")
    bench_data.main(["--epochs", "1"] if args.quick else [])
    if not args.no_resnet:
        _resnet(args.quick)
    if not args.no_ssd:
        import bench_ssd
        print("\n== SSD-300 VGG16-atrous and SSD-512 ResNet-50 v1 (benchmarks/bench_ssd.py) ==")
        bench_ssd.main(["--steps", "1"] + (["--no-layers"] if args.quick else ["--layer-batch", "2"]))
    return 0


def _resnet(quick):
    import bench_resnet
    print("\n== ResNet-50 v1 (benchmarks/bench_resnet.py) ==")
    return bench_resnet.main(["--rounds", "1", "--no-layers"] if quick else [])


if __name__ == "__main__":
    sys.exit(main())
