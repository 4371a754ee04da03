"""MobileNet v1 (Howard et al. 2017) and v2 (Sandler et al. 2018) with width multipliers, as MXNet 1.9.1
builds them.

v1: a strided 3x3 convolution then 13 depthwise-separable pairs (3x3 depthwise + 1x1 pointwise, each with
BatchNorm and relu), global pool, flatten; ``output`` is Dense(classes). v2: inverted residual
:class:`LinearBottleneck` blocks with ReLU6 (``clip(x, 0, 6)``), a 1x1 convolution to 1280 channels, global
pool; ``output`` is a 1x1 convolution ``pred_`` (no bias) and flatten.

Examples
--------
>>> import ssdkit as mx
>>> from ssdkit.symbol.naming import NameManager
>>> with NameManager():          # fresh counters, as in a new process
...     net = mobilenet_v2_0_25(classes=10)
>>> net.initialize()
>>> net(mx.nd.zeros((1, 3, 64, 64))).shape, net.output[0].weight.name
((1, 10), 'mobilenetv20_output_pred_weight')
"""
from ....context import cpu
from ...hybrid_block import HybridBlock
from ... import nn
from ..model_store import load_pretrained

__all__ = ["MobileNet", "MobileNetV2", "mobilenet1_0", "mobilenet_v2_1_0", "mobilenet0_75", "mobilenet_v2_0_75",
           "mobilenet0_5", "mobilenet_v2_0_5", "mobilenet0_25", "mobilenet_v2_0_25", "get_mobilenet",
           "get_mobilenet_v2"]


class RELU6(HybridBlock):
    """``clip(x, 0, 6)`` (the op is named ``relu6``).

    Examples
    --------
    >>> import ssdkit as mx
    >>> RELU6(prefix='r_')(mx.nd.array([-1.0, 3.0, 9.0])).asnumpy()
    array([0., 3., 6.], dtype=float32)
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    def hybrid_forward(self, F, x):
        return F.clip(x, 0, 6, name="relu6")


def _add_conv(out, channels=1, kernel=1, stride=1, pad=0, num_group=1, active=True, relu6=False):
    out.add(nn.Conv2D(channels, kernel, stride, pad, groups=num_group, use_bias=False))
    out.add(nn.BatchNorm(scale=True))
    if active:
        out.add(RELU6() if relu6 else nn.Activation("relu"))


def _add_conv_dw(out, dw_channels, channels, stride, relu6=False):
    _add_conv(out, channels=dw_channels, kernel=3, stride=stride, pad=1, num_group=dw_channels, relu6=relu6)
    _add_conv(out, channels=channels, relu6=relu6)


class LinearBottleneck(HybridBlock):
    """Inverted residual: 1x1 expansion by ``t``, 3x3 depthwise (strided), 1x1 linear projection; the input is
    added back when ``stride == 1`` and the channels match.

    Parameters
    ----------
    in_channels : int
    channels : int
    t : int
        Expansion factor.
    stride : int

    Examples
    --------
    >>> import ssdkit as mx
    >>> blk = LinearBottleneck(4, 4, 6, 1, prefix='lb_'); blk.initialize()
    >>> blk(mx.nd.ones((1, 4, 5, 5))).shape, blk.use_shortcut
    ((1, 4, 5, 5), True)
    """

    def __init__(self, in_channels, channels, t, stride, **kwargs):
        super().__init__(**kwargs)
        self.use_shortcut = stride == 1 and in_channels == channels
        with self.name_scope():
            self.out = nn.HybridSequential()
            _add_conv(self.out, in_channels * t, relu6=True)
            _add_conv(self.out, in_channels * t, kernel=3, stride=stride, pad=1, num_group=in_channels * t,
                      relu6=True)
            _add_conv(self.out, channels, active=False, relu6=True)

    def hybrid_forward(self, F, x):
        out = self.out(x)
        if self.use_shortcut:
            out = F.elemwise_add(out, x)
        return out


class MobileNet(HybridBlock):
    """MobileNet v1 with width ``multiplier``: ``features`` and ``output`` (Dense(classes)).

    Parameters
    ----------
    multiplier : float, default 1.0
        Channel width multiplier.
    classes : int, default 1000

    Examples
    --------
    >>> MobileNet(0.25, prefix='m_').features[0].weight.shape
    (8, 0, 3, 3)
    """

    def __init__(self, multiplier=1.0, classes=1000, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.features = nn.HybridSequential(prefix="")
            with self.features.name_scope():
                _add_conv(self.features, channels=int(32 * multiplier), kernel=3, pad=1, stride=2)
                dw_channels = [int(x * multiplier) for x in [32, 64] + [128] * 2 + [256] * 2 + [512] * 6 + [1024]]
                channels = [int(x * multiplier) for x in [64] + [128] * 2 + [256] * 2 + [512] * 6 + [1024] * 2]
                strides = [1, 2] * 3 + [1] * 5 + [2, 1]
                for dwc, c, s in zip(dw_channels, channels, strides):
                    _add_conv_dw(self.features, dw_channels=dwc, channels=c, stride=s)
                self.features.add(nn.GlobalAvgPool2D(), nn.Flatten())
            self.output = nn.Dense(classes)

    def hybrid_forward(self, F, x):
        return self.output(self.features(x))


class MobileNetV2(HybridBlock):
    """MobileNet v2 with width ``multiplier``: ``features`` (prefix ``features_``) and ``output``
    (prefix ``output_``: 1x1 convolution ``pred_`` and flatten).

    Parameters
    ----------
    multiplier : float, default 1.0
    classes : int, default 1000

    Examples
    --------
    >>> len(MobileNetV2(0.5, prefix='m_').features)
    24
    """

    def __init__(self, multiplier=1.0, classes=1000, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.features = nn.HybridSequential(prefix="features_")
            with self.features.name_scope():
                _add_conv(self.features, int(32 * multiplier), kernel=3, stride=2, pad=1, relu6=True)
                in_channels_group = [int(x * multiplier) for x in [32] + [16] + [24] * 2 + [32] * 3 + [64] * 4
                                     + [96] * 3 + [160] * 3]
                channels_group = [int(x * multiplier) for x in [16] + [24] * 2 + [32] * 3 + [64] * 4 + [96] * 3
                                  + [160] * 3 + [320]]
                ts = [1] + [6] * 16
                strides = [1, 2] * 2 + [1, 1, 2] + [1] * 6 + [2] + [1] * 3
                for in_c, c, t, s in zip(in_channels_group, channels_group, ts, strides):
                    self.features.add(LinearBottleneck(in_channels=in_c, channels=c, t=t, stride=s))
                last_channels = int(1280 * multiplier) if multiplier > 1.0 else 1280
                _add_conv(self.features, last_channels, relu6=True)
                self.features.add(nn.GlobalAvgPool2D())
            self.output = nn.HybridSequential(prefix="output_")
            with self.output.name_scope():
                self.output.add(nn.Conv2D(classes, 1, use_bias=False, prefix="pred_"), nn.Flatten())

    def hybrid_forward(self, F, x):
        return self.output(self.features(x))


def _version_suffix(multiplier):
    """MXNet's file-name spelling of a multiplier: 1.0, 0.75, 0.5, 0.25."""
    suffix = f"{multiplier:.2f}"
    return suffix[:-1] if suffix in ("1.00", "0.50") else suffix


