"""VGG 11/13/16/19 (Simonyan & Zisserman 2014), with or without BatchNorm, as MXNet 1.9.1 builds them.

``features`` holds the 3x3 convolutions (Xavier-gaussian initialized, optional BatchNorm, relu), a 2x2 max-pool
after each group, then two Dense(4096, relu) + Dropout(0.5); ``output`` is the classifier Dense.

Examples
--------
>>> import ssdkit as mx
>>> from ssdkit.symbol.naming import NameManager
>>> with NameManager():          # fresh counters, as in a new process
...     net = vgg11(classes=10)
>>> [name for name in net.collect_params()][:2], len(net.features)
(['vgg0_conv0_weight', 'vgg0_conv0_bias'], 25)
"""
from ....context import cpu
from ....initializer import Xavier
from ...hybrid_block import HybridBlock
from ... import nn
from ..model_store import load_pretrained

__all__ = ["VGG", "vgg11", "vgg13", "vgg16", "vgg19", "vgg11_bn", "vgg13_bn", "vgg16_bn", "vgg19_bn", "get_vgg"]


class VGG(HybridBlock):
    """VGG: ``features`` (convolution groups, pools, two Dense(4096)) and ``output`` (Dense(classes)).

    Parameters
    ----------
    layers : list of int
        Convolutions per group.
    filters : list of int
        Channels of each group.
    classes : int, default 1000
    batch_norm : bool, default False
        BatchNorm after every convolution.

    Examples
    --------
    >>> import ssdkit as mx
    >>> net = VGG([1, 1], [4, 8], classes=3, prefix='v_'); net.initialize()
    >>> net(mx.nd.zeros((1, 3, 8, 8))).shape, net.features[6].weight.shape
    ((1, 3), (4096, 32))
    """

    def __init__(self, layers, filters, classes=1000, batch_norm=False, **kwargs):
        super().__init__(**kwargs)
        assert len(layers) == len(filters), "VGG: layers and filters must have the same length"
        with self.name_scope():
            self.features = self._make_features(layers, filters, batch_norm)
            for _ in range(2):
                self.features.add(nn.Dense(4096, activation="relu", weight_initializer="normal",
                                           bias_initializer="zeros"))
                self.features.add(nn.Dropout(rate=0.5))
            self.output = nn.Dense(classes, weight_initializer="normal", bias_initializer="zeros")

    def _make_features(self, layers, filters, batch_norm):
        featurizer = nn.HybridSequential(prefix="")
        for num, channels in zip(layers, filters):
            for _ in range(num):
                featurizer.add(nn.Conv2D(channels, kernel_size=3, padding=1,
                                         weight_initializer=Xavier(rnd_type="gaussian", factor_type="out",
                                                                   magnitude=2),
                                         bias_initializer="zeros"))
                if batch_norm:
                    featurizer.add(nn.BatchNorm())
                featurizer.add(nn.Activation("relu"))
            featurizer.add(nn.MaxPool2D(strides=2))
        return featurizer

    def hybrid_forward(self, F, x):
        return self.output(self.features(x))


vgg_spec = {11: ([1, 1, 2, 2, 2], [64, 128, 256, 512, 512]),
            13: ([2, 2, 2, 2, 2], [64, 128, 256, 512, 512]),
            16: ([2, 2, 3, 3, 3], [64, 128, 256, 512, 512]),
            19: ([2, 2, 4, 4, 4], [64, 128, 256, 512, 512])}


def get_vgg(num_layers, pretrained=False, ctx=cpu(), root=None, **kwargs):
    """A VGG of ``num_layers`` 11, 13, 16 or 19 (``batch_norm=True`` for the ``_bn`` forms).

    ``pretrained``, ``ctx`` and ``root`` as for :func:`get_model`;
    other keywords: ``classes``, ``batch_norm``, ``prefix``, ``params``.

    Examples
    --------
    >>> len(get_vgg(16, batch_norm=True).features)
    48
    """
    if num_layers not in vgg_spec:
        raise KeyError(f"get_vgg: num_layers {num_layers} is not one of {sorted(vgg_spec)}")
    layers, filters = vgg_spec[num_layers]
    net = VGG(layers, filters, **kwargs)
    if pretrained:
        load_pretrained(net, f"vgg{num_layers}{'_bn' if kwargs.get('batch_norm') else ''}", root, ctx)
    return net


def _named(num_layers, batch_norm):
    """``vgg{num_layers}[_bn](**kwargs)``, with its own docstring and example."""
    def build(**kwargs):
        if batch_norm:
            kwargs["batch_norm"] = True
        return get_vgg(num_layers, **kwargs)
    name = f"vgg{num_layers}{'_bn' if batch_norm else ''}"
    convs = sum(vgg_spec[num_layers][0])
    build.__name__ = build.__qualname__ = name
    build.__doc__ = (f"VGG-{num_layers}{' with BatchNorm' if batch_norm else ''}; keywords as :func:`get_vgg` "
                     f"(``pretrained``, ``ctx``, ``root``, ``classes``, ``prefix``, ``params``).\n\n"
                     f"    Examples\n    --------\n    >>> net = {name}()\n"
                     f"    >>> sum(isinstance(b, nn.Conv2D) for b in net.features), net.output._units\n"
                     f"    ({convs}, 1000)\n    ")
    return build


vgg11, vgg13, vgg16, vgg19 = (_named(n, False) for n in (11, 13, 16, 19))
vgg11_bn, vgg13_bn, vgg16_bn, vgg19_bn = (_named(n, True) for n in (11, 13, 16, 19))
