"""The hybridized graph's buffer arena (ops/kernels/arena.py): reuse across steps changes speed, never values.

Every array is routed through the arena here (its size threshold set to 0), so the small test graphs
exercise what only the large layers do in real training.
"""
import numpy as np
import pytest

import ssdkit as mx
from ssdkit.gluon import nn
from ssdkit.ops.kernels import arena as arena_mod
from ssdkit.symbol import executor


@pytest.fixture
def every_array_in_the_arena(monkeypatch):
    monkeypatch.setattr(arena_mod, "MIN_BYTES", 0)


def _net():
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(nn.Conv2D(4, 3, padding=1), nn.BatchNorm(), nn.Activation("relu"), nn.MaxPool2D(),
                nn.Conv2D(6, 3, padding=1), nn.BatchNorm(), nn.Activation("relu"), nn.Flatten(), nn.Dense(3))
    return net


def _train(hybridize, steps=3):
    """Outputs (kept, not copied), gradients and parameters after each of ``steps`` SGD steps."""
    mx.random.seed(0)
    rng = np.random.default_rng(0)
    net = _net()
    net.initialize(mx.init.Xavier())
    if hybridize:
        net.hybridize()
    trainer = mx.gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1, "momentum": 0.9})
    kept, copies, grads = [], [], []
    for _ in range(steps):
        x = mx.nd.array(rng.standard_normal((2, 3, 8, 8)))
        with mx.autograd.record():
            y = net(x)
            loss = (y * y).sum()
        loss.backward()
        trainer.step(2)
        kept.append(y)
        copies.append(y.asnumpy().copy())
        grads.append({k.split("_", 1)[1]: p.grad().asnumpy().copy() for k, p in net.collect_params().items()
                      if p.grad_req != "null"})     # names without the net's own prefix
    params = {k.split("_", 1)[1]: p.data().asnumpy() for k, p in net.collect_params().items()}
    return net, kept, copies, grads, params


def test_training_with_the_arena_equals_imperative_and_keeps_returned_outputs(every_array_in_the_arena):
    net, kept, copies, grads, params = _train(hybridize=True)
    ((graph, _),) = net._cached_graphs.values()
    assert graph.executor.arena.held_bytes() > 0
    for y, copy in zip(kept, copies):      # later steps never wrote into an output the caller still holds
        np.testing.assert_array_equal(y.asnumpy(), copy)
    _, _, copies0, grads0, params0 = _train(hybridize=False)
    for a, b in zip(copies0, copies):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)
    for g0, g in zip(grads0, grads):
        for k in g0:
            np.testing.assert_allclose(g[k], g0[k], rtol=1e-4, atol=1e-5, err_msg=k)
    for k in params0:
        np.testing.assert_allclose(params[k], params0[k], rtol=1e-4, atol=1e-5, err_msg=k)


def test_arena_on_and_off_give_identical_bits(every_array_in_the_arena, monkeypatch):
    with_arena = _train(hybridize=True)
    with monkeypatch.context() as m:
        m.setattr(executor, "_current_arena", lambda arena: arena_mod.current(None))
        without = _train(hybridize=True)
    for a, b in zip(with_arena[2], without[2]):
        np.testing.assert_array_equal(a, b)
    for ga, gb in zip(with_arena[3], without[3]):
        for k in ga:
            np.testing.assert_array_equal(ga[k], gb[k], err_msg=k)
    for k in with_arena[4]:
        np.testing.assert_array_equal(with_arena[4][k], without[4][k], err_msg=k)


def test_steady_state_reuses_instead_of_growing(every_array_in_the_arena):
    """After the first steps the arena stops growing: each step takes the previous steps' dead buffers."""
    net, *_ = _train(hybridize=True, steps=3)
    ((graph, _),) = net._cached_graphs.values()
    held = graph.executor.arena.held_bytes()
    rng = np.random.default_rng(1)
    for _ in range(3):
        with mx.autograd.record():
            loss = net(mx.nd.array(rng.standard_normal((2, 3, 8, 8)))).sum()
        loss.backward()
    assert graph.executor.arena.held_bytes() == held


def test_a_buffer_alive_anywhere_is_never_handed_out():
    arena = arena_mod.Arena(per_size=2)
    first = arena.empty((4, 4), np.float32)
    view = first[1:]                                     # only a view survives
    del first
    second = arena.empty((16,), np.float32)
    assert not np.shares_memory(second, view)
    third = arena.empty((2, 8), np.float32)               # both kept buffers alive: a fresh, unkept array
    assert not np.shares_memory(third, view) and not np.shares_memory(third, second)
    assert arena.held_bytes() == 2 * 16 * 4
    del view, second
    assert arena.empty((16,), np.float32).base is not None
    arena.clear()
    assert arena.held_bytes() == 0


def test_current_none_means_plain_numpy():
    with arena_mod.current(None):
        a = arena_mod.empty((1 << 19,), np.float32)     # 2 MiB, above the threshold
    assert a.base is None and a.flags.owndata


def test_imperative_calls_reuse_the_process_arena():
    a = arena_mod.empty((1 << 19,), np.float32)         # no current(): the process-wide arena
    address = a.ctypes.data
    assert a.base is not None and any(b is a.base for pool in arena_mod.IMPERATIVE._buffers.values() for b in pool)
    del a
    assert arena_mod.empty((1 << 19,), np.float32).ctypes.data == address


def test_a_bounded_arena_forgets_free_buffers_of_other_sizes():
    arena = arena_mod.Arena(max_bytes=100 * 4)
    small = arena.empty((40,), np.float32)
    other = arena.empty((50,), np.float32)
    assert arena.held_bytes() == 90 * 4
    del other                                            # free: forgotten to make room
    big = arena.empty((60,), np.float32)
    assert arena.held_bytes() == 100 * 4
    too_big = arena.empty((30,), np.float32)             # ``small`` and ``big`` are alive: not kept
    assert arena.held_bytes() == 100 * 4 and too_big.base is not None
    assert not np.shares_memory(too_big, small) and not np.shares_memory(too_big, big)
