"""ResNet v1 (He et al. 2015, "Deep Residual Learning") and v2 (He et al. 2016, "Identity Mappings"), with
MXNet 1.9.1's block structure, parameter names and ``save_parameters`` keys.

A v1 net is ``features`` (stem conv 7x7/2 + BN + relu + max-pool, four ``stage{i}_`` sequences of residual
blocks, global average pool) then ``output`` (Dense). v2 puts BatchNorm before each convolution, starts
``features`` with a data BatchNorm (no scale, no center) and ends it with BN + relu + pool + flatten.
``thumbnail=True`` replaces the stem by one 3x3 stride-1 convolution (for 32x32 inputs).

Examples
--------
>>> import ssdkit as mx
>>> from ssdkit.symbol.naming import NameManager
>>> with NameManager():
...     first, second = resnet18_v1(), resnet18_v1()
>>> list(second.collect_params())[0]
'resnetv11_conv0_weight'
>>> net = resnet18_v1(classes=10, thumbnail=True); net.initialize()
>>> net(mx.nd.zeros((1, 3, 32, 32))).shape
(1, 10)
"""
from ....context import cpu
from ...hybrid_block import HybridBlock
from ... import nn
from ..model_store import load_pretrained

__all__ = ["ResNetV1", "ResNetV2", "BasicBlockV1", "BasicBlockV2", "BottleneckV1", "BottleneckV2",
           "resnet18_v1", "resnet34_v1", "resnet50_v1", "resnet101_v1", "resnet152_v1",
           "resnet18_v2", "resnet34_v2", "resnet50_v2", "resnet101_v2", "resnet152_v2", "get_resnet"]


def _conv3x3(channels, stride, in_channels):
    return nn.Conv2D(channels, kernel_size=3, strides=stride, padding=1, use_bias=False, in_channels=in_channels)


def _shortcut_v1(channels, stride, in_channels):
    """The projection of a v1 block's input when its shape changes: 1x1 conv + BatchNorm."""
    shortcut = nn.HybridSequential(prefix="")
    shortcut.add(nn.Conv2D(channels, kernel_size=1, strides=stride, use_bias=False, in_channels=in_channels))
    shortcut.add(nn.BatchNorm())
    return shortcut


class _ResidualV1(HybridBlock):
    """relu(body(x) + shortcut(x)); the shortcut is the identity unless ``downsample``.

    MXNet adds ``residual + x`` in the basic block and ``x + residual`` in the bottleneck; the operand order is
    kept so traced and exported graphs are MXNet's.
    """
    _residual_first = True

    def hybrid_forward(self, F, x):
        out = self.body(x)
        residual = self.downsample(x) if self.downsample is not None else x
        total = residual + out if self._residual_first else out + residual
        return F.Activation(total, act_type="relu")


class BasicBlockV1(_ResidualV1):
    """Two 3x3 convolutions with BatchNorm (ResNet-18/34 v1).

    Parameters
    ----------
    channels : int
        Output channels.
    stride : int
        Stride of the first convolution (and of the shortcut projection).
    downsample : bool, default False
        Project the input with a 1x1 convolution + BatchNorm (when the shape changes).
    in_channels : int, default 0
        Input channels (0: inferred at the first forward).

    Examples
    --------
    >>> import ssdkit as mx
    >>> blk = BasicBlockV1(8, 2, downsample=True, in_channels=4, prefix='b_'); blk.initialize()
    >>> blk(mx.nd.ones((1, 4, 6, 6))).shape
    (1, 8, 3, 3)
    """

    def __init__(self, channels, stride, downsample=False, in_channels=0, **kwargs):
        super().__init__(**kwargs)
        self.body = nn.HybridSequential(prefix="")
        self.body.add(_conv3x3(channels, stride, in_channels), nn.BatchNorm(), nn.Activation("relu"),
                      _conv3x3(channels, 1, channels), nn.BatchNorm())
        self.downsample = _shortcut_v1(channels, stride, in_channels) if downsample else None


