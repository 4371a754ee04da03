"""GluonCV 0.10's VGG-atrous SSD backbones (``gluoncv/model_zoo/ssd/vgg_atrous.py``) with GluonCV's parameter names,
so weights saved by GluonCV load.

The input is multiplied by a constant ``init_scale`` (255 x ImageNet std, GluonCV's choice for its converted
Caffe weights). VGG-16's five stages run with 'full'-convention 2x2 max-pools; stage 4's output is
L2-normalized per position over channels and rescaled by a learned per-channel ``normalize_scale`` (initial
20); stage 5 is followed by a 3x3 stride-1 pool and the dilated ``fc6``/``fc7`` convolutions (``dilated_``);
the ``extra{i}_`` stages add smaller maps. ``vgg16_atrous_300`` gives maps of 38, 19, 10, 5, 3, 1 pixels for a
300x300 input; ``vgg16_atrous_512`` gives 64, 32, 16, 8, 4, 2, 1 for 512x512.

Examples
--------
>>> from ssdkit.symbol.naming import NameManager
>>> with NameManager():          # fresh counters, as in a new process
...     net = vgg16_atrous_300()
>>> names = list(net.collect_params())
>>> names[0], names[-2], len(names)
('vggatrousextractor0_init_scale', 'vggatrousextractor0_extra3_conv1_weight', 48)
"""
import numpy as np

from .. import initializer, ndarray as nd
from ..context import cpu
from ..gluon import HybridBlock, nn

__all__ = ["Normalize", "VGGAtrousExtractor", "get_vgg_atrous_extractor", "vgg16_atrous_300", "vgg16_atrous_512"]

#: (convolutions per stage, channels) of the VGG variants.
vgg_spec = {11: ([1, 1, 2, 2, 2], [64, 128, 256, 512, 512]),
            13: ([2, 2, 2, 2, 2], [64, 128, 256, 512, 512]),
            16: ([2, 2, 3, 3, 3], [64, 128, 256, 512, 512]),
            19: ([2, 2, 4, 4, 4], [64, 128, 256, 512, 512])}
#: Extra stages per input size: ((channels, kernel, stride, padding), ...) per stage.
extra_spec = {300: [((256, 1, 1, 0), (512, 3, 2, 1)), ((128, 1, 1, 0), (256, 3, 2, 1)),
                    ((128, 1, 1, 0), (256, 3, 1, 0)), ((128, 1, 1, 0), (256, 3, 1, 0))],
              512: [((256, 1, 1, 0), (512, 3, 2, 1)), ((128, 1, 1, 0), (256, 3, 2, 1)),
                    ((128, 1, 1, 0), (256, 3, 2, 1)), ((128, 1, 1, 0), (256, 3, 2, 1)),
                    ((128, 1, 1, 0), (256, 4, 1, 1))]}
#: 255 x the ImageNet standard deviation per channel: GluonCV's input scaling for its VGG weights.
INIT_SCALE = (np.array([0.229, 0.224, 0.225], np.float32) * 255).reshape(1, 3, 1, 1)


def _conv_init():
    return {"weight_initializer": initializer.Xavier(rnd_type="gaussian", factor_type="out", magnitude=2),
            "bias_initializer": "zeros"}


class Normalize(HybridBlock):
    """L2-normalize each position over the channels, then scale each channel by a learned factor (SSD's conv4_3).

    Parameters
    ----------
    n_channel : int
    initial : float, default 1
        Initial scale.
    eps : float, default 1e-5

    Examples
    --------
    >>> import ssdkit as mx
    >>> norm = Normalize(2, initial=10, prefix='n_'); norm.initialize()
    >>> norm(mx.nd.array([[[[3.0]], [[4.0]]]])).reshape((-1,)).asnumpy()
    array([6., 8.], dtype=float32)
    """

    def __init__(self, n_channel, initial=1, eps=1e-5, **kwargs):
        super().__init__(**kwargs)
        self.eps = eps
        with self.name_scope():
            self.scale = self.params.get("normalize_scale", shape=(1, n_channel, 1, 1),
                                         init=initializer.Constant(initial))

    def hybrid_forward(self, F, x, scale):
        return F.broadcast_mul(F.L2Normalization(x, mode="channel", eps=self.eps), scale)


