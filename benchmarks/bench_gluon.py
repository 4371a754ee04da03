"""Speed of the gluon core: optimizer updates (elements/s and effective memory traffic), Trainer.step on the
ToySSD parameter set, and the per-call Python overhead of Block / HybridBlock (figures from this run only).

Run: ``python benchmarks/bench_gluon.py``
"""
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import ssdkit as mx  # noqa: E402
from ssdkit import autograd, gluon, nd  # noqa: E402
from ssdkit.gluon import nn  # noqa: E402

FLOAT_BYTES = 4


def _best(fn, repeat=5):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def bench_optimizer_updates(size=4_000_000):
    """One update of a ``size``-element weight; traffic counts weight, grad and state reads + writes."""
    rs = np.random.RandomState(0)
    cases = {"sgd": ({"learning_rate": 0.1}, 3), "sgd momentum+wd": ({"learning_rate": 0.1, "momentum": 0.9,
                                                                      "wd": 1e-4}, 5),
             "nag": ({"learning_rate": 0.1, "momentum": 0.9}, 5), "adam": ({}, 7),
             "rmsprop": ({}, 5)}
    print(f"optimizer update of {size / 1e6:.0f}M float32 elements:")
    for name, (kwargs, arrays_touched) in cases.items():
        opt = mx.optimizer.create(name.split()[0], **kwargs)
        upd = mx.optimizer.get_updater(opt)
        w, g = nd.array(rs.uniform(-1, 1, size)), nd.array(rs.uniform(-1, 1, size))
        upd(0, g, w)  # creates the state
        seconds = _best(lambda: upd(0, g, w))
        print(f"  {name:18s} {seconds * 1e3:7.1f} ms  {size / seconds / 1e6:7.0f} M elem/s  "
              f"{arrays_touched * size * FLOAT_BYTES / seconds / 1e9:5.1f} GB/s (ideal-traffic equivalent)")


def _toyssd_like():
    def down(ch):
        blk = nn.HybridSequential()
        for _ in range(2):
            blk.add(nn.Conv2D(ch, 3, padding=1), nn.BatchNorm(in_channels=ch), nn.Activation("relu"))
        blk.add(nn.MaxPool2D(2))
        return blk
    net = nn.HybridSequential(prefix="toy_")
    with net.name_scope():
        for ch in (16, 32, 64, 128, 128, 128):
            net.add(down(ch))
    return net


def bench_trainer_step():
    """Trainer.step over the ToySSD-sized parameter set (SGD momentum), gradients already in place."""
    net = _toyssd_like()
    net.initialize(mx.init.Xavier())
    with autograd.record():
        loss = net(nd.ones((1, 3, 64, 64))).sum()
    loss.backward()
    params = net.collect_params()
    count = sum(p.data().size for p in params.values())
    trainer = gluon.Trainer(params, "sgd", {"learning_rate": 0.1, "momentum": 0.9, "wd": 5e-4})
    seconds = _best(lambda: trainer.step(1, ignore_stale_grad=True))
    print(f"Trainer.step, {len(params)} parameters / {count / 1e6:.2f}M elements: {seconds * 1e3:.1f} ms")


def bench_call_overhead(calls=2000):
    """Python cost of one layer call on a tiny input: Dense imperative vs hybridized, and a plain Block."""
    x = nd.ones((1, 4))
    dense = nn.Dense(4, in_units=4, prefix="o_")
    dense.initialize()
    eager = _best(lambda: [dense(x) for _ in range(calls)], repeat=3) / calls
    dense.hybridize()
    dense(x)
    hybrid = _best(lambda: [dense(x) for _ in range(calls)], repeat=3) / calls
    raw = _best(lambda: [nd.FullyConnected(x, dense.weight.data(), dense.bias.data(), num_hidden=4)
                         for _ in range(calls)], repeat=3) / calls
    print(f"Dense(4) call on (1, 4): raw op {raw * 1e6:.1f} us, imperative block {eager * 1e6:.1f} us "
          f"(+{(eager - raw) * 1e6:.1f} us block overhead), hybridized {hybrid * 1e6:.1f} us")


if __name__ == "__main__":
    bench_optimizer_updates()
    bench_trainer_step()
    bench_call_overhead()