class BottleneckV1(_ResidualV1):
    """1x1 (channels/4, strided), 3x3 (channels/4), 1x1 (channels) convolutions with BatchNorm (ResNet-50+ v1).

    Parameters are those of :class:`BasicBlockV1`.

    Examples
    --------
    >>> import ssdkit as mx
    >>> blk = BottleneckV1(16, 1, downsample=True, in_channels=8, prefix='b_'); blk.initialize()
    >>> blk(mx.nd.ones((1, 8, 5, 5))).shape, blk.body[0].weight.shape
    ((1, 16, 5, 5), (4, 8, 1, 1))
    """
    _residual_first = False

    def __init__(self, channels, stride, downsample=False, in_channels=0, **kwargs):
        super().__init__(**kwargs)
        self.body = nn.HybridSequential(prefix="")
        self.body.add(nn.Conv2D(channels // 4, kernel_size=1, strides=stride), nn.BatchNorm(),
                      nn.Activation("relu"), _conv3x3(channels // 4, 1, channels // 4), nn.BatchNorm(),
                      nn.Activation("relu"), nn.Conv2D(channels, kernel_size=1, strides=1), nn.BatchNorm())
        self.downsample = _shortcut_v1(channels, stride, in_channels) if downsample else None


class _ResidualV2(HybridBlock):
    """Pre-activation: each (bn_i, conv_i) pair runs relu(bn_i(x)) then conv_i; the shortcut starts after bn1."""

    def hybrid_forward(self, F, x):
        residual = x
        pairs = self._pairs()
        for index, (bn, conv) in enumerate(pairs):
            x = F.Activation(bn(x), act_type="relu")
            if index == 0 and self.downsample is not None:
                residual = self.downsample(x)
            x = conv(x)
        return x + residual


class BasicBlockV2(_ResidualV2):
    """Pre-activation block of two 3x3 convolutions (ResNet-18/34 v2); parameters as :class:`BasicBlockV1`.

    Examples
    --------
    >>> import ssdkit as mx
    >>> blk = BasicBlockV2(4, 1, prefix='b_'); blk.initialize()
    >>> blk(mx.nd.ones((1, 4, 3, 3))).shape, [c for c in blk._children]
    ((1, 4, 3, 3), ['bn1', 'conv1', 'bn2', 'conv2'])
    """

    def __init__(self, channels, stride, downsample=False, in_channels=0, **kwargs):
        super().__init__(**kwargs)
        self.bn1 = nn.BatchNorm()
        self.conv1 = _conv3x3(channels, stride, in_channels)
        self.bn2 = nn.BatchNorm()
        self.conv2 = _conv3x3(channels, 1, channels)
        self.downsample = (nn.Conv2D(channels, 1, stride, use_bias=False, in_channels=in_channels)
                           if downsample else None)

    def _pairs(self):
        return ((self.bn1, self.conv1), (self.bn2, self.conv2))


class BottleneckV2(_ResidualV2):
    """Pre-activation bottleneck: 1x1, 3x3 (strided), 1x1 convolutions (ResNet-50+ v2).

    Examples
    --------
    >>> import ssdkit as mx
    >>> blk = BottleneckV2(16, 2, downsample=True, in_channels=8, prefix='b_'); blk.initialize()
    >>> blk(mx.nd.ones((1, 8, 4, 4))).shape
    (1, 16, 2, 2)
    """

    def __init__(self, channels, stride, downsample=False, in_channels=0, **kwargs):
        super().__init__(**kwargs)
        self.bn1 = nn.BatchNorm()
        self.conv1 = nn.Conv2D(channels // 4, kernel_size=1, strides=1, use_bias=False)
        self.bn2 = nn.BatchNorm()
        self.conv2 = _conv3x3(channels // 4, stride, channels // 4)
        self.bn3 = nn.BatchNorm()
        self.conv3 = nn.Conv2D(channels, kernel_size=1, strides=1, use_bias=False)
        self.downsample = (nn.Conv2D(channels, 1, stride, use_bias=False, in_channels=in_channels)
                           if downsample else None)

    def _pairs(self):
        return ((self.bn1, self.conv1), (self.bn2, self.conv2), (self.bn3, self.conv3))


class _ResNet(HybridBlock):
    """What v1 and v2 share: the stem, the stages and ``features`` -> ``output``."""

    def _add_stem(self, channels, thumbnail):
        if thumbnail:
            self.features.add(_conv3x3(channels, 1, 0))
        else:
            self.features.add(nn.Conv2D(channels, 7, 2, 3, use_bias=False), nn.BatchNorm(),
                              nn.Activation("relu"), nn.MaxPool2D(3, 2, 1))

    def _add_stages(self, block, layers, channels):
        for i, num_layer in enumerate(layers):
            stage = nn.HybridSequential(prefix=f"stage{i + 1}_")
            with stage.name_scope():
                stage.add(block(channels[i + 1], 1 if i == 0 else 2, channels[i + 1] != channels[i],
                                in_channels=channels[i], prefix=""))
                for _ in range(num_layer - 1):
                    stage.add(block(channels[i + 1], 1, False, in_channels=channels[i + 1], prefix=""))
            self.features.add(stage)

    def hybrid_forward(self, F, x):
        return self.output(self.features(x))


class ResNetV1(_ResNet):
    """ResNet v1: ``features`` (stem, stages, global pool) and ``output`` (Dense).

    Parameters
    ----------
    block : class
        :class:`BasicBlockV1` or :class:`BottleneckV1`.
    layers : list of int
        Blocks per stage.
    channels : list of int
        Stem channels, then each stage's output channels (one longer than ``layers``).
    classes : int, default 1000
    thumbnail : bool, default False
        A 3x3 stride-1 stem for small (32x32) images.

    Examples
    --------
    >>> import ssdkit as mx
    >>> net = ResNetV1(BasicBlockV1, [1, 1], [4, 4, 8], classes=3, prefix='r_'); net.initialize()
    >>> net(mx.nd.zeros((2, 3, 16, 16))).shape, net.output.weight.shape
    ((2, 3), (3, 8))
    """

    def __init__(self, block, layers, channels, classes=1000, thumbnail=False, **kwargs):
        super().__init__(**kwargs)
        assert len(layers) == len(channels) - 1, "ResNetV1: channels must be one longer than layers"
        with self.name_scope():
            self.features = nn.HybridSequential(prefix="")
            self._add_stem(channels[0], thumbnail)
            self._add_stages(block, layers, channels)
            self.features.add(nn.GlobalAvgPool2D())
            self.output = nn.Dense(classes, in_units=channels[-1])


class ResNetV2(_ResNet):
    """ResNet v2 (pre-activation); parameters as :class:`ResNetV1` with the v2 blocks.

    Examples
    --------
    >>> import ssdkit as mx
    >>> net = ResNetV2(BasicBlockV2, [1, 1], [4, 4, 8], classes=3, prefix='r_'); net.initialize()
    >>> net(mx.nd.zeros((2, 3, 16, 16))).shape, net.features[0].gamma.grad_req
    ((2, 3), 'null')
    """

    def __init__(self, block, layers, channels, classes=1000, thumbnail=False, **kwargs):
        super().__init__(**kwargs)
        assert len(layers) == len(channels) - 1, "ResNetV2: channels must be one longer than layers"
        with self.name_scope():
            self.features = nn.HybridSequential(prefix="")
            self.features.add(nn.BatchNorm(scale=False, center=False))
            self._add_stem(channels[0], thumbnail)
            self._add_stages(block, layers, channels)
            self.features.add(nn.BatchNorm(), nn.Activation("relu"), nn.GlobalAvgPool2D(), nn.Flatten())
            self.output = nn.Dense(classes, in_units=channels[-1])


resnet_spec = {18: ("basic_block", [2, 2, 2, 2], [64, 64, 128, 256, 512]),
               34: ("basic_block", [3, 4, 6, 3], [64, 64, 128, 256, 512]),
               50: ("bottle_neck", [3, 4, 6, 3], [64, 256, 512, 1024, 2048]),
               101: ("bottle_neck", [3, 4, 23, 3], [64, 256, 512, 1024, 2048]),
               152: ("bottle_neck", [3, 8, 36, 3], [64, 256, 512, 1024, 2048])}
resnet_net_versions = [ResNetV1, ResNetV2]
resnet_block_versions = [{"basic_block": BasicBlockV1, "bottle_neck": BottleneckV1},
                         {"basic_block": BasicBlockV2, "bottle_neck": BottleneckV2}]


def get_resnet(version, num_layers, pretrained=False, ctx=cpu(), root=None, **kwargs):
    """A ResNet of ``version`` 1 or 2 and ``num_layers`` 18, 34, 50, 101 or 152.

    Parameters
    ----------
    version : int
    num_layers : int
    pretrained : bool, default False
        Load MXNet's ImageNet weights from ``root`` (see :mod:`..model_store`; nothing is downloaded).
    ctx : Context, default cpu()
        Where the pretrained weights are loaded.
    root : str, default ``$MXNET_HOME/models``
    **kwargs
        ``classes``, ``thumbnail``, ``prefix``, ``params``.

    Examples
    --------
    >>> get_resnet(2, 34, classes=5).output.weight.shape
    (5, 512)
    """
    if num_layers not in resnet_spec:
        raise AssertionError(f"Invalid number of layers: {num_layers}. Options are {sorted(resnet_spec)}")
    if version not in (1, 2):
        raise AssertionError(f"Invalid resnet version: {version}. Options are 1 and 2.")
    block_type, layers, channels = resnet_spec[num_layers]
    net = resnet_net_versions[version - 1](resnet_block_versions[version - 1][block_type], layers, channels,
                                           **kwargs)
    if pretrained:
        load_pretrained(net, f"resnet{num_layers}_v{version}", root, ctx)
    return net


def _named(version, num_layers):
    """``resnet{num_layers}_v{version}(**kwargs)``, with its own docstring and example."""
    def build(**kwargs):
        return get_resnet(version, num_layers, **kwargs)
    name = f"resnet{num_layers}_v{version}"
    width = resnet_spec[num_layers][2][-1]
    build.__name__ = build.__qualname__ = name
    build.__doc__ = (f"ResNet-{num_layers} v{version}; keywords as :func:`get_resnet` (``pretrained``, ``ctx``, "
                     f"``root``, ``classes``, ``thumbnail``, ``prefix``, ``params``).\n\n"
                     f"    Examples\n    --------\n    >>> {name}(classes=10).output.weight.shape\n"
                     f"    (10, {width})\n    ")
    return build


resnet18_v1, resnet34_v1, resnet50_v1, resnet101_v1, resnet152_v1 = (_named(1, n) for n in (18, 34, 50, 101, 152))
resnet18_v2, resnet34_v2, resnet50_v2, resnet101_v2, resnet152_v2 = (_named(2, n) for n in (18, 34, 50, 101, 152))
