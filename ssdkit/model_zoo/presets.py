"""GluonCV 0.10's SSD presets on VGG16-atrous, ResNet-50 v1 and MobileNet 1.0 (``gluoncv/model_zoo/ssd/presets.py``):
the same backbones, feature layers, appended filters, anchor sizes, ratios and steps, for VOC, COCO and custom
classes, built on ssdkit's :class:`~ssdkit.model_zoo.SSD`.

What equals GluonCV (checked against GluonCV's own code on MXNet 1.9.1, tests/test_ssd_presets.py): every
parameter name, shape and ``save_parameters`` key of the backbone, the appended stages and the predictors
(``ssd0_vggatrousextractor0_...``, ``ssd0_resnetv10_...``, ``ssd0_convpredictor0_conv0_weight``), and the number
of anchors (8732 for ``ssd_300_vgg16_atrous``, 24564 for the 512 VGG, 6132 for ResNet-50 and MobileNet). What
does not: GluonCV also stores its anchors as constants (``anchor_generators.*``), which ssdkit's SSD computes
with MultiBoxPrior instead, so a GluonCV-saved file loads with ``load_parameters(f, ignore_extra=True)``; and
decoding follows ssdkit's SSD (see :mod:`ssdkit.model_zoo.ssd`).

Examples
--------
>>> import ssdkit as mx
>>> net = mx.model_zoo.get_model('ssd_300_vgg16_atrous_voc')
>>> out = mx.sym.Group(list(net.features(mx.sym.var('data'))))
>>> [s[2] for s in out.infer_shape(data=(1, 3, 300, 300))[1]]
[38, 19, 10, 5, 3, 1]
"""
from ..detection.data import COCODetection, VOCDetection
from .registry import register_model
from .ssd import SSD
from .vgg_atrous import vgg16_atrous_300, vgg16_atrous_512

__all__ = ["PRESETS", "ssd_preset"]

_R3, _R5 = [1, 2, 0.5], [1, 2, 0.5, 3, 1.0 / 3]
_VGG300 = dict(network=None, base_size=300, features=vgg16_atrous_300, num_filters=None,
               ratios=[_R3] + [_R5] * 3 + [_R3] * 2, steps=[8, 16, 32, 64, 100, 300])
_VGG512 = dict(network=None, base_size=512, features=vgg16_atrous_512, num_filters=None,
               sizes=[51.2, 76.8, 153.6, 230.4, 307.2, 384.0, 460.8, 537.6],
               ratios=[_R3] + [_R5] * 4 + [_R3] * 2, steps=[8, 16, 32, 64, 128, 256, 512])
_EXPANDED512 = dict(base_size=512, num_filters=[512, 512, 256, 256], ratios=[_R3] + [_R5] * 3 + [_R3] * 2,
                    steps=[16, 32, 64, 128, 256, 512])
_SIZES_300_VOC = [30, 60, 111, 162, 213, 264, 315]
_SIZES_300_COCO = [21, 45, 99, 153, 207, 261, 315]
_SIZES_512_VOC = [51.2, 102.4, 189.4, 276.4, 363.52, 450.6, 492]
_SIZES_512_COCO = [51.2, 133.12, 215.04, 296.96, 378.88, 460.8, 542.72]
_RESNET = dict(_EXPANDED512, network="resnet50_v1", features=["stage3_activation5", "stage4_activation2"])
_MOBILENET = dict(_EXPANDED512, network="mobilenet1.0", features=["relu22_fwd", "relu26_fwd"],
                  sizes=_SIZES_512_VOC)

#: preset name -> (SSD keyword arguments, default classes); ``_custom`` presets need ``classes=``.
PRESETS = {
    "ssd_300_vgg16_atrous_voc": (dict(_VGG300, sizes=_SIZES_300_VOC), VOCDetection.CLASSES),
    "ssd_300_vgg16_atrous_coco": (dict(_VGG300, sizes=_SIZES_300_COCO), COCODetection.CLASSES),
    "ssd_300_vgg16_atrous_custom": (dict(_VGG300, sizes=_SIZES_300_COCO), ()),
    "ssd_512_vgg16_atrous_voc": (_VGG512, VOCDetection.CLASSES),
    "ssd_512_vgg16_atrous_coco": (_VGG512, COCODetection.CLASSES),
    "ssd_512_vgg16_atrous_custom": (_VGG512, ()),
    "ssd_512_resnet50_v1_voc": (dict(_RESNET, sizes=_SIZES_512_VOC), VOCDetection.CLASSES),
    "ssd_512_resnet50_v1_coco": (dict(_RESNET, sizes=_SIZES_512_COCO), COCODetection.CLASSES),
    "ssd_512_resnet50_v1_custom": (dict(_RESNET, sizes=_SIZES_512_COCO), ()),
    "ssd_512_mobilenet1.0_voc": (_MOBILENET, VOCDetection.CLASSES),
    "ssd_512_mobilenet1.0_coco": (_MOBILENET, COCODetection.CLASSES),
    "ssd_512_mobilenet1.0_custom": (_MOBILENET, ()),
}


def ssd_preset(name, classes, **kwargs):
    """Build the preset ``name`` of :data:`PRESETS` for ``classes`` (keywords override the preset's).

    Examples
    --------
    >>> ssd_preset('ssd_512_mobilenet1.0_custom', ['a', 'b']).num_classes
    2
    """
    settings, _ = PRESETS[name]
    return SSD(classes=classes, **dict(settings, **kwargs))


for _name, (_, _classes) in PRESETS.items():
    register_model(_name, lambda classes, _n=_name, **kwargs: ssd_preset(_n, classes, **kwargs), classes=_classes)
