"""``get_model(name, **kwargs)``: build a zoo model by name; ``get_model_list()`` names them.

Presets: ``toyssd`` (the straight-dope notebook's network) and ``ssd_256_tinyvgg_<set>`` (an SSD on a
:class:`~ssdkit.model_zoo.backbones.TinyVGG` with three appended stages: five scales of 16, 8, 4, 2 and 1
pixels at a 256 input, 1364 anchors) for the pikachu, VOC and COCO class lists.

Examples
--------
>>> net = get_model('toyssd', classes=['pikachu'])
>>> type(net).__name__, net.num_classes
('ToySSD', 1)
"""
from ..base import MXNetError
from ..detection.data import COCODetection, VOCDetection   # their class lists name the presets' classes
from .ssd import SSD
from .toyssd import ToySSD

__all__ = ["get_model", "get_model_list", "register_model"]

_MODELS = {}
PIKACHU_CLASSES = ("pikachu",)
#: ssd_256_tinyvgg: anchor sizes (fractions of the 256 input, as ToySSD's), layers and appended stages.
TINYVGG_256 = {"base_size": 256, "features": ["stage3_relu1_fwd", "stage4_relu0_fwd"], "num_filters": [128, 128, 128],
               "sizes": [f * 256 for f in (.1, .2, .37, .54, .71, .88)], "ratios": [[1, 2, .5]] * 5,
               "steps": [16, 32, 64, 128, 256], "reduce_ratio": 0.5, "min_depth": 64}


def register_model(name, factory, classes=PIKACHU_CLASSES):
    """Make ``factory(classes=..., **kwargs)`` available as ``get_model(name)``.

    Parameters
    ----------
    name : str
    factory : callable
        Called with ``classes`` (list of str) and the extra keyword arguments of :func:`get_model`.
    classes : sequence of str
        Default class names of the preset.

    Examples
    --------
    >>> register_model('toyssd_copy', lambda classes, **kw: ToySSD(len(classes), **kw))
    >>> get_model('toyssd_copy', classes=['a', 'b']).num_classes
    2
    >>> _ = _MODELS.pop('toyssd_copy')
    """
    _MODELS[name.lower()] = (factory, tuple(classes))


def get_model_list():
    """Names accepted by :func:`get_model`, sorted.

    Returns
    -------
    list of str

    Examples
    --------
    >>> get_model_list()[-1]
    'toyssd'
    """
    return sorted(_MODELS)


def get_model(name, classes=None, pretrained=False, pretrained_base=False, **kwargs):
    """A zoo model by name.

    Parameters
    ----------
    name : str
        One of :func:`get_model_list` (case-insensitive).
    classes : sequence of str, optional
        Foreground class names (default: the preset's dataset classes; ``['pikachu']`` for toyssd); the model
        predicts ``len(classes) + 1`` scores per anchor.
    pretrained, pretrained_base : bool
        No weights ship with ssdkit: ``pretrained=True`` raises; ``pretrained_base`` is accepted (False).
    **kwargs
        Passed to the model (e.g. ``prefix``, ``nms_thresh``).

    Returns
    -------
    HybridBlock

    Examples
    --------
    >>> get_model('nope')
    Traceback (most recent call last):
    ...
    ssdkit.base.MXNetError: get_model: unknown model 'nope'; available: ...
    """
    key = str(name).lower()
    if key not in _MODELS:
        raise MXNetError(f"get_model: unknown model {name!r}; available: {', '.join(get_model_list())}")
    if pretrained or pretrained_base:
        raise MXNetError(f"get_model: ssdkit ships no pretrained weights for {name!r}; train one with "
                         f"ssdkit-train and load it with net.load_parameters(...)")
    factory, default_classes = _MODELS[key]
    classes = list(default_classes if classes is None else classes)
    if not classes or not all(isinstance(c, str) for c in classes):
        raise MXNetError(f"get_model: classes must be a non-empty list of str, got {classes!r}")
    net = factory(classes=classes, **kwargs)
    net.classes = classes
    return net


def _ssd_256_tinyvgg(classes, **kwargs):
    # the backbone is built inside the SSD's name_scope (GluonCV's way): ssd0_tinyvgg0_..., and the
    # save_parameters keys (features.tinyvgg0_...) do not depend on how many models the process built before
    return SSD("tiny_vgg", classes=classes, **dict(TINYVGG_256, **kwargs))


register_model("toyssd", lambda classes, **kwargs: ToySSD(len(classes), **kwargs))
register_model("ssd_256_tinyvgg_pikachu", _ssd_256_tinyvgg)
register_model("ssd_256_tinyvgg_voc", _ssd_256_tinyvgg, VOCDetection.CLASSES)
register_model("ssd_256_tinyvgg_coco", _ssd_256_tinyvgg, COCODetection.CLASSES)
