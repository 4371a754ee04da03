"""SqueezeNet 1.0 and 1.1 (Iandola et al. 2016), as MXNet 1.9.1 builds them.

A fire module is a 1x1 "squeeze" convolution followed by a :class:`HybridConcurrent` of 1x1 and 3x3 "expand"
convolutions concatenated on the channel axis. ``output`` is a 1x1 convolution to ``classes``, relu, a 13x13
average pool and flatten, so the input must be 224x224 (1.1 also takes 225-239).

Examples
--------
>>> import ssdkit as mx
>>> net = squeezenet1_1(classes=10); net.initialize()
>>> net(mx.nd.zeros((1, 3, 224, 224))).shape
(1, 10)
"""
from ....context import cpu
from ...hybrid_block import HybridBlock
from ... import nn
from ...contrib.nn import HybridConcurrent
from ..model_store import load_pretrained

__all__ = ["SqueezeNet", "squeezenet1_0", "squeezenet1_1", "get_squeezenet"]

# features after the stem: a fire module (squeeze, expand channels) or "pool"
_LAYOUT = {"1.0": ((96, 7), [(16, 64), (16, 64), (32, 128), "pool", (32, 128), (48, 192), (48, 192), (64, 256),
                             "pool", (64, 256)]),
           "1.1": ((64, 3), [(16, 64), (16, 64), "pool", (32, 128), (32, 128), "pool", (48, 192), (48, 192),
                             (64, 256), (64, 256)])}


def _make_fire_conv(channels, kernel_size, padding=0):
    out = nn.HybridSequential(prefix="")
    out.add(nn.Conv2D(channels, kernel_size, padding=padding), nn.Activation("relu"))
    return out


def _make_fire(squeeze_channels, expand1x1_channels, expand3x3_channels):
    out = nn.HybridSequential(prefix="")
    out.add(_make_fire_conv(squeeze_channels, 1))
    paths = HybridConcurrent(axis=1, prefix="")
    paths.add(_make_fire_conv(expand1x1_channels, 1))
    paths.add(_make_fire_conv(expand3x3_channels, 3, 1))
    out.add(paths)
    return out


class SqueezeNet(HybridBlock):
    """SqueezeNet ``version`` '1.0' or '1.1': ``features`` (stem, fire modules, pools, dropout), ``output``.

    Parameters
    ----------
    version : str
        '1.0' or '1.1'.
    classes : int, default 1000

    Examples
    --------
    >>> SqueezeNet('1.1', classes=4, prefix='s_').output[0].weight.shape
    (4, 0, 1, 1)
    """

    def __init__(self, version, classes=1000, **kwargs):
        super().__init__(**kwargs)
        assert version in _LAYOUT, f"Unsupported SqueezeNet version {version}:1.0 or 1.1 expected"
        (stem_channels, stem_kernel), layout = _LAYOUT[version]
        with self.name_scope():
            self.features = nn.HybridSequential(prefix="")
            self.features.add(nn.Conv2D(stem_channels, kernel_size=stem_kernel, strides=2),
                              nn.Activation("relu"), nn.MaxPool2D(pool_size=3, strides=2, ceil_mode=True))
            for item in layout:
                if item == "pool":
                    self.features.add(nn.MaxPool2D(pool_size=3, strides=2, ceil_mode=True))
                else:
                    self.features.add(_make_fire(item[0], item[1], item[1]))
            self.features.add(nn.Dropout(0.5))
            self.output = nn.HybridSequential(prefix="")
            self.output.add(nn.Conv2D(classes, kernel_size=1), nn.Activation("relu"), nn.AvgPool2D(13),
                            nn.Flatten())

    def hybrid_forward(self, F, x):
        return self.output(self.features(x))


def get_squeezenet(version, pretrained=False, ctx=cpu(), root=None, **kwargs):
    """SqueezeNet ``version`` '1.0' or '1.1'; ``pretrained=True`` loads MXNet's weights from ``root``.

    ``pretrained``, ``ctx`` and ``root`` as for :func:`get_model`;
    other keywords: ``classes``, ``prefix``, ``params``.

    Examples
    --------
    >>> len(get_squeezenet('1.0').features)
    14
    """
    net = SqueezeNet(version, **kwargs)
    if pretrained:
        load_pretrained(net, f"squeezenet{version}", root, ctx)
    return net


def squeezenet1_0(**kwargs):
    """SqueezeNet 1.0; keywords as :func:`get_squeezenet`.

    Examples
    --------
    >>> squeezenet1_0().features[0].weight.shape
    (96, 0, 7, 7)
    """
    return get_squeezenet("1.0", **kwargs)


def squeezenet1_1(**kwargs):
    """SqueezeNet 1.1 (2.4x less computation than 1.0 at the same accuracy); keywords as :func:`get_squeezenet`.

    Examples
    --------
    >>> squeezenet1_1().features[0].weight.shape
    (64, 0, 3, 3)
    """
    return get_squeezenet("1.1", **kwargs)