def get_mobilenet(multiplier, pretrained=False, ctx=cpu(), root=None, **kwargs):
    """MobileNet v1 of width ``multiplier``; ``pretrained=True`` loads MXNet's weights from ``root``.

    ``pretrained``, ``ctx`` and ``root`` as for :func:`get_model`;
    other keywords: ``classes``, ``prefix``, ``params``.

    Examples
    --------
    >>> get_mobilenet(0.5).features[3].weight.shape
    (16, 0, 3, 3)
    """
    net = MobileNet(multiplier, **kwargs)
    if pretrained:
        load_pretrained(net, f"mobilenet{_version_suffix(multiplier)}", root, ctx)
    return net


def get_mobilenet_v2(multiplier, pretrained=False, ctx=cpu(), root=None, **kwargs):
    """MobileNet v2 of width ``multiplier``; ``pretrained=True`` loads MXNet's weights from ``root``.

    Parameters are those of :func:`get_mobilenet`.

    Examples
    --------
    >>> get_mobilenet_v2(0.75).features[0].weight.shape
    (24, 0, 3, 3)
    """
    net = MobileNetV2(multiplier, **kwargs)
    if pretrained:
        load_pretrained(net, f"mobilenetv2_{_version_suffix(multiplier)}", root, ctx)
    return net


def _named(multiplier, v2):
    """``mobilenet{m}(**kwargs)`` or ``mobilenet_v2_{m}(**kwargs)``, with its own docstring and example."""
    get = get_mobilenet_v2 if v2 else get_mobilenet

    def build(**kwargs):
        return get(multiplier, **kwargs)
    digits = str(multiplier).replace(".", "_")
    name = f"mobilenet_v2_{digits}" if v2 else f"mobilenet{digits}"
    build.__name__ = build.__qualname__ = name
    build.__doc__ = (f"MobileNet {'v2' if v2 else 'v1'} of width {multiplier}; keywords as :func:`{get.__name__}`."
                     f"\n\n    Examples\n    --------\n    >>> {name}().features[0].weight.shape\n"
                     f"    ({int(32 * multiplier)}, 0, 3, 3)\n    ")
    return build


mobilenet1_0, mobilenet0_75, mobilenet0_5, mobilenet0_25 = (_named(m, False) for m in (1.0, 0.75, 0.5, 0.25))
mobilenet_v2_1_0, mobilenet_v2_0_75, mobilenet_v2_0_5, mobilenet_v2_0_25 = (_named(m, True)
                                                                            for m in (1.0, 0.75, 0.5, 0.25))
