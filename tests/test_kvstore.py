"""mx.kv: MXNet's key-value store in one process (local/device types, dist_sync of size 1), checked against
hand-computed values and against the gluon optimizer it drives."""
import numpy as np
import pytest

import ssdkit as mx
from ssdkit.base import MXNetError

SHAPE = (4, 4)


def test_push_sums_devices_and_replaces_without_updater():
    kv = mx.kv.create("local")
    kv.init(3, mx.nd.ones(SHAPE) * 9)
    devs = [mx.Context("cpu", i) for i in range(3)]
    kv.push(3, [mx.nd.ones(SHAPE, d) * (i + 1) for i, d in enumerate(devs)])
    outs = [mx.nd.empty(SHAPE, d) for d in devs]
    kv.pull(3, out=outs)
    for o in outs:
        np.testing.assert_array_equal(o.asnumpy(), np.full(SHAPE, 6, np.float32))


def test_list_keys_and_values():
    kv = mx.kv.create("device")
    kv.init(["b", "c"], [mx.nd.zeros(SHAPE), mx.nd.zeros(SHAPE)])
    kv.push(["b", "c"], [[mx.nd.ones(SHAPE)] * 2, mx.nd.ones(SHAPE) * 5])
    b, c = mx.nd.empty(SHAPE), mx.nd.empty(SHAPE)
    kv.pull(["b", "c"], out=[b, c])
    assert b.asnumpy().max() == 2 and c.asnumpy().min() == 5


def test_updater_gets_key_and_sum():
    seen = []

    def updater(key, recv, local):
        seen.append((key, recv.asnumpy()[0, 0]))
        local += recv

    kv = mx.kv.create()
    kv.init(7, mx.nd.zeros(SHAPE))
    kv._set_updater(updater)
    for _ in range(3):
        kv.push(7, [mx.nd.ones(SHAPE)] * 2)
    out = mx.nd.empty(SHAPE)
    kv.pull(7, out=out)
    assert seen == [(7, 2.0)] * 3 and out.asnumpy()[0, 0] == 6


def test_optimizer_update_equals_the_updater_it_wraps():
    weight = np.arange(6, dtype=np.float32).reshape(2, 3) / 10
    grads = [np.full((2, 3), g, np.float32) for g in (0.5, -1.0, 2.0)]
    kv = mx.kv.create("local")
    kv.init(0, mx.nd.array(weight))
    kv.set_optimizer(mx.optimizer.create("sgd", learning_rate=0.1, momentum=0.9, wd=0.01))
    reference = mx.nd.array(weight)
    updater = mx.optimizer.get_updater(mx.optimizer.create("sgd", learning_rate=0.1, momentum=0.9, wd=0.01))
    for g in grads:
        kv.push(0, [mx.nd.array(g / 2), mx.nd.array(g / 2)])
        updater(0, mx.nd.array(g), reference)
    out = mx.nd.empty((2, 3))
    kv.pull(0, out=out)
    np.testing.assert_allclose(out.asnumpy(), reference.asnumpy(), rtol=1e-6)


def test_optimizer_states_round_trip(tmp_path):
    kv = mx.kv.create()
    kv.init("w", mx.nd.ones((3,)))
    kv.set_optimizer(mx.optimizer.Adam(learning_rate=0.01))
    kv.push("w", mx.nd.ones((3,)))
    kv.save_optimizer_states(str(tmp_path / "kv.states"), dump_optimizer=True)
    other = mx.kv.create()
    other.init("w", mx.nd.ones((3,)))
    other.set_optimizer(mx.optimizer.Adam(learning_rate=0.01))
    other.load_optimizer_states(str(tmp_path / "kv.states"))
    assert other._updater.optimizer.num_update == 1
    np.testing.assert_array_equal(other._updater.states["w"][0].asnumpy(), kv._updater.states["w"][0].asnumpy())
    assert b"pickle" not in (tmp_path / "kv.states").read_bytes()


def test_two_bit_compression_keeps_residuals():
    threshold = 0.5
    kv = mx.kv.create("device")
    kv.set_gradient_compression({"type": "2bit", "threshold": threshold})
    kv.init(0, mx.nd.zeros((4,)))
    pushes = [np.array([0.3, -0.7, 0.6, 0.0], np.float32), np.array([0.3, 0.1, -0.2, 1.2], np.float32)]
    residual = np.zeros((2, 4), np.float32)
    for grad in pushes:
        kv.push(0, [mx.nd.array(grad), mx.nd.array(grad)])
        out = mx.nd.empty((4,))
        kv.pull(0, out=out)
        expected = np.zeros(4, np.float32)
        for device in range(2):
            residual[device] += grad
            q = np.where(residual[device] >= threshold, threshold,
                         np.where(residual[device] <= -threshold, -threshold, 0))
            residual[device] -= q
            expected += q
        np.testing.assert_array_equal(out.asnumpy(), expected)
    with pytest.raises(MXNetError, match="not supported for this type"):
        mx.kv.create("local").set_gradient_compression({"type": "2bit"})


def test_pushpull_broadcast_and_teststore():
    kv = mx.kv.create("device")
    out = [mx.nd.empty(SHAPE)] * 2
    kv.broadcast("a", mx.nd.ones(SHAPE), out=out)
    vals = [mx.nd.ones(SHAPE), mx.nd.ones(SHAPE) * 3]
    kv.pushpull("a", vals)
    assert all(v.asnumpy().min() == 4 for v in vals)
    ts = mx.kv.create("teststore")
    assert ts.type == "teststore" and not type(ts).is_capable("optimizer")
    with pytest.raises(NotImplementedError):
        ts.set_optimizer(mx.optimizer.create("sgd"))


def test_errors_name_the_key_and_shape():
    kv = mx.kv.create()
    kv.init(1, mx.nd.zeros((2,)))
    with pytest.raises(MXNetError, match="either int or str"):
        kv.init("x", mx.nd.zeros((2,)))
    with pytest.raises(MXNetError, match="key 2 has not been initialized"):
        kv.push(2, mx.nd.zeros((2,)))
    with pytest.raises(MXNetError, match=r"key 1 holds shape \(2,\), pushed value has shape \(3,\)"):
        kv.push(1, mx.nd.zeros((3,)))
    with pytest.raises(MXNetError, match="already initialized"):
        kv.init(1, mx.nd.zeros((2,)))
    with pytest.raises(MXNetError, match="row_sparse storage is not supported"):
        kv.row_sparse_pull(1, out=mx.nd.zeros((2,)), row_ids=mx.nd.array([0]))
    for name in ("nccl", "dist_async", "horovod"):
        with pytest.raises(MXNetError, match=name):
            mx.kv.create(name)
    with pytest.raises(MXNetError, match="unknown kvstore type 'bogus'"):
        mx.kv.create("bogus")


def test_dist_sync_in_one_process_is_local():
    from ssdkit import distributed
    kv = mx.kv.create("dist_sync")
    try:
        assert (kv.rank, kv.num_workers, kv.type) == (0, 1, "dist_sync")
        kv.init(0, mx.nd.zeros((2,)))
        kv.push(0, [mx.nd.ones((2,))] * 2)
        out = mx.nd.empty((2,))
        kv.pull(0, out=out)
        np.testing.assert_array_equal(out.asnumpy(), [2, 2])
    finally:
        distributed.shutdown()
