"""Make the editor's oracle files with real MXNet 1.9.1 (run with /work/mxvenv/bin/python):

* ``gluon-symbol.json`` + ``gluon-0000.params``: a small Gluon HybridSequential exported by HybridBlock.export;
* ``module-symbol.json`` + ``module-0000.params``: a symbol built with mx.sym (Module-era names: ``bn1_moving_mean``,
  no ``_fwd``) saved by mx.model.save_checkpoint;
* ``outputs.npz``: the input ``x`` and each network's predict-mode output on it.

tests/test_editor.py imports both into the editor, exports them as Python and compares.
"""
import mxnet as mx
import numpy as np
from mxnet.gluon import nn

rng = np.random.RandomState(7)
x = rng.uniform(-1, 1, size=(2, 3, 12, 12)).astype(np.float32)

net = nn.HybridSequential(prefix="gl_")
with net.name_scope():
    net.add(nn.Conv2D(6, 3, padding=1), nn.BatchNorm(), nn.Activation("relu"), nn.MaxPool2D(2),
            nn.Conv2D(8, 3, strides=2, use_bias=False), nn.LeakyReLU(0.1), nn.GlobalAvgPool2D(), nn.Flatten(),
            nn.Dense(5), nn.Dropout(0.5))
net.initialize(mx.init.Xavier())
net.hybridize()
net(mx.nd.array(x))
for name, param in net.collect_params().items():
    if "running" in name or "gamma" in name or "beta" in name:
        param.set_data(mx.nd.array(rng.uniform(0.5, 1.5, size=param.shape)))
gluon_out = net(mx.nd.array(x)).asnumpy()
net.export("gluon")

data = mx.sym.var("data")
y = mx.sym.Convolution(data, kernel=(3, 3), num_filter=4, pad=(1, 1), name="conv1")
y = mx.sym.BatchNorm(y, fix_gamma=False, eps=2e-5, name="bn1")
y = mx.sym.Activation(y, act_type="relu", name="relu1")
y = mx.sym.Pooling(y, kernel=(3, 3), stride=(2, 2), pool_type="avg", pooling_convention="full", name="pool1")
y = mx.sym.FullyConnected(y, num_hidden=7, name="fc1")
y = mx.sym.softmax(y, name="prob")
arg_shapes, _, aux_shapes = y.infer_shape(data=x.shape)
args = {n: mx.nd.array(rng.uniform(-0.5, 0.5, size=s)) for n, s in zip(y.list_arguments(), arg_shapes) if n != "data"}
aux = {n: mx.nd.array(rng.uniform(0.5, 1.5, size=s)) for n, s in zip(y.list_auxiliary_states(), aux_shapes)}
exe = y.bind(mx.cpu(), dict(args, data=mx.nd.array(x)), aux_states=aux)
module_out = exe.forward(is_train=False)[0].asnumpy()
mx.model.save_checkpoint("module", 0, y, args, aux)

np.savez("outputs.npz", x=x, gluon=gluon_out, module=module_out)
print("gluon", gluon_out.shape, "module", module_out.shape)
