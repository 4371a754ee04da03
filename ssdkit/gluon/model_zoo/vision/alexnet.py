"""AlexNet (Krizhevsky 2014, "One weird trick"), as MXNet 1.9.1 builds it: five convolutions with relu and
three max-pools, then two Dense(4096, relu) + Dropout(0.5) in ``features``; ``output`` is Dense(classes).

Examples
--------
>>> import ssdkit as mx
>>> from ssdkit.symbol.naming import NameManager
>>> with NameManager():          # fresh counters, as in a new process
...     net = alexnet(classes=10)
>>> net.initialize()
>>> net(mx.nd.zeros((1, 3, 224, 224))).shape, list(net.collect_params())[0]
((1, 10), 'alexnet0_conv0_weight')
"""
from ....context import cpu
from ...hybrid_block import HybridBlock
from ... import nn
from ..model_store import load_pretrained

__all__ = ["AlexNet", "alexnet"]

# (channels, kernel, stride, padding, max-pool after it)
_CONVS = ((64, 11, 4, 2, True), (192, 5, 1, 2, True), (384, 3, 1, 1, False), (256, 3, 1, 1, False),
          (256, 3, 1, 1, True))


class AlexNet(HybridBlock):
    """AlexNet: ``features`` (convolutions, pools, flatten, two Dense(4096)) and ``output``.

    Parameters
    ----------
    classes : int, default 1000

    Examples
    --------
    >>> AlexNet(classes=5, prefix='a_').output.weight.shape
    (5, 0)
    """

    def __init__(self, classes=1000, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.features = nn.HybridSequential(prefix="")
            with self.features.name_scope():
                for channels, kernel, stride, padding, pool in _CONVS:
                    self.features.add(nn.Conv2D(channels, kernel_size=kernel, strides=stride, padding=padding,
                                                activation="relu"))
                    if pool:
                        self.features.add(nn.MaxPool2D(pool_size=3, strides=2))
                self.features.add(nn.Flatten())
                for _ in range(2):
                    self.features.add(nn.Dense(4096, activation="relu"), nn.Dropout(0.5))
            self.output = nn.Dense(classes)

    def hybrid_forward(self, F, x):
        return self.output(self.features(x))


def alexnet(pretrained=False, ctx=cpu(), root=None, **kwargs):
    """AlexNet; ``pretrained=True`` loads MXNet's ImageNet weights from ``root`` (nothing is downloaded).

    ``pretrained``, ``ctx`` and ``root`` as for :func:`get_model`;
    other keywords: ``classes``, ``prefix``, ``params``.

    Examples
    --------
    >>> len(alexnet().features)
    13
    """
    net = AlexNet(**kwargs)
    if pretrained:
        load_pretrained(net, "alexnet", root, ctx)
    return net