class VGGAtrousExtractor(HybridBlock):
    """VGG-atrous feature extractor: one output per SSD scale (normalized stage 4, fc7, then the extras).

    Parameters
    ----------
    layers : list of int
        Convolutions per VGG stage (five stages).
    filters : list of int
        Channels per VGG stage.
    extras : list of tuple
        Extra stages, each a sequence of (channels, kernel, stride, padding) convolutions with relu.
    batch_norm : bool, default False
        BatchNorm after every convolution.

    Examples
    --------
    >>> import ssdkit as mx
    >>> net = VGGAtrousExtractor([1, 1, 1, 1, 1], [4, 4, 8, 8, 8], [((4, 3, 2, 1),)], prefix='v_')
    >>> net.initialize()
    >>> [o.shape for o in net(mx.nd.zeros((1, 3, 64, 64)))]
    [(1, 8, 8, 8), (1, 1024, 4, 4), (1, 4, 2, 2)]
    """

    def __init__(self, layers, filters, extras, batch_norm=False, **kwargs):
        super().__init__(**kwargs)
        assert len(layers) == len(filters) == 5, "VGGAtrousExtractor: five VGG stages expected"
        with self.name_scope():
            self.init_scale = self.params.get_constant("init_scale", nd.array(INIT_SCALE))
            self.stages = nn.HybridSequential()
            for num, channels in zip(layers, filters):
                stage = nn.HybridSequential(prefix="")
                for _ in range(num):
                    self._add_conv(stage, batch_norm, channels, kernel_size=3, padding=1)
                self.stages.add(stage)
            stage = nn.HybridSequential(prefix="dilated_")
            with stage.name_scope():
                self._add_conv(stage, batch_norm, 1024, kernel_size=3, padding=6, dilation=6)
                self._add_conv(stage, batch_norm, 1024, kernel_size=1)
            self.stages.add(stage)
            self.norm4 = Normalize(filters[3], 20)
            self.extras = nn.HybridSequential()
            for i, config in enumerate(extras):
                extra = nn.HybridSequential(prefix=f"extra{i}_")
                with extra.name_scope():
                    for channels, kernel, stride, padding in config:
                        self._add_conv(extra, batch_norm, channels, kernel_size=kernel, strides=stride,
                                       padding=padding)
                self.extras.add(extra)

    @staticmethod
    def _add_conv(seq, batch_norm, channels, **kwargs):
        seq.add(nn.Conv2D(channels, **kwargs, **_conv_init()))
        if batch_norm:
            seq.add(nn.BatchNorm())
        seq.add(nn.Activation("relu"))

    def hybrid_forward(self, F, x, init_scale):
        x = F.broadcast_mul(x, init_scale)
        for stage in self.stages[:3]:
            x = F.Pooling(stage(x), pool_type="max", kernel=(2, 2), stride=(2, 2), pooling_convention="full")
        x = self.stages[3](x)
        outputs = [self.norm4(x)]
        x = F.Pooling(x, pool_type="max", kernel=(2, 2), stride=(2, 2), pooling_convention="full")
        x = F.Pooling(self.stages[4](x), pool_type="max", kernel=(3, 3), stride=(1, 1), pad=(1, 1),
                      pooling_convention="full")
        x = self.stages[5](x)
        outputs.append(x)
        for extra in self.extras:
            x = extra(x)
            outputs.append(x)
        return outputs


def get_vgg_atrous_extractor(num_layers, im_size, pretrained=False, ctx=cpu(), root=None, **kwargs):
    """A :class:`VGGAtrousExtractor` of VGG-``num_layers`` (11, 13, 16, 19) for ``im_size`` 300 or 512.

    ``pretrained`` must be False: GluonCV's ``vgg16_atrous`` weight files are not in MXNet's model store
    (load them with ``load_parameters(..., allow_missing=True)`` as GluonCV does).

    Examples
    --------
    >>> len(get_vgg_atrous_extractor(16, 512).extras)
    5
    """
    if pretrained:
        raise FileNotFoundError("get_vgg_atrous_extractor: no pretrained download here; build the net, then "
                                "net.load_parameters('<GluonCV vgg%d_atrous file>.params', allow_missing=True)"
                                % num_layers)
    if num_layers not in vgg_spec or im_size not in extra_spec:
        raise KeyError(f"get_vgg_atrous_extractor: num_layers must be one of {sorted(vgg_spec)} and im_size one "
                       f"of {sorted(extra_spec)}, got {num_layers}, {im_size}")
    layers, filters = vgg_spec[num_layers]
    return VGGAtrousExtractor(layers, filters, extra_spec[im_size], **kwargs)


def vgg16_atrous_300(**kwargs):
    """VGG-16 atrous extractor for 300x300 inputs (six maps: 38, 19, 10, 5, 3, 1).

    Examples
    --------
    >>> vgg16_atrous_300().norm4.scale.shape
    (1, 512, 1, 1)
    """
    return get_vgg_atrous_extractor(16, 300, **kwargs)


def vgg16_atrous_512(**kwargs):
    """VGG-16 atrous extractor for 512x512 inputs (seven maps: 64, 32, 16, 8, 4, 2, 1).

    Examples
    --------
    >>> vgg16_atrous_512().extras[4][0].weight.shape
    (128, 0, 1, 1)
    """
    return get_vgg_atrous_extractor(16, 512, **kwargs)
