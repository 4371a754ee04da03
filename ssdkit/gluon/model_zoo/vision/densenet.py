"""DenseNet 121/161/169/201 (Huang et al. 2016), as MXNet 1.9.1 builds them.

Each dense layer is a :class:`HybridConcurrent` of the identity and (BN, relu, 1x1 conv, BN, relu, 3x3 conv),
so its output is its input with ``growth_rate`` more channels; ``stage{i}_`` blocks of such layers alternate
with transitions (BN, relu, 1x1 conv halving the channels, 2x2 average pool). The final 7x7 average pool needs
224x224 inputs.

Examples
--------
>>> import ssdkit as mx
>>> net = DenseNet(8, 4, [1, 1], classes=3, prefix='d_'); net.initialize()
>>> net(mx.nd.zeros((1, 3, 112, 112))).shape
(1, 3)
"""
from ....context import cpu
from ...hybrid_block import HybridBlock
from ... import nn
from ...contrib.nn import HybridConcurrent, Identity
from ..model_store import load_pretrained

__all__ = ["DenseNet", "densenet121", "densenet161", "densenet169", "densenet201", "get_densenet"]


def _make_dense_block(num_layers, bn_size, growth_rate, dropout, stage_index):
    out = nn.HybridSequential(prefix=f"stage{stage_index}_")
    with out.name_scope():
        for _ in range(num_layers):
            out.add(_make_dense_layer(growth_rate, bn_size, dropout))
    return out


def _make_dense_layer(growth_rate, bn_size, dropout):
    new_features = nn.HybridSequential(prefix="")
    new_features.add(nn.BatchNorm(), nn.Activation("relu"),
                     nn.Conv2D(bn_size * growth_rate, kernel_size=1, use_bias=False),
                     nn.BatchNorm(), nn.Activation("relu"),
                     nn.Conv2D(growth_rate, kernel_size=3, padding=1, use_bias=False))
    if dropout:
        new_features.add(nn.Dropout(dropout))
    out = HybridConcurrent(axis=1, prefix="")
    out.add(Identity(), new_features)
    return out


def _make_transition(num_output_features):
    out = nn.HybridSequential(prefix="")
    out.add(nn.BatchNorm(), nn.Activation("relu"), nn.Conv2D(num_output_features, kernel_size=1, use_bias=False),
            nn.AvgPool2D(pool_size=2, strides=2))
    return out


class DenseNet(HybridBlock):
    """DenseNet: ``features`` (stem, dense blocks and transitions, BN, relu, 7x7 pool, flatten), ``output``.

    Parameters
    ----------
    num_init_features : int
        Channels of the stem convolution.
    growth_rate : int
        Channels each dense layer adds.
    block_config : list of int
        Dense layers per block.
    bn_size : int, default 4
        Bottleneck width multiplier (1x1 convolutions have ``bn_size * growth_rate`` channels).
    dropout : float, default 0
    classes : int, default 1000

    Examples
    --------
    >>> net = DenseNet(8, 4, [2], prefix='d_'); len(net.features[4])
    2
    """

    def __init__(self, num_init_features, growth_rate, block_config, bn_size=4, dropout=0, classes=1000,
                 **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.features = nn.HybridSequential(prefix="")
            self.features.add(nn.Conv2D(num_init_features, kernel_size=7, strides=2, padding=3, use_bias=False),
                              nn.BatchNorm(), nn.Activation("relu"), nn.MaxPool2D(pool_size=3, strides=2, padding=1))
            num_features = num_init_features
            for i, num_layers in enumerate(block_config):
                self.features.add(_make_dense_block(num_layers, bn_size, growth_rate, dropout, i + 1))
                num_features += num_layers * growth_rate
                if i != len(block_config) - 1:
                    self.features.add(_make_transition(num_features // 2))
                    num_features //= 2
            self.features.add(nn.BatchNorm(), nn.Activation("relu"), nn.AvgPool2D(pool_size=7), nn.Flatten())
            self.output = nn.Dense(classes)

    def hybrid_forward(self, F, x):
        return self.output(self.features(x))


densenet_spec = {121: (64, 32, [6, 12, 24, 16]),
                 161: (96, 48, [6, 12, 36, 24]),
                 169: (64, 32, [6, 12, 32, 32]),
                 201: (64, 32, [6, 12, 48, 32])}


def get_densenet(num_layers, pretrained=False, ctx=cpu(), root=None, **kwargs):
    """DenseNet-``num_layers`` (121, 161, 169 or 201); ``pretrained=True`` loads MXNet's weights from ``root``.

    ``pretrained``, ``ctx`` and ``root`` as for :func:`get_model`;
    other keywords: ``bn_size``, ``dropout``, ``classes``, ``prefix``, ``params``.

    Examples
    --------
    >>> get_densenet(161).features[0].weight.shape
    (96, 0, 7, 7)
    """
    if num_layers not in densenet_spec:
        raise KeyError(f"get_densenet: num_layers {num_layers} is not one of {sorted(densenet_spec)}")
    num_init_features, growth_rate, block_config = densenet_spec[num_layers]
    net = DenseNet(num_init_features, growth_rate, block_config, **kwargs)
    if pretrained:
        load_pretrained(net, f"densenet{num_layers}", root, ctx)
    return net


def _named(num_layers):
    """``densenet{num_layers}(**kwargs)``, with its own docstring and example."""
    def build(**kwargs):
        return get_densenet(num_layers, **kwargs)
    name = f"densenet{num_layers}"
    build.__name__ = build.__qualname__ = name
    build.__doc__ = (f"DenseNet-{num_layers}; keywords as :func:`get_densenet`.\n\n"
                     f"    Examples\n    --------\n    >>> net = {name}()\n"
                     f"    >>> [len(net.features[i]) for i in (4, 6, 8, 10)]\n"
                     f"    {densenet_spec[num_layers][2]}\n    ")
    return build


densenet121, densenet161, densenet169, densenet201 = (_named(n) for n in (121, 161, 169, 201))
