"""``mx.gluon.contrib.nn``: Concurrent / HybridConcurrent (children side by side, outputs concatenated),
Identity, SyncBatchNorm and PixelShuffle1D/2D/3D, as MXNet 1.9.1 defines them.

Examples
--------
>>> import ssdkit as mx
>>> PixelShuffle2D((2, 3))(mx.nd.zeros((1, 12, 3, 5))).shape
(1, 2, 6, 15)
"""
from ... import ndarray as nd
from ...base import MXNetError
from ..block import Block
from ...context import num_gpus
from ..hybrid_block import HybridBlock
from ..nn.basic_layers import Sequential, HybridSequential, BatchNorm, Identity

__all__ = ["Concurrent", "HybridConcurrent", "Identity", "SyncBatchNorm", "PixelShuffle1D", "PixelShuffle2D",
           "PixelShuffle3D", "SparseEmbedding"]


class Concurrent(Sequential):
    """Feeds the input to every child and concatenates their outputs along ``axis``.

    Examples
    --------
    >>> import ssdkit as mx
    >>> net = Concurrent(axis=1)
    >>> net.add(mx.gluon.nn.Dense(2), Identity())
    >>> net.initialize(); net(mx.nd.ones((4, 3))).shape
    (4, 5)
    """

    def __init__(self, axis=-1, prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)
        self.axis = axis

    def forward(self, x):
        return nd.concat(*[block(x) for block in self._children.values()], dim=self.axis)


class HybridConcurrent(HybridSequential):
    """Feeds the input to every child and concatenates their outputs along ``axis``; hybridizable.

    Examples
    --------
    >>> import ssdkit as mx
    >>> net = HybridConcurrent(axis=1)
    >>> net.add(mx.gluon.nn.Dense(2), mx.gluon.nn.Dense(1))
    >>> net.initialize(); net.hybridize(); net(mx.nd.ones((4, 3))).shape
    (4, 3)
    """

    def __init__(self, axis=-1, prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)
        self.axis = axis

    def hybrid_forward(self, F, x):
        return F.concat(*[block(x) for block in self._children.values()], dim=self.axis)


class SyncBatchNorm(BatchNorm):
    """BatchNorm whose batch statistics cover every process of an ``ssdkit.distributed`` job (one process:
    BatchNorm's values; MXNet synchronized GPUs of one machine, ssdkit synchronizes MPI ranks).

    Parameters are BatchNorm's (axis 1) plus ``num_devices`` (recorded as the op's ``ndev``, MXNet's count of
    devices; ssdkit reduces over the processes of the job whatever it says).

    Examples
    --------
    >>> import ssdkit as mx
    >>> bn = SyncBatchNorm(in_channels=2, prefix="sbn_")
    >>> bn.initialize(); bn(mx.nd.ones((2, 2, 3))).shape
    (2, 2, 3)
    """

    def __init__(self, in_channels=0, num_devices=None, momentum=0.9, epsilon=1e-5, center=True, scale=True,
                 use_global_stats=False, beta_initializer="zeros", gamma_initializer="ones",
                 running_mean_initializer="zeros", running_variance_initializer="ones", **kwargs):
        super().__init__(axis=1, momentum=momentum, epsilon=epsilon, center=center, scale=scale,
                         use_global_stats=use_global_stats, beta_initializer=beta_initializer,
                         gamma_initializer=gamma_initializer, running_mean_initializer=running_mean_initializer,
                         running_variance_initializer=running_variance_initializer, in_channels=in_channels,
                         **kwargs)
        ndev = num_devices if num_devices is not None else max(num_gpus(), 1)
        self._kwargs = {"eps": epsilon, "momentum": momentum, "fix_gamma": not scale,
                        "use_global_stats": use_global_stats, "ndev": ndev, "key": self.prefix}

    def infer_shape(self, x, *args):
        for param in (self.gamma, self.beta, self.running_mean, self.running_var):
            param.shape = (x.shape[1],)

    def hybrid_forward(self, F, x, gamma, beta, running_mean, running_var):
        return F.contrib.SyncBatchNorm(x, gamma, beta, running_mean, running_var, name="fwd", **self._kwargs)


class SparseEmbedding(Block):
    """MXNet's Embedding with ``row_sparse`` weight and gradient storage. ssdkit arrays are dense only, so
    creating one raises MXNetError (as ``nn.Embedding(sparse_grad=True)`` does); use ``gluon.nn.Embedding``,
    which computes the same values with a dense gradient.

    Examples
    --------
    >>> SparseEmbedding(10, 4)
    Traceback (most recent call last):
    ...
    ssdkit.base.MXNetError: SparseEmbedding: row_sparse weights and gradients are not supported by ssdkit (arrays are dense); use gluon.nn.Embedding(10, 4), which gives the same values with a dense gradient
    """

    def __init__(self, input_dim, output_dim, dtype="float32", weight_initializer=None, **kwargs):
        raise MXNetError(f"SparseEmbedding: row_sparse weights and gradients are not supported by ssdkit (arrays "
                         f"are dense); use gluon.nn.Embedding({input_dim}, {output_dim}), which gives the same "
                         f"values with a dense gradient")


