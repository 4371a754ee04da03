"""SyncBatchNorm (MXNet's ``_contrib_SyncBatchNorm``): BatchNorm over axis 1 whose batch statistics cover the
whole mini-batch of every process of a job.

In one process it computes BatchNorm's values. While ``ssdkit.distributed`` runs a job of several processes,
the per-channel sums behind the mean and variance, and behind the input gradient, are summed over the
processes (:data:`ssdkit.ops.batchnorm.CROSS_PROCESS`), so every rank normalizes with the statistics of the
global batch. As in MXNet, ``gamma``/``beta`` gradients stay this process's own sums, the third output of
``output_mean_var`` is the variance, and in predict mode the input gradient is ``g * gamma / sqrt(var + eps)``
with the moving statistics.

Examples
--------
>>> from ssdkit.ops import get_op
>>> op = get_op("_contrib_SyncBatchNorm"); p = op.parse_params({"fix_gamma": False, "key": "bn0"})
>>> x = np.array([[1.0, 2.0], [3.0, 6.0]], np.float32)
>>> (y,), _ = op.forward(p, [x, np.ones(2, np.float32), np.zeros(2, np.float32),
...                          np.zeros(2, np.float32), np.ones(2, np.float32)], True)
>>> y.round(2)
array([[-1., -1.],
       [ 1.,  1.]], dtype=float32)
"""
import numpy as np

from .batchnorm import BatchNorm, batchnorm_forward, batchnorm_backward
from .registry import Param, Params, register

__all__ = ["SyncBatchNorm"]


@register
class SyncBatchNorm(BatchNorm):
    """Batch normalization over axis 1 with statistics synchronized across processes (one process: BatchNorm)."""
    name = "_contrib_SyncBatchNorm"
    hint = "syncbatchnorm"
    params = {"eps": Param("float", 1e-3), "momentum": Param("float", 0.9), "fix_gamma": Param("bool", True),
              "use_global_stats": Param("bool", False), "output_mean_var": Param("bool", False),
              "ndev": Param("int", 1), "key": Param("str", "")}

    @staticmethod
    def _bn(p, is_train):
        """BatchNorm's parameters for this call: axis 1, and the moving-statistics gradient in predict mode."""
        return Params(dict(p, axis=1, use_global_stats=p.use_global_stats or not is_train), given=p.given)

    def infer_shape(self, p, shapes):
        return super().infer_shape(Params(dict(p, axis=1)), shapes)

    def forward(self, p, inputs, is_train):
        bn = Params(dict(p, axis=1), given=p.given)
        outputs, saved = batchnorm_forward(bn, inputs, is_train)
        if p.output_mean_var:  # MXNet's SyncBatchNorm reports the variance (BatchNorm: 1 / std)
            outputs[2] = (1.0 / saved[3] ** 2 - p.eps).astype(outputs[2].dtype)
        return outputs, (saved, is_train)

    def backward(self, p, saved, out_grads):
        bn_saved, is_train = saved
        return batchnorm_backward(self._bn(p, is_train), bn_saved, out_grads)

