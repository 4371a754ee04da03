"""Graph rewrites the executor applies to its plan (the Symbol and its JSON stay as written).

* training and inference: ``BatchNorm -> relu`` becomes ``_fused_bn_relu``, and ``BatchNorm -> relu ->
  Pooling`` becomes ``_fused_bn_relu_pool`` when the pooling is MaxPool2D(2) (max, 2x2, stride 2, no
  padding, 'valid', not global) of NCHW data;
* inference without gradients: ``Convolution -> BatchNorm [-> relu]`` becomes ``_fused_conv_bn`` (BatchNorm
  folded into the convolution's weights).

A chain is fused only when each intermediate value has exactly one reader and is not a graph output.
Folding wins over pooling: a folded ``_fused_conv_bn`` is followed by the plain Pooling.

Examples
--------
>>> import ssdkit as mx
>>> from ssdkit.symbol.executor import GraphExecutor
>>> y = mx.sym.relu(mx.sym.BatchNorm(mx.sym.Convolution(mx.sym.var('x'), kernel=(3, 3), num_filter=2,
...                                                       name='c'), name='bn'), name='r')
>>> ex = GraphExecutor(y)
>>> [s.op.name for s in ex.plan(is_train=False, for_backward=False)]
['_fused_conv_bn']
>>> [s.op.name for s in ex.plan(is_train=True, for_backward=True)]
['Convolution', '_fused_bn_relu']
>>> pooled = mx.sym.Pooling(y, kernel=(2, 2), stride=(2, 2), pool_type='max', name='p')
>>> [s.op.name for s in GraphExecutor(pooled).plan(is_train=True, for_backward=True)]
['Convolution', '_fused_bn_relu_pool']
>>> [s.op.name for s in GraphExecutor(pooled).plan(is_train=False, for_backward=False)]
['_fused_conv_bn', 'Pooling']
"""
from ..base import as_tuple
from ..ops import get_op
from ..ops.batchnorm import FUSED_POOL

__all__ = ["fuse_steps"]


def _is_relu(step):
    return step.op.name == "relu" or (step.op.name == "Activation" and step.params.act_type == "relu")


def _is_fused_pool(step):
    """A Pooling that ``_fused_bn_relu_pool`` performs exactly (:data:`~ssdkit.ops.batchnorm.FUSED_POOL`)."""
    if step.op.name != "Pooling" or step.params.global_pool or step.params.layout not in (None, "NCHW"):
        return False
    if len(step.params.kernel) not in (0, 2):   # 1-D and 3-D pooling are not fused
        return False
    p = step.params
    geometry = {"kernel": as_tuple(p.kernel or 1, 2), "stride": as_tuple(p.stride or 1, 2),
                "pad": as_tuple(p.pad or 0, 2), "pool_type": p.pool_type, "pooling_convention": p.pooling_convention}
    return geometry == FUSED_POOL


def _readers(steps, heads):
    count = {}
    for step in steps:
        for slot in step.ins:
            count[slot] = count.get(slot, 0) + 1
    for slot in heads:
        count[slot] = count.get(slot, 0) + 1
    return count


def _single_reader(slot, reader, readers):
    return readers.get(slot, 0) == 1 and reader.ins and reader.ins[0] == slot


def fuse_steps(steps, heads, fold_batchnorm, make_step):
    """Return a new step list with the fusions above; ``make_step(op, params, ins, outs, name)`` builds one."""
    readers = _readers(steps, heads)
    producer = {s.outs[0]: i for i, s in enumerate(steps) if len(s.outs) == 1}
    out, skip = [], set()
    for i, step in enumerate(steps):
        if i in skip:
            continue
        if step.op.name != "BatchNorm" or step.params.output_mean_var:
            out.append(step)
            continue
        bn = step
        relu = next((j for j in range(i + 1, len(steps)) if _is_relu(steps[j]) and
                     _single_reader(bn.outs[0], steps[j], readers)), None)
        conv_index = producer.get(bn.ins[0])
        conv = steps[conv_index] if conv_index is not None else None
        can_fold = (fold_batchnorm and conv is not None and conv.op.name == "Convolution" and len(conv.params.kernel) == 2
                    and out and out[-1] is conv
                    and _single_reader(conv.outs[0], bn, readers))
        final_out = steps[relu].outs if relu is not None else bn.outs
        if relu is not None:
            skip.add(relu)
        if can_fold:
            out.pop()
            params = type(bn.params)({**conv.params, "eps": bn.params.eps, "fix_gamma": bn.params.fix_gamma,
                                      "relu": relu is not None})
            out.append(make_step(get_op("_fused_conv_bn"), params, conv.ins + bn.ins[1:], final_out, bn.name))
        elif relu is not None:
            pool = next((k for k in range(relu + 1, len(steps)) if _is_fused_pool(steps[k]) and
                         _single_reader(final_out[0], steps[k], readers)), None)
            if pool is None or bn.params.axis != 1:
                out.append(make_step(get_op("_fused_bn_relu"), bn.params, bn.ins, final_out, bn.name))
            else:
                skip.add(pool)
                out.append(make_step(get_op("_fused_bn_relu_pool"), bn.params, bn.ins, steps[pool].outs, bn.name))
        else:
            out.append(bn)
    return out