class PixelShuffle1D(HybridBlock):
    """``(N, f*C, W)`` -> ``(N, C, W*f)``: groups of ``f`` channels become ``f`` neighbouring positions.

    Examples
    --------
    >>> import ssdkit as mx
    >>> PixelShuffle1D(2)(mx.nd.zeros((1, 8, 3))).shape
    (1, 4, 6)
    """

    def __init__(self, factor):
        super().__init__()
        self._factor = int(factor)

    def hybrid_forward(self, F, x):
        f = self._factor
        x = F.reshape(x, (0, -4, -1, f, 0))      # (N, C, f, W)
        x = F.transpose(x, (0, 1, 3, 2))         # (N, C, W, f)
        return F.reshape(x, (0, 0, -3))          # (N, C, W*f)

    def __repr__(self):
        return f"{self.__class__.__name__}({self._factor})"


def _factors(factor, n):
    try:
        return (int(factor),) * n
    except TypeError:
        factors = tuple(int(f) for f in factor)
        if len(factors) != n:
            raise ValueError(f"PixelShuffle{n}D: factor needs {n} values, got {factor!r}") from None
        return factors


class PixelShuffle2D(HybridBlock):
    """``(N, f1*f2*C, H, W)`` -> ``(N, C, H*f1, W*f2)``: sub-pixel upsampling.

    Examples
    --------
    >>> import ssdkit as mx
    >>> PixelShuffle2D(2)(mx.nd.arange(8).reshape((1, 4, 1, 2))).asnumpy().tolist()
    [[[[0.0, 2.0, 1.0, 3.0], [4.0, 6.0, 5.0, 7.0]]]]
    """

    def __init__(self, factor):
        super().__init__()
        self._factors = _factors(factor, 2)

    def hybrid_forward(self, F, x):
        f1, f2 = self._factors
        x = F.reshape(x, (0, -4, -1, f1 * f2, 0, 0))   # (N, C, f1*f2, H, W)
        x = F.reshape(x, (0, 0, -4, f1, f2, 0, 0))     # (N, C, f1, f2, H, W)
        x = F.transpose(x, (0, 1, 4, 2, 5, 3))         # (N, C, H, f1, W, f2)
        return F.reshape(x, (0, 0, -3, -3))            # (N, C, H*f1, W*f2)

    def __repr__(self):
        return f"{self.__class__.__name__}({self._factors})"


class PixelShuffle3D(HybridBlock):
    """``(N, f1*f2*f3*C, D, H, W)`` -> ``(N, C, D*f1, H*f2, W*f3)``: sub-voxel upsampling.

    Examples
    --------
    >>> import ssdkit as mx
    >>> PixelShuffle3D((2, 3, 4))(mx.nd.zeros((1, 48, 3, 5, 7))).shape
    (1, 2, 6, 15, 28)
    """

    def __init__(self, factor):
        super().__init__()
        self._factors = _factors(factor, 3)

    def hybrid_forward(self, F, x):
        f1, f2, f3 = self._factors
        x = F.reshape(x, (0, -4, -1, f1 * f2 * f3, 0, 0, 0))   # (N, C, f1*f2*f3, D, H, W)
        x = F.swapaxes(x, 2, 3)                                # (N, C, D, f1*f2*f3, H, W)
        x = F.reshape(x, (0, 0, 0, -4, f1, f2 * f3, 0, 0))     # (N, C, D, f1, f2*f3, H, W)
        x = F.reshape(x, (0, 0, -3, 0, 0, 0))                  # (N, C, D*f1, f2*f3, H, W)
        x = F.swapaxes(x, 3, 4)                                # (N, C, D*f1, H, f2*f3, W)
        x = F.reshape(x, (0, 0, 0, 0, -4, f2, f3, 0))          # (N, C, D*f1, H, f2, f3, W)
        x = F.reshape(x, (0, 0, 0, -3, 0, 0))                  # (N, C, D*f1, H*f2, f3, W)
        x = F.swapaxes(x, 4, 5)                                # (N, C, D*f1, H*f2, W, f3)
        return F.reshape(x, (0, 0, 0, 0, -3))                  # (N, C, D*f1, H*f2, W*f3)

    def __repr__(self):
        return f"{self.__class__.__name__}({self._factors})"
