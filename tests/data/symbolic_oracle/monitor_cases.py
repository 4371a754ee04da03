"""The Monitor scenario make_monitor_oracle.py runs on MXNet and tests/test_monitor.py on ssdkit."""
import numpy as np


def run(mx):
    """Rows ``[batch, name, [values]]`` of mx.mon.Monitor on a bound FullyConnected + relu, for
    monitor_all False and True, then through Module.install_monitor over two batches with interval 2."""
    net = mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=3, name="fc")
    net = mx.sym.Activation(net, act_type="relu", name="relu")
    ex = net.simple_bind(mx.cpu(), data=(2, 4))
    ex.arg_dict["data"][:] = mx.nd.array(np.arange(8).reshape(2, 4) / 10.0)
    ex.arg_dict["fc_weight"][:] = mx.nd.array(np.linspace(-1, 1, 12).reshape(3, 4))
    ex.arg_dict["fc_bias"][:] = mx.nd.array([0.1, -0.2, 0.3])
    rows = []
    for monitor_all in (False, True):
        mon = mx.mon.Monitor(1, pattern=".*", sort=True, monitor_all=monitor_all)
        mon.install(ex)
        mon.tic()
        ex.forward(is_train=True)
        rows.append([[r[0], r[1], [float(v) for v in r[2].split()]] for r in mon.toc()])
    mod = mx.mod.Module(net, label_names=None, context=mx.cpu())
    mod.bind(data_shapes=[("data", (2, 4))])
    mod.init_params(mx.init.Constant(0.5))
    mon = mx.mon.Monitor(2, pattern=".*output", sort=True)
    mod.install_monitor(mon)
    for _ in range(3):
        mon.tic()
        mod.forward(mx.io.DataBatch([mx.nd.ones((2, 4))]), is_train=False)
        rows.append([[r[0], r[1], [float(v) for v in r[2].split()]] for r in mon.toc()])
    # forward_backward: the gradients each op computes are monitored too (<node>_backward_output<i>)
    head = mx.sym.LinearRegressionOutput(net, name="reg", grad_scale=2)
    mod = mx.mod.Module(head, label_names=["reg_label"], context=mx.cpu())
    mod.bind(data_shapes=[("data", (2, 4))], label_shapes=[("reg_label", (2, 3))])
    mod.init_params(mx.init.Constant(0.25))
    mon = mx.mon.Monitor(1, pattern=".*", sort=True)
    mod.install_monitor(mon)
    mon.tic()
    mod.forward_backward(mx.io.DataBatch([mx.nd.ones((2, 4))], [mx.nd.zeros((2, 3))]))
    rows.append([[r[0], r[1], [float(v) for v in r[2].split()]] for r in mon.toc()])
    return rows
