"""Small VGG-style backbones for SSD on small inputs (no pretrained weights: trained from scratch).

``TinyVGG``: a stride-2 3x3 stem, then stages of (3x3 conv, BatchNorm, relu) separated by 2x2 max-pools.
Stage ``i``'s layers are named ``stage{i}_conv{j}``, ``stage{i}_batchnorm{j}``, ``stage{i}_relu{j}``, so
the output of stage 3's second relu is the layer ``'stage3_relu1_fwd'`` for :class:`FeatureExpander`.

Examples
--------
>>> import ssdkit as mx
>>> net = tiny_vgg(); net.initialize()
>>> net(mx.nd.zeros((1, 3, 256, 256))).shape
(1, 128, 8, 8)
"""
from ..base import MXNetError
from ..gluon import HybridBlock, nn

__all__ = ["TinyVGG", "tiny_vgg", "get_backbone", "TINY_VGG_SPEC"]

#: (layers, filters) per stage; stage 0 is the stride-2 stem.
TINY_VGG_SPEC = ((1, 16), (1, 32), (1, 64), (2, 128), (1, 128))


class TinyVGG(HybridBlock):
    """VGG-style feature network: stride-2 stem conv, then pooled stages of conv-BN-relu.

    Parameters
    ----------
    spec : sequence of (int, int)
        ``(num_layers, num_filters)`` per stage. Stage 0 starts with a stride-2 convolution; every later stage
        starts with a 2x2 max-pool. The output stride is ``2 ** len(spec)``.
    **kwargs
        ``prefix``, ``params``.

    Inputs
    ------
    x : (B, 3, H, W)

    Returns
    -------
    NDArray, (B, spec[-1][1], H / 2**len(spec), W / 2**len(spec))

    Examples
    --------
    >>> import ssdkit as mx
    >>> net = TinyVGG(((1, 4), (1, 8)), prefix='t_'); net.initialize()
    >>> net(mx.nd.zeros((2, 3, 16, 16))).shape, net.stages[1][1].weight.name
    ((2, 8, 4, 4), 't_stage1_conv0_weight')
    """

    def __init__(self, spec=TINY_VGG_SPEC, **kwargs):
        super().__init__(**kwargs)
        if not spec or any(len(s) != 2 or s[0] < 1 or s[1] < 1 for s in spec):
            raise MXNetError(f"TinyVGG: spec must be a non-empty list of (layers >= 1, filters >= 1), got {spec!r}")
        with self.name_scope():
            self.stages = nn.HybridSequential(prefix="")
            for index, (layers, filters) in enumerate(spec):
                stage = nn.HybridSequential(prefix=f"stage{index}_")
                with stage.name_scope():
                    if index > 0:
                        stage.add(nn.MaxPool2D(2))
                    for j in range(layers):
                        stride = 2 if index == 0 and j == 0 else 1
                        stage.add(nn.Conv2D(filters, 3, strides=stride, padding=1, use_bias=False),
                                  nn.BatchNorm(), nn.Activation("relu"))
                self.stages.add(stage)

    def hybrid_forward(self, F, x):
        return self.stages(x)


def tiny_vgg(**kwargs):
    """The default :class:`TinyVGG` (:data:`TINY_VGG_SPEC`, output stride 32).

    Examples
    --------
    >>> tiny_vgg(prefix='base_').stages[0][0].weight.name
    'base_stage0_conv0_weight'
    """
    return TinyVGG(**kwargs)


_BACKBONES = {"tiny_vgg": tiny_vgg}


def get_backbone(name, **kwargs):
    """A backbone by name: ``'tiny_vgg'`` or any ``mx.gluon.model_zoo.vision`` model (``'resnet50_v1'``,
    ``'mobilenet1.0'``, ...), as GluonCV's FeatureExpander takes them.

    Examples
    --------
    >>> type(get_backbone('tiny_vgg')).__name__, type(get_backbone('resnet50_v1')).__name__
    ('TinyVGG', 'ResNetV1')
    """
    from ..gluon.model_zoo import vision
    if name in _BACKBONES:
        return _BACKBONES[name](**kwargs)
    if str(name).lower() in vision.get_model_list():
        return vision.get_model(name, **kwargs)
    raise MXNetError(f"get_backbone: unknown backbone {name!r}; available: {sorted(_BACKBONES)} and the "
                     f"gluon.model_zoo.vision models {vision.get_model_list()}")
