"""Inception v3 (Szegedy et al. 2015, "Rethinking the Inception Architecture"), as MXNet 1.9.1 builds it.

Every convolution is a ``(conv without bias, BatchNorm(epsilon=0.001), relu)`` sequence. The mixed blocks
``A1_`` ... ``E2_`` are :class:`HybridConcurrent` branches concatenated on the channel axis. Inputs are
299x299 (the final 8x8 average pool needs them).

Examples
--------
>>> from ssdkit.symbol.naming import NameManager
>>> with NameManager():          # fresh counters, as in a new process
...     net = inception_v3(classes=10)
>>> [b.prefix for b in net.features][7:10], net.output.weight.shape
(['inception30_A1_', 'inception30_A2_', 'inception30_A3_'], (10, 0))
"""
from ....context import cpu
from ...hybrid_block import HybridBlock
from ... import nn
from ...contrib.nn import HybridConcurrent
from ..model_store import load_pretrained

__all__ = ["Inception3", "inception_v3", "make_aux"]

_SETTING_NAMES = ("channels", "kernel_size", "strides", "padding")


def _make_basic_conv(**kwargs):
    out = nn.HybridSequential(prefix="")
    out.add(nn.Conv2D(use_bias=False, **kwargs), nn.BatchNorm(epsilon=0.001), nn.Activation("relu"))
    return out


def _make_branch(use_pool, *conv_settings):
    """An optional pool ('avg': 3x3/1 pad 1, 'max': 3x3/2) then basic convolutions; each setting is
    (channels, kernel_size, strides, padding) with None for MXNet's default."""
    out = nn.HybridSequential(prefix="")
    if use_pool == "avg":
        out.add(nn.AvgPool2D(pool_size=3, strides=1, padding=1))
    elif use_pool == "max":
        out.add(nn.MaxPool2D(pool_size=3, strides=2))
    for setting in conv_settings:
        out.add(_make_basic_conv(**{k: v for k, v in zip(_SETTING_NAMES, setting) if v is not None}))
    return out


def _mixed(prefix, *branches):
    out = HybridConcurrent(axis=1, prefix=prefix)
    with out.name_scope():
        for branch in branches:
            out.add(_make_branch(*branch))
    return out


def _make_A(pool_features, prefix):
    return _mixed(prefix, (None, (64, 1, None, None)),
                  (None, (48, 1, None, None), (64, 5, None, 2)),
                  (None, (64, 1, None, None), (96, 3, None, 1), (96, 3, None, 1)),
                  ("avg", (pool_features, 1, None, None)))


def _make_B(prefix):
    return _mixed(prefix, (None, (384, 3, 2, None)),
                  (None, (64, 1, None, None), (96, 3, None, 1), (96, 3, 2, None)),
                  ("max",))


def _make_C(channels_7x7, prefix):
    c = channels_7x7
    return _mixed(prefix, (None, (192, 1, None, None)),
                  (None, (c, 1, None, None), (c, (1, 7), None, (0, 3)), (192, (7, 1), None, (3, 0))),
                  (None, (c, 1, None, None), (c, (7, 1), None, (3, 0)), (c, (1, 7), None, (0, 3)),
                   (c, (7, 1), None, (3, 0)), (192, (1, 7), None, (0, 3))),
                  ("avg", (192, 1, None, None)))


def _make_D(prefix):
    return _mixed(prefix, (None, (192, 1, None, None), (320, 3, 2, None)),
                  (None, (192, 1, None, None), (192, (1, 7), None, (0, 3)), (192, (7, 1), None, (3, 0)),
                   (192, 3, 2, None)),
                  ("max",))


def _split_3x3(head):
    """A sequence: the ``head`` branch, then 1x3 and 3x1 branches side by side."""
    seq = nn.HybridSequential(prefix="")
    seq.add(_make_branch(*head))
    split = HybridConcurrent(axis=1, prefix="")
    split.add(_make_branch(None, (384, (1, 3), None, (0, 1))), _make_branch(None, (384, (3, 1), None, (1, 0))))
    seq.add(split)
    return seq


def _make_E(prefix):
    out = HybridConcurrent(axis=1, prefix=prefix)
    with out.name_scope():
        out.add(_make_branch(None, (320, 1, None, None)))
        out.add(_split_3x3((None, (384, 1, None, None))))
        out.add(_split_3x3((None, (448, 1, None, None), (384, 3, None, 1))))
        out.add(_make_branch("avg", (192, 1, None, None)))
    return out


def make_aux(classes):
    """The auxiliary classifier head of Inception v3 (MXNet defines it; ``Inception3`` does not use it).

    Examples
    --------
    >>> make_aux(10)[-1]
    Dense(None -> 10, linear)
    """
    out = nn.HybridSequential(prefix="")
    out.add(nn.AvgPool2D(pool_size=5, strides=3))
    out.add(_make_basic_conv(channels=128, kernel_size=1))
    out.add(_make_basic_conv(channels=768, kernel_size=5))
    out.add(nn.Flatten())
    out.add(nn.Dense(classes))
    return out


class Inception3(HybridBlock):
    """Inception v3: ``features`` (stem, mixed blocks A1-E2, 8x8 average pool, dropout) and ``output``.

    Parameters
    ----------
    classes : int, default 1000

    Examples
    --------
    >>> len(Inception3(prefix='i_').features)
    20
    """

    def __init__(self, classes=1000, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.features = nn.HybridSequential(prefix="")
            self.features.add(_make_basic_conv(channels=32, kernel_size=3, strides=2),
                              _make_basic_conv(channels=32, kernel_size=3),
                              _make_basic_conv(channels=64, kernel_size=3, padding=1),
                              nn.MaxPool2D(pool_size=3, strides=2),
                              _make_basic_conv(channels=80, kernel_size=1),
                              _make_basic_conv(channels=192, kernel_size=3),
                              nn.MaxPool2D(pool_size=3, strides=2),
                              _make_A(32, "A1_"), _make_A(64, "A2_"), _make_A(64, "A3_"), _make_B("B_"),
                              _make_C(128, "C1_"), _make_C(160, "C2_"), _make_C(160, "C3_"), _make_C(192, "C4_"),
                              _make_D("D_"), _make_E("E1_"), _make_E("E2_"),
                              nn.AvgPool2D(pool_size=8), nn.Dropout(0.5))
            self.output = nn.Dense(classes)

    def hybrid_forward(self, F, x):
        return self.output(self.features(x))


def inception_v3(pretrained=False, ctx=cpu(), root=None, **kwargs):
    """Inception v3 for 299x299 inputs; ``pretrained=True`` loads MXNet's weights from ``root``.

    ``pretrained``, ``ctx`` and ``root`` as for :func:`get_model`;
    other keywords: ``classes``, ``prefix``, ``params``.

    Examples
    --------
    >>> inception_v3().features[0][0].weight.shape
    (32, 0, 3, 3)
    """
    net = Inception3(**kwargs)
    if pretrained:
        load_pretrained(net, "inceptionv3", root, ctx)
    return net
