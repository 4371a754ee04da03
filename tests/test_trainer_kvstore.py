"""gluon.Trainer with a kvstore as MXNet 1.9.1: the store made at the first step for parameters on several
devices, update_on_kvstore (default, refused by stores without an optimizer), allreduce_grads/update, states
saved through the store, and the store dropped when a parameter is loaded."""
import numpy as np
import pytest

import ssdkit as mx
from ssdkit import gluon
from ssdkit.gluon.trainer import UpdateOnKVStoreError

CTX = [mx.cpu(0), mx.cpu(1)]


def _param(name="x"):
    x = gluon.Parameter(name, shape=(4,))
    x.initialize(ctx=CTX, init="zeros")
    return x


def _backward(x, scale_by_device=False):
    with mx.autograd.record():
        for i, w in enumerate(x.list_data()):
            y = (i * w) if scale_by_device else (w + 1)
            y.backward()


def test_one_device_needs_no_store():
    x = gluon.Parameter("x", shape=(2,))
    x.initialize(ctx=mx.cpu(0), init="zeros")
    trainer = gluon.Trainer([x], "sgd", {"learning_rate": 1.0})
    _backward(x)
    trainer.step(1)
    assert trainer._kvstore is None and trainer._update_on_kvstore is None
    assert x.data().asnumpy().tolist() == [-1.0, -1.0]


def test_update_on_kvstore_sums_devices_and_refuses_manual_update(tmp_path):
    x = _param()
    trainer = gluon.Trainer([x], "sgd", {"learning_rate": 1.0, "momentum": 0.5})
    _backward(x)
    trainer.step(1)
    assert trainer._kvstore.type == "device" and trainer._update_on_kvstore is True
    assert (x.data(CTX[1]).asnumpy() == -2).all()                  # the two devices' gradients summed
    x.lr_mult = 0.5
    _backward(x)
    trainer.step(1)
    assert (x.data(CTX[0]).asnumpy() == -4).all()                  # mom = 0.5 * -2 - 0.5 * 2
    with pytest.raises(UpdateOnKVStoreError):
        trainer.update(1)
    with pytest.raises(AssertionError):
        trainer.allreduce_grads()
    trainer.save_states(str(tmp_path / "t.states"))
    before = trainer._kvstore._updater.states[0].asnumpy().copy()
    trainer.load_states(str(tmp_path / "t.states"))
    np.testing.assert_array_equal(trainer._kvstore._updater.states[0].asnumpy(), before)
    assert trainer._optimizer is trainer._kvstore._updater.optimizer
    x.lr_mult = 2.0
    assert trainer._kvstore._updater.optimizer._get_lr(0) == 2.0  # param_dict follows the loaded optimizer


def test_allreduce_then_update_without_update_on_kvstore():
    x = _param()
    trainer = gluon.Trainer([x], "sgd", {"learning_rate": 1.0}, update_on_kvstore=False)
    _backward(x, scale_by_device=True)
    trainer.allreduce_grads()
    np.testing.assert_array_equal(x.grad(CTX[0]).asnumpy(), x.grad(CTX[1]).asnumpy())
    trainer.update(1)
    assert (x.data(CTX[1]).asnumpy() == -1).all()


def test_store_object_without_optimizer_support():
    x = _param()
    kv = mx.kv.create("teststore")
    trainer = gluon.Trainer([x], "sgd", {"learning_rate": 1.0}, kvstore=kv)
    _backward(x)
    trainer.step(1)
    assert trainer._update_on_kvstore is False and (x.data(CTX[1]).asnumpy() == -2).all()
    with pytest.raises(ValueError, match="update_on_kvstore=False"):
        gluon.Trainer([x], "sgd", kvstore=kv, update_on_kvstore=True)._init_kvstore()


@pytest.mark.parametrize("kv", ["local", "device"])
def test_loading_parameters_resets_the_store(tmp_path, kv):
    params = gluon.ParameterDict()
    x = params.get("x", shape=(4,))
    params.initialize(ctx=CTX, init="zeros")
    trainer = gluon.Trainer(params, "sgd", {"learning_rate": 0.1}, kvstore=kv)
    params.save(str(tmp_path / "p.params"))
    _backward(x)
    trainer.step(1)
    params.load(str(tmp_path / "p.params"))
    assert trainer._kvstore is None and trainer._kv_initialized is False
    _backward(x)
    trainer.step(1)
    np.testing.assert_allclose(x.data(CTX[0]).asnumpy(), -0.2)     # from the loaded zeros, not from -0.2


def test_dist_store_needs_distributed_and_is_below_gluon():
    from ssdkit.kvstore import KVStoreBase
    from ssdkit import distributed   # noqa: F401  registers dist_sync
    assert "dist_sync" in KVStoreBase.kv_registry
    distributed.shutdown()
