"""Training-step throughput of the zoo detectors (images/s), imperative vs hybridized, and the cost of the SSD
objective (targets + loss) next to the network.

Run: ``python benchmarks/bench_model_zoo.py [--batch 16] [--steps 3]``; every figure comes from this run.
"""
import argparse
import time

import numpy as np

import ssdkit as mx
from ssdkit import autograd, gluon, nd
from ssdkit.detection import SSDMultiBoxLoss, SSDTargetGenerator
from ssdkit.model_zoo import ToySSD, get_model

LABEL = [0, .2, .25, .6, .7]    # one object per image, as the pikachu set


def _outputs(net, out):
    if isinstance(net, ToySSD):
        anchors, cls_preds, box_preds = out
        return cls_preds, box_preds.reshape((0, -1, 4)), anchors
    return out


def step_times(name, side, batch, steps, hybridize):
    """Median seconds of (forward, objective, backward + update) over ``steps`` training steps."""
    net = get_model(name)
    net.initialize(mx.init.Xavier(magnitude=2))
    if hybridize:
        net.hybridize()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.01, "momentum": 0.9, "wd": 5e-4})
    targets, loss_fn = SSDTargetGenerator(), SSDMultiBoxLoss()
    x = nd.array(np.random.default_rng(0).standard_normal((batch, 3, side, side)))
    labels = nd.array(np.tile(np.array([[LABEL]], np.float32), (batch, 1, 1)))
    times = []
    for _ in range(steps + 1):   # the first step traces / resolves shapes: not timed
        t0 = time.perf_counter()
        with autograd.record():
            cls_preds, box_preds, anchors = _outputs(net, net(x))
            t1 = time.perf_counter()
            cls_t, box_t, _ = targets(anchors, labels)
            total, _, _ = loss_fn(cls_preds, box_preds, cls_t, box_t)
            t2 = time.perf_counter()
        total[0].backward()
        trainer.step(1)
        t3 = time.perf_counter()
        times.append((t1 - t0, t2 - t1, t3 - t2))
    return np.median(np.array(times[1:]), axis=0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--steps", type=int, default=3)
    args = parser.parse_args()
    print(f"batch {args.batch}, median of {args.steps} steps; seconds per step (forward / objective / "
          f"backward+update) and images/s")
    for name, side in (("toyssd", 256), ("toyssd", 128), ("ssd_256_tinyvgg_pikachu", 256)):
        rates = {}
        for hybridize in (False, True):
            fwd, obj, bwd = step_times(name, side, args.batch, args.steps, hybridize)
            rates[hybridize] = args.batch / (fwd + obj + bwd)
            print(f"{name:>24} {side:>3}px {'hybridized' if hybridize else 'imperative':>10}: "
                  f"{fwd:6.2f} / {obj:5.3f} / {bwd:6.2f} s  -> {rates[hybridize]:6.1f} img/s")
        print(f"{'':>24} hybridized / imperative speed: {rates[True] / rates[False]:.2f}x")


if __name__ == "__main__":
    main()
